"""Where the bytes of a physical address lie in a 64-bit little-endian ELF
vmcore (QEMU's physical-only vmcore.elf): for the tests that write
corrupted copies of real dumps (corrupt_dentries.py, corrupt_skbs.py;
summary-corrupt.sh runs it as elfpatch.py FILE PADDR BYTES-HEX); and the
dump's VMCOREINFO, whose arm64 keys alone translate kernel addresses."""

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


def vmcoreinfo(path):
    """VMCOREINFO key=value pairs from the ELF dump's PT_NOTE."""
    with open(path, "rb") as f:
        h = f.read(64)
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        f.seek(phoff)
        ph = f.read(phentsize * phnum)
        for i in range(phnum):
            p_type, _, p_offset, _, _, p_filesz, _, _ = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
            if p_type != 4:
                continue
            f.seek(p_offset)
            notes = f.read(p_filesz)
            at = notes.find(b"OSRELEASE=")
            if at >= 0:
                end = notes.find(b"\0", at)
                text = notes[at:end if end >= 0 else len(notes)].decode(errors="replace")
                return dict(l.split("=", 1) for l in text.splitlines() if "=" in l)
    raise ValueError("no VMCOREINFO note")


def arm64_paddr(vi):
    """For an arm64 dump (VMCOREINFO has NUMBER(kimage_voffset)): a function
    from a kernel virtual address to its physical address: the linear map
    (the lower half of the kernel's addresses, from PAGE_OFFSET = 2^64 -
    2^VA_BITS) by NUMBER(PHYS_OFFSET), the rest (the kernel image) by
    kimage_voffset. None for other dumps."""
    if "NUMBER(kimage_voffset)" not in vi:
        return None
    mask = (1 << 64) - 1
    kvoff = int(vi["NUMBER(kimage_voffset)"], 16)
    phys_off = int(vi["NUMBER(PHYS_OFFSET)"], 16)
    va_bits = int(vi["NUMBER(VA_BITS)"])
    page_offset = (1 << 64) - (1 << va_bits)
    linear_end = page_offset + (1 << (va_bits - 1))

    def paddr(v):
        if page_offset <= v < linear_end:
            return (v - page_offset + phys_off) & mask
        return (v - kvoff) & mask
    return paddr


def file_offset(loads, paddr, size):
    """The file offset of size bytes at physical address paddr."""
    for off, pa, sz in loads:
        if pa <= paddr and paddr + size <= pa + sz:
            return off + paddr - pa
    raise ValueError("physical address 0x%x not in the dump" % paddr)


def patch(path, paddr, data):
    """Overwrite the bytes of physical address paddr in the ELF vmcore."""
    off = file_offset(elf_loads(path), paddr, len(data))
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


if __name__ == "__main__":
    # elfpatch.py FILE PADDR BYTES-HEX: overwrite physical memory in a copy
    import sys
    try:
        patch(sys.argv[1], int(sys.argv[2], 0), bytes.fromhex(sys.argv[3]))
    except (ValueError, OSError, IndexError) as e:
        sys.exit("elfpatch: %s" % e)
