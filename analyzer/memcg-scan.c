/* memwhere: charged_bytes of each memcg from the page walker (see memcg.h).
 *
 * Pages: the walker already sorts non-slab pages by the memcg their
 * memcg_data names (a struct mem_cgroup *, or through the obj_cgroup of a
 * MEMCG_DATA_KMEM page) into mw_pagescan.memcgs; they are taken from there.
 * Slab: objects are charged one by one. A slab page's memcg_data (slab.
 * memcg_data with MEMCG_DATA_OBJCGS, or slab.obj_exts with
 * MEMCG_DATA_OBJEXTS) points at a vector with one entry per object, the
 * object's obj_cgroup or NULL; this observer reads that vector for every
 * slab and charges each object as the kernel does: the cache's object size
 * plus one pointer (obj_full_size()).
 *
 * Where a slab's vector lives and how far apart its entries are: a separate
 * array of struct slabobj_ext (one entry per object), the slab's space after
 * its last object (same array), or (7.x, slab.obj_exts_in_object set) the
 * padding of each object, one entry every kmem_cache.size bytes; where the
 * slab has a stride member, the entries are that far apart. A slab whose
 * obj_exts_needs_objcg bit is clear holds no obj_cgroup pointers.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/memcg-scan.h"
#include "analyzer/slab-memcg.h"

enum {
	MAX_SLAB_OBJECTS = 1 << 15,	/* slab.objects is 15 bits */
	MAX_VECTOR_SPAN = 4 << 20,	/* bytes a slab's entries can span (its pages) */
	CACHE_SLOTS = 1024,		/* kmem_cache -> size, per thread */
};

/* A member of struct slab inside struct page's bytes (bits == 0: absent). */
struct slab_bit {
	uint32_t bit, bits;
};

struct mw_memcg_scan {
	struct mw_kernel *k;
	bool ok;			/* the slab layout is known */
	uint32_t objects_bit, objects_bits;	/* slab.objects bitfield */
	uint32_t page_size_bytes;	/* bytes of a struct page (event buffer) */
	uint32_t stride;		/* bytes per vector entry */
	uint32_t entry_objcg;		/* objcg's offset in an entry */
	uint32_t cache_size;		/* kmem_cache.size */
	struct slab_bit in_object;	/* slab.obj_exts_in_object (7.x) */
	struct slab_bit needs_objcg;	/* slab.obj_exts_needs_objcg (7.x) */
	struct slab_bit stride_member;	/* slab.stride, where it exists */
	struct mw_memcg_charges *charges;	/* merged */
	struct mw_slab_objcgs *by_cache;	/* merged, NULL: not asked */
	uint64_t slabs, objects, vectors_unreadable, vectors_excluded;
	uint64_t bad_size;		/* slabs that their cache's object size overfills */
	struct mw_error *err;		/* first failure of a merge */
};

struct tstate {
	struct mw_memcg_scan *s;
	struct mw_memcg_charges *charges;
	struct mw_slab_objcgs *by_cache;	/* NULL: not asked */
	uint64_t cache_key[CACHE_SLOTS];
	uint32_t cache_val[CACHE_SLOTS];
	uint8_t *buf;
	size_t buf_len;
	uint64_t slabs, objects, unreadable, excluded, bad_size;
	struct mw_error *err;
};

static struct slab_bit slab_bit_of(const struct mw_field *f, uint64_t page_size)
{
	struct slab_bit b = { 0, 0 };
	uint32_t bits = f->bit_size ? f->bit_size : (uint32_t)(f->size * 8);
	if (f->found && bits && bits <= 32 && f->bit_offset + bits <= page_size * 8) {
		b.bit = (uint32_t)f->bit_offset;
		b.bits = bits;
	}
	return b;
}

