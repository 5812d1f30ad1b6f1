#!/usr/bin/python3
"""Write a small valid BTF blob for fuzz/fuzz-btf.c to start from (the
layout of include/uapi/linux/btf.h: header, type section, string section).

Types: 1 int "long unsigned int"; 2 struct page {flags; mapping; _refcount
bitfield...}; 3 pointer to 2; 4 enum pageflags {PG_locked, PG_slab};
5 typedef pgoff_t -> 1; 6 union with an anonymous struct member; 7 array.
"""
import struct
import sys

strings = b"\0"
def s(name):
    global strings
    off = len(strings)
    strings += name.encode() + b"\0"
    return off

KIND = {"int": 1, "ptr": 2, "array": 3, "struct": 4, "union": 5, "enum": 6, "typedef": 8}
def info(kind, vlen=0, kflag=0):
    return (kflag << 31) | (KIND[kind] << 24) | vlen

types = b""
# 1: int, 8 bytes, unsigned, 64 bits
types += struct.pack("<III", s("long unsigned int"), info("int"), 8) + struct.pack("<I", 64)
# 2: struct page (kflag: bitfield offsets), 3 members
types += struct.pack("<III", s("page"), info("struct", 3, 1), 24)
types += struct.pack("<III", s("flags"), 1, 0)
types += struct.pack("<III", s("mapping"), 3, 64)
types += struct.pack("<III", s("_refcount"), 1, (20 << 24) | 128)
# 3: pointer to page
types += struct.pack("<III", 0, info("ptr"), 2)
# 4: enum pageflags, 4 bytes
types += struct.pack("<III", s("pageflags"), info("enum", 2), 4)
types += struct.pack("<Ii", s("PG_locked"), 0) + struct.pack("<Ii", s("PG_slab"), 9)
# 5: typedef pgoff_t
types += struct.pack("<III", s("pgoff_t"), info("typedef"), 1)
# 6: union folio { struct { flags; index; }; page }
types += struct.pack("<III", s("folio"), info("union", 2), 24)
types += struct.pack("<III", 0, 8, 0)
types += struct.pack("<III", s("page"), 2, 0)
# 7: array of 4 unsigned long
types += struct.pack("<III", 0, info("array"), 0) + struct.pack("<III", 1, 1, 4)
# 8: anonymous struct { flags; index (pgoff_t) }
types += struct.pack("<III", 0, info("struct", 2), 16)
types += struct.pack("<III", s("flags"), 1, 0)
types += struct.pack("<III", s("index"), 5, 64)

hdr = struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
sys.stdout.buffer.write(hdr + types + strings)
