"""Helpers for the mw-convert tests (tests/convert-*.py).

Independent readers of the files mw-convert writes: a small ELF core parser
and a kdump-compressed header/bitmap/descriptor parser written from the
format's definition (makedumpfile's diskdump_mod.h), libkdumpfile (the
python3-libkdumpfile binding), makedumpfile -R and crash. Python standard
library only, so it runs with /usr/bin/python3.
"""
import mmap
import os
import struct
import subprocess
import sys


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, detail=None, todo=None):
        """One check. todo: the reason a known defect is not fixed yet: a
        failure is reported ("# TODO"), not counted; a pass is a plain ok
        with a note that the TODO can go (an XPASS would fail the suite)."""
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc))
            if todo:
                print("# fixed now, the TODO can go: " + todo)
        elif todo:
            print("not ok %d - %s # TODO %s" % (self.n, desc, todo))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc))
        if detail and not cond:
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)
        sys.stdout.flush()
        return bool(cond)

    def skip(self, desc, why):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, why))
        sys.stdout.flush()

    def diag(self, msg):
        for line in str(msg).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)

    def skip_all(self, why):
        print("1..0 # SKIP %s" % why)
        sys.exit(0)


def run(cmd, **kw):
    """Run a command; returns (returncode, stdout bytes, stderr text)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def mw_convert_path():
    b = os.environ.get("MW_BUILDDIR", ".")
    return os.path.join(b, "tests", "tools", "mw-convert")


def memwhere_path():
    return os.environ.get("MEMWHERE") or os.path.join(
        os.environ.get("MW_BUILDDIR", "."), "memwhere")


# ---------------------------------------------------------------- ELF cores

PT_LOAD, PT_NOTE = 1, 4


class ElfCore:
    """A 64-bit little-endian ELF core addressed physically (p_paddr)."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, "rb")
        self.size = os.fstat(self.f.fileno()).st_size
        self.map = mmap.mmap(self.f.fileno(), 0, prot=mmap.PROT_READ) if self.size else b""
        m = self.map
        if m[:4] != b"\x7fELF" or m[4] != 2 or m[5] != 1:
            raise ValueError("%s: not an ELF64 little-endian file" % path)
        (self.e_type, self.e_machine, _, _, phoff, shoff, _, _, phentsize,
         phnum, shentsize, shnum, _) = struct.unpack_from("<HHIQQQIHHHHHH", m, 16)
        if phnum == 0xffff:  # PN_XNUM: the count is in section 0's sh_info
            phnum = struct.unpack_from("<I", m, shoff + 44)[0]
        self.phnum = phnum
        self.loads = []   # (paddr, vaddr, offset, filesz, memsz)
        self.notes = b""
        for i in range(phnum):
            (p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz,
             p_align) = struct.unpack_from("<IIQQQQQQ", m, phoff + i * phentsize)
            if p_type == PT_LOAD:
                self.loads.append((p_paddr, p_vaddr, p_offset, p_filesz, p_memsz))
            elif p_type == PT_NOTE:
                self.notes += bytes(m[p_offset:p_offset + p_filesz])
        self.loads.sort()

    def ranges(self):
        """Physical ranges [start, end) of file-backed memory, merged."""
        out = []
        for paddr, _, _, filesz, _ in self.loads:
            if filesz == 0:
                continue
            if out and out[-1][1] == paddr:
                out[-1][1] = paddr + filesz
            else:
                out.append([paddr, paddr + filesz])
        return [tuple(r) for r in out]

    def page(self, pfn, ps=4096):
        """The page's bytes (uncovered parts zero), or None if no byte of
        it is in the file."""
        start, end = pfn * ps, (pfn + 1) * ps
        buf = None
        for paddr, _, off, filesz, _ in self.loads:
            if paddr >= end or paddr + filesz <= start:
                continue
            s, e = max(start, paddr), min(end, paddr + filesz)
            if buf is None:
                buf = bytearray(ps)
            buf[s - start:e - start] = self.map[off + s - paddr:off + e - paddr]
        return bytes(buf) if buf is not None else None

    def close(self):
        if self.size:
            self.map.close()
        self.f.close()


