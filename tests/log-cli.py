#!/usr/bin/python3
"""memwhere log's command line on the bundled dumps (TAP): --help, --level
by name and number, a bad --level (exit 2), the text form's lines against
the JSON records (one "[%5lu.%06lu] " line per line of each record, the
timestamp from ts_nsec), and --level keeping exactly the records at that
level or more severe."""
import json
import os
import re
import subprocess
import sys

SRC = os.environ.get("MW_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
MEMWHERE = os.environ.get("MEMWHERE", os.path.join(SRC, "build", "memwhere"))
n = failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    failed += 0 if cond else 1


def run(*args):
    p = subprocess.run([MEMWHERE] + list(args), capture_output=True)
    return p.returncode, p.stdout, p.stderr


def esc(s):
    """The text form's escaping of control characters."""
    return re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), s)


rc, out, _ = run("log", "--help")
ok(rc == 0 and b"Usage: memwhere [OPTIONS] log DUMP" in out and b"--level" in out,
   "log --help: usage and --level")
rc, out, _ = run("--help")
ok(rc == 0 and re.search(rb"\n  log +", out) and b"--level LEVEL" in out, "--help lists log and --level")

dumps = sorted(os.path.join(SRC, "testdata", d, "vmcore.kdump")
               for d in os.listdir(os.path.join(SRC, "testdata"))
               if os.path.isfile(os.path.join(SRC, "testdata", d, "vmcore.kdump")))
if not dumps:
    print("1..%d" % n)
    sys.exit(1 if failed else 0)
d0 = dumps[0]
rc, _, err = run("--level", "loud", "log", d0)
ok(rc == 2 and b"--level" in err, "--level loud: exit 2 with a message (got %d)" % rc)

for f in dumps:
    label = os.path.basename(os.path.dirname(f))
    rc, js, _ = run("--json", "log", f)
    doc = json.loads(js) if rc == 0 else {"records": []}
    recs = doc["records"]
    ok(rc == 0 and len(recs) > 100 and doc["warnings"] == [],
       "%s: --json log exits 0, %d records, no warning" % (label, len(recs)))
    rc, txt, _ = run("log", f)
    want = []
    for r in recs:
        ts = r["ts_nsec"]
        for line in r["text"].split("\n"):
            want.append("[%5d.%06d] %s" % (ts // 10**9, ts % 10**9 // 1000, esc(line)))
    got = txt.decode("utf-8", errors="surrogateescape").split("\n")[:-1]
    ok(rc == 0 and got == want, "%s: the text form is the JSON records, a prefixed line per line "
       "(%d lines)" % (label, len(want)))
    for name, num in (("err", 3), ("warn", 4), ("info", 6)):
        rc1, a, _ = run("--json", "--level", name, "log", f)
        rc2, b, _ = run("--json", "--level", str(num), "log", f)
        ra = json.loads(a)["records"] if rc1 == 0 else None
        rb = json.loads(b)["records"] if rc2 == 0 else None
        ok(ra is not None and ra == rb and ra == [r for r in recs if r["level"] <= num],
           "%s: --level %s (= %d) keeps the %d records at level <= %d" %
           (label, name, num, len(ra or []), num))
print("1..%d" % n)
sys.exit(1 if failed else 0)
