/* memwhere command line: memcg (the memory cgroup tree). */
#ifndef MW_CLI_MEMCG_H
#define MW_CLI_MEMCG_H

#include <stddef.h>

#include "analyzer/memcg.h"
#include "cli/cli.h"

int mw_cmd_memcg(struct mw_context *ctx);

/* output-memcg.c: the tree below memcgs[top] (0: all), text or JSON. */
void mw_render_memcg(struct mw_context *ctx, const struct mw_memcg_tree *t,
		     size_t top);

#endif
