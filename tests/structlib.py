"""Kernel objects in a physical ELF copy of a real dump, found from the
dump's own symbols and types (tests/kaddr-tool, one process answering
questions on stdin), for the structure-aware corruption suite
(tests/corrupt-structs.py) and the random sweep (tests/corrupt-sweep.py,
scripts/sweep-release).

A Target is one kernel object the analyses walk: its structure, its address
and size, the command whose answer depends on it, a regex its warning must
match, and its fields by kind: "next" (a list or tree link), "ptr" (another
pointer), "counter" (a number, with its width) and "name" (a pointer to, or
array of, a name's bytes). Every patch is a list of (vaddr, bytes), applied
to the ELF copy in place and undone after the case (Patcher).

Python standard library only.
"""
import os
import subprocess

import elfpatch

USER_PTR = 0x00007f0000001000
# kernel space addresses no x86-64 kernel maps: the guard hole's end, and
# far in the direct map (the bundled dumps have well under 64 GiB of RAM)
UNMAPPED = 0xffff87ff00000000


class Kernel:
    """Answers from tests/kaddr-tool DUMP batch."""

    def __init__(self, tool, dump):
        self.p = subprocess.Popen([tool, dump, "batch", "-"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.cache = {}

    def close(self):
        self.p.stdin.close()
        self.p.wait()

    def ask(self, cmd, arg):
        key = (cmd, arg)
        if key in self.cache:
            return self.cache[key]
        self.p.stdin.write("%s %s\n" % (cmd, arg))
        self.p.stdin.flush()
        line = self.p.stdout.readline().strip()
        v = None if line in ("?", "") else int(line, 0)
        if cmd != "read64":
            self.cache[key] = v
        return v

    def sym(self, name):
        return self.ask("sym", name)

    def r64(self, addr):
        return None if addr is None else self.ask("read64", "0x%x" % addr)

    def phys(self, addr):
        return self.ask("phys", "0x%x" % addr)

    def off(self, member):
        return self.ask("offsetof", member)

    def size(self, typ):
        return self.ask("sizeof", typ)

    def read(self, addr, n):
        out = b""
        for a in range(addr & ~7, addr + n, 8):
            v = self.r64(a)
            if v is None:
                return None
            out += v.to_bytes(8, "little")
        return out[addr & 7:(addr & 7) + n]

    def cstr(self, addr, cap=64):
        b = self.read(addr, cap) if addr else None
        return None if b is None else b.split(b"\0")[0]

    def chain(self, head, count, cap=4096):
        """The first count nodes (link addresses) of the list at head."""
        out, cur = [], head
        for _ in range(cap):
            cur = self.r64(cur)
            if not cur or cur == head or len(out) >= count:
                break
            out.append(cur)
        return out


class Target:
    def __init__(self, struct, label, addr, size, command, say):
        self.struct = struct	# e.g. "kmem_cache"
        self.label = label	# e.g. "kmem_cache dentry"
        self.addr = addr
        self.size = size
        self.command = command
        self.say = say	# a regex the warning must match
        self.next = []	# (name, vaddr of the link, an earlier link to loop back to)
        self.ptrs = []	# (name, vaddr, the pointer's value)
        self.counters = []	# (name, vaddr, width)
        self.names = []	# (name, vaddr of the bytes, length)
        self.nullable = set()	# pointers the kernel itself may leave NULL
        # pointers to bytes (a name): any address is valid, misaligned
        # is not a corruption
        self.byte_ptrs = set()
        self.also = []	# other commands whose answer depends on it

    def __repr__(self):
        return "%s at 0x%x" % (self.label, self.addr)


class Patcher:
    """Overwrite virtual addresses of the ELF copy, and undo."""

    def __init__(self, kernel, elf):
        self.k = kernel
        self.elf = elf
        self.loads = elfpatch.elf_loads(elf)
        self.saved = []

    def offset(self, vaddr, n):
        pa = self.k.phys(vaddr)
        if pa is None:
            return None
        # the bytes may straddle a page: every page must be where the first says
        end = self.k.phys(vaddr + n - 1)
        if end != pa + n - 1:
            return None
        try:
            return elfpatch.file_offset(self.loads, pa, n)
        except ValueError:
            return None

    def apply(self, patches):
        """patches: [(vaddr, bytes)]; False if one is not in the dump."""
        offs = [self.offset(v, len(b)) for v, b in patches]
        if None in offs:
            return False
        with open(self.elf, "r+b") as f:
            for off, (_, b) in zip(offs, patches):
                f.seek(off)
                self.saved.append((off, f.read(len(b))))
                f.seek(off)
                f.write(b)
        return True

    def undo(self):
        with open(self.elf, "r+b") as f:
            for off, b in reversed(self.saved):
                f.seek(off)
                f.write(b)
        self.saved = []


def q(v):
    return (v & (1 << 64) - 1).to_bytes(8, "little")


# ---- the objects, structure by structure

def _list_target(k, struct, label, obj, size, link_off, link, back, command, say):
    """back: an earlier node's link (None for the first node: a link back
    to the head would only end the list early, which no reader can tell)."""
    t = Target(struct, label, obj, size, command, say)
    t.next.append(("%s list" % struct, obj + link_off, back))
    return t


def slab_caches(k):
    head = k.sym("slab_caches")
    lo, no, sz = k.off("kmem_cache.list"), k.off("kmem_cache.name"), k.size("kmem_cache")
    if None in (head, lo, no, sz):
        return []
    nodes = k.chain(head, 4)
    out = []
    for i, link in enumerate(nodes[1:3], 1):
        obj = link - lo
        name = k.cstr(k.r64(obj + no)) or b"?"
        t = _list_target(k, "kmem_cache", "kmem_cache %s" % name.decode(errors="replace"), obj, sz,
                         lo, link, nodes[i - 1], "slab", r"slab|kmem_cache|cache")
        for m, w in (("kmem_cache.size", 4), ("kmem_cache.object_size", 4)):
            if k.off(m) is not None:
                t.counters.append((m, obj + k.off(m), w))
        nameptr = k.r64(obj + no)
        t.ptrs.append(("kmem_cache.name", obj + no, nameptr))
        t.byte_ptrs.add("kmem_cache.name")
        if nameptr and len(name) >= 3:
            t.names.append(("kmem_cache.name", nameptr, len(name)))
        for m in ("kmem_cache.cpu_slab", "kmem_cache.node"):
            if k.off(m) is not None:
                t.ptrs.append((m, obj + k.off(m), k.r64(obj + k.off(m))))
        t.also.append("summary")
        out.append(t)
    return out


def vmap_areas(k):
    head = k.sym("vmap_area_list")
    lo = k.off("vmap_area.list")
    if head is None:
        arr = k.r64(k.sym("vmap_nodes")) if k.sym("vmap_nodes") else None
        busy, lh = k.off("vmap_node.busy"), k.off("rb_list.head")
        head = arr + busy + lh if None not in (arr, busy, lh) else None
    sz = k.size("vmap_area")
    if None in (head, lo, sz):
        return []
    nodes = k.chain(head, 4)
    out = []
    for i, link in enumerate(nodes[1:3], 1):
        obj = link - lo
        t = _list_target(k, "vmap_area", "vmap_area 0x%x" % (k.r64(obj) or 0), obj, sz, lo, link,
                         nodes[i - 1], "vmalloc", r"vmap|vmalloc")
        for m in ("vmap_area.va_start", "vmap_area.va_end"):
            t.counters.append((m, obj + k.off(m), 8))
        vm = k.off("vmap_area.vm")
        if vm is not None:
            t.ptrs.append(("vmap_area.vm", obj + vm, k.r64(obj + vm)))
            t.nullable.add("vmap_area.vm")	# a vm_map_ram area's
        t.also.append("summary")
        out.append(t)
    return out


def tasks(k):
    init = k.sym("init_task")
    lo, co, mo, sz = (k.off("task_struct.tasks"), k.off("task_struct.comm"),
                      k.off("task_struct.mm"), k.size("task_struct"))
    if None in (init, lo, co, mo, sz):
        return []
    nodes = k.chain(init + lo, 400)
    out = []
    # user processes (an mm), the second and the last found
    users = [(i, n) for i, n in enumerate(nodes) if k.r64(n - lo + mo)]
    for i, link in [users[1], users[-1]] if len(users) > 2 else users:
        obj = link - lo
        comm = k.cstr(obj + co, 16) or b"?"
        t = _list_target(k, "task_struct", "task %s" % comm.decode(errors="replace"), obj, sz, lo,
                         link, nodes[i - 1] if i else None, "tasks",
                         r"task|process|pid|mm_struct|rss")
        mm = k.r64(obj + mo)
        t.ptrs.append(("task_struct.mm", obj + mo, mm))
        t.nullable.add("task_struct.mm")	# a kernel thread's
        t.also.append("summary")	# the page scan walks tasks for their stacks
        if len(comm) >= 3:
            t.names.append(("task_struct.comm", obj + co, len(comm)))
        pg = k.off("mm_struct.pgtables_bytes")
        if mm and pg is not None:
            t.counters.append(("mm_struct.pgtables_bytes", mm + pg, 8))
        out.append(t)
    return out


def memcgs(k):
    root = k.r64(k.sym("root_mem_cgroup")) if k.sym("root_mem_cgroup") else None
    css = k.off("mem_cgroup.css")
    ch, sib = k.off("cgroup_subsys_state.children"), k.off("cgroup_subsys_state.sibling")
    sz = k.size("mem_cgroup")
    if None in (root, css, ch, sib, sz):
        return []
    head = root + css + ch
    nodes = k.chain(head, 4)
    out = []
    cg, kn, kname = (k.off("cgroup_subsys_state.cgroup"), k.off("cgroup.kn"),
                     k.off("kernfs_node.name"))
    usage = k.off("mem_cgroup.memory")
    pu = k.off("page_counter.usage")
    for i, link in enumerate(nodes[:2]):
        obj = link - sib - css
        name, nameptr = b"?", None
        if None not in (cg, kn, kname):
            knode = k.r64(k.r64(obj + css + cg) + kn) if k.r64(obj + css + cg) else None
            nameptr = k.r64(knode + kname) if knode else None
            name = k.cstr(nameptr) or b"?"
        t = _list_target(k, "mem_cgroup", "memcg %s" % name.decode(errors="replace"), obj, sz,
                         sib + css, link, nodes[i - 1] if i else None, "memcg", r"memcg|cgroup")
        if None not in (usage, pu):
            t.counters.append(("mem_cgroup.memory.usage", obj + usage + pu, 8))
        vs = k.off("mem_cgroup.vmstats")
        if vs is not None:
            t.ptrs.append(("mem_cgroup.vmstats", obj + vs, k.r64(obj + vs)))
        if nameptr and len(name) >= 3:
            t.names.append(("kernfs_node.name", nameptr, len(name)))
        out.append(t)
    return out


def printk(k):
    prb = k.r64(k.sym("prb")) if k.sym("prb") else None
    sz = k.size("printk_ringbuffer")
    if None in (prb, sz):
        return []
    t = Target("printk_ringbuffer", "printk ring buffer", prb, sz, "log", r"printk|log|ring|record")
    for m, w in (("printk_ringbuffer.desc_ring.count_bits", 4),
                 ("printk_ringbuffer.text_data_ring.size_bits", 4),
                 ("printk_ringbuffer.desc_ring.head_id", 8),
                 ("printk_ringbuffer.desc_ring.tail_id", 8)):
        o = k.off(m)
        if o is not None:
            t.counters.append((m, prb + o, w))
    for m in ("printk_ringbuffer.desc_ring.descs", "printk_ringbuffer.desc_ring.infos",
              "printk_ringbuffer.text_data_ring.data"):
        o = k.off(m)
        if o is not None:
            t.ptrs.append((m, prb + o, k.r64(prb + o)))
    return [t]


def _fd_files(k, limit=400):
    """(task, file) of the open files of the user processes."""
    init = k.sym("init_task")
    lo, fo = k.off("task_struct.tasks"), k.off("task_struct.files")
    fdt, fd, mx = k.off("files_struct.fdt"), k.off("fdtable.fd"), k.off("fdtable.max_fds")
    if None in (init, lo, fo, fdt, fd, mx):
        return
    for link in k.chain(init + lo, 400):
        task = link - lo
        files = k.r64(task + fo)
        t = k.r64(files + fdt) if files else None
        arr = k.r64(t + fd) if t else None
        n = (k.r64(t + mx) or 0) & 0xffffffff if t else 0
        for i in range(min(n, 64)):
            f = k.r64(arr + 8 * i) if arr else None
            if f:
                yield task, f
                limit -= 1
                if limit <= 0:
                    return


def sockets_and_skbs(k):
    fops = k.sym("socket_file_ops")
    fop, priv = k.off("file.f_op"), k.off("file.private_data")
    sko, rq = k.off("socket.sk"), k.off("sock.sk_receive_queue")
    ssz, bsz = k.size("sock"), k.size("sk_buff")
    if None in (fops, fop, priv, sko, rq, ssz, bsz):
        return []
    socks, skbs = [], []
    for _, f in _fd_files(k):
        if k.r64(f + fop) != fops:
            continue
        sk = k.r64(k.r64(f + priv) + sko) if k.r64(f + priv) else None
        if not sk:
            continue
        head = sk + rq
        first = k.r64(head)
        if not first or first == head:
            continue
        if len(socks) < 2:
            t = Target("sock", "socket 0x%x" % sk, sk, ssz, "sockets", r"sock|skb|queue")
            # its queue's first link (a loop there reads as an empty queue)
            t.ptrs.append(("sock.sk_receive_queue.next", head, first))
            for m, w in (("sock.sk_receive_queue.qlen", 4), ("sock.sk_backlog.rmem_alloc", 4),
                         ("sock.sk_wmem_queued", 4), ("sock.sk_forward_alloc", 4)):
                o = k.off(m)
                if o is not None:
                    t.counters.append((m, sk + o, w))
            socks.append(t)
        if len(skbs) < 2:
            t = Target("sk_buff", "skb 0x%x" % first, first, bsz, "sockets", r"skb|sock|queue")
            t.next.append(("sk_buff.next", first, None))
            for m, w in (("sk_buff.len", 4), ("sk_buff.truesize", 4), ("sk_buff.data_len", 4)):
                o = k.off(m)
                if o is not None:
                    t.counters.append((m, first + o, w))
            for m in ("sk_buff.head", "sk_buff.data", "sk_buff.sk"):
                o = k.off(m)
                if o is not None:
                    t.ptrs.append((m, first + o, k.r64(first + o)))
            skbs.append(t)
        if len(socks) >= 2 and len(skbs) >= 2:
            break
    return socks + skbs


def dentries(k):
    dent = k.off("file.f_path") + k.off("path.dentry") if None not in (
        k.off("file.f_path"), k.off("path.dentry")) else None
    nm, par, ino = k.off("dentry.d_name.name"), k.off("dentry.d_parent"), k.off("dentry.d_inode")
    sz = k.size("dentry")
    if None in (dent, nm, par, ino, sz):
        return []
    out, seen = [], set()
    for _, f in _fd_files(k):
        d = k.r64(f + dent)
        if not d or d in seen:
            continue
        seen.add(d)
        name = k.cstr(k.r64(d + nm)) or b""
        parent = k.r64(d + par)
        if len(name) < 3 or not parent or parent == d or not name.isalnum():
            continue
        t = Target("dentry", "dentry %s" % name.decode(errors="replace"), d, sz, "files",
                   r"dentry|path|inode|file|name")
        t.next.append(("dentry.d_parent", d + par, d))
        t.ptrs.append(("dentry.d_inode", d + ino, k.r64(d + ino)))
        t.names.append(("dentry.d_name", k.r64(d + nm), len(name)))
        out.append(t)
        if len(out) >= 2:
            break
    return out


def pages(k, others):
    """The struct pages of the first objects found (slab pages, mostly)."""
    vmemmap = k.r64(k.sym("vmemmap_base")) if k.sym("vmemmap_base") else 0xffffea0000000000
    pofs = k.r64(k.sym("page_offset_base")) if k.sym("page_offset_base") else None
    psz = k.size("page")
    flags, mapping, ref = k.off("page.flags"), k.off("page.mapping"), k.off("page._refcount")
    if None in (psz, flags):
        return []
    out = []
    for o in others:
        pa = k.phys(o.addr)
        if pa is None or (pofs and not pofs <= o.addr < pofs + (1 << 46)):
            continue
        p = vmemmap + (pa >> 12) * psz
        if k.r64(p) is None:
            continue
        t = Target("page", "struct page of %s" % o.label, p, psz, "summary", r"page|pfn|slab")
        t.counters.append(("page.flags", p + flags, 8))
        if ref is not None:
            t.counters.append(("page._refcount", p + ref, 4))
        if mapping is not None:
            t.ptrs.append(("page.mapping", p + mapping, k.r64(p + mapping)))
        # compound_head / slab_cache share the word after flags
        t.ptrs.append(("page.compound_head", p + 8, k.r64(p + 8)))
        out.append(t)
        if len(out) >= 2:
            break
    return out


def all_targets(k):
    out = []
    for f in (slab_caches, vmap_areas, tasks, memcgs, printk, sockets_and_skbs, dentries):
        out += f(k)
    out += pages(k, [t for t in out if t.struct in ("kmem_cache", "task_struct", "sk_buff")])
    return out


# ---- the classes: [(class, field, patches)] for one target

def classes(t, others, counters=True):
    """Every class that applies to t: list links (self loop, loop back,
    loop into another list, NULL, unmapped, misaligned, user space), other
    pointers (NULL, unmapped, misaligned, user space), counters at the
    extremes of their width, names with control bytes and invalid UTF-8."""
    out = []
    other = next((o for o in others if o.struct != t.struct and o.next), None)
    for name, where, back in t.next:
        out.append(("self loop", name, [(where, q(where))]))
        if back:
            out.append(("loop back", name, [(where, q(back))]))
        if other:
            out.append(("loop into the %s list" % other.struct, name,
                        [(where, q(other.next[0][1]))]))
        for cls, v in (("NULL", 0), ("unmapped", UNMAPPED), ("user-space", USER_PTR)):
            out.append((cls, name, [(where, q(v))]))
        out.append(("misaligned", name, [(where, q((back or where) + 3))]))
    for name, where, value in t.ptrs:
        for cls, v in (("NULL", None if name in t.nullable else 0), ("unmapped", UNMAPPED), ("user-space", USER_PTR),
                       ("misaligned", (value or UNMAPPED) + 3)):
            if cls == "misaligned" and name in t.byte_ptrs:
                continue
            if v is not None:
                out.append((cls, name, [(where, q(v))]))
    if counters:
        for name, where, w in t.counters:
            lo, hi = -(1 << (8 * w - 1)), (1 << (8 * w - 1)) - 1
            for cls, v in (("INT%d_MIN" % (8 * w), lo), ("INT%d_MAX" % (8 * w), hi)):
                out.append((cls, name, [(where, (v & (1 << 8 * w) - 1).to_bytes(w, "little"))]))
    for name, where, n in t.names:
        ctl = (b"\x1b]0;\x07\x1b[2J\r" * 4)[:n]
        bad = (b"\xff\xfe\xc3(\xe2\x82" * 4)[:n]
        out.append(("control bytes", name, [(where, ctl)]))
        out.append(("invalid UTF-8", name, [(where, bad)]))
    return out


def physical_elf(convert, src, out):
    """A physical ELF copy of src with excluded pages filled (patchable)."""
    r = subprocess.run([convert, "--format", "elf", "--fill-excluded", src, out],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def testdata_dumps(src):
    """The bundled dumps, the "mixed" scenario's first: it has every
    structure (queued sockets, memcg children), and a quick run takes only
    the first dump."""
    td = os.path.join(src, "testdata")
    return sorted((os.path.join(td, d, "vmcore.kdump") for d in os.listdir(td)
                   if os.path.exists(os.path.join(td, d, "vmcore.kdump"))),
                  key=lambda p: ("-mixed" not in os.path.basename(os.path.dirname(p)), p))
