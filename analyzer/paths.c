/* memwhere: file paths from the dentry cache and the mount tree (paths.h). */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/paths.h"
#include "common/le.h"

static const char BROKEN[] = "(broken)";

enum { DIR_CACHE_MAX_LEN = 4096 };	/* PATH_MAX */

/* A directory already resolved: (dentry, mount) -> its path. */
struct dir_entry {
	uint64_t d, m;
	char *path;		/* NULL: free slot */
	uint32_t len;
	enum mw_path_status status;
	char *reason;		/* BROKEN */
};

/* The mounts of one super block. */
struct sb_entry {
	uint64_t sb;		/* 0: free slot */
	uint64_t root;		/* s_root */
	uint64_t full;		/* a mount of the whole fs in the initial namespace */
	uint64_t any;		/* the first mount of it, any namespace */
	uint64_t cand[MW_PATHS_MAX_CANDIDATES];	/* bind mounts in the initial namespace */
	uint64_t cand_root[MW_PATHS_MAX_CANDIDATES];
	size_t nr_cand;
};

/* One step of a walk, leaf first. */
struct level {
	uint64_t d, m;
	uint32_t name_off, name_len;	/* in walk.names; name_len 0: a mount root */
};

struct mw_paths {
	struct mw_paths_layout l;
	mw_read_fn *read;
	void *arg;
	uint64_t init_ns, init_root;
	uint32_t dentry_span, mount_span;

	struct dir_entry *dirs;
	size_t dirs_cap, dirs_n;
	struct sb_entry *sbs;
	size_t sbs_cap, sbs_n;

	/* scratch of a walk */
	struct level *levels;
	size_t levels_cap;
	char *names;
	size_t names_cap;

	struct mw_paths_stats stats;
};

static uint64_t hash2(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL + (a << 6) + (a >> 2));
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x;
}

static uint32_t span_of(uint32_t cur, uint32_t off, uint32_t size)
{
	return off + size > cur ? off + size : cur;
}

struct mw_error *mw_paths_create(const struct mw_paths_layout *l,
				 mw_read_fn *read, void *arg,
				 uint64_t init_ns, uint64_t init_root,
				 struct mw_paths **ret)
{
	struct mw_paths *p = calloc(1, sizeof(*p));
	if (!p)
		return &mw_error_nomem;
	p->l = *l;
	p->read = read;
	p->arg = arg;
	p->init_ns = init_ns;
	p->init_root = init_root;
	uint32_t s = 0;
	s = span_of(s, l->d_parent, 8);
	s = span_of(s, l->d_name_len, 4);
	s = span_of(s, l->d_name_name, 8);
	s = span_of(s, l->d_hash_pprev, 8);
	p->dentry_span = s;
	s = 0;
	s = span_of(s, l->mnt_parent, 8);
	s = span_of(s, l->mnt_mountpoint, 8);
	s = span_of(s, l->mnt_root, 8);
	s = span_of(s, l->mnt_ns, 8);
	p->mount_span = s;
	if (p->dentry_span > 4096 || p->mount_span > 4096) {
		struct mw_error *err = mw_error_create(
			MW_ERR_BAD_DATA, "dentry/mount members past 4 KiB (%" PRIu32 ", %" PRIu32 ")",
			p->dentry_span, p->mount_span);
		free(p);
		return err;
	}
	*ret = p;
	return NULL;
}

void mw_paths_destroy(struct mw_paths *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->dirs_cap; i++) {
		free(p->dirs[i].path);
		free(p->dirs[i].reason);
	}
	free(p->dirs);
	free(p->sbs);
	free(p->levels);
	free(p->names);
	free(p);
}

void mw_path_deinit(struct mw_path *path)
{
	free(path->path);
	path->path = NULL;
}

void mw_paths_get_stats(const struct mw_paths *p, struct mw_paths_stats *ret)
{
	*ret = p->stats;
	ret->cached = p->dirs_n;
	ret->super_blocks = p->sbs_n;
}

/* ---- reads ---- */

