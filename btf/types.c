/* memwhere: the layout interface, common to the BTF and DWARF backends.
 *
 * The backends only describe single types and walk members; everything that
 * follows chains (typedefs, qualifiers, arrays, anonymous members, member
 * paths) lives here, bounded by MW_TYPES_MAX_DEPTH and a visit budget, so a
 * loop in corrupt type data ends in an error.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/types-internal.h"

enum {
	/* members looked at while resolving one member name */
	MEMBER_VISIT_BUDGET = 1 << 20,
};

struct mw_error *mw_types_init_common(struct mw_types *t,
				      const struct mw_types_ops *ops,
				      enum mw_types_source source,
				      const char *description)
{
	t->ops = ops;
	t->source = source;
	t->release = NULL;
	t->description = strdup(description);
	return t->description ? NULL : &mw_error_nomem;
}

void mw_types_deinit_common(struct mw_types *t)
{
	free(t->description);
	free(t->release);
	free(t->build_id);
}

struct mw_error *mw_types_open_vmlinux(const char *path, struct mw_types **ret)
{
	struct mw_error *err = mw_types_open_dwarf(path, ret);
	if (!err || err->code != MW_ERR_NOT_FOUND)
		return err;
	struct mw_error *btf_err = mw_types_open_btf_file(path, ret);
	if (!btf_err) {
		mw_error_destroy(err);
		return NULL;
	}
	mw_error_destroy(btf_err);
	return err;
}

void mw_types_destroy(struct mw_types *t)
{
	if (t)
		t->ops->destroy(t);
}

enum mw_types_source mw_types_source(const struct mw_types *t)
{
	return t->source;
}

const char *mw_types_source_name(enum mw_types_source source)
{
	switch (source) {
	case MW_TYPES_BTF_DUMP: return "btf-in-dump";
	case MW_TYPES_BTF_FILE: return "btf-file";
	case MW_TYPES_DWARF: return "dwarf";
	}
	return "unknown";
}

const char *mw_types_description(const struct mw_types *t)
{
	return t->description;
}

const char *mw_types_release(const struct mw_types *t)
{
	return t->release;
}

const char *mw_types_build_id(const struct mw_types *t)
{
	return t->build_id;
}

struct mw_error *mw_types_set_build_id(struct mw_types *t, const char *hex)
{
	char *copy = NULL;
	if (hex && !(copy = strdup(hex)))
		return &mw_error_nomem;
	free(t->build_id);
	t->build_id = copy;
	return NULL;
}

struct mw_error *mw_types_set_release(struct mw_types *t, const char *release)
{
	char *copy = NULL;
	if (release && !(copy = strdup(release)))
		return &mw_error_nomem;
	free(t->release);
	t->release = copy;
	return NULL;
}

const char *mw_kind_name(enum mw_kind kind)
{
	switch (kind) {
	case MW_KIND_VOID: return "void";
	case MW_KIND_INT: return "int";
	case MW_KIND_BOOL: return "bool";
	case MW_KIND_FLOAT: return "float";
	case MW_KIND_POINTER: return "pointer";
	case MW_KIND_ARRAY: return "array";
	case MW_KIND_STRUCT: return "struct";
	case MW_KIND_UNION: return "union";
	case MW_KIND_ENUM: return "enum";
	case MW_KIND_TYPEDEF: return "typedef";
	case MW_KIND_FUNCTION: return "function";
	case MW_KIND_QUALIFIER: return "qualifier";
	case MW_KIND_OTHER: return "other";
	}
	return "unknown";
}

/* Append " (kernel R)" (or " (DESCRIPTION)") to a not-found error. */
static struct mw_error *types_finish_error(const struct mw_types *t,
					   struct mw_error *err)
{
	if (!err || err == &mw_error_nomem || err->code != MW_ERR_NOT_FOUND)
		return err;
	char *msg;
	int r;
	if (t->release)
		r = asprintf(&msg, "%s (kernel %s)", err->message, t->release);
	else
		r = asprintf(&msg, "%s (%s)", err->message, t->description);
	if (r >= 0) {
		free(err->message);
		err->message = msg;
	}
	return err;
}

static struct mw_error *types_depth_error(const struct mw_types *t, mw_type_id id)
{
	return mw_error_create(MW_ERR_LIMIT,
			       "%s: type 0x%" PRIx64 " is nested more than %d deep (a loop in the type data?)",
			       t->description, id, MW_TYPES_MAX_DEPTH);
}

