#include "config.h"

#include "cli/cli.h"

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
