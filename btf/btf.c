/* memwhere: the BTF backend of the type layer.
 *
 * Parses a raw BTF blob (the layout documented in the kernel's
 * Documentation/bpf/btf.rst): a header, a type section of variable-length
 * records (type ids count from 1, 0 is void) and a string section. At open,
 * one pass checks that every record fits in the type section, every name
 * offset lies in the string section and every referenced type id exists, and
 * builds the name index; after that, nothing read from the blob can point
 * outside it. Loops between types are caught by the common code's depth
 * bound.
 *
 * Split BTF (a kernel module's, on top of vmlinux's): the same layout, but
 * its type ids continue after the base's last one and its string offsets
 * after the base's string section (an offset below the base's str_len is a
 * base string). Its types refer to base types by their ids. Lookups by name
 * try the split types, then the base (a full definition in either beats a
 * forward declaration in the other).
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/name-index.h"
#include "btf/types-internal.h"

enum {
	BTF_MAGIC = 0xeb9f,
	BTF_HEADER_MIN = 24,	/* the version 1 header's size */
	BTF_TYPE_SIZE = 12,	/* name_off, info, size/type */
	BTF_MAX_TYPES = 1 << 24,
	/* BTF does not say; memwhere reads x86-64 kernels */
	BTF_POINTER_SIZE = 8,
};

enum btf_kind {
	BTF_KIND_UNKN = 0,
	BTF_KIND_INT = 1,
	BTF_KIND_PTR = 2,
	BTF_KIND_ARRAY = 3,
	BTF_KIND_STRUCT = 4,
	BTF_KIND_UNION = 5,
	BTF_KIND_ENUM = 6,
	BTF_KIND_FWD = 7,
	BTF_KIND_TYPEDEF = 8,
	BTF_KIND_VOLATILE = 9,
	BTF_KIND_CONST = 10,
	BTF_KIND_RESTRICT = 11,
	BTF_KIND_FUNC = 12,
	BTF_KIND_FUNC_PROTO = 13,
	BTF_KIND_VAR = 14,
	BTF_KIND_DATASEC = 15,
	BTF_KIND_FLOAT = 16,
	BTF_KIND_DECL_TAG = 17,
	BTF_KIND_TYPE_TAG = 18,
	BTF_KIND_ENUM64 = 19,
	BTF_KIND_MAX = 19,
};

/* Bits of an INT's encoding */
enum {
	BTF_INT_SIGNED = 1 << 0,
	BTF_INT_CHAR = 1 << 1,
	BTF_INT_BOOL = 1 << 2,
};

struct btf_types {
	struct mw_types base;
	uint8_t *data;			/* the blob (owned) */
	size_t len;
	uint64_t base_offset;		/* where the blob starts in its file */
	uint32_t hdr_len;
	uint32_t type_start, type_len;	/* type section, bytes in data */
	uint32_t str_start, str_len;	/* string section, bytes in data */
	uint32_t nr_types;		/* the last valid id (the base's included) */
	uint32_t *type_pos;		/* [id - first_id + 1]: offset of the record in data */
	struct btf_types *base_btf;	/* split BTF: its base (not owned), else NULL */
	uint32_t first_id;		/* the first id of this blob: 1, or after the base's */
	uint32_t str_base;		/* split: offsets below it are the base's strings */
	struct mw_name_index names;
	struct mw_name_index enumerators;	/* lazy: enumerator -> enum id */
	bool enumerators_built;
};

/* A record, decoded. */
struct btf_rec {
	uint32_t id;
	uint32_t pos;		/* in data */
	uint32_t name_off;
	enum btf_kind kind;
	uint16_t vlen;
	bool kflag;
	uint32_t size_type;	/* size or type, by kind */
	uint32_t extra;		/* offset in data of what follows the record */
};

static struct btf_types *to_btf(struct mw_types *t)
{
	return (struct btf_types *)((char *)t - offsetof(struct btf_types, base));
}

static uint32_t get_u32(const struct btf_types *b, size_t pos)
{
	uint32_t v;
	memcpy(&v, b->data + pos, sizeof(v));
	return v;
}

