#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli/escape.h"

struct escaper {
	FILE *to;		/* NULL: into buf */
	char *buf;
	size_t len, cap, need;
	unsigned char pend[4];	/* an unfinished UTF-8 sequence */
	size_t npend, want;
};

static void put(struct escaper *e, const char *s, size_t n)
{
	if (e->to) {
		fwrite(s, 1, n, e->to);
		return;
	}
	for (size_t i = 0; i < n; i++, e->need++)
		if (e->len + 1 < e->cap)
			e->buf[e->len++] = s[i];
}

static void put_escaped(struct escaper *e, unsigned char c)
{
	char t[5];
	static const char hex[] = "0123456789abcdef";
	t[0] = '\\';
	t[1] = 'x';
	t[2] = hex[c >> 4];
	t[3] = hex[c & 15];
	put(e, t, 4);
}

static void flush_pending(struct escaper *e)
{
	for (size_t i = 0; i < e->npend; i++)
		put_escaped(e, e->pend[i]);
	e->npend = e->want = 0;
}

/* A complete sequence: raw if valid and not a C1 control, else escaped. */
static void finish_sequence(struct escaper *e)
{
	const unsigned char *p = e->pend;
	uint32_t cp;
	if (e->want == 2)
		cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	else if (e->want == 3)
		cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	else
		cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
		     (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	bool ok = (e->want == 2 && cp >= 0x80) || (e->want == 3 && cp >= 0x800) ||
		  (e->want == 4 && cp >= 0x10000 && cp <= 0x10ffff);
	if (cp >= 0xd800 && cp <= 0xdfff)
		ok = false;
	if (cp >= 0x80 && cp <= 0x9f)	/* C1 controls: CSI is 0x9b */
		ok = false;
	if (ok) {
		put(e, (const char *)e->pend, e->npend);
		e->npend = e->want = 0;
	} else {
		flush_pending(e);
	}
}

static void feed(struct escaper *e, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (e->npend) {
			if ((c & 0xc0) == 0x80) {
				e->pend[e->npend++] = c;
				if (e->npend == e->want)
					finish_sequence(e);
				continue;
			}
			flush_pending(e);	/* cut short: escape it, then c afresh */
		}
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				put_escaped(e, c);
			else
				put(e, (const char *)&c, 1);
		} else if (c >= 0xc2 && c <= 0xf4) {
			e->pend[0] = c;
			e->npend = 1;
			e->want = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		} else {
			put_escaped(e, c);
		}
	}
}

static ssize_t esc_write(void *cookie, const char *buf, size_t n)
{
	feed(cookie, (const unsigned char *)buf, n);
	return (ssize_t)n;
}

static int esc_close(void *cookie)
{
	struct escaper *e = cookie;
	flush_pending(e);
	free(e);
	return 0;
}

FILE *mw_escaping_stream(FILE *to)
{
	struct escaper *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->to = to;
	cookie_io_functions_t io = { .write = esc_write, .close = esc_close };
	FILE *f = fopencookie(e, "w", io);
	if (!f)
		free(e);
	return f;
}

size_t mw_escape_text(const char *s, size_t n, char *out, size_t out_len)
{
	struct escaper e = { .buf = out, .cap = out_len };
	feed(&e, (const unsigned char *)s, n);
	flush_pending(&e);
	if (out_len)
		out[e.len] = '\0';
	return e.need;
}
