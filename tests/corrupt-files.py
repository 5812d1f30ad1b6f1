#!/usr/bin/python3
"""The corruption suite, whole files (tests/hostile.py says what every case
must give): the bundled dumps cut short, and files that are not regular
files given as the dump, --btf, --vmlinux and --system-map.

Cuts: each testdata dump as it is (kdump-compressed), as makedumpfile's
flattened stream and as an ELF core (both written by tests/tools/mw-convert),
cut at every header boundary the format has (inside and after the
signature, the header, the sub-header, VMCOREINFO and the notes, the
bitmaps, the page descriptors, the program headers, a record header of the
stream), at its first page data, half way and one byte short. A cut before
the pages is a corrupt dump (exit 2 naming the file) or a partial one (exit
1 saying it ends early); a cut in the pages must say where the dump ends,
with exit 1, or exit 2 if what is left cannot be analysed (issue 18, item 9).

Non-regular files: a FIFO, a directory, /dev/null. Each must be refused
with exit 2 naming it, and nothing may block (issue 18, item 5). Wrong
files: another dump and a truth.json as --btf, --vmlinux and
--system-map: refused naming the file, or a warning naming it (a debug
file memwhere did not use).

`make check` runs a fast subset (the first testdata dump, `summary`);
MW_CORRUPT_FULL=1 runs every testdata dump with info, summary, memcg,
files, sockets and report (CI). Cases whose fix is not on main yet are
"# TODO" lines: reported, not counted.
"""
import concurrent.futures
import os
import re
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("MW_SRCDIR", "."), "tests"))
import convlib  # noqa: E402
import hostile  # noqa: E402
from hostile import exit2_unnamed, exits, names_file, warns  # noqa: E402

FULL = os.environ.get("MW_CORRUPT_FULL", "") not in ("", "0")
COMMANDS = ["info", "summary", "memcg", "files", "sockets", "report"] if FULL else ["summary"]
# what a message says when the file ends early (not "record runs past
# the end": that is the wording of the defect, issue 18 item 9)
ENDS = r"ends at|truncated|cut short"

# known defects not fixed on main yet (issue 18): a case whose result is one
# of these is a TODO line; any other wrong result fails
TODO_CUT = "issue 18 item 9: a cut dump is read up to where it ends (exit 1, 'the dump ends at N of M bytes')"
TODO_UNNAMED = "issue 18 item 10: every exit-2 message names the file"
TODO_FIFO = "issue 18 item 5: a FIFO blocks in open(2)"
TODO_NOT_REGULAR = "issue 18 item 5: a --system-map that is not a regular file is ignored (exit 0)"
TODO_UNUSED = "issue 18 item 5: a --system-map memwhere cannot use is ignored without a warning (exit 0)"


# ---- where each format's headers end: [(what, offset, where)], where:
# False, in the headers; True, in the pages; TAIL, after the last page
TAIL = "tail"

