/* memwhere: zsmalloc pages, zram block devices and zswap's pool. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/layout.h"
#include "analyzer/modbtf.h"
#include "analyzer/modules.h"
#include "analyzer/pools.h"
#include "analyzer/xarray.h"
#include "analyzer/zpool.h"
#include "analyzer/walk.h"

enum { ZSWAP_MAX_POOLS = 64, ZPOOL_TYPE_MAX = 16 };

/* NR_ZSPAGES of vm_zone_stat[] (the global counter, as /proc/vmstat). */
static void zspages(struct mw_kernel *k, struct mw_pools *ret)
{
	int64_t idx;
	uint64_t stat, v;
	struct mw_error *err = mw_types_enum_value(k->types, "zone_stat_item", "NR_ZSPAGES", &idx);
	if (!err)
		err = mw_kernel_symbol(k, "vm_zone_stat", &stat);
	if (err) {
		mw_error_destroy(err);	/* no zsmalloc in this kernel's configuration */
		return;
	}
	if (idx < 0 || idx > 256 || !mw_kread_ok(k, stat + (uint64_t)idx * 8, &v, 8))
		return;
	ret->have_zspages = true;
	ret->zspages = (int64_t)v < 0 ? 0 : v;	/* a counter can dip below 0 */
}

/* ---- zram: the block devices named zram<N> ---- */

struct bdev_layout {
	uint32_t sb_inodes, i_sb_list, inode_size;
	uint32_t vfs_inode, bdev;	/* in struct bdev_inode */
	uint32_t bd_disk, bd_nr_sectors, disk_name, part0;
	uint32_t disk_name_size;
	bool has_part0;
	bool has_nr_sectors;		/* block_device.bd_nr_sectors (5.11+) */
	bool has_part0_sects;		/* else gendisk.part0.nr_sects (hd_struct) */
	uint32_t part0_sects;
	bool has_partno;
	uint32_t bd_partno;		/* 0: the whole disk (before 6.10) */
};

static struct mw_error *bdev_layout(struct mw_kernel *k, struct bdev_layout *l)
{
	struct mw_field disk_name, part0;
#define L struct bdev_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "super_block.s_inodes", sb_inodes),
		MW_LAYOUT_MEMBER(L, "inode.i_sb_list", i_sb_list),
		MW_LAYOUT_SIZEOF(L, "inode", inode_size),
		MW_LAYOUT_MEMBER(L, "bdev_inode.vfs_inode", vfs_inode),
		MW_LAYOUT_MEMBER(L, "bdev_inode.bdev", bdev),
		MW_LAYOUT_MEMBER(L, "block_device.bd_disk", bd_disk),
		MW_LAYOUT_MEMBER_OPT(L, "block_device.bd_nr_sectors", bd_nr_sectors, has_nr_sectors),
		MW_LAYOUT_MEMBER_OPT(L, "gendisk.part0.nr_sects", part0_sects, has_part0_sects),
		MW_LAYOUT_MEMBER_OPT(L, "block_device.bd_partno", bd_partno, has_partno),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "gendisk.disk_name", &disk_name),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "gendisk.part0", &part0),
	};
#undef L
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	if (err)
		return err;
	l->disk_name = mw_u32_of(disk_name.offset);
	l->disk_name_size = mw_u32_of(disk_name.size < MW_ZRAM_NAME_MAX ? disk_name.size :
				      MW_ZRAM_NAME_MAX);
	l->has_part0 = part0.found && part0.kind == MW_KIND_POINTER;
	l->part0 = mw_u32_of(part0.offset);
	return NULL;
}

/* ---- zram's mm_stat: struct zram, a type of the zram module's BTF ---- */

struct zram_layout {
	uint32_t private_data;		/* gendisk.private_data: the struct zram */
	uint32_t disk, mem_pool, limit_pages, disksize;	/* struct zram */
	uint32_t compr, stored, same, huge, max_used;	/* zram.stats */
	bool has_huge_since;
	uint32_t huge_since;
	bool has_compressor, has_comp_algs;
	uint32_t compressor, compressor_size;	/* char compressor[] (before 6.2) */
	uint32_t comp_algs;		/* const char *comp_algs[] (6.2+): [0] the primary */
	bool has_pool;
	uint32_t pool_pages, pool_compacted;	/* struct zs_pool */
};

