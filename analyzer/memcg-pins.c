/* memwhere: what still holds a dying memory cgroup.
 *
 * A memcg that was removed (rmdir) goes offline but is only freed when the
 * last reference to its css goes. The references and where they come from:
 *   - every folio charged to it (page cache, shmem, anon) holds one until
 *     it is freed or uncharged: found on the memcg's own LRU lists
 *     (mem_cgroup.nodeinfo[nid]->lruvec.lists[] and, with MGLRU,
 *     lruvec.lrugen's lists), grouped by file (folio->mapping->host);
 *   - every child css, online or dying, holds one on its parent;
 *   - cgroup writeback structures killed with it (bdi_writeback on the
 *     global offline_cgwbs list, wb->memcg_css) hold one each until the
 *     inodes attached to them are switched away;
 *   - a CPU's charge stock (the per-CPU memcg_stock.cached) holds one;
 *   - while mem_cgroup.id.ref is non-zero (swap entries record the id) the
 *     id holds one;
 *   - the rest ("other"): sockets (sk->sk_memcg), folios off the LRU lists
 *     (isolated, in per-CPU batches), and anything else.
 * The count itself is css.refcnt, a percpu_ref in atomic mode once the
 * css was killed: percpu_ref_data.count.
 *
 * Slab objects do not pin: they are charged through an obj_cgroup, which
 * the kernel moves to the parent memcg when a memcg goes offline.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/layout.h"
#include "analyzer/memcg-internal.h"

enum {
	MAX_FOLIOS_TOTAL = 1 << 26,	/* folios looked at over all dying memcgs */
	MAX_LISTS = 256,		/* LRU list heads per lruvec */
	MAX_NODES = 1024,
	MAX_OFFLINE_WBS = 1 << 20,
	MAX_FILES_KEPT = 100,		/* files kept per dying memcg */
	MAX_DPATH_DEPTH = 256,
	MAX_MOUNT_DEPTH = 64,
	MAX_MOUNTS_PER_SB = 4096,
	MAX_ORDER = 20,
};

struct pins_layout {
	uint32_t nodeinfo, pn_lruvec;
	uint32_t lists, nr_lists;		/* lruvec.lists[] */
	uint32_t gen_lists, nr_gen_lists;	/* lruvec.lrugen.{lists,folios}, 0 if none */
	uint32_t folio_flags, folio_lru, folio_mapping, folio_memcg_data;
	bool order_is_byte;			/* folio._folio_order */
	uint32_t folio_order;			/* or the low byte of folio._flags_1 */
	uint64_t pg_head, pg_swapbacked;	/* bit numbers */
	uint64_t memcg_data_mask;
	bool folio_objcg;			/* memcg_data is an obj_cgroup (7.x) */
	uint32_t objcg_memcg;			/* obj_cgroup.memcg */
	uint32_t as_host;
	uint32_t i_ino, i_nlink, i_sb, i_dentry;
	uint32_t d_parent, d_name_name, d_alias;
	uint32_t sb_mounts, sb_type, sb_root, fst_name;
	uint32_t mnt_parent, mnt_mountpoint, mnt_root, mnt_instance, mnt_ns;
	bool sb_mounts_single;	/* s_mounts -> first mount, then mnt_next_for_sb (7.x) */
	bool have_stock;
	uint32_t stock_cached;
	bool have_wb;
	uint32_t wb_offline_node, wb_memcg_css;
	uint64_t init_mnt_ns;			/* 0 if unknown */
};

static bool ok64(struct mw_kernel *k, uint64_t a, uint64_t *v)
{
	return mw_kread_ok(k, a, v, sizeof(*v));
}

static bool ok32(struct mw_kernel *k, uint64_t a, uint32_t *v)
{
	return mw_kread_ok(k, a, v, sizeof(*v));
}

