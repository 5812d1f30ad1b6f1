/* memwhere: page owners found by walking kernel lists, as sorted PFN runs.
 *
 * The page walker cannot tell a kernel stack, a vmalloc page, a percpu chunk
 * page or a page sitting on a per-CPU free list from its struct page alone:
 * those are found here first, from the kernel's own lists, and merged in PFN
 * order during the scan. Memory is proportional to what the lists hold
 * (vmalloc usage, tasks, percpu chunks), not to RAM.
 *
 * Also here: the slab caches (to tell reclaimable slabs), read once.
 */
#ifndef MW_PAGESETS_H
#define MW_PAGESETS_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/cpus.h"
#include "analyzer/kernel.h"
#include "analyzer/pageflags.h"
#include "analyzer/vmstat.h"

/* In order of precedence: a PFN in two sets belongs to the first. */
enum mw_pfnset_kind {
	MW_SET_PCP = 0,		/* on a per-CPU free list (zone->per_cpu_pageset) */
	MW_SET_PERCPU,		/* a populated percpu chunk page */
	MW_SET_STACK,		/* a task's kernel stack */
	MW_SET_VMALLOC,		/* in a vmalloc area's pages[] */
	MW_SET_NR,
};

struct mw_pfn_run {
	uint64_t start;
	uint64_t count;
};

struct mw_pfnset {
	struct mw_pfn_run *runs;	/* sorted, disjoint, not adjacent */
	size_t nr;
	uint64_t pages;			/* distinct PFNs */
};

struct mw_slab_cache {
	uint64_t addr;			/* struct kmem_cache * */
	bool reclaimable;		/* SLAB_RECLAIM_ACCOUNT */
};

struct mw_pagesets {
	struct mw_pfnset set[MW_SET_NR];
	uint64_t pcp_pages_by_order[MW_MAX_ORDERS];
	uint64_t pcp_list_pages;	/* sum of 2^order over the lists walked */
	uint64_t vmalloc_alloc_pages;	/* pages[] entries of vmalloc areas */
	struct mw_slab_cache *caches;	/* sorted by addr */
	size_t nr_caches;
	bool caches_incomplete;	/* the slab_caches list broke: not every cache is here */
	size_t nr_tasks;		/* tasks whose stacks were found */
	size_t nr_vmap_areas;
	size_t nr_percpu_chunks;
	uint64_t max_pfn;		/* bound from MAX_PHYSMEM_BITS */
};

/* Building a PFN set from PFNs in any order (for analyses that claim
 * pages, see mw_pagescan_options.claims). */
struct mw_pfnset_builder {
	uint64_t *v;
	size_t n, cap;
};
struct mw_error *mw_pfnset_builder_add(struct mw_pfnset_builder *b, uint64_t pfn,
				       uint64_t count);
/* Sort, merge into runs; the builder is emptied (and may be reused). */
struct mw_error *mw_pfnset_builder_finish(struct mw_pfnset_builder *b,
					  struct mw_pfnset *set);
void mw_pfnset_builder_deinit(struct mw_pfnset_builder *b);
void mw_pfnset_deinit(struct mw_pfnset *set);

/* Walk the lists. Each walk that fails becomes a warning (the pages it would
 * have found fall to other categories); the slab cache list is required. */
struct mw_error *mw_pagesets_build(struct mw_kernel *k, const struct mw_cpus *cpus,
				   const struct mw_vmstat *vs,
				   const struct mw_page_layout *l,
				   struct mw_warnings *w, struct mw_pagesets *ret);
void mw_pagesets_deinit(struct mw_pagesets *s);

/* The cache of a slab page, or NULL if not a known cache. */
const struct mw_slab_cache *mw_pagesets_cache(const struct mw_pagesets *s,
					      uint64_t addr);
/* First run of set that ends after pfn (index; nr if none). */
size_t mw_pfnset_seek(const struct mw_pfnset *set, uint64_t pfn);

#endif