static bool read_ok(struct mw_paths *p, uint64_t addr, void *buf, size_t len)
{
	struct mw_error *err = p->read(p->arg, addr, buf, len);
	if (err) {
		mw_error_destroy(err);
		return false;
	}
	return true;
}

static bool read64(struct mw_paths *p, uint64_t addr, uint64_t *v)
{
	return read_ok(p, addr, v, sizeof(*v));
}

struct dentry_info {
	uint64_t parent, name;
	uint32_t len;
	bool hashed;
};

static bool read_dentry(struct mw_paths *p, uint64_t d, struct dentry_info *di)
{
	uint8_t b[4096];
	if (!mw_kptr_ok(d, 8) || !read_ok(p, d, b, p->dentry_span))
		return false;
	p->stats.dentries_read++;
	di->parent = mw_le64(b, p->dentry_span, p->l.d_parent);
	di->name = mw_le64(b, p->dentry_span, p->l.d_name_name);
	di->len = mw_le32(b, p->dentry_span, p->l.d_name_len);
	di->hashed = mw_le64(b, p->dentry_span, p->l.d_hash_pprev) != 0;
	return true;
}

struct mount_info {
	uint64_t parent, mountpoint, root, ns;
};

static bool read_mount(struct mw_paths *p, uint64_t m, struct mount_info *mi)
{
	uint8_t b[4096];
	if (!mw_kptr_ok(m, 8) || !read_ok(p, m, b, p->mount_span))
		return false;
	mi->parent = mw_le64(b, p->mount_span, p->l.mnt_parent);
	mi->mountpoint = mw_le64(b, p->mount_span, p->l.mnt_mountpoint);
	mi->root = mw_le64(b, p->mount_span, p->l.mnt_root);
	mi->ns = mw_le64(b, p->mount_span, p->l.mnt_ns);
	return true;
}

/* ---- the directory cache ---- */

static struct dir_entry *dir_find(struct mw_paths *p, uint64_t d, uint64_t m)
{
	if (!p->dirs_cap)
		return NULL;
	size_t mask = p->dirs_cap - 1;
	for (size_t i = hash2(d, m) & mask;; i = (i + 1) & mask) {
		struct dir_entry *e = &p->dirs[i];
		if (!e->path)
			return NULL;
		if (e->d == d && e->m == m)
			return e;
	}
}

static bool dir_grow(struct mw_paths *p)
{
	size_t cap = p->dirs_cap ? p->dirs_cap * 2 : 1024;
	struct dir_entry *n = calloc(cap, sizeof(*n));
	if (!n)
		return false;
	for (size_t i = 0; i < p->dirs_cap; i++) {
		struct dir_entry *e = &p->dirs[i];
		if (!e->path)
			continue;
		size_t j = hash2(e->d, e->m) & (cap - 1);
		while (n[j].path)
			j = (j + 1) & (cap - 1);
		n[j] = *e;
	}
	free(p->dirs);
	p->dirs = n;
	p->dirs_cap = cap;
	return true;
}

/* Keep path[0..len) for (d, m); false only when out of memory. */
static bool dir_add(struct mw_paths *p, uint64_t d, uint64_t m, const char *path,
		    size_t len, enum mw_path_status status, const char *reason)
{
	if (dir_find(p, d, m))
		return true;
	if ((p->dirs_n + 1) * 4 > p->dirs_cap * 3 && !dir_grow(p))
		return false;
	char *s = malloc(len + 1);
	char *r = reason ? strdup(reason) : NULL;
	if (!s || (reason && !r)) {
		free(s);
		free(r);
		return false;
	}
	memcpy(s, path, len);
	s[len] = '\0';
	size_t mask = p->dirs_cap - 1;
	size_t i = hash2(d, m) & mask;
	while (p->dirs[i].path)
		i = (i + 1) & mask;
	p->dirs[i] = (struct dir_entry){ .d = d, .m = m, .path = s, .len = (uint32_t)len,
					 .status = status, .reason = r };
	p->dirs_n++;
	return true;
}

