/* memwhere report: every analysis over one page scan, then the findings. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/files.h"
#include "analyzer/memcg-scan.h"
#include "analyzer/sockets.h"
#include "cli/render-util.h"
#include "cli/files.h"
#include "cli/memcg.h"
#include "cli/sockets.h"
#include "cli/summary.h"
#include "common/json.h"

enum {
	REPORT_TOP = 10,	/* rows per section in text, unless --top */
	REPORT_MAX_FINDINGS = 64,
};

struct report {
	struct mw_pagescan *ps;
	struct mw_summary *summary;
	struct mw_memcg_tree tree;
	bool have_tree;
	struct mw_files files;
	bool have_files;
	struct mw_sockets socks;
	bool have_socks;
	struct mw_sockets_holder *holders;
	size_t nr_holders;
	struct mw_finding findings[REPORT_MAX_FINDINGS];
	size_t nr_findings;
};

static void add_finding(struct report *r, const struct mw_finding *f)
{
	if (r->nr_findings < REPORT_MAX_FINDINGS)
		r->findings[r->nr_findings++] = *f;
}

/* most severe first, then the most bytes */
static int finding_cmp(const void *a, const void *b)
{
	const struct mw_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	return x->bytes > y->bytes ? -1 : x->bytes < y->bytes;
}

static void gather_findings(struct report *r)
{
	struct mw_finding f;
	for (size_t i = 0; i < r->summary->nr_findings; i++)
		add_finding(r, &r->summary->findings[i]);
	if (r->have_tree && mw_memcg_finding(&r->tree, 0, &f))
		add_finding(r, &f);
	if (r->have_files) {
		struct mw_finding ff[8];
		size_t n = mw_files_findings(&r->files, r->have_tree ? &r->tree : NULL,
					     ff, MW_ARRAY_SIZE(ff));
		for (size_t i = 0; i < n; i++)
			add_finding(r, &ff[i]);
	}
	for (size_t i = 0; r->have_socks && i < r->nr_holders; i++) {
		mw_sockets_finding(&r->socks, &r->holders[i], r->summary->total_bytes, &f);
		add_finding(r, &f);
	}
	qsort(r->findings, r->nr_findings, sizeof(r->findings[0]), finding_cmp);
}

static void render_findings_text(struct mw_context *ctx, const struct report *r)
{
	FILE *o = ctx->out;
	fprintf(o, "\n== Findings\n");
	if (!r->nr_findings)
		fprintf(o, "  nothing stands out\n");
	for (size_t i = 0; i < r->nr_findings; i++) {
		const struct mw_finding *f = &r->findings[i];
		fprintf(o, "  %-8s %s\n", mw_severity_name(f->severity), f->title);
		if (f->evidence[0])
			fprintf(o, "           %s\n", f->evidence);
		if (f->advice[0])
			fprintf(o, "           -> %s\n", f->advice);
	}
}

static void render_findings_json(struct mw_json *j, const struct report *r)
{
	mw_json_key(j, "findings");
	mw_json_array_begin(j);
	for (size_t i = 0; i < r->nr_findings; i++) {
		const struct mw_finding *f = &r->findings[i];
		mw_json_object_begin(j);
		mw_json_finding_fields(j, f);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
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

static void render(struct mw_context *ctx, struct report *r)
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
	} else {
		mw_render_info_text(ctx);
		if (!ctx->opt.top_given)
			ctx->opt.top = REPORT_TOP;
	}
	section(ctx, dp, "summary", "Where the memory went");
	mw_render_summary(ctx, r->ps, r->summary);
	if (r->have_tree) {
		section(ctx, dp, "memcg", "Memory cgroups");
		mw_render_memcg(ctx, &r->tree, 0);
	}
	if (r->have_files) {
		section(ctx, dp, "files", "Page cache and shared memory by file");
		mw_render_files(ctx, &r->files, r->have_tree ? &r->tree : NULL, NULL);
	}
	if (r->have_socks) {
		section(ctx, dp, "sockets", "Sockets");
		mw_render_sockets(ctx, &r->socks, r->holders, r->nr_holders, NULL);
	}
	ctx->json_report = NULL;
	ctx->in_report = false;
	if (dp) {
		render_findings_json(&doc, r);
		mw_render_json_end(ctx, &doc);
	} else {
		render_findings_text(ctx, r);
		mw_render_text_warnings(ctx);
	}
}

