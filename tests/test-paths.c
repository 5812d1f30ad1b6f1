/* The path builder (analyzer/paths.c) over a fake memory image laid out by
 * hand (TAP): paths through nested mounts, the whole-file-system mount
 * preferred over a bind mount, a file system seen only through a bind
 * mount, one not in the initial namespace, a pseudo file (memfd), an
 * unlinked file, an inode's hashed alias preferred, an inode with no
 * dentry, the directory cache; and hostile chains: a dentry loop, a name
 * longer than NAME_MAX, a name with a NUL, a parent pointer into nowhere,
 * a NULL parent, an unreadable name, a mount loop, a chain deeper than the
 * bound. Each must end (bounded), give "(broken)/..." with a reason, and
 * leave every other path as it was. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/paths.h"
#include "tests/fakemem.h"
#include "tests/tap.h"

#define BASE 0xffff888000000000ULL
#define NOWHERE (BASE + 0x40000000ULL)	/* a kernel address outside the image */
enum {
	IMG_SIZE = 8 << 20,
	/* struct dentry of the fake kernel */
	D_HASH_PPREV = 0x10, D_PARENT = 0x18, D_NAME_LEN = 0x24, D_NAME_NAME = 0x28,
	D_ALIAS = 0x30, D_INAME = 0x40, DENTRY_SIZE = 0x80,
	/* struct mount */
	M_PARENT = 0x08, M_MOUNTPOINT = 0x10, M_ROOT = 0x18, M_NS = 0x28, M_INSTANCE = 0x30,
	MOUNT_SIZE = 0x40,
	/* struct super_block, struct inode */
	SB_ROOT = 0x00, SB_MOUNTS = 0x08, SB_SIZE = 0x20,
	I_DENTRY = 0x00, INODE_SIZE = 0x10,
	NS_SIZE = 0x10,
};

/* A hashed dentry named name under parent (0: its own parent, a root). */
static uint64_t dentry(struct fakemem *im, uint64_t parent, const char *name)
{
	uint64_t d = fakemem_alloc(im, DENTRY_SIZE);
	size_t n = strlen(name);
	uint64_t np = d + D_INAME;
	if (n >= DENTRY_SIZE - D_INAME) {
		np = fakemem_alloc(im, n + 1);
	}
	memcpy(fakemem_at(im, np, n + 1), name, n + 1);
	fakemem_put64(im, d + D_PARENT, parent ? parent : d);
	fakemem_put32(im, d + D_NAME_LEN, (uint32_t)n);
	fakemem_put64(im, d + D_NAME_NAME, np);
	fakemem_put64(im, d + D_HASH_PPREV, parent ? d : 0);	/* anything non-NULL: hashed */
	return d;
}

static uint64_t super_block(struct fakemem *im, const char *rootname)
{
	uint64_t sb = fakemem_alloc(im, SB_SIZE);
	fakemem_put64(im, sb + SB_ROOT, dentry(im, 0, rootname));
	fakemem_list_init(im, sb + SB_MOUNTS);
	return sb;
}

/* A mount of sb (root: a dentry of it) on mountpoint in parent (0: a tree root). */
static uint64_t mount(struct fakemem *im, uint64_t sb, uint64_t root, uint64_t parent,
		      uint64_t mountpoint, uint64_t ns)
{
	uint64_t m = fakemem_alloc(im, MOUNT_SIZE);
	fakemem_put64(im, m + M_PARENT, parent ? parent : m);
	fakemem_put64(im, m + M_MOUNTPOINT, parent ? mountpoint : root);
	fakemem_put64(im, m + M_ROOT, root);
	fakemem_put64(im, m + M_NS, ns);
	fakemem_list_add_tail(im, m + M_INSTANCE, sb + SB_MOUNTS);
	return m;
}

static uint64_t sb_root(struct fakemem *im, uint64_t sb)
{
	return fakemem_get64(im, sb + SB_ROOT);
}

