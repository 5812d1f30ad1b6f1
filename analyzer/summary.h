/* memwhere: where RAM went, from one page scan.
 *
 * Bytes per category (a partition of the struct pages the kernel has), the
 * scan's numbers next to the kernel's own counters, and findings: the few
 * things on the page a user should look at first.
 */
#ifndef MW_SUMMARY_H
#define MW_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/findings.h"
#include "analyzer/pagescan.h"

/* One kernel counter next to the scan's count of the same pages. */
struct mw_counter_cmp {
	const char *name;	/* "free", "anon", ... */
	const char *kernel;	/* what the kernel number is: "NR_FREE_PAGES" */
	const char *scan;	/* what the scan number is */
	bool available;		/* the kernel has the counter */
	uint64_t kernel_pages;
	uint64_t scan_pages;
	int64_t difference;	/* scan - kernel, pages */
	double percent;		/* of the kernel value (0 if that is 0) */
	bool flagged;		/* over 1% and over 64 pages (256 KiB) */
};

enum { MW_MAX_COUNTERS = 16 };

struct mw_summary {
	uint64_t page_size;
	uint64_t total_bytes;
	uint64_t bytes[MW_PAGE_NR_CATEGORIES];
	struct mw_counter_cmp counters[MW_MAX_COUNTERS];
	size_t nr_counters;
	size_t nr_flagged;
};

void mw_summary_build(const struct mw_pagescan *ps, struct mw_summary *ret);
/* The page scan's findings (categories over their thresholds, counters
 * that differ), appended to out and ranked among themselves. */
struct mw_error *mw_summary_findings(const struct mw_pagescan *ps, const struct mw_summary *s,
				     struct mw_findings *out);

#endif
