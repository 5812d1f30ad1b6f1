#!/bin/sh
# memwhere files on every real dump at hand, against the guest's own numbers
# (truth.json): every file of the scenario's trees has cached_bytes equal to
# its mincore residency (one page of slack only for a file a running process
# has open), the unlinked /dev/shm file and the removed SysV segment still
# mapped are found with their residency, and the total is /proc/meminfo's
# Cached + Buffers within 1% (tests/compare.py compare_files says why).
# Then --memcg: the app container's list starts with its log files.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
tap_tmpdir files

for d in $dirs; do
	label=$(dump_label "$d")
	for f in $(dump_files "$d"); do
		name="$label/$(basename "$f")"
		"$MEMWHERE" --json --top 0 files "$f" >"$tmp/f.json" 2>"$tmp/err"
		rc=$?
		ok_exit 0 $rc "$name: memwhere --json --top 0 files exits 0" "$tmp/err"
		[ $rc -le 1 ] || continue
		run_compare files "$tmp/f.json" "$d/truth.json" "$name"
	done
	# the seeds' case 1: the app container's own list starts with its logs
	cg=$("$PY" -c 'import json,sys; t=json.load(open(sys.argv[1])); print((t.get("notes") or {}).get("cg_app") or "")' "$d/truth.json")
	logdir=$("$PY" -c 'import json,sys; t=json.load(open(sys.argv[1])); print((t.get("notes") or {}).get("logdir") or "")' "$d/truth.json")
	phase=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("phase"))' "$d/truth.json")
	f=$(dump_files "$d" | head -n 1)
	if [ -n "$cg" ] && [ -n "$logdir" ] && [ "$phase" = final ] && [ -n "$f" ]; then
		# the container, then its pod (the container's parent cgroup)
		for which in container pod; do
			sel=$cg
			[ $which = pod ] && sel=${cg%/*}
			"$MEMWHERE" --json --top 3 --memcg "$sel" files "$f" >"$tmp/m.json" 2>"$tmp/err"
			rc=$?
			"$PY" - "$tmp/m.json" "$logdir" "$cg" >"$tmp/m.out" 2>&1 <<'PYEOF'
import json, sys
mw = json.load(open(sys.argv[1]))
logdir, cg = sys.argv[2], sys.argv[3]
top = mw.get("files", [])[:3]
bad = [f for f in top if not f["path"].startswith(logdir + "/") or f.get("memcg") != cg]
for f in top:
    print("# %10d B  %s  %s" % (f["cached_bytes"], f.get("memcg"), f["path"]))
sys.exit(1 if bad or len(top) < 3 else 0)
PYEOF
			r=$?
			[ $rc -le 1 ] && [ $r -eq 0 ]
			ok $? "$label: --memcg <app $which>: the 3 log files under $logdir lead the list, charged to the container"
			[ $r -eq 0 ] || cat "$tmp/m.out"
		done
	fi
done
done_testing
