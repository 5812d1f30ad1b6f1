#include "config.h"
#include "btf/name-index.h"

#include <stdlib.h>
#include <string.h>

enum { NAME_INDEX_MIN_CAPACITY = 64 };

/* FNV-1a over the bytes, mixed with the namespace. */
static uint64_t name_hash(uint32_t ns, const char *name, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ ((uint64_t)ns * 0x9e3779b97f4a7c15ULL);
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	return h;
}

void mw_name_index_init(struct mw_name_index *idx)
{
	idx->slots = NULL;
	idx->capacity = 0;
	idx->count = 0;
}

void mw_name_index_deinit(struct mw_name_index *idx)
{
	free(idx->slots);
	mw_name_index_init(idx);
}

static struct mw_name_index_entry *
name_index_probe(struct mw_name_index_entry *slots, size_t capacity,
		 uint32_t ns, const char *name, size_t len)
{
	size_t mask = capacity - 1;
	size_t i = name_hash(ns, name, len) & mask;
	/* The table is never full (load <= 3/4), so this ends. */
	for (;;) {
		struct mw_name_index_entry *e = &slots[i];
		if (!e->name)
			return e;
		if (e->ns == ns && e->len == len && memcmp(e->name, name, len) == 0)
			return e;
		i = (i + 1) & mask;
	}
}

static struct mw_error *name_index_grow(struct mw_name_index *idx)
{
	size_t capacity = idx->capacity ? idx->capacity * 2 : NAME_INDEX_MIN_CAPACITY;
	if (capacity > SIZE_MAX / sizeof(struct mw_name_index_entry))
		return mw_error_create(MW_ERR_LIMIT, "name index too large");
	struct mw_name_index_entry *slots = calloc(capacity, sizeof(*slots));
	if (!slots)
		return &mw_error_nomem;
	for (size_t i = 0; i < idx->capacity; i++) {
		struct mw_name_index_entry *old = &idx->slots[i];
		if (!old->name)
			continue;
		*name_index_probe(slots, capacity, old->ns, old->name, old->len) = *old;
	}
	free(idx->slots);
	idx->slots = slots;
	idx->capacity = capacity;
	return NULL;
}

struct mw_error *mw_name_index_insert(struct mw_name_index *idx, uint32_t ns,
				      const char *name, size_t len,
				      uint64_t **slot, bool *added)
{
	if (len > UINT32_MAX)
		return mw_error_create(MW_ERR_LIMIT, "name of %zu bytes is too long", len);
	if ((idx->count + 1) * 4 > idx->capacity * 3) {
		struct mw_error *err = name_index_grow(idx);
		if (err)
			return err;
	}
	struct mw_name_index_entry *e = name_index_probe(idx->slots, idx->capacity,
							 ns, name, len);
	*added = !e->name;
	if (!e->name) {
		e->name = name;
		e->len = (uint32_t)len;
		e->ns = ns;
		e->value = 0;
		idx->count++;
	}
	*slot = &e->value;
	return NULL;
}

const uint64_t *mw_name_index_find(const struct mw_name_index *idx, uint32_t ns,
				   const char *name, size_t len)
{
	if (!idx->capacity || len > UINT32_MAX)
		return NULL;
	struct mw_name_index_entry *e = name_index_probe(idx->slots, idx->capacity,
							 ns, name, len);
	return e->name ? &e->value : NULL;
}
