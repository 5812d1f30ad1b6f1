EXTRA_DIST += tests/tap.h tests/tap.sh
include tests/tools/local.mk
check_PROGRAMS += tests/test-json tests/test-error tests/test-kallsyms
tests_test_kallsyms_SOURCES = tests/test-kallsyms.c
tests_test_kallsyms_LDADD = $(MW_LIBS)
tests_test_json_SOURCES = tests/test-json.c
tests_test_json_LDADD = $(MW_LIBS)
tests_test_error_SOURCES = tests/test-error.c
tests_test_error_LDADD = $(MW_LIBS)
TESTS += tests/test-json tests/test-error tests/test-kallsyms tests/cli.sh
EXTRA_DIST += tests/cli.sh

# benchmark helpers (not tests): scripts/bench-read
noinst_PROGRAMS += tests/bench/readbench
tests_bench_readbench_SOURCES = tests/bench/readbench.c
tests_bench_readbench_LDADD = $(MW_LIBS)

# ELF core and /proc/kcore readers
check_PROGRAMS += tests/test-elf tests/elf-readmem
tests_test_elf_SOURCES = tests/test-elf.c
tests_test_elf_LDADD = $(MW_LIBS)
tests_elf_readmem_SOURCES = tests/elf-readmem.c
tests_elf_readmem_LDADD = $(MW_LIBS)
TESTS += tests/test-elf tests/elf-real.sh tests/live-guest.sh
EXTRA_DIST += tests/elf-real.sh tests/elf-compare.py tests/live-guest.sh

# kdump-compressed and flattened readers
check_PROGRAMS += tests/test-kdump tests/kdump-readmem
tests_test_kdump_SOURCES = tests/test-kdump.c
tests_test_kdump_LDADD = $(MW_LIBS)
tests_kdump_readmem_SOURCES = tests/kdump-readmem.c
tests_kdump_readmem_LDADD = $(MW_LIBS)
TESTS += tests/test-kdump tests/kdump-real.sh
EXTRA_DIST += tests/kdump-real.sh
include tests/types.mk
include tests/kernel.mk
include tests/testdata.mk
include tests/pagescan.mk

# memory cgroups (P7): the walk over a fake image; memcg-real.sh against the guests
check_PROGRAMS += tests/test-memcg
tests_test_memcg_SOURCES = tests/test-memcg.c
tests_test_memcg_LDADD = $(MW_LIBS)
TESTS += tests/test-memcg tests/memcg-real.sh
EXTRA_DIST += tests/memcg-real.sh
include tests/sockets.mk
include tests/files.mk
include tests/report.mk
