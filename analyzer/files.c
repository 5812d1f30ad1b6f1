/* memwhere: page cache and shared memory by file (files.h). */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/files.h"
#include "analyzer/kread.h"
#include "analyzer/layout.h"
#include "analyzer/memcg.h"
#include "analyzer/paths.h"
#include "analyzer/findings.h"
#include "analyzer/vm.h"

enum {
	BROKEN_WARNINGS = 10,		/* broken paths warned one by one */
	XA_CHUNK = 64,
	XA_CHUNK_SHIFT = 6,
	INODE_SPAN_MAX = 4096,
};

static const char *const name_kinds[MW_FILE_NR_NAMES] = {
	[MW_FILE_PATH] = "path",
	[MW_FILE_OTHER_NS] = "other_ns",
	[MW_FILE_MEMFD] = "memfd",
	[MW_FILE_SYSV_SHM] = "sysv_shm",
	[MW_FILE_SHARED_ANON] = "shared_anon",
	[MW_FILE_BLOCK_DEVICE] = "block_device",
	[MW_FILE_PSEUDO] = "pseudo",
	[MW_FILE_NO_NAME] = "no_name",
	[MW_FILE_BROKEN] = "broken",
};

const char *mw_file_name_kind(enum mw_file_name n)
{
	return (unsigned)n < MW_FILE_NR_NAMES ? name_kinds[n] : "?";
}

/* ---- counting pages per (address_space, memcg) ---- */

struct acc {
	uint64_t mapping;	/* 0: free slot */
	uint64_t memcg;
	uint64_t pages, dirty, writeback;
	bool shmem;
	bool hugetlb;		/* hugetlbfs page cache (not in Cached) */
};

struct acc_table {
	struct acc *v;
	size_t cap, n;
	bool nomem;
};

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ (b * 0x9e3779b97f4a7c15ULL);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static bool acc_grow(struct acc_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096;
	struct acc *v = calloc(cap, sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->v[i].mapping)
			continue;
		size_t j = mix(t->v[i].mapping, t->v[i].memcg) & (cap - 1);
		while (v[j].mapping)
			j = (j + 1) & (cap - 1);
		v[j] = t->v[i];
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
	return true;
}

static struct acc *acc_get(struct acc_table *t, uint64_t mapping, uint64_t memcg)
{
	if ((t->n + 1) * 4 > t->cap * 3 && !acc_grow(t)) {
		t->nomem = true;
		return NULL;
	}
	size_t mask = t->cap - 1;
	size_t i = mix(mapping, memcg) & mask;
	while (t->v[i].mapping && (t->v[i].mapping != mapping || t->v[i].memcg != memcg))
		i = (i + 1) & mask;
	if (!t->v[i].mapping) {
		t->v[i].mapping = mapping;
		t->v[i].memcg = memcg;
		t->n++;
	}
	return &t->v[i];
}

/* ---- layout ---- */

struct files_layout {
	uint32_t as_host;
	uint32_t as_i_mmap;		/* address_space.i_mmap.rb_root.rb_node */
	uint32_t i_mode, i_ino, i_nlink, i_size, i_sb, i_data;
	uint32_t inode_span;
	uint32_t sb_type, sb_root;
	uint32_t fst_name;
	bool has_bdev;
	uint32_t bdev_vfs_inode, bd_dev;
	bool has_bd_name;
	uint32_t bd_name;		/* block_device.bd_device.kobj.name */
	/* SysV shared memory */
	bool has_ipc;
	uint32_t ipc_shm_head;		/* ipc_namespace.ids[IPC_SHM_IDS].ipcs_idr.idr_rt.xa_head */
	uint32_t xa_shift, xa_slots;
	uint32_t perm_deleted, perm_id, perm_key, perm_mode;
	uint32_t shm_perm, shm_file, shm_nattch;
	uint32_t f_inode;
	uint32_t task_nsproxy, nsproxy_ipc_ns;
	uint32_t mnt_ns_root;
	uint32_t ns_mnt_ns;
	struct mw_paths_layout pl;
};

struct mw_files_scan {
	struct mw_kernel *k;
	struct files_layout l;
	struct acc_table acc;		/* merged */
	struct mw_error *err;
};

/* The fields whose values are worked out (sizes checked, fallbacks). */
struct files_raw {
	struct mw_field i_mode, i_ino, i_nlink, i_size, sb_root, d_name_len,
		d_alias_u, d_alias, nsproxy_ipc_ns, xa_slots, perm_deleted,
		perm_mode, mnt_instance, mnt_next_sb;
};

