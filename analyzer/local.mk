# kernel data structures
libmw_a_SOURCES += \
	analyzer/vm.c analyzer/vm.h \
	analyzer/arch.c analyzer/arch.h \
	analyzer/arch-x86_64.c analyzer/arch-arm64.c \
	analyzer/kernel.c analyzer/kernel.h \
	analyzer/debugfiles.c analyzer/debugfiles.h \
	analyzer/debuginfod.c analyzer/debuginfod.h
# the page walker: summary and pages
libmw_a_SOURCES += \
	analyzer/cpus.c analyzer/cpus.h \
	analyzer/kread.c analyzer/kread.h \
	analyzer/layout.c analyzer/layout.h \
	analyzer/pageflags.c analyzer/pageflags.h \
	analyzer/vmstat.c analyzer/vmstat.h \
	analyzer/pagesets.c analyzer/pagesets.h \
	analyzer/pagescan.c analyzer/pagescan.h \
	analyzer/zpool.c analyzer/zpool.h \
	analyzer/filter-loss.c analyzer/filter-loss.h \
	analyzer/summary.c analyzer/summary.h
# reserved memory by purpose, offline (balloon) pages
libmw_a_SOURCES += \
	analyzer/reserved.c analyzer/reserved.h
# memory cgroups
libmw_a_SOURCES += \
	analyzer/memcg.c analyzer/memcg.h analyzer/memcg-internal.h \
	analyzer/memcg-pins.c analyzer/memcg-stock.c \
	analyzer/memcg-scan.c analyzer/memcg-scan.h
# sockets, skbs and the pages they pin
libmw_a_SOURCES += \
	analyzer/walk.h \
	analyzer/xarray.c analyzer/xarray.h \
	analyzer/bpf.c analyzer/bpf.h \
	analyzer/pools.c analyzer/pools.h \
	analyzer/hugetlb.c analyzer/zram.c analyzer/cma.c \
	analyzer/modbtf.c analyzer/modbtf.h \
	analyzer/task.c analyzer/task.h \
	analyzer/skb.c analyzer/skb.h \
	analyzer/sockets.c analyzer/sockets.h \
	analyzer/skbfrags.c analyzer/skbfrags.h
# page cache and shared memory by file
libmw_a_SOURCES += \
	analyzer/paths.c analyzer/paths.h \
	analyzer/files.c analyzer/files.h
# findings as data, and the one pipeline every front end runs
libmw_a_SOURCES += \
	analyzer/findings.c analyzer/findings.h \
	analyzer/analysis.c analyzer/analysis.h
# the kernel's log: the printk ring buffer
libmw_a_SOURCES += analyzer/printk.c analyzer/printk.h
# what happened: the panic and the OOM reports in the log
libmw_a_SOURCES += analyzer/incident.c analyzer/incident.h
# kernel memory by owner
libmw_a_SOURCES += \
	analyzer/slab.c analyzer/slab.h analyzer/slab-aliases.c \
	analyzer/slab-memcg.c analyzer/slab-memcg.h \
	analyzer/unaccounted.c analyzer/unaccounted.h \
	analyzer/vmalloc.c analyzer/vmalloc.h \
	analyzer/modules.c analyzer/modules.h \
	analyzer/percpu.c analyzer/percpu.h
# processes and their memory
libmw_a_SOURCES += analyzer/tasks.c analyzer/tasks.h
