/* memwhere: struct page layout and flag rules of one kernel, resolved once. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/layout.h"
#include "analyzer/pageflags.h"

/* Constants the kernel keeps in #defines (not in BTF or VMCOREINFO). */
enum {
	PAGE_TYPE_BASE_BITS = 0xf0000000u,	/* PAGE_TYPE_BASE, bit scheme */
	PG_BUDDY_BIT = 0x00000080u,
	PG_OFFLINE_BIT = 0x00000100u,
	PG_TABLE_BIT = 0x00000200u,
	PG_GUARD_BIT = 0x00000400u,
	/* while page.mem_cgroup held a page's memcg (no memcg_data and its
	 * MEMCG_DATA_KMEM flag, before 5.11), PG_kmemcg took 0x200 and
	 * PG_table and PG_guard were one bit up (page_type_bits) */
	PAGE_MAPPING_ANON = 0x1,
	PAGE_MAPPING_MOVABLE = 0x2,
};

/* A VMCOREINFO number, if the dump has it. */
static bool vmci_number(struct mw_kernel *k, const char *key, uint64_t *v)
{
	struct mw_error *err = mw_vmcoreinfo_u64(mw_reader_info(k->reader), key, v);
	if (err) {
		mw_error_destroy(err);
		return false;
	}
	return true;
}

static void check_vmci(struct mw_kernel *k, struct mw_warnings *w,
		       const char *key, uint64_t ours)
{
	uint64_t v;
	if (vmci_number(k, key, &v) && v != ours)
		mw_warn(w, "VMCOREINFO %s is %" PRIu64 " but the types say %" PRIu64
			": the types may not match this dump", key, v, ours);
}

static const char *release_of(struct mw_kernel *k)
{
	const char *r = mw_types_release(k->types);
	return r ? r : (k->osrelease[0] ? k->osrelease : "unknown");
}

/* The fields whose values are worked out (fallbacks, checks, page types). */
struct page_raw {
	struct mw_field page_size, page_type, mapcount, slab_memcg, slab_objexts,
		folio_order, folio_flags1, page_order, folio_dtor, page_dtor,
		hugetlb_dtor, free_area, pg_slab, pg_hwpoison, nr_pageflags,
		pgty[MW_PT_NR], md_objcgs, md_objexts, md_kmem, md_nr, hpg_freed,
		index, folio_index, chead, cinfo, memcg_data, page_memcg,
		slab_cache, page_slab_cache, page_objcgs, objcg_is_root;
};

