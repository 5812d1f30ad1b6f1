/* memwhere: the page walker.
 *
 * One pass over every struct page of the dump (each present memory section
 * of mem_section, through the vmemmap, read 2 MiB of struct pages at a time)
 * that puts every page in exactly one category, so the categories partition
 * RAM. Kernel lists that a struct page cannot reveal (per-CPU free lists,
 * percpu chunks, kernel stacks, vmalloc areas) are walked first into sorted
 * PFN runs (analyzer/pagesets) and merged in PFN order during the pass.
 *
 * Sections are shared out between threads (the reader is thread-safe, so
 * decompression of a kdump file runs in parallel too); each thread keeps its
 * own counters, merged at the end.
 *
 * Later analyses hook into the same pass through observers instead of
 * scanning again: an observer gets one event per page or folio head of the
 * categories it asks for, with its mapping, flags and memcg.
 *
 * The classification rules are in memwhere(1), "PAGE CATEGORIES".
 */
#ifndef MW_PAGESCAN_H
#define MW_PAGESCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/cpus.h"
#include "analyzer/kernel.h"
#include "analyzer/pageflags.h"
#include "analyzer/pagesets.h"
#include "analyzer/vmstat.h"
#include "analyzer/zpool.h"

enum mw_page_category {
	MW_PAGE_FREE = 0,
	MW_PAGE_ANON,
	MW_PAGE_FILE,
	MW_PAGE_SHMEM,
	MW_PAGE_SLAB_RECLAIMABLE,
	MW_PAGE_SLAB_UNRECLAIMABLE,
	MW_PAGE_KERNEL_STACK,
	MW_PAGE_PAGETABLES,
	MW_PAGE_VMALLOC,
	MW_PAGE_PERCPU,
	MW_PAGE_HUGETLB,
	MW_PAGE_RESERVED,
	MW_PAGE_OFFLINE,	/* PG_offline: balloons, virtio-mem (not the machine's to use) */
	MW_PAGE_ZPOOL,		/* zsmalloc, z3fold: zram's and zswap's compressed data */
	MW_PAGE_SKB_FRAGS,	/* filled by the socket analysis; 0 here */
	MW_PAGE_UNACCOUNTED,	/* allocated, no known owner */
	MW_PAGE_UNKNOWN,	/* the struct page is inconsistent */
	MW_PAGE_NOT_IN_DUMP,	/* the dump does not hold the struct page */
	MW_PAGE_NR_CATEGORIES,
};
#define MW_PAGE_CATEGORY_BIT(c) (1u << (c))

/* JSON key ("slab_reclaimable") and text label ("slab, reclaimable"). */
const char *mw_page_category_name(enum mw_page_category c);
const char *mw_page_category_label(enum mw_page_category c);

enum { MW_MAX_FOLIO_ORDER = 32 };

/* One page, or one folio (at its head), seen by the scan. */
struct mw_page_event {
	uint64_t pfn;			/* the head's */
	uint64_t nr_pages;		/* 1, or 2^order of a compound head */
	unsigned order;
	enum mw_page_category category;
	uint64_t flags;			/* page->flags */
	uint64_t mapping;		/* page->mapping, low bits kept */
	uint64_t index;
	uint64_t private_data;
	uint64_t memcg_data;		/* raw (0 if the kernel has none) */
	uint64_t memcg;			/* struct mem_cgroup * charged, 0 if none or per-object (slab) */
	uint64_t slab_cache;		/* slab pages: struct kmem_cache * */
	bool dirty, writeback, lru, swapcache;
	const uint8_t *page;		/* the struct page bytes; valid during the call only */
};

/*
 * An analysis riding on the scan. thread_init runs serially before the
 * threads start, page runs in the scanning threads (each with its own
 * tstate; it must not touch mw_types, which is not thread-safe: resolve
 * offsets beforehand; kernel reads through mw_kernel_read are fine),
 * thread_done runs serially after they end, in thread order, to merge.
 */
struct mw_page_observer {
	const char *name;
	uint32_t categories;		/* MW_PAGE_CATEGORY_BIT()s wanted */
	void *arg;
	struct mw_error *(*thread_init)(void *arg, unsigned thread, void **tstate);
	void (*page)(void *tstate, const struct mw_page_event *ev);
	struct mw_error *(*thread_done)(void *arg, unsigned thread, void *tstate);
};

/*
 * Pages an analysis found owners for before the scan (e.g. the frag pages
 * of sockets' skbs: MW_PAGE_SKB_FRAGS). A claim only takes pages that have
 * no owner otherwise: those that would be unaccounted, or taken for a
 * kmalloc_large(); for a compound page, the head's PFN decides. The first
 * claim that holds a PFN wins.
 */
struct mw_page_claim {
	const struct mw_pfnset *set;
	enum mw_page_category category;
};

/*
 * Threads: at most MAX_THREADS on request; by default one per online CPU,
 * at most DEFAULT_THREADS. Each adds about 2.5 MiB of peak RSS: a section's
 * struct pages (2 MiB with 64-byte struct pages and 128 MiB sections) and
 * the reader's scratch (read-ahead window, decompressor); the default keeps
 * a scan under 50 MiB on a many-core host.
 */
