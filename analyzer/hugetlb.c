/* memwhere: hugetlb pools (hstates) and the hugetlbfs inodes holding them. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/layout.h"
#include "analyzer/paths.h"
#include "analyzer/pools.h"
#include "analyzer/task.h"
#include "analyzer/walk.h"
#include "common/grow.h"

/* ---- hstates ---- */

struct hstate_layout {
	uint32_t size, order, nr, free, resv, surplus, name;
	uint32_t name_size;
	struct mw_field nr_node, free_node, surplus_node;
	struct mw_field free_area;	/* zone.free_area[]: the buddy orders */
};

static struct mw_error *hstate_layout(struct mw_kernel *k, struct hstate_layout *l)
{
	struct mw_field name;
#define L struct hstate_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_SIZEOF(L, "hstate", size),
		MW_LAYOUT_MEMBER(L, "hstate.order", order),
		MW_LAYOUT_MEMBER(L, "hstate.nr_huge_pages", nr),
		MW_LAYOUT_MEMBER(L, "hstate.free_huge_pages", free),
		MW_LAYOUT_MEMBER(L, "hstate.resv_huge_pages", resv),
		MW_LAYOUT_MEMBER(L, "hstate.surplus_huge_pages", surplus),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "hstate.name", &name),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "hstate.nr_huge_pages_node", &l->nr_node),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "hstate.free_huge_pages_node", &l->free_node),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "hstate.surplus_huge_pages_node",
			      &l->surplus_node),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "zone.free_area", &l->free_area),
	};
#undef L
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	if (err)
		return mw_error_prepend(err, "hugetlb pools");
	const struct mw_field *arrays[] = { &l->nr_node, &l->free_node, &l->surplus_node };
	for (size_t i = 0; i < MW_ARRAY_SIZE(arrays); i++)
		if (!arrays[i]->nr_elements || arrays[i]->target_size == 0 ||
		    arrays[i]->target_size > 8 || arrays[i]->nr_elements > MW_POOLS_MAX_NODES)
			return mw_error_create(MW_ERR_UNSUPPORTED,
					       "hugetlb pools: hstate's per-node counters are not arrays of integers");
	l->name = mw_u32_of(name.offset);
	l->name_size = mw_u32_of(name.size < MW_HSTATE_NAME_MAX ? name.size : MW_HSTATE_NAME_MAX);
	return NULL;
}

static uint64_t ulong_at(const uint8_t *buf, size_t len, uint64_t off, uint64_t size)
{
	uint64_t v = 0;
	if (off + size > len || size > 8)
		return 0;
	memcpy(&v, buf + off, (size_t)size);	/* little-endian targets only (x86-64, arm64) */
	return v;
}

static struct mw_error *read_nodes(const struct hstate_layout *l, const uint8_t *buf, size_t len,
				   uint32_t nr_node_ids, struct mw_hstate *h)
{
	uint64_t n = l->nr_node.nr_elements < nr_node_ids ? l->nr_node.nr_elements : nr_node_ids;
	h->nodes = calloc(n ? n : 1, sizeof(*h->nodes));
	if (!h->nodes)
		return &mw_error_nomem;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t nr = ulong_at(buf, len, l->nr_node.offset + i * l->nr_node.target_size,
				       l->nr_node.target_size);
		uint64_t fr = i < l->free_node.nr_elements ?
			ulong_at(buf, len, l->free_node.offset + i * l->free_node.target_size,
				 l->free_node.target_size) : 0;
		uint64_t su = i < l->surplus_node.nr_elements ?
			ulong_at(buf, len, l->surplus_node.offset + i * l->surplus_node.target_size,
				 l->surplus_node.target_size) : 0;
		if (!nr && !fr && !su)
			continue;
		h->nodes[h->nr_nodes++] = (struct mw_hugetlb_node){
			.node = (int)i, .nr = nr, .free = fr, .surplus = su };
	}
	return NULL;
}

