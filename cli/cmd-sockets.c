/* memwhere sockets: find every socket, walk its queues, render. */
#include "config.h"

#include <stdlib.h>

#include "cli/memcg-subtree.h"
#include "cli/sockets.h"
#include "cli/summary.h"

int mw_cmd_sockets(struct mw_context *ctx)
{
	if (!ctx->kernel) {
		mw_render_fatal(ctx, ctx->kernel_error, "cannot read sockets");
		return MW_EXIT_FAIL;
	}
	/* each socket's memcg (sk_memcg), and --memcg */
	struct mw_memcg_subtree sub;
	if (!mw_memcg_subtree_init(ctx, "memcg of each socket not shown", &sub))
		return MW_EXIT_FAIL;
	struct mw_sockets s;
	struct mw_sockets_filter filter = { .keep = mw_memcg_subtree_keep, .arg = &sub };
	struct mw_error *err = mw_sockets_analyze_filtered(ctx->kernel, &ctx->warnings,
							   ctx->opt.memcg ? &filter : NULL, &s);
	if (err) {
		mw_render_fatal(ctx, err, "sockets");
		mw_error_destroy(err);
		mw_memcg_subtree_deinit(&sub);
		return MW_EXIT_FAIL;
	}
	for (size_t i = 0; i < s.nr; i++)
		s.v[i].memcg_path = mw_memcg_subtree_path(&sub, s.v[i].memcg);
	struct mw_sockets_holder *holders = NULL;
	size_t nr_holders = 0;
	if ((err = mw_sockets_holders(&s, MW_SOCKETS_FINDING_MIN, &holders,
				      &nr_holders))) {
		mw_render_fatal(ctx, err, "sockets");
		mw_error_destroy(err);
		mw_sockets_deinit(&s);
		mw_memcg_subtree_deinit(&sub);
		return MW_EXIT_FAIL;
	}
	mw_render_sockets(ctx, &s, holders, nr_holders,
			  ctx->opt.memcg ? sub.tree.memcgs[sub.top].path : NULL);
	free(holders);
	mw_sockets_deinit(&s);
	mw_memcg_subtree_deinit(&sub);
	return MW_EXIT_OK;
}
