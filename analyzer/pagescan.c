/* memwhere: the page walker (see pagescan.h). */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/kread.h"
#include "analyzer/filter-loss.h"
#include "analyzer/pagescan.h"
#include "common/grow.h"

enum {
	DEFAULT_BAD_WARNINGS = 20,
	BAD_KEEP_PER_THREAD = 64,
	MAX_SECTIONS = 1 << 22,
	MAX_SECTION_PAGES = 1 << 18,
	MAX_ROOTS = 1 << 16,
	UNREADABLE_KEEP = 8,
	SCAN_PIECE = 1 << 15,		/* most struct pages read at once (a section) */
	PAGE_FRAG_SHIFT = 15,		/* PAGE_FRAG_CACHE_MAX_SIZE, SKB_FRAG_PAGE_ORDER: 32 KiB */
};

static const char *const category_names[MW_PAGE_NR_CATEGORIES] = {
	[MW_PAGE_FREE] = "free",
	[MW_PAGE_ANON] = "anon",
	[MW_PAGE_FILE] = "file",
	[MW_PAGE_SHMEM] = "shmem",
	[MW_PAGE_SLAB_RECLAIMABLE] = "slab_reclaimable",
	[MW_PAGE_SLAB_UNRECLAIMABLE] = "slab_unreclaimable",
	[MW_PAGE_KERNEL_STACK] = "kernel_stack",
	[MW_PAGE_PAGETABLES] = "pagetables",
	[MW_PAGE_VMALLOC] = "vmalloc",
	[MW_PAGE_PERCPU] = "percpu",
	[MW_PAGE_HUGETLB] = "hugetlb",
	[MW_PAGE_RESERVED] = "reserved",
	[MW_PAGE_OFFLINE] = "offline",
	[MW_PAGE_ZPOOL] = "zpool",
	[MW_PAGE_SKB_FRAGS] = "skb_frags",
	[MW_PAGE_UNACCOUNTED] = "unaccounted",
	[MW_PAGE_UNKNOWN] = "unknown",
	[MW_PAGE_NOT_IN_DUMP] = "not_in_dump",
};

static const char *const category_labels[MW_PAGE_NR_CATEGORIES] = {
	[MW_PAGE_FREE] = "free",
	[MW_PAGE_ANON] = "anon",
	[MW_PAGE_FILE] = "file cache",
	[MW_PAGE_SHMEM] = "shmem/tmpfs",
	[MW_PAGE_SLAB_RECLAIMABLE] = "slab, reclaimable",
	[MW_PAGE_SLAB_UNRECLAIMABLE] = "slab, unreclaimable",
	[MW_PAGE_KERNEL_STACK] = "kernel stacks",
	[MW_PAGE_PAGETABLES] = "page tables",
	[MW_PAGE_VMALLOC] = "vmalloc",
	[MW_PAGE_PERCPU] = "percpu",
	[MW_PAGE_HUGETLB] = "hugetlb",
	[MW_PAGE_RESERVED] = "reserved",
	[MW_PAGE_OFFLINE] = "offline (balloon)",
	[MW_PAGE_ZPOOL] = "zram/zswap pool",
	[MW_PAGE_SKB_FRAGS] = "skb frags",
	[MW_PAGE_UNACCOUNTED] = "unaccounted",
	[MW_PAGE_UNKNOWN] = "unknown",
	[MW_PAGE_NOT_IN_DUMP] = "not in dump",
};

const char *mw_page_category_name(enum mw_page_category c)
{
	return (unsigned)c < MW_PAGE_NR_CATEGORIES ? category_names[c] : "?";
}

const char *mw_page_category_label(enum mw_page_category c)
{
	return (unsigned)c < MW_PAGE_NR_CATEGORIES ? category_labels[c] : "?";
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- sections ---- */

struct section {
	uint64_t start_pfn;
	uint64_t nr_pages;
};

struct zone_range {
	uint64_t start, end;
	size_t zone;
};

struct scanner {
	struct mw_kernel *k;
	struct mw_pagescan *ps;
	const struct mw_page_layout *l;
	const struct mw_pagesets *sets;
	const struct mw_zpool_marks *zm;
	const struct mw_pagescan_options *opt;
	struct section *sections;
	size_t nr_sections;
	struct zone_range *zr;		/* sorted by start */
	size_t nr_zr;
	size_t nr_zones;		/* zone_counts has nr_zones + 1 entries */
	size_t next_section;		/* atomic */
	uint64_t done_pages;		/* atomic */
	uint64_t total_pages;
	bool check_excluded;
	unsigned block_shift;		/* kernel PFN to dump block: QEMU's arm64 kdump has 64 KiB blocks */
	uint64_t vmemmap;
	uint64_t unit;			/* pfns of whole vmemmap pages (64 for 64-byte struct pages) */
};

/* ---- per-thread tables ---- */

struct memcg_table {
	struct mw_memcg_pages *slots;
	size_t cap, n;
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static struct mw_memcg_pages *memcg_slot(struct memcg_table *t, uint64_t memcg)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct mw_memcg_pages *s = calloc(cap, sizeof(*s));
		if (!s)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->slots[i].memcg)
				continue;
			size_t j = hash64(t->slots[i].memcg) & (cap - 1);
			while (s[j].memcg)
				j = (j + 1) & (cap - 1);
			s[j] = t->slots[i];
		}
		free(t->slots);
		t->slots = s;
		t->cap = cap;
	}
	size_t j = hash64(memcg) & (t->cap - 1);
	while (t->slots[j].memcg && t->slots[j].memcg != memcg)
		j = (j + 1) & (t->cap - 1);
	if (!t->slots[j].memcg) {
		t->slots[j].memcg = memcg;
		t->n++;
	}
	return &t->slots[j];
}

struct objcg_entry {
	uint64_t objcg, memcg;
};

struct objcg_cache {
	struct objcg_entry e[1024];	/* direct-mapped */
};

struct unreadable_run {
	uint64_t pfn;
	char text[160];
};

struct thread {
	struct scanner *sc;
	unsigned index;
	pthread_t tid;
	uint8_t *buf;
	uint8_t *readable;
	uint8_t head_buf[2 * 256];
	struct mw_scan_counts c;
	struct mw_scan_counts *zc;
	struct memcg_table memcgs;
	struct objcg_cache *objcgs;
	struct mw_bad_page bad[BAD_KEEP_PER_THREAD];
	size_t nr_bad;
	/* the first unreadable runs of struct pages this thread met (its
	 * sections come in PFN order), and how many there were in all */
	struct unreadable_run unreadable[UNREADABLE_KEEP];
	size_t nr_unreadable, unreadable_total;
	bool noted;			/* this section's first run is */
	uint64_t ahead;			/* pfns of the next piece read */
	void **tstate;
	struct mw_error *err;

	/* set cursors (pfns only grow within a section); claims' after ours */
	size_t cur[MW_SET_NR + MW_PAGESCAN_MAX_CLAIMS];
	/* the compound head being walked */
	uint64_t head_addr, head_end;
	enum mw_page_category head_cat;
	/* the last head found outside the section buffer */
	uint64_t ext_addr, ext_end;
	enum mw_page_category ext_cat;
	/* the zone of the current pfn */
	size_t zr_idx;
	/* movable mappings already told apart by their a_ops (direct-mapped) */
	struct { uint64_t mapping; uint8_t kind; } zp_cache[16];
};

/* ---- classification ---- */

struct cls {
	enum mw_page_category cat;
	unsigned order;			/* folio order of a compound head */
	int buddy_order;		/* >= 0: head of a free buddy block */
	bool head;
	bool pcp, free_other, hugetlb_free, zero_ref, movable;
	enum mw_zpool_kind zpool;
	bool unknown_cache;
	bool large_kmalloc;
	bool swapcache;			/* PG_swapcache */
	bool unmapped;			/* order-0 with _mapcount -1 */
	uint64_t slab_cache;
	char bad[96];
};

