/* memwhere: the dump's possible CPUs and their per-CPU offsets.
 *
 * A per-CPU pointer p of CPU c lives at p + __per_cpu_offset[c]. The
 * possible CPUs come from __cpu_possible_mask (nr_cpu_ids bits).
 */
#ifndef MW_CPUS_H
#define MW_CPUS_H

#include <stdint.h>

#include "analyzer/kernel.h"

enum { MW_CPUS_MAX = 8192 };	/* bound on nr_cpu_ids from the dump */

struct mw_cpus {
	unsigned nr_cpu_ids;
	unsigned nr;		/* possible CPUs */
	unsigned *ids;		/* their numbers, ascending */
	uint64_t *offsets;	/* __per_cpu_offset[ids[i]] */
};

struct mw_error *mw_cpus_read(struct mw_kernel *k, struct mw_cpus *ret);
void mw_cpus_deinit(struct mw_cpus *c);

#endif
