/* memwhere: one streaming JSON writer.
 *
 * Values are written as they come; the writer tracks nesting and commas.
 * Strings may hold any byte a dump can contain: control characters and
 * invalid UTF-8 are escaped (invalid bytes become \u00XX of the byte, so
 * the output is always valid JSON and loses nothing printable).
 */
#ifndef MW_JSON_H
#define MW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Deeper values are dropped (written as null) so the output stays valid. */
enum { MW_JSON_MAX_DEPTH = 64 };

struct mw_json {
	FILE *out;
	bool pretty;
	int depth;
	bool overflow;			/* nesting went past MAX_DEPTH */
	bool first[MW_JSON_MAX_DEPTH];	/* no element yet at this depth */
	bool after_key;
	int skip;			/* values inside a dropped too-deep value */
};

void mw_json_init(struct mw_json *j, FILE *out, bool pretty);
void mw_json_object_begin(struct mw_json *j);
void mw_json_object_end(struct mw_json *j);
void mw_json_array_begin(struct mw_json *j);
void mw_json_array_end(struct mw_json *j);
void mw_json_key(struct mw_json *j, const char *key);
void mw_json_string(struct mw_json *j, const char *s);
void mw_json_string_n(struct mw_json *j, const char *s, size_t len);
void mw_json_int(struct mw_json *j, int64_t v);
void mw_json_uint(struct mw_json *j, uint64_t v);
void mw_json_double(struct mw_json *j, double v);
void mw_json_bool(struct mw_json *j, bool v);
void mw_json_null(struct mw_json *j);
/* An address: the string "0x..." (lower-case hex). */
void mw_json_addr(struct mw_json *j, uint64_t v);

/* key + value shorthands */
void mw_json_kv_string(struct mw_json *j, const char *key, const char *s);
void mw_json_kv_uint(struct mw_json *j, const char *key, uint64_t v);
void mw_json_kv_int(struct mw_json *j, const char *key, int64_t v);
void mw_json_kv_bool(struct mw_json *j, const char *key, bool v);
void mw_json_kv_addr(struct mw_json *j, const char *key, uint64_t v);
/* The same, but null when the value is not known (s NULL, known false). */
void mw_json_kv_string_or_null(struct mw_json *j, const char *key, const char *s);
void mw_json_kv_uint_or_null(struct mw_json *j, const char *key, bool known, uint64_t v);
void mw_json_kv_int_or_null(struct mw_json *j, const char *key, bool known, int64_t v);
/* Finish the document (newline); returns false if nesting was unbalanced. */
bool mw_json_finish(struct mw_json *j);

#endif