__attribute__((format(printf, 3, 4)))
static struct mw_error *btf_error(const struct btf_types *b, size_t pos,
				  const char *fmt, ...)
{
	char *msg;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &mw_error_nomem;
	struct mw_error *err;
	if (b->base.source == MW_TYPES_BTF_DUMP)
		err = mw_error_create(MW_ERR_FORMAT, "%s: %s (at byte %zu of the BTF)",
				      b->base.description, msg, pos);
	else
		err = mw_error_at_offset(MW_ERR_FORMAT, b->base_offset + pos,
					 "%s: %s", b->base.description, msg);
	free(msg);
	return err;
}

static const char *btf_kind_name(unsigned kind)
{
	static const char *const names[] = {
		"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD",
		"TYPEDEF", "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO",
		"VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
	};
	return kind < MW_ARRAY_SIZE(names) ? names[kind] : "?";
}

/* Bytes that follow the 12-byte record, by kind. */
static uint64_t btf_extra_size(enum btf_kind kind, uint16_t vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12 * (uint64_t)vlen;
	case BTF_KIND_ENUM:
	case BTF_KIND_FUNC_PROTO:
		return 8 * (uint64_t)vlen;
	default:
		return 0;
	}
}

static void btf_decode(const struct btf_types *b, uint32_t id, struct btf_rec *rec)
{
	uint32_t pos = b->type_pos[id - b->first_id + 1];
	uint32_t info = get_u32(b, pos + 4);
	rec->id = id;
	rec->pos = pos;
	rec->name_off = get_u32(b, pos);
	rec->kind = (info >> 24) & 0x1f;
	rec->vlen = info & 0xffff;
	rec->kflag = info >> 31;
	rec->size_type = get_u32(b, pos + 8);
	rec->extra = pos + BTF_TYPE_SIZE;
}

/* Only for offsets checked at open (or 0). */
static const char *btf_name(const struct btf_types *b, uint32_t name_off)
{
	if (name_off == 0)
		return NULL;
	if (b->base_btf && name_off < b->str_base)
		return btf_name(b->base_btf, name_off);
	name_off -= b->str_base;
	if (name_off >= b->str_len)
		return NULL;
	const char *s = (const char *)b->data + b->str_start + name_off;
	return *s ? s : NULL;
}

/* The blob holding a type id: this one or (split BTF) a base. */
static struct btf_types *btf_owner(struct btf_types *b, uint32_t id)
{
	while (id < b->first_id && b->base_btf)
		b = b->base_btf;
	return b;
}

static struct mw_error *btf_check_name(const struct btf_types *b, uint32_t id,
				       size_t pos, uint32_t name_off, const char *what)
{
	if (name_off == 0 || name_off - b->str_base < b->str_len ||
	    (b->base_btf && name_off < b->str_base))
		return NULL;
	return btf_error(b, pos, "type id %" PRIu32 ": %s offset %" PRIu32
			 " is outside the string section (%" PRIu32 " bytes)",
			 id, what, name_off, b->str_base + b->str_len);
}

static struct mw_error *btf_check_ref(const struct btf_types *b, uint32_t id,
				      size_t pos, uint32_t ref, const char *what)
{
	if (ref <= b->nr_types)
		return NULL;
	return btf_error(b, pos, "type id %" PRIu32 ": %s refers to type id %" PRIu32
			 ", but the last type id is %" PRIu32,
			 id, what, ref, b->nr_types);
}