struct zram_ctx {
	bool tried, ok;
	struct mw_types *zram_types, *zs_types;	/* module BTF: zram, zsmalloc */
	struct mw_error *pool_err;	/* why struct zs_pool is not known */
	struct zram_layout l;
};

static void zram_ctx_deinit(struct zram_ctx *c)
{
	mw_types_destroy(c->zram_types);
	mw_types_destroy(c->zs_types);
	mw_error_destroy(c->pool_err);
}

/* zs_pool's members: in the kernel's or zram's types when zsmalloc is built
 * in, else in the zsmalloc module's BTF. */
static struct mw_error *zs_pool_layout(struct mw_kernel *k, struct zram_ctx *c)
{
	struct zram_layout *l = &c->l;
#define L struct zram_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "zs_pool.pages_allocated", pool_pages),
		MW_LAYOUT_MEMBER(L, "zs_pool.stats.pages_compacted", pool_compacted),
	};
#undef L
	struct mw_error *err = mw_layout_resolve(c->zram_types, fields, MW_ARRAY_SIZE(fields), l);
	if (!err || err->code != MW_ERR_NOT_FOUND)
		return err;
	mw_error_destroy(err);
	if ((err = mw_module_btf_open(k, "zsmalloc", &c->zs_types)))
		return mw_error_prepend(err, "struct zs_pool");
	return mw_layout_resolve(c->zs_types, fields, MW_ARRAY_SIZE(fields), l);
}

static struct mw_error *zram_layout(struct mw_kernel *k, struct zram_ctx *c)
{
	struct zram_layout *l = &c->l;
	struct mw_field compressor;
	uint64_t pd;
	struct mw_error *err = mw_types_offsetof(k->types, "gendisk.private_data", &pd);
	if (err)
		return err;
	l->private_data = mw_u32_of(pd);
	if ((err = mw_module_btf_open(k, "zram", &c->zram_types)))
		return err;
#define L struct zram_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "zram.disk", disk),
		MW_LAYOUT_MEMBER(L, "zram.mem_pool", mem_pool),
		MW_LAYOUT_MEMBER(L, "zram.limit_pages", limit_pages),
		MW_LAYOUT_MEMBER(L, "zram.disksize", disksize),
		MW_LAYOUT_MEMBER(L, "zram.stats.compr_data_size", compr),
		MW_LAYOUT_MEMBER(L, "zram.stats.pages_stored", stored),
		MW_LAYOUT_MEMBER(L, "zram.stats.same_pages", same),
		MW_LAYOUT_MEMBER(L, "zram.stats.huge_pages", huge),
		MW_LAYOUT_MEMBER(L, "zram.stats.max_used_pages", max_used),
		MW_LAYOUT_MEMBER_OPT(L, "zram.stats.huge_pages_since", huge_since, has_huge_since),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "zram.compressor", &compressor),
		MW_LAYOUT_MEMBER_OPT(L, "zram.comp_algs", comp_algs, has_comp_algs),
	};
#undef L
	if ((err = mw_layout_resolve(c->zram_types, fields, MW_ARRAY_SIZE(fields), l)))
		return err;
	l->has_compressor = compressor.found && compressor.kind == MW_KIND_ARRAY;
	l->compressor = mw_u32_of(compressor.offset);
	l->compressor_size = mw_u32_of(compressor.size < MW_ZRAM_ALG_MAX ? compressor.size :
				       MW_ZRAM_ALG_MAX);
	c->pool_err = zs_pool_layout(k, c);
	l->has_pool = !c->pool_err;
	return NULL;
}

