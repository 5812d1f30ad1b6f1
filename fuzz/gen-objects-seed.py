#!/usr/bin/python3
"""Seeds for fuzz-objects: for each kernel object the target overlays (in
its order: a slab cache, a vmap area, a task, a memcg, the printk ring
buffer), its index byte and its real first bytes, read from the dump with
tests/kaddr-tool.

    gen-objects-seed.py KADDR-TOOL DUMP OUTDIR"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import structlib  # noqa: E402


def main(tool, dump, out):
    k = structlib.Kernel(tool, dump)
    objs = []
    for t in structlib.slab_caches(k)[:1] + structlib.vmap_areas(k)[:1]:
        objs.append(t)
    init, lo = k.sym("init_task"), k.off("task_struct.tasks")
    n = k.chain(init + lo, 2)
    objs.append(structlib.Target("task_struct", "task", n[1] - lo, k.size("task_struct"), "", ""))
    objs += structlib.memcgs(k)[:1] + structlib.printk(k)
    os.makedirs(out, exist_ok=True)
    for i, t in enumerate(objs):
        data = k.read(t.addr, min(t.size, 1024))
        if data is None:
            continue
        with open(os.path.join(out, "seed-%d-%s" % (i, t.struct)), "wb") as f:
            f.write(bytes([i]) + data)
    k.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
