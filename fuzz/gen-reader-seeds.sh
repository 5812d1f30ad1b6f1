#!/bin/sh
# Write small valid dumps of every format into fuzz/corpus/reader/ for the
# reader fuzz target to start from: a 5-page synthetic ELF core, converted by
# mw-convert into kdump (each compression, header versions 1 and 6, zero
# pages excluded, incomplete) and the flattened stream.
# Usage: fuzz/gen-reader-seeds.sh BUILDDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: fuzz/gen-reader-seeds.sh BUILDDIR}
conv=$build/tests/tools/mw-convert
out=$top/fuzz/corpus/reader
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
/usr/bin/python3 - "$tmp/src.elf" <<'PY'
import struct, sys
PS = 4096
ranges = [(0x0, 0x3000), (0x5000, 0x7000)]
def note(name, ntype, desc):
    n = name.encode() + b"\0"
    al = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + al(n) + al(desc)
vmci = b"OSRELEASE=6.1.0-seed\nPAGESIZE=4096\nNUMBER(phys_base)=0\nKERNELOFFSET=0\n"
notes = note("CORE", 1, bytes(336)) + note("VMCOREINFO", 0, vmci)
phnum = 1 + len(ranges)
off = 64 + 56 * phnum
notes_off = off
off += len(notes)
phdrs = struct.pack("<IIQQQQQQ", 4, 0, notes_off, 0, 0, len(notes), len(notes), 0)
body = b""
for i, (s, e) in enumerate(ranges):
    phdrs += struct.pack("<IIQQQQQQ", 1, 7, off + len(body), 0, s, e - s, e - s, 0)
    for pa in range(s, e, PS):
        pfn = pa // PS
        page = bytes(PS) if pfn == 1 else ((b"pfn %d " % pfn) * PS)[:PS]
        body += page[:PS]
ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) + struct.pack(
    "<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, phnum, 0, 0, 0)
open(sys.argv[1], "wb").write(ehdr + phdrs + notes + body)
PY
cp "$tmp/src.elf" "$out/seed-elf"
for m in none zlib lzo snappy zstd; do
	"$conv" --compress "$m" --timestamp 0 "$tmp/src.elf" "$out/seed-kdump-$m"
done
"$conv" --compress zlib --header-version 1 --timestamp 0 "$tmp/src.elf" "$out/seed-kdump-v1"
"$conv" --compress zstd --exclude-zero --timestamp 0 "$tmp/src.elf" "$out/seed-kdump-nozero"
"$conv" --compress lzo --incomplete-after 2 --timestamp 0 "$tmp/src.elf" "$out/seed-kdump-incomplete"
"$conv" --compress snappy --flatten --timestamp 0 "$tmp/src.elf" "$out/seed-flat"
"$conv" --format elf "$tmp/src.elf" "$out/seed-elf-converted"
ls -l "$out"
