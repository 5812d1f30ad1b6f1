/* memwhere: a map from kernel addresses to indexes (open addressing). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/addr-map.h"

static size_t addr_hash(uint64_t a)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdULL;
	a ^= a >> 33;
	return (size_t)a;
}

void mw_addr_map_deinit(struct mw_addr_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

const size_t *mw_addr_map_find(const struct mw_addr_map *m, uint64_t key)
{
	if (!m->cap || !key)
		return NULL;
	for (size_t i = addr_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (m->keys[i] == key)
			return &m->vals[i];
		if (!m->keys[i])
			return NULL;
	}
}

struct mw_error *mw_addr_map_insert(struct mw_addr_map *m, uint64_t key,
				    size_t val, bool *added)
{
	if ((m->count + 1) * 4 > m->cap * 3) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		uint64_t *nk = calloc(ncap, sizeof(*nk));
		size_t *nv = calloc(ncap, sizeof(*nv));
		if (!nk || !nv) {
			free(nk);
			free(nv);
			return &mw_error_nomem;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->keys[i])
				continue;
			size_t j = addr_hash(m->keys[i]) & (ncap - 1);
			while (nk[j])
				j = (j + 1) & (ncap - 1);
			nk[j] = m->keys[i];
			nv[j] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = nk;
		m->vals = nv;
		m->cap = ncap;
	}
	size_t i = addr_hash(key) & (m->cap - 1);
	while (m->keys[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	*added = !m->keys[i];
	if (*added) {
		m->keys[i] = key;
		m->vals[i] = val;
		m->count++;
	}
	return NULL;
}
