# drgn side of tests/bench/slab-vmalloc.sh: slab caches counted as
# /proc/slabinfo counts them (per node nr_slabs/total_objects, free objects
# on the partial lists) and vmalloc areas summed, with drgn 0.0.22's own
# helpers (it has no slab_cache_usage and no vmalloc helper).
# Run as: drgn -q -c DUMP -s VMLINUX slab_drgn.py slab|vmalloc
import sys
import time

from drgn import cast
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.rbtree import rbtree_inorder_for_each_entry
from drgn.helpers.linux.slab import for_each_slab_cache

what = sys.argv[1] if len(sys.argv) > 1 else "slab"
t0 = time.monotonic()
if what == "slab":
    try:
        slab_type = prog.type("struct slab")
    except LookupError:
        slab_type = prog.type("struct page")
    nr_nodes = 1
    try:
        nr_nodes = int(prog["nr_node_ids"])
    except KeyError:
        pass
    caches = bytes_total = 0
    for c in for_each_slab_cache(prog):
        caches += 1
        order = int(c.oo.x) >> 16
        slabs = objs = free = 0
        for i in range(nr_nodes):
            n = c.node[i]
            if not n:
                continue
            slabs += int(n.nr_slabs.counter)
            objs += int(n.total_objects.counter)
            for s in list_for_each_entry(slab_type, n.partial.address_of_(), "slab_list"):
                free += int(s.objects) - int(s.inuse)
        bytes_total += slabs << (order + 12)
    print("drgn slab: %d caches, %d bytes, %.3f s" % (caches, bytes_total, time.monotonic() - t0))
else:
    areas = pages = 0
    roots = []
    try:
        nodes = prog["vmap_nodes"]
        for i in range(int(prog["nr_vmap_nodes"])):
            roots.append(nodes[i].busy.root.address_of_())
    except KeyError:
        roots.append(prog["vmap_area_root"].address_of_())
    for root in roots:
        for va in rbtree_inorder_for_each_entry("struct vmap_area", root, "rb_node"):
            areas += 1
            vm = va.vm
            if vm:
                pages += int(vm.nr_pages)
    print("drgn vmalloc: %d areas, %d pages, %.3f s" % (areas, pages, time.monotonic() - t0))