/* ---- mounts of a super block ---- */

static struct sb_entry *sb_slot(struct mw_paths *p, uint64_t sb, bool *fresh)
{
	*fresh = false;
	if ((p->sbs_n + 1) * 2 > p->sbs_cap) {
		size_t cap = p->sbs_cap ? p->sbs_cap * 2 : 64;
		struct sb_entry *n = calloc(cap, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < p->sbs_cap; i++) {
			if (!p->sbs[i].sb)
				continue;
			size_t j = hash2(p->sbs[i].sb, 0) & (cap - 1);
			while (n[j].sb)
				j = (j + 1) & (cap - 1);
			n[j] = p->sbs[i];
		}
		free(p->sbs);
		p->sbs = n;
		p->sbs_cap = cap;
	}
	size_t mask = p->sbs_cap - 1;
	size_t i = hash2(sb, 0) & mask;
	while (p->sbs[i].sb && p->sbs[i].sb != sb)
		i = (i + 1) & mask;
	if (!p->sbs[i].sb) {
		p->sbs[i].sb = sb;
		p->sbs_n++;
		*fresh = true;
	}
	return &p->sbs[i];
}

static void sb_scan(struct mw_paths *p, struct sb_entry *e)
{
	uint64_t sb = e->sb;
	if (!mw_kptr_ok(sb, 8) || !read64(p, sb + p->l.sb_root, &e->root))
		return;
	uint64_t head = sb + p->l.sb_mounts, pos;
	if (!read64(p, head, &pos))
		return;
	/* pos walks the links: list_head mnt_instance, or mnt_next_for_sb
	 * of a NULL-terminated list whose first mount s_mounts points to */
	if (p->l.sb_mounts_single) {
		if (!pos)
			return;
		pos += p->l.mnt_instance;
	}
	struct mw_cycle cyc;
	mw_cycle_init(&cyc, head);
	for (size_t n = 0; pos != head && n < MW_PATHS_MAX_SB_MOUNTS; n++) {
		if (!mw_kptr_ok(pos, 8) || mw_cycle_step(&cyc, pos))
			break;
		uint64_t m = pos - p->l.mnt_instance;
		struct mount_info mi;
		if (!read_mount(p, m, &mi))
			break;
		if (!e->any)
			e->any = m;
		if (p->init_ns && mi.ns == p->init_ns) {
			if (mi.root == e->root && e->root) {
				if (!e->full)
					e->full = m;
			} else if (e->nr_cand < MW_PATHS_MAX_CANDIDATES && mi.root) {
				e->cand[e->nr_cand] = m;
				e->cand_root[e->nr_cand] = mi.root;
				e->nr_cand++;
			}
		}
		if (!read64(p, pos, &pos))
			break;
		if (p->l.sb_mounts_single) {
			if (!pos)
				break;
			pos += p->l.mnt_instance;
		}
	}
}

/* The mount to see dentry d of sb through (0: none). */
static uint64_t pick_mount(struct mw_paths *p, struct sb_entry *e, uint64_t d)
{
	if (e->full)
		return e->full;
	if (!e->nr_cand)
		return e->any;
	/* bind mounts only: the one whose root is the highest ancestor */
	uint64_t best = 0;
	struct mw_cycle cyc;
	mw_cycle_init(&cyc, d);
	for (unsigned depth = 0; depth < MW_PATHS_MAX_DEPTH; depth++) {
		for (size_t i = 0; i < e->nr_cand; i++)
			if (e->cand_root[i] == d)
				best = e->cand[i];
		struct dentry_info di;
		if (!read_dentry(p, d, &di) || di.parent == d || mw_cycle_step(&cyc, di.parent))
			break;
		d = di.parent;
	}
	return best ? best : e->any;
}

/* ---- the walk ---- */