static struct mw_error *page_fields(struct mw_kernel *k, struct mw_page_layout *l,
				    struct page_raw *r)
{
#define L struct mw_page_layout
#define RAW_MEMBER_OPT(path, out) MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, path, out)
#define RAW_ENUM_OPT(path, out) MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_ENUM, path, out)
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_RAW(MW_FIELD_KIND_SIZEOF, "page", &r->page_size),
		MW_LAYOUT_MEMBER(L, "page.flags", off_flags),
		MW_LAYOUT_MEMBER(L, "page.lru", off_lru),
		MW_LAYOUT_MEMBER(L, "page.mapping", off_mapping),
		RAW_MEMBER_OPT("page.index", &r->index),
		RAW_MEMBER_OPT("page.__folio_index", &r->folio_index),	/* 6.16+ */
		MW_LAYOUT_MEMBER(L, "page.private", off_private),
		RAW_MEMBER_OPT("page.compound_head", &r->chead),
		RAW_MEMBER_OPT("page.compound_info", &r->cinfo),	/* 7.1+ */
		RAW_MEMBER_OPT("page.page_type", &r->page_type),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "page._mapcount", &r->mapcount),
		MW_LAYOUT_MEMBER(L, "page._refcount", off_refcount),
		RAW_MEMBER_OPT("page.memcg_data", &r->memcg_data),
		RAW_MEMBER_OPT("slab.slab_cache", &r->slab_cache),
		/* before struct slab (5.17) and memcg_data (5.11): in struct page */
		RAW_MEMBER_OPT("page.slab_cache", &r->page_slab_cache),
		RAW_MEMBER_OPT("page.obj_cgroups", &r->page_objcgs),
		RAW_MEMBER_OPT("page.mem_cgroup", &r->page_memcg),
		RAW_MEMBER_OPT("slab.memcg_data", &r->slab_memcg),
		RAW_MEMBER_OPT("slab.obj_exts", &r->slab_objexts),
		RAW_MEMBER_OPT("folio._folio_order", &r->folio_order),
		RAW_MEMBER_OPT("folio._flags_1", &r->folio_flags1),
		RAW_MEMBER_OPT("page.compound_order", &r->page_order),
		RAW_MEMBER_OPT("folio._folio_dtor", &r->folio_dtor),
		RAW_MEMBER_OPT("page.compound_dtor", &r->page_dtor),
		RAW_ENUM_OPT("compound_dtor_id.HUGETLB_PAGE_DTOR", &r->hugetlb_dtor),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "zone.free_area", &r->free_area),
		MW_LAYOUT_MEMBER_OPT(L, "obj_cgroup.memcg", off_objcg_memcg, has_objcg),
		/* with the root's own obj_cgroup, every charged folio points at one */
		RAW_MEMBER_OPT("obj_cgroup.is_root", &r->objcg_is_root),
		MW_LAYOUT_ENUM(L, "pageflags.PG_locked", pg_locked),
		MW_LAYOUT_ENUM(L, "pageflags.PG_dirty", pg_dirty),
		MW_LAYOUT_ENUM(L, "pageflags.PG_lru", pg_lru),
		MW_LAYOUT_ENUM(L, "pageflags.PG_head", pg_head),
		MW_LAYOUT_ENUM(L, "pageflags.PG_reserved", pg_reserved),
		MW_LAYOUT_ENUM(L, "pageflags.PG_swapbacked", pg_swapbacked),
		MW_LAYOUT_ENUM(L, "pageflags.PG_writeback", pg_writeback),
		MW_LAYOUT_ENUM(L, "pageflags.PG_swapcache", pg_swapcache),
		RAW_ENUM_OPT("pageflags.PG_slab", &r->pg_slab),
		RAW_ENUM_OPT("pageflags.PG_hwpoison", &r->pg_hwpoison),
		MW_LAYOUT_RAW(MW_FIELD_KIND_ENUM, "pageflags.__NR_PAGEFLAGS", &r->nr_pageflags),
		RAW_ENUM_OPT("pagetype.PGTY_buddy", &r->pgty[MW_PT_BUDDY]),
		RAW_ENUM_OPT("pagetype.PGTY_offline", &r->pgty[MW_PT_OFFLINE]),
		RAW_ENUM_OPT("pagetype.PGTY_table", &r->pgty[MW_PT_TABLE]),
		RAW_ENUM_OPT("pagetype.PGTY_guard", &r->pgty[MW_PT_GUARD]),
		RAW_ENUM_OPT("pagetype.PGTY_hugetlb", &r->pgty[MW_PT_HUGETLB]),
		RAW_ENUM_OPT("pagetype.PGTY_slab", &r->pgty[MW_PT_SLAB]),
		RAW_ENUM_OPT("pagetype.PGTY_zsmalloc", &r->pgty[MW_PT_ZSMALLOC]),
		RAW_ENUM_OPT("pagetype.PGTY_unaccepted", &r->pgty[MW_PT_UNACCEPTED]),
		RAW_ENUM_OPT("pagetype.PGTY_large_kmalloc", &r->pgty[MW_PT_LARGE_KMALLOC]),
		RAW_ENUM_OPT("page_memcg_data_flags.MEMCG_DATA_OBJCGS", &r->md_objcgs),
		RAW_ENUM_OPT("page_memcg_data_flags.MEMCG_DATA_OBJEXTS", &r->md_objexts),
		RAW_ENUM_OPT("page_memcg_data_flags.MEMCG_DATA_KMEM", &r->md_kmem),
		RAW_ENUM_OPT("page_memcg_data_flags.__NR_MEMCG_DATA_FLAGS", &r->md_nr),
		RAW_ENUM_OPT("hugetlb_page_flags.HPG_freed", &r->hpg_freed),
	};
#undef RAW_ENUM_OPT
#undef RAW_MEMBER_OPT
#undef L
	memset(l, 0, sizeof(*l));
	memset(r, 0, sizeof(*r));
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	return err ? mw_error_prepend(err, "struct page layout") : NULL;
}

