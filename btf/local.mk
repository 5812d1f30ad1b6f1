# types and symbols: BTF, DWARF, kallsyms, System.map (P3)
libmw_a_SOURCES += \
	btf/kallsyms.c btf/kallsyms.h
