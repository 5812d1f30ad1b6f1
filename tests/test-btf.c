/* The BTF backend and the layout interface on BTF blobs built here, byte by
 * byte, from the format's documentation (Documentation/bpf/btf.rst): every
 * kind, anonymous nested members, kflag and old-style bitfields, enums,
 * forward declarations, arrays of arrays; then corrupt blobs (loops, absurd
 * vlen, bad string offsets and type ids, truncations, flipped bytes), which
 * must give errors, never a crash or a hang. */
#include "config.h"

#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/layout.h"
#include "btf/types.h"
#include "tests/tap.h"

/* BTF kinds, as the documentation numbers them */
enum {
	K_INT = 1, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD, K_TYPEDEF,
	K_VOLATILE, K_CONST, K_RESTRICT, K_FUNC, K_FUNC_PROTO, K_VAR, K_DATASEC,
	K_FLOAT, K_DECL_TAG, K_TYPE_TAG, K_ENUM64,
};

struct builder {
	uint8_t types[8192];
	size_t tlen;
	char strs[4096];
	size_t slen;
	uint32_t nr;
	/* split BTF: ids and string offsets continue the base's */
	uint32_t id_base, str_base;
};

static void b_init(struct builder *b)
{
	memset(b, 0, sizeof(*b));
	b->slen = 1;	/* the empty string at offset 0 */
}

static uint32_t b_str(struct builder *b, const char *s)
{
	if (!s)
		return 0;
	uint32_t off = (uint32_t)b->slen + b->str_base;
	size_t n = strlen(s) + 1;
	memcpy(b->strs + b->slen, s, n);
	b->slen += n;
	return off;
}

static void b_u32(struct builder *b, uint32_t v)
{
	memcpy(b->types + b->tlen, &v, 4);
	b->tlen += 4;
}

/* A type record; returns its id. */
static uint32_t b_type(struct builder *b, const char *name, unsigned kind, int kflag,
		       unsigned vlen, uint32_t size_type)
{
	b_u32(b, b_str(b, name));
	b_u32(b, (uint32_t)kflag << 31 | kind << 24 | vlen);
	b_u32(b, size_type);
	return ++b->nr + b->id_base;
}

static uint32_t b_int(struct builder *b, const char *name, uint32_t size,
		      unsigned encoding, unsigned offset, unsigned bits)
{
	uint32_t id = b_type(b, name, K_INT, 0, 0, size);
	b_u32(b, encoding << 24 | offset << 16 | bits);
	return id;
}

static void b_member(struct builder *b, const char *name, uint32_t type, uint32_t offset)
{
	b_u32(b, b_str(b, name));
	b_u32(b, type);
	b_u32(b, offset);
}

/* header + types + strings; caller frees */
static uint8_t *b_blob(const struct builder *b, size_t *len)
{
	*len = 24 + b->tlen + b->slen;
	uint8_t *blob = malloc(*len);
	uint16_t magic = 0xeb9f;
	memcpy(blob, &magic, 2);
	blob[2] = 1;
	blob[3] = 0;
	uint32_t h[5] = { 24, 0, (uint32_t)b->tlen, (uint32_t)b->tlen, (uint32_t)b->slen };
	memcpy(blob + 4, h, sizeof(h));
	memcpy(blob + 24, b->types, b->tlen);
	memcpy(blob + 24 + b->tlen, b->strs, b->slen);
	return blob;
}

