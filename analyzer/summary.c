/* memwhere: summary of a page scan: categories, counters, findings. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/summary.h"

enum {
	FLAG_MIN_PAGES = 64,	/* 256 KiB: per-CPU caches drift by this much */
};

static void add_counter(struct mw_summary *s, const char *name, const char *kernel,
			const char *scan, bool available, int64_t kernel_pages,
			uint64_t scan_pages)
{
	if (s->nr_counters >= MW_MAX_COUNTERS)
		return;
	struct mw_counter_cmp *c = &s->counters[s->nr_counters++];
	c->name = name;
	c->kernel = kernel;
	c->scan = scan;
	c->available = available;
	c->scan_pages = scan_pages;
	if (!available)
		return;
	c->kernel_pages = kernel_pages > 0 ? (uint64_t)kernel_pages : 0;
	c->difference = (int64_t)scan_pages - (int64_t)c->kernel_pages;
	uint64_t ad = c->difference < 0 ? (uint64_t)-c->difference : (uint64_t)c->difference;
	c->percent = c->kernel_pages ? 100.0 * (double)c->difference / (double)c->kernel_pages :
		(scan_pages ? 100.0 : 0.0);
	c->flagged = ad * 100 > c->kernel_pages && ad > FLAG_MIN_PAGES;
	if (c->flagged)
		s->nr_flagged++;
}

