#!/bin/sh
# A makedumpfile matrix over real kexec vmcores (scripts/capture-kexec):
# the system's makedumpfile and any fetched one (scripts/fetch-makedumpfile
# puts trixie's under $MW_CAPTURES/tools), writing kdump-compressed files
# with -c (zlib), -l (lzo), -z (zstd, where built in), a filtered ELF (-E),
# a flattened stream (-F) and a --split set of 3 parts, at dump level 31
# (what kdump-tools uses), plus -l -d 0 and -c -d 1; MW_MATRIX=full runs
# every mode at levels 0, 1 and 31. memwhere's report on each must equal
# its report on the unfiltered vmcore but for the dump's own metadata, and
# exit the same way. A makedumpfile older than 1.7.6 on a 6.10+ kernel at
# a level above 1 does not know its page types and leaves kernel pages out:
# memwhere must say so once, first, with the failed reads grouped under it,
# count as many lost pages as 1.7.6 keeps more at that level (their
# bitmaps), and differ from the unfiltered vmcore only in the objects the
# lost pages held.
# A -e dump (struct pages of excluded pages left out too) must equal it
# but for the views that follow pages one by one (files, the memcg scan's
# charges, the findings drawn from them), its summary placed by the
# kernel's counters; only pages makedumpfile's own report found filled
# with zeros may stay not_in_dump.
. "$MW_SRCDIR/tests/tap.sh"
caps=${MW_CAPTURES:-$MW_SRCDIR/captures}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mw-mdf.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

tools=
command -v makedumpfile >/dev/null && tools=$(command -v makedumpfile)
for t in "$caps"/tools/makedumpfile-*/usr/bin/makedumpfile; do
	[ -x "$t" ] && tools="$tools $t"