static struct mw_error *resolve_fields(struct mw_kernel *k, struct files_layout *l,
				       struct files_raw *r)
{
#define L struct files_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "address_space.host", as_host),
		MW_LAYOUT_MEMBER(L, "address_space.i_mmap.rb_root.rb_node", as_i_mmap),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_mode", &r->i_mode),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_ino", &r->i_ino),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_nlink", &r->i_nlink),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_size", &r->i_size),
		MW_LAYOUT_MEMBER(L, "inode.i_sb", i_sb),
		MW_LAYOUT_MEMBER(L, "inode.i_data", i_data),
		MW_LAYOUT_MEMBER(L, "inode.i_dentry", pl.i_dentry),
		MW_LAYOUT_MEMBER(L, "super_block.s_type", sb_type),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "super_block.s_root", &r->sb_root),
		MW_LAYOUT_MEMBER(L, "super_block.s_mounts", pl.sb_mounts),
		MW_LAYOUT_MEMBER(L, "file_system_type.name", fst_name),
		MW_LAYOUT_MEMBER(L, "dentry.d_parent", pl.d_parent),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "dentry.d_name.len", &r->d_name_len),
		MW_LAYOUT_MEMBER(L, "dentry.d_name.name", pl.d_name_name),
		MW_LAYOUT_MEMBER(L, "dentry.d_hash.pprev", pl.d_hash_pprev),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "dentry.d_u.d_alias", &r->d_alias_u),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "dentry.d_alias", &r->d_alias),
		MW_LAYOUT_MEMBER(L, "mount.mnt_parent", pl.mnt_parent),
		MW_LAYOUT_MEMBER(L, "mount.mnt_mountpoint", pl.mnt_mountpoint),
		MW_LAYOUT_MEMBER(L, "mount.mnt.mnt_root", pl.mnt_root),
		MW_LAYOUT_MEMBER(L, "mount.mnt_ns", pl.mnt_ns),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mount.mnt_instance", &r->mnt_instance),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mount.mnt_next_for_sb", &r->mnt_next_sb),	/* 7.x */
		MW_LAYOUT_MEMBER(L, "mnt_namespace.root", mnt_ns_root),
		MW_LAYOUT_MEMBER(L, "task_struct.nsproxy", task_nsproxy),
		MW_LAYOUT_MEMBER(L, "nsproxy.mnt_ns", ns_mnt_ns),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "nsproxy.ipc_ns", &r->nsproxy_ipc_ns),
		MW_LAYOUT_MEMBER_OPT(L, "bdev_inode.vfs_inode", bdev_vfs_inode, has_bdev),
		MW_LAYOUT_MEMBER_OPT(L, "block_device.bd_dev", bd_dev, has_bdev),
		MW_LAYOUT_MEMBER_OPT(L, "block_device.bd_device.kobj.name", bd_name, has_bd_name),
		MW_LAYOUT_MEMBER_OPT(L, "ipc_namespace.ids[2].ipcs_idr.idr_rt.xa_head", ipc_shm_head, has_ipc),
		MW_LAYOUT_MEMBER_OPT(L, "xa_node.shift", xa_shift, has_ipc),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "xa_node.slots", &r->xa_slots),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "kern_ipc_perm.deleted", &r->perm_deleted),
		MW_LAYOUT_MEMBER_OPT(L, "kern_ipc_perm.id", perm_id, has_ipc),
		MW_LAYOUT_MEMBER_OPT(L, "kern_ipc_perm.key", perm_key, has_ipc),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "kern_ipc_perm.mode", &r->perm_mode),
		MW_LAYOUT_MEMBER_OPT(L, "shmid_kernel.shm_perm", shm_perm, has_ipc),
		MW_LAYOUT_MEMBER_OPT(L, "shmid_kernel.shm_file", shm_file, has_ipc),
		MW_LAYOUT_MEMBER_OPT(L, "shmid_kernel.shm_nattch", shm_nattch, has_ipc),
		MW_LAYOUT_MEMBER_OPT(L, "file.f_inode", f_inode, has_ipc),
	};
#undef L
	memset(l, 0, sizeof(*l));
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	return err ? mw_error_prepend(err, "page cache by file") : NULL;
}

/* The inode members read, their sizes checked, and how far they reach. */
static struct mw_error *resolve_inode(struct files_layout *l, const struct files_raw *r)
{
	if (r->i_nlink.size != 4 || r->d_name_len.size != 4 || r->i_size.size != 8 ||
	    r->i_ino.size != 8 || r->i_mode.size != 2)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "page cache by file: unexpected member sizes (i_nlink %" PRIu64
				       ", d_name.len %" PRIu64 ", i_size %" PRIu64 ", i_ino %" PRIu64
				       ", i_mode %" PRIu64 ")", r->i_nlink.size, r->d_name_len.size,
				       r->i_size.size, r->i_ino.size, r->i_mode.size);
	l->i_mode = mw_u32_of(r->i_mode.offset);
	l->i_ino = mw_u32_of(r->i_ino.offset);
	l->i_nlink = mw_u32_of(r->i_nlink.offset);
	l->i_size = mw_u32_of(r->i_size.offset);
	uint32_t span = 0;
	const uint32_t ends[] = { l->i_mode + 2, l->i_ino + 8, l->i_nlink + 4, l->i_size + 8,
				  l->i_sb + 8 };
	for (size_t i = 0; i < MW_ARRAY_SIZE(ends); i++)
		if (ends[i] > span)
			span = ends[i];
	if (span > INODE_SPAN_MAX)
		return mw_error_create(MW_ERR_BAD_DATA, "struct inode members past %d bytes",
				       INODE_SPAN_MAX);
	l->inode_span = span;
	return NULL;
}

static struct mw_error *resolve_layout(struct mw_kernel *k, struct files_layout *l)
{
	struct files_raw r;
	struct mw_error *err = resolve_fields(k, l, &r);
	if (err)
		return err;
	if (!r.d_alias_u.found && !r.d_alias.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "page cache by file: struct dentry has no d_alias (nor d_u.d_alias)");
	if (!r.mnt_instance.found && !r.mnt_next_sb.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "page cache by file: struct mount has neither mnt_instance nor mnt_next_for_sb");
	if ((err = resolve_inode(l, &r)))
		return err;
	l->sb_root = l->pl.sb_root = mw_u32_of(r.sb_root.offset);
	l->pl.d_name_len = mw_u32_of(r.d_name_len.offset);
	l->pl.d_alias = mw_u32_of(r.d_alias_u.found ? r.d_alias_u.offset : r.d_alias.offset);
	l->pl.mnt_instance = mw_u32_of(r.mnt_instance.found ? r.mnt_instance.offset :
				       r.mnt_next_sb.offset);
	l->pl.sb_mounts_single = !r.mnt_instance.found;
	l->has_ipc = l->has_ipc && r.perm_mode.found && r.xa_slots.found &&
		     r.perm_mode.size == 2 && r.xa_slots.nr_elements == XA_CHUNK;
	l->xa_slots = mw_u32_of(r.xa_slots.offset);
	l->perm_mode = mw_u32_of(r.perm_mode.offset);
	l->perm_deleted = r.perm_deleted.found ? mw_u32_of(r.perm_deleted.offset) : UINT32_MAX;
	l->nsproxy_ipc_ns = r.nsproxy_ipc_ns.found ? mw_u32_of(r.nsproxy_ipc_ns.offset) : UINT32_MAX;
	return NULL;
}

struct mw_error *mw_files_scan_create(struct mw_kernel *k, struct mw_files_scan **ret)
{
	struct mw_files_scan *s = calloc(1, sizeof(*s));
	if (!s)
		return &mw_error_nomem;
	s->k = k;
	struct mw_error *err = resolve_layout(k, &s->l);
	if (err) {
		free(s);
		return err;
	}
	*ret = s;
	return NULL;
}