/* The blob exercising every kind; ids are asserted as built. */
static uint8_t *build_full(size_t *len)
{
	struct builder b;
	b_init(&b);
	uint32_t t_int = b_int(&b, "int", 4, 1, 0, 32);			/* 1 */
	uint32_t t_uint = b_int(&b, "unsigned int", 4, 0, 0, 32);	/* 2 */
	b_int(&b, "_Bool", 1, 4, 0, 8);					/* 3 */
	b_int(&b, "char", 1, 1 | 2, 0, 8);				/* 4 */
	b_type(&b, NULL, K_PTR, 0, 0, 0);				/* 5: void * */
	b_type(&b, NULL, K_PTR, 0, 0, 7);				/* 6: struct inner * */
	b_type(&b, "inner", K_STRUCT, 0, 2, 8);				/* 7 */
	b_member(&b, "a", t_int, 0);
	b_member(&b, "b", t_uint, 32);
	b_type(&b, NULL, K_ARRAY, 0, 0, 0);				/* 8: int[10] */
	b_u32(&b, t_int);
	b_u32(&b, t_uint);
	b_u32(&b, 10);
	b_type(&b, "inner_t", K_TYPEDEF, 0, 0, 7);			/* 9 */
	b_type(&b, NULL, K_VOLATILE, 0, 0, 9);				/* 10 */
	b_type(&b, NULL, K_CONST, 0, 0, 10);				/* 11 */
	b_type(&b, NULL, K_STRUCT, 0, 2, 8);				/* 12: anon */
	b_member(&b, "x", t_int, 0);
	b_member(&b, "y", t_int, 32);
	b_type(&b, NULL, K_UNION, 0, 2, 8);				/* 13: anon */
	b_member(&b, NULL, 12, 0);
	b_member(&b, "whole", 14, 0);
	b_int(&b, "long unsigned int", 8, 0, 0, 64);			/* 14 */
	b_type(&b, "outer", K_STRUCT, 1, 6, 64);			/* 15 */
	b_member(&b, "first", t_int, 0);
	b_member(&b, "bf1", t_uint, 3u << 24 | 32);
	b_member(&b, "bf2", t_uint, 5u << 24 | 35);
	b_member(&b, NULL, 13, 64);
	b_member(&b, "in", 11, 128);
	b_member(&b, "arr", 8, 192);
	b_type(&b, "colors", K_ENUM, 1, 3, 4);				/* 16: signed */
	b_u32(&b, b_str(&b, "RED"));
	b_u32(&b, (uint32_t)-1);
	b_u32(&b, b_str(&b, "GREEN"));
	b_u32(&b, 0);
	b_u32(&b, b_str(&b, "BLUE"));
	b_u32(&b, 7);
	b_type(&b, "big", K_ENUM64, 0, 1, 8);				/* 17 */
	b_u32(&b, b_str(&b, "HUGE"));
	b_u32(&b, 0x9abcdef0);
	b_u32(&b, 0x12345678);
	b_type(&b, "later", K_FWD, 0, 0, 0);				/* 18 */
	b_type(&b, "ulater", K_FWD, 1, 0, 0);				/* 19 */
	b_type(&b, NULL, K_FUNC_PROTO, 0, 2, t_int);			/* 20 */
	b_u32(&b, b_str(&b, "a"));
	b_u32(&b, t_int);
	b_u32(&b, b_str(&b, "b"));
	b_u32(&b, 5);
	b_type(&b, "do_thing", K_FUNC, 0, 1, 20);			/* 21 */
	b_type(&b, "global_var", K_VAR, 0, 0, 15);			/* 22 */
	b_u32(&b, 1);
	b_type(&b, ".data", K_DATASEC, 0, 1, 64);			/* 23 */
	b_u32(&b, 22);
	b_u32(&b, 0);
	b_u32(&b, 64);
	b_type(&b, "double", K_FLOAT, 0, 0, 8);				/* 24 */
	b_type(&b, "tag1", K_DECL_TAG, 0, 0, 15);			/* 25 */
	b_u32(&b, (uint32_t)-1);
	b_type(&b, "user", K_TYPE_TAG, 0, 0, 15);			/* 26 */
	b_type(&b, NULL, K_PTR, 0, 0, 26);				/* 27 */
	b_type(&b, NULL, K_RESTRICT, 0, 0, 5);				/* 28 */
	b_type(&b, "later", K_STRUCT, 0, 2, 16);			/* 29 */
	b_member(&b, "p", 27, 0);
	b_member(&b, "q", 28, 64);
	b_type(&b, NULL, K_PTR, 0, 0, 18);				/* 30: struct later * (fwd) */
	b_type(&b, "holder", K_STRUCT, 0, 3, 24);			/* 31: no kflag */
	b_member(&b, "lp", 30, 0);
	b_member(&b, "old_bf", 32, 64);
	b_member(&b, "in2", 7, 128);
	b_int(&b, "oldbits", 4, 0, 2, 5);				/* 32 */
	b_type(&b, NULL, K_ARRAY, 0, 0, 0);				/* 33: int[3][10] */
	b_u32(&b, 8);
	b_u32(&b, t_uint);
	b_u32(&b, 3);
	b_type(&b, "grid", K_STRUCT, 0, 1, 120);			/* 34 */
	b_member(&b, "cells", 33, 0);
	b_type(&b, "unsigned_enum", K_ENUM, 0, 1, 4);			/* 35 */
	b_u32(&b, b_str(&b, "TOP"));
	b_u32(&b, 0xffffffff);
	b_type(&b, "colors_t", K_TYPEDEF, 0, 0, 16);			/* 36 */
	return b_blob(&b, len);
}

static struct mw_types *open_blob(const uint8_t *blob, size_t len, struct mw_error **errp)
{
	struct mw_types *t = NULL;
	*errp = mw_types_open_btf_buf(blob, len, "test BTF", &t);
	return *errp ? NULL : t;
}

static void check_sizeof(struct mw_types *t, const char *name, uint64_t want)
{
	uint64_t got = 0;
	struct mw_error *err = mw_types_sizeof(t, name, &got);
	tap_ok(!err && got == want, "sizeof(%s) = %" PRIu64 " (got %" PRIu64 "%s%s)", name, want,
	       got, err ? ", " : "", err ? err->message : "");
	mw_error_destroy(err);
}

static void check_member(struct mw_types *t, const char *path, uint64_t offset, uint64_t size,
			 uint64_t bit_offset, uint32_t bit_size)
{
	struct mw_member m;
	memset(&m, 0, sizeof(m));
	struct mw_error *err = mw_types_member(t, path, &m);
	tap_ok(!err && m.offset == offset && m.size == size && m.bit_offset == bit_offset &&
	       m.bit_size == bit_size,
	       "%s: offset %" PRIu64 " size %" PRIu64 " bits %" PRIu64 ":%" PRIu32
	       " (got %" PRIu64 " %" PRIu64 " %" PRIu64 ":%" PRIu32 "%s%s)",
	       path, offset, size, bit_offset, bit_size, m.offset, m.size, m.bit_offset,
	       m.bit_size, err ? ", " : "", err ? err->message : "");
	mw_error_destroy(err);
}

static void check_enum(struct mw_types *t, const char *e, const char *name, int64_t want)
{
	int64_t got = 0;
	struct mw_error *err = mw_types_enum_value(t, e, name, &got);
	tap_ok(!err && got == want, "enum %s %s = %" PRId64 " (got %" PRId64 "%s%s)",
	       e ? e : "(any)", name, want, got, err ? ", " : "", err ? err->message : "");
	mw_error_destroy(err);
}

static void check_error(struct mw_error *err, enum mw_error_code code, const char *contains,
			const char *what)
{
	tap_ok(err && err->code == code && (!contains || strstr(err->message, contains)),
	       "%s: error %s containing '%s' (got %s: %s)", what, mw_error_code_name(code),
	       contains ? contains : "", err ? mw_error_code_name(err->code) : "none",
	       err ? err->message : "");
	mw_error_destroy(err);
}

