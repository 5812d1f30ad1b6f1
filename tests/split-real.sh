#!/bin/sh
# makedumpfile --split sets, as the real makedumpfile writes them. Each
# bundled dump is written as the ELF a capture kernel's /proc/vmcore is
# (PT_LOADs at direct-map addresses; pages the bundled dump left out as
# zeros), then makedumpfile -c -d 31 makes one dump of it and --split three
# parts. memwhere given every part (in any order) must answer every command
# exactly as on the one dump, bar the dump's own metadata; one part alone
# must say, with the pfns, that the rest is in other parts (exit 1, or 2
# when the kernel itself lies in another part); parts that do not belong
# together are refused (exit 2).
. "$MW_SRCDIR/tests/tap.sh"
if ! command -v makedumpfile >/dev/null; then
	skip "no makedumpfile"
	done_testing
	exit
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-split.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
conv="$MW_BUILDDIR/tests/tools/mw-convert"

# JSON equal but for the dump's metadata and timings
same_json() {
	/usr/bin/python3 - "$1" "$2" "$tmp" <<'PYEOF'
import json, re, sys
META = {"dump", "format", "inner_format", "compression", "file_size",
        "header_version", "split", "dump_level"}
def strip(d):
    if isinstance(d, dict):
        return {k: strip(v) for k, v in d.items()
                if k not in META and not re.search(r"(seconds|per_second|threads)$", k)}
    if isinstance(d, list):
        return [strip(x) for x in d]
    return d
# a warning names the file read: a part of the set, or the one dump
tmp = sys.argv[3]
a, b = (strip(json.loads(re.sub(re.escape(tmp) + r"/(p[0-9]|whole)", "DUMP", open(p).read())))
        for p in sys.argv[1:3])
if a != b:
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            print("differs:", k, str(a.get(k))[:300], "|", str(b.get(k))[:300], file=sys.stderr)
    sys.exit(1)
PYEOF
}

