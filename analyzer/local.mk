# kernel data structures (P3-P7)
libmw_a_SOURCES += \
	analyzer/vm.c analyzer/vm.h \
	analyzer/kernel.c analyzer/kernel.h
