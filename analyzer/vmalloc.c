/* memwhere: vmalloc areas by caller. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/cpus.h"
#include "analyzer/vmalloc.h"
#include "analyzer/vmstat.h"
#include "analyzer/walk.h"

/* vm_struct.flags: #defines in include/linux/vmalloc.h, not in BTF; their
 * values have not changed since they were introduced. */
enum {
	VM_IOREMAP = 0x1,
	VM_ALLOC = 0x2,
	VM_MAP = 0x4,
	VM_USERMAP = 0x8,
	VM_DMA_COHERENT = 0x10,
	MAX_VMAP_NODES = 4096,
};

const char *mw_vmalloc_kind_name(enum mw_vmalloc_kind k)
{
	static const char *const names[MW_VMALLOC_KIND_NR] = {
		[MW_VMALLOC_KIND_VMALLOC] = "vmalloc",
		[MW_VMALLOC_KIND_VMAP] = "vmap",
		[MW_VMALLOC_KIND_IOREMAP] = "ioremap",
		[MW_VMALLOC_KIND_USER] = "user",
		[MW_VMALLOC_KIND_DMA] = "dma-coherent",
		[MW_VMALLOC_KIND_PERCPU] = "percpu",
		[MW_VMALLOC_KIND_VM_MAP_RAM] = "vm_map_ram",
		[MW_VMALLOC_KIND_OTHER] = "other",
	};
	return (unsigned)k < MW_VMALLOC_KIND_NR ? names[k] : "other";
}

struct layout {
	struct mw_field va_start, va_end, va_list, va_vm, va_size;
	struct mw_field vm_addr, vm_size, vm_flags, vm_nr_pages, vm_caller;
	struct mw_field node_busy, rbl_head, node_size;
};

struct ctx {
	struct mw_kernel *k;
	struct mw_warnings *w;
	const struct layout *L;
	struct mw_vmalloc *v;
	uint64_t *caller_of;		/* caller address per area */
	size_t cap;
	uint64_t ram;
	uint64_t pages;			/* pages counted so far: within RAM */
	uint64_t percpu_caller;		/* pcpu_get_vm_areas, 0 if unknown */
	bool bad_warned;
};

/* A vm_struct that is not the area's (setup_vmalloc_vm: addr is va_start,
 * size va_end - va_start, guard page included) or holds more pages than
 * its size or the RAM left: a warning, and the area counts no pages. */
static bool vm_bad(struct ctx *c, uint64_t start, uint64_t end, uint64_t vm, uint64_t addr,
		   uint64_t size, uint64_t nr)
{
	const char *why = NULL;
	if (addr != start || size == 0 || size > end - start)
		why = "is not this area's";
	else if (nr > size / c->v->page_size)
		why = "has more pages than its size";
	else if (c->ram && nr > c->ram / c->v->page_size - c->pages)
		why = "has more pages than the dump's RAM holds besides the areas before it";
	if (!why)
		return false;
	if (!c->bad_warned)
		mw_warn(c->w, "vmalloc area at 0x%" PRIx64 "-0x%" PRIx64 ": vm_struct 0x%" PRIx64
			" at 0x%" PRIx64 " has %" PRIu64 " pages for %" PRIu64 " bytes: it %s;"
			" its pages are not counted", start, end, vm, addr, nr, size, why);
	c->bad_warned = true;
	c->v->incomplete = true;
	return true;
}

/* prev_end: the end of the list's area before this one (a busy list is in
 * address order), 0 for the first. */
