#!/usr/bin/env python3
"""memwhere pools against the guest's own numbers (truth.json): the hugetlb
pools per size and node (/sys/kernel/mm/hugepages, the nodes' hugepages, or
/proc/meminfo's HugePages_* for the default size), the hugetlbfs file, SysV
segment and private mappings the "rest" scenario made (its notes), each
process's HugetlbPages (/proc/PID/status), zsmalloc pages (/proc/vmstat
nr_zspages; and the summary's "zpool" category, the page scan's zsmalloc
pages, against nr_zspages and zram's mem_used_total plus zswap's pool),
the zram devices (/sys/block/zramN/disksize, every mm_stat field
and comp_algorithm as the rest scenario's truth has them, and mm_stat's
mem_used_total against the zsmalloc pages where zram is their only user),
zswap (/proc/meminfo Zswap, Zswapped) and CMA (CmaTotal). Prints TAP lines
for tests/pools-real.sh; exit 0 unless memwhere could not run.

usage: pools_compare.py MEMWHERE DUMP TRUTH.json"""
import json
import re
import subprocess
import sys


def within(a, b, pct=1.0):
    return abs(a - b) <= max(a, b) * pct / 100.0


def main():
    memwhere, dump, truth_path = sys.argv[1:4]
    with open(truth_path) as f:
        truth = json.load(f)
    label = "/".join(dump.split("/")[-3:])
    p = subprocess.run([memwhere, "--json", "--top", "0", "--no-progress", "pools", dump],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode not in (0, 1):
        sys.stderr.write(p.stderr.decode(errors="replace"))
        return 2
    got = json.loads(p.stdout)
    raw = truth.get("raw", {})
    notes = truth.get("notes", {})
    meminfo = truth.get("meminfo", {})
    vmstat = truth.get("vmstat", {})
    ps = truth.get("page_size", 4096)
    warnings = " ".join(w if isinstance(w, str) else json.dumps(w)
                        for w in got.get("warnings", []))

    def check(cond, what):
        print("%s - %s: %s" % ("ok" if cond else "not ok", label, what))

    hs = {h["page_bytes"]: h for h in got["hugetlb"]["hstates"]}
    if "left out of the dump" in warnings and not hs:
        print("# %s: the hstates are in pages the dump left out (zero pages filtered)" % label)
    else:
        check(got["hugetlb"]["present"], "hugetlb pools read")
        # the pools: sysfs where the truth has it, else meminfo's default size
        sysfs = {}
        for k, v in raw.items():
            m = re.match(r"^/sys/kernel/mm/hugepages/hugepages-(\d+)kB/(\w+)$", k)
            if m and v.strip().isdigit():
                sysfs.setdefault(int(m.group(1)) * 1024, {})[m.group(2)] = int(v)
        if not sysfs and "Hugepagesize" in meminfo:
            sysfs[meminfo["Hugepagesize"]] = {
                "nr_hugepages": meminfo["HugePages_Total"], "free_hugepages": meminfo["HugePages_Free"],
                "resv_hugepages": meminfo["HugePages_Rsvd"], "surplus_hugepages": meminfo["HugePages_Surp"]}
        for size, want in sorted(sysfs.items()):
            h = hs.get(size)
            check(h is not None, "a pool of %d kB" % (size // 1024))
            if h is None:
                continue
            for key in ("nr_hugepages", "free_hugepages", "resv_hugepages", "surplus_hugepages"):
                if key in want:
                    check(h[key] == want[key], "%d kB %s %d (guest %d)" % (size // 1024, key, h[key], want[key]))
        # the hugetlb-pool-free finding, by its rule (analyzer/pools.h) over
        # the guest's own pool counts: a pool mostly idle (free and not
        # reserved: 50% or more) that is 2% of RAM or more (the capture's
        # guest RAM); a case within a tenth of either threshold is left alone
        ram = (truth.get("capture") or {}).get("mem_mib", 0) * 1024 * 1024
        got_free = {f.get("bytes") for f in got.get("findings", []) if f.get("id") == "hugetlb-pool-free"}
        for size, want in sorted(sysfs.items()):
            if not ram or not all(k in want for k in ("nr_hugepages", "free_hugepages", "resv_hugepages")):
                continue
            pool = want["nr_hugepages"] * size
            idle = max(want["free_hugepages"] - want["resv_hugepages"], 0) * size
            if not pool:
                continue
            a, b = idle / pool, idle / ram
            if abs(a - 0.5) < 0.05 or abs(b - 0.02) < 0.002:
                continue
            expect = a >= 0.5 and b >= 0.02
            check((idle in got_free) == expect,
                  "%d kB pool: %s hugetlb-pool-free finding (guest: %d of %d pages idle, %.1f%% of RAM)"
                  % (size // 1024, "a" if expect else "no", idle // size, pool // size, 100 * b))
        # per node
        nodes = {}
        for k, v in raw.items():
            m = re.match(r"^/sys/devices/system/node/node(\d+)/hugepages/hugepages-(\d+)kB/(\w+)$", k)
            if m and v.strip().isdigit():
                nodes.setdefault((int(m.group(2)) * 1024, int(m.group(1))), {})[m.group(3)] = int(v)
        for (size, node), want in sorted(nodes.items()):
            h = hs.get(size)
            if h is None:
                continue
            gn = {n["node"]: n for n in h["nodes"]}.get(node, {"nr_hugepages": 0, "free_hugepages": 0,
                                                             "surplus_hugepages": 0})
            for key in ("nr_hugepages", "free_hugepages", "surplus_hugepages"):
                if key in want:
                    check(gn[key] == want[key], "%d kB node%d %s %d (guest %d)" %
                          (size // 1024, node, key, gn[key], want[key]))
    # the holders the rest scenario made
    files = got["hugetlb"]["files"]
    if "huge_file" in notes:
        path, size = str(notes["huge_file"]).rsplit(" ", 1)
        f = [x for x in files if x["path"] == path]
        check(len(f) == 1 and f[0]["kind"] == "file", "hugetlbfs file %s listed" % path)
        if f:
            check(f[0]["bytes"] == int(size), "%s holds %d bytes (guest wrote %s)" % (path, f[0]["bytes"], size))
    if "huge_shm_bytes" in notes:
        shm = sum(x["bytes"] for x in files if x["kind"] == "shm")
        check(shm == int(notes["huge_shm_bytes"]), "SysV SHM_HUGETLB segments hold %d bytes (guest %s)" %
              (shm, notes["huge_shm_bytes"]))
    if "huge_anon_bytes" in notes:
        check(any(x["kind"] == "anon" for x in files), "an anon_hugepage inode (MAP_HUGETLB) listed")
        check(got["hugetlb"]["private_bytes"] == int(notes["huge_anon_bytes"]),
              "private mappings hold %s bytes (guest's MAP_HUGETLB mapping %s)" %
              (got["hugetlb"]["private_bytes"], notes["huge_anon_bytes"]))
    # processes: /proc/PID/status HugetlbPages
    want = {}
    for k, v in raw.items():
        m = re.match(r"^/proc/(\d+)/status$", k)
        if not m:
            continue
        hp = re.search(r"^HugetlbPages:\s+(\d+) kB", v, re.M)
        if hp and int(hp.group(1)):
            want[int(m.group(1))] = int(hp.group(1)) * 1024
    gp = {x["pid"]: x["bytes"] for x in got["hugetlb"]["processes"]}
    for pid, b in sorted(want.items()):
        check(gp.get(pid) == b, "pid %d maps %s bytes of hugetlb pages (guest HugetlbPages %d)" %
              (pid, gp.get(pid), b))
    # zsmalloc, zram, zswap
    if "nr_zspages" in vmstat:
        z = got["zsmalloc_pages"]
        check(z is not None and within(z, vmstat["nr_zspages"]),
              "zsmalloc pages %s (guest nr_zspages %d)" % (z, vmstat["nr_zspages"]))
    summ = None
    if notes.get("zram") == "available" and vmstat.get("nr_zspages"):
        # the page scan puts zsmalloc's pages in a category of their own
        q = subprocess.run([memwhere, "--json", "--no-progress", "summary", dump],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        summ = json.loads(q.stdout) if q.returncode in (0, 1) else None
        cat = summ["categories"].get("zpool") if summ else None
        det = (summ or {}).get("zpool_detail") or {}
        zs = det.get("zsmalloc_bytes")
        check(zs is not None and within(zs, vmstat["nr_zspages"] * ps),
              "summary's zram/zswap pool: %s bytes of zsmalloc pages (guest nr_zspages %d)" %
              (zs, vmstat["nr_zspages"]))
        check(cat is not None and cat == (zs or 0) + det.get("z3fold_bytes", 0) +
              det.get("zbud_bytes", 0),
              "summary's zpool category %s bytes is its zsmalloc, z3fold and zbud pages" % cat)
        ub = (summ or {}).get("unaccounted_breakdown") or {}
        mv = (ub.get("mapping") or {}).get("movable")
        check(mv == 0, "no non-LRU movable page left in unaccounted (%s)" % mv)
    zram = {d["name"]: d for d in got["zram"]["devices"]}
    # struct zram is in the zram module's BTF, which kernels before 5.11
    # do not have (no btf_modules): memwhere says so instead of listing
    zram_unknown = not got["zram"]["listed"] and "btf_modules" in str(got["zram"].get("mm_stat_not_read"))
    if zram_unknown:
        print("# %s: zram devices not listed: %s" % (label, got["zram"]["mm_stat_not_read"]))
    mem_used = 0
    for k, v in raw.items():
        m = re.match(r"^/sys/block/(zram\d+)/disksize$", k)
        if m and v.strip().isdigit() and not zram_unknown:
            d = zram.get(m.group(1))
            check(d is not None and d["disksize"] == int(v), "%s disksize %s (guest %s)" %
                  (m.group(1), d and d["disksize"], v.strip()))
        m = re.match(r"^/sys/block/(zram\d+)/mm_stat$", k)
        if m and len(v.split()) >= 3:
            mem_used += int(v.split()[2])
    # mm_stat field by field and the algorithm, read from struct zram with
    # the zram module's BTF: exact, as the device is filled once by the
    # scenario and left alone until the dump (no writes, no compaction)
    tz = (truth.get("rest") or {}).get("zram") or {}
    for name, t in sorted(tz.items()):
        if zram_unknown or not isinstance(t, dict) or not isinstance(t.get("mm_stat"), dict):
            continue
        d = zram.get(name) or {}
        ms = d.get("mm_stat")
        check(ms is not None, "%s mm_stat read%s" % (name, "" if ms is not None else
                                                        ": " + str(got["zram"].get("mm_stat_not_read"))))
        if ms is None:
            continue
        for key, want in sorted(t["mm_stat"].items()):
            if key in ms:
                check(ms[key] == want, "%s mm_stat %s %s (guest %d)" % (name, key, ms[key], want))
        if t.get("comp_algorithm"):
            check(d.get("comp_algorithm") == t["comp_algorithm"], "%s comp_algorithm %s (guest %s)" %
                  (name, d.get("comp_algorithm"), t["comp_algorithm"]))
        # the poor-compression finding follows the ratio the guest saw
        o, c = t["mm_stat"].get("orig_data_size", 0), t["mm_stat"].get("compr_data_size", 0)
        poor = o >= 8 << 20 and c * 100 > o * 75
        ids = [f.get("id") for f in got.get("findings", [])]
        check(("zram-poor-compression" in ids) == poor,
              "%s zram-poor-compression %s (guest ratio %.2f)" %
              ("reported" if poor else "not reported", name, c / o if o else 0))
    if not tz and not any(re.match(r"^/sys/block/zram\d+/", k) for k in raw):
        check("zram" not in warnings, "no zram warning without zram devices")
    zswap_pages = (meminfo.get("Zswap") or 0) // ps
    if mem_used and not zswap_pages and got["zsmalloc_pages"] is not None:
        check(within(got["zsmalloc_pages"] * ps, mem_used),
              "zsmalloc pages %d bytes, zram mm_stat mem_used_total %d" %
              (got["zsmalloc_pages"] * ps, mem_used))
    # the scan's zsmalloc pages are zram's mem_used_total and zswap's pool
    # (debugfs pool_total_size, read last of the truth) where zswap's
    # zpool is zsmalloc
    zsw = (truth.get("rest") or {}).get("zswap") or {}
    zpool = zsw.get("zpool", "zsmalloc")	# no zpool parameter: zsmalloc (6.15 on)
    zsw_bytes = zsw.get("pool_total_size")
    if mem_used and summ and (zpool != "zsmalloc" or zsw_bytes is not None or not zswap_pages):
        zs = (summ.get("zpool_detail") or {}).get("zsmalloc_bytes")
        part = zsw_bytes or 0 if zpool == "zsmalloc" else 0
        check(zs is not None and within(zs, mem_used + part),
              "summary's zsmalloc pages %s bytes: zram mem_used_total %d + zswap pool %d" %
              (zs, mem_used, part))
    # zbud marks no page: the scan takes them from its pools' lists
    if summ and zpool == "zbud" and zsw_bytes is not None:
        zb = (summ.get("zpool_detail") or {}).get("zbud_bytes")
        check(zb is not None and within(zb, zsw_bytes),
              "summary's zbud pages %s bytes (guest zswap pool_total_size %d, zpool zbud)" %
              (zb, zsw_bytes))
    if "Zswap" in meminfo and got["zswap"]["present"]:
        pool = got["zswap"]["pool_pages"]
        # /proc/meminfo is read early in the truth; debugfs's
        # zswap/pool_total_size, the same sum of the pools' pages, later:
        # zsmalloc frees pages in between (a 6.12 generic capture: Zswap
        # 56 pages, pool_total_size 49, and nr_zspages fell by 7)
        dbg = ((truth.get("rest") or {}).get("zswap") or {}).get("pool_total_size")
        if dbg is not None:
            check(pool is not None and within(pool * ps, dbg, 2),
                  "zswap pool %s pages (guest debugfs zswap/pool_total_size %d bytes, "
                  "meminfo Zswap %d)" % (pool, dbg, meminfo["Zswap"]))
        else:
            check(pool is not None and within(pool * ps, meminfo["Zswap"], 2),
                  "zswap pool %s pages (guest Zswap %d bytes)" % (pool, meminfo["Zswap"]))
        # debugfs zswap/stored_pages, read with pool_total_size, where the
        # truth has it (a rest capture on 6.12 with zbud: Zswapped 1068
        # pages, stored_pages 1128 later)
        dbs = ((truth.get("rest") or {}).get("zswap") or {}).get("stored_pages")
        if dbs is not None:
            check(within(got["zswap"]["stored_pages"], dbs, 2),
                  "zswap stored %d pages (guest debugfs zswap/stored_pages %d)" %
                  (got["zswap"]["stored_pages"], dbs))
        elif "Zswapped" in meminfo:
            check(within(got["zswap"]["stored_pages"] * ps, meminfo["Zswapped"], 2),
                  "zswap stored %d pages (guest Zswapped %d bytes)" %
                  (got["zswap"]["stored_pages"], meminfo["Zswapped"]))
    if zsw and got["zswap"]["present"] and zswap_pages:
        check(got["zswap"].get("zpool") == zpool,
              "zswap's pool in %s (guest zswap.zpool %s)" % (got["zswap"].get("zpool"), zpool))
    if "CmaTotal" in meminfo:
        check(got["cma"]["present"] and got["cma"]["pages"] * ps == meminfo["CmaTotal"],
              "CMA areas %d pages (guest CmaTotal %d bytes)" % (got["cma"]["pages"], meminfo["CmaTotal"]))
        if "CmaFree" in meminfo and got["cma"]["present"]:
            # what cma_alloc handed out (the areas' bitmaps) is never free;
            # movable pages borrowed from the areas are not free either, so
            # the guest's CmaTotal - CmaFree bounds it from above
            used = sum(a.get("used_pages", 0) for a in got["cma"].get("areas") or []) * ps
            check(used <= meminfo["CmaTotal"] - meminfo["CmaFree"],
                  "CMA %d bytes allocated, at most what the guest's meminfo has not free (%d)"
                  % (used, meminfo["CmaTotal"] - meminfo["CmaFree"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
