/* memwhere: warnings gathered during a run (partial results, bad data). */
#ifndef MW_WARN_H
#define MW_WARN_H

#include <stddef.h>

#include "common/error.h"

enum { MW_WARN_KEEP = 200 };	/* keep the first N texts, count the rest */

/*
 * One cause, one warning: a warning that differs from a kept one only in its
 * numbers (addresses, PFNs, counts, inode numbers) is counted on that one,
 * whose text then ends "(and N more like it)".
 */
struct mw_warnings {
	char *text[MW_WARN_KEEP];
	char *first[MW_WARN_KEEP];	/* text[i] as first said, before the count */
	size_t repeats[MW_WARN_KEEP];	/* more warnings like text[i] */
	size_t kept;
	size_t dropped;
	/* mw_warnings_group_under_first: effects text[1..group_end-1] */
	const char *group_needle, *group_prefix;
	size_t group_end;
};

void mw_warnings_init(struct mw_warnings *w);
void mw_warnings_deinit(struct mw_warnings *w);
void mw_warn(struct mw_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record err as a warning (with context) and destroy it. */
void mw_warn_error(struct mw_warnings *w, struct mw_error *err,
		   const char *context);
/* Put kept warning i first: the cause that explains the ones before it. */
void mw_warnings_move_first(struct mw_warnings *w, size_t i);
/*
 * The warning kept first is the cause of every warning, said before or
 * after, whose text contains needle: those are put right after it, in the
 * order said, each prefixed by prefix; effects that differ only in numbers
 * and in names in parentheses ("pid 22 (kthreadd)") are counted as one.
 * needle and prefix must outlive w.
 */
void mw_warnings_group_under_first(struct mw_warnings *w, const char *needle,
				   const char *prefix);
/* Every warning said, the repeated ones included. */
size_t mw_warnings_count(const struct mw_warnings *w);

#endif