static bool kernel_ptr(uint64_t v)
{
	return v >= 0xff00000000000000ULL && !(v & 7);
}

static bool in_pfnset(const struct mw_pfnset *s, size_t *cur, uint64_t pfn)
{
	if (!s->nr)
		return false;
	if (!cur) {
		size_t i = mw_pfnset_seek(s, pfn);
		return i < s->nr && s->runs[i].start <= pfn;
	}
	size_t i = *cur;
	while (i < s->nr && s->runs[i].start + s->runs[i].count <= pfn)
		i++;
	*cur = i;
	return i < s->nr && s->runs[i].start <= pfn;
}

/* The category of the first claim holding pfn, or -1. */
static int claimed(struct thread *t, size_t *cur, uint64_t pfn)
{
	const struct mw_pagescan_options *opt = t->sc->opt;
	for (size_t i = 0; i < opt->nr_claims; i++)
		if (in_pfnset(opt->claims[i].set, cur ? &cur[MW_SET_NR + i] : NULL, pfn))
			return (int)opt->claims[i].category;
	return -1;
}

static bool in_set(struct thread *t, size_t *cur, enum mw_pfnset_kind kind,
		   uint64_t pfn)
{
	const struct mw_pfnset *s = &t->sc->sets->set[kind];
	if (!s->nr)
		return false;
	if (!cur) {
		size_t i = mw_pfnset_seek(s, pfn);
		return i < s->nr && s->runs[i].start <= pfn;
	}
	size_t i = cur[kind];
	while (i < s->nr && s->runs[i].start + s->runs[i].count <= pfn)
		i++;
	cur[kind] = i;
	return i < s->nr && s->runs[i].start <= pfn;
}

/* Mark the page unknown, saying why; true (the page is decided). */
__attribute__((format(printf, 2, 3)))
static bool set_bad(struct cls *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->bad, sizeof(r->bad), fmt, ap);
	va_end(ap);
	r->cat = MW_PAGE_UNKNOWN;
	return true;
}

/*
 * Classify a page that is not a compound tail. p is its struct page, next
 * the following one (NULL if not at hand), cur the set cursors (NULL: look
 * PFNs up at random). section_end bounds buddy blocks.
 */
/* One struct page being classified, its words decoded once. */
struct view {
	struct thread *t;
	const struct mw_page_layout *l;
	uint64_t pfn;
	const uint8_t *p, *next;	/* the page, and the next (its first tail) */
	size_t *cur;			/* the set cursor */
	uint64_t flags;
	uint32_t pt;			/* page_type / _mapcount */
	enum mw_pagetype type;
};

/* Free memory: a buddy block, a per-CPU list page, a guard page; true if
 * the page is decided. */
static bool classify_free(const struct view *v, uint64_t section_end, struct cls *r)
{
	const struct mw_page_layout *l = v->l;
	if (v->type == MW_PT_BUDDY) {
		uint64_t order = mw_le64(v->p, l->size, l->off_private);
		if (order >= l->nr_orders)
			return set_bad(r, "free (buddy) page with order %" PRIu64, order);
		if (v->pfn & ((1ULL << order) - 1))
			return set_bad(r, "free block of order %" PRIu64 " at a PFN not aligned to it",
				       order);
		if (v->pfn + (1ULL << order) > section_end)
			return set_bad(r, "free block of order %" PRIu64 " runs past its memory section",
				       order);
		r->cat = MW_PAGE_FREE;
		r->buddy_order = (int)order;
		return true;
	}
	if (in_set(v->t, v->cur, MW_SET_PCP, v->pfn)) {
		r->cat = MW_PAGE_FREE;
		r->pcp = true;
		return true;
	}
	if (v->type == MW_PT_GUARD || v->type == MW_PT_UNACCEPTED) {
		r->cat = MW_PAGE_FREE;
		r->free_other = true;
		return true;
	}
	return false;
}

/* A compound head's order, from its first tail page; true if that makes
 * the page bad. */
static bool classify_head(const struct view *v, struct cls *r)
{
	const struct mw_page_layout *l = v->l;
	r->head = (v->flags >> l->pg_head) & 1;
	if (!r->head || !v->next)
		return false;
	uint64_t o;
	if (l->order_size == 1)
		o = v->next[l->off_order];
	else
		o = mw_le64(v->next, l->size, l->off_order);
	o &= l->order_mask;
	if (o == 0 || o >= MW_MAX_FOLIO_ORDER)
		return set_bad(r, "compound head with order %" PRIu64, o);
	if (v->pfn & ((1ULL << o) - 1))
		return set_bad(r, "compound head of order %" PRIu64 " at a PFN not aligned to it",
			       o);
	r->order = (unsigned)o;
	return false;
}

/* What the page's type or flags say outright: hugetlb, slab, page tables,
 * offline, zsmalloc, percpu, reserved; true if decided. */
static bool classify_typed(const struct view *v, struct cls *r)
{
	const struct mw_page_layout *l = v->l;
	if (v->type == MW_PT_HUGETLB ||
	    (l->has_dtor && r->head && v->next && v->next[l->off_dtor] == l->hugetlb_dtor)) {
		r->cat = MW_PAGE_HUGETLB;
		if (l->hpg_freed >= 0)
			r->hugetlb_free = (mw_le64(v->p, l->size, l->off_private) >> l->hpg_freed) & 1;
		return true;
	}
	if ((l->pg_slab >= 0 && ((v->flags >> l->pg_slab) & 1)) || v->type == MW_PT_SLAB) {
		uint64_t cache = mw_le64(v->p, l->size, l->off_slab_cache);
		const struct mw_slab_cache *sc = mw_pagesets_cache(v->t->sc->sets, cache);
		if (!sc) {
			r->unknown_cache = true;
			return set_bad(r, "slab page of kmem_cache 0x%" PRIx64 ", which is not on slab_caches",
				       cache);
		}
		r->cat = sc->reclaimable ? MW_PAGE_SLAB_RECLAIMABLE : MW_PAGE_SLAB_UNRECLAIMABLE;
		r->slab_cache = cache;
		return true;
	}
	if (v->type == MW_PT_TABLE) {
		r->cat = MW_PAGE_PAGETABLES;
		return true;
	}
	/* newer kernels mark what the heuristic below guesses at */
	if (v->type == MW_PT_LARGE_KMALLOC) {
		r->cat = MW_PAGE_SLAB_UNRECLAIMABLE;
		r->large_kmalloc = true;
		return true;
	}
	if (v->type == MW_PT_OFFLINE) {
		r->cat = MW_PAGE_OFFLINE;
		return true;
	}
	if (v->type == MW_PT_ZSMALLOC) {
		r->cat = MW_PAGE_ZPOOL;
		r->zpool = MW_ZPOOL_ZSMALLOC;
		return true;
	}
	/* the first percpu chunk is memblock memory, so PG_reserved */
	if (in_set(v->t, v->cur, MW_SET_PERCPU, v->pfn)) {
		r->cat = MW_PAGE_PERCPU;
		return true;
	}
	if ((v->flags >> l->pg_reserved) & 1) {
		r->cat = MW_PAGE_RESERVED;
		return true;
	}
	return false;
}

/* A non-LRU movable page (balloons are offline before): zpool if its
 * mapping is an allocator's movable_operations, or (older kernels) an
 * address_space with the allocator's a_ops; else unaccounted. */
static void movable(const struct view *v, uint64_t ptr, struct cls *r)
{
	struct thread *t = v->t;
	const struct mw_zpool_marks *zm = t->sc->zm;
	enum mw_zpool_kind kind = mw_zpool_by_mops(zm, ptr);
	if (!kind && zm->has_aops) {
		size_t slot = (size_t)(hash64(ptr) & 15);
		if (t->zp_cache[slot].mapping == ptr) {
			kind = (enum mw_zpool_kind)t->zp_cache[slot].kind;
		} else {
			uint64_t a_ops = 0;
			if (mw_kread_ok(t->sc->k, ptr + zm->off_a_ops, &a_ops, 8))
				kind = mw_zpool_by_aops(zm, a_ops);
			t->zp_cache[slot].mapping = ptr;
			t->zp_cache[slot].kind = (uint8_t)kind;
		}
	}
	if (kind) {
		r->cat = MW_PAGE_ZPOOL;
		r->zpool = kind;
	} else {
		r->movable = true;
	}
}

