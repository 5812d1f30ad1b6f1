#!/bin/sh
# memwhere memcg on every real dump at hand, against the guest's own cgroup
# files (truth.json): per cgroup of the hierarchy the memory controller is
# on, usage_bytes against memory.current (v2) or memory.usage_in_bytes (v1)
# within 1% or 64 KiB, the stat fields against memory.stat within 1%
# (v2: anon file shmem kernel sock slab; v1: total_rss total_cache
# total_shmem), the number of memcgs against /proc/cgroups, and the dying
# count against the root's cgroup.stat nr_dying_descendants (v1: num_cgroups
# minus the live groups). The comparison is tests/compare.py's compare_memcg.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
tap_tmpdir memcg

for d in $dirs; do
	label=$(dump_label "$d")
	for f in $(dump_files "$d"); do
		name="$label/$(basename "$f")"
		"$MEMWHERE" --json --top 0 memcg "$f" >"$tmp/m.json" 2>"$tmp/err"
		rc=$?
		ok_exit 0 $rc "$name: memwhere --json memcg exits 0, no warnings" "$tmp/err"
		[ $rc -eq 0 ] || { "$PY" -c 'import json,sys; [print("# warning:", w) for w in json.load(open(sys.argv[1]))["warnings"][:10]]' "$tmp/m.json" 2>/dev/null; }
		[ $rc -le 1 ] || continue
		run_compare --strict memcg "$tmp/m.json" "$d/truth.json" "$name"
	done
done
done_testing
