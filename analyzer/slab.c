/* memwhere: slab caches as /proc/slabinfo counts them (SLUB). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/cpus.h"
#include "analyzer/kread.h"
#include "analyzer/slab.h"
#include "analyzer/walk.h"
#include "common/grow.h"

enum {
	SLAB_RECLAIM_ACCOUNT_OLD = 0x00020000,	/* before enum _slab_flag_bits (6.9) */
	SLAB_ACCOUNT_OLD = 0x04000000,
	OO_SHIFT = 16,				/* kmem_cache_order_objects.x */
	OO_MASK = (1 << OO_SHIFT) - 1,
	MAX_NODES = 1024,			/* MAX_NUMNODES is at most 1 << 10 */
	MAX_ORDER_SANE = 12,
	SLAB_STRUCT_MAX = 256,			/* bytes of struct slab/page read at once */
};

/* One member of struct slab (or struct page): a bitfield or a plain integer. */
struct slab_member {
	uint64_t bit_offset;
	uint32_t bits;
};

struct layout {
	/* struct kmem_cache */
	struct mw_field list, name, flags, size, object_size, oo, max, node, cache_size,
		sheaf_capacity;
	uint64_t node_stride;		/* bytes from one node's pointer to the next */
	uint64_t node_nr;		/* entries of the node array (0: unknown) */
	/* struct kmem_cache_node */
	struct mw_field nr_partial, partial, nr_slabs, total_objects;
	/* struct slab, or struct page before 5.17 */
	uint64_t slab_list;		/* offset of the list_head on the partial list */
	uint64_t slab_struct_size;
	struct slab_member inuse, objects;
	uint64_t reclaim_flag, account_flag;
	const char *slab_type;
	/* node_states[N_NORMAL_MEMORY]: the nodes every cache has a node of */
	struct mw_field normal_memory, nodemask_size;
};

static struct slab_member member_of(const struct mw_field *f)
{
	struct slab_member m = { f->bit_offset, f->bit_size ? f->bit_size : (uint32_t)(f->size * 8) };
	return m;
}

static uint64_t member_get(const uint8_t *buf, size_t len, struct slab_member m)
{
	uint64_t byte = m.bit_offset / 8, shift = m.bit_offset % 8, v = 0;
	size_t n = (shift + m.bits + 7) / 8;
	if (n > 8 || byte + n > len)
		return 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)buf[byte + i] << (8 * i);
	v >>= shift;
	return m.bits >= 64 ? v : v & ((1ULL << m.bits) - 1);
}

/* The slab fields: struct slab since 5.17, struct page before. */
static struct mw_error *resolve_slab(struct mw_types *t, struct layout *L)
{
	struct mw_field list, inuse, objects, size;
	const char *type = "slab";
	if (!mw_types_has_member(t, "slab.inuse"))
		type = "page";
	char p_list[40], p_inuse[40], p_objects[40];
	snprintf(p_list, sizeof(p_list), "%s.slab_list", type);
	snprintf(p_inuse, sizeof(p_inuse), "%s.inuse", type);
	snprintf(p_objects, sizeof(p_objects), "%s.objects", type);
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER_OPT(p_list, &list),
		MW_FIELD_MEMBER(p_inuse, &inuse),
		MW_FIELD_MEMBER(p_objects, &objects),
		MW_FIELD_SIZEOF(type, &size),
	};
	struct mw_error *err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	if (!list.found) {
		/* before slab_list (5.2) the partial list ran through page.lru */
		struct mw_field lru;
		const struct mw_field_spec s2[] = { MW_FIELD_MEMBER("page.lru", &lru) };
		if ((err = mw_types_resolve_fields(t, s2, 1)))
			return err;
		list = lru;
	}
	L->slab_list = list.offset;
	L->slab_struct_size = size.size < SLAB_STRUCT_MAX ? size.size : SLAB_STRUCT_MAX;
	L->inuse = member_of(&inuse);
	L->objects = member_of(&objects);
	L->slab_type = strcmp(type, "slab") == 0 ? "struct slab" : "struct page";
	return NULL;
}

/*
 * The per-node pointers: kmem_cache.node[], an array of kmem_cache_node
 * pointers, or (7.1+) kmem_cache.per_node[], an array of structs whose
 * member node is that pointer (beside the node's barn).
 */
