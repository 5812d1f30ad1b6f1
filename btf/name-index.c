#include "config.h"
#include "btf/name-index.h"

#include <stdlib.h>
#include <string.h>

enum { NAME_INDEX_MIN_CAPACITY = 64 };

/*
 * Eight bytes at a time, each word mixed in by a multiply, then a final
 * avalanche; the namespace seeds it. Not cryptographic: names come from
 * the dump, but a collision costs only a longer probe.
 */
uint32_t mw_name_hash(uint32_t ns, const char *name, size_t len)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = 0xcbf29ce484222325ULL ^ ((uint64_t)ns * k) ^ len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, name + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	if (i < len) {
		uint64_t w = 0;
		memcpy(&w, name + i, len - i);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
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
		 uint32_t hash, uint32_t ns, const char *name, size_t len)
{
	/*
	 * Capacities stay below 2^32 slots here (the symbol and type
	 * counts are limited far below), so the 32-bit hash covers them.
	 */
	size_t mask = capacity - 1;
	size_t i = hash & mask;
	/* The table is never full (load <= 3/4), so this ends. */
	for (;;) {
		struct mw_name_index_entry *e = &slots[i];
		if (!e->name)
			return e;
		if (e->hash == hash && e->ns == ns && e->len == len &&
		    memcmp(e->name, name, len) == 0)
			return e;
		i = (i + 1) & mask;
	}
}

/* An empty slot for an entry known not to be in slots. */
static struct mw_name_index_entry *
name_index_free_slot(struct mw_name_index_entry *slots, size_t capacity,
		     uint32_t hash)
{
	size_t mask = capacity - 1;
	size_t i = hash & mask;
	while (slots[i].name)
		i = (i + 1) & mask;
	return &slots[i];
}

static struct mw_error *name_index_resize(struct mw_name_index *idx,
					  size_t capacity)
{
	if (capacity > SIZE_MAX / sizeof(struct mw_name_index_entry) ||
	    capacity > ((size_t)1 << 32))
		return mw_error_create(MW_ERR_LIMIT, "name index too large");
	struct mw_name_index_entry *slots = calloc(capacity, sizeof(*slots));
	if (!slots)
		return &mw_error_nomem;
	for (size_t i = 0; i < idx->capacity; i++) {
		struct mw_name_index_entry *old = &idx->slots[i];
		if (old->name)
			*name_index_free_slot(slots, capacity, old->hash) = *old;
	}
	free(idx->slots);
	idx->slots = slots;
	idx->capacity = capacity;
	return NULL;
}

struct mw_error *mw_name_index_reserve(struct mw_name_index *idx, size_t n)
{
	size_t capacity = idx->capacity ? idx->capacity : NAME_INDEX_MIN_CAPACITY;
	if (n > SIZE_MAX / 4)
		return mw_error_create(MW_ERR_LIMIT, "name index too large");
	while (n * 4 > capacity * 3) {
		if (capacity > SIZE_MAX / 2)
			return mw_error_create(MW_ERR_LIMIT, "name index too large");
		capacity *= 2;
	}
	return capacity == idx->capacity ? NULL : name_index_resize(idx, capacity);
}

struct mw_error *mw_name_index_insert(struct mw_name_index *idx, uint32_t ns,
				      const char *name, size_t len,
				      uint64_t **slot, bool *added)
{
	if (len > UINT32_MAX)
		return mw_error_create(MW_ERR_LIMIT, "name of %zu bytes is too long", len);
	if ((idx->count + 1) * 4 > idx->capacity * 3) {
		size_t capacity = idx->capacity ? idx->capacity * 2 : NAME_INDEX_MIN_CAPACITY;
		struct mw_error *err = name_index_resize(idx, capacity);
		if (err)
			return err;
	}
	uint32_t hash = mw_name_hash(ns, name, len);
	struct mw_name_index_entry *e = name_index_probe(idx->slots, idx->capacity,
							 hash, ns, name, len);
	*added = !e->name;
	if (!e->name) {
		e->name = name;
		e->len = (uint32_t)len;
		e->ns = ns;
		e->hash = hash;
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
							 mw_name_hash(ns, name, len),
							 ns, name, len);
	return e->name ? &e->value : NULL;
}