/* Describe id with its size computed. */
static struct mw_error *type_describe(struct mw_types *t, mw_type_id id,
				      unsigned depth, struct mw_type *ret)
{
	if (depth > MW_TYPES_MAX_DEPTH)
		return types_depth_error(t, id);
	struct mw_error *err = t->ops->describe(t, id, ret);
	if (err || ret->size != MW_SIZE_COMPUTE)
		return err;
	struct mw_type target;
	err = type_describe(t, ret->target, depth + 1, &target);
	if (err) {
		ret->size = 0;
		return err;
	}
	if (ret->kind == MW_KIND_ARRAY) {
		if (target.size && ret->nr_elements > UINT64_MAX / target.size) {
			ret->size = 0;
			return mw_error_create(MW_ERR_LIMIT, "%s: array type 0x%" PRIx64
					       " of %" PRIu64 " elements of %" PRIu64 " bytes is too large",
					       t->description, id, ret->nr_elements, target.size);
		}
		ret->size = ret->nr_elements * target.size;
	} else {
		ret->size = target.size;
	}
	return NULL;
}

static enum mw_name_ns kind_ns(enum mw_kind kind)
{
	switch (kind) {
	case MW_KIND_STRUCT: return MW_NS_STRUCT;
	case MW_KIND_UNION: return MW_NS_UNION;
	case MW_KIND_ENUM: return MW_NS_ENUM;
	default: return 0;
	}
}

/* Follow qualifiers (and typedefs if asked); complete a declaration. */
static struct mw_error *type_strip(struct mw_types *t, mw_type_id id,
				   bool typedefs, unsigned depth,
				   struct mw_type *ret)
{
	for (;;) {
		struct mw_error *err = type_describe(t, id, depth, ret);
		if (err)
			return err;
		if (ret->kind == MW_KIND_QUALIFIER ||
		    (typedefs && ret->kind == MW_KIND_TYPEDEF)) {
			if (++depth > MW_TYPES_MAX_DEPTH)
				return types_depth_error(t, id);
			id = ret->target;
			continue;
		}
		break;
	}
	enum mw_name_ns ns = kind_ns(ret->kind);
	if (typedefs && ret->incomplete && ret->name && ns) {
		mw_type_id full;
		struct mw_type desc;
		struct mw_error *err = t->ops->find(t, ns, ret->name, strlen(ret->name), &full);
		if (err) {
			mw_error_destroy(err);	/* stays a declaration */
			return NULL;
		}
		if (full != ret->id) {
			err = type_describe(t, full, depth + 1, &desc);
			if (err)
				return err;
			if (!desc.incomplete && desc.kind == ret->kind)
				*ret = desc;
		}
	}
	return NULL;
}

struct mw_error *mw_types_type(struct mw_types *t, mw_type_id id, struct mw_type *ret)
{
	return type_describe(t, id, 0, ret);
}

struct mw_error *mw_types_resolve(struct mw_types *t, mw_type_id id, struct mw_type *ret)
{
	return type_strip(t, id, true, 0, ret);
}

/* "struct page" and friends: which name spaces to try, in order. */
static size_t parse_type_name(const char *name, size_t len, const char **base,
			      size_t *base_len, enum mw_name_ns ns[5])
{
	static const struct {
		const char *word;
		enum mw_name_ns ns;
	} prefixes[] = {
		{ "struct", MW_NS_STRUCT },
		{ "union", MW_NS_UNION },
		{ "enum", MW_NS_ENUM },
		{ "typedef", MW_NS_TYPEDEF },
	};
	while (len && isspace((unsigned char)*name)) {
		name++;
		len--;
	}
	while (len && isspace((unsigned char)name[len - 1]))
		len--;
	for (size_t i = 0; i < MW_ARRAY_SIZE(prefixes); i++) {
		size_t wl = strlen(prefixes[i].word);
		if (len > wl && memcmp(name, prefixes[i].word, wl) == 0 &&
		    isspace((unsigned char)name[wl])) {
			name += wl;
			len -= wl;
			while (len && isspace((unsigned char)*name)) {
				name++;
				len--;
			}
			*base = name;
			*base_len = len;
			ns[0] = prefixes[i].ns;
			return 1;
		}
	}
	*base = name;
	*base_len = len;
	ns[0] = MW_NS_STRUCT;
	ns[1] = MW_NS_UNION;
	ns[2] = MW_NS_TYPEDEF;
	ns[3] = MW_NS_ENUM;
	ns[4] = MW_NS_BASE;
	return 5;
}

