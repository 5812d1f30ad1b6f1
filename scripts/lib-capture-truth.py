#!/usr/bin/env python3
"""Turn the capture guest's raw truth stream into truth.json (see tests/truth-schema.md).

Used by scripts/capture; also runnable alone to print a rebuilt truth.json:
    scripts/lib-capture-truth.py CAPTURE_DIR        (reads truth.txt, console.log, truth.json)
(without the dump checks: `scripts/capture --recheck` rebuilds truth.json files with them).
Python 3 standard library only.
"""

import json
import os
import re
import sys

SCHEMA = 1
PAGE_SIZE = 4096    # the guest's (mwtool pagesize, in mw:pagesize); 4096 before it was written
TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
              6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN",
              11: "CLOSING", 12: "NEW_SYN_RECV"}


def sections(text):
    """Split the stream into {key: raw text}."""
    out, key, buf = {}, None, []
    for line in text.split("\n"):
        if key is None:
            if line.startswith("@@MW-SECTION "):
                key, buf = line[len("@@MW-SECTION "):].strip(), []
            continue
        if line == "@@MW-ENDSECTION":
            body = "\n".join(buf)
            # truth_sec adds one newline after the file's own text.
            if body.endswith("\n"):
                body = body[:-1]
            out[key] = body if body.endswith("\n") or body == "" else body + "\n"
            key = None
        else:
            buf.append(line)
    return out


def num(s):
    try:
        return int(s)
    except ValueError:
        try:
            return int(s, 16)
        except ValueError:
            return None


def parse_meminfo(t):
    d = {}
    for line in t.splitlines():
        m = re.match(r"^([^:]+):\s+(\d+)(\s+kB)?", line)
        if m:
            d[m.group(1)] = int(m.group(2)) * (1024 if m.group(3) else 1)
    return d


def parse_kv(t):
    d = {}
    for line in t.splitlines():
        p = line.split()
        if len(p) == 2 and re.match(r"^-?\d+$", p[1]):
            d[p[0]] = int(p[1])
    return d


def parse_slabinfo(t):
    caches = []
    for line in t.splitlines():
        if line.startswith("slabinfo") or line.startswith("#") or ":" not in line:
            continue
        head, _, rest = line.partition(":")
        h = head.split()
        m = re.search(r"slabdata\s+(\d+)\s+(\d+)\s+(\d+)", line)
        if len(h) < 6 or not m:
            continue
        c = {"name": h[0], "active_objs": int(h[1]), "num_objs": int(h[2]),
             "objsize": int(h[3]), "objperslab": int(h[4]), "pagesperslab": int(h[5]),
             "active_slabs": int(m.group(1)), "num_slabs": int(m.group(2))}
        c["bytes"] = c["num_slabs"] * c["pagesperslab"] * PAGE_SIZE
        caches.append(c)
    return caches


def parse_buddyinfo(t):
    out = []
    for line in t.splitlines():
        m = re.match(r"Node\s+(\d+),\s+zone\s+(\S+)\s+(.*)$", line)
        if m:
            free = [int(x) for x in m.group(3).split()]
            out.append({"node": int(m.group(1)), "zone": m.group(2), "free_blocks": free,
                        "free_pages": sum(n << i for i, n in enumerate(free))})
    return out


def parse_node_meminfo(sec):
    """{node id (string): {field: bytes (kB lines) or count}} from the final
    reads of /sys/devices/system/node/node*/meminfo ("Node 0 MemFree: 1 kB")."""
    out = {}
    for key, text in sec.items():
        m = re.match(r"^mw:final:/sys/devices/system/node/node(\d+)/meminfo$", key)
        if not m:
            continue
        vals = {}
        for line in text.splitlines():
            f = re.match(r"^Node\s+\d+\s+([^:\s]+):\s+(\d+)(\s+kB)?\s*$", line)
            if f:
                vals[f.group(1)] = int(f.group(2)) * (1024 if f.group(3) else 1)
        out[m.group(1)] = vals
    return out


def parse_zoneinfo(t):
    zones, cur = [], None
    for line in t.splitlines():
        m = re.match(r"Node\s+(\d+),\s+zone\s+(\S+)", line)
        if m:
            cur = {"node": int(m.group(1)), "zone": m.group(2)}
            zones.append(cur)
            continue
        if cur is None:
            continue
        s = line.strip()
        if s.startswith("cpu:") or s.startswith("pagesets"):
            cur["_in_pcp"] = True
        if cur.get("_in_pcp"):
            continue
        m = re.match(r"^(?:pages\s+)?(\w+)\s+(\d+)$", s)
        if m and m.group(1) not in cur:
            cur[m.group(1)] = int(m.group(2))
    for z in zones:
        z.pop("_in_pcp", None)
    return zones


def ipv4(h):
    b = bytes.fromhex(h)
    return ".".join(str(x) for x in reversed(b))


def ipv6(h):
    b = bytes.fromhex(h)
    words = []
    for i in range(0, 16, 4):
        words.append(b[i:i + 4][::-1])
    raw = b"".join(words)
    return ":".join("%x" % int.from_bytes(raw[i:i + 2], "big") for i in range(0, 16, 2))


def addr(s, v6):
    h, p = s.split(":")
    return "%s:%d" % (ipv6(h) if v6 else ipv4(h), int(p, 16))


