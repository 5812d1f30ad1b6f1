/* memwhere: page cache and shared memory by file.
 *
 *	struct mw_files_scan *s;
 *	struct mw_page_observer obs;
 *	mw_files_scan_create(k, &s);
 *	mw_files_scan_observer(s, &obs);       // file and shmem pages
 *	mw_pagescan_run(k, &opt, w, &ps);      // with obs among the observers
 *	mw_files_resolve(s, ps, &filter, w, &files);  // paths, sizes, memcgs
 *	mw_files_scan_destroy(s);
 *
 * The page walker hands over every file and shmem page (or folio head) with
 * its address_space and memcg; they are counted per (address_space, memcg).
 * After the scan each address_space is described once: its inode
 * (address_space.host), i_ino, i_size, the super block's file system type,
 * and a name:
 *   - a path as seen from the initial mount namespace (analyzer/paths.h),
 *     marked deleted when the file is unlinked (i_nlink 0, or its dentry
 *     unhashed) with its last name;
 *   - files with no path are named by kind: memfd ("memfd:NAME"), SysV
 *     shared memory ("SYSV<key>": key, shmid and IPC_RMID state from the
 *     IPC namespace when found), anonymous shared memory (mmap of /dev/zero
 *     or MAP_SHARED|MAP_ANONYMOUS: "dev/zero"), block device page cache
 *     (the bdev file system: the device's name and number), an inode whose
 *     dentries were all reclaimed ("inode N on /mount"), a file system not
 *     mounted in the initial namespace (the path inside its own tree).
 * Broken dentry chains give "(broken)/..." paths and a warning each (the
 * first few; then a count).
 */
#ifndef MW_FILES_H
#define MW_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "analyzer/pagescan.h"
#include "common/error.h"
#include "common/warn.h"

/* How a file is named. */
enum mw_file_name {
	MW_FILE_PATH = 0,	/* a path from the initial mount namespace's root */
	MW_FILE_OTHER_NS,	/* a path inside a mount tree not in the initial namespace */
	MW_FILE_MEMFD,		/* memfd_create(): "memfd:NAME" */
	MW_FILE_SYSV_SHM,	/* shmget() segment */
	MW_FILE_SHARED_ANON,	/* MAP_SHARED|MAP_ANONYMOUS, /dev/zero */
	MW_FILE_BLOCK_DEVICE,	/* a block device's page cache (Buffers) */
	MW_FILE_PSEUDO,		/* another file of a kernel-internal mount */
	MW_FILE_NO_NAME,	/* no dentry left: "inode N on /mount" */
	MW_FILE_BROKEN,		/* the dentry/inode chain is corrupt */
	MW_FILE_NR_NAMES,
};
/* "path", "other_ns", "memfd", "sysv_shm", "shared_anon", "block_device",
 * "pseudo", "no_name", "broken" (the JSON `name_kind`). */
const char *mw_file_name_kind(enum mw_file_name n);

struct mw_file {
	uint64_t mapping;		/* struct address_space * */
	uint64_t inode;			/* struct inode *, 0 if unknown */
	uint64_t ino;			/* i_ino */
	int64_t size_bytes;		/* i_size (-1 if unreadable) */
	char *path;			/* see name; never NULL */
	char *dir;			/* the group in the by-directory list: "/dev/shm/ganglia/",
					 * or a kind ("memfd", "SysV shm", ...) */
	const char *fs;			/* file system type name (owned by mw_files), or "?" */
	enum mw_file_name name;
	bool shmem;			/* swap-backed pages (tmpfs, shm, memfd) */
	bool deleted;			/* unlinked (or a removed SysV segment) */
	bool mapped;			/* some process maps it (address_space.i_mmap not empty) */
	bool hugetlb;			/* hugetlbfs: cached_pages are hugetlb pool pages */
	/* SysV shared memory */
	int64_t sysv_key;		/* -1 if not known */
	int64_t sysv_shmid;		/* -1 if not found in the IPC namespace */
	int64_t sysv_nattch;		/* -1 if not found */
	uint64_t cached_pages;		/* pages in its page cache (after the memcg filter) */
	uint64_t dirty_pages;		/* file pages with PG_dirty (not shmem, always dirty) */
	uint64_t writeback_pages;
	uint64_t memcg;			/* struct mem_cgroup * charged with most of its pages (0: none) */
	uint32_t nr_memcgs;		/* memcgs its pages are charged to */
};

/* A directory (or a kind of unnamed file), over the files directly in it. */
struct mw_files_dir {
	const char *name;		/* a file's dir (owned by the file) */
	uint64_t files;
	uint64_t cached_pages;
	uint64_t dirty_pages;
	uint64_t mapped_files;		/* files some process maps */
	bool shmem;			/* every file in it is shmem */
};

struct mw_files {
	uint64_t page_size;
	uint64_t ram_pages;		/* struct pages scanned (the machine's RAM) */
	struct mw_file *files;		/* ranked by cached_pages, descending */
	size_t nr;
	struct mw_files_dir *dirs;	/* ranked by cached_pages, descending */
	size_t nr_dirs;
	/* totals over every file listed */
	uint64_t cached_pages, file_pages, shmem_pages, dirty_pages, writeback_pages;
	uint64_t block_device_pages;	/* of MW_FILE_BLOCK_DEVICE (what Buffers counts) */
	uint64_t pages_by_name[MW_FILE_NR_NAMES];
	uint64_t files_by_name[MW_FILE_NR_NAMES];
	uint64_t deleted_files, deleted_pages;
	uint64_t hugetlb_pages;		/* of hugetlbfs files: not in the totals above */
	/* pages left out by the filter (other memcgs) */
	uint64_t filtered_pages;
	/* the path builder's work */
	uint64_t dentries_read, dir_cache_hits;
	char **fs_names;		/* interned */
	size_t nr_fs_names;
};

/* Which memcgs to keep: NULL keeps every page. */
struct mw_files_filter {
	bool (*keep)(void *arg, uint64_t memcg);
	void *arg;
};

struct mw_files_scan;

/* Errors: the types lack what a page's inode and path are read with. */
struct mw_error *mw_files_scan_create(struct mw_kernel *k, struct mw_files_scan **ret);
void mw_files_scan_destroy(struct mw_files_scan *s);
/* The observer to pass to mw_pagescan_run (valid while s lives). */
void mw_files_scan_observer(struct mw_files_scan *s, struct mw_page_observer *ret);
/* After the scan: describe every address_space seen. */
struct mw_error *mw_files_resolve(struct mw_files_scan *s, const struct mw_pagescan *ps,
				  const struct mw_files_filter *filter,
				  struct mw_warnings *w, struct mw_files *ret);
void mw_files_deinit(struct mw_files *f);

/*
 * The findings (the seeds' cases): a directory of shmem files
 * nobody maps ("shmem-files-unmapped": leaked /dev/shm files), deleted files
 * still in use ("deleted-files-in-use"), the directory with the most page
 * cache ("file-cache-directory": a container's logs). t (may be NULL) names
 * the memcgs. At most 8, appended to out and ranked among themselves.
 */
struct mw_findings;
struct mw_memcg_tree;
struct mw_error *mw_files_findings(const struct mw_files *f, const struct mw_memcg_tree *t,
				   struct mw_findings *out);

#endif
