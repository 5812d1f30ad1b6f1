/* memwhere: SLUB's merged caches, from the sysfs tree in the dump (see
 * slab.h, mw_slab_aliases_read).
 *
 * A cache SLUB may merge has a sysfs directory under a unique name
 * (":0000192", ":A-0000104") and a symlink from its own name to it; every
 * cache later merged into it (kmem_cache_create finding a compatible one)
 * only adds a symlink from its name. The directory of each cache is its
 * kobject's kernfs node (kmem_cache.kobj.sd); its parent is /sys/kernel/slab,
 * whose children (a red-black tree of kernfs nodes) hold the symlinks, each
 * naming its target node (kernfs_node.symlink.target_kn).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/slab.h"
#include "analyzer/walk.h"

enum {
	MAX_DEPTH = 96,		/* a red-black tree of 2^48 nodes is shallower */
	MAX_NAMES_PER_CACHE = 256,	/* Debian 6.12: 189 caches, 126 links */
	KERNFS_TYPE_MASK_OLD = 0x000f,
	KERNFS_LINK_OLD = 0x0004,
};

struct layout {
	struct mw_field cache_kobj, kobj_sd, kn_parent, kn_parent_new, kn_name, kn_rb, kn_dir,
		kn_symlink, kn_flags, dir_children, link_target, rb_left, rb_right, kn_size,
		type_link, type_mask;
};

struct sd_index {
	uint64_t sd;		/* kernfs_node of the cache's directory */
	size_t cache;		/* index in mw_slab.caches */
};

static int cmp_sd(const void *a, const void *b)
{
	const struct sd_index *x = a, *y = b;
	return x->sd < y->sd ? -1 : x->sd > y->sd;
}

static int cmp_alias(const void *a, const void *b)
{
	const struct mw_slab_alias *x = a, *y = b;
	if (x->cache != y->cache)
		return x->cache < y->cache ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct ctx {
	struct mw_kernel *k;
	const struct layout *L;
	struct mw_slab *s;
	struct sd_index *idx;
	size_t nr_idx, cap_aliases;
	uint64_t type_mask, type_link;
};

static struct mw_error *add_alias(struct ctx *c, size_t cache, const char *name)
{
	struct mw_slab *s = c->s;
	if (s->nr_aliases == c->cap_aliases) {
		size_t cap = c->cap_aliases ? c->cap_aliases * 2 : 64;
		struct mw_slab_alias *v = realloc(s->aliases, cap * sizeof(*v));
		if (!v)
			return &mw_error_nomem;
		s->aliases = v;
		c->cap_aliases = cap;
	}
	struct mw_slab_alias *a = &s->aliases[s->nr_aliases++];
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->cache = cache;
	return NULL;
}

/* One child of /sys/kernel/slab: a symlink to a cache's directory is an
 * alias of that cache unless it carries the cache's own name. */
static struct mw_error *visit(struct ctx *c, uint64_t kn)
{
	const struct layout *L = c->L;
	uint64_t flags = 0, name_ptr = 0, target = 0;
	struct mw_error *err;
	if ((err = mw_kread_uint(c->k, kn + L->kn_flags.offset, L->kn_flags.size, &flags)))
		return err;
	if ((flags & c->type_mask) != c->type_link)
		return NULL;
	if ((err = mw_kread_u64(c->k, kn + L->kn_name.offset, &name_ptr)) ||
	    (err = mw_kread_u64(c->k, kn + L->kn_symlink.offset + L->link_target.offset, &target)))
		return err;
	struct sd_index key = { .sd = target };
	const struct sd_index *hit = c->nr_idx ?
		bsearch(&key, c->idx, c->nr_idx, sizeof(key), cmp_sd) : NULL;
	if (!hit)
		return NULL;	/* a link to something else */
	char name[MW_SLAB_NAME_MAX];
	if ((err = mw_kread_string(c->k, name_ptr, name, sizeof(name))))
		return err;
	if (strcmp(name, c->s->caches[hit->cache].name) == 0)
		return NULL;
	return add_alias(c, hit->cache, name);
}

/* Every node of the children tree under root, depth first; bounded by cap
 * nodes and MAX_DEPTH levels. */
static struct mw_error *walk_children(struct ctx *c, uint64_t root, uint64_t cap)
{
	const struct layout *L = c->L;
	uint64_t stack[MAX_DEPTH];
	size_t depth = 0;
	uint64_t seen = 0;
	struct mw_error *err;
	if (root)
		stack[depth++] = root;
	while (depth) {
		uint64_t rb = stack[--depth], left = 0, right = 0;
		if (++seen > cap)
			return mw_error_at(MW_ERR_LIMIT, rb, "more than %" PRIu64
					   " entries (a loop?)", cap);
		if ((err = visit(c, rb - L->kn_rb.offset)) ||
		    (err = mw_kread_u64(c->k, rb + L->rb_left.offset, &left)) ||
		    (err = mw_kread_u64(c->k, rb + L->rb_right.offset, &right)))
			return err;
		if (depth + 2 > MAX_DEPTH)
			return mw_error_at(MW_ERR_BAD_DATA, rb, "its tree is deeper "
					   "than %d levels", MAX_DEPTH);
		if (left)
			stack[depth++] = left;
		if (right)
			stack[depth++] = right;
	}
	return NULL;
}

static struct mw_error *resolve(struct mw_types *t, struct layout *L)
{
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("kmem_cache.kobj", &L->cache_kobj),
		MW_FIELD_MEMBER("kobject.sd", &L->kobj_sd),
		MW_FIELD_MEMBER_OPT("kernfs_node.parent", &L->kn_parent),
		MW_FIELD_MEMBER_OPT("kernfs_node.__parent", &L->kn_parent_new),
		MW_FIELD_MEMBER("kernfs_node.name", &L->kn_name),
		MW_FIELD_MEMBER("kernfs_node.rb", &L->kn_rb),
		MW_FIELD_MEMBER("kernfs_node.dir", &L->kn_dir),
		MW_FIELD_MEMBER("kernfs_node.symlink", &L->kn_symlink),
		MW_FIELD_MEMBER("kernfs_node.flags", &L->kn_flags),
		MW_FIELD_MEMBER("kernfs_elem_dir.children", &L->dir_children),
		MW_FIELD_MEMBER("kernfs_elem_symlink.target_kn", &L->link_target),
		MW_FIELD_MEMBER("rb_node.rb_left", &L->rb_left),
		MW_FIELD_MEMBER("rb_node.rb_right", &L->rb_right),
		MW_FIELD_SIZEOF_OPT("kernfs_node", &L->kn_size),
		MW_FIELD_ENUM_OPT("kernfs_node_type.KERNFS_LINK", &L->type_link),
		MW_FIELD_ENUM_OPT("kernfs_node_flag.KERNFS_TYPE_MASK", &L->type_mask),
	};
	struct mw_error *err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	if (!L->kn_parent.found && !L->kn_parent_new.found)
		return mw_error_create(MW_ERR_NOT_FOUND, "struct kernfs_node has no parent "
				       "(nor __parent)");
	if (!L->kn_parent.found)
		L->kn_parent = L->kn_parent_new;
	if (L->kn_flags.size == 0 || L->kn_flags.size > 8)
		return mw_error_create(MW_ERR_BAD_DATA, "kernfs_node.flags of %" PRIu64 " bytes",
				       L->kn_flags.size);
	return NULL;
}

