/* memwhere: text formatting helpers. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"

void mw_str_printf(struct mw_str *b, const char *fmt, ...)
{
	va_list ap;
	if (b->nomem)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->nomem = true;
		return;
	}
	if (b->s && (size_t)n < b->cap - b->len) {
		b->len += (size_t)n;
		return;
	}
	size_t cap = b->cap ? b->cap : 64;
	while (cap <= b->len + (size_t)n)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->nomem = true;
		return;
	}
	if (!b->s)
		s[0] = '\0';
	b->s = s;
	b->cap = cap;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *mw_str_take(struct mw_str *b)
{
	char *s = b->nomem ? NULL : b->s ? b->s : strdup("");
	if (b->nomem)
		free(b->s);
	memset(b, 0, sizeof(*b));
	return s;
}

void mw_str_deinit(struct mw_str *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

const char *mw_bytes(uint64_t b, enum mw_bytes_style style, char *buf)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	if (style == MW_BYTES_ROUNDED) {
		if (b >= (1ULL << 30))
			snprintf(buf, MW_BYTES_LEN, "%.1f GiB", (double)b / (1 << 30));
		else if (b >= (1ULL << 20))
			snprintf(buf, MW_BYTES_LEN, "%.1f MiB", (double)b / (1 << 20));
		else
			snprintf(buf, MW_BYTES_LEN, "%.0f KiB", (double)b / 1024);
		return buf;
	}
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024.0 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, MW_BYTES_LEN, "%" PRIu64 " B", b);
	else if (v >= 999.95 && u + 1 < sizeof(unit) / sizeof(unit[0]))
		/* 1000 to 1023 of a unit: no decimal, as wide as "999.9 KiB"
		 * at most (tables give sizes 9 columns) */
		snprintf(buf, MW_BYTES_LEN, "%.0f %s", v, unit[u]);
	else
		snprintf(buf, MW_BYTES_LEN, "%.1f %s", v, unit[u]);
	return buf;
}
