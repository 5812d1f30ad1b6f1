/* memwhere report: every analysis over one page scan, then the findings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/export.h"
#include "cli/findings.h"
#include "cli/incident.h"
#include "cli/pools.h"
#include "cli/tasks.h"
#include "common/json.h"

enum {
	REPORT_TOP = 10,	/* rows per section in text, unless --top */
};

static void render_findings_text(struct mw_context *ctx, const struct mw_findings *list)
{
	FILE *o = ctx->out;
	fprintf(o, "\n== Findings\n");
	if (!list->nr)
		fprintf(o, "  nothing stands out\n");
	for (size_t i = 0; i < list->nr; i++)
		mw_text_finding(o, &list->v[i], MW_FINDING_ARROW);
}

/* One section: the analysis' own renderer, inside the report. */
static void section(struct mw_context *ctx, struct mw_json *doc, const char *name,
		    const char *title)
{
	if (doc)
		ctx->json_section = name;
	else
		fprintf(ctx->out, "\n== %s\n", title);
}

static void render(struct mw_context *ctx, const struct mw_analysis *a)
{
	struct mw_json doc;
	struct mw_json *dp = NULL;
	ctx->in_report = true;
	if (ctx->opt.json) {
		mw_render_json_begin(ctx, &doc);
		mw_json_key(&doc, "info");
		mw_json_object_begin(&doc);
		mw_render_info_json_fields(ctx, &doc);
		mw_json_object_end(&doc);
		dp = &doc;
		ctx->json_report = dp;
	} else if (!ctx->opt.full) {
		mw_render_brief(ctx, a);
		ctx->in_report = false;
		mw_render_text_warnings(ctx);
		return;
	} else {
		mw_render_info_text(ctx);
		if (!ctx->opt.top_given)
			ctx->opt.top = REPORT_TOP;
	}
	if (a->have & MW_RESULT_INCIDENT) {
		section(ctx, dp, "incident", "What happened");
		mw_render(ctx, &mw_incident_renderer, a);
	}
	section(ctx, dp, "summary", "Where the memory went");
	mw_render(ctx, &mw_summary_renderer, a);
	if (a->have & MW_RESULT_MEMCG) {
		section(ctx, dp, "memcg", "Memory cgroups");
		mw_render(ctx, &mw_memcg_renderer, a);
	}
	if (a->have & MW_RESULT_TASKS) {
		section(ctx, dp, "tasks", "Processes by RSS");
		mw_render(ctx, &mw_tasks_renderer, a);
	}
	if (a->have & MW_RESULT_FILES) {
		section(ctx, dp, "files", "Page cache and shared memory by file");
		mw_render(ctx, &mw_files_renderer, a);
	}
	if (a->have & MW_RESULT_SOCKETS) {
		section(ctx, dp, "sockets", "Sockets");
		mw_render(ctx, &mw_sockets_renderer, a);
	}
	if ((a->have & MW_RESULT_POOLS) && mw_pools_say_something(&a->pools)) {
		section(ctx, dp, "pools", "Pools: hugetlb, zram, zswap, CMA");
		mw_render(ctx, &mw_pools_renderer, a);
	}
	ctx->json_report = NULL;
	ctx->in_report = false;
	if (dp) {
		mw_json_findings(&doc, &a->findings);
		mw_render_json_end(ctx, &doc);
	} else {
		render_findings_text(ctx, &a->findings);
		mw_render_text_warnings(ctx);
	}
}

int mw_cmd_report(struct mw_context *ctx)
{
	if (!ctx->kernel)
		return mw_cmd_report_info_only(ctx);
	if (ctx->opt.memcg)
		mw_warn(&ctx->warnings, "--memcg is not applied to report: use memcg, files, sockets");
	struct mw_analysis a;
	int rc = mw_run_analysis(ctx, MW_RESULT_SUMMARY | MW_RESULT_MEMCG | MW_RESULT_FILES |
				 MW_RESULT_SOCKETS | MW_RESULT_TASKS | MW_RESULT_INCIDENT | MW_RESULT_POOLS |
				 MW_RESULT_FINDINGS, MW_RESULT_SUMMARY,
				 NULL, NULL, &a);
	if (rc != MW_EXIT_OK)
		return rc;
	bool done;	/* --html FILE too, or --folded instead */
	rc = mw_report_export(ctx, &a, render, &done);
	if (!done)
		render(ctx, &a);
	mw_analysis_deinit(&a);
	return rc;
}
