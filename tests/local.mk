EXTRA_DIST += tests/tap.h tests/tap.sh
check_PROGRAMS += tests/test-json tests/test-error
tests_test_json_SOURCES = tests/test-json.c
tests_test_json_LDADD = $(MW_LIBS)
tests_test_error_SOURCES = tests/test-error.c
tests_test_error_LDADD = $(MW_LIBS)
TESTS += tests/test-json tests/test-error tests/cli.sh
EXTRA_DIST += tests/cli.sh