struct mw_error *mw_hugetlb_read(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret)
{
	struct hstate_layout l;
	memset(&l, 0, sizeof(l));
	uint64_t hstates;
	uint32_t max = 0, nr_node_ids = 1;
	struct mw_error *err = mw_kernel_symbol(k, "hstates", &hstates);
	if (!err)
		err = mw_kread_sym_u32(k, "hugetlb_max_hstate", &max);
	if (err) {
		mw_error_destroy(err);	/* a kernel without hugetlb */
		return NULL;
	}
	if ((err = hstate_layout(k, &l))) {
		mw_warn_error(w, err, "hugetlb pools not read");
		return NULL;
	}
	if (max > MW_HSTATE_MAX) {
		mw_warn(w, "hugetlb_max_hstate is %" PRIu32 ": hugetlb pools not read", max);
		return NULL;
	}
	uint32_t v;
	if (!mw_failed(mw_kread_sym_u32(k, "nr_node_ids", &v)) && v >= 1 && v <= MW_POOLS_MAX_NODES)
		nr_node_ids = v;
	uint64_t buddy_orders = l.free_area.found ? l.free_area.nr_elements : 0;
	uint8_t *buf = malloc(l.size);
	if (!buf)
		return &mw_error_nomem;
	ret->have_hugetlb = true;
	for (uint32_t i = 0; i < max; i++) {
		uint64_t addr = hstates + (uint64_t)i * l.size;
		if ((err = mw_kernel_read_zero_filtered(k, addr, buf, l.size, NULL))) {
			mw_warn_error(w, err, "a hugetlb pool not read");
			continue;
		}
		struct mw_hstate *h = &ret->hstates[ret->nr_hstates];
		memset(h, 0, sizeof(*h));
		h->order = (unsigned)ulong_at(buf, l.size, l.order, 4);
		if (h->order >= 64 - 12) {
			mw_warn(w, "hugetlb pool %" PRIu32 " at 0x%" PRIx64 " has order %u: skipped", i,
				addr, h->order);
			continue;
		}
		h->page_bytes = (uint64_t)k->vm.page_size << h->order;
		h->nr = ulong_at(buf, l.size, l.nr, 8);
		h->free = ulong_at(buf, l.size, l.free, 8);
		h->resv = ulong_at(buf, l.size, l.resv, 8);
		h->surplus = ulong_at(buf, l.size, l.surplus, 8);
		h->gigantic = buddy_orders && h->order >= buddy_orders;
		memcpy(h->name, buf + l.name, l.name_size);
		h->name[MW_HSTATE_NAME_MAX - 1] = '\0';
		for (char *c = h->name; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
		if (!h->name[0])
			snprintf(h->name, sizeof(h->name), "hugepages-%" PRIu64 "kB", h->page_bytes >> 10);
		if ((err = read_nodes(&l, buf, l.size, nr_node_ids, h))) {
			free(buf);
			return err;
		}
		ret->nr_hstates++;
	}
	free(buf);
	return NULL;
}

/* ---- hugetlbfs inodes ---- */

struct files_layout {
	uint32_t sb_list, sb_type, sb_inodes, sb_fs_info, sbi_hstate, h_order;
	uint32_t i_sb_list, i_blocks, i_size, i_ino, i_mode;
	uint32_t task_nsproxy, ns_mnt_ns, mnt_ns_root;
	uint32_t inode_size;
	struct mw_paths_layout pl;
};

static struct mw_error *files_layout(struct mw_kernel *k, struct files_layout *l)
{
	struct mw_field i_blocks, i_size, i_ino, i_mode, d_name_len, d_alias_u, d_alias, sb_root,
		mnt_instance, mnt_next_sb;
#define L struct files_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "super_block.s_list", sb_list),
		MW_LAYOUT_MEMBER(L, "super_block.s_type", sb_type),
		MW_LAYOUT_MEMBER(L, "super_block.s_inodes", sb_inodes),
		MW_LAYOUT_MEMBER(L, "super_block.s_fs_info", sb_fs_info),
		MW_LAYOUT_MEMBER(L, "super_block.s_mounts", pl.sb_mounts),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "super_block.s_root", &sb_root),
		MW_LAYOUT_MEMBER(L, "hugetlbfs_sb_info.hstate", sbi_hstate),
		MW_LAYOUT_MEMBER(L, "hstate.order", h_order),
		MW_LAYOUT_SIZEOF(L, "inode", inode_size),
		MW_LAYOUT_MEMBER(L, "inode.i_sb_list", i_sb_list),
		MW_LAYOUT_MEMBER(L, "inode.i_dentry", pl.i_dentry),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_blocks", &i_blocks),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_size", &i_size),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_ino", &i_ino),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "inode.i_mode", &i_mode),
		MW_LAYOUT_MEMBER(L, "dentry.d_parent", pl.d_parent),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "dentry.d_name.len", &d_name_len),
		MW_LAYOUT_MEMBER(L, "dentry.d_name.name", pl.d_name_name),
		MW_LAYOUT_MEMBER(L, "dentry.d_hash.pprev", pl.d_hash_pprev),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "dentry.d_u.d_alias", &d_alias_u),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "dentry.d_alias", &d_alias),
		MW_LAYOUT_MEMBER(L, "mount.mnt_parent", pl.mnt_parent),
		MW_LAYOUT_MEMBER(L, "mount.mnt_mountpoint", pl.mnt_mountpoint),
		MW_LAYOUT_MEMBER(L, "mount.mnt.mnt_root", pl.mnt_root),
		MW_LAYOUT_MEMBER(L, "mount.mnt_ns", pl.mnt_ns),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mount.mnt_instance", &mnt_instance),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mount.mnt_next_for_sb", &mnt_next_sb),
		MW_LAYOUT_MEMBER(L, "mnt_namespace.root", mnt_ns_root),
		MW_LAYOUT_MEMBER(L, "task_struct.nsproxy", task_nsproxy),
		MW_LAYOUT_MEMBER(L, "nsproxy.mnt_ns", ns_mnt_ns),
	};
