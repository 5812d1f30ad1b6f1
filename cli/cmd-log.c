/* memwhere log: read the printk ring buffer, render it like dmesg. */
#include "config.h"

#include <stdio.h>

#include "cli/log.h"
#include "analyzer/analysis.h"
#include "cli/cli.h"

int mw_cmd_log(struct mw_context *ctx)
{
	int level = 7;
	if (ctx->opt.level && (level = mw_log_level_parse(ctx->opt.level)) < 0) {
		fprintf(stderr, "memwhere: --level: %s is not a level "
			"(emerg, alert, crit, err, warn, notice, info, debug or 0-7)\n",
			ctx->opt.level);
		return MW_EXIT_FAIL;
	}
	struct mw_analysis a;
	int rc = mw_run_analysis(ctx, MW_RESULT_LOG | MW_RESULT_INCIDENT, MW_RESULT_LOG, NULL,
				 "cannot read the kernel log", &a);
	if (rc != MW_EXIT_OK)
		return rc;
	mw_render_log(ctx, &a.log, (a.have & MW_RESULT_INCIDENT) ? &a.incident : NULL,
		      (unsigned)level);
	mw_analysis_deinit(&a);
	return MW_EXIT_OK;
}
