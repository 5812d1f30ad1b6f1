# the kernel's log: the ring reader over a ring built by hand;
# log-real.sh against the captures' consoles and the bundled dumps' truth
check_PROGRAMS += tests/test-printk
tests_test_printk_SOURCES = tests/test-printk.c
tests_test_printk_LDADD = $(MW_LIBS)
TESTS += tests/test-printk
TESTS += tests/log-real.py
EXTRA_DIST += tests/log-real.py
TESTS += tests/log-corrupt.py
EXTRA_DIST += tests/log-corrupt.py tests/corrupt_printk.py
TESTS += tests/log-cli.py
EXTRA_DIST += tests/log-cli.py
