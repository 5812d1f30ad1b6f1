/* memwhere: how the compressed-memory allocators (zsmalloc, z3fold) mark
 * their pages, so the page scan can put them in a category of their own
 * (MW_PAGE_ZPOOL) instead of "unaccounted".
 *
 * Three marks, each probed in the dump, never chosen by version:
 *   - page type zsmalloc (PGTY_zsmalloc of enum pagetype): newer kernels,
 *     decided by the page layout (analyzer/pageflags.h, MW_PT_ZSMALLOC);
 *   - a non-LRU movable page (page->mapping with PAGE_MAPPING_MOVABLE)
 *     whose mapping points at the allocator's struct movable_operations
 *     (the symbols zsmalloc_mops, z3fold_mops);
 *   - older kernels: a movable mapping that is the address_space of the
 *     allocator's pseudo inode, whose a_ops is zsmalloc_aops or
 *     z3fold_aops.
 * The symbols are the kernel's (built in) or the module's (mod->kallsyms).
 * zbud marks its pages in no way: its pools (zswap's, through zswap_pools
 * and struct zpool) are walked instead, every page on their unbuddied[]
 * and buddied lists, and the page scan is given them as a claim.
 */
#ifndef MW_ZPOOL_H
#define MW_ZPOOL_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "analyzer/pagesets.h"
#include "common/warn.h"

enum mw_zpool_kind {
	MW_ZPOOL_NONE = 0,
	MW_ZPOOL_ZSMALLOC,
	MW_ZPOOL_Z3FOLD,
	MW_ZPOOL_ZBUD,		/* by the pool walk (a page scan claim) */
	MW_ZPOOL_NR,
};

struct mw_zpool_marks {
	uint64_t mops[MW_ZPOOL_NR];	/* struct movable_operations *; 0 = none */
	uint64_t aops[MW_ZPOOL_NR];	/* struct address_space_operations *; 0 = none */
	uint32_t off_a_ops;		/* address_space.a_ops */
	bool has_mops, has_aops;
};

/* "zsmalloc", "z3fold" */
const char *mw_zpool_kind_name(enum mw_zpool_kind kind);

/* Find the symbols the marks need. Nothing found is no error (no such
 * allocator in this kernel, or its module not loaded). */
void mw_zpool_marks_resolve(struct mw_kernel *k, struct mw_zpool_marks *ret);

/* The pages of zswap's zbud pools (an empty set without zbud or zswap). A
 * list that breaks is a warning: the pages before it are kept. */
struct mw_error *mw_zbud_pfns(struct mw_kernel *k, struct mw_warnings *w, struct mw_pfnset *ret);

/* The allocator a movable mapping's pointer (the low bits cleared) names
 * by its movable_operations; MW_ZPOOL_NONE if none. */
static inline enum mw_zpool_kind mw_zpool_by_mops(const struct mw_zpool_marks *m, uint64_t ptr)
{
	for (int i = MW_ZPOOL_ZSMALLOC; i < MW_ZPOOL_NR; i++)
		if (m->mops[i] && m->mops[i] == ptr)
			return (enum mw_zpool_kind)i;
	return MW_ZPOOL_NONE;
}

/* The same by an address_space's a_ops. */
static inline enum mw_zpool_kind mw_zpool_by_aops(const struct mw_zpool_marks *m, uint64_t a_ops)
{
	for (int i = MW_ZPOOL_ZSMALLOC; i < MW_ZPOOL_NR; i++)
		if (m->aops[i] && m->aops[i] == a_ops)
			return (enum mw_zpool_kind)i;
	return MW_ZPOOL_NONE;
}

#endif
