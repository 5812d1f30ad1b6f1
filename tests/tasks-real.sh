#!/bin/sh
# memwhere tasks on every real dump at hand (testdata/, $MW_CAPTURES),
# against the guest's own view of its processes (tests/tasks_compare.py):
# per process RssAnon, RssFile, RssShmem, VmSwap, VmPTE, VmSize, threads,
# ppid and memory cgroup as /proc/PID/status and /proc/PID/cgroup said right
# before the dump; on the OOM dump the kernel's own OOM task table. Also
# `--memcg` keeps exactly the processes of that subtree, the text table
# fits 100 columns, and the command takes well under 0.2 s on a small dump.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
PY=/usr/bin/python3
dirs=$(real_dump_dirs)
if [ -z "$dirs" ]; then
	echo "1..0 # SKIP no real dumps (testdata/ empty and MW_CAPTURES unset)"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-tasks.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for d in $dirs; do
	label=$(basename "$(dirname "$d")")/$(basename "$d")
	for f in $(dump_files "$d"); do
		name="$label/$(basename "$f")"
		"$MEMWHERE" --json --top 0 tasks "$f" >"$tmp/t.json" 2>"$tmp/err"
		rc=$?
		[ $rc -eq 0 ]
		ok $? "$name: memwhere --json tasks exits 0, no warnings (got $rc)"
		[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err" | head -n 20
		[ $rc -le 1 ] || continue
		"$PY" "$MW_SRCDIR/tests/tasks_compare.py" "$tmp/t.json" "$d/truth.json" "$name" >"$tmp/out" 2>&1
		[ $? -le 1 ] || { ok 1 "$name: tasks_compare.py ran"; sed 's/^/# /' "$tmp/out"; continue; }
		while IFS= read -r line; do
			case "$line" in
			"ok - "*) ok 0 "${line#ok - }" ;;
			"not ok - "*) ok 1 "${line#not ok - }" ;;
			*) echo "$line" ;;
			esac
		done <"$tmp/out"
	done
	f=$(dump_files "$d" | head -n 1)
	# --memcg: the processes of one cgroup (the largest process's), no others
	"$MEMWHERE" --json --top 0 tasks "$f" >"$tmp/all.json" 2>/dev/null
	cg=$("$PY" -c 'import json,sys
t=[x for x in json.load(open(sys.argv[1]))["tasks"] if x["memcg"] not in (None, "/")]
print(t[0]["memcg"] if t else "")' "$tmp/all.json")
	if [ -n "$cg" ]; then
		"$MEMWHERE" --json --top 0 --memcg "$cg" tasks "$f" >"$tmp/cg.json" 2>/dev/null
		"$PY" -c 'import json,sys
a=json.load(open(sys.argv[1]))["tasks"]; c=json.load(open(sys.argv[2]))["tasks"]; cg=sys.argv[3]
want=sorted(x["pid"] for x in a if x["memcg"]==cg or (x["memcg"] or "").startswith(cg+"/"))
got=sorted(x["pid"] for x in c)
sys.exit(0 if want==got and got else 1)' "$tmp/all.json" "$tmp/cg.json" "$cg"
		ok $? "$label: --memcg $cg lists exactly the processes of that subtree"
	fi
	# the text table fits 100 columns
	LC_ALL=C "$MEMWHERE" tasks "$f" >"$tmp/text" 2>/dev/null
	w=$(awk 'NR > 3 { if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/text")
	[ "$w" -le 100 ] && grep -q 'PID' "$tmp/text"
	ok $? "$label: text table at most 100 columns wide (widest line $w)"
done
done_testing
