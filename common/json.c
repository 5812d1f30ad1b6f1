#include "config.h"
#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void mw_json_init(struct mw_json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->pretty = pretty;
	j->depth = 0;
	j->overflow = false;
	j->first[0] = true;
	j->after_key = false;
	j->skip = 0;
}

static void indent(struct mw_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/* Separator before a value or a key. */
static void before_value(struct mw_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (j->depth > 0)
		indent(j);
}

static void open(struct mw_json *j, char c)
{
	if (j->skip || j->depth >= MW_JSON_MAX_DEPTH - 1) {
		/* too deep: drop this value entirely, keep the output valid */
		if (!j->skip && j->after_key) {
			j->after_key = false;
			fputs("null", j->out);
		}
		j->skip++;
		j->overflow = true;
		return;
	}
	if (j->skip)
		return;
	before_value(j);
	fputc(c, j->out);
	j->depth++;
	j->first[j->depth] = true;
}

static void close(struct mw_json *j, char c)
{
	if (j->skip) {
		j->skip--;
		return;
	}
	if (j->depth <= 0) {
		j->overflow = true;
		return;
	}
	bool empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->out);
}

void mw_json_object_begin(struct mw_json *j) { open(j, '{'); }
void mw_json_object_end(struct mw_json *j) { close(j, '}'); }
void mw_json_array_begin(struct mw_json *j) { open(j, '['); }
void mw_json_array_end(struct mw_json *j) { close(j, ']'); }

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void write_string(FILE *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', out);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		switch (c) {
		case '"': fputs("\\\"", out); i++; continue;
		case '\\': fputs("\\\\", out); i++; continue;
		case '\n': fputs("\\n", out); i++; continue;
		case '\r': fputs("\\r", out); i++; continue;
		case '\t': fputs("\\t", out); i++; continue;
		case '\b': fputs("\\b", out); i++; continue;
		case '\f': fputs("\\f", out); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		if (len == 0) {
			/* not UTF-8: the byte as a lone low surrogate U+DC80..U+DCFF
			 * (Python's surrogateescape), which no valid text gives, so
			 * the name stays unambiguous and its bytes recoverable */
			fprintf(out, "\\udc%02x", c);
			i++;
			continue;
		}
		fwrite(s + i, 1, len, out);
		i += len;
	}
	fputc('"', out);
}

void mw_json_key(struct mw_json *j, const char *key)
{
	if (j->skip)
		return;
	before_value(j);
	write_string(j->out, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->out);
	j->after_key = true;
}

void mw_json_string_n(struct mw_json *j, const char *s, size_t len)
{
	if (j->skip)
		return;
	before_value(j);
	write_string(j->out, s, len);
}

void mw_json_string(struct mw_json *j, const char *s)
{
	if (!s) {
		mw_json_null(j);
		return;
	}
	mw_json_string_n(j, s, strlen(s));
}

void mw_json_int(struct mw_json *j, int64_t v)
{
	if (j->skip)
		return;
	before_value(j);
	fprintf(j->out, "%" PRId64, v);
}

void mw_json_uint(struct mw_json *j, uint64_t v)
{
	if (j->skip)
		return;
	before_value(j);
	fprintf(j->out, "%" PRIu64, v);
}

void mw_json_double(struct mw_json *j, double v)
{
	if (j->skip)
		return;
	before_value(j);
	if (isfinite(v))
		fprintf(j->out, "%.6g", v);
	else
		fputs("null", j->out);
}

void mw_json_bool(struct mw_json *j, bool v)
{
	if (j->skip)
		return;
	before_value(j);
	fputs(v ? "true" : "false", j->out);
}

void mw_json_null(struct mw_json *j)
{
	if (j->skip)
		return;
	before_value(j);
	fputs("null", j->out);
}

void mw_json_addr(struct mw_json *j, uint64_t v)
{
	if (j->skip)
		return;
	before_value(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void mw_json_kv_string(struct mw_json *j, const char *key, const char *s)
{
	mw_json_key(j, key);
	mw_json_string(j, s);
}

void mw_json_kv_uint(struct mw_json *j, const char *key, uint64_t v)
{
	mw_json_key(j, key);
	mw_json_uint(j, v);
}

void mw_json_kv_string_or_null(struct mw_json *j, const char *key, const char *s)
{
	mw_json_key(j, key);
	if (s)
		mw_json_string(j, s);
	else
		mw_json_null(j);
}

void mw_json_kv_uint_or_null(struct mw_json *j, const char *key, bool known, uint64_t v)
{
	mw_json_key(j, key);
	if (known)
		mw_json_uint(j, v);
	else
		mw_json_null(j);
}

void mw_json_kv_int_or_null(struct mw_json *j, const char *key, bool known, int64_t v)
{
	mw_json_key(j, key);
	if (known)
		mw_json_int(j, v);
	else
		mw_json_null(j);
}

void mw_json_kv_int(struct mw_json *j, const char *key, int64_t v)
{
	mw_json_key(j, key);
	mw_json_int(j, v);
}

void mw_json_kv_bool(struct mw_json *j, const char *key, bool v)
{
	mw_json_key(j, key);
	mw_json_bool(j, v);
}

void mw_json_kv_addr(struct mw_json *j, const char *key, uint64_t v)
{
	mw_json_key(j, key);
	mw_json_addr(j, v);
}

bool mw_json_finish(struct mw_json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
	return j->depth == 0 && !j->overflow;
}
