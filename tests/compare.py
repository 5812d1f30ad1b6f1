#!/usr/bin/python3
"""Compare memwhere's JSON with a capture's ground truth (truth.json).

Python 3 standard library only; a module for the analyses' tests and a
command line:

    compare.py summary MEMWHERE.json TRUTH.json [LABEL]
    compare.py files MEMWHERE.json TRUTH.json [LABEL]      (memwhere --top 0 files)
    compare.py pages MEMWHERE.json TRUTH.json [LABEL]      (nodes and zones)

prints one TAP result line per check ("ok - ..." / "not ok - ..."),
without numbers, and "#" lines with value, truth and tolerance side by side
when a check fails; exit status 0 if every check passed, 1 if one failed,
2 on bad input. tests/summary-real.sh numbers the lines.

To add an analysis: write compare_<command>(mw, truth, checks) below, using
Checks.close() / Checks.equal(), and add it to COMMANDS.

The truth of a capture is the guest's own /proc/meminfo at dump time
(phase "final"): the copy the guest read last ("mw:final:/proc/meminfo" in
truth["raw"]) when the capture has one, else truth["meminfo"] (read before
the rest of the truth, so a little older than the dump); for the oom scenario (phase "before-oom") it is the
kernel's OOM report printed at the moment of the dump (truth["oom"]
["mem_info"]), parsed by oom_meminfo() below.
"""

import json
import re
import sys

KIB = 1024
TOLERANCE_REL = 0.01            # 1% ...
TOLERANCE_ABS = 256 * KIB       # ... or 256 KiB, whichever is larger


class Checks:
    """A list of check results, printed as TAP lines without numbers."""

    def __init__(self, label=""):
        self.label = label
        self.lines = []
        self.failed = 0
        # Set when the truth is known to be older than the dump: a failed
        # check is then reported as TAP TODO (visible, not fatal) with
        # this reason.
        self.stale = None

    def _add(self, ok, desc, diag=(), may_be_stale=False):
        if self.label:
            desc = "%s: %s" % (self.label, desc)
        todo = ""
        if not ok and may_be_stale and self.stale:
            todo = " # TODO " + self.stale
        self.lines.append(("ok - " if ok else "not ok - ") + desc + todo)
        if not ok:
            if not todo:
                self.failed += 1
            self.lines.extend("#   " + d for d in diag)

    def close(self, name, value, truth, source, rel=TOLERANCE_REL,
              abs_=TOLERANCE_ABS, unit="bytes"):
        """value within max(rel * truth, abs_) of truth."""
        if value is None or truth is None:
            self._add(False, "%s: no value (memwhere %r, truth %r from %s)"
                      % (name, value, truth, source))
            return False
        tol = max(abs(truth) * rel, abs_)
        diff = value - truth
        ok = abs(diff) <= tol
        self._add(ok, "%s within %g%% or %s of %s" % (
            name, rel * 100, fmt(abs_, unit), source),
            ["%-12s %16s" % ("memwhere", fmt(value, unit)),
             "%-12s %16s  (%s)" % ("truth", fmt(truth, unit), source),
             "%-12s %16s" % ("difference", fmt(diff, unit, signed=True)),
             "%-12s %16s" % ("tolerance", fmt(tol, unit))], may_be_stale=True)
        return ok

    def equal(self, name, value, truth, source):
        ok = value == truth
        self._add(ok, "%s equals %s" % (name, source),
                  ["memwhere %r" % (value,), "truth    %r  (%s)" % (truth, source)])
        return ok

    def fail(self, desc, diag=()):
        self._add(False, desc, diag)

    def output(self, f=sys.stdout):
        for line in self.lines:
            print(line, file=f)


def fmt(v, unit, signed=False):
    if unit == "bytes":
        s = "%+d" % v if signed else "%d" % v
        return "%s B (%.1f KiB)" % (s, v / KIB)
    return ("%+d" % v if signed else "%d" % v) + " " + unit


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def oom_meminfo(truth):
    """/proc/meminfo-like numbers (bytes) from the kernel's OOM report."""
    text = truth.get("oom", {}).get("mem_info")
    if not text:
        return None
    page = truth.get("page_size", 4096)

    def pages(name):
        m = re.search(r"(?:^|\s)%s:(\d+)(?:\s|$)" % re.escape(name), text)
        return int(m.group(1)) * page if m else None

    def node_kb(name):
        m = re.search(r"^Node \d+ .*?\b%s:(\d+)kB" % re.escape(name), text, re.M)
        return int(m.group(1)) * KIB if m else None

    m = re.search(r"^(\d+) total pagecache pages", text, re.M)
    pagecache = int(m.group(1)) * page if m else None
    m = re.search(r"^(\d+) pages in swap cache", text, re.M)
    swapcache = int(m.group(1)) * page if m else 0
    shmem = pages("shmem")
    lru_anon = [pages("active_anon"), pages("inactive_anon"), pages("isolated_anon")]
    out = {
        "MemFree": pages("free"),
        "free_pcp": pages("free_pcp"),
        "Shmem": shmem,
        "SReclaimable": pages("slab_reclaimable"),
        "SUnreclaim": pages("slab_unreclaimable"),
        "PageTables": pages("pagetables"),
        "KernelStack": node_kb("kernel_stack"),
    }
    # shmem pages are on the anon LRU (swap-backed)
    if None not in lru_anon and shmem is not None:
        out["AnonPages"] = sum(lru_anon) - shmem
    if pagecache is not None and shmem is not None:
        out["file"] = pagecache - shmem - swapcache
    return out


