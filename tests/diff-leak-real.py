#!/usr/bin/python3
"""memwhere diff on a real leak: the "leak" captures (scripts/capture
--scenario leak), one guest dumped twice with a tmpfs file growing in
between, written by a service in its own memory cgroup. before/ holds the
first dump and the guest's truth at that moment, the capture directory the
second and its truth.

For each such capture, `memwhere diff --json BEFORE AFTER`:
  - the leaking file's growth equals its resident bytes' growth as the
    guest's mincore saw them (exactly: a tmpfs file is all in RAM and its
    writer had exited before each truth);
  - the leaking memory cgroup's growth equals the growth of its
    memory.current, read right before each pause: within 1% or 64 KiB,
    plus the charges waiting in per-CPU stocks (the page counter is
    charged 64 pages at a time per CPU: at most 64 pages per CPU on each
    side);
  - the shmem category's growth equals the kernel's own Shmem (meminfo)
    growth, within 1% or 64 KiB;
  - the first finding names the leaking memory cgroup (the owner that
    explains the growth, deepest in the tree), and a finding names the
    leaking file;
  - the steady neighbour (an application's anon memory in its own memory
    cgroup, which does not move between the dumps) is named by no finding.
Skips when there is no leak capture.
"""
import json
import os
import subprocess
import sys

n = 0
failed = 0
KIB = 1024


def ok(cond, desc):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed += 1
    return cond


def close(got, want, rel, abs_):
    return got is not None and abs(got - want) <= max(abs(want) * rel, abs_)


def leak_dirs():
    caps = os.environ.get("MW_CAPTURES") or os.path.join(os.environ["MW_SRCDIR"], "captures")
    out = []
    if not os.path.isdir(caps):
        return out
    for rel in sorted(os.listdir(caps)):
        for sc in sorted(os.listdir(os.path.join(caps, rel)) if os.path.isdir(os.path.join(caps, rel)) else []):
            d = os.path.join(caps, rel, sc)
            if os.path.exists(os.path.join(d, "before", "truth.json")) and \
               os.path.exists(os.path.join(d, "truth.json")):
                out.append(d)
    return out


def cgroup(t, path):
    for h in t["cgroups"]:
        for g in h["groups"]:
            if g["path"] == path:
                return g
    return None


def resident(t, path):
    return sum(f["resident_bytes"] for f in t["files"] if f["path"] == path)


def row(d, key, field, name):
    for r in d.get(key, []):
        if r.get(field) == name:
            return r
    return None


dirs = leak_dirs()
if not dirs:
    print("1..0 # SKIP no leak captures (scripts/capture --scenario leak) under $MW_CAPTURES")
    sys.exit(0)

for d in dirs:
    label = "/".join(d.rstrip("/").split("/")[-2:])
    old_t = json.load(open(os.path.join(d, "before", "truth.json")))
    new_t = json.load(open(os.path.join(d, "truth.json")))
    notes = new_t["notes"]
    leak_file, leak_cg = notes.get("leak_file"), notes.get("leak_cgroup")
    if not ok(leak_file and leak_cg and old_t.get("phase") == "before",
              "%s: the truth names the leak (%s, %s)" % (label, leak_file, leak_cg)):
        continue
    for fn in ("vmcore.kdump-zlib.flat", "vmcore.elf", "vmcore-paging.elf"):
        old_f, new_f = os.path.join(d, "before", fn), os.path.join(d, fn)
        if os.path.exists(old_f) and os.path.exists(new_f):
            break
    else:
        ok(False, "%s: a dump of the same format before and after" % label)
        continue
    p = subprocess.run([os.environ["MEMWHERE"], "diff", "--json", "--no-progress", old_f, new_f],
                       capture_output=True, text=True)
    if not ok(p.returncode <= 1, "%s: memwhere diff --json before/%s %s exits %d (0 or 1)"
              % (label, fn, fn, p.returncode)):
        print("# " + p.stderr.strip().replace("\n", "\n# "))
        continue
    dj = json.loads(p.stdout)

    want = resident(new_t, leak_file) - resident(old_t, leak_file)
    r = row(dj, "files", "path", leak_file)
    got = r["delta_bytes"] if r else None
    ok(want > 0 and got == want, "%s: %s grew by %s bytes, as the guest's mincore says (%d)"
       % (label, leak_file, got, want))

    og, ng = cgroup(old_t, leak_cg), cgroup(new_t, leak_cg)
    want = ng["memory_current"] - og["memory_current"] if og and ng else None
    r = row(dj, "memcgs", "path", leak_cg)
    got = r["delta_bytes"] if r else None
    cmd = new_t["capture"].get("qemu_cmd") or []
    cpus = int(cmd[cmd.index("-smp") + 1].split(",")[0]) if "-smp" in cmd else 1
    stock = 2 * 64 * 4096 * cpus    # one 64-page stock per CPU, on each side
    ok(want is not None and got is not None and
       abs(got - want) <= max(want * 0.01, 64 * KIB) + stock,
       "%s: %s grew by %s bytes, memory.current by %s (1%% or 64 KiB, plus %d KiB of per-CPU stocks)"
       % (label, leak_cg, got, want, stock // KIB))

    want = new_t["meminfo"]["Shmem"] - old_t["meminfo"]["Shmem"]
    r = row(dj, "categories", "category", "shmem")
    got = r["delta_bytes"] if r else None
    ok(close(got, want, 0.01, 64 * KIB),
       "%s: the shmem category grew by %s bytes, meminfo Shmem by %d (1%% or 64 KiB)"
       % (label, got, want))

    fs = dj.get("findings", [])
    first = fs[0]["data"] if fs else {}
    ok(first.get("owner_kind") == "memcgs" and first.get("owner") == leak_cg,
       "%s: the first finding names the leaking memory cgroup %s (%s %s)"
       % (label, leak_cg, first.get("owner_kind"), first.get("owner")))
    ok(any(f["data"].get("owner_kind") == "files" and f["data"].get("owner") == leak_file
           for f in fs), "%s: a finding names the leaking file %s" % (label, leak_file))
    # the steady neighbour (an application's anon, when the capture has
    # one): named by no finding, and its memcg moved by less than 1%
    steady = [g["path"] for h in new_t["cgroups"] for g in h["groups"]
              if g["path"].endswith("/app.service")]
    for path in steady:
        r = row(dj, "memcgs", "path", path)
        d = r["delta_bytes"] if r else 0
        size = (cgroup(new_t, path) or {}).get("memory_current") or 0
        ok(not any(f["data"].get("owner") == path for f in fs) and abs(d) <= size * 0.01,
           "%s: the steady %s (%d bytes) is blamed by no finding, moved %d bytes"
           % (label, path, size, d))

print("1..%d" % n)
sys.exit(1 if failed else 0)
