#!/usr/bin/python3
"""Names from the dump cannot drive the terminal, and stay unambiguous in JSON.

A physical ELF copy of each bundled dump that has the /dev/shm files of the
mixed scenario gets two names rewritten in place (same length): the
deleted PostgreSQL segment's gets an ESC c (a terminal reset), one ganglia
metrics file's a 0xff byte (not UTF-8). `memwhere files` must then print,
as text, "\\x1bc" and "\\xff" and no raw ESC or 0xff byte; as JSON, "\\u001b"
and "\\udcff" (U+DC80 + the byte), the bytes recoverable with Python's
surrogateescape.
"""

import json
import os
import subprocess
import sys
import tempfile

MEMWHERE = os.environ["MEMWHERE"]
SRC = os.environ["MW_SRCDIR"]
CONVERT = os.path.join(os.environ["MW_BUILDDIR"], "tests", "tools", "mw-convert")
n = 0


def ok(cond, desc, diag=()):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    for d in diag:
        print("# " + str(d))
    return cond


ESC_FROM, ESC_TO = b"PostgreSQL.1804289383", b"Postgre\x1bcL.1804289383"
FF_FROM, FF_TO = b"gmond-metrics-0003", b"gmond-metrics-\xff003"


def main():
    dumps = [os.path.join(SRC, "testdata", d, "vmcore.kdump")
             for d in sorted(os.listdir(os.path.join(SRC, "testdata")))
             if d.endswith("-mixed")]
    dumps = [d for d in dumps if os.path.isfile(d)]
    if not dumps:
        print("1..0 # SKIP no bundled mixed dump")
        return 0
    with tempfile.TemporaryDirectory(prefix="mw-names.") as tmp:
        for dump in dumps:
            name = os.path.basename(os.path.dirname(dump))
            elf = os.path.join(tmp, "d.elf")
            r = subprocess.run([CONVERT, "--format", "elf", "--fill-excluded", dump, elf],
                               capture_output=True)
            if r.returncode:
                ok(False, "%s: ELF copy" % name)
                continue
            data = bytearray(open(elf, "rb").read())
            found = data.count(ESC_FROM), data.count(FF_FROM)
            data = data.replace(ESC_FROM, ESC_TO).replace(FF_FROM, FF_TO)
            open(elf, "wb").write(data)
            del data
            if not ok(all(found), "%s: both names found in the dump (%d, %d times)" % ((name,) + found)):
                continue
            t = subprocess.run([MEMWHERE, "--top", "0", "files", elf], capture_output=True)
            out = t.stdout
            ok(t.returncode in (0, 1) and b"\x1b" not in out and b"\xff" not in out,
               "%s: text output has no raw ESC or 0xff byte (exit %d)" % (name, t.returncode))
            ok(b"/dev/shm/Postgre\\x1bcL.1804289383" in out and b"gmond-metrics-\\xff003" in out,
               "%s: text shows them as \\x1bc and \\xff, as ls -b does" % name)
            j = subprocess.run([MEMWHERE, "--json", "--top", "0", "files", elf], capture_output=True)
            raw = j.stdout
            ok(b"\\u001b" in raw and b"\\udcff" in raw, "%s: JSON escapes them as \\u001b and \\udcff" % name)
            doc = json.loads(raw)
            paths = [f["path"].encode("utf-8", "surrogateescape") for f in doc["files"]]
            ok(any(p.endswith(ESC_TO) for p in paths) and any(p.endswith(FF_TO) for p in paths),
               "%s: the JSON paths give back the names' exact bytes" % name)
            os.unlink(elf)
    print("1..%d" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
