/* memwhere command line: files (page cache and shared memory by file). */
#ifndef MW_CLI_FILES_H
#define MW_CLI_FILES_H

#include "analyzer/files.h"
#include "analyzer/memcg.h"
#include "cli/cli.h"

int mw_cmd_files(struct mw_context *ctx);

/*
 * output-files.c: the ranked files, then the by-directory list, text or
 * JSON. t (NULL if the memcg tree could not be read) names the memcgs;
 * filter is the --memcg path (NULL: the whole machine).
 */
void mw_render_files(struct mw_context *ctx, const struct mw_files *f,
		     const struct mw_memcg_tree *t, const char *filter);

#endif