def parse_inet(t, v6, udp):
    out = []
    for line in t.splitlines()[1:]:
        p = line.split()
        if len(p) < 10 or not p[0].endswith(":"):
            continue
        tx, rx = p[4].split(":")
        st = int(p[3], 16)
        e = {"local": addr(p[1], v6), "remote": addr(p[2], v6),
             "state": ("UNCONN" if st == 7 else "ESTABLISHED") if udp else TCP_STATES.get(st, str(st)),
             "tx_queue": int(tx, 16), "rx_queue": int(rx, 16), "uid": int(p[7]), "inode": int(p[9])}
        if udp and len(p) >= 13:
            e["drops"] = int(p[12])
        out.append(e)
    return out


def parse_unix(t):
    out = []
    types = {1: "STREAM", 2: "DGRAM", 5: "SEQPACKET"}
    for line in t.splitlines()[1:]:
        p = line.split()
        if len(p) < 7:
            continue
        e = {"refcount": int(p[1], 16), "flags": int(p[3], 16),
             "type": types.get(int(p[4], 16), p[4]), "state": int(p[5], 16), "inode": int(p[6]),
             "path": p[7] if len(p) > 7 else None}
        out.append(e)
    return out


def parse_sockstat(t):
    d = {}
    for line in t.splitlines():
        if ":" not in line:
            continue
        proto, rest = line.split(":", 1)
        p = rest.split()
        d[proto] = {p[i]: int(p[i + 1]) for i in range(0, len(p) - 1, 2)}
        if "mem" in d[proto]:
            d[proto]["mem_bytes"] = d[proto]["mem"] * PAGE_SIZE
    return d


def parse_sysvshm(t):
    lines = t.splitlines()
    if not lines:
        return []
    cols = lines[0].split()
    out = []
    for line in lines[1:]:
        p = line.split()
        if len(p) == len(cols):
            out.append({c: (int(v) if re.match(r"^-?\d+$", v) else v) for c, v in zip(cols, p)})
    return out


def parse_bpf(t):
    """mwtool bpf-load's output: per map and program its fd's fdinfo
    (memlock, map_type, key_size, value_size, max_entries, map_id, or
    prog_type, prog_jited, prog_id), all numbers; None without it."""
    if not t:
        return None
    out = {"maps": [], "progs": [], "errors": []}
    cur = None
    for line in t.splitlines():
        m = re.match(r"^bpf-load: (map|prog) (\S+) fd (\d+)$", line)
        if m:
            cur = {"name": m.group(2), "fd": int(m.group(3))}
            out["maps" if m.group(1) == "map" else "progs"].append(cur)
            continue
        if line == "bpf-load: end":
            cur = None
        elif line.startswith("bpf-load: ") and line != "bpf-load: ready":
            out["errors"].append(line[len("bpf-load: "):])
        elif cur is not None and ":" in line:
            k, v = line.split(":", 1)
            v = v.strip()
            if k == "flags":
                cur[k] = int(v, 8)      # octal, as fdinfo prints it
            elif re.match(r"^0x[0-9a-fA-F]+$", v):
                cur[k] = int(v, 16)
            elif re.match(r"^\d+$", v):
                cur[k] = int(v)
            elif k in ("prog_tag",):
                cur[k] = v
    return out


def parse_mounts(t):
    out = []
    for line in t.splitlines():
        p = line.split()
        if len(p) >= 4:
            out.append({"source": p[0], "mount": p[1], "fs": p[2], "options": p[3]})
    return out


def mount_of(path, mounts):
    best = None
    for m in mounts:
        mp = m["mount"]
        if path == mp or path.startswith(mp.rstrip("/") + "/"):
            if best is None or len(mp) > len(best["mount"]):
                best = m
    return best


def limit(v):
    v = v.strip()
    if v == "max":
        return None
    return int(v) if re.match(r"^\d+$", v) else v


def parse_cgroups(sec, mounts):
    hier = []
    for m in mounts:
        if m["fs"] not in ("cgroup", "cgroup2"):
            continue
        root = m["mount"]
        groups = {}
        for key, text in sec.items():
            if not key.startswith(root + "/"):
                continue
            d, f = key.rsplit("/", 1)
            if d != root and not d.startswith(root + "/"):
                continue
            rel = d[len(root):] or "/"
            # a nested mount's files belong to the nested hierarchy
            if any(o is not m and o["fs"] in ("cgroup", "cgroup2") and o["mount"].startswith(root + "/")
                   and (d == o["mount"] or d.startswith(o["mount"] + "/")) for o in mounts):
                continue
            g = groups.setdefault(rel, {"path": rel})
            t = text.strip()
            if f == "memory.current":
                g["memory_current"] = int(t)
            elif f in ("memory.max", "memory.high", "memory.min", "memory.low"):
                g[f.replace(".", "_")] = limit(t)
            elif f == "memory.swap.current":
                g["memory_swap_current"] = int(t)
            elif f in ("memory.stat", "memory.events", "cgroup.stat"):
                g[f.replace(".", "_")] = parse_kv(text)
            elif f in ("cgroup.procs", "tasks"):
                g["procs" if f == "cgroup.procs" else "tasks"] = [int(x) for x in t.split()]
            elif f in ("cgroup.subtree_control", "cgroup.controllers"):
                g[f.replace(".", "_")] = t.split()
            elif f == "memory.oom_control":
                g["memory_oom_control"] = parse_kv(text)
            elif f == "memory.use_hierarchy":
                g["memory_use_hierarchy"] = int(t)
            elif f.startswith("memory.") and re.match(r"^\d+$", t):
                g[f.replace(".", "_")] = int(t)
        ctrls = [o for o in m["options"].split(",") if o in
                 ("memory", "cpu", "cpuacct", "pids", "freezer", "blkio", "devices", "cpuset",
                  "net_cls", "net_prio", "perf_event", "hugetlb", "rdma", "misc")]
        hier.append({"mount": root, "type": m["fs"], "version": 2 if m["fs"] == "cgroup2" else 1,
                     "controllers": ctrls, "options": m["options"],
                     "groups": [groups[k] for k in sorted(groups)]})
    return hier


