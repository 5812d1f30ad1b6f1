/* memwhere files: page cache and shared memory by file, per memcg. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "analyzer/files.h"
#include "cli/files.h"
#include "cli/summary.h"

struct subtree {
	const struct mw_memcg_tree *t;
	size_t top;
};

static bool keep_memcg(void *arg, uint64_t memcg)
{
	const struct subtree *s = arg;
	ptrdiff_t i = mw_memcg_find_addr(s->t, memcg);
	return i >= 0 && mw_memcg_in_subtree(s->t, (size_t)i, s->top);
}

int mw_cmd_files(struct mw_context *ctx)
{
	struct mw_error *err;
	if (!ctx->kernel) {
		mw_render_fatal(ctx, ctx->kernel_error, "cannot list the page cache by file");
		return MW_EXIT_FAIL;
	}
	/* memcg paths (and --memcg) */
	struct mw_memcg_tree tree;
	bool have_tree = false;
	struct subtree sub = { .t = &tree };
	if ((err = mw_memcg_read(ctx->kernel, &ctx->warnings, &tree))) {
		if (ctx->opt.memcg) {
			mw_render_fatal(ctx, err, "--memcg: memory cgroups");
			mw_error_destroy(err);
			return MW_EXIT_FAIL;
		}
		mw_warn_error(&ctx->warnings, err, "memcg of each file not shown");
	} else {
		have_tree = true;
	}
	if (ctx->opt.memcg) {
		ptrdiff_t i = mw_memcg_find_path(&tree, ctx->opt.memcg);
		if (i < 0) {
			fprintf(stderr, "memwhere: --memcg %s: no such memory cgroup in %s "
				"(paths are as under the cgroup mount, e.g. %s)\n",
				ctx->opt.memcg, ctx->dump_path,
				tree.nr > 1 ? tree.memcgs[1].path : "/");
			mw_memcg_tree_deinit(&tree);
			return MW_EXIT_FAIL;
		}
		sub.top = (size_t)i;
	}

	struct mw_files_scan *fs = NULL;
	if ((err = mw_files_scan_create(ctx->kernel, &fs))) {
		mw_render_fatal(ctx, err, "files");
		mw_error_destroy(err);
		if (have_tree)
			mw_memcg_tree_deinit(&tree);
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
		struct mw_files_filter filter = { .keep = keep_memcg, .arg = &sub };
		err = mw_files_resolve(fs, ps, ctx->opt.memcg ? &filter : NULL,
				       &ctx->warnings, &files);
	}
	mw_pagescan_destroy(ps);
	mw_files_scan_destroy(fs);
	if (err) {
		mw_render_fatal(ctx, err, "files");
		mw_error_destroy(err);
		if (have_tree)
			mw_memcg_tree_deinit(&tree);
		return MW_EXIT_FAIL;
	}
	mw_render_files(ctx, &files, have_tree ? &tree : NULL,
			ctx->opt.memcg ? tree.memcgs[sub.top].path : NULL);
	mw_files_deinit(&files);
	if (have_tree)
		mw_memcg_tree_deinit(&tree);
	return MW_EXIT_OK;
}
