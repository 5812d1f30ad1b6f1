/* memwhere: memory pools outside the page cache, anon and slab.
 *
 * The `pools` result, read from the kernel's own structures (no page scan):
 *
 *   hugetlb (analyzer/hugetlb.c): every hstate of hstates[] (one per huge
 *     page size): total, free, reserved and surplus pages as
 *     /sys/kernel/mm/hugepages/hugepages-<size>kB shows them, and per node
 *     as /sys/devices/system/node/nodeN/hugepages shows them; gigantic when
 *     its order is beyond the buddy allocator's largest (the length of
 *     zone.free_area). Then who holds the pool: every inode of every
 *     hugetlbfs super block (super_blocks, s_type == &hugetlbfs_fs_type),
 *     by path, with the bytes of huge pages in its page cache (i_blocks):
 *     files on mounted hugetlbfs, SysV shared memory with SHM_HUGETLB
 *     ("SYSV<key>"), anonymous MAP_HUGETLB mappings ("anon_hugepage") and
 *     memfd_create(MFD_HUGETLB) files ("memfd:<name>") alike, as the kernel
 *     backs them all with a hugetlbfs inode; the pages of private mappings
 *     (anonymous MAP_HUGETLB, MAP_PRIVATE) are in no page cache: the pool's
 *     pages in use less the inodes' are theirs, and every process mapping
 *     hugetlb pages is listed with its mm->hugetlb_usage (HugetlbPages).
 *   zram and zswap (analyzer/zram.c): the zsmalloc pages (NR_ZSPAGES,
 *     /proc/vmstat nr_zspages), the zram block devices with their disk size
 *     (the gendisk's capacity) and their mm_stat (struct zram, read with
 *     the zram module's BTF from the dump: analyzer/modbtf.h), zswap's pool
 *     pages and stored pages
 *     (/proc/meminfo Zswap and Zswapped) where the kernel has zswap.
 *   CMA (analyzer/cma.c): every area of cma_areas[] with its base, size
 *     and pages in use (its allocation bitmap).
 *
 * What is not read is said (`unsupported` strings), not guessed.
 */
#ifndef MW_POOLS_H
#define MW_POOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "common/error.h"
#include "common/warn.h"

enum {
	MW_HSTATE_MAX = 16,		/* bound on hugetlb_max_hstate (HUGE_MAX_HSTATE) */
	MW_HSTATE_NAME_MAX = 32,	/* HSTATE_NAME_LEN */
	MW_POOLS_MAX_NODES = 1024,	/* bound on nr_node_ids */
	MW_CMA_NAME_MAX = 64,
	MW_CMA_MAX_AREAS = 64,		/* bound on cma_area_count */
	MW_ZRAM_NAME_MAX = 32,		/* DISK_NAME_LEN */
	MW_ZRAM_ALG_MAX = 64,		/* a crypto algorithm's name (CRYPTO_MAX_ALG_NAME 128) */
};

struct mw_hugetlb_node {
	int node;
	uint64_t nr, free, surplus;	/* huge pages */
};

struct mw_hstate {
	char name[MW_HSTATE_NAME_MAX];	/* "hugepages-2048kB" */
	unsigned order;
	uint64_t page_bytes;		/* the huge page size */
	uint64_t nr, free, resv, surplus;	/* huge pages */
	bool gigantic;			/* beyond the buddy allocator's orders */
	struct mw_hugetlb_node *nodes;	/* nodes holding any of its pages */
	size_t nr_nodes;
};

enum mw_hugetlb_file_kind {
	MW_HUGETLB_FILE = 0,		/* a file on a mounted hugetlbfs */
	MW_HUGETLB_SHM,			/* SysV shm with SHM_HUGETLB: "SYSV<key>" */
	MW_HUGETLB_ANON,		/* mmap(MAP_HUGETLB|MAP_ANONYMOUS): "anon_hugepage" */
	MW_HUGETLB_MEMFD,		/* memfd_create(MFD_HUGETLB): "memfd:<name>" */
};
const char *mw_hugetlb_file_kind_name(enum mw_hugetlb_file_kind k);

struct mw_hugetlb_file {
	char *path;			/* malloc'ed, "(no name)" when none */
	enum mw_hugetlb_file_kind kind;
	uint64_t inode, ino;
	uint64_t size;			/* i_size */
	uint64_t bytes;			/* huge pages in its page cache (i_blocks * 512) */
	uint64_t page_bytes;		/* the super block's huge page size, 0 unknown */
	bool unlinked;
};

/* A process mapping hugetlb pages: mm->hugetlb_usage, /proc/PID/status
 * HugetlbPages (shared file pages and private ones alike). */
struct mw_hugetlb_proc {
	int32_t pid;
	char comm[17];
	uint64_t bytes;
};