#undef L
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	if (err)
		return mw_error_prepend(err, "hugetlbfs files");
	if ((!d_alias_u.found && !d_alias.found) || (!mnt_instance.found && !mnt_next_sb.found) ||
	    i_blocks.size != 8 || i_size.size != 8 || i_ino.size != 8 || i_mode.size != 2 ||
	    d_name_len.size != 4)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "hugetlbfs files: unexpected struct inode/dentry/mount layout");
	l->i_blocks = mw_u32_of(i_blocks.offset);
	l->i_size = mw_u32_of(i_size.offset);
	l->i_ino = mw_u32_of(i_ino.offset);
	l->i_mode = mw_u32_of(i_mode.offset);
	l->pl.sb_root = mw_u32_of(sb_root.offset);
	l->pl.d_name_len = mw_u32_of(d_name_len.offset);
	l->pl.d_alias = mw_u32_of(d_alias_u.found ? d_alias_u.offset : d_alias.offset);
	l->pl.mnt_instance = mw_u32_of(mnt_instance.found ? mnt_instance.offset : mnt_next_sb.offset);
	l->pl.sb_mounts_single = !mnt_instance.found;
	if (l->inode_size < 64 || l->inode_size > 65536)
		return mw_error_create(MW_ERR_UNSUPPORTED, "hugetlbfs files: sizeof(struct inode) %" PRIu32,
				       l->inode_size);
	return NULL;
}

const char *mw_hugetlb_file_kind_name(enum mw_hugetlb_file_kind k)
{
	switch (k) {
	case MW_HUGETLB_SHM: return "shm";
	case MW_HUGETLB_ANON: return "anon";
	case MW_HUGETLB_MEMFD: return "memfd";
	default: return "file";
	}
}

enum mw_hugetlb_file_kind mw_hugetlb_kind_of(const char *name, bool mounted)
{
	const char *base = name ? strrchr(name, '/') : NULL;
	base = base ? base + 1 : name ? name : "";
	if (mounted)
		return MW_HUGETLB_FILE;
	if (strncmp(base, "SYSV", 4) == 0)
		return MW_HUGETLB_SHM;
	if (strcmp(base, "anon_hugepage") == 0)
		return MW_HUGETLB_ANON;
	if (strncmp(base, "memfd:", 6) == 0)
		return MW_HUGETLB_MEMFD;
	return MW_HUGETLB_FILE;
}

struct walk {
	struct mw_kernel *k;
	struct mw_warnings *w;
	const struct files_layout *l;
	struct mw_paths *paths;
	struct mw_pools *out;
	size_t cap;
	uint64_t ram;
};

