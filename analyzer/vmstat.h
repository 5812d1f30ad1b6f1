/* memwhere: the kernel's own memory counters, read from the dump.
 *
 * Nodes and zones (spans, present and managed pages, free_area nr_free per
 * order, per-CPU page list counts) and their vmstat counters with the
 * per-CPU deltas folded in, as /proc/zoneinfo would show them after
 * refresh_cpu_vm_stats(); plus the few totals other pages of /proc/meminfo
 * come from (vmalloc, percpu, hugetlb, totalram).
 */
#ifndef MW_VMSTAT_H
#define MW_VMSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/cpus.h"
#include "analyzer/kernel.h"
#include "analyzer/pageflags.h"

enum {
	MW_MAX_NODES = 1024,
	MW_MAX_ZONES_PER_NODE = 8,
	MW_MAX_STAT_ITEMS = 256,
};

struct mw_zone {
	int node;
	unsigned index;			/* in node_zones[] */
	char name[16];
	uint64_t addr;			/* struct zone */
	uint64_t start_pfn, spanned_pages, present_pages, managed_pages;
	int64_t *stat;			/* nr_zone_items, per-CPU deltas folded */
	uint64_t nr_free[MW_MAX_ORDERS];	/* free_area[order].nr_free (blocks) */
	uint64_t pcp_count;		/* sum of per_cpu_pages.count */
	uint64_t pageset;		/* the per_cpu_pageset percpu pointer */
};

struct mw_node {
	int id;
	uint64_t addr;			/* pglist_data */
	uint64_t start_pfn, spanned_pages, present_pages;
	int64_t *stat;			/* nr_node_items, per-CPU deltas folded */
};

/* A kernel total, with whether the dump had it. */
struct mw_ktotal {
	bool found;
	uint64_t pages;
};

struct mw_vmstat {
	struct mw_node *nodes;
	size_t nr_nodes;
	struct mw_zone *zones;		/* every populated or spanned zone, by node then index */
	size_t nr_zones;
	unsigned nr_orders;

	char **node_item_names;		/* enum node_stat_item, by value */
	size_t nr_node_items;
	char **zone_item_names;		/* enum zone_stat_item */
	size_t nr_zone_items;

	struct mw_ktotal vmalloc_pages;	/* nr_vmalloc_pages (VmallocUsed) */
	bool vmalloc_node_stat;		/* ... from the node counter NR_VMALLOC (7.0+) */
	struct mw_ktotal percpu_pages;	/* pcpu_nr_populated * pcpu_nr_units (Percpu) */
	struct mw_ktotal hugetlb_pages;	/* sum of hstates' nr_huge_pages << order */
	struct mw_ktotal hugetlb_free_pages;
	struct mw_ktotal totalram_pages;	/* _totalram_pages (MemTotal) */
};

/* Read nodes, zones and counters. Missing parts become warnings; only a
 * dump without any node is an error. */
struct mw_error *mw_vmstat_read(struct mw_kernel *k, const struct mw_cpus *cpus,
				const struct mw_page_layout *l,
				struct mw_warnings *w, struct mw_vmstat *ret);
void mw_vmstat_deinit(struct mw_vmstat *vs);

/* Sum of a node counter ("NR_SHMEM") over nodes; false if the kernel has no
 * such item. */
bool mw_vmstat_node_sum(const struct mw_vmstat *vs, const char *item,
			int64_t *ret);
/* Sum of a zone counter ("NR_FREE_PAGES") over zones. */
bool mw_vmstat_zone_sum(const struct mw_vmstat *vs, const char *item,
			int64_t *ret);
/* One node counter ("NR_VMALLOC") summed over the nodes with the per-CPU
 * deltas folded, without reading zones (for analyses without the page
 * scan). An error if the kernel has no such item. */
struct mw_error *mw_vmstat_node_counter(struct mw_kernel *k, const struct mw_cpus *cpus,
				       const char *item, struct mw_warnings *w,
				       int64_t *ret);

/* Index of an item, or -1. */
int mw_vmstat_node_item(const struct mw_vmstat *vs, const char *item);
int mw_vmstat_zone_item(const struct mw_vmstat *vs, const char *item);

#endif
