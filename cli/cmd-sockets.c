/* memwhere sockets: find every socket, walk its queues, render. */
#include "config.h"

#include <stdlib.h>

#include "cli/sockets.h"
#include "cli/summary.h"

int mw_cmd_sockets(struct mw_context *ctx)
{
	if (!ctx->kernel) {
		mw_render_fatal(ctx, ctx->kernel_error, "cannot read sockets");
		return MW_EXIT_FAIL;
	}
	if (ctx->opt.memcg)
		mw_warn(&ctx->warnings,
			"--memcg is not applied to sockets yet: showing every socket");
	struct mw_sockets s;
	struct mw_error *err = mw_sockets_analyze(ctx->kernel, &ctx->warnings, &s);
	if (err) {
		mw_render_fatal(ctx, err, "sockets");
		mw_error_destroy(err);
		return MW_EXIT_FAIL;
	}
	struct mw_sockets_holder *holders = NULL;
	size_t nr_holders = 0;
	if ((err = mw_sockets_holders(&s, MW_SOCKETS_FINDING_MIN, &holders,
				      &nr_holders))) {
		mw_render_fatal(ctx, err, "sockets");
		mw_error_destroy(err);
		mw_sockets_deinit(&s);
		return MW_EXIT_FAIL;
	}
	mw_render_sockets(ctx, &s, holders, nr_holders);
	free(holders);
	mw_sockets_deinit(&s);
	return MW_EXIT_OK;
}
