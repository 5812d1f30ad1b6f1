/* memwhere files: page cache and shared memory by file, per memcg. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "analyzer/files.h"
#include "cli/files.h"
#include "cli/memcg-subtree.h"
#include "cli/summary.h"

int mw_cmd_files(struct mw_context *ctx)
{
	struct mw_error *err;
	if (!ctx->kernel) {
		mw_render_fatal(ctx, ctx->kernel_error, "cannot list the page cache by file");
		return MW_EXIT_FAIL;
	}
	/* memcg paths (and --memcg) */
	struct mw_memcg_subtree sub;
	if (!mw_memcg_subtree_init(ctx, "memcg of each file not shown", &sub))
		return MW_EXIT_FAIL;

	struct mw_files_scan *fs = NULL;
	if ((err = mw_files_scan_create(ctx->kernel, &fs))) {
		mw_render_fatal(ctx, err, "files");
		mw_error_destroy(err);
		mw_memcg_subtree_deinit(&sub);
		return MW_EXIT_FAIL;
	}
	struct mw_page_observer obs;
	mw_files_scan_observer(fs, &obs);
	struct mw_pagescan_options opt = {
		.observers = &obs,
		.nr_observers = 1,
	};
	struct mw_progress progress;
	if (mw_progress_begin(ctx, &progress, "scanning struct pages")) {
		opt.progress = mw_progress_update;
		opt.progress_arg = &progress;
	}
	struct mw_pagescan *ps = NULL;
	err = mw_pagescan_run(ctx->kernel, &opt, &ctx->warnings, &ps);
	mw_progress_end(&progress);
	struct mw_files files;
	if (!err) {
		struct mw_files_filter filter = { .keep = mw_memcg_subtree_keep, .arg = &sub };
		err = mw_files_resolve(fs, ps, ctx->opt.memcg ? &filter : NULL,
				       &ctx->warnings, &files);
	}
	mw_pagescan_destroy(ps);
	mw_files_scan_destroy(fs);
	if (err) {
		mw_render_fatal(ctx, err, "files");
		mw_error_destroy(err);
		mw_memcg_subtree_deinit(&sub);
		return MW_EXIT_FAIL;
	}
	mw_render_files(ctx, &files, sub.have_tree ? &sub.tree : NULL,
			ctx->opt.memcg ? sub.tree.memcgs[sub.top].path : NULL);
	mw_files_deinit(&files);
	mw_memcg_subtree_deinit(&sub);
	return MW_EXIT_OK;
}
