#!/usr/bin/python3
"""sockets --memcg against the guest's own /proc/PID/cgroup (cgroup v2 dumps).

    sockets-memcg.py MEMWHERE DUMP ALL_JSON TRUTH_JSON NAME

ALL_JSON is `memwhere --json --top 0 sockets DUMP`. A socket's buffers are
charged to the memcg of the process that created it (accepted TCP sockets:
the one that accepted them), and no scenario process moves or passes its
sockets, so:
  - each socket all of whose owners are in one cgroup v2 cgroup (by the
    guest's /proc/PID/cgroup) shows that cgroup as its memcg ("/" shows
    none: the root is charged nothing);
  - `sockets --memcg CG` lists every socket owned only by processes at or
    below CG, and no socket with an owner outside it, for each owners'
    cgroup and each of its ancestors;
  - `sockets --memcg /` lists every socket.
Prints "ok - ..." / "not ok - ..." lines; exit 2 if it cannot run.
"""
import json
import subprocess
import sys


def key(s):
    return s["sock"]


def main():
    mw, dump, all_json, truth_json, name = sys.argv[1:6]
    truth = json.load(open(truth_json))
    if not any(c.get("version") == 2 for c in truth.get("cgroups", [])):
        print("# %s: no cgroup v2 hierarchy in the guest: sockets --memcg not compared" % name)
        return 0
    cg_of = {t["pid"]: t["cgroup"] for t in truth["tasks"] if t.get("cgroup")}
    alls = json.load(open(all_json))["sockets"]

    def owner_cg(s):
        cgs = {cg_of.get(o["pid"]) for o in s["owners"]}
        return cgs.pop() if len(cgs) == 1 and None not in cgs else None

    owned = [s for s in alls if s["owners"] and owner_cg(s)]
    if not owned:
        print("# %s: no socket owned by a process of the truth: sockets --memcg not compared"
              % name)
        return 0
    bad = [(s["inode"], owner_cg(s), s["memcg"]) for s in owned
           if (s["memcg"] or "/") != owner_cg(s)]
    print("%s - %s: each of %d owned sockets shows its owners' cgroup as its memcg%s"
          % ("not ok" if bad else "ok", name, len(owned),
             "" if not bad else " (inode, owners' cgroup, memcg: %s)" % bad[:3]))

    def run(cg):
        p = subprocess.run([mw, "--json", "--top", "0", "--memcg", cg, "sockets", dump],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode > 1:
            return None, p.stderr.strip()
        return json.loads(p.stdout), None

    def under(path, top):
        return top == "/" or path == top or path.startswith(top.rstrip("/") + "/")

    tops = set()
    for s in owned:
        cg = owner_cg(s)
        parts = cg.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            if parts[0]:
                tops.add("/" + "/".join(parts[:i]))
    for top in sorted(tops):
        doc, err = run(top)
        if doc is None:
            print("not ok - %s: sockets --memcg %s runs (%s)" % (name, top, err))
            continue
        got = {key(s) for s in doc["sockets"]}
        want = {key(s) for s in owned if under(owner_cg(s), top)}
        outside = [s["inode"] for s in doc["sockets"] if s["owners"] and
                   any(not under(cg_of.get(o["pid"], "?"), top) for o in s["owners"])]
        missing = want - got
        ok = not missing and not outside and doc["memcg_filter"] == top
        print("%s - %s: sockets --memcg %s lists the %d sockets its processes own "
              "and none of processes outside it (%d listed%s%s)"
              % ("ok" if ok else "not ok", name, top, len(want), len(got),
                 ", missing %d" % len(missing) if missing else "",
                 ", outside: %s" % outside[:3] if outside else ""))
    doc, err = run("/")
    ok = doc is not None and {key(s) for s in doc["sockets"]} == {key(s) for s in alls}
    print("%s - %s: sockets --memcg / lists all %d sockets"
          % ("ok" if ok else "not ok", name, len(alls)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError, KeyError) as e:
        print("sockets-memcg.py: %s" % e, file=sys.stderr)
        sys.exit(2)