static bool count_cb(const struct mw_member_raw *m, void *arg)
{
	size_t *n = arg;
	n[0]++;
	if (!m->name)
		n[1]++;
	return false;
}

static void test_full(void)
{
	size_t len;
	uint8_t *blob = build_full(&len);
	struct mw_error *err;
	struct mw_types *t = open_blob(blob, len, &err);
	if (!tap_ok(t != NULL, "full blob opens (%s)", err ? err->message : "ok")) {
		mw_error_destroy(err);
		free(blob);
		return;
	}
	tap_is_str(mw_types_source_name(mw_types_source(t)), "btf-in-dump", "buffer source");

	check_sizeof(t, "int", 4);
	check_sizeof(t, "outer", 64);
	check_sizeof(t, "struct outer", 64);
	check_sizeof(t, "inner_t", 8);
	check_sizeof(t, "typedef inner_t", 8);
	check_sizeof(t, "later", 16);
	check_sizeof(t, "enum colors", 4);
	check_sizeof(t, "big", 8);
	check_sizeof(t, "double", 8);
	check_sizeof(t, "long unsigned int", 8);
	check_sizeof(t, "grid", 120);
	check_sizeof(t, "colors_t", 4);
	uint64_t size;
	check_error(mw_types_sizeof(t, "struct inner_t", &size), MW_ERR_NOT_FOUND,
		    "no type 'struct inner_t'", "struct namespace is not typedefs");
	check_error(mw_types_sizeof(t, "ulater", &size), MW_ERR_NOT_FOUND,
		    "only declared", "sizeof a forward-declared union");

	check_member(t, "outer.first", 0, 4, 0, 0);
	check_member(t, "outer.bf1", 4, 4, 32, 3);
	check_member(t, "outer.bf2", 4, 4, 35, 5);
	check_member(t, "outer.x", 8, 4, 64, 0);	/* anonymous union > anonymous struct */
	check_member(t, "outer.y", 12, 4, 96, 0);
	check_member(t, "outer.whole", 8, 8, 64, 0);
	check_member(t, "outer.in", 16, 8, 128, 0);	/* through const volatile typedef */
	check_member(t, "outer.in.b", 20, 4, 160, 0);
	check_member(t, "outer.arr", 24, 40, 192, 0);
	check_member(t, "outer.arr[3]", 36, 4, 288, 0);
	check_member(t, "holder.lp", 0, 8, 0, 0);
	check_member(t, "holder.old_bf", 8, 4, 66, 5);	/* bitfield in the INT type */
	check_member(t, "holder.in2.b", 20, 4, 160, 0);
	check_member(t, "grid.cells[2][5]", 100, 4, 800, 0);
	check_member(t, "grid.cells[1]", 40, 40, 320, 0);
	check_member(t, "later.q", 8, 8, 64, 0);

	struct mw_member m;
	err = mw_types_member(t, "outer.in", &m);
	tap_ok(!err && m.type_name && strcmp(m.type_name, "inner_t") == 0 &&
	       m.resolved.kind == MW_KIND_STRUCT && strcmp(m.resolved.name, "inner") == 0,
	       "outer.in: declared inner_t, resolved struct inner");
	mw_error_destroy(err);
	err = mw_types_member(t, "outer.arr", &m);
	tap_ok(!err && m.resolved.kind == MW_KIND_ARRAY && m.resolved.nr_elements == 10 &&
	       m.target_size == 4, "outer.arr: array of 10, element 4 bytes");
	mw_error_destroy(err);
	err = mw_types_member(t, "holder.lp", &m);
	tap_ok(!err && m.resolved.kind == MW_KIND_POINTER && m.target_size == 16,
	       "holder.lp: pointer to a declaration resolves to the full struct (16)");
	mw_error_destroy(err);
	err = mw_types_member(t, "later.q", &m);
	tap_ok(!err && m.resolved.kind == MW_KIND_POINTER && m.target_size == 0,
	       "later.q: restrict void pointer, target size 0");
	mw_error_destroy(err);

	tap_ok(mw_types_has_member(t, "outer.whole"), "has outer.whole");
	tap_ok(!mw_types_has_member(t, "outer.nope"), "no outer.nope");
	tap_ok(!mw_types_has_member(t, "outer.in.nope"), "no outer.in.nope");
	tap_ok(!mw_types_has_member(t, "outer.first.x"), "int has no members");
	tap_ok(!mw_types_has_member(t, "nosuch.x"), "no type nosuch");
	check_error(mw_types_member(t, "outer.arr[10]", &m), MW_ERR_NOT_FOUND,
		    "past the 10 elements", "index out of range");
	check_error(mw_types_member(t, "outer.first[1]", &m), MW_ERR_NOT_FOUND,
		    "not an array", "index of a non-array");
	check_error(mw_types_member(t, "outer..first", &m), MW_ERR_USAGE, NULL, "empty component");

	check_enum(t, "colors", "RED", -1);
	check_enum(t, "enum colors", "BLUE", 7);
	check_enum(t, "colors_t", "RED", -1);
	check_enum(t, "big", "HUGE", 0x123456789abcdef0);
	check_enum(t, NULL, "GREEN", 0);
	check_enum(t, NULL, "HUGE", 0x123456789abcdef0);
	check_enum(t, "unsigned_enum", "TOP", 4294967295);
	int64_t v;
	check_error(mw_types_enum_value(t, "colors", "PURPLE", &v), MW_ERR_NOT_FOUND,
		    "enum colors has no enumerator 'PURPLE'", "missing enumerator");
	check_error(mw_types_enum_value(t, NULL, "PURPLE", &v), MW_ERR_NOT_FOUND,
		    "no enumerator 'PURPLE'", "missing enumerator, any enum");
	check_error(mw_types_enum_value(t, "outer", "RED", &v), MW_ERR_NOT_FOUND,
		    "no enum 'outer'", "enum value of a struct");

	struct mw_type ty;
	mw_type_id id = 0;
	err = mw_types_find(t, "later", &id);
	tap_ok(!err && id == 29, "find later gives the full struct, not the FWD (id %" PRIu64 ")", id);
	mw_error_destroy(err);
	err = mw_types_type(t, 18, &ty);
	tap_ok(!err && ty.kind == MW_KIND_STRUCT && ty.incomplete, "FWD is an incomplete struct");
	mw_error_destroy(err);
	err = mw_types_type(t, 19, &ty);
	tap_ok(!err && ty.kind == MW_KIND_UNION && ty.incomplete, "FWD with kflag is a union");
	mw_error_destroy(err);
	err = mw_types_resolve(t, 18, &ty);
	tap_ok(!err && ty.id == 29 && !ty.incomplete && ty.size == 16, "resolve FWD finds its definition");
	mw_error_destroy(err);
	err = mw_types_type(t, 5, &ty);
	tap_ok(!err && ty.kind == MW_KIND_POINTER && ty.target == 0 && ty.size == 8, "void *");
	mw_error_destroy(err);
	err = mw_types_type(t, 3, &ty);
	tap_ok(!err && ty.kind == MW_KIND_BOOL && ty.size == 1, "_Bool");
	mw_error_destroy(err);
	err = mw_types_type(t, 4, &ty);
	tap_ok(!err && ty.kind == MW_KIND_INT && ty.is_signed, "char is signed int kind");
	mw_error_destroy(err);
	err = mw_types_type(t, 20, &ty);
	tap_ok(!err && ty.kind == MW_KIND_FUNCTION && ty.target == 1, "FUNC_PROTO is a function returning int");
	mw_error_destroy(err);
	err = mw_types_type(t, 21, &ty);
	tap_ok(!err && ty.kind == MW_KIND_OTHER && strcmp(ty.name, "do_thing") == 0, "FUNC");
	mw_error_destroy(err);
	err = mw_types_type(t, 24, &ty);
	tap_ok(!err && ty.kind == MW_KIND_FLOAT && ty.size == 8, "FLOAT");
	mw_error_destroy(err);
	err = mw_types_type(t, 26, &ty);
	tap_ok(!err && ty.kind == MW_KIND_QUALIFIER && ty.size == 64, "TYPE_TAG is a qualifier of outer");
	mw_error_destroy(err);
	err = mw_types_type(t, 11, &ty);
	tap_ok(!err && ty.kind == MW_KIND_QUALIFIER && ty.size == 8, "const volatile inner_t is 8 bytes");
	mw_error_destroy(err);
	err = mw_types_type(t, 33, &ty);
	tap_ok(!err && ty.kind == MW_KIND_ARRAY && ty.nr_elements == 3 && ty.size == 120, "int[3][10]");
	mw_error_destroy(err);
	err = mw_types_type(t, 999, &ty);
	tap_ok(err != NULL, "type id past the last is an error");
	mw_error_destroy(err);

	size_t counts[2] = { 0, 0 };
	err = mw_types_for_each_member(t, 15, count_cb, counts);
	tap_ok(!err && counts[0] == 6 && counts[1] == 1, "outer has 6 direct members, 1 anonymous");
	mw_error_destroy(err);

	/* errors carry the release */
	err = mw_types_member(t, "outer.memcg_data", &m);
	tap_is_str(err ? err->message : "", "struct outer has no member 'memcg_data' (test BTF)",
		   "missing member names the source when the release is unknown");
	mw_error_destroy(err);
	mw_types_set_release(t, "6.1.0-test");
	err = mw_types_member(t, "outer.memcg_data", &m);
	tap_is_str(err ? err->message : "", "struct outer has no member 'memcg_data' (kernel 6.1.0-test)",
		   "missing member names the kernel release");
	mw_error_destroy(err);
	err = mw_types_member(t, "outer.in.zz", &m);
	tap_is_str(err ? err->message : "",
		   "struct inner has no member 'zz' (in outer.in.zz) (kernel 6.1.0-test)",
		   "missing nested member names the path");
	mw_error_destroy(err);

	/* offsets tables */
	struct mw_field first, memcg, bf2, outer_size, red, zz, opt, blue;
	struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("outer.first", &first),
		MW_FIELD_MEMBER("outer.memcg_data", &memcg),
		MW_FIELD_MEMBER("outer.bf2", &bf2),
		MW_FIELD_SIZEOF("outer", &outer_size),
		MW_FIELD_ENUM("colors.RED", &red),
		MW_FIELD_MEMBER("inner.zz", &zz),
		MW_FIELD_MEMBER_OPT("outer.maybe", &opt),
		MW_FIELD_ENUM("BLUE", &blue),
	};
	err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
	tap_is_str(err ? err->message : "",
		   "struct outer has no member 'memcg_data'; also missing: inner.zz (kernel 6.1.0-test)",
		   "fields: first missing named, others listed, release");
	tap_ok(err && err->code == MW_ERR_NOT_FOUND, "fields: not-found code");
	mw_error_destroy(err);
	tap_ok(first.found && first.offset == 0 && first.size == 4 && !memcg.found &&
	       bf2.found && bf2.bit_offset == 35 && bf2.bit_size == 5 &&
	       outer_size.found && outer_size.size == 64 && red.found && red.value == -1 &&
	       !opt.found && blue.found && blue.value == 7,
	       "fields: found ones filled, missing ones not");
	struct mw_field_spec ok_spec[] = {
		MW_FIELD_MEMBER("outer.first", &first),
		MW_FIELD_MEMBER_OPT("outer.maybe", &opt),
		MW_FIELD_SIZEOF_OPT("struct nothing", &zz),
	};
	err = mw_types_resolve_fields(t, ok_spec, MW_ARRAY_SIZE(ok_spec));
	tap_ok(!err && first.found && !opt.found && !zz.found, "fields: optional missing is no error");
	mw_error_destroy(err);

	/* layout tables: each field names its destination once */
	struct test_layout {
		uint32_t first, size, memcg, zz, maybe;
		int red, blue;
		bool has_group, has_maybe;
	} tl;
	struct mw_field bf2_raw;
