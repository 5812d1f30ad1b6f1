#!/usr/bin/python3
"""memwhere report (the default command) on every real dump at hand.

One page scan feeds every analysis in a report; the standalone commands
scan on their own. So for each dump: the report's sections must equal
what `summary`, `memcg`, `files` and `sockets` say alone, and its findings
must reflect the guest's own truth: a dying-memcg finding exactly when the
guest's cgroup.stat counted dying descendants, an unread-socket finding
when the guest's /proc/net/tcp showed unread data on a socket.
"""
import json
import os
import subprocess
import sys

n = 0
failed = 0


def ok(cond, desc):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed += 1
    return cond


def dump_dirs():
    out = subprocess.run(["sh", "-c", '. "$MW_SRCDIR/tests/dumps.sh"; real_dump_dirs'],
                         capture_output=True, text=True).stdout.split()
    limit = os.environ.get("MW_REPORT_DUMPS")
    return out if limit == "0" else out[:int(limit or 6)]


def first_dump(d):
    for name in ("vmcore.kdump", "vmcore.elf", "vmcore-paging.elf"):
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
        if not ok(rc == 0 and rep is not None, "%s: report exits 0 with one JSON document" % f):
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
        dying = rep["memcg"].get("dying", {}).get("count", 0)
        ok((dying > 0) == ("dying-memcgs" in ids),
           "%s: a dying-memcg finding exactly when memcgs are dying (%d)" % (f, dying))
        unread = [s for s in truth.get("net", {}).get("tcp", []) if s.get("rx_queue", 0) > 0
                  and s.get("inode")]
        if unread and truth.get("phase") == "final":
            ok("unread-socket-data" in ids,
               "%s: the guest had %d TCP sockets with unread data: a finding says so"
               % (f, len(unread)))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
