/* memwhere command line: slab (slab caches as /proc/slabinfo counts them). */
#ifndef MW_CLI_SLAB_H
#define MW_CLI_SLAB_H

#include "analyzer/slab.h"
#include "cli/cli.h"

extern const struct mw_renderer mw_slab_renderer;	/* output-slab.c */

#endif
