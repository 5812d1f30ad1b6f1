/* memwhere: the skb_frags category of the page scan.
 *
 * The page scan cannot tell a page-frag receive buffer from any other page
 * taken straight from the buddy allocator: both are `unaccounted`. The socket
 * analysis knows which compound pages the skbs of every socket keep alive
 * (mw_sockets.pages). This module rides on the scan as a page observer
 * (analyzer/pagescan.h), counts which category the scan gave each of those
 * pages, and afterwards moves the ones the scan left in `unaccounted` to
 * `skb_frags` (the totals, the zone and the memcg counts alike), so the
 * categories still add up to all RAM.
 *
 *	mw_sockets_analyze(k, w, &socks);
 *	mw_skbfrags_create(socks.pages, socks.nr_pages, &sf);
 *	mw_skbfrags_observer(sf, &obs);		// into mw_pagescan_options
 *	mw_pagescan_run(k, &opt, w, &ps);
 *	mw_skbfrags_apply(sf, ps);
 */
#ifndef MW_SKBFRAGS_H
#define MW_SKBFRAGS_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/pagescan.h"
#include "analyzer/skb.h"

struct mw_skbfrags;

/* The set is copied; pages must be sorted by pfn and not overlap (as
 * mw_sockets.pages is). */
struct mw_error *mw_skbfrags_create(const struct mw_skb_page *pages, size_t nr,
				    struct mw_skbfrags **ret);
void mw_skbfrags_destroy(struct mw_skbfrags *sf);

/* An observer of every category (it only counts pages of the set). */
void mw_skbfrags_observer(struct mw_skbfrags *sf, struct mw_page_observer *ret);

/* Move the set's pages the scan called unaccounted (and frag pages it took
 * for kmalloc_large) to skb_frags. */
void mw_skbfrags_apply(struct mw_skbfrags *sf, struct mw_pagescan *ps);

/* After the scan: the set's pages by the category the scan gave them
 * (before apply), and the pages apply moved. */
struct mw_skbfrags_counts {
	uint64_t set_pages;				/* 2^order over the set */
	uint64_t by_category[MW_PAGE_NR_CATEGORIES];	/* as the scan saw them */
	uint64_t moved;					/* -> skb_frags */
	uint64_t moved_from_slab;			/* of those, from slab_unreclaimable */
};
void mw_skbfrags_counts(const struct mw_skbfrags *sf, struct mw_skbfrags_counts *ret);

#endif
