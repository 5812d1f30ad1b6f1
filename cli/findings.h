/* memwhere command line: the words of findings, in one place.
 *
 * The analyzers make findings as data (analyzer/findings.h); here they get
 * their title, evidence and advice in English, and their JSON (the
 * contract's fields, then "data": the same numbers and names as fields).
 */
#ifndef MW_CLI_FINDINGS_H
#define MW_CLI_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analyzer/findings.h"

struct mw_finding_words {
	char *title;
	char *evidence;		/* "" when there is none */
	char *advice;
};
/* False when out of memory (then ret holds nothing to free). */
bool mw_finding_words(const struct mw_finding *f, struct mw_finding_words *ret);
void mw_finding_words_deinit(struct mw_finding_words *w);

struct mw_json;
/* The finding's JSON fields (id, severity, title, bytes, evidence, advice,
 * data) into an open object. */
void mw_json_finding_fields(struct mw_json *j, const struct mw_finding *f);
/* A process holding unread socket data: pid, comm, fds and its numbers. */
struct mw_sockets_holder;
void mw_json_holder_fields(struct mw_json *j, const struct mw_sockets_holder *h);
/* "findings": [...] of every finding in list. */
void mw_json_findings(struct mw_json *j, const struct mw_findings *list);
/* "findings": [...] of list's findings from result (a bit of enum
 * mw_result); none when list is NULL. */
void mw_json_findings_of(struct mw_json *j, const struct mw_findings *list, unsigned result);

/* How a command lists findings in text (each as it always has). */
enum mw_finding_style {
	MW_FINDING_BRIEF,	/* summary: title, evidence */
	MW_FINDING_FULL,	/* files, memcg: title, evidence, advice */
	MW_FINDING_ARROW,	/* report: title, evidence, "-> advice" */
	MW_FINDING_PARAGRAPH,	/* sockets: "Finding (severity): title." and a paragraph */
};
void mw_text_finding(FILE *o, const struct mw_finding *f, enum mw_finding_style style);

#endif
