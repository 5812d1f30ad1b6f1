#!/usr/bin/env python3
"""`memwhere slab --memcg /` on every real dump at hand against the guest's
own memory.stat: per cgroup (cgroup v2, truth read at the pause), the bytes
of the slab objects memwhere finds charged to it and below (every cache,
from the obj_cgroup vectors of the slab pages) against its slab_reclaimable
+ slab_unreclaimable.

They cannot be equal to the byte: the kernel keeps a charged object's
vmstat bytes in the CPU's objcg stock until a page's worth gathered
(memcg_stock.nr_slab_*_b, per CPU, for the one obj_cgroup cached there)
and flushes the memcg counters when enough pages changed, so memory.stat
may lag what is in the slabs by up to two pages per CPU (the stock) plus
MEMCG_CHARGE_BATCH (64) pages per CPU (the flush threshold, 6.x rstat; on
5.10 the per-CPU batch of 32 pages per counter and memcg of the subtree).
Tolerance: that many bytes, or 2 %, whichever is larger. The root is
skipped (its memory.stat in v2 is the machine's). Also: no cache's
objects by memcg exceed its total objects, and every cache's rows add up
to its memcg_objects."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("MW_SRCDIR", "."), "tests"))
from taplib import ok, plan, real_dump_dirs  # noqa: E402

PAGE = 4096


def pick_dump(d):
    names = sorted(os.listdir(d))
    for want in ("vmcore.kdump-zlib.flat", "vmcore.kdump-zstd", "vmcore.elf"):
        if want in names:
            return os.path.join(d, want)
    for n in names:
        if n.startswith("vmcore") and not n.endswith((".partial", ".tmp")) and "filtered" not in n:
            return os.path.join(d, n)
    return None


def main():
    mw = os.environ.get("MEMWHERE", "./memwhere")
    ran = 0
    for d in real_dump_dirs():
        try:
            truth = json.load(open(os.path.join(d, "truth.json")))
        except (OSError, ValueError):
            continue
        label = "/".join(d.rstrip("/").split("/")[-2:])
        if truth.get("phase", "final") != "final":
            continue        # oom: truth printed before the hog; another moment
        v2 = [h for h in truth.get("cgroups", []) if h.get("type") == "cgroup2"]
        if not v2:
            continue
        groups = [g for g in v2[0].get("groups", []) if g.get("path") != "/"
                  and "slab_reclaimable" in (g.get("memory_stat") or {})]
        f = pick_dump(d)
        if not groups or not f:
            continue
        p = subprocess.run([mw, "--json", "--no-progress", "--top", "0", "slab", "--memcg", "/", f],
                           capture_output=True, text=True)
        if not ok(p.returncode in (0, 1) and p.stdout, "%s: slab --memcg / runs (exit %d)"
                  % (label, p.returncode)):
            print("# " + p.stderr.strip().replace("\n", "\n# "))
            continue
        ran += 1
        mw_json = json.loads(p.stdout)
        split = mw_json.get("memcg")
        if not ok(split is not None, "%s: slab objects split by memcg" % label):
            print("# " + p.stderr.strip().replace("\n", "\n# "))
            continue
        per_memcg = {}
        rows_ok = True
        for c in mw_json["caches"]:
            rows = c.get("memcgs") or []
            if sum(r["objects"] for r in rows) != c["memcg_objects"] or \
               c["memcg_objects"] > c["objects_total"]:
                rows_ok = False
                print("# %s: %d objects by memcg, %d in rows, %d in the cache" % (
                    c["name"], c["memcg_objects"], sum(r["objects"] for r in rows),
                    c["objects_total"]))
            for r in rows:
                per_memcg[r["path"]] = per_memcg.get(r["path"], 0) + r["bytes"]
        ok(rows_ok, "%s: each cache's memcg rows add up, within its objects" % label)
        qemu = truth.get("capture", {}).get("qemu_cmd") or []
        cpus = int(qemu[qemu.index("-smp") + 1].split(",")[0]) if "-smp" in qemu else 0
        if not ok(cpus > 0, "%s: the guest's CPUs (-smp) known" % label):
            continue
        # --memcg of one subtree: only its memcgs, the same bytes as above
        top = max(groups, key=lambda g: sum(b for pth, b in per_memcg.items()
                                            if pth == g["path"] or pth.startswith(g["path"] + "/")))
        q = subprocess.run([mw, "--json", "--no-progress", "--top", "0", "slab", "--memcg",
                            top["path"], f], capture_output=True, text=True)
        if ok(q.returncode in (0, 1) and q.stdout, "%s: slab --memcg %s runs" % (label, top["path"])):
            sub = json.loads(q.stdout)
            paths = [r["path"] for c in sub["caches"] for r in c.get("memcgs") or []]
            want_b = sum(b for pth, b in per_memcg.items()
                         if pth == top["path"] or pth.startswith(top["path"] + "/"))
            ok(all(x == top["path"] or x.startswith(top["path"] + "/") for x in paths)
               and sub["memcg"]["bytes"] == want_b
               and all(c["memcg_objects"] > 0 for c in sub["caches"]),
               "%s: --memcg %s lists only its subtree's objects (%d B, as in --memcg /)"
               % (label, top["path"], want_b))
        old = truth.get("kernel", {}).get("release", "").startswith("5.")
        for g in groups:
            path = g["path"]
            st = g["memory_stat"]
            want = st["slab_reclaimable"] + st.get("slab_unreclaimable", 0)
            got = sum(b for pth, b in per_memcg.items()
                      if pth == path or pth.startswith(path + "/"))
            subtree = 1 + sum(1 for x in groups if x["path"].startswith(path + "/"))
            slack = (2 + 64) * PAGE * cpus
            if old:
                slack = 2 * PAGE * cpus + 32 * PAGE * cpus * subtree * 2
            tol = max(slack, want // 50)
            ok(abs(got - want) <= tol,
               "%s: %s slab objects %d B vs memory.stat slab %d B (diff %+d, tolerance %d)"
               % (label, path, got, want, got - want, tol))
    if not ran:
        print("1..0 # SKIP no real dump with cgroup v2 truth")
        return 0
    return plan()


if __name__ == "__main__":
    sys.exit(main())