def parse_status(t):
    d = {}
    for line in t.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            d[k.strip()] = v.strip()
    return d


def kb(v):
    if v is None:
        return None
    m = re.match(r"^(\d+)\s*kB$", v)
    return int(m.group(1)) * 1024 if m else None


def parse_tasks(sec, roles, first_transient):
    tasks = []
    pids = sorted(int(k.split("/")[2]) for k in sec if re.match(r"^/proc/\d+/status$", k))
    # captures with final reads: a task without one had exited before them
    # (an idle kworker ends after 5 minutes: a slow truth outlives some)
    have_final = any(re.match(r"^mw:final:/proc/\d+/status$", k) for k in sec)
    # the pids listed last, right before the pause (captures since it was
    # recorded): a task read before and gone by then is not in the dump
    alive = None
    if "mw:final:alive" in sec:
        alive = {int(x) for x in sec["mw:final:alive"].split() if x.isdigit()}
    for pid in pids:
        st = parse_status(sec.get("/proc/%d/status" % pid, ""))
        # the copy read last, right before the dump (mw:final:), if any
        final = sec.get("mw:final:/proc/%d/status" % pid)
        fst = parse_status(final) if final and final.strip() else None
        t = {"pid": pid, "comm": st.get("Name"), "state": (st.get("State") or "")[:1],
             "ppid": int(st.get("PPid", "0") or 0), "kernel_thread": "VmRSS" not in st}
        cg = sec.get("/proc/%d/cgroup" % pid, "").strip().splitlines()
        t["cgroup_lines"] = cg
        t["cgroup"] = None
        for line in cg:
            p = line.split(":", 2)
            if len(p) == 3 and (p[0] == "0" or "memory" in p[1].split(",")):
                if "memory" in p[1].split(","):
                    t["cgroup"] = p[2]
                    break
                t["cgroup"] = p[2]
        t["cmdline"] = sec.get("/proc/%d/cmdline" % pid, "").replace("\0", " ").strip()
        mem = fst if fst is not None and fst.get("Name") == st.get("Name") else st
        for f, k in (("RssAnon", "rss_anon"), ("RssFile", "rss_file"), ("RssShmem", "rss_shmem"),
                     ("VmSwap", "swap"), ("VmRSS", "vm_rss"), ("VmPTE", "vm_pte"),
                     ("VmSize", "vm_size")):
            t[k] = kb(mem.get(f))
        t["threads"] = int(mem["Threads"]) if mem.get("Threads", "").isdigit() else None
        t["status_final"] = mem is fst
        t["exited_before_dump"] = (have_final and fst is None) or (alive is not None and pid not in alive)
        fds = {}
        socks = []
        for line in sec.get("mw:fds:%d" % pid, "").splitlines():
            p = line.split(" ", 1)
            if len(p) == 2 and p[0].isdigit():
                fds[int(p[0])] = p[1]
                m = re.match(r"socket:\[(\d+)\]", p[1])
                if m:
                    socks.append({"fd": int(p[0]), "inode": int(m.group(1))})
        t["fds"] = {str(k): v for k, v in sorted(fds.items())}
        t["sockets"] = socks
        maps = sec.get("/proc/%d/maps" % pid, "")
        t["deleted_mappings"] = sorted({l.split(None, 5)[5] for l in maps.splitlines()
                                        if l.endswith("(deleted)") and len(l.split(None, 5)) == 6})
        sh = []
        for line in sec.get("mw:resid-maps:%d" % pid, "").splitlines():
            p = line.split(None, 4)
            if len(p) == 5 and p[0] == "M":
                sh.append({"name": p[4], "size_bytes": int(p[1]), "resident_pages": int(p[2]),
                           "resident_bytes": int(p[2]) * PAGE_SIZE, "inode": int(p[3])})
        t["shared_mappings"] = sh
        t["role"] = roles.get(pid)
        t["transient"] = bool(first_transient and pid >= first_transient)
        tasks.append(t)
    return tasks


def parse_resid(t, mounts):
    files = []
    for line in t.splitlines():
        p = line.split(None, 4)
        if len(p) == 5 and p[0] == "R":
            m = mount_of(p[4], mounts)
            files.append({"path": p[4], "size_bytes": int(p[1]), "resident_pages": int(p[2]),
                          "resident_bytes": int(p[2]) * PAGE_SIZE, "inode": int(p[3]),
                          "fs": m["fs"] if m else None, "mount": m["mount"] if m else None,
                          "device": m["source"] if m else None})
    files.sort(key=lambda f: f["path"])
    return files


