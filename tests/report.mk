# memwhere report on real dumps
TESTS += tests/report-real.py
EXTRA_DIST += tests/report-real.py