/* A page with a mapping (or a shmem page leaving it): anon, shmem, file,
 * movable; true if decided. */
static bool classify_mapped(const struct view *v, struct cls *r)
{
	const struct mw_page_layout *l = v->l;
	uint64_t flags = v->flags;
	uint64_t mapping = mw_le64(v->p, l->size, l->off_mapping);
	r->swapcache = (flags >> l->pg_swapcache) & 1;
	r->unmapped = !r->head && v->pt == 0xffffffffu;
	/* a shmem page on its way to swap has left its mapping */
	if (!mapping && r->swapcache && ((flags >> l->pg_swapbacked) & 1)) {
		r->cat = MW_PAGE_ANON;
		return true;
	}
	if (!mapping)
		return false;
	uint64_t low = mapping & (l->mapping_anon | l->mapping_movable);
	if (!kernel_ptr(mapping & ~(l->mapping_anon | l->mapping_movable)))
		return set_bad(r, "mapping 0x%" PRIx64 " is not a kernel pointer", mapping);
	if (low & l->mapping_anon)
		r->cat = MW_PAGE_ANON;		/* anon_vma, or a KSM stable node */
	else if (low == l->mapping_movable)
		movable(v, mapping & ~(l->mapping_anon | l->mapping_movable), r);
	else if ((flags >> l->pg_swapbacked) & 1)
		r->cat = MW_PAGE_SHMEM;
	else
		r->cat = MW_PAGE_FILE;
	return true;
}

/* The rest: kernel stacks, vmalloc, what an observer claimed, and large
 * kmalloc pages. */
static void classify_kernel(const struct view *v, struct cls *r)
{
	const struct mw_page_layout *l = v->l;
	if (in_set(v->t, v->cur, MW_SET_STACK, v->pfn)) {
		r->cat = MW_PAGE_KERNEL_STACK;
		return;
	}
	if (in_set(v->t, v->cur, MW_SET_VMALLOC, v->pfn)) {
		r->cat = MW_PAGE_VMALLOC;
		return;
	}
	int32_t ref = (int32_t)mw_le32(v->p, l->size, l->off_refcount);
	if (ref < 0) {
		set_bad(r, "refcount %" PRId32, ref);
		return;
	}
	int claim = claimed(v->t, v->cur, v->pfn);
	if (claim >= 0) {
		r->cat = (enum mw_page_category)claim;
		if (r->cat == MW_PAGE_ZPOOL)
			r->zpool = MW_ZPOOL_ZBUD;	/* the one zpool claim: zbud's pages */
		return;
	}
	if (ref == 0) {
		r->zero_ref = true;
		return;
	}
	/*
	 * kmalloc() too big for a slab cache takes a compound page straight
	 * from the page allocator and counts it in NR_SLAB_UNRECLAIMABLE_B,
	 * but marks it in no way: a compound head with one reference and no
	 * flag but PG_head, on no list, is taken for one. Not at 32 KiB
	 * (order 3 of 4 KiB pages, 1 of 16 KiB): the network stack's page
	 * fragments (SKB_FRAG_PAGE_ORDER,
	 * PAGE_FRAG_CACHE_MAX_ORDER) look just the same, and they are the
	 * "allocpage" memory the unaccounted category is there to show.
	 */
	unsigned frag_order = l->page_shift < PAGE_FRAG_SHIFT ? PAGE_FRAG_SHIFT - l->page_shift : 0;
	if (r->head && r->order >= 1 && r->order != frag_order && ref == 1 &&
	    v->type == MW_PT_NONE &&
	    (v->flags & l->pageflags_mask) == (1ULL << l->pg_head) &&
	    !(l->has_memcg_data && (mw_le64(v->p, l->size, l->off_memcg_data) & l->memcg_objcgs))) {
		r->cat = MW_PAGE_SLAB_UNRECLAIMABLE;
		r->large_kmalloc = true;
	}
}

static void classify(struct thread *t, uint64_t pfn, const uint8_t *p,
		     const uint8_t *next, uint64_t section_end, size_t *cur,
		     struct cls *r)
{
	const struct mw_page_layout *l = t->sc->l;
	memset(r, 0, sizeof(*r));
	r->buddy_order = -1;
	r->cat = MW_PAGE_UNACCOUNTED;
	struct view v = {
		.t = t, .l = l, .pfn = pfn, .p = p, .next = next, .cur = cur,
		.flags = mw_le64(p, l->size, l->off_flags),
		.pt = mw_le32(p, l->size, l->off_page_type),
	};
	v.type = mw_page_type_of(l, v.pt);
	if (classify_free(&v, section_end, r))
		return;
	if (v.type == MW_PT_BAD) {
		set_bad(r, "page_type 0x%08" PRIx32 " is no page type of this kernel", v.pt);
		return;
	}
	if (classify_head(&v, r) || classify_typed(&v, r) || classify_mapped(&v, r))
		return;
	classify_kernel(&v, r);
}

/* ---- accounting ---- */

static void record_bad(struct thread *t, uint64_t pfn, const char *reason)
{
	t->c.bad_pages++;
	if (t->nr_bad < BAD_KEEP_PER_THREAD) {
		t->bad[t->nr_bad].pfn = pfn;
		snprintf(t->bad[t->nr_bad].reason, sizeof(t->bad[t->nr_bad].reason),
			 "%s", reason);
		t->nr_bad++;
	}
}

static uint64_t objcg_memcg(struct thread *t, uint64_t objcg)
{
	const struct mw_page_layout *l = t->sc->l;
	if (!l->has_objcg || !kernel_ptr(objcg))
		return 0;
	struct objcg_entry *e = &t->objcgs->e[hash64(objcg) & 1023];
	if (e->objcg == objcg)
		return e->memcg;
	uint64_t memcg = 0;
	struct mw_error *err = mw_kread_u64(t->sc->k, objcg + l->off_objcg_memcg, &memcg);
	if (err) {
		mw_error_destroy(err);
		memcg = 0;
	}
	if (!kernel_ptr(memcg))
		memcg = 0;
	e->objcg = objcg;
	e->memcg = memcg;
	return memcg;
}

/* The memcg a page (head) is charged to; 0 if none or per object. */
static uint64_t page_memcg(struct thread *t, const uint8_t *p, enum mw_page_category cat,
			   uint64_t *raw)
{
	const struct mw_page_layout *l = t->sc->l;
	*raw = 0;
	if (cat == MW_PAGE_SLAB_RECLAIMABLE || cat == MW_PAGE_SLAB_UNRECLAIMABLE) {
		if (l->has_slab_memcg)
			*raw = mw_le64(p, l->size, l->off_slab_memcg);
		return 0;
	}
	if (!l->has_memcg_data || cat == MW_PAGE_FREE)
		return 0;
	uint64_t md = mw_le64(p, l->size, l->off_memcg_data);
	*raw = md;
	if (!md)
		return 0;
	uint64_t ptr = md & ~l->memcg_flags_mask;
	if (md & l->memcg_objcgs)
		return 0;
	if ((md & l->memcg_kmem) || l->folio_objcg)
		return objcg_memcg(t, ptr);
	return kernel_ptr(ptr) ? ptr : 0;
}