def parse_meminfo(text):
    """/proc/meminfo text -> name: bytes (kB lines) or count."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([^:\s]+):\s+(\d+)(\s+kB)?\s*$", line)
        if m:
            out[m.group(1)] = int(m.group(2)) * (KIB if m.group(3) else 1)
    return out


FINAL = "mw:final:"


def final_raw(truth, path):
    """A source the guest read again as the very last thing before the dump
    (key "mw:final:/proc/meminfo"), or None if this capture has none."""
    return truth.get("raw", {}).get(FINAL + path)


def pcp_pages(truth):
    """Bytes on per-CPU free lists at truth time, from /proc/zoneinfo."""
    z = final_raw(truth, "/proc/zoneinfo") or truth.get("raw", {}).get("/proc/zoneinfo")
    if not z:
        return None
    return sum(int(x) for x in re.findall(r"^\s+count:\s+(\d+)", z, re.M)) * \
        truth.get("page_size", 4096)


def expectations(truth):
    """category -> (truth bytes, where it comes from), and memwhere's field
    for the free check. Documented in memwhere(1) and tests/compare.py."""
    if truth.get("phase") == "before-oom":
        mi = oom_meminfo(truth)
        if mi is None:
            return None
        src = "the OOM report at dump time"
        e = {
            "free_buddy": (mi["MemFree"], "free: (NR_FREE_PAGES) in " + src),
            "anon_mapped": (mi.get("AnonPages"),
                     "active_anon + inactive_anon + isolated_anon - shmem in " + src),
            "file": (mi.get("file"), "total pagecache - shmem - swap cache in " + src),
            "shmem": (mi["Shmem"], "shmem: in " + src),
            "slab_reclaimable": (mi["SReclaimable"], "slab_reclaimable: in " + src),
            "slab_unreclaimable": (mi["SUnreclaim"], "slab_unreclaimable: in " + src),
            "kernel_stack": (mi["KernelStack"], "kernel_stack: in " + src),
            "pagetables": (mi["PageTables"], "pagetables: in " + src),
        }
        if mi.get("free_pcp") is not None and mi.get("MemFree") is not None:
            e["free"] = (mi["MemFree"] + mi["free_pcp"], "free + free_pcp in " + src)
        return e
    final = final_raw(truth, "/proc/meminfo")
    if final:
        m = parse_meminfo(final)
        when = "final /proc/meminfo"
    else:
        # Older captures read /proc/meminfo first and everything else
        # after it (which makes dentries, inodes, page cache): a truth a
        # little older than the dump.
        m = truth["meminfo"]
        when = "/proc/meminfo read first in the truth"

    def src(what):
        return "%s of the %s" % (what, when)

    e = {
        "free_buddy": (m["MemFree"], src("MemFree")),
        "anon_mapped": (m["AnonPages"], src("AnonPages")),
        "swapcache": (m.get("SwapCached"), src("SwapCached")),
        "file": (m["Cached"] + m["Buffers"] - m["Shmem"], src("Cached + Buffers - Shmem")),
        "shmem": (m["Shmem"], src("Shmem")),
        "slab_reclaimable": (m["SReclaimable"], src("SReclaimable")),
        "slab_unreclaimable": (m["SUnreclaim"], src("SUnreclaim")),
        "kernel_stack": (m["KernelStack"], src("KernelStack")),
        "pagetables": (m["PageTables"], src("PageTables")),
        "percpu": (m.get("Percpu"), src("Percpu")),
    }
    pcp = pcp_pages(truth)
    if pcp is not None:
        e["free"] = (m["MemFree"] + pcp, src("MemFree") + " + per-CPU list counts of /proc/zoneinfo")
    if "Hugetlb" in m:
        e["hugetlb"] = (m["Hugetlb"], src("Hugetlb"))
    return e


def compare_summary(mw, truth, checks):
    cats = mw.get("categories")
    if not isinstance(cats, dict) or "total_bytes" not in mw:
        checks.fail("memwhere summary JSON has categories and total_bytes")
        return
    checks.equal("categories sum", sum(cats.values()), mw["total_bytes"],
                 "total_bytes (a partition of RAM)")
    exp = expectations(truth)
    pcp = pcp_pages(truth)
    if truth.get("phase") == "before-oom":
        checks.stale = ("the OOM report is printed before panic() and the pause; the "
                        "panic path allocates a little (printk, notifiers)")
    elif not final_raw(truth, "/proc/meminfo"):
        checks.stale = ("truth.json has no final /proc/meminfo (mw:final:); its meminfo "
                        "was read before the rest of the truth, which allocates")
    if exp is None:
        checks.fail("truth has meminfo numbers for phase %r" % truth.get("phase"))
        return
    for key, (value_bytes, src) in exp.items():
        if value_bytes is None:
            continue
        if key == "free_buddy":
            v = mw.get("free_detail", {}).get("buddy_bytes")
            name = "free (buddy blocks)"
        elif key in ("anon_mapped", "swapcache"):
            v = mw.get("anon_detail", {}).get(key.replace("anon_", "") + "_bytes")
            name = "anon (%s)" % key.replace("anon_", "")
        else:
            v = cats.get(key)
            name = key
        if key == "free" and pcp:
            # free counts the per-CPU lists too: those the guest read can
            # drain or fill between its read of /proc/zoneinfo and the dump
            # (the reading processes free and allocate through them), so
            # their size at read time is added to the tolerance; free
            # (buddy blocks) above stays within 1% of MemFree alone
            slack = pcp		# bytes (pcp_pages)
            checks.close(name, v, value_bytes, src + " (+ the lists' %d pages of tolerance)"
                         % (pcp // truth.get("page_size", 4096)),
                         abs_=max(value_bytes * TOLERANCE_REL, TOLERANCE_ABS) + slack)
            continue
        checks.close(name, v, value_bytes, src)


# ---- memcg ----------------------------------------------------------------

MEMCG_USAGE_ABS = 64 * KIB      # usage: 1% or 64 KiB
MEMCG_STAT_REL = 0.01           # stat fields: 1%
PRINTER_HEAP = 256 * KIB        # the truth printer's heap after its reads (tasks_compare.py too)
# memory.stat (v2) names memwhere reports under the same names
MEMCG_STAT_V2 = ("anon", "file", "shmem", "kernel", "sock", "slab")
# v1 memory.stat (hierarchical total_*) -> memwhere's stat name
MEMCG_STAT_V1 = (("total_rss", "anon"), ("total_cache", "file"),
                 ("total_shmem", "shmem"))


def memcg_hierarchy(truth):
    """The mounted hierarchy the memory controller is on: (version, groups),
    or (None, []) when it is not mounted (6.12 has no v1 memory controller:
    its cgroup-v1 scenario leaves cgroup2 unmounted)."""
    for h in truth.get("cgroups", []):
        if h.get("version") == 1 and "memory" in (h.get("controllers") or []):
            return 1, h.get("groups", [])
    for h in truth.get("cgroups", []):
        if h.get("version") == 2:
            return 2, h.get("groups", [])
    return None, []


def compare_memcg(mw, truth, checks):
    memcgs = mw.get("memcgs")
    dying = mw.get("dying")
    if not isinstance(memcgs, list) or not isinstance(dying, dict):
        checks.fail("memwhere memcg JSON has memcgs and dying")
        return
    if mw.get("memcgs_not_listed"):
        checks.fail("memcg JSON lists every memcg (run with --top 0)")
    by_path = {m["path"]: m for m in memcgs}
    version, groups = memcg_hierarchy(truth)
    derived = truth.get("derived", {})
    num = derived.get("proc_cgroups_memory_num_cgroups")
    if version is not None:
        checks.equal("cgroup version", mw.get("cgroup_version"), version,
                     "the mounted hierarchy with the memory controller")
    if num is not None:
        checks.equal("memcgs found (online and dying)", len(memcgs), num,
                      "/proc/cgroups num_cgroups of memory")
    final = truth.get("phase") == "final"
    if not final:
        # oom: the truth was printed before the hog started, the dump is of
        # the OOM panic later; only the structure is compared.
        for g in groups:
            if g["path"] not in by_path:
                checks.fail("cgroup %s (truth before the OOM) found" % g["path"])
        checks.equal("every cgroup of the truth found", all(
            g["path"] in by_path for g in groups), True,
            "the cgroup tree printed before the OOM (values are of another moment)")
        return
    fields = exact = checked = 0
    worst = (0.0, 0, "")
    # The truth printer (pid 1) keeps what it reads after the memcg
    # counters (every process's status, the kernel's counters) in its shell
    # heap: its cgroup and those above it may count up to PRINTER_HEAP more
    # anon at the dump than memory.stat said (v1's root total_rss: +60 KiB
    # on a 6.1 --small capture), never less.
    init = next((x for x in truth.get("tasks", []) if x.get("pid") == 1), None)
    printer = set()
    p = (init or {}).get("cgroup")
    while p:
        printer.add(p)
        p = None if p == "/" else (p.rsplit("/", 1)[0] or "/")
    for g in groups:
        path = g["path"]
        m = by_path.get(path)
        if m is None:
            checks.fail("cgroup %s found" % path,
                        ["memwhere paths: %s" % ", ".join(sorted(by_path)[:10])])
            continue
        if m.get("dying"):
            checks.fail("cgroup %s is online (the truth lists it)" % path)
        usage_key = "memory_usage_in_bytes" if version == 1 else "memory_current"
        checked += 1
        compared = []
        if g.get(usage_key) is not None:
            # The page counter is charged a batch (64 pages) at a time and
            # what a charge did not use waits in the CPU's memcg_stock: a
            # refill between the guest's read and the pause moves usage by
            # up to the stock memwhere finds at dump time, with no
            # memory.stat counter moving. So usage may exceed the truth by
            # at most that stock (stock_bytes, read from the dump), never
            # more, and never fall short.
            usage = m.get("usage_bytes")
            stock = m.get("stock_bytes") or 0
            name = "%s usage_bytes" % path
            if usage is not None and stock and usage > g[usage_key]:
                take = min(stock, usage - g[usage_key])
                usage -= take
                if take:
                    name += " (less %d B of the %d B pre-charged in per-CPU stocks)" % (
                        take, stock)
            checks.close(name, usage, g[usage_key],
                         "%s memory.%s" % (path, usage_key[len("memory_"):]),
                         rel=0.01, abs_=MEMCG_USAGE_ABS)
            compared.append(("usage_bytes", m.get("usage_bytes"), g[usage_key]))
        st = g.get("memory_stat") or {}
        mst = m.get("stat") or {}
        pairs = [(k, k) for k in MEMCG_STAT_V2] if version == 2 else MEMCG_STAT_V1
        # A kernel whose memory.stat does not take the per-CPU batches in
        # when read (no rstat: 5.10) shows the flushed counters: those are
        # compared, and stat (batches folded) may differ from them by at
        # most the batches, MEMCG_CHARGE_BATCH (32) pages per CPU per memcg
        # of the subtree and counter.
        flushes = mw.get("stat_read_flushes", True)
        key = "stat" if flushes else "stat_flushed"
        fst = m.get(key) or {}
        subtree = sum(1 for p in by_path if p == path or path == "/"
                      or p.startswith(path + "/"))
        batches = 32 * (mw.get("page_size") or 4096) * (mw.get("cpus_folded") or 0) * subtree
        for tk, mk in pairs:
            if tk not in st:
                continue
            v, name = fst.get(mk), "%s %s.%s" % (path, key, mk)
            if mk == "anon" and path in printer and v is not None and v > st[tk]:
                # where memory.stat shows the flushed counters (5.10), the
                # printer's own charges after the read can also fold one
                # per-CPU batch per CPU into them before the dump (5.10
                # rest-small: root anon 264 KiB over, the heap 224 KiB)
                allow = PRINTER_HEAP + (0 if flushes else
                                        32 * (mw.get("page_size") or 4096) * (mw.get("cpus_folded") or 0))
                take = min(allow, v - st[tk])
                v -= take
                name += " (less %d B of the truth printer's heap%s, at most %d B)" % (
                    take, "" if flushes else " and its per-CPU batches", allow)
            checks.close(name, v, st[tk],
                         "%s memory.stat %s" % (path, tk), rel=MEMCG_STAT_REL, abs_=0)
            compared.append((key + "." + mk, fst.get(mk), st[tk]))
            if not flushes and mst.get(mk) is not None and fst.get(mk) is not None:
                checks._add(abs(mst[mk] - fst[mk]) <= batches,
                            "%s stat.%s differs from stat_flushed by at most the per-CPU "
                            "batches (%d B)" % (path, mk, batches),
                            ["stat %d B, stat_flushed %d B" % (mst[mk], fst[mk])])
        for name, v, t in compared:
            fields += 1
            if v is None:
                continue
            exact += v == t
            rel = abs(v - t) / t if t else (0.0 if v == t else float("inf"))
            if rel > worst[0] or (rel == worst[0] and abs(v - t) > abs(worst[1])):
                worst = (rel, v - t, "%s %s" % (path, name))
    # v2: a counter memory.stat does not show is null in memwhere's stat
    # (5.10 shows neither kernel nor pagetables), and one it shows is not
    shown = next((set(g["memory_stat"]) for g in groups
                  if g["path"] != "/" and g.get("memory_stat")), None)
    one = next((m for m in memcgs if m.get("stat")), None)
    if version == 2 and shown is not None and one is not None:
        wrong = sorted(k for k, v in one["stat"].items() if (v is None) == (k in shown))
        nulls = ", ".join(sorted(k for k, v in one["stat"].items() if v is None)) or "none"
        checks._add(not wrong, "stat: null exactly for the counters memory.stat does not "
                    "show (%s)" % nulls, ["wrong: %s" % wrong] if wrong else [])
    # dying
    if version == 2:
        root = next((g for g in groups if g["path"] == "/"), None)
        want = (root or {}).get("cgroup_stat", {}).get("nr_dying_descendants")
        src = "root cgroup.stat nr_dying_descendants"
    elif version == 1:
        want = derived.get("cgroup1_memory_dying_groups")
        src = "/proc/cgroups num_cgroups - live memory cgroups"
    else:
        want = num - 1 if num is not None else None
        src = "/proc/cgroups num_cgroups - 1 (the root; the hierarchy is not mounted)"
    if want is not None:
        checks.equal("dying.count", dying.get("count"), want, src)
    else:
        checks.fail("truth has a dying count")
    # the cgroups the scenario removed are among the dying (their paths as
    # created), and the page cache found pinning them is no more than what
    # mincore saw resident in those files
    notes = truth.get("notes", {}).get("dying_memcg") or []
    if version is None:
        notes = []      # removed from v1 cpu/pids hierarchies, not memcgs
    if isinstance(notes, str):
        notes = [notes]
    dying_paths = {m["path"] for m in memcgs if m.get("dying")}
    for p in notes:
        p = "/" + p.lstrip("/")
        checks.equal("%s is dying" % p, p in dying_paths, True,
                     "notes.dying_memcg (removed by the scenario)")
    resident = {f["path"]: f.get("resident_bytes") for f in truth.get("files", [])}
    pinned = {}
    for d in dying.get("top", []):
        for f in (d.get("pinned_by") or {}).get("files", []):
            if f.get("path") in resident:
                pinned[f["path"]] = pinned.get(f["path"], 0) + f["bytes"]
    for path, b in sorted(pinned.items()):
        r = resident[path]
        checks._add(r is not None and b <= r,
                    "%s: pinned by dying memcgs %d B <= resident %s B" % (path, b, r),
                    ["memwhere %d B of its page cache charged to dying memcgs" % b,
                     "truth    %s B resident (mincore)" % r])
    checks.lines.append("# memcg table: %d cgroups checked, %d fields, %d equal exactly, "
                        "worst %+d B (%.3f%%) at %s; dying %s (truth %s)" % (
                            checked, fields, exact, worst[1], worst[0] * 100,
                            worst[2] or "-", dying.get("count"), want))


# ---- files ----------------------------------------------------------------

SHM_DEST = 0o1000       # /proc/sysvipc/shm perms bit of an IPC_RMID'ed segment


def written_paths(truth):
    """Files open in a process of the scenario that still runs (not a
    transient process of the truth printer): being written at dump time, so
    their residency may move by a page between mincore and the dump."""
    out = set()
    for t in truth.get("tasks", []):
        if t.get("transient") or t.get("kernel_thread") or t.get("state") == "Z":
            continue
        for target in (t.get("fds") or {}).values():
            if isinstance(target, str) and target.startswith("/"):
                out.add(target)
    return out


def compare_files(mw, truth, checks):
    """memwhere files --top 0 against the guest: every file of the scenario's
    trees (cached_bytes == mincore residency, exactly; one page of slack only
    for a file a running process has open), the unlinked /dev/shm file still
    mapped (/proc/PID/map_files residency), the removed SysV segment (rss of
    /proc/sysvipc/shm), and the total against /proc/meminfo (Cached +
    Buffers: Cached already holds Shmem, and leaves out swap cache and
    block-device buffers; memwhere lists block devices' cache as files, so
    Buffers is added) within 1%."""
    files = mw.get("files")
    if not isinstance(files, list) or "total_cached_bytes" not in mw:
        checks.fail("memwhere files JSON has files and total_cached_bytes")
        return
    if mw.get("files_listed") != mw.get("files_total"):
        checks.fail("files JSON lists every file (run with --top 0)")
    page = truth.get("page_size", 4096)
    final = truth.get("phase") == "final"
    written = written_paths(truth)
    by_path = {}
    for f in files:
        if f.get("name_kind") == "path" and not f.get("deleted"):
            by_path[f["path"]] = f
    checked = exact = 0
    slack_used = []
    reclaimed = []
    bad = []
    attr_bad = []
    for tf in truth.get("files", []):
        path, want = tf["path"], tf.get("resident_bytes")
        if want is None:
            continue
        m = by_path.get(path)
        if m and m.get("kind") == "hugetlb":
            continue  # hugetlb pool pages: mincore cannot see them (pools-real checks them)
        got = m["cached_bytes"] if m else 0
        checked += 1
        slack = page if path in written else 0
        if final:
            ok = abs(got - want) <= slack
        else:
            # oom: residency measured before the OOM; reclaim only shrinks it
            ok = got <= want + slack
        if got == want:
            exact += 1
        elif ok and final:
            slack_used.append("%s (%+d B)" % (path, got - want))
        elif ok:
            reclaimed.append("%s (%+d B)" % (path, got - want))
        if not ok:
            bad.append("%-10s %12d B  truth %12d B (mincore)  tolerance %d B  %s" % (
                "memwhere", got, want, slack if final else want + slack, path))
        if m and final:
            for key, tkey in (("size_bytes", "size_bytes"), ("inode", "inode"), ("fs", "fs")):
                if tkey in tf and m.get(key) != tf[tkey] and not (
                        key == "size_bytes" and path in written):
                    attr_bad.append("%s %s: memwhere %r, truth %r" % (path, key, m.get(key),
                                                                      tf[tkey]))
    if final:
        # mapped: the file is in some process's /proc/PID/maps (transient
        # processes of the truth printer are gone at dump time)
        transient = {str(t.get("pid")) for t in truth.get("tasks", []) if t.get("transient")}
        mapped_paths = set()
        have_maps = False
        for key, text in truth.get("raw", {}).items():
            m = re.match(r"^/proc/(\d+)/maps$", key)
            if not m or m.group(1) in transient:
                continue
            have_maps = True
            for line in text.splitlines():
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    mapped_paths.add(parts[5])
        if have_maps:
            wrong = []
            for tf in truth.get("files", []):
                m = by_path.get(tf["path"])
                if m is not None and m.get("mapped") != (tf["path"] in mapped_paths):
                    wrong.append("%s: memwhere mapped=%r, /proc/PID/maps %s" % (
                        tf["path"], m.get("mapped"),
                        "lists it" if tf["path"] in mapped_paths else "do not list it"))
            checks._add(not wrong, "files: mapped equals whether a process's /proc/PID/maps "
                        "lists the file", wrong[:20])
    what = "equals" if final else "is at most (reclaim since the truth)"
    checks._add(not bad, "%d files: cached_bytes %s the mincore residency%s" % (
        checked, what, " (one page of slack for files open in a running process)"),
        bad[:40] + (["... %d more" % (len(bad) - 40)] if len(bad) > 40 else []))
    if final:
        checks._add(not attr_bad, "%d files: size_bytes, inode and fs equal the truth's"
                    % checked, attr_bad[:40])
    if final:
        # unlinked files still mapped: /proc/PID/map_files residency
        deleted = {}
        for t in truth.get("tasks", []):
            for sm in t.get("shared_mappings") or []:
                name = sm.get("name", "")
                if name.endswith(" (deleted)") and name.startswith("/") and \
                        not name.startswith("/SYSV") and not name.startswith("/memfd:"):
                    deleted[(name[:-len(" (deleted)")], sm.get("inode"))] = sm
        for (path, ino), sm in sorted(deleted.items()):
            cand = [f for f in files if f.get("path") == path and f.get("inode") == ino]
            got = cand[0] if cand else None
            checks._add(got is not None and got.get("deleted") is True and
                        got.get("mapped") is True,
                        "%s (inode %s) listed as deleted and mapped" % (path, ino),
                        ["memwhere %r" % (got,)])
            if got is not None:
                checks.equal("%s cached_bytes" % path, got["cached_bytes"],
                             sm.get("resident_bytes"), "its residency through /proc/PID/map_files")
        # SysV segments: rss of /proc/sysvipc/shm, by shmid
        sysv = {}
        for f in files:
            sid = (f.get("sysv") or {}).get("shmid")
            if f.get("name_kind") == "sysv_shm" and sid is not None:
                sysv[sid] = f
        for row in truth.get("sysvipc_shm", []):
            sid = row.get("shmid")
            f = sysv.get(sid)
            if f is None:
                checks.fail("SysV segment shmid %s (key %s) listed" % (sid, row.get("key")),
                            ["memwhere SysV files: %r" % sorted(sysv)])
                continue
            rss, why = row.get("rss"), "rss of /proc/sysvipc/shm"
            hp = (truth.get("meminfo") or {}).get("Hugepagesize") or 0
            ps = truth.get("page_size", 4096)
            if rss is not None and rss > (row.get("size") or 0) and hp > ps and \
                    f.get("fs") == "hugetlbfs":
                # more than the segment holds: kernels whose hugetlb page cache
                # counts base pages (nrpages) still multiply it by the pages per
                # huge page in shm_add_rss_swap (6.18: 8 MiB shows as 4 GiB)
                rss, why = rss // (hp // ps), why + " / pages per huge page (the kernel's over-count)"
            checks.equal("SysV shmid %s cached_bytes" % sid, f["cached_bytes"], rss, why)
            checks.equal("SysV shmid %s key" % sid, (f.get("sysv") or {}).get("key"),
                         row.get("key"), "key of /proc/sysvipc/shm")
            removed = bool(int(str(row.get("perms", 0)), 8) & SHM_DEST)
            checks.equal("SysV shmid %s deleted" % sid, f.get("deleted"), removed,
                         "SHM_DEST in the perms of /proc/sysvipc/shm")
    # totals
    exp = expectations(truth)
    if exp and exp.get("file") and exp.get("shmem") and exp["file"][0] is not None \
            and exp["shmem"][0] is not None:
        total = exp["file"][0] + exp["shmem"][0]
        src = ("Cached + Buffers (%s; %s)" % (exp["file"][1], exp["shmem"][1])) if final \
            else "total pagecache - swap cache in the OOM report"
        checks.close("total_cached_bytes", mw["total_cached_bytes"], total, src,
                     rel=0.01, abs_=0)
        checks.close("shmem_bytes", mw.get("shmem_bytes"), exp["shmem"][0], exp["shmem"][1],
                     rel=0.01, abs_=0)
        tot_diff = "%+d B (%.3f%%)" % (mw["total_cached_bytes"] - total,
                                       100.0 * (mw["total_cached_bytes"] - total) / total
                                       if total else 0)
    else:
        checks.fail("truth has meminfo numbers for the total")
        tot_diff = "?"
    if final:
        m = parse_meminfo(final_raw(truth, "/proc/meminfo") or "") or truth.get("meminfo", {})
        if m.get("Buffers") is not None:
            checks.close("block_device_bytes", mw.get("block_device_bytes"), m["Buffers"],
                         "Buffers of /proc/meminfo")
        if m.get("Dirty") is not None:
            checks.close("dirty_bytes", mw.get("dirty_bytes"), m["Dirty"],
                         "Dirty of /proc/meminfo")
    checks.lines.append("# files table: %d files checked, %d exact, slack used on %d%s%s; "
                        "total %d B, against the truth %s" % (
                            checked, exact, len(slack_used),
                            (" (" + ", ".join(slack_used) + ")") if slack_used else "",
                            ("; %d below the truth printed before the OOM (reclaimed): %s"
                             % (len(reclaimed), ", ".join(reclaimed))) if reclaimed else "",
                            mw["total_cached_bytes"], tot_diff))


# ---- pages: nodes and zones ----------------------------------------------

def parse_zoneinfo_zones(text):
    """/proc/zoneinfo -> [{node, zone, spanned, present, managed, nr_free_pages,
    start_pfn, pcp}] (pcp: the zone's per-CPU list counts, pages)."""
    zones, cur = [], None
    for line in text.splitlines():
        m = re.match(r"^Node\s+(\d+),\s+zone\s+(\S+)", line)
        if m:
            cur = {"node": int(m.group(1)), "zone": m.group(2), "pcp": 0}
            zones.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r"^\s+(spanned|present|managed|nr_free_pages|start_pfn:?|count:)\s+(\d+)\s*$", line)
        if m:
            key = m.group(1).rstrip(":")
            if key == "count":
                cur["pcp"] += int(m.group(2))
            elif key == "nr_free_pages" and key in cur:
                continue        # the per-node stats block comes first on some kernels
            else:
                cur[key] = int(m.group(2))
            continue
        m = re.match(r"^\s+pages free\s+(\d+)", line)
        if m:
            cur["free"] = int(m.group(1))
    return zones