def parse_roles(t):
    by_pid, roles = {}, {}
    for line in t.splitlines():
        p = line.split()
        if len(p) < 4:
            continue
        r = {"role": p[0], "comm": p[2], "command": p[3], "args": p[4:]}
        if p[1].isdigit():
            r["pid"] = int(p[1])
            r["running"] = True
            by_pid[int(p[1])] = p[0]
        else:
            r["running"] = False
            r["exit_status"] = int(p[1].split(":")[1]) if p[1].startswith("exited:") else None
        roles[p[0]] = r
    return roles, by_pid


def parse_notes(t):
    notes = {}
    for line in t.splitlines():
        p = line.split(None, 1)
        if not p:
            continue
        v = p[1] if len(p) > 1 else ""
        if p[0] in notes:
            if not isinstance(notes[p[0]], list):
                notes[p[0]] = [notes[p[0]]]
            notes[p[0]].append(v)
        else:
            notes[p[0]] = int(v) if re.match(r"^\d+$", v) else v
    return notes


# OOM task dump column -> truth key (others keep their name)
OOM_COLS = {"total_vm": "total_vm_pages", "rss": "rss_pages", "rss_anon": "rss_anon_pages",
            "rss_file": "rss_file_pages", "rss_shmem": "rss_shmem_pages"}


def parse_oom(console):
    """The OOM report(s) and panic from the serial console text."""
    lines = [re.sub(r"^\[\s*[\d.]+\]\s?", "", l) for l in console.splitlines()]
    out = {"invoked": [], "tasks": [], "killed": [], "panic": None, "mem_info": None}
    cols = None
    for i, l in enumerate(lines):
        m = re.search(r"(\S+) invoked oom-killer: gfp_mask=(\S+).*order=(\d+), oom_score_adj=(-?\d+)", l)
        if m:
            out["invoked"].append({"comm": m.group(1), "gfp_mask": m.group(2),
                                   "order": int(m.group(3)), "oom_score_adj": int(m.group(4)),
                                   "line": l})
        # the task dump's header names its columns: "[  pid  ]   uid  tgid
        # total_vm      rss [rss_anon rss_file rss_shmem] pgtables_bytes
        # swapents oom_score_adj name" (the rss split since 6.8 or so)
        if l.startswith("[  pid  ]"):
            cols = l.split("]", 1)[1].split()
        m = re.match(r"^\[\s*(\d+)\]\s+(.*)$", l)
        if m and cols and len(m.group(2).split(None, len(cols) - 1)) == len(cols):
            vals = m.group(2).split(None, len(cols) - 1)
            row = {"pid": int(m.group(1))}
            try:
                for c, v in zip(cols, vals):
                    key = OOM_COLS.get(c, c)
                    row[key] = v if c == "name" else int(v)
            except ValueError:
                row = None
            if row is not None:
                out["tasks"].append(row)
        m = re.search(r"(Out of memory|Memory cgroup out of memory): Killed process (\d+) \((.*?)\)", l)
        if m:
            out["killed"].append({"pid": int(m.group(2)), "comm": m.group(3), "line": l})
        if "Kernel panic - not syncing" in l and out["panic"] is None:
            out["panic"] = l.split("Kernel panic - not syncing:", 1)[-1].strip()
        if l.startswith("Mem-Info:") and out["mem_info"] is None:
            blk = []
            for l2 in lines[i + 1:]:
                if l2.startswith("Tasks state") or l2.startswith("[  pid  ]"):
                    break
                blk.append(l2)
            out["mem_info"] = "\n".join(blk)
    return out


