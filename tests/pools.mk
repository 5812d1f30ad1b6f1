# memory pools: hugetlb pools and holders, zsmalloc/zram/zswap, CMA against
# the guest's sysfs and /proc (the "rest" scenario's captures for holders)
TESTS += tests/pools-real.sh tests/pools-corrupt.py
EXTRA_DIST += tests/pools-real.sh tests/pools_compare.py tests/pools-corrupt.py
check_PROGRAMS += tests/test-pools
tests_test_pools_SOURCES = tests/test-pools.c cli/findings.c cli/render-util.c cli/dump-open.c
tests_test_pools_LDADD = $(MW_LIBS)
TESTS += tests/test-pools
