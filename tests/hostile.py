"""The harness of the corruption suite (tests/corrupt-*.py): run memwhere on
one hostile input (a cut, patched or wrong file) and assert what every
hostile input must give, whatever it is:

  - no sanitizer report on stderr (the suite runs on scripts/test's ASan and
    UBSan build too), no signal, and an end within twice the clean run's
    time plus a constant (MW_CORRUPT_SLACK seconds, default 5): the command
    runs under timeout(1), so a hang is a failed check, not a stuck suite;
    a peak RSS (wait4's ru_maxrss of timeout(1) and memwhere) within four
    times the clean run's plus 64 MiB, where the case gives the clean run;
  - an answer: exit 1 with a warning that names what was wrong, or exit 2
    with a message that names the file;
  - no figure in the JSON larger than the dump's RAM, none below zero.

Python standard library only. A case is up to three TAP lines (safety,
answer, figures) through convlib.Tap, or unnumbered for tap.sh's tap_lines
from the command line (see USAGE); a known defect not yet fixed is a
"# TODO" line, only when the result is that defect.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

SANITIZER = re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error: |"
                       r"UndefinedBehaviorSanitizer")
SLACK = float(os.environ.get("MW_CORRUPT_SLACK", "5"))
# keys whose numbers are bytes of RAM (a file's size_bytes may exceed it: sparse)
RAM_KEYS = re.compile(r"bytes$")
RAM_PARENTS = ("categories", "stat", "stat_flushed")
# (swap may exceed RAM: an absurd swap figure is not caught here; vm_bytes
# and total_vm_bytes are address space: arm64's virt machine ioremaps its
# 256 MiB PCI ECAM window on a 256 MiB guest)
NOT_RAM = ("size_bytes", "swap_bytes", "vm_bytes", "total_vm_bytes")


class Result:
    def __init__(self, args, rc, stdout, stderr, seconds, limit, maxrss_kib=0):
        self.args = args
        self.maxrss_kib = maxrss_kib	# peak RSS, KiB (0: not known)
        self.rss_limit_kib = None	# set by the case: rss_limit_for(clean)
        self.seconds = seconds
        self.limit = limit
        self.stdout = stdout
        self.stderr = stderr
        # 124: timeout(1) stopped it; 137: it had to be killed after that
        self.hung = rc == 124 or (rc in (137, -9) and seconds >= limit)
        # timeout(1) passes a signal on by dying of it; 128+N from a shell
        self.signal = 0 if self.hung else -rc if rc < 0 else (rc - 128 if rc > 128 else 0)
        self.rc = rc
        self.doc = None
        try:
            self.doc = json.loads(stdout) if stdout.strip() else None
        except ValueError:
            pass

    def first_line(self):
        for line in self.stderr.splitlines():
            if line.strip():
                return line.strip()[:300]
        return ""

    def warnings(self):
        w = []
        if isinstance(self.doc, dict):	# report: each section's warnings too
            w += self.doc.get("warnings") or []
            for v in self.doc.values():
                if isinstance(v, dict):
                    w += v.get("warnings") or []
        return [str(x) for x in w] + self.stderr.splitlines()


def run(memwhere, args, limit, stdin=subprocess.DEVNULL):
    """memwhere ARGS under timeout(1) with LIMIT seconds."""
    cmd = ["timeout", "-k", "2", "%.1f" % limit, memwhere] + list(args)
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err)
        # wait4: the rusage of timeout(1) and the memwhere it waited for
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        return Result(args, p.returncode, out.read().decode(errors="replace"),
                      err.read().decode(errors="replace"), seconds, limit, ru.ru_maxrss)


def limit_for(clean_seconds):
    return 2 * clean_seconds + SLACK


def rss_limit_for(clean_kib):
    """Peak RSS allowed, KiB: four times the clean run's plus 64 MiB."""
    return 4 * clean_kib + 64 * 1024


def ram_of(memwhere, dump):
    """The dump's RAM in bytes (its memory ranges), from memwhere info."""
    r = run(memwhere, ["--json", "info", dump], 60 + SLACK)
    return int(r.doc["memory"]["total_bytes"]) if r.rc == 0 and r.doc else None


def figures_over(doc, ram):
    """'path = value' for every byte figure outside 0..ram."""
    bad = []

    def walk(x, path):
        if isinstance(x, dict):
            # a hugetlb size's page_bytes is its page size (1 GiB on arm64,
            # and on x86-64 with gigantic pages), whatever the RAM
            huge = "hstate" in x or any("hugetlb" in p or p == "hstates" for p in path)
            for k, v in x.items():
                if not (huge and k == "page_bytes"):
                    walk(v, path + [k])
        elif isinstance(x, list):
            for v in x:
                walk(v, path + ["[]"])
        elif isinstance(x, (int, float)) and not isinstance(x, bool) and path:
            k = path[-1]
            parent = path[-2] if len(path) > 1 else ""
            if k in NOT_RAM or not (RAM_KEYS.search(k) or parent in RAM_PARENTS):
                return
            if x < 0 or x > ram:
                bad.append("%s = %s" % (".".join(path), x))
    walk(doc, [])
    return bad


# ---- what a case must answer: a predicate on a Result, and its wording

