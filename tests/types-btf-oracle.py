#!/usr/bin/python3
"""Independent answers for the BTF tests: resolve the items of a
types-members list from `bpftool btf dump file FILE` (libbpf's parser),
in types-probe's output format:
  type.member.path  -> "ITEM offset size bit_offset bit_size"
  sizeof:TYPE       -> "ITEM size"
  enum:ENUM.NAME    -> "ITEM value"   (enum:NAME: any enum)
  otherwise         -> "ITEM MISSING"
Usage: types-btf-oracle.py BPFTOOL_RAW_DUMP LIST
"""
import re
import sys

HEAD = re.compile(r"^\[(\d+)\] (\w+) '([^']*)'(.*)$")
MEMBER = re.compile(r"^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?")
ENUMV = re.compile(r"^\t'([^']*)' val=(-?\d+)")
QUALS = ("CONST", "VOLATILE", "RESTRICT", "TYPE_TAG")

types = {}
order = []
cur = None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = HEAD.match(line)
    if m:
        attrs = dict(re.findall(r"(\w+)=(-?\w+)", m.group(4)))
        cur = {"kind": m.group(2), "name": m.group(3), "attrs": attrs,
               "members": [], "enums": []}
        types[int(m.group(1))] = cur
        order.append(int(m.group(1)))
        continue
    if cur is None:
        continue
    m = MEMBER.match(line)
    if m and cur["kind"] in ("STRUCT", "UNION"):
        cur["members"].append((m.group(1), int(m.group(2)), int(m.group(3)),
                               int(m.group(4) or 0)))
        continue
    m = ENUMV.match(line)
    if m and cur["kind"] in ("ENUM", "ENUM64"):
        cur["enums"].append((m.group(1), int(m.group(2))))

by_name = {}
for tid in order:
    t = types[tid]
    if t["name"] == "(anon)":
        continue
    ns = {"STRUCT": "struct", "UNION": "union", "ENUM": "enum", "ENUM64": "enum",
          "TYPEDEF": "typedef", "INT": "base", "FLOAT": "base"}.get(t["kind"])
    if ns and (ns, t["name"]) not in by_name:
        by_name[(ns, t["name"])] = tid


def strip(tid):
    for _ in range(100):
        t = types.get(tid)
        if t is None or t["kind"] not in QUALS + ("TYPEDEF",):
            return tid
        tid = int(t["attrs"]["type_id"])
    raise LookupError("loop")


def size(tid):
    tid = strip(tid)
    if tid == 0:
        return 0
    t = types[tid]
    if t["kind"] == "PTR":
        return 8
    if t["kind"] == "ARRAY":
        return int(t["attrs"]["nr_elems"]) * size(int(t["attrs"]["type_id"]))
    return int(t["attrs"].get("size", 0))


def find(name):
    name = name.strip()
    m = re.match(r"^(struct|union|enum|typedef)\s+(.*)$", name)
    spaces = [m.group(1)] if m else ["struct", "union", "typedef", "enum", "base"]
    base = m.group(2) if m else name
    for ns in spaces:
        if (ns, base) in by_name:
            return by_name[(ns, base)]
    raise LookupError(name)


def find_member(tid, name, depth=0):
    if depth > 64:
        raise LookupError("depth")
    for mname, mtype, bits, bsize in types[tid]["members"]:
        if mname == name:
            return bits, bsize, mtype
        if mname == "(anon)":
            inner = strip(mtype)
            if types[inner]["kind"] in ("STRUCT", "UNION"):
                try:
                    b, s, t = find_member(inner, name, depth + 1)
                    return bits + b, s, t
                except LookupError:
                    pass
    raise LookupError(name)


def member(path):
    tname, rest = path.split(".", 1)
    tid = strip(find(tname))
    bits = 0
    bsize = 0
    for comp in rest.split("."):
        m = re.match(r"^([A-Za-z_0-9]+)((?:\[\d+\])*)$", comp)
        b, bsize, mtype = find_member(tid, m.group(1))
        bits += b
        tid = strip(mtype)
        for i in re.findall(r"\[(\d+)\]", m.group(2)):
            elem = strip(int(types[tid]["attrs"]["type_id"]))
            bits += int(i) * size(elem) * 8
            tid = elem
            bsize = 0
    return "%d %d %d %d" % (bits // 8, size(tid), bits, bsize)


def enum_value(spec):
    if "." in spec:
        ename, name = spec.rsplit(".", 1)
        tid = strip(find(ename))
        for n, v in types[tid]["enums"]:
            if n == name:
                return str(v)
        raise LookupError(spec)
    for tid in order:
        for n, v in types[tid]["enums"]:
            if n == spec:
                return str(v)
    raise LookupError(spec)


for line in open(sys.argv[2]):
    item = line.split("#", 1)[0].strip()
    if not item:
        continue
    try:
        if item.startswith("sizeof:"):
            ans = str(size(find(item[7:])))
        elif item.startswith("enum:"):
            ans = enum_value(item[5:])
        else:
            ans = member(item)
    except (LookupError, KeyError, AttributeError):
        ans = "MISSING"
    print(item, ans)
