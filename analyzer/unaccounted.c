/* memwhere: what is known about the "unaccounted" pages (unaccounted.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/unaccounted.h"

struct mw_unaccounted_scan {
	uint32_t page_size;		/* sizeof(struct page) */
	uint32_t off_refcount, off_mapcount, off_mapping, off_private;
	bool has_mapcount, page_owner;
	struct mw_unaccounted sum;
};

struct tstate {
	struct mw_unaccounted_scan *s;
	struct mw_unaccounted c;
};

const char *mw_unacc_mapping_name(enum mw_unacc_mapping m)
{
	switch (m) {
	case MW_UNACC_MAPPING_NONE: return "none";
	case MW_UNACC_MAPPING_ANON: return "anon";
	case MW_UNACC_MAPPING_MOVABLE: return "movable";
	case MW_UNACC_MAPPING_KSM: return "ksm";
	case MW_UNACC_MAPPING_ADDRESS_SPACE: return "address_space";
	default: return "?";
	}
}

struct mw_error *mw_unaccounted_scan_create(struct mw_kernel *k,
					    struct mw_unaccounted_scan **ret)
{
	struct mw_field size, refcount, mapcount, mapping, private;
	const struct mw_field_spec spec[] = {
		MW_FIELD_SIZEOF("page", &size),
		MW_FIELD_MEMBER("page._refcount", &refcount),
		MW_FIELD_MEMBER_OPT("page._mapcount", &mapcount),
		MW_FIELD_MEMBER("page.mapping", &mapping),
		MW_FIELD_MEMBER("page.private", &private),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return mw_error_prepend(err, "unaccounted pages");
	if (size.size > 4096 || refcount.offset + 4 > size.size ||
	    mapping.offset + 8 > size.size || private.offset + 8 > size.size ||
	    (mapcount.found && mapcount.offset + 4 > size.size))
		return mw_error_create(MW_ERR_BAD_DATA, "unaccounted pages: struct page members "
				       "outside its %" PRIu64 " bytes", size.size);
	struct mw_unaccounted_scan *s = calloc(1, sizeof(*s));
	if (!s)
		return &mw_error_nomem;
	s->page_size = (uint32_t)size.size;
	s->off_refcount = (uint32_t)refcount.offset;
	s->off_mapping = (uint32_t)mapping.offset;
	s->off_private = (uint32_t)private.offset;
	s->has_mapcount = mapcount.found;
	s->off_mapcount = (uint32_t)mapcount.offset;
	s->page_owner = mw_types_has_member(k->types, "page_owner.order");
	*ret = s;
	return NULL;
}

void mw_unaccounted_scan_destroy(struct mw_unaccounted_scan *s)
{
	free(s);
}

static struct mw_error *thread_init(void *arg, unsigned thread, void **ret)
{
	(void)thread;
	struct tstate *t = calloc(1, sizeof(*t));
	if (!t)
		return &mw_error_nomem;
	t->s = arg;
	*ret = t;
	return NULL;
}

static uint64_t get(const uint8_t *p, uint32_t off, size_t n)
{
	uint64_t v = 0;
	memcpy(&v, p + off, n);	/* little-endian hosts and dumps only (x86_64, arm64) */
	return v;
}

static void on_page(void *arg, const struct mw_page_event *ev)
{
	struct tstate *t = arg;
	const struct mw_unaccounted_scan *s = t->s;
	struct mw_unaccounted *c = &t->c;
	uint64_t nr = ev->nr_pages;
	if (ev->category != MW_PAGE_UNACCOUNTED || !nr)
		return;
	c->pages += nr;
	c->blocks++;
	c->by_order[ev->order < MW_UNACCOUNTED_ORDERS ? ev->order : MW_UNACCOUNTED_ORDERS - 1] += nr;
	int32_t ref = (int32_t)get(ev->page, s->off_refcount, 4);
	if (ref <= 0)
		c->refcount_zero += nr;
	else if (ref == 1)
		c->refcount_one += nr;
	else
		c->refcount_more += nr;
	/* _mapcount shares its word with page_type: a typed page is not here */
	if (s->has_mapcount && ev->order == 0 && (int32_t)get(ev->page, s->off_mapcount, 4) >= 0)
		c->user_mapped += nr;
	uint64_t mapping = get(ev->page, s->off_mapping, 8);
	enum mw_unacc_mapping m = !mapping ? MW_UNACC_MAPPING_NONE :
		(mapping & 3) == 1 ? MW_UNACC_MAPPING_ANON :
		(mapping & 3) == 2 ? MW_UNACC_MAPPING_MOVABLE :
		(mapping & 3) == 3 ? MW_UNACC_MAPPING_KSM : MW_UNACC_MAPPING_ADDRESS_SPACE;
	c->mapping[m] += nr;
	if (get(ev->page, s->off_private, 8))
		c->private_set += nr;
	if (ev->memcg)
		c->memcg_charged += nr;
}

static struct mw_error *thread_done(void *arg, unsigned thread, void *tstate)
{
	(void)thread;
	struct mw_unaccounted_scan *s = arg;
	struct tstate *t = tstate;
	struct mw_unaccounted *d = &s->sum;
	const struct mw_unaccounted *c = &t->c;
	d->pages += c->pages;
	d->blocks += c->blocks;
	for (unsigned i = 0; i < MW_UNACCOUNTED_ORDERS; i++)
		d->by_order[i] += c->by_order[i];
	d->refcount_zero += c->refcount_zero;
	d->refcount_one += c->refcount_one;
	d->refcount_more += c->refcount_more;
	d->user_mapped += c->user_mapped;
	for (unsigned i = 0; i < MW_UNACC_MAPPING_NR; i++)
		d->mapping[i] += c->mapping[i];
	d->private_set += c->private_set;
	d->memcg_charged += c->memcg_charged;
	free(t);
	return NULL;
}

void mw_unaccounted_observer(struct mw_unaccounted_scan *s, struct mw_page_observer *ret)
{
	*ret = (struct mw_page_observer){
		.name = "unaccounted pages",
		.categories = MW_PAGE_CATEGORY_BIT(MW_PAGE_UNACCOUNTED),
		.arg = s,
		.thread_init = thread_init,
		.page = on_page,
		.thread_done = thread_done,
	};
}

void mw_unaccounted_result(const struct mw_unaccounted_scan *s, struct mw_unaccounted *ret)
{
	*ret = s->sum;
	ret->known = true;
	ret->mapcount_known = s->has_mapcount;
	ret->page_owner_built = s->page_owner;
}
