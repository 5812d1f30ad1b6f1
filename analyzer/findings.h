/* memwhere: findings as data.
 *
 * A finding is one thing a user should look at first: its kind, severity,
 * the bytes it is about, the numbers and names that are its evidence (typed,
 * per kind) and an advice id. The analyzers decide what is a finding and how
 * severe (the thresholds live with them); the words (title, evidence,
 * advice) are made from these fields in one place of the command line
 * (cli/findings.c), and JSON carries the fields themselves too.
 *
 * Names in the evidence point into the results they were found in (the
 * memcg tree, the files, the sockets): valid while those live.
 */
#ifndef MW_FINDINGS_H
#define MW_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum mw_severity {
	MW_SEVERITY_INFO = 0,
	MW_SEVERITY_WARNING,
	MW_SEVERITY_CRITICAL,
};
const char *mw_severity_name(enum mw_severity s);

enum mw_finding_kind {
	/* the page scan (analyzer/summary.c) */
	MW_FINDING_UNACCOUNTED_MEMORY,
	MW_FINDING_SHMEM_HIGH,
	MW_FINDING_FILE_CACHE_HIGH,
	MW_FINDING_SLAB_RECLAIMABLE_HIGH,
	MW_FINDING_SLAB_UNRECLAIMABLE_HIGH,
	MW_FINDING_LOW_FREE_MEMORY,
	MW_FINDING_HUGETLB_FREE,
	MW_FINDING_INCONSISTENT_STRUCT_PAGES,
	MW_FINDING_NOT_IN_DUMP,
	MW_FINDING_COUNTERS_DIFFER,
	/* reserved memory (analyzer/reserved.c) */
	MW_FINDING_BALLOON,
	MW_FINDING_CRASHKERNEL_LARGE,
	/* files (analyzer/files.c) */
	MW_FINDING_SHMEM_FILES_UNMAPPED,
	MW_FINDING_DELETED_FILES_IN_USE,
	MW_FINDING_FILE_CACHE_DIRECTORY,
	/* memory cgroups (analyzer/memcg.c) */
	MW_FINDING_DYING_MEMCGS,
	/* sockets (analyzer/findings.c) */
	MW_FINDING_UNREAD_SOCKET_DATA,
	/* slab caches (analyzer/slab.c) */
	MW_FINDING_SLAB_CACHE_LARGE,
	/* BPF maps and programs (analyzer/bpf.c) */
	MW_FINDING_BPF_LARGE,
	/* memory pools (analyzer/pools.c) */
	MW_FINDING_HUGETLB_POOL_FREE,
	MW_FINDING_ZRAM_POOR_COMPRESSION,
	/* what happened (analyzer/incident.h): first in the list when present */
	MW_FINDING_OOM_PANIC,		/* the kernel panicked out of memory */
	MW_FINDING_PANIC,		/* the kernel panicked for another reason */
	MW_FINDING_NR_KINDS,
};
/* The stable id: "unaccounted-memory", "dying-memcgs", ... */
const char *mw_finding_id(enum mw_finding_kind k);

/* What to do about it; the words are in cli/findings.c. */
enum mw_advice {
	MW_ADVICE_NONE = 0,
	MW_ADVICE_UNACCOUNTED,
	MW_ADVICE_SHMEM,
	MW_ADVICE_FILE_CACHE,
	MW_ADVICE_SLAB_RECLAIMABLE,
	MW_ADVICE_SLAB_UNRECLAIMABLE,
	MW_ADVICE_LOW_FREE,
	MW_ADVICE_HUGETLB_FREE,
	MW_ADVICE_INCONSISTENT,
	MW_ADVICE_NOT_IN_DUMP,
	MW_ADVICE_COUNTERS_DIFFER,
	MW_ADVICE_DELETE_SHMEM_FILES,	/* names the directory */
	MW_ADVICE_FIND_DELETED_HOLDER,
	MW_ADVICE_LIMIT_FILE_CACHE,
	MW_ADVICE_RECLAIM_DYING_MEMCGS,
	MW_ADVICE_ACCEPT_SOCKETS,	/* sockets no process holds */
	MW_ADVICE_READ_SOCKETS_PAGES,	/* names the process; pages from the allocator */
	MW_ADVICE_READ_SOCKETS_SLAB,	/* names the process; memory in slab caches */
	MW_ADVICE_SLAB_CACHE,		/* by what grows the cache (mw_finding_slab.grower) */
	MW_ADVICE_OOM,			/* by the largest holder (mw_finding_incident) */
	MW_ADVICE_OOM_SHMEM,		/* the cause is shmem files no process maps */
	MW_ADVICE_PANIC,		/* read the panic's backtrace in the log */
	MW_ADVICE_BPF,			/* find who holds the largest map */
	MW_ADVICE_HUGETLB_POOL_FREE,	/* shrink the pool, naming its holders */
	MW_ADVICE_ZRAM_ALGORITHM,	/* another comp_algorithm, or the data does not compress */
	MW_ADVICE_BALLOON,		/* the host took it back */
	MW_ADVICE_CRASHKERNEL,		/* a smaller crashkernel= */
};

