#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analyzer/skb.h"
#include "cli/dump-open.h"
#include "cli/render-util.h"
#include "common/json.h"
#include "formats/reader.h"

void mw_human_bytes(uint64_t b, char *buf, size_t len)
{
	char tmp[MW_BYTES_LEN];
	snprintf(buf, len, "%s", mw_bytes(b, MW_BYTES_EXACT, tmp));
}

const char *mw_grouped(uint64_t v, char *buf)
{
	char tmp[MW_GROUPED_LEN];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n; i++) {	/* 20 digits and 6 commas fit */
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

void mw_orders_words(struct mw_str *b, const uint64_t *by_order)
{
	int parts = 0, total = 0;
	uint64_t pages = 0;
	char g[MW_GROUPED_LEN];
	for (int i = 0; i < MW_SKB_ORDERS; i++) {
		pages += by_order[i];
		total += by_order[i] != 0;
	}
	if (!total) {
		mw_str_printf(b, "no pages");
		return;
	}
	for (int i = MW_SKB_ORDERS - 1; i >= 0; i--) {
		if (!by_order[i])
			continue;
		uint64_t kib = 4ULL << i;
		mw_str_printf(b, "%s%s order-%d (%" PRIu64 " %s)",
			      parts == 0 ? "" : parts == total - 1 ? " and " : ", ",
			      mw_grouped(by_order[i], g), i, kib >= 1024 ? kib / 1024 : kib,
			      kib >= 1024 ? "MiB" : "KiB");
		parts++;
	}
	mw_str_printf(b, " page%s", pages == 1 ? "" : "s");
}

void mw_json_kv_orders(struct mw_json *j, const char *key, const uint64_t *by_order)
{
	mw_json_key(j, key);
	mw_json_object_begin(j);
	for (int i = 0; i < MW_SKB_ORDERS; i++) {
		if (!by_order[i])
			continue;
		char k[16];
		snprintf(k, sizeof(k), "%d", i);
		mw_json_kv_uint(j, k, by_order[i]);
	}
	mw_json_object_end(j);
}

bool mw_utf8_locale(void)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
	}
	return false;
}

void mw_bar(FILE *o, double fraction, int width, bool utf8, bool pad)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e", "\u258d",
		"\u258c", "\u258b", "\u258a", "\u2589" };
	if (fraction < 0 || fraction != fraction)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	int units = (int)(fraction * width * 8 + 0.5), cells = 0;
	if (!utf8) {
		for (; cells < (units + 4) / 8; cells++)
			fputc('#', o);
	} else {
		for (; cells < units / 8; cells++)
			fputs("\u2588", o);
		if (units % 8) {
			fputs(eighths[units % 8], o);
			cells++;
		}
	}
	for (; pad && cells < width; cells++)
		fputc(' ', o);
}

char *mw_dump_cut_text(const char *path, const struct mw_dump_info *info)
{
	char *t = mw_dump_split_text(path, info), size[32];
	if (t)
		return t;
	uint64_t pages = info->cut_pages ? info->cut_pages : info->excluded_pages;
	mw_human_bytes(pages * info->page_size, size, sizeof(size));
	int n;
	if (info->cut_in_record)
		n = asprintf(&t, "%s: the dump ends at %" PRIu64 " bytes, inside a record that runs to "
			     "%" PRIu64 " (cut short); %" PRIu64 " pages (%s) of RAM are missing", path,
			     info->file_size, info->expected_size, pages, size);
	else if (info->expected_size > info->file_size)
		n = asprintf(&t, "%s: the dump ends at %" PRIu64 " of %" PRIu64 " bytes (cut short); "
			     "%" PRIu64 " pages (%s) of RAM are missing", path, info->file_size,
			     info->expected_size, pages, size);
	else
		n = asprintf(&t, "%s: the dump is incomplete (cut short); %" PRIu64
			     " pages (%s) of RAM are missing", path, pages, size);
	return n < 0 ? NULL : t;
}

