/* memwhere: the skb_frags category of the page scan.
 *
 * The page scan cannot tell a page-frag receive buffer from any other page
 * taken straight from the buddy allocator: both are `unaccounted`. The socket
 * analysis knows which compound pages the skbs of every socket keep alive
 * (mw_sockets.pages); this module turns them into a PFN set the scan claims
 * for MW_PAGE_SKB_FRAGS (mw_pagescan_options.claims: a claim takes only the
 * pages the scan finds no other owner for, those that would be unaccounted
 * or taken for a kmalloc_large()), so totals, zones and memcgs all see them
 * and the categories still add up to all RAM:
 *
 *	mw_sockets_analyze(k, w, &socks);
 *	mw_skbfrags_set(socks.pages, socks.nr_pages, &set);
 *	struct mw_page_claim claim = { &set, MW_PAGE_SKB_FRAGS };
 *	opt.claims = &claim; opt.nr_claims = 1;
 *	mw_pagescan_run(k, &opt, w, &ps);
 *
 * The set holds every page of the compound pages behind frags and page-frag
 * heads. It leaves out pages that were an skb's kmalloc'd head: those really
 * are kmalloc_large() allocations, which the kernel counts as slab
 * (NR_SLAB_UNRECLAIMABLE_B), and the scan puts them there.
 */
#ifndef MW_SKBFRAGS_H
#define MW_SKBFRAGS_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/pagesets.h"
#include "analyzer/skb.h"

struct mw_error *mw_skbfrags_set(const struct mw_skb_page *pages, size_t nr,
				 struct mw_pfnset *ret);

#endif
