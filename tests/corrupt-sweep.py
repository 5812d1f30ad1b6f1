#!/usr/bin/python3
"""The corruption suite's random sweep: random bytes over one kernel object
at a time (a slab cache, a vmap area, a task, a memcg, the printk ring
buffer, a socket, an skb, a dentry, a struct page: tests/structlib.py finds
them from the dump's own types) in a physical ELF copy of a bundled dump,
then the command that reads that object, checked as every hostile input is
(tests/hostile.py): no sanitizer report, no signal, time and peak RSS
bounded by the clean run's, an answer (exit 0, exit 1 with a warning, or
exit 2 naming the file), no figure above RAM.

Each round takes a seed of its own from SEED and its number, so one round
is reproduced with --seed SEED --round N. A round: a structure, one of its
objects, and one of: one aligned word, a span of 1 to 64 bytes, or the
whole object (up to 4 KiB) of random bytes.

    corrupt-sweep.py [--seconds S] [--seed SEED] [--round N] [--dump NAME]

`make check`: 8 s with seed 1; MW_CORRUPT_FULL=1 (scripts/test's sanitizer
pass): 60 s over every dump; scripts/sweep-release: as long as asked, with
a random seed unless given. The environment variables MW_SWEEP_SECONDS and
MW_SWEEP_SEED override the defaults.
"""
import argparse
import os
import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ.get("MW_SRCDIR", "."), "tests"))
import convlib  # noqa: E402
import hostile  # noqa: E402
import structlib  # noqa: E402
from hostile import exits, names_file, warns  # noqa: E402

FULL = os.environ.get("MW_CORRUPT_FULL", "") not in ("", "0")
# structures with a known defect that lets a changed field give a figure
# beyond RAM (tests/corrupt-structs.py KNOWN): such a figure is a TODO line
KNOWN_OVER = {}


def mutate(rng, t):
    """(what, offset, bytes) of one random change to t."""
    size = max(8, min(t.size, 4096))
    kind = rng.random()
    if kind < 0.4:
        off = rng.randrange(0, size // 8) * 8
        return "word at +%d" % off, off, rng.getrandbits(64).to_bytes(8, "little")
    if kind < 0.85:
        n = rng.randint(1, 64)
        off = rng.randrange(0, max(1, size - n))
        return "%d bytes at +%d" % (n, off), off, bytes(rng.getrandbits(8) for _ in range(n))
    return "the whole %d bytes" % size, 0, bytes(rng.getrandbits(8) for _ in range(size))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float,
                    default=float(os.environ.get("MW_SWEEP_SECONDS") or (60 if FULL else 8)))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("MW_SWEEP_SEED") or 1))
    ap.add_argument("--round", type=int, default=None, help="run this round only")
    ap.add_argument("--dump", default=None, help="this testdata dump only (its directory's name)")
    opt = ap.parse_args()

    tap = convlib.Tap()
    mw = convlib.memwhere_path()
    src = os.environ.get("MW_SRCDIR", ".")
    tool = os.path.join(os.environ.get("MW_BUILDDIR", "."), "tests", "kaddr-tool")
    dumps = structlib.testdata_dumps(src)
    if opt.dump:
        dumps = [d for d in dumps if os.path.basename(os.path.dirname(d)) == opt.dump]
    elif not FULL and opt.round is None:
        dumps = dumps[:1]
    if not dumps:
        tap.skip_all("no testdata/*/vmcore.kdump")
    if not shutil.which("timeout"):
        tap.skip_all("timeout (coreutils) not installed")
    tap.diag("seed %d, %.0f s; one round again: %s --seed %d --round N"
             % (opt.seed, opt.seconds, sys.argv[0], opt.seed))
    tmp = tempfile.mkdtemp(prefix="mw-corrupt-sweep.")
    ready = {}	# dump: (name, elf, kernel, targets, patcher, ram, clean runs)
    end = time.monotonic() + opt.seconds
    rounds, bad = 0, 0
    try:
        rnd = opt.round if opt.round is not None else 0
        while True:
            rng = random.Random("%d:%d" % (opt.seed, rnd))
            dump = dumps[rng.randrange(len(dumps))]
            if dump not in ready:
                name = os.path.basename(os.path.dirname(dump))
                elf = os.path.join(tmp, name + ".elf")
                good, err = structlib.physical_elf(convlib.mw_convert_path(), dump, elf)
                if not tap.ok(good, "%s: physical ELF copy" % name, err):
                    break
                k = structlib.Kernel(tool, elf)
                targets = structlib.all_targets(k)
                tap.ok(len(targets) > 0, "%s: %d kernel objects to change" % (name, len(targets)))
                ready[dump] = (name, elf, k, targets, structlib.Patcher(k, elf),
                               hostile.ram_of(mw, elf), {})
            name, elf, k, targets, patcher, ram, clean = ready[dump]
            structs = sorted(set(t.struct for t in targets))
            struct = structs[rng.randrange(len(structs))]
            objs = [t for t in targets if t.struct == struct]
            t = objs[rng.randrange(len(objs))]
            what, off, data = mutate(rng, t)
            cmd = t.command if rng.random() < 0.8 else "report"
            if cmd not in clean:
                clean[cmd] = hostile.run(mw, ["--json", cmd, elf], 600)
            c = clean[cmd]
            if patcher.apply([(t.addr + off, data)]):
                try:
                    r = hostile.run(mw, ["--json", cmd, elf], hostile.limit_for(c.seconds))
                finally:
                    patcher.undo()
                r.rss_limit_kib = hostile.rss_limit_for(c.maxrss_kib)
                label = "round %d (seed %d): %s %s, %s random, %s" % (rnd, opt.seed, name, t, what, cmd)
                expect = exits(0) | warns(".") | names_file(elf)
                before = tap.failed
                hostile.check(tap, label, r, expect, ram, known_over=KNOWN_OVER.get(t.struct))
                if tap.failed > before:
                    bad += 1
                    tap.diag("again: %s --seed %d --round %d --dump %s; bytes %s"
                             % (sys.argv[0], opt.seed, rnd, name, data.hex()[:256]))
                rounds += 1
            rnd += 1
            if opt.round is not None or time.monotonic() >= end:
                break
    finally:
        for v in ready.values():
            v[2].close()
        shutil.rmtree(tmp, ignore_errors=True)
    tap.diag("%d rounds, %d failed, seed %d" % (rounds, bad, opt.seed))
    tap.done()


main()
