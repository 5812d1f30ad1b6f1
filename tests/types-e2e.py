#!/usr/bin/python3
"""Same answers whatever the types come from.

For every real capture whose kernel's vmlinux is at hand (captures/kernels/
<release>/vmlinux, from the -dbg package: scripts/capture --vmlinux; make
check-capture fetches it), run `memwhere --json report` three ways: types
from the BTF inside the dump, from --vmlinux (DWARF, and symbols from its
.symtab) and from --btf (the vmlinux's own .BTF section). The analyses'
results (summary categories, memory cgroups, files, sockets, findings) must
be identical: a type layer that resolved one member differently would show
here.
"""
import json
import os
import subprocess
import sys

n = failed = 0


def ok(cond, desc):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    failed += 0 if cond else 1
    return cond


def report(dump, *opts):
    p = subprocess.run([os.environ["MEMWHERE"], "--json", "--top", "0", *opts, "report", dump],
                       capture_output=True, text=True)
    try:
        return p.returncode, json.loads(p.stdout), p.stderr
    except ValueError:
        return p.returncode, None, p.stderr


def main():
    caps = os.environ.get("MW_CAPTURES") or os.path.join(os.environ["MW_SRCDIR"], "captures")
    seen = set()
    todo = []
    if os.path.isdir(caps):
        for rel in sorted(os.listdir(caps)):
            vml = os.path.join(caps, "kernels", rel, "vmlinux")
            if rel in seen or not os.path.exists(vml):
                continue
            # the "mixed" capture, else a mixed one of another shape or
            # size (mixed-small, mixed-numa2-4608m-small), in the first
            # format kept of vmcore.elf and vmcore.kdump-zlib.flat
            scens = sorted((d for d in os.listdir(os.path.join(caps, rel)) if d.startswith("mixed")
                            and not d.endswith(".partial")), key=lambda d: (d != "mixed", d))
            for sc in scens:
                dumps = [os.path.join(caps, rel, sc, f) for f in ("vmcore.elf", "vmcore.kdump-zlib.flat")]
                dumps = [d for d in dumps if os.path.exists(d)]
                if dumps:
                    seen.add(rel)
                    todo.append((rel, dumps[0], vml))
                    break
    if not todo:
        print("1..0 # SKIP no capture with its kernel's vmlinux (scripts/capture --vmlinux)")
        return 0
    for rel, dump, vml in todo:
        rc, base, err = report(dump)
        if not ok(rc == 0 and base and base["info"]["types"]["source"] == "btf-in-dump",
                  "%s: report with the BTF inside the dump" % rel):
            print("# " + err.strip().replace("\n", "\n# "))
            continue
        for label, opts, source in (("--vmlinux (DWARF)", ["--vmlinux", vml], "dwarf"),
                                    ("--btf (the vmlinux's .BTF)", ["--btf", vml], "btf-file")):
            rc, other, err = report(dump, *opts)
            if not ok(rc == 0 and other and other["info"]["types"]["source"] == source,
                      "%s: report with %s" % (rel, label)):
                print("# " + err.strip().replace("\n", "\n# "))
                continue
            for sec, key in (("summary", "categories"), ("memcg", "memcgs"),
                             ("files", "files"), ("sockets", "sockets")):
                same = base[sec].get(key) == other[sec].get(key)
                ok(same, "%s: %s.%s the same with %s as with the dump's BTF" % (rel, sec, key, label))
            ok([f["id"] for f in base["findings"]] == [f["id"] for f in other["findings"]],
               "%s: the same findings with %s" % (rel, label))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
