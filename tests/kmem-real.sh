#!/bin/sh
# memwhere slab and vmalloc on every real dump at hand, against the guest's
# own /proc/slabinfo, /proc/vmallocinfo and VmallocUsed (tests/kmem_compare.py).
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
dirs=$(real_dump_dirs)
if [ -z "$dirs" ]; then
	echo "1..0 # SKIP no real dumps (no testdata/ dumps, no captures: run scripts/capture)"
	exit 0
fi
for d in $dirs; do
	for f in $(dump_files "$d"); do
		for mode in slab vmalloc; do
			run_checker "$MW_SRCDIR/tests/kmem_compare.py" "$mode" "$MEMWHERE" "$f" "$d/truth.json"
		done
	done
done
done_testing