static struct mw_error *resolve(struct mw_kernel *k, struct pins_layout *p)
{
	/* values worked out from the fields, not copied */
	struct mw_field lists, gen_lists, gen_folios, f_order, f_flags1, pg_head,
		pg_swapbacked, md_nr, task_nsproxy, ns_mnt_ns, d_alias_u, d_alias,
		mnt_instance, mnt_next_sb, objcg_memcg, objcg_is_root, folio[4], page[4],
		pg_order, pg_size;
#define L struct pins_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "mem_cgroup.nodeinfo", nodeinfo),
		MW_LAYOUT_MEMBER(L, "mem_cgroup_per_node.lruvec", pn_lruvec),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "lruvec.lists", &lists),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "lruvec.lrugen.lists", &gen_lists),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "lruvec.lrugen.folios", &gen_folios),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio.flags", &folio[0]),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio.lru", &folio[1]),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio.mapping", &folio[2]),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio.memcg_data", &folio[3]),
		/* no struct folio (before 5.16): the head page itself, its
		 * memcg in page.mem_cgroup (before 5.11) or page.memcg_data,
		 * its order in the first tail page's compound_order */
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.flags", &page[0]),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.lru", &page[1]),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.mapping", &page[2]),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.mem_cgroup", &page[3]),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "page.compound_order", &pg_order),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_SIZEOF, "page", &pg_size),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "obj_cgroup.memcg", &objcg_memcg),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "obj_cgroup.is_root", &objcg_is_root),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio._folio_order", &f_order),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "folio._flags_1", &f_flags1),
		MW_LAYOUT_RAW(MW_FIELD_KIND_ENUM, "pageflags.PG_head", &pg_head),
		MW_LAYOUT_RAW(MW_FIELD_KIND_ENUM, "pageflags.PG_swapbacked", &pg_swapbacked),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_ENUM, "__NR_MEMCG_DATA_FLAGS", &md_nr),
		MW_LAYOUT_MEMBER(L, "address_space.host", as_host),
		MW_LAYOUT_MEMBER(L, "inode.i_ino", i_ino),
		MW_LAYOUT_MEMBER(L, "inode.__i_nlink", i_nlink),
		MW_LAYOUT_MEMBER(L, "inode.i_sb", i_sb),
		MW_LAYOUT_MEMBER(L, "inode.i_dentry", i_dentry),
		MW_LAYOUT_MEMBER(L, "dentry.d_parent", d_parent),
		MW_LAYOUT_MEMBER(L, "dentry.d_name.name", d_name_name),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "dentry.d_u.d_alias", &d_alias_u),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "dentry.d_alias", &d_alias),	/* 7.x: no d_u */
		MW_LAYOUT_MEMBER(L, "super_block.s_mounts", sb_mounts),
		MW_LAYOUT_MEMBER(L, "super_block.s_type", sb_type),
		MW_LAYOUT_MEMBER(L, "super_block.s_root", sb_root),
		MW_LAYOUT_MEMBER(L, "file_system_type.name", fst_name),
		MW_LAYOUT_MEMBER(L, "mount.mnt_parent", mnt_parent),
		MW_LAYOUT_MEMBER(L, "mount.mnt_mountpoint", mnt_mountpoint),
		MW_LAYOUT_MEMBER(L, "mount.mnt.mnt_root", mnt_root),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mount.mnt_instance", &mnt_instance),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mount.mnt_next_for_sb", &mnt_next_sb),	/* 7.x */
		MW_LAYOUT_MEMBER(L, "mount.mnt_ns", mnt_ns),
		MW_LAYOUT_MEMBER_OPT(L, "memcg_stock_pcp.cached", stock_cached, have_stock),
		MW_LAYOUT_MEMBER_OPT(L, "bdi_writeback.offline_node", wb_offline_node, have_wb),
		MW_LAYOUT_MEMBER_OPT(L, "bdi_writeback.memcg_css", wb_memcg_css, have_wb),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "task_struct.nsproxy", &task_nsproxy),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "nsproxy.mnt_ns", &ns_mnt_ns),
	};
