/* memwhere: per-CPU free lists, percpu chunks, kernel stacks, vmalloc
 * areas and slab caches, walked from the kernel's own lists. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/pagesets.h"
#include "analyzer/walk.h"
#include "common/grow.h"

enum {
	PAGE_ALLOC_COSTLY_ORDER = 3,	/* pcp lists: orders 0..3 per migratetype, then THP */
	MAX_LIST_ENTRIES = 1 << 24,	/* bound on any list walk */
	PCPU_CHUNK_MIN = 64,		/* struct pcpu_chunk is larger than this */
	THREAD_SIZE_MIN = 8192,	/* the smallest kernel stack (x86-64: 16 KiB) */
	MAX_VMALLOC_PAGES = 1 << 26,	/* 256 GiB of vmalloc in one area */
	MAX_PERCPU_PAGES = 1 << 16,	/* pages in one percpu unit */
	SLAB_RECLAIM_ACCOUNT_OLD = 0x00020000,	/* before enum _slab_flag_bits (6.9) */
	THREAD_SIZE_DEFAULT = 16384,	/* x86-64 without KASAN */
	CACHE_NAME_MAX = 64,
};

/* A growable PFN list, turned into runs at the end. */
struct mw_error *mw_pfnset_builder_add(struct mw_pfnset_builder *p, uint64_t pfn,
				       uint64_t count)
{
	if (count > MAX_VMALLOC_PAGES)
		return mw_error_create(MW_ERR_LIMIT, "a run of %" PRIu64 " pages", count);
	if (p->n + count > p->cap) {
		size_t cap = p->cap ? p->cap : 1024;
		while (cap < p->n + count)
			cap *= 2;
		uint64_t *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return &mw_error_nomem;
		p->v = v;
		p->cap = cap;
	}
	for (uint64_t i = 0; i < count; i++)
		p->v[p->n++] = pfn + i;
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct mw_error *mw_pfnset_builder_finish(struct mw_pfnset_builder *p,
					  struct mw_pfnset *set)
{
	memset(set, 0, sizeof(*set));
	if (!p->n)
		return NULL;
	qsort(p->v, p->n, sizeof(*p->v), cmp_u64);
	size_t nruns = 0;
	for (size_t i = 0; i < p->n; i++)
		if (i == 0 || p->v[i] > p->v[i - 1] + 1)
			nruns++;
	set->runs = calloc(nruns, sizeof(*set->runs));
	if (!set->runs)
		return &mw_error_nomem;
	for (size_t i = 0; i < p->n; i++) {
		if (i > 0 && p->v[i] == p->v[i - 1])
			continue;
		if (set->nr && p->v[i] == set->runs[set->nr - 1].start +
		    set->runs[set->nr - 1].count) {
			set->runs[set->nr - 1].count++;
		} else {
			set->runs[set->nr].start = p->v[i];
			set->runs[set->nr].count = 1;
			set->nr++;
		}
		set->pages++;
	}
	p->n = 0;
	return NULL;
}

void mw_pfnset_builder_deinit(struct mw_pfnset_builder *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

void mw_pfnset_deinit(struct mw_pfnset *set)
{
	free(set->runs);
	memset(set, 0, sizeof(*set));
}

size_t mw_pfnset_seek(const struct mw_pfnset *set, uint64_t pfn)
{
	size_t lo = 0, hi = set->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (set->runs[mid].start + set->runs[mid].count <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct ctx {
	struct mw_kernel *k;
	const struct mw_cpus *cpus;
	const struct mw_vmstat *vs;
	const struct mw_page_layout *l;
	struct mw_warnings *w;
	struct mw_pagesets *s;
	struct mw_pfnset_builder vec[MW_SET_NR];
};

/* pfn of a struct page pointer, or false if it does not point at one. */
static bool page_pfn(const struct ctx *c, uint64_t ptr, uint64_t *pfn)
{
	uint64_t base = c->k->vmemmap_base;
	if (ptr < base || (ptr - base) % c->l->size)
		return false;
	*pfn = (ptr - base) / c->l->size;
	return *pfn < c->s->max_pfn;
}

/* ---- per-CPU free lists ---- */

static struct mw_error *walk_pcp(struct ctx *c)
{
	struct mw_field lists, count, pcp_list, pcptypes;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("per_cpu_pages.lists", &lists),
		MW_FIELD_MEMBER("per_cpu_pages.count", &count),
		MW_FIELD_MEMBER_OPT("page.pcp_list", &pcp_list),
		MW_FIELD_ENUM("migratetype.MIGRATE_PCPTYPES", &pcptypes),
	};
	struct mw_error *err = mw_types_resolve_fields(c->k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	uint64_t link = pcp_list.found ? pcp_list.offset : c->l->off_lru;
	uint64_t nr_lists = lists.nr_elements;
	uint64_t nr_low = (uint64_t)pcptypes.value * (PAGE_ALLOC_COSTLY_ORDER + 1);
	/* before 5.14: one list per migratetype, of order-0 pages only */
	if (pcptypes.value > 0 && nr_lists == (uint64_t)pcptypes.value)
		nr_low = nr_lists;
	if (pcptypes.value <= 0 || nr_lists < nr_low || nr_lists > 64)
		return mw_error_create(MW_ERR_BAD_DATA,
				       "per_cpu_pages has %" PRIu64 " lists for %" PRId64 " pcp migratetypes",
				       nr_lists, pcptypes.value);
	for (size_t z = 0; z < c->vs->nr_zones; z++) {
		const struct mw_zone *zone = &c->vs->zones[z];
		if (!zone->pageset)
			continue;
		for (unsigned ci = 0; ci < c->cpus->nr; ci++) {
			uint64_t pcp = zone->pageset + c->cpus->offsets[ci];
			uint32_t cnt;
			if ((err = mw_kread_u32(c->k, pcp + count.offset, &cnt)))
				return err;
			uint64_t found = 0, steps = 0;
			for (uint64_t li = 0; li < nr_lists; li++) {
				unsigned order = li < nr_low ? (unsigned)(li / (uint64_t)pcptypes.value) :
					c->l->pmd_order;
				if (order >= c->l->nr_orders)
					continue;
				uint64_t head = pcp + lists.offset + li * 16, next;
				if ((err = mw_kread_u64(c->k, head, &next)))
					return err;
				while (next != head) {
					uint64_t pfn;
					if (++steps > (uint64_t)cnt + 1 || steps > MAX_LIST_ENTRIES)
						return mw_error_at(MW_ERR_LIMIT, head,
								   "per-CPU free list of zone %s CPU %u is longer than its count %" PRIu32,
								   zone->name, c->cpus->ids[ci], cnt);
					if (!page_pfn(c, next - link, &pfn))
						return mw_error_at(MW_ERR_BAD_DATA, next,
								   "per-CPU free list entry is not a struct page");
					if ((err = mw_pfnset_builder_add(&c->vec[MW_SET_PCP], pfn, 1ULL << order)))
						return err;
					c->s->pcp_pages_by_order[order] += 1ULL << order;
					found += 1ULL << order;
					if ((err = mw_kread_u64(c->k, next, &next)))
						return err;
				}
			}
			c->s->pcp_list_pages += found;
			if (found != cnt)
				mw_warn(c->w, "per-CPU free lists of zone %s CPU %u hold %" PRIu64
					" pages but count says %" PRIu32,
					zone->name, c->cpus->ids[ci], found, cnt);
		}
	}
	return NULL;
}

/* ---- vmalloc areas ---- */

struct vm_layout {
	struct mw_field va_list, va_vm, vm_pages, vm_nr_pages, vm_size;
	uint64_t va_size;	/* sizeof(struct vmap_area), 0 if unknown */
};

static struct mw_error *add_vm_pages(struct ctx *c, const struct vm_layout *L,
				     uint64_t vm, enum mw_pfnset_kind kind,
				     uint64_t *added)
{
	struct mw_error *err;
	uint64_t pages = 0, nr = 0, size = 0, bad = 0;
	*added = 0;
	if (!mw_kptr_ok(vm, 8))
		return mw_error_at(MW_ERR_BAD_DATA, vm, "vm_struct pointer is not a kernel address");
	if ((err = mw_kread_u64(c->k, vm + L->vm_pages.offset, &pages)) ||
	    (err = mw_kread_uint(c->k, vm + L->vm_nr_pages.offset, L->vm_nr_pages.size, &nr)) ||
	    (err = mw_kread_u64(c->k, vm + L->vm_size.offset, &size)))
		return err;
	if (!pages || !nr)
		return NULL;
	if (nr > size / c->k->vm.page_size || nr > MAX_VMALLOC_PAGES)
		return mw_error_at(MW_ERR_BAD_DATA, vm,
				   "vm_struct has %" PRIu64 " pages for %" PRIu64 " bytes", nr, size);
	if (!mw_kptr_ok(pages, 8))
		return mw_error_at(MW_ERR_BAD_DATA, vm, "vm_struct.pages 0x%" PRIx64
				   " is not a kernel address", pages);
	uint64_t buf[512];
	for (uint64_t i = 0; i < nr; i += 512) {
		uint64_t n = nr - i < 512 ? nr - i : 512;
		if ((err = mw_kernel_read(c->k, pages + i * 8, buf, n * 8)))
			return err;
		for (uint64_t j = 0; j < n; j++) {
			uint64_t pfn;
			if (!buf[j])
				continue;
			if (!page_pfn(c, buf[j], &pfn)) {
				bad++;
				continue;
			}
			if ((err = mw_pfnset_builder_add(&c->vec[kind], pfn, 1)))
				return err;
			(*added)++;
		}
	}
	if (bad)
		return mw_error_at(MW_ERR_BAD_DATA, vm, "%" PRIu64 " of the vm_struct's %" PRIu64
				   " page pointers are not struct pages (not counted)", bad, nr);
	return NULL;
}

/* RAM in the dump: list walks are capped at what it can hold. */
static uint64_t ram_bytes(const struct ctx *c)
{
	return mw_reader_info(c->k->reader)->total_bytes;
}

/* The error that ends a list walk on anything but a node or the head. */
static struct mw_error *list_stop(const struct mw_list_walk *lw, enum mw_list_step st,
				  const char *list, uint64_t next)
{
	return mw_list_walk_error(lw, st, next, list, "entries");
}

static struct mw_error *walk_vmap_list(struct ctx *c, const struct vm_layout *L,
				       uint64_t head)
{
	uint64_t next;
	struct mw_error *err = mw_kread_u64(c->k, head, &next);
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(ram_bytes(c), L->va_size));
	while (!err) {
		enum mw_list_step st = mw_list_walk_next(&lw, next);
		if (st == MW_LIST_END)
			break;
		if (st != MW_LIST_NODE)
			return list_stop(&lw, st, "vmap_area", next);
		uint64_t va = next - L->va_list.offset, vm, added;
		if ((err = mw_kread_u64(c->k, va + L->va_vm.offset, &vm)))
			break;
		c->s->nr_vmap_areas++;
		/* vm_map_ram areas have no vm_struct; a bad one is skipped */
		if (vm) {
			struct mw_error *e = add_vm_pages(c, L, vm, MW_SET_VMALLOC, &added);
			if (e)
				mw_warn_error(c->w, e, "vmalloc area");
			c->s->vmalloc_alloc_pages += added;
		}
		err = mw_kread_u64(c->k, next, &next);
	}
	return err;
}

static struct mw_error *walk_vmalloc(struct ctx *c)
{
	struct vm_layout L;
	struct mw_field node_busy, rbl_head, node_size, va_size;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("vmap_area.list", &L.va_list),
		MW_FIELD_MEMBER("vmap_area.vm", &L.va_vm),
		MW_FIELD_MEMBER("vm_struct.pages", &L.vm_pages),
		MW_FIELD_MEMBER("vm_struct.nr_pages", &L.vm_nr_pages),
		MW_FIELD_MEMBER("vm_struct.size", &L.vm_size),
		MW_FIELD_MEMBER_OPT("vmap_node.busy", &node_busy),
		MW_FIELD_MEMBER_OPT("rb_list.head", &rbl_head),
		MW_FIELD_SIZEOF_OPT("vmap_node", &node_size),
		MW_FIELD_SIZEOF_OPT("vmap_area", &va_size),
	};
	struct mw_error *err = mw_types_resolve_fields(c->k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	L.va_size = va_size.found ? va_size.size : 0;
	uint64_t head;
	/* Linux before 6.9: one list of busy areas */
	struct mw_error *e = mw_kernel_symbol(c->k, "vmap_area_list", &head);
	if (!e)
		return walk_vmap_list(c, &L, head);
	mw_error_destroy(e);
	/* 6.9+: per-node busy lists */
	if (!node_busy.found || !rbl_head.found || !node_size.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "no vmap_area_list and no struct vmap_node");
	uint64_t nodes;
	uint32_t nr;
	if ((err = mw_kread_sym_u64(c->k, "vmap_nodes", &nodes)) ||
	    (err = mw_kread_sym_u32(c->k, "nr_vmap_nodes", &nr)))
		return err;
	if (nr == 0 || nr > 4096)
		return mw_error_create(MW_ERR_BAD_DATA, "nr_vmap_nodes is %" PRIu32, nr);
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t h = nodes + i * node_size.size + node_busy.offset + rbl_head.offset;
		if ((err = walk_vmap_list(c, &L, h)))
			return err;
	}
	return NULL;
}

/* ---- kernel stacks ---- */

struct task_layout {
	struct mw_field tasks, thread_node, signal, thread_head, stack,
		stack_vm_area, rq_idle;
	struct vm_layout vm;
};

static struct mw_error *add_stack(struct ctx *c, const struct task_layout *L,
				  uint64_t task)
{
	uint64_t stack, vm = 0, added;
	struct mw_error *err = mw_kread_u64(c->k, task + L->stack.offset, &stack);
	if (err || !stack)
		return err;
	if (L->stack_vm_area.found &&
	    (err = mw_kread_u64(c->k, task + L->stack_vm_area.offset, &vm)))
		return err;
	c->s->nr_tasks++;
	if (vm)
		return add_vm_pages(c, &L->vm, vm, MW_SET_STACK, &added);
	/* no vmap'd stack: THREAD_SIZE bytes wherever the stack is mapped */
	for (uint64_t off = 0; off < THREAD_SIZE_DEFAULT; off += c->k->vm.page_size) {
		uint64_t paddr, left;
		if ((err = mw_vm_translate(&c->k->vm, stack + off, &paddr, &left)))
			return err;
		if ((err = mw_pfnset_builder_add(&c->vec[MW_SET_STACK], paddr >> c->k->vm.page_shift, 1)))
			return err;
	}
	return NULL;
}

static struct mw_error *walk_stacks(struct ctx *c)
{
	struct task_layout L;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("task_struct.tasks", &L.tasks),
		MW_FIELD_MEMBER("task_struct.thread_node", &L.thread_node),
		MW_FIELD_MEMBER("task_struct.signal", &L.signal),
		MW_FIELD_MEMBER("signal_struct.thread_head", &L.thread_head),
		MW_FIELD_MEMBER("task_struct.stack", &L.stack),
		MW_FIELD_MEMBER_OPT("task_struct.stack_vm_area", &L.stack_vm_area),
		MW_FIELD_MEMBER_OPT("rq.idle", &L.rq_idle),
		MW_FIELD_MEMBER("vm_struct.pages", &L.vm.vm_pages),
		MW_FIELD_MEMBER("vm_struct.nr_pages", &L.vm.vm_nr_pages),
		MW_FIELD_MEMBER("vm_struct.size", &L.vm.vm_size),
	};
	struct mw_error *err = mw_types_resolve_fields(c->k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	uint64_t init_task;
	if ((err = mw_kernel_symbol(c->k, "init_task", &init_task)))
		return err;
	/* every process on init_task.tasks, every thread on its signal's list;
	 * both walks stop at a loop (Brent) or at the tasks RAM can hold (each
	 * has a kernel stack of THREAD_SIZE_MIN bytes at least) */
	uint64_t cap = mw_walk_cap(ram_bytes(c), THREAD_SIZE_MIN);
	uint64_t p = init_task, next;
	struct mw_list_walk lw, tw;
	mw_list_walk_init(&lw, init_task + L.tasks.offset, cap);
	for (;;) {
		uint64_t sig;
		if ((err = mw_kread_u64(c->k, p + L.signal.offset, &sig)))
			return mw_error_prepend(err, "task 0x%" PRIx64, p);
		bool any = false;
		if (sig) {
			uint64_t head = sig + L.thread_head.offset;
			if ((err = mw_kread_u64(c->k, head, &next)))
				return err;
			mw_list_walk_init(&tw, head, cap);
			for (;;) {
				enum mw_list_step st = mw_list_walk_next(&tw, next);
				if (st == MW_LIST_END)
					break;
				if (st != MW_LIST_NODE)
					return list_stop(&tw, st, "thread", next);
				uint64_t t = next - L.thread_node.offset;
				struct mw_error *e = add_stack(c, &L, t);
				if (e)
					mw_warn_error(c->w, e, "kernel stack");
				any = true;
				if ((err = mw_kread_u64(c->k, next, &next)))
					return err;
			}
		}
		if (!any && p != init_task) {
			struct mw_error *e = add_stack(c, &L, p);
			if (e)
				mw_warn_error(c->w, e, "kernel stack");
		}
		if ((err = mw_kread_u64(c->k, p + L.tasks.offset, &next)))
			return err;
		enum mw_list_step st = mw_list_walk_next(&lw, next);
		if (st == MW_LIST_END)
			break;
		if (st != MW_LIST_NODE)
			return list_stop(&lw, st, "task", next);
		p = next - L.tasks.offset;
	}
	/* the idle tasks of the other CPUs are on no list */
	uint64_t rq;
	struct mw_error *e = mw_kernel_symbol(c->k, "runqueues", &rq);
	if (e || !L.rq_idle.found) {
		mw_warn_error(c->w, e ? e : mw_error_create(MW_ERR_NOT_FOUND, "no rq.idle"),
			      "idle tasks' kernel stacks");
		return NULL;
	}
	for (unsigned ci = 0; ci < c->cpus->nr; ci++) {
		uint64_t idle;
		if ((err = mw_kread_u64(c->k, rq + c->cpus->offsets[ci] + L.rq_idle.offset, &idle)))
			return err;
		if (idle && idle != init_task && (e = add_stack(c, &L, idle)))
			mw_warn_error(c->w, e, "idle task kernel stack");
	}
	return NULL;
}

/* ---- percpu chunks ---- */

struct chunk_layout {
	struct mw_field list, base_addr, nr_pages, populated;
};

static struct mw_error *add_chunk(struct ctx *c, const struct chunk_layout *L,
				  uint64_t chunk, const uint64_t *unit_offs,
				  size_t nr_units)
{
	struct mw_error *err;
	uint64_t base;
	uint32_t nr_pages;
	if ((err = mw_kread_u64(c->k, chunk + L->base_addr.offset, &base)) ||
	    (err = mw_kread_u32(c->k, chunk + L->nr_pages.offset, &nr_pages)))
		return err;
	if (nr_pages == 0 || nr_pages > MAX_PERCPU_PAGES)
		return mw_error_at(MW_ERR_BAD_DATA, chunk, "percpu chunk of %" PRIu32 " pages",
				   nr_pages);
	size_t words = (nr_pages + 63) / 64;
	uint64_t *pop = calloc(words, 8);
	if (!pop)
		return &mw_error_nomem;
	if ((err = mw_kernel_read(c->k, chunk + L->populated.offset, pop, words * 8))) {
		free(pop);
		return err;
	}
	c->s->nr_percpu_chunks++;
	for (uint32_t i = 0; i < nr_pages && !err; i++) {
		if (!(pop[i / 64] & (1ULL << (i % 64))))
			continue;
		for (size_t u = 0; u < nr_units && !err; u++) {
			uint64_t paddr, left;
			err = mw_vm_translate(&c->k->vm, base + unit_offs[u] + ((uint64_t)i << c->k->vm.page_shift),
					      &paddr, &left);
			if (!err)
				err = mw_pfnset_builder_add(&c->vec[MW_SET_PERCPU], paddr >> c->k->vm.page_shift, 1);
		}
	}
	free(pop);
	return err;
}

static int cmp_u64s(const void *a, const void *b)
{
	return cmp_u64(a, b);
}

static struct mw_error *walk_percpu(struct ctx *c)
{
	struct chunk_layout L;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("pcpu_chunk.list", &L.list),
		MW_FIELD_MEMBER("pcpu_chunk.base_addr", &L.base_addr),
		MW_FIELD_MEMBER("pcpu_chunk.nr_pages", &L.nr_pages),
		MW_FIELD_MEMBER("pcpu_chunk.populated", &L.populated),
	};
	struct mw_error *err = mw_types_resolve_fields(c->k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	uint64_t offs_ptr, lists, first, reserved;
	uint32_t nr_slots;
	if ((err = mw_kread_sym_u64(c->k, "pcpu_unit_offsets", &offs_ptr)) ||
	    (err = mw_kread_sym_u64(c->k, "pcpu_chunk_lists", &lists)) ||
	    (err = mw_kread_sym_u32(c->k, "pcpu_nr_slots", &nr_slots)) ||
	    (err = mw_kread_sym_u64(c->k, "pcpu_first_chunk", &first)) ||
	    (err = mw_kread_sym_u64(c->k, "pcpu_reserved_chunk", &reserved)))
		return err;
	if (nr_slots == 0 || nr_slots > 1024)
		return mw_error_create(MW_ERR_BAD_DATA, "pcpu_nr_slots is %" PRIu32, nr_slots);
	/* unit offsets of the possible CPUs, distinct */
	uint64_t *offs = calloc(c->cpus->nr, sizeof(*offs));
	if (!offs)
		return &mw_error_nomem;
	size_t nu = 0;
	for (unsigned i = 0; i < c->cpus->nr && !err; i++)
		err = mw_kread_u64(c->k, offs_ptr + (uint64_t)c->cpus->ids[i] * 8, &offs[nu++]);
	if (err) {
		free(offs);
		return err;
	}
	qsort(offs, nu, sizeof(*offs), cmp_u64s);
	size_t n = 0;
	for (size_t i = 0; i < nu; i++)
		if (i == 0 || offs[i] != offs[n - 1])
			offs[n++] = offs[i];
	bool first_seen = false;
	for (uint32_t s = 0; s < nr_slots && !err; s++) {
		uint64_t head = lists + (uint64_t)s * 16, next;
		if ((err = mw_kread_u64(c->k, head, &next)))
			break;
		struct mw_list_walk lw;
		mw_list_walk_init(&lw, head, mw_walk_cap(ram_bytes(c), PCPU_CHUNK_MIN));
		for (;;) {
			enum mw_list_step st = mw_list_walk_next(&lw, next);
			if (st == MW_LIST_END)
				break;
			if (st != MW_LIST_NODE) {
				err = list_stop(&lw, st, "percpu chunk", next);
				break;
			}
			uint64_t chunk = next - L.list.offset;
			if (chunk == first)
				first_seen = true;
			struct mw_error *e = add_chunk(c, &L, chunk, offs, n);
			if (e)
				mw_warn_error(c->w, e, "percpu chunk");
			if ((err = mw_kread_u64(c->k, next, &next)))
				break;
		}
	}
	/* The first chunk's struct covers only its dynamic part; the static
	 * percpu variables (and the reserved chunk) sit below it, from
	 * pcpu_base_addr, and count as populated too. */
	uint64_t pbase = 0, fbase = 0, page = c->k->vm.page_size;
	if (!err && first) {
		struct mw_error *e = mw_kread_sym_u64(c->k, "pcpu_base_addr", &pbase);
		if (!e)
			e = mw_kread_u64(c->k, first + L.base_addr.offset, &fbase);
		if (e) {
			mw_warn_error(c->w, e, "static percpu area");
			pbase = fbase = 0;
		}
	}
	if (!err && first && fbase >= pbase && fbase - pbase < (64ULL << 20)) {
		for (uint64_t a = pbase & ~(page - 1); a < fbase && !err; a += page)
			for (size_t u = 0; u < n && !err; u++) {
				uint64_t paddr, left;
				err = mw_vm_translate(&c->k->vm, a + offs[u], &paddr, &left);
				if (!err)
					err = mw_pfnset_builder_add(&c->vec[MW_SET_PERCPU], paddr >> c->k->vm.page_shift, 1);
			}
	}
	if (!err && first && !first_seen) {
		struct mw_error *e = add_chunk(c, &L, first, offs, n);
		if (e)
			mw_warn_error(c->w, e, "first percpu chunk");
	}
	if (!err && reserved && reserved != first) {
		struct mw_error *e = add_chunk(c, &L, reserved, offs, n);
		if (e)
			mw_warn_error(c->w, e, "reserved percpu chunk");
	}
	free(offs);
	return err;
}

/* ---- slab caches ---- */

static int cmp_cache(const void *a, const void *b)
{
	const struct mw_slab_cache *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

const struct mw_slab_cache *mw_pagesets_cache(const struct mw_pagesets *s,
					      uint64_t addr)
{
	struct mw_slab_cache key = { .addr = addr };
	if (!s->nr_caches)	/* caches is NULL when none was read */
		return NULL;
	return bsearch(&key, s->caches, s->nr_caches, sizeof(key), cmp_cache);
}

static struct mw_error *walk_caches(struct ctx *c)
{
	struct mw_field list, flags, name, bit, size;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("kmem_cache.list", &list),
		MW_FIELD_MEMBER("kmem_cache.flags", &flags),
		MW_FIELD_MEMBER("kmem_cache.name", &name),
		MW_FIELD_ENUM_OPT("_slab_flag_bits._SLAB_RECLAIM_ACCOUNT", &bit),
		MW_FIELD_SIZEOF_OPT("kmem_cache", &size),
	};
	struct mw_error *err = mw_types_resolve_fields(c->k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	uint64_t reclaim = bit.found && bit.value >= 0 && bit.value < 32 ?
		1ULL << bit.value : SLAB_RECLAIM_ACCOUNT_OLD;
	uint64_t head, next;
	if ((err = mw_kernel_symbol(c->k, "slab_caches", &head)) ||
	    (err = mw_kread_u64(c->k, head, &next)))
		return err;
	size_t cap = 0;
	bool dentry_seen = false, dentry_reclaim = false;
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(ram_bytes(c), size.found ? size.size : 0));
	for (;;) {
		enum mw_list_step st = mw_list_walk_next(&lw, next);
		if (st == MW_LIST_END)
			break;
		if (st != MW_LIST_NODE) {
			err = list_stop(&lw, st, "slab_caches", next);
			break;
		}
		uint64_t cache = next - list.offset, f = 0;
		if ((err = mw_kread_uint(c->k, cache + flags.offset, flags.size, &f)))
			break;
		struct mw_slab_cache *v = mw_grow(c->s->caches, &cap, c->s->nr_caches, sizeof(*v), 256);
		if (!v)
			return &mw_error_nomem;
		c->s->caches = v;
		c->s->caches[c->s->nr_caches].addr = cache;
		c->s->caches[c->s->nr_caches].reclaimable = (f & reclaim) != 0;
		c->s->nr_caches++;
		uint64_t nptr;
		char nm[CACHE_NAME_MAX];
		if (!mw_kread_u64(c->k, cache + name.offset, &nptr) && nptr) {
			struct mw_error *e = mw_kread_string(c->k, nptr, nm, sizeof(nm));
			if (!e && strcmp(nm, "dentry") == 0) {
				dentry_seen = true;
				dentry_reclaim = (f & reclaim) != 0;
			}
			mw_error_destroy(e);
		}
		if ((err = mw_kread_u64(c->k, next, &next)))
			break;
	}
	if (err) {
		/* One bad cache costs only the slab pages of caches not reached:
		 * they count as pages of an unknown owner. */
		c->s->caches_incomplete = true;
		char what[160];
		snprintf(what, sizeof(what), "slab caches: %zu found before the slab_caches list "
			 "broke; slab pages of the others are not classified", c->s->nr_caches);
		mw_warn_error(c->w, err, what);
		err = NULL;
	}
	if (c->s->nr_caches)	/* caches is NULL when none was read */
		qsort(c->s->caches, c->s->nr_caches, sizeof(*c->s->caches), cmp_cache);
	if (dentry_seen && !dentry_reclaim)
		mw_warn(c->w, "the dentry cache lacks SLAB_RECLAIM_ACCOUNT (0x%" PRIx64
			"): reclaimable slab may be misjudged on this kernel", reclaim);
	return NULL;
}

void mw_pagesets_deinit(struct mw_pagesets *s)
{
	for (int i = 0; i < MW_SET_NR; i++)
		free(s->set[i].runs);
	free(s->caches);
	memset(s, 0, sizeof(*s));
}

struct mw_error *mw_pagesets_build(struct mw_kernel *k, const struct mw_cpus *cpus,
				   const struct mw_vmstat *vs,
				   const struct mw_page_layout *l,
				   struct mw_warnings *w, struct mw_pagesets *s)
{
	struct ctx c = { .k = k, .cpus = cpus, .vs = vs, .l = l, .w = w, .s = s };
	memset(s, 0, sizeof(*s));
	uint64_t bits = 46;
	struct mw_error *err = mw_vmcoreinfo_u64(mw_reader_info(k->reader),
						 "NUMBER(MAX_PHYSMEM_BITS)", &bits);
	if (err) {
		mw_error_destroy(err);
		bits = k->vm.phys_bits;
	}
	if (bits < 32 || bits > 56)
		bits = 52;
	s->max_pfn = 1ULL << (bits - 12);

	if ((err = walk_caches(&c)))
		goto fail;
	static const struct {
		struct mw_error *(*fn)(struct ctx *);
		const char *what;
	} walks[] = {
		{ walk_pcp, "per-CPU free lists (their pages count as unaccounted)" },
		{ walk_percpu, "percpu chunks (their pages count as reserved or unaccounted)" },
		{ walk_stacks, "task kernel stacks (they count as vmalloc or unaccounted)" },
		{ walk_vmalloc, "vmalloc areas (their pages count as unaccounted)" },
	};
	for (size_t i = 0; i < MW_ARRAY_SIZE(walks); i++) {
		struct mw_error *e = walks[i].fn(&c);
		if (e)
			mw_warn_error(w, e, walks[i].what);
	}
	for (int i = 0; i < MW_SET_NR; i++) {
		if ((err = mw_pfnset_builder_finish(&c.vec[i], &s->set[i])))
			goto fail;
		free(c.vec[i].v);
		c.vec[i].v = NULL;
	}
	return NULL;
fail:
	for (int i = 0; i < MW_SET_NR; i++)
		free(c.vec[i].v);
	mw_pagesets_deinit(s);
	return err;
}