static const struct mw_paths_layout layout = {
	.d_parent = D_PARENT, .d_name_len = D_NAME_LEN, .d_name_name = D_NAME_NAME,
	.d_hash_pprev = D_HASH_PPREV, .d_alias = D_ALIAS,
	.mnt_parent = M_PARENT, .mnt_mountpoint = M_MOUNTPOINT, .mnt_root = M_ROOT,
	.mnt_ns = M_NS, .mnt_instance = M_INSTANCE,
	.sb_root = SB_ROOT, .sb_mounts = SB_MOUNTS,
	.i_dentry = I_DENTRY,
};

static const char *status_name(enum mw_path_status s)
{
	switch (s) {
	case MW_PATH_OK: return "ok";
	case MW_PATH_OTHER_NS: return "other-ns";
	case MW_PATH_DISCONNECTED: return "disconnected";
	case MW_PATH_NO_NAME: return "no-name";
	case MW_PATH_BROKEN: return "broken";
	}
	return "?";
}

/* Resolve and check path and status (and a word of the reason if broken). */
static void expect(struct mw_paths *p, uint64_t sb, uint64_t d, const char *want,
		   enum mw_path_status status, const char *reason_word, const char *what)
{
	struct mw_path r;
	struct mw_error *err = mw_paths_dentry(p, sb, d, &r);
	if (!tap_ok(err == NULL, "%s: no error", what)) {
		mw_error_destroy(err);
		return;
	}
	tap_is_str(r.path ? r.path : "(null)", want, "%s: path", what);
	if (!tap_ok(r.status == status, "%s: status %s", what, status_name(status)))
		tap_diag("got %s (%s)", status_name(r.status), r.reason);
	if (reason_word && !tap_ok(strstr(r.reason, reason_word) != NULL,
				   "%s: the reason says \"%s\"", what, reason_word))
		tap_diag("reason: '%s'", r.reason);
	mw_path_deinit(&r);
}