void mw_files_scan_destroy(struct mw_files_scan *s)
{
	if (!s)
		return;
	free(s->acc.v);
	mw_error_destroy(s->err);
	free(s);
}

static struct mw_error *thread_init(void *arg, unsigned thread, void **ret)
{
	(void)arg;
	(void)thread;
	struct acc_table *t = calloc(1, sizeof(*t));
	if (!t)
		return &mw_error_nomem;
	*ret = t;
	return NULL;
}

static void on_page(void *arg, const struct mw_page_event *ev)
{
	struct acc_table *t = arg;
	if (t->nomem || !ev->mapping)
		return;
	/* hugetlb folios of a hugetlbfs page cache; private (anon) ones have
	 * the low mapping bits set */
	if (ev->category == MW_PAGE_HUGETLB && (ev->mapping & 3))
		return;
	struct acc *a = acc_get(t, ev->mapping, ev->memcg);
	if (!a)
		return;
	a->pages += ev->nr_pages;
	if (ev->category == MW_PAGE_HUGETLB)
		a->hugetlb = true;
	/* shmem folios are always dirty (they are written only to swap):
	 * count dirty page cache as /proc/meminfo's Dirty does */
	if (ev->dirty && ev->category == MW_PAGE_FILE)
		a->dirty += ev->nr_pages;
	if (ev->writeback)
		a->writeback += ev->nr_pages;
	if (ev->category == MW_PAGE_SHMEM)
		a->shmem = true;
}

static struct mw_error *thread_done(void *arg, unsigned thread, void *tstate)
{
	(void)thread;
	struct mw_files_scan *s = arg;
	struct acc_table *t = tstate;
	struct mw_error *err = NULL;
	if (t->nomem)
		err = &mw_error_nomem;
	for (size_t i = 0; !err && i < t->cap; i++) {
		const struct acc *src = &t->v[i];
		if (!src->mapping)
			continue;
		struct acc *a = acc_get(&s->acc, src->mapping, src->memcg);
		if (!a) {
			err = &mw_error_nomem;
			break;
		}
		a->pages += src->pages;
		a->dirty += src->dirty;
		a->writeback += src->writeback;
		a->shmem |= src->shmem;
		a->hugetlb |= src->hugetlb;
	}
	free(t->v);
	free(t);
	return err;
}

void mw_files_scan_observer(struct mw_files_scan *s, struct mw_page_observer *ret)
{
	*ret = (struct mw_page_observer){
		.name = "page cache by file",
		.categories = MW_PAGE_CATEGORY_BIT(MW_PAGE_FILE) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_SHMEM) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_HUGETLB),
		.arg = s,
		.thread_init = thread_init,
		.page = on_page,
		.thread_done = thread_done,
	};
}

/* ---- describing files ---- */

struct sb_info {
	uint64_t sb;
	const char *fs;
	uint64_t root;
	bool bdev;
	char *root_path;	/* where it is mounted ("/var"), NULL if unknown */
	bool root_path_done;
};

struct resolver {
	struct mw_files_scan *s;
	struct mw_kernel *k;
	const struct files_layout *l;
	struct mw_paths *paths;
	struct mw_files *out;
	struct mw_warnings *w;
	struct sb_info *sbs;
	size_t nr_sbs, cap_sbs;
	size_t *sb_slots;		/* hash of sbs: index + 1, 0 free */
	size_t sb_slots_cap;
	uint64_t broken;
};

static bool kread_ok(struct mw_kernel *k, uint64_t addr, void *buf, size_t len)
{
	struct mw_error *err = mw_kernel_read(k, addr, buf, len);
	if (err) {
		mw_error_destroy(err);
		return false;
	}
	return true;
}

static const char *intern_fs(struct mw_files *f, const char *name)
{
	for (size_t i = 0; i < f->nr_fs_names; i++)
		if (strcmp(f->fs_names[i], name) == 0)
			return f->fs_names[i];
	char **v = realloc(f->fs_names, (f->nr_fs_names + 1) * sizeof(*v));
	if (!v)
		return NULL;
	f->fs_names = v;
	char *s = strdup(name);
	if (!s)
		return NULL;
	v[f->nr_fs_names++] = s;
	return s;
}

static size_t sb_hash(uint64_t sb, size_t cap)
{
	return (size_t)(mix(sb, 0) & (cap - 1));
}

static struct sb_info *sb_info(struct resolver *r, uint64_t sb)
{
	if (r->sb_slots_cap) {
		for (size_t i = sb_hash(sb, r->sb_slots_cap); r->sb_slots[i];
		     i = (i + 1) & (r->sb_slots_cap - 1))
			if (r->sbs[r->sb_slots[i] - 1].sb == sb)
				return &r->sbs[r->sb_slots[i] - 1];
	}
	if ((r->nr_sbs + 1) * 2 > r->sb_slots_cap) {
		size_t cap = r->sb_slots_cap ? r->sb_slots_cap * 2 : 64;
		size_t *v = calloc(cap, sizeof(*v));
		if (!v)
			return NULL;
		for (size_t i = 0; i < r->nr_sbs; i++) {
			size_t j = sb_hash(r->sbs[i].sb, cap);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = i + 1;
		}
		free(r->sb_slots);
		r->sb_slots = v;
		r->sb_slots_cap = cap;
	}
	if (r->nr_sbs == r->cap_sbs) {
		size_t cap = r->cap_sbs ? r->cap_sbs * 2 : 16;
		struct sb_info *v = realloc(r->sbs, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->sbs = v;
		r->cap_sbs = cap;
	}
	struct sb_info *e = &r->sbs[r->nr_sbs];
	*e = (struct sb_info){ .sb = sb, .fs = "?" };
	uint64_t type = 0, name = 0;
	char buf[64];
	if (mw_kptr_ok(sb, 8) && kread_ok(r->k, sb + r->l->sb_type, &type, 8) &&
	    mw_kptr_ok(type, 8) && kread_ok(r->k, type + r->l->fst_name, &name, 8) &&
	    mw_kptr_ok(name, 1)) {
		struct mw_error *err = mw_kread_string(r->k, name, buf, sizeof(buf));
		if (!err && buf[0]) {
			const char *fs = intern_fs(r->out, buf);
			if (!fs)
				return NULL;
			e->fs = fs;
		}
		mw_error_destroy(err);
	}
	if (mw_kptr_ok(sb, 8))
		kread_ok(r->k, sb + r->l->sb_root, &e->root, 8);
	e->bdev = strcmp(e->fs, "bdev") == 0;
	size_t j = sb_hash(sb, r->sb_slots_cap);
	while (r->sb_slots[j])
		j = (j + 1) & (r->sb_slots_cap - 1);
	r->sb_slots[j] = ++r->nr_sbs;
	return e;
}

__attribute__((format(printf, 2, 3)))
static char *dup_printf(size_t max, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = malloc(max);
	if (s)
		vsnprintf(s, max, fmt, ap);
	va_end(ap);
	return s;
}

/* "/dev/shm/ganglia/" of "/dev/shm/ganglia/x"; "/" of "/x". */
static char *dirname_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) + 1 : 0;
	if (!n)
		return strdup(path);
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, path, n);
		s[n] = '\0';
	}
	return s;
}