class Expect:
    def __init__(self, what, test):
        self.what = what
        self.test = test

    def __or__(self, other):
        return Expect("%s, or %s" % (self.what, other.what),
                      lambda r: self.test(r) or other.test(r))


def names_file(path, also=None):
    """exit 2, the message names the file (and matches also, a regex)."""
    what = "exit 2 naming %s" % os.path.basename(path)
    if also:
        what += " and saying /%s/" % also

    def test(r):
        return (r.rc == 2 and path in r.stderr and
                (not also or re.search(also, r.stderr, re.I) is not None))
    return Expect(what, test)


def warns(pattern):
    """exit 1, a warning matching pattern (a regex) on stderr or in the JSON."""
    return Expect("exit 1 with a warning saying /%s/" % pattern,
                  lambda r: r.rc == 1 and any(re.search(pattern, w, re.I) for w in r.warnings()))


def exits(code):
    return Expect("exit %d" % code, lambda r: r.rc == code)


def exit2_unnamed(path):
    """exit 2 with a message that does not name the file."""
    return Expect("exit 2 not naming %s" % os.path.basename(path),
                  lambda r: r.rc == 2 and path not in r.stderr)


def check(tap, label, r, expect, ram=None, known=(), known_hang=None, known_over=None):
    """The TAP lines of one case: safety (no sanitizer report, no signal,
    in time), the answer, the figures. A known defect not fixed yet is a
    TODO line, only when the result is that defect: known, [(reason,
    Expect)] for a wrong answer; known_hang, the reason for a hang;
    known_over, the reason for a figure above RAM or below zero."""
    san = SANITIZER.search(r.stderr)
    problems = []
    if r.hung:
        problems.append("still running after %.1f s: killed" % r.limit)
    elif r.signal:
        problems.append("killed by signal %d" % r.signal)
    elif r.seconds > r.limit:
        problems.append("%.1f s, over the limit" % r.seconds)
    if r.rss_limit_kib and r.maxrss_kib > r.rss_limit_kib:
        problems.append("peak RSS %d KiB, over the limit of %d KiB" % (r.maxrss_kib, r.rss_limit_kib))
    if san:
        problems.append("sanitizer: " + r.stderr[san.start():].splitlines()[0][:200])
    todo = known_hang if r.hung and not san else None
    rss = ", %d MiB peak (limit %d)" % (r.maxrss_kib >> 10, r.rss_limit_kib >> 10) \
        if r.rss_limit_kib else ""
    tap.ok(not problems, "%s: ends in %.1f s (limit %.0f s)%s, no signal, no sanitizer report"
           % (label, r.seconds, r.limit, rss), "\n".join(problems + r.stderr.splitlines()[:10]),
           todo=todo)
    if r.hung:
        return
    good = expect.test(r)
    todo = None
    if not good:
        todo = next((reason for reason, e in known if e.test(r)), None)
    tap.ok(good, "%s: %s (exit %d%s)" % (label, expect.what, r.rc,
                                          ": " + r.first_line() if r.first_line() else ""),
           "\n".join(r.warnings()[:8]), todo=todo)
    if ram and r.rc in (0, 1) and r.doc is not None:
        over = figures_over(r.doc, ram)
        tap.ok(not over, "%s: no figure above RAM (%d bytes) or below zero" % (label, ram),
               "\n".join(over[:10]), todo=known_over if over else None)


# ---- command line, for the shell tests that corrupt a copy of a real dump

class LineTap:
    """Unnumbered "ok - ..." lines, for tap.sh's tap_lines to number."""

    def ok(self, cond, desc, detail=None, todo=None):
        print("%s - %s%s" % ("ok" if cond else "not ok", desc,
                             " # TODO " + todo if todo and not cond else ""))
        if detail and not cond:
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)
        return bool(cond)


USAGE = """usage: hostile.py LABEL EXPECT INTACT-DUMP BAD-DUMP INTACT-OUT BAD-OUT ARGS...
Runs memwhere ARGS INTACT-DUMP (output to INTACT-OUT: its time sets the
limit, `info` its RAM), then memwhere ARGS BAD-DUMP (to BAD-OUT) and prints
the checks as unnumbered TAP lines. EXPECT: exit1:REGEX (exit 1, a warning
matching REGEX) or exit2 (exit 2 naming BAD-DUMP). Exit status: the bad
run's, or 3 if it hung or died of a signal."""


def main(argv):
    if len(argv) < 8 or not (argv[2].startswith("exit1:") or argv[2] == "exit2"):
        print(USAGE, file=sys.stderr)
        return 2
    label, expect, intact, bad, intact_out, bad_out = argv[1:7]
    args = argv[7:]
    mw = os.environ.get("MEMWHERE") or "memwhere"
    clean = run(mw, args + [intact], 3600)
    with open(intact_out, "w") as f:
        f.write(clean.stdout)
    r = run(mw, args + [bad], limit_for(clean.seconds))
    r.rss_limit_kib = rss_limit_for(clean.maxrss_kib)
    with open(bad_out, "w") as f:
        f.write(r.stdout)
    e = warns(expect[len("exit1:"):]) if expect != "exit2" else names_file(bad)
    check(LineTap(), label, r, e, ram_of(mw, intact))
    return 3 if r.hung or r.signal else r.rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
