/* The JSON reader (common/jsonparse.c): values and escapes as RFC 8259
 * defines them, the writer's documents read back, hostile input refused. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/jsonparse.h"
#include "tests/tap.h"

static struct mw_jv *parse(const char *s)
{
	struct mw_jv *v = NULL;
	struct mw_error *err = mw_jv_parse(s, strlen(s), &v);
	mw_error_destroy(err);
	return v;
}

static void refused(const char *s, const char *what)
{
	struct mw_jv *v = parse(s);
	tap_ok(v == NULL, "refused: %s", what);
	mw_jv_destroy(v);
}

int main(void)
{
	struct mw_jv *v = parse(" {\"a\": 1, \"b\": [true, false, null, -2.5e1, \"x\"],"
				" \"c\": {\"d\": 18446744073709551615}, \"e\": 18446744073709551616} ");
	tap_ok(v && v->type == MW_JV_OBJECT && v->n == 4, "an object of four members");
	tap_ok(mw_jv_uint(mw_jv_get(v, "a"), 0) == 1, "a = 1");
	const struct mw_jv *b = mw_jv_get(v, "b");
	tap_ok(mw_jv_count(b) == 5 && b->v[0].type == MW_JV_BOOL && b->v[0].b &&
	       !b->v[1].b && b->v[2].type == MW_JV_NULL, "true, false, null");
	tap_ok(b && b->v[3].type == MW_JV_NUMBER && b->v[3].num == -25.0 && !b->v[3].is_uint,
	       "-2.5e1 is -25, not an unsigned");
	tap_ok(mw_jv_uint(mw_jv_path(v, "c.d"), 0) == UINT64_MAX, "2^64-1 exact");
	const struct mw_jv *e = mw_jv_get(v, "e");
	tap_ok(e && !e->is_uint && e->num > 1.8e19, "2^64 is a number, not an unsigned");
	tap_ok(mw_jv_get(v, "zz") == NULL && mw_jv_uint(NULL, 7) == 7, "missing key: default");
	mw_jv_destroy(v);

	v = parse("\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\u20ac \\ud83d\\ude00 \\udc00 \\udcff \\u0001\"");
	const char want[] = "q\" \\ / \b\f\n\r\t \xc3\xa9\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd \xff \x01";
	tap_ok(v && v->type == MW_JV_STRING && v->len == sizeof(want) - 1 &&
	       memcmp(v->s, want, v->len) == 0,
	       "escapes: U+00E9, U+20AC, a surrogate pair, lone \\udc00 U+FFFD, \\udcff the raw byte 0xff (the writer's)");
	mw_jv_destroy(v);
	v = parse("\"a\\u0000b\"");
	tap_ok(v && v->len == 3 && v->s[1] == 0, "\\u0000 kept, len 3");
	mw_jv_destroy(v);

	/* the writer's output reads back */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mw_json j;
	mw_json_init(&j, f, true);
	mw_json_object_begin(&j);
	mw_json_kv_string(&j, "name", "/dev/shm/\x1b" "c\xff");
	mw_json_kv_uint(&j, "bytes", 123456789012ULL);
	mw_json_object_end(&j);
	mw_json_finish(&j);
	fclose(f);
	v = parse(buf);
	tap_ok(v && strcmp(mw_jv_str(mw_jv_get(v, "name"), ""), "/dev/shm/\x1b" "c\xff") == 0 &&
	       mw_jv_uint(mw_jv_get(v, "bytes"), 0) == 123456789012ULL,
	       "the writer's document reads back byte for byte (ESC, 0xff)");
	mw_jv_destroy(v);
	free(buf);

	refused("", "empty input");
	refused("{", "unterminated object");
	refused("[1,]", "trailing comma");
	refused("{\"a\" 1}", "missing colon");
	refused("\"abc", "unterminated string");
	refused("\"a\\", "backslash at the end");
	refused("\"\\u12\"", "short \\u escape");
	refused("\"a\nb\"", "raw control character in a string");
	refused("01x", "trailing data");
	refused("-", "a lone minus");
	refused("1.e5", "no digits after the point");
	refused("tru", "cut literal");
	refused("{} {}", "two documents");
	char deep[2 * MW_JV_MAX_DEPTH + 10];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	refused(deep, "nesting deeper than MW_JV_MAX_DEPTH");
	return tap_done();
}
