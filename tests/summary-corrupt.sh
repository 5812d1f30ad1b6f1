#!/bin/sh
# A corrupted struct page counts as unknown, with a warning naming its PFN
# and exit status 1; the scan goes on. A copy of a real physical ELF dump
# gets one struct page's compound_head (then its page_type) overwritten.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
tool="$MW_BUILDDIR/tests/pagescan-tool"
# the smallest physical ELF dump of each kernel release at hand
srcs=$(for d in $(real_dump_dirs); do
	f="$d/vmcore.elf"
	[ -f "$f" ] && echo "$(basename "$(dirname "$d")") $(wc -c <"$f") $f"
done | sort -k1,1 -k2,2n | awk '$1 != last { print $3; last = $1 }')
[ -n "$srcs" ] || skip_all "no real physical ELF dump (testdata/ empty and no captures in $caps)"
tap_tmpdir corrupt
# patch FILE PADDR BYTES-HEX: overwrite physical memory in an ELF core copy
patch() { "$PY" "$MW_SRCDIR/tests/elfpatch.py" "$@"; }

check_corrupt() { # WHAT OFFSET BYTES-HEX
	cp "$src" "$tmp/bad.elf" && chmod u+w "$tmp/bad.elf" || { ok 1 "copy the dump"; return; }
	patch "$tmp/bad.elf" $(printf '0x%x' $((paddr + $2))) "$3"
	ok $? "$1: struct page of pfn $hexpfn patched"
	hostile_case "$1" "exit1:PFN $hexpfn " "$src" "$tmp/bad.elf" "$tmp/clean.json" "$tmp/bad.json" \
		--json summary
	"$PY" - "$tmp/clean.json" "$tmp/bad.json" "$hexpfn" <<'PYEOF'
import json, sys
clean, bad, pfn = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
c, b = clean["categories"], bad["categories"]
ps = clean.get("page_size") or 4096    # one page of the kernel's size
fails = []
if not any(("PFN %s " % pfn) in w for w in bad["warnings"]):
    fails.append("no warning names PFN %s: %r" % (pfn, bad["warnings"][:3]))
if b["unknown"] != c["unknown"] + ps:
    fails.append("unknown %d, expected %d" % (b["unknown"], c["unknown"] + ps))
if b["anon"] != c["anon"] - ps:
    fails.append("anon %d, expected %d" % (b["anon"], c["anon"] - ps))
if bad["total_bytes"] != clean["total_bytes"] or sum(b.values()) != bad["total_bytes"]:
    fails.append("total changed or categories do not add up")
for f in fails:
    print("# " + f)
sys.exit(1 if fails else 0)
PYEOF
	ok $? "$1: one page moved from anon to unknown, warning names PFN $hexpfn, the rest unchanged"
}

# one_dump DUMP: corrupt two struct pages of a copy of DUMP
one_dump() {
	src=$1
	diag "dump: $src"
	map_beside "$src" "$tmp"

	"$MEMWHERE" --json summary "$src" >"$tmp/clean.json" 2>/dev/null
	ok $? "the clean dump scans with exit 0"

	found=$("$tool" "$src" anon)
	rc=$?
	ok $rc "an order-0 anon page found: $found"
	[ $rc -eq 0 ] || return 0
	set -- $found
	pfn=$1 paddr=$2 off_head=$3 off_type=$4 badtype=$5
	hexpfn=$(printf '0x%x' "$pfn")

	# compound_head with bit 0 set: a tail whose head is no struct page
	check_corrupt "bad compound_head" "$off_head" 4141414141414141
	# page_type with a value no page type of this kernel has (little-endian)
	le=$(printf '%08x' "$badtype" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')
	check_corrupt "bad page_type" "$off_type" "$le"

	# a whole vmemmap page (64 struct pages) of random bytes
	cp "$src" "$tmp/bad.elf" && chmod u+w "$tmp/bad.elf"
	rnd=$("$PY" -c 'import random, sys; r = random.Random(int(sys.argv[1])); print(bytes(r.getrandbits(8) for _ in range(4096)).hex())' "$pfn")
	patch "$tmp/bad.elf" $(printf '0x%x' $((paddr & ~4095))) "$rnd"
	hostile_case "random struct pages" "exit1:PFN" "$src" "$tmp/bad.elf" "$tmp/clean.json" \
		"$tmp/bad.json" --json summary || [ $? -eq 1 ] || return 0
	"$PY" - "$tmp/clean.json" "$tmp/bad.json" <<'PYEOF'
import json, sys
clean, bad = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
b = bad["categories"]
ok = bad["total_bytes"] == clean["total_bytes"] and sum(b.values()) == bad["total_bytes"] \
    and b["unknown"] > clean["categories"]["unknown"] and any("PFN" in w for w in bad["warnings"])
print("# unknown %d bytes; first warning: %s" % (b["unknown"], bad["warnings"][:1]))
sys.exit(0 if ok else 1)
PYEOF
	ok $? "random struct pages: counted as unknown with PFN warnings, total unchanged"
}

for src in $srcs; do
	one_dump "$src"
done
done_testing
