#!/usr/bin/python3
"""mw-convert on a small synthetic ELF core that this test generates: every
compression, header versions 1-6, shared and excluded zero pages, excluded
pfn ranges, an incomplete dump, the flattened stream and the ELF output,
each checked by independent readers (the format parsed here from its
definition, libkdumpfile, makedumpfile -R, crash --osrelease) and read back
by memwhere where its reader for the format exists."""
import os
import random
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("MW_SRCDIR", "."), "tests"))
import convlib  # noqa: E402
from convlib import Kdump, Source, run  # noqa: E402

PS = 4096
RELEASE = "6.1.0-mwsynth"
TS = "1700000000"
# physical ranges [start, end): one ends inside a page
RANGES = [(0x0, 0x10000), (0x20000, 0x28800), (0x100000, 0x180000)]
# pfns [a, b) all zeros: two 16 KiB units of zeros for --zero-unit
ZERO_RUN = (0x140, 0x148)


def page_content(pfn):
    r = random.Random(pfn)
    if pfn % 5 == 0 or ZERO_RUN[0] <= pfn < ZERO_RUN[1]:
        return bytes(PS)                                # zero page
    if pfn % 7 == 3:
        return bytes(r.getrandbits(8) for _ in range(PS))   # incompressible
    text = ("pfn %05x line %d; " % (pfn, r.randrange(1000))).encode()
    return (text * (PS // len(text) + 1))[:PS]          # compressible


def note(name, ntype, desc):
    n = name.encode() + b"\0"
    al = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + al(n) + al(desc)


def make_source(path):
    vmcoreinfo = ("OSRELEASE=%s\nPAGESIZE=4096\nNUMBER(phys_base)=-473956352\n"
                  "KERNELOFFSET=29600000\n" % RELEASE).encode()
    prstatus = lambda pid: bytes(32) + struct.pack("<I", pid) + bytes(336 - 36)
    notes = note("CORE", 1, prstatus(1)) + note("CORE", 1, prstatus(2)) + \
        note("VMCOREINFO", 0, vmcoreinfo)
    phnum = 1 + len(RANGES)
    off = 64 + 56 * phnum
    notes_off = off
    off += len(notes)
    off = (off + PS - 1) // PS * PS
    phdrs = struct.pack("<IIQQQQQQ", 4, 0, notes_off, 0, 0, len(notes), len(notes), 0)
    body = b""
    for s, e in RANGES:
        phdrs += struct.pack("<IIQQQQQQ", 1, 7, off + len(body), 0, s, e - s, e - s, 0)
        for pa in range(s, e, PS):
            body += page_content(pa // PS)[:min(PS, e - pa)]
    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack(
        "<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(ehdr + phdrs + notes)
        f.write(bytes(off - f.tell()))
        f.write(body)


def main():
    tap = convlib.Tap()
    conv = convlib.mw_convert_path()
    if not os.access(conv, os.X_OK):
        tap.skip_all("mw-convert not built")
    tmp = tempfile.mkdtemp(prefix="mwconv-")
    try:
        run_tests(tap, conv, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.done()


def convert(tap, conv, src, out, *opts):
    rc, _, err = run([conv, "--timestamp", TS] + list(opts) + [src, out])
    tap.ok(rc == 0, "mw-convert %s" % " ".join(opts), err)
    return rc == 0


def run_tests(tap, conv, tmp):
    srcpath = os.path.join(tmp, "source.elf")
    make_source(srcpath)
    src = Source(srcpath)
    tap.diag("source: %d RAM pages, %d zero, ranges %s" % (
        len(src.ram), len(src.zero_pfns()), [(hex(a), hex(b)) for a, b in src.ranges]))
    have_lk = convlib.have_libkdumpfile()
    have_crash = shutil.which("crash") is not None
    have_mdf = shutil.which("makedumpfile") is not None

    # memwhere reads the source as the test wrote it
    elf, why = convlib.memwhere_reads(srcpath, os.path.join(tmp, "mw-source.elf"))
    if elf is None:
        tap.ok(False, "memwhere reads the synthetic source", why)
        return
    same = all(elf.page(p) == src.page(p) for p in src.ram)
    tap.ok(same and elf.ranges() == src.ranges,
           "memwhere reads every page of the synthetic source as written",
           (elf.ranges(), src.ranges))
    elf.close()

    def kdump_checks(label, path, comp, dumped, exclude_zero=False, incomplete_after=None,
                     version=6):
        kd = Kdump(path)
        convlib.check_kdump_layout(tap, label, kd, src, comp, dumped, exclude_zero,
                                   incomplete_after, version)
        kd.close()
        if have_lk:
            convlib.check_pages_libkdumpfile(tap, label, path, src, dumped, incomplete_after)
        else:
            tap.skip("%s: libkdumpfile" % label, "python3-libkdumpfile not installed")
        convlib.check_pages_memwhere(tap, label, path, src, dumped, tmp, incomplete_after)
        if have_crash and version >= 3:
            convlib.check_crash_osrelease(tap, label, path, RELEASE)

    everything = src.expected()
    # every compression, header version 6, zero pages shared
    for comp in ("none", "zlib", "lzo", "snappy", "zstd"):
        out = os.path.join(tmp, "v6-%s.kdump" % comp)
        if convert(tap, conv, srcpath, out, "--compress", comp):
            kdump_checks("kdump %s" % comp, out, comp, everything)

    # header versions 1-5
    for ver in range(1, 6):
        out = os.path.join(tmp, "v%d.kdump" % ver)
        if convert(tap, conv, srcpath, out, "--compress", "lzo", "--header-version", str(ver)):
            kdump_checks("kdump v%d lzo" % ver, out, "lzo", everything, version=ver)

    # zero pages left out
    out = os.path.join(tmp, "exzero.kdump")
    if convert(tap, conv, srcpath, out, "--compress", "zlib", "--exclude-zero"):
        kdump_checks("kdump zlib exclude-zero", out, "zlib",
                     src.expected(exclude_zero=True), exclude_zero=True)

    # zero pages left out only where the aligned 16 KiB holding them is all
    # zeros (a kernel with 16 KiB pages seen in 4 KiB blocks)
    unit = 4
    ram, zero = set(src.ram), src.zero_pfns()
    zero_unit = lambda p: all(q in ram and q in zero for q in range(p & ~(unit - 1),
                                                                  (p & ~(unit - 1)) + unit))
    dumped = [p for p in everything if not zero_unit(p)]
    kept_zero = sum(p in zero for p in dumped)
    tap.diag("zero-unit 16384: %d pages left out, %d zero pages kept" % (
        len(everything) - len(dumped), kept_zero))
    out = os.path.join(tmp, "zunit.kdump")
    if convert(tap, conv, srcpath, out, "--compress", "zlib", "--exclude-zero",
               "--zero-unit", str(unit * PS)):
        kdump_checks("kdump zlib exclude-zero zero-unit 16384", out, "zlib", dumped,
                     exclude_zero=True)
    tap.ok(len(dumped) < len(everything) and kept_zero > 0,
           "the source has whole zero units and zero pages in units that are not")

    # pfn ranges left out, from the command line and from a file
    ex = [(0x3, 0x5), (0x104, 0x104), (0x170, 0x1ff)]
    out = os.path.join(tmp, "exrange.kdump")
    if convert(tap, conv, srcpath, out, "--compress", "zstd",
               "--exclude-pfns", "0x3-0x5,260,0x170-0x1ff"):
        kdump_checks("kdump zstd exclude-pfns", out, "zstd", src.expected(exclude=ex))
        # that kdump as a source: its left-out pages stay left out
        chain = os.path.join(tmp, "chain.kdump")
        rc, _, err = run([conv, "--timestamp", TS, "--compress", "lzo", out, chain])
        if rc != 0 and convlib.reader_missing(err):
            tap.skip("kdump -> kdump keeps the source's exclusions", err.strip()[:120])
        elif tap.ok(rc == 0, "mw-convert of a kdump with excluded pages", err):
            kdump_checks("kdump -> kdump lzo", chain, "lzo", src.expected(exclude=ex))
        rfile = os.path.join(tmp, "ranges.txt")
        with open(rfile, "w") as f:
            f.write("# pages to leave out\n0x170-0x1ff\n\n3-5   # low\n0x104\n")
        out2 = os.path.join(tmp, "exrange-file.kdump")
        if convert(tap, conv, srcpath, out2, "--compress", "zstd", "--exclude-pfns-file", rfile):
            tap.ok(open(out, "rb").read() == open(out2, "rb").read(),
                   "--exclude-pfns-file gives the same file as --exclude-pfns")

    # incomplete: only the first 20 descriptors kept
    out = os.path.join(tmp, "incomplete.kdump")
    if convert(tap, conv, srcpath, out, "--compress", "snappy", "--incomplete-after", "20"):
        kdump_checks("kdump snappy incomplete-after 20", out, "snappy", everything,
                     incomplete_after=20)

    # flattened
    plain = os.path.join(tmp, "v6-zlib.kdump")
    flat = os.path.join(tmp, "zlib.flat")
    if convert(tap, conv, srcpath, flat, "--compress", "zlib", "--flatten"):
        hdr_ok, recs, end, trailing = convlib.parse_flattened(flat)
        size = max(o + s for o, s in recs) if recs else 0
        tap.ok(hdr_ok and end and trailing == 0 and size == os.path.getsize(plain),
               "flattened: header, %d records, end marker, spans the kdump file" % len(recs),
               (hdr_ok, end, trailing, size))
        if have_mdf:
            rearranged = os.path.join(tmp, "rearranged.kdump")
            with open(flat, "rb") as fin:
                rc, _, err = run(["makedumpfile", "-R", rearranged], stdin=fin)
            tap.ok(rc == 0, "makedumpfile -R rearranges the flattened stream", err)
            tap.ok(rc == 0 and open(rearranged, "rb").read() == open(plain, "rb").read(),
                   "makedumpfile -R output is byte-identical to the kdump file")
            if have_lk and rc == 0:
                convlib.check_pages_libkdumpfile(tap, "flattened via makedumpfile -R", rearranged,
                                                 src, everything)
        else:
            tap.skip("makedumpfile -R", "makedumpfile not installed")
        convlib.check_pages_memwhere(tap, "flattened zlib", flat, src, everything, tmp)
        if have_crash:
            convlib.check_crash_osrelease(tap, "flattened zlib", flat, RELEASE)
        # to standard output
        rc, out_bytes, err = run([conv, "--timestamp", TS, "--compress", "zlib", "--flatten",
                                  srcpath, "-"])
        tap.ok(rc == 0 and out_bytes == open(flat, "rb").read(),
               "flattened to standard output: the same bytes", err)

    # ELF output
    for label, opts, dumped in (
            ("elf", [], everything),
            ("elf exclude-zero exclude-pfns", ["--exclude-zero", "--exclude-pfns", "0x3-0x5,0x104"],
             src.expected(exclude=[(3, 5), (0x104, 0x104)], exclude_zero=True))):
        out = os.path.join(tmp, label.replace(" ", "-") + ".elf")
        if not convert(tap, conv, srcpath, out, "--format", "elf", *opts):
            continue
        e = convlib.ElfCore(out)
        tap.ok(e.e_type == 4 and e.e_machine == 62 and all(v == 0 for _, v, _, _, _ in e.loads),
               "%s: ET_CORE x86_64, PT_LOADs with p_vaddr 0" % label)
        tap.ok(convlib.parse_notes(e.notes) == src.notes, "%s: notes equal the source's" % label)
        dset = set(dumped)
        bad = [p for p in src.ram if (e.page(p) if p in dset else None) != (src.page(p) if p in dset else None)
               or (p not in dset and e.page(p) is not None)]
        tap.ok(not bad, "%s: %d pages as in the source, left-out pages absent" % (label, len(dumped)),
               bad[:10])
        # runs of dumped pages, split at left-out pages and range ends
        runs = 0
        prev = None
        for p in dumped:
            if prev is None or p != prev + 1 or p * PS in [s for s, _ in RANGES]:
                runs += 1
            prev = p
        tap.ok(len(e.loads) == runs, "%s: one PT_LOAD per run (%d)" % (label, runs), len(e.loads))
        loads = [paddr for paddr, _, _, _, _ in e.loads]
        e.close()
        if have_lk:
            convlib.check_pages_libkdumpfile(tap, label, out, src, dumped, expect_format="elf",
                                             elf_loads=loads)
        convlib.check_pages_memwhere(tap, label, out, src, dumped, tmp)
        if have_crash:
            convlib.check_crash_osrelease(tap, label, out, RELEASE)

    # usage and errors
    for args, desc in ((["--compress", "gzip"], "unknown compression"),
                       (["--header-version", "7"], "header version 7"),
                       (["--format", "elf", "--incomplete-after", "3"], "--incomplete-after with ELF"),
                       (["--exclude-pfns", "9-3"], "backwards range"),
                       (["--exclude-pfns", "x"], "bad pfn"),
                       (["--exclude-zero", "--zero-unit", "12288"], "zero unit not a power of two")):
        rc, _, err = run([conv] + args + [srcpath, os.path.join(tmp, "x")])
        tap.ok(rc == 2 and err.startswith("mw-convert: "), "usage error exits 2: %s" % desc, err)
    rc, _, err = run([conv, os.path.join(tmp, "missing"), os.path.join(tmp, "x")])
    tap.ok(rc == 2 and "missing" in err, "missing source: exit 2, names the file", err)
    rc, _, err = run([conv, srcpath, "-"])
    tap.ok(rc == 2, "unflattened output to standard output refused", err)


if __name__ == "__main__":
    main()