#undef L
	memset(p, 0, sizeof(*p));
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), p);
	if (err)
		return err;
	bool use_folio = folio[0].found && folio[1].found && folio[2].found && folio[3].found;
	if (!use_folio && !(page[0].found && page[1].found && page[2].found && page[3].found &&
			    pg_order.found && pg_size.found))
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "neither struct folio (flags, lru, mapping, memcg_data) "
				       "nor struct page (flags, lru, mapping, mem_cgroup, "
				       "compound_order) has what the LRU walk reads");
	if (use_folio && !f_order.found && !f_flags1.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "struct folio has neither _folio_order nor _flags_1");
	const struct mw_field *f = use_folio ? folio : page;
	p->folio_flags = mw_u32_of(f[0].offset);
	p->folio_lru = mw_u32_of(f[1].offset);
	p->folio_mapping = mw_u32_of(f[2].offset);
	p->folio_memcg_data = mw_u32_of(f[3].offset);
	if (!d_alias_u.found && !d_alias.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "struct dentry has neither d_u.d_alias nor d_alias");
	if (!mnt_instance.found && !mnt_next_sb.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "struct mount has neither mnt_instance nor mnt_next_for_sb");
	p->lists = mw_u32_of(lists.offset);
	p->nr_lists = mw_u32_of(lists.size / 16);
	const struct mw_field *g = gen_lists.found ? &gen_lists : gen_folios.found ? &gen_folios : NULL;
	if (g) {
		p->gen_lists = mw_u32_of(g->offset);
		p->nr_gen_lists = mw_u32_of(g->size / 16);
	}
	if (p->nr_lists > MAX_LISTS || p->nr_gen_lists > MAX_LISTS)
		return mw_error_create(MW_ERR_BAD_DATA, "lruvec has %" PRIu32 " + %" PRIu32
				       " lists", p->nr_lists, p->nr_gen_lists);
	p->order_is_byte = !use_folio || f_order.found;
	if (!use_folio)
		p->folio_order = mw_u32_of(pg_size.size + pg_order.offset);
	else
		p->folio_order = mw_u32_of(f_order.found ? f_order.offset : f_flags1.offset);
	p->pg_head = (uint64_t)pg_head.value;
	p->pg_swapbacked = (uint64_t)pg_swapbacked.value;
	if (p->pg_head > 63 || p->pg_swapbacked > 63)
		return mw_error_create(MW_ERR_BAD_DATA, "page flag bits past 63");
	/* __NR_MEMCG_DATA_FLAGS is the first bit value not used as a flag */
	p->memcg_data_mask = md_nr.found && md_nr.value > 0 && md_nr.value <= 64
		? (uint64_t)md_nr.value - 1 : 7;
	p->d_alias = mw_u32_of(d_alias_u.found ? d_alias_u.offset : d_alias.offset);
	p->mnt_instance = mw_u32_of(mnt_instance.found ? mnt_instance.offset : mnt_next_sb.offset);
	p->sb_mounts_single = !mnt_instance.found;
	/* with the root's own obj_cgroup (7.x), a folio points at an obj_cgroup */
	p->folio_objcg = objcg_memcg.found && objcg_is_root.found;
	p->objcg_memcg = mw_u32_of(objcg_memcg.offset);

	uint64_t init_task, nsproxy, ns;
	if (!mw_kernel_symbol(k, "init_task", &init_task) &&
	    ok64(k, init_task + task_nsproxy.offset, &nsproxy) && nsproxy &&
	    ok64(k, nsproxy + ns_mnt_ns.offset, &ns))
		p->init_mnt_ns = ns;
	return NULL;
}

/* ---- paths ------------------------------------------------------------ */

struct strbuf {
	char *names[MAX_DPATH_DEPTH];
	size_t n;
};

static void strbuf_free(struct strbuf *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	s->n = 0;
}

/* Names from dentry d up to (not including) stop or the root of its file
 * system, innermost first. False if the chain was cut. */
static bool dentry_names(struct mw_kernel *k, const struct pins_layout *p,
			 uint64_t d, uint64_t stop, struct strbuf *out)
{
	for (unsigned depth = 0; d && d != stop; depth++) {
		uint64_t parent, name;
		if (depth >= MAX_DPATH_DEPTH || out->n >= MAX_DPATH_DEPTH)
			return false;
		if (!ok64(k, d + p->d_parent, &parent) || !ok64(k, d + p->d_name_name, &name))
			return false;
		if (parent == d)
			return true;	/* the file system's root */
		char buf[MW_MEMCG_MAX_NAME];
		struct mw_error *err = mw_kread_string(k, name, buf, sizeof(buf));
		if (err) {
			mw_error_destroy(err);
			return false;
		}
		out->names[out->n] = strdup(buf);
		if (!out->names[out->n])
			return false;
		out->n++;
		d = parent;
	}
	return true;
}

