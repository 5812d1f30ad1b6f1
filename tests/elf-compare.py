#!/usr/bin/python3
"""Compare memwhere's view of a real ELF dump with independent readers.

Usage: elf-compare.py ELF-READMEM DUMP [--iomem FILE] [--same-as OTHER-DUMP]

Prints one line per check, "PASS <what>" or "FAIL <what>: <why>" (and
"SKIP <what>: <why>"), for tests/elf-real.sh to turn into TAP.

Independent sources:
  - readelf -lW (binutils) for the program headers: the physical ranges a
    reader must expose, and the virtual segments;
  - libkdumpfile (python3-libkdumpfile, KDUMP_MACHPHYSADDR) for the bytes
    of every physical page and for holes;
  - the file itself, read at each PT_LOAD's p_offset, for virtual segments;
  - the guest's /proc/iomem "System RAM" (--iomem), which the dump must cover;
  - another dump of the same stopped guest (--same-as), whose physical
    memory must be byte-identical where both have it.
"""
import hashlib
import os
import random
import re
import subprocess
import sys

CHUNK = 1 << 20


T0 = [None]


def out(status, what, why=""):
    import time
    now = time.monotonic()
    if T0[0] is not None and os.environ.get("MW_ELF_COMPARE_TIMES"):
        print("# %.1f s" % (now - T0[0]))
    T0[0] = now
    print("%s %s%s" % (status, what, (": " + why) if why else ""), flush=True)


def readelf_loads(path):
    res = subprocess.run(["readelf", "-lW", path], capture_output=True,
                         text=True, check=True)
    loads = []
    for line in res.stdout.splitlines():
        f = line.split()
        if len(f) >= 7 and f[0] == "LOAD":
            loads.append(dict(offset=int(f[1], 16), vaddr=int(f[2], 16),
                              paddr=int(f[3], 16), filesz=int(f[4], 16),
                              memsz=int(f[5], 16)))
    return loads


def readelf_has_qemu_note(path):
    res = subprocess.run(["readelf", "-nW", path], capture_output=True,
                         text=True)
    return re.search(r"^\s+QEMU\s", res.stdout, re.M) is not None


def normalize(ranges):
    ranges = sorted(r for r in ranges if r[1] > r[0])
    merged = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [tuple(r) for r in merged]


def mw(readmem, dump, *args, check=True):
    res = subprocess.run([readmem, dump] + [str(a) for a in args],
                         capture_output=True)
    if check and res.returncode != 0:
        raise RuntimeError("elf-readmem %s: exit %d: %s" % (
            " ".join(map(str, args)), res.returncode,
            res.stderr.decode(errors="replace").strip()))
    return res


def mw_ranges(readmem, dump):
    text = mw(readmem, dump, "ranges").stdout.decode()
    return [tuple(int(x, 16) for x in l.split()) for l in text.splitlines()]


def iomem_ram(path):
    """Top-level "System RAM" lines, page-rounded inward, less the "Crash
    kernel" reservation (a kdump kernel's /proc/vmcore leaves it out)."""
    ram, crash = [], []
    for line in open(path):
        m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) : (System RAM|Crash kernel)$",
                     line.rstrip("\n"))
        if not m or (m.group(3) == "System RAM" and line.startswith(" ")):
            continue
        s, e = int(m.group(1), 16), int(m.group(2), 16) + 1
        if m.group(3) == "Crash kernel":
            crash.append((s, e))
            continue
        s = (s + 4095) & ~4095
        e &= ~4095
        if e > s:
            ram.append((s, e))
    for cs, ce in crash:
        cut = []
        for s, e in ram:
            if ce <= s or cs >= e:
                cut.append((s, e))
                continue
            if s < cs:
                cut.append((s, cs))
            if ce < e:
                cut.append((ce, e))
        ram = cut
    return ram


def covered(ranges, s, e):
    for rs, re_ in ranges:
        if rs <= s and e <= re_:
            return True
    return False


