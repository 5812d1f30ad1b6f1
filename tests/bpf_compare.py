#!/usr/bin/env python3
"""memwhere bpf against the guest's own fdinfo of every BPF map and program
that scripts/guest/mwtool's bpf-load made (truth.json "bpf"). Prints TAP
lines ("ok - ..." / "not ok - ...") for tests/bpf-real.sh; exit 0 unless
memwhere could not run.

usage: bpf_compare.py MEMWHERE DUMP TRUTH.json"""
import json
import os
import subprocess
import sys


def main():
    memwhere, dump, truth_path = sys.argv[1:4]
    with open(truth_path) as f:
        truth = json.load(f)
    tb = truth.get("bpf")
    label = "/".join(dump.split("/")[-2:])
    if not tb:
        print("# %s: no bpf in the truth" % label)
        return 0
    p = subprocess.run([memwhere, "--json", "--top", "0", "--no-progress", "bpf", dump],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode(errors="replace"))
        return 2
    got = json.loads(p.stdout)
    maps = {m["id"]: m for m in got["maps"]}
    progs = {q["id"]: q for q in got["programs"]}

    def check(cond, what):
        print("%s - %s: %s" % ("ok" if cond else "not ok", label, what))

    check(not tb["errors"], "the guest made every map and program (%s)" %
          ("; ".join(tb["errors"]) or "no errors"))
    check(got["complete"], "map_idr and prog_idr read to the end")
    # the memory cgroup the maps are charged to: their creator's (role bpf)
    role = truth.get("roles", {}).get("bpf") or {}
    owner = [t for t in truth.get("tasks", []) if t.get("pid") == role.get("pid")]
    cgroup = owner[0].get("cgroup") if owner else None
    exact_sum = 0
    # a kernel before 5.11 charges map memory to RLIMIT_MEMLOCK, not to a
    # memory cgroup: struct bpf_map has neither memcg nor objcg there, and
    # memwhere must then name no cgroup
    tool = os.path.join(os.environ["MW_BUILDDIR"], "tests", "kaddr-tool")
    memcg_accounted = any(
        subprocess.run([tool, dump, "offsetof", "bpf_map." + mb], capture_output=True,
                       text=True).returncode == 0 for mb in ("memcg", "objcg"))
    if not memcg_accounted:
        check(all(m.get("memcg") is None for m in maps.values()),
              "no map charged to a cgroup (struct bpf_map has no memcg or objcg)")
    for t in tb["maps"]:
        m = maps.get(t["map_id"])
        if not m:
            check(False, "map %s (id %d) found" % (t["name"], t["map_id"]))
            continue
        same = [k for k in ("map_type", "key_size", "value_size", "max_entries", "map_flags")
                if m[k] == t[k]]
        check(len(same) == 5 and m["name"] == t["name"],
              "map %d %s: name, type, key, value, entries and flags as fdinfo (%s %d/%d x %d)" %
              (t["map_id"], t["name"], m["type"], m["key_size"], m["value_size"], m["max_entries"]))
        if cgroup and memcg_accounted:
            check(m.get("memcg") == cgroup, "map %s charged to %s, its creator's cgroup (%s)" %
                  (t["name"], m.get("memcg"), cgroup))
        if m["memory_exact"]:
            exact_sum += t["memlock"]
            check(m["memlock_bytes"] == t["memlock"], "map %s memlock %d = fdinfo's %d (%s)" %
                  (t["name"], m["memlock_bytes"], t["memlock"], m["memory_method"]))
        else:
            # said not exact: within 1% (the kernels differ by a few
            # counters per CPU or one element per CPU)
            check(abs(m["memlock_bytes"] - t["memlock"]) <= max(t["memlock"] // 100, 64),
                  "map %s memlock %d within 1%% of fdinfo's %d (%s, not exact for this type)" %
                  (t["name"], m["memlock_bytes"], t["memlock"], m["memory_method"]))
    check(got["map_bytes"] >= exact_sum, "map_bytes %d >= the exact maps' fdinfo sum %d" %
          (got["map_bytes"], exact_sum))
    for t in tb["progs"]:
        q = progs.get(t["prog_id"])
        if not q:
            check(False, "program %s (id %d) found" % (t["name"], t["prog_id"]))
            continue
        check(q["name"] == t["name"] and q["prog_type"] == t["prog_type"],
              "program %d %s: name and type as fdinfo (%s)" % (t["prog_id"], t["name"], q["type"]))
        check(q["memlock_bytes"] == t["memlock"], "program %s memlock %d = fdinfo's %d" %
              (t["name"], q["memlock_bytes"], t["memlock"]))
        jited = t.get("prog_jited", 0)
        check((q["jit"] != "none") == bool(jited) and
              (not jited or (q["jited_len"] > 0 and q["jit_bytes"] >= q["jited_len"])),
              "program %s JIT image as fdinfo's prog_jited %d (%s, %d bytes of code in %d)" %
              (t["name"], jited, q["jit"], q["jited_len"], q["jit_bytes"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
