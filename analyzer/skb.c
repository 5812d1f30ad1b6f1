/* memwhere: socket buffers and the memory they keep alive (see skb.h). */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/layout.h"
#include "analyzer/pageflags.h"
#include "analyzer/skb.h"
#include "common/le.h"

enum {
	SMP_CACHE_BYTES = 64,		/* SKB_DATA_ALIGN on x86-64 */
	KMALLOC_MAX_CACHE_SIZE = 8192,	/* SLUB: 2 * PAGE_SIZE */
	SKB_BUF_MAX = 4096,		/* bound on sizeof(struct sk_buff) we read */
	RB_MAX_DEPTH = 128,		/* rb-trees of 2^64 nodes are 128 deep */
	MAP_MIN = 64,
};

enum slab_scheme {
	SLAB_BY_SIZE = 0,	/* neither: kmalloc heads above kmalloc_max are pages */
	SLAB_PAGEFLAG,		/* PG_slab in page->flags (before 6.10) */
	SLAB_TYPE_BIT,		/* page_type: PAGE_TYPE_BASE with PG_slab cleared (6.10) */
	SLAB_TYPE_TOP_BYTE,	/* page_type >> 24 == PGTY_slab (6.11+) */
};

/* ------------------------------------------------------------------ */
/* A small open-addressing hash map from a 64-bit key to counters. */

struct map_entry {
	uint64_t key;
	uint32_t order;
	uint32_t owner;
	uint32_t refs;		/* local: this owner's refs; global: the owner's refs */
	uint32_t nr_owners;
	uint32_t kinds;		/* enum mw_skb_page_kind bits */
	bool used;
};

struct mw_skb_map {
	struct map_entry *v;
	size_t cap;		/* power of two */
	size_t nr;
};

static uint64_t map_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

static struct mw_error *map_create(struct mw_skb_map **ret)
{
	struct mw_skb_map *m = calloc(1, sizeof(*m));
	if (!m)
		return &mw_error_nomem;
	m->cap = MAP_MIN;
	m->v = calloc(m->cap, sizeof(*m->v));
	if (!m->v) {
		free(m);
		return &mw_error_nomem;
	}
	*ret = m;
	return NULL;
}

static void map_destroy(struct mw_skb_map *m)
{
	if (!m)
		return;
	free(m->v);
	free(m);
}

static struct mw_error *map_grow(struct mw_skb_map *m)
{
	size_t cap = m->cap * 2;
	struct map_entry *v = calloc(cap, sizeof(*v));
	if (!v)
		return &mw_error_nomem;
	for (size_t j = 0; j < m->cap; j++) {
		if (!m->v[j].used)
			continue;
		size_t i = map_hash(m->v[j].key) & (cap - 1);
		while (v[i].used)
			i = (i + 1) & (cap - 1);
		v[i] = m->v[j];
	}
	free(m->v);
	m->v = v;
	m->cap = cap;
	return NULL;
}

/* The entry for key, created zeroed if new (*created says which). */
static struct mw_error *map_get(struct mw_skb_map *m, uint64_t key,
				struct map_entry **ret, bool *created)
{
	struct mw_error *err;
	if ((m->nr + 1) * 2 > m->cap && (err = map_grow(m)))
		return err;
	size_t mask = m->cap - 1;
	size_t i = map_hash(key) & mask;
	while (m->v[i].used) {
		if (m->v[i].key == key) {
			*ret = &m->v[i];
			if (created)
				*created = false;
			return NULL;
		}
		i = (i + 1) & mask;
	}
	memset(&m->v[i], 0, sizeof(m->v[i]));
	m->v[i].used = true;
	m->v[i].key = key;
	m->nr++;
	*ret = &m->v[i];
	if (created)
		*created = true;
	return NULL;
}

static void map_clear(struct mw_skb_map *m)
{
	if (m->cap > 4096) {
		struct map_entry *v = calloc(MAP_MIN, sizeof(*v));
		if (v) {
			free(m->v);
			m->v = v;
			m->cap = MAP_MIN;
			m->nr = 0;
			return;
		}
	}
	memset(m->v, 0, m->cap * sizeof(*m->v));
	m->nr = 0;
}

/* ------------------------------------------------------------------ */
/* Layout */

/* The fields whose values are worked out (bits, sums, fallbacks). */
struct skb_raw {
	struct mw_field end, head_frag, fclone, rbnode, rb_parent, rb_right,
		rb_left, shinfo_size, frags, bv_page, bv_len, netmem, frag_len,
		folio_order, flags_1, compound_order, page_size, pg_slab,
		pgty_slab, pt_slab, pt_base, page_type, compound_head, cinfo;
};

