#!/usr/bin/env python3
"""memwhere tasks --json against the guest's own view of its processes.

usage: tasks_compare.py MEMWHERE_JSON TRUTH_JSON LABEL

Prints TAP-style "ok - ..." / "not ok - ..." lines (numbered by the caller)
and "# ..." diagnostics, among them one line
"# LABEL: N processes compared, M matched, K excluded (why)".

Phase "final" (the truth was read right before the dump): every process of
truth.json's `tasks`, by pid, must be in memwhere's list with the same comm,
ppid and kernel_thread flag; for user processes RssAnon, RssFile, RssShmem
and VmSwap (the status read last, mw:final:, when the capture has it),
VmPTE and VmSize (the truth fields vm_pte/vm_size, else the raw status
text's lines), the thread count, the uid and the memory cgroup path must be
equal; command lines memwhere read (user pages in the dump) must equal
/proc/PID/cmdline.
The RSS counters may equal memwhere's rss (count plus every CPU's or
thread's delta: Debian's 6.12 prints that) or its central counter
(rss - rss_unfolded: what 6.1 prints); which one is said.
Excluded, and counted as such: the truth printer's own processes
(`transient`) and processes that exited between the truth read and the
dump (`exited_before_dump`, or absent from the dump with pid >=
notes.truth_first_transient_pid); with phase "before-crash" (memcg-oom)
also /init, which printed the truth and ran on to the crash.

Phase "before-oom" (the dump is of the OOM panic): the kernel's own OOM
task dump in console.log (truth `oom.tasks`) is the truth of that moment:
per pid rss_pages (file + anon + shmem; and each of the three where the
kernel prints them), pgtables_bytes, swapents,
total_vm_pages, uid and oom_score_adj must equal memwhere's (the central
counters, which is what the OOM killer reads). Every process of the
before-OOM truth that the OOM table lists must also keep its memcg path.
"""
import json
import re
import sys

PRINTER_SLACK = 256 * 1024     # the truth printer's storage of its own last read

PAGE = 4096


# idle kworkers a dump may lack (their pool reaped them after the task list)
KWORKER_REAP_MAX = 2

def status_field(raw, name):
    m = re.search(r"^%s:\s+(\d+) kB$" % name, raw or "", re.M)
    return int(m.group(1)) * 1024 if m else None


def status_int(raw, name):
    m = re.search(r"^%s:\s+(-?\d+)" % name, raw or "", re.M)
    return int(m.group(1)) if m else None


