#!/usr/bin/python3
"""Independent answers for tests/types-vmlinux.sh: resolve the items of a
types-members list with drgn (python3-drgn) from a vmlinux's DWARF, in
types-probe's output format:
  type.member.path  -> "ITEM offset size bit_offset bit_size"
  sizeof:TYPE       -> "ITEM size"
  enum:ENUM.NAME    -> "ITEM value"   (enum:NAME: any enum)
  otherwise         -> "ITEM MISSING"
Usage: types-dwarf-oracle.py VMLINUX LIST
"""
import re
import sys

import drgn


def find_type(prog, name):
    name = name.strip()
    if re.match(r"^(struct|union|enum|typedef)\s", name):
        if name.startswith("typedef "):
            name = name[len("typedef "):]
        return prog.type(name)
    for cand in ("struct " + name, "union " + name, name, "enum " + name):
        try:
            return prog.type(cand)
        except LookupError:
            pass
    raise LookupError(name)


def strip(t):
    t = t.unqualified()
    while t.kind == drgn.TypeKind.TYPEDEF:
        t = t.type.unqualified()
    return t


def member(prog, path):
    tname, rest = path.split(".", 1)
    t = strip(find_type(prog, tname))
    bits = 0
    bit_size = 0
    for comp in rest.split("."):
        m = re.match(r"^([A-Za-z_0-9]+)((?:\[\d+\])*)$", comp)
        name, idx = m.group(1), m.group(2)
        mem = t.member(name)  # searches anonymous members too
        bits += mem.bit_offset
        bit_size = mem.bit_field_size or 0
        t = strip(mem.type)
        for i in re.findall(r"\[(\d+)\]", idx):
            elem = strip(t.type)
            bits += int(i) * drgn.sizeof(elem) * 8
            t = elem
            bit_size = 0
    return "%d %d %d %d" % (bits // 8, drgn.sizeof(t), bits, bit_size)


def enum_value(prog, spec):
    if "." in spec:
        ename, name = spec.rsplit(".", 1)
        try:
            t = strip(prog.type("enum " + ename))
        except LookupError:
            t = strip(prog.type(ename))
        for e in t.enumerators:
            if e.name == name:
                return str(e.value)
        raise LookupError(spec)
    return str(prog.constant(spec).value_())


def main():
    prog = drgn.Program(drgn.host_platform)
    prog.load_debug_info([sys.argv[1]])
    for line in open(sys.argv[2]):
        item = line.split("#", 1)[0].strip()
        if not item:
            continue
        try:
            if item.startswith("sizeof:"):
                t = find_type(prog, item[7:])
                ans = str(drgn.sizeof(strip(t)))
            elif item.startswith("enum:"):
                ans = enum_value(prog, item[5:])
            else:
                ans = member(prog, item)
        except (LookupError, ValueError, TypeError) as e:
            ans = "MISSING"
        print(item, ans)


main()
