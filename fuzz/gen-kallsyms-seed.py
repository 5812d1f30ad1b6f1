#!/usr/bin/python3
"""Write a small valid kallsyms image for fuzz/fuzz-kallsyms.c to start from.

Layout (offsets from the image start; fuzz-kallsyms maps offset o to
address 0x1000 + o): 7 u32 table offsets (num_syms, names, token_table,
token_index, offsets, relative_base, addresses), then the tables, encoded
the way scripts/kallsyms.c lays them out: names as a length byte and token
indices, tokens as NUL-terminated strings, offsets base-relative with
x86-64's absolute per-CPU encoding (negative = image symbol).
"""
import struct
import sys

syms = [("D", "fixed_percpu_data", 0x0, True), ("T", "_text", 0x0, False),
        ("T", "start_kernel", 0x1234, False), ("d", "init_top_pgt", 0x20000, False),
        ("R", "__start_BTF", 0x30000, False), ("R", "__stop_BTF", 0x50000, False),
        ("t", "a" * 200, 0x60000, False)]
tokens = [bytes([i]) if 32 < i < 127 else b"?" for i in range(256)]
tokens[1] = b"init_"      # a multi-character token
table = b""
index = []
for t in tokens:
    index.append(len(table))
    table += t + b"\0"

def encode(name):
    out = []
    i = 0
    while i < len(name):
        if name.startswith("init_", i):
            out.append(1)
            i += 5
        else:
            out.append(ord(name[i]))
            i += 1
    return out

names = b""
for typ, name, _, _ in syms:
    enc = [ord(typ)] + encode(name)
    n = len(enc)
    names += (bytes([n]) if n < 128 else bytes([0x80 | (n & 0x7f), n >> 7])) + bytes(enc)
base = 0xffffffff81000000
offsets = [off if percpu else -1 - off for _, _, off, percpu in syms]

parts = {}
blob = b""
hdr = 7 * 4
def place(key, data):
    global blob
    while (hdr + len(blob)) % 8:
        blob += b"\0"
    parts[key] = hdr + len(blob)
    blob += data
place("num", struct.pack("<I", len(syms)))
place("names", names)
place("table", table)
place("index", struct.pack("<256H", *index))
place("offsets", struct.pack("<%di" % len(offsets), *offsets))
place("base", struct.pack("<Q", base))
head = struct.pack("<7I", parts["num"], parts["names"], parts["table"], parts["index"],
                   parts["offsets"], parts["base"], 0)
sys.stdout.buffer.write(head + blob)
