#!/usr/bin/python3
"""What happened (report's `incident` and its first finding) on every real dump.

The expected values are the guest's own: truth.json's `oom` is the OOM
report and panic as the serial console printed them (scripts/capture parses
the console, not the dump). For each dump with it:
  - incident.panic is the console's panic message;
  - the OOM reports (oom + kills) are the console's "invoked oom-killer"
    lines in order: comm, gfp_mask, order, oom_score_adj;
  - the victims are the console's "Killed process" lines (pid, comm);
  - a memcg OOM's memcg has the limit of its memory.max and counted the kill;
  - when the panic is an OOM panic, the first finding is oom-panic and names
    the panic and the invoker; its largest process is the largest of the
    OOM killer's own task dump, with about its RSS; the RAM it says was in
    use agrees with Mem-Info's free pages.
On every dump, `log --json` has the same panic and OOM reports, and memory.events' oom and oom_kill of each v2 memcg equal
what the guest's memory.events said (incident.memcg_events).
For each dump without it (dumped live, no panic): incident.panic is null,
no OOM report, no panic finding.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["MW_SRCDIR"], "tests"))
from taplib import exit_ok, ok, plan, real_dump_dirs  # noqa: E402

def dump_dirs():
    return real_dump_dirs()


def first_dump(d):
    for name in ("vmcore.kdump", "vmcore.elf", "vmcore-paging.elf", "vmcore.kdump-zlib.flat"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def report(f):
    p = subprocess.run([os.environ["MEMWHERE"], "report", "--json", f],
                       capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        return p.returncode, None


def check_oom(label, truth, doc):
    t = truth["oom"]
    inc = doc["incident"]
    want_panic = t.get("panic")
    ok(inc["panic"] == want_panic, "%s: panic %r (console: %r)" % (label, inc["panic"], want_panic))
    reports = sorted(inc["oom"] + inc["kills"], key=lambda r: r["seq"])
    ok(len(reports) == len(t["invoked"]),
       "%s: %d OOM reports (console: %d)" % (label, len(reports), len(t["invoked"])))
    for r, w in zip(reports, t["invoked"]):
        gfp = w["gfp_mask"].rstrip(",")
        ok(r["invoker"]["comm"] == w["comm"] and r["gfp"] == gfp and r["order"] == w["order"]
           and r["oom_score_adj"] == w["oom_score_adj"],
           "%s: report of %s: gfp %s order %s adj %s (console: %s %s %s %s)" % (
               label, r["invoker"]["comm"], r["gfp"], r["order"], r["oom_score_adj"],
               w["comm"], gfp, w["order"], w["oom_score_adj"]))
    groups = {g["path"]: g for h in truth.get("cgroups", []) if h.get("version") == 2
              for g in h.get("groups", [])}
    for r in reports:
        g = groups.get(r["memcg"]) if r["memcg"] else None
        if g is None or not isinstance(g.get("memory_max"), int):
            continue
        ev = g.get("memory_events") or {}
        ok(r["constraint"] == "CONSTRAINT_MEMCG" and ev.get("oom_kill", 0) >= 1 and
           r["memcg_usage"] and r["memcg_usage"]["limit_bytes"] == g["memory_max"],
           "%s: memcg OOM in %s: limit %s (memory.max %d), oom_kill %s" % (
               label, r["memcg"], r["memcg_usage"] and r["memcg_usage"]["limit_bytes"],
               g["memory_max"], ev.get("oom_kill")))
    victims = [(r["victim"]["pid"], r["victim"]["comm"]) for r in reports if r["victim"]]
    killed = [(k["pid"], k["comm"]) for k in t["killed"]]
    ok(victims == killed, "%s: victims %s (console: %s)" % (label, victims, killed))
    oom_panic = bool(want_panic) and want_panic.startswith("Out of memory")
    ok(bool(inc["oom"]) == oom_panic, "%s: a report ended in the panic exactly when the "
       "panic is an OOM's" % label)
    f = doc["findings"][0] if doc["findings"] else None
    if not want_panic:
        ok(not f or f["id"] not in ("oom-panic", "panic"), "%s: no panic finding" % label)
        return
    want_id = "oom-panic" if oom_panic else "panic"
    if not ok(f and f["id"] == want_id, "%s: first finding %s (%s)" % (
            label, f and f["id"], want_id)):
        return
    ok(want_panic in f["title"], "%s: its title names the panic" % label)
    if not oom_panic:
        return
    inv = inc["oom"][0]["invoker"]["comm"]
    ok(inv in f["title"], "%s: its title names the invoker %s" % (label, inv))
    tasks = t.get("tasks") or []
    if tasks and f["data"]["top_task"]:
        top = max(tasks, key=lambda x: x["rss_pages"])
        got = f["data"]["top_task"]
        want = top["rss_pages"] * truth["page_size"]
        ok(got["comm"] == top["name"] and got["pid"] == top["pid"],
           "%s: largest process %s (pid %d) (OOM task dump: %s, pid %d)" % (
               label, got["comm"], got["pid"], top["name"], top["pid"]))
        ok(abs(got["rss_bytes"] - want) <= max(want // 20, 256 * 4096),
           "%s: its RSS %d bytes (OOM task dump: %d)" % (label, got["rss_bytes"], want))
    check_unmapped_shmem(label, truth, f)
    m = re.search(r"(?m)^ *free:(\d+) ", t.get("mem_info") or "")
    if m:
        # memwhere's free counts the per-CPU free lists too: Mem-Info's
        # free_pcp on the same line
        pcp = re.search(r"(?m)^ *free:\d+ free_pcp:(\d+)", t.get("mem_info") or "")
        free = (int(m.group(1)) + (int(pcp.group(1)) if pcp else 0)) * truth["page_size"]
        total = doc["summary"]["total_bytes"]
        used = f["bytes"]
        ok(abs((total - used) - free) <= max(free // 10, 256 * 4096),
           "%s: %d bytes free (Mem-Info's free + free_pcp: %d)" % (label, total - used, free))


def check_unmapped_shmem(label, truth, f):
    """Scenario shm-oom (truth notes shm_dir): tmpfs files nobody maps, written
    before the truth and kept to the panic (no swap), hold more than any
    process: the finding must say so and name them."""
    d = (truth.get("notes") or {}).get("shm_dir")
    data = f["data"]
    if not d:
        ok(data.get("cause") != "unmapped-shmem" or data["unmapped_shmem"]["bytes"] > (
            data["top_task"] or {}).get("rss_bytes", 0),
           "%s: OOM cause %s" % (label, data.get("cause")))
        return
    files = [x for x in truth["files"] if x["path"].startswith(d + "/") and x["fs"] == "tmpfs"]
    want = sum(x["resident_bytes"] for x in files)
    big = max(files, key=lambda x: x["resident_bytes"]) if files else None
    u = data.get("unmapped_shmem") or {}
    ok(data.get("cause") == "unmapped-shmem" and "tmpfs/shmem files no process maps" in f["title"]
       and data.get("advice_id") == "remove-unmapped-shmem-files",
       "%s: the OOM's cause is tmpfs files nobody maps (cause %s, title %r)" % (
           label, data.get("cause"), f["title"]))
    ok(big and u.get("largest") and u["largest"]["path"] == big["path"] and
       u["largest"]["bytes"] == big["resident_bytes"],
       "%s: largest such file %s (guest: %s, %s bytes resident)" % (
           label, u.get("largest"), big and big["path"], big and big["resident_bytes"]))
    ok(u.get("directory", "").rstrip("/") == d and u.get("directory_files") == len(files) and
       u.get("directory_bytes") == want,
       "%s: %s files, %s bytes in %s (guest: %d files, %d bytes resident in %s)" % (
           label, u.get("directory_files"), u.get("directory_bytes"), u.get("directory"),
           len(files), want, d))
    # every tmpfs file nobody maps, against the panic's own count of shmem
    m = re.search(r"(?m)\bshmem:(\d+) ", (truth.get("oom") or {}).get("mem_info") or "")
    shmem = int(m.group(1)) * truth["page_size"] if m else None
    ok(shmem is not None and want <= u.get("bytes", 0) <= shmem,
       "%s: %s bytes in tmpfs files nobody maps: at least the spool's %d, at most the "
       "panic's Mem-Info shmem %s" % (label, u.get("bytes"), want, shmem))
    top = data["top_task"]
    ok(top is not None and u.get("bytes", 0) > top["rss_bytes"],
       "%s: more than the largest process's RSS (%s)" % (label, top and top["rss_bytes"]))


def check_events(label, truth, doc):
    """memory.events' oom and oom_kill of every v2 memcg, as the guest read them."""
    want = {}
    for h in truth.get("cgroups", []):
        if h.get("version") != 2:
            continue
        for g in h.get("groups", []):
            ev = g.get("memory_events")
            if ev and "oom" in ev and "oom_kill" in ev:
                want[g["path"]] = (ev["oom"], ev["oom_kill"])
    got = {m["path"]: (m["oom"], m["oom_kill"]) for m in doc["incident"].get("memcg_events") or []}
    if not want:
        return
    bad = [(p, got.get(p), w) for p, w in sorted(want.items()) if got.get(p) != w]
    ok(not bad, "%s: memory.events oom/oom_kill of %d memcgs as the guest read them%s" % (
        label, len(want), "" if not bad else " (path, memwhere, truth: %s)" % bad[:5]))


