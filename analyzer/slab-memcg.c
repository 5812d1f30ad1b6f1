/* memwhere: slab objects by cache and memory cgroup (see slab-memcg.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/slab-memcg.h"
#include "analyzer/kread.h"
#include "common/addr-map.h"
#include "common/grow.h"

struct cache_counts {
	uint64_t cache;			/* struct kmem_cache * */
	struct mw_addr_map idx;		/* objcg -> index */
	uint64_t *objcg, *count;
	size_t nr, cap;
};

struct mw_slab_objcgs {
	struct mw_addr_map idx;		/* cache -> index */
	struct cache_counts *v;
	size_t nr, cap;
};

struct mw_error *mw_slab_objcgs_create(struct mw_slab_objcgs **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? NULL : &mw_error_nomem;
}

void mw_slab_objcgs_destroy(struct mw_slab_objcgs *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nr; i++) {
		mw_addr_map_deinit(&t->v[i].idx);
		free(t->v[i].objcg);
		free(t->v[i].count);
	}
	mw_addr_map_deinit(&t->idx);
	free(t->v);
	free(t);
}

static struct mw_error *add_n(struct mw_slab_objcgs *t, uint64_t cache, uint64_t objcg,
			      uint64_t n)
{
	struct mw_error *err;
	bool added;
	if (!cache || !objcg)
		return NULL;
	const size_t *ci = mw_addr_map_find(&t->idx, cache);
	if (!ci) {
		if (t->nr == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 64;
			struct cache_counts *v = realloc(t->v, cap * sizeof(*v));
			if (!v)
				return &mw_error_nomem;
			t->v = v;
			t->cap = cap;
		}
		if ((err = mw_addr_map_insert(&t->idx, cache, t->nr, &added)))
			return err;
		memset(&t->v[t->nr], 0, sizeof(t->v[t->nr]));
		t->v[t->nr].cache = cache;
		ci = mw_addr_map_find(&t->idx, cache);
		t->nr++;
	}
	struct cache_counts *c = &t->v[*ci];
	const size_t *oi = mw_addr_map_find(&c->idx, objcg);
	if (oi) {
		c->count[*oi] += n;
		return NULL;
	}
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		uint64_t *o = realloc(c->objcg, cap * sizeof(*o));
		if (!o)
			return &mw_error_nomem;
		c->objcg = o;
		uint64_t *n2 = realloc(c->count, cap * sizeof(*n2));
		if (!n2)
			return &mw_error_nomem;
		c->count = n2;
		c->cap = cap;
	}
	if ((err = mw_addr_map_insert(&c->idx, objcg, c->nr, &added)))
		return err;
	c->objcg[c->nr] = objcg;
	c->count[c->nr] = n;
	c->nr++;
	return NULL;
}

struct mw_error *mw_slab_objcgs_add(struct mw_slab_objcgs *t, uint64_t cache, uint64_t objcg)
{
	return add_n(t, cache, objcg, 1);
}

struct mw_error *mw_slab_objcgs_merge(struct mw_slab_objcgs *dst,
				      const struct mw_slab_objcgs *src)
{
	struct mw_error *err;
	for (size_t i = 0; i < src->nr; i++)
		for (size_t j = 0; j < src->v[i].nr; j++)
			if ((err = add_n(dst, src->v[i].cache, src->v[i].objcg[j],
					 src->v[i].count[j])))
				return err;
	return NULL;
}

/* A (cache, memcg) row before the caches are re-ranked. */
struct row {
	uint64_t cache;			/* kmem_cache address */
	size_t memcg;			/* index in the tree */
	uint64_t objects;
	size_t rank;			/* the cache's index after re-ranking */
	uint64_t bytes;
};

static int cmp_cache_memcg(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->cache != y->cache)
		return x->cache < y->cache ? -1 : 1;
	return x->memcg < y->memcg ? -1 : x->memcg > y->memcg;
}

static int cmp_rank_bytes(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->memcg < y->memcg ? -1 : x->memcg > y->memcg;
}

