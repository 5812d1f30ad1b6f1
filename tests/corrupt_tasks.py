#!/usr/bin/env python3
"""Corrupt the task list of a copy of a real ELF vmcore, for tasks-corrupt.sh.

  corrupt_tasks.py btf IN.elf TRUTH.json OUT.btf
      write the kernel's BTF (__start_BTF..__stop_BTF, found through the
      guest's own kallsyms and phys_base in truth.json) to OUT.btf
  corrupt_tasks.py corrupt IN.elf TRUTH.json GOOD.json OFF_TASKS OFF_MM OUT.elf
      copy IN.elf to OUT.elf with three corruptions, chosen among the user
      processes of GOOD.json (memwhere tasks --json of the intact dump):
        loop:  the task list entry of the user process with the largest pid
               points back at init's (pid 1) entry: the list loops without
               returning to its head;
        wild:  another process's mm is a user-space address;
        unread: a third process's mm is a kernel address nothing maps.
      Prints {"loop": pid, "wild": pid, "unread": pid, "addrs": {...}}.

Task structs are in the direct map: physical = address - page_offset_base
(truth.json kernel.variables). On arm64, VMCOREINFO alone translates
(elfpatch.arm64_paddr), and without __start_BTF in the guest's kallsyms
(Debian's arm64 kernels have no KALLSYMS_ALL) the BTF's bounds come from
the System.map beside the dump, moved by VMCOREINFO's KERNELOFFSET."""
import json
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from elfpatch import arm64_paddr, elf_loads, file_offset, vmcoreinfo  # noqa: E402

KERNEL_MAP = 0xffffffff80000000
WILD_MM = 0x00007f0000001000
UNREAD_MM = 0xffffc8fffff00000	# below the vmalloc range's usual start: unmapped


def s64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def main():
    cmd = sys.argv[1]
    elf, truth = sys.argv[2], json.load(open(sys.argv[3]))
    kvars = truth["kernel"]["variables"]
    loads = elf_loads(elf)
    a64 = arm64_paddr(vmcoreinfo(elf))
    if cmd == "btf":
        syms = dict(truth["kernel"]["symbols"])
        smap = os.path.join(os.path.dirname(elf), "System.map")
        if "__start_BTF" not in syms and os.path.isfile(smap):
            kaslr = int(vmcoreinfo(elf).get("KERNELOFFSET", "0"), 16)
            for line in open(smap):
                f = line.split()
                if len(f) == 3 and f[2] in ("__start_BTF", "__stop_BTF"):
                    syms[f[2]] = "%x" % (int(f[0], 16) + kaslr)
        start, stop = int(syms["__start_BTF"], 16), int(syms["__stop_BTF"], 16)
        if a64:
            phys = a64(start)
        else:
            phys = start - KERNEL_MAP + s64(int(kvars["phys_base"], 16))
        with open(elf, "rb") as f:
            f.seek(file_offset(loads, phys, stop - start))
            data = f.read(stop - start)
        if data[:2] != b"\x9f\xeb":
            raise SystemExit("no BTF magic at __start_BTF")
        open(sys.argv[4], "wb").write(data)
        return
    good = json.load(open(sys.argv[4]))
    off_tasks, off_mm, out = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
    pob = None if a64 else int(kvars["page_offset_base"], 16)
    user = sorted((t for t in good["tasks"] if not t["kernel_thread"] and t["pid"] > 1),
                  key=lambda t: t["pid"])
    init = [t for t in good["tasks"] if t["pid"] == 1][0]
    if len(user) < 3:
        raise SystemExit("fewer than 3 user processes")
    loop, wild, unread = user[-1], user[0], user[1]
    shutil.copyfile(elf, out)
    with open(out, "r+b") as f:
        def put(addr, value):
            f.seek(file_offset(loads, a64(addr) if a64 else addr - pob, 8))
            f.write(struct.pack("<Q", value))
        put(int(loop["address"], 16) + off_tasks, int(init["address"], 16) + off_tasks)
        put(int(wild["address"], 16) + off_mm, WILD_MM)
        put(int(unread["address"], 16) + off_mm, UNREAD_MM)
    print(json.dumps({"loop": loop["pid"], "wild": wild["pid"], "unread": unread["pid"],
                      "addrs": {"loop": loop["address"], "wild": wild["address"],
                                "unread": unread["address"]},
                      "comms": {"wild": wild["comm"], "unread": unread["comm"]}}))


if __name__ == "__main__":
    main()