static struct mw_error *resolve_nodes(struct mw_types *t, struct layout *L)
{
	if (L->node.found) {
		L->node_stride = 8;
		L->node_nr = L->node.nr_elements;
		return NULL;
	}
	struct mw_field per_node, ptr;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER_OPT("kmem_cache.per_node", &per_node),
		MW_FIELD_MEMBER_OPT("kmem_cache_per_node_ptrs.node", &ptr),
	};
	struct mw_error *err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	if (!per_node.found || !ptr.found || per_node.kind != MW_KIND_ARRAY ||
	    per_node.target_size < ptr.offset + 8 || ptr.size != 8) {
		/* the message of a required member names both layouts */
		const struct mw_field_spec req[] = {
			MW_FIELD_MEMBER("kmem_cache.node", &L->node),
			MW_FIELD_MEMBER("kmem_cache.per_node", &per_node),
		};
		err = mw_types_resolve_fields(t, req, MW_ARRAY_SIZE(req));
		return err ? err : mw_error_create(MW_ERR_NOT_FOUND, "struct kmem_cache: per_node"
						  " is not an array of structs holding a node pointer");
	}
	L->node = per_node;
	L->node.offset = per_node.offset + ptr.offset;
	L->node_stride = per_node.target_size;
	L->node_nr = per_node.nr_elements;
	return NULL;
}

static struct mw_error *resolve(struct mw_types *t, struct layout *L)
{
	struct mw_field reclaim_bit, account_bit, kcn_size;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("kmem_cache.list", &L->list),
		MW_FIELD_MEMBER("kmem_cache.name", &L->name),
		MW_FIELD_MEMBER("kmem_cache.flags", &L->flags),
		MW_FIELD_MEMBER("kmem_cache.size", &L->size),
		MW_FIELD_MEMBER("kmem_cache.object_size", &L->object_size),
		MW_FIELD_MEMBER("kmem_cache.oo", &L->oo),
		MW_FIELD_MEMBER_OPT("kmem_cache.max", &L->max),
		MW_FIELD_MEMBER_OPT("kmem_cache.sheaf_capacity", &L->sheaf_capacity),
		MW_FIELD_MEMBER_OPT("kmem_cache.node", &L->node),
		MW_FIELD_SIZEOF_OPT("kmem_cache", &L->cache_size),
		MW_FIELD_MEMBER("kmem_cache_node.nr_partial", &L->nr_partial),
		MW_FIELD_MEMBER("kmem_cache_node.partial", &L->partial),
		/* CONFIG_SLUB_DEBUG: without it the kernel has no /proc/slabinfo totals */
		MW_FIELD_MEMBER("kmem_cache_node.nr_slabs", &L->nr_slabs),
		MW_FIELD_MEMBER("kmem_cache_node.total_objects", &L->total_objects),
		MW_FIELD_SIZEOF_OPT("kmem_cache_node", &kcn_size),
		MW_FIELD_ENUM_OPT("node_states.N_NORMAL_MEMORY", &L->normal_memory),
		MW_FIELD_SIZEOF_OPT("nodemask_t", &L->nodemask_size),
		MW_FIELD_ENUM_OPT("_slab_flag_bits._SLAB_RECLAIM_ACCOUNT", &reclaim_bit),
		MW_FIELD_ENUM_OPT("_slab_flag_bits._SLAB_ACCOUNT", &account_bit),
	};
	struct mw_error *err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	if ((err = resolve_nodes(t, L)))
		return err;
	L->reclaim_flag = reclaim_bit.found && reclaim_bit.value >= 0 && reclaim_bit.value < 32 ?
		1ULL << reclaim_bit.value : SLAB_RECLAIM_ACCOUNT_OLD;
	L->account_flag = account_bit.found && account_bit.value >= 0 && account_bit.value < 32 ?
		1ULL << account_bit.value : SLAB_ACCOUNT_OLD;
	return resolve_slab(t, L);
}

struct ctx {
	struct mw_kernel *k;
	struct mw_warnings *w;
	const struct layout *L;
	uint32_t nr_nodes;
	uint64_t ram;
	uint64_t page_size;
	/* nodes with normal memory: SLUB gives each of them a kmem_cache_node
	 * in every cache (init_kmem_cache_nodes over slab_nodes) */
	uint64_t memory_nodes[MAX_NODES / 64];
};

