#!/usr/bin/env python3
"""memwhere slab / vmalloc against the guest's own /proc files.

Usage: kmem_compare.py slab|vmalloc MEMWHERE DUMP TRUTH.json

Prints "ok - ..." / "not ok - ..." lines (numbered by tests/dumps.sh's
run_compare) and "# ..." diagnostics. The expected numbers are what the guest
read from /proc/slabinfo, /proc/vmallocinfo and /proc/meminfo right before
the pause (truth.json), never memwhere's own output.
"""
import json
import re
import subprocess
import sys
from collections import defaultdict


def run(memwhere, cmd, dump):
    p = subprocess.run([memwhere, "--json", "--top", "0", "--no-progress", cmd, dump],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    return cond


def parse_slabinfo(text):
    caches = {}
    for line in text.splitlines():
        if line.startswith(("slabinfo", "#")) or ":" not in line:
            continue
        f = line.split()
        try:
            caches[f[0]] = {"name": f[0], "active_objs": int(f[1]), "num_objs": int(f[2]),
                            "objsize": int(f[3]), "objperslab": int(f[4]),
                            "pagesperslab": int(f[5]), "num_slabs": int(f[14])}
        except (IndexError, ValueError):
            continue
    return caches


# The final counters are read in this order (scripts/guest/truth.sh,
# FINAL_FILES), each by its own short-lived cat.
FINAL_FILES = ["slabinfo", "zoneinfo", "buddyinfo", "vmstat", "meminfo"]


# The caches of what one short-lived reader process (busybox cat) holds,
# and at most how many objects of each.
READER_CACHES = {"anon_vma_chain", "anon_vma", "vm_area_struct", "maple_node", "mm_struct",
                 "task_struct", "files_cache", "signal_cache", "sighand_cache", "pid",
                 "cred_jar", "filp", "fs_cache", "pidfs_inode_cache"}
READER_OBJECTS = 16


def seq_buffer_caches(truth):
    """The kmalloc caches that the readers after the final /proc/slabinfo
    allocate their seq_file buffers from (GFP_KERNEL_ACCOUNT: kmalloc-cg-*):
    a page first, doubled while one record does not fit (zoneinfo's record
    is a whole node, meminfo's the whole file). Such a buffer, allocated
    and freed after the slabinfo read, can have taken a new slab on a CPU
    that held none of that cache: {cache name: reason}."""
    raw = truth.get("raw", {})
    caches = {"kmalloc-cg-4k": "a page-sized seq_file buffer per reader"}
    for f in FINAL_FILES[FINAL_FILES.index("slabinfo") + 1:]:
        text = raw.get("mw:final:/proc/" + f, "")
        if f == "zoneinfo":
            records = re.split(r"(?m)^(?=Node \d+, zone)", text)
            per_node = defaultdict(int)
            for r in records:
                m = re.match(r"Node (\d+), zone", r)
                if m:
                    per_node[m.group(1)] += len(r)
            records = list(per_node.values())
        elif f == "meminfo":
            records = [len(text)]
        else:
            records = [len(line) + 1 for line in text.splitlines()]
        size = 4096
        while records and max(records) >= size:
            size *= 2
        if size > 4096 and size <= 8192:
            caches[f"kmalloc-cg-{size // 1024}k"] = \
                f"the {f} reader's seq_file buffer (a record of {max(records)} B)"
    return caches


def nr_cpus(truth):
    """CPUs the guest had, from its final /proc/zoneinfo pagesets."""
    raw = truth.get("raw", {})
    text = raw.get("mw:final:/proc/zoneinfo") or raw.get("/proc/zoneinfo", "")
    return len(set(re.findall(r"(?m)^\s+cpu: (\d+)", text))) or 1


def slab(memwhere, dump, truth):
    rc, out, err = run(memwhere, "slab", dump)
    if not check(rc in (0, 1), f"{dump}: slab exits {rc}"):
        print("# " + err.strip().replace("\n", "\n# "))
        return
    doc = json.loads(out)
    got = {c["name"]: c for c in doc["caches"]}
    # the final read right before the pause (truth-schema.md), else the
    # truth's slabinfo (read earlier: the truth's own /proc reads grow
    # dentry, proc_inode_cache, ... after it)
    final = truth.get("raw", {}).get("mw:final:/proc/slabinfo")
    if final:
        want = parse_slabinfo(final)
        print(f"# {dump}: against the final /proc/slabinfo read before the pause")
    else:
        want = {c["name"]: c for c in truth.get("slabinfo", [])}
    check(set(got) == set(want),
          f"{dump}: the same {len(want)} cache names as /proc/slabinfo "
          f"(only memwhere: {sorted(set(got) - set(want))[:5]}, "
          f"only slabinfo: {sorted(set(want) - set(got))[:5]})")
    fields = [("objects_active", "active_objs"), ("objects_total", "num_objs"),
              ("size", "objsize"), ("objects_per_slab", "objperslab"),
              ("pages_per_slab", "pagesperslab"), ("slabs", "num_slabs")]
    equal, differ = 0, []
    buffers = seq_buffer_caches(truth) if final else {}
    cpus = nr_cpus(truth)
    for name, w in sorted(want.items()):
        g = got.get(name)
        if g is None:
            continue
        bad = [f"{mf} {g[mf]} != {tf} {w[tf]}" for mf, tf in fields if g[mf] != w[tf]]
        why = buffers.get(name)
        if why is None and final and re.fullmatch(r"kmalloc-(\d+k?)", name):
            # the final readers are processes forked after the slabinfo
            # read: fork, exec, open and exit kmalloc from the generic
            # caches too (6.12 mixed: kmalloc-2k one whole slab more, all
            # in use), with the same signature as a seq_file buffer's
            why = "the final readers' kmallocs (fork, exec, open)"
        if bad and why and g["objects_per_slab"] == w["objperslab"]:
            # A reader after the slabinfo read (its seq_file buffer) took
            # a new slab on a CPU without one: whole slabs more, at most one
            # per CPU, every object of a CPU's slab counted in use, as
            # /proc/slabinfo counts them; the slabinfo reader's own buffer,
            # in use at its read, can be free in the dump.
            ds, do = g["slabs"] - w["num_slabs"], g["objects_total"] - w["num_objs"]
            da = g["objects_active"] - w["active_objs"]
            if 0 < ds <= cpus and do == ds * w["objperslab"] and do - 1 <= da <= do:
                print(f"# {name}: {ds} slab(s) more than the slabinfo read, all in use:"
                      f" {why}, allocated after it")
                bad = []
        cap = g.get("sheaf_capacity") or 0
        if bad and cap and final and all(g[mf] == w[tf] for mf, tf in fields[2:5]):
            # Sheaves (6.18+): /proc/slabinfo counts the objects in per-CPU
            # sheaves and in the node's barn as in use; they go back to
            # their slabs (or come from them) a whole sheaf at a time, when
            # a barn overflows or a sheaf is refilled, and frees through RCU
            # (maple nodes and VMAs of the readers that exited) reach the
            # sheaves a grace period later: after the read, in-use objects
            # can move by at most what the sheaves hold (three per CPU and
            # a barn of at most ten full sheaves per node); a slab they
            # empty is freed, a refill can take a new one: whole slabs.
            limit = (3 * cpus + 10) * cap
            da = g["objects_active"] - w["active_objs"]
            ds, do = g["slabs"] - w["num_slabs"], g["objects_total"] - w["num_objs"]
            if abs(da) <= limit and do == ds * w["objperslab"] and abs(do) <= limit:
                print(f"# {name}: {da:+d} objects in use, {ds:+d} slabs against the slabinfo"
                      f" read, in sheaves of {cap} (at most {limit} objects move between"
                      f" sheaves and slabs)")
                bad = []
        ds = g["slabs"] - w["num_slabs"]
        if bad and final and name in READER_CACHES and -cpus <= ds <= 0 and \
                g["objects_total"] - w["num_objs"] == ds * w["objperslab"] and \
                all(g[mf] == w[tf] for mf, tf in fields[2:5]) and \
                -READER_OBJECTS <= g["objects_active"] - w["active_objs"] < 0:
            # the slabinfo reader (a cat) exits after its read: what its
            # process held, freed onto a slab no CPU holds, is free in the
            # dump, and a slab those frees emptied may have gone back to the
            # page allocator (6.12 rest-small: maple_node one slab fewer)
            print(f"# {name}: {g['objects_active'] - w['active_objs']:+d} objects in use against"
                  f" the slabinfo read: the exited reader's (at most {READER_OBJECTS})")
            bad = []
        if bad:
            differ.append((name, bad))
        else:
            equal += 1
    compared = equal + len(differ)
    print(f"# {dump}: slab caches compared {compared}, equal {equal}")
    for name, bad in differ:
        print(f"# {name}: " + "; ".join(bad))
    # Every column of every cache must match: the truth was read with the
    # guest quiet right before the pause. But for one race: each process
    # that made one of the final reads exits, and its task_struct is freed
    # an RCU grace period after it is reaped, which may fall between the
    # slabinfo read and the pause: task_struct's active objects may be
    # below slabinfo's by at most one per final read, every other column
    # still equal.
    readers = sum(1 for k in truth.get("raw", {}) if k.startswith("mw:final:")) or 2
    def exited_readers(name, bad):
        g, w = got[name], want[name]
        return (name == "task_struct" and len(bad) == 1 and
                0 < w["active_objs"] - g["objects_active"] <= readers)
    racy = [(n, b) for n, b in differ if exited_readers(n, b)]
    for name, bad in racy:
        print(f"# {name}: {want[name]['active_objs'] - got[name]['objects_active']} task_structs "
              f"of exited readers freed after the read (at most {readers}, one per final read)")
        differ.remove((name, bad))
        equal += 1
    check(not differ and compared > 0,
          f"{dump}: every cache's active_objs, num_objs, objsize, objperslab, "
          f"pagesperslab, num_slabs equal /proc/slabinfo ({equal}/{compared})")
    # the dcache's own counters: every counted dentry is an active object of
    # the dentry cache (objects cached per CPU count as active too), and the
    # scenario's lookups of missing names left at least that many negative ones
    ds = doc.get("dentry_state")
    if ds and "dentry" in got:
        check(0 < ds["nr_dentry"] <= got["dentry"]["objects_active"],
              f"{dump}: nr_dentry {ds['nr_dentry']} <= the dentry cache's active objects "
              f"{got['dentry']['objects_active']}")
        lookups = (truth.get("notes") or {}).get("negative_lookups")
        if lookups and ds.get("nr_negative") is not None:
            check(ds["nr_negative"] >= lookups,
                  f"{dump}: {ds['nr_negative']} negative dentries >= the guest's "
                  f"{lookups} lookups of missing names")
    # the kernel's own slab counters: SReclaimable counts each slab at its
    # real order, the caches' bytes at the cache's preferred order (as
    # slabinfo's numbers give it), so they can only be a little above it; a
    # slab allocated at the fallback order is the difference. SUnreclaim also
    # holds large kmallocs (straight from the page allocator, in no cache),
    # so it is at least the unreclaimable caches' bytes.
    final = truth.get("raw", {}).get("mw:final:/proc/meminfo", "")
    m1 = re.search(r"^SReclaimable:\s+(\d+) kB", final, re.M)
    m2 = re.search(r"^SUnreclaim:\s+(\d+) kB", final, re.M)
    if m1 and m2:
        srec, sunrec = int(m1.group(1)) * 1024, int(m2.group(1)) * 1024
        rec = doc["reclaimable_bytes"]
        unrec = doc["total_bytes"] - rec
        # both are node counters read without their per-CPU deltas
        # (global_node_page_state): each CPU's vm stats threshold away
        # from the exact count, either way
        drift = max(node_stat_drift(truth, "nr_slab_reclaimable"),
                    node_stat_drift(truth, "nr_slab_reclaimable_B"))
        udrift = max(node_stat_drift(truth, "nr_slab_unreclaimable"),
                     node_stat_drift(truth, "nr_slab_unreclaimable_B"))
        print(f"# {dump}: reclaimable caches {rec} vs SReclaimable {srec} (+{rec - srec}); "
              f"unreclaimable caches {unrec} vs SUnreclaim {sunrec} ({sunrec - unrec} in large kmallocs "
              f"and fallback-order slabs); per-CPU deltas at most {drift} and {udrift} B")
        check(srec - drift <= rec <= (srec + drift) * 1.01 + 65536,
              f"{dump}: reclaimable caches' bytes ({rec}) are SReclaimable ({srec}) plus at most 1% (slabs at the "
              f"fallback order; the final meminfo is read after slabinfo), but for the per-CPU "
              f"deltas SReclaimable leaves out (at most {drift} B, the CPUs' vm stats thresholds)")
        check(unrec <= (sunrec + udrift) * 1.01,
              f"{dump}: unreclaimable caches' bytes are within SUnreclaim (and its per-CPU deltas, "
              f"at most {udrift} B)")
    total = sum(c["bytes"] for c in doc["caches"])
    check(total == doc["total_bytes"], f"{dump}: slab total_bytes is the sum of the caches")
    aliases(dump, doc, truth)


def aliases(dump, doc, truth):
    """SLUB's merged names against the guest's /sys/kernel/slab symlinks
    (truth slab_aliases, captures since the shm-oom scenario): every cache's
    sysfs directory is where the link of its own name points, and its aliases
    are the other links pointing there."""
    links = truth.get("slab_aliases")
    if links is None:
        return
    if not check(doc.get("aliases_known") and doc.get("aliases_complete"),
                 f"{dump}: slab read the merged cache names from /sys/kernel/slab in the dump"):
        return
    by_target = defaultdict(set)
    for name, target in links.items():
        by_target[target].add(name)
    bad, compared = [], 0
    for c in doc["caches"]:
        # a merged cache's own name is a link to its unique directory; an
        # unmergeable one's directory has its name and no link
        target = links.get(c["name"], c["name"])
        want = sorted(by_target.get(target, set()) - {c["name"]})
        compared += 1
        if c.get("sysfs_name") != target or sorted(c.get("aliases") or []) != want:
            bad.append((c["name"], c.get("sysfs_name"), c.get("aliases"), target, want))
    check(not bad, f"{dump}: every cache's sysfs directory and merged names equal the guest's "
          f"/sys/kernel/slab links ({compared - len(bad)}/{compared}; {len(links)} links)"
          + ("" if not bad else "; first differences (cache, memwhere dir, aliases, guest dir, "
             "aliases): %s" % bad[:3]))
    named = {a for c in doc["caches"] for a in c.get("aliases") or []}
    cache_names = {c["name"] for c in doc["caches"]}
    missing = sorted(n for n, t in links.items() if n not in cache_names and n not in named)
    check(not missing, f"{dump}: every link that is not a cache's own name is an alias "
          f"memwhere names ({len(missing)} missing: {missing[:5]})")


CALLER = re.compile(r"^\S+\s+(\d+)\s+(\S+)")


def vmallocinfo_callers(text):
    """{caller without /size: pages} from /proc/vmallocinfo lines with pages=."""
    pages = defaultdict(int)
    for line in text.splitlines():
        m = re.search(r" pages=(\d+)", line)
        f = CALLER.match(line)
        if not m or not f:
            continue
        caller = f.group(2)
        mod = re.search(r" \[(\S+)\]", line)
        caller = caller.split("/")[0]
        if mod:
            caller += " [" + mod.group(1) + "]"
        pages[caller] += int(m.group(1))
    return pages


KINDS = ("ioremap", "vmalloc", "vmap", "user", "dma-coherent")


def vmallocinfo_areas(text):
    """{caller: {"areas": n, "kinds": {kind: n}}} over the busy areas (not the
    lazily freed "unpurged vm_area" lines, not vm_map_ram)."""
    out = defaultdict(lambda: {"areas": 0, "kinds": defaultdict(int)})
    for line in text.splitlines():
        f = CALLER.match(line)
        if not f or "unpurged vm_area" in line or "vm_map_ram" in line:
            continue
        caller = f.group(2).split("/")[0]
        mod = re.search(r" \[(\S+)\]", line)
        if mod:
            caller += " [" + mod.group(1) + "]"
        out[caller]["areas"] += 1
        kind = next((w for w in line.split()[3:] if w in KINDS), "other")
        out[caller]["kinds"][kind] += 1
    return out


def vmalloc(memwhere, dump, truth):
    rc, out, err = run(memwhere, "vmalloc", dump)
    if not check(rc in (0, 1), f"{dump}: vmalloc exits {rc}"):
        print("# " + err.strip().replace("\n", "\n# "))
        return
    doc = json.loads(out)
    used = truth["meminfo"].get("VmallocUsed")
    got_pages = defaultdict(int)
    for c in doc["callers"]:
        got_pages[c["caller"]] += c["pages"]
    want = vmallocinfo_callers(truth["raw"].get("/proc/vmallocinfo", ""))
    # module callers read "func+0x4e [module]" as in /proc/vmallocinfo
    # (the module's own symbol table): compared by name like the others
    want_core = dict(want)
    got_core = {c: p for c, p in got_pages.items() if p}
    equal, differ = 0, []
    for c in sorted(set(want_core) | set(got_core)):
        w, g = want_core.get(c, 0), got_core.get(c, 0)
        if w == g:
            equal += 1
        else:
            differ.append((c, g, w))
    print(f"# {dump}: vmalloc callers compared {equal + len(differ)}, equal {equal}")
    # Thread stacks (kernel_clone/copy_process) come and go with tasks: the
    # guest's short-lived helper processes that ran between its read of
    # /proc/vmallocinfo and the pause. Name the difference.
    for c, g, w in differ:
        print(f"# caller {c}: memwhere {g} pages, /proc/vmallocinfo {w}")
    stacks = ("kernel_clone", "copy_process", "dup_task_struct", "alloc_thread_stack_node")
    # Modules loaded between the read of /proc/vmallocinfo and the later
    # one of /proc/modules (a crypto module zram asks for on first use):
    # a caller whose areas in the dump are one per module, each at the
    # address /proc/modules gives, may have those modules' areas more than
    # /proc/vmallocinfo, and no other difference.
    mod_addrs = set()
    for line in truth["raw"].get("/proc/modules", "").splitlines():
        f = line.split()
        if len(f) >= 6 and f[-1].startswith("0x") and int(f[-1], 16):
            mod_addrs.add(int(f[-1], 16))
    want_areas = vmallocinfo_areas(truth["raw"].get("/proc/vmallocinfo", ""))
    late = {}
    for c, g, w in differ:
        starts = [int(a["start"], 16) for a in doc["areas"] if a["caller"] == c]
        n_want = want_areas.get(c, {"areas": 0})["areas"]
        if (mod_addrs and starts and set(starts) == mod_addrs and len(starts) == len(mod_addrs)
                and n_want < len(starts) and g > w):
            late[c] = len(starts) - n_want
            print(f"# caller {c}: one area per module at /proc/modules' addresses ({len(starts)}); "
                  f"{late[c]} loaded after the read of /proc/vmallocinfo")
    racy = [d for d in differ if d[0].split("+")[0] in stacks or d[0] in late]
    firm = [d for d in differ if d not in racy]
    check(not firm and equal > 0,
          f"{dump}: pages per caller equal /proc/vmallocinfo for every caller but "
          f"thread stacks ({equal} equal, {len(firm)} differ)")
    if racy:
        c, g, w = racy[0]
        print(f"# thread stacks differ by {g - w} pages ({(g - w) // 4} stacks of 4 pages): "
              f"tasks that started or ended between the guest's read and the pause")
    # areas and their kinds per caller (a percpu chunk is "vmalloc" there)
    want_a = vmallocinfo_areas(truth["raw"].get("/proc/vmallocinfo", ""))
    got_a = defaultdict(lambda: {"areas": 0, "kinds": defaultdict(int)})
    for a in doc["areas"]:
        k = "vmalloc" if a["kind"] == "percpu" else a["kind"]
        if k == "vm_map_ram":
            continue
        got_a[a["caller"]]["areas"] += 1
        got_a[a["caller"]]["kinds"][k] += 1
    a_equal, a_differ = 0, []
    for c in sorted(set(want_a) | set(got_a)):
        if c.split("+")[0] in stacks or c in late:
            continue
        w, g = want_a.get(c), got_a.get(c)
        if w and g and w["areas"] == g["areas"] and dict(w["kinds"]) == dict(g["kinds"]):
            a_equal += 1
        else:
            a_differ.append((c, g and (g["areas"], dict(g["kinds"])), w and (w["areas"], dict(w["kinds"]))))
    for c, g, w in a_differ:
        print(f"# caller {c}: memwhere areas/kinds {g}, /proc/vmallocinfo {w}")
    check(not a_differ and a_equal > 0,
          f"{dump}: areas and their kinds per caller equal /proc/vmallocinfo but thread "
          f"stacks ({a_equal} callers equal, {len(a_differ)} differ)")
    # modules: name and size as /proc/modules shows them
    want_m = {}
    for line in truth["raw"].get("/proc/modules", "").splitlines():
        f = line.split()
        if len(f) >= 2 and f[1].isdigit():
            want_m[f[0]] = int(f[1])
    if want_m and doc.get("modules") is not None:
        got_m = {m["name"]: m["bytes"] for m in doc["modules"]}
        bad = sorted(n for n in set(want_m) | set(got_m) if want_m.get(n) != got_m.get(n))
        for n in bad:
            print(f"# module {n}: memwhere {got_m.get(n)} bytes, /proc/modules {want_m.get(n)}")
        check(not bad, f"{dump}: every module's size equals /proc/modules "
              f"({len(want_m) - len(bad)}/{len(want_m)})")
    final = truth.get("raw", {}).get("mw:final:/proc/meminfo", "")
    m = re.search(r"^VmallocUsed:\s+(\d+) kB", final, re.M)
    if m:
        used = int(m.group(1)) * 1024
    if used is not None:
        # The final reads (truth-schema.md) are one short-lived cat each:
        # a reader's 4-page thread stack is freed after an RCU grace period
        # (or kept in a per-CPU cache), so at the /proc/meminfo read the
        # stacks of the readers before it can still be counted and gone by
        # the dump: the guest's number can be ahead by whole stacks, at most
        # one per final read.
        stack = 4 * 4096
        readers = sum(1 for k in truth.get("raw", {}) if k.startswith("mw:final:")) or 2
        d = used - doc["total_bytes"]
        drift = node_stat_drift(truth, "nr_vmalloc")
        if d:
            print(f"# VmallocUsed {used} (final read) - total_bytes {doc['total_bytes']} = {d}:"
                  f" {d / stack:g} thread stacks of exited readers ({readers} final reads)"
                  + (f", or per-CPU deltas not in VmallocUsed (at most {drift} B)"
                     if drift else ""))
        if drift:
            # 7.0+: VmallocUsed is the node counter NR_VMALLOC read without
            # its per-CPU deltas (global_node_page_state), up to each CPU's
            # vm stats threshold away from the exact count
            check(-drift <= d <= readers * stack + drift,
                  f"{dump}: total_bytes {doc['total_bytes']} equals VmallocUsed {used}, but"
                  f" for the per-CPU deltas VmallocUsed leaves out (at most {drift} B, the"
                  f" CPUs' vm stats thresholds) and the stacks of reader processes that"
                  f" exited after the read (at most {readers})")
        else:
            check(d == 0 or (d > 0 and d % stack == 0 and d <= readers * stack),
                  f"{dump}: total_bytes {doc['total_bytes']} equals VmallocUsed {used}, but for"
                  f" the stacks of reader processes that exited after the read (at most"
                  f" {readers}, one per final read)")
    # percpu chunks: the populated pages of every chunk times the units
    pc = doc.get("percpu")
    m = re.search(r"^Percpu:\s+(\d+) kB", final, re.M)
    if pc and m:
        want_pc = int(m.group(1)) * 1024
        check(pc["bytes"] == want_pc,
              f"{dump}: percpu chunks' populated pages ({len(pc['chunks'])} chunks, "
              f"{pc['units']} units) {pc['bytes']} equal Percpu {want_pc}")
    if doc.get("kernel_counter_bytes") is not None:
        check(doc["total_bytes"] == doc["kernel_counter_bytes"],
              f"{dump}: total_bytes {doc['total_bytes']} equals the dump's own "
              f"VmallocUsed counter, nr_vmalloc_pages or NR_VMALLOC ({doc['kernel_counter_bytes']})")


def node_stat_drift(truth, item):
    """Bytes a node counter read without its per-CPU deltas (what /proc/meminfo
    shows of a node_stat_item) can be away from the exact count: per CPU, the
    largest "vm stats threshold" of its node's zones (/proc/zoneinfo), in
    pages. 0 if the final /proc/vmstat has no such item (not a node counter)."""
    raw = truth.get("raw", {})
    vmstat = raw.get("mw:final:/proc/vmstat") or raw.get("/proc/vmstat", "")
    if not re.search(r"^%s \d+" % re.escape(item), vmstat, re.M):
        return 0
    zoneinfo = raw.get("mw:final:/proc/zoneinfo") or raw.get("/proc/zoneinfo", "")
    per_cpu = {}
    node = cpu = None
    for line in zoneinfo.splitlines():
        m = re.match(r"Node (\d+), zone", line)
        if m:
            node = int(m.group(1))
            continue
        m = re.match(r"\s+cpu: (\d+)", line)
        if m:
            cpu = int(m.group(1))
            continue
        m = re.match(r"\s+vm stats threshold: (\d+)", line)
        if m and cpu is not None:
            key = (node, cpu)
            per_cpu[key] = max(per_cpu.get(key, 0), int(m.group(1)))
    return sum(per_cpu.values()) * truth.get("page_size", 4096)


def main():
    mode, memwhere, dump, truth_path = sys.argv[1:5]
    with open(truth_path) as f:
        truth = json.load(f)
    if truth.get("phase") != "final":
        print(f"# {dump}: truth phase {truth.get('phase')!r}: not the state at the pause, "
              "not compared")
        print(f"ok - {dump}: {mode} runs", flush=True)
        rc, out, err = run(memwhere, mode, dump)
        check(rc in (0, 1), f"{dump}: {mode} exits {rc}")
        # the merged names do not move after boot: compared at any phase
        if mode == "slab" and rc in (0, 1):
            aliases(dump, json.loads(out), truth)
        return
    {"slab": slab, "vmalloc": vmalloc}[mode](memwhere, dump, truth)


if __name__ == "__main__":
    main()