static struct mw_error *skb_resolve_fields(struct mw_types *t,
					   struct mw_skb_layout *l,
					   struct skb_raw *r)
{
#define L struct mw_skb_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_SIZEOF(L, "sk_buff", skb_size),
		MW_LAYOUT_SIZEOF_MAYBE(L, "sk_buff_fclones", fclones_size),
		MW_LAYOUT_MEMBER(L, "sk_buff.next", off_next),
		MW_LAYOUT_MEMBER(L, "sk_buff.len", off_len),
		MW_LAYOUT_MEMBER(L, "sk_buff.data_len", off_data_len),
		MW_LAYOUT_MEMBER(L, "sk_buff.truesize", off_truesize),
		MW_LAYOUT_MEMBER(L, "sk_buff.head", off_head),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "sk_buff.end", &r->end),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "sk_buff.head_frag", &r->head_frag),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "sk_buff.fclone", &r->fclone),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "sk_buff.rbnode", &r->rbnode),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "rb_node.__rb_parent_color", &r->rb_parent),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "rb_node.rb_right", &r->rb_right),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "rb_node.rb_left", &r->rb_left),
		MW_LAYOUT_MEMBER(L, "sk_buff_head.qlen", off_qlen),
		MW_LAYOUT_RAW(MW_FIELD_KIND_SIZEOF, "skb_shared_info", &r->shinfo_size),
		MW_LAYOUT_MEMBER(L, "skb_shared_info.nr_frags", off_nr_frags),
		MW_LAYOUT_MEMBER(L, "skb_shared_info.frag_list", off_frag_list),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "skb_shared_info.frags", &r->frags),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "skb_frag_t.bv_page", &r->bv_page),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "skb_frag_t.bv_len", &r->bv_len),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "skb_frag_t.netmem", &r->netmem),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "skb_frag_t.len", &r->frag_len),
		MW_LAYOUT_RAW(MW_FIELD_KIND_SIZEOF, "page", &r->page_size),
		MW_LAYOUT_MEMBER(L, "page.flags", off_page_flags),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.compound_head", &r->compound_head),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.compound_info", &r->cinfo),	/* 7.1+ */
		MW_LAYOUT_ENUM(L, "pageflags.PG_head", pg_head),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio._folio_order", &r->folio_order),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio._flags_1", &r->flags_1),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.compound_order", &r->compound_order),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_ENUM, "pageflags.PG_slab", &r->pg_slab),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_ENUM, "pagetype.PGTY_slab", &r->pgty_slab),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_ENUM, "pagetype.PG_slab", &r->pt_slab),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_ENUM, "pagetype.PAGE_TYPE_BASE", &r->pt_base),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.page_type", &r->page_type),
	};
#undef L
	memset(l, 0, sizeof(*l));
	struct mw_error *err = mw_layout_resolve(t, fields, MW_ARRAY_SIZE(fields), l);
	return err ? mw_error_prepend(err, "socket buffers") : NULL;
}

/* The sk_buff itself: its bits and its rb_node. */
static struct mw_error *skb_resolve_buff(struct mw_skb_layout *l,
					 const struct skb_raw *r)
{
	l->off_end = mw_u32_of(r->end.offset);
	l->end_size = mw_u32_of(r->end.size);
	const struct mw_field *hf = &r->head_frag, *fc = &r->fclone;
	if (!hf->bit_size || hf->bit_offset % 8 + hf->bit_size > 8)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "socket buffers: sk_buff.head_frag is not a bit inside one byte");
	l->off_head_frag = mw_u32_of(hf->bit_offset / 8);
	l->head_frag_mask = (uint8_t)(1u << (hf->bit_offset % 8));
	if (fc->found && fc->bit_size && fc->bit_offset % 8 + fc->bit_size <= 8) {
		l->off_fclone = mw_u32_of(fc->bit_offset / 8);
		l->fclone_shift = (uint8_t)(fc->bit_offset % 8);
		l->fclone_mask = (uint8_t)(((1u << fc->bit_size) - 1) << l->fclone_shift);
	}
	l->off_rb_parent = mw_u32_of(r->rbnode.offset + r->rb_parent.offset);
	l->off_rb_right = mw_u32_of(r->rbnode.offset + r->rb_right.offset);
	l->off_rb_left = mw_u32_of(r->rbnode.offset + r->rb_left.offset);
	return NULL;
}

/* skb_shared_info and its frags[]. */
static struct mw_error *skb_resolve_shinfo(struct mw_skb_layout *l,
					   const struct skb_raw *r)
{
	l->shinfo_size = mw_u32_of((r->shinfo_size.size + SMP_CACHE_BYTES - 1) &
				   ~(uint64_t)(SMP_CACHE_BYTES - 1));
	l->off_frags = mw_u32_of(r->frags.offset);
	l->frag_size = mw_u32_of(r->frags.target_size);
	l->max_frags = mw_u32_of(r->frags.nr_elements);
	if (r->bv_page.found) {
		l->off_frag_page = mw_u32_of(r->bv_page.offset);
		l->off_frag_len = r->bv_len.found ? mw_u32_of(r->bv_len.offset) : 8;
		l->frag_netmem = false;
	} else if (r->netmem.found) {
		l->off_frag_page = mw_u32_of(r->netmem.offset);
		l->off_frag_len = r->frag_len.found ? mw_u32_of(r->frag_len.offset) : 8;
		l->frag_netmem = true;
	} else {
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "socket buffers: skb_frag_t has neither bv_page nor netmem");
	}
	return NULL;
}

/* Every offset read lies inside what is read. */
static struct mw_error *skb_check_bounds(const struct mw_skb_layout *l)
{
	if (!l->skb_size || l->skb_size > SKB_BUF_MAX ||
	    l->off_next + 8 > l->skb_size || l->off_head + 8 > l->skb_size ||
	    l->off_end + l->end_size > l->skb_size ||
	    l->off_rb_left + 8 > l->skb_size || l->off_truesize + 4 > l->skb_size ||
	    (l->end_size != 4 && l->end_size != 8))
		return mw_error_create(MW_ERR_FORMAT,
				       "socket buffers: struct sk_buff layout out of bounds");
	if (!l->frag_size || l->frag_size > 64 || l->off_frag_page + 8 > l->frag_size ||
	    l->off_frag_len + 4 > l->frag_size || !l->max_frags ||
	    l->max_frags > MW_SKB_MAX_FRAGS_LIMIT ||
	    l->off_frags + (uint64_t)l->max_frags * l->frag_size > 4096)
		return mw_error_create(MW_ERR_FORMAT,
				       "socket buffers: skb_shared_info.frags[] layout out of bounds (MAX_SKB_FRAGS %u)",
				       l->max_frags);
	return NULL;
}

