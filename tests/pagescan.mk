# the page walker (P4): summary and pages on real dumps, corrupted struct pages
check_PROGRAMS += tests/pagescan-tool
tests_pagescan_tool_SOURCES = tests/pagescan-tool.c
tests_pagescan_tool_LDADD = $(MW_LIBS)
TESTS += tests/summary-real.sh tests/summary-corrupt.sh
EXTRA_DIST += tests/summary-real.sh tests/summary-corrupt.sh tests/compare.py
check_PROGRAMS += tests/test-pageflags
tests_test_pageflags_SOURCES = tests/test-pageflags.c
tests_test_pageflags_LDADD = $(MW_LIBS)
TESTS += tests/test-pageflags