static int cmp_memcg_bytes(const void *a, const void *b)
{
	const struct mw_slab_cache_info *x = a, *y = b;
	if (x->memcg_bytes != y->memcg_bytes)
		return x->memcg_bytes > y->memcg_bytes ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct mw_error *mw_slab_memcg_split(struct mw_kernel *k, const struct mw_slab_objcgs *t,
				     const struct mw_memcg_tree *tree, size_t top,
				     struct mw_warnings *w, struct mw_slab *s)
{
	struct mw_error *err = NULL;
	struct mw_addr_map caches = { 0 }, objcg_memcg = { 0 };
	struct row *rows = NULL;
	size_t nr = 0, cap = 0, bad_caches = 0, bad_objcgs = 0;
	uint64_t off;
	bool added;
	if ((err = mw_types_offsetof(k->types, "obj_cgroup.memcg", &off)))
		return mw_error_prepend(err, "slab objects by memcg");
	for (size_t i = 0; i < s->nr; i++)
		if ((err = mw_addr_map_insert(&caches, s->caches[i].addr, i, &added)))
			goto out;
	for (size_t i = 0; i < t->nr; i++) {
		const struct cache_counts *c = &t->v[i];
		bool known = mw_addr_map_find(&caches, c->cache) != NULL;
		for (size_t j = 0; j < c->nr; j++) {
			if (!known) {
				s->memcg_objects_unattributed += c->count[j];
				bad_caches++;
				continue;
			}
			/* objcg -> memcg (+1: 0 in the map means unknown) */
			const size_t *m = mw_addr_map_find(&objcg_memcg, c->objcg[j]);
			size_t mi;
			if (m) {
				mi = *m;
			} else {
				uint64_t memcg = 0;
				ptrdiff_t f = -1;
				if (mw_kread_ok(k, c->objcg[j] + off, &memcg, sizeof(memcg)))
					f = mw_memcg_find_addr(tree, memcg);
				mi = f >= 0 ? (size_t)f + 1 : 0;
				if ((err = mw_addr_map_insert(&objcg_memcg, c->objcg[j], mi, &added)))
					goto out;
			}
			if (!mi) {
				s->memcg_objects_unattributed += c->count[j];
				bad_objcgs++;
				continue;
			}
			if (!mw_memcg_in_subtree(tree, mi - 1, top))
				continue;
			struct row *v = mw_grow(rows, &cap, nr, sizeof(*v), 256);
			if (!v) {
				err = &mw_error_nomem;
				goto out;
			}
			rows = v;
			rows[nr++] = (struct row){ .cache = c->cache, .memcg = mi - 1,
						   .objects = c->count[j] };
		}
	}
	if (bad_caches)
		mw_warn(w, "slab objects by memcg: %zu cache/obj_cgroup pairs name a kmem_cache"
			" not on the slab_caches list (not attributed)", bad_caches);
	if (bad_objcgs)
		mw_warn(w, "slab objects by memcg: %zu obj_cgroups whose memcg could not be"
			" read or is not in the tree (not attributed)", bad_objcgs);
	/* one row per (cache, memcg): reparented obj_cgroups share a memcg */
	if (nr)
		qsort(rows, nr, sizeof(*rows), cmp_cache_memcg);
	size_t n = 0;
	for (size_t i = 0; i < nr; i++) {
		if (n && rows[n - 1].cache == rows[i].cache && rows[n - 1].memcg == rows[i].memcg)
			rows[n - 1].objects += rows[i].objects;
		else
			rows[n++] = rows[i];
	}
	nr = n;
	for (size_t i = 0; i < nr; i++) {
		struct mw_slab_cache_info *ci = &s->caches[*mw_addr_map_find(&caches, rows[i].cache)];
		/* obj_full_size(): the object and its obj_cgroup pointer */
		rows[i].bytes = rows[i].objects * (ci->size + 8);
		ci->memcg_objects += rows[i].objects;
		ci->memcg_bytes += rows[i].bytes;
		s->memcg_objects += rows[i].objects;
		s->memcg_bytes += rows[i].bytes;
	}
	/* re-rank the caches by the subtree's bytes; the aliases follow */
	qsort(s->caches, s->nr, sizeof(*s->caches), cmp_memcg_bytes);
	mw_addr_map_deinit(&caches);
	memset(&caches, 0, sizeof(caches));
	for (size_t i = 0; i < s->nr; i++) {
		if ((err = mw_addr_map_insert(&caches, s->caches[i].addr, i, &added)))
			goto out;
		for (size_t a = 0; a < s->caches[i].nr_aliases; a++)
			if (s->caches[i].first_alias + a < s->nr_aliases)
				s->aliases[s->caches[i].first_alias + a].cache = i;
	}
	for (size_t i = 0; i < nr; i++)
		rows[i].rank = *mw_addr_map_find(&caches, rows[i].cache);
	if (nr)
		qsort(rows, nr, sizeof(*rows), cmp_rank_bytes);
	if (nr && !(s->memcgs = calloc(nr, sizeof(*s->memcgs)))) {
		err = &mw_error_nomem;
		goto out;
	}
	for (size_t i = 0; i < nr; i++) {
		struct mw_slab_cache_info *ci = &s->caches[rows[i].rank];
		if (!ci->nr_memcgs)
			ci->first_memcg = i;
		ci->nr_memcgs++;
		s->memcgs[i] = (struct mw_slab_memcg){
			.memcg = tree->memcgs[rows[i].memcg].addr,
			.path = tree->memcgs[rows[i].memcg].path,
			.objects = rows[i].objects, .bytes = rows[i].bytes };
	}
	s->nr_memcgs = nr;
	s->memcg_split = true;
	s->memcg_top = tree->memcgs[top].path;
out:
	mw_addr_map_deinit(&caches);
	mw_addr_map_deinit(&objcg_memcg);
	free(rows);
	return err;
}