static struct mw_error *types_find_n(struct mw_types *t, const char *name,
				     size_t len, mw_type_id *ret)
{
	enum mw_name_ns ns[5];
	const char *base;
	size_t base_len;
	size_t n = parse_type_name(name, len, &base, &base_len, ns);
	if (base_len == 0)
		return mw_error_create(MW_ERR_USAGE, "empty type name");
	for (size_t i = 0; i < n; i++) {
		struct mw_error *err = t->ops->find(t, ns[i], base, base_len, ret);
		if (!err)
			return NULL;
		if (err->code != MW_ERR_NOT_FOUND)
			return err;
		mw_error_destroy(err);
	}
	return mw_error_create(MW_ERR_NOT_FOUND, "no type '%.*s'", (int)len, name);
}

struct mw_error *mw_types_find(struct mw_types *t, const char *name, mw_type_id *ret)
{
	return types_finish_error(t, types_find_n(t, name, strlen(name), ret));
}

struct mw_error *mw_types_sizeof(struct mw_types *t, const char *name, uint64_t *ret)
{
	mw_type_id id;
	struct mw_type desc;
	struct mw_error *err = types_find_n(t, name, strlen(name), &id);
	if (!err)
		err = type_strip(t, id, true, 0, &desc);
	if (!err && desc.incomplete)
		err = mw_error_create(MW_ERR_NOT_FOUND, "%s %s is only declared: its size is unknown",
				      mw_kind_name(desc.kind), desc.name ? desc.name : "(anonymous)");
	if (!err)
		*ret = desc.size;
	return types_finish_error(t, err);
}

/* "struct page", "union (anonymous)", "pointer" for messages. */
static void type_label(const struct mw_type *desc, char *buf, size_t size)
{
	if (desc->name)
		snprintf(buf, size, "%s %s", mw_kind_name(desc->kind), desc->name);
	else
		snprintf(buf, size, "anonymous %s", mw_kind_name(desc->kind));
}

/* Finding a member by name, directly or inside anonymous members. */
struct member_search {
	struct mw_types *t;
	const char *name;
	size_t len;
	unsigned depth;
	size_t *budget;
	uint64_t base_bits;	/* offset of the struct being walked */
	bool found;
	struct mw_member_raw result;	/* bit_offset from the outermost struct */
	struct mw_error *err;
};

static struct mw_error *member_search_in(struct member_search *s, mw_type_id id);

static bool member_search_cb(const struct mw_member_raw *m, void *arg)
{
	struct member_search *s = arg;
	if (*s->budget == 0) {
		s->err = mw_error_create(MW_ERR_LIMIT, "%s: more than %d members visited looking for '%.*s'",
					 s->t->description, MEMBER_VISIT_BUDGET,
					 (int)s->len, s->name);
		return true;
	}
	(*s->budget)--;
	if (m->name) {
		if (strlen(m->name) == s->len && memcmp(m->name, s->name, s->len) == 0) {
			s->found = true;
			s->result = *m;
			s->result.bit_offset += s->base_bits;
			return true;
		}
		return false;
	}
	/* anonymous: look inside if it is a struct or union */
	struct mw_type desc;
	struct mw_error *err = type_strip(s->t, m->type, true, s->depth + 1, &desc);
	if (err) {
		s->err = err;
		return true;
	}
	if (desc.kind != MW_KIND_STRUCT && desc.kind != MW_KIND_UNION)
		return false;
	struct member_search inner = *s;
	inner.depth = s->depth + 1;
	inner.base_bits = s->base_bits + m->bit_offset;
	inner.found = false;
	inner.err = NULL;
	err = member_search_in(&inner, desc.id);
	if (err) {
		s->err = err;
		return true;
	}
	if (inner.found) {
		s->found = true;
		s->result = inner.result;
		return true;
	}
	return false;
}

static struct mw_error *member_search_in(struct member_search *s, mw_type_id id)
{
	if (s->depth > MW_TYPES_MAX_DEPTH)
		return types_depth_error(s->t, id);
	struct mw_error *err = s->t->ops->for_each_member(s->t, id, member_search_cb, s);
	return err ? err : s->err;
}

/* Walk "member[N].member..." from the type id; used by the public calls. */
static struct mw_error *member_walk(struct mw_types *t, mw_type_id id,
				    const char *path, const char *whole_path,
				    struct mw_member *ret)
{
	struct mw_type cur;
	struct mw_error *err = type_strip(t, id, true, 0, &cur);
	if (err)
		return err;
	uint64_t bits = 0;
	uint32_t bit_size = 0;
	mw_type_id declared = id;
	const char *last_name = NULL;
	const char *p = path;
	size_t budget = MEMBER_VISIT_BUDGET;
	char label[160];
	unsigned steps = 0;