def kdump_cuts(path, size):
    k = convlib.Kdump(path)
    bs = k.block_size
    dumped = len(k.set_bits(k.bitmap2))
    data = k.desc_off + 24 * dumped
    cuts = [("in the signature", 4), ("after the signature", 8),
            ("in the utsname", 200), ("after the fixed header fields", 464),
            ("at the sub-header", bs), ("in the sub-header", bs + 52),
            ("after the sub-header's fields", bs + 104)]
    if k.size_vmcoreinfo:
        cuts += [("in VMCOREINFO", k.offset_vmcoreinfo + k.size_vmcoreinfo // 2),
                 ("after VMCOREINFO", k.offset_vmcoreinfo + k.size_vmcoreinfo)]
    if k.size_note:
        cuts += [("in the ELF notes", k.offset_note + k.size_note // 2),
                 ("after the ELF notes", k.offset_note + k.size_note)]
    cuts += [("at the first bitmap", k.bitmap_off),
             ("at the second bitmap", k.bitmap_off + k.bitmap_blocks * bs // 2),
             ("at the page descriptors", k.desc_off),
             ("in the page descriptors", k.desc_off + 24 * (dumped // 2) + 7)]
    k.close()
    out = [(w, o, False) for w, o in cuts]
    out += [("at the page data", data, True), ("in the first page", data + 100, True),
            ("half way", (data + size) // 2, True), ("at 7/8", data + (size - data) * 7 // 8, True),
            ("one byte short", size - 1, True)]
    return out


def flat_cuts(path, size):
    ok, recs, end, _ = convlib.parse_flattened(path)
    if not ok or not recs:
        raise ValueError("%s: not a flattened stream" % path)
    cuts = [("in the stream header", 100), ("after the stream header", 4096),
            ("in the first record header", 4096 + 8)]
    pos = 4096
    # the records of the kdump headers, bitmaps and descriptors come first:
    # cut after each of the first few, then in the pages
    for i, (off, rsize) in enumerate(recs[:6]):
        cuts.append(("in record %d (kdump offset %d)" % (i, off), pos + 16 + rsize // 2))
        pos += 16 + rsize
        cuts.append(("after record %d" % i, pos))
    out = [(w, o, False) for w, o in cuts]
    out += [("half way", size // 2, True), ("at 7/8", size * 7 // 8, True)]
    # every record there, the end marker cut or missing
    out += [("in the end marker", size - 8, TAIL), ("before the end marker", size - 16, TAIL),
            ("one byte short", size - 1, TAIL)]
    return out


def elf_cuts(path, size):
    with open(path, "rb") as f:
        h = f.read(64)
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    notes, loads = [], []
    for i in range(phnum):
        p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", ph, i * phentsize)
        (notes if p_type == 4 else loads if p_type == 1 else []).append((p_offset, p_filesz))
    cuts = [("in e_ident", 8), ("in the ELF header", 40), ("after the ELF header", 64),
            ("in the program headers", phoff + phentsize + 5),
            ("after the program headers", phoff + phnum * phentsize)]
    for off, sz in notes[:1]:
        cuts += [("in PT_NOTE", off + sz // 2), ("after PT_NOTE", off + sz)]
    out = [(w, o, False) for w, o in cuts]
    first = min(off for off, sz in loads if sz)
    out += [("in the first PT_LOAD", first + 100, True), ("half way", size // 2, True),
            ("at 7/8", size * 7 // 8, True),
            ("one byte short", size - 1, True)]
    return out


def cut_cases(tap, mw, tmp, dump, name):
    """Each cut of dump in each format, each command."""
    convert = convlib.mw_convert_path()
    forms = [("kdump", dump, kdump_cuts)]
    if os.access(convert, os.X_OK):
        for form, opts, cuts in (("flattened", ["--flatten"], flat_cuts),
                                 ("elf", ["--format", "elf"], elf_cuts)):
            out = os.path.join(tmp, "%s.%s" % (name, form))
            rc, _, err = convlib.run([convert] + opts + [dump, out])
            if rc != 0:
                tap.ok(False, "%s: mw-convert writes the %s form" % (name, form), err)
                continue
            forms.append((form, out, cuts))
    else:
        tap.skip("%s: flattened and ELF forms" % name, "tests/tools/mw-convert not built")
    ram = hostile.ram_of(mw, dump)
    tap.ok(ram is not None, "%s: memwhere info reads the intact dump (RAM %s bytes)" % (name, ram))
    cut = os.path.join(tmp, "cut")
    for form, path, cuts_of in forms:
        size = os.path.getsize(path)
        try:
            cuts = cuts_of(path, size)
        except (ValueError, struct.error, OSError) as e:
            tap.ok(False, "%s %s: find its header boundaries" % (name, form), str(e))
            continue
        for cmd in COMMANDS:
            clean = hostile.run(mw, ["--json", "--top", "0", cmd, path], 600)
            limit = hostile.limit_for(clean.seconds)
            tap.diag("%s %s %s: intact, exit %d in %.2f s; cuts get %.1f s"
                     % (name, form, cmd, clean.rc, clean.seconds, limit))
            for what, off, where in cuts:
                if not 0 < off < size:
                    continue
                with open(path, "rb") as src, open(cut, "wb") as dst:
                    left = off
                    while left:
                        b = src.read(min(left, 1 << 20))
                        dst.write(b)
                        left -= len(b)
                label = "%s %s cut %s (%d of %d bytes), %s" % (name, form, what, off, size, cmd)
                r = hostile.run(mw, ["--json", "--top", "0", cmd, cut], limit)
                r.rss_limit_kib = hostile.rss_limit_for(clean.maxrss_kib)
                known = [(TODO_UNNAMED, exit2_unnamed(cut))]
                if where == TAIL:	# nothing of memory is missing
                    expect = exits(0) | warns(ENDS)
                    known.append((TODO_CUT, names_file(cut)))
                elif where:	# some pages are missing
                    expect = warns(ENDS) | names_file(cut, also=ENDS)
                    known.append((TODO_CUT, names_file(cut)))
                else:	# a corrupt dump, or one cut in its page tables
                    expect = names_file(cut) | warns(ENDS)
                hostile.check(tap, label, r, expect, ram, known)
    if os.path.exists(cut):
        os.unlink(cut)


def not_regular_cases(tap, mw, tmp, dump, wrong):
    """A FIFO, a directory and /dev/null as the dump and as each debug file;
    regular files of the wrong kind (wrong: a dump, a JSON file) as each
    debug file. Run four at a time: FIFOs that block cost their limit once."""
    fifo = os.path.join(tmp, "fifo")
    os.mkfifo(fifo)
    adir = os.path.join(tmp, "adir")
    os.mkdir(adir)
    clean = hostile.run(mw, ["--json", "summary", dump], 600)
    limit = hostile.limit_for(clean.seconds)
    cases = []	# (label, args, the file, known wrong answers, known hang)
    for kind, path in (("a FIFO", fifo), ("a directory", adir), ("/dev/null", "/dev/null")):
        hang = TODO_FIFO if path == fifo else None
        known = [(TODO_UNNAMED, exit2_unnamed(path))]
        cases.append(("%s as the dump" % kind, ["--json", "summary", path], path, known, hang))
        for opt in ("--btf", "--vmlinux", "--system-map"):
            k = known + [(TODO_NOT_REGULAR, exits(0))] if opt == "--system-map" else known
            cases.append(("%s as %s" % (kind, opt), ["--json", opt, path, "summary", dump],
                          path, k, hang if opt != "--system-map" else None))
    for path in wrong:
        known = [(TODO_UNNAMED, exit2_unnamed(path))]
        for opt in ("--btf", "--vmlinux", "--system-map"):
            k = known + [(TODO_UNUSED, exits(0))] if opt == "--system-map" else known
            name = os.path.join(os.path.basename(os.path.dirname(path)), os.path.basename(path))
            cases.append(("%s as %s" % (name, opt),
                          ["--json", opt, path, "summary", dump], path, k, None))
    # four at a time: the FIFOs (first) may block, the rest pass them by
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        runs = [pool.submit(hostile.run, mw, args, limit) for _, args, _, _, _ in cases]
        for (label, _, path, known, hang), run in zip(cases, runs):
            # refused, or (a debug file) a warning that it was not used
            expect = names_file(path) | warns(re.escape(path))
            hostile.check(tap, label, run.result(), expect, known=known, known_hang=hang)


def main():
    tap = convlib.Tap()
    mw = convlib.memwhere_path()
    src = os.environ.get("MW_SRCDIR", ".")
    dumps = sorted(os.path.join(src, "testdata", d, "vmcore.kdump")
                   for d in os.listdir(os.path.join(src, "testdata"))
                   if os.path.exists(os.path.join(src, "testdata", d, "vmcore.kdump")))
    if not dumps:
        tap.skip_all("no testdata/*/vmcore.kdump")
    if not shutil.which("timeout"):
        tap.skip_all("timeout (coreutils) not installed")
    # wrong files: another dump, a truth.json
    wrong = dumps[1:2] + [os.path.join(os.path.dirname(dumps[0]), "truth.json")]
    wrong = [w for w in wrong if os.path.exists(w)]
    if not FULL:
        dumps = dumps[:1]
    tmp = tempfile.mkdtemp(prefix="mw-corrupt-files.")
    try:
        not_regular_cases(tap, mw, tmp, dumps[0], wrong)
        for dump in dumps:
            cut_cases(tap, mw, tmp, dump, os.path.basename(os.path.dirname(dump)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.done()


main()
