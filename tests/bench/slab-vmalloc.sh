#!/bin/sh
# A benchmark, not a test: `memwhere slab` and `memwhere vmalloc` side by
# side with crash's `kmem -s` / `kmem -v` and a drgn script counting the
# same (tests/bench/slab_drgn.py), on one dump, with wall time, CPU time
# and peak RSS from /usr/bin/time -v. Prints a markdown table.
#
#   sh tests/bench/slab-vmalloc.sh [-n RUNS] [-m MEMWHERE] DUMP VMLINUX
#
# crash and drgn need the vmlinux with DWARF; memwhere uses the BTF in the
# dump. crash and drgn are run once with no command too ("startup") so the
# command's own share can be told apart from loading the vmlinux. A tool
# that cannot open the dump shows its error in place of the numbers.
# memwhere gets RUNS runs (default 5) and the fastest wall time is shown
# with its CPU time; crash and drgn one run each (they take seconds to
# minutes). Temporary files go to $TMPDIR.
set -u
runs=5
mw=${MEMWHERE:-./build/memwhere}
while getopts n:m: o; do
	case $o in
	n) runs=$OPTARG ;;
	m) mw=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS] [-m MEMWHERE] DUMP VMLINUX" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || { echo "usage: $0 [-n RUNS] [-m MEMWHERE] DUMP VMLINUX" >&2; exit 2; }
dump=$1 vmlinux=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-slabbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# one run: "WALL USER SYS MAXRSS_KB RC"
timed() {
	/usr/bin/time -v -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	awk -v rc=$rc '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); w = 0
			for (i = 1; i <= n; i++) w = w * 60 + t[i] }
		/User time/ { u = $NF } /System time/ { s = $NF }
		/Maximum resident/ { m = $NF }
		END { printf "%.2f %.2f %.2f %d %d\n", w, u, s, m, rc }' "$tmp/time"
}

row() {	# TOOL WHAT "WALL USER SYS RSS RC" NOTE
	set -- "$1" "$2" $3 "$4"
	if [ "$7" != 0 ]; then
		printf '| %s | %s | failed (exit %s) | | | %s |\n' "$1" "$2" "$7" "$8"
	else
		printf '| %s | %s | %s | %.2f | %.0f | %s |\n' "$1" "$2" "$3" \
			"$(echo "$4 $5" | awk '{ print $1 + $2 }')" "$(($6 / 1024))" "$8"
	fi
}

echo "Dump: $dump ($(du -h "$dump" | cut -f1)), vmlinux: $vmlinux"
echo "Machine: $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo);" \
	"load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool | command | wall s | CPU s (user+sys) | peak RSS MiB | result |"
echo "|---|---|---|---|---|---|"

for cmd in slab vmalloc; do
	best=
	for i in $(seq "$runs"); do
		r=$(timed "$mw" --json --no-progress "$cmd" "$dump")
		set -- $r
		if [ -z "$best" ] || [ "$5" != 0 ] ||
		   awk -v a="$1" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
			best=$r
		fi
		[ "$5" != 0 ] && break
	done
	note=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[2] == "slab":
    print("%d caches, %d bytes" % (d["nr_caches"], d["total_bytes"]))
else:
    print("%d areas, %d bytes" % (d["nr_areas"], d["total_bytes"]))' "$tmp/out" "$cmd" 2>/dev/null)
	row memwhere "$cmd (best of $runs)" "$best" "$note"
done

# crash: startup alone, then each command (kmem -s, kmem -v). A 6.4+
# kernel needs --no_modules with crash 8.0.2 (it does not know
# module_memory), and it needs the KASLR offset from the dump's VMCOREINFO.
kaslr=$("$mw" --json info "$dump" 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin).get("kernel", {}).get("kaslr_offset") or "")' 2>/dev/null)
copt="-s --no_modules --no_scroll"
[ -n "$kaslr" ] && copt="$copt --kaslr=$kaslr"
if command -v crash >/dev/null; then
	for c in "" "kmem -s" "kmem -v"; do
		printf '%s\nq\n' "$c" >"$tmp/cin"
		# shellcheck disable=SC2086
		r=$(timed crash $copt -i "$tmp/cin" "$vmlinux" "$dump")
		case $c in
		"") note="startup and exit"; what=startup ;;
		"kmem -s") note="$(grep -cE '^[0-9a-f]{16} ' "$tmp/out") caches"; what=$c ;;
		*) note="$(grep -cE '^[0-9a-f]{16} ' "$tmp/out") areas"; what=$c ;;
		esac
		set -- $r
		[ "$5" != 0 ] && note=$(tail -n 3 "$tmp/err" | tr '\n' ' ' | cut -c1-100)
		row crash "$what" "$r" "$note"
	done
else
	echo "| crash | | not installed | | | |"
fi

if command -v drgn >/dev/null; then
	printf 'pass\n' >"$tmp/empty.py"
	r=$(timed drgn -q -c "$dump" -s "$vmlinux" "$tmp/empty.py")
	set -- $r
	note="startup and exit"
	[ "$5" != 0 ] && note=$(tail -n 1 "$tmp/err" | cut -c1-100)
	row drgn startup "$r" "$note"
	if [ "$5" = 0 ]; then
		for what in slab vmalloc; do
			r=$(timed drgn -q -c "$dump" -s "$vmlinux" "$here/slab_drgn.py" "$what")
			set -- $r
			note=$(tail -n 1 "$tmp/out")
			[ "$5" != 0 ] && note=$(tail -n 1 "$tmp/err" | cut -c1-100)
			row drgn "$what (slab_drgn.py)" "$r" "$note"
		done
	fi
else
	echo "| drgn | | not installed | | | |"
fi
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