	while (*p) {
		if (++steps > MW_TYPES_MAX_DEPTH)
			return mw_error_create(MW_ERR_LIMIT, "member path '%s' is too long", whole_path);
		size_t len = strcspn(p, ".[");
		if (len == 0)
			return mw_error_create(MW_ERR_USAGE, "bad member path '%s'", whole_path);
		if (cur.kind != MW_KIND_STRUCT && cur.kind != MW_KIND_UNION) {
			type_label(&cur, label, sizeof(label));
			return mw_error_create(MW_ERR_NOT_FOUND, "%s is not a struct or union: no member '%.*s' (in %s)",
					       label, (int)len, p, whole_path);
		}
		if (cur.incomplete) {
			type_label(&cur, label, sizeof(label));
			return mw_error_create(MW_ERR_NOT_FOUND, "%s is only declared: no member '%.*s' (in %s)",
					       label, (int)len, p, whole_path);
		}
		struct member_search s = {
			.t = t, .name = p, .len = len, .budget = &budget,
		};
		err = member_search_in(&s, cur.id);
		if (err)
			return err;
		if (!s.found) {
			type_label(&cur, label, sizeof(label));
			if (p == path && !strchr(p + len, '.') && !strchr(p + len, '['))
				return mw_error_create(MW_ERR_NOT_FOUND, "%s has no member '%.*s'",
						       label, (int)len, p);
			return mw_error_create(MW_ERR_NOT_FOUND, "%s has no member '%.*s' (in %s)",
					       label, (int)len, p, whole_path);
		}
		bits += s.result.bit_offset;
		bit_size = s.result.bit_size;
		declared = s.result.type;
		last_name = s.result.name;
		p += len;
		err = type_strip(t, declared, true, 0, &cur);
		if (err)
			return err;
		/* array indexes */
		while (*p == '[') {
			char *end;
			unsigned long long index = strtoull(p + 1, &end, 0);
			if (end == p + 1 || *end != ']')
				return mw_error_create(MW_ERR_USAGE, "bad array index in '%s'", whole_path);
			if (cur.kind != MW_KIND_ARRAY) {
				type_label(&cur, label, sizeof(label));
				return mw_error_create(MW_ERR_NOT_FOUND, "'%s' is a %s, not an array (in %s)",
						       last_name, label, whole_path);
			}
			if (cur.nr_elements && index >= cur.nr_elements)
				return mw_error_create(MW_ERR_NOT_FOUND, "index %llu is past the %" PRIu64
						       " elements of '%s' (in %s)", index,
						       cur.nr_elements, last_name, whole_path);
			struct mw_type elem;
			err = type_strip(t, cur.target, true, 0, &elem);
			if (err)
				return err;
			if (elem.size && index > (UINT64_MAX / 8 - bits / 8) / elem.size)
				return mw_error_create(MW_ERR_LIMIT, "index %llu is too large (in %s)",
						       index, whole_path);
			bits += index * elem.size * 8;
			declared = cur.target;
			bit_size = 0;
			cur = elem;
			p = end + 1;
			if (++steps > MW_TYPES_MAX_DEPTH)
				return mw_error_create(MW_ERR_LIMIT, "member path '%s' is too long", whole_path);
		}
		if (*p == '.')
			p++;
		else if (*p)
			return mw_error_create(MW_ERR_USAGE, "bad member path '%s'", whole_path);
	}
	if (!last_name)
		return mw_error_create(MW_ERR_USAGE, "member path '%s' names no member", whole_path);

	memset(ret, 0, sizeof(*ret));
	ret->name = last_name;
	ret->bit_offset = bits;
	ret->offset = bits / 8;
	ret->bit_size = bit_size;
	struct mw_type decl;
	err = type_strip(t, declared, false, 0, &decl);
	if (err)
		return err;
	ret->type = decl.id;
	ret->type_name = decl.name;
	ret->resolved = cur;
	ret->size = cur.size;
	if (cur.kind == MW_KIND_POINTER || cur.kind == MW_KIND_ARRAY) {
		struct mw_type target;
		err = type_strip(t, cur.target, true, 0, &target);
		if (err)
			return err;
		ret->target_size = target.size;
	}
	return NULL;
}

