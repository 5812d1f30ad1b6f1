/* memwhere: the memory cgroup tree of a dump.
 *
 * Walks the memory controller's css tree from root_mem_cgroup (cgroup v2,
 * or the v1 memory hierarchy), online and offline ("dying") memcgs alike,
 * and reads for each:
 *   - path: the cgroup's kernfs names joined from the hierarchy's root
 *     ("/" for the root), as the cgroup had it (dying ones keep theirs);
 *   - id: mem_cgroup.id.id (the memcg id of /proc/kpagecgroup, swap
 *     records and shadow entries); css.id as well;
 *   - online: css.flags has CSS_ONLINE and not CSS_DYING;
 *   - usage: the page counter mem_cgroup.memory.usage (what memory.current
 *     and v1 memory.usage_in_bytes show; the v1 root reads its stats instead,
 *     as the kernel does); limits memory.{max,high,low,min};
 *   - stat: the memcg's hierarchical counters (mem_cgroup.vmstats->state,
 *     what memory.stat shows) with the changes the kernel had not flushed
 *     yet folded in: per CPU (vmstats_percpu.state - state_prev) and the
 *     state_pending of every memcg of the subtree.
 * Dying memcgs also get what still holds them (analyzer/memcg-pins.c).
 *
 * Dump content is hostile: the walk is iterative, each list is followed at
 * most MW_MEMCG_MAX_NODES entries, a memcg seen twice (a looping sibling or
 * child list) ends that list with a warning, depth is bounded, and absurd
 * ids are reported as -1 with a warning; the rest is still reported.
 */
#ifndef MW_MEMCG_H
#define MW_MEMCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "common/error.h"
#include "common/warn.h"

enum {
	MW_MEMCG_MAX_NODES = 1 << 20,	/* memcgs in one walk */
	MW_MEMCG_MAX_DEPTH = 256,	/* cgroup nesting */
	MW_MEMCG_MAX_NAME = 256,	/* bytes of a kernfs name */
	MW_MEMCG_MAX_PATH = 4096,
	MW_MEMCG_MAX_CPUS = 8192,
	MW_MEMCG_MAX_STATE = 1024,	/* entries of memcg_vmstats.state[] */
	MW_MEMCG_ID_MAX = 65535,	/* MEM_CGROUP_ID_MAX */
};

#define MW_MEMCG_UNLIMITED UINT64_MAX	/* a limit of "max" */

/* The counters read from memcg_vmstats, in bytes. */
enum mw_memcg_stat {
	MW_MEMCG_ANON = 0,		/* NR_ANON_MAPPED            memory.stat anon */
	MW_MEMCG_FILE,			/* NR_FILE_PAGES             file */
	MW_MEMCG_SHMEM,			/* NR_SHMEM                  shmem */
	MW_MEMCG_KERNEL,		/* MEMCG_KMEM                kernel */
	MW_MEMCG_SOCK,			/* MEMCG_SOCK                sock */
	MW_MEMCG_SLAB,			/* the two below summed      slab */
	MW_MEMCG_SLAB_RECLAIMABLE,	/* NR_SLAB_RECLAIMABLE_B     slab_reclaimable */
	MW_MEMCG_SLAB_UNRECLAIMABLE,	/* NR_SLAB_UNRECLAIMABLE_B   slab_unreclaimable */
	MW_MEMCG_KERNEL_STACK,		/* NR_KERNEL_STACK_KB        kernel_stack */
	MW_MEMCG_PAGETABLES,		/* NR_PAGETABLE              pagetables */
	MW_MEMCG_PERCPU,		/* MEMCG_PERCPU_B            percpu */
	MW_MEMCG_FILE_MAPPED,		/* NR_FILE_MAPPED            file_mapped */
	MW_MEMCG_FILE_DIRTY,		/* NR_FILE_DIRTY             file_dirty */
	MW_MEMCG_FILE_WRITEBACK,	/* NR_WRITEBACK              file_writeback */
	MW_MEMCG_INACTIVE_ANON,		/* NR_INACTIVE_ANON          inactive_anon */
	MW_MEMCG_ACTIVE_ANON,		/* NR_ACTIVE_ANON            active_anon */
	MW_MEMCG_INACTIVE_FILE,		/* NR_INACTIVE_FILE          inactive_file */
	MW_MEMCG_ACTIVE_FILE,		/* NR_ACTIVE_FILE            active_file */
	MW_MEMCG_UNEVICTABLE,		/* NR_UNEVICTABLE            unevictable */
	MW_MEMCG_NR_STATS,
};

/* memory.stat's name of a counter ("anon", "slab_reclaimable"). */
const char *mw_memcg_stat_name(enum mw_memcg_stat s);
/* The kernel's enumerator it is read from ("NR_ANON_MAPPED"), or NULL for
 * the derived slab. */