def main():
    readmem, dump = sys.argv[1], sys.argv[2]
    opts = sys.argv[3:]
    iomem = same_as = None
    # a vmcore whose ELF headers the kernel wrote (kexec_file_load) has no
    # System RAM below 1 MiB: x86's crash code leaves the first MiB out
    low_1m_left_out = False
    while opts:
        o = opts.pop(0)
        if o == "--iomem":
            iomem = opts.pop(0)
        elif o == "--same-as":
            same_as = opts.pop(0)
        elif o == "--low-1m-left-out":
            low_1m_left_out = True
    name = os.path.basename(dump)

    import kdumpfile
    kd = kdumpfile.kdumpfile(dump)
    PHYS = kdumpfile.KDUMP_MACHPHYSADDR

    # 1. ranges against readelf's program headers
    loads = readelf_loads(dump)
    qemu = readelf_has_qemu_note(dump)
    want = normalize([(l["paddr"], l["paddr"] +
                       (l["filesz"] if qemu else l["memsz"]))
                      for l in loads if l["paddr"] != 2**64 - 1])
    got = mw_ranges(readmem, dump)
    if got == want:
        out("PASS", "%s: %d ranges equal readelf's PT_LOADs" % (name, len(got)))
    else:
        out("FAIL", "%s: ranges differ from readelf" % name,
            "memwhere %s, readelf %s" % (
                [(hex(a), hex(b)) for a, b in got][:8],
                [(hex(a), hex(b)) for a, b in want][:8]))

    # 2. the guest's System RAM is inside the dump's ranges
    if iomem:
        ram = iomem_ram(iomem)
        if low_1m_left_out:
            ram = [(max(s, 1 << 20), e) for s, e in ram if e > 1 << 20]
        missing = [(hex(s), hex(e)) for s, e in ram if not covered(got, s, e)]
        if ram and not missing:
            out("PASS", "%s: covers all %d System RAM ranges of /proc/iomem%s" %
                (name, len(ram), " above 1 MiB" if low_1m_left_out else ""))
        else:
            out("FAIL", "%s: System RAM not covered" % name, str(missing[:4]))

    # 3. every byte of every present page equals libkdumpfile's, read in
    #    4 MiB requests and again in odd-sized ones that cross extent
    #    boundaries; without excluded pages, every byte of every range
    runs = [l.split() for l in mw(readmem, dump, "pagemap").stdout.decode().split("\n") if l]
    present = [(int(a, 16) << 12, int(b, 16) << 12) for a, b, st in runs if st == "present"]
    rnd_pages = random.Random(2)
    if any(st == "excluded" for a, b, st in runs):
        passes = [("present", present, 4 << 20), ("present", present, 1000003)]
    else:
        passes = [("all", got, 4 << 20), ("present", present, 1000003)]
    for what, spanlist, chunk in passes:
        if True:
            p = subprocess.Popen([readmem, dump, what, str(chunk)],
                                 stdout=subprocess.PIPE)
            bad = None
            total = 0
            for s, e in spanlist:
                a = s
                while a < e and not bad:
                    n = min(CHUNK, e - a)
                    mine = p.stdout.read(n)
                    try:
                        theirs = kd.read(PHYS, a, n)
                    except Exception as ex:  # noqa: BLE001
                        bad = "libkdumpfile cannot read 0x%x: %s" % (a, ex)
                        break
                    if mine != theirs:
                        off = next((i for i in range(min(len(mine), len(theirs)))
                                    if mine[i] != theirs[i]), min(len(mine), len(theirs)))
                        bad = "first difference at 0x%x" % (a + off)
                    total += n
                    a += n
            p.stdout.close()
            rc = p.wait()
            if bad or rc:
                out("FAIL", "%s: %s memory vs libkdumpfile (requests of %d)" %
                    (name, what, chunk), bad or "elf-readmem exit %d" % rc)
            else:
                out("PASS", "%s: %d bytes (%s) equal libkdumpfile's (requests of %d bytes)" %
                    (name, total, "every present page" if what == "present" else "every range",
                     chunk))

    # 3b. page by page: a page memwhere calls present reads whole for
    #     libkdumpfile, one it calls excluded or a hole does not; and
    #     memwhere's excluded_pages is the number of excluded pages. Every
    #     page of a dump with excluded pages; otherwise the pages at both
    #     ends of each run and 2000 random ones.
    runs = [(int(a, 16), int(b, 16), st) for a, b, st in runs]
    counts = {"present": 0, "excluded": 0, "hole": 0}
    state_of = {}
    for a, b, st in runs:
        counts[st] += b - a
    filtered = counts["excluded"] > 0
    pick = []
    for a, b, st in runs:
        if st == "hole" and b - a > 64:
            pick += [a, b - 1]     # big holes: their ends only (and 5.)
        elif filtered or b - a <= 8:
            pick += range(a, b)
        else:
            pick += list(range(a, a + 4)) + list(range(b - 4, b))
    if not filtered:
        present_runs = [(a, b) for a, b, st in runs if st == "present"]
        weights = [b - a for a, b in present_runs]
        for a, b in rnd_pages.choices(present_runs, weights, k=2000):
            pick.append(rnd_pages.randrange(a, b))

    def state(pfn):
        for a, b, st in runs:
            if a <= pfn < b:
                return st
        return "hole"
    bad = []
    zero_quirk = partial = 0
    for pfn in sorted(set(pick)):
        st = state(pfn)
        try:
            data = kd.read(PHYS, pfn << 12, 4096)
            theirs = "present"
        except Exception:  # noqa: BLE001
            theirs = "absent"
        if st == "hole" and theirs == "present" and \
                any(s < (pfn + 1) << 12 and e > pfn << 12 for s, e in got):
            # a page only partly in the dump (the end of System RAM at
            # 0x9fc00): memwhere says hole for the page and reads the part
            # that is there; libkdumpfile fills the rest with zeros
            partial += 1
            continue
        if st != "present" and theirs == "present" and data.count(0) == 4096 \
                and state(pfn + 1) == "present":
            # libkdumpfile 0.5.1 reads the page just below the start of a
            # segment as zeros (and the pages below it as "Page not found")
            zero_quirk += 1
            continue
        if (st == "present") != (theirs == "present"):
            bad.append("pfn 0x%x: memwhere %s, libkdumpfile %s" % (pfn, st, theirs))
    info = subprocess.run([os.environ.get("MEMWHERE", os.path.join(os.path.dirname(readmem), "..", "memwhere")),
                           "--json", "info", dump], capture_output=True, text=True)
    try:
        import json
        excl = json.loads(info.stdout)["memory"]["excluded_pages"]
    except Exception:  # noqa: BLE001
        excl = None
    if excl != counts["excluded"]:
        bad.append("info says %r excluded pages, page states say %d" % (excl, counts["excluded"]))
    if bad:
        out("FAIL", "%s: page states vs libkdumpfile" % name, "; ".join(bad[:3]) +
            " (%d disagreements)" % len(bad))
    else:
        out("PASS", "%s: states of %d pages agree with libkdumpfile (of %d present, %d excluded, %d partial/hole%s)" %
            (name, len(set(pick)), counts["present"], counts["excluded"], counts["hole"],
             "; %d pages below a segment libkdumpfile reads as zeros" % zero_quirk if zero_quirk else "",
             ) + ("; %d partial pages libkdumpfile pads with zeros" % partial if partial else ""))

    # 4. random unaligned reads inside the ranges: the same bytes, or both
    #    readers refuse (pages left out of the dump)
    rnd = random.Random(1)
    bad = None
    refused = 0
    for i in range(200):
        s, e = rnd.choice(got)
        a = rnd.randrange(s, e)
        n = rnd.randint(1, min(e - a, 3 * 4096 + 17))
        r = mw(readmem, dump, "phys", hex(a), n, check=False)
        try:
            theirs = kd.read(PHYS, a, n)
        except Exception:  # noqa: BLE001
            theirs = None
        if theirs is None and r.returncode == 4:
            refused += 1
            continue
        if r.returncode != 0 or r.stdout != theirs:
            bad = "0x%x+%d: memwhere exit %d, libkdumpfile %s" % (
                a, n, r.returncode, "refused" if theirs is None else "read")
            break
    if bad:
        out("FAIL", "%s: random reads vs libkdumpfile" % name, bad)
    else:
        out("PASS", "%s: 200 random unaligned reads agree with libkdumpfile (%d refused by both)" %
            (name, refused))

    # 5. holes: memwhere refuses the first byte after each range (and the
    #    one below the first range) with a hole error naming that address;
    #    the first whole page in each gap is unreadable for both readers
    #    (libkdumpfile reads page-granular and zero-fills partial pages)
    bounds = [(e, nxt) for (s, e), (nxt, _) in zip(got, got[1:] + [(2**52, 0)])]
    bad = []
    edges = [e for e, _ in bounds] + ([got[0][0] - 1] if got and got[0][0] else [])
    for h in edges:
        r = mw(readmem, dump, "phys", hex(h), 1, check=False)
        if r.returncode != 3 or ("0x%x" % h) not in r.stderr.decode():
            bad.append("0x%x: memwhere exit %d" % (h, r.returncode))
    pages = 0
    for e, nxt in bounds:
        pg = (e + 4095) & ~4095
        if pg + 4096 > nxt:
            continue
        pages += 1
        r = mw(readmem, dump, "phys", hex(pg), 4096, check=False)
        try:
            kd.read(PHYS, pg, 4096)
            theirs = "readable"
        except Exception:  # noqa: BLE001
            theirs = "unreadable"
        if r.returncode != 3 or theirs != "unreadable":
            bad.append("page 0x%x: memwhere exit %d, libkdumpfile %s" %
                       (pg, r.returncode, theirs))
    if bad:
        out("FAIL", "%s: holes" % name, "; ".join(bad[:3]))
    else:
        out("PASS", "%s: %d range ends are holes to memwhere (error names the address), %d gap pages to both readers" %
            (name, len(edges), pages))

    # 6. virtual segments: the list equals readelf's, the bytes equal the
    #    file's at p_offset
    segs = mw(readmem, dump, "segments").stdout.decode().split("\n")
    segs = sorted(tuple(l.split()) for l in segs if l)
    virtual = any(l["vaddr"] not in (0, l["paddr"]) for l in loads)
    if not virtual:
        if segs:
            out("FAIL", "%s: physical-only dump lists virtual segments" % name)
        else:
            out("PASS", "%s: physical-only dump, no virtual segments" % name)
    else:
        want = sorted(("0x%x" % l["vaddr"], "0x%x" % l["memsz"],
                       "0x%x" % l["paddr"]) for l in loads)
        if segs == want:
            out("PASS", "%s: %d virtual segments equal readelf's" % (name, len(segs)))
        else:
            out("FAIL", "%s: virtual segments differ from readelf" % name)
        bad = None
        checked = ambiguous = 0
        # QEMU dumps the page tables of every CPU: one virtual address may
        # map different physical pages (user space of different tasks).
        # Such addresses have no single right answer; skip them.
        by_vaddr = sorted(loads, key=lambda l: l["vaddr"])

        def is_ambiguous(l):
            for o in by_vaddr:
                if o is l or o["vaddr"] >= l["vaddr"] + l["memsz"]:
                    continue
                if o["vaddr"] + o["memsz"] > l["vaddr"] and \
                        o["paddr"] - o["vaddr"] != l["paddr"] - l["vaddr"]:
                    return True
            return False
        with open(dump, "rb") as f:
            for l in rnd.sample(loads, min(len(loads), 100)):
                n = min(l["filesz"], 256 << 10)
                if n == 0:
                    continue
                if is_ambiguous(l):
                    ambiguous += 1
                    continue
                f.seek(l["offset"])
                want_b = f.read(n)
                mine = mw(readmem, dump, "virt", hex(l["vaddr"]), n).stdout
                if mine != want_b:
                    bad = "segment at 0x%x" % l["vaddr"]
                    break
                checked += 1
        if bad:
            out("FAIL", "%s: virtual reads vs the file's bytes" % name, bad)
        else:
            out("PASS", "%s: virtual reads of %d segments equal the file's bytes at p_offset (%d mapped ambiguously, skipped)" %
                (name, checked, ambiguous))

    # 7. the same stopped guest dumped another way has the same memory
    #    (this dump's present pages, where the other dump has them)
    if same_as:
        other = mw_ranges(readmem, same_as)
        bad = None
        total = 0
        for s, e in present:
            # the part of [s, e) the other dump has too
            for os_, oe in other:
                lo, hi = max(s, os_), min(e, oe)
                if lo >= hi or bad:
                    continue
                p1 = subprocess.Popen([readmem, dump, "phys", hex(lo), str(hi - lo)],
                                      stdout=subprocess.PIPE)
                p2 = subprocess.Popen([readmem, same_as, "phys", hex(lo), str(hi - lo)],
                                      stdout=subprocess.PIPE)
                a = lo
                while a < hi:
                    n = min(CHUNK, hi - a)
                    if p1.stdout.read(n) != p2.stdout.read(n):
                        bad = "differ in 0x%x+%d" % (a, n)
                        break
                    total += n
                    a += n
                for p in (p1, p2):
                    p.stdout.close()
                    p.wait()
        if bad:
            out("FAIL", "%s: physical memory vs %s" % (name, os.path.basename(same_as)), bad)
        else:
            out("PASS", "%s: %d bytes of physical memory equal %s's" %
                (name, total, os.path.basename(same_as)))

if __name__ == "__main__":
    try:
        main()
    except Exception as ex:  # noqa: BLE001
        out("FAIL", "elf-compare.py crashed", repr(ex))
        sys.exit(1)