/* Free objects on one node's partial list (the kernel's count_partial). */
static struct mw_error *count_partial(struct ctx *c, struct mw_slab_cache_info *ci,
				      uint64_t node, uint32_t max_objects,
				      uint64_t *free_ret)
{
	const struct layout *L = c->L;
	uint64_t head = node + L->partial.offset, next, free = 0;
	uint8_t buf[SLAB_STRUCT_MAX];
	struct mw_error *err = mw_kread_u64(c->k, head, &next);
	struct mw_list_walk lw;
	/* every slab on the list is at least one page of RAM */
	mw_list_walk_init(&lw, head, mw_walk_cap(c->ram, c->page_size));
	bool over_warned = false;
	while (!err) {
		enum mw_list_step st = mw_list_walk_next(&lw, next);
		if (st == MW_LIST_END)
			break;
		if (st != MW_LIST_NODE) {
			err = mw_list_walk_error(&lw, st, next, "partial", "slabs");
			break;
		}
		uint64_t slab = next - L->slab_list;
		if ((err = mw_kernel_read(c->k, slab, buf, L->slab_struct_size)))
			break;
		uint64_t inuse = member_get(buf, sizeof(buf), L->inuse);
		uint64_t objects = member_get(buf, sizeof(buf), L->objects);
		if ((max_objects && objects > max_objects) || inuse > objects) {
			if (!over_warned)
				mw_warn(c->w, "slab cache %s: slab at 0x%" PRIx64 " has %" PRIu64
					" objects in use of %" PRIu64 " (the cache holds at most %"
					PRIu32 " per slab): its free objects are not counted",
					ci->name, slab, inuse, objects, max_objects);
			over_warned = true;
			ci->incomplete = true;
		} else {
			free += objects - inuse;
		}
		ci->partial_slabs++;
		memcpy(&next, buf + L->slab_list, sizeof(next));
	}
	*free_ret = free;
	return err;
}

static struct mw_error *read_cache(struct ctx *c, uint64_t cache,
				   struct mw_slab_cache_info *ci)
{
	const struct layout *L = c->L;
	struct mw_error *err;
	uint64_t nptr = 0, flags = 0, oo = 0, max = 0, capacity = 0;
	memset(ci, 0, sizeof(*ci));
	ci->addr = cache;
	struct mw_error *ne = mw_kread_u64(c->k, cache + L->name.offset, &nptr);
	if (ne) {	/* an unreadable name pointer: the cache is named by address */
		mw_error_destroy(ne);
		nptr = 0;
	}
	struct mw_error *se = nptr ? mw_kread_string(c->k, nptr, ci->name, sizeof(ci->name)) : NULL;
	if (!nptr || se) {
		/* every cache has a name: the kernel sets it before listing it */
		snprintf(ci->name, sizeof(ci->name), "(cache 0x%" PRIx64 ")", cache);
		mw_warn(c->w, "slab cache at 0x%" PRIx64 ": its name (kmem_cache.name 0x%" PRIx64
			") cannot be read; named by its address", cache, nptr);
		mw_error_destroy(se);
	}
	if ((err = mw_kread_uint(c->k, cache + L->flags.offset, L->flags.size, &flags)) ||
	    (err = mw_kread_uint(c->k, cache + L->size.offset, L->size.size, &ci->size)) ||
	    (err = mw_kread_uint(c->k, cache + L->object_size.offset, L->object_size.size,
				 &ci->object_size)) ||
	    (err = mw_kread_uint(c->k, cache + L->oo.offset, 4, &oo)) ||
	    (L->max.found && (err = mw_kread_uint(c->k, cache + L->max.offset, 4, &max))) ||
	    (L->sheaf_capacity.found &&
	     (err = mw_kread_uint(c->k, cache + L->sheaf_capacity.offset, 4, &capacity))))
		return err;
	ci->sheaf_capacity = (uint32_t)capacity;
	ci->reclaimable = (flags & L->reclaim_flag) != 0;
	ci->accounted = (flags & L->account_flag) != 0 ||
		strncmp(ci->name, "kmalloc-cg-", 11) == 0;
	uint32_t order = (uint32_t)(oo >> OO_SHIFT);
	ci->objects_per_slab = (uint32_t)(oo & OO_MASK);
	if (order > MAX_ORDER_SANE) {
		mw_warn(c->w, "slab cache %s: order %" PRIu32 " in kmem_cache.oo (0x%" PRIx64
			"): its bytes are not counted", ci->name, order, oo);
		ci->incomplete = true;
		order = 0;
	}
	ci->pages_per_slab = 1u << order;
	/* SLUB lays objects of size bytes (object_size and metadata) in its
	 * slabs: more than fit is a corrupt cache */
	if (!ci->size || ci->object_size > ci->size ||
	    (uint64_t)ci->size * ci->objects_per_slab >
		    (uint64_t)ci->pages_per_slab * c->page_size) {
		mw_warn(c->w, "slab cache %s: object size %" PRIu64 " (kmem_cache.size %" PRIu64
			") and %" PRIu32 " objects do not fit its slab of %" PRIu32 " pages",
			ci->name, ci->object_size, ci->size, ci->objects_per_slab,
			ci->pages_per_slab);
		ci->incomplete = true;
	}
	uint32_t max_objects = (uint32_t)((max ? max : oo) & OO_MASK);