static struct mw_error *btf_parse_header(struct btf_types *b)
{
	if (b->len < BTF_HEADER_MIN)
		return btf_error(b, 0, "%zu bytes is too short for a BTF header", b->len);
	if (b->len > UINT32_MAX)
		return btf_error(b, 0, "BTF of %zu bytes is too large", b->len);
	uint16_t magic;
	memcpy(&magic, b->data, 2);
	if (magic == 0x9feb)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "%s: BTF of the other byte order is not supported",
				       b->base.description);
	if (magic != BTF_MAGIC)
		return btf_error(b, 0, "not BTF (magic 0x%04x, expected 0x%04x)",
				 magic, BTF_MAGIC);
	uint8_t version = b->data[2];
	if (version != 1)
		return mw_error_create(MW_ERR_UNSUPPORTED, "%s: BTF version %u is not supported",
				       b->base.description, version);
	b->hdr_len = get_u32(b, 4);
	uint32_t type_off = get_u32(b, 8), type_len = get_u32(b, 12);
	uint32_t str_off = get_u32(b, 16), str_len = get_u32(b, 20);
	if (b->hdr_len < BTF_HEADER_MIN || b->hdr_len > b->len)
		return btf_error(b, 4, "header length %" PRIu32 " is outside 24..%zu",
				 b->hdr_len, b->len);
	uint64_t body = b->len - b->hdr_len;
	if ((uint64_t)type_off + type_len > body)
		return btf_error(b, 8, "type section (offset %" PRIu32 ", %" PRIu32
				 " bytes) runs past the end of the BTF (%" PRIu64 " bytes after the header)",
				 type_off, type_len, body);
	if ((uint64_t)str_off + str_len > body)
		return btf_error(b, 16, "string section (offset %" PRIu32 ", %" PRIu32
				 " bytes) runs past the end of the BTF (%" PRIu64 " bytes after the header)",
				 str_off, str_len, body);
	b->type_start = b->hdr_len + type_off;
	b->type_len = type_len;
	b->str_start = b->hdr_len + str_off;
	b->str_len = str_len;
	/* split BTF's strings continue the base's: no NUL needed at the start */
	if (str_len && ((!b->base_btf && b->data[b->str_start] != 0) ||
			b->data[b->str_start + str_len - 1] != 0))
		return btf_error(b, b->str_start, "string section does not start and end with a NUL byte");
	return NULL;
}

/* Pass 1: find every record, check it fits. */
static struct mw_error *btf_scan_types(struct btf_types *b)
{
	uint64_t max = b->type_len / BTF_TYPE_SIZE;
	if (max >= BTF_MAX_TYPES)
		max = BTF_MAX_TYPES - 1;
	if (b->first_id >= BTF_MAX_TYPES)
		return btf_error(b, 0, "the base BTF has %" PRIu32 " types: too many for a split BTF on it",
				 b->first_id - 1);
	b->type_pos = malloc((max + 1) * sizeof(*b->type_pos));
	if (!b->type_pos)
		return &mw_error_nomem;
	b->type_pos[0] = 0;	/* void: never decoded */
	uint32_t pos = b->type_start, end = b->type_start + b->type_len;
	uint32_t id = 0;
	while (pos < end) {
		if (id + 1 > max)
			return btf_error(b, pos, "more than %" PRIu64 " types", max);
		if (end - pos < BTF_TYPE_SIZE)
			return btf_error(b, pos, "type id %" PRIu32 ": record cut short by the end of the type section",
					 b->first_id + id);
		uint32_t info = get_u32(b, pos + 4);
		unsigned kind = (info >> 24) & 0x1f;
		uint16_t vlen = info & 0xffff;
		if (kind == BTF_KIND_UNKN || kind > BTF_KIND_MAX)
			return btf_error(b, pos, "type id %" PRIu32 ": unknown BTF kind %u",
					 b->first_id + id, kind);
		uint64_t need = BTF_TYPE_SIZE + btf_extra_size(kind, vlen);
		if (need > end - pos)
			return btf_error(b, pos, "type id %" PRIu32 " (%s, vlen %u) needs %" PRIu64
					 " bytes but only %" PRIu32 " are left in the type section",
					 b->first_id + id, btf_kind_name(kind), vlen, need, end - pos);
		b->type_pos[++id] = pos;
		pos += (uint32_t)need;
	}
	b->nr_types = b->first_id - 1 + id;
	return NULL;
}

