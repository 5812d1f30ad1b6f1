bin_PROGRAMS += memwhere
memwhere_SOURCES = cli/main.c cli/cli.h cli/commands.c cli/output.c \
	cli/escape.c cli/escape.h \
	cli/findings.c cli/findings.h \
	cli/render-util.c cli/render-util.h \
	cli/output-summary.c \
	cli/output-sockets.c \
	cli/output-memcg.c \
	cli/output-files.c \
	cli/cmd-report.c
memwhere_LDADD = $(MW_LIBS)
memwhere_SOURCES += cli/log.h cli/cmd-log.c cli/output-log.c
memwhere_SOURCES += cli/slab.h cli/output-slab.c
memwhere_SOURCES += cli/vmalloc.h cli/output-vmalloc.c
memwhere_SOURCES += cli/bpf.h cli/output-bpf.c
memwhere_SOURCES += cli/pools.h cli/output-pools.c
memwhere_SOURCES += cli/tasks.h cli/output-tasks.c
memwhere_SOURCES += cli/dump-open.c cli/dump-open.h
memwhere_SOURCES += cli/doc.h cli/doc.c cli/export.h cli/export.c cli/folded.c cli/html.c cli/diff.c \
	cli/treemap.c cli/treemap.h
memwhere_SOURCES += cli/incident.h cli/output-incident.c cli/output-brief.c
memwhere_SOURCES += cli/reserved.h cli/output-reserved.c
