#!/bin/sh
# memwhere pools on every real dump at hand against the guest's
# hugepages, zram, zswap and CMA numbers
# (tests/pools_compare.py).
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
dirs=$(real_dump_dirs)
n=0
for d in $dirs; do
	for f in $(dump_files "$d"); do
		n=$((n + 1))
		run_checker "$MW_SRCDIR/tests/pools_compare.py" "$MEMWHERE" "$f" "$d/truth.json"
	done
done
if [ $n -eq 0 ]; then
	echo "1..0 # SKIP no real dump"
	exit 0
fi
done_testing
