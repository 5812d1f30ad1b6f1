#!/bin/sh
# No debug files needed when the dump can speak for itself: on one dump of
# every captured kernel whose -dbg vmlinux is at hand, `memwhere DUMP` with
# no other file (symbols from the dump's kallsyms: VMCOREINFO's, or the
# tables found in the kernel image before 6.0; types from the dump's BTF)
# gives the same results, command by command, as with --vmlinux (the
# vmlinux's DWARF types). Only the timings and the "types" source may
# differ. Skipped without a vmlinux (scripts/capture --vmlinux).
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_real_dumps
tap_tmpdir nodebug
seen=
found=
for d in $dirs; do
	v=$(vmlinux_for "$d")
	[ -n "$v" ] || continue
	# one dump per kernel build (the --vmlinux runs cost seconds each)
	case " $seen " in *" $v "*) continue ;; esac
	f=$d/vmcore.elf
	[ -f "$f" ] || f=$(dump_files "$d" | head -n 1)
	[ -f "$f" ] || continue
	seen="$seen $v"
	found=1
	label=$(dump_label "$d")
	"$MEMWHERE" --json info "$f" >"$tmp/info.json" 2>/dev/null
	"$PY" -c 'import json,sys
d=json.load(open(sys.argv[1]))
t, s = d["types"]["source"], d["symbols"]["source"]
print("# types %s, symbols %s (%s)" % (t, s, d["symbols"].get("count")))
sys.exit(0 if t.endswith("-in-dump") and s.endswith("-in-dump") else 1)' "$tmp/info.json"
	ok $? "$label: with no debug file, types and symbols come from the dump"
	for c in report pages files sockets memcg tasks slab vmalloc log; do
		"$MEMWHERE" --json --top 0 --no-progress $c "$f" >"$tmp/a.json" 2>"$tmp/a.err"
		ra=$?
		"$MEMWHERE" --json --top 0 --no-progress --vmlinux "$v" $c "$f" >"$tmp/b.json" 2>"$tmp/b.err"
		rb=$?
		"$PY" - "$tmp/a.json" "$tmp/b.json" "$ra" "$rb" >"$tmp/diff" <<'PYEOF'
import json, sys
# With --vmlinux (DWARF types) zram's mm_stat is not read: a module's BTF is
# read on top of the kernel's own BTF (README, Kernels). report shows the
# pools, so that difference, its one warning and the exit 1 it makes are
# expected on a capture with zram; nothing else may differ.
MODBTF = "zram mm_stat not read: reading module zram's BTF: the kernel's types are not BTF"
def known(b):
    w = b.get("warnings") if isinstance(b, dict) else None
    if not isinstance(w, list) or not any(isinstance(x, str) and x.startswith(MODBTF) for x in w):
        return False
    b["warnings"] = [x for x in w if not (isinstance(x, str) and x.startswith(MODBTF))]
    return True
def drop_zram(d):
    z = (d.get("pools") or {}).get("zram") if isinstance(d, dict) else None
    if isinstance(z, dict):
        z.pop("mm_stat_not_read", None)
        for dev in z.get("devices") or []:
            if isinstance(dev, dict):
                dev.pop("mm_stat", None)
                dev.pop("comp_algorithm", None)
def norm(x):
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()
                if "seconds" not in k and "per_second" not in k
                and not (k == "types" and isinstance(v, dict) and "source" in v)}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x
def diff(a, b, path, out):
    if len(out) >= 5:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            diff(a.get(k), b.get(k), path + "." + k, out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, "%s[%d]" % (path, i), out)
    elif a != b:
        out.append("%s: %r (no file) vs %r (--vmlinux)" % (path, str(a)[:80], str(b)[:80]))
try:
    a, b = norm(json.load(open(sys.argv[1]))), norm(json.load(open(sys.argv[2])))
except ValueError as e:
    print("bad JSON: %s" % e)
    sys.exit(1)
ra, rb = int(sys.argv[3]), int(sys.argv[4])
if known(b):
    drop_zram(a)
    drop_zram(b)
    if not b["warnings"] and rb == 1:
        rb = ra		# the one warning, and the exit 1 it makes
out = []
diff(a, b, "", out)
if ra != rb:
    out.append("exit %d (no file) vs %d (--vmlinux)" % (ra, rb))
for line in out:
    print(line)
sys.exit(1 if out else 0)
PYEOF
		r=$?
		[ $r -eq 0 ]
		ok $? "$label: $c gives the same JSON with no debug file as with --vmlinux (exit $ra and $rb)"
		diag_file "$tmp/diff" 5
		[ $ra -eq $rb ] || diag_file "$tmp/a.err" 3
	done
done
[ -n "$found" ] || skip "no capture with its kernel's vmlinux (scripts/capture --vmlinux)"
done_testing