static struct mw_error *add_file(struct walk *c, uint64_t sb, uint64_t inode, uint64_t page_bytes)
{
	const struct files_layout *l = c->l;
	uint64_t blocks = 0, size = 0, ino = 0;
	uint16_t mode = 0;
	if (!mw_kread_ok(c->k, inode + l->i_mode, &mode, 2) || (mode & 0170000) != 0100000)
		return NULL;	/* not a regular file (the root directory) */
	mw_kread_ok(c->k, inode + l->i_blocks, &blocks, 8);
	mw_kread_ok(c->k, inode + l->i_size, &size, 8);
	mw_kread_ok(c->k, inode + l->i_ino, &ino, 8);
	if (blocks > c->ram / 512)
		blocks = 0;	/* more than RAM: not believed */
	struct mw_path path;
	struct mw_error *err = mw_paths_inode(c->paths, sb, inode, &path);
	if (err)
		return err;
	if (c->out->nr_files == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct mw_hugetlb_file *v = realloc(c->out->files, cap * sizeof(*v));
		if (!v) {
			mw_path_deinit(&path);
			return &mw_error_nomem;
		}
		c->out->files = v;
		c->cap = cap;
	}
	struct mw_hugetlb_file *f = &c->out->files[c->out->nr_files++];
	*f = (struct mw_hugetlb_file){
		.inode = inode, .ino = ino, .size = size, .bytes = blocks * 512,
		.page_bytes = page_bytes, .unlinked = path.unlinked,
	};
	f->path = path.path ? path.path : strdup("(no name)");
	path.path = NULL;
	f->kind = mw_hugetlb_kind_of(f->path, path.status == MW_PATH_OK);
	mw_path_deinit(&path);
	if (!f->path) {
		c->out->nr_files--;
		return &mw_error_nomem;
	}
	c->out->file_bytes += f->bytes;
	return NULL;
}

static struct mw_error *walk_inodes(struct walk *c, uint64_t sb)
{
	const struct files_layout *l = c->l;
	uint64_t page_bytes = 0, sbi = 0, h = 0;
	uint32_t order = 0;
	if (mw_kread_ok(c->k, sb + l->sb_fs_info, &sbi, 8) && mw_kptr_ok(sbi, 8) &&
	    mw_kread_ok(c->k, sbi + l->sbi_hstate, &h, 8) && mw_kptr_ok(h, 8) &&
	    mw_kread_ok(c->k, h + l->h_order, &order, 4) && order < 40)
		page_bytes = (uint64_t)c->k->vm.page_size << order;
	uint64_t head = sb + l->sb_inodes, next = 0;
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(c->ram, l->inode_size));
	enum mw_list_step step = MW_LIST_BAD_POINTER;
	for (uint64_t at = head; mw_kread_ok(c->k, at, &next, 8);) {
		if ((step = mw_list_walk_next(&lw, next)) != MW_LIST_NODE)
			break;
		struct mw_error *err = add_file(c, sb, next - l->i_sb_list, page_bytes);
		if (err)
			return err;
		at = next;
	}
	if (step != MW_LIST_END) {
		c->out->files_incomplete = true;
		mw_warn(c->w, "hugetlbfs files: the inode list of super block 0x%" PRIx64 " %s",
			sb, mw_list_step_text(step));
	}
	return NULL;
}

static int cmp_file(const void *a, const void *b)
{
	const struct mw_hugetlb_file *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->path, y->path);
}

