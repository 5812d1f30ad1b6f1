# sockets: skb walkers on a fake memory image; real dumps against the
# guests' /proc/net and /proc/PID/fd; skb-level numbers against drgn
check_PROGRAMS += tests/test-skb tests/test-skbfrags
tests_test_skb_SOURCES = tests/test-skb.c tests/fakemem.c tests/fakemem.h
tests_test_skb_LDADD = $(MW_LIBS)
tests_test_skbfrags_SOURCES = tests/test-skbfrags.c
tests_test_skbfrags_LDADD = $(MW_LIBS)
TESTS += tests/test-skb tests/test-skbfrags tests/sockets-real.sh tests/sockets-corrupt.sh
EXTRA_DIST += tests/sockets-real.sh tests/compare_sockets.py tests/sockets-drgn.py tests/sockets-memcg.py \
	tests/sockets-corrupt.sh tests/corrupt_skbs.py tests/elfpatch.py
