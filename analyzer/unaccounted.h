/* memwhere: what is known about the "unaccounted" pages.
 *
 * Unaccounted pages are allocated (not free, not on a per-CPU list) yet in
 * no counter's category: alloc_pages() callers such as drivers and network
 * buffers. Their struct page still says something; a page observer
 * (mw_unaccounted_observer) sorts every unaccounted page or block by:
 * the order of its allocation (compound heads; a non-compound block
 * shows as order-0 pages whose tails have refcount 0), its refcount
 * (0, 1, more), whether user space maps it (_mapcount >= 0: a driver's
 * vm_insert_page or remap), what page->mapping holds (nothing, an
 * anon_vma-tagged pointer, a movable_operations tag of no allocator the
 * scan knows (zsmalloc and z3fold pages are the zpool category), KSM, or an address_space pointer), page->private, and a memcg charge
 * (__GFP_ACCOUNT). Where the kernel was built with CONFIG_PAGE_OWNER and
 * booted with page_owner=on the allocating stack would say who; no Debian
 * amd64 flavour (cloud, generic, rt: 5.10 to 7.3) has it, so the rest is
 * reported as unknown.
 */
#ifndef MW_UNACCOUNTED_H
#define MW_UNACCOUNTED_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "analyzer/pagescan.h"
#include "common/error.h"

enum { MW_UNACCOUNTED_ORDERS = 12 };	/* orders 0..10, the last: 11 and above */

enum mw_unacc_mapping {
	MW_UNACC_MAPPING_NONE = 0,	/* NULL */
	MW_UNACC_MAPPING_ANON,		/* low bit 1: an anon_vma (not on an LRU) */
	MW_UNACC_MAPPING_MOVABLE,	/* low bits 2: movable_operations (balloon, zsmalloc) */
	MW_UNACC_MAPPING_KSM,		/* low bits 3 */
	MW_UNACC_MAPPING_ADDRESS_SPACE,	/* a plain pointer */
	MW_UNACC_MAPPING_NR,
};

/* Pages (not blocks) in each class; every class sums to pages. */
struct mw_unaccounted {
	bool known;			/* the observer ran */
	uint64_t pages;
	uint64_t blocks;		/* events: pages or compound heads */
	uint64_t by_order[MW_UNACCOUNTED_ORDERS];	/* pages, by the block's order */
	uint64_t refcount_zero, refcount_one, refcount_more;
	bool mapcount_known;
	uint64_t user_mapped;		/* _mapcount >= 0 (order-0 pages) */
	uint64_t mapping[MW_UNACC_MAPPING_NR];
	uint64_t private_set;		/* page->private != 0 */
	uint64_t memcg_charged;		/* memcg_data set: __GFP_ACCOUNT */
	bool page_owner_built;		/* the types have struct page_owner
					 * (CONFIG_PAGE_OWNER; its stacks are not read) */
};

const char *mw_unacc_mapping_name(enum mw_unacc_mapping m);

struct mw_unaccounted_scan;
/* Resolves struct page's _refcount and _mapcount (before the scan). */
struct mw_error *mw_unaccounted_scan_create(struct mw_kernel *k,
					    struct mw_unaccounted_scan **ret);
void mw_unaccounted_scan_destroy(struct mw_unaccounted_scan *s);
void mw_unaccounted_observer(struct mw_unaccounted_scan *s, struct mw_page_observer *ret);
/* The counts after the scan. */
void mw_unaccounted_result(const struct mw_unaccounted_scan *s, struct mw_unaccounted *ret);

#endif