/* The mount of sb to name files by: one in the initial mount namespace,
 * preferring one of the whole file system (mnt_root == s_root). */
static uint64_t pick_mount(struct mw_kernel *k, const struct pins_layout *p,
			   uint64_t sb)
{
	uint64_t head = sb + p->sb_mounts, pos, sroot = 0, best = 0;
	int best_score = -1;
	if (!ok64(k, head, &pos) || !ok64(k, sb + p->sb_root, &sroot))
		return 0;
	/* pos walks the links (list_head mnt_instance, or mnt_next_for_sb) */
	if (p->sb_mounts_single && pos)
		pos += p->mnt_instance;
	for (unsigned n = 0; pos && pos != head && n < MAX_MOUNTS_PER_SB; n++) {
		uint64_t mnt = pos - p->mnt_instance, ns = 0, root = 0;
		if (!ok64(k, mnt + p->mnt_ns, &ns) || !ok64(k, mnt + p->mnt_root, &root))
			break;
		int score = (p->init_mnt_ns && ns == p->init_mnt_ns ? 2 : 0) +
			    (root == sroot ? 1 : 0);
		if (score > best_score) {
			best = mnt;
			best_score = score;
		}
		if (!ok64(k, pos, &pos))
			break;
		if (p->sb_mounts_single && pos)
			pos += p->mnt_instance;
	}
	return best;
}

/* Append names[] (innermost first) to a path string. */
static bool append_names(char **path, size_t *len, const struct strbuf *s)
{
	for (size_t i = s->n; i-- > 0;) {
		size_t n = strlen(s->names[i]);
		char *np = realloc(*path, *len + n + 2);
		if (!np)
			return false;
		*path = np;
		(*path)[(*len)++] = '/';
		memcpy(*path + *len, s->names[i], n);
		*len += n;
		(*path)[*len] = '\0';
	}
	return true;
}

/* "/mount/point/dir/file" for dentry d of super block sb. */
static char *file_path(struct mw_kernel *k, const struct pins_layout *p,
		       uint64_t sb, uint64_t d)
{
	uint64_t mnts[MAX_MOUNT_DEPTH];
	size_t nm = 0;
	uint64_t mnt = pick_mount(k, p, sb);
	char *path = calloc(1, 1);
	size_t len = 0;
	struct strbuf s = { .n = 0 };
	if (!path)
		return NULL;
	/* the chain of mounts up to the namespace root */
	while (mnt && nm < MAX_MOUNT_DEPTH) {
		mnts[nm++] = mnt;
		uint64_t parent;
		if (!ok64(k, mnt + p->mnt_parent, &parent) || parent == mnt)
			break;
		mnt = parent;
	}
	/* outermost first: each mount's mountpoint inside its parent */
	for (size_t i = nm; i-- > 1;) {
		uint64_t mp, proot;
		if (!ok64(k, mnts[i - 1] + p->mnt_mountpoint, &mp) ||
		    !ok64(k, mnts[i] + p->mnt_root, &proot))
			break;
		bool whole = dentry_names(k, p, mp, proot, &s);
		if (!append_names(&path, &len, &s) || !whole) {
			strbuf_free(&s);
			break;
		}
		strbuf_free(&s);
	}
	uint64_t stop = 0;
	if (nm)
		ok64(k, mnts[0] + p->mnt_root, &stop);
	bool whole = dentry_names(k, p, d, stop, &s);
	bool okay = append_names(&path, &len, &s);
	strbuf_free(&s);
	if (!okay) {
		free(path);
		return NULL;
	}
	if (!whole || !nm) {
		/* say the path is partial: "?" in front */
		char *np = malloc(len + 3);
		if (!np) {
			free(path);
			return NULL;
		}
		snprintf(np, len + 3, "?%s", len ? path : "/");
		free(path);
		return np;
	}
	if (!len) {
		free(path);
		return strdup("/");
	}
	return path;
}