#define TL struct test_layout
	const struct mw_layout_field bad_fields[] = {
		MW_LAYOUT_MEMBER(TL, "outer.first", first),
		MW_LAYOUT_MEMBER(TL, "outer.memcg_data", memcg),
		MW_LAYOUT_SIZEOF(TL, "outer", size),
		MW_LAYOUT_MEMBER(TL, "inner.zz", zz),
		MW_LAYOUT_ENUM(TL, "colors.RED", red),
	};
	const struct mw_layout_field good_fields[] = {
		MW_LAYOUT_MEMBER(TL, "outer.first", first),
		MW_LAYOUT_SIZEOF(TL, "outer", size),
		MW_LAYOUT_ENUM(TL, "colors.RED", red),
		MW_LAYOUT_ENUM(TL, "BLUE", blue),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "outer.bf2", &bf2_raw),
		MW_LAYOUT_MEMBER_OPT(TL, "outer.first", zz, has_group),
		MW_LAYOUT_MEMBER_OPT(TL, "outer.maybe", maybe, has_group),
		MW_LAYOUT_MEMBER_OPT(TL, "outer.first", memcg, has_maybe),
	};
#undef TL
	memset(&tl, 0, sizeof(tl));
	err = mw_layout_resolve(t, bad_fields, MW_ARRAY_SIZE(bad_fields), &tl);
	tap_is_str(err ? err->message : "",
		   "struct outer has no member 'memcg_data'; also missing: inner.zz (kernel 6.1.0-test)",
		   "layout: every missing member named, and the release");
	mw_error_destroy(err);
	memset(&tl, 0, sizeof(tl));
	err = mw_layout_resolve(t, good_fields, MW_ARRAY_SIZE(good_fields), &tl);
	tap_ok(!err && tl.first == 0 && tl.size == 64 && tl.red == -1 && tl.blue == 7 &&
	       bf2_raw.found && bf2_raw.bit_size == 5,
	       "layout: offsets, sizes, values and raw fields stored");
	tap_ok(!tl.has_group && tl.has_maybe && tl.maybe == 0,
	       "layout: a group's flag is false when one member is missing");
	mw_error_destroy(err);
	tap_ok(mw_u32_of(UINT64_C(1) << 40) == UINT32_MAX && mw_u32_of(7) == 7,
	       "layout: offsets saturate at 32 bits");

	mw_types_destroy(t);

	/* every truncation and many flipped bytes: errors or answers, never a crash */
	size_t opened = 0;
	for (size_t cut = 0; cut < len; cut++) {
		t = open_blob(blob, cut, &err);
		if (t) {
			opened++;
			mw_types_destroy(t);
		}
		mw_error_destroy(err);
	}
	tap_ok(opened == 0, "no truncation of the blob opens (%zu did)", opened);
	uint8_t *copy = malloc(len);
	size_t answered = 0;
	for (size_t i = 0; i < len; i++) {
		static const uint8_t flips[] = { 0x01, 0x10, 0x80, 0xff };
		for (size_t f = 0; f < sizeof(flips); f++) {
			memcpy(copy, blob, len);
			copy[i] ^= flips[f];
			t = open_blob(copy, len, &err);
			mw_error_destroy(err);
			if (!t)
				continue;
			answered++;
			mw_error_destroy(mw_types_sizeof(t, "outer", &size));
			mw_error_destroy(mw_types_member(t, "outer.in.b", &m));
			mw_error_destroy(mw_types_member(t, "grid.cells[2][5]", &m));
			mw_error_destroy(mw_types_member(t, "holder.lp", &m));
			mw_error_destroy(mw_types_enum_value(t, NULL, "HUGE", &v));
			mw_error_destroy(mw_types_enum_value(t, "colors", "RED", &v));
			mw_types_has_member(t, "outer.nope");
			mw_types_destroy(t);
		}
	}
	tap_ok(1, "flipped bytes: no crash (%zu variants opened and were queried)", answered);
	free(copy);
	free(blob);
}