done
vmcores=$(ls "$caps"/kexec/*/vmcore-kexec.elf 2>/dev/null)
if [ -z "$tools" ] || [ -z "$vmcores" ]; then
	skip "needs makedumpfile and kexec vmcores (scripts/capture-kexec)"
	done_testing
	exit
fi

# report JSON equal but for the dump's metadata and timings
same_report() { # GOT REF DUMP-LEVEL
	/usr/bin/python3 - "$1" "$2" "${3:-0}" <<'PYEOF'
import json, re, sys
# a level with bit 8 (user data) leaves out the processes' own memory: their
# command lines (tasks[].cmdline, read from user pages) are then unknown
USER_OUT = int(sys.argv[3]) & 8
# (table_pages_left_out_as_zero: the sockets' hash-table pages a zero-page
# filter left out, read as zeros: what the dump file did, like the rest here)
META = {"dump", "format", "inner_format", "compression", "file_size",
        "header_version", "split", "dump_level", "excluded_pages", "incomplete",
        "table_pages_left_out_as_zero"}
def strip(d):
    if isinstance(d, dict):
        return {k: strip(v) for k, v in d.items()
                if k not in META and not re.search(r"(seconds|per_second|threads)$", k)
                and not (USER_OUT and k == "cmdline")}
    if isinstance(d, list):
        return [strip(x) for x in d]
    return d
def load(p):
    # a warning names the file read
    return strip(json.loads(re.sub(r'/[^" ]*/(vmcore-kexec\.elf|out[^" /]*)', "DUMP", open(p).read())))
a, b = load(sys.argv[1]), load(sys.argv[2])
def diff(a, b, path=""):
    if type(a) != type(b) or not isinstance(a, (dict, list)) or \
       (isinstance(a, list) and len(a) != len(b)):
        print("differs: %s: %s | %s" % (path, str(a)[:200], str(b)[:200]))
        return
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                diff(a.get(k), b.get(k), path + "/" + k)
    else:
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                diff(x, y, "%s[%d]" % (path, i))
if a != b:
    diff(a, b)
    sys.exit(1)
PYEOF
}

# first_diff FILE: ", first: <its first line>" when same_report's output
# is not empty (a failed check names where the reports part, in CI's tail)
first_diff() {
	[ -s "$1" ] || return 0
	printf ', first: %s' "$(head -1 "$1" | cut -c1-160)"
}

if [ "${MW_MATRIX:-}" = full ]; then
	cases="c:0 c:1 c:31 l:0 l:1 l:31 z:0 z:1 z:31 E:0 E:1 E:31 F:0 F:1 F:31 split:0 split:1 split:31 e:31"
else
	cases="c:31 l:31 z:31 E:31 F:31 split:31 e:31 l:0 c:1"
fi

for v in $vmcores; do
	d=$(dirname "$v")
	rel=$(cat "$d/release.txt" 2>/dev/null || basename "$d")
	"$MEMWHERE" --json report "$v" >"$tmp/ref.json" 2>/dev/null
	ref_rc=$?
	[ $ref_rc -ne 2 ]; ok $? "$rel: report on the unfiltered kexec vmcore (exit $ref_rc)"
	known= known_ver=
	for tool in $tools; do
		ver=$("$tool" -v 2>&1 | sed -n 's/^makedumpfile: version \([0-9.]*\).*/\1/p')
		[ "$(printf '%s\n1.7.6\n' "$ver" | sort -V | head -1)" = 1.7.6 ] &&
			known=$tool known_ver=$ver
	done
	for tool in $tools; do
		ver=$("$tool" -v 2>&1 | sed -n 's/^makedumpfile: version \([0-9.]*\).*/\1/p')
		zstd=$("$tool" -v 2>&1 | grep -c '^zstd.*enabled')
		old=0
		[ "$(printf '%s\n1.7.6\n' "$ver" | sort -V | head -1)" != 1.7.6 ] && old=1
		for c in $cases; do
			mode=${c%:*} level=${c#*:}
			opt=-$mode
			[ $mode = split ] && opt=--split
			tag="$rel makedumpfile $ver $opt -d $level"
			if [ $mode = z ] && [ "$zstd" -eq 0 ]; then
				skip "$tag: built without zstd"
				continue
			fi
			rm -rf "$tmp"/out* "$tmp/work"
			case $mode in
			c|l|z|E) "$tool" -$mode -d "$level" "$v" "$tmp/out" >/dev/null 2>&1 ;;
			F) "$tool" -F -d "$level" "$v" >"$tmp/out" 2>/dev/null ;;
			split) "$tool" -c -d "$level" --splitblock-size 16384 --split "$v" \
				"$tmp/out1" "$tmp/out2" "$tmp/out3" >/dev/null 2>&1 ;;
			e) mkdir -p "$tmp/work" && "$tool" -c -e --work-dir "$tmp/work" -d "$level" \
				--message-level 31 "$v" "$tmp/out" >"$tmp/mdf.log" 2>&1 ;;
			esac
			rc=$?
			[ $rc -eq 0 ]; ok $? "$tag: written (exit $rc)"
			[ $rc -eq 0 ] || continue
			if [ $mode = split ]; then
				set -- "$tmp/out3" "$tmp/out1" "$tmp/out2"
			else
				set -- "$tmp/out"
			fi
			"$MEMWHERE" --json report "$@" >"$tmp/got.json" 2>/dev/null
			rc=$?
			same_report "$tmp/got.json" "$tmp/ref.json" "$level" >"$tmp/diff" 2>&1 && [ $rc -eq $ref_rc ]
			res=$?
			todo=
			if [ $mode = e ]; then
				# the views that follow pages one by one lack the pages -e
				# left without struct pages (the warning says so): files,
				# the memcg scan's charges and the findings drawn from them;
				# everything else equals the unfiltered dump's, the summary's
				# categories included (placed by the kernel's counters)
				same_report "$tmp/got.json" "$tmp/ref.json" "$level" >"$tmp/diff" 2>&1
				# anon pages: NR_ANON_MAPPED places the mapped ones; an
				# unmapped one (swap cache, being freed) the filter took
				# stays not_in_dump, checked below
				grep -v -e '^differs: /files/' -e '^differs: /memcg/memcgs\[[0-9]*\]/charged' \
					-e '^differs: /findings' -e '^differs: /warnings' \
					-e '^differs: /info/vmemmap_excluded' -e '^differs: /summary/scan/inferred_pages' \
					-e '^differs: /summary/categories/\(anon\|not_in_dump\):' \
					-e '^differs: /summary/anon_detail/mapped_bytes:' -e '^differs: /summary/findings:' \
					"$tmp/diff" >"$tmp/diff2"
				# exit 1: those views are partial, as the warning says
				[ ! -s "$tmp/diff2" ] && { [ $rc -eq $ref_rc ] || [ $rc -eq 1 ]; }
				res=$?
				# pages moved from anon to not_in_dump only, no more than
				# the unmapped anon pages plus the drift of NR_ANON_MAPPED
				# (read without its per-CPU deltas: up to 2 CPUs times a
				# stat threshold of 16 pages on these guests), and the
				# mapped anon within that drift; the summary's findings
				# the same but for the one that says pages are not in the dump
				/usr/bin/python3 -c '
