/* memwhere: the per-CPU allocator's chunks and their populated pages.
 *
 * Every chunk on pcpu_chunk_lists (the first chunk, which holds the static
 * per-CPU variables, and the vmalloc'd chunks made later): its base, pages
 * per unit, populated pages per unit and free bytes. The kernel's Percpu
 * (/proc/meminfo) is the populated pages times the number of units.
 */
#ifndef MW_PERCPU_H
#define MW_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "common/error.h"
#include "common/warn.h"

struct mw_percpu_chunk {
	uint64_t addr;			/* struct pcpu_chunk */
	uint64_t base;			/* base_addr */
	uint64_t pages;			/* nr_pages: pages per unit */
	uint64_t populated;		/* nr_populated: populated pages per unit */
	uint64_t free_bytes;		/* per unit */
	bool first;			/* pcpu_first_chunk (static variables) */
	uint64_t counted;		/* populated pages per unit as the kernel counts
					 * them (the first chunk: its whole unit area) */
};

struct mw_percpu {
	struct mw_percpu_chunk *chunks;
	size_t nr;
	uint64_t units;			/* pcpu_nr_units */
	uint64_t bytes;			/* sum of populated pages * units * page size */
	bool kernel_counter_known;
	uint64_t kernel_counter_bytes;	/* pcpu_nr_populated * units * page size */
	bool incomplete;
};

struct mw_error *mw_percpu_read(struct mw_kernel *k, struct mw_warnings *w,
				struct mw_percpu *ret);
void mw_percpu_deinit(struct mw_percpu *p);

#endif
