/* memwhere: what the kernel keeps out of the page allocator, by purpose.
 *
 * "reserved" in the summary is every PG_reserved struct page. This analysis
 * rides on the page scan (an observer of the reserved and offline pages) and
 * names the parts from what the kernel recorded:
 *  - the crash kernel's region (crashk_res, crashk_low_res: struct resource),
 *  - the struct page array itself (the physical pages behind the vmemmap of
 *    the present sections, found by walking the kernel's page tables),
 *  - the kernel image by section (_stext.._etext, __start_rodata..__end_rodata,
 *    _sdata.._edata, __bss_start..__bss_stop, __init_begin..__init_end, and
 *    the image's other pages: gaps, the per-CPU load area, brk),
 *  - the initrd still reserved (phys_initrd_start/size), the swiotlb buffer
 *    (io_tlb_default_mem),
 *  - the struct pages of holes and firmware ranges that are no System RAM
 *    (iomem_resource's top level), and RAM below 1 MiB (x86 reserves it),
 *  - what is left: "reserved, not identified".
 * Offline pages (PG_offline: balloons, virtio-mem, Hyper-V) are a category
 * of their own (MW_PAGE_OFFLINE); the balloon driver holding them is named
 * from the balloon_dev_info their page->private points at (its migratepage
 * callback's module).
 */
#ifndef MW_RESERVED_H
#define MW_RESERVED_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/findings.h"
#include "analyzer/kernel.h"
#include "analyzer/pagescan.h"
#include "common/error.h"
#include "common/warn.h"

enum mw_reserved_part {
	MW_RESERVED_CRASH_KERNEL = 0,
	MW_RESERVED_STRUCT_PAGES,
	MW_RESERVED_KERNEL_TEXT,
	MW_RESERVED_KERNEL_RODATA,
	MW_RESERVED_KERNEL_DATA,
	MW_RESERVED_KERNEL_BSS,
	MW_RESERVED_KERNEL_INIT,	/* not freed yet (or never) */
	MW_RESERVED_KERNEL_OTHER,	/* the image's other pages */
	MW_RESERVED_INITRD,
	MW_RESERVED_SWIOTLB,
	MW_RESERVED_NOT_RAM,		/* struct pages of no System RAM */
	MW_RESERVED_LOW_MEMORY,		/* RAM below 1 MiB */
	MW_RESERVED_UNIDENTIFIED,
	MW_RESERVED_NR_PARTS,
};
/* JSON key ("crash_kernel") and text label ("crash kernel (crashkernel=)"). */
const char *mw_reserved_part_name(enum mw_reserved_part p);
const char *mw_reserved_part_label(enum mw_reserved_part p);

struct mw_reserved_part_info {
	bool known;			/* the kernel recorded the region */
	uint64_t start, end;		/* physical, end exclusive (first region) */
	uint64_t region_bytes;		/* as the kernel recorded it */
	uint64_t pages;			/* reserved pages of the scan in it */
};

enum { MW_OFFLINE_OWNERS = 8 };

struct mw_offline_owner {
	uint64_t balloon;		/* struct balloon_dev_info *, 0: none */
	char driver[64];		/* "virtio_balloon", "balloon", "" */
	uint64_t pages;
};

struct mw_reserved {
	uint64_t page_size;
	uint64_t reserved_pages;	/* every reserved page the scan saw */
	struct mw_reserved_part_info parts[MW_RESERVED_NR_PARTS];
	uint64_t offline_pages;
	struct mw_offline_owner owners[MW_OFFLINE_OWNERS];
	size_t nr_owners;		/* the last may be "other drivers" */
};

struct mw_reserved_scan;

/* Resolve the regions (before the scan); lesser gaps are warnings. */
struct mw_error *mw_reserved_scan_create(struct mw_kernel *k, struct mw_warnings *w,
					 struct mw_reserved_scan **ret);
void mw_reserved_scan_destroy(struct mw_reserved_scan *s);
void mw_reserved_scan_observer(struct mw_reserved_scan *s, struct mw_page_observer *ret);
/* After the scan: the parts, and the balloon drivers named. */
struct mw_error *mw_reserved_finish(struct mw_reserved_scan *s, const struct mw_pagescan *ps,
				    struct mw_warnings *w, struct mw_reserved *ret);

/* Findings: a balloon holding much of RAM, a crash kernel region out of
 * proportion. total_bytes: RAM (the summary's). */
struct mw_error *mw_reserved_findings(const struct mw_reserved *r, uint64_t total_bytes,
				      struct mw_findings *out);

#endif
