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

#include "analyzer/pagescan.h"

enum mw_severity {
	MW_SEVERITY_INFO = 0,
	MW_SEVERITY_WARNING,
	MW_SEVERITY_CRITICAL,
};
const char *mw_severity_name(enum mw_severity s);

struct mw_finding {
	char id[40];
	enum mw_severity severity;
	uint64_t bytes;
	char title[200];
	char evidence[400];
	char advice[300];
};

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

enum { MW_MAX_FINDINGS = 16, MW_MAX_COUNTERS = 16 };

struct mw_summary {
	uint64_t page_size;
	uint64_t total_bytes;
	uint64_t bytes[MW_PAGE_NR_CATEGORIES];
	struct mw_finding findings[MW_MAX_FINDINGS];	/* by severity, then bytes */
	size_t nr_findings;
	struct mw_counter_cmp counters[MW_MAX_COUNTERS];
	size_t nr_counters;
	size_t nr_flagged;
};

void mw_summary_build(const struct mw_pagescan *ps, struct mw_summary *ret);

#endif
