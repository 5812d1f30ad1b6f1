#!/usr/bin/python3
"""memwhere log on every real dump at hand (TAP).

Captures with a console.log (the guest's serial console, scripts/capture):
the kernel lines memwhere prints must equal, line for line, the kernel
lines of the console up to the dump. The console shows the records below
console_loglevel: the capture's kernel command line (truth.json) sets it
(loglevel=, quiet, debug; else the kernel config's
CONFIG_CONSOLE_LOGLEVEL_DEFAULT, 7 if the config is not at hand), and
memwhere's output is filtered with --level console_loglevel-1 to match.
Only console lines of the "[ seconds.micros] " shape are kernel lines (the
guest's shell writes to the same console). If the ring wrapped
(dropped.overwritten > 0) the console's older lines are skipped up to
memwhere's first line; memwhere may end with records the console had not
printed yet when the guest was paused (counted in the diagnostics), but
every console kernel line must be there, in order.

Every dump, console or not: the log's
"Linux version" and "Command line:" records name the guest's release and
/proc/cmdline (truth.json kernel), and for an OOM capture the OOM report
that the capture parsed from the console (truth.json oom: the "invoked
oom-killer" lines, the task table rows, the panic message) is in the log.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

SRC = os.environ.get("MW_SRCDIR", os.path.join(os.path.dirname(__file__), ".."))
MEMWHERE = os.environ.get("MEMWHERE", os.path.join(SRC, "build", "memwhere"))
KLINE = re.compile(rb"^\[ *\d+\.\d{6}\] ")
KLINE_IN = re.compile(rb"\[ *\d+\.\d{6}\] ")

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


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line)


def dump_dirs():
    out = subprocess.run(["sh", "-c", '. "$MW_SRCDIR/tests/tap.sh"; . "$MW_SRCDIR/tests/dumps.sh"; real_dump_dirs'],
                         env=dict(os.environ, MW_SRCDIR=SRC), capture_output=True,
                         text=True).stdout
    return [d for d in out.splitlines() if d]


def dump_files(d):
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.startswith("vmcore") and not f.endswith((".partial", ".tmp"))
                  and os.path.isfile(os.path.join(d, f)))


def kernel_config(d, release):
    caps = os.environ.get("MW_CAPTURES") or os.path.join(SRC, "captures")
    for c in (os.path.join(d, "config"), os.path.join(d, "..", "..", "kernels", release, "config"),
              os.path.join(caps, "kernels", release, "config")):
        if os.path.isfile(c):
            return c
    return None


def console_loglevel(truth, d):
    """What console_loglevel the guest ran with, and why."""
    release = truth["kernel"]["release"]
    level, why = 7, "the kernel's default 7"
    cfg = kernel_config(d, release)
    if cfg:
        with open(cfg) as f:
            for line in f:
                m = re.match(r"CONFIG_CONSOLE_LOGLEVEL_DEFAULT=(\d+)", line)
                if m:
                    level, why = int(m.group(1)), "CONFIG_CONSOLE_LOGLEVEL_DEFAULT"
    quiet = 4
    if cfg:
        with open(cfg) as f:
            for line in f:
                m = re.match(r"CONFIG_CONSOLE_LOGLEVEL_QUIET=(\d+)", line)
                if m:
                    quiet = int(m.group(1))
    for a in truth["kernel"].get("cmdline", "").split():
        if a.startswith("loglevel="):
            level, why = int(a.split("=", 1)[1]), a
        elif a == "quiet":
            level, why = quiet, "quiet"
        elif a == "debug":
            level, why = 10, "debug"
        elif a == "ignore_loglevel":
            level, why = 10, "ignore_loglevel"
    return level, why


def run_log(f, *args):
    p = subprocess.run([MEMWHERE, "--no-progress"] + list(args) + ["log", f],
                       capture_output=True)
    return p.returncode, p.stdout, p.stderr


CONSOLE_LOG_MAX = 1024     # kernel/printk/printk.c: the console's buffer


def console_render(ts_nsec, text):
    """The lines the console printed of one record (record_print_text)."""
    prefix = b"[%5d.%06d] " % (ts_nsec // 1000000000, ts_nsec % 1000000000 // 1000)
    lines, used = [], 0
    for line in text[:CONSOLE_LOG_MAX].split(b"\n"):
        if used + len(prefix) + len(line) + 2 > CONSOLE_LOG_MAX:
            break
        lines.append(prefix + line)
        used += len(prefix) + len(line) + 1
    return lines


PANIC_CUT_MAX = 3
PANIC_CUT_SEC = 1.0
TS = re.compile(rb"^\[\s*(\d+)\.(\d{6})\]")


def panic_cut(con, mine):
    """The lines of mine the console lacks, when the console equals mine
    with at most PANIC_CUT_MAX lines left out, each within PANIC_CUT_SEC
    before the console line that follows it, which is the panic's
    "Kernel panic - not syncing"; else []."""
    out, i = [], 0
    for j, c in enumerate(con):
        while i < len(mine) and mine[i] != c:
            out.append((mine[i], c))
            i += 1
        if i == len(mine):
            return []
        i += 1
    if not out or len(out) > PANIC_CUT_MAX:
        return []
    for line, after in out:
        a, b = TS.match(line), TS.match(after)
        if not a or not b or b"Kernel panic - not syncing" not in after:
            return []
        ta = int(a.group(1)) + int(a.group(2)) / 1e6
        tb = int(b.group(1)) + int(b.group(2)) / 1e6
        if not 0 <= tb - ta <= PANIC_CUT_SEC:
            return []
    return [line for line, _ in out]


def compare_console(label, f, d, truth, con_lines):
    level, why = console_loglevel(truth, d)
    max_level = min(7, level - 1)
    if max_level < 0:
        ok(True, "%s: console_loglevel %d (%s) shows nothing" % (label, level, why))
        return
    rc, out, err = run_log(f, "--level", str(max_level))
    if not ok(rc == 0, "%s: memwhere log exits 0 (got %d)" % (label, rc)):
        diag(err.decode(errors="replace")[:2000])
        return
    rcj, js, _ = run_log(f, "--json")
    doc = json.loads(js) if rcj == 0 else {"dropped": {"overwritten": 0}, "records": []}
    overwritten = doc["dropped"]["overwritten"]
    printed = out.split(b"\n")
    if printed and printed[-1] == b"":
        printed.pop()
    ok(all(KLINE.match(x) for x in printed),
       "%s: every line memwhere prints has the console's [%%5lu.%%06lu] prefix" % label)
    # what the console printed of each record memwhere read: the console
    # formats a record into CONSOLE_LOG_MAX bytes, the prefix on every line,
    # and drops the lines that do not fit (a memcg's memory.stat in an OOM
    # report is such a record); memwhere prints the whole record
    mine = []
    for r in doc["records"]:
        if r["level"] > max_level:
            continue
        mine.extend(console_render(r["ts_nsec"], r["text"].encode("utf-8", "surrogateescape")))
    start = 0
    if overwritten and mine:
        start = next((i for i, c in enumerate(con_lines) if c == mine[0]), -1)
        if not ok(start >= 0, "%s: memwhere's first line is on the console (ring wrapped: %d "
                  "records overwritten)" % (label, overwritten)):
            return
    con = con_lines[start:]
    same = len(mine) >= len(con) and mine[:len(con)] == con
    skipped = [] if same else panic_cut(con, mine)
    if skipped:
        # a record a CPU was printing when the panic CPU took the console
        # over (or one still queued when pvpanic paused the guest) is in
        # the log buffer and never reaches the console: at most
        # PANIC_CUT_MAX lines, within PANIC_CUT_SEC before the panic line
        diag("%s: %d record line(s) just before the panic never reached the console: %r"
             % (label, len(skipped), skipped))
        same = True
    what = ("%s: the %d console kernel lines (console_loglevel %d from %s; levels 0-%d) "
            "equal memwhere log's, line for line" % (label, len(con), level, why, max_level))
    if not ok(same, what):
        for i in range(max(len(con), len(mine))):
            a = con[i] if i < len(con) else b"(none)"
            b = mine[i] if i < len(mine) else b"(none)"
            if a != b:
                diag("first difference at kernel line %d:\n console:  %r\n memwhere: %r" % (i + 1, a, b))
                break
        return
    diag("%s: %d console lines skipped (overwritten), %d records after the console's last "
         "line" % (label, start, len(mine) - len(con)))


def log_texts(f):
    rc, js, err = run_log(f, "--json")
    if rc != 0:
        return None, err
    recs = json.loads(js)["records"]
    lines = []
    for r in recs:
        lines.extend(r["text"].split("\n"))
    return recs, lines


def check_truth(label, f, truth):
    recs, lines = log_texts(f)
    if not ok(recs is not None, "%s: memwhere --json log exits 0" % label):
        diag(lines.decode(errors="replace")[:2000])
        return
    k = truth["kernel"]
    first = recs[0]["text"] if recs else ""
    if recs and recs[0]["seq"] == 0:
        uname = k.get("uname", "")
        m = re.search(r"(#\d+ .*?\(\d{4}-\d\d-\d\d\))", uname)
        # arm64 says "Booting Linux on physical CPU ..." first, and
        # "Kernel command line:" where x86-64 says "Command line:"
        arm64 = " aarch64 " in uname
        if arm64 and len(recs) > 1 and first.startswith("Booting Linux on physical CPU"):
            first = recs[1]["text"]
        ok(first.startswith("Linux version " + k["release"] + " ") and
           (not m or m.group(1) in first),
           "%s: record 0%s is 'Linux version %s ...' (%s)" % (label, " (1 on arm64)" if arm64 else "",
                                                              k["release"], m.group(1) if m else uname))
        prefix = "Kernel command line: " if arm64 else "Command line: "
        cl = [t for t in lines if t.startswith(prefix)]
        ok(cl[:1] == [prefix + k["cmdline"]],
           "%s: '%s' record is /proc/cmdline %r" % (label, prefix.strip(), k["cmdline"]))
    oom = truth.get("oom")
    if not oom or not oom.get("invoked"):
        return
    have = set(lines)
    for inv in oom["invoked"]:
        ok(inv["line"] in have, "%s: the log has %r" % (label, inv["line"]))
    if oom.get("panic"):
        want = "Kernel panic - not syncing: " + oom["panic"]
        ok(want in have, "%s: the log has %r" % (label, want))
    # the task table, by its header's columns (6.12 adds rss_anon, rss_file
    # and rss_shmem after rss)
    rows, columns = {}, None
    for t in lines:
        if t.startswith("[  pid  ]"):
            columns = t.split("]", 1)[1].split()
            continue
        m = re.match(r"^\[\s*(\d+)\]\s+(.*)$", t)
        if m and columns and columns[-1] == "name":
            vals = m.group(2).split(None, len(columns) - 1)
            if len(vals) == len(columns):
                rows[int(m.group(1))] = dict(zip(columns, vals))
    names = {"uid": "uid", "tgid": "tgid", "total_vm_pages": "total_vm", "rss_pages": "rss",
             "rss_anon_pages": "rss_anon", "rss_file_pages": "rss_file",
             "rss_shmem_pages": "rss_shmem", "pgtables_bytes": "pgtables_bytes",
             "swapents": "swapents", "oom_score_adj": "oom_score_adj", "name": "name"}
    for t in oom.get("tasks", []):
        row = rows.get(t["pid"], {})
        bad = [k for k, col in names.items()
               if k in t and str(t[k]) != row.get(col)]
        if not ok(row and not bad, "%s: the OOM task table has pid %d %s rss %s pages as the "
                  "console showed it" % (label, t["pid"], t.get("name"), t.get("rss_pages"))):
            diag("differs in %s: log %r" % (bad, row))


def main():
    dirs = dump_dirs()
    if not dirs:
        print("1..0 # SKIP no real dumps (testdata/ empty and MW_CAPTURES unset)")
        return 0
    consoles = 0
    for d in dirs:
        label = os.path.basename(os.path.dirname(d)) + "/" + os.path.basename(d)
        with open(os.path.join(d, "truth.json")) as fh:
            truth = json.load(fh)
        con_lines = None
        cpath = os.path.join(d, "console.log")
        if os.path.isfile(cpath):
            # the console up to where the guest was stopped for the dumps
            # (captures record it): a guest let go afterwards to print its
            # truth can print kernel lines no dump holds
            at_dump = (truth.get("capture") or {}).get("console_bytes_at_dump")
            with open(cpath, "rb") as fh:
                raw = fh.read(at_dump if at_dump is not None else -1)
            raw = raw.replace(b"\r", b"").split(b"\n")
            # a kernel line may start in the middle of one the guest's
            # own programs had not ended yet ("mw: disk: /dev/vda ext4 on
            # /var[    8.981798] EXT4-fs (vda): mounted ..."): it starts at
            # its timestamp
            con_lines = []
            for x in raw:
                m = KLINE_IN.search(x)
                if m:
                    con_lines.append(x[m.start():])
            consoles += 1
        for f in dump_files(d):
            name = label + "/" + os.path.basename(f)
            if con_lines is not None:
                compare_console(name, f, d, truth, con_lines)
            check_truth(name, f, truth)
    if not consoles:
        diag("no capture with a console.log: only the truths of the bundled dumps checked "
             "(set MW_CAPTURES to captures from scripts/capture)")
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
