#!/usr/bin/python3
"""An independent measurement of socket queues with drgn, for memwhere sockets.

    sockets-drgn.py VMCORE-WITH-PAGING VMLINUX MEMWHERE.json [LABEL]

drgn (python3-drgn) reads the dump through its own ELF reader, its own page
table walk and the vmlinux's DWARF, none of which memwhere shares. This
script finds the sockets of every process's fd table with drgn's helpers,
walks the same queues (sk_receive_queue, the backlog, TCP's out-of-order and
retransmit trees, UDP's reader_queue, sk_write_queue) and collects, per
socket inode: skbs, payload (skb->len), truesize, frags and the set of
compound head pages behind page-frag heads, large-kmalloc heads and frags.
It then checks memwhere's JSON (--top 0) against those numbers and the
global set of pages (count and orders).

Prints TAP lines without numbers (like tests/compare.py); exit 0 if all
passed, 1 if one failed, 2 if drgn cannot read the dump (the caller skips).
"""

import json
import sys

try:
    import drgn
    from drgn import Object, cast
    from drgn.helpers.linux.fs import for_each_file
    from drgn.helpers.linux.mm import compound_head, page_to_pfn, virt_to_page
    from drgn.helpers.linux.pid import for_each_task
    from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry
except ImportError as e:
    print("drgn not available: %s" % e, file=sys.stderr)
    sys.exit(2)

LIMIT = 1 << 22


class Prog:
    def __init__(self, core, vmlinux):
        self.prog = drgn.Program()
        self.prog.set_core_dump(core)
        self.prog.load_debug_info([vmlinux])
        p = self.prog
        self.pg_head = p.constant("PG_head").value_()
        try:
            self.pgty_slab = p.constant("PGTY_slab").value_()
        except (LookupError, drgn.FaultError):
            self.pgty_slab = None
        try:
            self.pg_slab = p.constant("PG_slab").value_()
        except LookupError:
            self.pg_slab = None
        self.netmem = any(m.name == "netmem"
                          for m in p.type("skb_frag_t").type.members) \
            if p.type("skb_frag_t").type.kind == drgn.TypeKind.STRUCT else False
        self.sock_fops = p.object("socket_file_ops").address_of_().value_()
        self.shinfo_align = (p.type("struct skb_shared_info").size + 63) & ~63

    def order(self, head):
        """Order of a compound head page (0 if not a head)."""
        if not (head.flags.value_() >> self.pg_head) & 1:
            return 0
        folio = cast("struct folio *", head)
        try:
            return folio._folio_order.value_()
        except AttributeError:
            return folio._flags_1.value_() & 0xff

    def is_slab(self, head):
        if self.pgty_slab is not None:
            return (head.page_type.value_() >> 24) == self.pgty_slab
        return bool((head.flags.value_() >> self.pg_slab) & 1)


def skb_pages(P, skb, pages, st, depth=0):
    """Account one skb (and its frag_list) into st and pages {pfn: order}."""
    prog = P.prog
    head = skb.head.value_()
    end = skb.end.value_()
    shinfo = Object(prog, "struct skb_shared_info *", value=head + end)
    hp = compound_head(virt_to_page(prog, head))
    if skb.head_frag.value_() or not P.is_slab(hp):
        pages[page_to_pfn(hp).value_()] = P.order(hp)
    nr = shinfo.nr_frags.value_()
    st["frags"] += nr
    for i in range(nr):
        f = shinfo.frags[i]
        if P.netmem:
            v = f.netmem.value_()
            if v & 1:
                continue
            page = Object(prog, "struct page *", value=v)
        else:
            page = f.bv_page
        h = compound_head(page)
        pages[page_to_pfn(h).value_()] = P.order(h)
    st["truesize"] += skb.truesize.value_()
    fl = shinfo.frag_list
    n = 0
    while fl.value_() and n < LIMIT and depth < 8:
        skb_pages(P, fl, pages, st, depth + 1)
        fl = fl.next
        n += 1


def walk_list(P, head_addr, pages, st):
    prog = P.prog
    head = Object(prog, "struct sk_buff_head *", value=head_addr)
    skb = head.next
    n = 0
    while skb.value_() != head_addr and skb.value_() and n < LIMIT:
        st["skbs"] += 1
        st["bytes"] += skb.len.value_()
        skb_pages(P, skb, pages, st)
        skb = skb.next
        n += 1


def walk_chain(P, first, pages, st):
    skb = first
    n = 0
    while skb.value_() and n < LIMIT:
        st["skbs"] += 1
        st["bytes"] += skb.len.value_()
        skb_pages(P, skb, pages, st)
        skb = skb.next
        n += 1


