#!/bin/sh
# The ELF reader on real QEMU dumps (scripts/capture): memwhere's ranges,
# totals, release and bytes against readelf, libkdumpfile, the guest's own
# /proc/iomem and uname, and the other ELF dump of the same stopped guest.
#
# Dumps come from $MW_CAPTURES (default: captures/ in the source tree),
# laid out as <release>/<scenario>/{vmcore.elf,vmcore-paging.elf,truth.json}
# (scripts/capture) and kexec/<release>/{vmcore-kexec.elf,
# vmcore-kexec-filtered.elf,iomem.txt,release.txt} (scripts/capture-kexec).
# Without dumps every check is skipped. By default one scenario per release
# is checked (the smallest); MW_ELF_REAL_ALL=1 checks every one.
. "$MW_SRCDIR/tests/tap.sh"
readmem=$MW_BUILDDIR/tests/elf-readmem
tap_tmpdir elfreal

have=
for f in "$MW_SRCDIR"/testdata/*/vmcore.elf "$caps"/*/*/vmcore.elf \
	 "$caps"/kexec/*/vmcore-kexec.elf; do
	[ -f "$f" ] && have=1
done
if [ -z "$have" ]; then
	skip "no real ELF dumps under $caps (run scripts/capture)"
	done_testing
	exit $?
fi
if ! "$PY" -c 'import kdumpfile' 2>/dev/null || ! command -v readelf >/dev/null; then
	skip "needs python3-libkdumpfile and readelf"
	done_testing
	exit $?
fi

# the scenario directories to check: bundled testdata/ dumps, and captures
dirs=
for d in "$MW_SRCDIR"/testdata/*/; do
	[ -f "$d/vmcore.elf" ] && dirs="$dirs $d"
done
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

# check_dump TAG DUMP RELEASE IOMEM-FILE OTHER-DUMP EXCLUDED(0|some)
check_dump() {
	ctag=$1 dump=$2 release=$3 iomem=$4 other=$5 excl=$6
	"$MEMWHERE" --json info "$dump" >"$tmp/info.json" 2>"$tmp/err"
	rc=$?
	[ $rc -le 1 ]; ok $? "$ctag: memwhere info runs (exit $rc)"
	[ $rc -le 1 ] || diag "$(cat "$tmp/err")"
	"$PY" - "$tmp/info.json" "$release" "$excl" "${machine:-x86_64}" "${pagesize:-4096}" >"$tmp/check" 2>&1 <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
rel, excl, machine, pagesize = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
bad = []
if j.get("format") != "elf":
    bad.append("format %r" % j.get("format"))
if j.get("compression") != ["none"]:
    bad.append("compression %r" % j.get("compression"))
m = j["memory"]
total = sum(int(r["end"], 16) - int(r["start"], 16) for r in m["ranges"])
if total != m["total_bytes"]:
    bad.append("total_bytes %d != sum of ranges %d" % (m["total_bytes"], total))
if (m["excluded_pages"] == 0) != (excl == "0"):
    bad.append("excluded_pages %d, expected %s" % (m["excluded_pages"], excl))
if j.get("incomplete"):
    bad.append("incomplete")
if rel and j["kernel"]["release"] != rel:
    bad.append("release %r, the guest said %r" % (j["kernel"]["release"], rel))
if j["kernel"]["arch"] != machine or j["kernel"]["page_size"] != pagesize:
    bad.append("arch %r (the guest's uname -m: %r) / page size %r (the guest's: %d)"
               % (j["kernel"]["arch"], machine, j["kernel"]["page_size"], pagesize))
if bad:
    print("; ".join(bad))
EOF
	[ ! -s "$tmp/check" ]; ok $? "$ctag: info: format, totals, $excl excluded pages, release ${release:-?} (VMCOREINFO OSRELEASE = guest uname -r)"
	[ -s "$tmp/check" ] && diag "$(cat "$tmp/check")"
	set --
	[ -s "$iomem" ] && set -- "$@" --iomem "$iomem"
	# crash kernels loaded with kexec_file_load (scripts/capture-kexec):
	# the kernel's ELF headers leave the first MiB out
	[ -s "$iomem" ] && [ "$(cat "$(dirname "$dump")/loader.txt" 2>/dev/null)" = kexec_file_load ] &&
		set -- "$@" --low-1m-left-out
	[ -n "$other" ] && set -- "$@" --same-as "$other"
	"$PY" "$MW_SRCDIR/tests/elf-compare.py" "$readmem" "$dump" "$@" >"$tmp/cmp" 2>&1
	while IFS= read -r line; do
		case $line in
		PASS*) ok 0 "$ctag: ${line#PASS *: }" ;;
		SKIP*) skip "$ctag: ${line#SKIP *: }" ;;
		FAIL*) ok 1 "$ctag: ${line#FAIL *: }" ;;
		*) diag "$line" ;;
		esac
	done <"$tmp/cmp"
	grep -q '^PASS' "$tmp/cmp"; ok $? "$ctag: elf-compare.py ran"
}