/* Pass 2: names and references of every record. */
static struct mw_error *btf_check_types(struct btf_types *b)
{
	struct mw_error *err;
	for (uint32_t id = b->first_id; id <= b->nr_types; id++) {
		struct btf_rec r;
		btf_decode(b, id, &r);
		if ((err = btf_check_name(b, id, r.pos, r.name_off, "name")))
			return err;
		switch (r.kind) {
		case BTF_KIND_INT: {
			uint32_t enc = get_u32(b, r.extra);
			uint32_t bits = enc & 0xff, off = (enc >> 16) & 0xff;
			if (r.size_type == 0 || r.size_type > 16 ||
			    off + bits > r.size_type * 8)
				return btf_error(b, r.pos, "type id %" PRIu32 ": INT of %" PRIu32
						 " bytes with %" PRIu32 " bits at bit %" PRIu32,
						 id, r.size_type, bits, off);
			break;
		}
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_FUNC:
		case BTF_KIND_VAR:
		case BTF_KIND_DECL_TAG:
			if ((err = btf_check_ref(b, id, r.pos, r.size_type, "its type")))
				return err;
			break;
		case BTF_KIND_ARRAY:
			if ((err = btf_check_ref(b, id, r.extra, get_u32(b, r.extra), "element type")) ||
			    (err = btf_check_ref(b, id, r.extra + 4, get_u32(b, r.extra + 4), "index type")))
				return err;
			break;
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
			for (uint32_t i = 0; i < r.vlen; i++) {
				uint32_t m = r.extra + 12 * i;
				if ((err = btf_check_name(b, id, m, get_u32(b, m), "member name")) ||
				    (err = btf_check_ref(b, id, m + 4, get_u32(b, m + 4), "a member")))
					return err;
			}
			break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64: {
			uint32_t step = r.kind == BTF_KIND_ENUM ? 8 : 12;
			for (uint32_t i = 0; i < r.vlen; i++) {
				uint32_t m = r.extra + step * i;
				if ((err = btf_check_name(b, id, m, get_u32(b, m), "enumerator name")))
					return err;
			}
			break;
		}
		case BTF_KIND_FUNC_PROTO:
			if ((err = btf_check_ref(b, id, r.pos + 8, r.size_type, "return type")))
				return err;
			for (uint32_t i = 0; i < r.vlen; i++) {
				uint32_t m = r.extra + 8 * i;
				if ((err = btf_check_name(b, id, m, get_u32(b, m), "parameter name")) ||
				    (err = btf_check_ref(b, id, m + 4, get_u32(b, m + 4), "a parameter")))
					return err;
			}
			break;
		case BTF_KIND_DATASEC:
			for (uint32_t i = 0; i < r.vlen; i++) {
				uint32_t m = r.extra + 12 * i;
				if ((err = btf_check_ref(b, id, m, get_u32(b, m), "a variable")))
					return err;
			}
			break;
		default:
			break;
		}
	}
	return NULL;
}

static struct mw_error *btf_index_add(struct btf_types *b, enum mw_name_ns ns,
				      const char *name, uint32_t id, bool is_fwd)
{
	uint64_t *slot;
	bool added;
	struct mw_error *err = mw_name_index_insert(&b->names, ns, name, strlen(name),
						    &slot, &added);
	if (err)
		return err;
	/* value: id, bit 32 set for a forward declaration; a full definition
	 * replaces a declaration, else the first one wins. */
	if (added || ((*slot >> 32) && !is_fwd))
		*slot = id | ((uint64_t)is_fwd << 32);
	return NULL;
}

static struct mw_error *btf_build_index(struct btf_types *b)
{
	for (uint32_t id = b->first_id; id <= b->nr_types; id++) {
		struct btf_rec r;
		btf_decode(b, id, &r);
		const char *name = btf_name(b, r.name_off);
		if (!name)
			continue;
		enum mw_name_ns ns;
		bool fwd = false;
		switch (r.kind) {
		case BTF_KIND_STRUCT: ns = MW_NS_STRUCT; break;
		case BTF_KIND_UNION: ns = MW_NS_UNION; break;
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
			/* vlen 0: a forward-declared enum */
			ns = MW_NS_ENUM;
			fwd = r.vlen == 0;
			break;
		case BTF_KIND_FWD:
			ns = r.kflag ? MW_NS_UNION : MW_NS_STRUCT;
			fwd = true;
			break;
		case BTF_KIND_TYPEDEF: ns = MW_NS_TYPEDEF; break;
		case BTF_KIND_INT:
		case BTF_KIND_FLOAT: ns = MW_NS_BASE; break;
		default: continue;
		}
		struct mw_error *err = btf_index_add(b, ns, name, id, fwd);
		if (err)
			return err;
	}
	return NULL;
}