/* The value of a struct slab member from the page's bytes. */
static uint64_t slab_bit_get(const struct mw_memcg_scan *s, const uint8_t *page,
			     struct slab_bit b)
{
	uint64_t word = 0;
	uint32_t byte = b.bit / 8;
	uint32_t n = (s->page_size_bytes - byte) < 8 ? s->page_size_bytes - byte : 8;
	memcpy(&word, page + byte, n);
	return (word >> (b.bit % 8)) & ((1ULL << b.bits) - 1);
}

struct mw_error *mw_memcg_scan_create(struct mw_kernel *k, struct mw_warnings *w,
				      struct mw_memcg_scan **ret)
{
	struct mw_memcg_scan *s = calloc(1, sizeof(*s));
	struct mw_error *err;
	if (!s)
		return &mw_error_nomem;
	s->k = k;
	if ((err = mw_memcg_charges_create(&s->charges))) {
		free(s);
		return err;
	}
	struct mw_field objects, page_objects, page_size, ext_size, ext_objcg, ext_objcg2, ext_ctref,
		cache_size, in_object, needs_objcg, stride;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER_OPT("slab.objects", &objects),
		/* before struct slab (5.17) the count is in struct page */
		MW_FIELD_MEMBER_OPT("page.objects", &page_objects),
		MW_FIELD_SIZEOF("page", &page_size),
		MW_FIELD_SIZEOF_OPT("slabobj_ext", &ext_size),
		MW_FIELD_MEMBER_OPT("slabobj_ext.objcg", &ext_objcg),
		/* 7.x: a union of _objcg and _ctref, one or two per object */
		MW_FIELD_MEMBER_OPT("slabobj_ext._objcg", &ext_objcg2),
		MW_FIELD_MEMBER_OPT("slabobj_ext._ctref", &ext_ctref),
		MW_FIELD_MEMBER("kmem_cache.size", &cache_size),
		MW_FIELD_MEMBER_OPT("slab.obj_exts_in_object", &in_object),
		MW_FIELD_MEMBER_OPT("slab.obj_exts_needs_objcg", &needs_objcg),
		MW_FIELD_MEMBER_OPT("slab.stride", &stride),
	};
	err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (!err && !objects.found)
		objects = page_objects;
	if (!err && !objects.found)
		err = mw_error_create(MW_ERR_NOT_FOUND, "neither struct slab nor struct page "
				      "has a member 'objects'");
	if (err) {
		mw_warn_error(w, err, "memcg charges of slab objects not counted");
	} else if (!objects.bit_size || objects.bit_offset + objects.bit_size > page_size.size * 8 ||
		   page_size.size > 4096) {
		mw_warn(w, "memcg charges of slab objects not counted: slab.objects is not "
			"a bitfield inside struct page");
	} else {
		s->ok = true;
		s->objects_bit = (uint32_t)objects.bit_offset;
		s->objects_bits = objects.bit_size;
		s->page_size_bytes = (uint32_t)page_size.size;
		s->stride = ext_size.found ? (uint32_t)ext_size.size : 8;
		s->entry_objcg = ext_objcg.found ? (uint32_t)ext_objcg.offset :
			ext_objcg2.found ? (uint32_t)ext_objcg2.offset : 0;
		s->cache_size = (uint32_t)cache_size.offset;
		s->in_object = slab_bit_of(&in_object, page_size.size);
		s->needs_objcg = slab_bit_of(&needs_objcg, page_size.size);
		s->stride_member = slab_bit_of(&stride, page_size.size);
		if (s->stride < 8 || s->stride > 256 || s->entry_objcg + 8 > s->stride)
			s->ok = false;
		if (s->ok && ext_objcg2.found && ext_ctref.found) {
			/* with allocation profiling built in, an object's entries
			 * depend on whether profiling ran: not known here */
			mw_warn(w, "memcg charges of slab objects not counted: struct "
				"slabobj_ext holds allocation profiling tags too");
			s->ok = false;
		}
	}
	*ret = s;
	return NULL;
}

void mw_memcg_scan_destroy(struct mw_memcg_scan *s)
{
	if (!s)
		return;
	mw_memcg_charges_destroy(s->charges);
	mw_slab_objcgs_destroy(s->by_cache);
	mw_error_destroy(s->err);
	free(s);
}