struct mw_error *mw_hugetlb_files_read(struct mw_kernel *k, struct mw_warnings *w,
				       struct mw_pools *ret)
{
	uint64_t fstype, head, init_task = 0, nsproxy = 0, ns = 0, root = 0;
	struct mw_error *err = mw_kernel_symbol(k, "hugetlbfs_fs_type", &fstype);
	if (!err)
		err = mw_kernel_symbol(k, "super_blocks", &head);
	if (err) {
		mw_error_destroy(err);	/* no hugetlbfs, or no symbols for it */
		return NULL;
	}
	struct files_layout l;
	memset(&l, 0, sizeof(l));
	if ((err = files_layout(k, &l))) {
		mw_warn_error(w, err, "hugetlb pool holders not read");
		return NULL;
	}
	if (!mw_failed(mw_kernel_symbol(k, "init_task", &init_task)) &&
	    mw_kread_ok(k, init_task + l.task_nsproxy, &nsproxy, 8) && mw_kptr_ok(nsproxy, 8) &&
	    mw_kread_ok(k, nsproxy + l.ns_mnt_ns, &ns, 8) && mw_kptr_ok(ns, 8))
		mw_kread_ok(k, ns + l.mnt_ns_root, &root, 8);
	struct walk c = { .k = k, .w = w, .l = &l, .out = ret,
			  .ram = mw_reader_info(k->reader)->total_bytes };
	if ((err = mw_paths_create(&l.pl, mw_vm_read_cb, &k->vm, ns, root, &c.paths)))
		return err;
	ret->files_read = true;
	uint64_t next = 0;
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(c.ram, 1024));
	enum mw_list_step step = MW_LIST_BAD_POINTER;
	for (uint64_t at = head; !err && mw_kread_ok(k, at, &next, 8);) {
		if ((step = mw_list_walk_next(&lw, next)) != MW_LIST_NODE)
			break;
		uint64_t sb = next - l.sb_list, type = 0;
		if (mw_kread_ok(k, sb + l.sb_type, &type, 8) && type == fstype)
			err = walk_inodes(&c, sb);
		at = next;
	}
	mw_paths_destroy(c.paths);
	if (err)
		return err;
	if (step != MW_LIST_END) {
		ret->files_incomplete = true;
		mw_warn(w, "hugetlbfs files: the super block list %s", mw_list_step_text(step));
	}
	if (ret->nr_files)
		qsort(ret->files, ret->nr_files, sizeof(*ret->files), cmp_file);
	return NULL;
}

/* ---- processes mapping hugetlb pages ---- */

static int cmp_proc(const void *a, const void *b)
{
	const struct mw_hugetlb_proc *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct mw_error *mw_hugetlb_procs_read(struct mw_kernel *k, struct mw_warnings *w,
				       struct mw_pools *ret)
{
	if (!ret->have_hugetlb)
		return NULL;
	struct mw_field mm, usage;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("task_struct.mm", &mm),
		MW_FIELD_MEMBER("mm_struct.hugetlb_usage", &usage),
	};
	struct mw_task_layout tl;
	struct mw_tasks tasks;
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (!err && usage.size != 8)
		err = mw_error_create(MW_ERR_UNSUPPORTED, "mm_struct.hugetlb_usage of %" PRIu64
				      " bytes", usage.size);
	if (!err)
		err = mw_task_layout_resolve(k, &tl);
	if (!err)
		err = mw_tasks_read(k, &tl, w, &tasks);
	if (err) {
		mw_warn_error(w, err, "processes mapping hugetlb pages not listed");
		return NULL;
	}
	ret->procs_read = true;
	size_t cap = 0;
	uint64_t ram_pages = mw_reader_info(k->reader)->total_bytes / k->vm.page_size + 1;
	for (size_t i = 0; i < tasks.nr; i++) {
		uint64_t m = 0, pages = 0;
		if (!mw_kread_ok(k, tasks.v[i].addr + mm.offset, &m, 8) || !mw_kptr_ok(m, 8) ||
		    !mw_kread_ok(k, m + usage.offset, &pages, 8) || !pages || pages > ram_pages)
			continue;
		struct mw_hugetlb_proc *v = mw_grow(ret->procs, &cap, ret->nr_procs, sizeof(*v), 8);
		if (!v) {
			mw_tasks_deinit(&tasks);
			return &mw_error_nomem;
		}
		ret->procs = v;
		struct mw_hugetlb_proc *p = &ret->procs[ret->nr_procs++];
		memset(p, 0, sizeof(*p));
		p->pid = tasks.v[i].pid;
		memcpy(p->comm, tasks.v[i].comm, sizeof(p->comm) - 1);
		p->bytes = pages * k->vm.page_size;
	}
	mw_tasks_deinit(&tasks);
	if (ret->nr_procs)
		qsort(ret->procs, ret->nr_procs, sizeof(*ret->procs), cmp_proc);
	return NULL;
}
