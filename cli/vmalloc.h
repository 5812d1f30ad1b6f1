/* memwhere command line: vmalloc (vmalloc areas by caller). */
#ifndef MW_CLI_VMALLOC_H
#define MW_CLI_VMALLOC_H

#include "analyzer/vmalloc.h"
#include "cli/cli.h"

extern const struct mw_renderer mw_vmalloc_renderer;	/* output-vmalloc.c */

#endif
