/* skb_frags: the PFN set summary's page scan claims, from the socket
 * analysis's compound pages: every page of those behind frags and page-frag
 * heads, none of a kmalloc'd head's (that is kmalloc_large, counted as slab). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/skbfrags.h"
#include "tests/tap.h"

int main(void)
{
	const struct mw_skb_page set[] = {
		{ .pfn = 8, .order = 3, .kinds = MW_SKB_PAGE_FRAG },
		{ .pfn = 16, .order = 1, .kinds = MW_SKB_PAGE_FRAG | MW_SKB_PAGE_FRAG_HEAD },
		{ .pfn = 20, .order = 1, .kinds = MW_SKB_PAGE_LARGE_KMALLOC },
		{ .pfn = 22, .order = 0, .kinds = MW_SKB_PAGE_FRAG_HEAD },
		{ .pfn = 40, .order = 2, .kinds = MW_SKB_PAGE_FRAG | MW_SKB_PAGE_LARGE_KMALLOC },
		{ .pfn = 64, .order = 99, .kinds = MW_SKB_PAGE_FRAG },	/* absurd order: left out */
	};
	struct mw_pfnset s;
	struct mw_error *err = mw_skbfrags_set(set, 6, &s);
	tap_ok(!err, "set built");
	tap_ok(s.pages == 8 + 2 + 1 + 4, "15 pages (got %" PRIu64 ")", s.pages);
	/* runs: 8-15, 16-17, 22, 40-43 (16-17 follows 8-15: one run 8-17) */
	tap_ok(s.nr == 3 && s.runs[0].start == 8 && s.runs[0].count == 10 &&
	       s.runs[1].start == 22 && s.runs[1].count == 1 &&
	       s.runs[2].start == 40 && s.runs[2].count == 4,
	       "runs 8+10, 22+1, 40+4 (got %zu runs)", s.nr);
	tap_ok(mw_pfnset_seek(&s, 20) == 1, "the kmalloc'd head's pages (20-21) are not in it");
	mw_pfnset_deinit(&s);
	err = mw_skbfrags_set(NULL, 0, &s);
	tap_ok(!err && s.nr == 0 && s.pages == 0, "an empty set");
	return tap_done();
}