static void deliver(struct thread *t, uint64_t pfn, const uint8_t *p,
		    const struct cls *r, uint64_t nr, uint64_t memcg, uint64_t raw)
{
	const struct mw_pagescan_options *opt = t->sc->opt;
	const struct mw_page_layout *l = t->sc->l;
	struct mw_page_event ev;
	bool built = false;
	for (size_t i = 0; i < opt->nr_observers; i++) {
		const struct mw_page_observer *o = &opt->observers[i];
		if (!(o->categories & MW_PAGE_CATEGORY_BIT(r->cat)) || !o->page)
			continue;
		if (!built) {
			uint64_t flags = mw_le64(p, l->size, l->off_flags);
			ev = (struct mw_page_event){
				.pfn = pfn,
				.nr_pages = nr,
				.order = r->order,
				.category = r->cat,
				.flags = flags,
				.mapping = mw_le64(p, l->size, l->off_mapping),
				.index = mw_le64(p, l->size, l->off_index),
				.private_data = mw_le64(p, l->size, l->off_private),
				.memcg_data = raw,
				.memcg = memcg,
				.slab_cache = r->slab_cache,
				.dirty = (flags >> l->pg_dirty) & 1,
				.writeback = (flags >> l->pg_writeback) & 1,
				.lru = (flags >> l->pg_lru) & 1,
				.swapcache = (flags >> l->pg_swapcache) & 1,
				.page = p,
			};
			built = true;
		}
		o->page(t->tstate[i], &ev);
	}
}

static struct mw_scan_counts *zone_of(struct thread *t, uint64_t pfn)
{
	struct scanner *sc = t->sc;
	size_t i = t->zr_idx;
	if (i < sc->nr_zr && pfn >= sc->zr[i].start && pfn < sc->zr[i].end)
		return &t->zc[sc->zr[i].zone];
	for (i = 0; i < sc->nr_zr; i++)
		if (pfn >= sc->zr[i].start && pfn < sc->zr[i].end) {
			t->zr_idx = i;
			return &t->zc[sc->zr[i].zone];
		}
	return &t->zc[sc->nr_zones];
}

/* Account a head or single page after classify(). */
static void account_head(struct thread *t, uint64_t pfn, const uint8_t *p,
			 const struct cls *r, struct mw_scan_counts *z)
{
	const struct mw_page_layout *l = t->sc->l;
	uint64_t nr = r->head && r->order ? 1ULL << r->order : 1;
	if (r->cat == MW_PAGE_UNKNOWN) {
		if (r->unknown_cache)
			t->c.slab_unknown_cache_pages += nr;
		/* a broken slab_caches list is one cause, warned once below */
		if (!(r->unknown_cache && t->sc->sets->caches_incomplete))
			record_bad(t, pfn, r->bad);
		return;
	}
	if (r->buddy_order >= 0) {
		t->c.free_blocks[r->buddy_order]++;
		z->free_blocks[r->buddy_order]++;
		return;
	}
	if (r->pcp || r->free_other)
		return;
	if (r->head) {
		t->c.compound_heads++;
		t->c.folios_by_order[r->order]++;
	}
	if (r->large_kmalloc)
		t->c.large_kmalloc_pages += nr;
	if (r->swapcache && (r->cat == MW_PAGE_ANON || r->cat == MW_PAGE_SHMEM ||
			     r->cat == MW_PAGE_FILE))
		t->c.swapcache_pages += nr;
	if (r->cat == MW_PAGE_ANON && r->unmapped) {
		t->c.anon_unmapped_pages++;
		z->anon_unmapped_pages++;
	}
	switch (r->cat) {
	case MW_PAGE_ANON:
	case MW_PAGE_FILE:
	case MW_PAGE_SHMEM:
		if (r->head && r->order >= l->pmd_order) {
			t->c.thp_folios++;
			t->c.thp_pages += nr;
		} else if (r->head && r->order) {
			t->c.large_folios++;
			t->c.large_folio_pages += nr;
		}
		if (r->cat != MW_PAGE_ANON) {
			uint64_t flags = mw_le64(p, l->size, l->off_flags);
			if ((flags >> l->pg_dirty) & 1)
				t->c.dirty_pages += nr;
			if ((flags >> l->pg_writeback) & 1)
				t->c.writeback_pages += nr;
		}
		break;
	case MW_PAGE_HUGETLB:
		t->c.hugetlb_folios++;
		if (r->hugetlb_free)
			t->c.hugetlb_free_pages += nr;
		else
			t->c.hugetlb_used_pages += nr;
		break;
	case MW_PAGE_ZPOOL:
		t->c.zpool_pages[r->zpool] += nr;
		break;
	case MW_PAGE_UNACCOUNTED:
		if (r->zero_ref)
			t->c.zero_ref_pages++;
		if (r->movable)
			t->c.movable_ops_pages += nr;
		break;
	default:
		break;
	}
	uint64_t raw;
	uint64_t memcg = page_memcg(t, p, r->cat, &raw);
	if (memcg) {
		struct mw_memcg_pages *m = memcg_slot(&t->memcgs, memcg);
		if (m)
			m->pages[r->cat] += nr;
		else if (!t->err)
			t->err = &mw_error_nomem;
		if (r->cat == MW_PAGE_UNACCOUNTED)
			t->c.kmem_charged_pages += nr;
	}
	if (t->sc->opt->nr_observers)
		deliver(t, pfn, p, r, nr, memcg, raw);
}

/* The category of a compound tail whose head is not the one being walked. */
static enum mw_page_category external_head(struct thread *t, uint64_t pfn,
					   uint64_t head_addr, char *why, size_t whylen)
{
	struct scanner *sc = t->sc;
	const struct mw_page_layout *l = sc->l;
	why[0] = '\0';
	if (head_addr == t->ext_addr && pfn < t->ext_end)
		return t->ext_cat;
	if (head_addr < sc->vmemmap || (head_addr - sc->vmemmap) % l->size) {
		snprintf(why, whylen, "compound tail whose head 0x%" PRIx64 " is not a struct page",
			 head_addr);
		return MW_PAGE_UNKNOWN;
	}
	uint64_t hpfn = (head_addr - sc->vmemmap) / l->size;
	if (hpfn >= pfn || pfn - hpfn >= (1ULL << (MW_MAX_FOLIO_ORDER - 1))) {
		snprintf(why, whylen, "compound tail whose head is PFN 0x%" PRIx64, hpfn);
		return MW_PAGE_UNKNOWN;
	}
	struct mw_error *err = mw_kernel_read(sc->k, head_addr, t->head_buf, 2 * l->size);
	if (err) {
		mw_error_destroy(err);
		return MW_PAGE_NOT_IN_DUMP;
	}
	struct cls r;
	classify(t, hpfn, t->head_buf, t->head_buf + l->size, UINT64_MAX, NULL, &r);
	enum mw_page_category cat = r.cat;
	if (cat != MW_PAGE_UNKNOWN && (!r.head || pfn >= hpfn + (1ULL << r.order))) {
		snprintf(why, whylen, "compound tail of PFN 0x%" PRIx64 ", which %s", hpfn,
			 r.head ? "is a smaller compound page" : "is no compound head");
		cat = MW_PAGE_UNKNOWN;
	}
	t->ext_addr = head_addr;
	t->ext_end = r.head ? hpfn + (1ULL << r.order) : hpfn + 1;
	t->ext_cat = cat;
	return cat;
}

/* ---- reading the struct pages of a section ---- */

static void note_unreadable(struct thread *t, uint64_t pfn, uint64_t n,
			    struct mw_error *err)
{
	t->unreadable_total++;
	if (t->nr_unreadable < UNREADABLE_KEEP) {
		struct unreadable_run *u = &t->unreadable[t->nr_unreadable++];
		char *s = mw_error_string(err);
		u->pfn = pfn;
		snprintf(u->text, sizeof(u->text),
			 "struct pages of PFNs 0x%" PRIx64 "-0x%" PRIx64 " unreadable: %s",
			 pfn, pfn + n - 1, s ? s : err->message);
		free(s);
	}
}

/*
 * Read struct pages [i, i + n) of the section at pfn0 into t->buf, and say
 * in t->readable which were readable; a section's first unreadable run
 * is noted (t->noted) once.
 */
