#!/usr/bin/python3
"""memwhere report (the default command) on every real dump at hand.

One page scan feeds every analysis in a report; the standalone commands
scan on their own. So for each dump: the report's sections must equal
what `summary`, `memcg`, `files`, `sockets` and `pools` (when a pool holds
something) say alone, and its findings
must reflect the guest's own truth: a dying-memcg finding exactly when the
guest's cgroup.stat counted dying descendants, an unread-socket finding
when the guest's /proc/net/tcp showed unread data on a socket.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["MW_SRCDIR"], "tests"))
from taplib import exit_ok, ok, plan, real_dump_dirs  # noqa: E402

def dump_dirs():
    out = real_dump_dirs()
    limit = os.environ.get("MW_REPORT_DUMPS")
    return out if not limit or limit == "0" else out[:int(limit)]


def first_dump(d):
    for name in ("vmcore.kdump", "vmcore.elf", "vmcore-paging.elf", "vmcore.kdump-zlib.flat"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def run(*args):
    p = subprocess.run([os.environ["MEMWHERE"], "--json", "--top", "0", *args],
                       capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        return p.returncode, None


def main():
    dirs = dump_dirs()
    if not dirs:
        print("1..0 # SKIP no real dumps")
        return 0
    for d in dirs:
        f = first_dump(d)
        if not f:
            continue
        truth = json.load(open(os.path.join(d, "truth.json")))
        rc, rep = run(f)
        # (exit 1 only for what the kernel keeps from memwhere: taplib)
        if not ok(exit_ok(rc, rep) and rep is not None,
                  "%s: report exits 0 with one JSON document (exit %d)" % (f, rc)):
            continue
        ok(rep["memwhere"]["schema"] == 1 and all(k in rep for k in
           ("info", "summary", "memcg", "files", "sockets", "findings", "warnings")),
           "%s: report has info, summary, memcg, files, sockets, findings" % f)
        for cmd, key in (("summary", "categories"), ("memcg", "memcgs"), ("files", "files"),
                         ("sockets", "sockets")):
            rc2, alone = run(cmd, f)
            same = alone is not None and rep[cmd].get(key) == alone.get(key)
            ok(same, "%s: report's %s.%s equals `memwhere %s`" % (f, cmd, key, cmd))
        ids = {x["id"] for x in rep["findings"]}
        # pools: a section only when a pool holds something, the same as
        # `memwhere pools`; a pool's idle hugetlb pages said once
        rc3, pools = run("pools", f)
        if pools is not None:
            says = (any(h["nr_hugepages"] for h in pools["hugetlb"]["hstates"]) or
                    pools["hugetlb"]["nr_files"] or pools["zsmalloc_pages"] or
                    pools["zram"]["devices"] or pools["zswap"]["stored_pages"] or
                    pools["cma"]["areas"])
            ok(("pools" in rep) == bool(says),
               "%s: report has a pools section exactly when a pool holds something (%s)" %
               (f, bool(says)))
            if "pools" in rep:
                ok(all(rep["pools"].get(k) == pools.get(k) for k in ("hugetlb", "zram", "zswap", "cma")),
                   "%s: report's pools equal `memwhere pools`" % f)
            pool_ids = {x["id"] for x in pools["findings"]}
            rc4, summ = run("summary", f)
            summ_ids = {x["id"] for x in (summ or {}).get("findings", [])}
            want = "hugetlb-free" in summ_ids and "hugetlb-pool-free" not in pool_ids
            ok(("hugetlb-free" in ids) == want and
               ("hugetlb-pool-free" in ids) == ("hugetlb-pool-free" in pool_ids),
               "%s: free hugetlb pages in one finding: the pool's if made, else the summary's (%s)" %
               (f, sorted(i for i in ids if i.startswith("hugetlb"))))
        dying = rep["memcg"].get("dying", {}).get("count", 0)
        ok((dying > 0) == ("dying-memcgs" in ids),
           "%s: a dying-memcg finding exactly when memcgs are dying (%d)" % (f, dying))
        unread = [s for s in truth.get("net", {}).get("tcp", []) if s.get("rx_queue", 0) > 0
                  and s.get("inode")]
        if unread and truth.get("phase") == "final":
            ok("unread-socket-data" in ids,
               "%s: the guest had %d TCP sockets with unread data: a finding says so"
               % (f, len(unread)))
    return plan()


if __name__ == "__main__":
    sys.exit(main())
