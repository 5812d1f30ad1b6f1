#!/usr/bin/python3
"""The corruption suite, kernel structures (tests/hostile.py says what every
case must give): one field of one kernel object changed in a physical ELF
copy of a bundled dump (tests/tools/mw-convert --format elf
--fill-excluded), patched in place and restored after the case.

The objects (tests/structlib.py finds them from the dump's own symbols and
types through tests/kaddr-tool): slab caches, vmap areas, tasks, memcgs,
the printk ring buffer, sockets and their queued skbs, dentries of open
files, and the struct pages of some of these. The classes
(structlib.classes): a list link that loops to itself, back to an earlier
node or into another kernel list, NULL, unmapped, misaligned and user-space
pointers, counters at the extremes of their width (INT64_MIN/MAX for
64-bit ones), names with control bytes and invalid UTF-8.

Each case runs the command that reads the object (slab, vmalloc, tasks,
memcg, log, sockets, files, summary) with --json and asserts: no sanitizer
report, no signal, time within twice the clean run's plus
MW_CORRUPT_SLACK, peak RSS within 4x the clean run's plus 64 MiB; exit 1
with a warning naming the structure, or exit 2 naming the file, or the
clean run's exit status when the field changed is one the command does not
need (its answer must then not move: same figures); no figure above RAM.
A name case runs the text output too: no control byte but newline and tab,
valid UTF-8, the exit status of the clean run.

`make check`: the first dump, each structure's first object, each class
once per structure. MW_CORRUPT_FULL=1 (scripts/test's sanitizer pass):
every dump, object and field, and `report` as well.
"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.environ.get("MW_SRCDIR", "."), "tests"))
import convlib  # noqa: E402
import hostile  # noqa: E402
import structlib  # noqa: E402
from hostile import Expect, names_file, warns  # noqa: E402

FULL = os.environ.get("MW_CORRUPT_FULL", "") not in ("", "0")

# defects found by this suite and not fixed yet: (field, class regex, reason);
# a case whose answer is wrong (exit 0 with moved figures, or a figure
# beyond RAM) is then a TODO line, any other wrong result fails
KNOWN = []
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


# (field, class regex, reason) of a case that does not end in time
KNOWN_HANG = []


def figures(doc):
    """Every number of a JSON document, by path (to compare two answers)."""
    out = {}

    def walk(x, path):
        if isinstance(x, dict):
            for k, v in x.items():
                if k != "warnings" and "second" not in k:	# timings
                    walk(v, path + "." + k)
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, "%s[%d]" % (path, i))
        elif isinstance(x, (int, float)) and not isinstance(x, bool):
            out[path] = x
    walk(doc, "")
    return out


def unmoved(clean):
    """The clean run's exit status and the same figures."""
    want = figures(clean.doc) if clean.doc is not None else None

    def test(r):
        return r.rc == clean.rc and r.doc is not None and figures(r.doc) == want
    return Expect("exit %d and the clean run's figures (a field the command does not need)"
                  % clean.rc, test)


def near(clean, pages=512):
    """A struct page changed: only that page may move (a huge page at
    most), every figure within 2 MiB of the clean run's."""
    want = figures(clean.doc) if clean.doc is not None else {}

    def test(r):
        if r.rc not in (0, 1) or r.doc is None:
            return False
        got = figures(r.doc)
        return all(abs(got.get(k, v) - v) <= pages << 12 for k, v in want.items())
    return Expect("exit 0 or 1, every figure within a huge page of the clean run's "
                  "(one struct page changed)", test)


def text_clean(clean_rc):
    def test(r):
        raw = r.stdout.encode(errors="surrogateescape")
        return r.rc in (clean_rc, 1) and not CONTROL.search(raw) and "\ufffd" not in r.stdout
    return Expect("exit %d (or 1), text output without control bytes or invalid UTF-8" % clean_rc,
                  test)


def main():
    tap = convlib.Tap()
    mw = convlib.memwhere_path()
    src = os.environ.get("MW_SRCDIR", ".")
    tool = os.path.join(os.environ.get("MW_BUILDDIR", "."), "tests", "kaddr-tool")
    dumps = structlib.testdata_dumps(src)
    if not dumps:
        tap.skip_all("no testdata/*/vmcore.kdump")
    if not shutil.which("timeout"):
        tap.skip_all("timeout (coreutils) not installed")
    if not FULL:
        dumps = dumps[:1]
    # MW_CORRUPT_DUMPS="6.1-mixed 6.12-mixed": only these bundled dumps
    # (scripts/test's sanitizer pass, to keep CI's time)
    only = os.environ.get("MW_CORRUPT_DUMPS", "").split()
    if only:
        dumps = [d for d in dumps if os.path.basename(os.path.dirname(d)) in only] or dumps[:1]
    tmp = tempfile.mkdtemp(prefix="mw-corrupt-structs.")
    cases = 0
    try:
        for dump in dumps:
            name = os.path.basename(os.path.dirname(dump))
            elf = os.path.join(tmp, name + ".elf")
            good, err = structlib.physical_elf(convlib.mw_convert_path(), dump, elf)
            if not tap.ok(good, "%s: physical ELF copy" % name, err):
                continue
            k = structlib.Kernel(tool, elf)
            targets = structlib.all_targets(k)
            structs = sorted(set(t.struct for t in targets))
            # sockets with queued data and memcg children are not in every dump
            tap.ok(len(structs) >= 6, "%s: objects found of %d structures: %s"
                   % (name, len(structs), ", ".join(structs)))
            ram = hostile.ram_of(mw, elf)
            patcher = structlib.Patcher(k, elf)
            clean = {}
            seen = set()
            for t in targets:
                cmds = [t.command] + t.also + (["report"] if FULL else [])
                for cmd in cmds:
                    if cmd not in clean:
                        clean[cmd] = hostile.run(mw, ["--json", cmd, elf], 600)
                        clean["text " + cmd] = hostile.run(mw, [cmd, elf], 600)
                for cls, field, patches in structlib.classes(t, targets):
                    key = (t.struct, cls.split(" the ")[0])
                    if not FULL and key in seen:
                        continue
                    seen.add(key)
                    if not patcher.apply(patches):
                        tap.diag("%s %s: %s not in the dump; case skipped" % (name, t, field))
                        continue
                    try:
                        for cmd in cmds:
                            c = clean[cmd]
                            label = "%s %s, %s %s, %s" % (name, t, field, cls, cmd)
                            text = cls in ("control bytes", "invalid UTF-8")
                            args = ([] if text else ["--json"]) + [cmd, elf]
                            if text:
                                c = clean["text " + cmd]
                            r = hostile.run(mw, args, hostile.limit_for(c.seconds))
                            r.rss_limit_kib = hostile.rss_limit_for(c.maxrss_kib)
                            if text:
                                expect = text_clean(c.rc)
                            else:
                                expect = warns(t.say) | names_file(elf) | unmoved(c)
                                if t.struct == "page":
                                    expect = expect | near(c)
                            known = [(why, Expect("that", lambda r: r.rc == 0))
                                     for f, cl, why in KNOWN if f == field and re.search(cl, cls)]
                            hang = next((why for f, cl, why in KNOWN_HANG
                                         if f == field and re.search(cl, cls)), None)
                            hostile.check(tap, label, r, expect, ram, known=known,
                                          known_over=known[0][0] if known else None,
                                          known_hang=hang)
                            cases += 1
                    finally:
                        patcher.undo()
            k.close()
            os.unlink(elf)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.diag("%d cases" % cases)
    tap.done()


main()
