/* memwhere: a dump filter that left out pages the kernel uses for itself. */
#ifndef MW_FILTER_LOSS_H
#define MW_FILTER_LOSS_H

#include "analyzer/pagescan.h"
#include "common/warn.h"
#include "formats/reader.h"

/*
 * makedumpfile's dump levels leave out zero, page-cache, user and free
 * pages, never slab pages or kernel stacks; a makedumpfile older than the
 * kernel can mistake them (and vmalloc, page-table, percpu pages) for pages
 * it may drop. If the scan found such pages left out of a kdump file that
 * names its dump level and is not cut short or missing split parts, say so
 * once, first: how many of which kinds, the likely cause and what to do.
 */
void mw_filter_loss_warn(const struct mw_pagescan *ps, const struct mw_dump_info *info,
			 struct mw_warnings *w);

/*
 * makedumpfile -e left out the struct pages of the pages its filter left
 * out (info->vmemmap_excluded): the scan counts them as not_in_dump. Count
 * them in their categories from the kernel's counters instead, as far as
 * the counters allow: free pages zone by zone (NR_FREE_PAGES against the
 * buddy pages the scan saw), page cache, shmem and anon node by node, only
 * the kinds the dump level leaves out; where the counters ask for more than
 * there is, in proportion. If the scan saw the filter lose kernel pages (a
 * makedumpfile that does not know the kernel), slab, kernel stack, page
 * table and vmalloc pages the same way. What is left stays not_in_dump.
 * The moved pages are in c.inferred[] (and each zone's).
 */
void mw_filter_vmemmap_infer(struct mw_pagescan *ps, const struct mw_dump_info *info);

/*
 * makedumpfile -e left out the struct pages of the pages its filter left
 * out: say how many, which the kernel's counters placed, which views lack
 * those and what stays not_in_dump. Returns
 * false (and says nothing) for other dumps.
 */
bool mw_filter_vmemmap_warn(const struct mw_pagescan *ps, const struct mw_dump_info *info,
			    struct mw_warnings *w);

#endif