/* Where a super block is mounted ("/var"), for naming inodes with no dentry. */
static const char *sb_root_path(struct resolver *r, struct sb_info *si)
{
	if (si->root_path_done)
		return si->root_path;
	si->root_path_done = true;
	if (!si->root)
		return NULL;
	struct mw_path p;
	struct mw_error *err = mw_paths_dentry(r->paths, si->sb, si->root, &p);
	if (err) {
		mw_error_destroy(err);
		return NULL;
	}
	if (p.status == MW_PATH_OK)
		si->root_path = p.path;
	else
		mw_path_deinit(&p);
	return si->root_path;
}

static bool is_sysv_name(const char *n, uint32_t *key)
{
	if (strncmp(n, "SYSV", 4) != 0 || strlen(n) != 12)
		return false;
	uint32_t v = 0;
	for (int i = 4; i < 12; i++) {
		char c = n[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			-1;
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	*key = v;
	return true;
}

/* A file of a kernel-internal mount (no path): named by kind. */
static struct mw_error *name_pseudo(struct mw_file *f, const char *leaf)
{
	uint32_t key;
	if (strncmp(leaf, "memfd:", 6) == 0) {
		f->name = MW_FILE_MEMFD;
		f->path = strdup(leaf);
		f->dir = strdup("memfd");
	} else if (is_sysv_name(leaf, &key)) {
		f->name = MW_FILE_SYSV_SHM;
		f->sysv_key = key;
		f->path = dup_printf(64, "SysV shm key 0x%08" PRIx32, key);
		f->dir = strdup("SysV shm");
	} else if (strcmp(leaf, "dev/zero") == 0) {
		f->name = MW_FILE_SHARED_ANON;
		f->path = strdup("anonymous shared memory (dev/zero)");
		f->dir = strdup("anonymous shared memory");
	} else {
		f->name = MW_FILE_PSEUDO;
		f->path = dup_printf(strlen(leaf) + strlen(f->fs) + 4, "%s:%s", f->fs, leaf);
		f->dir = dup_printf(strlen(f->fs) + 32, "%s internal files", f->fs);
	}
	return f->path && f->dir ? NULL : &mw_error_nomem;
}

static struct mw_error *name_block_device(struct resolver *r, struct mw_file *f)
{
	const struct files_layout *l = r->l;
	char name[64] = "?";
	uint32_t dev = 0;
	bool have_dev = false;
	if (l->has_bdev && f->inode >= l->bdev_vfs_inode) {
		uint64_t bdev = f->inode - l->bdev_vfs_inode, np = 0;
		have_dev = kread_ok(r->k, bdev + l->bd_dev, &dev, 4);
		if (l->has_bd_name && kread_ok(r->k, bdev + l->bd_name, &np, 8) &&
		    mw_kptr_ok(np, 1)) {
			struct mw_error *err = mw_kread_string(r->k, np, name, sizeof(name));
			if (err || !name[0])
				strcpy(name, "?");
			mw_error_destroy(err);
		}
	}
	f->name = MW_FILE_BLOCK_DEVICE;
	if (have_dev)
		f->path = dup_printf(128, "block device %s (%" PRIu32 ":%" PRIu32 ")", name,
				     dev >> 20, dev & 0xfffff);
	else
		f->path = dup_printf(128, "block device %s", name);
	f->dir = strdup("block devices");
	return f->path && f->dir ? NULL : &mw_error_nomem;
}

static void warn_broken(struct resolver *r, const struct mw_file *f, const char *reason)
{
	if (r->broken++ < BROKEN_WARNINGS)
		mw_warn(r->w, "page cache by file: the path of inode %" PRIu64 " (0x%" PRIx64
			", %s) is cut short: %s; shown as %s", f->ino, f->inode, f->fs, reason,
			f->path);
}

static struct mw_error *describe(struct resolver *r, struct mw_file *f)
{
	const struct files_layout *l = r->l;
	struct mw_kernel *k = r->k;
	uint64_t host = 0;
	f->fs = "?";
	f->size_bytes = -1;
	f->sysv_key = f->sysv_shmid = f->sysv_nattch = -1;
	if (!kread_ok(k, f->mapping + l->as_host, &host, 8) || !mw_kptr_ok(host, 8)) {
		f->name = MW_FILE_BROKEN;
		f->path = dup_printf(96, "(broken) address_space 0x%" PRIx64, f->mapping);
		f->dir = strdup("(broken)");
		if (!f->path || !f->dir)
			return &mw_error_nomem;
		warn_broken(r, f, "its host inode is unreadable");
		return NULL;
	}
	f->inode = host;
	uint64_t mmap_root = 0;
	f->mapped = kread_ok(k, f->mapping + l->as_i_mmap, &mmap_root, 8) && mmap_root;
	uint8_t b[INODE_SPAN_MAX];
	if (!kread_ok(k, host, b, l->inode_span)) {
		f->name = MW_FILE_BROKEN;
		f->path = dup_printf(96, "(broken) inode 0x%" PRIx64, host);
		f->dir = strdup("(broken)");
		if (!f->path || !f->dir)
			return &mw_error_nomem;
		warn_broken(r, f, "the inode is unreadable");
		return NULL;
	}
	uint64_t sb, ino;
	int64_t size;
	uint32_t nlink;
	memcpy(&sb, b + l->i_sb, 8);
	memcpy(&ino, b + l->i_ino, 8);
	memcpy(&size, b + l->i_size, 8);
	memcpy(&nlink, b + l->i_nlink, 4);
	f->ino = ino;
	f->size_bytes = size;
	struct sb_info *si = sb_info(r, sb);
	if (!si)
		return &mw_error_nomem;
	f->fs = si->fs;
	if (si->bdev)
		return name_block_device(r, f);

	struct mw_path p;
	struct mw_error *err = mw_paths_inode(r->paths, sb, host, &p);
	if (err)
		return err;
	switch (p.status) {
	case MW_PATH_OK:
		f->name = MW_FILE_PATH;
		f->path = p.path;
		p.path = NULL;
		f->deleted = nlink == 0 || p.unlinked;
		f->dir = dirname_of(f->path);
		break;
	case MW_PATH_OTHER_NS:
		f->name = MW_FILE_OTHER_NS;
		f->path = dup_printf(strlen(p.path) + strlen(f->fs) + 4, "%s:%s", f->fs, p.path);
		f->deleted = nlink == 0 || p.unlinked;
		f->dir = f->path ? dirname_of(f->path) : NULL;
		break;
	case MW_PATH_DISCONNECTED:
		err = name_pseudo(f, p.path + (p.path[0] == '/'));
		break;
	case MW_PATH_NO_NAME: {
		const char *where = sb_root_path(r, si);
		f->name = MW_FILE_NO_NAME;
		f->deleted = nlink == 0;
		if (where)
			f->path = dup_printf(strlen(where) + 96, "inode %" PRIu64 " on %s (no name cached)",
					     ino, where);
		else
			f->path = dup_printf(strlen(f->fs) + 96, "inode %" PRIu64 " of a %s (no name cached)",
					     ino, f->fs);
		f->dir = where ? dup_printf(strlen(where) + 64, "unnamed inodes on %s", where)
			       : dup_printf(strlen(f->fs) + 64, "unnamed %s inodes", f->fs);
		break;
	}
	case MW_PATH_BROKEN:
		f->name = MW_FILE_BROKEN;
		f->path = p.path;
		p.path = NULL;
		f->deleted = nlink == 0;
		f->dir = f->path ? dirname_of(f->path) : NULL;
		if (f->path)
			warn_broken(r, f, p.reason);
		break;
	}
	mw_path_deinit(&p);
	if (err)
		return err;
	return f->path && f->dir ? NULL : &mw_error_nomem;
}

/* ---- SysV shared memory: the segments of every IPC namespace ---- */

struct shm_seg {
	uint64_t inode;
	int32_t id, key;
	uint16_t mode;
	bool deleted;
	uint64_t nattch;
};

struct shm_list {
	struct shm_seg *v;
	size_t n, cap;
	uint64_t nodes;
	/* bounds from the dump: no more of them than its RAM holds */
	uint64_t max_nodes, max_segments;
	bool cut;
};

static void shm_add(struct resolver *r, struct shm_list *sl, uint64_t shp)
{
	const struct files_layout *l = r->l;
	uint64_t perm = shp + l->shm_perm, file = 0, inode = 0, nattch = 0;
	int32_t id = 0, key = 0;
	uint16_t mode = 0;
	uint8_t del = 0;
	if (!mw_kptr_ok(shp, 8) || !kread_ok(r->k, perm + l->perm_id, &id, 4) ||
	    !kread_ok(r->k, perm + l->perm_key, &key, 4) ||
	    !kread_ok(r->k, perm + l->perm_mode, &mode, 2) ||
	    !kread_ok(r->k, shp + l->shm_file, &file, 8) || !mw_kptr_ok(file, 8) ||
	    !kread_ok(r->k, file + l->f_inode, &inode, 8) ||
	    !kread_ok(r->k, shp + l->shm_nattch, &nattch, 8))
		return;
	if (l->perm_deleted != UINT32_MAX)
		kread_ok(r->k, perm + l->perm_deleted, &del, 1);
	if (sl->n == sl->cap) {
		size_t cap = sl->cap ? sl->cap * 2 : 16;
		struct shm_seg *v = realloc(sl->v, cap * sizeof(*v));
		if (!v) {
			sl->cut = true;
			return;
		}
		sl->v = v;
		sl->cap = cap;
	}
	sl->v[sl->n++] = (struct shm_seg){ .inode = inode, .id = id, .key = key, .mode = mode,
					   .deleted = del != 0, .nattch = nattch };
}

/* Leaves of an xarray (an idr): pointers to kern_ipc_perm (shmid_kernel).
 * parent_shift: the shift of the node above (a child's is 6 less, so the
 * walk cannot loop), or 64 + 6 at the root. */
static void xa_walk(struct resolver *r, struct shm_list *sl, uint64_t entry,
		    unsigned parent_shift)
{
	const struct files_layout *l = r->l;
	if (!entry || sl->cut)
		return;
	if ((entry & 3) != 2) {
		if ((entry & 3) == 0 && sl->n < sl->max_segments)
			shm_add(r, sl, entry);
		return;
	}
	if (entry <= 4096)
		return;		/* retry/sibling entries */
	uint64_t node = entry - 2;
	uint8_t shift = 0;
	uint64_t slots[XA_CHUNK];
	if (++sl->nodes > sl->max_nodes || !kread_ok(r->k, node + l->xa_shift, &shift, 1) ||
	    shift % XA_CHUNK_SHIFT || shift + (unsigned)XA_CHUNK_SHIFT > parent_shift ||
	    (parent_shift <= 64 && shift + (unsigned)XA_CHUNK_SHIFT != parent_shift) ||
	    !kread_ok(r->k, node + l->xa_slots, slots, sizeof(slots))) {
		sl->cut = true;
		return;
	}
	for (int i = 0; i < XA_CHUNK; i++)
		xa_walk(r, sl, slots[i], shift);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void sysv_details(struct resolver *r, struct mw_files *out)
{
	const struct files_layout *l = r->l;
	struct mw_kernel *k = r->k;
	bool any = false;
	for (size_t i = 0; i < out->nr; i++)
		any |= out->files[i].name == MW_FILE_SYSV_SHM;
	if (!any || !l->has_ipc)
		return;
	/* IPC namespaces: init_ipc_ns and every task's */
	uint64_t *ns = NULL;
	size_t nr_ns = 0;
	uint64_t init_ipc;
	if (!mw_kernel_symbol(k, "init_ipc_ns", &init_ipc) && (ns = malloc(sizeof(*ns))))
		ns[nr_ns++] = init_ipc;
	/* every walk below bounded by what the dump's RAM holds */
	uint64_t ram = mw_reader_info(k->reader)->total_bytes;
	uint64_t init_task, pos = 0, head;
	struct mw_field tasks, task_size, ns_size, node_size, shm_size;
	const struct mw_field_spec spec[] = { MW_FIELD_MEMBER("task_struct.tasks", &tasks) };
	const struct mw_field_spec sizes[] = {
		MW_FIELD_SIZEOF_OPT("task_struct", &task_size),
		MW_FIELD_SIZEOF_OPT("ipc_namespace", &ns_size),
		MW_FIELD_SIZEOF_OPT("xa_node", &node_size),
		MW_FIELD_SIZEOF_OPT("shmid_kernel", &shm_size),
	};
	struct mw_error *se = mw_types_resolve_fields(k->types, sizes, MW_ARRAY_SIZE(sizes));
	if (se) {
		mw_error_destroy(se);
		memset(&task_size, 0, sizeof(task_size));
		ns_size = node_size = shm_size = task_size;
	}
	uint64_t max_tasks = mw_walk_cap(ram, task_size.size);
	uint64_t max_ns = mw_walk_cap(ram, ns_size.size);
	if (l->nsproxy_ipc_ns != UINT32_MAX && !mw_kernel_symbol(k, "init_task", &init_task) &&
	    !mw_types_resolve_fields(k->types, spec, 1)) {
		head = init_task + tasks.offset;
		struct mw_cycle cyc;
		mw_cycle_init(&cyc, head);
		kread_ok(k, head, &pos, 8);
		for (uint64_t n = 0; pos && pos != head && n < max_tasks; n++) {
			if (!mw_kptr_ok(pos, 8) || mw_cycle_step(&cyc, pos))
				break;
			uint64_t task = pos - tasks.offset, nsp = 0, ipc = 0;
			if (kread_ok(k, task + l->task_nsproxy, &nsp, 8) && mw_kptr_ok(nsp, 8) &&
			    kread_ok(k, nsp + l->nsproxy_ipc_ns, &ipc, 8) && mw_kptr_ok(ipc, 8) &&
			    nr_ns < max_ns) {
				uint64_t *v = realloc(ns, (nr_ns + 1) * sizeof(*v));
				if (v) {
					ns = v;
					ns[nr_ns++] = ipc;
				}
			}
			if (!kread_ok(k, pos, &pos, 8))
				break;
		}
	}
	qsort(ns, nr_ns, sizeof(*ns), cmp_u64);
	struct shm_list sl = { .max_nodes = mw_walk_cap(ram, node_size.size),
			       .max_segments = mw_walk_cap(ram, shm_size.size) };
	for (size_t i = 0; i < nr_ns; i++) {
		if (i && ns[i] == ns[i - 1])
			continue;
		uint64_t headp = 0;
		if (kread_ok(k, ns[i] + l->ipc_shm_head, &headp, 8))
			xa_walk(r, &sl, headp, 64 + XA_CHUNK_SHIFT);
	}
	free(ns);
	for (size_t i = 0; i < out->nr; i++) {
		struct mw_file *f = &out->files[i];
		if (f->name != MW_FILE_SYSV_SHM)
			continue;
		for (size_t j = 0; j < sl.n; j++) {
			if (sl.v[j].inode != f->inode)
				continue;
			f->sysv_shmid = sl.v[j].id;
			f->sysv_key = (uint32_t)sl.v[j].key;
			f->sysv_nattch = (int64_t)sl.v[j].nattch;
			/* SHM_DEST (01000): IPC_RMID'ed, alive while attached */
			f->deleted = sl.v[j].deleted || (sl.v[j].mode & 01000);
			char *p = dup_printf(96, "SysV shm key 0x%08" PRIx32 " shmid %" PRId32 "%s",
					     (uint32_t)sl.v[j].key, sl.v[j].id,
					     f->deleted ? " (removed)" : "");
			if (p) {
				free(f->path);
				f->path = p;
			}
			break;
		}
	}
	if (sl.cut)
		mw_warn(r->w, "page cache by file: the SysV shared memory segments could not all "
			"be read (a bad IPC id tree); some segments show no shmid");
	free(sl.v);
}

/* ---- ranking ---- */

static int cmp_acc(const void *a, const void *b)
{
	const struct acc *x = a, *y = b;
	if (x->mapping != y->mapping)
		return x->mapping < y->mapping ? -1 : 1;
	if (x->pages != y->pages)
		return x->pages > y->pages ? -1 : 1;
	return x->memcg < y->memcg ? -1 : x->memcg > y->memcg;
}

static int cmp_file(const void *a, const void *b)
{
	const struct mw_file *x = a, *y = b;
	if (x->cached_pages != y->cached_pages)
		return x->cached_pages > y->cached_pages ? -1 : 1;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	return x->mapping < y->mapping ? -1 : x->mapping > y->mapping;
}

static int cmp_dirname(const void *a, const void *b)
{
	const struct mw_file *const *x = a, *const *y = b;
	return strcmp((*x)->dir, (*y)->dir);
}

static int cmp_dir(const void *a, const void *b)
{
	const struct mw_files_dir *x = a, *y = b;
	if (x->cached_pages != y->cached_pages)
		return x->cached_pages > y->cached_pages ? -1 : 1;
	return strcmp(x->name, y->name);
}

static struct mw_error *build_dirs(struct mw_files *out)
{
	if (!out->nr)
		return NULL;
	const struct mw_file **v = malloc(out->nr * sizeof(*v));
	if (!v)
		return &mw_error_nomem;
	size_t nv = 0;
	for (size_t i = 0; i < out->nr; i++)
		if (!out->files[i].hugetlb)	/* pool pages, not page cache */
			v[nv++] = &out->files[i];
	qsort(v, nv, sizeof(*v), cmp_dirname);
	out->dirs = calloc(out->nr, sizeof(*out->dirs));
	if (!out->dirs) {
		free(v);
		return &mw_error_nomem;
	}
	size_t n = 0;
	for (size_t i = 0; i < nv; i++) {
		const struct mw_file *f = v[i];
		if (!n || strcmp(out->dirs[n - 1].name, f->dir) != 0)
			out->dirs[n++] = (struct mw_files_dir){ .name = f->dir, .shmem = true };
		struct mw_files_dir *d = &out->dirs[n - 1];
		d->files++;
		d->cached_pages += f->cached_pages;
		d->dirty_pages += f->dirty_pages;
		d->mapped_files += f->mapped;
		d->shmem &= f->shmem;
	}
	free(v);
	out->nr_dirs = n;
	qsort(out->dirs, n, sizeof(*out->dirs), cmp_dir);
	return NULL;
}

static struct mw_error *init_paths(struct resolver *r)
{
	const struct files_layout *l = r->l;
	struct mw_kernel *k = r->k;
	uint64_t init_task = 0, nsproxy = 0, ns = 0, root = 0;
	if (mw_kernel_symbol(k, "init_task", &init_task) == NULL &&
	    kread_ok(k, init_task + l->task_nsproxy, &nsproxy, 8) && mw_kptr_ok(nsproxy, 8) &&
	    kread_ok(k, nsproxy + l->ns_mnt_ns, &ns, 8) && mw_kptr_ok(ns, 8))
		kread_ok(k, ns + l->mnt_ns_root, &root, 8);
	else
		mw_warn(r->w, "page cache by file: the initial mount namespace is unreadable "
			"(init_task.nsproxy->mnt_ns); paths are relative to their mounts");
	return mw_paths_create(&l->pl, mw_vm_read_cb, &k->vm, ns, root, &r->paths);
}

struct mw_error *mw_files_resolve(struct mw_files_scan *s, const struct mw_pagescan *ps,
				  const struct mw_files_filter *filter,
				  struct mw_warnings *w, struct mw_files *ret)
{
	struct mw_error *err = NULL;
	memset(ret, 0, sizeof(*ret));
	ret->page_size = ps->page_size;
	ret->ram_pages = ps->total_pages;
	struct resolver r = { .s = s, .k = s->k, .l = &s->l, .out = ret, .w = w };
	if ((err = init_paths(&r)))
		return err;

	/* pairs sorted by mapping, the largest memcg share first */
	size_t n = 0;
	struct acc *v = malloc((s->acc.n ? s->acc.n : 1) * sizeof(*v));
	if (!v) {
		err = &mw_error_nomem;
		goto out;
	}
	for (size_t i = 0; i < s->acc.cap; i++)
		if (s->acc.v[i].mapping)
			v[n++] = s->acc.v[i];
	qsort(v, n, sizeof(*v), cmp_acc);
	size_t groups = 0;
	for (size_t i = 0; i < n; i++)
		groups += !i || v[i].mapping != v[i - 1].mapping;
	ret->files = calloc(groups ? groups : 1, sizeof(*ret->files));
	if (!ret->files) {
		err = &mw_error_nomem;
		goto out;
	}
	for (size_t i = 0; i < n;) {
		size_t j = i;
		struct mw_file f = { .mapping = v[i].mapping };
		uint64_t best = 0;
		while (j < n && v[j].mapping == v[i].mapping) {
			const struct acc *a = &v[j++];
			if (filter && filter->keep && !filter->keep(filter->arg, a->memcg)) {
				ret->filtered_pages += a->pages;
				continue;
			}
			f.cached_pages += a->pages;
			f.dirty_pages += a->dirty;
			f.writeback_pages += a->writeback;
			f.shmem |= a->shmem;
			f.hugetlb |= a->hugetlb;
			f.nr_memcgs++;
			if (a->pages > best) {
				best = a->pages;
				f.memcg = a->memcg;
			}
		}
		i = j;
		if (!f.cached_pages)
			continue;
		if ((err = describe(&r, &f))) {
			free(f.path);
			free(f.dir);
			goto out;
		}
		ret->files[ret->nr++] = f;
	}
	sysv_details(&r, ret);
	for (size_t i = 0; i < ret->nr; i++) {
		const struct mw_file *f = &ret->files[i];
		if (f->hugetlb) {	/* hugetlb pool pages: not page cache (Cached) */
			ret->hugetlb_pages += f->cached_pages;
			continue;
		}
		ret->cached_pages += f->cached_pages;
		if (f->shmem)
			ret->shmem_pages += f->cached_pages;
		else
			ret->file_pages += f->cached_pages;
		ret->dirty_pages += f->dirty_pages;
		ret->writeback_pages += f->writeback_pages;
		if (f->name == MW_FILE_BLOCK_DEVICE)
			ret->block_device_pages += f->cached_pages;
		ret->pages_by_name[f->name] += f->cached_pages;
		ret->files_by_name[f->name]++;
		if (f->deleted) {
			ret->deleted_files++;
			ret->deleted_pages += f->cached_pages;
		}
	}
	if (r.broken > BROKEN_WARNINGS)
		mw_warn(w, "page cache by file: %" PRIu64 " more files with a broken path",
			r.broken - BROKEN_WARNINGS);
	qsort(ret->files, ret->nr, sizeof(*ret->files), cmp_file);
	err = build_dirs(ret);
	struct mw_paths_stats st;
	mw_paths_get_stats(r.paths, &st);
	ret->dentries_read = st.dentries_read;
	ret->dir_cache_hits = st.cache_hits;
out:
	free(v);
	for (size_t i = 0; i < r.nr_sbs; i++)
		free(r.sbs[i].root_path);
	free(r.sbs);
	free(r.sb_slots);
	mw_paths_destroy(r.paths);
	if (err)
		mw_files_deinit(ret);
	return err;
}

void mw_files_deinit(struct mw_files *f)
{
	for (size_t i = 0; i < f->nr; i++) {
		free(f->files[i].path);
		free(f->files[i].dir);
	}
	free(f->files);
	free(f->dirs);
	for (size_t i = 0; i < f->nr_fs_names; i++)
		free(f->fs_names[i]);
	free(f->fs_names);
	memset(f, 0, sizeof(*f));
}

/* ---- findings ---- */

static enum mw_severity severity_of(const struct mw_files *f, uint64_t pages)
{
	if (!f->ram_pages)
		return MW_SEVERITY_INFO;
	if (pages * 100 >= f->ram_pages * 30)
		return MW_SEVERITY_CRITICAL;
	if (pages * 100 >= f->ram_pages * 10)
		return MW_SEVERITY_WARNING;
	return MW_SEVERITY_INFO;
}

/* The memcg holding most of a directory's pages, as a short name. */
static const char *dir_memcg(const struct mw_files *f, const struct mw_memcg_tree *t,
			     const char *dir)
{
	uint64_t best = 0, pages = 0;
	for (size_t i = 0; i < f->nr; i++)
		if (f->files[i].dir == dir || strcmp(f->files[i].dir, dir) == 0)
			if (f->files[i].cached_pages > pages) {
				pages = f->files[i].cached_pages;
				best = f->files[i].memcg;
			}
	if (!t || !best)
		return NULL;
	ptrdiff_t i = mw_memcg_find_addr(t, best);
	return i >= 0 ? t->memcgs[i].path : NULL;
}

enum {
	MIN_SHMEM_FILES = 20,		/* "many small files" */
	MIN_DELETED_BYTES = 1 << 20,
	MAX_FINDINGS = 8,
};

/* A finding about directory d: its bytes, name, files and memcg. */
static struct mw_finding *dir_finding(const struct mw_files *f, const struct mw_memcg_tree *t,
				      const struct mw_files_dir *d, enum mw_finding_kind kind,
				      enum mw_severity sev, enum mw_advice advice,
				      struct mw_findings *out)
{
	struct mw_finding *x = mw_findings_add(out, kind, sev, d->cached_pages * f->page_size);
	if (x) {
		x->advice = advice;
		x->u.dir.directory = d->name;
		x->u.dir.files = d->files;
		x->u.dir.memcg = dir_memcg(f, t, d->name);
	}
	return x;
}

/* The seeds' case 2: many shmem files in one directory, mapped by nobody. */
static bool shmem_dirs(const struct mw_files *f, const struct mw_memcg_tree *t,
		       struct mw_findings *out, size_t *n)
{
	uint64_t one_percent = f->ram_pages / 100;
	for (size_t i = 0; i < f->nr_dirs && *n < MAX_FINDINGS; i++) {
		const struct mw_files_dir *d = &f->dirs[i];
		uint64_t unmapped = d->files - d->mapped_files;
		if (!d->shmem || d->name[0] != '/' || unmapped < MIN_SHMEM_FILES ||
		    d->cached_pages < one_percent)
			continue;
		struct mw_finding *x = dir_finding(f, t, d, MW_FINDING_SHMEM_FILES_UNMAPPED,
						   severity_of(f, d->cached_pages),
						   MW_ADVICE_DELETE_SHMEM_FILES, out);
		if (!x)
			return false;
		(*n)++;
		x->u.dir.unmapped_files = unmapped;
		x->u.dir.average_bytes = d->cached_pages * f->page_size / d->files;
	}
	return true;
}

/* Deleted files still in use. */
static bool deleted(const struct mw_files *f, struct mw_findings *out, size_t *n)
{
	uint64_t del = 0, nd = 0;
	const struct mw_file *big = NULL;
	for (size_t i = 0; i < f->nr; i++)
		if (f->files[i].deleted) {
			del += f->files[i].cached_pages;
			nd++;
			if (!big)
				big = &f->files[i];
		}
	if (*n >= MAX_FINDINGS || del * f->page_size < MIN_DELETED_BYTES || !big)
		return true;
	struct mw_finding *x = mw_findings_add(out, MW_FINDING_DELETED_FILES_IN_USE,
					       severity_of(f, del), del * f->page_size);
	if (!x)
		return false;
	(*n)++;
	x->advice = MW_ADVICE_FIND_DELETED_HOLDER;
	x->u.deleted.files = nd;
	x->u.deleted.largest = big;
	x->u.deleted.largest_bytes = big->cached_pages * f->page_size;
	return true;
}

/* The seeds' case 1: the directory with the most page cache. */
static bool cache_dir(const struct mw_files *f, const struct mw_memcg_tree *t,
		      struct mw_findings *out, size_t *n)
{
	for (size_t i = 0; i < f->nr_dirs && *n < MAX_FINDINGS; i++) {
		const struct mw_files_dir *d = &f->dirs[i];
		if (d->shmem || d->name[0] != '/')
			continue;
		if (d->cached_pages * 20 < f->ram_pages)	/* 5% of RAM */
			break;
		struct mw_finding *x = dir_finding(f, t, d, MW_FINDING_FILE_CACHE_DIRECTORY,
						   MW_SEVERITY_INFO, MW_ADVICE_LIMIT_FILE_CACHE, out);
		if (!x)
			return false;
		(*n)++;
		x->u.dir.dirty_bytes = d->dirty_pages * f->page_size;
		break;
	}
	return true;
}

struct mw_error *mw_files_findings(const struct mw_files *f, const struct mw_memcg_tree *t,
				   struct mw_findings *out)
{
	size_t from = out->nr, n = 0;
	if (!shmem_dirs(f, t, out, &n) || !deleted(f, out, &n) || !cache_dir(f, t, out, &n))
		return &mw_error_nomem;
	mw_findings_sort_from(out, from);
	return NULL;
}