/* mm_stat of the zram device behind disk; false (and why) if not read. */
static bool zram_stats(struct mw_kernel *k, struct zram_ctx *c, uint64_t disk,
		       struct mw_zram_dev *d, char *why, size_t why_len)
{
	const struct zram_layout *l = &c->l;
	uint64_t zram = 0, back = 0, disksize = 0, v[6] = { 0 }, limit = 0, pool = 0;
	if (!mw_kread_ok(k, disk + l->private_data, &zram, 8) || !mw_kptr_ok(zram, 8) ||
	    !mw_kread_ok(k, zram + l->disk, &back, 8) || back != disk) {
		snprintf(why, why_len, "%s: gendisk 0x%" PRIx64 "'s private_data 0x%" PRIx64
			 " is not its struct zram", d->name, disk, zram);
		return false;
	}
	if (!mw_kread_ok(k, zram + l->stored, &v[0], 8) ||
	    !mw_kread_ok(k, zram + l->compr, &v[1], 8) ||
	    !mw_kread_ok(k, zram + l->same, &v[2], 8) ||
	    !mw_kread_ok(k, zram + l->huge, &v[3], 8) ||
	    !mw_kread_ok(k, zram + l->max_used, &v[4], 8) ||
	    !mw_kread_ok(k, zram + l->limit_pages, &limit, 8) ||
	    !mw_kread_ok(k, zram + l->disksize, &disksize, 8) ||
	    !mw_kread_ok(k, zram + l->mem_pool, &pool, 8)) {
		snprintf(why, why_len, "%s: struct zram at 0x%" PRIx64 " not read", d->name, zram);
		return false;
	}
	unsigned shift = 0;
	while (shift < 63 && (1ULL << shift) < k->vm.page_size)
		shift++;
	uint64_t most = UINT64_MAX >> shift;
	/* counters are signed (atomic64_t): a negative or absurd one is not a size */
	for (size_t i = 0; i < 5; i++)
		if (v[i] > most)
			v[i] = 0;
	d->orig_data_size = v[0] << shift;
	d->compr_data_size = v[1];
	d->same_pages = v[2];
	d->huge_pages = v[3];
	d->mem_used_max = v[4] << shift;
	d->mem_limit = limit > most ? 0 : limit << shift;
	if (l->has_huge_since && mw_kread_ok(k, zram + l->huge_since, &v[5], 8)) {
		d->has_huge_pages_since = true;
		d->huge_pages_since = v[5];
	}
	/* mem_used_total and pages_compacted: of the zs_pool, once set up */
	uint64_t pages = 0, compacted = 0;
	if (disksize == 0) {
		d->pool_known = true;	/* not initialized: mm_stat shows 0 */
	} else if (l->has_pool && mw_kptr_ok(pool, 8) &&
		   mw_kread_ok(k, pool + l->pool_pages, &pages, 8) &&
		   mw_kread_ok(k, pool + l->pool_compacted, &compacted, 8)) {
		d->pool_known = true;
		d->mem_used_total = pages > most ? 0 : pages << shift;
		d->pages_compacted = compacted;
	}
	char alg[MW_ZRAM_ALG_MAX] = "";
	uint64_t name = 0;
	if (l->has_compressor)
		mw_kread_ok(k, zram + l->compressor, alg, l->compressor_size);
	else if (l->has_comp_algs && mw_kread_ok(k, zram + l->comp_algs, &name, 8) &&
		 mw_kptr_ok(name, 1)) {
		struct mw_error *err = mw_kread_string(k, name, alg, sizeof(alg));
		if (err) {
			mw_error_destroy(err);
			alg[0] = '\0';
		}
	}
	alg[sizeof(alg) - 1] = '\0';
	for (size_t i = 0; alg[i]; i++)
		d->comp_algorithm[i] = alg[i] > 0x20 && alg[i] < 0x7f ? alg[i] : '?';
	d->stats_known = true;
	return true;
}

/* Resolve the layout (module BTF) once; false if struct zram is not known. */
static bool zram_ready(struct mw_kernel *k, struct mw_warnings *w, struct zram_ctx *c,
		       struct mw_pools *ret)
{
	if (!c->tried) {
		c->tried = true;
		struct mw_error *err = zram_layout(k, c);
		c->ok = !err;
		if (!err) {
			err = c->pool_err;
			c->pool_err = NULL;
		}
		if (err) {
			snprintf(ret->zram_stats_why, sizeof(ret->zram_stats_why), "%s%s",
				 c->ok ? "memory used (mem_used_total, pages_compacted) not read: " : "",
				 err->message);
			mw_warn_error(w, err, c->ok ? "zram mm_stat: mem_used_total not read" :
				      "zram mm_stat not read");
		}
	}
	return c->ok;
}

