/* skb_frags: the page-scan observer and the move from unaccounted (and from
 * the kmalloc_large rule's slab_unreclaimable) on hand-made events. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/skbfrags.h"
#include "tests/tap.h"

static void event(struct mw_page_observer *o, void *ts, uint64_t pfn, uint64_t nr,
		  enum mw_page_category cat, uint64_t slab_cache, uint64_t memcg)
{
	struct mw_page_event ev = {
		.pfn = pfn, .nr_pages = nr, .category = cat,
		.slab_cache = slab_cache, .memcg = memcg,
	};
	o->page(ts, &ev);
}

int main(void)
{
	const struct mw_skb_page set[] = {
		{ .pfn = 8, .order = 3, .kinds = MW_SKB_PAGE_FRAG },
		{ .pfn = 16, .order = 1, .kinds = MW_SKB_PAGE_FRAG },
		{ .pfn = 20, .order = 1, .kinds = MW_SKB_PAGE_LARGE_KMALLOC },
		{ .pfn = 32, .order = 0, .kinds = MW_SKB_PAGE_FRAG_HEAD },
		{ .pfn = 33, .order = 0, .kinds = MW_SKB_PAGE_FRAG },
	};
	struct mw_skbfrags *sf;
	struct mw_error *err = mw_skbfrags_create(set, 5, &sf);
	tap_ok(!err, "created");
	struct mw_page_observer o;
	mw_skbfrags_observer(sf, &o);
	void *ts[2];
	tap_ok(!o.thread_init(o.arg, 0, &ts[0]) && !o.thread_init(o.arg, 1, &ts[1]),
	       "two threads");
	/* thread 0: the order-3 frag page as unaccounted (charged to a memcg),
	 * the order-1 frag page taken for kmalloc_large, the kmalloc'd head
	 * (really kmalloc_large), an unrelated unaccounted page */
	event(&o, ts[0], 8, 8, MW_PAGE_UNACCOUNTED, 0, 0x1000);
	event(&o, ts[0], 16, 2, MW_PAGE_SLAB_UNRECLAIMABLE, 0, 0);
	event(&o, ts[0], 20, 2, MW_PAGE_SLAB_UNRECLAIMABLE, 0, 0);
	event(&o, ts[0], 40, 1, MW_PAGE_UNACCOUNTED, 0, 0);
	/* thread 1: a page-frag head as unaccounted, a frag page the scan
	 * found in a real slab (not moved), and one as file (not moved) */
	event(&o, ts[1], 32, 1, MW_PAGE_UNACCOUNTED, 0, 0);
	event(&o, ts[1], 33, 1, MW_PAGE_FILE, 0, 0);
	tap_ok(!o.thread_done(o.arg, 0, ts[0]) && !o.thread_done(o.arg, 1, ts[1]),
	       "threads merged");

	struct mw_pagescan *ps = calloc(1, sizeof(*ps));
	struct mw_zone zone = { .start_pfn = 0, .spanned_pages = 64 };
	struct mw_memcg_pages memcg = { .memcg = 0x1000 };
	ps->vmstat.zones = &zone;
	ps->vmstat.nr_zones = 1;
	ps->zone_counts = calloc(2, sizeof(*ps->zone_counts));
	ps->memcgs = &memcg;
	ps->nr_memcgs = 1;
	ps->c.pages[MW_PAGE_UNACCOUNTED] = 100;
	ps->c.pages[MW_PAGE_SLAB_UNRECLAIMABLE] = 50;
	ps->c.pages[MW_PAGE_FILE] = 10;
	ps->c.large_kmalloc_pages = 4;
	ps->c.kmem_charged_pages = 8;
	ps->zone_counts[0] = ps->c;
	memcg.pages[MW_PAGE_UNACCOUNTED] = 8;
	mw_skbfrags_apply(sf, ps);

	tap_ok(ps->c.pages[MW_PAGE_SKB_FRAGS] == 11,
	       "skb_frags: 8 + 2 + 1 pages (got %" PRIu64 ")", ps->c.pages[MW_PAGE_SKB_FRAGS]);
	tap_ok(ps->c.pages[MW_PAGE_UNACCOUNTED] == 91, "unaccounted: 100 - 9 (got %" PRIu64 ")",
	       ps->c.pages[MW_PAGE_UNACCOUNTED]);
	tap_ok(ps->c.pages[MW_PAGE_SLAB_UNRECLAIMABLE] == 48 && ps->c.large_kmalloc_pages == 2,
	       "slab_unreclaimable: the frag page taken for kmalloc_large moved, the real kmalloc_large head stays");
	tap_ok(ps->c.pages[MW_PAGE_FILE] == 10, "file: untouched");
	tap_ok(ps->zone_counts[0].pages[MW_PAGE_SKB_FRAGS] == 11 &&
	       ps->zone_counts[0].pages[MW_PAGE_UNACCOUNTED] == 91, "zone counts moved alike");
	tap_ok(memcg.pages[MW_PAGE_SKB_FRAGS] == 8 && memcg.pages[MW_PAGE_UNACCOUNTED] == 0 &&
	       ps->c.kmem_charged_pages == 0, "memcg counts moved alike");
	struct mw_skbfrags_counts c;
	mw_skbfrags_counts(sf, &c);
	tap_ok(c.set_pages == 8 + 2 + 2 + 1 + 1 && c.moved == 11 && c.moved_from_slab == 2,
	       "counts: set 14 pages, 11 moved, 2 of them from slab");
	tap_ok(c.by_category[MW_PAGE_UNACCOUNTED] == 9 && c.by_category[MW_PAGE_FILE] == 1 &&
	       c.by_category[MW_PAGE_SLAB_UNRECLAIMABLE] == 4,
	       "counts: where the scan had put the set's pages");
	free(ps->zone_counts);
	free(ps);
	mw_skbfrags_destroy(sf);
	return tap_done();
}
