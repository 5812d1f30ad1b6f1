/* memwhere: a report as a JSON tree (common/jsonparse.h), from a saved
 * `memwhere --json report` file or from a dump analysed now, so diff,
 * --html and --folded read one structure whatever its source. */
#ifndef MW_CLI_DOC_H
#define MW_CLI_DOC_H

#include "cli/cli.h"
#include "common/jsonparse.h"

/* path: a saved JSON document (its first non-blank byte is '{'), or a
 * dump, analysed for the report's results plus slab and tasks with every
 * row (--top 0). Messages go to stderr; warnings of the analysis are in
 * the document's "warnings". Returns an exit status (enum mw_exit). */
int mw_doc_load(const struct mw_options *opt, const char *path, struct mw_jv **ret);

/* The report document of an analysis already run: render (the report's
 * JSON renderer) into memory with top rows per list, then parse. */
int mw_doc_from_report(struct mw_context *ctx, const struct mw_analysis *a,
		       void (*render)(struct mw_context *, const struct mw_analysis *),
		       unsigned long top, struct mw_jv **ret);

/* The attribution tree of all RAM from a report document: categories
 * (summary.categories, adding up to RAM), then the memory cgroup each
 * page is charged to (memcg.memcgs[].charged), then the file (files) or
 * socket owner (sockets); each node's children add up to it (a rest
 * node "(other)" takes what the lists do not name). */
struct mw_attr {
	char *name;
	uint64_t bytes;
	const char *kind;	/* "ram", "category", "memcg", "file", "socket", "other" */
	struct mw_attr *v;
	size_t n, cap;
};
struct mw_attr *mw_attr_build(const struct mw_jv *doc);
void mw_attr_destroy(struct mw_attr *root);

#endif