int main(void)
{
	struct fakemem im;
	fakemem_init(&im);
	fakemem_map(&im, BASE, IMG_SIZE);
	uint64_t ns = fakemem_alloc(&im, NS_SIZE), other_ns = fakemem_alloc(&im, NS_SIZE);

	/* / (rootfs): /dev, /var, /data, /run/rootfs */
	uint64_t sb0 = super_block(&im, "/");
	uint64_t r0 = sb_root(&im, sb0);
	uint64_t m0 = mount(&im, sb0, r0, 0, 0, ns);
	uint64_t dev = dentry(&im, r0, "dev"), shm = dentry(&im, dev, "shm");
	uint64_t var = dentry(&im, r0, "var"), data = dentry(&im, r0, "data");
	uint64_t run = dentry(&im, r0, "run"), rootfs = dentry(&im, run, "rootfs");

	/* tmpfs on /dev/shm: ganglia/f0..f2 */
	uint64_t sb1 = super_block(&im, "/");
	uint64_t r1 = sb_root(&im, sb1);
	mount(&im, sb1, r1, m0, shm, ns);
	uint64_t ganglia = dentry(&im, r1, "ganglia");
	uint64_t f0 = dentry(&im, ganglia, "gmond-metrics-0000");
	uint64_t f1 = dentry(&im, ganglia, "gmond-metrics-0001");
	uint64_t f2 = dentry(&im, ganglia, "gmond-metrics-0002");
	uint64_t gone = dentry(&im, r1, "PostgreSQL.1804289383");
	fakemem_put64(&im, gone + D_HASH_PPREV, 0);	/* unlinked */

	/* ext4 on /var, and a bind mount of a container's fs on /run/rootfs
	 * (mounted first, so the whole-fs mount must be chosen by its root) */
	uint64_t sb2 = super_block(&im, "/");
	uint64_t r2 = sb_root(&im, sb2);
	uint64_t snap = dentry(&im, dentry(&im, dentry(&im, r2, "lib"), "containerd"), "fs");
	uint64_t applog = dentry(&im, dentry(&im, snap, "log"), "app.log");
	mount(&im, sb2, snap, m0, rootfs, ns);
	mount(&im, sb2, r2, m0, var, ns);

	/* a file system seen only through a bind mount of its "export" dir on /data */
	uint64_t sb3 = super_block(&im, "/");
	uint64_t r3 = sb_root(&im, sb3);
	uint64_t export = dentry(&im, r3, "export");
	uint64_t in3 = dentry(&im, export, "in.txt"), out3 = dentry(&im, r3, "out.txt");
	mount(&im, sb3, export, m0, data, ns);

	/* a container's tmpfs, mounted in another namespace only */
	uint64_t sb4 = super_block(&im, "/");
	uint64_t r4 = sb_root(&im, sb4);
	mount(&im, sb4, r4, 0, 0, other_ns);
	uint64_t c4 = dentry(&im, dentry(&im, r4, "cache"), "c.bin");

	/* the kernel's internal shm mount: a memfd (its dentry is its own parent) */
	uint64_t sb5 = super_block(&im, "/");
	mount(&im, sb5, sb_root(&im, sb5), 0, 0, 0xffffffffffffffeaULL);
	uint64_t memfd = dentry(&im, 0, "memfd:wayland-shm");

	struct mw_paths *p = NULL;
	struct mw_error *err = mw_paths_create(&layout, fakemem_read, &im, ns, m0, &p);
	if (!tap_ok(err == NULL, "mw_paths_create"))
		return tap_done();

	expect(p, sb1, f0, "/dev/shm/ganglia/gmond-metrics-0000", MW_PATH_OK, NULL,
	       "tmpfs on /dev/shm");
	uint64_t reads = im.reads;
	expect(p, sb1, f1, "/dev/shm/ganglia/gmond-metrics-0001", MW_PATH_OK, NULL,
	       "a second file of the same directory");
	tap_ok(im.reads - reads <= 3, "the second file costs its own dentry and name only "
	       "(%" PRIu64 " reads)", im.reads - reads);
	struct mw_paths_stats st;
	mw_paths_get_stats(p, &st);
	tap_ok(st.cache_hits >= 1, "the directory came from the cache (%" PRIu64 " hits)",
	       st.cache_hits);
	expect(p, sb2, applog, "/var/lib/containerd/fs/log/app.log", MW_PATH_OK, NULL,
	       "the whole file system's mount, not the earlier bind mount");
	expect(p, sb3, in3, "/data/in.txt", MW_PATH_OK, NULL, "through a bind mount");
	expect(p, sb3, out3, "/out.txt", MW_PATH_OTHER_NS, NULL,
	       "outside the only bind mount");
	expect(p, sb4, c4, "/cache/c.bin", MW_PATH_OTHER_NS, NULL,
	       "mounted in another namespace only");
	expect(p, sb5, memfd, "/memfd:wayland-shm", MW_PATH_DISCONNECTED, NULL,
	       "a memfd (pseudo dentry)");
	{
		struct mw_path r;
		err = mw_paths_dentry(p, sb1, gone, &r);
		tap_ok(!err && r.status == MW_PATH_OK && r.unlinked &&
		       strcmp(r.path, "/dev/shm/PostgreSQL.1804289383") == 0,
		       "an unlinked file keeps its last name and is marked unlinked");
		mw_path_deinit(&r);
	}

	/* inodes: the hashed alias is preferred; no alias: no name */
	{
		uint64_t stale = dentry(&im, ganglia, "old-name");
		fakemem_put64(&im, stale + D_HASH_PPREV, 0);
		uint64_t inode = fakemem_alloc(&im, INODE_SIZE);
		/* i_dentry -> stale -> f2 */
		fakemem_put64(&im, inode + I_DENTRY, stale + D_ALIAS);
		fakemem_put64(&im, stale + D_ALIAS, f2 + D_ALIAS);
		fakemem_put64(&im, f2 + D_ALIAS, 0);
		struct mw_path r;
		err = mw_paths_inode(p, sb1, inode, &r);
		tap_ok(!err && r.path && strcmp(r.path, "/dev/shm/ganglia/gmond-metrics-0002") == 0,
		       "an inode is named by its hashed dentry (got %s)", r.path ? r.path : "(null)");
		mw_path_deinit(&r);
		uint64_t bare = fakemem_alloc(&im, INODE_SIZE);
		err = mw_paths_inode(p, sb1, bare, &r);
		tap_ok(!err && r.status == MW_PATH_NO_NAME && !r.path,
		       "an inode with no dentry has no name");
		mw_path_deinit(&r);
		/* an alias list that loops onto itself ends */
		uint64_t loopy = fakemem_alloc(&im, INODE_SIZE);
		uint64_t a1 = dentry(&im, ganglia, "a1"), a2 = dentry(&im, ganglia, "a2");
		fakemem_put64(&im, a1 + D_HASH_PPREV, 0);
		fakemem_put64(&im, a2 + D_HASH_PPREV, 0);
		fakemem_put64(&im, loopy + I_DENTRY, a1 + D_ALIAS);
		fakemem_put64(&im, a1 + D_ALIAS, a2 + D_ALIAS);
		fakemem_put64(&im, a2 + D_ALIAS, a1 + D_ALIAS);
		err = mw_paths_inode(p, sb1, loopy, &r);
		tap_ok(!err && r.path && strcmp(r.path, "/dev/shm/ganglia/a1") == 0,
		       "a looping alias list ends (first alias taken: %s)", r.path ? r.path : "(null)");
		mw_path_deinit(&r);
	}

	/* ---- hostile chains ---- */
	/* a dentry loop: x -> y -> x, with a file under x */
	uint64_t x = dentry(&im, r1, "x"), y = dentry(&im, x, "y");
	fakemem_put64(&im, x + D_PARENT, y);
	uint64_t inloop = dentry(&im, x, "victim");
	expect(p, sb1, inloop, "(broken)/y/x/victim", MW_PATH_BROKEN, "loop",
	       "a dentry loop");
	expect(p, sb1, dentry(&im, y, "victim2"), "(broken)/y/victim2", MW_PATH_BROKEN, NULL,
	       "a second file in the loop (the broken directory is remembered)");

	/* a directory name longer than NAME_MAX */
	char longname[301];
	memset(longname, 'n', 300);
	longname[300] = '\0';
	uint64_t longdir = dentry(&im, ganglia, longname);
	expect(p, sb1, dentry(&im, longdir, "f"), "(broken)/f", MW_PATH_BROKEN, "NAME_MAX",
	       "a name of 300 bytes");
	/* the file's own name too long */
	expect(p, sb1, dentry(&im, ganglia, longname), "(broken)", MW_PATH_BROKEN, "NAME_MAX",
	       "the file's own name of 300 bytes");
	/* a name holding a NUL */
	uint64_t nul = dentry(&im, ganglia, "abcdef");
	fakemem_put32(&im, nul + D_NAME_LEN, 10);
	expect(p, sb1, dentry(&im, nul, "g"), "(broken)/g", MW_PATH_BROKEN, "NUL",
	       "a name with a NUL byte");
	/* a parent pointer into nowhere */
	uint64_t lost = dentry(&im, ganglia, "lost");
	fakemem_put64(&im, lost + D_PARENT, NOWHERE);
	expect(p, sb1, dentry(&im, lost, "h"), "(broken)/lost/h", MW_PATH_BROKEN, "unreadable",
	       "a parent pointer into nowhere");
	/* a NULL parent, a misaligned one */
	uint64_t orphan = dentry(&im, ganglia, "orphan");
	fakemem_put64(&im, orphan + D_PARENT, 0);
	expect(p, sb1, dentry(&im, orphan, "i"), "(broken)/orphan/i", MW_PATH_BROKEN,
	       "not a kernel pointer", "a NULL parent");
	uint64_t odd = dentry(&im, ganglia, "odd");
	fakemem_put64(&im, odd + D_PARENT, ganglia + 3);
	expect(p, sb1, dentry(&im, odd, "j"), "(broken)/odd/j", MW_PATH_BROKEN, NULL,
	       "a misaligned parent");
	/* a name pointer into nowhere */
	uint64_t noname = dentry(&im, ganglia, "noname");
	fakemem_put64(&im, noname + D_NAME_NAME, NOWHERE);
	expect(p, sb1, dentry(&im, noname, "k"), "(broken)/k", MW_PATH_BROKEN, "name",
	       "an unreadable name");
	/* a chain deeper than the bound */
	uint64_t deep = r1;
	for (int i = 0; i < MW_PATHS_MAX_DEPTH + MW_PATHS_MAX_MOUNTS + 100; i++)
		deep = dentry(&im, deep, "d");
	{
		struct mw_path r;
		err = mw_paths_dentry(p, sb1, deep, &r);
		tap_ok(!err && r.status == MW_PATH_BROKEN && strncmp(r.path, "(broken)/d/d", 12) == 0 &&
		       strlen(r.path) < 2 * (MW_PATHS_MAX_DEPTH + MW_PATHS_MAX_MOUNTS) + 16,
		       "a chain of %d dentries stops at the bound (%s)",
		       MW_PATHS_MAX_DEPTH + MW_PATHS_MAX_MOUNTS + 100, r.reason);
		mw_path_deinit(&r);
	}
	/* a path longer than the bound in bytes */
	{
		char n255[256];
		memset(n255, 'L', 255);
		n255[255] = '\0';
		uint64_t d = r1;
		for (int i = 0; i < MW_PATHS_MAX_LEN / 256 + 10; i++)
			d = dentry(&im, d, n255);
		struct mw_path r;
		err = mw_paths_dentry(p, sb1, dentry(&im, d, "leaf"), &r);
		tap_ok(!err && r.status == MW_PATH_BROKEN && strncmp(r.path, "(broken)/", 9) == 0 &&
		       strlen(r.path) <= MW_PATHS_MAX_LEN + 16 && strstr(r.reason, "longer"),
		       "a path over %d bytes is cut (%zu bytes kept: %s)", MW_PATHS_MAX_LEN,
		       r.path ? strlen(r.path) : 0, r.reason);
		mw_path_deinit(&r);
	}
	/* a mount loop: two mounts each mounted in the other */
	uint64_t sb6 = super_block(&im, "/"), sb7 = super_block(&im, "/");
	uint64_t r6 = sb_root(&im, sb6), r7 = sb_root(&im, sb7);
	uint64_t mp6 = dentry(&im, r7, "six"), mp7 = dentry(&im, r6, "seven");
	uint64_t m6 = mount(&im, sb6, r6, 0, 0, ns), m7 = mount(&im, sb7, r7, m6, mp7, ns);
	fakemem_put64(&im, m6 + M_PARENT, m7);
	fakemem_put64(&im, m6 + M_MOUNTPOINT, mp6);
	expect(p, sb6, dentry(&im, r6, "file"), "(broken)/seven/six/file", MW_PATH_BROKEN,
	       "loop", "mounts that loop");
	/* a mount pointer into nowhere on the way up */
	uint64_t sb8 = super_block(&im, "/");
	uint64_t m8 = mount(&im, sb8, sb_root(&im, sb8), m0, dev, ns);
	fakemem_put64(&im, m8 + M_PARENT, NOWHERE);
	expect(p, sb8, dentry(&im, sb_root(&im, sb8), "z"), "(broken)/z", MW_PATH_BROKEN,
	       "mount", "a parent mount into nowhere");
	/* a super block whose mount list points into nowhere: no mount, relative path */
	uint64_t sb9 = super_block(&im, "/");
	fakemem_put64(&im, sb9 + SB_MOUNTS, NOWHERE);
	expect(p, sb9, dentry(&im, sb_root(&im, sb9), "w"), "/w", MW_PATH_OTHER_NS, NULL,
	       "a super block with an unreadable mount list");
	/* a dentry pointer into nowhere */
	expect(p, sb1, NOWHERE, "(broken)", MW_PATH_BROKEN, "unreadable", "a dentry into nowhere");

	/* the rest is unharmed */
	expect(p, sb1, f0, "/dev/shm/ganglia/gmond-metrics-0000", MW_PATH_OK, NULL,
	       "after all that, the first file again");
	expect(p, sb1, f2, "/dev/shm/ganglia/gmond-metrics-0002", MW_PATH_OK, NULL,
	       "after all that, a file not asked for before");
	expect(p, sb2, applog, "/var/lib/containerd/fs/log/app.log", MW_PATH_OK, NULL,
	       "after all that, the container's log");

	mw_paths_destroy(p);
	fakemem_deinit(&im);
	return tap_done();
}