	uint32_t nr = c->nr_nodes;
	if (nr > L->node_nr && L->node_nr)
		nr = (uint32_t)L->node_nr;
	uint64_t total_free = 0;
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t n = 0, slabs = 0, objs = 0, free = 0;
		if ((err = mw_kread_u64(c->k, cache + L->node.offset + i * L->node_stride, &n)))
			return err;
		if (!n && (c->memory_nodes[i / 64] >> (i % 64) & 1)) {
			mw_warn(c->w, "slab cache %s: node %" PRIu32 " pointer is NULL, but the"
				" node has memory; its slabs are not counted", ci->name, i);
			ci->incomplete = true;
		}
		if (!n)
			continue;
		if (!mw_kptr_ok(n, 8)) {
			mw_warn(c->w, "slab cache %s: node %" PRIu32 " pointer 0x%" PRIx64
				" is not a kernel address", ci->name, i, n);
			ci->incomplete = true;
			continue;
		}
		struct mw_error *e;
		if ((e = mw_kread_u64(c->k, n + L->nr_slabs.offset, &slabs)) ||
		    (e = mw_kread_u64(c->k, n + L->total_objects.offset, &objs))) {
			mw_warn_error(c->w, e, "slab cache node");
			ci->incomplete = true;
			continue;
		}
		/* signed counters: a negative or absurd one is corrupt */
		uint64_t ram_pages = c->ram / c->page_size + 1;
		if (slabs > ram_pages || objs > ram_pages * (c->page_size / 8)) {
			mw_warn(c->w, "slab cache %s: node %" PRIu32 " claims %" PRIu64
				" slabs and %" PRIu64 " objects, more than the dump's RAM holds;"
				" not counted", ci->name, i, slabs, objs);
			ci->incomplete = true;
			continue;
		}
		if ((e = count_partial(c, ci, n, max_objects, &free))) {
			char what[MW_SLAB_NAME_MAX + 96];
			snprintf(what, sizeof(what), "slab cache %s: node %" PRIu32
				 " (free objects counted up to the break)", ci->name, i);
			mw_warn_error(c->w, e, what);
			ci->incomplete = true;
		}
		ci->slabs += slabs;
		ci->objects_total += objs;
		total_free += free;
	}
	if (total_free > ci->objects_total) {
		mw_warn(c->w, "slab cache %s: %" PRIu64 " free objects on the partial lists,"
			" more than its %" PRIu64 " objects", ci->name, total_free,
			ci->objects_total);
		ci->incomplete = true;
		total_free = ci->objects_total;
	}
	ci->objects_active = ci->objects_total - total_free;
	ci->bytes = ci->slabs * ci->pages_per_slab * c->page_size;
	return NULL;
}

/* c->memory_nodes: node_states[N_NORMAL_MEMORY] below nr_node_ids; node 0
 * alone when the mask cannot be read and there is one node. */
static void read_memory_nodes(struct mw_kernel *k, const struct layout *L, struct ctx *c)
{
	memset(c->memory_nodes, 0, sizeof(c->memory_nodes));
	uint64_t states;
	struct mw_error *e = NULL;
	if (L->normal_memory.found && L->nodemask_size.found && L->normal_memory.value >= 0 &&
	    L->normal_memory.value < 64 && L->nodemask_size.size >= 8 &&
	    !(e = mw_kernel_symbol(k, "node_states", &states))) {
		size_t len = L->nodemask_size.size < sizeof(c->memory_nodes) ?
			L->nodemask_size.size : sizeof(c->memory_nodes);
		e = mw_kernel_read(k, states + (uint64_t)L->normal_memory.value *
				   L->nodemask_size.size, c->memory_nodes, len & ~(size_t)7);
	} else if (c->nr_nodes == 1) {
		c->memory_nodes[0] = 1;
	}
	if (e) {
		memset(c->memory_nodes, 0, sizeof(c->memory_nodes));
		if (c->nr_nodes == 1)
			c->memory_nodes[0] = 1;
	}
	mw_error_destroy(e);
	/* nodes beyond nr_node_ids have no pointer to check */
	for (uint32_t i = c->nr_nodes; i < MAX_NODES; i++)
		c->memory_nodes[i / 64] &= ~(1ULL << (i % 64));
}

