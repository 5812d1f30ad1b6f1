EXTRA_DIST += tests/tap.h tests/tap.sh tests/truth-schema.md
include tests/tools/local.mk
check_PROGRAMS += tests/test-json tests/test-jsonparse tests/test-error tests/test-kallsyms tests/test-read
# zlib pages through ISA-L, libdeflate and zlib: the same bytes, the same refusals
check_PROGRAMS += tests/test-decompress
tests_test_decompress_SOURCES = tests/test-decompress.c
tests_test_decompress_LDADD = $(MW_LIBS)
TESTS += tests/test-decompress
tests_test_read_SOURCES = tests/test-read.c
tests_test_read_LDADD = $(MW_LIBS)
tests_test_kallsyms_SOURCES = tests/test-kallsyms.c tests/fakemem.c tests/fakemem.h
tests_test_kallsyms_LDADD = $(MW_LIBS)
tests_test_json_SOURCES = tests/test-json.c
tests_test_json_LDADD = $(MW_LIBS)
tests_test_jsonparse_SOURCES = tests/test-jsonparse.c
tests_test_jsonparse_LDADD = $(MW_LIBS)
tests_test_error_SOURCES = tests/test-error.c
tests_test_error_LDADD = $(MW_LIBS)
TESTS += tests/test-json tests/test-jsonparse tests/test-error tests/test-kallsyms tests/test-read tests/cli.sh tests/cut-dumps.sh tests/export.sh
EXTRA_DIST += tests/cli.sh tests/cut-dumps.sh tests/export.sh tests/export_check.py
# the HTML pages and screenshots tests/export.sh keeps for a look
clean-local: clean-test-artifacts
clean-test-artifacts:
	rm -rf tests/artifacts
.PHONY: clean-test-artifacts
TESTS += tests/help-docs.sh tests/force-types.sh
EXTRA_DIST += tests/help-docs.sh tests/force-types.sh

# benchmark helpers (not tests): scripts/bench-read
noinst_PROGRAMS += tests/bench/readbench
tests_bench_readbench_SOURCES = tests/bench/readbench.c
tests_bench_readbench_LDADD = $(MW_LIBS)
# scripts/bench-scale, README's decompression table: zlib, libdeflate, ISA-L,
# lzo, snappy, zstd over a kdump's own pages
noinst_PROGRAMS += tests/bench/inflatebench
tests_bench_inflatebench_SOURCES = tests/bench/inflatebench.c
tests_bench_inflatebench_CPPFLAGS = $(AM_CPPFLAGS) $(ISAL_CFLAGS)
tests_bench_inflatebench_LDADD = $(MW_LIBS) $(ISAL_LIBS)
# scripts/bench-info
noinst_PROGRAMS += tests/bench/kallsymsbench
tests_bench_kallsymsbench_SOURCES = tests/bench/kallsymsbench.c
tests_bench_kallsymsbench_LDADD = $(MW_LIBS)

# ELF core and /proc/kcore readers
check_PROGRAMS += tests/test-elf tests/elf-readmem
check_PROGRAMS += tests/test-arch
tests_test_arch_SOURCES = tests/test-arch.c
tests_test_arch_LDADD = $(MW_LIBS)
TESTS += tests/test-arch
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
TESTS += tests/test-kdump tests/kdump-real.sh tests/split-real.sh tests/makedumpfile-real.sh
EXTRA_DIST += tests/kdump-real.sh tests/split-real.sh tests/makedumpfile-real.sh
include tests/types.mk
include tests/kernel.mk
include tests/testdata.mk
include tests/pagescan.mk

# memory cgroups: the walk over a fake image; memcg-real.sh against the guests
check_PROGRAMS += tests/test-memcg
tests_test_memcg_SOURCES = tests/test-memcg.c tests/fakemem.c tests/fakemem.h
tests_test_memcg_LDADD = $(MW_LIBS)
TESTS += tests/test-memcg tests/memcg-real.sh tests/memcg-names.py
# arm64: the page-table walk against VMCOREINFO's image and linear maps
TESTS += tests/arm64-walk-real.sh
EXTRA_DIST += tests/arm64-walk-real.sh
# memwhere diff on a real leak: the "leak" captures (two dumps of one guest)
TESTS += tests/diff-leak-real.py
EXTRA_DIST += tests/diff-leak-real.py
EXTRA_DIST += tests/memcg-real.sh tests/memcg-names.py
include tests/sockets.mk
include tests/files.mk
include tests/report.mk
include tests/corrupt.mk

# findings as data, byte sizes, growing strings
# the report --html treemap's geometry (cli/treemap.c)
check_PROGRAMS += tests/test-treemap
tests_test_treemap_SOURCES = tests/test-treemap.c cli/treemap.c cli/treemap.h
tests_test_treemap_LDADD = -lm
TESTS += tests/test-treemap
check_PROGRAMS += tests/test-findings
tests_test_findings_SOURCES = tests/test-findings.c
tests_test_findings_LDADD = $(MW_LIBS)
TESTS += tests/test-findings
include tests/printk.mk
include tests/kmem.mk
include tests/tasks.mk
include tests/incident.mk
include tests/pools.mk

# debug files found by memwhere itself: distribution paths and a real
# debuginfod server on 127.0.0.1 (needs MW_CAPTURES with kernels/*/vmlinux)
TESTS += tests/debugfiles.sh
EXTRA_DIST += tests/debugfiles.sh
# reserved memory by purpose and offline (balloon) pages (issue 21):
# reserved-real.py against scenario rest's truth (crash kernel, balloon,
# struct pages, kernel image, holes) and the parts' sum everywhere
TESTS += tests/reserved-real.py
EXTRA_DIST += tests/reserved-real.py
