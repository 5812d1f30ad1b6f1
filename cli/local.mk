bin_PROGRAMS += memwhere
memwhere_SOURCES = cli/main.c cli/cli.h cli/commands.c cli/output.c
memwhere_LDADD = $(MW_LIBS)
