#!/bin/sh
# --threads N gives the same answer whatever N: every command that runs the
# page scan (or rides on it) on every bundled dump (testdata/), report and
# pages on one file of each capture in $MW_CAPTURES when given, and every
# command on a copy of one dump with broken page descriptors (reads of
# struct pages fail), each run with --threads 1 (the single-thread path), 2
# and 4: the JSON (--no-timing), the warnings on stderr and the exit status
# must be byte-identical. The sections are handed out to threads as they
# ask, so which thread scans what differs from run to run; the merge must
# not show it.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
tap_tmpdir threads

cmds="report summary pages files memcg sockets tasks"

# run_all NAME FILE: each command with 1, 2 and 4 threads, compared with 1
run_all() {
	for c in $cmds; do
		"$MEMWHERE" --json --no-timing --no-progress --threads 1 $c "$2" \
			>"$tmp/1.json" 2>"$tmp/1.err"
		rc1=$?
		if [ $rc1 -gt 1 ] && [ "$3" != damaged ]; then
			ok_exit 0 $rc1 "$1: $c --threads 1 runs" "$tmp/1.err"
			continue
		fi
		for n in 2 4; do
			"$MEMWHERE" --json --no-timing --no-progress --threads $n $c "$2" \
				>"$tmp/n.json" 2>"$tmp/n.err"
			rcn=$?
			same=0
			[ $rcn -eq $rc1 ] && cmp -s "$tmp/1.json" "$tmp/n.json" &&
				cmp -s "$tmp/1.err" "$tmp/n.err" || same=1
			ok $same "$1: $c --json with --threads $n is byte-identical to --threads 1 (exit $rcn, $rc1)"
			if [ $same -ne 0 ]; then
				diff "$tmp/1.json" "$tmp/n.json" | tail -n 10 | diag_file /dev/stdin 10
				diff "$tmp/1.err" "$tmp/n.err" | diag_file /dev/stdin 10
			fi
		done
	done
}

# every command on every bundled dump; on a capture (many, larger: the
# pass runs over more sections than threads there), report (which rides
# every observer: memcg, files, sockets, tasks) and pages on one file per
# capture, a kdump-compressed one where there is one (decompression in the
# threads)
all_cmds=$cmds
first=
for d in $dirs; do
	label=$(dump_label "$d")
	case "$d" in
	"$MW_SRCDIR"/testdata/*) files=$(dump_files "$d") cmds=$all_cmds ;;
	*) files=$(dump_files "$d" | grep kdump | head -n 1)
	   [ -n "$files" ] || files=$(dump_files "$d" | head -n 1)
	   cmds="report pages" ;;
	esac
	for f in $files; do
		[ -n "$first" ] || first=$f
		run_all "$label/$(basename "$f")" "$f"
	done
done
cmds=$all_cmds

# The text summary names the thread count unless --no-timing: it says what ran.
"$MEMWHERE" --no-progress --threads 2 summary "$first" >"$tmp/s.txt" 2>/dev/null
grep -q "by 2 threads" "$tmp/s.txt"
ok $? "summary --threads 2 says it scanned with 2 threads"
"$MEMWHERE" --no-progress --threads 1 summary "$first" >"$tmp/s.txt" 2>/dev/null
grep -q "by 1 thread\b" "$tmp/s.txt"
ok $? "summary --threads 1 says it scanned with 1 thread"

for bad in 0 65 x -1 ""; do
	"$MEMWHERE" --threads "$bad" summary "$first" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q -- "--threads" "$tmp/err"
	ok $? "--threads '$bad' is bad usage naming the option (exit $rc)"
done

# Hostile: a copy of one kdump file whose page descriptors around the
# struct pages (every 13th pfn near the vmemmap page of an anon page, found
# by tests/pagescan-tool) are broken, so that reads of struct pages fail in
# several memory sections, scanned by different threads. (The bundled dumps
# have 2 sections, so 4 threads run as 2 there; the captures have more.)
kd=
for d in $dirs; do
	for f in $(dump_files "$d"); do
		case "$f" in *.kdump) kd=$f; break 2 ;; esac
	done
done
found=
[ -z "$kd" ] || found=$("$MW_BUILDDIR/tests/pagescan-tool" "$kd" anon)
if [ -n "$found" ]; then
	set -- $found
	"$PY" - "$kd" "$tmp/damaged" "$2" "$MW_SRCDIR/tests" <<'EOF'
import struct, sys
sys.path.insert(0, sys.argv[4])
from convlib import Kdump
kd = Kdump(sys.argv[1])
centre = int(sys.argv[3], 16) >> 12
data = bytearray(open(sys.argv[1], "rb").read())
for i, (pfn, off, size, flags, pf) in enumerate(kd.descriptors()):
    if abs(pfn - centre) <= 4096 and pfn % 13 == 0:
        struct.pack_into("<I", data, kd.desc_off + 24 * i + 8, 0xfffffff0)
open(sys.argv[2], "wb").write(data)
EOF
	"$MEMWHERE" --json --no-timing --no-progress --threads 4 summary "$tmp/damaged" \
		>"$tmp/d.json" 2>&1
	grep -q "struct pages of PFNs .* unreadable" "$tmp/d.json"
	ok $? "the damaged copy makes the scan warn of unreadable struct pages"
	run_all "damaged copy of $(dump_label "$(dirname "$kd")")" "$tmp/damaged" damaged
else
	skip "no kdump-compressed dump with an anon page to damage"
fi
done_testing
