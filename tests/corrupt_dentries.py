#!/usr/bin/python3
"""Corrupt dentries in a copy of a real dump, for memwhere files.

    corrupt_dentries.py PAGING-DUMP VMLINUX PHYSICAL-ELF-DUMP TRUTH OUT

drgn (python3-drgn) finds, in the ELF dump with paging, three files of the
scenario's kubelet pod directories (".../cache/data.log", from truth.json:
the ext4 super block on super_blocks, the inode of that number on its
s_inodes, its dentry on i_dentry; drgn 0.0.22's path_lookup does not know
6.12's d_children), and this script writes a copy of the physical-only ELF dump of
the same moment (QEMU's vmcore.elf) to OUT with:
  - "loop": the first file's directory "cache" gets the file itself as its
    d_parent (cache -> data.log -> cache ...);
  - "long": the second file's "cache" gets a d_name.len of 300 (over
    NAME_MAX);
  - "nowhere": the third file's "cache" gets a d_parent in the direct map
    far past the end of RAM (a pointer into nowhere).
It prints one JSON line: {"loop": {"path", "inode", "dentry"}, "long": ...,
"nowhere": ...}. Exit 2 if drgn cannot do it (the caller skips).
"""

import json
import shutil
import struct
import sys

try:
    import drgn
    from drgn import Object, container_of
    from drgn.helpers.linux.list import list_for_each_entry
    from drgn.helpers.linux.mm import virt_to_phys
except ImportError as e:
    print("drgn not available: %s" % e, file=sys.stderr)
    sys.exit(2)

from elfpatch import elf_loads, file_offset  # tests/elfpatch.py, beside this script


def main(argv):
    if len(argv) != 6:
        print(__doc__, file=sys.stderr)
        return 2
    paging, vmlinux, phys, truth_path, out = argv[1:]
    truth = json.load(open(truth_path))
    files = sorted((f["path"], f["inode"]) for f in truth.get("files", [])
                   if "/var/lib/kubelet/pods/" in f["path"] and f["path"].endswith("/cache/data.log")
                   and f.get("resident_bytes") and f.get("fs") == "ext4")
    paths = [p for p, _ in files]
    if len(paths) < 3:
        print("fewer than 3 kubelet data.log files in the truth", file=sys.stderr)
        return 2
    prog = drgn.Program()
    try:
        prog.set_core_dump(paging)
        prog.load_debug_info([vmlinux])
    except Exception as e:  # drgn raises several kinds
        print("drgn: %s" % e, file=sys.stderr)
        return 2
    dentry_t = prog.type("struct dentry")
    off_parent = dentry_t.member("d_parent").offset
    off_len = dentry_t.member("d_name").offset + prog.type("struct qstr").member("len").offset
    nowhere = prog["page_offset_base"].value_() + (1 << 44)
    loads = elf_loads(phys)
    what = {}
    patches = []
    sbs = [sb for sb in list_for_each_entry("struct super_block",
                                            prog["super_blocks"].address_of_(), "s_list")
           if sb.s_type.name.string_() == b"ext4"]
    if len(sbs) != 1:
        print("%d ext4 super blocks" % len(sbs), file=sys.stderr)
        return 2
    by_ino = {}
    for inode in list_for_each_entry("struct inode", sbs[0].s_inodes.address_of_(), "i_sb_list"):
        by_ino[inode.i_ino.value_()] = inode
    for kind, (path, ino) in zip(("loop", "long", "nowhere"), files[:3]):
        inode = by_ino.get(ino)
        first = inode.i_dentry.first if inode is not None else None
        if first is None or not first.value_():
            print("no dentry for inode %d (%s)" % (ino, path), file=sys.stderr)
            return 2
        leaf = container_of(first, "struct dentry", "d_u.d_alias")
        cache = leaf.d_parent
        if leaf.d_name.name.string_() != b"data.log" or cache.d_name.name.string_() != b"cache":
            print("inode %d: dentry %s/%s, not cache/data.log" % (
                ino, cache.d_name.name.string_(), leaf.d_name.name.string_()), file=sys.stderr)
            return 2
        addr = cache.value_()
        if kind == "loop":
            patches.append((addr + off_parent, struct.pack("<Q", leaf.value_())))
        elif kind == "long":
            patches.append((addr + off_len, struct.pack("<I", 300)))
        else:
            patches.append((addr + off_parent, struct.pack("<Q", nowhere)))
        what[kind] = {"path": path, "inode": leaf.d_inode.i_ino.value_(),
                      "dentry": "0x%x" % addr}
    shutil.copyfile(phys, out)
    with open(out, "r+b") as f:
        for vaddr, data in patches:
            f.seek(file_offset(loads, virt_to_phys(Object(prog, "void *", vaddr)).value_(),
                             len(data)))
            f.write(data)
    print(json.dumps(what))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