static void counters(const struct mw_pagescan *ps, struct mw_summary *s)
{
	const struct mw_vmstat *vs = &ps->vmstat;
	const struct mw_scan_counts *c = &ps->c;
	int64_t v, a, b;
	bool ok;

	ok = mw_vmstat_zone_sum(vs, "NR_FREE_PAGES", &v);
	add_counter(s, "free", "NR_FREE_PAGES (MemFree)", "pages in buddy free blocks",
		    ok, v, c->free_buddy_pages);
	uint64_t pcp = 0;
	for (size_t z = 0; z < vs->nr_zones; z++)
		pcp += vs->zones[z].pcp_count;
	add_counter(s, "free_pcp", "per_cpu_pages.count", "pages on per-CPU free lists",
		    vs->nr_zones > 0, (int64_t)pcp, c->free_pcp_pages);
	ok = mw_vmstat_node_sum(vs, "NR_ANON_MAPPED", &v);
	add_counter(s, "anon", "NR_ANON_MAPPED (AnonPages)", "anon mapped (anon - order-0 unmapped)",
		    ok, v, c->pages[MW_PAGE_ANON] - c->anon_unmapped_pages);
	ok = mw_vmstat_node_sum(vs, "NR_SWAPCACHE", &v);
	add_counter(s, "swapcache", "NR_SWAPCACHE (SwapCached)", "PG_swapcache pages",
		    ok, v, c->swapcache_pages);
	ok = mw_vmstat_node_sum(vs, "NR_FILE_PAGES", &v) &&
		mw_vmstat_node_sum(vs, "NR_SHMEM", &a);
	if (!mw_vmstat_node_sum(vs, "NR_SWAPCACHE", &b))
		b = 0;
	add_counter(s, "file", "NR_FILE_PAGES - NR_SHMEM - NR_SWAPCACHE", "file",
		    ok, ok ? v - a - b : 0, c->pages[MW_PAGE_FILE]);
	ok = mw_vmstat_node_sum(vs, "NR_SHMEM", &v);
	add_counter(s, "shmem", "NR_SHMEM (Shmem)", "shmem", ok, v, c->pages[MW_PAGE_SHMEM]);
	ok = mw_vmstat_node_sum(vs, "NR_SLAB_RECLAIMABLE_B", &v);
	add_counter(s, "slab_reclaimable", "NR_SLAB_RECLAIMABLE_B (SReclaimable)",
		    "slab_reclaimable", ok, v, c->pages[MW_PAGE_SLAB_RECLAIMABLE]);
	ok = mw_vmstat_node_sum(vs, "NR_SLAB_UNRECLAIMABLE_B", &v);
	add_counter(s, "slab_unreclaimable", "NR_SLAB_UNRECLAIMABLE_B (SUnreclaim)",
		    "slab_unreclaimable", ok, v, c->pages[MW_PAGE_SLAB_UNRECLAIMABLE]);
	ok = mw_vmstat_node_sum(vs, "NR_KERNEL_STACK_KB", &v);
	add_counter(s, "kernel_stack", "NR_KERNEL_STACK_KB (KernelStack)", "kernel_stack",
		    ok, ok ? v * 1024 / (int64_t)ps->page_size : 0,
		    c->pages[MW_PAGE_KERNEL_STACK]);
	ok = mw_vmstat_node_sum(vs, "NR_PAGETABLE", &v);
	add_counter(s, "pagetables", "NR_PAGETABLE (PageTables)", "pagetables",
		    ok, v, c->pages[MW_PAGE_PAGETABLES]);
	add_counter(s, "vmalloc", vs->vmalloc_node_stat ? "NR_VMALLOC (VmallocUsed)" :
		    "nr_vmalloc_pages (VmallocUsed)",
		    "vmalloc + kernel_stack", vs->vmalloc_pages.found,
		    (int64_t)vs->vmalloc_pages.pages,
		    c->pages[MW_PAGE_VMALLOC] + c->pages[MW_PAGE_KERNEL_STACK]);
	add_counter(s, "percpu", "pcpu_nr_populated * pcpu_nr_units (Percpu)", "percpu",
		    vs->percpu_pages.found, (int64_t)vs->percpu_pages.pages,
		    c->pages[MW_PAGE_PERCPU]);
	add_counter(s, "hugetlb", "hstates nr_huge_pages (Hugetlb)", "hugetlb",
		    vs->hugetlb_pages.found, (int64_t)vs->hugetlb_pages.pages,
		    c->pages[MW_PAGE_HUGETLB]);
	/* a zone counter in the kernel's enum only with zsmalloc configured */
	if (mw_vmstat_zone_item(vs, "NR_ZSPAGES") >= 0) {
		ok = mw_vmstat_zone_sum(vs, "NR_ZSPAGES", &v);
		add_counter(s, "zsmalloc", "NR_ZSPAGES (zram, zswap)", "zpool pages of zsmalloc",
			    ok, v, c->zpool_pages[MW_ZPOOL_ZSMALLOC]);
	}
	ok = mw_vmstat_node_sum(vs, "NR_ANON_THPS", &v);
	add_counter(s, "anon_thp", "NR_ANON_THPS (AnonHugePages)",
		    "pages of PMD-sized folios (anon, file, shmem)", ok, v, c->thp_pages);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* A category finding: bytes of category cat, percent of RAM. */
static struct mw_finding *category(struct mw_findings *out, const struct mw_summary *s,
				   enum mw_finding_kind kind, enum mw_severity sev,
				   enum mw_advice advice, enum mw_page_category cat,
				   uint64_t pages)
{
	struct mw_finding *f = mw_findings_add(out, kind, sev, s->bytes[cat]);
	if (f) {
		f->advice = advice;
		f->u.pages.percent = pct(s->bytes[cat], s->total_bytes);
		f->u.pages.pages = pages;
	}
	return f;
}

/* Thresholds: percent of RAM a category needs to make a finding. */
enum {
	UNACCOUNTED_PCT = 3, UNACCOUNTED_WARNING_PCT = 10,
	SHMEM_PCT = 10, SHMEM_WARNING_PCT = 25,
	FILE_PCT = 30, SLAB_PCT = 10, LOW_FREE_PCT = 5,
};

/* Memory owned by nobody known, shmem, page cache. */
static bool owners(const struct mw_pagescan *ps, const struct mw_summary *s,
		   struct mw_findings *out)
{
	const struct mw_scan_counts *c = &ps->c;
	const uint64_t *B = s->bytes, T = s->total_bytes;
	struct mw_finding *f;

	double un = pct(B[MW_PAGE_UNACCOUNTED], T);
	if (un >= UNACCOUNTED_PCT || B[MW_PAGE_UNACCOUNTED] >= (1ULL << 30)) {
		f = category(out, s, MW_FINDING_UNACCOUNTED_MEMORY,
			     un >= UNACCOUNTED_WARNING_PCT ? MW_SEVERITY_WARNING : MW_SEVERITY_INFO,
			     MW_ADVICE_UNACCOUNTED, MW_PAGE_UNACCOUNTED, c->pages[MW_PAGE_UNACCOUNTED]);
		if (!f)
			return false;
		f->u.pages.kmem_charged_bytes = c->kmem_charged_pages * ps->page_size;
		f->u.pages.movable_ops_pages = c->movable_ops_pages;
		/* zsmalloc pages (zram, zswap) the scan could not tell (the
		 * allocator's marks not found) are non-LRU movable pages the
		 * kernel counts: say how many of them there are */
		int64_t zs = 0;
		if (!c->zpool_pages[MW_ZPOOL_ZSMALLOC] &&
		    mw_vmstat_zone_sum(&ps->vmstat, "NR_ZSPAGES", &zs) && zs > 0)
			f->u.pages.zsmalloc_pages = (uint64_t)zs;
		f->u.pages.zero_ref_pages = c->zero_ref_pages;
	}
	double sh = pct(B[MW_PAGE_SHMEM], T);
	if (sh >= SHMEM_PCT &&
	    !category(out, s, MW_FINDING_SHMEM_HIGH,
		      sh >= SHMEM_WARNING_PCT ? MW_SEVERITY_WARNING : MW_SEVERITY_INFO,
		      MW_ADVICE_SHMEM, MW_PAGE_SHMEM, c->pages[MW_PAGE_SHMEM]))
		return false;
	if (pct(B[MW_PAGE_FILE], T) >= FILE_PCT) {
		f = category(out, s, MW_FINDING_FILE_CACHE_HIGH, MW_SEVERITY_INFO,
			     MW_ADVICE_FILE_CACHE, MW_PAGE_FILE, c->pages[MW_PAGE_FILE]);
		if (!f)
			return false;
		f->u.pages.dirty_bytes = c->dirty_pages * ps->page_size;
		f->u.pages.writeback_pages = c->writeback_pages;
	}
	return true;
}

/* Slab, free memory, free huge pages. */
static bool kernel_side(const struct mw_pagescan *ps, const struct mw_summary *s,
			struct mw_findings *out)
{
	const struct mw_scan_counts *c = &ps->c;
	const uint64_t *B = s->bytes, T = s->total_bytes;
	struct mw_finding *f;

	if (pct(B[MW_PAGE_SLAB_RECLAIMABLE], T) >= SLAB_PCT &&
	    !category(out, s, MW_FINDING_SLAB_RECLAIMABLE_HIGH, MW_SEVERITY_INFO,
		      MW_ADVICE_SLAB_RECLAIMABLE, MW_PAGE_SLAB_RECLAIMABLE,
		      c->pages[MW_PAGE_SLAB_RECLAIMABLE]))
		return false;
	if (pct(B[MW_PAGE_SLAB_UNRECLAIMABLE], T) >= SLAB_PCT &&
	    !category(out, s, MW_FINDING_SLAB_UNRECLAIMABLE_HIGH, MW_SEVERITY_WARNING,
		      MW_ADVICE_SLAB_UNRECLAIMABLE, MW_PAGE_SLAB_UNRECLAIMABLE,
		      c->pages[MW_PAGE_SLAB_UNRECLAIMABLE]))
		return false;
	if (pct(B[MW_PAGE_FREE], T) < LOW_FREE_PCT) {
		f = category(out, s, MW_FINDING_LOW_FREE_MEMORY, MW_SEVERITY_WARNING,
			     MW_ADVICE_LOW_FREE, MW_PAGE_FREE, c->pages[MW_PAGE_FREE]);
		if (!f)
			return false;
		f->u.pages.buddy_pages = c->free_buddy_pages;
		f->u.pages.pcp_pages = c->free_pcp_pages;
	}
	if (c->hugetlb_free_pages) {
		f = mw_findings_add(out, MW_FINDING_HUGETLB_FREE, MW_SEVERITY_INFO,
				    c->hugetlb_free_pages * ps->page_size);
		if (!f)
			return false;
		f->advice = MW_ADVICE_HUGETLB_FREE;
		f->u.pages.pages = c->hugetlb_free_pages;
		f->u.pages.hugetlb_folios = c->hugetlb_folios;
	}
	return true;
}

/* What the scan could not say: bad struct pages, pages not in the dump,
 * counters that differ from the kernel's. */
static bool doubts(const struct mw_pagescan *ps, const struct mw_summary *s,
		   struct mw_findings *out)
{
	const struct mw_scan_counts *c = &ps->c;
	struct mw_finding *f;

	if (s->bytes[MW_PAGE_UNKNOWN]) {
		f = category(out, s, MW_FINDING_INCONSISTENT_STRUCT_PAGES, MW_SEVERITY_WARNING,
			     MW_ADVICE_INCONSISTENT, MW_PAGE_UNKNOWN, c->bad_pages);
		if (!f)
			return false;
		f->u.pages.slab_unknown_cache_pages = c->slab_unknown_cache_pages;
	}
	if (s->bytes[MW_PAGE_NOT_IN_DUMP] &&
	    !category(out, s, MW_FINDING_NOT_IN_DUMP, MW_SEVERITY_INFO, MW_ADVICE_NOT_IN_DUMP,
		      MW_PAGE_NOT_IN_DUMP, c->pages[MW_PAGE_NOT_IN_DUMP]))
		return false;
	if (s->nr_flagged) {
		f = mw_findings_add(out, MW_FINDING_COUNTERS_DIFFER, MW_SEVERITY_INFO, 0);
		if (!f)
			return false;
		f->advice = MW_ADVICE_COUNTERS_DIFFER;
		f->u.counters.nr_flagged = s->nr_flagged;
		f->u.counters.counters = s->counters;
		f->u.counters.nr_counters = s->nr_counters;
	}
	return true;
}

struct mw_error *mw_summary_findings(const struct mw_pagescan *ps, const struct mw_summary *s,
				     struct mw_findings *out)
{
	size_t from = out->nr;
	if (!owners(ps, s, out) || !kernel_side(ps, s, out) || !doubts(ps, s, out))
		return &mw_error_nomem;
	mw_findings_sort_from(out, from);
	return NULL;
}

void mw_summary_build(const struct mw_pagescan *ps, struct mw_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->page_size = ps->page_size;
	s->total_bytes = ps->total_pages * ps->page_size;
	for (int i = 0; i < MW_PAGE_NR_CATEGORIES; i++)
		s->bytes[i] = ps->c.pages[i] * ps->page_size;
	counters(ps, s);
}