static int cmp_bytes(const void *a, const void *b)
{
	const struct mw_slab_cache_info *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void read_dentry_state(struct mw_kernel *k, struct mw_warnings *w,
			      struct mw_dentry_state *d);

struct mw_error *mw_slab_analyze(struct mw_kernel *k, struct mw_warnings *w,
				 struct mw_slab *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct layout L;
	struct mw_error *err = resolve(k->types, &L);
	if (err)
		return mw_error_prepend(err, "slab caches");
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	struct ctx c = { .k = k, .w = w, .L = &L, .ram = info->total_bytes,
			 .page_size = k->vm.page_size };
	uint32_t nr_nodes = 1;
	struct mw_error *e = mw_kread_sym_u32(k, "nr_node_ids", &nr_nodes);
	if (e) {
		mw_error_destroy(e);	/* !CONFIG_NUMA: one node */
		nr_nodes = 1;
	}
	if (nr_nodes == 0 || nr_nodes > MAX_NODES) {
		mw_warn(w, "slab caches: nr_node_ids is %" PRIu32 " (taken as 1)", nr_nodes);
		nr_nodes = 1;
	}
	c.nr_nodes = nr_nodes;
	read_memory_nodes(k, &L, &c);

	uint64_t head, next;
	if ((err = mw_kernel_symbol(k, "slab_caches", &head)) ||
	    (err = mw_kread_u64(k, head, &next)))
		return mw_error_prepend(err, "slab caches");
	size_t cap = 0;
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(c.ram, L.cache_size.found ?
						 L.cache_size.size : 0));
	for (;;) {
		enum mw_list_step st = mw_list_walk_next(&lw, next);
		if (st == MW_LIST_END)
			break;
		if (st != MW_LIST_NODE) {
			err = mw_list_walk_error(&lw, st, next, "slab_caches", "caches");
			break;
		}
		struct mw_slab_cache_info *v = mw_grow(ret->caches, &cap, ret->nr, sizeof(*v), 256);
		if (!v) {
			mw_slab_deinit(ret);
			return &mw_error_nomem;
		}
		ret->caches = v;
		struct mw_slab_cache_info *ci = &ret->caches[ret->nr];
		if ((err = read_cache(&c, next - L.list.offset, ci)))
			break;
		ret->nr++;
		if ((err = mw_kread_u64(k, next, &next)))
			break;
	}
	if (err) {
		if (!ret->nr) {
			mw_slab_deinit(ret);
			return mw_error_prepend(err, "slab caches");
		}
		ret->incomplete = true;
		char what[120];
		snprintf(what, sizeof(what), "slab caches: %zu read before the slab_caches "
			 "list broke", ret->nr);
		mw_warn_error(w, err, what);
	}
	qsort(ret->caches, ret->nr, sizeof(*ret->caches), cmp_bytes);
	for (size_t i = 0; i < ret->nr; i++) {
		ret->total_bytes += ret->caches[i].bytes;
		if (ret->caches[i].reclaimable)
			ret->reclaimable_bytes += ret->caches[i].bytes;
	}
	ret->page_size = c.page_size;
	ret->layout = L.slab_type;
	read_dentry_state(k, w, &ret->dentry);
	/* merged names are a detail: a kernel without sysfs (or its types)
	 * just has none to show; a broken tree is a warning */
	if ((err = mw_slab_aliases_read(k, ret)) && err->code == MW_ERR_NOT_FOUND)
		mw_error_destroy(err);
	else if (err)
		mw_warn_error(w, err, "slab caches: merged cache names");
	return NULL;
}

/* Sum a per-CPU long over the possible CPUs. */
static struct mw_error *percpu_sum(struct mw_kernel *k, const struct mw_cpus *cpus,
				   const char *name, int64_t *ret)
{
	uint64_t addr;
	struct mw_error *err = mw_kernel_symbol(k, name, &addr);
	if (err)
		return err;
	int64_t sum = 0;
	for (unsigned i = 0; i < cpus->nr; i++) {
		uint64_t v;
		if ((err = mw_kread_u64(k, addr + cpus->offsets[i], &v)))
			return err;
		sum += (int64_t)v;
	}
	*ret = sum;
	return NULL;
}

