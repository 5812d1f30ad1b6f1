/* The JSON writer: nesting, commas, escaping of any byte. Expected strings
 * follow RFC 8259 (escapes) by hand, not from a previous run. */
#include "config.h"

#include <stdlib.h>

#include "common/json.h"
#include "tests/tap.h"

static char *render(void (*fn)(struct mw_json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct mw_json j;
	mw_json_init(&j, f, false);
	fn(&j);
	fclose(f);
	return buf;
}

static void nested(struct mw_json *j)
{
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "a", 1);
	mw_json_key(j, "b");
	mw_json_array_begin(j);
	mw_json_int(j, -2);
	mw_json_bool(j, true);
	mw_json_null(j);
	mw_json_object_begin(j);
	mw_json_object_end(j);
	mw_json_array_begin(j);
	mw_json_array_end(j);
	mw_json_array_end(j);
	mw_json_kv_addr(j, "c", 0xffff888000000000ULL);
	mw_json_object_end(j);
}

static void or_null(struct mw_json *j)
{
	mw_json_object_begin(j);
	mw_json_kv_string_or_null(j, "s", "x");
	mw_json_kv_string_or_null(j, "sn", NULL);
	mw_json_kv_uint_or_null(j, "u", true, 7);
	mw_json_kv_uint_or_null(j, "un", false, 7);
	mw_json_kv_int_or_null(j, "i", true, -3);
	mw_json_kv_int_or_null(j, "in", false, -3);
	mw_json_object_end(j);
}

static void escapes(struct mw_json *j)
{
	static const char s[] = "q\"b\\n\n\t\x01\x7f";
	mw_json_string_n(j, s, sizeof(s) - 1);
}

static void bytes(struct mw_json *j)
{
	/* valid 2-byte UTF-8 (e-acute), then a lone continuation byte, a
	 * truncated 3-byte sequence, an overlong NUL, and an embedded NUL */
	static const char s[] = "\xc3\xa9|\x80|\xe2\x82|\xc0\x80|\0|";
	mw_json_string_n(j, s, sizeof(s) - 1);
}

static void u64max(struct mw_json *j)
{
	mw_json_array_begin(j);
	mw_json_uint(j, UINT64_MAX);
	mw_json_int(j, INT64_MIN);
	mw_json_array_end(j);
}

static void deep(struct mw_json *j)
{
	for (int i = 0; i < MW_JSON_MAX_DEPTH + 10; i++)
		mw_json_array_begin(j);
	for (int i = 0; i < MW_JSON_MAX_DEPTH + 10; i++)
		mw_json_array_end(j);
}

int main(void)
{
	char *s;
	s = render(nested);
	tap_is_str(s, "{\"a\":1,\"b\":[-2,true,null,{},[]],\"c\":\"0xffff888000000000\"}",
		   "nesting and commas");
	free(s);
	s = render(or_null);
	tap_is_str(s, "{\"s\":\"x\",\"sn\":null,\"u\":7,\"un\":null,\"i\":-3,\"in\":null}",
		   "values or null when unknown");
	free(s);
	s = render(escapes);
	tap_is_str(s, "\"q\\\"b\\\\n\\n\\t\\u0001\\u007f\"", "escapes");
	free(s);
	s = render(bytes);
	tap_is_str(s, "\"\xc3\xa9|\\udc80|\\udce2\\udc82|\\udcc0\\udc80|\\u0000|\"",
		   "bytes that are not UTF-8 as U+DC80+byte (no valid text gives those), NUL as \\u0000");
	free(s);
	s = render(u64max);
	tap_is_str(s, "[18446744073709551615,-9223372036854775808]", "64-bit extremes");
	free(s);
	s = render(deep);
	size_t open_n = 0, close_n = 0;
	for (char *c = s; *c; c++) {
		open_n += *c == '[';
		close_n += *c == ']';
	}
	tap_ok(open_n == close_n && open_n == MW_JSON_MAX_DEPTH - 1 &&
	       !strchr(s, ','), "too-deep nesting is cut, output stays balanced");
	free(s);
	return tap_done();
}
