/* memwhere: slab objects by cache and memory cgroup (which container's
 * dentries?).
 *
 * The memcg page observer (memcg-scan.c) reads every slab's obj_cgroup
 * vector; with a table from mw_slab_objcgs_create it also counts each
 * charged object under its (kmem_cache, obj_cgroup) pair. After the scan,
 * mw_slab_memcg_split resolves each obj_cgroup to its memcg (obj_cgroup.
 * memcg), keeps the memcgs of one subtree and fills mw_slab.memcgs: per
 * cache, objects and bytes per memcg, bytes as the kernel charges them
 * (obj_full_size(): kmem_cache.size plus one obj_cgroup pointer).
 */
#ifndef MW_SLAB_MEMCG_H
#define MW_SLAB_MEMCG_H

#include <stdint.h>

#include "analyzer/memcg.h"
#include "analyzer/slab.h"
#include "common/error.h"
#include "common/warn.h"

struct mw_slab_objcgs;

struct mw_error *mw_slab_objcgs_create(struct mw_slab_objcgs **ret);
void mw_slab_objcgs_destroy(struct mw_slab_objcgs *t);
/* One charged object of cache, to objcg. */
struct mw_error *mw_slab_objcgs_add(struct mw_slab_objcgs *t, uint64_t cache, uint64_t objcg);
/* Add src's counts to dst. */
struct mw_error *mw_slab_objcgs_merge(struct mw_slab_objcgs *dst,
				      const struct mw_slab_objcgs *src);

/*
 * Fill s->memcgs (and each cache's memcg_objects, memcg_bytes) from the
 * counts: the memcgs of tree's subtree at top, and re-rank s->caches by
 * those bytes. A cache the table names that is not in s (a slab whose
 * slab_cache pointer is bad) and obj_cgroups that cannot be read are
 * counted in s->memcg_objects_unattributed with a warning.
 */
struct mw_error *mw_slab_memcg_split(struct mw_kernel *k, const struct mw_slab_objcgs *t,
				     const struct mw_memcg_tree *tree, size_t top,
				     struct mw_warnings *w, struct mw_slab *s);

#endif
