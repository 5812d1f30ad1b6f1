# the page walker: summary and pages on real dumps, corrupted struct pages
check_PROGRAMS += tests/pagescan-tool
tests_pagescan_tool_SOURCES = tests/pagescan-tool.c
tests_pagescan_tool_LDADD = $(MW_LIBS)
TESTS += tests/summary-real.sh tests/summary-corrupt.sh tests/nodes-real.sh tests/threads.sh
EXTRA_DIST += tests/summary-real.sh tests/summary-corrupt.sh tests/nodes-real.sh tests/threads.sh tests/compare.py
check_PROGRAMS += tests/test-pageflags
tests_test_pageflags_SOURCES = tests/test-pageflags.c
tests_test_pageflags_LDADD = $(MW_LIBS)
TESTS += tests/test-pageflags
# kernel lists that loop or point astray (tests/lists-corrupt.py)
check_PROGRAMS += tests/kaddr-tool
tests_kaddr_tool_SOURCES = tests/kaddr-tool.c
tests_kaddr_tool_LDADD = $(MW_LIBS)
TESTS += tests/lists-corrupt.py
EXTRA_DIST += tests/lists-corrupt.py tests/kaddrlib.py
# a wrong page-table root in VMCOREINFO (tests/vmcoreinfo-corrupt.py)
TESTS += tests/vmcoreinfo-corrupt.py
EXTRA_DIST += tests/vmcoreinfo-corrupt.py
