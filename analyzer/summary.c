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

const char *mw_severity_name(enum mw_severity s)
{
	switch (s) {
	case MW_SEVERITY_INFO: return "info";
	case MW_SEVERITY_WARNING: return "warning";
	case MW_SEVERITY_CRITICAL: return "critical";
	}
	return "info";
}

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
	add_counter(s, "vmalloc", "nr_vmalloc_pages (VmallocUsed)",
		    "vmalloc + kernel_stack", vs->vmalloc_pages.found,
		    (int64_t)vs->vmalloc_pages.pages,
		    c->pages[MW_PAGE_VMALLOC] + c->pages[MW_PAGE_KERNEL_STACK]);
	add_counter(s, "percpu", "pcpu_nr_populated * pcpu_nr_units (Percpu)", "percpu",
		    vs->percpu_pages.found, (int64_t)vs->percpu_pages.pages,
		    c->pages[MW_PAGE_PERCPU]);
	add_counter(s, "hugetlb", "hstates nr_huge_pages (Hugetlb)", "hugetlb",
		    vs->hugetlb_pages.found, (int64_t)vs->hugetlb_pages.pages,
		    c->pages[MW_PAGE_HUGETLB]);
	ok = mw_vmstat_node_sum(vs, "NR_ANON_THPS", &v);
	add_counter(s, "anon_thp", "NR_ANON_THPS (AnonHugePages)",
		    "pages of PMD-sized folios (anon, file, shmem)", ok, v, c->thp_pages);
}

__attribute__((format(printf, 6, 7)))
static struct mw_finding *finding(struct mw_summary *s, const char *id,
				  enum mw_severity sev, uint64_t bytes,
				  const char *advice, const char *fmt, ...)
{
	if (s->nr_findings >= MW_MAX_FINDINGS)
		return NULL;
	struct mw_finding *f = &s->findings[s->nr_findings++];
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->severity = sev;
	f->bytes = bytes;
	snprintf(f->advice, sizeof(f->advice), "%s", advice);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->title, sizeof(f->title), fmt, ap);
	va_end(ap);
	return f;
}

__attribute__((format(printf, 2, 3)))
static void evidence(struct mw_finding *f, const char *fmt, ...)
{
	if (!f)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->evidence, sizeof(f->evidence), fmt, ap);
	va_end(ap);
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void mib(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ULL << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (1 << 30));
	else if (b >= (1ULL << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, len, "%.0f KiB", (double)b / 1024);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct mw_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return x->bytes > y->bytes ? -1 : x->bytes < y->bytes;
}