def parse_notes(buf):
    """[(name, type, desc)] of a buffer of Elf64_Nhdr notes."""
    out, off = [], 0
    al = lambda n: (n + 3) & ~3
    while off + 12 <= len(buf):
        namesz, descsz, ntype = struct.unpack_from("<III", buf, off)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break
        name = bytes(buf[off + 12:off + 12 + namesz]).rstrip(b"\0").decode(errors="replace")
        d = off + 12 + al(namesz)
        out.append((name, ntype, bytes(buf[d:d + descsz])))
        off = d + al(descsz)
    return out


def ram_pfns(ranges, ps=4096):
    """Sorted pfns with any byte in the ranges."""
    out = []
    last = -1
    for s, e in ranges:
        for pfn in range(s // ps, (e - 1) // ps + 1):
            if pfn > last:
                out.append(pfn)
                last = pfn
    return out


# ------------------------------------------------------- kdump-compressed

DH_FMT = "<8si390s"          # signature, header_version, utsname
DUMP_DH_COMPRESSED_INCOMPLETE = 0x8
COMP_FLAGS = {"none": 0, "zlib": 0x1, "lzo": 0x2, "snappy": 0x4, "zstd": 0x20}


class Kdump:
    """makedumpfile's kdump-compressed file, x86_64 layout, parsed from
    the format's definition (not through memwhere)."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.data = f.read(1 << 16)
            self.f = open(path, "rb")
        d = self.data
        self.signature, self.version, uts = struct.unpack_from(DH_FMT, d, 0)
        names = [uts[i * 65:(i + 1) * 65].split(b"\0")[0].decode() for i in range(6)]
        (self.sysname, self.nodename, self.release, self.uts_version,
         self.machine, self.domainname) = names
        (self.tv_sec, self.tv_usec, self.status, self.block_size,
         self.sub_hdr_size, self.bitmap_blocks, self.max_mapnr32,
         self.total_ram_blocks, self.device_blocks, self.written_blocks,
         self.current_cpu, self.nr_cpus) = struct.unpack_from("<qqIiiIIIIIIi", d, 408)
        bs = self.block_size
        sh = self.read(bs, 104)
        (self.phys_base, self.dump_level, self.split, self.start_pfn, self.end_pfn,
         self.offset_vmcoreinfo, self.size_vmcoreinfo, self.offset_note, self.size_note,
         self.offset_eraseinfo, self.size_eraseinfo, self.start_pfn_64, self.end_pfn_64,
         self.max_mapnr_64) = struct.unpack("<QiiQQqQqQqQQQQ", sh)
        self.max_mapnr = self.max_mapnr_64 if self.version >= 6 else self.max_mapnr32
        self.bitmap_off = (1 + self.sub_hdr_size) * bs
        half = self.bitmap_blocks * bs // 2
        self.bitmap1 = self.read(self.bitmap_off, half)
        self.bitmap2 = self.read(self.bitmap_off + half, half)
        self.desc_off = self.bitmap_off + self.bitmap_blocks * bs

    def read(self, off, n):
        self.f.seek(off)
        return self.f.read(n)

    @staticmethod
    def bit(bm, pfn):
        return pfn // 8 < len(bm) and (bm[pfn // 8] >> (pfn % 8)) & 1

    def set_bits(self, bm):
        out = []
        for i, byte in enumerate(bm):
            if byte:
                for b in range(8):
                    if byte >> b & 1:
                        out.append(i * 8 + b)
        return out

    def descriptors(self):
        """[(pfn, offset, size, flags, page_flags)] in file order."""
        pfns = self.set_bits(self.bitmap2)
        raw = self.read(self.desc_off, 24 * len(pfns))
        return [(pfn,) + struct.unpack_from("<qIIQ", raw, 24 * i)
                for i, pfn in enumerate(pfns)]

    def close(self):
        self.f.close()


# ---------------------------------------------------------- flattened

def parse_flattened(path):
    """(header ok, [(offset, size)], end marker ok, trailing bytes)."""
    with open(path, "rb") as f:
        hdr = f.read(4096)
        ok = (len(hdr) == 4096 and hdr[:12] == b"makedumpfile" and hdr[12:16] == b"\0" * 4
              and struct.unpack_from(">qq", hdr, 16) == (1, 1))
        recs = []
        end = False
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            off, size = struct.unpack(">qq", h)
            if off == -1 and size == -1:
                end = True
                break
            if off < 0 or size <= 0:
                break
            recs.append((off, size))
            f.seek(size, 1)
        trailing = len(f.read())
    return ok, recs, end, trailing


# ---------------------------------------------------------- libkdumpfile

def lk_open(path):
    import kdumpfile
    return kdumpfile.kdumpfile(path)


def lk_read_page(ctx, pfn, ps=4096):
    """(bytes, None) or (None, exception class name)."""
    import kdumpfile
    try:
        return bytes(ctx.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * ps, ps)), None
    except Exception as e:  # libkdumpfile's own exception classes
        return None, "%s: %s" % (type(e).__name__, e)


def have_libkdumpfile():
    try:
        import kdumpfile  # noqa: F401
        return True
    except ImportError:
        return False


# ----------------------------------------------------------------- crash

def crash_rd(vmlinux, dump, addrs, timeout=600):
    """Run crash with `rd -p -64 ADDR 2` for each address; returns
    ({addr: (w0, w1) or error text}, full output)."""
    cmds = "".join("rd -p -64 0x%x 2\n" % a for a in addrs) + "q\n"
    p = subprocess.run(["crash", "-s", "--no_scroll", vmlinux, dump], input=cmds.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    text = p.stdout.decode(errors="replace")
    res = {}
    for line in text.splitlines():
        line = line.strip()
        if ":" not in line:
            continue
        head, rest = line.split(":", 1)
        if line.startswith("rd:"):
            # "rd: page excluded: physical address: 12000  type: ..."
            if "physical address:" in rest:
                a = int(rest.split("physical address:")[1].split()[0], 16)
                res[a] = "error: " + rest.strip()
            continue
        try:
            a = int(head, 16)
        except ValueError:
            continue
        words = rest.split()
        if len(words) >= 2:
            try:
                res[a] = (int(words[0], 16), int(words[1], 16))
            except ValueError:
                pass
    return res, text


# ------------------------------------------------------ the checks proper

class Source:
    """What a dump should contain, from an independent parse of an ELF core
    with physical addresses (a QEMU dump, or one a test generated)."""

    def __init__(self, path, ps=4096):
        self.path = path
        self.ps = ps
        self.elf = ElfCore(path)
        self.ranges = self.elf.ranges()
        self.ram = ram_pfns(self.ranges, ps)
        self.notes = parse_notes(self.elf.notes)
        vi = [d for n, t, d in self.notes if n == "VMCOREINFO"]
        self.vmcoreinfo = vi[0] if vi else b""
        self.info = {}
        for line in self.vmcoreinfo.decode(errors="replace").splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                self.info[k] = v
        self.release = self.info.get("OSRELEASE", "")
        # the machine the ELF header names, as uname -m says it
        self.machine = {62: "x86_64", 183: "aarch64"}.get(self.elf.e_machine, "?")
        self.nr_cpus = sum(1 for n, t, d in self.notes if n == "CORE" and t == 1)
        pb = self.info.get("NUMBER(phys_base)")
        self.phys_base = (int(pb, 0) & (2**64 - 1)) if pb else 0
        self._zero = None

    def page(self, pfn):
        return self.elf.page(pfn, self.ps)

    def zero_pfns(self):
        if self._zero is None:
            z = bytes(self.ps)
            self._zero = {p for p in self.ram if self.page(p) == z}
        return self._zero

    def expected(self, exclude=(), exclude_zero=False):
        """Sorted pfns a conversion should carry."""
        ex = set()
        for a, b in exclude:
            ex.update(p for p in range(a, b + 1))
        zero = self.zero_pfns() if exclude_zero else set()
        return [p for p in self.ram if p not in ex and p not in zero]


def check_kdump_layout(tap, label, kd, src, comp, dumped, exclude_zero=False,
                       incomplete_after=None, version=6):
    """The file read by the format's definition: header, sub-header, notes,
    bitmaps and page descriptors."""
    ps = src.ps
    tap.ok(kd.signature == b"KDUMP   " and kd.version == version and kd.block_size == ps,
           "%s: signature, header version %d, block size" % (label, version),
           (kd.signature, kd.version, kd.block_size))
    tap.ok(kd.release == src.release and kd.machine == src.machine and kd.sysname == "Linux",
           "%s: utsname release %s, machine %s" % (label, src.release, src.machine),
           (kd.release, kd.machine, kd.sysname))
    want_status = COMP_FLAGS[comp] | (DUMP_DH_COMPRESSED_INCOMPLETE
                                      if incomplete_after is not None and incomplete_after < len(dumped) else 0)
    tap.ok(kd.status == want_status, "%s: header status 0x%x" % (label, want_status), hex(kd.status))
    tap.ok(kd.nr_cpus == max(src.nr_cpus, 1), "%s: nr_cpus %d" % (label, src.nr_cpus), kd.nr_cpus)
    max_mapnr = (src.ranges[-1][1] - 1) // ps + 1
    tap.ok(kd.max_mapnr == max_mapnr and kd.max_mapnr32 == min(max_mapnr, 2**32 - 1),
           "%s: max_mapnr %d" % (label, max_mapnr), (kd.max_mapnr, kd.max_mapnr32))
    if version >= 1:
        tap.ok(kd.phys_base == src.phys_base and kd.dump_level == (1 if exclude_zero else 0),
               "%s: sub-header phys_base 0x%x, dump_level" % (label, src.phys_base),
               (hex(kd.phys_base), kd.dump_level))
    if version >= 4:
        notes = parse_notes(kd.read(kd.offset_note, kd.size_note))
        tap.ok(notes == src.notes, "%s: ELF notes equal the source's (%d)" % (label, len(notes)),
               [(n, t, len(d)) for n, t, d in notes])
    else:
        tap.ok(kd.offset_note == 0 and kd.size_note == 0, "%s: no notes before v4" % label)
    if version >= 3 and src.vmcoreinfo:
        vi = kd.read(kd.offset_vmcoreinfo, kd.size_vmcoreinfo)
        tap.ok(vi == src.vmcoreinfo, "%s: VMCOREINFO (%d bytes) equals the source's" % (label, len(vi)),
               (kd.offset_vmcoreinfo, kd.size_vmcoreinfo))
    elif version < 3:
        tap.ok(kd.offset_vmcoreinfo == 0, "%s: no VMCOREINFO before v3" % label)
    want_bits = (max_mapnr + 7) // 8
    tap.ok(kd.bitmap_blocks == 2 * ((want_bits + ps - 1) // ps),
           "%s: bitmap_blocks covers max_mapnr twice" % label, kd.bitmap_blocks)
    b1 = kd.set_bits(kd.bitmap1)
    tap.ok(b1 == src.ram, "%s: 1st bitmap = the source's RAM (%d pages)" % (label, len(src.ram)),
           "got %d pages" % len(b1))
    b2 = kd.set_bits(kd.bitmap2)
    tap.ok(b2 == dumped, "%s: 2nd bitmap = the dumped pages (%d)" % (label, len(dumped)),
           "got %d pages, first differences %s" % (
               len(b2), sorted(set(b2) ^ set(dumped))[:10]))

    descs = kd.descriptors()
    zero = src.zero_pfns()
    flag = COMP_FLAGS[comp]
    bad = []
    zero_offs = set()
    ncomp = nraw = nzero = 0
    for i, (pfn, off, size, flags, pflags) in enumerate(descs):
        if incomplete_after is not None and i >= incomplete_after:
            if (off, size, flags, pflags) != (0, 0, 0, 0):
                bad.append((pfn, "descriptor after the incomplete point not zero"))
            continue
        if pflags != 0:
            bad.append((pfn, "page_flags"))
        if pfn in zero and not exclude_zero:
            zero_offs.add(off)
            nzero += 1
            if size != ps or flags != 0:
                bad.append((pfn, "zero page not raw"))
        elif flags == 0:
            nraw += 1
            if size != ps:
                bad.append((pfn, "raw page size %d" % size))
        elif flags == flag and 0 < size < ps:
            ncomp += 1
        else:
            bad.append((pfn, "flags 0x%x size %d" % (flags, size)))
    tap.ok(not bad, "%s: page descriptors (%d compressed, %d raw, %d zero)" % (label, ncomp, nraw, nzero),
           bad[:10])
    if not exclude_zero and nzero:
        tap.ok(len(zero_offs) == 1, "%s: all zero pages share one stored page" % label, zero_offs)
    if comp != "none" and incomplete_after is None:
        tap.ok(ncomp > 0, "%s: some pages are stored %s-compressed" % (label, comp))


def check_pages_libkdumpfile(tap, label, path, src, dumped, incomplete_after=None,
                             expect_format="diskdump", elf_loads=None):
    """Every RAM page through libkdumpfile (KDUMP_MACHPHYSADDR): dumped
    pages equal the source's, the others are not readable.

    libkdumpfile 0.5.1 reads an ELF core's page that lies in a gap but
    within one page of the next PT_LOAD as zeros (elfdump.c looks for the
    closest segment within a page): with elf_loads (the PT_LOAD starts),
    such a page reading as zeros is accepted and counted."""
    near_load = set()
    for start in elf_loads or ():
        near_load.add((start - 1) // src.ps)
    try:
        ctx = lk_open(path)
    except Exception as e:
        tap.ok(False, "%s: libkdumpfile opens it" % label, e)
        return
    fmt = ctx.attr["file.format"]
    tap.ok(fmt == expect_format, "%s: libkdumpfile opens it as %s" % (label, expect_format), fmt)
    dset = set(dumped)
    kept = set(dumped[:incomplete_after]) if incomplete_after is not None else dset
    diff, unread, leaked, errs = [], [], [], {}
    for pfn in src.ram:
        data, err = lk_read_page(ctx, pfn, src.ps)
        if pfn in kept:
            if data is None:
                unread.append((pfn, err))
            elif data != src.page(pfn):
                diff.append(pfn)
        else:
            if data is not None and pfn in near_load and data == bytes(src.ps):
                errs["zeros (gap page just before a PT_LOAD)"] = \
                    errs.get("zeros (gap page just before a PT_LOAD)", 0) + 1
            elif data is not None:
                leaked.append(pfn)
            else:
                k = err.split(":")[0] + ":" + err.split(":", 1)[1][:30]
                errs[k] = errs.get(k, 0) + 1
    tap.ok(not diff and not unread,
           "%s: libkdumpfile reads all %d dumped pages byte-identical to the source" % (label, len(kept)),
           "differ: %s unreadable: %s" % (diff[:10], unread[:5]))
    nout = len(src.ram) - len(kept)
    tap.ok(not leaked, "%s: libkdumpfile reads none of the %d left-out pages" % (label, nout),
           "readable: %s" % leaked[:10])
    if errs:
        tap.diag("%s: libkdumpfile on left-out pages: %s" % (label, errs))
    return ctx


def memwhere_reads(path, out_elf):
    """memwhere's reading of path, written out as a physical ELF core by
    mw-convert. Returns (ElfCore or None, reason if unsupported)."""
    rc, _, err = run([mw_convert_path(), "--format", "elf", path, out_elf])
    if rc != 0:
        return None, err.strip()
    return ElfCore(out_elf), None


def reader_missing(err):
    e = err.lower()
    return ("not a dump memwhere knows" in e or "not yet supported" in e
            or "unsupported" in e and "flattened" in e)


def check_pages_memwhere(tap, label, path, src, dumped, tmpdir, incomplete_after=None):
    """memwhere reads the converted file back: the same pages, the same
    exclusions."""
    back = os.path.join(tmpdir, "back.elf")
    elf, why = memwhere_reads(path, back)
    if elf is None:
        if reader_missing(why):
            tap.skip("%s: memwhere reads it back" % label, "memwhere's reader for it: " + why[:120])
        else:
            tap.ok(False, "%s: memwhere reads it back" % label, why)
        return
    kept = dumped[:incomplete_after] if incomplete_after is not None else dumped
    kset = set(kept)
    diff, missing, extra = [], [], []
    for pfn in src.ram:
        page = elf.page(pfn, src.ps)
        if pfn in kset:
            if page is None:
                missing.append(pfn)
            elif page != src.page(pfn):
                diff.append(pfn)
        elif page is not None:
            extra.append(pfn)
    tap.ok(not diff and not missing and not extra,
           "%s: memwhere reads the %d dumped pages identically, the rest as left out" % (label, len(kept)),
           "differ %s missing %s extra %s" % (diff[:10], missing[:10], extra[:10]))
    elf.close()
    os.unlink(back)


def check_crash_osrelease(tap, label, path, release):
    rc, out, err = run(["crash", "--osrelease", path])
    got = out.decode(errors="replace").strip()
    tap.ok(rc == 0 and got == release, "%s: crash --osrelease says %s" % (label, release),
           "rc %d out %r err %r" % (rc, got, err[-200:]))