/* Read a device's mm_stat. */
static void zram_dev_stats(struct mw_kernel *k, struct mw_warnings *w, struct zram_ctx *c,
			   uint64_t disk, struct mw_zram_dev *d, struct mw_pools *ret)
{
	if (!zram_ready(k, w, c, ret))
		return;
	char why[sizeof(ret->zram_stats_why)];
	if (!zram_stats(k, c, disk, d, why, sizeof(why))) {
		mw_warn(w, "zram mm_stat not read: %s", why);
		if (!ret->zram_stats_why[0])
			snprintf(ret->zram_stats_why, sizeof(ret->zram_stats_why), "%s", why);
	}
}

/* A new entry of ret->zram, or NULL (out of memory). */
static struct mw_zram_dev *zram_new(struct mw_pools *ret, size_t *cap)
{
	if (ret->nr_zram == *cap) {
		size_t n = *cap ? *cap * 2 : 4;
		struct mw_zram_dev *v = realloc(ret->zram, n * sizeof(*v));
		if (!v)
			return NULL;
		ret->zram = v;
		*cap = n;
	}
	struct mw_zram_dev *d = &ret->zram[ret->nr_zram++];
	memset(d, 0, sizeof(*d));
	return d;
}

static void zram_set_name(struct mw_zram_dev *d, char *name)
{
	name[MW_ZRAM_NAME_MAX - 1] = '\0';
	for (size_t i = 0; name[i]; i++)
		d->name[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
}

enum { ZRAM_IDR_MAX = 256 };

struct zram_idr {
	uint64_t zram[ZRAM_IDR_MAX];
	size_t n;
};

static bool zram_idr_visit(void *ctx, uint64_t index, uint64_t entry)
{
	struct zram_idr *z = ctx;
	(void)index;
	if (z->n < ZRAM_IDR_MAX && mw_kptr_ok(entry, 8))
		z->zram[z->n++] = entry;
	return z->n < ZRAM_IDR_MAX;
}

/*
 * The zram module's own list, zram_index_idr (index -> struct zram): for
 * kernels whose block device inodes drop their gendisk on the last close
 * (before 5.11 bd_disk is cleared), so the inode walk finds none.
 */
static void zram_devices_idr(struct mw_kernel *k, struct mw_warnings *w, struct zram_ctx *zc,
			     const struct bdev_layout *bl, size_t *cap, struct mw_pools *ret)
{
	uint64_t idr = 0, head = 0, off_head, off_shift, off_slots, node_size;
	if (mw_failed(mw_kernel_symbol(k, "zram_index_idr", &idr))) {
		static const char *const zram_mod[] = { "zram" };
		struct mw_modules mods;
		bool found = false;
		if (mw_modules_read_if_loaded(k, zram_mod, 1, &mods)) {
			found = mw_modules_symbol(k, &mods, "zram", "zram_index_idr", &idr);
			mw_modules_deinit(&mods);
		}
		if (!found)
			return;	/* no zram module loaded */
	}
	if (mw_failed(mw_types_offsetof(k->types, "idr.idr_rt.xa_head", &off_head)) ||
	    mw_failed(mw_types_offsetof(k->types, "xa_node.shift", &off_shift)) ||
	    mw_failed(mw_types_offsetof(k->types, "xa_node.slots", &off_slots)) ||
	    mw_failed(mw_types_sizeof(k->types, "xa_node", &node_size))) {
		mw_warn(w, "zram devices: zram_index_idr not read (no struct idr, xa_node)");
		return;
	}
	if (!mw_kread_ok(k, idr + off_head, &head, 8))
		return;
	if (!zram_ready(k, w, zc, ret)) {
		ret->have_zram_walk = false;	/* zram is loaded: its devices unknown */
		return;
	}
	struct zram_idr z = { .n = 0 };
	struct mw_xarray x = {
		.read = mw_vm_read_cb, .arg = &k->vm,
		.node_shift = (uint32_t)off_shift, .node_slots = (uint32_t)off_slots,
		.max_nodes = mw_walk_cap(mw_reader_info(k->reader)->total_bytes, node_size),
		.max_entries = ZRAM_IDR_MAX,
		.visit = zram_idr_visit, .ctx = &z,
	};
	enum mw_xarray_end e = mw_xarray_walk(&x, head);
	if (e != MW_XARRAY_DONE && e != MW_XARRAY_STOPPED)
		mw_warn(w, "zram devices: zram_index_idr %s after %" PRIu64 " entries",
			mw_xarray_end_text(e), x.entries);
	for (size_t i = 0; i < z.n; i++) {
		uint64_t disk = 0, disksize = 0;
		char name[MW_ZRAM_NAME_MAX] = "";
		if (!mw_kread_ok(k, z.zram[i] + zc->l.disk, &disk, 8) || !mw_kptr_ok(disk, 8) ||
		    !mw_kread_ok(k, disk + bl->disk_name, name, bl->disk_name_size))
			continue;
		mw_kread_ok(k, z.zram[i] + zc->l.disksize, &disksize, 8);
		struct mw_zram_dev *d = zram_new(ret, cap);
		if (!d)
			return;
		zram_set_name(d, name);
		d->disksize = disksize;
		zram_dev_stats(k, w, zc, disk, d, ret);
	}
}

static struct mw_error *zram_devices(struct mw_kernel *k, struct mw_warnings *w,
				     struct mw_pools *ret)
{
	uint64_t sb = 0;
	struct mw_error *err = mw_kread_sym_u64(k, "blockdev_superblock", &sb);
	if (err) {
		mw_warn_error(w, err, "zram devices not listed");
		return NULL;
	}
	struct bdev_layout l;
	memset(&l, 0, sizeof(l));
	if ((err = bdev_layout(k, &l))) {
		mw_warn_error(w, err, "zram devices not listed");
		return NULL;
	}
	if (!mw_kptr_ok(sb, 8)) {
		mw_warn(w, "zram devices not listed: blockdev_superblock is 0x%" PRIx64, sb);
		return NULL;
	}
	uint64_t ram = mw_reader_info(k->reader)->total_bytes;
	uint64_t head = sb + l.sb_inodes, next = 0;
	struct zram_ctx zc;
	memset(&zc, 0, sizeof(zc));
	size_t cap = 0;
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(ram, l.inode_size));
	enum mw_list_step step = MW_LIST_BAD_POINTER;
	ret->have_zram_walk = true;
	for (uint64_t at = head; mw_kread_ok(k, at, &next, 8); at = next) {
		if ((step = mw_list_walk_next(&lw, next)) != MW_LIST_NODE)
			break;
		uint64_t bdev = next - l.i_sb_list - l.vfs_inode + l.bdev, disk = 0, part0 = 0,
			 sectors = 0;
		char name[MW_ZRAM_NAME_MAX] = "";
		if (!mw_kread_ok(k, bdev + l.bd_disk, &disk, 8) || !mw_kptr_ok(disk, 8) ||
		    !mw_kread_ok(k, disk + l.disk_name, name, l.disk_name_size))
			continue;
		name[MW_ZRAM_NAME_MAX - 1] = '\0';
		if (strncmp(name, "zram", 4) != 0)
			continue;
		uint8_t partno = 0;
		if (l.has_part0 && (!mw_kread_ok(k, disk + l.part0, &part0, 8) || part0 != bdev))
			continue;	/* a partition, not the disk */
		if (!l.has_part0 && l.has_partno &&
		    (!mw_kread_ok(k, bdev + l.bd_partno, &partno, 1) || partno != 0))
			continue;
		if (l.has_nr_sectors)
			mw_kread_ok(k, bdev + l.bd_nr_sectors, &sectors, 8);
		else if (l.has_part0_sects)
			mw_kread_ok(k, disk + l.part0_sects, &sectors, 8);
		struct mw_zram_dev *d = zram_new(ret, &cap);
		if (!d) {
			zram_ctx_deinit(&zc);
			return &mw_error_nomem;
		}
		zram_set_name(d, name);
		d->disksize = sectors > (UINT64_MAX >> 9) ? 0 : sectors << 9;
		zram_dev_stats(k, w, &zc, disk, d, ret);
	}
	if (step != MW_LIST_END)
		mw_warn(w, "zram devices: the block device inode list %s", mw_list_step_text(step));
	if (!ret->nr_zram)
		zram_devices_idr(k, w, &zc, &l, &cap, ret);
	zram_ctx_deinit(&zc);
	return NULL;
}

