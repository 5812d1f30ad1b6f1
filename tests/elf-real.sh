#!/bin/sh
# The ELF reader on real QEMU dumps (scripts/capture): memwhere's ranges,
# totals, release and bytes against readelf, libkdumpfile, the guest's own
# /proc/iomem and uname, and the other ELF dump of the same stopped guest.
#
# Dumps come from $MW_CAPTURES (default: captures/ in the source tree),
# laid out as <release>/<scenario>/{vmcore.elf,vmcore-paging.elf,truth.json}.
# Without dumps every check is skipped. By default one scenario per release
# is checked (the smallest); MW_ELF_REAL_ALL=1 checks every one.
. "$MW_SRCDIR/tests/tap.sh"
caps=${MW_CAPTURES:-$MW_SRCDIR/captures}
readmem=$MW_BUILDDIR/tests/elf-readmem
py=/usr/bin/python3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

if ! ls "$caps"/*/*/vmcore.elf >/dev/null 2>&1; then
	skip "no real ELF dumps under $caps (run scripts/capture)"
	done_testing
	exit $?
fi
if ! $py -c 'import kdumpfile' 2>/dev/null || ! command -v readelf >/dev/null; then
	skip "needs python3-libkdumpfile and readelf"
	done_testing
	exit $?
fi

# the scenario directories to check
dirs=
for rel in "$caps"/*/; do
	[ -d "$rel" ] || continue
	if [ "${MW_ELF_REAL_ALL:-0}" = 1 ]; then
		for d in "$rel"*/; do
			[ -f "$d/vmcore.elf" ] && dirs="$dirs $d"
		done
	else
		d=$(ls -S -r "$rel"*/vmcore.elf 2>/dev/null | head -n 1)
		[ -n "$d" ] && dirs="$dirs $(dirname "$d")/"
	fi
done

for d in $dirs; do
	tag=$(basename "$(dirname "$d")")/$(basename "$d")
	# truth: the guest's release and /proc/iomem
	release=
	: >"$tmp/iomem"
	if [ -f "$d/truth.json" ]; then
		$py - "$d/truth.json" "$tmp/iomem" >"$tmp/release" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write(t.get("raw", {}).get("/proc/iomem", ""))
print(t.get("kernel", {}).get("release", ""))
EOF
		release=$(cat "$tmp/release")
	fi
	for f in vmcore.elf vmcore-paging.elf; do
		dump=$d$f
		[ -f "$dump" ] || continue
		"$MEMWHERE" --json info "$dump" >"$tmp/info.json" 2>"$tmp/err"
		rc=$?
		[ $rc -le 1 ]; ok $? "$tag/$f: memwhere info runs (exit $rc)"
		[ $rc -le 1 ] || diag "$(cat "$tmp/err")"
		$py - "$tmp/info.json" "$release" >"$tmp/check" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
rel = sys.argv[2]
bad = []
if j.get("format") != "elf":
    bad.append("format %r" % j.get("format"))
if j.get("compression") != ["none"]:
    bad.append("compression %r" % j.get("compression"))
m = j["memory"]
total = sum(int(r["end"], 16) - int(r["start"], 16) for r in m["ranges"])
if total != m["total_bytes"]:
    bad.append("total_bytes %d != sum of ranges %d" % (m["total_bytes"], total))
if m["excluded_pages"] != 0:
    bad.append("excluded_pages %d" % m["excluded_pages"])
if rel and j["kernel"]["release"] != rel:
    bad.append("release %r, the guest said %r" % (j["kernel"]["release"], rel))
if j["kernel"]["arch"] != "x86_64" or j["kernel"]["page_size"] != 4096:
    bad.append("arch/page size")
if bad:
    print("; ".join(bad))
EOF
		[ ! -s "$tmp/check" ]; ok $? "$tag/$f: info: format, totals, release ${release:-?} (VMCOREINFO OSRELEASE = guest uname -r)"
		[ -s "$tmp/check" ] && diag "$(cat "$tmp/check")"

		other=
		for o in vmcore.elf vmcore-paging.elf; do
			[ "$o" != "$f" ] && [ -f "$d$o" ] && other=$d$o
		done
		set --
		[ -s "$tmp/iomem" ] && set -- "$@" --iomem "$tmp/iomem"
		[ -n "$other" ] && set -- "$@" --same-as "$other"
		$py "$MW_SRCDIR/tests/elf-compare.py" "$readmem" "$dump" "$@" >"$tmp/cmp" 2>&1
		while IFS= read -r line; do
			case $line in
			PASS*) ok 0 "$tag/${line#PASS }" ;;
			SKIP*) skip "$tag/${line#SKIP }" ;;
			FAIL*) ok 1 "$tag/${line#FAIL }" ;;
			*) diag "$line" ;;
			esac
		done <"$tmp/cmp"
		grep -q '^PASS' "$tmp/cmp"; ok $? "$tag/$f: elf-compare.py ran"
	done
done
done_testing