struct mw_error *mw_slab_aliases_read(struct mw_kernel *k, struct mw_slab *s)
{
	struct layout L;
	struct mw_error *err = resolve(k->types, &L);
	if (err)
		return err;
	struct ctx c = { .k = k, .L = &L, .s = s,
			 .type_mask = L.type_mask.found && L.type_mask.value > 0 ?
				      (uint64_t)L.type_mask.value : KERNFS_TYPE_MASK_OLD,
			 .type_link = L.type_link.found && L.type_link.value > 0 ?
				      (uint64_t)L.type_link.value : KERNFS_LINK_OLD };
	if (!s->nr)
		return NULL;
	if (!(c.idx = calloc(s->nr, sizeof(*c.idx))))
		return &mw_error_nomem;
	uint64_t slab_dir = 0;
	for (size_t i = 0; i < s->nr; i++) {
		uint64_t sd = 0, parent = 0;
		if (!mw_kread_ok(k, s->caches[i].addr + L.cache_kobj.offset + L.kobj_sd.offset,
				 &sd, sizeof(sd)) || !sd)
			continue;	/* no sysfs directory (yet): no aliases to find */
		if (!mw_kread_ok(k, sd + L.kn_parent.offset, &parent, sizeof(parent)) || !parent)
			continue;
		if (!slab_dir)
			slab_dir = parent;
		else if (parent != slab_dir)
			continue;	/* not under the same directory: not a slab cache's */
		c.idx[c.nr_idx].sd = sd;
		c.idx[c.nr_idx].cache = i;
		c.nr_idx++;
		/* the directory's own name: the unique id of a mergeable cache */
		uint64_t name_ptr;
		char nm[MW_SLAB_NAME_MAX];
		if (mw_kread_ok(k, sd + L.kn_name.offset, &name_ptr, sizeof(name_ptr))) {
			struct mw_error *e = mw_kread_string(k, name_ptr, nm, sizeof(nm));
			if (!e)
				snprintf(s->caches[i].sysfs_name, sizeof(s->caches[i].sysfs_name),
					 "%s", nm);
			mw_error_destroy(e);
		}
	}
	if (!slab_dir) {
		free(c.idx);
		return mw_error_create(MW_ERR_NOT_FOUND, "no slab cache has a sysfs directory");
	}
	qsort(c.idx, c.nr_idx, sizeof(*c.idx), cmp_sd);
	uint64_t root = 0;
	/* entries: what RAM can hold, and no more than MAX_NAMES_PER_CACHE
	 * names for every cache (a cache has its own and its aliases) */
	uint64_t cap = mw_walk_cap(mw_reader_info(k->reader)->total_bytes,
				   L.kn_size.found ? L.kn_size.size : 0);
	if (cap > (uint64_t)(s->nr + 1) * MAX_NAMES_PER_CACHE)
		cap = (uint64_t)(s->nr + 1) * MAX_NAMES_PER_CACHE;
	if (!(err = mw_kread_u64(k, slab_dir + L.kn_dir.offset + L.dir_children.offset, &root)))
		err = walk_children(&c, root, cap);
	free(c.idx);
	/* what was found stands even if the walk broke */
	s->aliases_known = true;
	s->aliases_complete = !err;
	if (s->nr_aliases)
		qsort(s->aliases, s->nr_aliases, sizeof(*s->aliases), cmp_alias);
	/* a tree that loops shows a link more than once: keep it once */
	size_t n = 0;
	for (size_t i = 0; i < s->nr_aliases; i++)
		if (!n || cmp_alias(&s->aliases[n - 1], &s->aliases[i]) != 0)
			s->aliases[n++] = s->aliases[i];
	s->nr_aliases = n;
	for (size_t i = 0; i < s->nr_aliases; i++) {
		struct mw_slab_cache_info *ci = &s->caches[s->aliases[i].cache];
		if (!ci->nr_aliases++)
			ci->first_alias = i;
	}
	return err ? mw_error_prepend(err, "/sys/kernel/slab in the dump") : NULL;
}