/* The struct page words read, all inside the struct. */
static struct mw_error *page_offsets(struct mw_kernel *k, struct mw_page_layout *l,
				     const struct page_raw *r)
{
	/* members that moved or were renamed: whichever the kernel has */
	const struct mw_field *slab_cache = r->slab_cache.found ? &r->slab_cache :
		r->page_slab_cache.found ? &r->page_slab_cache : NULL;
	const struct mw_field *memcg_data = r->memcg_data.found ? &r->memcg_data :
		r->page_memcg.found ? &r->page_memcg : NULL;
	const struct mw_field *index = r->index.found ? &r->index :
		r->folio_index.found ? &r->folio_index : NULL;
	const struct mw_field *chead = r->chead.found ? &r->chead :
		r->cinfo.found ? &r->cinfo : NULL;
	if (!slab_cache)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "struct page layout: neither struct slab nor struct page has a member 'slab_cache' (kernel %s)",
				       release_of(k));
	if (!index || !chead)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "struct page layout: struct page has no member '%s' (kernel %s)",
				       !index ? "index' nor '__folio_index" :
				       "compound_head' nor 'compound_info", release_of(k));
	l->off_index = mw_u32_of(index->offset);
	l->off_compound_head = mw_u32_of(chead->offset);
	l->off_slab_cache = mw_u32_of(slab_cache->offset);
	l->has_memcg_data = memcg_data != NULL;
	l->off_memcg_data = memcg_data ? mw_u32_of(memcg_data->offset) : 0;
	l->page_shift = k->vm.page_shift;
	if (r->page_size.size < 40 || r->page_size.size > 256)
		return mw_error_create(MW_ERR_BAD_DATA,
				       "sizeof(struct page) is %" PRIu64 " (kernel %s)",
				       r->page_size.size, release_of(k));
	l->size = mw_u32_of(r->page_size.size);
	l->off_page_type = mw_u32_of(r->page_type.found ? r->page_type.offset : r->mapcount.offset);
	if (r->slab_memcg.found) {
		l->has_slab_memcg = true;
		l->off_slab_memcg = mw_u32_of(r->slab_memcg.offset);
	} else if (r->slab_objexts.found) {
		l->has_slab_memcg = true;
		l->slab_obj_exts = true;
		l->off_slab_memcg = mw_u32_of(r->slab_objexts.offset);
	} else if (r->page_objcgs.found) {
		l->has_slab_memcg = true;
		l->off_slab_memcg = mw_u32_of(r->page_objcgs.offset);
	}
	/* Every word we read must lie inside the struct page. */
	const uint32_t offs[] = { l->off_flags, l->off_lru, l->off_mapping,
		l->off_index, l->off_private, l->off_compound_head,
		l->off_refcount, l->off_memcg_data, l->off_slab_cache,
		l->off_slab_memcg };
	for (size_t i = 0; i < MW_ARRAY_SIZE(offs); i++)
		if (offs[i] + 8 > l->size)
			return mw_error_create(MW_ERR_BAD_DATA,
					       "struct page member at offset %" PRIu32
					       " is past its size %" PRIu32 " (kernel %s)",
					       offs[i], l->size, release_of(k));
	if (l->off_page_type + 4 > l->size)
		return mw_error_create(MW_ERR_BAD_DATA, "page_type out of struct page");
	return NULL;
}

/* The order of a compound page and its destructor, in its first tail page. */
static struct mw_error *page_order(struct mw_kernel *k, struct mw_page_layout *l,
				   const struct page_raw *r)
{
	if (r->folio_order.found && r->folio_order.offset >= l->size) {
		l->off_order = mw_u32_of(r->folio_order.offset - l->size);
		l->order_size = 1;
		l->order_mask = 0xff;
	} else if (r->page_order.found) {
		l->off_order = mw_u32_of(r->page_order.offset);
		l->order_size = 1;
		l->order_mask = 0xff;
	} else if (r->folio_flags1.found && r->folio_flags1.offset >= l->size) {
		/* folio_order() = folio->_flags_1 & 0xff (Linux 6.10+) */
		l->off_order = mw_u32_of(r->folio_flags1.offset - l->size);
		l->order_size = 8;
		l->order_mask = 0xff;
	} else {
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "no compound page order: struct folio has neither _folio_order nor _flags_1 and struct page has no compound_order (kernel %s)",
				       release_of(k));
	}
	if (l->off_order + l->order_size > l->size)
		return mw_error_create(MW_ERR_BAD_DATA, "folio order out of struct page");
	if (r->folio_dtor.found && r->folio_dtor.offset >= l->size) {
		l->has_dtor = true;
		l->off_dtor = mw_u32_of(r->folio_dtor.offset - l->size);
	} else if (r->page_dtor.found) {
		l->has_dtor = true;
		l->off_dtor = mw_u32_of(r->page_dtor.offset);
	}
	if (l->has_dtor && l->off_dtor >= l->size)
		return mw_error_create(MW_ERR_BAD_DATA, "compound_dtor out of struct page");
	return NULL;
}

