#include "config.h"

#include "cli/cli.h"

int mw_cmd_info(struct mw_context *ctx)
{
	mw_render_info(ctx);
	return MW_EXIT_OK;
}

int mw_cmd_report(struct mw_context *ctx)
{
	/* Analyses join the report as they land; today: the dump itself. */
	mw_render_info(ctx);
	return MW_EXIT_OK;
}
