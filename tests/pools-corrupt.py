#!/usr/bin/python3
"""memwhere pools on copies of the "rest" captures whose lists lie.

For each capture whose guest made hugetlb holders (truth notes huge_file),
a physical ELF copy is made with tests/tools/mw-convert; then, one case at
a time, one word is overwritten in place (and restored):

  - the hugetlbfs file's inode on its super block's inode list
    (inode.i_sb_list.next) points at itself, then at a user-space address;
  - the first super block on super_blocks points at itself;
  - hugetlb_max_hstate says 1000 pools;
  - the zram module's BTF (btf_modules): a node pointing at itself, a
    data_size of 2 GiB, a user-space data pointer, a blob whose magic is
    not BTF's (zram0 still listed with its disksize, mm_stat null); the
    zsmalloc module's BTF not BTF (mm_stat without the pool's figures).

Each case runs `memwhere --json --top 0 pools` and asserts: exit status 1,
a warning that names what broke, done fast (within twice the clean run's
time plus a second), and what did not break still read as in the clean run.
Addresses come from tests/kaddr-tool, offsets from the dump's own types.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.environ["MW_SRCDIR"], "tests"))
import elfpatch  # noqa: E402

from kaddrlib import CONVERT, MEMWHERE, ask, map_beside, ok, plan  # noqa: E402


def run(dump):
    t = time.monotonic()
    r = subprocess.run([MEMWHERE, "--json", "--top", "0", "--no-progress", "pools", dump],
                       capture_output=True, text=True, timeout=300)
    return r, time.monotonic() - t


def rest_dirs():
    src = os.environ["MW_SRCDIR"]
    caps = os.environ.get("MW_CAPTURES") or os.path.join(src, "captures")
    out = []
    if not os.path.isdir(caps):
        return out
    for rel in sorted(os.listdir(caps)):
        rd = os.path.join(caps, rel)
        for sc in sorted(os.listdir(rd)) if os.path.isdir(rd) else []:
            d = os.path.join(rd, sc)
            t = os.path.join(d, "truth.json")
            if not (os.path.isfile(os.path.join(d, "vmcore.elf")) and os.path.isfile(t)):
                continue
            with open(t) as f:
                if "huge_file" in (json.load(f).get("notes") or {}):
                    out.append(d)
    return out


def patch(elf, loads, where, value, size):
    paddr = ask(elf, "phys", where)
    if paddr is None:
        return None
    off = elfpatch.file_offset(loads, paddr, size)
    with open(elf, "r+b") as f:
        f.seek(off)
        old = f.read(size)
        f.seek(off)
        f.write(value.to_bytes(size, "little"))
    return off, old


def one_case(elf, loads, clean, clean_t, name, where, value, size, say, check):
    p = patch(elf, loads, where, value, size)
    if not ok(p is not None, "%s: 0x%x is in the dump" % (name, where)):
        return
    try:
        r, t = run(elf)
    finally:
        with open(elf, "r+b") as f:
            f.seek(p[0])
            f.write(p[1])
    diag = r.stderr.splitlines()[:5]
    if not ok(r.returncode == 1, "%s: exit status 1 (got %d)" % (name, r.returncode), diag):
        return
    doc = json.loads(r.stdout)
    warns = doc.get("warnings", [])
    ok(any(say in w for w in warns), "%s: a warning says '%s'" % (name, say), warns[:3])
    limit = 2 * clean_t + 1.0
    ok(t <= limit, "%s: done in %.2f s (clean %.2f s, limit %.2f s)" % (name, t, clean_t, limit))
    check(name, doc)


def one_dump(d, tmp):
    src = os.path.join(d, "vmcore.elf")
    elf = os.path.join(tmp, "dump.elf")
    map_beside(src, tmp)
    r = subprocess.run([CONVERT, "--format", "elf", "--fill-excluded", src, elf], capture_output=True, text=True)
    if not ok(r.returncode == 0, "%s: physical ELF copy" % d, r.stderr.splitlines()[:3]):
        return
    loads = elfpatch.elf_loads(elf)
    r, clean_t = run(elf)
    if not ok(r.returncode in (0, 1), "%s: the clean copy reads (exit %d)" % (d, r.returncode)):
        return
    clean = json.loads(r.stdout)
    files = [f for f in clean["hugetlb"]["files"] if f["kind"] == "file"]
    if not ok(files and clean["hugetlb"]["files_complete"], "%s: the clean copy lists the hugetlbfs file" % d):
        return
    pools = clean["hugetlb"]["hstates"]

    def same_pools(name, doc):
        ok(doc["hugetlb"]["hstates"] == pools, "%s: the pools read as in the clean copy" % name)

    def broken_files(name, doc):
        same_pools(name, doc)
        ok(not doc["hugetlb"]["files_complete"] and doc["hugetlb"]["private_bytes"] is None,
           "%s: files_complete false, no private_bytes guessed" % name)
        ok(doc["zsmalloc_pages"] == clean["zsmalloc_pages"], "%s: zsmalloc pages as in the clean copy" % name)

    off = ask(elf, "offsetof", "inode.i_sb_list")
    inode = int(files[0]["inode"], 16) if isinstance(files[0]["inode"], str) else files[0]["inode"]
    if ok(off is not None, "inode.i_sb_list found"):
        node = inode + off
        one_case(elf, loads, clean, clean_t, "hugetlbfs inode self loop", node, node, 8, "loops", broken_files)
        one_case(elf, loads, clean, clean_t, "hugetlbfs inode user pointer", node, 0x00007f0000001000, 8,
                 "not a kernel address", broken_files)
    head = ask(elf, "sym", "super_blocks")
    first = ask(elf, "read64", head) if head else None
    if ok(first is not None, "super_blocks found"):
        one_case(elf, loads, clean, clean_t, "super_blocks self loop", first, first, 8,
                 "super block list loops", broken_files)
    mh = ask(elf, "sym", "hugetlb_max_hstate")
    if ok(mh is not None, "hugetlb_max_hstate found"):
        def no_pools(name, doc):
            ok(doc["hugetlb"]["hstates"] == [], "%s: no pool made up" % name)
        one_case(elf, loads, clean, clean_t, "hugetlb_max_hstate 1000", mh, 1000, 4,
                 "hugetlb_max_hstate is 1000", no_pools)
    module_btf_cases(elf, loads, clean, clean_t)
    os.unlink(elf)


def module_btf_cases(elf, loads, clean, clean_t):
    """The zram module's BTF in btf_modules: a loop, an absurd size, a bad
    data pointer, a blob that is not BTF. Each leaves the devices listed
    with their disksize and no mm_stat, and a warning."""
    devs = clean["zram"]["devices"]
    if not devs or devs[0].get("mm_stat") is None:
        print("# no zram mm_stat in the clean copy: module BTF cases skipped")
        return
    head = ask(elf, "sym", "btf_modules")
    o_list = ask(elf, "offsetof", "btf_module.list")
    o_btf = ask(elf, "offsetof", "btf_module.btf")
    o_data = ask(elf, "offsetof", "btf.data")
    o_size = ask(elf, "offsetof", "btf.data_size")
    o_name = ask(elf, "offsetof", "btf.name")
    if not ok(None not in (head, o_list, o_btf, o_data, o_size, o_name),
              "btf_modules and struct btf_module, btf found"):
        return
    btfs, node, first = {}, head, None
    for _ in range(512):
        node = ask(elf, "read64", node)
        if node is None or node == head:
            break
        first = first or node
        btf = ask(elf, "read64", node - o_list + o_btf)
        name = ask(elf, "read64", btf + o_name) if btf else None
        if name is not None:
            btfs[name.to_bytes(8, "little").split(b"\0")[0].decode(errors="replace")] = btf
    zram_btf = btfs.get("zram")
    if not ok(zram_btf is not None, "the zram module's struct btf found"):
        return

    def no_stats(name, doc):
        d = doc["zram"]["devices"]
        ok(len(d) == len(devs) and d[0]["disksize"] == devs[0]["disksize"] and d[0]["mm_stat"] is None
           and doc["zram"]["mm_stat_not_read"], "%s: zram0 listed with its disksize, mm_stat null, why said"
           % name)
        ok(doc["zsmalloc_pages"] == clean["zsmalloc_pages"], "%s: zsmalloc pages as in the clean copy" % name)

    one_case(elf, loads, clean, clean_t, "btf_modules first node self loop", first, first, 8, "loops", no_stats)
    one_case(elf, loads, clean, clean_t, "zram btf data_size 2 GiB", zram_btf + o_size, 0x7fffffff, 4,
             "at most 16 MiB", no_stats)
    one_case(elf, loads, clean, clean_t, "zram btf data user pointer", zram_btf + o_data, 0x00007f0000001000, 8,
             "not a kernel address", no_stats)
    data = ask(elf, "read64", zram_btf + o_data)
    if ok(data is not None, "zram btf data read"):
        one_case(elf, loads, clean, clean_t, "zram btf blob not BTF", data, 0x1234, 2, "not BTF", no_stats)
    zs = btfs.get("zsmalloc")
    zs_data = ask(elf, "read64", zs + o_data) if zs else None
    if zs_data is None:
        print("# zsmalloc is built in (no module BTF): its case skipped")
        return

    def no_pool(name, doc):
        d = doc["zram"]["devices"][0]
        ms, cms = d["mm_stat"], devs[0]["mm_stat"]
        ok(ms is not None and ms["mem_used_total"] is None and ms["pages_compacted"] is None and
           ms["orig_data_size"] == cms["orig_data_size"] and ms["compr_data_size"] == cms["compr_data_size"]
           and d["comp_algorithm"] == devs[0]["comp_algorithm"],
           "%s: zram0's own figures read, the pool's null" % name)
    one_case(elf, loads, clean, clean_t, "zsmalloc btf blob not BTF", zs_data, 0x1234, 2,
             "mem_used_total not read", no_pool)


def main():
    dirs = rest_dirs()
    if not dirs:
        print("1..0 # SKIP no capture of the rest scenario (scripts/capture --scenario rest)")
        return 0
    with tempfile.TemporaryDirectory(prefix="mw-pools.") as tmp:
        for d in dirs:
            one_dump(d, tmp)
    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