def walk_rb(P, root, pages, st):
    for skb in rbtree_inorder_for_each_entry("struct sk_buff", root, "rbnode"):
        st["skbs"] += 1
        st["bytes"] += skb.len.value_()
        skb_pages(P, skb, pages, st)


def measure(P, sk):
    prog = P.prog
    recv = {"skbs": 0, "bytes": 0, "truesize": 0, "frags": 0}
    send = {"skbs": 0, "bytes": 0, "truesize": 0, "frags": 0}
    pages = {}
    walk_list(P, sk.sk_receive_queue.address_of_().value_(), pages, recv)
    walk_chain(P, sk.sk_backlog.head, pages, recv)
    fam = sk.__sk_common.skc_family.value_()
    inet = fam in (2, 10)
    if inet and sk.sk_type.value_() == 1 and sk.sk_protocol.value_() == 6:
        tp = cast("struct tcp_sock *", sk)
        walk_rb(P, tp.out_of_order_queue.address_of_(), pages, recv)
        walk_rb(P, sk.tcp_rtx_queue.address_of_(), pages, send)
    if inet and sk.sk_type.value_() == 2 and sk.sk_protocol.value_() in (17, 136):
        up = cast("struct udp_sock *", sk)
        walk_list(P, up.reader_queue.address_of_().value_(), pages, recv)
    walk_list(P, sk.sk_write_queue.address_of_().value_(), pages, send)
    return recv, send, pages


class Checks:
    def __init__(self, label):
        self.label = label
        self.failed = 0

    def equal(self, name, value, want):
        ok = value == want
        desc = "%s: %s equals drgn's" % (self.label, name) if self.label else name
        print(("ok - " if ok else "not ok - ") + desc)
        if not ok:
            print("#   memwhere %r" % (value,))
            print("#   drgn     %r" % (want,))
            self.failed += 1
        return ok


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        P = Prog(argv[1], argv[2])
    except Exception as e:  # drgn cannot read this dump: skip
        print("drgn cannot read %s: %s" % (argv[1], e), file=sys.stderr)
        return 2
    with open(argv[3], encoding="utf-8") as f:
        mw = json.load(f)
    checks = Checks(argv[4] if len(argv) > 4 else "")
    by_inode = {s["inode"]: s for s in mw["sockets"] if s.get("inode")}

    seen = set()
    all_pages = {}
    for task in for_each_task(P.prog):
        try:
            files = list(for_each_file(task))
        except drgn.FaultError:
            continue
        for fd, file in files:
            try:
                if not file.value_() or file.f_op.value_() != P.sock_fops:
                    continue
            except drgn.FaultError:
                continue
            sock = cast("struct socket *", file.private_data)
            sk = sock.sk
            if not sk.value_() or sk.value_() in seen:
                continue
            seen.add(sk.value_())
            ino = file.f_inode.i_ino.value_()
            recv, send, pages = measure(P, sk)
            all_pages.update(pages)
            m = by_inode.get(ino)
            name = "socket inode %d" % ino
            if m is None:
                checks.equal("%s listed" % name, False, True)
                continue
            checks.equal("%s recv skbs/payload/truesize/frags" % name,
                         [m["recv"]["skbs"], m["recv"]["payload_bytes"],
                          m["recv"]["truesize_bytes"], m["recv"]["frags"]],
                         [recv["skbs"], recv["bytes"], recv["truesize"], recv["frags"]])
            checks.equal("%s send skbs/payload/truesize/frags" % name,
                         [m["send"]["skbs"], m["send"]["payload_bytes"],
                          m["send"]["truesize_bytes"], m["send"]["frags"]],
                         [send["skbs"], send["bytes"], send["truesize"], send["frags"]])
            orders = {}
            for o in pages.values():
                orders[str(o)] = orders.get(str(o), 0) + 1
            checks.equal("%s frag_pages and their orders" % name,
                         [m["frag_pages"], m.get("frag_pages_by_order", {})],
                         [len(pages), orders])
    # the global set: sockets no fd holds are not walked here, so compare
    # only when memwhere found none with skbs
    tot = mw["totals"]
    unowned = [s for s in mw["sockets"] if not s["owners"] and
               (s["recv_skbs"] or s["send_skbs"])]
    if not unowned:
        orders = {}
        for o in all_pages.values():
            orders[str(o)] = orders.get(str(o), 0) + 1
        checks.equal("all sockets: distinct compound pages and their orders",
                     [tot["frag_pages"], tot["frag_pages_by_order"]],
                     [len(all_pages), orders])
        checks.equal("all sockets: bytes of those pages",
                     tot["frag_page_bytes"],
                     sum(4096 << o for o in all_pages.values()))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
