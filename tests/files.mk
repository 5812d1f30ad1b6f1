# page cache and shared memory by file: the path builder on a fake
# memory image; real dumps against the guests' mincore residency and meminfo;
# corrupted dentries in copies of real dumps (drgn finds them)
check_PROGRAMS += tests/test-paths
tests_test_paths_SOURCES = tests/test-paths.c tests/fakemem.c tests/fakemem.h
tests_test_paths_LDADD = $(MW_LIBS)
TESTS += tests/test-paths tests/files-real.sh tests/files-corrupt.sh tests/files-guest.sh
EXTRA_DIST += tests/files-real.sh tests/files-corrupt.sh tests/files-guest.sh tests/corrupt_dentries.py \
	tests/files-kinds.c
# names with control bytes and bytes that are not UTF-8 (tests/names-escape.py)
TESTS += tests/names-escape.py
EXTRA_DIST += tests/names-escape.py
