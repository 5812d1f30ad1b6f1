/* memwhere: warnings gathered during a run (partial results, bad data). */
#ifndef MW_WARN_H
#define MW_WARN_H

#include <stddef.h>

#include "common/error.h"

enum { MW_WARN_KEEP = 200 };	/* keep the first N texts, count the rest */

struct mw_warnings {
	char *text[MW_WARN_KEEP];
	size_t kept;
	size_t dropped;
};

void mw_warnings_init(struct mw_warnings *w);
void mw_warnings_deinit(struct mw_warnings *w);
void mw_warn(struct mw_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record err as a warning (with context) and destroy it. */
void mw_warn_error(struct mw_warnings *w, struct mw_error *err,
		   const char *context);
size_t mw_warnings_count(const struct mw_warnings *w);

#endif