static void read_dentry_state(struct mw_kernel *k, struct mw_warnings *w,
			      struct mw_dentry_state *d)
{
	struct mw_cpus cpus;
	struct mw_error *err = mw_cpus_read(k, &cpus);
	if (err) {
		mw_warn_error(w, err, "dentry counters");
		return;
	}
	if ((err = percpu_sum(k, &cpus, "nr_dentry", &d->nr_dentry)) ||
	    (err = percpu_sum(k, &cpus, "nr_dentry_unused", &d->nr_unused))) {
		/* static per-CPU symbols: absent from kallsyms without KALLSYMS_ALL */
		mw_error_destroy(err);
	} else {
		d->known = true;
		struct mw_error *e = percpu_sum(k, &cpus, "nr_dentry_negative", &d->nr_negative);
		d->negative_known = !e;
		mw_error_destroy(e);
	}
	mw_cpus_deinit(&cpus);
}

void mw_slab_deinit(struct mw_slab *s)
{
	free(s->caches);
	free(s->aliases);
	free(s->memcgs);
	memset(s, 0, sizeof(*s));
}

/* ---- findings ---- */

static const struct {
	const char *prefix;
	enum mw_slab_grower grower;
} growers[] = {
	{ "dentry", MW_SLAB_GROWER_DENTRY },
	{ "inode_cache", MW_SLAB_GROWER_INODES },
	{ "ext4_inode_cache", MW_SLAB_GROWER_INODES },
	{ "xfs_inode", MW_SLAB_GROWER_INODES },
	{ "xfs_ili", MW_SLAB_GROWER_INODES },
	{ "skbuff_", MW_SLAB_GROWER_SKBUFF },
	{ "kmalloc-", MW_SLAB_GROWER_KMALLOC },
	{ "radix_tree_node", MW_SLAB_GROWER_PAGE_CACHE_INDEX },
	{ "buffer_head", MW_SLAB_GROWER_BUFFER_HEADS },
	{ "task_struct", MW_SLAB_GROWER_TASKS },
	{ "signal_cache", MW_SLAB_GROWER_TASKS },
	{ "filp", MW_SLAB_GROWER_FILES },
	{ "sock_inode_cache", MW_SLAB_GROWER_SOCKETS },
	{ "TCP", MW_SLAB_GROWER_SOCKETS },
	{ "UDP", MW_SLAB_GROWER_SOCKETS },
	{ "vm_area_struct", MW_SLAB_GROWER_MAPPINGS },
};

struct mw_error *mw_slab_findings(const struct mw_slab *s, uint64_t total_ram,
				  struct mw_findings *out)
{
	for (size_t i = 0; i < s->nr; i++) {
		const struct mw_slab_cache_info *ci = &s->caches[i];
		/* out of proportion: a tenth of RAM, or half of all slab and 64 MiB */
		bool ram_share = total_ram && ci->bytes * 10 >= total_ram;
		bool slab_share = ci->bytes * 2 >= s->total_bytes && ci->bytes >= (64ULL << 20);
		if (!ram_share && !slab_share)
			continue;
		enum mw_severity sev = total_ram && ci->bytes * 4 >= total_ram ?
			MW_SEVERITY_CRITICAL : MW_SEVERITY_WARNING;
		struct mw_finding *f = mw_findings_add(out, MW_FINDING_SLAB_CACHE_LARGE, sev, ci->bytes);
		if (!f)
			return &mw_error_nomem;
		f->advice = MW_ADVICE_SLAB_CACHE;
		struct mw_finding_slab *e = &f->u.slab;
		e->cache = ci;
		e->percent_ram = total_ram ? 100.0 * (double)ci->bytes / (double)total_ram : 0;
		e->percent_slab = s->total_bytes ?
			100.0 * (double)ci->bytes / (double)s->total_bytes : 0;
		for (size_t j = 0; j < MW_ARRAY_SIZE(growers); j++)
			if (!strncmp(ci->name, growers[j].prefix, strlen(growers[j].prefix))) {
				e->grower = growers[j].grower;
				break;
			}
		if (e->grower == MW_SLAB_GROWER_DENTRY && s->dentry.known) {
			e->dentry_known = true;
			e->nr_dentry = s->dentry.nr_dentry;
			e->nr_unused = s->dentry.nr_unused;
			e->negative_known = s->dentry.negative_known;
			e->nr_negative = s->dentry.nr_negative;
		}
	}
	return NULL;
}