struct mw_file;
struct mw_socket;
struct mw_sockets_holder;
struct mw_counter_cmp;

/* The evidence of each kind (the member named like the kind). */
struct mw_finding_pages {	/* the page scan's category findings */
	double percent;			/* bytes of RAM, % */
	uint64_t pages;			/* of the category */
	uint64_t kmem_charged_bytes;	/* unaccounted: charged to a memcg */
	uint64_t movable_ops_pages;	/* unaccounted: non-LRU movable */
	uint64_t zsmalloc_pages;	/* unaccounted: the kernel's NR_ZSPAGES (zram, zswap),
					 * when the scan told none of them apart */
	uint64_t zero_ref_pages;	/* unaccounted: refcount 0, on no free list */
	uint64_t dirty_bytes;		/* file cache */
	uint64_t writeback_pages;	/* file cache */
	uint64_t buddy_pages, pcp_pages; /* low free memory */
	uint64_t hugetlb_folios;	/* hugetlb free */
	uint64_t slab_unknown_cache_pages; /* inconsistent struct pages */
};

struct mw_finding_counters {	/* counters-differ */
	size_t nr_flagged;
	const struct mw_counter_cmp *counters;	/* the summary's, flagged ones count */
	size_t nr_counters;
};

struct mw_finding_directory {	/* shmem-files-unmapped, file-cache-directory */
	const char *directory;
	uint64_t files;
	uint64_t unmapped_files;
	uint64_t average_bytes;
	uint64_t dirty_bytes;
	const char *memcg;		/* holding most of its pages, or NULL */
};

struct mw_finding_deleted {	/* deleted-files-in-use */
	uint64_t files;
	const struct mw_file *largest;
	uint64_t largest_bytes;
};

struct mw_finding_dying {	/* dying-memcgs */
	size_t count;
	uint64_t lru_folios, lru_bytes;
	size_t files;			/* files with pages charged to them */
	const char *largest_file;	/* or NULL */
	uint64_t largest_file_bytes;
	const char *largest_memcg;	/* without folios: the one using most */
	uint64_t largest_memcg_bytes;
	const char *mostly;		/* what most of its usage is, or NULL */
	uint64_t writeback_structures;
	uint64_t other_refs;
	int64_t kernel_count;		/* the kernel's count, -1 unknown */
};

struct mw_finding_sockets {	/* unread-socket-data */
	const struct mw_sockets_holder *holder;
	const struct mw_socket *top;	/* its largest socket */
	double ratio;			/* pinned bytes per payload byte */
};

struct mw_slab_cache_info;
struct mw_finding_slab {	/* slab-cache-large */
	const struct mw_slab_cache_info *cache;
	double percent_ram, percent_slab;
	int grower;			/* enum mw_slab_grower */
	bool dentry_known, negative_known;
	int64_t nr_dentry, nr_unused, nr_negative;
};

struct mw_bpf_map;
struct mw_bpf_prog;
struct mw_finding_bpf {		/* bpf-memory-large */
	size_t nr_maps, nr_progs;
	uint64_t map_bytes, prog_bytes;	/* prog_bytes: struct bpf_prog pages and JIT images */
	double percent_ram;
	const struct mw_bpf_map *largest_map;	/* or NULL */
};

struct mw_hstate;
struct mw_hugetlb_file;
struct mw_finding_hugetlb_pool {	/* hugetlb-pool-free */
	const struct mw_hstate *hstate;
	double percent_ram;		/* of the idle pages (free, not reserved) */
	size_t holders;			/* hugetlbfs inodes of its page size */
	uint64_t held_bytes;
	const struct mw_hugetlb_file *largest;	/* or NULL */
};

