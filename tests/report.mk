# memwhere report on real dumps
TESTS += tests/report-real.py tests/report-brief.py
EXTRA_DIST += tests/report-real.py tests/report-brief.py
# the same results from the dump's BTF, --vmlinux (DWARF) and --btf
TESTS += tests/types-e2e.py
EXTRA_DIST += tests/types-e2e.py