static void describe_file(struct mw_kernel *k, const struct pins_layout *p,
			  uint64_t mapping, struct mw_memcg_file_pin *f)
{
	uint64_t inode = 0, sb = 0, first = 0, type = 0, name = 0;
	uint32_t nlink = 1;
	if (!ok64(k, mapping + p->as_host, &inode) || !inode)
		return;
	f->inode = inode;
	ok64(k, inode + p->i_ino, &f->ino);
	ok32(k, inode + p->i_nlink, &nlink);
	if (!ok64(k, inode + p->i_sb, &sb) || !sb)
		return;
	if (ok64(k, sb + p->sb_type, &type) && type && ok64(k, type + p->fst_name, &name)) {
		char buf[64];
		struct mw_error *err = mw_kread_string(k, name, buf, sizeof(buf));
		if (!err)
			f->fs = strdup(buf);
		mw_error_destroy(err);
	}
	if (!ok64(k, inode + p->i_dentry, &first) || !first) {
		f->deleted = true;
		return;
	}
	f->deleted = nlink == 0;
	f->path = file_path(k, p, sb, first - p->d_alias);
}

/* ---- LRU lists -------------------------------------------------------- */

struct file_acc {
	struct mw_memcg_file_pin *v;
	size_t nr, cap;
	uint64_t *mapping;	/* parallel to v */
};

