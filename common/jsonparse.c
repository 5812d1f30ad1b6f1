/* memwhere: a small, bounded JSON reader (common/jsonparse.h). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonparse.h"

struct parser {
	const char *p, *end, *start;
	size_t values;
};

static struct mw_error *bad(struct parser *ps, const char *what)
{
	return mw_error_at_offset(MW_ERR_FORMAT, (uint64_t)(ps->p - ps->start),
				  "JSON: %s", what);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
				   *ps->p == '\r'))
		ps->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool hex4(struct parser *ps, unsigned *ret)
{
	if (ps->end - ps->p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(ps->p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (unsigned)h;
	}
	ps->p += 4;
	*ret = v;
	return true;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* At the opening quote. The decoded string is never longer than its text. */
static struct mw_error *parse_string(struct parser *ps, char **ret, size_t *retlen)
{
	ps->p++;
	const char *q = ps->p;
	while (q < ps->end && *q != '"') {
		if (*q == '\\')
			q++;
		q++;
	}
	if (q >= ps->end)
		return bad(ps, "unterminated string");
	size_t max = (size_t)(q - ps->p);
	char *o = malloc(max + 1);
	if (!o)
		return mw_error_create(MW_ERR_NOMEM, "JSON string of %zu bytes", max);
	size_t n = 0;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			free(o);
			return bad(ps, "control character in a string");
		}
		if (c != '\\') {
			o[n++] = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		char e = *ps->p++;
		unsigned cp;
		switch (e) {
		case '"': o[n++] = '"'; break;
		case '\\': o[n++] = '\\'; break;
		case '/': o[n++] = '/'; break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u':
			if (!hex4(ps, &cp)) {
				free(o);
				return bad(ps, "bad \\u escape");
			}
			if (cp >= 0xd800 && cp <= 0xdbff && ps->end - ps->p >= 6 &&
			    ps->p[0] == '\\' && ps->p[1] == 'u') {
				const char *save = ps->p;
				unsigned lo;
				ps->p += 2;
				if (hex4(ps, &lo) && lo >= 0xdc00 && lo <= 0xdfff)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					ps->p = save;
			}
			if (cp >= 0xdc80 && cp <= 0xdcff) {
				o[n++] = (char)(cp & 0xff);	/* a raw byte (see the header) */
				break;
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			/* 6 or 12 escape bytes give at most 4 */
			n += put_utf8(o + n, cp);
			break;
		default:
			free(o);
			return bad(ps, "bad escape in a string");
		}
	}
	ps->p++;
	o[n] = 0;
	*ret = o;
	*retlen = n;
	return NULL;
}