static struct mw_error *add_area(struct ctx *c, uint64_t va, uint64_t *prev_end)
{
	const struct layout *L = c->L;
	struct mw_error *err;
	uint64_t start, end, vm;
	if ((err = mw_kread_u64(c->k, va + L->va_start.offset, &start)) ||
	    (err = mw_kread_u64(c->k, va + L->va_end.offset, &end)) ||
	    (err = mw_kread_u64(c->k, va + L->va_vm.offset, &vm)))
		return err;
	/* a busy list is sorted and its areas are disjoint: anything else is
	 * not a vmap_area of this list (a link into another list) */
	if (start >= end || start < *prev_end || !mw_kptr_ok(start, 1))
		return mw_error_at(MW_ERR_BAD_DATA, va, "vmap_area 0x%" PRIx64 "-0x%" PRIx64
				   " is not a kernel range after the area before it (ending at 0x%"
				   PRIx64 ")", start, end, *prev_end);
	*prev_end = end;
	struct mw_vmalloc_area a = { .start = start, .end = end,
				     .kind = MW_VMALLOC_KIND_VM_MAP_RAM };
	uint64_t caller = 0;
	if (vm && !mw_kptr_ok(vm, 8)) {
		if (!c->bad_warned)
			mw_warn(c->w, "vmalloc: vmap_area 0x%" PRIx64 "-0x%" PRIx64 ": vm 0x%" PRIx64
				" is not a kernel pointer; its pages are not counted", start, end, vm);
		c->bad_warned = true;
		c->v->incomplete = true;
		a.kind = MW_VMALLOC_KIND_OTHER;
	} else if (vm) {
		uint64_t addr = 0, size = 0, flags = 0, nr = 0;
		if ((err = mw_kread_u64(c->k, vm + L->vm_addr.offset, &addr)) ||
		    (err = mw_kread_u64(c->k, vm + L->vm_size.offset, &size)) ||
		    (err = mw_kread_uint(c->k, vm + L->vm_flags.offset, L->vm_flags.size, &flags)) ||
		    (err = mw_kread_uint(c->k, vm + L->vm_nr_pages.offset, L->vm_nr_pages.size, &nr)) ||
		    (err = mw_kread_u64(c->k, vm + L->vm_caller.offset, &caller)))
			return mw_error_prepend(err, "vm_struct of the area at 0x%" PRIx64, start);
		if (vm_bad(c, start, end, vm, addr, size, nr)) {
			/* nothing of it is believed: an area of unknown kind */
			nr = flags = caller = 0;
		} else {
			a.end = addr + size;
			a.flags = flags;
		}
		c->pages += nr;
		a.pages = nr;
		if (c->percpu_caller && caller == c->percpu_caller)
			a.kind = MW_VMALLOC_KIND_PERCPU;
		else if (flags & VM_IOREMAP)
			a.kind = MW_VMALLOC_KIND_IOREMAP;
		else if (flags & VM_ALLOC)
			a.kind = MW_VMALLOC_KIND_VMALLOC;
		else if (flags & VM_MAP)
			a.kind = MW_VMALLOC_KIND_VMAP;
		else if (flags & VM_USERMAP)
			a.kind = MW_VMALLOC_KIND_USER;
		else if (flags & VM_DMA_COHERENT)
			a.kind = MW_VMALLOC_KIND_DMA;
		else
			a.kind = MW_VMALLOC_KIND_OTHER;
		/* VmallocUsed: nr_vmalloc_pages, added by vmalloc's own page allocation */
		if (flags & VM_ALLOC)
			c->v->total_bytes += nr * c->v->page_size;
	}
	if (c->v->nr_areas == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct mw_vmalloc_area *n = realloc(c->v->areas, cap * sizeof(*n));
		if (!n)
			return &mw_error_nomem;
		c->v->areas = n;
		uint64_t *co = realloc(c->caller_of, cap * sizeof(*co));
		if (!co)
			return &mw_error_nomem;
		c->caller_of = co;
		c->cap = cap;
	}
	c->caller_of[c->v->nr_areas] = caller;
	c->v->kind_bytes[a.kind] += a.pages * c->v->page_size;
	c->v->areas[c->v->nr_areas++] = a;
	return NULL;
}

static struct mw_error *walk_list(struct ctx *c, uint64_t head)
{
	const struct layout *L = c->L;
	uint64_t next;
	struct mw_error *err = mw_kread_u64(c->k, head, &next);
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(c->ram, L->va_size.found ? L->va_size.size : 0));
	uint64_t prev_end = 0;
	while (!err) {
		enum mw_list_step st = mw_list_walk_next(&lw, next);
		if (st == MW_LIST_END)
			break;
		if (st != MW_LIST_NODE)
			return mw_list_walk_error(&lw, st, next, "vmap_area", "areas");
		if ((err = add_area(c, next - L->va_list.offset, &prev_end)))
			break;
		err = mw_kread_u64(c->k, next, &next);
	}
	return err;
}