static void test_loops(void)
{
	struct builder b;
	b_init(&b);
	b_type(&b, "a", K_TYPEDEF, 0, 0, 2);		/* 1 -> 2 */
	b_type(&b, "b", K_TYPEDEF, 0, 0, 1);		/* 2 -> 1 */
	b_type(&b, NULL, K_CONST, 0, 0, 3);		/* 3 -> 3 */
	b_type(&b, "selfarr", K_TYPEDEF, 0, 0, 5);	/* 4 */
	b_type(&b, NULL, K_ARRAY, 0, 0, 0);		/* 5: array of itself */
	b_u32(&b, 5);
	b_u32(&b, 0);
	b_u32(&b, 2);
	b_type(&b, "self", K_STRUCT, 0, 1, 8);		/* 6: anonymous member of itself */
	b_member(&b, NULL, 6, 0);
	b_type(&b, "viaa", K_STRUCT, 0, 1, 8);		/* 7: anonymous member through the loop */
	b_member(&b, NULL, 1, 0);
	size_t len;
	uint8_t *blob = b_blob(&b, &len);
	struct mw_error *err;
	struct mw_types *t = open_blob(blob, len, &err);
	if (!tap_ok(t != NULL, "loop blob opens (loops are found when followed)")) {
		mw_error_destroy(err);
		free(blob);
		return;
	}
	uint64_t size;
	struct mw_type ty;
	struct mw_member m;
	check_error(mw_types_sizeof(t, "a", &size), MW_ERR_LIMIT, "nested more than", "typedef loop");
	check_error(mw_types_resolve(t, 3, &ty), MW_ERR_LIMIT, NULL, "const of itself");
	check_error(mw_types_sizeof(t, "selfarr", &size), MW_ERR_LIMIT, NULL, "array of itself");
	check_error(mw_types_member(t, "self.x", &m), MW_ERR_LIMIT, NULL, "struct inside itself");
	check_error(mw_types_member(t, "viaa.x", &m), MW_ERR_LIMIT, NULL,
		    "anonymous member through a typedef loop");
	tap_ok(!mw_types_has_member(t, "self.x"), "has_member on a loop is false");
	mw_types_destroy(t);
	free(blob);
}

