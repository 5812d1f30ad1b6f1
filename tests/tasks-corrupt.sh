#!/bin/sh
# memwhere tasks on copies of real ELF dumps with a corrupted task list
# (tests/corrupt_tasks.py): the list entry of one process points back at
# init's, so the list loops without returning to its head; another
# process's mm is a user-space address; a third's mm is a kernel address
# nothing maps. Each is a warning naming the task (pid, comm, address),
# exit 1, no hang; no task is listed twice; every other process listed is
# measured as in the intact dump.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
PY=/usr/bin/python3
probe=$MW_BUILDDIR/tests/types-probe
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-taskcorrupt.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for d in $(real_dump_dirs); do
	[ -f "$d/vmcore.elf" ] || continue
	label=$(basename "$(dirname "$d")")/$(basename "$d")
	map_beside "$d/vmcore.elf" "$tmp"
	"$MEMWHERE" --json --top 0 tasks "$d/vmcore.elf" >"$tmp/good.json" 2>/dev/null
	if ! "$PY" "$MW_SRCDIR/tests/corrupt_tasks.py" btf "$d/vmcore.elf" "$d/truth.json" \
		"$tmp/btf" 2>"$tmp/err"; then
		skip "$label: kernel BTF not found in the dump ($(tail -n 1 "$tmp/err"))"
		continue
	fi
	off=$("$probe" --btf-buf "$tmp/btf" task_struct.tasks task_struct.mm | awk '{ printf "%s ", $2 }')
	set -- $off
	if [ $# -ne 2 ] || ! "$PY" "$MW_SRCDIR/tests/corrupt_tasks.py" corrupt "$d/vmcore.elf" \
		"$d/truth.json" "$tmp/good.json" "$1" "$2" "$tmp/bad.elf" >"$tmp/what.json" 2>"$tmp/err"; then
		skip "$label: cannot corrupt it ($(tail -n 1 "$tmp/err"))"
		continue
	fi
	timeout 60 "$MEMWHERE" --json --top 0 tasks "$tmp/bad.elf" >"$tmp/bad.json" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ]
	ok $? "$label corrupted: exit 1, no hang (got $rc)"
	[ $rc -le 1 ] || { sed 's/^/# /' "$tmp/err" | head -n 10; rm -f "$tmp/bad.elf"; continue; }
	"$PY" - "$tmp/what.json" "$tmp/good.json" "$tmp/bad.json" "$label" >"$tmp/out" <<'PYEOF'
import json, sys
what = json.load(open(sys.argv[1]))
good = {t["pid"]: t for t in json.load(open(sys.argv[2]))["tasks"]}
badj = json.load(open(sys.argv[3]))
label = sys.argv[4]
warn = badj["warnings"]
bad = {}
dups = []
for t in badj["tasks"]:
    if t["pid"] in bad:
        dups.append(t["pid"])
    bad[t["pid"]] = t
def ok(c, d):
    print(("ok - " if c else "not ok - ") + label + ": " + d)
ok(any("loops" in w for w in warn) and badj["walk_complete"] is False,
   "the looping task list is a warning, the walk marked incomplete")
ok(not dups, "no task listed twice (got %s)" % dups)
ok(what["loop"] in bad and 1 in bad, "the tasks up to the loop are listed")
a, p, c = what["addrs"]["wild"], what["wild"], what["comms"]["wild"]
ok(any(("pid %d (%s)" % (p, c)) in w and a in w and "not a kernel pointer" in w for w in warn),
   "the user-space mm is a warning naming pid %d (%s) at %s" % (p, c, a))
a, p, c = what["addrs"]["unread"], what["unread"], what["comms"]["unread"]
ok(any(("pid %d (%s)" % (p, c)) in w and a in w and "mm_struct unreadable" in w for w in warn),
   "the unmapped mm is a warning naming pid %d (%s) at %s" % (p, c, a))
ok(bad[what["wild"]]["rss"] is None and bad[what["unread"]]["rss"] is None,
   "those two are listed without memory")
keys = ("comm", "ppid", "rss", "swap_bytes", "pagetables_bytes", "vm_bytes", "memcg", "threads")
hit = {what["wild"], what["unread"]}
diff = [pid for pid, t in bad.items() if pid not in hit and
        any(t[k] != good[pid][k] for k in keys)]
ok(not diff and len(bad) > 3, "every other task listed is as in the intact dump (differ: %s)" % diff)
PYEOF
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*) ok 1 "${line#not ok - }" ;;
		esac
	done <"$tmp/out"
	rm -f "$tmp/bad.elf"
done
if [ "$tap_n" -eq 0 ]; then
	echo "1..0 # SKIP no ELF capture at hand (scripts/capture; MW_CAPTURES)"
	exit 0
fi
done_testing
