# building the bundled test data (scripts/make-testdata)
noinst_PROGRAMS += tests/mw-exclude
tests_mw_exclude_SOURCES = tests/mw-exclude.c
tests_mw_exclude_LDADD = $(MW_LIBS)
