/* memwhere: small helpers every text renderer uses. */
#ifndef MW_RENDER_UTIL_H
#define MW_RENDER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/format.h"

/* "512 B", "1.5 KiB", "23.4 MiB", ... (common/format.h's MW_BYTES_EXACT)
 * into buf of len bytes. */
void mw_human_bytes(uint64_t b, char *buf, size_t len);
/* 1234567 -> "1,234,567" in buf (MW_GROUPED_LEN bytes); returns buf. */
enum { MW_GROUPED_LEN = 32 };
const char *mw_grouped(uint64_t v, char *buf);
/* Compound pages by order in words: "8 order-3 (32 KiB) and 2,754
 * order-0 (4 KiB) pages", or "no pages". */
void mw_orders_words(struct mw_str *b, const uint64_t *by_order);
/* Does the locale (LC_ALL, LC_CTYPE, LANG) speak UTF-8? */
bool mw_utf8_locale(void);
/* A bar of fraction * width cells: block characters in eighths with UTF-8,
 * '#' otherwise; padded with spaces to width cells if pad. */
void mw_bar(FILE *o, double fraction, int width, bool utf8, bool pad);

/* Columns for wrapped text: $COLUMNS, else the terminal's width when stdout
 * is one, else 80; at least 40 and at most MW_TEXT_MAX_WIDTH. */
enum { MW_TEXT_MAX_WIDTH = 100 };
int mw_text_width(void);
/* Display columns of s (UTF-8: continuation bytes take none). */
size_t mw_text_cols(const char *s, size_t len);
/*
 * text word-wrapped to width columns, the first line starting at column col
 * (its prefix already printed), every further line indented by indent
 * spaces; a word longer than a line is broken after a '/', '-', '_' or ','
 * where one fits, else where the line ends: nothing is cut. Ends with a
 * newline. Returns the lines it takes; with o NULL only counts them.
 */
size_t mw_wrap(FILE *o, const char *text, size_t col, size_t indent, size_t width);
/* Every line of text (lines end with '\n') wrapped as mw_wrap does, a
 * continuation indented extra columns past the line's own leading spaces.
 * Returns the lines printed (o NULL: only counted). */
size_t mw_wrap_lines(FILE *o, const char *text, size_t extra, size_t width);

/* A paragraph written to mw_para_begin's stream, then printed by
 * mw_para_end wrapped within MW_TEXT_MAX_WIDTH columns (as mw_wrap_lines,
 * continuations extra columns in); without memory it writes to o as is. */
struct mw_para {
	char *text;
	size_t len;
	FILE *f, *o;
};
FILE *mw_para_begin(FILE *o, struct mw_para *p);
void mw_para_end(struct mw_para *p, size_t extra);

/* s in at most cols columns: whole when it fits, else its start and end
 * around a "~" (a path's both ends say most); at least 8 columns. */
void mw_put_fit(FILE *o, const char *s, size_t cols);

struct mw_dump_info;
/* "DUMP: the dump ends at N of M bytes (cut short); X MiB of RAM are
 * missing" (or the shorter text when the expected size is unknown);
 * malloc'd, NULL without memory. */
char *mw_dump_cut_text(const char *path, const struct mw_dump_info *info);

struct mw_json;
/* key: {"order": pages, ...} of the orders with pages. */
void mw_json_kv_orders(struct mw_json *j, const char *key, const uint64_t *by_order);

#endif