import json, sys
g, r = (json.load(open(p))["summary"] for p in sys.argv[1:3])
cat = lambda s, k: s["categories"][k]["bytes"] if isinstance(s["categories"][k], dict) else s["categories"][k]
ps = r["page_size"]
moved = cat(r, "anon") - cat(g, "anon")
unmapped = cat(r, "anon") - r["anon_detail"]["mapped_bytes"]
drift = 32 * ps
dm = abs(g["anon_detail"]["mapped_bytes"] - r["anon_detail"]["mapped_bytes"])
print("# -e: %d anon bytes left not_in_dump (unmapped anon %d, drift %d), mapped %d vs %d" % (
    moved, unmapped, drift, g["anon_detail"]["mapped_bytes"], r["anon_detail"]["mapped_bytes"]))
assert moved >= 0 and cat(g, "not_in_dump") - cat(r, "not_in_dump") == moved
assert moved <= unmapped + drift and dm <= drift
nid = lambda s: [f for f in s["findings"] if f["id"] != "not-in-dump"]
# (where the filter also lost kernel pages, the categories differ more
# and the report comparison below says so)
same = all(cat(g, k) == cat(r, k) for k in r["categories"] if k not in ("anon", "not_in_dump"))
assert not same or nid(g) == nid(r), (nid(g), nid(r))
assert not moved or any(f["id"] == "not-in-dump" for f in g["findings"])
' "$tmp/got.json" "$tmp/ref.json"
				ok $? "$tag: anon pages the counters cannot place stay not_in_dump: at most the unmapped ones, within NR_ANON_MAPPED's drift, and a finding says so"
				mv "$tmp/diff2" "$tmp/diff"
			fi
			if [ $res -ne 0 ]; then
				case $rel in
				6.1.*|5.*|4.*) ;;
				# both makedumpfiles here predate 7.x (memdesc_flags_t,
				# 7.x page types): slab pages are left out as if free
				7.*) [ "$level" -gt 1 ] &&
					todo="P15 item 3: makedumpfile $ver predates 7.x and does not know its page types" ;;
				*) [ $old -eq 1 ] && [ "$level" -gt 1 ] &&
					todo="P15 item 3: makedumpfile $ver does not know this kernel's page types" ;;
				esac
			fi
			if [ $mode = split ]; then
				for p in out1 out2 out3; do
					"$MEMWHERE" --json summary "$tmp/$p" >"$tmp/alone" 2>"$tmp/err"
					prc=$?
					if [ $prc -eq 1 ]; then
						grep -q "$tmp/$p is one part of a split dump (makedumpfile --split) holding pfns" "$tmp/alone"
					else
						[ $prc -eq 2 ] && grep -q "^memwhere: $tmp/$p is one part of a split dump (makedumpfile --split) holding pfns .*, and what is left cannot be analysed" "$tmp/err"
					fi
					ok $? "$tag: part $p alone: exit 1 or 2 ($prc), saying the rest is in another part"
				done
			fi
			if [ $mode = e ]; then
				# makedumpfile's own report of what it left out: only the
				# pages it found filled with zeros can stay unknown, and no
				# more pages are placed by the counters than its filter left
				# out as cache, user and free pages
				"$MEMWHERE" --json pages "$@" >"$tmp/pages.json" 2>/dev/null
				/usr/bin/python3 -c '