def main():
    mw = json.load(open(sys.argv[1]))
    truth = json.load(open(sys.argv[2]))
    label = sys.argv[3]
    raw = truth.get("raw", {})
    first_transient = truth.get("notes", {}).get("truth_first_transient_pid")
    tasks = {t["pid"]: t for t in mw["tasks"]}
    lines = []

    def ok(cond, desc):
        lines.append(("ok - " if cond else "not ok - ") + label + ": " + desc)

    def central(x, key):
        return x["rss"][key] - x["rss_unfolded"][key]

    ok(mw.get("walk_complete") is True, "the task list was walked to its end")
    ok(mw.get("tasks_not_listed") == 0, "every task listed (--top 0)")

    if truth.get("phase") == "before-oom":
        oom = (truth.get("oom") or {}).get("tasks") or []
        ok(len(oom) > 0, "the console's OOM task dump has rows")
        compared = matched = 0
        for row in oom:
            compared += 1
            x = tasks.get(row["pid"])
            if x is None or x["rss"] is None:
                ok(False, "OOM row pid %d (%s): in the dump with an mm" % (row["pid"], row["name"]))
                continue
            # the OOM killer reads each central counter, negative as 0
            cent = {k: max(central(x, k), 0) // PAGE for k in ("anon", "file", "shmem")}
            got = {
                "name": x["comm"],
                "rss_pages": sum(cent.values()),
                "pgtables_bytes": x["pagetables_bytes"],
                "swapents": (x["swap_bytes"] - x["rss_unfolded"]["swap"]) // PAGE,
                "total_vm_pages": x["vm_bytes"] // PAGE,
                "uid": x["uid"],
                "oom_score_adj": x["oom_score_adj"],
            }
            for k in ("anon", "file", "shmem"):
                if "rss_%s_pages" % k in row:	# the split, in newer kernels' dumps
                    got["rss_%s_pages" % k] = cent[k]
            exp = {k: row.get(k) for k in got}
            good = got == exp
            matched += good
            ok(good, "pid %d (%s): rss %d pages%s, page tables %d B, swap %d, total_vm %d, uid %d, "
               "oom_score_adj %d as the OOM report printed%s" % (
                   row["pid"], row["name"], exp["rss_pages"],
                   " (anon %d, file %d, shmem %d)" % (exp["rss_anon_pages"], exp["rss_file_pages"],
                                                      exp["rss_shmem_pages"])
                   if "rss_anon_pages" in exp else "", exp["pgtables_bytes"],
                   exp["swapents"], exp["total_vm_pages"], exp["uid"], exp["oom_score_adj"],
                   "" if good else " (memwhere: %s)" % got))
        for t in truth["tasks"]:
            if t["kernel_thread"] or t["transient"] or t["pid"] not in {r["pid"] for r in oom}:
                continue
            x = tasks.get(t["pid"])
            if t["cgroup"] is not None and x is not None:
                ok(x["memcg"] == t["cgroup"], "pid %d (%s): memcg %s" % (t["pid"], t["comm"], t["cgroup"]))
        lines.append("# %s: %d processes compared (OOM task dump), %d matched, 0 excluded"
                     % (label, compared, matched))
        return lines

    compared = matched = 0
    excluded = []
    kthreads = kmatched = reaped = 0
    how = set()
    for t in truth["tasks"]:
        pid = t["pid"]
        x = tasks.get(pid)
        if t.get("transient"):
            excluded.append("%d %s (truth printer)" % (pid, t["comm"]))
            continue
        if truth.get("phase") == "before-crash" and pid == 1:
            # memcg-oom: /init printed the truth after reading its own status,
            # then waited for GO and wrote sysrq c: its heap moved on
            excluded.append("%d %s (truth printer, ran on to the crash)" % (pid, t["comm"]))
            continue
        if t.get("exited_before_dump") or (
                x is None and isinstance(first_transient, int) and pid >= first_transient):
            excluded.append("%d %s (exited before the dump)" % (pid, t["comm"]))
            continue
        if t["kernel_thread"] and x is None and t["comm"].startswith("kworker/") and \
                reaped < KWORKER_REAP_MAX:
            # a workqueue pool reaps its idle workers on a timer
            # (IDLE_WORKER_TIMEOUT): one may exit between the guest's task
            # list and the dump
            reaped += 1
            excluded.append("%d %s (idle kworker, reaped before the dump)" % (pid, t["comm"]))
            continue
        if t["kernel_thread"]:
            kthreads += 1
            # /proc shows a kworker's workqueue after its comm ("kworker/0:1-events")
            good = (x is not None and x["kernel_thread"] and x["rss"] is None
                    and t["comm"].startswith(x["comm"]) and x["ppid"] == t["ppid"])
            kmatched += good
            if not good:
                ok(False, "kernel thread %d (%s): in the dump, same comm and ppid (memwhere: %s)"
                   % (pid, t["comm"], x and (x["comm"], x["ppid"], x["kernel_thread"])))
            continue
        compared += 1
        if x is None or x["rss"] is None:
            ok(False, "pid %d (%s): in the dump with an mm" % (pid, t["comm"]))
            continue
        st = raw.get("mw:final:/proc/%d/status" % pid) or raw.get("/proc/%d/status" % pid, "")
        exp = {"comm": t["comm"], "ppid": t["ppid"], "kernel_thread": False,
               "rss_anon": t["rss_anon"], "rss_file": t["rss_file"],
               "rss_shmem": t["rss_shmem"], "swap": t["swap"],
               "vm_pte": t.get("vm_pte", status_field(st, "VmPTE")),
               "vm_size": t.get("vm_size", status_field(st, "VmSize")),
               "threads": t.get("threads", status_int(st, "Threads")),
               "uid": status_int(st, "Uid")}
        if t["cgroup"] is not None:
            exp["memcg"] = t["cgroup"]
        base = {"comm": x["comm"], "ppid": x["ppid"], "kernel_thread": x["kernel_thread"],
                "vm_pte": x["pagetables_bytes"], "vm_size": x["vm_bytes"],
                "threads": x["threads"], "memcg": x["memcg"], "uid": x["uid"]}
        full = dict(base, rss_anon=x["rss"]["anon"], rss_file=x["rss"]["file"],
                    rss_shmem=x["rss"]["shmem"], swap=x["swap_bytes"])
        cent = dict(base, rss_anon=central(x, "anon"), rss_file=central(x, "file"),
                    rss_shmem=central(x, "shmem"),
                    swap=x["swap_bytes"] - x["rss_unfolded"]["swap"])
        full = {k: full[k] for k in exp}
        cent = {k: cent[k] for k in exp}
        grew = ""
        if pid == 1:
            # the truth printer reads its own status last, then keeps what
            # it read: its heap (RssAnon, VmSize) may be ahead in the dump
            # by that storage, never behind
            for k in ("rss_anon", "vm_size"):
                for have in (full, cent):
                    if isinstance(have[k], int) and isinstance(exp[k], int) and \
                            0 < have[k] - exp[k] <= PRINTER_SLACK:
                        grew += " (%s +%d B: the printer's last read)" % (k, have[k] - exp[k])
                        have[k] = exp[k]
        good = full == exp or cent == exp
        if good and full != cent:
            how.add("the counters with their deltas" if full == exp else "the central counters")
        elif good:
            how.add("no deltas")
        matched += good
        ok(good, "pid %d (%s): RssAnon %s RssFile %s RssShmem %s VmSwap %s VmPTE %s VmSize %s, "
           "ppid, uid, threads and memcg %s as /proc/%d/status said%s" % (
               pid, t["comm"], exp["rss_anon"], exp["rss_file"], exp["rss_shmem"], exp["swap"],
               exp["vm_pte"], exp["vm_size"], exp.get("memcg", "(none in truth)"), pid,
               grew if good else " (memwhere: %s)" % full))
    # the command line, where its pages are in the dump (not in filtered
    # dumps, which leave user pages out)
    cmd_cmp = [(t["pid"], t["cmdline"], tasks[t["pid"]]["cmdline"]) for t in truth["tasks"]
               if not t["kernel_thread"] and not t.get("transient") and t["pid"] in tasks
               and tasks[t["pid"]]["cmdline"] is not None]
    bad_cmd = [c for c in cmd_cmp if c[1] != c[2]]
    ok(not bad_cmd, "%d command lines read from the dump equal /proc/PID/cmdline%s"
       % (len(cmd_cmp), "" if not bad_cmd else " (differ: %s)" % bad_cmd[:3]))
    ok(not {"the counters with their deltas", "the central counters"} <= how,
       "every process matched by the same rule (%s)" % " and ".join(sorted(how)))
    ok(kthreads == kmatched, "%d of %d kernel threads found with the same comm and ppid"
       % (kmatched, kthreads))
    # nothing extra: every user process in the dump is in the truth, or a
    # process the truth printer started after its process list was read
    known = {t["pid"] for t in truth["tasks"]}
    extra = [(x["pid"], x["comm"]) for x in mw["tasks"]
             if not x["kernel_thread"] and x["pid"] != 0 and x["pid"] not in known
             and not (isinstance(first_transient, int) and x["pid"] >= first_transient)]
    ok(not extra, "no process in the dump that the guest did not list%s"
       % ("" if not extra else " (extra: %s)" % extra))
    lines.append("# %s: %d processes compared, %d matched (%s), %d excluded%s; "
                 "%d kernel threads, %d matched" % (
                     label, compared, matched, " and ".join(sorted(how)) or "-",
                     len(excluded), (": " + ", ".join(excluded)) if excluded else "",
                     kthreads, kmatched))
    return lines


if __name__ == "__main__":
    out = main()
    print("\n".join(out))
    sys.exit(1 if any(l.startswith("not ok") for l in out) else 0)
