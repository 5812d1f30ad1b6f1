/* memwhere command line: pools (hugetlb, zram/zswap, CMA). */
#ifndef MW_CLI_POOLS_H
#define MW_CLI_POOLS_H

#include "analyzer/pools.h"
#include "cli/cli.h"

extern const struct mw_renderer mw_pools_renderer;	/* output-pools.c */

/* Whether the pools hold anything (a hugetlb pool, zsmalloc pages, a zram
 * device, zswap data, a CMA area): report shows them only then. */
bool mw_pools_say_something(const struct mw_pools *p);

#endif
