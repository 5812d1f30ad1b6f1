#!/bin/sh
# memwhere files on copies of real dumps with corrupted dentries
# (tests/corrupt_dentries.py, with drgn and the kernel's vmlinux): a
# directory whose parent is its own file (a dentry loop), a directory name
# of 300 bytes (over NAME_MAX), a parent pointer into nowhere. Each is a
# warning naming the inode (exit 1, no crash, no hang), that file's path
# ends in a "(broken)" part with its pages still counted, and every other
# file is listed as in the intact dump.
. "$MW_SRCDIR/tests/tap.sh"
. "$MW_SRCDIR/tests/dumps.sh"
need_py_module drgn python3-drgn
tap_tmpdir filescorrupt

# the small captures of the scenario with kubelet pod directories (a copy of the dump is made)
for d in $(small_mixed_dirs); do
	drgn_corrupt "$d" files "inode [0-9]+" corrupt_dentries.py "$d/truth.json" || continue
	"$PY" - "$tmp/what.json" "$tmp/good.json" "$tmp/bad.json" "$label" >"$tmp/out" <<'PYEOF'
import json, sys
what = json.load(open(sys.argv[1]))
good = json.load(open(sys.argv[2]))
bad = json.load(open(sys.argv[3]))
label = sys.argv[4]
def ok(c, d, diag=()):
    print(("ok - " if c else "not ok - ") + label + ": " + d)
    if not c:
        for x in diag:
            print("# " + x)
def key(f):
    return (f["fs"], f["inode"], f["address_space"])
gb = {key(f): f for f in good["files"]}
bb = {key(f): f for f in bad["files"]}
hit = set()
want = {"loop": ("(broken)/cache/data.log", "loop"),
        "long": ("(broken)/data.log", "300 bytes (over NAME_MAX)"),
        "nowhere": ("(broken)/cache/data.log", "unreadable")}
for kind, (path, words) in sorted(want.items()):
    w = what[kind]
    g = [f for f in good["files"] if f["path"] == w["path"]]
    if not g:
        ok(False, "%s: %s is in the intact dump's list" % (kind, w["path"]))
        continue
    hit.add(key(g[0]))
    b = bb.get(key(g[0]))
    ok(b is not None and b["path"] == path and b["name_kind"] == "broken",
       "%s: inode %d shown as %s" % (kind, w["inode"], path), ["got %r" % (b,)])
    ok(b is not None and b["cached_bytes"] == g[0]["cached_bytes"] and
       b["memcg"] == g[0]["memcg"], "%s: its pages still counted and charged as before" % kind)
    ok(any(("inode %d " % w["inode"]) in x and words in x for x in bad["warnings"]),
       "%s: a warning names inode %d and says \"%s\"" % (kind, w["inode"], words),
       bad["warnings"])
others = [k for k in gb if k not in hit]
diff = [gb[k]["path"] for k in others if bb.get(k) != gb[k]]
ok(not diff and len(bb) == len(gb),
   "the other %d files are listed exactly as in the intact dump" % len(others), diff[:10])
ok(bad["total_cached_bytes"] == good["total_cached_bytes"],
   "total_cached_bytes unchanged (%d)" % good["total_cached_bytes"])
PYEOF
	tap_lines --strict "$tmp/out"
done
done_testing