/* A name's entry (id, bit 32 for a declaration) in this blob or its base:
 * a full definition first, the split blob's before the base's. */
static bool btf_lookup(const struct btf_types *b, enum mw_name_ns ns, const char *name,
		       size_t len, uint64_t *ret)
{
	const uint64_t *v = mw_name_index_find(&b->names, ns, name, len);
	if (v && !(*v >> 32)) {
		*ret = *v;
		return true;
	}
	uint64_t bv;
	if (b->base_btf && btf_lookup(b->base_btf, ns, name, len, &bv) && (!v || !(bv >> 32))) {
		*ret = bv;
		return true;
	}
	if (v)
		*ret = *v;
	return v != NULL;
}

static struct mw_error *btf_find(struct mw_types *t, enum mw_name_ns ns,
				 const char *name, size_t len, mw_type_id *ret)
{
	struct btf_types *b = to_btf(t);
	if (ns == MW_NS_ENUMERATOR)
		return mw_error_create(MW_ERR_USAGE, "enumerators are looked up with find_enumerator");
	uint64_t v;
	if (!btf_lookup(b, ns, name, len, &v))
		return mw_error_create(MW_ERR_NOT_FOUND, "no type '%.*s'", (int)len, name);
	*ret = (uint32_t)v;
	return NULL;
}

/* Decode a type id; *bp becomes the blob holding it (split BTF: maybe the base). */
static struct mw_error *btf_get(struct btf_types **bp, mw_type_id id, struct btf_rec *rec)
{
	struct btf_types *b = *bp;
	if (id == 0 || id > b->nr_types)
		return mw_error_create(MW_ERR_USAGE, "%s: no type id %" PRIu64,
				       b->base.description, id);
	*bp = b = btf_owner(b, (uint32_t)id);
	btf_decode(b, (uint32_t)id, rec);
	return NULL;
}

static struct mw_error *btf_describe(struct mw_types *t, mw_type_id id,
				     struct mw_type *ret)
{
	struct btf_types *b = to_btf(t);
	memset(ret, 0, sizeof(*ret));
	ret->id = id;
	if (id == 0) {
		ret->kind = MW_KIND_VOID;
		return NULL;
	}
	struct btf_rec r;
	struct mw_error *err = btf_get(&b, id, &r);
	if (err)
		return err;
	ret->name = btf_name(b, r.name_off);
	switch (r.kind) {
	case BTF_KIND_INT: {
		uint32_t enc = get_u32(b, r.extra) >> 24;
		ret->kind = (enc & BTF_INT_BOOL) ? MW_KIND_BOOL : MW_KIND_INT;
		ret->is_signed = enc & BTF_INT_SIGNED;
		ret->size = r.size_type;
		break;
	}
	case BTF_KIND_FLOAT:
		ret->kind = MW_KIND_FLOAT;
		ret->size = r.size_type;
		break;
	case BTF_KIND_PTR:
		ret->kind = MW_KIND_POINTER;
		ret->size = BTF_POINTER_SIZE;
		ret->target = r.size_type;
		break;
	case BTF_KIND_ARRAY:
		ret->kind = MW_KIND_ARRAY;
		ret->target = get_u32(b, r.extra);
		ret->nr_elements = get_u32(b, r.extra + 8);
		ret->size = MW_SIZE_COMPUTE;
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		ret->kind = r.kind == BTF_KIND_STRUCT ? MW_KIND_STRUCT : MW_KIND_UNION;
		ret->size = r.size_type;
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		ret->kind = MW_KIND_ENUM;
		ret->size = r.size_type;
		ret->is_signed = r.kflag;
		ret->incomplete = r.vlen == 0;
		break;
	case BTF_KIND_FWD:
		ret->kind = r.kflag ? MW_KIND_UNION : MW_KIND_STRUCT;
		ret->incomplete = true;
		break;
	case BTF_KIND_TYPEDEF:
		ret->kind = MW_KIND_TYPEDEF;
		ret->target = r.size_type;
		ret->size = MW_SIZE_COMPUTE;
		break;
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		ret->kind = MW_KIND_QUALIFIER;
		ret->target = r.size_type;
		ret->size = MW_SIZE_COMPUTE;
		break;
	case BTF_KIND_FUNC_PROTO:
		ret->kind = MW_KIND_FUNCTION;
		ret->target = r.size_type;
		break;
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		ret->kind = MW_KIND_OTHER;
		ret->target = r.size_type;
		break;
	default:
		ret->kind = MW_KIND_OTHER;
		break;
	}
	return NULL;
}