/* ---- zswap ---- */

struct zswap_layout {
	bool has_list;
	uint32_t pool_list;
	bool has_zs_pool, has_zpool, has_zpools;
	uint32_t zs_pool;		/* zswap_pool.zs_pool (no zpool layer) */
	struct mw_field zpool;		/* zswap_pool.zpool, or zpools[] */
	bool has_zpool_struct;
	uint32_t zpool_driver, zpool_pool, driver_type;
	bool has_zs_pages;
	uint32_t zs_pages;		/* zs_pool.pages_allocated */
	bool has_zbud_pages;
	uint32_t zbud_pages;		/* zbud_pool.pages_nr */
};

static bool zswap_layout(struct mw_kernel *k, struct zswap_layout *l)
{
	struct mw_field zpools;
#define L struct zswap_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER_OPT(L, "zswap_pool.list", pool_list, has_list),
		MW_LAYOUT_MEMBER_OPT(L, "zswap_pool.zs_pool", zs_pool, has_zs_pool),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "zswap_pool.zpool", &l->zpool),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "zswap_pool.zpools", &zpools),
		MW_LAYOUT_MEMBER_OPT(L, "zpool.driver", zpool_driver, has_zpool_struct),
		MW_LAYOUT_MEMBER_OPT(L, "zpool.pool", zpool_pool, has_zpool_struct),
		MW_LAYOUT_MEMBER_OPT(L, "zpool_driver.type", driver_type, has_zpool_struct),
		MW_LAYOUT_MEMBER_OPT(L, "zs_pool.pages_allocated", zs_pages, has_zs_pages),
		MW_LAYOUT_MEMBER_OPT(L, "zbud_pool.pages_nr", zbud_pages, has_zbud_pages),
	};
