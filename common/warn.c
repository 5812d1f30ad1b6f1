#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/warn.h"

void mw_warnings_init(struct mw_warnings *w)
{
	w->kept = 0;
	w->dropped = 0;
}

void mw_warnings_deinit(struct mw_warnings *w)
{
	for (size_t i = 0; i < w->kept; i++)
		free(w->text[i]);
	w->kept = 0;
	w->dropped = 0;
}

void mw_warn(struct mw_warnings *w, const char *fmt, ...)
{
	if (w->kept >= MW_WARN_KEEP) {
		w->dropped++;
		return;
	}
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		w->dropped++;
		return;
	}
	w->text[w->kept++] = s;
}

void mw_warn_error(struct mw_warnings *w, struct mw_error *err,
		   const char *context)
{
	if (!err)
		return;
	char *s = mw_error_string(err);
	if (context)
		mw_warn(w, "%s: %s", context, s ? s : err->message);
	else
		mw_warn(w, "%s", s ? s : err->message);
	free(s);
	mw_error_destroy(err);
}

size_t mw_warnings_count(const struct mw_warnings *w)
{
	return w->kept + w->dropped;
}
