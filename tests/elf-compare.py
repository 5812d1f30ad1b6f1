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


def out(status, what, why=""):
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
    """Top-level "System RAM" lines, page-rounded inward."""
    ram = []
    for line in open(path):
        if line.startswith(" "):
            continue
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) : System RAM", line.strip())
        if m:
            s, e = int(m.group(1), 16), int(m.group(2), 16) + 1
            s = (s + 4095) & ~4095
            e &= ~4095
            if e > s:
                ram.append((s, e))
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
    while opts:
        o = opts.pop(0)
        if o == "--iomem":
            iomem = opts.pop(0)
        elif o == "--same-as":
            same_as = opts.pop(0)
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
        missing = [(hex(s), hex(e)) for s, e in ram if not covered(got, s, e)]
        if ram and not missing:
            out("PASS", "%s: covers all %d System RAM ranges of /proc/iomem" %
                (name, len(ram)))
        else:
            out("FAIL", "%s: System RAM not covered" % name, str(missing[:4]))

    # 3. every byte of every range equals libkdumpfile's, read in 4 MiB
    #    requests and again in odd-sized ones that cross extent boundaries
    for chunk in (4 << 20, 1000003):
        p = subprocess.Popen([readmem, dump, "all", str(chunk)],
                             stdout=subprocess.PIPE)
        bad = None
        total = 0
        for s, e in got:
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
            out("FAIL", "%s: all memory vs libkdumpfile (requests of %d)" %
                (name, chunk), bad or "elf-readmem exit %d" % rc)
        else:
            out("PASS", "%s: %d bytes of memory equal libkdumpfile's (requests of %d bytes)" %
                (name, total, chunk))

    # 4. random unaligned reads
    rnd = random.Random(1)
    bad = None
    for i in range(200):
        s, e = rnd.choice(got)
        a = rnd.randrange(s, e)
        n = rnd.randint(1, min(e - a, 3 * 4096 + 17))
        mine = mw(readmem, dump, "phys", hex(a), n).stdout
        if mine != kd.read(PHYS, a, n):
            bad = "0x%x+%d" % (a, n)
            break
    if bad:
        out("FAIL", "%s: random reads vs libkdumpfile" % name, bad)
    else:
        out("PASS", "%s: 200 random unaligned reads equal libkdumpfile's" % name)

    # 5. holes: the first byte after each range (and below the first) is
    #    not in the dump for both readers
    holes = [e for s, e in got] + ([got[0][0] - 1] if got and got[0][0] else [])
    bad = []
    for h in holes:
        r = mw(readmem, dump, "phys", hex(h), 1, check=False)
        try:
            kd.read(PHYS, h, 1)
            theirs = "readable"
        except Exception:  # noqa: BLE001
            theirs = "unreadable"
        if r.returncode != 3 or theirs != "unreadable" or \
                ("0x%x" % h) not in r.stderr.decode():
            bad.append("0x%x: memwhere exit %d, libkdumpfile %s" %
                       (h, r.returncode, theirs))
    if bad:
        out("FAIL", "%s: holes" % name, "; ".join(bad[:3]))
    else:
        out("PASS", "%s: %d holes are holes for both readers, error names the address" %
            (name, len(holes)))

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
            for l in rnd.sample(loads, min(len(loads), 300)):
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
    if same_as:
        other = mw_ranges(readmem, same_as)
        bad = None
        total = 0
        for s, e in got:
            # the part of [s, e) the other dump has too
            for os_, oe in other:
                lo, hi = max(s, os_), min(e, oe)
                if lo >= hi:
                    continue
                a = lo
                while a < hi and not bad:
                    n = min(64 << 20, hi - a)
                    h1 = hashlib.sha1(mw(readmem, dump, "phys", hex(a), n).stdout).digest()
                    h2 = hashlib.sha1(mw(readmem, same_as, "phys", hex(a), n).stdout).digest()
                    if h1 != h2:
                        bad = "differ in 0x%x+%d" % (a, n)
                    total += n
                    a += n
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
