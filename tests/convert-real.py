#!/usr/bin/python3
"""mw-convert on real QEMU dumps (captures/<release>/<scenario>/vmcore.elf,
made by scripts/capture): every compression, excluded zero pages, excluded
pfn ranges, an incomplete dump, the flattened stream and the ELF output.
The reference is QEMU's ELF file parsed here; every RAM page is compared
through libkdumpfile, memwhere reads each output back, makedumpfile -R
rearranges the flattened stream, and crash (with the kernel's vmlinux, when
captures/kernels/<release>/vmlinux exists) reads sample pages.

SKIPs when no capture exists. MW_CAPTURES picks another captures
directory. MW_CONVERT_DUMPS: "one" (default: the first kernel's "mixed"
capture), "release" (one per kernel release) or "all" (every capture).
"""
import glob
import os
import shutil
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("MW_SRCDIR", "."), "tests"))
import convlib  # noqa: E402
from convlib import Kdump, Source, run  # noqa: E402

TS = "1700000000"


def find_dumps():
    top = os.environ.get("MW_CAPTURES") or os.path.join(os.environ.get("MW_SRCDIR", "."), "captures")
    found = {}
    for path in sorted(glob.glob(os.path.join(top, "*", "*", "vmcore.elf"))):
        scen_dir = os.path.dirname(path)
        release = os.path.basename(os.path.dirname(scen_dir))
        if release == "kernels":
            continue
        found.setdefault(release, []).append(path)
    dumps = []
    which = os.environ.get("MW_CONVERT_DUMPS", "one")
    for release, paths in sorted(found.items()):
        if which == "all":
            dumps += [(release, p) for p in paths]
        else:
            mixed = [p for p in paths if os.path.basename(os.path.dirname(p)) == "mixed"]
            dumps.append((release, (mixed or paths)[0]))
    if which == "one":
        dumps = dumps[:1]
    return top, dumps