/* struct page: the compound order and how a slab page is recognised. */
static struct mw_error *skb_resolve_page(struct mw_skb_layout *l,
					 const struct skb_raw *r)
{
	if (!r->compound_head.found && !r->cinfo.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "socket buffers: struct page has neither compound_head nor compound_info");
	l->off_compound_head = mw_u32_of(r->compound_head.found ? r->compound_head.offset :
					 r->cinfo.offset);
	if (r->folio_order.found)
		l->off_order = mw_u32_of(r->folio_order.offset);
	else if (r->flags_1.found)
		l->off_order = mw_u32_of(r->flags_1.offset);	/* its low byte */
	else if (r->compound_order.found)
		l->off_order = mw_u32_of(r->page_size.size + r->compound_order.offset);
	else
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "socket buffers: no folio._folio_order, folio._flags_1 or page.compound_order for compound page orders");
	l->pg_slab = -1;
	l->pgty_slab = -1;
	l->kmalloc_max = KMALLOC_MAX_CACHE_SIZE;
	if (r->pgty_slab.found && r->page_type.found) {
		l->pgty_slab = (int)(r->pgty_slab.value & 0xff);
		l->off_page_type = mw_u32_of(r->page_type.offset);
	} else if (r->pt_slab.found && r->pt_base.found && r->page_type.found) {
		/* 6.10: the type's bit cleared under PAGE_TYPE_BASE */
		l->pg_slab = (int)__builtin_ctzll((uint64_t)r->pt_slab.value | (1ULL << 63));
		l->pgty_slab = -2;
		l->off_page_type = mw_u32_of(r->page_type.offset);
	} else if (r->pg_slab.found) {
		l->pg_slab = (int)r->pg_slab.value;
	}
	return NULL;
}

struct mw_error *mw_skb_layout_resolve(struct mw_types *t,
				       struct mw_skb_layout *l)
{
	struct skb_raw r;
	struct mw_error *err;
	if ((err = skb_resolve_fields(t, l, &r)) ||
	    (err = skb_resolve_buff(l, &r)) ||
	    (err = skb_resolve_shinfo(l, &r)) ||
	    (err = skb_check_bounds(l)))
		return err;
	return skb_resolve_page(l, &r);
}

static enum slab_scheme slab_scheme(const struct mw_skb_layout *l)
{
	if (l->pgty_slab >= 0)
		return SLAB_TYPE_TOP_BYTE;
	if (l->pgty_slab == -2)
		return SLAB_TYPE_BIT;
	if (l->pg_slab >= 0)
		return SLAB_PAGEFLAG;
	return SLAB_BY_SIZE;
}

/* ------------------------------------------------------------------ */
/* Walker */

struct mw_error *mw_skb_walker_init(struct mw_skb_walker *w,
				    const struct mw_kmem *mem,
				    const struct mw_skb_layout *l,
				    struct mw_warnings *warnings)
{
	struct mw_error *err;
	memset(w, 0, sizeof(*w));
	w->mem = mem;
	w->l = l;
	w->warnings = warnings;
	w->max_skbs = mw_walk_cap(mem->max_pfn << mem->page_shift, l->skb_size);
	if ((err = map_create(&w->owner_pages)) || (err = map_create(&w->pages)) ||
	    (err = map_create(&w->heads))) {
		mw_skb_walker_deinit(w);
		return err;
	}
	return NULL;
}

void mw_skb_walker_deinit(struct mw_skb_walker *w)
{
	if (w->unwarned && w->warnings)
		mw_warn(w->warnings, "socket buffers: %" PRIu64
			" more bad skbs skipped (warnings for the first %d shown)",
			w->unwarned, MW_SKB_WARN_LIMIT);
	w->unwarned = 0;
	free(w->refs);
	w->refs = NULL;
	w->nr_refs = w->cap_refs = 0;
	map_destroy(w->owner_pages);
	map_destroy(w->pages);
	map_destroy(w->heads);
	w->owner_pages = w->pages = w->heads = NULL;
}

__attribute__((format(printf, 2, 3)))
static void skb_warn(struct mw_skb_walker *w, const char *fmt, ...)
{
	if (w->warned >= MW_SKB_WARN_LIMIT) {
		w->unwarned++;
		return;
	}
	w->warned++;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mw_warn(w->warnings, "%s", buf);
}