# QEMU dumps (scripts/capture)
for d in $dirs; do
	tag=$(basename "$(dirname "$d")")/$(basename "$d")
	# truth: the guest's release and /proc/iomem
	release= machine= pagesize=
	: >"$tmp/iomem"
	if [ -f "$d/truth.json" ]; then
		"$PY" - "$d/truth.json" "$tmp/iomem" >"$tmp/release" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write(t.get("raw", {}).get("/proc/iomem", ""))
print(t.get("kernel", {}).get("release", ""))
u = t.get("kernel", {}).get("uname", "").split()
open(sys.argv[2] + ".machine", "w").write(u[-2] if len(u) >= 2 else "")
open(sys.argv[2] + ".pagesize", "w").write(str(t.get("page_size", 4096)))
EOF
		release=$(cat "$tmp/release")
		machine=$(cat "$tmp/iomem.machine")
		pagesize=$(cat "$tmp/iomem.pagesize")
	fi
	for f in vmcore.elf vmcore-paging.elf; do
		[ -f "$d$f" ] || continue
		other=
		for o in vmcore.elf vmcore-paging.elf; do
			[ "$o" != "$f" ] && [ -f "$d$o" ] && other=$d$o
		done
		check_dump "$tag/$f" "$d$f" "$release" "$tmp/iomem" "$other" 0
	done
done

# kexec /proc/vmcore copies and their makedumpfile -E -d 31 filtering
# (scripts/capture-kexec)
for d in "$caps"/kexec/*/; do
	[ -f "$d/vmcore-kexec.elf" ] || continue
	tag=kexec/$(basename "$d")
	release=$(cat "$d/release.txt" 2>/dev/null || true)
	machine=	# capture-kexec boots x86-64 guests only (not the last QEMU dump's)
	if [ -s "$d/memwhere-in-guest.txt" ]; then
		grep -q '^exit 0$' "$d/memwhere-in-guest.txt" &&
			grep -q '^Format: *elf$' "$d/memwhere-in-guest.txt"
		ok $? "$tag: memwhere info on /proc/vmcore inside the capture kernel: format elf, exit 0"
	fi
	check_dump "$tag/vmcore-kexec.elf" "$d/vmcore-kexec.elf" "$release" "$d/iomem.txt" "" 0
	[ -f "$d/vmcore-kexec-filtered.elf" ] || continue
	check_dump "$tag/vmcore-kexec-filtered.elf" "$d/vmcore-kexec-filtered.elf" \
		"$release" "$d/iomem.txt" "$d/vmcore-kexec.elf" some
	# the same filtering as makedumpfile's flattened stream of an ELF
	# (makedumpfile -E -F): read through the flattened source, the same
	# page states and bytes as the ELF file checked above
	command -v makedumpfile >/dev/null || continue
	makedumpfile -E -F -d 31 "$d/vmcore-kexec.elf" >"$tmp/flat" 2>/dev/null
	for what in pagemap present; do
		a=$("$readmem" "$tmp/flat" $what | md5sum)
		b=$("$readmem" "$d/vmcore-kexec-filtered.elf" $what | md5sum)
		[ "$a" = "$b" ]
		ok $? "$tag: makedumpfile -E -F stream: $what equals the ELF file's"
	done
	rm -f "$tmp/flat"
done
done_testing