static struct mw_memcg_file_pin *file_slot(struct file_acc *fa, uint64_t mapping)
{
	/* few distinct files per dying memcg: a linear look-back is enough
	 * for runs of the same file; otherwise search */
	for (size_t i = fa->nr; i-- > 0;)
		if (fa->mapping[i] == mapping)
			return &fa->v[i];
	if (fa->nr == fa->cap) {
		size_t ncap = fa->cap ? fa->cap * 2 : 16;
		struct mw_memcg_file_pin *nv = realloc(fa->v, ncap * sizeof(*nv));
		if (!nv)
			return NULL;
		fa->v = nv;
		uint64_t *nmap = realloc(fa->mapping, ncap * sizeof(*nmap));
		if (!nmap)
			return NULL;
		fa->mapping = nmap;
		fa->cap = ncap;
	}
	memset(&fa->v[fa->nr], 0, sizeof(fa->v[fa->nr]));
	fa->mapping[fa->nr] = mapping;
	return &fa->v[fa->nr++];
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct mw_memcg_file_pin *x = a, *y = b;
	return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/* Walk one LRU list of memcg m. */
static void walk_list(struct mw_kernel *k, const struct pins_layout *p,
		      uint64_t page_size, struct mw_memcg *m, uint64_t head,
		      uint64_t *budget, struct file_acc *fa, struct mw_warnings *w)
{
	uint64_t pos;
	if (!ok64(k, head, &pos)) {
		mw_warn(w, "memcg %s: LRU list at 0x%" PRIx64 " unreadable", m->path, head);
		m->pins.lru_complete = false;
		return;
	}
	/* lists the kernel does not keep (6.1+ poisons the unevictable one:
	 * those folios' lru field holds their mlock count) */
	if ((pos >> 48) == 0xdead && (pos & 0xffffffffffffULL) <= 0x1000)
		return;
	/* Brent's cycle check: a loop that does not come back to the head is
	 * found within twice its length */
	uint64_t mark = head, power = 1, steps = 0;
	while (pos != head) {
		if (!pos || !*budget || pos == mark) {
			mw_warn(w, "memcg %s: LRU list at 0x%" PRIx64 " %s; the rest is not counted",
				m->path, head, !pos ? "has a NULL link" : pos == mark
				? "loops" : "is longer than the bound");
			m->pins.lru_complete = false;
			return;
		}
		if (++steps == power) {
			mark = pos;
			power *= 2;
			steps = 0;
		}
		(*budget)--;
		uint64_t folio = pos - p->folio_lru, flags, mapping, memcg_data, next;
		if (!ok64(k, folio + p->folio_flags, &flags) ||
		    !ok64(k, folio + p->folio_mapping, &mapping) ||
		    !ok64(k, folio + p->folio_memcg_data, &memcg_data) ||
		    !ok64(k, pos, &next)) {
			mw_warn(w, "memcg %s: folio 0x%" PRIx64 " on its LRU list at 0x%" PRIx64
				" unreadable; the rest of the list is not counted", m->path,
				folio, head);
			m->pins.lru_complete = false;
			return;
		}
		uint64_t owner = memcg_data & ~p->memcg_data_mask;
		if (p->folio_objcg && !ok64(k, owner + p->objcg_memcg, &owner))
			owner = 0;
		if (owner != m->addr) {
			mw_warn(w, "memcg %s: folio 0x%" PRIx64 " on its LRU belongs to 0x%" PRIx64
				"; the rest of the list is not counted", m->path, folio, owner);
			m->pins.lru_complete = false;
			return;
		}
		uint64_t pages = 1;
		if (flags & (1ULL << p->pg_head)) {
			uint64_t order = 0;
			if (p->order_is_byte) {
				uint8_t b = 0;
				struct mw_error *err = mw_kernel_read(k, folio + p->folio_order, &b, 1);
				mw_error_destroy(err);
				order = b;
			} else {
				uint64_t f1 = 0;
				ok64(k, folio + p->folio_order, &f1);
				order = f1 & 0xff;
			}
			if (order <= MAX_ORDER)
				pages = 1ULL << order;
		}
		uint64_t bytes = pages * page_size;
		m->pins.lru_folios++;
		m->pins.lru_bytes += bytes;
		if (mapping & 1) {	/* PAGE_MAPPING_ANON */
			m->pins.lru_anon_bytes += bytes;
		} else if (mapping) {
			bool shmem = flags & (1ULL << p->pg_swapbacked);
			if (shmem)
				m->pins.lru_shmem_bytes += bytes;
			else
				m->pins.lru_file_bytes += bytes;
			struct mw_memcg_file_pin *f = file_slot(fa, mapping);
			if (f) {
				f->folios++;
				f->bytes += bytes;
				f->shmem = shmem;
			}
		}
		pos = next;
	}
}

static void memcg_lru(struct mw_kernel *k, const struct pins_layout *p,
		      uint64_t page_size, uint32_t nr_nodes, struct mw_memcg *m,
		      uint64_t *total_budget, struct mw_warnings *w)
{
	struct file_acc fa = { 0 };
	m->pins.lru_complete = true;
	/* every folio on its lists is charged to it: no more folios than
	 * its usage in pages (and some slack for a racing counter) */
	uint64_t own = m->usage_known ? m->usage_bytes / page_size + 4096 : 1ULL << 22;
	uint64_t budget = own < *total_budget ? own : *total_budget;
	uint64_t start = budget;
	for (uint32_t nid = 0; nid < nr_nodes; nid++) {
		uint64_t pn;
		if (!ok64(k, m->addr + p->nodeinfo + 8ULL * nid, &pn) || !pn) {
			mw_warn(w, "memcg %s: no per-node info for node %" PRIu32, m->path, nid);
			m->pins.lru_complete = false;
			continue;
		}
		uint64_t lruvec = pn + p->pn_lruvec;
		for (uint32_t i = 0; i < p->nr_lists; i++)
			walk_list(k, p, page_size, m, lruvec + p->lists + 16ULL * i, &budget, &fa, w);
		for (uint32_t i = 0; i < p->nr_gen_lists; i++)
			walk_list(k, p, page_size, m, lruvec + p->gen_lists + 16ULL * i, &budget, &fa, w);
	}
	*total_budget -= start - budget;
	if (fa.nr) {
		for (size_t i = 0; i < fa.nr; i++)
			describe_file(k, p, fa.mapping[i], &fa.v[i]);
		qsort(fa.v, fa.nr, sizeof(*fa.v), by_bytes_desc);
		size_t keep = fa.nr < MAX_FILES_KEPT ? fa.nr : MAX_FILES_KEPT;
		for (size_t i = keep; i < fa.nr; i++) {
			free(fa.v[i].path);
			free(fa.v[i].fs);
		}
		m->pins.nr_files_dropped = fa.nr - keep;
		m->pins.nr_files = keep;
		m->pins.files = fa.v;
		fa.v = NULL;
	}
	free(fa.v);
	free(fa.mapping);
}

/* ---- the other holders ------------------------------------------------ */

static void count_stocks(struct mw_kernel *k, const struct pins_layout *p,
			 const struct mw_memcg_layout *l,
			 const struct mw_memcg_input *in, struct mw_memcg_tree *t)
{
	uint64_t stock;
	struct mw_error *err = mw_kernel_symbol(k, "memcg_stock", &stock);
	if (err || !p->have_stock) {
		mw_error_destroy(err);
		return;
	}
	(void)l;
	for (unsigned c = 0; c < in->nr_cpus; c++) {
		uint64_t cached;
		if (!ok64(k, stock + in->cpu_offsets[c] + p->stock_cached, &cached) || !cached)
			continue;
		ptrdiff_t i = mw_memcg_find_addr(t, cached);
		if (i >= 0 && t->memcgs[i].dying)
			t->memcgs[i].pins.stock_cpus++;
	}
}

static void count_offline_wbs(struct mw_kernel *k, const struct pins_layout *p,
			      const struct mw_memcg_layout *l,
			      struct mw_memcg_tree *t, struct mw_warnings *w)
{
	uint64_t head, pos;
	struct mw_error *err;
	if (!p->have_wb)
		return;
	if ((err = mw_kernel_symbol(k, "offline_cgwbs", &head))) {
		mw_error_destroy(err);
		return;
	}
	if (!ok64(k, head, &pos))
		return;
	uint64_t mark = head, power = 1, steps = 0;
	for (unsigned n = 0; pos != head; n++) {
		if (!pos || n >= MAX_OFFLINE_WBS || pos == mark) {
			mw_warn(w, "memcg pins: offline_cgwbs list %s; the rest is not counted",
				!pos ? "has a NULL link" : pos == mark ? "loops" : "is too long");
			return;
		}
		if (++steps == power) {
			mark = pos;
			power *= 2;
			steps = 0;
		}
		uint64_t wb = pos - p->wb_offline_node, css;
		if (ok64(k, wb + p->wb_memcg_css, &css) && css) {
			ptrdiff_t i = mw_memcg_find_addr(t, css - l->css);
			if (i >= 0)
				t->memcgs[i].pins.offline_wbs++;
		}
		if (!ok64(k, pos, &pos))
			return;
	}
}

void mw_memcg_read_pins(struct mw_kernel *k, const struct mw_memcg_layout *l,
			const struct mw_memcg_input *in, struct mw_warnings *w,
			struct mw_memcg_tree *t)
{
	struct pins_layout p;
	struct mw_error *err;
	uint32_t nr_nodes = 1;

