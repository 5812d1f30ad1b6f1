#!/usr/bin/python3
"""Kernel lists that loop or point astray, in copies of the real dumps.

For each bundled dump (and capture), a physical ELF copy is made with
tests/tools/mw-convert; then, one case at a time, one next pointer of a
kernel list the page scan walks is overwritten in place (and restored):

  - slab_caches: the first cache points at itself, the third back at the
    second, the second at a user-space address;
  - the busy vmap_area list (vmap_area_list before Linux 6.9, vmap_nodes[0]
    since): the first area points at itself, the third back at the second.

Each case runs `memwhere --json summary` and asserts: exit status 1, a
warning that names the list and says it loops (or is not a kernel
address), found fast (within twice the clean run's time plus a second),
categories that still add up to the dump's RAM, and no category larger
than RAM. Addresses come from tests/kaddr-tool (the same kernel model), the
structure offsets from the dump's own types.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["MW_SRCDIR"], "tests"))
import elfpatch  # noqa: E402

from kaddrlib import CONVERT, MEMWHERE, TOOL, ask, map_beside, ok, plan  # noqa: E402,F401


def run(dump):
    t = time.monotonic()
    r = subprocess.run([MEMWHERE, "--json", "--no-progress", "summary", dump],
                       capture_output=True, text=True, timeout=300)
    return r, time.monotonic() - t


def dump_dirs():
    src = os.environ["MW_SRCDIR"]
    dirs = sorted(os.path.join(src, "testdata", d) for d in os.listdir(os.path.join(src, "testdata"))
                  if os.path.isfile(os.path.join(src, "testdata", d, "truth.json")))
    caps = os.environ.get("MW_CAPTURES") or os.path.join(src, "captures")
    if os.path.isdir(caps):
        for rel in sorted(os.listdir(caps)):
            for sc in sorted(os.listdir(os.path.join(caps, rel)) if os.path.isdir(os.path.join(caps, rel)) else []):
                d = os.path.join(caps, rel, sc)
                if os.path.isfile(os.path.join(d, "vmcore.elf")) and os.path.isfile(os.path.join(d, "truth.json")):
                    dirs.append(d)
    return dirs


def chain(dump, head, count):
    """head's next, and the next of that... count node addresses."""
    out, cur = [], head
    for _ in range(count):
        cur = ask(dump, "read64", cur)
        if cur is None or cur == head:
            return None
        out.append(cur)
    return out


def one_case(elf, loads, clean, clean_t, name, where, value, list_word, say):
    paddr = ask(elf, "phys", where)
    if paddr is None:
        ok(False, "%s: the node at 0x%x is in the dump" % (name, where))
        return
    off = elfpatch.file_offset(loads, paddr, 8)
    with open(elf, "r+b") as f:
        f.seek(off)
        old = f.read(8)
        f.seek(off)
        f.write(value.to_bytes(8, "little"))
    try:
        r, t = run(elf)
    finally:
        with open(elf, "r+b") as f:
            f.seek(off)
            f.write(old)
    diag = [l for l in r.stderr.splitlines()[:5]]
    if not ok(r.returncode == 1, "%s: exit status 1 (got %d)" % (name, r.returncode), diag):
        return
    doc = json.loads(r.stdout)
    warns = [w for w in doc.get("warnings", []) if list_word in w]
    ok(any(say in w for w in warns), "%s: a warning names %s and says '%s'" % (name, list_word, say),
       warns[:2] or doc.get("warnings", [])[:3])
    limit = 2 * clean_t + 1.0
    ok(t <= limit, "%s: done in %.2f s (clean %.2f s, limit %.2f s)" % (name, t, clean_t, limit))
    cats = doc["categories"]
    total = doc["total_bytes"]
    ok(sum(1 for w in doc.get("warnings", []) if "slab page of kmem_cache" in w) == 0,
       "%s: one cause, one warning (no warning per page of an unreached cache)" % name)
    ok(total == clean["total_bytes"] and sum(cats.values()) == total and
       all(0 <= v <= total for v in cats.values()),
       "%s: categories add up to the dump's %d bytes, none beyond it" % (name, total))


def one_dump(d, tmp):
    src = os.path.join(d, "vmcore.elf")
    if not os.path.isfile(src):
        src = os.path.join(d, "vmcore.kdump")
    elf = os.path.join(tmp, "dump.elf")
    map_beside(src, tmp)
    r = subprocess.run([CONVERT, "--format", "elf", "--fill-excluded", src, elf], capture_output=True, text=True)
    if not ok(r.returncode == 0, "%s: physical ELF copy" % d, r.stderr.splitlines()[:3]):
        return
    loads = elfpatch.elf_loads(elf)
    r, clean_t = run(elf)
    if not ok(r.returncode in (0, 1), "%s: the clean copy scans (exit %d)" % (d, r.returncode)):
        return
    clean = json.loads(r.stdout)

    head = ask(elf, "sym", "slab_caches")
    nodes = chain(elf, head, 3) if head else None
    if ok(nodes is not None, "slab_caches: three caches found"):
        a, b, c = nodes
        one_case(elf, loads, clean, clean_t, "slab_caches self loop", a, a, "slab_caches", "loops")
        one_case(elf, loads, clean, clean_t, "slab_caches loop back", c, b, "slab_caches", "loops")
        one_case(elf, loads, clean, clean_t, "slab_caches user pointer", b, 0x00007f0000001000,
                 "slab_caches", "not a kernel address")

    head = ask(elf, "sym", "vmap_area_list")
    if head is None:
        nodes_arr = ask(elf, "sym", "vmap_nodes")
        nodes_arr = ask(elf, "read64", nodes_arr) if nodes_arr else None
        busy = ask(elf, "offsetof", "vmap_node.busy")
        lh = ask(elf, "offsetof", "rb_list.head")
        head = nodes_arr + busy + lh if None not in (nodes_arr, busy, lh) else None
    nodes = chain(elf, head, 3) if head else None
    if ok(nodes is not None, "vmap_area list: three areas found"):
        a, b, c = nodes
        one_case(elf, loads, clean, clean_t, "vmap_area self loop", a, a, "vmap_area", "loops")
        one_case(elf, loads, clean, clean_t, "vmap_area loop back", c, b, "vmap_area", "loops")
    os.unlink(elf)


def main():
    dirs = dump_dirs()
    if not dirs:
        print("1..0 # SKIP no real dumps")
        return 0
    with tempfile.TemporaryDirectory(prefix="mw-lists.") as tmp:
        for d in dirs:
            one_dump(d, tmp)
    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