static struct mw_error *thread_init(void *arg, unsigned thread, void **ret)
{
	(void)thread;
	struct tstate *t = calloc(1, sizeof(*t));
	if (!t)
		return &mw_error_nomem;
	t->s = arg;
	struct mw_error *err = mw_memcg_charges_create(&t->charges);
	if (!err && t->s->by_cache && (err = mw_slab_objcgs_create(&t->by_cache)))
		mw_memcg_charges_destroy(t->charges);
	if (err) {
		free(t);
		return err;
	}
	*ret = t;
	return NULL;
}

static uint32_t object_size(struct tstate *t, uint64_t cache)
{
	size_t i = (size_t)((cache >> 6) ^ (cache >> 16)) % CACHE_SLOTS;
	if (t->cache_key[i] == cache)
		return t->cache_val[i];
	uint32_t size = 0;
	struct mw_error *err = mw_kernel_read(t->s->k, cache + t->s->cache_size, &size,
					      sizeof(size));
	if (err) {
		mw_error_destroy(err);
		size = 0;
	}
	t->cache_key[i] = cache;
	t->cache_val[i] = size;
	return size;
}

static void on_page(void *arg, const struct mw_page_event *ev)
{
	struct tstate *t = arg;
	struct mw_memcg_scan *s = t->s;
	if (!s->ok || t->err || !(ev->memcg_data & 1) || !ev->slab_cache)
		return;
	uint64_t vec = ev->memcg_data & ~7ULL;
	if (!vec)
		return;
	struct slab_bit ob = { s->objects_bit, s->objects_bits };
	uint64_t objects = slab_bit_get(s, ev->page, ob);
	if (!objects || objects > MAX_SLAB_OBJECTS)
		return;
	if (s->needs_objcg.bits && !slab_bit_get(s, ev->page, s->needs_objcg))
		return;		/* allocation tags only, no obj_cgroup pointers */
	uint32_t size = object_size(t, ev->slab_cache);
	if (!size)
		return;
	/* the slab holds its objects: a bigger figure is a corrupt cache or
	 * slab, whose charges would be made up */
	if (objects * size > ev->nr_pages * s->k->vm.page_size) {
		t->bad_size++;
		return;
	}
	uint64_t stride = s->stride;
	if (s->in_object.bits && slab_bit_get(s, ev->page, s->in_object))
		stride = size;	/* one entry in each object's padding */
	else if (s->stride_member.bits && slab_bit_get(s, ev->page, s->stride_member))
		stride = slab_bit_get(s, ev->page, s->stride_member);
	/* in-object entries span at most the slab's pages */
	if (stride < s->entry_objcg + 8 || (objects - 1) * stride >= MAX_VECTOR_SPAN) {
		t->unreadable++;
		return;
	}
	size_t len = (size_t)((objects - 1) * stride + s->entry_objcg + 8);
	if (len > t->buf_len) {
		uint8_t *nb = realloc(t->buf, len);
		if (!nb) {
			t->err = &mw_error_nomem;
			return;
		}
		t->buf = nb;
		t->buf_len = len;
	}
	struct mw_error *err = mw_kernel_read(s->k, vec, t->buf, len);
	if (err) {
		if (err->code == MW_ERR_NOT_IN_DUMP)
			t->excluded++;
		else
			t->unreadable++;
		mw_error_destroy(err);
		return;
	}
	t->slabs++;
	for (uint64_t i = 0; i < objects; i++) {
		uint64_t objcg;
		memcpy(&objcg, t->buf + i * stride + s->entry_objcg, sizeof(objcg));
		if (!objcg)
			continue;
		t->objects++;
		/* obj_full_size(): the object and its obj_cgroup pointer */
		if ((err = mw_memcg_charge_objcg(t->charges, objcg, MW_CHARGE_SLAB,
						 (uint64_t)size + 8)) ||
		    (t->by_cache && (err = mw_slab_objcgs_add(t->by_cache, ev->slab_cache, objcg)))) {
			t->err = err;
			return;
		}
	}
}

