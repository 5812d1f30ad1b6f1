# The type layer (btf/): BTF, DWARF, symbols. Included from tests/local.mk.
check_PROGRAMS += tests/test-btf tests/test-symbols tests/types-probe
tests_test_btf_SOURCES = tests/test-btf.c
tests_test_btf_LDADD = $(MW_LIBS)
tests_test_symbols_SOURCES = tests/test-symbols.c
tests_test_symbols_LDADD = $(MW_LIBS)
tests_types_probe_SOURCES = tests/types-probe.c
tests_types_probe_LDADD = $(MW_LIBS)
TESTS += tests/test-btf tests/test-symbols tests/types-sys-btf.sh tests/types-vmlinux.sh
EXTRA_DIST += tests/types-sys-btf.sh tests/types-vmlinux.sh tests/types-lib.sh \
	tests/types-members.list tests/types-btf-oracle.py tests/types-dwarf-oracle.py