int mw_cmd_report(struct mw_context *ctx)
{
	if (!ctx->kernel)
		return mw_cmd_report_info_only(ctx);
	if (ctx->opt.memcg)
		mw_warn(&ctx->warnings, "--memcg is not applied to report: use memcg, files, sockets");

	struct report *r = calloc(1, sizeof(*r));
	if (!r) {
		mw_render_fatal(ctx, &mw_error_nomem, "report");
		return MW_EXIT_FAIL;
	}
	struct mw_error *err;
	struct mw_page_observer obs[2];
	size_t nr_obs = 0;
	struct mw_memcg_scan *ms = NULL;
	struct mw_files_scan *fs = NULL;

	if ((err = mw_memcg_read(ctx->kernel, &ctx->warnings, &r->tree)))
		mw_warn_error(&ctx->warnings, err, "memory cgroups not analysed");
	else
		r->have_tree = true;
	if (r->have_tree) {
		if ((err = mw_memcg_scan_create(ctx->kernel, &ctx->warnings, &ms)))
			mw_warn_error(&ctx->warnings, err, "charged_bytes (page scan) not available");
		else
			mw_memcg_scan_observer(ms, &obs[nr_obs++]);
	}
	if ((err = mw_files_scan_create(ctx->kernel, &fs)))
		mw_warn_error(&ctx->warnings, err, "files not analysed");
	else
		mw_files_scan_observer(fs, &obs[nr_obs++]);

	int rc = mw_summary_scan(ctx, obs, nr_obs, &r->socks, &r->ps);
	if (rc != MW_EXIT_OK)
		goto out;
	r->have_socks = true;	/* an empty list if the analysis failed (warned) */
	for (size_t i = 0; r->have_tree && i < r->socks.nr; i++) {
		ptrdiff_t m = r->socks.v[i].memcg ?
			mw_memcg_find_addr(&r->tree, r->socks.v[i].memcg) : -1;
		r->socks.v[i].memcg_path = m >= 0 ? r->tree.memcgs[m].path : NULL;
	}
	if (r->have_socks &&
	    (err = mw_sockets_holders(&r->socks, MW_SOCKETS_FINDING_MIN, &r->holders,
				      &r->nr_holders))) {
		mw_warn_error(&ctx->warnings, err, "socket findings");
		r->nr_holders = 0;
	}
	if (ms && (err = mw_memcg_scan_apply(ms, r->ps, &ctx->warnings, &r->tree)))
		mw_warn_error(&ctx->warnings, err, "charged_bytes (page scan) not available");
	if (fs) {
		if ((err = mw_files_resolve(fs, r->ps, NULL, &ctx->warnings, &r->files)))
			mw_warn_error(&ctx->warnings, err, "files not analysed");
		else
			r->have_files = true;
	}
	r->summary = malloc(sizeof(*r->summary));
	if (!r->summary) {
		mw_render_fatal(ctx, &mw_error_nomem, "report");
		rc = MW_EXIT_FAIL;
		goto out;
	}
	mw_summary_build(r->ps, r->summary);
	gather_findings(r);
	render(ctx, r);
out:
	free(r->summary);
	free(r->holders);
	if (r->have_files)
		mw_files_deinit(&r->files);
	if (r->have_tree)
		mw_memcg_tree_deinit(&r->tree);
	mw_sockets_deinit(&r->socks);
	mw_files_scan_destroy(fs);
	mw_memcg_scan_destroy(ms);
	mw_pagescan_destroy(r->ps);
	free(r);
	return rc;
}