static bool push_level(struct mw_paths *p, size_t n, uint64_t d, uint64_t m,
		       uint32_t off, uint32_t len)
{
	if (n >= p->levels_cap) {
		size_t cap = p->levels_cap ? p->levels_cap * 2 : 64;
		struct level *nl = realloc(p->levels, cap * sizeof(*nl));
		if (!nl)
			return false;
		p->levels = nl;
		p->levels_cap = cap;
	}
	p->levels[n] = (struct level){ .d = d, .m = m, .name_off = off, .name_len = len };
	return true;
}

static bool names_reserve(struct mw_paths *p, size_t need)
{
	if (need <= p->names_cap)
		return true;
	size_t cap = p->names_cap ? p->names_cap : 4096;
	while (cap < need)
		cap *= 2;
	char *n = realloc(p->names, cap);
	if (!n)
		return false;
	p->names = n;
	p->names_cap = cap;
	return true;
}

/* Levels before the first dentry seen twice (a loop is found a few steps
 * after it closes): what is kept below "(broken)". */
static size_t first_repeat(const struct mw_paths *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (p->levels[i].d == p->levels[j].d && p->levels[i].m == p->levels[j].m)
				return i;
	return n;
}

__attribute__((format(printf, 2, 3)))
static void set_reason(struct mw_path *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/*
 * Walk from dentry d seen through mount m (0: none) up to the namespace
 * root, a directory already known, or a problem; then build the path and
 * keep every directory passed. sb_root: the starting super block's root.
 */
/* The state of one walk up from a dentry. */
struct climb {
	uint64_t d, m;			/* where it started */
	uint64_t sb_root;
	uint64_t cur, mnt;		/* where it is */
	size_t n;			/* levels */
	size_t names_len;		/* bytes of names so far (plus a '/' each) */
	const char *prefix;		/* a cached directory's path, or "" */
	size_t prefix_len;
	enum mw_path_status status;
	bool broken;
	struct mw_cycle dcyc, mcyc;
	unsigned mounts;
	struct mount_info mi;
	uint64_t mi_of;			/* the mount mi describes */
};

enum step {
	STEP_NEXT,			/* climbed a level: go on */
	STEP_DENTRY,			/* not a mount's root: climb the dentry */
	STEP_STOP,			/* the walk ends here */
	STEP_NOMEM,
};

static enum step stop_broken(struct climb *c)
{
	c->broken = true;
	return STEP_STOP;
}

/* At a mount's root: cross to the mountpoint in the parent mount. */
static enum step cross_mount(struct mw_paths *p, struct climb *c, struct mw_path *ret)
{
	if (!c->mnt)
		return STEP_DENTRY;
	if (c->mi_of != c->mnt) {
		if (!read_mount(p, c->mnt, &c->mi)) {
			set_reason(ret, "mount 0x%" PRIx64 " unreadable", c->mnt);
			return stop_broken(c);
		}
		c->mi_of = c->mnt;
	}
	if (c->cur != c->mi.root)
		return STEP_DENTRY;
	if (c->mi.parent == c->mnt || !c->mi.parent) {
		c->status = c->mnt == p->init_root && p->init_root
			? MW_PATH_OK : MW_PATH_OTHER_NS;
		return STEP_STOP;
	}
	if (++c->mounts > MW_PATHS_MAX_MOUNTS || mw_cycle_step(&c->mcyc, c->mi.parent)) {
		set_reason(ret, "the mounts above mount 0x%" PRIx64
			   " loop or nest deeper than %d", c->m, MW_PATHS_MAX_MOUNTS);
		return stop_broken(c);
	}
	if (!push_level(p, c->n++, c->cur, c->mnt, 0, 0))
		return STEP_NOMEM;
	c->cur = c->mi.mountpoint;
	c->mnt = c->mi.parent;
	mw_cycle_init(&c->dcyc, c->cur);
	return STEP_NEXT;
}

/* Take the dentry's name and climb to its parent. */
static enum step climb_dentry(struct mw_paths *p, struct climb *c, struct mw_path *ret)
{
	struct dentry_info di;
	uint64_t cur = c->cur;
	if (!read_dentry(p, cur, &di)) {
		set_reason(ret, "dentry 0x%" PRIx64 " %s", cur,
			   mw_kptr_ok(cur, 8) ? "unreadable" : "is not a kernel pointer");
		return stop_broken(c);
	}
	if (c->n == 0)
		ret->unlinked = !di.hashed && di.parent != cur;
	bool is_root = di.parent == cur;
	if (is_root && (cur == c->sb_root || c->n > 0)) {
		/* the top of a file system outside the mount's tree, or
		 * of a file system with no mount */
		c->status = MW_PATH_OTHER_NS;
		return STEP_STOP;
	}
	if (di.len == 0 || di.len > MW_PATHS_NAME_MAX) {
		set_reason(ret, "dentry 0x%" PRIx64 " has a name of %" PRIu32 " bytes%s",
			   cur, di.len, di.len ? " (over NAME_MAX)" : "");
		return stop_broken(c);
	}
	if (c->names_len + di.len + 1 > MW_PATHS_MAX_LEN) {
		set_reason(ret, "the path of dentry 0x%" PRIx64 " is longer than %d bytes",
			   c->d, MW_PATHS_MAX_LEN);
		return stop_broken(c);
	}
	if (!names_reserve(p, c->names_len + di.len + 1))
		return STEP_NOMEM;
	char *nm = p->names + c->names_len;
	if (!mw_kptr_ok(di.name, 1) || !read_ok(p, di.name, nm, di.len)) {
		set_reason(ret, "the name of dentry 0x%" PRIx64 " at 0x%" PRIx64 " is unreadable",
			   cur, di.name);
		return stop_broken(c);
	}
	if (memchr(nm, '\0', di.len)) {
		set_reason(ret, "the name of dentry 0x%" PRIx64 " holds a NUL byte", cur);
		return stop_broken(c);
	}
	if (!push_level(p, c->n++, cur, c->mnt, (uint32_t)c->names_len, di.len))
		return STEP_NOMEM;
	c->names_len += di.len;
	if (is_root) {
		/* a dentry of its own, named but not in any tree */
		c->status = MW_PATH_DISCONNECTED;
		return STEP_STOP;
	}
	if (mw_cycle_step(&c->dcyc, di.parent)) {
		set_reason(ret, "the dentries above dentry 0x%" PRIx64 " loop (back to 0x%" PRIx64 ")",
			   c->d, di.parent);
		c->n = first_repeat(p, c->n);
		return stop_broken(c);
	}
	c->cur = di.parent;
	return STEP_NEXT;
}

/* Climb from the dentry until a root, a cached directory or a fault;
 * false if out of memory. */
static bool climb(struct mw_paths *p, struct climb *c, struct mw_path *ret)
{
	for (unsigned steps = 0;; steps++) {
		if (steps >= MW_PATHS_MAX_DEPTH + MW_PATHS_MAX_MOUNTS) {
			set_reason(ret, "more than %d dentries up from dentry 0x%" PRIx64,
				   MW_PATHS_MAX_DEPTH, c->d);
			c->broken = true;
			return true;
		}
		struct dir_entry *e = c->n ? dir_find(p, c->cur, c->mnt) : NULL;
		if (e) {
			p->stats.cache_hits++;
			c->prefix = e->path;
			c->prefix_len = e->len;
			c->status = e->status;
			if (c->status == MW_PATH_BROKEN) {
				/* the prefix already says "(broken)" */
				set_reason(ret, "%s", e->reason ? e->reason : "a directory above is broken");
				c->broken = false;
			}
			return true;
		}
		enum step s = cross_mount(p, c, ret);
		if (s == STEP_DENTRY)
			s = climb_dentry(p, c, ret);
		if (s == STEP_STOP)
			return true;
		if (s == STEP_NOMEM)
			return false;
	}
}

/* The path top-down from the levels climbed; every directory passed is
 * kept in the cache. */
static struct mw_error *build(struct mw_paths *p, const struct climb *c,
			      struct mw_path *ret)
{
	size_t total = c->prefix_len;
	for (size_t i = 0; i < c->n; i++)
		if (p->levels[i].name_len)
			total += 1 + p->levels[i].name_len;
	char *s = malloc(total + 2);
	if (!s)
		return &mw_error_nomem;
	memcpy(s, c->prefix, c->prefix_len);
	size_t len = c->prefix_len;
	const char *reason = c->status == MW_PATH_BROKEN ? ret->reason : NULL;
	for (size_t i = c->n; i-- > 0;) {
		const struct level *lv = &p->levels[i];
		if (lv->name_len) {
			s[len++] = '/';
			memcpy(s + len, p->names + lv->name_off, lv->name_len);
			len += lv->name_len;
		}
		/* (paths longer than PATH_MAX are walked again each time: keeping
		 * every prefix of a deep chain would cost its depth squared) */
		if (i > 0 && c->status != MW_PATH_DISCONNECTED && len <= DIR_CACHE_MAX_LEN &&
		    !dir_add(p, lv->d, lv->m, s, len, c->status, reason)) {
			free(s);
			return &mw_error_nomem;
		}
	}
	if (len == 0)
		s[len++] = '/';
	s[len] = '\0';
	ret->path = s;
	ret->status = c->status;
	return NULL;
}

static struct mw_error *walk(struct mw_paths *p, uint64_t d, uint64_t m,
			     uint64_t sb_root, struct mw_path *ret)
{
	struct climb c = {
		.d = d, .m = m, .sb_root = sb_root, .cur = d, .mnt = m,
		.prefix = "", .status = MW_PATH_OK,
	};
	mw_cycle_init(&c.dcyc, c.cur);
	mw_cycle_init(&c.mcyc, c.mnt);
	ret->dentry = d;
	ret->mount = m;
	if (!climb(p, &c, ret))
		return &mw_error_nomem;
	if (c.broken) {
		c.status = MW_PATH_BROKEN;
		c.prefix = BROKEN;
		c.prefix_len = sizeof(BROKEN) - 1;
	}
	return build(p, &c, ret);
}

struct mw_error *mw_paths_dentry(struct mw_paths *p, uint64_t sb, uint64_t d,
				 struct mw_path *ret)
{
	*ret = (struct mw_path){ .status = MW_PATH_BROKEN };
	bool fresh;
	struct sb_entry *e = sb_slot(p, sb, &fresh);
	if (!e)
		return &mw_error_nomem;
	if (fresh)
		sb_scan(p, e);
	uint64_t m = pick_mount(p, e, d);
	return walk(p, d, m, e->root, ret);
}

struct mw_error *mw_paths_inode(struct mw_paths *p, uint64_t sb, uint64_t inode,
				struct mw_path *ret)
{
	*ret = (struct mw_path){ .status = MW_PATH_NO_NAME };
	uint64_t pos;
	if (!mw_kptr_ok(inode, 8) || !read64(p, inode + p->l.i_dentry, &pos)) {
		ret->status = MW_PATH_BROKEN;
		set_reason(ret, "inode 0x%" PRIx64 " unreadable", inode);
		ret->path = strdup(BROKEN);
		return ret->path ? NULL : &mw_error_nomem;
	}
	/* hlist: first, then node->next; prefer a hashed dentry */
	uint64_t first = 0;
	struct mw_cycle cyc;
	mw_cycle_init(&cyc, pos);
	for (unsigned i = 0; pos && i < MW_PATHS_MAX_ALIASES; i++) {
		if (!mw_kptr_ok(pos, 8))
			break;
		uint64_t d = pos - p->l.d_alias;
		struct dentry_info di;
		if (!read_dentry(p, d, &di))
			break;
		if (!first)
			first = d;
		if (di.hashed) {
			first = d;
			break;
		}
		if (!read64(p, pos, &pos) || mw_cycle_step(&cyc, pos))
			break;
	}
	if (!first)
		return NULL;
	return mw_paths_dentry(p, sb, first, ret);
}
