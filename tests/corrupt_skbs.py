#!/usr/bin/python3
"""Corrupt socket buffers in a copy of a real dump, for memwhere sockets.

    corrupt_skbs.py PAGING-DUMP VMLINUX PHYSICAL-ELF-DUMP OUT

drgn (python3-drgn) finds, in the ELF dump with paging, the receive queues
of the sockets that hold two skbs or more, and this script writes a copy of
the physical-only ELF dump of the same moment (QEMU's vmcore.elf) to OUT
with:
  - in the first socket with an skb with frags: that skb's frag 0 page
    pointer set to an address outside the vmemmap;
  - the next socket's first skb's next pointing at itself (a list that never
    returns to its head);
  - the one after that: its first skb's skb_shinfo()->nr_frags set to 200
    (above MAX_SKB_FRAGS).
It prints one JSON line: {"loop": inode, "nr_frags": inode, "frag_page":
inode, "skb_addrs": {...}}. Exit 2 if drgn cannot do it (the caller skips).
"""

import json
import shutil
import struct
import sys

try:
    import drgn
    from drgn import Object, cast
    from drgn.helpers.linux.fs import for_each_file
    from drgn.helpers.linux.mm import virt_to_phys
    from drgn.helpers.linux.pid import for_each_task
except ImportError as e:
    print("drgn not available: %s" % e, file=sys.stderr)
    sys.exit(2)

from elfpatch import elf_loads, file_offset  # tests/elfpatch.py, beside this script


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        prog = drgn.Program()
        prog.set_core_dump(argv[1])
        prog.load_debug_info([argv[2]])
        fops = prog.object("socket_file_ops").address_of_().value_()
        netmem = prog.type("skb_frag_t").type.kind == drgn.TypeKind.STRUCT and \
            any(m.name == "netmem" for m in prog.type("skb_frag_t").type.members)
    except Exception as e:
        print("drgn cannot read %s: %s" % (argv[1], e), file=sys.stderr)
        return 2

    # sockets with skbs on their receive queue, by inode
    socks = []
    for task in for_each_task(prog):
        try:
            files = list(for_each_file(task))
        except drgn.FaultError:
            continue
        for _, file in files:
            try:
                if not file.value_() or file.f_op.value_() != fops:
                    continue
            except drgn.FaultError:
                continue
            sk = cast("struct socket *", file.private_data).sk
            if not sk.value_():
                continue
            q = sk.sk_receive_queue
            if q.qlen.value_() < 2:
                continue
            socks.append((file.f_inode.i_ino.value_(), sk))
    socks.sort(key=lambda x: x[0])

    def first_with_frags(sk):
        head = sk.sk_receive_queue.address_of_().value_()
        skb = sk.sk_receive_queue.next
        n = 0
        while skb.value_() != head and n < 100000:
            shinfo = Object(prog, "struct skb_shared_info *",
                            value=skb.head.value_() + skb.end.value_())
            if shinfo.nr_frags.value_():
                return skb, shinfo
            skb = skb.next
            n += 1
        return None, None

    patches = []    # (virtual address, bytes)
    out = {"skb_addrs": {}}
    frag = None
    for i, (ino, sk) in enumerate(socks):
        skb, shinfo = first_with_frags(sk)
        if skb is not None:
            frag = i
            break
    if frag is None or len(socks) < 3:
        print("need 3 sockets with queued skbs, one with frags", file=sys.stderr)
        return 2
    ino, sk = socks[frag]
    f0 = shinfo.frags[0]
    field = f0.netmem if netmem else f0.bv_page
    patches.append((field.address_of_().value_(), struct.pack("<Q", 0xffff000000001000)))
    out["frag_page"] = ino
    out["skb_addrs"]["frag_page"] = hex(skb.value_())
    rest = [x for i, x in enumerate(socks) if i != frag]

    ino, sk = rest[0]
    skb = sk.sk_receive_queue.next
    patches.append((skb.next.address_of_().value_(), struct.pack("<Q", skb.value_())))
    out["loop"] = ino
    out["skb_addrs"]["loop"] = hex(skb.value_())

    ino, sk = rest[1]
    skb = sk.sk_receive_queue.next
    shinfo = Object(prog, "struct skb_shared_info *",
                    value=skb.head.value_() + skb.end.value_())
    patches.append((shinfo.nr_frags.address_of_().value_(), bytes([200])))
    out["nr_frags"] = ino
    out["skb_addrs"]["nr_frags"] = hex(skb.value_())

    loads = elf_loads(argv[3])
    shutil.copyfile(argv[3], argv[4])
    with open(argv[4], "r+b") as f:
        for vaddr, data in patches:
            paddr = virt_to_phys(prog, vaddr).value_()
            f.seek(file_offset(loads, paddr, len(data)))
            f.write(data)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