static struct mw_error *types_member(struct mw_types *t, const char *path,
				     struct mw_member *ret)
{
	size_t len = strcspn(path, ".");
	if (!path[len])
		return mw_error_create(MW_ERR_USAGE, "'%s' is not a member path (type.member)", path);
	if (len >= MW_TYPES_MAX_PATH)
		return mw_error_create(MW_ERR_USAGE, "type name too long in '%.40s...'", path);
	mw_type_id id;
	struct mw_error *err = types_find_n(t, path, len, &id);
	if (err)
		return err;
	return member_walk(t, id, path + len + 1, path, ret);
}

struct mw_error *mw_types_member(struct mw_types *t, const char *path,
				 struct mw_member *ret)
{
	return types_finish_error(t, types_member(t, path, ret));
}

struct mw_error *mw_types_member_of(struct mw_types *t, mw_type_id id,
				    const char *path, struct mw_member *ret)
{
	return types_finish_error(t, member_walk(t, id, path, path, ret));
}

struct mw_error *mw_types_offsetof(struct mw_types *t, const char *path, uint64_t *ret)
{
	struct mw_member m;
	struct mw_error *err = mw_types_member(t, path, &m);
	if (!err)
		*ret = m.offset;
	return err;
}

bool mw_types_has_member(struct mw_types *t, const char *path)
{
	struct mw_member m;
	struct mw_error *err = types_member(t, path, &m);
	mw_error_destroy(err);
	return !err;
}

struct mw_error *mw_types_for_each_member(struct mw_types *t, mw_type_id id,
					  mw_member_cb *cb, void *arg)
{
	struct mw_type desc;
	struct mw_error *err = type_strip(t, id, true, 0, &desc);
	if (err)
		return err;
	if (desc.kind != MW_KIND_STRUCT && desc.kind != MW_KIND_UNION)
		return mw_error_create(MW_ERR_USAGE, "type 0x%" PRIx64 " is a %s, not a struct or union",
				       id, mw_kind_name(desc.kind));
	return t->ops->for_each_member(t, desc.id, cb, arg);
}

struct mw_error *mw_types_for_each_enumerator(struct mw_types *t, mw_type_id id,
					      mw_enumerator_cb *cb, void *arg)
{
	struct mw_type desc;
	struct mw_error *err = type_strip(t, id, true, 0, &desc);
	if (err)
		return err;
	if (desc.kind != MW_KIND_ENUM)
		return mw_error_create(MW_ERR_USAGE, "type 0x%" PRIx64 " is a %s, not an enum",
				       id, mw_kind_name(desc.kind));
	return t->ops->for_each_enumerator(t, desc.id, cb, arg);
}

struct enum_search {
	const char *name;
	bool found;
	int64_t value;
};

static bool enum_search_cb(const char *name, int64_t value, void *arg)
{
	struct enum_search *s = arg;
	if (strcmp(name, s->name) != 0)
		return false;
	s->found = true;
	s->value = value;
	return true;
}

static struct mw_error *types_enum_value(struct mw_types *t, const char *enum_name,
					 size_t enum_len, const char *enumerator,
					 int64_t *ret)
{
	struct mw_error *err;
	mw_type_id id;
	struct mw_type desc;
	if (enum_name) {
		enum mw_name_ns ns[5];
		const char *base;
		size_t base_len;
		size_t n = parse_type_name(enum_name, enum_len, &base, &base_len, ns);
		if (n > 1) {	/* bare name: an enum, or a typedef of one */
			ns[0] = MW_NS_ENUM;
			ns[1] = MW_NS_TYPEDEF;
			n = 2;
		}
		err = NULL;
		for (size_t i = 0; i < n; i++) {
			mw_error_destroy(err);
			err = t->ops->find(t, ns[i], base, base_len, &id);
			if (!err || err->code != MW_ERR_NOT_FOUND)
				break;
		}
		if (err) {
			if (err->code != MW_ERR_NOT_FOUND)
				return err;
			mw_error_destroy(err);
			return mw_error_create(MW_ERR_NOT_FOUND, "no enum '%.*s'", (int)base_len, base);
		}
		if ((err = type_strip(t, id, true, 0, &desc)))
			return err;
		if (desc.kind != MW_KIND_ENUM)
			return mw_error_create(MW_ERR_NOT_FOUND, "'%.*s' is a %s, not an enum",
					       (int)base_len, base, mw_kind_name(desc.kind));
	} else {
		if ((err = t->ops->find_enumerator(t, enumerator, &id)))
			return err;
		if ((err = type_strip(t, id, true, 0, &desc)))
			return err;
	}
	struct enum_search s = { .name = enumerator };
	if ((err = t->ops->for_each_enumerator(t, desc.id, enum_search_cb, &s)))
		return err;
	if (!s.found) {
		if (enum_name)
			return mw_error_create(MW_ERR_NOT_FOUND, "enum %s has no enumerator '%s'",
					       desc.name ? desc.name : "(anonymous)", enumerator);
		return mw_error_create(MW_ERR_NOT_FOUND, "no enumerator '%s'", enumerator);
	}
	*ret = s.value;
	return NULL;
}

