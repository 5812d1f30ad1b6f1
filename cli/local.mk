bin_PROGRAMS += memwhere
memwhere_SOURCES = cli/main.c cli/cli.h cli/commands.c cli/output.c \
	cli/summary.h cli/cmd-summary.c cli/output-summary.c
memwhere_SOURCES += cli/sockets.h cli/cmd-sockets.c cli/output-sockets.c
memwhere_SOURCES += cli/memcg.h cli/cmd-memcg.c cli/output-memcg.c
memwhere_LDADD = $(MW_LIBS)
memwhere_SOURCES += cli/files.h cli/cmd-files.c cli/output-files.c
memwhere_SOURCES += cli/cmd-report.c
memwhere_SOURCES += cli/render-util.c cli/render-util.h
memwhere_SOURCES += cli/memcg-subtree.c cli/memcg-subtree.h
