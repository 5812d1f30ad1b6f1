/* memwhere command line: summary and pages (the page walker). */
#ifndef MW_CLI_SUMMARY_H
#define MW_CLI_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/summary.h"
#include "cli/cli.h"

int mw_cmd_summary(struct mw_context *ctx);
int mw_cmd_pages(struct mw_context *ctx);
/*
 * The one page scan: sockets first (their frag pages become skb_frags),
 * then every struct page with the given observers. With socks_ret the
 * socket analysis is kept for the caller (zeroed if it failed). Renders a
 * fatal error itself and returns MW_EXIT_FAIL if nothing could be scanned.
 */
struct mw_sockets;
int mw_summary_scan(struct mw_context *ctx, const struct mw_page_observer *observers,
		    size_t nr_observers, struct mw_sockets *socks_ret,
		    struct mw_pagescan **ret);

/* output-summary.c */
void mw_render_summary(struct mw_context *ctx, const struct mw_pagescan *ps,
		       const struct mw_summary *s);
void mw_render_pages(struct mw_context *ctx, const struct mw_pagescan *ps,
		     const struct mw_summary *s);
/* "memwhere: <context>: <error>" on stderr (err may be NULL). */
void mw_render_fatal(struct mw_context *ctx, const struct mw_error *err,
		     const char *context);

/* A progress line on stderr, only on a terminal and without --no-progress. */
struct mw_progress {
	bool on;
	bool shown;
	const char *what;
	int last;
};
bool mw_progress_begin(struct mw_context *ctx, struct mw_progress *p,
		       const char *what);
void mw_progress_update(void *arg, uint64_t done, uint64_t total);
void mw_progress_end(struct mw_progress *p);

#endif