struct mw_error *mw_types_enum_value(struct mw_types *t, const char *enum_name,
				     const char *enumerator, int64_t *ret)
{
	return types_finish_error(t, types_enum_value(t, enum_name,
						      enum_name ? strlen(enum_name) : 0,
						      enumerator, ret));
}

/* Resolve one spec into its field; NOT_FOUND errors are for the caller. */
static struct mw_error *resolve_field(struct mw_types *t, const struct mw_field_spec *spec)
{
	struct mw_field *f = spec->out;
	struct mw_error *err;
	memset(f, 0, sizeof(*f));
	switch (spec->kind) {
	case MW_FIELD_KIND_MEMBER: {
		struct mw_member m;
		if ((err = types_member(t, spec->path, &m)))
			return err;
		f->offset = m.offset;
		f->size = m.size;
		f->bit_offset = m.bit_offset;
		f->bit_size = m.bit_size;
		f->nr_elements = m.resolved.kind == MW_KIND_ARRAY ? m.resolved.nr_elements : 0;
		f->target_size = m.target_size;
		f->kind = m.resolved.kind;
		f->type = m.type;
		break;
	}
	case MW_FIELD_KIND_SIZEOF: {
		mw_type_id id;
		struct mw_type desc;
		if ((err = types_find_n(t, spec->path, strlen(spec->path), &id)))
			return err;
		if ((err = type_strip(t, id, true, 0, &desc)))
			return err;
		if (desc.incomplete)
			return mw_error_create(MW_ERR_NOT_FOUND, "%s %s is only declared: its size is unknown",
					       mw_kind_name(desc.kind), spec->path);
		f->size = desc.size;
		f->kind = desc.kind;
		f->type = id;
		break;
	}
	case MW_FIELD_KIND_ENUM: {
		const char *dot = strrchr(spec->path, '.');
		if (dot)
			err = types_enum_value(t, spec->path, (size_t)(dot - spec->path),
					       dot + 1, &f->value);
		else
			err = types_enum_value(t, NULL, 0, spec->path, &f->value);
		if (err)
			return err;
		break;
	}
	default:
		return mw_error_create(MW_ERR_USAGE, "bad field spec kind %d for '%s'",
				       spec->kind, spec->path);
	}
	f->found = true;
	return NULL;
}

struct mw_error *mw_types_resolve_fields(struct mw_types *t,
					 const struct mw_field_spec *specs,
					 size_t nr_specs)
{
	struct mw_error *first = NULL;
	char *others = NULL;
	size_t nr_others = 0, others_len = 0;
	for (size_t i = 0; i < nr_specs; i++) {
		struct mw_error *err = resolve_field(t, &specs[i]);
		if (!err)
			continue;
		if (err->code != MW_ERR_NOT_FOUND) {
			mw_error_destroy(first);
			free(others);
			return types_finish_error(t, mw_error_prepend(err, "resolving %s", specs[i].path));
		}
		if (specs[i].flags & MW_FIELD_OPTIONAL) {
			mw_error_destroy(err);
			continue;
		}
		if (!first) {
			first = err;
			continue;
		}
		mw_error_destroy(err);
		/* list the other missing ones, a bounded number of them */
		nr_others++;
		if (nr_others > 8)
			continue;
		size_t add = strlen(specs[i].path) + 2;
		char *n = realloc(others, others_len + add + 1);
		if (!n)
			continue;
		others = n;
		snprintf(others + others_len, add + 1, "%s%s", others_len ? ", " : "", specs[i].path);
		others_len += strlen(others + others_len);
	}
	if (!first)
		return NULL;
	if (nr_others) {
		char *msg;
		if (asprintf(&msg, "%s; also missing: %s%s", first->message,
			     others ? others : "", nr_others > 8 ? ", ..." : "") >= 0) {
			free(first->message);
			first->message = msg;
		}
	}
	free(others);
	return types_finish_error(t, first);
}
