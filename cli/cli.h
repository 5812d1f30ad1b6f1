/* memwhere command line: shared between main and the commands. */
#ifndef MW_CLI_H
#define MW_CLI_H

#include <stdbool.h>
#include <stdio.h>

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
	unsigned long top;	/* 0 = all */
	bool top_given;		/* --top was on the command line */
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
};

struct mw_command {
	const char *name;
	const char *summary;
	const char *help;	/* longer text for `memwhere CMD --help` */
	int (*run)(struct mw_context *ctx);
};

int mw_cmd_info(struct mw_context *ctx);
int mw_cmd_report(struct mw_context *ctx);
int mw_cmd_report_info_only(struct mw_context *ctx);
void mw_render_info_json_fields(struct mw_context *ctx, struct mw_json *j);
void mw_render_info_text(struct mw_context *ctx);

/* output.c: the one place results are rendered */
void mw_render_info(struct mw_context *ctx);
/* Print the JSON document head: {"memwhere": {...}, and leave it open. */
struct mw_json;
void mw_render_json_begin(struct mw_context *ctx, struct mw_json *j);
/* Close the document with "warnings": [...] and }. */
void mw_render_json_end(struct mw_context *ctx, struct mw_json *j);
void mw_render_text_warnings(struct mw_context *ctx);

#endif
