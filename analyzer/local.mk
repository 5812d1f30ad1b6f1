# kernel data structures (P3-P7)
libmw_a_SOURCES += \
	analyzer/vm.c analyzer/vm.h \
	analyzer/kernel.c analyzer/kernel.h
# the page walker (P4): summary and pages
libmw_a_SOURCES += \
	analyzer/cpus.c analyzer/cpus.h \
	analyzer/kread.c analyzer/kread.h \
	analyzer/pageflags.c analyzer/pageflags.h \
	analyzer/vmstat.c analyzer/vmstat.h \
	analyzer/pagesets.c analyzer/pagesets.h \
	analyzer/pagescan.c analyzer/pagescan.h \
	analyzer/summary.c analyzer/summary.h
# memory cgroups (P7)
libmw_a_SOURCES += \
	analyzer/memcg.c analyzer/memcg.h analyzer/memcg-internal.h \
	analyzer/memcg-pins.c analyzer/memcg-stock.c \
	analyzer/memcg-scan.c analyzer/memcg-scan.h
# sockets, skbs and the pages they pin (P6)
libmw_a_SOURCES += \
	analyzer/walk.h \
	analyzer/task.c analyzer/task.h \
	analyzer/skb.c analyzer/skb.h \
	analyzer/sockets.c analyzer/sockets.h \
	analyzer/skbfrags.c analyzer/skbfrags.h
# page cache and shared memory by file (P5)
libmw_a_SOURCES += \
	analyzer/paths.c analyzer/paths.h \
	analyzer/files.c analyzer/files.h