static void test_bad(void)
{
	struct builder b;
	size_t len;
	uint8_t *blob;
	struct mw_error *err;
	struct mw_types *t;

	/* absurd vlen */
	b_init(&b);
	b_int(&b, "int", 4, 1, 0, 32);
	b_type(&b, "huge", K_STRUCT, 0, 65535, 8);
	b_member(&b, "a", 1, 0);
	blob = b_blob(&b, &len);
	t = open_blob(blob, len, &err);
	check_error(err, MW_ERR_FORMAT, "vlen 65535", "absurd vlen");
	mw_types_destroy(t);
	free(blob);

	/* name offset outside the strings */
	b_init(&b);
	b_int(&b, "int", 4, 1, 0, 32);
	b_type(&b, NULL, K_STRUCT, 0, 1, 4);
	b_member(&b, "a", 1, 0);
	memcpy(b.types + 16, (uint32_t[]){ 100000 }, 4);	/* the struct's name_off */
	blob = b_blob(&b, &len);
	t = open_blob(blob, len, &err);
	check_error(err, MW_ERR_FORMAT, "outside the string section", "bad type name offset");
	mw_types_destroy(t);
	free(blob);

	b_init(&b);
	b_int(&b, "int", 4, 1, 0, 32);
	b_type(&b, "s", K_STRUCT, 0, 1, 4);
	b_u32(&b, 5000);	/* member name_off */
	b_u32(&b, 1);
	b_u32(&b, 0);
	blob = b_blob(&b, &len);
	t = open_blob(blob, len, &err);
	check_error(err, MW_ERR_FORMAT, "member name offset 5000", "bad member name offset");
	mw_types_destroy(t);
	free(blob);

	/* type id that does not exist */
	b_init(&b);
	b_type(&b, NULL, K_PTR, 0, 0, 999);
	blob = b_blob(&b, &len);
	t = open_blob(blob, len, &err);
	check_error(err, MW_ERR_FORMAT, "refers to type id 999", "bad type reference");
	mw_types_destroy(t);
	free(blob);

	/* unknown kind */
	b_init(&b);
	b_type(&b, NULL, 25, 0, 0, 0);
	blob = b_blob(&b, &len);
	t = open_blob(blob, len, &err);
	check_error(err, MW_ERR_FORMAT, "unknown BTF kind 25", "unknown kind");
	mw_types_destroy(t);
	free(blob);

	/* INT of size 0 */
	b_init(&b);
	b_int(&b, "int", 0, 1, 0, 32);
	blob = b_blob(&b, &len);
	t = open_blob(blob, len, &err);
	check_error(err, MW_ERR_FORMAT, "INT of 0 bytes", "bad INT");
	mw_types_destroy(t);
	free(blob);

	/* headers */
	b_init(&b);
	b_int(&b, "int", 4, 1, 0, 32);
	blob = b_blob(&b, &len);
	uint8_t *bad = malloc(len);

	memcpy(bad, blob, len);
	bad[0] = 0x12;
	t = open_blob(bad, len, &err);
	check_error(err, MW_ERR_FORMAT, "not BTF", "bad magic");
	mw_types_destroy(t);

	memcpy(bad, blob, len);
	memcpy(bad + 4, (uint32_t[]){ 1000 }, 4);
	t = open_blob(bad, len, &err);
	check_error(err, MW_ERR_FORMAT, "header length 1000", "header length past the end");
	mw_types_destroy(t);

	memcpy(bad, blob, len);
	memcpy(bad + 12, (uint32_t[]){ 0xfffffff0 }, 4);
	t = open_blob(bad, len, &err);
	check_error(err, MW_ERR_FORMAT, "type section", "type length past the end");
	mw_types_destroy(t);

	memcpy(bad, blob, len);
	memcpy(bad + 16, (uint32_t[]){ 0xffffffff }, 4);
	t = open_blob(bad, len, &err);
	check_error(err, MW_ERR_FORMAT, "string section", "string offset overflow");
	mw_types_destroy(t);

	memcpy(bad, blob, len);
	bad[len - 1] = 'x';
	t = open_blob(bad, len, &err);
	check_error(err, MW_ERR_FORMAT, "NUL", "string section without a final NUL");
	mw_types_destroy(t);

	memcpy(bad, blob, len);
	bad[2] = 2;
	t = open_blob(bad, len, &err);
	check_error(err, MW_ERR_UNSUPPORTED, "version 2", "unknown version");
	mw_types_destroy(t);

	t = open_blob(blob, 10, &err);
	check_error(err, MW_ERR_FORMAT, "too short", "short header");
	mw_types_destroy(t);
	free(bad);
	free(blob);
}

