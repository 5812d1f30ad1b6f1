/* memwhere: file paths from the dentry cache and the mount tree.
 *
 * A path is built as the kernel's d_path() builds it: names up the dentry
 * chain (d_parent) to the root of the mount the file is seen through, then
 * that mount's mount point in its parent mount, and so on up to the root of
 * the initial mount namespace. The mount of a super block is chosen once:
 * among its mounts (super_block.s_mounts) in the initial mount namespace,
 * one of the whole file system (mnt_root == s_root) if there is one (so a
 * container's files read as /var/lib/containerd/.../fs/var/log/app.log, not
 * through a bind mount of that directory); else the bind mount whose root is
 * the highest ancestor of the dentry; else any mount of it (the path is then
 * relative to that mount's tree, status OTHER_NS).
 *
 * Dump content is hostile: every walk is bounded (depth, mounts, length),
 * loops are found by Brent's method, every pointer is checked before it is
 * followed, names longer than NAME_MAX or holding a NUL are refused. A walk
 * that meets such a thing stops there: what was read below it is kept and
 * the part above is replaced by "(broken)", e.g. "(broken)/log/app.log",
 * with the reason (for a warning). Other files are not affected.
 *
 * Directories are resolved once: every (dentry, mount) passed on the way up
 * is kept with its path, so the 200 files of one directory cost one walk of
 * the directory and one name each.
 *
 * The builder reads through a callback and takes the layout as numbers, so
 * the unit test runs it on a fake memory image.
 */
#ifndef MW_PATHS_H
#define MW_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/walk.h"
#include "common/error.h"

enum {
	MW_PATHS_NAME_MAX = 255,	/* NAME_MAX */
	MW_PATHS_MAX_DEPTH = 4096,	/* dentries from a file to the namespace root */
	MW_PATHS_MAX_MOUNTS = 512,	/* mounts crossed on the way */
	MW_PATHS_MAX_LEN = 16384,	/* bytes of a path */
	MW_PATHS_MAX_SB_MOUNTS = 65536,	/* mounts of one super block looked at */
	MW_PATHS_MAX_CANDIDATES = 64,	/* bind mounts of one super block kept */
	MW_PATHS_MAX_ALIASES = 1024,	/* dentries of one inode looked at */
};

/* Offsets (bytes) of what the walk reads. */
struct mw_paths_layout {
	/* struct dentry */
	uint32_t d_parent;		/* struct dentry * */
	uint32_t d_name_len;		/* d_name.len (u32) */
	uint32_t d_name_name;		/* d_name.name (const char *) */
	uint32_t d_hash_pprev;		/* d_hash.pprev: NULL when unhashed */
	uint32_t d_alias;		/* the hlist_node in inode.i_dentry */
	/* struct mount */
	uint32_t mnt_parent, mnt_mountpoint;
	uint32_t mnt_root;		/* mount.mnt.mnt_root */
	uint32_t mnt_ns;		/* struct mnt_namespace * */
	uint32_t mnt_instance;		/* list_head in super_block.s_mounts, or
					 * mnt_next_for_sb when sb_mounts_single */
	bool sb_mounts_single;		/* s_mounts is the first struct mount *,
					 * the rest linked by mnt_next_for_sb (7.x) */
	/* struct super_block */
	uint32_t sb_root, sb_mounts;
	/* struct inode */
	uint32_t i_dentry;		/* hlist_head */
};

enum mw_path_status {
	MW_PATH_OK = 0,		/* from the root of the initial mount namespace */
	MW_PATH_OTHER_NS,	/* the mount chain ends elsewhere (another or no
				 * namespace, a detached mount), or the file system
				 * has no mount: relative to the top reached */
	MW_PATH_DISCONNECTED,	/* the chain ends at a dentry that is its own parent
				 * but not the file system's root (pseudo files:
				 * memfd, SysV shm, dev/zero): "/" + its name */
	MW_PATH_NO_NAME,	/* the inode has no dentry left (mw_paths_inode) */
	MW_PATH_BROKEN,		/* "(broken)/...": see reason */
};

struct mw_path {
	char *path;			/* malloc'ed; NULL for NO_NAME */
	enum mw_path_status status;
	bool unlinked;			/* the dentry is unhashed and not a root (d_unlinked()) */
	uint64_t dentry;		/* the dentry named */
	uint64_t mount;			/* the mount it was seen through, 0 if none */
	char reason[192];		/* BROKEN: what was wrong, with the address */
};

struct mw_paths;

/*
 * init_ns: the initial mount namespace (init_task.nsproxy->mnt_ns);
 * init_root: its root mount (mnt_namespace.root). Either may be 0 if
 * unknown: every path is then OTHER_NS.
 */
struct mw_error *mw_paths_create(const struct mw_paths_layout *l,
				 mw_read_fn *read, void *arg,
				 uint64_t init_ns, uint64_t init_root,
				 struct mw_paths **ret);
void mw_paths_destroy(struct mw_paths *p);

/* The path of dentry d of super block sb. Only allocation failures are
 * errors; anything wrong in the dump gives status BROKEN. */
struct mw_error *mw_paths_dentry(struct mw_paths *p, uint64_t sb, uint64_t d,
				 struct mw_path *ret);
/* The path of an inode through its dentries (inode.i_dentry): a hashed one
 * if it has one, else the first; NO_NAME if it has none. */
struct mw_error *mw_paths_inode(struct mw_paths *p, uint64_t sb, uint64_t inode,
				struct mw_path *ret);
void mw_path_deinit(struct mw_path *path);

/* What the builder did (for tests and benchmarks). */
struct mw_paths_stats {
	uint64_t dentries_read;		/* dentries read from memory */
	uint64_t cache_hits;		/* walks that ended at a directory already known */
	uint64_t cached;		/* (dentry, mount) pairs kept */
	uint64_t super_blocks;		/* super blocks whose mounts were looked at */
};
void mw_paths_get_stats(const struct mw_paths *p, struct mw_paths_stats *ret);

#endif
