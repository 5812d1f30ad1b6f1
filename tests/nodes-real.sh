#!/bin/sh
# memwhere pages on every real dump at hand: its NUMA nodes and zones
# against the guest's own /proc/zoneinfo (start, spanned, present, managed
# pages exactly; free pages, read from the dump and found by the page scan,
# within 1% or 256 KiB plus the zone's per-CPU lists) and, when the capture
# recorded it, each node's /sys/devices/system/node/nodeN/meminfo (MemTotal,
# MemFree, Shmem, slab, kernel stacks, page tables per node). One dump file
# per capture: the figures do not depend on the format (summary-real.sh
# reads every format). The comparisons are tests/compare.py's (pages).
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
tap_tmpdir nodes

for d in $dirs; do
	label=$(dump_label "$d")
	f=$(dump_files "$d" | head -n 1)
	[ -n "$f" ] || continue
	name="$label/$(basename "$f")"
	"$MEMWHERE" --json --top 0 pages "$f" >"$tmp/p.json" 2>"$tmp/err"
	rc=$?
	ok_exit 0 $rc "$name: memwhere --json pages exits 0" "$tmp/err"
	[ $rc -le 1 ] || continue
	run_compare pages "$tmp/p.json" "$d/truth.json" "$name"
done
done_testing