/* An ELF file with a .BTF section, written with libelf. */
static bool write_elf_with_btf(const char *path, const uint8_t *btf, size_t len, bool with_btf)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		return false;
	Elf *elf = elf_begin(fd, ELF_C_WRITE, NULL);
	Elf64_Ehdr *eh = elf64_newehdr(elf);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	static char shstr[] = "\0.BTF\0.shstrtab\0.nothing";
	Elf_Scn *scn = elf_newscn(elf);
	Elf_Data *d = elf_newdata(scn);
	d->d_buf = (void *)btf;
	d->d_size = len;
	d->d_type = ELF_T_BYTE;
	d->d_align = 4;
	Elf64_Shdr *sh = elf64_getshdr(scn);
	sh->sh_name = with_btf ? 1 : 16;
	sh->sh_type = SHT_PROGBITS;
	Elf_Scn *strscn = elf_newscn(elf);
	d = elf_newdata(strscn);
	d->d_buf = shstr;
	d->d_size = sizeof(shstr);
	d->d_type = ELF_T_BYTE;
	d->d_align = 1;
	sh = elf64_getshdr(strscn);
	sh->sh_name = 6;
	sh->sh_type = SHT_STRTAB;
	eh->e_shstrndx = (Elf64_Half)elf_ndxscn(strscn);
	bool ok = elf_update(elf, ELF_C_WRITE) >= 0;
	elf_end(elf);
	close(fd);
	return ok;
}

static void test_files(void)
{
	size_t len;
	uint8_t *blob = build_full(&len);
	char raw[] = "/tmp/test-btf-raw-XXXXXX";
	char elfp[] = "/tmp/test-btf-elf-XXXXXX";
	char noelf[] = "/tmp/test-btf-noelf-XXXXXX";
	int fd1 = mkstemp(raw), fd2 = mkstemp(elfp), fd3 = mkstemp(noelf);
	if (fd1 < 0 || fd2 < 0 || fd3 < 0 || write(fd1, blob, len) != (ssize_t)len) {
		tap_ok(0, "temporary files");
		free(blob);
		return;
	}
	close(fd1);
	close(fd2);
	close(fd3);
	struct mw_types *t;
	uint64_t size = 0;
	struct mw_error *err = mw_types_open_btf_file(raw, &t);
	if (tap_ok(!err, "raw BTF file opens (%s)", err ? err->message : "ok")) {
		tap_ok(mw_types_source(t) == MW_TYPES_BTF_FILE, "file source");
		err = mw_types_sizeof(t, "outer", &size);
		tap_ok(!err && size == 64, "raw file: sizeof(outer) 64");
		mw_types_destroy(t);
	}
	mw_error_destroy(err);

	tap_ok(write_elf_with_btf(elfp, blob, len, true), "ELF with .BTF written");
	err = mw_types_open_btf_file(elfp, &t);
	if (tap_ok(!err, "ELF .BTF opens (%s)", err ? err->message : "ok")) {
		err = mw_types_sizeof(t, "grid", &size);
		tap_ok(!err && size == 120, "ELF .BTF: sizeof(grid) 120");
		tap_ok(mw_types_release(t) == NULL, "no linux_banner, no release");
		mw_types_destroy(t);
	}
	mw_error_destroy(err);

	tap_ok(write_elf_with_btf(noelf, blob, len, false), "ELF without .BTF written");
	err = mw_types_open_btf_file(noelf, &t);
	check_error(err, MW_ERR_NOT_FOUND, "without a .BTF section", "ELF without .BTF");

	err = mw_types_open_btf_file("/nonexistent/btf", &t);
	check_error(err, MW_ERR_IO, "/nonexistent/btf", "missing file");

	err = mw_types_open_dwarf(elfp, &t);
	tap_ok(err && err->code == MW_ERR_NOT_FOUND, "DWARF backend refuses an ELF without DWARF (%s)",
	       err ? err->message : "");
	mw_error_destroy(err);
	err = mw_types_open_vmlinux(elfp, &t);
	if (tap_ok(!err, "a vmlinux without DWARF falls back to its .BTF")) {
		tap_ok(mw_types_source(t) == MW_TYPES_BTF_FILE, "... as BTF");
		mw_types_destroy(t);
	}
	mw_error_destroy(err);
	err = mw_types_open_vmlinux(noelf, &t);
	check_error(err, MW_ERR_NOT_FOUND, "DWARF", "neither DWARF nor .BTF: the DWARF error");

	unlink(raw);
	unlink(elfp);
	unlink(noelf);
	free(blob);
}

/* A module-like split BTF on top of the full blob (36 types). */
static uint8_t *build_split(const uint8_t *base, size_t base_len, uint32_t base_slen,
			    size_t *len)
{
	struct builder b;
	b_init(&b);
	b.id_base = 36;
	b.str_base = base_slen;
	/* a base string, named by its offset in the base */
	const char *strs = (const char *)base + base_len - base_slen;
	uint32_t whole = 0;
	for (uint32_t off = 1; off < base_slen; off += (uint32_t)strlen(strs + off) + 1)
		if (strcmp(strs + off, "whole") == 0)
			whole = off;
	tap_ok(whole != 0, "the base has the string 'whole'");
	uint32_t mod = b_type(&b, "modstruct", K_STRUCT, 0, 3, 24);	/* 37 */
	b_member(&b, "base_inner", 7, 0);
	b_member(&b, "count", 14, 64);
	b_member(&b, "next", 38, 128);
	b_type(&b, NULL, K_PTR, 0, 0, mod);				/* 38 */
	b_type(&b, "modstruct2", K_STRUCT, 0, 1, 4);			/* 39 */
	b_u32(&b, whole);	/* a member named with the base's string */
	b_u32(&b, 1);
	b_u32(&b, 0);
	b_type(&b, "inner", K_FWD, 0, 0, 0);				/* 40: base has it */
	b_type(&b, "modenum", K_ENUM, 0, 1, 4);				/* 41 */
	b_u32(&b, b_str(&b, "MOD_A"));
	b_u32(&b, 5);
	return b_blob(&b, len);
}

