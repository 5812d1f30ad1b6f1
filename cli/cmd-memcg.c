/* memwhere memcg: the memory cgroup tree, dying memcgs and what pins them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "analyzer/memcg-scan.h"
#include "cli/memcg.h"
#include "cli/summary.h"

/* charged_bytes: one page scan with the slab-object observer. */
static void charges(struct mw_context *ctx, struct mw_memcg_tree *t)
{
	struct mw_memcg_scan *s = NULL;
	struct mw_pagescan *ps = NULL;
	struct mw_page_observer obs;
	struct mw_progress progress;
	struct mw_error *err;

	if ((err = mw_memcg_scan_create(ctx->kernel, &ctx->warnings, &s))) {
		mw_warn_error(&ctx->warnings, err, "charged_bytes (page scan) not available");
		return;
	}
	mw_memcg_scan_observer(s, &obs);
	struct mw_pagescan_options opt = {
		.observers = &obs,
		.nr_observers = 1,
	};
	if (mw_progress_begin(ctx, &progress, "scanning struct pages")) {
		opt.progress = mw_progress_update;
		opt.progress_arg = &progress;
	}
	err = mw_pagescan_run(ctx->kernel, &opt, &ctx->warnings, &ps);
	mw_progress_end(&progress);
	if (!err)
		err = mw_memcg_scan_apply(s, ps, &ctx->warnings, t);
	if (err)
		mw_warn_error(&ctx->warnings, err, "charged_bytes (page scan) not available");
	mw_pagescan_destroy(ps);
	mw_memcg_scan_destroy(s);
}

int mw_cmd_memcg(struct mw_context *ctx)
{
	struct mw_memcg_tree t;
	struct mw_error *err;

	if (!ctx->kernel) {
		mw_render_fatal(ctx, ctx->kernel_error, "cannot read memory cgroups");
		return MW_EXIT_FAIL;
	}
	if ((err = mw_memcg_read(ctx->kernel, &ctx->warnings, &t))) {
		mw_render_fatal(ctx, err, "memory cgroups");
		mw_error_destroy(err);
		return MW_EXIT_FAIL;
	}
	size_t top = 0;
	if (ctx->opt.memcg) {
		ptrdiff_t i = mw_memcg_find_path(&t, ctx->opt.memcg);
		if (i < 0) {
			fprintf(stderr, "memwhere: --memcg %s: no such memory cgroup in %s "
				"(paths are as under the cgroup mount, e.g. %s)\n",
				ctx->opt.memcg, ctx->dump_path,
				t.nr > 1 ? t.memcgs[1].path : "/");
			mw_memcg_tree_deinit(&t);
			return MW_EXIT_FAIL;
		}
		top = (size_t)i;
	}
	charges(ctx, &t);
	mw_render_memcg(ctx, &t, top);
	mw_memcg_tree_deinit(&t);
	return MW_EXIT_OK;
}
