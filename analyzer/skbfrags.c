/* memwhere: the skb_frags category of the page scan (see skbfrags.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/skbfrags.h"

struct moved {
	uint64_t pfn;
	uint64_t n;
	uint64_t memcg;
	bool large_kmalloc;	/* from slab_unreclaimable (kmalloc_large rule) */
};

struct tstate {
	uint64_t by_category[MW_PAGE_NR_CATEGORIES];
	struct moved *v;
	size_t nr, cap;
	bool nomem;
	const struct mw_skbfrags *sf;
};

struct mw_skbfrags {
	struct mw_skb_page *pages;
	size_t nr;
	uint64_t set_pages;
	uint64_t by_category[MW_PAGE_NR_CATEGORIES];
	struct moved *v;
	size_t nr_moved, cap_moved;
	uint64_t moved;
	uint64_t moved_from_slab;
	bool nomem;
};

struct mw_error *mw_skbfrags_create(const struct mw_skb_page *pages, size_t nr,
				    struct mw_skbfrags **ret)
{
	struct mw_skbfrags *sf = calloc(1, sizeof(*sf));
	if (!sf)
		return &mw_error_nomem;
	sf->pages = malloc((nr ? nr : 1) * sizeof(*sf->pages));
	if (!sf->pages) {
		free(sf);
		return &mw_error_nomem;
	}
	if (nr)
		memcpy(sf->pages, pages, nr * sizeof(*pages));
	sf->nr = nr;
	for (size_t i = 0; i < nr; i++)
		sf->set_pages += 1ULL << sf->pages[i].order;
	*ret = sf;
	return NULL;
}

void mw_skbfrags_destroy(struct mw_skbfrags *sf)
{
	if (!sf)
		return;
	free(sf->pages);
	free(sf->v);
	free(sf);
}

/* Pages of [pfn, pfn + n) inside the set (without the set's pages with any
 * of the kind bits in skip). */
static uint64_t overlap(const struct mw_skbfrags *sf, uint64_t pfn, uint64_t n,
			uint32_t skip)
{
	size_t lo = 0, hi = sf->nr;
	/* first set entry that ends after pfn */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mw_skb_page *p = &sf->pages[mid];
		if (p->pfn + (1ULL << p->order) <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint64_t got = 0, end = pfn + n;
	for (size_t i = lo; i < sf->nr && sf->pages[i].pfn < end; i++) {
		if (sf->pages[i].kinds & skip)
			continue;
		uint64_t s = sf->pages[i].pfn, e = s + (1ULL << sf->pages[i].order);
		if (s < pfn)
			s = pfn;
		if (e > end)
			e = end;
		if (e > s)
			got += e - s;
	}
	return got;
}

static struct mw_error *thread_init(void *arg, unsigned thread, void **ret)
{
	(void)thread;
	struct tstate *t = calloc(1, sizeof(*t));
	if (!t)
		return &mw_error_nomem;
	t->sf = arg;
	*ret = t;
	return NULL;
}

static void on_page(void *tstate, const struct mw_page_event *ev)
{
	struct tstate *t = tstate;
	uint64_t nr = ev->nr_pages ? ev->nr_pages : 1;
	uint64_t n = overlap(t->sf, ev->pfn, nr, 0);
	if (!n)
		return;
	if (ev->category < MW_PAGE_NR_CATEGORIES)
		t->by_category[ev->category] += n;
	bool large_kmalloc = false;
	if (ev->category == MW_PAGE_SLAB_UNRECLAIMABLE && !ev->slab_cache) {
		/* the scan took a compound page with one reference and no
		 * flags for a kmalloc_large(); a frag page looks the same.
		 * Pages that were an skb's kmalloc'd head stay slab. */
		n = overlap(t->sf, ev->pfn, nr, MW_SKB_PAGE_LARGE_KMALLOC);
		if (!n)
			return;
		large_kmalloc = true;
	} else if (ev->category != MW_PAGE_UNACCOUNTED) {
		return;
	}
	if (t->nr == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct moved *v = realloc(t->v, cap * sizeof(*v));
		if (!v) {
			t->nomem = true;
			return;
		}
		t->v = v;
		t->cap = cap;
	}
	t->v[t->nr++] = (struct moved){ ev->pfn, n, ev->memcg, large_kmalloc };
}

static struct mw_error *thread_done(void *arg, unsigned thread, void *tstate)
{
	(void)thread;
	struct mw_skbfrags *sf = arg;
	struct tstate *t = tstate;
	struct mw_error *err = NULL;
	if (!t)
		return NULL;
	for (int c = 0; c < MW_PAGE_NR_CATEGORIES; c++)
		sf->by_category[c] += t->by_category[c];
	if (t->nomem)
		err = &mw_error_nomem;
	if (!err && t->nr) {
		if (sf->nr_moved + t->nr > sf->cap_moved) {
			size_t cap = sf->nr_moved + t->nr;
			struct moved *v = realloc(sf->v, cap * sizeof(*v));
			if (!v) {
				err = &mw_error_nomem;
			} else {
				sf->v = v;
				sf->cap_moved = cap;
			}
		}
		if (!err) {
			memcpy(sf->v + sf->nr_moved, t->v, t->nr * sizeof(*t->v));
			sf->nr_moved += t->nr;
		}
	}
	free(t->v);
	free(t);
	return err;
}

void mw_skbfrags_observer(struct mw_skbfrags *sf, struct mw_page_observer *o)
{
	memset(o, 0, sizeof(*o));
	o->name = "skb frags";
	o->categories = (1u << MW_PAGE_NR_CATEGORIES) - 1;
	o->arg = sf;
	o->thread_init = thread_init;
	o->page = on_page;
	o->thread_done = thread_done;
}

/* The zone the scan counts pfn in: the containing zone that starts first
 * (as pagescan's sorted zone ranges do); nr_zones if none. */
static size_t zone_index(const struct mw_pagescan *ps, uint64_t pfn)
{
	size_t best = ps->vmstat.nr_zones;
	for (size_t z = 0; z < ps->vmstat.nr_zones; z++) {
		const struct mw_zone *zone = &ps->vmstat.zones[z];
		if (pfn < zone->start_pfn || pfn - zone->start_pfn >= zone->spanned_pages)
			continue;
		if (best == ps->vmstat.nr_zones ||
		    zone->start_pfn < ps->vmstat.zones[best].start_pfn)
			best = z;
	}
	return best;
}

static struct mw_memcg_pages *find_memcg(struct mw_pagescan *ps, uint64_t memcg)
{
	size_t lo = 0, hi = ps->nr_memcgs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps->memcgs[mid].memcg < memcg)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->nr_memcgs && ps->memcgs[lo].memcg == memcg ? &ps->memcgs[lo] : NULL;
}