import json, re, sys
log = open(sys.argv[2]).read()
def n(what):
    m = re.search(what + r"\s*:\s*0x([0-9a-f]+)", log)
    assert m, what
    return int(m.group(1), 16)
zero = n("Pages filled with zero")
filt = sum(n(w) for w in ("Non-private cache pages", "Private cache pages",
                          "User process data pages", "Free pages"))
p = json.load(open(sys.argv[1]))
cats = p["categories"]
left = cats["not_in_dump"]
if isinstance(left, dict):
    left = left["pages"]
placed = sum(p["scan"].get("inferred_pages", {}).values())
assert left <= zero, (left, zero)
assert placed <= filt + zero, (placed, filt, zero)
print("# not_in_dump %d <= zero pages %d; placed %d <= filtered %d + zero %d" % (left, zero, placed, filt, zero))
' "$tmp/pages.json" "$tmp/mdf.log"
				ok $? "$tag: only zero-filled pages can stay not_in_dump, placed pages within what makedumpfile left out"
				"$MEMWHERE" --json info "$@" >"$tmp/info.json" 2>/dev/null
				/usr/bin/python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))
assert i["vmemmap_excluded"] is True and i["dump_level"] == int(sys.argv[3]), i
w = json.load(open(sys.argv[2]))["warnings"]
assert sum("written with makedumpfile -e" in x for x in w) == 1, w
' "$tmp/info.json" "$tmp/got.json" "$level"
				ok $? "$tag: info says -e, and one warning says what the unclassified pages are"
			fi
			case $mode:$todo in
			E:*) ;;	# an ELF has no dump level: not detected there
			*:"P15 item 3"*)
				/usr/bin/python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
