# types and symbols: BTF, DWARF, kallsyms, System.map
libmw_a_SOURCES += \
	btf/kallsyms.c btf/kallsyms.h \
	btf/types.h btf/types-internal.h btf/types.c \
	btf/name-index.c btf/name-index.h \
	btf/btf.c btf/btf-file.c \
	btf/dwarf.c \
	btf/elf-util.c btf/elf-util.h \
	btf/symbols.h btf/symbols.c btf/symbols-elf.c btf/symbols-map.c