#undef L
	memset(l, 0, sizeof(*l));
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	if (err) {
		mw_error_destroy(err);
		return false;
	}
	if (zpools.found) {
		l->zpool = zpools;
		l->has_zpools = true;
	}
	l->has_zpool = l->zpool.found && l->zpool.kind == MW_KIND_POINTER;
	if (l->has_zpools && (l->zpool.nr_elements == 0 || l->zpool.nr_elements > ZSWAP_MAX_POOLS))
		l->has_zpools = false;
	return l->has_list;
}

/* The driver's type ("zsmalloc", "zbud") and the pool behind a zpool;
 * false if not read. */
static bool zpool_of(struct mw_kernel *k, const struct zswap_layout *l, uint64_t zpool,
		     char name[ZPOOL_TYPE_MAX], uint64_t *pool)
{
	uint64_t driver = 0, type = 0;
	name[0] = '\0';
	if (!l->has_zpool_struct || !mw_kptr_ok(zpool, 8) ||
	    !mw_kread_ok(k, zpool + l->zpool_driver, &driver, 8) || !mw_kptr_ok(driver, 8) ||
	    !mw_kread_ok(k, zpool + l->zpool_pool, pool, 8) || !mw_kptr_ok(*pool, 8) ||
	    !mw_kread_ok(k, driver + l->driver_type, &type, 8) || !mw_kptr_ok(type, 1))
		return false;
	struct mw_error *err = mw_kread_string(k, type, name, ZPOOL_TYPE_MAX);
	if (err) {
		mw_error_destroy(err);
		name[0] = '\0';
		return false;
	}
	return true;
}

/* The pages of one zsmalloc or zbud pool behind a zpool; false if not known. */
static bool zpool_pages(struct mw_kernel *k, const struct zswap_layout *l, uint64_t zpool,
			uint64_t *pages)
{
	uint64_t pool = 0, v = 0;
	char name[ZPOOL_TYPE_MAX];
	if (!zpool_of(k, l, zpool, name, &pool))
		return false;
	if (strcmp(name, "zsmalloc") == 0 && l->has_zs_pages &&
	    mw_kread_ok(k, pool + l->zs_pages, &v, 8))
		*pages += v;
	else if (strcmp(name, "zbud") == 0 && l->has_zbud_pages &&
		 mw_kread_ok(k, pool + l->zbud_pages, &v, 8))
		*pages += v;
	else
		return false;
	return true;
}

/* The allocator of the current (first) pool on zswap_pools: its zpool
 * driver's type, or zsmalloc where zswap has no zpool layer. */
