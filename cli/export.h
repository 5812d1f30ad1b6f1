/* memwhere report --html FILE and --folded: the report as a page and as
 * folded stacks, both from the report's JSON document (cli/doc.h). */
#ifndef MW_CLI_EXPORT_H
#define MW_CLI_EXPORT_H

#include <stdio.h>

#include "cli/cli.h"
#include "cli/doc.h"

/* For `report`: when --html or --folded was given, render the report
 * document with render and write the page / the stacks. *done is set when
 * the usual output is replaced (--folded). Returns an exit status. */
int mw_report_export(struct mw_context *ctx, const struct mw_analysis *a,
		     void (*render)(struct mw_context *, const struct mw_analysis *),
		     bool *done);

void mw_folded_write(FILE *o, const struct mw_attr *root);	/* folded.c */
/* html.c: the page, from the document and its tree; false on write error */
bool mw_html_write(FILE *o, const struct mw_jv *doc, const struct mw_attr *root);

int mw_cmd_diff(const struct mw_options *opt, int npos, char **pos);	/* diff.c */

#endif
