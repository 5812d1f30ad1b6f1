/* memwhere: struct page layout and flag rules of one kernel, resolved once. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/pageflags.h"

/* Constants the kernel keeps in #defines (not in BTF or VMCOREINFO). */
enum {
	PAGE_TYPE_BASE_BITS = 0xf0000000u,	/* PAGE_TYPE_BASE, bit scheme */
	PG_BUDDY_BIT = 0x00000080u,
	PG_OFFLINE_BIT = 0x00000100u,
	PG_TABLE_BIT = 0x00000200u,
	PG_GUARD_BIT = 0x00000400u,
	PAGE_MAPPING_ANON = 0x1,
	PAGE_MAPPING_MOVABLE = 0x2,
	X86_64_PMD_ORDER = 9,			/* PMD_SHIFT 21 - PAGE_SHIFT 12 */
};

static uint32_t u32_of(uint64_t v)
{
	return (uint32_t)v;
}

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

struct mw_error *mw_page_layout_resolve(struct mw_kernel *k,
					struct mw_warnings *w,
					struct mw_page_layout *l)
{
	struct mw_error *err;
	struct mw_field page_size, flags, lru, mapping, index, priv, chead,
		page_type, mapcount, refcount, memcg_data, slab_cache,
		slab_memcg, slab_objexts, folio_order, folio_flags1, page_order,
		folio_dtor, page_dtor, hugetlb_dtor, free_area, objcg_memcg,
		pg_locked, pg_dirty, pg_lru, pg_head, pg_reserved, pg_swapbacked,
		pg_writeback, pg_swapcache, pg_slab, pg_hwpoison, nr_pageflags,
		pgty[MW_PT_NR], md_objcgs, md_objexts, md_kmem, md_nr, hpg_freed;
	const struct mw_field_spec spec[] = {
		MW_FIELD_SIZEOF("page", &page_size),
		MW_FIELD_MEMBER("page.flags", &flags),
		MW_FIELD_MEMBER("page.lru", &lru),
		MW_FIELD_MEMBER("page.mapping", &mapping),
		MW_FIELD_MEMBER("page.index", &index),
		MW_FIELD_MEMBER("page.private", &priv),
		MW_FIELD_MEMBER("page.compound_head", &chead),
		MW_FIELD_MEMBER_OPT("page.page_type", &page_type),
		MW_FIELD_MEMBER("page._mapcount", &mapcount),
		MW_FIELD_MEMBER("page._refcount", &refcount),
		MW_FIELD_MEMBER_OPT("page.memcg_data", &memcg_data),
		MW_FIELD_MEMBER("slab.slab_cache", &slab_cache),
		MW_FIELD_MEMBER_OPT("slab.memcg_data", &slab_memcg),
		MW_FIELD_MEMBER_OPT("slab.obj_exts", &slab_objexts),
		MW_FIELD_MEMBER_OPT("folio._folio_order", &folio_order),
		MW_FIELD_MEMBER_OPT("folio._flags_1", &folio_flags1),
		MW_FIELD_MEMBER_OPT("page.compound_order", &page_order),
		MW_FIELD_MEMBER_OPT("folio._folio_dtor", &folio_dtor),
		MW_FIELD_MEMBER_OPT("page.compound_dtor", &page_dtor),
		MW_FIELD_ENUM_OPT("compound_dtor_id.HUGETLB_PAGE_DTOR", &hugetlb_dtor),
		MW_FIELD_MEMBER("zone.free_area", &free_area),
		MW_FIELD_MEMBER_OPT("obj_cgroup.memcg", &objcg_memcg),
		MW_FIELD_ENUM("pageflags.PG_locked", &pg_locked),
		MW_FIELD_ENUM("pageflags.PG_dirty", &pg_dirty),
		MW_FIELD_ENUM("pageflags.PG_lru", &pg_lru),
		MW_FIELD_ENUM("pageflags.PG_head", &pg_head),
		MW_FIELD_ENUM("pageflags.PG_reserved", &pg_reserved),
		MW_FIELD_ENUM("pageflags.PG_swapbacked", &pg_swapbacked),
		MW_FIELD_ENUM("pageflags.PG_writeback", &pg_writeback),
		MW_FIELD_ENUM("pageflags.PG_swapcache", &pg_swapcache),
		MW_FIELD_ENUM_OPT("pageflags.PG_slab", &pg_slab),
		MW_FIELD_ENUM_OPT("pageflags.PG_hwpoison", &pg_hwpoison),
		MW_FIELD_ENUM("pageflags.__NR_PAGEFLAGS", &nr_pageflags),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_buddy", &pgty[MW_PT_BUDDY]),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_offline", &pgty[MW_PT_OFFLINE]),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_table", &pgty[MW_PT_TABLE]),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_guard", &pgty[MW_PT_GUARD]),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_hugetlb", &pgty[MW_PT_HUGETLB]),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_slab", &pgty[MW_PT_SLAB]),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_zsmalloc", &pgty[MW_PT_ZSMALLOC]),
		MW_FIELD_ENUM_OPT("pagetype.PGTY_unaccepted", &pgty[MW_PT_UNACCEPTED]),
		MW_FIELD_ENUM_OPT("page_memcg_data_flags.MEMCG_DATA_OBJCGS", &md_objcgs),
		MW_FIELD_ENUM_OPT("page_memcg_data_flags.MEMCG_DATA_OBJEXTS", &md_objexts),
		MW_FIELD_ENUM_OPT("page_memcg_data_flags.MEMCG_DATA_KMEM", &md_kmem),
		MW_FIELD_ENUM_OPT("page_memcg_data_flags.__NR_MEMCG_DATA_FLAGS", &md_nr),
		MW_FIELD_ENUM_OPT("hugetlb_page_flags.HPG_freed", &hpg_freed),
	};
	memset(l, 0, sizeof(*l));
	memset(pgty, 0, sizeof(pgty));
	if ((err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec))))
		return mw_error_prepend(err, "struct page layout");

	l->page_shift = 12;
	if (page_size.size < 40 || page_size.size > 256)
		return mw_error_create(MW_ERR_BAD_DATA,
				       "sizeof(struct page) is %" PRIu64 " (kernel %s)",
				       page_size.size, release_of(k));
	l->size = u32_of(page_size.size);
	l->off_flags = u32_of(flags.offset);
	l->off_lru = u32_of(lru.offset);
	l->off_mapping = u32_of(mapping.offset);
	l->off_index = u32_of(index.offset);
	l->off_private = u32_of(priv.offset);
	l->off_compound_head = u32_of(chead.offset);
	l->off_page_type = u32_of(page_type.found ? page_type.offset : mapcount.offset);
	l->off_refcount = u32_of(refcount.offset);
	l->has_memcg_data = memcg_data.found;
	l->off_memcg_data = u32_of(memcg_data.offset);
	l->off_slab_cache = u32_of(slab_cache.offset);
	if (slab_memcg.found) {
		l->has_slab_memcg = true;
		l->off_slab_memcg = u32_of(slab_memcg.offset);
	} else if (slab_objexts.found) {
		l->has_slab_memcg = true;
		l->slab_obj_exts = true;
		l->off_slab_memcg = u32_of(slab_objexts.offset);
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

	/* The order of a compound page, in its first tail page. */
	if (folio_order.found && folio_order.offset >= l->size) {
		l->off_order = u32_of(folio_order.offset - l->size);
		l->order_size = 1;
		l->order_mask = 0xff;
	} else if (page_order.found) {
		l->off_order = u32_of(page_order.offset);
		l->order_size = 1;
		l->order_mask = 0xff;
	} else if (folio_flags1.found && folio_flags1.offset >= l->size) {
		/* folio_order() = folio->_flags_1 & 0xff (Linux 6.10+) */
		l->off_order = u32_of(folio_flags1.offset - l->size);
		l->order_size = 8;
		l->order_mask = 0xff;
	} else {
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "no compound page order: struct folio has neither _folio_order nor _flags_1 and struct page has no compound_order (kernel %s)",
				       release_of(k));
	}
	if (l->off_order + l->order_size > l->size)
		return mw_error_create(MW_ERR_BAD_DATA, "folio order out of struct page");
	if (folio_dtor.found && folio_dtor.offset >= l->size) {
		l->has_dtor = true;
		l->off_dtor = u32_of(folio_dtor.offset - l->size);
	} else if (page_dtor.found) {
		l->has_dtor = true;
		l->off_dtor = u32_of(page_dtor.offset);
	}
	if (l->has_dtor && l->off_dtor >= l->size)
		return mw_error_create(MW_ERR_BAD_DATA, "compound_dtor out of struct page");

	l->pg_locked = (int)pg_locked.value;
	l->pg_dirty = (int)pg_dirty.value;
	l->pg_lru = (int)pg_lru.value;
	l->pg_head = (int)pg_head.value;
	l->pg_reserved = (int)pg_reserved.value;
	l->pg_swapbacked = (int)pg_swapbacked.value;
	l->pg_writeback = (int)pg_writeback.value;
	l->pg_swapcache = (int)pg_swapcache.value;
	l->pg_slab = pg_slab.found ? (int)pg_slab.value : -1;
	l->pg_hwpoison = pg_hwpoison.found ? (int)pg_hwpoison.value : -1;
	l->nr_pageflags = (uint64_t)nr_pageflags.value;
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

	/* Page types. */
	if (pgty[MW_PT_BUDDY].found) {
		l->scheme = MW_PAGETYPE_PGTY;
		for (int t = MW_PT_BUDDY; t < MW_PT_NR; t++)
			if (pgty[t].found && pgty[t].value >= 0x80 && pgty[t].value < 0xff)
				l->type_value[t] = (uint32_t)pgty[t].value;
		check_vmci(k, w, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)",
			   (uint64_t)(int64_t)(int32_t)(l->type_value[MW_PT_BUDDY] << 24));
	} else {
		l->scheme = MW_PAGETYPE_BITS;
		l->type_base = PAGE_TYPE_BASE_BITS;
		l->type_value[MW_PT_BUDDY] = PG_BUDDY_BIT;
		l->type_value[MW_PT_OFFLINE] = PG_OFFLINE_BIT;
		l->type_value[MW_PT_TABLE] = PG_TABLE_BIT;
		l->type_value[MW_PT_GUARD] = PG_GUARD_BIT;
		/* VMCOREINFO carries ~bit for the types makedumpfile needs:
		 * trust those over our constants. */
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
	check_vmci(k, w, "OFFSET(page.compound_head)", l->off_compound_head);

	if (!l->type_value[MW_PT_HUGETLB]) {
		uint64_t n;
		if (hugetlb_dtor.found) {
			l->hugetlb_dtor = (uint8_t)hugetlb_dtor.value;
			check_vmci(k, w, "NUMBER(HUGETLB_PAGE_DTOR)", l->hugetlb_dtor);
		} else if (vmci_number(k, "NUMBER(HUGETLB_PAGE_DTOR)", &n)) {
			l->hugetlb_dtor = (uint8_t)n;
		} else {
			l->has_dtor = false;
		}
		if (!l->has_dtor)
			mw_warn(w, "hugetlb pages cannot be recognised on this kernel (no PGTY_hugetlb, no HUGETLB_PAGE_DTOR): they count as their other traits say");
	}

	/* memcg_data */
	if (md_objcgs.found)
		l->memcg_objcgs = (uint64_t)md_objcgs.value;
	else if (md_objexts.found)
		l->memcg_objcgs = (uint64_t)md_objexts.value;
	else
		l->memcg_objcgs = 1;
	l->memcg_kmem = md_kmem.found ? (uint64_t)md_kmem.value : 2;
	l->memcg_flags_mask = md_nr.found && md_nr.value > 0 ?
		(uint64_t)md_nr.value - 1 : 3;
	l->has_objcg = objcg_memcg.found;
	l->off_objcg_memcg = u32_of(objcg_memcg.offset);

	l->mapping_anon = PAGE_MAPPING_ANON;
	l->mapping_movable = PAGE_MAPPING_MOVABLE;
	l->hpg_freed = hpg_freed.found ? (int)hpg_freed.value : -1;
	if (l->hpg_freed >= 64)
		l->hpg_freed = -1;
	l->nr_orders = free_area.nr_elements > 0 && free_area.nr_elements <= MW_MAX_ORDERS ?
		(unsigned)free_area.nr_elements : 0;
	if (!l->nr_orders)
		return mw_error_create(MW_ERR_BAD_DATA,
				       "zone.free_area has %" PRIu64 " orders (kernel %s)",
				       free_area.nr_elements, release_of(k));
	check_vmci(k, w, "LENGTH(zone.free_area)", l->nr_orders);
	l->pmd_order = X86_64_PMD_ORDER;
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
	if (pt == 0xffffffffu || (pt & l->type_base) != l->type_base)
		return MW_PT_NONE;
	for (int t = MW_PT_BUDDY; t < MW_PT_NR; t++)
		if (l->type_value[t] && !(pt & l->type_value[t]))
			return (enum mw_pagetype)t;
	return MW_PT_BAD;
}