def parse_iomem(t):
    """/proc/iomem (read as root): [{start, end, size, name, depth}]."""
    out = []
    for line in t.splitlines():
        m = re.match(r"^( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$", line)
        if m:
            a, b = int(m.group(2), 16), int(m.group(3), 16)
            out.append({"start": a, "end": b, "size": b - a + 1, "name": m.group(4).strip(),
                        "depth": len(m.group(1)) // 2})
    return out


def parse_rest(sec, console_text):
    """Scenario rest: the crash kernel region, the hugetlb pools, zram, zswap,
    the balloon counters and the kernel's boot-time memory line."""
    r = {}
    iomem = parse_iomem(sec.get("/proc/iomem", ""))
    r["iomem"] = iomem
    ck = [e for e in iomem if e["name"] == "Crash kernel"]
    r["crash_kernel"] = ({"start": ck[0]["start"], "end": ck[0]["end"], "size": sum(e["size"] for e in ck)}
                         if ck else None)
    if "/sys/kernel/kexec_crash_size" in sec:
        r["kexec_crash_size"] = num(sec["/sys/kernel/kexec_crash_size"].strip())
    bs = sec.get("/sys/devices/system/memory/block_size_bytes", "").strip()
    if bs:
        r["memory_block_bytes"] = int(bs, 16)
        r["memory_blocks"] = len(re.findall(r"\bmemory\d+\b", sec.get("mw:memory-blocks", "")))
    r["system_ram_bytes"] = sum(e["size"] for e in iomem if e["depth"] == 0 and e["name"] == "System RAM")
    # hugetlb pools: global and per node, keyed by the page size in kB
    pools, nodes = {}, {}
    for key, text in sec.items():
        m = re.match(r"^/sys/kernel/mm/hugepages/hugepages-(\d+)kB/(\w+)$", key)
        if m and text.strip().lstrip("-").isdigit():
            pools.setdefault(m.group(1), {})[m.group(2)] = int(text.strip())
        m = re.match(r"^/sys/devices/system/node/node(\d+)/hugepages/hugepages-(\d+)kB/(\w+)$", key)
        if m and text.strip().lstrip("-").isdigit():
            nodes.setdefault(m.group(1), {}).setdefault(m.group(2), {})[m.group(3)] = int(text.strip())
    r["hugepages"] = pools
    r["hugepages_node"] = nodes
    files = []
    for line in sec.get("mw:hugefiles", "").splitlines():
        p = line.split()
        if len(p) >= 9 and p[0].startswith("-"):
            files.append({"path": "/mnt/huge/" + " ".join(p[8:]), "size": int(p[4])})
    r["hugetlbfs_files"] = files
    zram = {}
    mm_names = ["orig_data_size", "compr_data_size", "mem_used_total", "mem_limit",
                "mem_used_max", "same_pages", "pages_compacted", "huge_pages", "huge_pages_since"]
    for key, text in sec.items():
        m = re.match(r"^/sys/block/(zram\d+)/(\w+)$", key)
        if not m:
            continue
        d = zram.setdefault(m.group(1), {})
        if m.group(2) == "mm_stat":
            d["mm_stat"] = {n: int(v) for n, v in zip(mm_names, text.split()) if v.lstrip("-").isdigit()}
        elif m.group(2) == "comp_algorithm":
            sel = re.search(r"\[([^\]]+)\]", text)
            d["comp_algorithm"] = sel.group(1) if sel else text.strip()
        elif m.group(2) in ("disksize", "mem_used_max", "size"):
            d[m.group(2)] = num(text.strip())
    r["zram"] = zram
    zs = {}
    for key, text in sec.items():
        for pre in ("/sys/module/zswap/parameters/", "/sys/kernel/debug/zswap/"):
            if key.startswith(pre):
                v = text.strip()
                zs[key[len(pre):]] = int(v) if v.lstrip("-").isdigit() else v
    r["zswap"] = zs if zs else None
    vm = parse_kv(sec.get("mw:final:/proc/vmstat", sec.get("/proc/vmstat", "")))
    r["balloon_vmstat"] = {k: v for k, v in vm.items() if k.startswith("balloon_")}
    # "Memory: 612345K/786040K available (12288K kernel code, 2000K rwdata,
    # 4000K rodata, 2800K init, 5000K bss, 150000K reserved, 0K cma-reserved)"
    text = sec.get("mw:dmesg", "") + "\n" + console_text
    m = re.search(r"Memory: (\d+)K/(\d+)K available \(([^)]*)\)", text)
    if m:
        mem = {"available_kib": int(m.group(1)), "total_kib": int(m.group(2))}
        for part in m.group(3).split(","):
            pm = re.match(r"\s*(\d+)K ([\w -]+)", part)
            if pm:
                mem[pm.group(2).strip().replace(" ", "_").replace("-", "_") + "_kib"] = int(pm.group(1))
        r["boot_memory"] = mem
    m = re.search(r"Freeing unused kernel image \(initmem\) memory: (\d+)K", text)
    if m:
        r["initmem_freed_kib"] = int(m.group(1))
    m = re.search(r"Reserving (\d+)MB of memory at (\d+)MB for crashkernel", text)
    if m:
        r["crashkernel_dmesg"] = {"size_mib": int(m.group(1)), "at_mib": int(m.group(2))}
    return r


def build_truth(text, phase, meta, console_text):
    sec = sections(text)
    mounts = parse_mounts(sec.get("/proc/mounts", ""))
    roles, by_pid = parse_roles(sec.get("mw:roles", ""))
    notes = parse_notes(sec.get("mw:notes", ""))
    first_transient = notes.get("truth_first_transient_pid")
    if not isinstance(first_transient, int):
        first_transient = None
    global PAGE_SIZE
    ps = sec.get("mw:pagesize", "").strip()
    PAGE_SIZE = int(ps) if ps.isdigit() and int(ps) > 0 else 4096
    t = {"memwhere_truth": SCHEMA, "phase": phase, "page_size": PAGE_SIZE}
    t["capture"] = meta
    t["kernel"] = {"release": sec.get("mw:uname", "").strip(),
                   "uname": sec.get("mw:uname-a", "").strip(),
                   "cmdline": sec.get("/proc/cmdline", "").strip(),
                   "uptime_s": float((sec.get("/proc/uptime", "0").split() or ["0"])[0])}
    syms = {}
    for line in sec.get("mw:kallsyms", "").splitlines():
        p = line.split()
        if len(p) >= 3 and p[2] not in syms:
            syms[p[2]] = "0x" + p[0].lower()
    t["kernel"]["symbols"] = syms
    kvars = {}
    for line in sec.get("mw:kvars", "").splitlines():
        p = line.split()
        if len(p) == 2 and p[1].startswith("0x"):
            kvars[p[0]] = "0x" + p[1][2:].lower()
    t["kernel"]["variables"] = kvars
    if meta.get("link_stext") and "_stext" in syms and int(syms["_stext"], 16) != 0:
        # arm64 (no fixed link address; kallsyms without variables): against
        # the System.map's _stext
        t["kernel"]["kaslr_offset"] = "0x%x" % (int(syms["_stext"], 16) - int(meta["link_stext"], 16))
    elif "_text" in syms and int(syms["_text"], 16) != 0:
        t["kernel"]["kaslr_offset"] = "0x%x" % (int(syms["_text"], 16) - 0xffffffff81000000)
    t["meminfo"] = parse_meminfo(sec.get("/proc/meminfo", ""))
    t["vmstat"] = parse_kv(sec.get("/proc/vmstat", ""))
    t["slabinfo"] = parse_slabinfo(sec.get("/proc/slabinfo", ""))
    if "mw:slab-aliases" in sec:    # /sys/kernel/slab symlinks: name -> the cache's sysfs name
        t["slab_aliases"] = {p[0]: p[1].rsplit("/", 1)[-1] for p in
                             (l.split() for l in sec["mw:slab-aliases"].splitlines()) if len(p) == 2}
    t["buddyinfo"] = parse_buddyinfo(sec.get("/proc/buddyinfo", ""))
    t["zoneinfo"] = parse_zoneinfo(sec.get("/proc/zoneinfo", ""))
    t["node_meminfo"] = parse_node_meminfo(sec)
    t["net"] = {
        "tcp": parse_inet(sec.get("/proc/net/tcp", ""), False, False),
        "tcp6": parse_inet(sec.get("/proc/net/tcp6", ""), True, False),
        "udp": parse_inet(sec.get("/proc/net/udp", ""), False, True),
        "udp6": parse_inet(sec.get("/proc/net/udp6", ""), True, True),
        "unix": parse_unix(sec.get("/proc/net/unix", "")),
        "sockstat": parse_sockstat(sec.get("/proc/net/sockstat", "")),
        "sockstat6": parse_sockstat(sec.get("/proc/net/sockstat6", "")),
    }
    t["sysvipc_shm"] = parse_sysvshm(sec.get("/proc/sysvipc/shm", ""))
    bpf = parse_bpf(sec.get("mw:out:bpf.out", ""))
    if bpf is not None:
        t["bpf"] = bpf
    t["mounts"] = mounts
    # the memory cgroups' counters as read again last, right before the
    # dump (truth.sh truth_final_read), replace the earlier reads
    cg_sec = dict(sec)
    for key, text in sec.items():
        if key.startswith("mw:final:/sys/fs/cgroup"):
            cg_sec[key[len("mw:final:"):]] = text
    t["cgroups"] = parse_cgroups(cg_sec, mounts)
    t["files"] = parse_resid(sec.get("mw:resid", ""), mounts)
    t["tasks"] = parse_tasks(sec, by_pid, first_transient)
    t["roles"] = roles
    t["notes"] = notes
    t["_proc_cgroups"] = sec.get("/proc/cgroups", "")
    t["derived"] = derive(t)
    del t["_proc_cgroups"]
    if meta.get("scenario") == "rest":
        t["rest"] = parse_rest(sec, console_text)
    if meta.get("scenario") == "oom" or "invoked oom-killer" in console_text:
        t["oom"] = parse_oom(console_text)
    t["checks"] = scenario_checks(t, meta.get("scenario"))
    t["raw"] = sec
    return t


def sock_owner_map(tasks):
    m = {}
    for task in tasks:
        for s in task["sockets"]:
            m.setdefault(s["inode"], []).append({"pid": task["pid"], "comm": task["comm"], "fd": s["fd"]})
    return m


def derive(t):
    """Convenience totals computed from the parsed truth (all bytes)."""
    d = {}
    owners = sock_owner_map(t["tasks"])
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for s in t["net"][proto]:
            s["owners"] = owners.get(s["inode"], [])
    for s in t["net"]["unix"]:
        s["owners"] = owners.get(s["inode"], [])
    d["tcp_rx_queue_bytes"] = sum(s["rx_queue"] for s in t["net"]["tcp"] + t["net"]["tcp6"])
    d["udp_rx_queue_bytes"] = sum(s["rx_queue"] for s in t["net"]["udp"] + t["net"]["udp6"])
    by_fs = {}
    for f in t["files"]:
        k = f["fs"] or "?"
        by_fs[k] = by_fs.get(k, 0) + f["resident_bytes"]
    d["scenario_file_resident_bytes_by_fs"] = by_fs
    for h in t["cgroups"]:
        for g in h["groups"]:
            if g["path"] == "/" and "cgroup_stat" in g:
                d["cgroup2_nr_dying_descendants"] = g["cgroup_stat"].get("nr_dying_descendants")
                d["cgroup2_nr_descendants"] = g["cgroup_stat"].get("nr_descendants")
    for line in t.get("_proc_cgroups", "").splitlines():
        p = line.split()
        if len(p) >= 4 and p[0] == "memory":
            d["proc_cgroups_memory_num_cgroups"] = int(p[2])
            live = [h for h in t["cgroups"] if h["version"] == 1 and "memory" in h["controllers"]]
            if live:
                d["cgroup1_memory_live_groups"] = len(live[0]["groups"])
                d["cgroup1_memory_dying_groups"] = int(p[2]) - len(live[0]["groups"])
    slab_r = sum(c["bytes"] for c in t["slabinfo"])
    d["slabinfo_total_bytes"] = slab_r
    for name in ("dentry", "ext4_inode_cache", "shmem_inode_cache", "skbuff_head_cache",
                 "kmalloc-cg-1k", "TCP", "UDP", "UNIX"):
        for c in t["slabinfo"]:
            if c["name"] == name:
                d["slab_%s_bytes" % name] = c["bytes"]
    return d


def find_role_task(t, role):
    r = t["roles"].get(role)
    if not r or "pid" not in r:
        return None
    for task in t["tasks"]:
        if task["pid"] == r["pid"]:
            return task
    return None


def scenario_checks(t, scenario):
    checks = []
    PAGE_SIZE = t.get("page_size", 4096)   # noqa: N806 (the guest's)

    def check(name, ok, detail=""):
        checks.append({"name": name, "ok": bool(ok), "detail": str(detail)})

    mi = t["meminfo"]
    # (arm64 has no page_offset_base variable: its bases come from VMCOREINFO)
    arm64 = "aarch64" in t["kernel"].get("uname", "")
    check("kernel symbols and bases read in the guest",
          "kaslr_offset" in t["kernel"] and (arm64 or "page_offset_base" in t["kernel"]["variables"]),
          "kaslr_offset %s, page_offset_base %s" % (t["kernel"].get("kaslr_offset"),
                                                    t["kernel"]["variables"].get("page_offset_base")))
    check("meminfo parsed", mi.get("MemTotal", 0) > 0, mi.get("MemTotal"))
    check("slabinfo parsed", len(t["slabinfo"]) > 20, len(t["slabinfo"]))
    user = [x for x in t["tasks"] if not x["kernel_thread"] and not x["transient"]]
    check("tasks parsed", len(user) >= 2, "%d tasks, %d user" % (len(t["tasks"]), len(user)))
    notes = t["notes"]
    if scenario == "leak":
        leak = [f for f in t["files"] if f["path"] == notes.get("leak_file")]
        check("the leaking tmpfs file all resident", len(leak) == 1 and leak[0]["size_bytes"] > 0 and
              leak[0]["resident_pages"] == (leak[0]["size_bytes"] + PAGE_SIZE - 1) // PAGE_SIZE,
              "; ".join("%d bytes, %d pages resident" % (f["size_bytes"], f["resident_pages"]) for f in leak))
    if scenario == "rest" and "rest" in t:
        r = t["rest"]
        bal = t["capture"].get("balloon") or {}
        inflated = (r["balloon_vmstat"].get("balloon_inflate", 0) -
                    r["balloon_vmstat"].get("balloon_deflate", 0)) * PAGE_SIZE
        check("balloon inflated by the host's amount", inflated == bal.get("inflate_bytes"),
              "%d bytes in the balloon, %s asked" % (inflated, bal.get("inflate_bytes")))
        ck = r.get("crash_kernel") or {}
        check("crash kernel region reserved", ck.get("size", 0) > 0, ck.get("size"))
        pool = r["hugepages"].get("2048", {})
        check("hugetlb pool allocated", pool.get("nr_hugepages") == notes.get("hugepages_total"),
              pool)
        if notes.get("zram") == "available":
            zs = r["zram"].get("zram0", {}).get("mm_stat", {})
            check("zram0 holds what was written", zs.get("orig_data_size") == notes.get("zram_written_bytes"),
                  zs)
    if scenario == "mixed":
        gang = [f for f in t["files"] if f["path"].startswith("/dev/shm/ganglia/")]
        want = notes.get("ganglia_files", 0)
        check("ganglia tmpfs files all resident", len(gang) == want and
              all(f["resident_pages"] == (f["size_bytes"] + PAGE_SIZE - 1) // PAGE_SIZE for f in gang),
              "%d files, %d bytes resident" % (len(gang), sum(f["resident_bytes"] for f in gang)))
        logs = [f for f in t["files"] if "/io.containerd.snapshotter.v1.overlayfs/snapshots/" in f["path"]]
        check("container log files on ext4 in page cache",
              logs and all(f["fs"] == "ext4" for f in logs) and sum(f["resident_bytes"] for f in logs) > 0,
              "%d files, %d bytes resident" % (len(logs), sum(f["resident_bytes"] for f in logs)))
        ngx = find_role_task(t, "nginx")
        rx = 0
        if ngx:
            inodes = {s["inode"] for s in ngx["sockets"]}
            rx = sum(s["rx_queue"] for s in t["net"]["tcp"] if s["inode"] in inodes and s["state"] == "ESTABLISHED")
        check("nginx-like sockets hold unread data (rx_queue)", rx > 0, "%d bytes" % rx)
        st = find_role_task(t, "statsd")
        urx = 0
        if st:
            inodes = {s["inode"] for s in st["sockets"]}
            urx = sum(s["rx_queue"] for s in t["net"]["udp"] if s["inode"] in inodes)
        check("UDP sink holds unread datagrams", urx > 0, "%d bytes" % urx)
        dying = t["derived"].get("cgroup2_nr_dying_descendants") or 0
        check("dying memory cgroups", dying > 0, dying)
        pg = find_role_task(t, "pg-shm")
        check("deleted /dev/shm file still mapped",
              pg is not None and any("PostgreSQL" in m and "deleted" in m for m in pg["deleted_mappings"]),
              pg["deleted_mappings"] if pg else "no task")
        check("removed SysV shm segment still attached",
              any(s.get("nattch", 0) >= 1 for s in t["sysvipc_shm"]), len(t["sysvipc_shm"]))
        hog = find_role_task(t, "java-hog")
        check("java hog anon resident", hog is not None and (hog["rss_anon"] or 0) > 0,
              hog["rss_anon"] if hog else "no task")
        check("high SReclaimable (dentries)", mi.get("SReclaimable", 0) > 0, mi.get("SReclaimable"))
        check("dirty page cache left", mi.get("Dirty", 0) > 0, mi.get("Dirty"))
        if "swap_file" in notes:
            rd = find_role_task(t, "redis")
            check("a container swapped (task VmSwap > 0, SwapTotal > SwapFree)",
                  rd is not None and (rd["swap"] or 0) > 0 and mi.get("SwapTotal", 0) > mi.get("SwapFree", 0),
                  "redis VmSwap %s, SwapTotal %s, SwapFree %s" % (
                      rd["swap"] if rd else None, mi.get("SwapTotal"), mi.get("SwapFree")))
    elif scenario == "cgroup-v1":
        v1mem = [h for h in t["cgroups"] if h["version"] == 1 and "memory" in h["controllers"]]
        if notes.get("memcg_v1") == "available":
            check("cgroup v1 memory hierarchy with groups", v1mem and len(v1mem[0]["groups"]) > 3,
                  len(v1mem[0]["groups"]) if v1mem else 0)
            used = [g for g in (v1mem[0]["groups"] if v1mem else [])
                    if g.get("memory_usage_in_bytes", 0) > 0 and g["path"] != "/"]
            check("v1 groups with usage", len(used) >= 2, len(used))
            dy = t["derived"].get("cgroup1_memory_dying_groups", 0)
            check("dying v1 memory cgroups (/proc/cgroups num_cgroups > live groups)", dy > 0, dy)
            oomk = [g for g in (v1mem[0]["groups"] if v1mem else [])
                    if g.get("memory_oom_control", {}).get("oom_kill", 0) > 0]
            check("memcg OOM kill recorded in a v1 group", len(oomk) > 0, [g["path"] for g in oomk])
        else:
            check("v1 memory controller unavailable, recorded", "memcg_v1" in notes, notes.get("memcg_v1"))
            check("cgroup v1 hierarchies mounted", any(h["version"] == 1 for h in t["cgroups"]),
                  [h["mount"] for h in t["cgroups"]])
    elif scenario in ("oom", "shm-oom"):
        check("pre-OOM truth has the container cgroup", any(h["groups"] for h in t["cgroups"]), "")
        if scenario == "shm-oom":
            spool = sum(f["resident_bytes"] for f in t["files"] if f["path"].startswith("/dev/shm/spool/"))
            ram = t["meminfo"].get("MemTotal", 0)
            check("tmpfs spool files hold over 40% of RAM", ram and spool * 10 > ram * 4,
                  "%d of %d bytes" % (spool, ram))
        oom = t.get("oom") or {}
        check("console has the OOM report", len(oom.get("invoked", [])) > 0 and len(oom.get("tasks", [])) > 0,
              "%d invoked, %d task rows" % (len(oom.get("invoked", [])), len(oom.get("tasks", []))))
        check("console has the OOM panic", bool(oom.get("panic")), oom.get("panic"))
    elif scenario == "memcg-oom":
        oom = t.get("oom") or {}
        memcg_kills = [k for k in oom.get("killed", []) if k["line"].startswith("Memory cgroup")]
        check("console has a memcg OOM kill", len(memcg_kills) > 0, [k["comm"] for k in memcg_kills])
        check("console has a panic that is not an OOM's",
              bool(oom.get("panic")) and not oom["panic"].startswith("Out of memory"), oom.get("panic"))
    return checks


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    d = argv[1]
    with open(os.path.join(d, "truth.txt"), "rb") as f:
        raw = f.read().decode("utf-8", errors="replace").replace("\r", "")
    phases = re.findall(r"@@MW-TRUTH-BEGIN (\S+)\n(.*?)@@MW-TRUTH-END", raw, re.S)
    if not phases:
        print("no truth in %s/truth.txt" % d, file=sys.stderr)
        return 1
    phase, text = phases[-1]
    meta = {}
    old = os.path.join(d, "truth.json")
    if os.path.exists(old):
        with open(old) as f:
            meta = json.load(f).get("capture", {})
    console = ""
    if os.path.exists(os.path.join(d, "console.log")):
        with open(os.path.join(d, "console.log"), "rb") as f:
            console = f.read().decode(errors="replace")
    t = build_truth(text, phase, meta, console)
    json.dump(t, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
