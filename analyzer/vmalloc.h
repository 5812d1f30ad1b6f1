/* memwhere: vmalloc areas by caller, as /proc/vmallocinfo shows them.
 *
 * Every busy vmap_area (vmap_area_list before 6.9, the per-node busy lists
 * of vmap_nodes since): its range, the pages behind it (vm_struct.nr_pages),
 * its kind from vm_struct.flags, and the caller that allocated it
 * (vm_struct.caller) as symbol+offset; then the same grouped by caller.
 */
#ifndef MW_VMALLOC_H
#define MW_VMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "analyzer/modules.h"
#include "analyzer/percpu.h"
#include "common/error.h"
#include "common/warn.h"

enum { MW_VMALLOC_CALLER_MAX = 96 };

enum mw_vmalloc_kind {
	MW_VMALLOC_KIND_VMALLOC = 0,	/* VM_ALLOC */
	MW_VMALLOC_KIND_VMAP,		/* VM_MAP */
	MW_VMALLOC_KIND_IOREMAP,	/* VM_IOREMAP */
	MW_VMALLOC_KIND_USER,		/* VM_USERMAP */
	MW_VMALLOC_KIND_DMA,		/* VM_DMA_COHERENT */
	MW_VMALLOC_KIND_PERCPU,		/* a percpu chunk (pcpu_get_vm_areas) */
	MW_VMALLOC_KIND_VM_MAP_RAM,	/* a vmap_area without a vm_struct */
	MW_VMALLOC_KIND_OTHER,
	MW_VMALLOC_KIND_NR,
};
const char *mw_vmalloc_kind_name(enum mw_vmalloc_kind k);

struct mw_vmalloc_area {
	uint64_t start, end;		/* vm_struct addr .. addr+size (vmap_area's for vm_map_ram) */
	uint64_t pages;			/* vm_struct.nr_pages */
	uint64_t flags;			/* vm_struct.flags */
	enum mw_vmalloc_kind kind;
	uint32_t caller;		/* index into callers */
};

struct mw_vmalloc_caller {
	char name[MW_VMALLOC_CALLER_MAX];	/* "func+0x4e", or the address */
	uint64_t address;
	uint64_t areas;
	uint64_t pages;
	uint64_t bytes;			/* pages * page size: RAM behind the areas */
	uint64_t vm_bytes;		/* address space, guard pages included */
};

struct mw_vmalloc {
	struct mw_vmalloc_area *areas;	/* in list order (by address per node) */
	size_t nr_areas;
	struct mw_vmalloc_caller *callers;	/* ranked by bytes, then vm_bytes */
	size_t nr_callers;
	uint64_t page_size;
	uint64_t total_bytes;		/* pages of VM_ALLOC areas: what VmallocUsed shows */
	uint64_t kind_bytes[MW_VMALLOC_KIND_NR];
	bool kernel_counter_known;	/* nr_vmalloc_pages (NR_VMALLOC since 7.0) was read */
	uint64_t kernel_counter_bytes;	/* the kernel's own VmallocUsed counter */
	bool incomplete;		/* a list broke */
	struct mw_modules modules;	/* loaded modules (their memory is vmalloc'd
					 * in the module area), ranked by bytes */
	bool modules_known;
	struct mw_percpu percpu;	/* the per-CPU allocator's chunks */
	bool percpu_known;
};

struct mw_error *mw_vmalloc_analyze(struct mw_kernel *k, struct mw_warnings *w,
				    struct mw_vmalloc *ret);
void mw_vmalloc_deinit(struct mw_vmalloc *v);

#endif
