#!/usr/bin/python3
"""Write zlib pages into fuzz/corpus/decompress/ for the decompress fuzz
target to start from: 4096-byte pages as a dump has them (zeros, text,
structs, noise, mixed) compressed as makedumpfile -c and QEMU do (zlib,
levels 0, 1, 6, 9), with smaller windows, and in flushed pieces; and
inputs of the target's 'Z' form (a page compressed by the target itself,
then bits flipped).
Usage: fuzz/gen-decompress-seeds.py"""
import os
import random
import zlib

PAGE = 4096
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "decompress")
os.makedirs(out, exist_ok=True)
rnd = random.Random(20)
pages = {
    "zero": bytes(PAGE),
    "text": (b"memwhere kdump page " * (PAGE // 20 + 1))[:PAGE],
    "structs": bytes((rnd.randrange(256) if i % 64 < 8 else 0) for i in range(PAGE)),
    "noise": bytes(rnd.randrange(256) for _ in range(PAGE)),
    "mixed": bytes(0xff for _ in range(PAGE // 2)) + bytes(rnd.randrange(16) for _ in range(PAGE // 2)),
}


def write(name, data):
    with open(os.path.join(out, "seed-" + name), "wb") as f:
        f.write(data)


for kind, page in pages.items():
    for level in (0, 1, 6, 9):
        write(f"{kind}-l{level}", zlib.compress(page, level))
    for wbits in (9, 12):
        c = zlib.compressobj(6, zlib.DEFLATED, wbits)
        write(f"{kind}-w{wbits}", c.compress(page) + c.flush())
    c = zlib.compressobj(6)
    pieces = b"".join(c.compress(page[i:i + PAGE // 4]) + c.flush(zlib.Z_SYNC_FLUSH)
                      for i in range(0, PAGE, PAGE // 4))
    write(f"{kind}-flushed", pieces + c.flush())


# 'Z', level, number of flips, 3 bytes a flip (offset, offset >> 8, bit), page bytes
write("z-text", b"Z\x06\x00" + pages["text"][:60])
write("z-structs", b"Z\x09\x00" + pages["structs"][:512])
write("z-zero-flip", b"Z\x09\x01\x0f\x00\x07" + bytes(1))
write("z-mixed-flips", b"Z\x01\x02\x20\x00\x03\x40\x00\x05" + pages["mixed"][2000:2400])