static void zswap_zpool_name(struct mw_kernel *k, struct mw_pools *ret)
{
	struct zswap_layout l;
	uint64_t head, first = 0, zpool = 0, pool = 0;
	char name[ZPOOL_TYPE_MAX];
	if (!zswap_layout(k, &l) || mw_failed(mw_kernel_symbol(k, "zswap_pools", &head)) ||
	    !mw_kread_ok(k, head, &first, 8) || first == head || !mw_kptr_ok(first, 8))
		return;
	if (l.has_zs_pool) {
		snprintf(ret->zswap_zpool, sizeof(ret->zswap_zpool), "zsmalloc");
		return;
	}
	if ((!l.has_zpool && !l.has_zpools) ||
	    !mw_kread_ok(k, first - l.pool_list + l.zpool.offset, &zpool, 8) ||
	    !zpool_of(k, &l, zpool, name, &pool))
		return;
	for (size_t i = 0; name[i] && i + 1 < sizeof(ret->zswap_zpool); i++)
		ret->zswap_zpool[i] = name[i] > 0x20 && name[i] < 0x7f ? name[i] : '?';
}

static void zswap(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret)
{
	uint64_t stored_addr, v = 0;
	struct mw_error *err = mw_kernel_symbol(k, "zswap_stored_pages", &stored_addr);
	if (err) {
		mw_error_destroy(err);	/* no zswap in this kernel */
		return;
	}
	ret->have_zswap = true;
	zswap_zpool_name(k, ret);
	uint32_t stored = 0;
	if (mw_kread_ok(k, stored_addr, &stored, 4))
		ret->zswap_stored_pages = stored;	/* atomic_t, or the low half of an atomic_long_t */
	uint64_t ps = k->vm.page_size;
	if (!mw_failed(mw_kread_sym_u64(k, "zswap_pool_total_size", &v))) {	/* bytes, before 6.9 */
		ret->zswap_pool_known = true;
		ret->zswap_pool_pages = v / ps;
		return;
	}
	struct zswap_layout l;
	uint64_t head, next = 0, pages = 0;
	if (!zswap_layout(k, &l) || mw_failed(mw_kernel_symbol(k, "zswap_pools", &head)) ||
	    (!l.has_zs_pool && !l.has_zpool && !l.has_zpools)) {
		mw_warn(w, "zswap: the pool's size is not supported on this kernel (struct zswap_pool)");
		return;
	}
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, ZSWAP_MAX_POOLS);
	enum mw_list_step step = MW_LIST_BAD_POINTER;
	bool known = true;
	for (uint64_t at = head; mw_kread_ok(k, at, &next, 8); at = next) {
		if ((step = mw_list_walk_next(&lw, next)) != MW_LIST_NODE)
			break;
		uint64_t pool = next - l.pool_list, p = 0;
		if (l.has_zs_pool) {
			known &= l.has_zs_pages && mw_kread_ok(k, pool + l.zs_pool, &p, 8) &&
				 mw_kptr_ok(p, 8) && mw_kread_ok(k, p + l.zs_pages, &v, 8);
			pages += known ? v : 0;
		} else if (l.has_zpool) {
			known &= mw_kread_ok(k, pool + l.zpool.offset, &p, 8) &&
				 zpool_pages(k, &l, p, &pages);
		} else {
			for (uint64_t i = 0; known && i < l.zpool.nr_elements; i++)
				known &= mw_kread_ok(k, pool + l.zpool.offset + i * 8, &p, 8) &&
					 zpool_pages(k, &l, p, &pages);
		}
	}
	if (step != MW_LIST_END || !known) {
		mw_warn(w, "zswap: the pools' pages not read (zswap_pools %s)",
			step != MW_LIST_END ? mw_list_step_text(step) : "has a pool of unknown type");
		return;
	}
	ret->zswap_pool_known = true;
	ret->zswap_pool_pages = pages;
}

/* ---- zbud's pages: on its pool's lists (zpool.h) ---- */

struct zbud_layout {
	uint32_t unbuddied, buddied, buddy;	/* zbud_pool.unbuddied[], .buddied; zbud_header.buddy */
	uint64_t nr_unbuddied;
	bool buddied_apart;			/* not unbuddied[0] (a union on newer kernels) */
};

