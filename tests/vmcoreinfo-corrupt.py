#!/usr/bin/python3
"""A wrong page-table root in VMCOREINFO: said once, and the answer survives.

For each bundled dump, a copy gets VMCOREINFO's page-table root
(SYMBOL(init_top_pgt) on x86-64, SYMBOL(swapper_pg_dir) on arm64) changed
(to another page of the kernel image, and to an address outside it).
`memwhere --json summary` must exit 1 with exactly one warning, naming
VMCOREINFO's value, and give the same categories as on the clean dump (the
root from kallsyms is checked and used instead).
"""

import json
import os
import subprocess
import sys
import tempfile

MEMWHERE = os.environ["MEMWHERE"]
SRC = os.environ["MW_SRCDIR"]
n = 0


def ok(cond, desc, diag=()):
    global n
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    for d in diag:
        print("# " + str(d))
    return cond


def summary(path):
    r = subprocess.run([MEMWHERE, "--json", "--no-progress", "summary", path],
                       capture_output=True, text=True, timeout=120)
    return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else None), r.stderr


def main():
    dumps = sorted(os.path.join(SRC, "testdata", d, "vmcore.kdump")
                   for d in os.listdir(os.path.join(SRC, "testdata"))
                   if os.path.isfile(os.path.join(SRC, "testdata", d, "vmcore.kdump")))
    if not dumps:
        print("1..0 # SKIP no bundled dumps")
        return 0
    roots = (b"init_top_pgt", b"swapper_pg_dir")	# x86-64, arm64
    with tempfile.TemporaryDirectory(prefix="mw-vmci.") as tmp:
        for dump in dumps:
            name = os.path.basename(os.path.dirname(dump))
            rc, clean, _ = summary(dump)
            if not ok(rc == 0 and clean, "%s: the clean dump (exit %d)" % (name, rc)):
                continue
            data = open(dump, "rb").read()
            for root in roots:
                key = b"SYMBOL(" + root + b")="
                i = data.find(key)
                if i >= 0:
                    break
            root = root.decode()
            j = data.find(b"\n", i)
            if not ok(i >= 0 and j > i, "%s: VMCOREINFO's page-table root (%s) found" % (name, root)):
                continue
            old = int(data[i + len(key):j], 16)
            for label, new in (("another page of the kernel image", old + 0x2000),
                               ("outside the kernel image", 0xffffffff00000000)):
                text = ("%x" % new).encode()
                if len(text) != j - i - len(key):
                    ok(False, "%s: same-length value" % name)
                    continue
                bad = os.path.join(tmp, "bad.kdump")
                with open(bad, "wb") as f:
                    f.write(data[:i + len(key)] + text + data[j:])
                rc, doc, err = summary(bad)
                if not ok(rc == 1 and doc, "%s, %s %s: exit 1 (got %d)" % (name, root, label, rc),
                          err.splitlines()[:3]):
                    continue
                warns = doc["warnings"]
                ok(len(warns) == 1 and ("0x%x" % new) in warns[0] and root in warns[0],
                   "%s, %s %s: one warning, naming VMCOREINFO's value" % (name, root, label),
                   warns[:3])
                ok(doc["categories"] == clean["categories"],
                   "%s, %s %s: the same categories as the clean dump" % (name, root, label))
    print("1..%d" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
