#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/warn.h"

void mw_warnings_init(struct mw_warnings *w)
{
	w->kept = 0;
	w->dropped = 0;
	w->group_needle = NULL;
	w->group_prefix = NULL;
	w->group_end = 0;
}

void mw_warnings_deinit(struct mw_warnings *w)
{
	for (size_t i = 0; i < w->kept; i++) {
		if (w->first[i] != w->text[i])
			free(w->first[i]);
		free(w->text[i]);
	}
	w->kept = 0;
	w->dropped = 0;
	w->group_end = 0;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Skip one number at s ("0x" and hex digits, or decimal digits); s itself
 * if there is none. */
static const char *skip_number(const char *s)
{
	if (s[0] == '0' && s[1] == 'x' && is_hex(s[2])) {
		s += 2;
		while (is_hex(*s))
			s++;
		return s;
	}
	while (*s >= '0' && *s <= '9')
		s++;
	return s;
}

/* Are a and b the same text but for their numbers? */
static bool same_shape(const char *a, const char *b, bool loose)
{
	while (*a && *b) {
		/* loose: a name in parentheses is a number too */
		const char *ca = loose && *a == '(' ? strchr(a, ')') : NULL;
		const char *cb = loose && *b == '(' ? strchr(b, ')') : NULL;
		if (ca && cb) {
			a = ca + 1;
			b = cb + 1;
			continue;
		}
		const char *na = skip_number(a), *nb = skip_number(b);
		if ((na == a) != (nb == b))
			return false;
		if (na != a) {
			a = na;
			b = nb;
			continue;
		}
		if (*a != *b)
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

static void count_repeat(struct mw_warnings *w, size_t i)
{
	char *t;
	if (asprintf(&t, "%s (and %zu more like it)", w->first[i], w->repeats[i] + 1) < 0)
		return;	/* keep the old count */
	w->repeats[i]++;
	if (w->text[i] != w->first[i])
		free(w->text[i]);
	w->text[i] = t;
}

/* Move kept warning i to index to (to <= i), the ones between down by one. */
static void move_to(struct mw_warnings *w, size_t i, size_t to)
{
	if (to >= i || i >= w->kept)
		return;
	char *text = w->text[i], *first = w->first[i];
	size_t repeats = w->repeats[i];
	size_t n = i - to;
	memmove(&w->text[to + 1], &w->text[to], n * sizeof(w->text[0]));
	memmove(&w->first[to + 1], &w->first[to], n * sizeof(w->first[0]));
	memmove(&w->repeats[to + 1], &w->repeats[to], n * sizeof(w->repeats[0]));
	w->text[to] = text;
	w->first[to] = first;
	w->repeats[to] = repeats;
}

void mw_warn(struct mw_warnings *w, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		w->dropped++;
		return;
	}
	bool effect = w->group_needle && w->group_end && strstr(s, w->group_needle);
	if (effect) {
		char *t;
		if (asprintf(&t, "%s%s", w->group_prefix, s) < 0) {
			free(s);
			w->dropped++;
			return;
		}
		free(s);
		s = t;
	}
	for (size_t i = 0; i < w->kept; i++) {
		/* the effects of one cause: the same read on another task or
		 * cgroup named in parentheses is one more like it */
		bool loose = effect && i > 0 && i < w->group_end;
		if (same_shape(w->first[i], s, loose)) {
			free(s);
			count_repeat(w, i);
			return;
		}
	}
	if (w->kept >= MW_WARN_KEEP) {
		free(s);
		w->dropped++;
		return;
	}
	w->first[w->kept] = s;
	w->repeats[w->kept] = 0;
	w->text[w->kept++] = s;
	if (effect)
		move_to(w, w->kept - 1, w->group_end++);
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
	size_t n = w->kept + w->dropped;
	for (size_t i = 0; i < w->kept; i++)
		n += w->repeats[i];
	return n;
}

void mw_warnings_move_first(struct mw_warnings *w, size_t i)
{
	move_to(w, i, 0);
}

void mw_warnings_group_under_first(struct mw_warnings *w, const char *needle,
				   const char *prefix)
{
	if (!w->kept || !needle || !prefix)
		return;
	w->group_needle = needle;
	w->group_prefix = prefix;
	w->group_end = 1;
	for (size_t i = 1; i < w->kept; i++) {
		if (!strstr(w->first[i], needle))
			continue;
		char *first, *text = NULL;
		if (asprintf(&first, "%s%s", prefix, w->first[i]) < 0)
			continue;
		if (w->repeats[i] &&
		    asprintf(&text, "%s (and %zu more like it)", first, w->repeats[i]) < 0) {
			free(first);
			continue;
		}
		if (w->text[i] != w->first[i])
			free(w->text[i]);
		free(w->first[i]);
		w->first[i] = first;
		w->text[i] = text ? text : first;
		/* one more like an effect already in the group? */
		size_t j = 1;
		while (j < w->group_end && !same_shape(w->first[j], first, true))
			j++;
		if (j == w->group_end) {
			move_to(w, i, w->group_end++);
			continue;
		}
		size_t more = w->repeats[i] + 1;
		if (w->text[i] != w->first[i])
			free(w->text[i]);
		free(w->first[i]);
		memmove(&w->text[i], &w->text[i + 1], (w->kept - i - 1) * sizeof(w->text[0]));
		memmove(&w->first[i], &w->first[i + 1], (w->kept - i - 1) * sizeof(w->first[0]));
		memmove(&w->repeats[i], &w->repeats[i + 1], (w->kept - i - 1) * sizeof(w->repeats[0]));
		w->kept--;
		i--;
		w->repeats[j] += more - 1;
		count_repeat(w, j);
	}
}