/* Old-style bitfields (no kflag) live in the member's INT type. */
static void btf_int_bitfield(struct btf_types *b, uint32_t type,
			     uint64_t *bit_offset, uint32_t *bit_size)
{
	if (type == 0)
		return;
	struct btf_rec r;
	b = btf_owner(b, type);
	btf_decode(b, type, &r);
	if (r.kind != BTF_KIND_INT)
		return;
	uint32_t enc = get_u32(b, r.extra);
	uint32_t bits = enc & 0xff, off = (enc >> 16) & 0xff;
	if (off == 0 && bits == r.size_type * 8)
		return;
	*bit_offset += off;
	*bit_size = bits;
}

static struct mw_error *btf_for_each_member(struct mw_types *t, mw_type_id id,
					    mw_member_cb *cb, void *arg)
{
	struct btf_types *b = to_btf(t);
	struct btf_rec r;
	struct mw_error *err = btf_get(&b, id, &r);
	if (err)
		return err;
	if (r.kind != BTF_KIND_STRUCT && r.kind != BTF_KIND_UNION)
		return mw_error_create(MW_ERR_USAGE, "type id %" PRIu64 " is not a struct or union", id);
	for (uint32_t i = 0; i < r.vlen; i++) {
		uint32_t m = r.extra + 12 * i;
		uint32_t off = get_u32(b, m + 8);
		struct mw_member_raw mem = {
			.name = btf_name(b, get_u32(b, m)),
			.type = get_u32(b, m + 4),
		};
		if (r.kflag) {
			mem.bit_offset = off & 0xffffff;
			mem.bit_size = off >> 24;
		} else {
			mem.bit_offset = off;
			btf_int_bitfield(b, (uint32_t)mem.type, &mem.bit_offset, &mem.bit_size);
		}
		if (cb(&mem, arg))
			break;
	}
	return NULL;
}

static struct mw_error *btf_for_each_enumerator(struct mw_types *t, mw_type_id id,
						mw_enumerator_cb *cb, void *arg)
{
	struct btf_types *b = to_btf(t);
	struct btf_rec r;
	struct mw_error *err = btf_get(&b, id, &r);
	if (err)
		return err;
	if (r.kind != BTF_KIND_ENUM && r.kind != BTF_KIND_ENUM64)
		return mw_error_create(MW_ERR_USAGE, "type id %" PRIu64 " is not an enum", id);
	for (uint32_t i = 0; i < r.vlen; i++) {
		int64_t value;
		const char *name;
		if (r.kind == BTF_KIND_ENUM) {
			uint32_t m = r.extra + 8 * i;
			uint32_t v = get_u32(b, m + 4);
			name = btf_name(b, get_u32(b, m));
			value = r.kflag ? (int64_t)(int32_t)v : (int64_t)v;
		} else {
			uint32_t m = r.extra + 12 * i;
			uint64_t v = get_u32(b, m + 4) | (uint64_t)get_u32(b, m + 8) << 32;
			name = btf_name(b, get_u32(b, m));
			value = (int64_t)v;
		}
		if (cb(name ? name : "", value, arg))
			break;
	}
	return NULL;
}