n=0
for d in "$MW_SRCDIR"/testdata/*/; do
	src="$d/vmcore.kdump"
	[ -f "$src" ] || continue
	n=$((n + 1))
	name=$(basename "$d")
	# the architecture and the direct map, from one info
	"$MEMWHERE" info --json "$src" >"$tmp/info.json" 2>/dev/null
	arch=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"].get("arch") or "")' "$tmp/info.json")
	# Debian's makedumpfile reads the dumps of its own architecture only
	if [ -n "$arch" ] && [ "$arch" != "$(uname -m)" ]; then
		skip "$name: an $arch dump; makedumpfile here is built for $(uname -m) only"
		continue
	fi
	pob=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel"]["page_offset_base"] or "")' "$tmp/info.json")
	[ -n "$pob" ] && "$conv" --format elf --fill-excluded --direct-map "$pob" "$src" "$tmp/vmcore.elf" 2>/dev/null
	ok $? "$name: a kexec-style ELF vmcore (direct map at $pob)"
	makedumpfile -c -d 31 "$tmp/vmcore.elf" "$tmp/whole" >/dev/null 2>&1 &&
		makedumpfile -c -d 31 --splitblock-size 4096 --split "$tmp/vmcore.elf" \
			"$tmp/p1" "$tmp/p2" "$tmp/p3" >/dev/null 2>&1
	ok $? "$name: makedumpfile -c -d 31, and --split into 3 parts"
	rm -f "$tmp/vmcore.elf"
	[ -s "$tmp/p3" ] || continue

	for cmd in info summary pages files memcg sockets report; do
		"$MEMWHERE" --json "$cmd" "$tmp/whole" >"$tmp/whole.json" 2>/dev/null
		rc1=$?
		"$MEMWHERE" --json "$cmd" "$tmp/p3" "$tmp/p1" "$tmp/p2" >"$tmp/set.json" 2>"$tmp/err"
		rc2=$?
		[ $rc1 -eq $rc2 ] && [ $rc2 -ne 2 ]
		ok $? "$name $cmd: the set exits as the one dump does ($rc2, $rc1)"
		same_json "$tmp/set.json" "$tmp/whole.json"
		ok $? "$name $cmd: the set's JSON equals the one dump's"
	done
	"$MEMWHERE" --json info "$tmp/p2" "$tmp/p3" "$tmp/p1" >"$tmp/set.json" 2>/dev/null
	/usr/bin/python3 - "$tmp" "$tmp/set.json" <<'PYEOF'
import json, struct, sys
tmp, out = sys.argv[1], json.load(open(sys.argv[2]))
def span(p):
    with open(p, "rb") as f:
        h = f.read(8192)
    bs = struct.unpack_from("<i", h, 428)[0]
    return list(struct.unpack_from("<QQ", h, bs + 80))
want = [[f"{tmp}/p{i}", *span(f"{tmp}/p{i}")] for i in (1, 2, 3)]
got = [[p["path"], p["start_pfn"], p["end_pfn"]] for p in out["split"]["parts"]]
assert got == want, (got, want)
assert want[0][1] == 0 and want[0][2] == want[1][1] and want[1][2] == want[2][1]
assert out["split"]["missing"] == [] and out["split"]["missing_pages"] == 0
PYEOF
	ok $? "$name: info lists the 3 parts with the pfn spans their sub-headers give"

	for p in p1 p2 p3; do
		"$MEMWHERE" --json summary "$tmp/$p" >"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -eq 1 ]; then
			grep -q "$tmp/$p is one part of a split dump (makedumpfile --split) holding pfns" "$tmp/out"
		else
			[ $rc -eq 2 ] && grep -q "^memwhere: $tmp/$p is one part of a split dump (makedumpfile --split) holding pfns .*, and what is left cannot be analysed" "$tmp/err"
		fi
		ok $? "$name $p alone: exit 1 or 2 ($rc), saying the rest is in another part"
	done
	"$MEMWHERE" info "$tmp/p3" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -q "missing: in a part not given" "$tmp/out" &&
		grep -q "give every part" "$tmp/out"
	ok $? "$name p3 alone, info: exit 1 ($rc), the missing pfns listed"
	"$MEMWHERE" --json info "$tmp/p1" "$tmp/p3" >"$tmp/out" 2>/dev/null
	rc=$?
	/usr/bin/python3 - "$tmp" "$tmp/out" <<'PYEOF'
import json, struct, sys
tmp, out = sys.argv[1], json.load(open(sys.argv[2]))
def span(p):
    with open(p, "rb") as f:
        h = f.read(8192)
    bs = struct.unpack_from("<i", h, 428)[0]
    return list(struct.unpack_from("<QQ", h, bs + 80))
s2 = span(f"{tmp}/p2")
assert [[m["start_pfn"], m["end_pfn"]] for m in out["split"]["missing"]] == [s2], out["split"]
assert any("do not hold pfns %#x-%#x" % (s2[0], s2[1] - 1) in w for w in out["warnings"]), out["warnings"]
PYEOF
	ok $? "$name p1 and p3 without p2: p2's pfns named missing (exit $rc)"
	[ $rc -eq 1 ]; ok $? "$name p1 and p3 without p2: exit 1"

	"$MEMWHERE" info "$tmp/p1" "$tmp/p1" >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q "both hold pfns" "$tmp/err"
	ok $? "$name: the same part twice is refused"
	"$MEMWHERE" info "$tmp/p1" "$tmp/whole" >/dev/null 2>"$tmp/err"
	[ $? -eq 2 ] && grep -q "$tmp/whole is not a part of a split dump" "$tmp/err"
	ok $? "$name: a whole dump among parts is refused"
	if [ -n "$other" ]; then
		"$MEMWHERE" info "$tmp/p1" "$other" >/dev/null 2>"$tmp/err"
		[ $? -eq 2 ] && grep -q "are not parts of one dump" "$tmp/err"
		ok $? "$name: a part of another dump's split is refused"
	fi
	mkdir -p "$tmp/prev" && mv "$tmp/p2" "$tmp/prev/p2" && other="$tmp/prev/p2"
	rm -f "$tmp/p1" "$tmp/p3" "$tmp/whole"
done
[ "$n" -gt 0 ] || skip "no bundled dumps"
done_testing
