"""What the corruption tests that patch ELF copies of the bundled dumps
share: the programs they run, TAP lines, and tests/kaddr-tool's answers
(a symbol's address, a read, a physical address, an offset, a size)."""

import os
import subprocess
import sys

MEMWHERE = os.environ["MEMWHERE"]
BUILD = os.environ["MW_BUILDDIR"]
TOOL = os.path.join(BUILD, "tests", "kaddr-tool")
CONVERT = os.path.join(BUILD, "tests", "tools", "mw-convert")

_n = 0


def ok(cond, desc, diag=()):
    global _n
    _n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, desc))
    for d in diag:
        print("# " + d)
    sys.stdout.flush()
    return cond


def plan():
    print("1..%d" % _n)


def map_beside(src, tmpdir):
    """The System.map beside the dump src (a capture of a kernel without
    KALLSYMS_ALL, such as Debian's arm64, has the -dbg package's there),
    linked into tmpdir where the copies go; a link left from another dump
    is removed."""
    link = os.path.join(tmpdir, "System.map")
    if os.path.lexists(link):
        os.unlink(link)
    real = os.path.join(os.path.dirname(os.path.abspath(src)), "System.map")
    if os.path.isfile(real):
        os.symlink(real, link)


def ask(dump, cmd, arg):
    r = subprocess.run([TOOL, dump, cmd, str(arg)], capture_output=True, text=True)
    if r.returncode:
        return None
    return int(r.stdout.strip(), 0)
