/* memwhere command line: reserved memory by purpose and offline (balloon)
 * pages, inside the summary (output-reserved.c). */
#ifndef MW_CLI_RESERVED_H
#define MW_CLI_RESERVED_H

#include <stdio.h>

#include "analyzer/reserved.h"
#include "common/json.h"

/* The text block under the summary's table. */
void mw_reserved_text(FILE *o, const struct mw_reserved *r);
/* "reserved": {...}, "offline": {...} members of the summary's object. */
void mw_reserved_json(struct mw_json *j, const struct mw_reserved *r);

#endif