static void test_split(void)
{
	size_t base_len, len;
	uint8_t *base_blob = build_full(&base_len);
	uint32_t base_slen;
	memcpy(&base_slen, base_blob + 20, 4);
	struct mw_error *err;
	struct mw_types *base = open_blob(base_blob, base_len, &err);
	tap_ok(base != NULL, "the base opens");
	if (!base) {
		mw_error_destroy(err);
		free(base_blob);
		return;
	}
	uint32_t first_id = 0, first_str = 0;
	tap_ok(mw_types_btf_split_start(base, &first_id, &first_str) && first_id == 37 &&
	       first_str == base_slen, "a split on the base starts at id 37, string %" PRIu32
	       " (got %" PRIu32 ", %" PRIu32 ")", base_slen, first_id, first_str);
	uint8_t *blob = build_split(base_blob, base_len, base_slen, &len);
	struct mw_types *t = NULL;
	err = mw_types_open_btf_split(base, blob, len, "split BTF", &t);
	tap_ok(!err && t, "the split BTF opens on the base (%s)", err ? err->message : "ok");
	mw_error_destroy(err);
	if (t) {
		mw_type_id id = 0;
		err = mw_types_find(t, "modstruct", &id);
		tap_ok(!err && id == 37, "its first type has id 37, after the base's 36 (got %" PRIu64 ")", id);
		mw_error_destroy(err);
		struct mw_member m;
		err = mw_types_member(t, "modstruct.base_inner.b", &m);
		tap_ok(!err && m.offset == 4 && m.size == 4,
		       "a split struct's member of a base type: base_inner.b at 4 (got %" PRIu64 ")",
		       err ? 0 : m.offset);
		mw_error_destroy(err);
		err = mw_types_member(t, "modstruct.count", &m);
		tap_ok(!err && m.offset == 8 && m.size == 8 && m.type_name &&
		       strcmp(m.type_name, "long unsigned int") == 0,
		       "modstruct.count: a base INT, at 8");
		mw_error_destroy(err);
		err = mw_types_member(t, "modstruct.next", &m);
		tap_ok(!err && m.resolved.kind == MW_KIND_POINTER && m.target_size == 24,
		       "modstruct.next points to a split type of 24 bytes");
		mw_error_destroy(err);
		tap_ok(mw_types_has_member(t, "modstruct2.whole"),
		       "a member named by a base string offset");
		err = mw_types_find(t, "struct inner", &id);
		tap_ok(!err && id == 7, "the base's definition beats the split's declaration (id %" PRIu64 ")", id);
		mw_error_destroy(err);
		check_sizeof(t, "inner", 8);
		check_sizeof(t, "outer", 64);
		int64_t v = 0;
		err = mw_types_enum_value(t, NULL, "MOD_A", &v);
		tap_ok(!err && v == 5, "a split enumerator: MOD_A = 5");
		mw_error_destroy(err);
		err = mw_types_enum_value(t, NULL, "BLUE", &v);
		tap_ok(!err && v == 7, "a base enumerator through the split: BLUE = 7");
		mw_error_destroy(err);
		tap_ok(mw_types_btf_split_start(t, &first_id, &first_str) && first_id == 42,
		       "a split on the split would start at id 42");
		mw_types_destroy(t);
	}
	/* truncated and corrupt blobs are refused */
	t = NULL;
	err = mw_types_open_btf_split(base, blob, len - 7, "split BTF", &t);
	check_error(err, MW_ERR_FORMAT, "split BTF", "a truncated split BTF");
	tap_ok(t == NULL, "nothing opened");
	uint8_t *bad = malloc(len);
	memcpy(bad, blob, len);
	uint32_t ref = 99;	/* modstruct2's member type: past the last id 41 */
	memcpy(bad + 24 + 12 + 36 + 12 + 12 + 4, &ref, 4);
	err = mw_types_open_btf_split(base, bad, len, "split BTF", &t);
	check_error(err, MW_ERR_FORMAT, "refers to type id 99", "a reference past the split's last id");
	memcpy(bad, blob, len);
	uint32_t name = base_slen + 4096;
	memcpy(bad + 24, &name, 4);
	err = mw_types_open_btf_split(base, bad, len, "split BTF", &t);
	check_error(err, MW_ERR_FORMAT, "outside the string section", "a name past the split's strings");
	err = mw_types_open_btf_split(base, blob, 0, "split BTF", &t);
	check_error(err, MW_ERR_FORMAT, "empty", "an empty split BTF");
	/* a split blob alone is not a BTF: its names and references dangle */
	err = mw_types_open_btf_buf(blob, len, "split alone", &t);
	check_error(err, MW_ERR_FORMAT, "split alone", "the split blob without its base");
	free(bad);
	free(blob);
	mw_types_destroy(base);
	free(base_blob);
}

int main(void)
{
	/* MW_BTF_SEED=FILE: write the full blob (a fuzz seed) and stop */
	const char *seed = getenv("MW_BTF_SEED");
	if (seed) {
		size_t len;
		uint8_t *blob = build_full(&len);
		FILE *f = fopen(seed, "wb");
		bool ok = f && fwrite(blob, 1, len, f) == len;
		if (f)
			fclose(f);
		free(blob);
		return ok ? 0 : 1;
	}
	test_full();
	test_loops();
	test_bad();
	test_files();
	test_split();
	return tap_done();
}
