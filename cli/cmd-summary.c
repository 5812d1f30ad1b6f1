/* memwhere summary / pages: run the page walker and render its result. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/skbfrags.h"
#include "analyzer/sockets.h"
#include "analyzer/summary.h"
#include "cli/summary.h"

/* MEMWHERE_THREADS=N overrides the thread count (benchmarks). */
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

int mw_summary_scan(struct mw_context *ctx, const struct mw_page_observer *observers,
		    size_t nr_observers, struct mw_sockets *socks_ret,
		    struct mw_pagescan **ret)
{
	if (!ctx->kernel) {
		mw_render_fatal(ctx, ctx->kernel_error, "cannot walk the pages");
		return MW_EXIT_FAIL;
	}
	if (ctx->opt.memcg)
		mw_warn(&ctx->warnings,
			"--memcg is not applied to summary and pages yet: showing the whole machine");
	struct mw_progress progress;
	struct mw_pagescan_options opt = {
		.threads = threads_from_env(),
		.observers = observers,
		.nr_observers = nr_observers,
	};
	if (mw_progress_begin(ctx, &progress, "scanning struct pages")) {
		opt.progress = mw_progress_update;
		opt.progress_arg = &progress;
	}
	/* skb_frags: the pages socket buffers keep alive (analyzer/skbfrags.h) */
	struct mw_pfnset skb_set = { 0 };
	struct mw_page_claim skb_claim = { &skb_set, MW_PAGE_SKB_FRAGS };
	struct mw_sockets socks;
	struct mw_error *serr = mw_sockets_analyze(ctx->kernel, &ctx->warnings, &socks);
	bool have_socks = !serr;
	if (!serr)
		serr = mw_skbfrags_set(socks.pages, socks.nr_pages, &skb_set);
	if (have_socks && (serr || !socks_ret))
		mw_sockets_deinit(&socks);
	if (serr) {
		mw_warn_error(&ctx->warnings, serr,
			      "skb_frags not separated from unaccounted (socket analysis)");
	} else {
		opt.claims = &skb_claim;
		opt.nr_claims = 1;
	}
	struct mw_error *err = mw_pagescan_run(ctx->kernel, &opt, &ctx->warnings, ret);
	mw_progress_end(&progress);
	mw_pfnset_deinit(&skb_set);
	if (socks_ret) {
		if (have_socks && !serr)
			*socks_ret = socks;
		else
			memset(socks_ret, 0, sizeof(*socks_ret));
		if (err && have_socks && !serr)
			mw_sockets_deinit(socks_ret);
	}
	if (err) {
		mw_render_fatal(ctx, err, "page scan");
		mw_error_destroy(err);
		return MW_EXIT_FAIL;
	}
	return MW_EXIT_OK;
}

int mw_cmd_summary(struct mw_context *ctx)
{
	struct mw_pagescan *ps;
	int rc = mw_summary_scan(ctx, NULL, 0, NULL, &ps);
	if (rc != MW_EXIT_OK)
		return rc;
	struct mw_summary *s = malloc(sizeof(*s));
	if (!s) {
		mw_pagescan_destroy(ps);
		mw_render_fatal(ctx, &mw_error_nomem, "summary");
		return MW_EXIT_FAIL;
	}
	mw_summary_build(ps, s);
	mw_render_summary(ctx, ps, s);
	free(s);
	mw_pagescan_destroy(ps);
	return MW_EXIT_OK;
}

int mw_cmd_pages(struct mw_context *ctx)
{
	struct mw_pagescan *ps;
	int rc = mw_summary_scan(ctx, NULL, 0, NULL, &ps);
	if (rc != MW_EXIT_OK)
		return rc;
	struct mw_summary *s = malloc(sizeof(*s));
	if (!s) {
		mw_pagescan_destroy(ps);
		mw_render_fatal(ctx, &mw_error_nomem, "pages");
		return MW_EXIT_FAIL;
	}
	mw_summary_build(ps, s);
	mw_render_pages(ctx, ps, s);
	free(s);
	mw_pagescan_destroy(ps);
	return MW_EXIT_OK;
}