static void read_piece(struct thread *t, uint64_t pfn0, uint64_t i, uint64_t n)
{
	struct scanner *sc = t->sc;
	uint64_t size = sc->l->size;
	uint64_t vaddr = sc->vmemmap + (pfn0 + i) * size;
	size_t len = (size_t)(n * size);
	uint8_t *buf = t->buf + i * size, *readable = t->readable + i;
	struct mw_error *err = mw_kernel_read(sc->k, vaddr, buf, len);
	memset(readable, 1, (size_t)n);
	if (!err)
		return;
	mw_error_destroy(err);
	/* page by page of the vmemmap */
	uint64_t off = 0;
	while (off < len) {
		uint64_t chunk = 4096 - ((vaddr + off) & 4095);
		if (chunk > len - off)
			chunk = len - off;
		err = mw_kernel_read(sc->k, vaddr + off, buf + off, (size_t)chunk);
		if (err) {
			uint64_t first = off / size, last = (off + chunk - 1) / size;
			for (uint64_t j = first; j <= last && j < n; j++)
				readable[j] = 0;
			if (!t->noted && err->code != MW_ERR_NOT_IN_DUMP && err->code != MW_ERR_HOLE &&
			    err->code != MW_ERR_NOT_MAPPED) {
				note_unreadable(t, pfn0 + i + first, last - first + 1, err);
				t->noted = true;
			}
			mw_error_destroy(err);
		}
		off += chunk;
	}
}

/*
 * Struct pages [i, i + n) of the section at pfn0 that the scan counts
 * without looking at them (the tail of a free buddy block): not read, only
 * whether they could be: each 4096 bytes of the vmemmap are readable when
 * they are mapped and their dump blocks are in the dump.
 */
static void probe_piece(struct thread *t, uint64_t pfn0, uint64_t i, uint64_t n)
{
	struct scanner *sc = t->sc;
	struct mw_reader *reader = sc->k->reader;
	uint64_t size = sc->l->size, bs = mw_reader_info(reader)->page_size;
	uint64_t vaddr = sc->vmemmap + (pfn0 + i) * size;
	uint64_t len = n * size;
	uint8_t *readable = t->readable + i;
	memset(readable, 1, (size_t)n);
	uint64_t paddr = 0, left = 0;	/* the mapping at vaddr + off */
	for (uint64_t off = 0; off < len;) {
		uint64_t chunk = 4096 - ((vaddr + off) & 4095);
		if (chunk > len - off)
			chunk = len - off;
		if (left < chunk) {
			struct mw_error *err = mw_vm_translate(&sc->k->vm, vaddr + off,
							       &paddr, &left);
			if (err)
				left = 0;
			mw_error_destroy(err);
		}
		bool ok = false;
		if (left >= chunk && bs) {
			ok = true;
			for (uint64_t b = paddr / bs; ok && b <= (paddr + chunk - 1) / bs; b++)
				ok = mw_reader_page_state(reader, b) == MW_PAGE_PRESENT;
			paddr += chunk;
			left -= chunk;
		} else {
			left = 0;
		}
		if (!ok) {
			uint64_t first = off / size, last = (off + chunk - 1) / size;
			for (uint64_t j = first; j <= last && j < n; j++)
				readable[j] = 0;
		}
		off += chunk;
	}
}

/*
 * Make struct pages up to need (< n) of the section at pfn0 ready, from
 * *filled on. Whole SCAN_UNITs inside the free buddy block being counted
 * (pfns below free_end) are only probed: on an idle machine most struct
 * pages are such tails and are then never decompressed. The rest is read
 * in pieces that grow from one unit after such a gap to SCAN_PIECE pfns
 * (each just before the loop needs it, so it is still in the CPU cache).
 */
static void fill(struct thread *t, uint64_t pfn0, uint64_t n, uint64_t need,
		 uint64_t free_end, uint64_t *filled)
{
	const uint64_t unit = t->sc->unit;
	while (*filled <= need) {
		uint64_t f = *filled, pfn = pfn0 + f, m;
		if (pfn % unit == 0 && pfn + unit <= free_end) {
			m = (free_end - pfn) / unit * unit;
			if (m > n - f)
				m = n - f;
			probe_piece(t, pfn0, f, m);
			t->ahead = unit;
		} else {
			m = t->ahead - pfn % t->ahead;
			if (m > n - f)
				m = n - f;
			read_piece(t, pfn0, f, m);
			if (t->ahead < SCAN_PIECE)
				t->ahead *= 2;
		}
		*filled += m;
	}
}

static void scan_section(struct thread *t, const struct section *s)
{
	struct scanner *sc = t->sc;
	const struct mw_page_layout *l = sc->l;
	uint64_t n = s->nr_pages, pfn0 = s->start_pfn, end = pfn0 + n;
	uint64_t filled = 0;		/* struct pages [0, filled) are ready */
	t->noted = false;
	t->ahead = t->sc->unit;
	for (int i = 0; i < MW_SET_NR; i++)
		t->cur[i] = mw_pfnset_seek(&sc->sets->set[i], pfn0);
	for (size_t i = 0; i < sc->opt->nr_claims; i++)
		t->cur[MW_SET_NR + i] = mw_pfnset_seek(sc->opt->claims[i].set, pfn0);
	t->head_addr = 0;
	t->head_end = 0;
	uint64_t free_end = 0;
	char why[128];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pfn = pfn0 + i;
		struct mw_scan_counts *z = zone_of(t, pfn);
		enum mw_page_category cat;
		if (i + 1 >= filled)
			fill(t, pfn0, n, i + 1 < n ? i + 1 : i, free_end, &filled);
		if (!t->readable[i]) {
			cat = MW_PAGE_NOT_IN_DUMP;
			goto count;
		}
		const uint8_t *p = t->buf + i * l->size;
		if (pfn < free_end && !sc->check_excluded) {
			/* the readable rest of the free block in this zone at once */
			uint64_t stop = free_end - pfn0 < n ? free_end - pfn0 : n;
			size_t zi = t->zr_idx;	/* zone_of's: pfn is in it, or no zone */
			if (zi < sc->nr_zr && pfn >= sc->zr[zi].start && pfn < sc->zr[zi].end) {
				if (sc->zr[zi].end - pfn0 < stop)
					stop = sc->zr[zi].end - pfn0;
			} else {
				stop = i + 1;
			}
			if (stop - 1 >= filled)
				fill(t, pfn0, n, stop - 1, free_end, &filled);
			const uint8_t *bad = memchr(t->readable + i, 0, (size_t)(stop - i));
			uint64_t m = bad ? (uint64_t)(bad - t->readable) - i : stop - i;
			t->c.free_buddy_pages += m;
			z->free_buddy_pages += m;
			t->c.pages[MW_PAGE_FREE] += m;
			z->pages[MW_PAGE_FREE] += m;
			i += m - 1;
			continue;
		}
		if (pfn < free_end) {
			cat = MW_PAGE_FREE;
			t->c.free_buddy_pages++;
			z->free_buddy_pages++;
			goto count_content;
		}
		uint64_t chead = mw_le64(p, l->size, l->off_compound_head);
		if ((chead & 1) && !in_set(t, t->cur, MW_SET_PCP, pfn)) {
			uint64_t head = mw_compound_head(sc->vmemmap + pfn * l->size, chead);
			t->c.compound_tails++;
			if (head == t->head_addr && pfn < t->head_end) {
				cat = t->head_cat;
			} else {
				cat = external_head(t, pfn, head, why, sizeof(why));
				if (why[0])
					record_bad(t, pfn, why);
			}
			goto count_content;
		}
		const uint8_t *next = i + 1 < n && t->readable[i + 1] ? p + l->size : NULL;
		struct cls r;
		classify(t, pfn, p, next, end, t->cur, &r);
		cat = r.cat;
		account_head(t, pfn, p, &r, z);
		if (r.buddy_order >= 0) {
			free_end = pfn + (1ULL << r.buddy_order);
			t->c.free_buddy_pages++;
			z->free_buddy_pages++;
		} else if (r.pcp) {
			t->c.free_pcp_pages++;
		} else if (r.free_other) {
			t->c.free_other_pages++;
		}
		if (r.head) {
			t->head_addr = sc->vmemmap + pfn * l->size;
			t->head_end = r.order ? pfn + (1ULL << r.order) : pfn + 1;
			t->head_cat = cat;
		}
count_content:
		if (sc->check_excluded &&
		    mw_reader_page_state(sc->k->reader, pfn >> sc->block_shift) == MW_PAGE_EXCLUDED) {
			t->c.content_excluded_pages++;
			t->c.content_excluded[cat]++;
		}
count:
		t->c.pages[cat]++;
		z->pages[cat]++;
	}
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;
	struct scanner *sc = t->sc;
	for (;;) {
		size_t i = __atomic_fetch_add(&sc->next_section, 1, __ATOMIC_RELAXED);
		if (i >= sc->nr_sections || t->err)
			break;
		scan_section(t, &sc->sections[i]);
		uint64_t done = __atomic_add_fetch(&sc->done_pages, sc->sections[i].nr_pages,
						   __ATOMIC_RELAXED);
		if (t->index == 0 && sc->opt->progress)
			sc->opt->progress(sc->opt->progress_arg, done, sc->total_pages);
	}
	return NULL;
}