static struct mw_error *walk_all(struct ctx *c)
{
	const struct layout *L = c->L;
	uint64_t head;
	/* before 6.9: one list of busy areas */
	struct mw_error *e = mw_kernel_symbol(c->k, "vmap_area_list", &head);
	if (!e)
		return walk_list(c, head);
	mw_error_destroy(e);
	/* 6.9+: per-node busy lists */
	if (!L->node_busy.found || !L->rbl_head.found || !L->node_size.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "no vmap_area_list and no struct vmap_node");
	uint64_t nodes;
	uint32_t nr;
	struct mw_error *err;
	if ((err = mw_kread_sym_u64(c->k, "vmap_nodes", &nodes)) ||
	    (err = mw_kread_sym_u32(c->k, "nr_vmap_nodes", &nr)))
		return err;
	if (nr == 0 || nr > MAX_VMAP_NODES)
		return mw_error_create(MW_ERR_BAD_DATA, "nr_vmap_nodes is %" PRIu32, nr);
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t h = nodes + i * L->node_size.size + L->node_busy.offset +
			L->rbl_head.offset;
		if ((err = walk_list(c, h))) {
			/* one broken node: the others still count */
			mw_warn_error(c->w, err, "vmalloc: a vmap_node busy list");
			c->v->incomplete = true;
		}
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_caller(const void *a, const void *b)
{
	const struct mw_vmalloc_caller *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->vm_bytes != y->vm_bytes)
		return x->vm_bytes > y->vm_bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The kernel image's end: kallsyms has no symbol sizes, so an address past
 * the last symbol (module code, BPF) would otherwise fall into it. */
static uint64_t image_end(const struct mw_kernel *k)
{
	uint64_t end = 0;
	struct mw_error *e = mw_kernel_symbol(k, "_end", &end);
	if (e) {
		mw_error_destroy(e);
		end = 0;
	}
	return end;
}

static void caller_name(struct mw_kernel *k, const struct mw_vmalloc *v, uint64_t end,
			uint64_t addr, char *buf, size_t len)
{
	/* modules lie above the image on x86-64, below it on arm64 */
	uint64_t text = 0;
	struct mw_error *e = mw_kernel_symbol(k, "_text", &text);
	bool have_text = e == NULL;
	mw_error_destroy(e);
	bool outside = end && (addr >= end || (have_text && addr < text));
	if (addr && outside && v->modules_known &&
	    mw_modules_name_addr(k, &v->modules, addr, buf, len))
		return;
	uint64_t off = 0;
	const struct mw_symbol *s = addr && k->symbols && (!end || !outside) ?
		mw_symbols_lookup_addr(k->symbols, addr, &off) : NULL;
	if (!addr)
		snprintf(buf, len, "(none)");
	else if (s)
		snprintf(buf, len, "%s+0x%" PRIx64, s->name, off);
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
}

/* Group the areas by caller address; rank. */
static struct mw_error *group(struct ctx *c)
{
	struct mw_vmalloc *v = c->v;
	size_t n = v->nr_areas;
	if (!n)
		return NULL;
	uint64_t *u = malloc(n * sizeof(*u));
	if (!u)
		return &mw_error_nomem;
	memcpy(u, c->caller_of, n * sizeof(*u));
	qsort(u, n, sizeof(*u), cmp_u64);
	size_t nu = 0;
	for (size_t i = 0; i < n; i++)
		if (!nu || u[i] != u[nu - 1])
			u[nu++] = u[i];
	v->callers = calloc(nu, sizeof(*v->callers));
	if (!v->callers) {
		free(u);
		return &mw_error_nomem;
	}
	v->nr_callers = nu;
	uint64_t end = image_end(c->k);
	for (size_t i = 0; i < nu; i++) {
		v->callers[i].address = u[i];
		caller_name(c->k, v, end, u[i], v->callers[i].name, sizeof(v->callers[i].name));
	}
	for (size_t i = 0; i < n; i++) {
		const uint64_t *p = bsearch(&c->caller_of[i], u, nu, sizeof(*u), cmp_u64);
		struct mw_vmalloc_caller *cl = &v->callers[p - u];
		const struct mw_vmalloc_area *a = &v->areas[i];
		cl->areas++;
		cl->pages += a->pages;
		cl->bytes += a->pages * v->page_size;
		cl->vm_bytes += a->end - a->start;
	}
	qsort(v->callers, nu, sizeof(*v->callers), cmp_caller);
	/* each area's caller index in the ranked list, through the sorted addresses */
	uint32_t *rank = malloc(nu * sizeof(*rank));
	if (!rank) {
		free(u);
		return &mw_error_nomem;
	}
	for (size_t i = 0; i < nu; i++) {
		const uint64_t *p = bsearch(&v->callers[i].address, u, nu, sizeof(*u), cmp_u64);
		rank[p - u] = (uint32_t)i;
	}
	for (size_t j = 0; j < n; j++) {
		const uint64_t *p = bsearch(&c->caller_of[j], u, nu, sizeof(*u), cmp_u64);
		v->areas[j].caller = rank[p - u];
	}
	free(rank);
	free(u);
	return NULL;
}

struct mw_error *mw_vmalloc_analyze(struct mw_kernel *k, struct mw_warnings *w,
				    struct mw_vmalloc *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct layout L;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("vmap_area.va_start", &L.va_start),
		MW_FIELD_MEMBER("vmap_area.va_end", &L.va_end),
		MW_FIELD_MEMBER("vmap_area.list", &L.va_list),
		MW_FIELD_MEMBER("vmap_area.vm", &L.va_vm),
		MW_FIELD_SIZEOF_OPT("vmap_area", &L.va_size),
		MW_FIELD_MEMBER("vm_struct.addr", &L.vm_addr),
		MW_FIELD_MEMBER("vm_struct.size", &L.vm_size),
		MW_FIELD_MEMBER("vm_struct.flags", &L.vm_flags),
		MW_FIELD_MEMBER("vm_struct.nr_pages", &L.vm_nr_pages),
		MW_FIELD_MEMBER("vm_struct.caller", &L.vm_caller),
		MW_FIELD_MEMBER_OPT("vmap_node.busy", &L.node_busy),
		MW_FIELD_MEMBER_OPT("rb_list.head", &L.rbl_head),
		MW_FIELD_SIZEOF_OPT("vmap_node", &L.node_size),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return mw_error_prepend(err, "vmalloc");
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	ret->page_size = k->vm.page_size;
	struct ctx c = { .k = k, .w = w, .L = &L, .v = ret, .ram = info->total_bytes };
	struct mw_error *e = mw_kernel_symbol(k, "pcpu_get_vm_areas", &c.percpu_caller);
	if (e) {
		mw_error_destroy(e);
		c.percpu_caller = 0;
	}
	struct mw_error *me = mw_modules_read(k, w, true, &ret->modules);
	if (me)
		mw_warn_error(w, me, "vmalloc: callers in modules are shown as addresses");
	else
		ret->modules_known = true;
	struct mw_error *pe = mw_percpu_read(k, w, &ret->percpu);
	if (pe)
		mw_warn_error(w, pe, "vmalloc: percpu chunks");
	else
		ret->percpu_known = true;
	if ((err = walk_all(&c))) {
		if (!ret->nr_areas) {
			free(c.caller_of);
			mw_vmalloc_deinit(ret);
			return mw_error_prepend(err, "vmalloc");
		}
		ret->incomplete = true;
		mw_warn_error(w, err, "vmalloc: areas after the break are not counted");
	}
	uint64_t nr = 0;
	e = mw_kread_sym_u64(k, "nr_vmalloc_pages", &nr);
	if (e) {
		/* since 7.0 the node counter NR_VMALLOC (the kernel's VmallocUsed
		 * reads it without the per-CPU deltas; here they are folded) */
		struct mw_cpus cpus;
		int64_t v = -1;
		mw_error_destroy(e);
		e = mw_cpus_read(k, &cpus);
		if (!e) {
			e = mw_vmstat_node_counter(k, &cpus, "NR_VMALLOC", w, &v);
			mw_cpus_deinit(&cpus);
		}
		nr = !e && v >= 0 ? (uint64_t)v : UINT64_MAX;
	}
	if (!e && nr < info->total_bytes / ret->page_size + 1) {
		ret->kernel_counter_known = true;
		ret->kernel_counter_bytes = nr * ret->page_size;
	}
	mw_error_destroy(e);
	err = group(&c);
	free(c.caller_of);
	if (err)
		mw_vmalloc_deinit(ret);
	return err;
}

void mw_vmalloc_deinit(struct mw_vmalloc *v)
{
	mw_modules_deinit(&v->modules);
	mw_percpu_deinit(&v->percpu);
	free(v->areas);
	free(v->callers);
	memset(v, 0, sizeof(*v));
}
