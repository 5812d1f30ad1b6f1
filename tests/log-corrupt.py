#!/usr/bin/python3
"""memwhere log on copies of real dumps with a corrupted printk ring (TAP).

For every capture with a physical ELF dump (vmcore.elf), three records in
the middle of the log are corrupted by tests/corrupt_printk.py (which finds
the ring through VMCOREINFO, not memwhere): a descriptor whose state_var
carries another id, a text block whose next lpos runs far past the ring,
an info whose seq is not its id's. memwhere must exit 1 with exactly one
warning naming the 3 lost records' sequence numbers, report them in
dropped.lost and lost_seqs, and print every other record exactly as from
the intact dump (which tests/log-real.py holds against the console).
"""
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("MW_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(SRC, "tests"))
from kaddrlib import map_beside  # noqa: E402
MEMWHERE = os.environ.get("MEMWHERE", os.path.join(SRC, "build", "memwhere"))
n = 0
failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    if not cond:
        failed += 1
    sys.stdout.flush()
    return cond


def dump_dirs():
    out = subprocess.run(["sh", "-c", '. "$MW_SRCDIR/tests/tap.sh"; . "$MW_SRCDIR/tests/dumps.sh"; real_dump_dirs'],
                         env=dict(os.environ, MW_SRCDIR=SRC), capture_output=True,
                         text=True).stdout
    return [d for d in out.splitlines() if d]


def log_json(f):
    p = subprocess.run([MEMWHERE, "--json", "log", f], capture_output=True, timeout=120)
    try:
        return p.returncode, json.loads(p.stdout)
    except ValueError:
        return p.returncode, None


def main():
    dirs = [d for d in dump_dirs() if os.path.isfile(os.path.join(d, "vmcore.elf"))]
    if not dirs:
        print("1..0 # SKIP no capture with a vmcore.elf (set MW_CAPTURES)")
        return 0
    with tempfile.TemporaryDirectory(prefix="mw-logcorrupt.") as tmp:
        bad = os.path.join(tmp, "corrupt.elf")
        for d in dirs:
            label = os.path.basename(os.path.dirname(d)) + "/" + os.path.basename(d)
            src = os.path.join(d, "vmcore.elf")
            map_beside(src, tmp)
            rc, good = log_json(src)
            if not ok(rc == 0 and good is not None, "%s: intact dump: exit 0" % label):
                continue
            recs = good["records"]
            if len(recs) < 30:
                ok(True, "%s # SKIP only %d records" % (label, len(recs)))
                continue
            victims = [recs[len(recs) // 3]["seq"], recs[len(recs) // 2]["seq"],
                       recs[2 * len(recs) // 3]["seq"]]
            p = subprocess.run([sys.executable, os.path.join(SRC, "tests", "corrupt_printk.py"),
                                src, os.path.join(d, "truth.json")] + [str(s) for s in victims] + [bad],
                               capture_output=True, text=True)
            if p.returncode != 0:
                ok(False, "%s: corrupt_printk.py: %s" % (label, p.stderr.strip()[:300]))
                continue
            rc, got = log_json(bad)
            ok(rc == 1, "%s corrupted (seqs %s): exit 1 (got %d)" % (label, victims, rc))
            if got is None:
                ok(False, "%s corrupted: JSON output" % label)
                continue
            w = got["warnings"]
            ok(len(w) == 1, "%s corrupted: exactly one warning (got %d)" % (label, len(w)))
            want_text = "3 records lost"
            ok(len(w) == 1 and want_text in w[0] and
               all(str(s) in w[0] for s in victims),
               "%s corrupted: the warning says %r and names seqs %s: %r" %
               (label, want_text, victims, w[0] if w else None))
            dr = got["dropped"]
            ok(dr["lost"] == 3 and dr["lost_seqs"] == [[s, s] for s in victims],
               "%s corrupted: dropped.lost 3, lost_seqs %s (got %s, %s)" %
               (label, victims, dr["lost"], dr["lost_seqs"]))
            rest = [r for r in recs if r["seq"] not in victims]
            same = got["records"] == rest
            ok(same, "%s corrupted: the other %d records as from the intact dump" % (label, len(rest)))
            if not same:
                for a, b in zip(got["records"], rest):
                    if a != b:
                        print("# first difference: %r vs %r" % (a, b))
                        break
            os.unlink(bad)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