def main():
    dirs = dump_dirs()
    if not dirs:
        print("1..0 # SKIP no real dumps")
        return 0
    for d in dirs:
        f = first_dump(d)
        if not f:
            continue
        label = "%s/%s" % (os.path.basename(os.path.dirname(d)), os.path.basename(d))
        truth = json.load(open(os.path.join(d, "truth.json")))
        rc, doc = report(f)
        if not ok(exit_ok(rc, doc) and doc and "incident" in doc,
                  "%s: report --json has incident (exit %d)" % (label, rc)):
            continue
        check_events(label, truth, doc)
        lp = subprocess.run([os.environ["MEMWHERE"], "log", "--json", f], capture_output=True,
                            text=True)
        try:
            lg = json.loads(lp.stdout)
        except ValueError:
            lg = {}
        t = truth.get("oom") or {}
        ok(lg.get("panic") == t.get("panic") and
           [r["invoker"]["comm"] for r in lg.get("oom", [])] == [w["comm"] for w in t.get("invoked", [])],
           "%s: log --json: panic %r, OOM reports of %s (console: %r, %s)" % (
               label, lg.get("panic"), [r["invoker"]["comm"] for r in lg.get("oom", [])],
               t.get("panic"), [w["comm"] for w in t.get("invoked", [])]))
        if truth.get("oom"):
            check_oom(label, truth, doc)
            continue
        inc = doc["incident"]
        ok(inc["panic"] is None, "%s: dumped live: no panic (%r)" % (label, inc["panic"]))
        ok(not inc["oom"] and not inc["kills"], "%s: no OOM report in the log" % label)
        ok(not any(x["id"] in ("oom-panic", "panic") for x in doc["findings"]),
           "%s: no panic finding" % label)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