static struct mw_error *thread_done(void *arg, unsigned thread, void *tstate)
{
	(void)thread;
	struct mw_memcg_scan *s = arg;
	struct tstate *t = tstate;
	struct mw_error *err = t->err;
	if (!err)
		err = mw_memcg_charges_merge(s->charges, t->charges);
	if (!err && t->by_cache)
		err = mw_slab_objcgs_merge(s->by_cache, t->by_cache);
	s->slabs += t->slabs;
	s->objects += t->objects;
	s->vectors_unreadable += t->unreadable;
	s->vectors_excluded += t->excluded;
	s->bad_size += t->bad_size;
	mw_memcg_charges_destroy(t->charges);
	mw_slab_objcgs_destroy(t->by_cache);
	free(t->buf);
	free(t);
	return err;
}

struct mw_error *mw_memcg_scan_by_cache(struct mw_memcg_scan *s)
{
	return s->by_cache ? NULL : mw_slab_objcgs_create(&s->by_cache);
}

const struct mw_slab_objcgs *mw_memcg_scan_cache_counts(const struct mw_memcg_scan *s)
{
	return s->ok ? s->by_cache : NULL;
}

void mw_memcg_scan_observer(struct mw_memcg_scan *s, struct mw_page_observer *ret)
{
	*ret = (struct mw_page_observer){
		.name = "memcg slab objects",
		.categories = MW_PAGE_CATEGORY_BIT(MW_PAGE_SLAB_RECLAIMABLE) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_SLAB_UNRECLAIMABLE),
		.arg = s,
		.thread_init = thread_init,
		.page = on_page,
		.thread_done = thread_done,
	};
}

static enum mw_charge_kind kind_of(enum mw_page_category c)
{
	switch (c) {
	case MW_PAGE_ANON: return MW_CHARGE_ANON;
	case MW_PAGE_FILE: return MW_CHARGE_FILE;
	case MW_PAGE_SHMEM: return MW_CHARGE_SHMEM;
	case MW_PAGE_SLAB_RECLAIMABLE:
	case MW_PAGE_SLAB_UNRECLAIMABLE: return MW_CHARGE_SLAB;
	case MW_PAGE_KERNEL_STACK:
	case MW_PAGE_PAGETABLES:
	case MW_PAGE_VMALLOC:
	case MW_PAGE_PERCPU:
	case MW_PAGE_SKB_FRAGS:
	case MW_PAGE_UNACCOUNTED: return MW_CHARGE_KERNEL;
	default: return MW_CHARGE_OTHER;
	}
}

struct mw_error *mw_memcg_scan_apply(struct mw_memcg_scan *s,
				     const struct mw_pagescan *ps,
				     struct mw_warnings *w, struct mw_memcg_tree *t)
{
	struct mw_error *err;
	for (size_t i = 0; i < ps->nr_memcgs; i++)
		for (int c = 0; c < MW_PAGE_NR_CATEGORIES; c++)
			if (ps->memcgs[i].pages[c] &&
			    (err = mw_memcg_charge_memcg(s->charges, ps->memcgs[i].memcg,
							 kind_of((enum mw_page_category)c),
							 ps->memcgs[i].pages[c] * ps->page_size)))
				return err;
	if (s->vectors_unreadable)
		mw_warn(w, "memcg charges: %" PRIu64 " slabs' object vectors unreadable",
			s->vectors_unreadable);
	if (s->bad_size)
		mw_warn(w, "memcg charges: %" PRIu64 " slabs hold fewer bytes than their objects "
			"times their cache's object size (kmem_cache.size): a corrupt cache or slab;"
			" their objects are not counted", s->bad_size);
	t->slab_vectors_not_in_dump = s->vectors_excluded;
	return mw_memcg_apply_charges(s->k, s->charges, w, t);
}