static struct mw_error *btf_find_enumerator(struct mw_types *t, const char *name,
					    mw_type_id *enum_id)
{
	struct btf_types *b = to_btf(t);
	if (!b->enumerators_built) {
		for (uint32_t id = b->first_id; id <= b->nr_types; id++) {
			struct btf_rec r;
			btf_decode(b, id, &r);
			if (r.kind != BTF_KIND_ENUM && r.kind != BTF_KIND_ENUM64)
				continue;
			uint32_t step = r.kind == BTF_KIND_ENUM ? 8 : 12;
			for (uint32_t i = 0; i < r.vlen; i++) {
				const char *e = btf_name(b, get_u32(b, r.extra + step * i));
				if (!e)
					continue;
				uint64_t *slot;
				bool added;
				struct mw_error *err = mw_name_index_insert(&b->enumerators,
									    MW_NS_ENUMERATOR, e,
									    strlen(e), &slot, &added);
				if (err)
					return err;
				if (added)
					*slot = id;
			}
		}
		b->enumerators_built = true;
	}
	const uint64_t *v = mw_name_index_find(&b->enumerators, MW_NS_ENUMERATOR,
					       name, strlen(name));
	if (!v && b->base_btf)
		return btf_find_enumerator(&b->base_btf->base, name, enum_id);
	if (!v)
		return mw_error_create(MW_ERR_NOT_FOUND, "no enumerator '%s'", name);
	*enum_id = *v;
	return NULL;
}

static void btf_destroy(struct mw_types *t)
{
	struct btf_types *b = to_btf(t);
	mw_name_index_deinit(&b->names);
	mw_name_index_deinit(&b->enumerators);
	free(b->type_pos);
	free(b->data);
	mw_types_deinit_common(&b->base);
	free(b);
}

static const struct mw_types_ops btf_ops = {
	.find = btf_find,
	.describe = btf_describe,
	.for_each_member = btf_for_each_member,
	.for_each_enumerator = btf_for_each_enumerator,
	.find_enumerator = btf_find_enumerator,
	.destroy = btf_destroy,
};

static struct mw_error *btf_open(const void *data, size_t len, enum mw_types_source source,
				 const char *description, uint64_t base_offset,
				 struct btf_types *base_btf, struct mw_types **ret)
{
	struct btf_types *b = calloc(1, sizeof(*b));
	if (!b)
		return &mw_error_nomem;
	struct mw_error *err = mw_types_init_common(&b->base, &btf_ops, source, description);
	if (err) {
		free(b);
		return err;
	}
	mw_name_index_init(&b->names);
	mw_name_index_init(&b->enumerators);
	b->base_offset = base_offset;
	b->first_id = 1;
	if (base_btf) {
		b->base_btf = base_btf;
		b->first_id = base_btf->nr_types + 1;
		b->str_base = base_btf->str_base + base_btf->str_len;
	}
	b->len = len;
	b->data = malloc(len ? len : 1);
	if (!b->data) {
		btf_destroy(&b->base);
		return &mw_error_nomem;
	}
	if (len)
		memcpy(b->data, data, len);
	if ((err = btf_parse_header(b)) || (err = btf_scan_types(b)) ||
	    (err = btf_check_types(b)) || (err = btf_build_index(b))) {
		btf_destroy(&b->base);
		return err;
	}
	*ret = &b->base;
	return NULL;
}

struct mw_error *mw_btf_open(const void *data, size_t len, enum mw_types_source source,
			     const char *description, uint64_t base_offset,
			     struct mw_types **ret)
{
	return btf_open(data, len, source, description, base_offset, NULL, ret);
}

struct mw_error *mw_types_open_btf_split(struct mw_types *base, const void *data, size_t len,
					 const char *what, struct mw_types **ret)
{
	if (base->ops != &btf_ops)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "%s: split BTF needs BTF types as its base, not %s",
				       what, base->description);
	if (!data || len == 0)
		return mw_error_create(MW_ERR_FORMAT, "%s: empty BTF", what);
	return btf_open(data, len, MW_TYPES_BTF_DUMP, what, 0, to_btf(base), ret);
}

bool mw_types_btf_split_start(const struct mw_types *t, uint32_t *first_id,
			      uint32_t *first_str)
{
	if (t->ops != &btf_ops)
		return false;
	const struct btf_types *b = (const struct btf_types *)((const char *)t -
							   offsetof(struct btf_types, base));
	*first_id = b->nr_types + 1;
	*first_str = b->str_base + b->str_len;
	return true;
}