/* One zram device. Its mm_stat figures come from its struct zram (the
 * gendisk's private_data), a type of the zram module's own BTF
 * (analyzer/modbtf.h), computed as drivers/block/zram's mm_stat_show does. */
struct mw_zram_dev {
	char name[MW_ZRAM_NAME_MAX];
	uint64_t disksize;		/* bytes: the gendisk's capacity */
	bool stats_known;		/* the mm_stat figures below were read */
	uint64_t orig_data_size;	/* stats.pages_stored << PAGE_SHIFT */
	uint64_t compr_data_size;	/* stats.compr_data_size */
	bool pool_known;		/* its zs_pool was read (set up: disksize != 0) */
	uint64_t mem_used_total;	/* zs_pool pages_allocated << PAGE_SHIFT */
	uint64_t pages_compacted;	/* zs_pool stats.pages_compacted */
	uint64_t mem_limit;		/* limit_pages << PAGE_SHIFT, 0: none */
	uint64_t mem_used_max;		/* stats.max_used_pages << PAGE_SHIFT */
	uint64_t same_pages;		/* same-filled pages, stored without data */
	uint64_t huge_pages;		/* incompressible pages, stored whole */
	bool has_huge_pages_since;
	uint64_t huge_pages_since;
	char comp_algorithm[MW_ZRAM_ALG_MAX];	/* "" if not read */
};

struct mw_cma_area {
	char name[MW_CMA_NAME_MAX];
	uint64_t base_pfn, pages;
	uint64_t used_pages;		/* bits set in its bitmap << order_per_bit */
	bool used_known;
};

struct mw_pools {
	uint64_t page_size;
	/* hugetlb */
	bool have_hugetlb;
	struct mw_hstate hstates[MW_HSTATE_MAX];
	size_t nr_hstates;
	struct mw_hugetlb_file *files;	/* ranked by bytes */
	size_t nr_files;
	bool files_read, files_incomplete;
	uint64_t file_bytes;
	/* pool pages in use but in no hugetlbfs page cache: private
	 * (MAP_PRIVATE, anonymous MAP_HUGETLB) mappings' pages */
	uint64_t private_bytes;
	struct mw_hugetlb_proc *procs;	/* ranked by bytes */
	size_t nr_procs;
	bool procs_read;
	/* zsmalloc, zram, zswap */
	bool have_zspages;
	uint64_t zspages;		/* NR_ZSPAGES */
	bool have_zram_walk;		/* block devices were walked */
	struct mw_zram_dev *zram;
	size_t nr_zram;
	/* why some device's mm_stat was not read ("" if all were) */
	char zram_stats_why[256];
	bool have_zswap;		/* the kernel has zswap */
	bool zswap_pool_known;
	uint64_t zswap_pool_pages;	/* Zswap / page size */
	uint64_t zswap_stored_pages;	/* Zswapped / page size */
	char zswap_zpool[16];		/* the current pool's allocator ("zsmalloc",
					 * "zbud"), "" if not read */
	/* CMA */
	bool have_cma;			/* the kernel has CMA (cma_areas) */
	struct mw_cma_area cma[MW_CMA_MAX_AREAS];
	size_t nr_cma;
	uint64_t cma_pages;
};

struct mw_error *mw_pools_analyze(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret);
void mw_pools_deinit(struct mw_pools *p);

/* The parts (each fills its part of ret; errors only for allocation). */
struct mw_error *mw_hugetlb_read(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret);
struct mw_error *mw_hugetlb_files_read(struct mw_kernel *k, struct mw_warnings *w,
				       struct mw_pools *ret);
struct mw_error *mw_hugetlb_procs_read(struct mw_kernel *k, struct mw_warnings *w,
				       struct mw_pools *ret);
struct mw_error *mw_zram_read(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret);
struct mw_error *mw_cma_read(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret);

/* hugetlb-pool-free: a pool of MW_POOLS_FREE_MIN_PERCENT of total_ram or
 * more whose pages are mostly (MW_POOLS_FREE_PERCENT) free. */
enum { MW_POOLS_FREE_PERCENT = 50, MW_POOLS_FREE_MIN_PERCENT = 2 };
/* zram-poor-compression: a device holding MW_ZRAM_POOR_MIN_MIB or more
 * (orig_data_size) whose compressed data is above MW_ZRAM_POOR_PERCENT of
 * it (lz4 and zstd make 25-50% of ordinary anonymous memory). */
enum { MW_ZRAM_POOR_PERCENT = 75, MW_ZRAM_POOR_MIN_MIB = 8 };
struct mw_findings;
struct mw_error *mw_pools_findings(const struct mw_pools *p, uint64_t total_ram,
				   struct mw_findings *out);

/* Whether a hugetlbfs inode's name says what made it. */
enum mw_hugetlb_file_kind mw_hugetlb_kind_of(const char *name, bool mounted);

#endif