/* The page->flags bits, each inside the word. */
static struct mw_error *page_flag_bits(struct mw_kernel *k, struct mw_page_layout *l,
				       const struct page_raw *r)
{
	l->pg_slab = r->pg_slab.found ? (int)r->pg_slab.value : -1;
	l->pg_hwpoison = r->pg_hwpoison.found ? (int)r->pg_hwpoison.value : -1;
	l->nr_pageflags = (uint64_t)r->nr_pageflags.value;
	if (l->nr_pageflags == 0 || l->nr_pageflags > 63)
		return mw_error_create(MW_ERR_BAD_DATA, "__NR_PAGEFLAGS is %" PRIu64 " (kernel %s)",
				       l->nr_pageflags, release_of(k));
	l->pageflags_mask = (1ULL << l->nr_pageflags) - 1;
	const int bits[] = { l->pg_locked, l->pg_dirty, l->pg_lru, l->pg_head,
		l->pg_reserved, l->pg_swapbacked, l->pg_writeback,
		l->pg_swapcache, l->pg_slab, l->pg_hwpoison };
	for (size_t i = 0; i < MW_ARRAY_SIZE(bits); i++)
		if (bits[i] < -1 || bits[i] >= 64)
			return mw_error_create(MW_ERR_BAD_DATA,
					       "page flag bit %d out of range (kernel %s)",
					       bits[i], release_of(k));
	return NULL;
}

/* Page types as bits under PAGE_TYPE_BASE (before 6.12), VMCOREINFO's
 * values trusted over our constants. */
static void page_type_bits(struct mw_kernel *k, struct mw_warnings *w,
			   struct mw_page_layout *l, const struct page_raw *r)
{
	bool kmemcg = !r->memcg_data.found && !r->md_kmem.found && r->page_memcg.found;
	l->scheme = MW_PAGETYPE_BITS;
	l->type_base = PAGE_TYPE_BASE_BITS;
	l->type_value[MW_PT_BUDDY] = PG_BUDDY_BIT;
	l->type_value[MW_PT_OFFLINE] = PG_OFFLINE_BIT;
	l->type_value[MW_PT_TABLE] = kmemcg ? PG_TABLE_BIT << 1 : PG_TABLE_BIT;
	l->type_value[MW_PT_GUARD] = kmemcg ? PG_GUARD_BIT << 1 : PG_GUARD_BIT;
	l->type_flags = kmemcg ? PG_TABLE_BIT : 0;
	/* VMCOREINFO carries ~bit for the types makedumpfile needs */
	static const struct { const char *key; enum mw_pagetype t; } v[] = {
		{ "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", MW_PT_BUDDY },
		{ "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", MW_PT_OFFLINE },
		{ "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)", MW_PT_HUGETLB },
		{ "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", MW_PT_SLAB },
	};
	for (size_t i = 0; i < MW_ARRAY_SIZE(v); i++) {
		uint64_t n;
		if (!vmci_number(k, v[i].key, &n))
			continue;
		uint32_t bit = ~(uint32_t)n;
		if (bit && !(bit & (bit - 1)) && !(bit & l->type_base)) {
			if (l->type_value[v[i].t] && l->type_value[v[i].t] != bit)
				mw_warn(w, "VMCOREINFO %s says page type bit 0x%x, expected 0x%x; using the dump's",
					v[i].key, bit, l->type_value[v[i].t]);
			l->type_value[v[i].t] = bit;
		}
	}
}

/* Page types (a top byte, or bits), how slab and hugetlb pages are known,
 * and VMCOREINFO's numbers checked against ours. */