/* Warn "what: context: error" and destroy err. */
static void skb_warn_error(struct mw_skb_walker *w, struct mw_error *err,
			   const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void skb_warn_error(struct mw_skb_walker *w, struct mw_error *err,
			   const char *what, const char *fmt, ...)
{
	char *s = mw_error_string(err);
	char ctx[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	skb_warn(w, "%s: %s: %s", what, ctx, s ? s : err->message);
	free(s);
	mw_error_destroy(err);
}

/*
 * The compound page a struct page belongs to: its head PFN and order.
 * Errors are bad data (the caller warns and skips the skb).
 */
static struct mw_error *resolve_page(struct mw_skb_walker *w, uint64_t page,
				     uint64_t *head_pfn, uint32_t *order,
				     uint64_t *head_flags)
{
	const struct mw_kmem *m = w->mem;
	const struct mw_skb_layout *l = w->l;
	uint64_t pfn, hpfn, v, flags;
	struct mw_error *err;

	if (!mw_kmem_page_pfn(m, page, &pfn))
		return mw_error_at(MW_ERR_BAD_DATA, page,
				   "struct page pointer outside the vmemmap");
	if (w->cache_valid && !head_flags && pfn >= w->cache_head &&
	    pfn - w->cache_head < (1ULL << w->cache_order)) {
		*head_pfn = w->cache_head;
		*order = w->cache_order;
		return NULL;
	}
	if ((err = mw_kmem_u64(m, page + l->off_compound_head, &v)))
		return err;
	hpfn = pfn;
	if (v & 1) {
		uint64_t h = mw_compound_head(page, v);
		if (!mw_kmem_page_pfn(m, h, &hpfn))
			return mw_error_at(MW_ERR_BAD_DATA, page,
					   "compound_head 0x%" PRIx64 " outside the vmemmap",
					   h);
		if (hpfn > pfn)
			return mw_error_at(MW_ERR_BAD_DATA, page,
					   "compound head after its tail page");
	}
	uint64_t head = mw_kmem_pfn_page(m, hpfn);
	if ((err = mw_kmem_u64(m, head + l->off_page_flags, &flags)))
		return err;
	uint32_t ord = 0;
	if (l->pg_head >= 0 && l->pg_head < 64 && (flags >> l->pg_head) & 1) {
		uint8_t b;
		if ((err = mw_kmem_read(m, head + l->off_order, &b, 1)))
			return err;
		ord = b;
	}
	if (ord > MW_SKB_MAX_ORDER)
		return mw_error_at(MW_ERR_BAD_DATA, head,
				   "compound page of order %u", ord);
	if (pfn - hpfn >= (1ULL << ord))
		return mw_error_at(MW_ERR_BAD_DATA, page,
				   "page is not inside its compound head's order-%u page",
				   ord);
	*head_pfn = hpfn;
	*order = ord;
	if (head_flags)
		*head_flags = flags;
	w->cache_head = hpfn;
	w->cache_order = ord;
	w->cache_valid = true;
	return NULL;
}

/* Is the compound page at head pfn a slab page? */
static struct mw_error *page_is_slab(struct mw_skb_walker *w, uint64_t hpfn,
				     uint64_t flags, uint64_t head_size,
				     bool *ret)
{
	const struct mw_skb_layout *l = w->l;
	uint64_t page = mw_kmem_pfn_page(w->mem, hpfn);
	uint32_t pt;
	struct mw_error *err;
	switch (slab_scheme(l)) {
	case SLAB_PAGEFLAG:
		*ret = (flags >> l->pg_slab) & 1;
		return NULL;
	case SLAB_TYPE_TOP_BYTE:
		if ((err = mw_kmem_read(w->mem, page + l->off_page_type, &pt, 4)))
			return err;
		*ret = (pt >> 24) == (uint32_t)l->pgty_slab;
		return NULL;
	case SLAB_TYPE_BIT: {
		if ((err = mw_kmem_read(w->mem, page + l->off_page_type, &pt, 4)))
			return err;
		uint32_t bit = 1u << l->pg_slab;
		*ret = (pt & (0x80000000u | bit)) == 0x80000000u;
		return NULL;
	}
	case SLAB_BY_SIZE:
	default:
		*ret = head_size <= l->kmalloc_max;
		return NULL;
	}
}

/* One page reference of the skb being checked, committed once it is valid. */
struct pending_ref {
	uint64_t pfn;
	uint32_t order;
	uint32_t kind;		/* enum mw_skb_page_kind */
};

struct pending {
	struct pending_ref refs[MW_SKB_MAX_FRAGS_LIMIT + 1];
	size_t nr;
	uint64_t head_bytes;	/* a slab head, not seen before */
	uint64_t head_addr;
	bool page_head;
	uint64_t frags;
	uint64_t frag_list;
	/* the most bytes the skb's own buffers hold: its head buffer (up to
	 * end), the compound pages behind its frags; UINT64_MAX when a frag is
	 * not a page (net_iov: its size is not known) */
	uint64_t head_buf;
	uint64_t frag_bytes;
};

/*
 * Check one skb and gather what it pins into p. false: bad skb (warned).
 */
static bool check_skb(struct mw_skb_walker *w, uint64_t skb, const uint8_t *sb,
		      const char *what, struct pending *p)
{
	const struct mw_skb_layout *l = w->l;
	struct mw_error *err;
	uint64_t head = mw_le64(sb, l->skb_size, l->off_head);
	uint64_t end = l->end_size == 4 ? mw_le32(sb, l->skb_size, l->off_end) : mw_le64(sb, l->skb_size, l->off_end);
	uint64_t shinfo;

	memset(p, 0, sizeof(*p));
	if (!mw_kptr_ok(head, 1)) {
		skb_warn(w, "%s: skb 0x%" PRIx64 ": head 0x%" PRIx64
			 " is not a kernel address; skb skipped", what, skb, head);
		return false;
	}
	if (l->end_size == 4) {
		if (end > (64u << 20)) {
			skb_warn(w, "%s: skb 0x%" PRIx64 ": end offset %" PRIu64
				 " is absurd; skb skipped", what, skb, end);
			return false;
		}
		shinfo = head + end;
	} else {
		if (end < head || end - head > (64u << 20)) {
			skb_warn(w, "%s: skb 0x%" PRIx64 ": end 0x%" PRIx64
				 " is not after head 0x%" PRIx64 "; skb skipped",
				 what, skb, end, head);
			return false;
		}
		shinfo = end;
	}

	uint64_t dpfn;
	if (!mw_kmem_direct_pfn(w->mem, head, &dpfn)) {
		skb_warn(w, "%s: skb 0x%" PRIx64 ": head 0x%" PRIx64
			 " is outside the direct map; skb skipped", what, skb, head);
		return false;
	}

	uint8_t si[4096];
	size_t si_len = l->off_frags + (size_t)l->max_frags * l->frag_size;
	if (si_len < l->off_nr_frags + 1)
		si_len = l->off_nr_frags + 1;
	if (si_len < l->off_frag_list + 8)
		si_len = l->off_frag_list + 8;
	if ((err = mw_kmem_read(w->mem, shinfo, si, si_len))) {
		skb_warn_error(w, err, what, "skb 0x%" PRIx64 ": skb_shared_info unreadable; skb skipped", skb);
		return false;
	}
	unsigned nr_frags = si[l->off_nr_frags];
	if (nr_frags > l->max_frags) {
		skb_warn(w, "%s: skb 0x%" PRIx64 ": nr_frags %u above MAX_SKB_FRAGS %u; skb skipped",
			 what, skb, nr_frags, l->max_frags);
		return false;
	}

	/* the head buffer */
	uint64_t hpfn, hflags = 0;
	uint32_t order;
	uint64_t head_size = end + l->shinfo_size;
	if (l->end_size == 8)
		head_size = end - head + l->shinfo_size;
	err = resolve_page(w, mw_kmem_pfn_page(w->mem, dpfn), &hpfn, &order, &hflags);
	if (err) {
		skb_warn_error(w, err, what, "skb 0x%" PRIx64 ": head page; skb skipped", skb);
		return false;
	}
	bool is_slab = false;
	if (!(sb[l->off_head_frag] & l->head_frag_mask)) {
		err = page_is_slab(w, hpfn, hflags, head_size, &is_slab);
		if (err) {
			skb_warn_error(w, err, what, "skb 0x%" PRIx64 ": head page; skb skipped", skb);
			return false;
		}
	}
	p->head_addr = head;
	p->head_buf = head_size - l->shinfo_size;
	if (is_slab) {
		p->head_bytes = head_size;
	} else {
		p->page_head = true;
		p->refs[p->nr].pfn = hpfn;
		p->refs[p->nr].order = order;
		p->refs[p->nr].kind = (sb[l->off_head_frag] & l->head_frag_mask) ?
			MW_SKB_PAGE_FRAG_HEAD : MW_SKB_PAGE_LARGE_KMALLOC;
		p->nr++;
	}

	/* the frags */
	for (unsigned i = 0; i < nr_frags; i++) {
		const uint8_t *f = si + l->off_frags + (size_t)i * l->frag_size;
		uint64_t page = mw_le64(f, l->frag_size, l->off_frag_page);
		p->frags++;
		if (l->frag_netmem && (page & 1)) {
			w->net_iov_frags++;	/* device memory, not a page */
			p->frag_bytes = UINT64_MAX;
			continue;
		}
		err = resolve_page(w, page, &hpfn, &order, NULL);
		if (err) {
			char ctx[64];
			snprintf(ctx, sizeof(ctx), "frag %u", i);
			char *s = mw_error_string(err);
			skb_warn(w, "%s: skb 0x%" PRIx64 ": %s page 0x%" PRIx64
				 ": %s; skb skipped", what, skb, ctx, page,
				 s ? s : err->message);
			free(s);
			mw_error_destroy(err);
			return false;
		}
		p->refs[p->nr].pfn = hpfn;
		p->refs[p->nr].order = order;
		p->refs[p->nr].kind = MW_SKB_PAGE_FRAG;
		p->nr++;
		if (p->frag_bytes != UINT64_MAX)
			p->frag_bytes += (1ULL << w->mem->page_shift) << order;
	}
	p->frag_list = mw_le64(si, si_len, l->off_frag_list);
	return true;
}

static struct mw_error *add_ref(struct mw_skb_walker *w, uint64_t pfn,
				uint32_t order, uint32_t kind)
{
	struct map_entry *e;
	bool created;
	struct mw_error *err = map_get(w->owner_pages, pfn, &e, &created);
	if (err)
		return err;
	if (created)
		e->order = order;
	e->kinds |= kind;
	e->refs++;
	return NULL;
}

/* Commit a checked skb into stats. */
static struct mw_error *commit_skb(struct mw_skb_walker *w, const uint8_t *sb,
				  const struct pending *p,
				  struct mw_skb_stats *st)
{
	const struct mw_skb_layout *l = w->l;
	struct mw_error *err;
	st->skb_bytes += l->skb_size;
	if (l->fclone_mask) {
		unsigned fc = (sb[l->off_fclone] & l->fclone_mask) >> l->fclone_shift;
		/* SKB_FCLONE_ORIG: the object is a struct sk_buff_fclones */
		if (fc == 1 && l->fclones_size > l->skb_size)
			st->skb_bytes += l->fclones_size - l->skb_size;
		/* SKB_FCLONE_CLONE lives inside its original's object */
		else if (fc == 2)
			st->skb_bytes -= l->skb_size;
	}
	st->frags += p->frags;
	if (p->page_head)
		st->page_heads++;
	if (p->head_bytes) {
		struct map_entry *e;
		bool created;
		if ((err = map_get(w->heads, p->head_addr, &e, &created)))
			return err;
		if (created)
			st->head_bytes += p->head_bytes;
	}
	for (size_t i = 0; i < p->nr; i++)
		if ((err = add_ref(w, p->refs[i].pfn, p->refs[i].order,
					   p->refs[i].kind)))
			return err;
	return NULL;
}

static struct mw_error *read_skb(struct mw_skb_walker *w, uint64_t skb,
				 uint8_t *sb)
{
	return mw_kmem_read(w->mem, skb, sb, w->l->skb_size);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A queue longer than the dump's RAM holds sk_buffs: stop. */
static bool over_budget(struct mw_skb_walker *w, const char *what, uint64_t *budget,
			struct mw_skb_stats *st)
{
	if (*budget) {
		(*budget)--;
		return false;
	}
	skb_warn(w, "%s: more than %" PRIu64 " skbs (more sk_buffs than the dump's RAM"
		 " holds); stopped", what, w->max_skbs);
	st->truncated = true;
	return true;
}

static struct mw_error *walk_skb(struct mw_skb_walker *w, uint64_t skb,
				 const uint8_t *sb, const char *what,
				 struct mw_skb_stats *st, unsigned depth,
				 uint64_t *budget, uint64_t *len_ret, uint64_t *true_ret);

/*
 * The frag_list of skb: every skb on it, and the sum of their len and
 * truesize (*kids_len, *kids_true: UINT64_MAX when one of them could not
 * be counted, so the parent's own figures cannot be checked against them).
 */
static struct mw_error *walk_frag_list(struct mw_skb_walker *w, uint64_t skb, uint64_t fl,
				       const char *what, struct mw_skb_stats *st,
				       unsigned depth, uint64_t *budget,
				       uint64_t *kids_len, uint64_t *kids_true)
{
	const struct mw_skb_layout *l = w->l;
	struct mw_error *err = NULL;
	*kids_len = *kids_true = 0;
	if (!fl)
		return NULL;
	if (depth + 1 > MW_SKB_MAX_FRAG_LIST_DEPTH) {
		skb_warn(w, "%s: skb 0x%" PRIx64 ": frag_list nested deeper than %d; not followed",
			 what, skb, MW_SKB_MAX_FRAG_LIST_DEPTH);
		st->truncated = true;
		*kids_len = *kids_true = UINT64_MAX;
		return NULL;
	}
	struct mw_cycle c;
	mw_cycle_init(&c, fl);
	uint8_t *cb = malloc(l->skb_size);
	if (!cb)
		return &mw_error_nomem;
	bool first = true, whole = false;
	while (fl) {
		if (!first && mw_cycle_step(&c, fl)) {
			skb_warn(w, "%s: skb 0x%" PRIx64 ": frag_list loops at 0x%" PRIx64,
				 what, skb, fl);
			st->truncated = true;
			break;
		}
		first = false;
		if (!mw_kptr_ok(fl, 8)) {
			skb_warn(w, "%s: skb 0x%" PRIx64 ": frag_list skb 0x%" PRIx64
				 " is not a kernel pointer", what, skb, fl);
			st->truncated = true;
			break;
		}
		if (over_budget(w, what, budget, st))
			break;
		if ((err = read_skb(w, fl, cb))) {
			skb_warn_error(w, err, what, "frag_list skb 0x%" PRIx64 " unreadable", fl);
			err = NULL; /* destroyed by skb_warn_error: a warning, not an error */
			st->truncated = true;
			break;
		}
		uint64_t len, truesize;
		if ((err = walk_skb(w, fl, cb, what, st, depth + 1, budget, &len, &truesize)))
			break;
		*kids_len = sat_add(*kids_len, len);
		*kids_true = sat_add(*kids_true, truesize);
		fl = mw_le64(cb, l->skb_size, l->off_next);
		whole = !fl;
	}
	free(cb);
	if (!whole)
		*kids_len = *kids_true = UINT64_MAX;
	return err;
}

/*
 * One skb and, recursively, its frag_list. top: counted in skbs/bytes
 * (frag_list skbs' payload is inside their parent's len). *len_ret,
 * *true_ret: its len and truesize as counted (UINT64_MAX: not counted).
 */
static struct mw_error *walk_skb(struct mw_skb_walker *w, uint64_t skb,
				 const uint8_t *sb, const char *what,
				 struct mw_skb_stats *st, unsigned depth,
				 uint64_t *budget, uint64_t *len_ret, uint64_t *true_ret)
{
	const struct mw_skb_layout *l = w->l;
	struct pending p;
	struct mw_error *err;

	*len_ret = *true_ret = UINT64_MAX;
	if (!check_skb(w, skb, sb, what, &p)) {
		st->bad_skbs++;
		return NULL;
	}
	if ((err = commit_skb(w, sb, &p, st)))
		return err;
	if (depth == 0)
		st->skbs++;
	else
		st->frag_list_skbs++;
	uint64_t kids_len, kids_true;
	if ((err = walk_frag_list(w, skb, p.frag_list, what, st, depth, budget,
				  &kids_len, &kids_true)))
		return err;

	/* len is the head's bytes (at most the head buffer) plus data_len
	 * (the frags, each inside its compound page, and the frag_list
	 * skbs' len); truesize is what the head, the frags' pages and the
	 * frag_list skbs take, and an sk_buff and a shared info for each
	 * frag merged in (GRO, coalescing) */
	uint64_t len = mw_le32(sb, l->skb_size, l->off_len);
	uint64_t data_len = mw_le32(sb, l->skb_size, l->off_data_len);
	uint64_t truesize = mw_le32(sb, l->skb_size, l->off_truesize);
	uint64_t obj = l->fclones_size > l->skb_size ? l->fclones_size : l->skb_size;
	uint64_t frags_true = p.frag_bytes == UINT64_MAX ? UINT64_MAX :
		p.frag_bytes + p.frags * (l->skb_size + l->shinfo_size);
	uint64_t cap_len = sat_add(p.head_buf, sat_add(p.frag_bytes, kids_len));
	uint64_t cap_true = sat_add(obj + p.head_buf + l->shinfo_size,
				    sat_add(frags_true, kids_true));
	if (data_len > len || len - data_len > p.head_buf || len > cap_len) {
		skb_warn(w, "%s: skb 0x%" PRIx64 ": len %" PRIu64 " (data_len %" PRIu64
			 ") is more than its buffers hold (head %" PRIu64 ", at most %" PRIu64
			 " in all); its bytes are not counted", what, skb, len, data_len,
			 p.head_buf, cap_len);
		st->truncated = true;
	} else {
		*len_ret = len;
		if (depth == 0)
			st->bytes += len;
	}
	if (truesize > cap_true) {
		skb_warn(w, "%s: skb 0x%" PRIx64 ": truesize %" PRIu64 " is more than its"
			 " buffers and pages take (at most %" PRIu64 "); not counted",
			 what, skb, truesize, cap_true);
		st->truncated = true;
	} else {
		*true_ret = truesize;
		st->truesize += truesize;
	}
	return NULL;
}

struct mw_error *mw_skb_walk_one(struct mw_skb_walker *w, uint64_t skb,
				 const char *what, struct mw_skb_stats *st)
{
	uint64_t budget = w->max_skbs, len, truesize;
	uint8_t *sb = malloc(w->l->skb_size);
	struct mw_error *err;
	if (!sb)
		return &mw_error_nomem;
	if ((err = read_skb(w, skb, sb))) {
		skb_warn_error(w, err, what, "skb 0x%" PRIx64 " unreadable", skb);
		st->truncated = true;
		free(sb);
		return NULL;
	}
	err = walk_skb(w, skb, sb, what, st, 0, &budget, &len, &truesize);
	free(sb);
	return err;
}

/* Follow skb->next from first until stop (head address, or 0). */
static struct mw_error *walk_next(struct mw_skb_walker *w, uint64_t first,
				  uint64_t stop, const char *what,
				  struct mw_skb_stats *st, uint64_t *walked)
{
	const struct mw_skb_layout *l = w->l;
	uint64_t budget = w->max_skbs, len, truesize;
	uint64_t skb = first;
	struct mw_cycle c;
	struct mw_error *err = NULL;
	uint8_t *sb = malloc(l->skb_size);
	if (!sb)
		return &mw_error_nomem;
	mw_cycle_init(&c, stop ? stop : first);
	bool first_step = true;
	*walked = 0;
	while (skb != stop) {
		if ((stop || !first_step) && mw_cycle_step(&c, skb)) {
			skb_warn(w, "%s: skb list loops at 0x%" PRIx64 " after %" PRIu64
				 " skbs; rest of the list not walked", what, skb, *walked);
			st->truncated = true;
			break;
		}
		first_step = false;
		if (!mw_kptr_ok(skb, 8)) {
			skb_warn(w, "%s: next skb 0x%" PRIx64 " is not a kernel pointer; "
				 "rest of the list not walked", what, skb);
			st->truncated = true;
			break;
		}
		if (over_budget(w, what, &budget, st))
			break;
		if ((err = read_skb(w, skb, sb))) {
			skb_warn_error(w, err, what, "skb 0x%" PRIx64
				       " unreadable; rest of the list not walked", skb);
			err = NULL;
			st->truncated = true;
			break;
		}
		(*walked)++;
		if ((err = walk_skb(w, skb, sb, what, st, 0, &budget, &len, &truesize)))
			break;
		skb = mw_le64(sb, l->skb_size, l->off_next);
	}
	free(sb);
	return err;
}

struct mw_error *mw_skb_walk_list(struct mw_skb_walker *w, uint64_t head_addr,
				  const char *what, struct mw_skb_stats *st)
{
	uint64_t first, walked;
	uint32_t qlen;
	struct mw_error *err;
	if ((err = mw_kmem_u64(w->mem, head_addr + w->l->off_next, &first)) ||
	    (err = mw_kmem_read(w->mem, head_addr + w->l->off_qlen, &qlen, 4))) {
		skb_warn_error(w, err, what, "queue head 0x%" PRIx64 " unreadable", head_addr);
		st->truncated = true;
		return NULL;
	}
	/* an empty or never-initialised head */
	if (first == head_addr || (first == 0 && qlen == 0))
		return NULL;
	if ((err = walk_next(w, first, head_addr, what, st, &walked)))
		return err;
	if (!st->truncated && walked != qlen)
		mw_warn(w->warnings, "%s: %" PRIu64 " skbs on the list, qlen says %u",
			what, walked, qlen);
	return NULL;
}

struct mw_error *mw_skb_walk_chain(struct mw_skb_walker *w, uint64_t first,
				   const char *what, struct mw_skb_stats *st)
{
	uint64_t walked;
	if (!first)
		return NULL;
	return walk_next(w, first, 0, what, st, &walked);
}

struct mw_error *mw_skb_walk_rbtree(struct mw_skb_walker *w, uint64_t root_addr,
				    const char *what, struct mw_skb_stats *st)
{
	const struct mw_skb_layout *l = w->l;
	uint64_t root;
	struct mw_error *err;
	if ((err = mw_kmem_u64(w->mem, root_addr, &root))) {
		skb_warn_error(w, err, what, "rb_root 0x%" PRIx64 " unreadable", root_addr);
		st->truncated = true;
		return NULL;
	}
	if (!root)
		return NULL;
	/* rb_node sits at skb + rbnode; the node pointers point at it */
	uint64_t rb_off = l->off_rb_parent;
	struct {
		uint64_t node, parent;
	} stack[RB_MAX_DEPTH + 2];
	size_t sp = 0;
	uint64_t budget = w->max_skbs, len, truesize;
	uint8_t *sb = malloc(l->skb_size);
	if (!sb)
		return &mw_error_nomem;
	stack[sp].node = root;
	stack[sp].parent = 0;
	sp++;
	while (sp) {
		sp--;
		uint64_t node = stack[sp].node, parent = stack[sp].parent;
		uint64_t skb = node - rb_off;
		if (!mw_kptr_ok(node, 8)) {
			skb_warn(w, "%s: rb node 0x%" PRIx64 " is not a kernel pointer; subtree skipped",
				 what, node);
			st->truncated = true;
			continue;
		}
		if (over_budget(w, what, &budget, st))
			break;
		if ((err = read_skb(w, skb, sb))) {
			skb_warn_error(w, err, what, "skb 0x%" PRIx64 " unreadable; subtree skipped", skb);
			err = NULL;
			st->truncated = true;
			continue;
		}
		/* each node is reached only from its own parent: no loops */
		uint64_t pc = mw_le64(sb, l->skb_size, l->off_rb_parent) & ~3ULL;
		if (pc != parent) {
			skb_warn(w, "%s: rb node 0x%" PRIx64 " has parent 0x%" PRIx64
				 ", reached from 0x%" PRIx64 "; subtree skipped",
				 what, node, pc, parent);
			st->truncated = true;
			continue;
		}
		uint64_t right = mw_le64(sb, l->skb_size, l->off_rb_right);
		uint64_t left = mw_le64(sb, l->skb_size, l->off_rb_left);
		if ((err = walk_skb(w, skb, sb, what, st, 0, &budget, &len, &truesize)))
			break;
		uint64_t kids[2] = { right, left };
		for (int i = 0; i < 2; i++) {
			if (!kids[i])
				continue;
			if (sp >= RB_MAX_DEPTH) {
				skb_warn(w, "%s: rb-tree deeper than %d; subtree skipped",
					 what, RB_MAX_DEPTH);
				st->truncated = true;
				continue;
			}
			stack[sp].node = kids[i];
			stack[sp].parent = node;
			sp++;
		}
	}
	free(sb);
	return err;
}

struct mw_error *mw_skb_owner_end(struct mw_skb_walker *w, uint32_t owner,
				  uint64_t *frag_pages, uint64_t *by_order)
{
	struct mw_skb_map *lm = w->owner_pages;
	struct mw_error *err;
	*frag_pages = lm->nr;
	for (size_t i = 0; i < lm->cap; i++) {
		struct map_entry *le = &lm->v[i];
		if (!le->used)
			continue;
		if (by_order && le->order < MW_SKB_ORDERS)
			by_order[le->order]++;
		if (w->nr_refs == w->cap_refs) {
			size_t cap = w->cap_refs ? w->cap_refs * 2 : 256;
			struct mw_skb_page_ref *v = realloc(w->refs, cap * sizeof(*v));
			if (!v)
				return &mw_error_nomem;
			w->refs = v;
			w->cap_refs = cap;
		}
		w->refs[w->nr_refs++] = (struct mw_skb_page_ref){
			.pfn = le->key, .order = le->order, .owner = owner,
			.refs = le->refs,
		};
		struct map_entry *ge;
		bool created;
		if ((err = map_get(w->pages, le->key, &ge, &created)))
			return err;
		ge->kinds |= le->kinds;
		if (created) {
			ge->order = le->order;
			ge->owner = owner;
			ge->refs = le->refs;
			ge->nr_owners = 1;
		} else {
			ge->nr_owners++;
			if (le->refs > ge->refs) {
				ge->owner = owner;
				ge->refs = le->refs;
			}
		}
	}
	map_clear(lm);
	return NULL;
}

static int page_cmp(const void *a, const void *b)
{
	const struct mw_skb_page *x = a, *y = b;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

struct mw_error *mw_skb_pages(const struct mw_skb_walker *w,
			      struct mw_skb_page **ret, size_t *nr)
{
	const struct mw_skb_map *m = w->pages;
	struct mw_skb_page *v = calloc(m->nr ? m->nr : 1, sizeof(*v));
	size_t n = 0;
	if (!v)
		return &mw_error_nomem;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->v[i].used)
			continue;
		v[n].pfn = m->v[i].key;
		v[n].order = m->v[i].order;
		v[n].owner = m->v[i].owner;
		v[n].refs = m->v[i].refs;
		v[n].nr_owners = m->v[i].nr_owners;
		v[n].kinds = m->v[i].kinds;
		n++;
	}
	qsort(v, n, sizeof(*v), page_cmp);
	/* A corrupt dump could give overlapping compound pages: keep the
	 * first of any that overlap, so the set stays a set of pages. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && v[i].pfn < v[k - 1].pfn + (1ULL << v[k - 1].order))
			continue;
		v[k++] = v[i];
	}
	*ret = v;
	*nr = k;
	return NULL;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct mw_skb_page_ref *x = a, *y = b;
	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->owner < y->owner ? -1 : x->owner > y->owner;
}

struct mw_error *mw_skb_page_refs(const struct mw_skb_walker *w,
				  struct mw_skb_page_ref **ret, size_t *nr)
{
	struct mw_skb_page_ref *v = malloc((w->nr_refs ? w->nr_refs : 1) * sizeof(*v));
	if (!v)
		return &mw_error_nomem;
	if (w->nr_refs)
		memcpy(v, w->refs, w->nr_refs * sizeof(*v));
	qsort(v, w->nr_refs, sizeof(*v), ref_cmp);
	*ret = v;
	*nr = w->nr_refs;
	return NULL;
}
