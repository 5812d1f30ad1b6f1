"""TAP for the Python end-to-end tests: ok(), plan(), and the real dumps
to run on (the bundled testdata, then $MW_CAPTURES or $MW_SRCDIR/captures,
as tests/dumps.sh's real_dump_dirs lists them)."""

import subprocess

_n = 0
_failed = 0


def ok(cond, desc):
    global _n, _failed
    _n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, desc))
    if not cond:
        _failed += 1
    return cond


def plan():
    """Print the plan; the exit status: 1 when a check failed."""
    print("1..%d" % _n)
    return 1 if _failed else 0


def real_dump_dirs():
    return subprocess.run(["sh", "-c", 'caps=${MW_CAPTURES:-$MW_SRCDIR/captures}; '
                           '. "$MW_SRCDIR/tests/dumps.sh"; real_dump_dirs'],
                          capture_output=True, text=True).stdout.split()


# What a kernel itself keeps from memwhere, said by one warning and an exit 1
# (contract: "parts could not be analysed"): 5.10 has no module BTF, so
# zram's mm_stat (struct zram, a zram module type) is unknown there.
KNOWN_PARTIAL = ("zram mm_stat not read: reading module zram's BTF",)


def exit_ok(rc, doc):
    """rc 0, or 1 when every warning of the JSON doc is a KNOWN_PARTIAL one."""
    if rc == 0:
        return True
    warns = (doc or {}).get("warnings") if isinstance(doc, dict) else None
    return rc == 1 and bool(warns) and all(
        isinstance(w, str) and w.startswith(KNOWN_PARTIAL) for w in warns)