static struct mw_error *parse_number(struct parser *ps, struct mw_jv *v)
{
	const char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	const char *digits = ps->p;
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	if (ps->p == digits)
		return bad(ps, "bad number");
	bool integer = true;
	if (ps->p < ps->end && *ps->p == '.') {
		integer = false;
		ps->p++;
		const char *f = ps->p;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
		if (ps->p == f)
			return bad(ps, "bad number");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		integer = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		const char *f = ps->p;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
		if (ps->p == f)
			return bad(ps, "bad number");
	}
	size_t len = (size_t)(ps->p - s);
	char buf[64];
	if (len >= sizeof(buf)) {
		v->num = *s == '-' ? -HUGE_VAL : HUGE_VAL;	/* absurdly long: out of range */
	} else {
		memcpy(buf, s, len);
		buf[len] = 0;
		v->num = strtod(buf, NULL);
	}
	v->type = MW_JV_NUMBER;
	if (integer && *s != '-' && (size_t)(ps->p - digits) <= 20) {
		uint64_t u = 0;
		bool ok = true;
		for (const char *d = digits; d < ps->p; d++) {
			unsigned dv = (unsigned)(*d - '0');
			if (u > (UINT64_MAX - dv) / 10) {
				ok = false;
				break;
			}
			u = u * 10 + dv;
		}
		v->is_uint = ok;
		v->u = ok ? u : 0;
	}
	return NULL;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static struct mw_error *parse_value(struct parser *ps, int depth, struct mw_jv *v);

/* Elements of an array or members of an object, into v->v. */
static struct mw_error *push(struct mw_jv *v, size_t *cap, struct mw_jv **slot)
{
	if (v->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		if (nc > SIZE_MAX / sizeof(*v->v))
			return mw_error_create(MW_ERR_LIMIT, "JSON: too many values");
		struct mw_jv *nv = realloc(v->v, nc * sizeof(*v->v));
		if (!nv)
			return mw_error_create(MW_ERR_NOMEM, "JSON: %zu values", nc);
		v->v = nv;
		*cap = nc;
	}
	*slot = &v->v[v->n++];
	memset(*slot, 0, sizeof(**slot));
	return NULL;
}

static struct mw_error *parse_container(struct parser *ps, int depth, struct mw_jv *v,
					bool object)
{
	char close = object ? '}' : ']';
	size_t cap = 0;
	struct mw_error *err;
	v->type = object ? MW_JV_OBJECT : MW_JV_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return NULL;
	}
	for (;;) {
		struct mw_jv *e = NULL;
		if ((err = push(v, &cap, &e)))
			return err;
		skip_ws(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return bad(ps, "expected a key");
			size_t klen;
			if ((err = parse_string(ps, &e->key, &klen)))
				return err;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return bad(ps, "expected ':'");
			ps->p++;
		}
		if ((err = parse_value(ps, depth + 1, e)))
			return err;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return NULL;
		}
		return bad(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static struct mw_error *parse_value(struct parser *ps, int depth, struct mw_jv *v)
{
	if (depth > MW_JV_MAX_DEPTH)
		return bad(ps, "nested too deep");
	if (++ps->values > MW_JV_MAX_VALUES)
		return mw_error_create(MW_ERR_LIMIT, "JSON: more than %d values",
				       MW_JV_MAX_VALUES);
	skip_ws(ps);
	if (ps->p >= ps->end)
		return bad(ps, "unexpected end");
	switch (*ps->p) {
	case '{':
		return parse_container(ps, depth, v, true);
	case '[':
		return parse_container(ps, depth, v, false);
	case '"':
		v->type = MW_JV_STRING;
		return parse_string(ps, &v->s, &v->len);
	case 't':
	case 'f':
		v->type = MW_JV_BOOL;
		v->b = *ps->p == 't';
		if (!literal(ps, v->b ? "true" : "false"))
			return bad(ps, "bad literal");
		return NULL;
	case 'n':
		v->type = MW_JV_NULL;
		if (!literal(ps, "null"))
			return bad(ps, "bad literal");
		return NULL;
	default:
		return parse_number(ps, v);
	}
}

static void deinit(struct mw_jv *v)
{
	free(v->s);
	free(v->key);
	for (size_t i = 0; i < v->n; i++)
		deinit(&v->v[i]);
	free(v->v);
}

void mw_jv_destroy(struct mw_jv *v)
{
	if (!v)
		return;
	deinit(v);
	free(v);
}

struct mw_error *mw_jv_parse(const char *text, size_t len, struct mw_jv **ret)
{
	*ret = NULL;
	if (len > MW_JV_MAX_INPUT)
		return mw_error_create(MW_ERR_LIMIT, "JSON document of %zu bytes (at most %d)",
				       len, MW_JV_MAX_INPUT);
	struct parser ps = { .p = text, .end = text + len, .start = text };
	struct mw_jv *v = calloc(1, sizeof(*v));
	if (!v)
		return mw_error_create(MW_ERR_NOMEM, "JSON value");
	struct mw_error *err = parse_value(&ps, 0, v);
	if (!err) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			err = bad(&ps, "trailing data after the document");
	}
	if (err) {
		mw_jv_destroy(v);
		return err;
	}
	*ret = v;
	return NULL;
}

const struct mw_jv *mw_jv_get(const struct mw_jv *obj, const char *key)
{
	if (!obj || obj->type != MW_JV_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (obj->v[i].key && strcmp(obj->v[i].key, key) == 0)
			return &obj->v[i];
	return NULL;
}

const struct mw_jv *mw_jv_path(const struct mw_jv *obj, const char *path)
{
	char key[128];
	while (obj && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		obj = mw_jv_get(obj, key);
		path += n;
		if (*path == '.')
			path++;
	}
	return obj;
}

uint64_t mw_jv_uint(const struct mw_jv *v, uint64_t def)
{
	return v && v->type == MW_JV_NUMBER && v->is_uint ? v->u : def;
}

const char *mw_jv_str(const struct mw_jv *v, const char *def)
{
	return v && v->type == MW_JV_STRING ? v->s : def;
}

size_t mw_jv_count(const struct mw_jv *v)
{
	return v && (v->type == MW_JV_ARRAY || v->type == MW_JV_OBJECT) ? v->n : 0;
}