# per-node meminfo field -> memwhere's per-zone category summed over a node's zones
NODE_CATEGORIES = (("Shmem", "shmem"), ("SReclaimable", "slab_reclaimable"),
                   ("SUnreclaim", "slab_unreclaimable"), ("KernelStack", "kernel_stack"),
                   ("PageTables", "pagetables"))


def compare_pages(mw, truth, checks):
    """memwhere pages' nodes and zones against the guest's /proc/zoneinfo
    (read last before the dump) and each node's own meminfo
    (/sys/devices/system/node/nodeN/meminfo, captures that record it)."""
    nodes = mw.get("nodes")
    if not isinstance(nodes, list):
        checks.fail("memwhere pages JSON has nodes")
        return
    page = truth.get("page_size", 4096)
    text = final_raw(truth, "/proc/zoneinfo")
    when = "final /proc/zoneinfo"
    if not text:
        text = truth.get("raw", {}).get("/proc/zoneinfo")
        when = "/proc/zoneinfo"
    if not text:
        checks.fail("truth has /proc/zoneinfo")
        return
    tz = [z for z in parse_zoneinfo_zones(text) if z.get("spanned")]
    # oom, memcg-oom: the truth was read before the OOM or crash the dump is
    # of: only the zones' extents are compared (free pages moved since)
    final = truth.get("phase") == "final"
    mz = {}
    for n in nodes:
        for z in n.get("zones", []):
            mz[(n.get("node"), z.get("zone"))] = z
    tnodes = sorted({z["node"] for z in tz})
    checks.equal("nodes", sorted(n.get("node") for n in nodes if n.get("present_pages")), tnodes,
                 "the nodes with pages in the %s" % when)
    for z in tz:
        key = (z["node"], z["zone"])
        name = "node %d zone %s" % key
        m = mz.get(key)
        if m is None:
            checks.fail("%s found" % name, ["memwhere zones: %s" % sorted(mz)])
            continue
        got = tuple(m.get(k) for k in ("start_pfn", "spanned_pages", "present_pages", "managed_pages"))
        want = (z.get("start_pfn"), z.get("spanned"), z.get("present"), z.get("managed"))
        checks.equal("%s start_pfn, spanned, present, managed pages" % name, got, want, when)
        free = z.get("nr_free_pages", z.get("free"))
        if free is None or not final:
            continue
        # the per-CPU lists drain and fill between the read and the pause:
        # their size at read time is added to the tolerance (compare_summary)
        slack = z["pcp"]
        tol = max(free * TOLERANCE_REL, TOLERANCE_ABS // page) + slack
        checks.close("%s kernel_free_pages (NR_FREE_PAGES read from the dump)" % name,
                     m.get("kernel_free_pages"), free, "%s nr_free_pages (+ %d pcp pages of tolerance)"
                     % (when, slack), abs_=tol, rel=0, unit="pages")
        scan_free = (m.get("categories") or {}).get("free")
        checks.close("%s free pages found by the page scan (buddy and per-CPU lists)" % name,
                     scan_free, free + z["pcp"], "%s nr_free_pages + the zone's per-CPU counts" % when,
                     abs_=tol, rel=0, unit="pages")
    by_node = {n.get("node"): n for n in nodes}
    for nid in tnodes:
        n = by_node.get(nid)
        if n is None:
            continue
        zs = [z for z in tz if z["node"] == nid]
        present = sum(z.get("present", 0) for z in zs)
        spanned = max(z["start_pfn"] + z["spanned"] for z in zs) - min(z["start_pfn"] for z in zs) \
            if all("start_pfn" in z for z in zs) else None
        checks.equal("node %d present_pages" % nid, n.get("present_pages"), present,
                     "the sum of its zones' present in the %s" % when)
        if spanned is not None:
            checks.equal("node %d spanned_pages" % nid, n.get("spanned_pages"), spanned,
                         "its zones' extent in the %s" % when)
    nmi = truth.get("node_meminfo") or {}
    if not final:
        return
    if not nmi:
        checks.lines.append("# no per-node meminfo in this truth (a capture made before it was recorded)")
        return
    # The nodes' meminfo files are read last, after the final /proc/meminfo:
    # a counter that moved between the two reads (a process of the truth
    # printer starting or leaving) shows as the difference between the
    # nodes' sum and the system's figure read just before, and that much
    # is added to the tolerance (6.18 and 7.3 small guests: PageTables
    # 992 KiB in /proc/meminfo and in the dump, 1296 KiB in node0/meminfo
    # a moment later).
    fmi = final_raw(truth, "/proc/meminfo")
    fmi = parse_meminfo(fmi) if fmi else {}
    moved = {}
    for field, _ in NODE_CATEGORIES:
        vals = [mi.get(field) for mi in nmi.values()]
        if field in fmi and None not in vals:
            moved[field] = abs(sum(vals) - fmi[field])
    for nid_s, mi in sorted(nmi.items()):
        nid = int(nid_s)
        n = by_node.get(nid)
        if n is None:
            checks.fail("node %d (its /sys/devices/system/node/node%d/meminfo) found" % (nid, nid))
            continue
        src = "/sys/devices/system/node/node%d/meminfo read last" % nid
        zs = n.get("zones", [])
        if "MemTotal" in mi:
            checks.equal("node %d managed pages" % nid, sum(z.get("managed_pages", 0) for z in zs) * page,
                         mi["MemTotal"], "MemTotal of " + src)
        if "MemFree" in mi:
            buddy = sum(sum(c << o for o, c in enumerate(z.get("free_blocks_by_order") or []))
                        for z in zs) * page
            checks.close("node %d free (buddy blocks)" % nid, buddy, mi["MemFree"], "MemFree of " + src)
        for field, cat in NODE_CATEGORIES:
            if field not in mi:
                continue
            v = sum((z.get("categories") or {}).get(cat, 0) for z in zs) * page
            drift = moved.get(field, 0)
            checks.close("node %d %s" % (nid, cat), v, mi[field],
                         "%s of %s%s" % (field, src, " (+ %d B it moved from the final "
                                         "/proc/meminfo's, read just before)" % drift
                                         if drift else ""),
                         abs_=TOLERANCE_ABS + drift)


COMMANDS = {"summary": compare_summary, "memcg": compare_memcg, "files": compare_files,
            "pages": compare_pages}


def main(argv):
    if len(argv) < 4 or argv[1] not in COMMANDS:
        print("usage: compare.py {%s} MEMWHERE.json TRUTH.json [LABEL]"
              % "|".join(COMMANDS), file=sys.stderr)
        return 2
    try:
        mw = load(argv[2])
        truth = load(argv[3])
    except (OSError, ValueError) as e:
        print("compare.py: %s" % e, file=sys.stderr)
        return 2
    checks = Checks(argv[4] if len(argv) > 4 else "")
    COMMANDS[argv[1]](mw, truth, checks)
    checks.output()
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
