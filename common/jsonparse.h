/* memwhere: a small JSON reader, for documents memwhere wrote before
 * (`memwhere --json report` saved to a file) and read back by diff.
 *
 * The input is untrusted: nesting is bounded (MW_JV_MAX_DEPTH), so are the
 * input size and the number of values; every read stays inside the buffer.
 * Strings are decoded to UTF-8 bytes (they may hold NUL: use len).
 * memwhere's writer puts a byte that is not valid UTF-8 as the lone low
 * surrogate \udcXX (XX >= 80, as Python's surrogateescape), so those
 * decode to that one byte, giving back what the dump held; any other lone
 * surrogate becomes U+FFFD.
 */
#ifndef MW_JSONPARSE_H
#define MW_JSONPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum {
	MW_JV_MAX_DEPTH = 128,
	MW_JV_MAX_INPUT = 512 << 20,	/* bytes */
	MW_JV_MAX_VALUES = 16 << 20,
};

enum mw_jv_type {
	MW_JV_NULL,
	MW_JV_BOOL,
	MW_JV_NUMBER,
	MW_JV_STRING,
	MW_JV_ARRAY,
	MW_JV_OBJECT,
};

struct mw_jv {
	enum mw_jv_type type;
	bool b;			/* BOOL */
	double num;		/* NUMBER */
	bool is_uint;		/* NUMBER: a non-negative integer that fits u */
	uint64_t u;
	char *s;		/* STRING (NUL-terminated too) */
	size_t len;
	char *key;		/* the member's key, inside an OBJECT */
	struct mw_jv *v;	/* ARRAY, OBJECT: the elements or members */
	size_t n;
};

/* Parse text[0..len) as one JSON value (whitespace around it allowed). */
struct mw_error *mw_jv_parse(const char *text, size_t len, struct mw_jv **ret);
void mw_jv_destroy(struct mw_jv *v);

/* Lookups that accept NULL and the wrong type (then NULL / def). */
const struct mw_jv *mw_jv_get(const struct mw_jv *obj, const char *key);
/* obj's path of keys "a.b.c" */
const struct mw_jv *mw_jv_path(const struct mw_jv *obj, const char *path);
uint64_t mw_jv_uint(const struct mw_jv *v, uint64_t def);
const char *mw_jv_str(const struct mw_jv *v, const char *def);
size_t mw_jv_count(const struct mw_jv *v);	/* ARRAY/OBJECT size, else 0 */

#endif
