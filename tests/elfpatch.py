"""Where the bytes of a physical address lie in a 64-bit little-endian ELF
vmcore (QEMU's physical-only vmcore.elf): for the tests that write
corrupted copies of real dumps (corrupt_dentries.py, corrupt_skbs.py)."""

import struct


def elf_loads(path):
    """PT_LOAD (p_offset, p_paddr, p_filesz) of a 64-bit little-endian ELF."""
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2 or h[5] != 1:
            raise ValueError("%s: not a 64-bit little-endian ELF" % path)
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
    loads = []
    for i in range(phnum):
        p_type, _, p_offset, _, p_paddr, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", ph, i * phentsize)
        if p_type == 1:
            loads.append((p_offset, p_paddr, p_filesz))
    return loads


def file_offset(loads, paddr, size):
    """The file offset of size bytes at physical address paddr."""
    for off, pa, sz in loads:
        if pa <= paddr and paddr + size <= pa + sz:
            return off + paddr - pa
    raise ValueError("physical address 0x%x not in the dump" % paddr)