/* ---- mem_section ---- */

/* Where the memory sections are and how they are laid out. */
struct sections_geo {
	uint64_t ms_size, ms_map;	/* sizeof(struct mem_section), section_mem_map */
	uint64_t present_bit, has_map_bit, map_mask;
	uint64_t per_root, nr_roots;	/* sections in a root page; root pages */
	uint64_t section_pages;
	uint64_t sym;			/* &mem_section */
	bool extreme;			/* SPARSEMEM_EXTREME: mem_section points to the roots */
	uint64_t roots_addr;
};

/* The mem_section layout and the section geometry (VMCOREINFO's, else
 * the architecture's defaults). */
static struct mw_error *sections_geometry(struct mw_kernel *k, const struct mw_page_layout *l,
					  struct sections_geo *g)
{
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	struct mw_field ms_size, ms_map, b_present, b_has_map, b_last;
	const struct mw_field_spec spec[] = {
		MW_FIELD_SIZEOF("mem_section", &ms_size),
		MW_FIELD_MEMBER("mem_section.section_mem_map", &ms_map),
		MW_FIELD_ENUM_OPT("SECTION_MARKED_PRESENT_BIT", &b_present),
		MW_FIELD_ENUM_OPT("SECTION_HAS_MEM_MAP_BIT", &b_has_map),
		MW_FIELD_ENUM_OPT("SECTION_MAP_LAST_BIT", &b_last),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return mw_error_prepend(err, "mem_section");
	g->present_bit = 1ULL << (b_present.found ? b_present.value : 0);
	g->has_map_bit = 1ULL << (b_has_map.found ? b_has_map.value : 1);
	g->map_mask = ~((1ULL << (b_last.found && b_last.value < 16 ? b_last.value : 5)) - 1);
	uint64_t size_bits = 27, phys_bits = 46, v;
	if (!(err = mw_vmcoreinfo_u64(info, "NUMBER(SECTION_SIZE_BITS)", &v)))
		size_bits = v;
	mw_error_destroy(err);
	if (!(err = mw_vmcoreinfo_u64(info, "NUMBER(MAX_PHYSMEM_BITS)", &v)))
		phys_bits = v;
	else
		phys_bits = k->vm.phys_bits;
	mw_error_destroy(err);
	if (size_bits < 20 || size_bits > 40 || phys_bits <= size_bits || phys_bits > 56)
		return mw_error_create(MW_ERR_BAD_DATA,
				       "SECTION_SIZE_BITS %" PRIu64 ", MAX_PHYSMEM_BITS %" PRIu64,
				       size_bits, phys_bits);
	if (ms_size.size == 0 || ms_size.size > k->vm.page_size || ms_map.offset + 8 > ms_size.size)
		return mw_error_create(MW_ERR_BAD_DATA, "sizeof(struct mem_section) is %" PRIu64,
				       ms_size.size);
	g->ms_size = ms_size.size;
	g->ms_map = ms_map.offset;
	/* SECTIONS_PER_ROOT: PAGE_SIZE / sizeof(struct mem_section) */
	g->per_root = k->vm.page_size / ms_size.size;
	uint64_t nr_sections_max = 1ULL << (phys_bits - size_bits);
	g->nr_roots = (nr_sections_max + g->per_root - 1) / g->per_root;
	if (!(err = mw_vmcoreinfo_u64(info, "LENGTH(mem_section)", &v)) && v && v < g->nr_roots)
		g->nr_roots = v;
	mw_error_destroy(err);
	if (g->nr_roots > MAX_ROOTS)
		g->nr_roots = MAX_ROOTS;
	g->section_pages = 1ULL << (size_bits - l->page_shift);
	if (g->section_pages > MAX_SECTION_PAGES)
		return mw_error_create(MW_ERR_UNSUPPORTED, "memory sections of %" PRIu64 " pages",
				       g->section_pages);
	return NULL;
}

/* SPARSEMEM_EXTREME: mem_section is a pointer to the root array;
 * VMCOREINFO's SYMBOL(mem_section) is that pointer's value. */
static struct mw_error *sections_roots_addr(struct mw_kernel *k, struct mw_warnings *w,
					    struct sections_geo *g)
{
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	uint64_t vmci = 0;
	struct mw_error *err;
	g->extreme = true;
	g->roots_addr = 0;
	if ((err = mw_kernel_symbol(k, "mem_section", &g->sym)))
		return err;
	bool have_vmci = !(err = mw_vmcoreinfo_u64(info, "SYMBOL(mem_section)", &vmci));
	mw_error_destroy(err);
	if (have_vmci && vmci == g->sym) {
		g->extreme = false;
		return NULL;
	}
	if ((err = mw_kread_u64(k, g->sym, &g->roots_addr)))
		return mw_error_prepend(err, "reading mem_section");
	if (have_vmci && g->roots_addr != vmci)
		mw_warn(w, "mem_section is 0x%" PRIx64 " but VMCOREINFO says 0x%" PRIx64,
			g->roots_addr, vmci);
	return NULL;
}

/* The root array of SPARSEMEM_EXTREME. A page of it that a filtered dump
 * left out was all zeros (makedumpfile drops zero pages, never other
 * kernel data). */
static struct mw_error *sections_read_roots(struct mw_kernel *k, const struct sections_geo *g,
					    uint64_t *roots)
{
	uint64_t len = g->nr_roots * 8;
	for (uint64_t off = 0; off < len; ) {
		uint64_t chunk = 4096 - ((g->roots_addr + off) & 4095);
		if (chunk > len - off)
			chunk = len - off;
		struct mw_error *err = mw_kernel_read(k, g->roots_addr + off,
						      (uint8_t *)roots + off, (size_t)chunk);
		if (err && err->code == MW_ERR_NOT_IN_DUMP) {
			mw_error_destroy(err);
			err = NULL;
			memset((uint8_t *)roots + off, 0, (size_t)chunk);
		}
		if (err)
			return mw_error_prepend(err, "reading the mem_section roots");
		off += chunk;
	}
	return NULL;
}

/* The present sections with a mem_map, root page by root page. */
static struct mw_error *sections_collect(struct mw_kernel *k, struct mw_warnings *w,
					 const struct sections_geo *g, const uint64_t *roots,
					 uint8_t *root, struct section **secs, size_t *nr)
{
	size_t n = 0, cap = 0;
	bool warned_map = false;
	uint64_t root_len = g->per_root * g->ms_size;
	for (uint64_t r = 0; r < g->nr_roots; r++) {
		uint64_t raddr = g->extreme ? roots[r] : g->sym + r * root_len;
		if (!raddr)
			continue;
		struct mw_error *e = mw_kernel_read(k, raddr, root, root_len);
		if (e) {
			mw_warn_error(w, e, "a mem_section root");
			continue;
		}
		for (uint64_t i = 0; i < g->per_root; i++) {
			uint64_t map = mw_le64(root, root_len, i * g->ms_size + g->ms_map);
			if (!(map & g->present_bit) || !(map & g->has_map_bit))
				continue;
			uint64_t sec = r * g->per_root + i;
			if (!warned_map && (map & g->map_mask) != k->vmemmap_base) {
				mw_warn(w, "memory section %" PRIu64 " has its struct pages at 0x%" PRIx64
					", not in the vmemmap at 0x%" PRIx64 "; reading the vmemmap",
					sec, map & g->map_mask, k->vmemmap_base);
				warned_map = true;
			}
			if (n >= MAX_SECTIONS)
				return mw_error_create(MW_ERR_LIMIT, "more than %d memory sections",
						       MAX_SECTIONS);
			struct section *s = mw_grow(*secs, &cap, n, sizeof(*s), 64);
			if (!s)
				return &mw_error_nomem;
			*secs = s;
			(*secs)[n].start_pfn = sec * g->section_pages;
			(*secs)[n].nr_pages = g->section_pages;
			*nr = ++n;
		}
	}
	if (n == 0)
		return mw_error_create(MW_ERR_BAD_DATA, "no present memory section in mem_section");
	return NULL;
}

static struct mw_error *find_sections(struct mw_kernel *k, const struct mw_page_layout *l,
				      struct mw_warnings *w, struct section **ret,
				      size_t *nr_ret)
{
	struct sections_geo g;
	struct mw_error *err;
	if ((err = sections_geometry(k, l, &g)) || (err = sections_roots_addr(k, w, &g)))
		return err;
	uint64_t *roots = calloc(g.nr_roots, sizeof(*roots));
	uint8_t *root = malloc(k->vm.page_size);
	struct section *secs = NULL;
	size_t n = 0;
	if (!roots || !root)
		err = &mw_error_nomem;
	else if (!g.extreme || !(err = sections_read_roots(k, &g, roots)))
		err = sections_collect(k, w, &g, roots, root, &secs, &n);
	free(roots);
	free(root);
	if (err) {
		free(secs);
		return err;
	}
	*ret = secs;
	*nr_ret = n;
	return NULL;
}

/* ---- the run ---- */

void mw_pagescan_destroy(struct mw_pagescan *ps)
{
	if (!ps)
		return;
	mw_pagesets_deinit(&ps->sets);
	mw_vmstat_deinit(&ps->vmstat);
	mw_cpus_deinit(&ps->cpus);
	free(ps->zone_counts);
	free(ps->memcgs);
	free(ps);
}

static int cmp_zr(const void *a, const void *b)
{
	const struct zone_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int cmp_bad(const void *a, const void *b)
{
	const struct mw_bad_page *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static int cmp_memcg(const void *a, const void *b)
{
	const struct mw_memcg_pages *x = a, *y = b;
	return x->memcg < y->memcg ? -1 : x->memcg > y->memcg;
}

static void add_counts(struct mw_scan_counts *dst, const struct mw_scan_counts *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;
	for (size_t i = 0; i < sizeof(*dst) / sizeof(uint64_t); i++)
		d[i] += s[i];
}

/* One thread per online CPU, at most MW_PAGESCAN_DEFAULT_THREADS. */
static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > MW_PAGESCAN_DEFAULT_THREADS)
		n = MW_PAGESCAN_DEFAULT_THREADS;
	return (unsigned)n;
}

static void thread_free(struct thread *t)
{
	free(t->buf);
	free(t->readable);
	free(t->zc);
	free(t->memcgs.slots);
	free(t->objcgs);
	free(t->tstate);
}

static int cmp_unreadable(const void *a, const void *b)
{
	const struct unreadable_run *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/*
 * The lowest UNREADABLE_KEEP unreadable runs of all threads, in PFN order,
 * then a count: the same warnings whatever the number of threads and
 * whichever thread scanned which section. Each thread met its runs in PFN
 * order and kept its first UNREADABLE_KEEP, so the lowest of all are kept.
 */
static void warn_unreadable(const struct thread *th, unsigned nt, struct mw_warnings *w)
{
	struct unreadable_run all[MW_PAGESCAN_MAX_THREADS * UNREADABLE_KEEP];
	size_t n = 0, total = 0;
	for (unsigned i = 0; i < nt; i++) {
		total += th[i].unreadable_total;
		for (size_t u = 0; u < th[i].nr_unreadable; u++)
			all[n++] = th[i].unreadable[u];
	}
	qsort(all, n, sizeof(*all), cmp_unreadable);
	size_t shown = n < UNREADABLE_KEEP ? n : UNREADABLE_KEEP;
	for (size_t u = 0; u < shown; u++)
		mw_warn(w, "%s", all[u].text);
	if (total > shown)
		mw_warn(w, "... and %zu more unreadable runs of struct pages", total - shown);
}

static struct mw_error *merge(struct scanner *sc, struct thread *th, unsigned nt,
			      struct mw_warnings *w)
{
	struct mw_pagescan *ps = sc->ps;
	struct mw_error *err = NULL;
	size_t nr_bad = 0, nr_memcg = 0;
	for (unsigned i = 0; i < nt; i++) {
		add_counts(&ps->c, &th[i].c);
		for (size_t z = 0; z <= sc->nr_zones; z++)
			add_counts(&ps->zone_counts[z], &th[i].zc[z]);
		nr_bad += th[i].nr_bad;
		nr_memcg += th[i].memcgs.n;
		if (th[i].err && !err)
			err = th[i].err;
		else if (th[i].err)
			mw_error_destroy(th[i].err);
	}
	warn_unreadable(th, nt, w);
	/* memcgs: concatenate, sort, fold duplicates */
	ps->memcgs = calloc(nr_memcg ? nr_memcg : 1, sizeof(*ps->memcgs));
	if (!ps->memcgs)
		return err ? err : &mw_error_nomem;
	size_t m = 0;
	for (unsigned i = 0; i < nt; i++)
		for (size_t j = 0; j < th[i].memcgs.cap; j++)
			if (th[i].memcgs.slots[j].memcg)
				ps->memcgs[m++] = th[i].memcgs.slots[j];
	qsort(ps->memcgs, m, sizeof(*ps->memcgs), cmp_memcg);
	size_t out = 0;
	for (size_t j = 0; j < m; j++) {
		if (out && ps->memcgs[out - 1].memcg == ps->memcgs[j].memcg) {
			for (int c = 0; c < MW_PAGE_NR_CATEGORIES; c++)
				ps->memcgs[out - 1].pages[c] += ps->memcgs[j].pages[c];
		} else {
			ps->memcgs[out++] = ps->memcgs[j];
		}
	}
	ps->nr_memcgs = out;
	mw_filter_vmemmap_infer(ps, mw_reader_info(sc->k->reader));
	mw_filter_loss_warn(ps, mw_reader_info(sc->k->reader), w);
	if (!mw_filter_vmemmap_warn(ps, mw_reader_info(sc->k->reader), w) &&
	    ps->c.pages[MW_PAGE_NOT_IN_DUMP])
		mw_warn(w, "the struct pages of %" PRIu64 " pages (%" PRIu64
			" MiB of RAM) are not in the dump: counted as not_in_dump",
			ps->c.pages[MW_PAGE_NOT_IN_DUMP],
			(ps->c.pages[MW_PAGE_NOT_IN_DUMP] * ps->page_size) >> 20);
	if (ps->sets.caches_incomplete && ps->c.slab_unknown_cache_pages)
		mw_warn(w, "%" PRIu64 " slab pages (%" PRIu64 " KiB) belong to caches the broken "
			"slab_caches list did not reach: counted as unknown",
			ps->c.slab_unknown_cache_pages,
			(ps->c.slab_unknown_cache_pages * ps->page_size) >> 10);
	/* bad pages: the lowest PFNs, then a count */
	struct mw_bad_page *bad = calloc(nr_bad ? nr_bad : 1, sizeof(*bad));
	if (!bad)
		return err ? err : &mw_error_nomem;
	size_t b = 0;
	for (unsigned i = 0; i < nt; i++)
		for (size_t j = 0; j < th[i].nr_bad; j++)
			bad[b++] = th[i].bad[j];
	qsort(bad, b, sizeof(*bad), cmp_bad);
	/* each thread kept its first (lowest) BAD_KEEP_PER_THREAD: the lowest
	 * max of all are among them whatever the threads, if max is no more */
	unsigned max = sc->opt->max_bad_page_warnings ? sc->opt->max_bad_page_warnings :
		DEFAULT_BAD_WARNINGS;
	if (max > BAD_KEEP_PER_THREAD)
		max = BAD_KEEP_PER_THREAD;
	for (size_t j = 0; j < b && j < max; j++)
		mw_warn(w, "struct page of PFN 0x%" PRIx64 " (at 0x%" PRIx64 "): %s; counted as unknown",
			bad[j].pfn, sc->vmemmap + bad[j].pfn * sc->l->size, bad[j].reason);
	if (ps->c.bad_pages > max)
		mw_warn(w, "... and %" PRIu64 " more inconsistent struct pages, counted as unknown",
			ps->c.bad_pages - (b < max ? b : max));
	free(bad);
	return err;
}

/* log2(dump block / kernel page): 0 when a block is a page. */
static unsigned block_shift(const struct mw_kernel *k)
{
	uint64_t block = mw_reader_info(k->reader)->page_size;
	unsigned n = 0;
	while (k->vm.page_size && (uint64_t)k->vm.page_size << n < block && n < 8)
		n++;
	return n;
}

struct mw_error *mw_pagescan_run(struct mw_kernel *k,
				 const struct mw_pagescan_options *opt,
				 struct mw_warnings *w, struct mw_pagescan **ret)
{
	static const struct mw_pagescan_options no_opt;
	struct mw_error *err;
	double t0 = now();
	if (!opt)
		opt = &no_opt;
	if (opt->nr_claims > MW_PAGESCAN_MAX_CLAIMS)
		return mw_error_create(MW_ERR_USAGE, "%zu page claims, at most %d",
				       opt->nr_claims, MW_PAGESCAN_MAX_CLAIMS);
	for (size_t i = 0; i < opt->nr_claims; i++)
		if (!opt->claims[i].set ||
		    (unsigned)opt->claims[i].category >= MW_PAGE_NR_CATEGORIES)
			return mw_error_create(MW_ERR_USAGE, "bad page claim %zu", i);
	struct mw_pagescan *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return &mw_error_nomem;
	ps->kernel = k;
	ps->page_size = k->vm.page_size;	/* the kernel's (a dump block can be larger) */
	if ((err = mw_page_layout_resolve(k, w, &ps->layout)))
		goto fail;
	if ((err = mw_cpus_read(k, &ps->cpus)))
		goto fail;
	if ((err = mw_vmstat_read(k, &ps->cpus, &ps->layout, w, &ps->vmstat)))
		goto fail;
	if ((err = mw_pagesets_build(k, &ps->cpus, &ps->vmstat, &ps->layout, w, &ps->sets)))
		goto fail;
	mw_zpool_marks_resolve(k, &ps->zpool_marks);

	struct scanner sc = {
		.k = k, .ps = ps, .l = &ps->layout, .sets = &ps->sets, .zm = &ps->zpool_marks,
		.opt = opt,
		.vmemmap = k->vmemmap_base,
		.check_excluded = mw_reader_info(k->reader)->excluded_pages > 0,
		.block_shift = block_shift(k),
	};
	if ((err = find_sections(k, &ps->layout, w, &sc.sections, &sc.nr_sections)))
		goto fail;
	for (size_t i = 0; i < sc.nr_sections; i++)
		sc.total_pages += sc.sections[i].nr_pages;
	ps->nr_sections = sc.nr_sections;
	ps->total_pages = sc.total_pages;
	sc.nr_zones = ps->vmstat.nr_zones;
	sc.zr = calloc(sc.nr_zones ? sc.nr_zones : 1, sizeof(*sc.zr));
	ps->zone_counts = calloc(sc.nr_zones + 1, sizeof(*ps->zone_counts));
	if (!sc.zr || !ps->zone_counts) {
		free(sc.zr);
		free(sc.sections);
		err = &mw_error_nomem;
		goto fail;
	}
	for (size_t z = 0; z < sc.nr_zones; z++) {
		const struct mw_zone *zone = &ps->vmstat.zones[z];
		sc.zr[sc.nr_zr++] = (struct zone_range){ zone->start_pfn,
			zone->start_pfn + zone->spanned_pages, z };
	}
	qsort(sc.zr, sc.nr_zr, sizeof(*sc.zr), cmp_zr);
	/* pfns whose struct pages fill whole 4096-byte pages of the vmemmap */
	sc.unit = 4096;
	while (sc.unit > 1 && (sc.unit / 2 * ps->layout.size) % 4096 == 0)
		sc.unit /= 2;

	unsigned nt = opt->threads ? opt->threads : default_threads();
	if (nt > MW_PAGESCAN_MAX_THREADS)
		nt = MW_PAGESCAN_MAX_THREADS;
	if (nt > sc.nr_sections)
		nt = (unsigned)sc.nr_sections;
	struct thread *th = calloc(nt, sizeof(*th));
	if (!th) {
		free(sc.zr);
		free(sc.sections);
		err = &mw_error_nomem;
		goto fail;
	}
	uint64_t max_section = 0;
	for (size_t i = 0; i < sc.nr_sections; i++)
		if (sc.sections[i].nr_pages > max_section)
			max_section = sc.sections[i].nr_pages;
	unsigned started = 0, inited = 0;
	for (unsigned i = 0; i < nt && !err; i++) {
		struct thread *t = &th[i];
		t->sc = &sc;
		t->index = i;
		/* page-aligned: the kernel copies into an aligned buffer
		 * several times faster (measured: 4x for pread) */
		if (posix_memalign((void **)&t->buf, 4096,
				   (size_t)(max_section * ps->layout.size)))
			t->buf = NULL;
		t->readable = malloc((size_t)max_section);
		t->zc = calloc(sc.nr_zones + 1, sizeof(*t->zc));
		t->objcgs = calloc(1, sizeof(*t->objcgs));
		t->tstate = calloc(opt->nr_observers + 1, sizeof(void *));
		if (!t->buf || !t->readable || !t->zc || !t->objcgs || !t->tstate) {
			err = &mw_error_nomem;
			break;
		}
		for (size_t o = 0; o < opt->nr_observers && !err; o++)
			if (opt->observers[o].thread_init)
				err = opt->observers[o].thread_init(opt->observers[o].arg, i,
								    &t->tstate[o]);
		if (!err)
			inited++;
	}
	ps->setup_seconds = now() - t0;
	double t1 = now();
	if (!err) {
		for (unsigned i = 1; i < nt; i++) {
			if (pthread_create(&th[i].tid, NULL, thread_main, &th[i]) != 0)
				break;
			started++;
		}
		thread_main(&th[0]);
		for (unsigned i = 1; i <= started; i++)
			pthread_join(th[i].tid, NULL);
		ps->threads = started + 1;
		ps->seconds = now() - t1;
		ps->struct_page_bytes = ps->total_pages * ps->layout.size;
		err = merge(&sc, th, nt, w);
	}
	for (unsigned i = 0; i < inited; i++)
		for (size_t o = 0; o < opt->nr_observers; o++)
			if (opt->observers[o].thread_done) {
				struct mw_error *e = opt->observers[o].thread_done(
					opt->observers[o].arg, i, th[i].tstate[o]);
				if (e && !err)
					err = e;
				else
					mw_error_destroy(e);
			}
	for (unsigned i = 0; i < nt; i++)
		thread_free(&th[i]);
	free(th);
	free(sc.zr);
	free(sc.sections);
	if (err)
		goto fail;
	*ret = ps;
	return NULL;
fail:
	mw_pagescan_destroy(ps);
	return err;
}
