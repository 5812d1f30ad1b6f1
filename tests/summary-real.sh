#!/bin/sh
# memwhere summary on every real dump at hand, against the guest's own
# numbers (truth.json): free, anon, file, shmem, slab, kernel stacks, page
# tables within 1% or 256 KiB, and the categories add up to total_bytes
# exactly. The comparisons are tests/compare.py's (which meminfo fields each
# category is held against is written there and in memwhere(1)).
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
tap_tmpdir summary

for d in $dirs; do
	label=$(dump_label "$d")
	for f in $(dump_files "$d"); do
		name="$label/$(basename "$f")"
		"$MEMWHERE" --json summary "$f" >"$tmp/s.json" 2>"$tmp/err"
		rc=$?
		ok_exit 0 $rc "$name: memwhere --json summary exits 0" "$tmp/err"
		[ $rc -le 1 ] || continue
		run_compare summary "$tmp/s.json" "$d/truth.json" "$name"
	done
done
done_testing
