#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "formats/page-cache.h"

enum { WAYS = 8 };

struct cache_set {
	pthread_mutex_t lock;
	uint64_t clock;			/* use counter for LRU */
	uint64_t key[WAYS];
	uint64_t used[WAYS];		/* 0: empty way */
	uint8_t *data;			/* WAYS pages */
};

struct mw_page_cache {
	size_t page_size;
	size_t nr_sets;			/* a power of two */
	struct cache_set *sets;
};

struct mw_error *mw_page_cache_create(size_t page_size, size_t nr_pages,
				      struct mw_page_cache **ret)
{
	size_t nr_sets = 1;
	while (nr_sets * WAYS < nr_pages && nr_sets < (1u << 16))
		nr_sets *= 2;
	struct mw_page_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return &mw_error_nomem;
	c->page_size = page_size;
	c->nr_sets = nr_sets;
	c->sets = calloc(nr_sets, sizeof(*c->sets));
	if (!c->sets) {
		free(c);
		return &mw_error_nomem;
	}
	for (size_t i = 0; i < nr_sets; i++) {
		pthread_mutex_init(&c->sets[i].lock, NULL);
		c->sets[i].data = malloc(WAYS * page_size);
		if (!c->sets[i].data) {
			mw_page_cache_destroy(c);
			return &mw_error_nomem;
		}
	}
	*ret = c;
	return NULL;
}

void mw_page_cache_destroy(struct mw_page_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr_sets; i++) {
		pthread_mutex_destroy(&c->sets[i].lock);
		free(c->sets[i].data);
	}
	free(c->sets);
	free(c);
}

static struct cache_set *set_of(struct mw_page_cache *c, uint64_t key)
{
	/* mix the bits: neighbouring pages go to different sets */
	uint64_t h = key * 0x9e3779b97f4a7c15ull;
	return &c->sets[(h >> 32) & (c->nr_sets - 1)];
}

bool mw_page_cache_read(struct mw_page_cache *c, uint64_t key, size_t off,
			size_t len, void *dst)
{
	struct cache_set *s = set_of(c, key);
	bool hit = false;
	pthread_mutex_lock(&s->lock);
	for (int w = 0; w < WAYS; w++) {
		if (s->used[w] && s->key[w] == key) {
			memcpy(dst, s->data + (size_t)w * c->page_size + off, len);
			s->used[w] = ++s->clock;
			hit = true;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void mw_page_cache_put(struct mw_page_cache *c, uint64_t key, const void *src)
{
	struct cache_set *s = set_of(c, key);
	pthread_mutex_lock(&s->lock);
	int victim = 0;
	for (int w = 0; w < WAYS; w++) {
		if (s->used[w] && s->key[w] == key) {
			victim = w;
			break;
		}
		if (s->used[w] < s->used[victim])
			victim = w;
	}
	memcpy(s->data + (size_t)victim * c->page_size, src, c->page_size);
	s->key[victim] = key;
	s->used[victim] = ++s->clock;
	pthread_mutex_unlock(&s->lock);
}
