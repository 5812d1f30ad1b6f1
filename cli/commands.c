/* memwhere command line: the commands. Each runs the analysis
 * (analyzer/analysis.h) for the results it shows, then renders them. */
#include "config.h"

#include <string.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

/* MEMWHERE_THREADS=N sets the page scan's thread count when --threads is
 * not given (scripts/bench-summary). */
static unsigned threads_from_env(void)
{
	const char *s = getenv("MEMWHERE_THREADS");
	if (!s || !*s)
		return 0;
	char *end;
	errno = 0;
	unsigned long n = strtoul(s, &end, 10);
	if (errno || *end || n == 0 || n > MW_PAGESCAN_MAX_THREADS)
		return 0;
	return (unsigned)n;
}

int mw_run_analysis(struct mw_context *ctx, unsigned want, unsigned required,
		    const char *memcg, const char *no_kernel, struct mw_analysis *ret)
{
	if (!ctx->kernel) {
		mw_render_fatal(ctx, ctx->kernel_error, no_kernel);
		return MW_EXIT_FAIL;
	}
	if (ctx->kernel->vm.page_size != 4096 && ctx->kernel->vm.page_size != 16384) {
		/* (the analyses count pages of the kernel's size: checked on
		 * 4 KiB and 16 KiB kernels only) */
		struct mw_error e = { .code = MW_ERR_UNSUPPORTED,
				      .message = "the kernel's pages are neither 4 KiB nor 16 KiB: "
						 "memwhere analyses those two page sizes only so far" };
		mw_render_fatal(ctx, &e, no_kernel ? no_kernel : "cannot analyse it");
		return MW_EXIT_FAIL;
	}
	struct mw_progress progress;
	struct mw_analysis_options opt = {
		.want = want,
		.required = required,
		.memcg = memcg,
		.threads = ctx->opt.threads ? ctx->opt.threads : threads_from_env(),
		.total_ram = mw_reader_info(ctx->reader)->total_bytes,
	};
	if (mw_progress_begin(ctx, &progress, "scanning struct pages")) {
		opt.progress = mw_progress_update;
		opt.progress_arg = &progress;
	}
	struct mw_error *err = mw_analysis_run(ctx->kernel, &opt, &ctx->warnings, ret);
	mw_progress_end(&progress);
	if (!err) {
		/* a name or container ID: say which cgroup it chose */
		if (memcg && ret->memcg_path && strcmp(memcg, ret->memcg_path) != 0 &&
		    mw_memcg_find_path(&ret->tree, memcg) < 0)
			fprintf(stderr, "memwhere: --memcg %s: memory cgroup %s\n", memcg,
				ret->memcg_path);
		return MW_EXIT_OK;
	}
	if (ret->memcg_not_found && ret->memcg_matches > 1)
		fprintf(stderr, "memwhere: --memcg %s names %zu memory cgroups in %s; give more of "
			"the name or the whole path\n", memcg, ret->memcg_matches, ctx->dump_path);
	else if (ret->memcg_not_found)
		fprintf(stderr, "memwhere: --memcg %s: no such memory cgroup in %s "
			"(a path as under the cgroup mount, e.g. %s, a cgroup's name, or a "
			"container ID)\n",
			memcg, ctx->dump_path, ret->tree.nr > 1 ? ret->tree.memcgs[1].path : "/");
	else
		mw_render_fatal(ctx, err, ret->error_context);
	mw_error_destroy(err);
	mw_analysis_deinit(ret);
	return MW_EXIT_FAIL;
}

int mw_run_command(struct mw_context *ctx, const struct mw_command *cmd)
{
	struct mw_analysis a;
	int rc = mw_run_analysis(ctx, cmd->results, cmd->results & ~MW_RESULT_FINDINGS,
				 ctx->opt.memcg, cmd->no_kernel, &a);
	if (rc != MW_EXIT_OK)
		return rc;
	mw_render(ctx, cmd->render, &a);
	mw_analysis_deinit(&a);
	return MW_EXIT_OK;
}

/* The kernel model is optional for info: the dump is described anyway. */
static void kernel_warning(struct mw_context *ctx)
{
	if (ctx->kernel_error) {
		mw_warn_error(&ctx->warnings, ctx->kernel_error, "kernel");
		ctx->kernel_error = NULL;
	}
}

int mw_cmd_info(struct mw_context *ctx)
{
	kernel_warning(ctx);
	mw_render_info(ctx);
	return MW_EXIT_OK;
}

/* Without a kernel model `report` can only describe the dump. */
int mw_cmd_report_info_only(struct mw_context *ctx)
{
	kernel_warning(ctx);
	mw_render_info(ctx);
	return MW_EXIT_OK;
}
