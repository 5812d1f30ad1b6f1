/* memwhere report --html FILE, --folded (cli/export.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/export.h"

enum {
	HTML_TOP = 500,		/* rows per list in the page, unless --top */
};

int mw_report_export(struct mw_context *ctx, const struct mw_analysis *a,
		     void (*render)(struct mw_context *, const struct mw_analysis *),
		     bool *done)
{
	*done = false;
	if (!ctx->opt.html && !ctx->opt.folded)
		return MW_EXIT_OK;
	unsigned long top = ctx->opt.folded ? 0 : ctx->opt.top_given ? ctx->opt.top : HTML_TOP;
	struct mw_jv *doc = NULL;
	int rc = mw_doc_from_report(ctx, a, render, top, &doc);
	if (rc != MW_EXIT_OK)
		return rc;
	struct mw_attr *root = mw_attr_build(doc);
	if (!root) {
		mw_jv_destroy(doc);
		fprintf(stderr, "memwhere: out of memory\n");
		return MW_EXIT_FAIL;
	}
	if (ctx->opt.folded) {
		mw_folded_write(ctx->out, root);
		*done = true;
	}
	if (ctx->opt.html) {
		FILE *f = fopen(ctx->opt.html, "w");
		bool ok = f && mw_html_write(f, doc, root);
		if (f && fclose(f) != 0)
			ok = false;
		if (!ok) {
			fprintf(stderr, "memwhere: %s: %s\n", ctx->opt.html, strerror(errno));
			rc = MW_EXIT_FAIL;
		}
	}
	mw_attr_destroy(root);
	mw_jv_destroy(doc);
	return rc;
}
