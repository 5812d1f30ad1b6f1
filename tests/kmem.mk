# kernel memory by owner: slab and vmalloc against the guest's /proc,
# and on slab and vmap structures that lie
TESTS += tests/kmem-real.sh tests/kmem-corrupt.py
EXTRA_DIST += tests/kmem-real.sh tests/kmem_compare.py tests/kmem-corrupt.py
# slab objects by memcg (slab --memcg) against each cgroup's memory.stat slab
TESTS += tests/slab-memcg-real.py tests/unaccounted-real.py
EXTRA_DIST += tests/slab-memcg-real.py tests/unaccounted-real.py tests/bench/slab-vmalloc.sh tests/bench/slab_drgn.py
check_PROGRAMS += tests/test-slab
tests_test_slab_SOURCES = tests/test-slab.c cli/findings.c cli/render-util.c cli/dump-open.c
tests_test_slab_LDADD = $(MW_LIBS)
TESTS += tests/test-slab
# BPF maps and programs: memory formulas and the bounded xarray walk
check_PROGRAMS += tests/test-bpf
tests_test_bpf_SOURCES = tests/test-bpf.c tests/fakemem.c tests/fakemem.h
tests_test_bpf_LDADD = $(MW_LIBS)
TESTS += tests/test-bpf
TESTS += tests/bpf-real.sh
EXTRA_DIST += tests/bpf-real.sh tests/bpf_compare.py