enum { MW_PAGESCAN_MAX_THREADS = 64, MW_PAGESCAN_DEFAULT_THREADS = 8,
       MW_PAGESCAN_MAX_CLAIMS = 8 };

struct mw_pagescan_options {
	unsigned threads;		/* 0: one per online CPU (at most DEFAULT_THREADS) */
	const struct mw_page_observer *observers;
	size_t nr_observers;
	const struct mw_page_claim *claims;	/* at most MAX_CLAIMS */
	size_t nr_claims;
	/* Called now and then from a scanning thread. */
	void (*progress)(void *arg, uint64_t done_pages, uint64_t total_pages);
	void *progress_arg;
	unsigned max_bad_page_warnings;	/* 0: 20; at most 64 */
};

/* Counters of the pass; all uint64_t so threads' copies add up field by field. */
struct mw_scan_counts {
	uint64_t pages[MW_PAGE_NR_CATEGORIES];
	uint64_t free_buddy_pages;	/* in buddy free blocks (what MemFree counts) */
	uint64_t free_pcp_pages;	/* on per-CPU free lists */
	uint64_t free_other_pages;	/* guard and unaccepted pages */
	uint64_t free_blocks[MW_MAX_ORDERS];	/* buddy blocks by order */
	uint64_t compound_heads;
	uint64_t compound_tails;
	uint64_t folios_by_order[MW_MAX_FOLIO_ORDER];	/* compound heads by order */
	uint64_t thp_folios;		/* anon/file/shmem folios of PMD order or more */
	uint64_t thp_pages;
	uint64_t large_folios;		/* anon/file/shmem folios of order 1..PMD-1 */
	uint64_t large_folio_pages;
	uint64_t hugetlb_folios;
	uint64_t hugetlb_free_pages;
	uint64_t hugetlb_used_pages;
	uint64_t zero_ref_pages;	/* refcount 0, no owner, on no free list (in unaccounted) */
	uint64_t movable_ops_pages;	/* non-LRU movable of no known allocator (in unaccounted) */
	uint64_t zpool_pages[MW_ZPOOL_NR];	/* in zpool, by allocator */
	uint64_t kmem_charged_pages;	/* unaccounted pages charged to a memcg (__GFP_ACCOUNT) */
	uint64_t dirty_pages;		/* file and shmem */
	uint64_t writeback_pages;
	uint64_t content_excluded_pages;	/* struct page readable, page contents not in the dump */
	uint64_t content_excluded[MW_PAGE_NR_CATEGORIES];	/* the same, by category */
	/* struct page not in the dump (makedumpfile -e), counted in a category
	 * from the kernel's counters (analyzer/filter-loss.c), by category */
	uint64_t inferred[MW_PAGE_NR_CATEGORIES];
	uint64_t inferred_pages;
	uint64_t bad_pages;		/* in unknown */
	uint64_t slab_unknown_cache_pages;	/* in unknown */
	uint64_t large_kmalloc_pages;	/* taken for kmalloc_large() (in slab_unreclaimable) */
	uint64_t swapcache_pages;	/* PG_swapcache (in anon, or shmem) */
	uint64_t anon_unmapped_pages;	/* order-0 anon mapped nowhere (swap cache, being freed) */
};

struct mw_memcg_pages {
	uint64_t memcg;			/* struct mem_cgroup * */
	uint64_t pages[MW_PAGE_NR_CATEGORIES];
};

struct mw_bad_page {
	uint64_t pfn;
	char reason[96];
};

struct mw_pagescan {
	struct mw_kernel *kernel;
	struct mw_page_layout layout;
	struct mw_cpus cpus;
	struct mw_vmstat vmstat;
	struct mw_pagesets sets;
	struct mw_zpool_marks zpool_marks;

	uint64_t page_size;
	uint64_t total_pages;		/* struct pages of the present sections */
	struct mw_scan_counts c;
	/* per zone (vmstat.zones order), plus one last entry for pages outside
	 * every zone: category pages and buddy blocks by order */
	struct mw_scan_counts *zone_counts;
	/* per memcg, sorted by address; slab pages are charged per object
	 * and are not here */
	struct mw_memcg_pages *memcgs;
	size_t nr_memcgs;

	/* the pass itself */
	size_t nr_sections;
	uint64_t struct_page_bytes;	/* read from the vmemmap */
	unsigned threads;
	double seconds;			/* the pass (not the list walks) */
	double setup_seconds;		/* layout, counters and list walks */
};

/* Run the scan. Warnings: inconsistent struct pages (with their PFNs),
 * failed list walks. Errors: nothing to scan (no mem_section, no types). */
struct mw_error *mw_pagescan_run(struct mw_kernel *k,
				 const struct mw_pagescan_options *opt,
				 struct mw_warnings *w, struct mw_pagescan **ret);
void mw_pagescan_destroy(struct mw_pagescan *ps);

#endif
