/* Fuzz the JSON reader (common/jsonparse.c) that diff uses on saved
 * reports: any input ends in a tree or an error, never a crash, and every
 * string of the tree lies within its bound. */
#include "config.h"

#include <stdlib.h>

#include "common/jsonparse.h"
#include "fuzz/fuzz.h"

static size_t walk(const struct mw_jv *v, size_t size)
{
	size_t n = 1;
	if (v->type == MW_JV_STRING && (!v->s || v->len > size))
		abort();
	for (size_t i = 0; i < v->n; i++)
		n += walk(&v->v[i], size);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mw_jv *v = NULL;
	struct mw_error *err = mw_jv_parse((const char *)data, size, &v);
	if (err) {
		if (v)
			abort();
		mw_error_destroy(err);
		return 0;
	}
	if (walk(v, size) > size)
		abort();	/* every value takes at least one byte */
	mw_jv_destroy(v);
	return 0;
}