static void move(uint64_t *pages, enum mw_page_category from, uint64_t n)
{
	if (pages[from] < n)
		n = pages[from];
	pages[from] -= n;
	pages[MW_PAGE_SKB_FRAGS] += n;
}

void mw_skbfrags_apply(struct mw_skbfrags *sf, struct mw_pagescan *ps)
{
	for (size_t i = 0; i < sf->nr_moved; i++) {
		const struct moved *m = &sf->v[i];
		enum mw_page_category from = m->large_kmalloc ?
			MW_PAGE_SLAB_UNRECLAIMABLE : MW_PAGE_UNACCOUNTED;
		move(ps->c.pages, from, m->n);
		if (ps->zone_counts) {
			struct mw_scan_counts *z = &ps->zone_counts[zone_index(ps, m->pfn)];
			move(z->pages, from, m->n);
			if (m->large_kmalloc && z->large_kmalloc_pages >= m->n)
				z->large_kmalloc_pages -= m->n;
		}
		if (m->large_kmalloc && ps->c.large_kmalloc_pages >= m->n)
			ps->c.large_kmalloc_pages -= m->n;
		if (m->memcg) {
			struct mw_memcg_pages *mp = find_memcg(ps, m->memcg);
			if (mp)
				move(mp->pages, from, m->n);
			/* kmem_charged_pages counts charged pages in unaccounted */
			if (!m->large_kmalloc && ps->c.kmem_charged_pages >= m->n)
				ps->c.kmem_charged_pages -= m->n;
		}
		sf->moved += m->n;
		if (m->large_kmalloc)
			sf->moved_from_slab += m->n;
	}
	sf->nr_moved = 0;
}

void mw_skbfrags_counts(const struct mw_skbfrags *sf, struct mw_skbfrags_counts *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->set_pages = sf->set_pages;
	memcpy(ret->by_category, sf->by_category, sizeof(ret->by_category));
	ret->moved = sf->moved;
	ret->moved_from_slab = sf->moved_from_slab;
}