assert w and w[0].startswith("the dump'"'"'s filter (makedumpfile dump level %s) left out " % sys.argv[2]), w[:1]
assert sum("which no dump level leaves out unless they are all zeros" in x for x in w) == 1
# the reads that failed on left-out pages follow it, grouped under it
eff = [i for i, x in enumerate(w) if "was left out of the dump" in x]
assert all(w[i].startswith("lost with those kernel pages: ") for i in eff), eff
assert eff == list(range(1, len(eff) + 1)), eff
' "$tmp/got.json" "$level"
				ok $? "$tag: the filter's lost kernel pages are said once, first, the failed reads grouped under it"
				# how many: a makedumpfile that knows the kernel (if fetched)
				# keeps, at the same level without free pages (1.7.6 does not
				# leave out 6.12's free pages), exactly the pages the old one
				# lost; the bitmaps of both kdump files say which
				if [ -n "$known" ]; then
					lv=$((level & 15))
					rm -f "$tmp/old.kd" "$tmp/new.kd"
					"$tool" -l -d $lv "$v" "$tmp/old.kd" >/dev/null 2>&1 &&
					"$known" -l -d $lv "$v" "$tmp/new.kd" >/dev/null 2>&1 &&
					/usr/bin/python3 -c '
import json, re, struct, sys
def bitmap2(p):
    with open(p, "rb") as f:
        h = f.read(448)
        assert h[:8] == b"KDUMP   "
        # disk_dump_header: block_size, sub_hdr_size, bitmap_blocks
        block, sub, blocks = struct.unpack_from("<iiI", h, 428)
        f.seek((1 + sub) * block)
        bm = f.read(blocks * block)
    return bm[len(bm) // 2:]
old, new = bitmap2(sys.argv[2]), bitmap2(sys.argv[3])
lost = sum(bin(n & ~o & 0xff).count("1") for o, n in zip(old, new))
m = re.search(r"left out (\d+) pages \(", json.load(open(sys.argv[1]))["warnings"][0])
said = int(m.group(1))
print("# lost kernel pages: memwhere %d, makedumpfile %s keeps %d more at -d %s" % (said, sys.argv[4], lost, sys.argv[5]))
if lost == 0 and said > 0:
    sys.exit(3)	# the newer one loses them too: it does not know this kernel either
assert lost > 0 and abs(said - lost) <= max(2, lost // 100), (said, lost)
' "$tmp/got.json" "$tmp/old.kd" "$tmp/new.kd" "$known_ver" $lv
					prc=$?
					if [ $prc -eq 3 ]; then
						skip "$tag: the lost page count: makedumpfile $known_ver keeps no more pages than $ver, it does not know $rel either"
					else
						ok $prc "$tag: the lost page count equals what a makedumpfile that knows the kernel keeps"
					fi
					rm -f "$tmp/old.kd" "$tmp/new.kd"
				else
					skip "$tag: the lost page count: no makedumpfile here knows $rel"
				fi
				;;
			esac
			case $todo in
			"P15 item 3"*)
				# the data in the lost pages is gone: what the kernel's
				# objects there said (tasks, files, cgroups, sockets, the
				# vmalloc areas that name stacks and vmalloc pages, the
				# percpu chunks and so what is left as reserved, with
				# the breakdowns of unaccounted and reserved, the memcgs'
				# OOM event counters in the incident) may differ; the
				# page scan's classes from struct pages may not
				grep -v -e '^differs: /files' -e '^differs: /findings' -e '^differs: /memcg' \
					-e '^differs: /incident/memcg_events' \
					-e '^differs: /sockets' -e '^differs: /tasks' -e '^differs: /warnings' \
					-e '^differs: /summary/findings' \
					-e '^differs: /summary/categories/\(kernel_stack\|vmalloc\|unaccounted\|percpu\|reserved\):' \
					-e '^differs: /summary/unaccounted_breakdown/' -e '^differs: /summary/reserved/' \
					-e '^differs: /info/vmemmap_excluded' -e '^differs: /summary/scan/inferred_pages' \
					"$tmp/diff" >"$tmp/diff2"
				[ ! -s "$tmp/diff2" ] && [ $rc -eq 1 ]
				ok $? "$tag: report equals the unfiltered vmcore's but for objects in the lost pages (exit $rc)$(first_diff "$tmp/diff2")"
				head -20 "$tmp/diff2" | sed "s/^/# /"
				# a memcg whose memory.events was in the lost pages is
				# counted as unread, not left out silently
				/usr/bin/python3 -c '
import json, sys
got, ref = (json.load(open(p))["incident"] for p in sys.argv[1:3])
paths = lambda i: set(m["path"] for m in i.get("memcg_events") or [])
missing = len(paths(ref) - paths(got))
print("# memory.events: %d memcgs in the unfiltered report only, %s said unread" % (missing, got.get("memcg_events_unread")))
assert (got.get("memcg_events_unread") or 0) >= missing
' "$tmp/got.json" "$tmp/ref.json"
				ok $? "$tag: memcgs whose memory.events the lost pages held are counted in memcg_events_unread"
				;;
			?*)
				tap_n=$((tap_n + 1))
				echo "not ok $tap_n - $tag: report equals the unfiltered vmcore's # TODO $todo"
				;;
			*)
				ok $res "$tag: report equals the unfiltered vmcore's (exit $rc, $ref_rc)$(first_diff "$tmp/diff")"
				[ $res -eq 0 ] || head -20 "$tmp/diff" | sed "s/^/# /"
				;;
			esac
		done
	done
done
done_testing
