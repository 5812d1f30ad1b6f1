#!/usr/bin/python3
"""The one-screen answer and deterministic output, on every real dump at hand.

`memwhere DUMP` (report) must fit about one screen: at most 50 lines (its
warnings aside), none wider than 100 columns, at 80 columns (not a
terminal) and at COLUMNS=100; the conclusions first; and nothing cut: every
finding the JSON report carries is in the text, word for word (wrapping
only moves where lines end). `report --full` still has every section.
JSON is the same with and without --full.

Every command's text (summary, pages, files, sockets, memcg, tasks, slab,
vmalloc, info, report --full; not log, which prints the kernel's own lines)
fits 100 columns at COLUMNS=100; in `files` a path of up to 34 columns
(the room left beside " (deleted)") is shown whole, not shortened.

--no-timing: two runs of every command give byte-identical JSON and text;
without it the scan's timings are in the JSON (so the option is what makes
two runs equal).
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.environ["MW_SRCDIR"], "tests"))
from taplib import ok, plan, real_dump_dirs  # noqa: E402

MAX_LINES = 50
MAX_COLS = 100
COMMANDS = ["report", "info", "summary", "pages", "files", "sockets", "memcg", "slab",
            "vmalloc", "tasks", "log"]

def dump_dirs():
    return real_dump_dirs()


def first_dump(d):
    for name in ("vmcore.kdump", "vmcore.elf", "vmcore-paging.elf", "vmcore.kdump-zlib.flat"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def run(args, columns=None):
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    env["LC_ALL"] = "C.UTF-8"
    if columns:
        env["COLUMNS"] = str(columns)
    p = subprocess.run([os.environ["MEMWHERE"], "--no-progress", *args], capture_output=True,
                       env=env)
    return p.returncode, p.stdout


def squeeze(s):
    return re.sub(r"\s+", "", s)


def check_brief(f, doc):
    for columns in (None, 100):
        at = "%s (%s columns)" % (f, columns or "80, not a terminal,")
        rc, out = run([f], columns)
        text = out.decode("utf-8", "replace")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if "" in lines and any(l.startswith("Warnings (") for l in lines):
            lines = lines[:next(i for i, l in enumerate(lines) if l.startswith("Warnings ("))]
        if not ok(rc in (0, 1) and text, "%s: the default answer (exit %d)" % (at, rc)):
            continue
        ok(len(lines) <= MAX_LINES, "%s: %d lines, at most %d" % (at, len(lines), MAX_LINES))
        widest = max(len(l) for l in lines)
        ok(widest <= MAX_COLS, "%s: widest line %d columns, at most %d" % (at, widest, MAX_COLS))
        if columns is None:
            fl = [l for l in lines if l.startswith("  ") and len(l) > 80 and
                  not re.match(r"^\S", l)]
            ok(not fl, "%s: findings and what happened wrapped to 80 columns (%d wider)"
               % (at, len(fl)))
        heads = [l for l in lines if l.startswith("== ")]
        order = [h for h in heads if h in ("== Findings", "== Where the memory went")]
        ok(order == ["== Findings", "== Where the memory went"],
           "%s: the findings come before the table of categories: %s" % (at, heads))
        flat = squeeze(text)
        missing = [x["title"] for x in doc["findings"] if squeeze(x["title"]) not in flat]
        more = re.search(r"^  \.\.\. (\d+) more findings? \(report --full\)$", text, re.M)
        counted = int(more.group(1)) if more else 0
        bundled = os.path.realpath(f).startswith(os.path.realpath(
            os.path.join(os.environ["MW_SRCDIR"], "testdata")) + os.sep)
        ok(len(missing) == counted and not (bundled and missing),
           "%s: every one of the %d findings' titles is there in full%s%s"
           % (at, len(doc["findings"]),
              (", but the last %d, counted in \"... N more\"" % counted) if counted else "",
              (": missing " + "; ".join(missing)) if len(missing) != counted else ""))
        if doc["findings"]:
            first = doc["findings"][0]
            ok(squeeze(first["evidence"]) in flat,
               "%s: the first finding (%s) with its evidence" % (at, first["id"]))
        if doc.get("incident", {}).get("panic"):
            ok(squeeze(doc["incident"]["panic"]) in flat,
               "%s: the panic message is there" % at)
        for key, label in (("free", "free"), ("anon", "anon")):
            ok(re.search(r"^%s\s+\S+ \S?i?B\s+[\d.]+%%" % label, text, re.M) is not None,
               "%s: the category table has %s" % (at, label))
    rc, out = run(["report", "--full", f])
    text = out.decode("utf-8", "replace")
    for h in ("== Where the memory went", "== Memory cgroups", "== Processes by RSS",
              "== Findings"):
        ok(h in text, "%s: report --full has the section %s" % (f, h))


WIDTH_COMMANDS = [["summary"], ["pages"], ["files"], ["sockets"], ["memcg"], ["tasks"],
                  ["slab"], ["vmalloc"], ["info"], ["report", "--full"]]


def check_widths(f):
    for cmd in WIDTH_COMMANDS:
        rc, out = run(cmd + [f], 100)
        lines = out.decode("utf-8", "replace").split("\n")
        wide = [l for l in lines if len(l) > MAX_COLS]
        ok(rc in (0, 1) and out and not wide,
           "%s: %s text within %d columns at COLUMNS=100 (exit %d, %d lines, %d wider%s)"
           % (f, " ".join(cmd), MAX_COLS, rc, len(lines), len(wide),
              (": " + wide[0][:120]) if wide else ""))
    rc, out = run(["--json", "files", f])
    try:
        files = json.loads(out)["files"]
    except (ValueError, KeyError):
        files = None
    rc, out = run(["files", f], 100)
    text = out.decode("utf-8", "replace")
    cut = [x["path"] for x in files or [] if len(x["path"]) <= 34 and x["path"] not in text]
    ok(files is not None and not cut,
       "%s: files shows every path of up to 34 columns whole (%d files%s)"
       % (f, len(files or []), (": cut " + ", ".join(cut[:3])) if cut else ""))


def check_json(f):
    rc1, a = run(["--json", "--no-timing", f])
    rc2, b = run(["--json", "--no-timing", "--full", f])
    ok(rc1 == rc2 and a == b and a.startswith(b"{"),
       "%s: the JSON report is the same with --full (%d bytes)" % (f, len(a)))
    rc, timed = run(["--json", "summary", f])
    try:
        scan = json.loads(timed)["scan"]
    except (ValueError, KeyError):
        scan = {}
    ok("seconds" in scan and "setup_seconds" in scan,
       "%s: without --no-timing the summary JSON has the scan's timings" % f)
    rc, quiet = run(["--json", "--no-timing", "summary", f])
    try:
        scan = json.loads(quiet)["scan"]
    except (ValueError, KeyError):
        scan = {"seconds": 0}
    ok(not set(scan) & {"seconds", "setup_seconds", "pages_per_second", "threads"},
       "%s: --no-timing leaves them out (scan: %s)" % (f, sorted(scan)))
    for cmd in COMMANDS:
        for fmt in (["--json"], []):
            r1 = run(fmt + ["--no-timing", cmd, f])
            r2 = run(fmt + ["--no-timing", cmd, f])
            ok(r1 == r2 and r1[1], "%s: %s %s --no-timing twice: byte-identical (%d bytes)"
               % (f, cmd, fmt[0] if fmt else "text", len(r1[1])))


def main():
    dirs = dump_dirs()
    if not dirs:
        print("1..0 # SKIP no real dumps")
        return 0
    for d in dirs:
        f = first_dump(d)
        if not f:
            continue
        rc, out = run(["--json", "--top", "0", f])
        try:
            doc = json.loads(out)
        except ValueError:
            ok(False, "%s: report --json gives one JSON document (exit %d)" % (f, rc))
            continue
        check_brief(f, doc)
        check_widths(f)
        check_json(f)
    return plan()


if __name__ == "__main__":
    sys.exit(main())