static struct mw_error *page_types(struct mw_kernel *k, struct mw_warnings *w,
				   struct mw_page_layout *l, const struct page_raw *r)
{
	if (r->pgty[MW_PT_BUDDY].found) {
		l->scheme = MW_PAGETYPE_PGTY;
		for (int t = MW_PT_BUDDY; t < MW_PT_NR; t++)
			if (r->pgty[t].found && r->pgty[t].value >= 0x80 && r->pgty[t].value < 0xff)
				l->type_value[t] = (uint32_t)r->pgty[t].value;
		check_vmci(k, w, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)",
			   (uint64_t)(int64_t)(int32_t)(l->type_value[MW_PT_BUDDY] << 24));
	} else {
		page_type_bits(k, w, l, r);
	}
	if (l->pg_slab < 0 && !l->type_value[MW_PT_SLAB])
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "no way to recognise slab pages: neither pageflags.PG_slab nor pagetype.PGTY_slab (kernel %s)",
				       release_of(k));
	if (l->pg_slab >= 0)
		check_vmci(k, w, "NUMBER(PG_slab)", (uint64_t)l->pg_slab);
	check_vmci(k, w, "NUMBER(PG_lru)", (uint64_t)l->pg_lru);
	check_vmci(k, w, "NUMBER(PG_swapbacked)", (uint64_t)l->pg_swapbacked);
	check_vmci(k, w, "NUMBER(PG_head_mask)", 1ULL << l->pg_head);
	check_vmci(k, w, "SIZE(page)", l->size);
	check_vmci(k, w, "OFFSET(page.mapping)", l->off_mapping);
	check_vmci(k, w, "OFFSET(page.private)", l->off_private);
	check_vmci(k, w, "OFFSET(page._refcount)", l->off_refcount);
	check_vmci(k, w, r->cinfo.found ? "OFFSET(page.compound_info)" : "OFFSET(page.compound_head)",
		   l->off_compound_head);

	if (!l->type_value[MW_PT_HUGETLB]) {
		uint64_t n;
		if (r->hugetlb_dtor.found) {
			l->hugetlb_dtor = (uint8_t)r->hugetlb_dtor.value;
			check_vmci(k, w, "NUMBER(HUGETLB_PAGE_DTOR)", l->hugetlb_dtor);
		} else if (vmci_number(k, "NUMBER(HUGETLB_PAGE_DTOR)", &n)) {
			l->hugetlb_dtor = (uint8_t)n;
		} else {
			l->has_dtor = false;
		}
		if (!l->has_dtor)
			mw_warn(w, "hugetlb pages cannot be recognised on this kernel (no PGTY_hugetlb, no HUGETLB_PAGE_DTOR): they count as their other traits say");
	}
	return NULL;
}

struct mw_error *mw_page_layout_resolve(struct mw_kernel *k,
					struct mw_warnings *w,
					struct mw_page_layout *l)
{
	struct page_raw r;
	struct mw_error *err;
	if ((err = page_fields(k, l, &r)) || (err = page_offsets(k, l, &r)) ||
	    (err = page_order(k, l, &r)) || (err = page_flag_bits(k, l, &r)) ||
	    (err = page_types(k, w, l, &r)))
		return err;

	/* memcg_data */
	if (r.md_objcgs.found)
		l->memcg_objcgs = (uint64_t)r.md_objcgs.value;
	else if (r.md_objexts.found)
		l->memcg_objcgs = (uint64_t)r.md_objexts.value;
	else
		l->memcg_objcgs = 1;
	l->memcg_kmem = r.md_kmem.found ? (uint64_t)r.md_kmem.value : 2;
	l->folio_objcg = l->has_objcg && r.objcg_is_root.found;
	l->memcg_flags_mask = r.md_nr.found && r.md_nr.value > 0 ?
		(uint64_t)r.md_nr.value - 1 : 3;

	l->mapping_anon = PAGE_MAPPING_ANON;
	l->mapping_movable = PAGE_MAPPING_MOVABLE;
	l->hpg_freed = r.hpg_freed.found ? (int)r.hpg_freed.value : -1;
	if (l->hpg_freed >= 64)
		l->hpg_freed = -1;
	const struct mw_field *fa = &r.free_area;
	l->nr_orders = fa->nr_elements > 0 && fa->nr_elements <= MW_MAX_ORDERS ?
		(unsigned)fa->nr_elements : 0;
	if (!l->nr_orders)
		return mw_error_create(MW_ERR_BAD_DATA,
				       "zone.free_area has %" PRIu64 " orders (kernel %s)",
				       fa->nr_elements, release_of(k));
	check_vmci(k, w, "LENGTH(zone.free_area)", l->nr_orders);
	l->pmd_order = k->vm.pmd_order;
	return NULL;
}

enum mw_pagetype mw_page_type_of(const struct mw_page_layout *l,
				 uint32_t pt)
{
	if (l->scheme == MW_PAGETYPE_PGTY) {
		/* types are 0x80000000..0xfeffffff; -1 and mapcounts are not */
		if (pt < 0x80000000u || pt >= 0xff000000u)
			return MW_PT_NONE;
		uint32_t top = pt >> 24;
		for (int t = MW_PT_BUDDY; t < MW_PT_NR; t++)
			if (l->type_value[t] && l->type_value[t] == top)
				return (enum mw_pagetype)t;
		return MW_PT_BAD;
	}
	pt |= l->type_flags;	/* a charged page's PG_kmemcg is no type */
	if (pt == 0xffffffffu || (pt & l->type_base) != l->type_base)
		return MW_PT_NONE;
	for (int t = MW_PT_BUDDY; t < MW_PT_NR; t++)
		if (l->type_value[t] && !(pt & l->type_value[t]))
			return (enum mw_pagetype)t;
	return MW_PT_BAD;
}