static void findings(const struct mw_pagescan *ps, struct mw_summary *s)
{
	const struct mw_scan_counts *c = &ps->c;
	uint64_t ps_ = ps->page_size, T = s->total_bytes;
	uint64_t *B = s->bytes;
	char h[32];
	struct mw_finding *f;

	double un = pct(B[MW_PAGE_UNACCOUNTED], T);
	if (un >= 3.0 || B[MW_PAGE_UNACCOUNTED] >= (1ULL << 30)) {
		mib(B[MW_PAGE_UNACCOUNTED], h, sizeof(h));
		f = finding(s, "unaccounted-memory", un >= 10.0 ? MW_SEVERITY_WARNING : MW_SEVERITY_INFO,
			    B[MW_PAGE_UNACCOUNTED],
			    "Pages taken straight from the page allocator by drivers and subsystems "
			    "(network receive buffers, page_frag caches, DMA buffers...) show up in no "
			    "counter of /proc/meminfo. Check `memwhere sockets` for skb frag pages and "
			    "compare with a healthy machine of the same kernel.",
			    "%s (%.1f%% of RAM) is allocated but owned by nothing memwhere knows", h, un);
		char k[32];
		mib(c->kmem_charged_pages * ps_, k, sizeof(k));
		evidence(f, "%" PRIu64 " pages with a reference and no mapping, slab, page table, "
			 "stack, vmalloc or percpu owner; %s of them charged to a memory cgroup "
			 "(__GFP_ACCOUNT); %" PRIu64 " non-LRU movable pages; %" PRIu64
			 " pages with refcount 0 on no free list (later pages of multi-page "
			 "allocations)",
			 c->pages[MW_PAGE_UNACCOUNTED], k, c->movable_ops_pages, c->zero_ref_pages);
	}
	double sh = pct(B[MW_PAGE_SHMEM], T);
	if (sh >= 10.0) {
		mib(B[MW_PAGE_SHMEM], h, sizeof(h));
		f = finding(s, "shmem-high", sh >= 25.0 ? MW_SEVERITY_WARNING : MW_SEVERITY_INFO,
			    B[MW_PAGE_SHMEM],
			    "tmpfs, /dev/shm, memfd and SysV shared memory stay until their files are "
			    "removed (drop_caches does not free them); `memwhere files` lists them.",
			    "shmem/tmpfs holds %s (%.1f%% of RAM)", h, sh);
		evidence(f, "%" PRIu64 " pages of shmem address spaces (PG_swapbacked, not anon)",
			 c->pages[MW_PAGE_SHMEM]);
	}
	double fi = pct(B[MW_PAGE_FILE], T);
	if (fi >= 30.0) {
		mib(B[MW_PAGE_FILE], h, sizeof(h));
		f = finding(s, "file-cache-high", MW_SEVERITY_INFO, B[MW_PAGE_FILE],
			    "Page cache is reclaimable but counts in container working sets; "
			    "`memwhere files` ranks the files.",
			    "page cache holds %s (%.1f%% of RAM)", h, fi);
		char d[32];
		mib(c->dirty_pages * ps_, d, sizeof(d));
		evidence(f, "%" PRIu64 " file pages; %s dirty or shmem-dirty, %" PRIu64
			 " pages under writeback", c->pages[MW_PAGE_FILE], d, c->writeback_pages);
	}
	double sr = pct(B[MW_PAGE_SLAB_RECLAIMABLE], T);
	if (sr >= 10.0) {
		mib(B[MW_PAGE_SLAB_RECLAIMABLE], h, sizeof(h));
		f = finding(s, "slab-reclaimable-high", MW_SEVERITY_INFO, B[MW_PAGE_SLAB_RECLAIMABLE],
			    "Mostly dentries and inodes (negative dentries from lookups of missing "
			    "files grow without bound); `memwhere slab` ranks the caches.",
			    "reclaimable slab holds %s (%.1f%% of RAM)", h, sr);
		evidence(f, "%" PRIu64 " pages of slab caches with SLAB_RECLAIM_ACCOUNT",
			 c->pages[MW_PAGE_SLAB_RECLAIMABLE]);
	}
	double su = pct(B[MW_PAGE_SLAB_UNRECLAIMABLE], T);
	if (su >= 10.0) {
		mib(B[MW_PAGE_SLAB_UNRECLAIMABLE], h, sizeof(h));
		f = finding(s, "slab-unreclaimable-high", MW_SEVERITY_WARNING,
			    B[MW_PAGE_SLAB_UNRECLAIMABLE],
			    "Unreclaimable slab only shrinks when its objects are freed: look for a "
			    "leak with `memwhere slab`.",
			    "unreclaimable slab holds %s (%.1f%% of RAM)", h, su);
		evidence(f, "%" PRIu64 " pages of slab caches without SLAB_RECLAIM_ACCOUNT",
			 c->pages[MW_PAGE_SLAB_UNRECLAIMABLE]);
	}
	double fr = pct(B[MW_PAGE_FREE], T);
	if (fr < 5.0) {
		mib(B[MW_PAGE_FREE], h, sizeof(h));
		f = finding(s, "low-free-memory", MW_SEVERITY_WARNING, B[MW_PAGE_FREE],
			    "The machine was short of memory: the largest categories above are "
			    "where it went.",
			    "only %s (%.1f%% of RAM) is free", h, fr);
		evidence(f, "%" PRIu64 " pages in buddy free blocks, %" PRIu64
			 " on per-CPU free lists", c->free_buddy_pages, c->free_pcp_pages);
	}
	if (c->hugetlb_free_pages) {
		mib(c->hugetlb_free_pages * ps_, h, sizeof(h));
		f = finding(s, "hugetlb-free", MW_SEVERITY_INFO, c->hugetlb_free_pages * ps_,
			    "Free huge pages are reserved for hugetlbfs and unusable otherwise; "
			    "lower vm.nr_hugepages if nothing needs them.",
			    "%s of hugetlb pages are allocated but free", h);
		evidence(f, "%" PRIu64 " hugetlb folios, %" PRIu64 " pages free", c->hugetlb_folios,
			 c->hugetlb_free_pages);
	}
	if (B[MW_PAGE_UNKNOWN]) {
		mib(B[MW_PAGE_UNKNOWN], h, sizeof(h));
		f = finding(s, "inconsistent-struct-pages", MW_SEVERITY_WARNING, B[MW_PAGE_UNKNOWN],
			    "The warnings give the PFNs. Memory corruption, or types that do not "
			    "match the dump.",
			    "%s of pages have struct pages that make no sense", h);
		evidence(f, "%" PRIu64 " inconsistent struct pages (%" PRIu64
			 " of them slabs of no known cache)", c->bad_pages,
			 c->slab_unknown_cache_pages);
	}
	if (B[MW_PAGE_NOT_IN_DUMP]) {
		mib(B[MW_PAGE_NOT_IN_DUMP], h, sizeof(h));
		f = finding(s, "not-in-dump", MW_SEVERITY_INFO, B[MW_PAGE_NOT_IN_DUMP],
			    "The dump left out the struct pages of this memory (filtered or "
			    "incomplete dump); nothing can be said about it.",
			    "%s of RAM cannot be classified: its struct pages are not in the dump", h);
	}
	if (s->nr_flagged) {
		char list[200] = "";
		size_t len = 0;
		for (size_t i = 0; i < s->nr_counters; i++) {
			const struct mw_counter_cmp *cc = &s->counters[i];
			if (!cc->flagged)
				continue;
			int n = snprintf(list + len, sizeof(list) - len, "%s%s %+.1f%%",
					 len ? ", " : "", cc->name, cc->percent);
			if (n < 0 || (size_t)n >= sizeof(list) - len)
				break;
			len += (size_t)n;
		}
		f = finding(s, "counters-differ", MW_SEVERITY_INFO, 0,
			    "`memwhere pages` shows both numbers. A difference means pages the "
			    "kernel counts one way and the struct pages show another (large kmalloc "
			    "buffers count as unreclaimable slab but have no slab flag).",
			    "the kernel's counters and the page scan differ by more than 1%% for %zu "
			    "categor%s", s->nr_flagged, s->nr_flagged == 1 ? "y" : "ies");
		evidence(f, "%s", list);
	}
	qsort(s->findings, s->nr_findings, sizeof(s->findings[0]), cmp_finding);
}

void mw_summary_build(const struct mw_pagescan *ps, struct mw_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->page_size = ps->page_size;
	s->total_bytes = ps->total_pages * ps->page_size;
	for (int i = 0; i < MW_PAGE_NR_CATEGORIES; i++)
		s->bytes[i] = ps->c.pages[i] * ps->page_size;
	counters(ps, s);
	findings(ps, s);
}