def main():
    tap = convlib.Tap()
    conv = convlib.mw_convert_path()
    if not os.access(conv, os.X_OK):
        tap.skip_all("mw-convert not built")
    top, dumps = find_dumps()
    if not dumps:
        tap.skip_all("no real dumps under %s (scripts/capture makes them)" % top)
    for release, path in dumps:
        tmp = tempfile.mkdtemp(prefix="mwconv-real-")
        try:
            one_dump(tap, conv, top, release, path, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    tap.done()


def crash_samples(src, dumped, n=24):
    """Addresses of n non-zero words spread over the dumped pages."""
    out = []
    step = max(1, len(dumped) // (n * 4))
    for pfn in dumped[::step]:
        page = src.page(pfn)
        for off in range(0, src.ps, 16):
            if any(page[off:off + 16]):
                out.append(pfn * src.ps + off)
                break
        if len(out) >= n:
            break
    return out


def check_crash(tap, label, vmlinux, path, src, addrs, left_out=()):
    t = time.monotonic()
    try:
        res, text = convlib.crash_rd(vmlinux, path, list(addrs) + list(left_out))
    except Exception as e:
        tap.ok(False, "%s: crash runs" % label, e)
        return
    bad = []
    for a in addrs:
        page = src.page(a // src.ps)
        want = struct.unpack_from("<2Q", page, a % src.ps)
        if res.get(a) != want:
            bad.append((hex(a), res.get(a), want))
    tap.ok(not bad and addrs,
           "%s: crash reads %d sample words as in the source (%.0fs)" % (label, len(addrs),
                                                                        time.monotonic() - t),
           "%s\n%s" % (bad[:5], text[-800:]))
    if left_out:
        wrong = [hex(a) for a in left_out
                 if not (isinstance(res.get(a), str) and "excluded" in res[a])]
        tap.ok(not wrong, "%s: crash reports the %d left-out samples as excluded" % (label, len(left_out)),
               "%s\n%s" % (wrong[:5], text[-800:]))


def block_size(path):
    kd = convlib.Kdump(path)
    kd.close()
    return kd.block_size


def one_dump(tap, conv, top, release, path, tmp):
    scen = os.path.basename(os.path.dirname(path))
    tag = "%s/%s" % (release, scen)
    t0 = time.monotonic()
    src = Source(path)
    tap.diag("%s: %d RAM pages (%d MiB), %d zero pages, ranges %s" % (
        tag, len(src.ram), len(src.ram) * src.ps >> 20, len(src.zero_pfns()),
        [(hex(a), hex(b)) for a, b in src.ranges]))
    have_lk = convlib.have_libkdumpfile()
    kps = int(src.info.get("PAGESIZE", str(src.ps)) or src.ps)
    if have_lk and kps != src.ps:
        # the conversions keep blocks of src.ps bytes; libkdumpfile 0.5.1
        # takes VMCOREINFO's PAGESIZE for the block size (as above for
        # QEMU's 64 KiB blocks) and cannot read a 16 KiB-page kernel's
        have_lk = False
        tap.skip("%s: libkdumpfile's reads of the conversions" % tag,
                 "libkdumpfile 0.5.1 cannot read them: blocks of %d bytes, PAGESIZE %d" % (src.ps, kps))
    have_crash = shutil.which("crash") is not None
    have_mdf = shutil.which("makedumpfile") is not None
    vmlinux = os.path.join(top, "kernels", release, "vmlinux")
    if not os.path.exists(vmlinux):
        vmlinux = None
    sizes = [("source vmcore.elf", os.path.getsize(path))]

    def convert(name, *opts):
        out = os.path.join(tmp, name)
        t = time.monotonic()
        rc, _, err = run([conv, "--timestamp", TS] + list(opts) + [path, out])
        tap.ok(rc == 0, "%s: mw-convert %s (%.1fs)" % (tag, " ".join(opts), time.monotonic() - t), err)
        if rc == 0:
            sizes.append((" ".join(opts) or "(defaults)", os.path.getsize(out)))
            return out
        return None

    # memwhere's reading of the source, and libkdumpfile's, against this parse
    elf, why = convlib.memwhere_reads(path, os.path.join(tmp, "mw-source.elf"))
    if elf is None:
        tap.ok(False, "%s: memwhere reads the source" % tag, why)
        return
    diff = [p for p in src.ram if elf.page(p) != src.page(p)]
    tap.ok(not diff and elf.ranges() == src.ranges,
           "%s: memwhere reads all %d pages of QEMU's ELF as they are in the file" % (tag, len(src.ram)),
           "differ %s ranges %s" % (diff[:10], elf.ranges()))
    elf.close()
    os.unlink(os.path.join(tmp, "mw-source.elf"))
    if have_lk:
        convlib.check_pages_libkdumpfile(tap, tag + " source", path, src, src.ram,
                                         expect_format="elf")

    everything = src.expected()
    samples = crash_samples(src, everything)
    if have_crash and vmlinux:
        # crash must read the source itself before it can judge conversions
        res, text = convlib.crash_rd(vmlinux, path, samples[:4])
        if any(res.get(a) != struct.unpack_from("<2Q", src.page(a // src.ps), a % src.ps)
               for a in samples[:4]):
            tap.diag("%s: crash cannot read QEMU's own ELF dump of this kernel (%s): "
                     "crash checked with --osrelease only" % (tag, text.strip()[-200:]))
            vmlinux = None

    def kdump_variant(name, comp, dumped, opts, exclude_zero=False, incomplete_after=None,
                      crash_left_out=None):
        out = convert(name, "--compress", comp, *opts)
        if not out:
            return None
        label = "%s %s" % (tag, name)
        kd = Kdump(out)
        convlib.check_kdump_layout(tap, label, kd, src, comp, dumped, exclude_zero,
                                   incomplete_after)
        kd.close()
        if have_lk:
            convlib.check_pages_libkdumpfile(tap, label, out, src, dumped, incomplete_after)
        convlib.check_pages_memwhere(tap, label, out, src, dumped, tmp, incomplete_after)
        if have_crash and src.machine == "x86_64":     # Debian's crash reads x86-64 only
            convlib.check_crash_osrelease(tap, label, out, src.release)
            if vmlinux and crash_left_out is not None:
                check_crash(tap, label, vmlinux, out, src, samples, crash_left_out)
        return out

    kept = {}
    for comp in ("none", "zlib", "lzo", "snappy", "zstd"):
        out = kdump_variant("%s.kdump" % comp, comp, everything, [], crash_left_out=())
        if out and comp in ("zlib",):
            kept[comp] = out
        elif out:
            os.unlink(out)

    out = kdump_variant("exclude-zero.kdump", "zlib", src.expected(exclude_zero=True),
                        ["--exclude-zero"], exclude_zero=True)
    if out:
        os.unlink(out)

    # pfn ranges left out: low memory, a single pfn, and across the end of RAM
    last = src.ram[-1]
    first_hi = [p for p in src.ram if p > 0x1000][0]
    ex = [(0x10, 0x2f), (first_hi + 0x345, first_hi + 0x345), (last - 0x40, last + 0x40)]
    spec = ",".join("0x%x-0x%x" % r for r in ex)
    dumped_ex = src.expected(exclude=ex)
    left_samples = [a * src.ps + 0x10 for a in (0x10, 0x2f, first_hi + 0x345, last - 0x20)]
    out = kdump_variant("exclude-pfns.kdump", "zstd", dumped_ex, ["--exclude-pfns", spec],
                        crash_left_out=left_samples)
    if out:
        os.unlink(out)

    n_incomplete = len(everything) // 3
    out = kdump_variant("incomplete.kdump", "lzo", everything,
                        ["--incomplete-after", str(n_incomplete)], incomplete_after=n_incomplete)
    if out:
        os.unlink(out)

    # the flattened stream
    flat = convert("zlib.flat", "--compress", "zlib", "--flatten")
    if flat and "zlib" in kept:
        label = tag + " flattened zlib"
        hdr_ok, recs, end, trailing = convlib.parse_flattened(flat)
        tap.ok(hdr_ok and end and trailing == 0,
               "%s: flattened header, %d records, end marker" % (label, len(recs)))
        if have_mdf:
            rearranged = os.path.join(tmp, "rearranged.kdump")
            with open(flat, "rb") as fin:
                rc, _, err = run(["makedumpfile", "-R", rearranged], stdin=fin)
            same = rc == 0 and os.path.getsize(rearranged) == os.path.getsize(kept["zlib"]) and \
                run(["cmp", "-s", rearranged, kept["zlib"]])[0] == 0
            tap.ok(same, "%s: makedumpfile -R gives the kdump file byte for byte" % label, err)
            os.unlink(rearranged)
        convlib.check_pages_memwhere(tap, label, flat, src, everything, tmp)
        if have_crash and src.machine == "x86_64":
            convlib.check_crash_osrelease(tap, label, flat, src.release)
            if vmlinux:
                check_crash(tap, label, vmlinux, flat, src, samples)
        os.unlink(flat)

    # ELF output
    out = convert("out.elf", "--format", "elf", "--exclude-pfns", spec)
    if out:
        label = tag + " elf exclude-pfns"
        e = convlib.ElfCore(out)
        dset = set(dumped_ex)
        bad = [p for p in src.ram if (e.page(p) if p in dset else e.page(p) is None) !=
               (src.page(p) if p in dset else True)]
        tap.ok(not bad and all(v == 0 for _, v, _, _, _ in e.loads) and
               convlib.parse_notes(e.notes) == src.notes,
               "%s: PT_LOADs carry the %d pages, p_vaddr 0, notes as the source's" % (label, len(dumped_ex)),
               bad[:10])
        loads = [paddr for paddr, _, _, _, _ in e.loads]
        e.close()
        if have_lk:
            convlib.check_pages_libkdumpfile(tap, label, out, src, dumped_ex, expect_format="elf",
                                             elf_loads=loads)
        if have_crash and vmlinux:
            check_crash(tap, label, vmlinux, out, src, samples)
        os.unlink(out)

    # QEMU's own flattened kdump, read by memwhere, written out again
    qflat = os.path.join(os.path.dirname(path), "vmcore.kdump-zlib.flat")
    if os.path.exists(qflat):
        out = os.path.join(tmp, "from-qemu-flat.kdump")
        rc, _, err = run([conv, "--timestamp", TS, "--compress", "zstd", qflat, out])
        if rc != 0 and convlib.reader_missing(err):
            tap.skip("%s: QEMU's flattened kdump through memwhere" % tag, err.strip()[:120])
        elif not tap.ok(rc == 0, "%s: mw-convert of QEMU's flattened kdump" % tag, err):
            pass
        elif block_size(out) != src.ps:
            # QEMU's arm64 kdump has 64 KiB blocks of 4 KiB pages, and the
            # conversion keeps them; libkdumpfile 0.5.1 takes VMCOREINFO's
            # PAGESIZE for the block size and cannot read that
            bs = block_size(out)
            tap.skip("%s: QEMU kdump -> memwhere -> kdump: libkdumpfile's read" % tag,
                     "libkdumpfile 0.5.1 cannot read it: blocks of %d bytes, pages of %d" % (bs, src.ps))
            convlib.check_pages_memwhere(tap, "%s: QEMU kdump -> memwhere -> kdump (%d-byte blocks)"
                                         % (tag, bs), out, src, list(src.ram), tmp)
        elif have_lk:
            ctx = convlib.lk_open(out)
            n = 0
            bad = []
            for pfn in src.ram:
                data, _ = convlib.lk_read_page(ctx, pfn, src.ps)
                if data is not None:
                    n += 1
                    if data != src.page(pfn):
                        bad.append(pfn)
            tap.ok(not bad and n > len(src.ram) // 2,
                   "%s: QEMU kdump -> memwhere -> kdump: libkdumpfile reads %d pages equal to QEMU's ELF" %
                   (tag, n), bad[:10])
        if os.path.exists(out):
            os.unlink(out)

    for name, size in sizes:
        tap.diag("%s size: %-40s %12d bytes (%.1f MiB)" % (tag, name, size, size / 2**20))
    tap.diag("%s: %.0fs" % (tag, time.monotonic() - t0))
    if not vmlinux:
        tap.diag("%s: no %s/kernels/%s/vmlinux: crash checked with --osrelease only" % (tag, top, release))


if __name__ == "__main__":
    main()
