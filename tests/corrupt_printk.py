#!/usr/bin/python3
"""Corrupt the printk ring buffer in a copy of a real dump, for memwhere log.

    corrupt_printk.py PHYSICAL-ELF-DUMP TRUTH-JSON SEQ1 SEQ2 SEQ3 OUT

Finds the ring without memwhere: VMCOREINFO (the kernel's own note in the
dump) gives SYMBOL(prb), NUMBER(phys_base) and the printk_ringbuffer
offsets; the guest's page_offset_base (truth.json) translates direct-map
addresses. On arm64 VMCOREINFO alone translates: the kernel image by
NUMBER(kimage_voffset), the linear map (the lower half of the kernel's
addresses, from PAGE_OFFSET = 2^64 - 2^VA_BITS) by NUMBER(PHYS_OFFSET).
Writes a copy of the dump to OUT with:
  - SEQ1: its descriptor's state_var carrying another id;
  - SEQ2: its text block's next lpos far past the ring;
  - SEQ3: its info's seq changed (no longer its id's).
Each of those records must be lost, the rest read as before. Prints one
JSON line {"count": descriptors, "slots": [...]}. Exit 2 if it cannot.
"""

import json
import re
import shutil
import struct
import sys

from elfpatch import arm64_paddr, elf_loads, file_offset, vmcoreinfo  # tests/elfpatch.py, beside this script

KERNEL_MAP = 0xffffffff80000000
MASK64 = (1 << 64) - 1


def main(argv):
    if len(argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    src, truth_path, seqs, out = argv[1], argv[2], [int(x) for x in argv[3:6]], argv[6]
    try:
        vi = vmcoreinfo(src)
        with open(truth_path) as f:
            truth = json.load(f)
        off = lambda k: int(vi["OFFSET(%s)" % k])
        loads = elf_loads(src)
        paddr = arm64_paddr(vi)
        if paddr is None:
            pob = int(truth["kernel"]["variables"]["page_offset_base"], 16)
            phys_base = int(vi["NUMBER(phys_base)"]) & MASK64

            def paddr(v):
                return (v - KERNEL_MAP + phys_base) & MASK64 if v >= KERNEL_MAP else v - pob
    except (OSError, ValueError, KeyError) as e:
        print("cannot find the ring: %s" % e, file=sys.stderr)
        return 2

    fh = open(src, "rb")

    def read(v, n):
        fh.seek(file_offset(loads, paddr(v), n))
        return fh.read(n)

    def u64(v):
        return struct.unpack("<Q", read(v, 8))[0]

    try:
        rb = u64(int(vi["SYMBOL(prb)"], 16))
        dr = rb + off("printk_ringbuffer.desc_ring")
        count = 1 << struct.unpack("<I", read(dr + off("prb_desc_ring.count_bits"), 4))[0]
        descs = u64(dr + off("prb_desc_ring.descs"))
        infos = u64(dr + off("prb_desc_ring.infos"))
        dsize, isize = int(vi["SIZE(prb_desc)"]), int(vi["SIZE(printk_info)"])
        patches = []
        for k, seq in enumerate(seqs):
            slot = seq % count
            d, i = descs + slot * dsize, infos + slot * isize
            if u64(i + off("printk_info.seq")) != seq:
                raise ValueError("seq %d is not in slot %d" % (seq, slot))
            if k == 0:
                sv = d + off("prb_desc.state_var")
                patches.append((sv, struct.pack("<Q", u64(sv) ^ 0x10)))
            elif k == 1:
                nx = d + off("prb_desc.text_blk_lpos") + off("prb_data_blk_lpos.next")
                patches.append((nx, struct.pack("<Q", (u64(nx) + (1 << 40)) & MASK64)))
            else:
                sq = i + off("printk_info.seq")
                patches.append((sq, struct.pack("<Q", seq + 7)))
        shutil.copyfile(src, out)
        with open(out, "r+b") as o:
            for v, data in patches:
                o.seek(file_offset(loads, paddr(v), len(data)))
                o.write(data)
    except (OSError, ValueError, KeyError, struct.error) as e:
        print("cannot corrupt the ring: %s" % e, file=sys.stderr)
        return 2
    print(json.dumps({"count": count, "slots": [s % count for s in seqs]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
