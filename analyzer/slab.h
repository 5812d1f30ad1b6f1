/* memwhere: slab caches, counted the way the kernel's /proc/slabinfo
 * counts them (SLUB).
 *
 * Every kmem_cache on the slab_caches list: per node the slab and object
 * totals the kernel keeps in kmem_cache_node (nr_slabs, total_objects),
 * free objects counted over each node's partial list (objects - inuse of
 * every slab there); slabs held by CPUs (the per-CPU slab and per-CPU
 * partial slabs) count as in use, as in /proc/slabinfo. The slab fields
 * come from struct slab (5.17+) or from struct page before it.
 */
#ifndef MW_SLAB_H
#define MW_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/findings.h"
#include "analyzer/kernel.h"
#include "analyzer/summary.h"
#include "common/error.h"
#include "common/warn.h"

enum { MW_SLAB_NAME_MAX = 64 };

struct mw_slab_cache_info {
	char name[MW_SLAB_NAME_MAX];
	uint64_t addr;			/* struct kmem_cache */
	uint64_t object_size;		/* kmem_cache.object_size: what callers asked for */
	uint64_t size;			/* kmem_cache.size: with metadata and alignment
					 * (the "objsize" column of /proc/slabinfo) */
	uint64_t objects_active;	/* total - free on the partial lists */
	uint64_t objects_total;
	uint64_t slabs;
	uint32_t pages_per_slab;	/* 1 << order of kmem_cache.oo */
	uint32_t objects_per_slab;	/* objects of kmem_cache.oo */
	uint64_t bytes;			/* slabs * pages_per_slab * page size */
	uint64_t partial_slabs;		/* slabs walked on the node partial lists */
	uint32_t sheaf_capacity;	/* kmem_cache.sheaf_capacity: objects per per-CPU
					 * sheaf (6.18+; 0: no sheaves); objects in
					 * sheaves count as in use, as in /proc/slabinfo */
	bool reclaimable;		/* SLAB_RECLAIM_ACCOUNT */
	bool accounted;			/* SLAB_ACCOUNT (kmalloc-cg-* and others) */
	bool incomplete;		/* a partial list or node could not be read */
	/* SLUB merging (see mw_slab_aliases_read) */
	char sysfs_name[MW_SLAB_NAME_MAX];	/* its /sys/kernel/slab directory, "" unknown */
	size_t first_alias, nr_aliases;		/* its names in mw_slab.aliases */
	/* per-memcg split (mw_slab_memcg_split; memcg_split set) */
	uint64_t memcg_objects, memcg_bytes;	/* charged to the subtree */
	size_t first_memcg, nr_memcgs;		/* its rows in mw_slab.memcgs */
};

/* Objects of one cache charged to one memcg (through obj_cgroups). */
struct mw_slab_memcg {
	uint64_t memcg;			/* struct mem_cgroup * */
	const char *path;		/* in the memcg tree; NULL: not in it */
	uint64_t objects;
	uint64_t bytes;			/* objects * (kmem_cache.size + a pointer) */
};

/* A name SLUB merged into another cache: kmem_cache_create("NAME") found a
 * compatible cache and returned it, leaving only a sysfs link. */
struct mw_slab_alias {
	char name[MW_SLAB_NAME_MAX];
	size_t cache;			/* index in mw_slab.caches */
};

/* The dcache's own per-CPU counters summed as /proc/sys/fs/dentry-state
 * sums them (nr_dentry, nr_dentry_unused, nr_dentry_negative). */
struct mw_dentry_state {
	bool known;
	int64_t nr_dentry;
	int64_t nr_unused;
	bool negative_known;		/* nr_dentry_negative exists (5.0+) */
	int64_t nr_negative;
};

struct mw_slab {
	struct mw_slab_cache_info *caches;	/* ranked by bytes, largest first */
	size_t nr;
	uint64_t total_bytes;
	uint64_t reclaimable_bytes;
	uint64_t page_size;
	bool incomplete;			/* the slab_caches list broke */
	const char *layout;			/* "struct slab" or "struct page" */
	struct mw_dentry_state dentry;
	struct mw_slab_alias *aliases;		/* by cache, then name */
	size_t nr_aliases;
	bool aliases_known;			/* /sys/kernel/slab was read */
	bool aliases_complete;			/* ... to the end */
	/* --memcg: objects by memcg from the page scan (slab-memcg.h);
	 * caches are then ranked by memcg_bytes */
	bool memcg_split;
	const char *memcg_top;			/* the subtree's path */
	struct mw_slab_memcg *memcgs;		/* by cache, then bytes */
	size_t nr_memcgs;
	uint64_t memcg_objects, memcg_bytes;	/* over every cache */
	uint64_t memcg_objects_unattributed;	/* bad cache or obj_cgroup */
};

/* Walk every cache. Problems with one cache or list are warnings; an error
 * is returned only if nothing could be read (no slab_caches, no layout). */
struct mw_error *mw_slab_analyze(struct mw_kernel *k, struct mw_warnings *w,
				 struct mw_slab *ret);
void mw_slab_deinit(struct mw_slab *s);

/*
 * The names merged into each cache: the symlinks of /sys/kernel/slab as the
 * dump holds them (kernfs nodes under the caches' directories' parent)
 * that point at a cache's directory and are not its own name; fills
 * aliases, each cache's sysfs_name and alias range. Called by
 * mw_slab_analyze (its error becomes a warning). A kernel without sysfs or
 * kernfs types gives an error and no aliases; a broken tree keeps the ones
 * found (aliases_complete false).
 */
struct mw_error *mw_slab_aliases_read(struct mw_kernel *k, struct mw_slab *s);

/* What usually grows a cache, from its name (the words are in cli/). */
enum mw_slab_grower {
	MW_SLAB_GROWER_UNKNOWN = 0,
	MW_SLAB_GROWER_DENTRY,		/* dentry: lookups, negative dentries */
	MW_SLAB_GROWER_INODES,		/* *inode_cache, xfs_inode, xfs_ili */
	MW_SLAB_GROWER_SKBUFF,		/* skbuff_*: socket buffers */
	MW_SLAB_GROWER_KMALLOC,		/* kmalloc-*: drivers, subsystems, leaks */
	MW_SLAB_GROWER_PAGE_CACHE_INDEX, /* radix_tree_node, xarray nodes */
	MW_SLAB_GROWER_BUFFER_HEADS,	/* buffer_head */
	MW_SLAB_GROWER_TASKS,		/* task_struct, signal_cache */
	MW_SLAB_GROWER_FILES,		/* filp */
	MW_SLAB_GROWER_SOCKETS,		/* sock_inode_cache, TCP, UDP */
	MW_SLAB_GROWER_MAPPINGS,	/* vm_area_struct */
};

/*
 * A finding for each cache out of proportion: a tenth of RAM, or half of
 * all slab and at least 64 MiB (critical from a quarter of RAM), with what
 * usually grows it (dentry: negative dentries and the dcache, skbuff_*:
 * unread socket data, kmalloc-*: a driver or leak, ...). total_ram: bytes.
 */
struct mw_findings;
struct mw_error *mw_slab_findings(const struct mw_slab *s, uint64_t total_ram,
				  struct mw_findings *out);

#endif
