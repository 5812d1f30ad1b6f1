/* memwhere command line: shared between main and the commands. */
#ifndef MW_CLI_H
#define MW_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyzer/analysis.h"
#include "analyzer/kernel.h"
#include "common/warn.h"
#include "formats/reader.h"

enum mw_exit {
	MW_EXIT_OK = 0,
	MW_EXIT_PARTIAL = 1,	/* done, but parts could not be analysed */
	MW_EXIT_FAIL = 2,	/* bad usage, unreadable or corrupt dump */
};

struct mw_options {
	bool json;
	bool no_progress;
	const char *vmlinux;
	const char *btf;
	const char *system_map;
	const char *memcg;
	const char *level;	/* --level (log) */
	unsigned long top;	/* 0 = all */
	bool top_given;		/* --top was on the command line */
	const char *html;	/* report --html FILE */
	bool folded;		/* report --folded */
	bool no_dump_btf;	/* --no-dump-btf */
	bool full;		/* report --full: every section, not one screen */
	bool no_timing;		/* --no-timing: no timings (or thread count) in the output */
	bool force_types;	/* --force-types: debug files that fail the checks are used */
	unsigned threads;	/* --threads N: page scan threads; 0: the default */
};

struct mw_context {
	struct mw_options opt;
	const char *dump_path;
	bool live;
	struct mw_reader *reader;
	struct mw_kernel *kernel;	/* NULL if the model could not be built */
	struct mw_error *kernel_error;	/* why not */
	struct mw_warnings warnings;
	FILE *out;
	/* `report` renders each analysis as one section of its document: the
	 * renderers' mw_render_json_begin/end then open and close the section
	 * named json_section inside *json_report instead of a document, and
	 * text renderers leave the warnings to the end. */
	struct mw_json *json_report;
	const char *json_section;
	bool in_report;
	bool brief;		/* the one-screen report: sections leave out what it shows apart */
};

/* How one result is shown: text and JSON (a section of it in `report`). */
struct mw_renderer {
	void (*text)(struct mw_context *ctx, const struct mw_analysis *a);
	void (*json)(struct mw_context *ctx, const struct mw_analysis *a);
};
void mw_render(struct mw_context *ctx, const struct mw_renderer *r,
	       const struct mw_analysis *a);
extern const struct mw_renderer mw_summary_renderer;	/* output-summary.c */
extern const struct mw_renderer mw_pages_renderer;	/* output-summary.c */
extern const struct mw_renderer mw_files_renderer;	/* output-files.c */
extern const struct mw_renderer mw_memcg_renderer;	/* output-memcg.c */
extern const struct mw_renderer mw_sockets_renderer;	/* output-sockets.c */

/*
 * A command: either run (info, report), or "run the analysis for results
 * (enum mw_result bits; each but MW_RESULT_FINDINGS required), then render".
 */
struct mw_command {
	const char *name;
	const char *summary;
	const char *help;	/* longer text for `memwhere CMD --help` */
	int (*run)(struct mw_context *ctx);
	unsigned results;
	const char *no_kernel;	/* what cannot be done without a kernel model */
	const struct mw_renderer *render;
};
/* The second kind of command (commands.c). */
int mw_run_command(struct mw_context *ctx, const struct mw_command *cmd);

/*
 * Run the analysis (analyzer/analysis.h) for want, required of them
 * (enum mw_result bits), with --memcg's path memcg (or NULL). On failure
 * the reason is printed (no_kernel when there is no kernel model) and
 * MW_EXIT_FAIL returned; on success deinit ret after rendering.
 */
struct mw_analysis;
int mw_run_analysis(struct mw_context *ctx, unsigned want, unsigned required,
		    const char *memcg, const char *no_kernel, struct mw_analysis *ret);

int mw_cmd_info(struct mw_context *ctx);
int mw_cmd_report(struct mw_context *ctx);
int mw_cmd_report_info_only(struct mw_context *ctx);
void mw_render_info_json_fields(struct mw_context *ctx, struct mw_json *j);
void mw_render_info_text(struct mw_context *ctx);
/* The dump in two lines (the one-screen report), RAM as the page scan found it. */
void mw_render_info_brief(struct mw_context *ctx, FILE *o, uint64_t ram_bytes);
/* The one-screen report (output-brief.c). */
void mw_render_brief(struct mw_context *ctx, const struct mw_analysis *a);
/* summary's table of categories, WHERE SIZE % and a bar (output-summary.c). */
void mw_summary_table_text(FILE *o, const struct mw_analysis *a);

/* output.c: the one place results are rendered */
void mw_render_info(struct mw_context *ctx);
/* Print the JSON document head: {"memwhere": {...}, and leave it open. */
struct mw_json;
void mw_render_json_begin(struct mw_context *ctx, struct mw_json *j);
/* Close the document with "warnings": [...] and }. */
void mw_render_json_end(struct mw_context *ctx, struct mw_json *j);
void mw_render_text_warnings(struct mw_context *ctx);
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