const char *mw_memcg_stat_item(enum mw_memcg_stat s);

/* Bytes the page scan found charged to a memcg, by kind. */
enum mw_charge_kind {
	MW_CHARGE_ANON = 0,
	MW_CHARGE_FILE,		/* page cache, not shmem */
	MW_CHARGE_SHMEM,	/* tmpfs, shm, shared anonymous */
	MW_CHARGE_KERNEL,	/* pages charged through an objcg (MEMCG_DATA_KMEM) */
	MW_CHARGE_SLAB,		/* slab objects charged through obj_cgroups */
	MW_CHARGE_OTHER,
	MW_CHARGE_NR,
};
const char *mw_charge_kind_name(enum mw_charge_kind kind);

/* A file whose page cache still pins a dying memcg. */
struct mw_memcg_file_pin {
	uint64_t inode;		/* struct inode * */
	uint64_t ino;
	char *path;		/* as seen from the initial mount namespace; NULL if unknown */
	char *fs;		/* file system type name, or NULL */
	bool shmem;		/* tmpfs/shm (swap-backed) */
	bool deleted;		/* no name left (i_nlink 0 or no dentry) */
	uint64_t folios;
	uint64_t bytes;
};

/* What still holds a dying memcg (its css reference count, explained). */
struct mw_memcg_pins {
	bool known;		/* the pins were looked at */
	int64_t css_refs;	/* css.refcnt now (-1 if unreadable) */
	/* folios on its LRU lists: each holds one css reference */
	uint64_t lru_folios;
	uint64_t lru_bytes;
	uint64_t lru_anon_bytes, lru_file_bytes, lru_shmem_bytes;
	struct mw_memcg_file_pin *files;	/* by bytes, descending */
	size_t nr_files;
	size_t nr_files_dropped;	/* files beyond the kept ones */
	uint64_t children;		/* child css (online or dying): one each */
	uint64_t offline_wbs;		/* bdi_writebacks on offline_cgwbs: one each */
	uint64_t stock_cpus;		/* CPUs whose memcg_stock caches it: one each */
	uint64_t swap_id_refs;		/* mem_cgroup.id.ref (swap entries and the like) */
	uint64_t id_css_refs;		/* 1 while id.ref > 0 */
	int64_t other_refs;		/* the rest: sockets, isolated folios, ... (-1 if unknown) */
	bool lru_complete;		/* every LRU list ended normally */
};

struct mw_memcg {
	uint64_t addr;			/* struct mem_cgroup * */
	uint64_t cgroup;		/* struct cgroup * */
	char *path;			/* "/", "/kubepods.slice/..." */
	const char *name;		/* last component (inside path) */
	ptrdiff_t parent;		/* index in the tree, -1 for the root */
	unsigned depth;			/* 0 for the root */
	int64_t id;			/* mem_cgroup.id.id; -1 if unreadable or absurd */
	int64_t css_id;			/* css.id */
	uint32_t css_flags;
	bool online;
	bool dying;			/* offline (or being killed), not yet freed */

	bool usage_known;
	bool usage_from_stats;		/* v1 root: file + anon, as the kernel shows */
	uint64_t usage_bytes;
	uint64_t own_usage_bytes;	/* usage minus its children's (what it holds itself) */
	/* pages charged in advance into CPUs' memcg_stock: in usage, in no
	 * memory.stat counter yet (see analyzer/memcg-stock.c) */
	uint64_t stock_pages;
	uint64_t max_bytes, high_bytes, low_bytes, min_bytes;	/* MW_MEMCG_UNLIMITED = max */
	/* memory.events (mem_cgroup.memory_events, this memcg and below):
	 * times it hit its limit and the OOM killer ran, processes killed */
	bool events_known;
	uint64_t oom_events, oom_kill_events;
	uint64_t swap_bytes;		/* v2: memory.swap.current; v1: memsw usage */
	bool swap_known;

	bool stat_known;
	int64_t stat[MW_MEMCG_NR_STATS];	/* bytes, unflushed changes folded */
	int64_t stat_flushed[MW_MEMCG_NR_STATS];	/* bytes, state[] alone (what a read without flush shows) */

	/* page scan, if it ran (mw_memcg_charges) */
	bool charged_known;
	uint64_t charged[MW_CHARGE_NR];
	uint64_t charged_bytes;		/* sum over kinds */

	unsigned nr_children;
	unsigned nr_dying_descendants;	/* found by the walk */
	struct mw_memcg_pins pins;	/* dying ones */
};