int mw_text_width(void)
{
	long w = 0;
	const char *c = getenv("COLUMNS");
	if (c && *c) {
		char *end;
		w = strtol(c, &end, 10);
		if (*end)
			w = 0;
	}
	struct winsize ws;
	if (w <= 0 && isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		w = ws.ws_col;
	if (w <= 0)
		w = 80;
	if (w < 40)
		w = 40;
	return w > MW_TEXT_MAX_WIDTH ? MW_TEXT_MAX_WIDTH : (int)w;
}

size_t mw_text_cols(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Bytes of s (len bytes) that fit in cols columns, at least one character. */
static size_t fit_bytes(const char *s, size_t len, size_t cols)
{
	size_t i = 0, c = 0;
	while (i < len) {
		size_t j = i + 1;
		while (j < len && ((unsigned char)s[j] & 0xc0) == 0x80)
			j++;
		if (c + 1 > cols && i > 0)
			break;
		c++;
		i = j;
	}
	return i;
}

static void spaces(FILE *o, size_t n)
{
	while (o && n--)
		fputc(' ', o);
}

size_t mw_wrap(FILE *o, const char *text, size_t col, size_t indent, size_t width)
{
	size_t lines = 1;
	bool line_has_word = false;
	if (indent + 10 > width)
		width = indent + 10;
	const char *p = text;
	while (*p) {
		size_t gap = strspn(p, " ");	/* kept between words on one line */
		p += gap;
		if (!*p)
			break;
		size_t wlen = strcspn(p, " ");
		size_t cols = mw_text_cols(p, wlen);
		if (!line_has_word)
			gap = 0;
		if (col + gap + cols > width && line_has_word) {
			if (o)
				fputc('\n', o);
			lines++;
			spaces(o, indent);
			col = indent;
			line_has_word = false;
			gap = 0;
		}
		spaces(o, gap);
		col += gap;
		/* a word longer than what is left of a fresh line: break it */
		while (col + cols > width) {
			if (col >= width) {
				if (o)
					fputc('\n', o);
				lines++;
				spaces(o, indent);
				col = indent;
				continue;
			}
			size_t room = width - col;
			size_t fit = fit_bytes(p, wlen, room);
			size_t brk = 0;
			for (size_t k = fit; k > fit / 2 && k > 0; k--)
				if (strchr("/-_,.", p[k - 1])) {
					brk = k;
					break;
				}
			if (!brk)
				brk = fit;
			if (o)
				fwrite(p, 1, brk, o);
			if (o)
				fputc('\n', o);
			lines++;
			spaces(o, indent);
			col = indent;
			p += brk;
			wlen -= brk;
			cols = mw_text_cols(p, wlen);
		}
		if (o)
			fwrite(p, 1, wlen, o);
		col += cols;
		p += wlen;
		line_has_word = true;
	}
	if (o)
		fputc('\n', o);
	return lines;
}

size_t mw_wrap_lines(FILE *o, const char *text, size_t extra, size_t width)
{
	size_t lines = 0;
	const char *p = text;
	while (*p) {
		size_t len = strcspn(p, "\n");
		size_t lead = strspn(p, " ");
		if (lead > len)
			lead = len;
		char *line = strndup(p + lead, len - lead);
		spaces(o, lead);
		if (line) {
			lines += mw_wrap(o, line, lead, lead + extra, width);
			free(line);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	return lines;
}

void mw_put_fit(FILE *o, const char *s, size_t cols)
{
	size_t len = strlen(s), have = mw_text_cols(s, len);
	if (cols < 8)
		cols = 8;
	if (have <= cols) {
		fputs(s, o);
		return;
	}
	/* a path's last component whole when it leaves 3 columns for the
	 * start; else a third of the room for the start, the rest for the end */
	size_t head = (cols - 1) / 3, tail = cols - 1 - head;
	const char *slash = strrchr(s, '/');
	if (slash && slash > s) {
		size_t last = mw_text_cols(slash, strlen(slash));
		if (last + 4 <= cols && last > tail) {
			tail = last;
			head = cols - 1 - tail;
		}
	}
	size_t hb = fit_bytes(s, len, head);
	size_t tb = len, tc = 0;	/* the last tail columns, whole characters */
	while (tb > hb && tc < tail) {
		tb--;
		while (tb > hb && ((unsigned char)s[tb] & 0xc0) == 0x80)
			tb--;
		tc++;
	}
	fwrite(s, 1, hb, o);
	fputc('~', o);
	fputs(s + tb, o);
}

FILE *mw_para_begin(FILE *o, struct mw_para *p)
{
	p->text = NULL;
	p->len = 0;
	p->o = o;
	p->f = open_memstream(&p->text, &p->len);
	return p->f ? p->f : o;
}

void mw_para_end(struct mw_para *p, size_t extra)
{
	if (!p->f)
		return;
	fclose(p->f);
	p->f = NULL;
	if (p->text)
		mw_wrap_lines(p->o, p->text, extra, MW_TEXT_MAX_WIDTH);
	free(p->text);
	p->text = NULL;
}