static bool zbud_layout(struct mw_kernel *k, struct zbud_layout *z)
{
	struct mw_field unb, bud, buddy;
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "zbud_pool.unbuddied", &unb),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "zbud_pool.buddied", &bud),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "zbud_header.buddy", &buddy),
	};
	memset(z, 0, sizeof(*z));
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), z);
	if (err) {
		mw_error_destroy(err);	/* no zbud in this kernel */
		return false;
	}
	if (unb.kind != MW_KIND_ARRAY || !unb.nr_elements || unb.nr_elements > 4096 ||
	    unb.size / unb.nr_elements != 16)
		return false;
	z->unbuddied = mw_u32_of(unb.offset);
	z->nr_unbuddied = unb.nr_elements;
	z->buddied = mw_u32_of(bud.offset);
	z->buddy = mw_u32_of(buddy.offset);
	z->buddied_apart = bud.offset < unb.offset || bud.offset >= unb.offset + unb.size;
	return true;
}

/* Add the pages on one list of a zbud pool (each node a zbud_header at
 * the start of its page), at most cap in all; *broken if the walk broke. */
static struct mw_error *zbud_list(struct mw_kernel *k, const struct zbud_layout *z, uint64_t head,
				  uint64_t cap, struct mw_pfnset_builder *b, bool *broken)
{
	const struct mw_vm *vm = &k->vm;
	uint64_t ps = vm->page_size, next = 0;
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, cap);
	enum mw_list_step step = MW_LIST_BAD_POINTER;
	for (uint64_t at = head; mw_kread_ok(k, at, &next, 8); at = next) {
		if ((step = mw_list_walk_next(&lw, next)) != MW_LIST_NODE)
			break;
		uint64_t hdr = next - z->buddy;
		if (b->n >= cap || (hdr & (ps - 1)) || hdr < vm->page_offset_base ||
		    hdr - vm->page_offset_base >= vm->direct_map_size) {
			step = MW_LIST_BAD_POINTER;
			break;
		}
		struct mw_error *err = mw_pfnset_builder_add(b, (hdr - vm->page_offset_base) / ps, 1);
		if (err)
			return err;
	}
	if (step != MW_LIST_END)
		*broken = true;
	return NULL;
}

struct mw_error *mw_zbud_pfns(struct mw_kernel *k, struct mw_warnings *w, struct mw_pfnset *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct zswap_layout l;
	struct zbud_layout z;
	uint64_t head, next = 0;
	if (mw_failed(mw_kernel_symbol(k, "zswap_pools", &head)) || !zswap_layout(k, &l) ||
	    (!l.has_zpool && !l.has_zpools) || !l.has_zpool_struct || !zbud_layout(k, &z) ||
	    !k->vm.page_offset_base || !k->vm.page_size)
		return NULL;	/* no zswap over zpools, or no zbud */
	uint64_t cap = mw_reader_info(k->reader)->total_bytes / k->vm.page_size + 1;
	struct mw_pfnset_builder b = { 0 };
	struct mw_error *err = NULL;
	bool broken = false;
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, ZSWAP_MAX_POOLS);
	enum mw_list_step step = MW_LIST_BAD_POINTER;
	for (uint64_t at = head; !err && mw_kread_ok(k, at, &next, 8); at = next) {
		if ((step = mw_list_walk_next(&lw, next)) != MW_LIST_NODE)
			break;
		uint64_t zp = next - l.pool_list;
		uint64_t n = l.has_zpools ? l.zpool.nr_elements : 1;
		for (uint64_t i = 0; !err && i < n; i++) {
			uint64_t zpool = 0, pool = 0;
			char name[ZPOOL_TYPE_MAX];
			if (!mw_kread_ok(k, zp + l.zpool.offset + i * 8, &zpool, 8) ||
			    !zpool_of(k, &l, zpool, name, &pool) || strcmp(name, "zbud") != 0)
				continue;
			for (uint64_t j = 0; !err && j < z.nr_unbuddied; j++)
				err = zbud_list(k, &z, pool + z.unbuddied + j * 16, cap, &b, &broken);
			if (!err && z.buddied_apart)
				err = zbud_list(k, &z, pool + z.buddied, cap, &b, &broken);
		}
	}
	if (!err)
		err = mw_pfnset_builder_finish(&b, ret);
	mw_pfnset_builder_deinit(&b);
	if (err)
		return err;
	if (broken || step != MW_LIST_END)
		mw_warn(w, "zbud: a pool's page list %s: its other pages count as unaccounted",
			step != MW_LIST_END ? mw_list_step_text(step) : "broke");
	return NULL;
}

struct mw_error *mw_zram_read(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret)
{
	zspages(k, ret);
	zswap(k, w, ret);
	return zram_devices(k, w, ret);
}
