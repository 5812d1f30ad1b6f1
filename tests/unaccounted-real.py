#!/usr/bin/env python3
"""The breakdown of "unaccounted" (pages --json unaccounted_breakdown) on
every real dump at hand: each way of sorting the pages (by order, by
refcount, by page->mapping kind) adds up to the unaccounted category's
pages; the pages with refcount 0 and those charged to a memcg equal the
scan's own unaccounted_detail counters (counted on another path); no
Debian kernel of these captures has page_owner, and its config says so
where the kernel's config is at hand."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ.get("MW_SRCDIR", "."), "tests"))
from taplib import ok, plan, real_dump_dirs  # noqa: E402
from importlib import import_module  # noqa: E402

pick_dump = import_module("slab-memcg-real").pick_dump


def main():
    mw = os.environ.get("MEMWHERE", "./memwhere")
    caps = os.environ.get("MW_CAPTURES") or os.path.join(os.environ.get("MW_SRCDIR", "."), "captures")
    ran = 0
    for d in real_dump_dirs():
        f = pick_dump(d)
        if not f:
            continue
        label = "/".join(d.rstrip("/").split("/")[-2:])
        p = subprocess.run([mw, "--json", "--no-progress", "pages", f], capture_output=True, text=True)
        if not ok(p.returncode in (0, 1) and p.stdout, "%s: pages runs (exit %d)" % (label, p.returncode)):
            continue
        ran += 1
        j = json.loads(p.stdout)
        u = j.get("unaccounted_breakdown")
        if not ok(u is not None, "%s: unaccounted_breakdown present" % label):
            continue
        want = j["categories"]["unaccounted"] if isinstance(j["categories"]["unaccounted"], int) \
            else j["categories"]["unaccounted"].get("pages")
        sums = {"pages": u["pages"], "by order": sum(u["pages_by_order"]),
                "by refcount": sum(u["refcount"].values()),
                "by mapping": sum(u["mapping"].values())}
        ok(all(v == want for v in sums.values()),
           "%s: every breakdown of unaccounted adds up to its %s pages (%s)"
           % (label, want, ", ".join("%s %d" % kv for kv in sums.items())))
        det = j.get("unaccounted_detail") or {}
        ok(u["refcount"]["zero_pages"] == det.get("zero_refcount_pages") and
           u["memcg_charged_pages"] == det.get("memcg_charged_pages") and
           u["mapping"]["movable"] <= det.get("movable_ops_pages", 0) + u["pages"],
           "%s: refcount 0 (%d) and memcg-charged (%d) pages equal the scan's own counters "
           "(%s, %s)" % (label, u["refcount"]["zero_pages"], u["memcg_charged_pages"],
                         det.get("zero_refcount_pages"), det.get("memcg_charged_pages")))
        rel = json.load(open(os.path.join(d, "truth.json"))).get("kernel", {}).get("release", "")
        cfg = os.path.join(caps, "kernels", rel, "config")
        if rel and os.path.exists(cfg):
            has = any(line.strip() == "CONFIG_PAGE_OWNER=y" for line in open(cfg))
            ok(u["page_owner"] == has, "%s: page_owner %s, as the kernel's config says (%s)"
               % (label, u["page_owner"], "CONFIG_PAGE_OWNER=y" if has else "not set"))
    if not ran:
        print("1..0 # SKIP no real dumps")
        return 0
    return plan()


if __name__ == "__main__":
    sys.exit(main())