struct mw_memcg_tree {
	bool v1;			/* the memory controller is on a v1 hierarchy */
	uint64_t root_memcg;		/* root_mem_cgroup */
	uint64_t page_size;
	unsigned nr_cpus;		/* possible CPUs whose deltas were folded */
	struct mw_memcg *memcgs;	/* preorder; [0] is the root */
	size_t nr;
	size_t *by_addr;		/* indexes of memcgs sorted by address */
	size_t nr_online, nr_dying;
	/* The kernel's own count: root cgroup's nr_dying_descendants (v2: the
	 * root's cgroup.stat; counts dying cgroups of every controller); -1 if
	 * unknown. */
	int64_t kernel_nr_dying;
	uint64_t dying_bytes;		/* usage of the outermost dying memcgs (each byte once) */
	bool walk_complete;		/* no list was cut short */
	/* memory.stat takes the per-CPU changes in when read (rstat flush);
	 * false where it shows the flushed counters alone (stat_flushed) */
	bool stat_read_flushes;
	/* this kernel's mem_cgroup has memory.events' oom and oom_kill;
	 * events_unread: memcgs whose counters could not be read */
	bool have_events;
	size_t events_unread;
	bool have_stocks;		/* stock_pages were read */
	/* the counters this kernel's memory.stat shows (all where its
	 * memory_stats[] table could not be read); the others are 0 in
	 * stat[] and unknown, not zero */
	bool stat_shown[MW_MEMCG_NR_STATS];
	bool charged_known;		/* a page scan fed charges */
	uint64_t charged_unknown_bytes;	/* scan charges pointing at no memcg of the tree */
	/* slabs whose obj_cgroup vector the dump left out (a filtered dump
	 * drops zero pages): their objects' charges are not counted */
	uint64_t slab_vectors_not_in_dump;
};

/*
 * Read the tree. Only a dump where the tree cannot be found at all
 * (no root_mem_cgroup, memory cgroups disabled, types missing) is an error;
 * everything partial becomes a warning and what was read is kept.
 */
struct mw_error *mw_memcg_read(struct mw_kernel *k, struct mw_warnings *w,
			       struct mw_memcg_tree *ret);
void mw_memcg_tree_deinit(struct mw_memcg_tree *t);

/*
 * The seeds' pain 3 as a finding: dying memcgs and what they hold
 * (id "dying-memcgs"). Only for the subtree at index top (0: all).
 * Appended to out; nothing when there is no dying memcg.
 */
struct mw_findings;
struct mw_error *mw_memcg_findings(const struct mw_memcg_tree *t, size_t top,
				   struct mw_findings *out);

/* Index of the memcg with this path ("/a/b"; a trailing '/' is ignored), or -1. */
ptrdiff_t mw_memcg_find_path(const struct mw_memcg_tree *t, const char *path);
/* --memcg's PATH as a user gives it: a full path, else a unique cgroup
 * name ("postgresql.service"), else a unique name containing it (a
 * container ID or its prefix, at least 6 characters). -1 if none or more
 * than one; *matches says how many. */
ptrdiff_t mw_memcg_find(const struct mw_memcg_tree *t, const char *query, size_t *matches);
/* Is i inside the subtree rooted at top? */
bool mw_memcg_in_subtree(const struct mw_memcg_tree *t, size_t i, size_t top);
/* Index of the memcg at this struct mem_cgroup address, or -1. */
ptrdiff_t mw_memcg_find_addr(const struct mw_memcg_tree *t, uint64_t addr);

/*
 * Charges from the page scan (the page walker feeds them; see memcg.c):
 * an accumulator keyed by the raw pointer a page or object names, a
 * struct mem_cgroup * (folio->memcg_data without MEMCG_DATA_KMEM) or a
 * struct obj_cgroup * (MEMCG_DATA_KMEM pages and slab objects). Objcgs are
 * resolved to their memcg (obj_cgroup.memcg, which the kernel repoints at
 * the parent when a memcg dies) once, when the charges are merged into the
 * tree.
 */
struct mw_memcg_charges;
struct mw_error *mw_memcg_charges_create(struct mw_memcg_charges **ret);
void mw_memcg_charges_destroy(struct mw_memcg_charges *c);
/* A page (or folio) charged to memcg: bytes of it, of this kind. */
struct mw_error *mw_memcg_charge_memcg(struct mw_memcg_charges *c, uint64_t memcg,
				       enum mw_charge_kind kind, uint64_t bytes);
/* Bytes charged through an obj_cgroup. */
struct mw_error *mw_memcg_charge_objcg(struct mw_memcg_charges *c, uint64_t objcg,
				       enum mw_charge_kind kind, uint64_t bytes);
/* Add src's charges to dst. */
struct mw_error *mw_memcg_charges_merge(struct mw_memcg_charges *dst,
					const struct mw_memcg_charges *src);
/* Merge the charges into the tree (charged_bytes); objcgs are read from k. */
struct mw_error *mw_memcg_apply_charges(struct mw_kernel *k,
					const struct mw_memcg_charges *c,
					struct mw_warnings *w,
					struct mw_memcg_tree *t);

#endif
