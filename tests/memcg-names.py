#!/usr/bin/python3
"""--memcg as a user gives it: a cgroup's name or a container ID.

For every bundled dump, every memory cgroup the guest listed (truth.json
`cgroups`, the memory hierarchy) whose last path component is unique among
them must be found by that name alone, and every cri-containerd-<id>.scope
by the first 12 characters of its ID: `memwhere --json memcg --memcg NAME`
shows that cgroup's subtree, its first memcg the truth's path, and stderr
says which cgroup it chose. A name shared by several cgroups is refused
(exit 2, saying how many it names).
"""

import collections
import json
import os
import re
import subprocess
import sys

MEMWHERE = os.environ["MEMWHERE"]
SRC = os.environ["MW_SRCDIR"]
n = 0


def ok(cond, desc, diag=()):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    for d in diag:
        print("# " + str(d))
    return cond


def memcg_paths(truth):
    for h in truth.get("cgroups", []):
        if h.get("version") == 2 or "memory" in h.get("controllers", []):
            return [g["path"] for g in h["groups"] if g["path"] != "/"]
    return []


def check(dump, query, want):
    r = subprocess.run([MEMWHERE, "--json", "--top", "1", "memcg", "--memcg", query, dump],
                       capture_output=True, text=True)
    got = None
    if r.returncode in (0, 1) and r.stdout:
        got = json.loads(r.stdout)["memcgs"][0]["path"]
    ok(got == want and ("memory cgroup " + want) in r.stderr,
       "%s: --memcg %s is %s" % (os.path.basename(os.path.dirname(dump)), query, want),
       [] if got == want else ["got %r, exit %d: %s" % (got, r.returncode, r.stderr.strip()[:200])])


def main():
    dirs = sorted(os.path.join(SRC, "testdata", d) for d in os.listdir(os.path.join(SRC, "testdata")))
    done = 0
    for d in dirs:
        dump, tp = os.path.join(d, "vmcore.kdump"), os.path.join(d, "truth.json")
        if not (os.path.isfile(dump) and os.path.isfile(tp)):
            continue
        paths = memcg_paths(json.load(open(tp)))
        names = collections.Counter(p.rsplit("/", 1)[1] for p in paths)
        for p in paths:
            name = p.rsplit("/", 1)[1]
            if names[name] == 1:
                check(dump, name, p)
                done += 1
            m = re.match(r"cri-containerd-([0-9a-f]{12})[0-9a-f]*\.scope$", name)
            if m:
                check(dump, m.group(1), p)
        shared = [nm for nm, c in names.items() if c > 1]
        if shared:
            r = subprocess.run([MEMWHERE, "memcg", "--memcg", shared[0], dump],
                               capture_output=True, text=True)
            ok(r.returncode == 2 and "names %d memory cgroups" % names[shared[0]] in r.stderr,
               "%s: --memcg %s, a name %d cgroups share, is refused" %
               (os.path.basename(d), shared[0], names[shared[0]]), [r.stderr.strip()[:200]])
    if not done:
        print("1..0 # SKIP no bundled dump with memory cgroups")
        return 0
    print("1..%d" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
