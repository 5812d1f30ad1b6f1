/* memwhere: a map from kernel addresses (non-zero) to indexes.
 *
 * Open addressing with linear probing; the table doubles at 3/4 load.
 * Used to find a struct by its address in the dump (a memcg, an objcg, a
 * struct sock) among the ones already read. Zero-initialized is empty.
 */
#ifndef MW_ADDR_MAP_H
#define MW_ADDR_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct mw_addr_map {
	uint64_t *keys;		/* 0: empty */
	size_t *vals;
	size_t cap, count;
};

void mw_addr_map_deinit(struct mw_addr_map *m);
/* The value of key, or NULL (also for key 0). */
const size_t *mw_addr_map_find(const struct mw_addr_map *m, uint64_t key);
/* Insert key (non-zero) -> val; *added false if it was there (val kept). */
struct mw_error *mw_addr_map_insert(struct mw_addr_map *m, uint64_t key,
				    size_t val, bool *added);

#endif
