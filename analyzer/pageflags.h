/* memwhere: how to read a struct page of this kernel, resolved once.
 *
 * Every offset, flag bit, page type and enum value the page walker needs is
 * looked up in the dump's types (and, where the types cannot say, checked
 * against VMCOREINFO) once per dump into plain numbers, so the scan's inner
 * loop only does loads, masks and compares.
 *
 * Layout drift is handled by probing members, never by version numbers:
 *   - page types: `enum pagetype` present (Linux 6.11+: the top byte of
 *     page_type is a PGTY_* value) or absent (the older scheme: page_type
 *     starts at PAGE_TYPE_BASE and each type clears one bit);
 *   - slab: PG_slab in `enum pageflags` (before 6.10) or PGTY_slab;
 *   - hugetlb: page[1].compound_dtor == HUGETLB_PAGE_DTOR (before 6.9) or
 *     PGTY_hugetlb;
 *   - folio order: folio._folio_order (page[1] byte) or the low byte of
 *     folio._flags_1;
 *   - struct slab: slab_cache anywhere in the first words; memcg_data or
 *     obj_exts.
 */
#ifndef MW_PAGEFLAGS_H
#define MW_PAGEFLAGS_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/kernel.h"

enum { MW_MAX_ORDERS = 20 };	/* bound on buddy orders (NR_PAGE_ORDERS) */

enum mw_pagetype_scheme {
	MW_PAGETYPE_BITS = 1,	/* PAGE_TYPE_BASE, a cleared bit per type */
	MW_PAGETYPE_PGTY,	/* top byte = enum pagetype value */
};

/* Page types the walker knows (bits of mw_page_layout.type_known). */
enum mw_pagetype {
	MW_PT_NONE = 0,
	MW_PT_BUDDY,
	MW_PT_OFFLINE,
	MW_PT_TABLE,
	MW_PT_GUARD,
	MW_PT_HUGETLB,
	MW_PT_SLAB,
	MW_PT_ZSMALLOC,
	MW_PT_UNACCEPTED,
	MW_PT_LARGE_KMALLOC,	/* 6.18+: kmalloc() too big for a slab cache */
	MW_PT_NR,
	MW_PT_BAD = 100,	/* looks like a type, but none we know */
};

/*
 * The address of the head page of the compound page that the struct page
 * at address page belongs to, from its compound_head (until 7.0) or
 * compound_info (7.1+) word: bit 0 clear, not a tail (the page itself);
 * otherwise the rest is the head's address, or, on 7.1+ kernels with a
 * power-of-two struct page and the hugetlb vmemmap optimisation, a mask
 * that turns the tail's address into the head's (head = page & info). A
 * mask has every bit above the folio's memmap span set, which no vmemmap
 * address has: the word itself tells the two apart.
 */
static inline uint64_t mw_compound_head(uint64_t page, uint64_t info)
{
	uint64_t m = info & ~1ULL, span = -m;
	if (!(info & 1))
		return page;
	if (m && !(span & (span - 1)) && span <= (1ULL << 32))
		return page & m;
	return info - 1;
}

struct mw_page_layout {
	uint32_t size;			/* sizeof(struct page) */
	uint32_t off_flags;
	uint32_t off_lru;		/* lru / buddy_list / pcp_list */
	uint32_t off_mapping;
	uint32_t off_index;
	uint32_t off_private;
	uint32_t off_compound_head;
	uint32_t off_page_type;		/* page_type / _mapcount */
	uint32_t off_refcount;
	uint32_t off_memcg_data;	/* 0 with has_memcg_data false */
	bool has_memcg_data;

	/* struct slab over the page */
	uint32_t off_slab_cache;
	uint32_t off_slab_memcg;	/* slab.memcg_data or slab.obj_exts */
	bool has_slab_memcg;
	bool slab_obj_exts;		/* obj_exts (slabobj_ext[]) rather than obj_cgroup *[] */

	/* page[1] of a compound page, relative to page[1]'s start */
	uint32_t off_order;		/* byte with the order */
	uint64_t order_mask;		/* 0xff */
	uint32_t order_size;		/* 1 (a u8) or 8 (low byte of _flags_1) */
	bool has_dtor;			/* compound_dtor/_folio_dtor (before 6.9) */
	uint32_t off_dtor;
	uint8_t hugetlb_dtor;

	/* flag bits (page->flags) */
	int pg_locked, pg_dirty, pg_lru, pg_head, pg_reserved, pg_swapbacked;
	int pg_writeback, pg_swapcache, pg_slab;	/* pg_slab -1 if absent */
	int pg_hwpoison;				/* -1 if absent */
	uint64_t nr_pageflags;				/* __NR_PAGEFLAGS */
	uint64_t pageflags_mask;			/* the low __NR_PAGEFLAGS bits */

	/* page types */
	enum mw_pagetype_scheme scheme;
	uint32_t type_base;		/* BITS: PAGE_TYPE_BASE */
	uint32_t type_value[MW_PT_NR];	/* BITS: the bit; PGTY: the top byte; 0 = unknown */
	uint32_t type_flags;		/* BITS: bits that go with a type or none (PG_kmemcg) */

	/* memcg_data low bits */
	uint64_t memcg_objcgs;		/* MEMCG_DATA_OBJCGS / MEMCG_DATA_OBJEXTS */
	uint64_t memcg_kmem;		/* MEMCG_DATA_KMEM */
	uint64_t memcg_flags_mask;	/* __NR_MEMCG_DATA_FLAGS - 1 */
	uint32_t off_objcg_memcg;	/* obj_cgroup.memcg */
	bool has_objcg;
	bool folio_objcg;		/* 7.x: a folio's memcg_data is an obj_cgroup
					 * (obj_cgroup.is_root), kmem flag or not */

	/* page->mapping low bits */
	uint64_t mapping_anon;		/* PAGE_MAPPING_ANON (1) */
	uint64_t mapping_movable;	/* PAGE_MAPPING_MOVABLE (2) */

	int hpg_freed;			/* bit of HPG_freed in the head's private; -1 */
	unsigned nr_orders;		/* buddy orders: 0 .. nr_orders-1 */
	unsigned pmd_order;		/* THP order (PMD_SHIFT - PAGE_SHIFT) */
	uint32_t page_shift;
};

/*
 * Resolve the layout. An error names what is missing and the release
 * ("struct page has no member 'mapping' (kernel 6.1.0-56-cloud-amd64)").
 * Lesser doubts (a VMCOREINFO cross-check that fails) become warnings.
 */
struct mw_error *mw_page_layout_resolve(struct mw_kernel *k,
					struct mw_warnings *w,
					struct mw_page_layout *ret);

/* Which type a page_type/_mapcount value says (MW_PT_NONE if none). */
enum mw_pagetype mw_page_type_of(const struct mw_page_layout *l,
				 uint32_t page_type);

#endif
