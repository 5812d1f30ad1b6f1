#!/bin/sh
# memwhere summary on every real dump at hand, against the guest's own
# numbers (truth.json): free, anon, file, shmem, slab, kernel stacks, page
# tables within 1% or 256 KiB, and the categories add up to total_bytes
# exactly. The comparisons are tests/compare.py's (which meminfo fields each
# category is held against is written there and in memwhere(1)).
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
PY=/usr/bin/python3
dirs=$(real_dump_dirs)
if [ -z "$dirs" ]; then
	echo "1..0 # SKIP no real dumps (testdata/ empty and MW_CAPTURES unset)"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-summary.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM


for d in $dirs; do
	label=$(basename "$(dirname "$d")")/$(basename "$d")
	for f in $(dump_files "$d"); do
		name="$label/$(basename "$f")"
		"$MEMWHERE" --json summary "$f" >"$tmp/s.json" 2>"$tmp/err"
		rc=$?
		[ $rc -eq 0 ]
		ok $? "$name: memwhere --json summary exits 0 (got $rc)"
		[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err" | head -n 20
		[ $rc -le 1 ] || continue
		run_compare summary "$tmp/s.json" "$d/truth.json" "$name"
	done
done
done_testing