	if (!t->nr_dying)
		return;
	if ((err = resolve(k, &p))) {
		mw_warn_error(w, err, "dying memcgs: what holds them is not known");
		return;
	}
	if ((err = mw_kernel_read_symbol(k, "nr_node_ids", &nr_nodes, sizeof(nr_nodes)))) {
		mw_warn_error(w, err, "dying memcgs: nr_node_ids (taken as 1)");
		nr_nodes = 1;
	}
	if (nr_nodes == 0 || nr_nodes > MAX_NODES) {
		mw_warn(w, "dying memcgs: nr_node_ids is %" PRIu32 " (taken as 1)", nr_nodes);
		nr_nodes = 1;
	}
	uint64_t budget = MAX_FOLIOS_TOTAL;
	for (size_t i = 0; i < t->nr; i++) {
		struct mw_memcg *m = &t->memcgs[i];
		if (!m->dying)
			continue;
		m->pins.known = true;
		m->pins.children = m->nr_children;
		m->pins.id_css_refs = m->pins.swap_id_refs > 0;
		memcg_lru(k, &p, t->page_size, nr_nodes, m, &budget, w);
	}
	count_stocks(k, &p, l, in, t);
	count_offline_wbs(k, &p, l, t, w);
	for (size_t i = 0; i < t->nr; i++) {
		struct mw_memcg *m = &t->memcgs[i];
		if (!m->dying)
			continue;
		if (m->pins.css_refs < 0) {
			m->pins.other_refs = -1;
			continue;
		}
		int64_t known = (int64_t)(m->pins.lru_folios + m->pins.children +
					  m->pins.offline_wbs + m->pins.stock_cpus +
					  m->pins.id_css_refs);
		m->pins.other_refs = m->pins.css_refs - known;
		if (m->pins.other_refs < 0) {
			mw_warn(w, "memcg %s: %" PRId64 " references found but css.refcnt is %"
				PRId64, m->path, known, m->pins.css_refs);
			m->pins.other_refs = 0;
		}
	}
}