struct mw_zram_dev;
struct mw_finding_zram {		/* zram-poor-compression */
	const struct mw_zram_dev *dev;
	double ratio;			/* compr_data_size / orig_data_size */
};

struct mw_incident;
struct mw_oom_report;
struct mw_task_info;
struct mw_finding_incident {	/* oom-panic, panic */
	const struct mw_incident *incident;
	const struct mw_oom_report *oom;	/* the report that ended in the panic, or NULL */
	size_t nr_kills;			/* other OOM reports in the log */
	const struct mw_task_info *top_task;	/* largest RSS, or NULL */
	uint64_t top_task_bytes;
	const char *top_memcg;			/* largest usage below the root, or NULL */
	uint64_t top_memcg_bytes;
	int other;				/* enum mw_page_category: the largest of shmem,
						 * slab, unaccounted, skb frags; -1 none */
	uint64_t other_bytes;
	uint64_t used_bytes;			/* RAM not free (page scan), 0 unknown */
	/* shmem/tmpfs files no process maps and no process keeps alive (named
	 * tmpfs files, SysV segments not removed): no OOM kill frees them */
	uint64_t unmapped_shmem_bytes, unmapped_shmem_files;
	const struct mw_file *unmapped_shmem_largest;	/* or NULL */
	const char *unmapped_shmem_dir;		/* the largest one's directory, or NULL */
	uint64_t unmapped_shmem_dir_bytes, unmapped_shmem_dir_files;	/* of them in it */
	uint64_t page_size;			/* of the files' pages */
	int cause;				/* enum mw_oom_cause */
};

/* What held the memory an OOM ran out of (the oom-panic finding's verdict). */
enum mw_oom_cause {
	MW_OOM_CAUSE_UNKNOWN = 0,	/* nothing measured */
	MW_OOM_CAUSE_PROCESS,		/* the largest process held the most */
	MW_OOM_CAUSE_UNMAPPED_SHMEM,	/* tmpfs/shmem files no process maps held more
					 * than any process */
	MW_OOM_CAUSE_KERNEL,		/* shmem, slab, unaccounted or skb frags (other) */
};

struct mw_finding {
	enum mw_finding_kind kind;
	enum mw_severity severity;
	enum mw_advice advice;
	uint64_t bytes;
	size_t seq;		/* order of making: ties keep it */
	union {
		struct mw_finding_pages pages;
		struct mw_finding_counters counters;
		struct mw_finding_directory dir;
		struct mw_finding_deleted deleted;
		struct mw_finding_dying dying;
		struct mw_finding_sockets sockets;
		struct mw_finding_slab slab;
		struct mw_finding_bpf bpf;
		struct mw_finding_hugetlb_pool hugetlb_pool;
		struct mw_finding_zram zram;
		struct mw_finding_incident incident;
	} u;
};

struct mw_findings {
	struct mw_finding *v;
	size_t nr, cap;
};

/* A zeroed finding at the end of list (kind, severity, bytes set), or
 * NULL when out of memory. */
struct mw_finding *mw_findings_add(struct mw_findings *list, enum mw_finding_kind kind,
				   enum mw_severity sev, uint64_t bytes);
/* Most severe first, then the most bytes, then the order they were made. */
int mw_finding_cmp(const void *a, const void *b);
void mw_findings_sort(struct mw_findings *list);
/* Drop the findings another analysis says better: the summary's
 * hugetlb-free (the scan's free hugetlb pages) where a pool's
 * hugetlb-pool-free is made (the same pages, less those promised to
 * mappings, with their holders). */
void mw_findings_drop_repeated(struct mw_findings *list);
/* The findings from index from on, sorted among themselves. */
void mw_findings_sort_from(struct mw_findings *list, size_t from);
void mw_findings_deinit(struct mw_findings *list);

/*
 * One finding per process holding unread socket data (holders, as
 * mw_sockets_holders makes them), severity by the bytes pinned against
 * total_ram (bytes, 0 if unknown). In holder order.
 */
struct mw_sockets;
struct mw_error *mw_sockets_findings(const struct mw_sockets *s,
				     const struct mw_sockets_holder *holders, size_t nr,
				     uint64_t total_ram, struct mw_findings *out);

#endif
