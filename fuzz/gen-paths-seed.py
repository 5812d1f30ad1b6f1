#!/usr/bin/python3
"""Seed inputs for fuzz/fuzz-paths.c: small fake memory images with a valid
tree (a namespace root mount, a mount on /dev/shm, directories, files, an
unlinked file, an inode with two dentries), written to the directory given.
The layout is fuzz-paths.c's."""
import os
import struct
import sys

BASE = 0xffff888000000000
D = dict(pprev=0x10, parent=0x18, len=0x24, name=0x28, alias=0x30, iname=0x40, size=0x80)
M = dict(parent=0x08, mountpoint=0x10, root=0x18, ns=0x28, instance=0x30, size=0x40)


class Image:
    def __init__(self):
        self.b = bytearray(32)      # the header

    def alloc(self, n):
        a = (len(self.b) + 63) & ~63
        self.b.extend(b"\0" * (a + n - len(self.b)))
        return a

    def put(self, off, fmt, v):
        struct.pack_into(fmt, self.b, off, v)

    def dentry(self, parent, name, hashed=True):
        d = self.alloc(D["size"])
        nb = name.encode()
        self.b[d + D["iname"]:d + D["iname"] + len(nb)] = nb
        self.put(d + D["parent"], "<Q", BASE + (parent if parent is not None else d))
        self.put(d + D["len"], "<I", len(nb))
        self.put(d + D["name"], "<Q", BASE + d + D["iname"])
        self.put(d + D["pprev"], "<Q", BASE + d if hashed and parent is not None else 0)
        return d

    def sb(self):
        s = self.alloc(0x20)
        root = self.dentry(None, "/")
        self.put(s, "<Q", BASE + root)
        self.put(s + 8, "<Q", BASE + s + 8)
        self.put(s + 16, "<Q", BASE + s + 8)
        return s, root

    def mount(self, sb, root, parent, mp, ns):
        m = self.alloc(M["size"])
        self.put(m + M["parent"], "<Q", BASE + (parent if parent is not None else m))
        self.put(m + M["mountpoint"], "<Q", BASE + (mp if parent is not None else root))
        self.put(m + M["root"], "<Q", BASE + root)
        self.put(m + M["ns"], "<Q", BASE + ns)
        # list_add_tail(&m->mnt_instance, &sb->s_mounts)
        head = sb + 8
        prev = struct.unpack_from("<Q", self.b, head + 8)[0] - BASE
        node = m + M["instance"]
        self.put(node, "<Q", BASE + head)
        self.put(node + 8, "<Q", BASE + prev)
        self.put(prev, "<Q", BASE + node)
        self.put(head + 8, "<Q", BASE + node)
        return m


def build(variant):
    im = Image()
    ns = im.alloc(16)
    sb0, r0 = im.sb()
    m0 = im.mount(sb0, r0, None, None, ns)
    dev = im.dentry(r0, "dev")
    shm = im.dentry(dev, "shm")
    sb1, r1 = im.sb()
    im.mount(sb1, r1, m0, shm, ns)
    g = im.dentry(r1, "ganglia")
    f0 = im.dentry(g, "gmond-metrics-0000")
    f1 = im.dentry(g, "gmond-metrics-0001")
    gone = im.dentry(r1, "PostgreSQL.1804289383", hashed=False)
    inode = im.alloc(16)
    stale = im.dentry(g, "old", hashed=False)
    im.put(inode, "<Q", BASE + stale + D["alias"])
    im.put(stale + D["alias"], "<Q", BASE + f1 + D["alias"])
    if variant == 1:    # a loop
        im.put(g + D["parent"], "<Q", BASE + f0)
    if variant == 2:    # a long name
        im.put(g + D["len"], "<I", 300)
    starts = [f0, f1, gone, g]
    hdr = struct.pack("<8I", *starts, sb1, inode, ns, m0)
    im.b[0:32] = hdr
    return bytes(im.b)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for v in range(3):
        with open(os.path.join(out, "seed-%d" % v), "wb") as f:
            f.write(build(v))


if __name__ == "__main__":
    main()
