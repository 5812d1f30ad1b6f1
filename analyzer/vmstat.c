/* memwhere: nodes, zones and the kernel's vmstat counters from the dump. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/vmstat.h"

struct names_ctx {
	char **names;
	size_t nr;
	struct mw_error *err;
};

static bool collect_name(const char *name, int64_t value, void *arg)
{
	struct names_ctx *c = arg;
	if (value < 0 || (uint64_t)value >= c->nr || c->names[value])
		return false;
	c->names[value] = strdup(name ? name : "?");
	if (!c->names[value]) {
		c->err = &mw_error_nomem;
		return true;
	}
	return false;
}

/* Names of an enum's values 0..nr-1 (NULL where none). */
static struct mw_error *enum_names(struct mw_types *t, const char *enum_name,
				   size_t nr, char ***ret)
{
	mw_type_id id;
	struct mw_error *err = mw_types_find(t, enum_name, &id);
	if (err)
		return err;
	struct names_ctx c = { calloc(nr ? nr : 1, sizeof(char *)), nr, NULL };
	if (!c.names)
		return &mw_error_nomem;
	err = mw_types_for_each_enumerator(t, id, collect_name, &c);
	if (!err)
		err = c.err;
	if (err) {
		for (size_t i = 0; i < nr; i++)
			free(c.names[i]);
		free(c.names);
		return err;
	}
	*ret = c.names;
	return NULL;
}

static void free_names(char **names, size_t nr)
{
	if (!names)
		return;
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

void mw_vmstat_deinit(struct mw_vmstat *vs)
{
	for (size_t i = 0; i < vs->nr_nodes; i++)
		free(vs->nodes[i].stat);
	for (size_t i = 0; i < vs->nr_zones; i++)
		free(vs->zones[i].stat);
	free(vs->nodes);
	free(vs->zones);
	free_names(vs->node_item_names, vs->nr_node_items);
	free_names(vs->zone_item_names, vs->nr_zone_items);
	memset(vs, 0, sizeof(*vs));
}

struct layout {
	struct mw_field pg_zones, pg_start, pg_present, pg_spanned, pg_id,
		pg_vmstat, pg_pcpstats;
	struct mw_field z_start, z_spanned, z_present, z_managed, z_name,
		z_vmstat, z_pcpstats, z_pageset, z_free_area, fa_nr_free,
		pcn_diff, pcz_diff, pcp_count;
	/* before 5.14: one per-CPU struct per_cpu_pageset for both */
	struct mw_field z_pageset_old, pcs_diff, pcs_count;
};

/* stat[] + per-CPU s8 deltas */
static struct mw_error *read_stats(struct mw_kernel *k, const struct mw_cpus *cpus,
				   uint64_t arr_addr, size_t nr,
				   uint64_t pcp_ptr, uint64_t diff_off,
				   int64_t **ret)
{
	int64_t *v = calloc(nr ? nr : 1, sizeof(*v));
	int8_t diff[MW_MAX_STAT_ITEMS];
	if (!v)
		return &mw_error_nomem;
	struct mw_error *err = mw_kernel_read(k, arr_addr, v, nr * sizeof(*v));
	if (err) {
		free(v);
		return err;
	}
	if (pcp_ptr) {
		for (unsigned c = 0; c < cpus->nr; c++) {
			err = mw_kernel_read(k, pcp_ptr + cpus->offsets[c] + diff_off,
					     diff, nr);
			if (err) {
				free(v);
				return mw_error_prepend(err, "per-CPU vmstat deltas of CPU %u",
							cpus->ids[c]);
			}
			for (size_t i = 0; i < nr; i++)
				v[i] += diff[i];
		}
	}
	*ret = v;
	return NULL;
}

static struct mw_error *read_zone(struct mw_kernel *k, const struct mw_cpus *cpus,
				  const struct layout *L, struct mw_vmstat *vs,
				  int node, unsigned index, uint64_t z,
				  struct mw_warnings *w, bool *skip)
{
	struct mw_error *err;
	struct mw_zone zone = { .node = node, .index = index, .addr = z };
	uint64_t name_ptr = 0;
	*skip = false;
	if ((err = mw_kread_uint(k, z + L->z_start.offset, L->z_start.size, &zone.start_pfn)) ||
	    (err = mw_kread_uint(k, z + L->z_spanned.offset, L->z_spanned.size, &zone.spanned_pages)) ||
	    (err = mw_kread_uint(k, z + L->z_present.offset, L->z_present.size, &zone.present_pages)) ||
	    (err = mw_kread_uint(k, z + L->z_managed.offset, 8, &zone.managed_pages)) ||
	    (err = mw_kread_u64(k, z + L->z_name.offset, &name_ptr)))
		return err;
	if (zone.spanned_pages == 0) {
		*skip = true;
		return NULL;
	}
	if (name_ptr) {
		struct mw_error *e = mw_kread_string(k, name_ptr, zone.name, sizeof(zone.name));
		if (e) {
			mw_error_destroy(e);
			snprintf(zone.name, sizeof(zone.name), "zone%u", index);
		}
	}
	for (size_t i = 0; zone.name[i]; i++)
		if ((unsigned char)zone.name[i] < 0x20 || (unsigned char)zone.name[i] >= 0x7f)
			zone.name[i] = '?';
	uint64_t pcpstats = 0;
	if ((err = mw_kread_u64(k, z + L->z_pcpstats.offset, &pcpstats)))
		return err;
	if ((err = read_stats(k, cpus, z + L->z_vmstat.offset, vs->nr_zone_items,
			      pcpstats, L->pcz_diff.offset, &zone.stat)))
		return mw_error_prepend(err, "zone %s vmstat", zone.name);
	uint64_t fa_size = L->z_free_area.target_size;
	for (unsigned o = 0; o < vs->nr_orders; o++) {
		struct mw_error *e = mw_kread_u64(k, z + L->z_free_area.offset +
						  o * fa_size + L->fa_nr_free.offset,
						  &zone.nr_free[o]);
		if (e) {
			free(zone.stat);
			return mw_error_prepend(e, "zone %s free_area", zone.name);
		}
	}
	if ((err = mw_kread_u64(k, z + L->z_pageset.offset, &zone.pageset))) {
		free(zone.stat);
		return err;
	}
	for (unsigned c = 0; c < cpus->nr && zone.pageset; c++) {
		uint32_t count;
		struct mw_error *e = mw_kread_u32(k, zone.pageset + cpus->offsets[c] +
						  L->pcp_count.offset, &count);
		if (e) {
			mw_warn_error(w, e, "per-CPU page list count");
			break;
		}
		if ((int32_t)count > 0)
			zone.pcp_count += count;
	}
	struct mw_zone *nz = realloc(vs->zones, (vs->nr_zones + 1) * sizeof(*nz));
	if (!nz) {
		free(zone.stat);
		return &mw_error_nomem;
	}
	vs->zones = nz;
	vs->zones[vs->nr_zones++] = zone;
	return NULL;
}

static struct mw_error *read_node(struct mw_kernel *k, const struct mw_cpus *cpus,
				  const struct layout *L, struct mw_vmstat *vs,
				  uint64_t pgdat, struct mw_warnings *w)
{
	struct mw_error *err;
	struct mw_node n = { .addr = pgdat };
	uint32_t id = 0;
	if ((err = mw_kread_uint(k, pgdat + L->pg_start.offset, L->pg_start.size, &n.start_pfn)) ||
	    (err = mw_kread_uint(k, pgdat + L->pg_spanned.offset, L->pg_spanned.size, &n.spanned_pages)) ||
	    (err = mw_kread_uint(k, pgdat + L->pg_present.offset, L->pg_present.size, &n.present_pages)) ||
	    (err = mw_kread_u32(k, pgdat + L->pg_id.offset, &id)))
		return err;
	if (id >= MW_MAX_NODES)
		return mw_error_at(MW_ERR_BAD_DATA, pgdat, "node id %" PRIu32, id);
	n.id = (int)id;
	uint64_t pcpstats = 0;
	if ((err = mw_kread_u64(k, pgdat + L->pg_pcpstats.offset, &pcpstats)))
		return err;
	if ((err = read_stats(k, cpus, pgdat + L->pg_vmstat.offset, vs->nr_node_items,
			      pcpstats, L->pcn_diff.offset, &n.stat)))
		return mw_error_prepend(err, "node %d vmstat", n.id);
	struct mw_node *nn = realloc(vs->nodes, (vs->nr_nodes + 1) * sizeof(*nn));
	if (!nn) {
		free(n.stat);
		return &mw_error_nomem;
	}
	vs->nodes = nn;
	vs->nodes[vs->nr_nodes++] = n;
	uint64_t zsize = L->pg_zones.target_size;
	uint64_t nz = L->pg_zones.nr_elements;
	if (nz > MW_MAX_ZONES_PER_NODE)
		nz = MW_MAX_ZONES_PER_NODE;
	for (unsigned i = 0; i < nz; i++) {
		bool skip;
		err = read_zone(k, cpus, L, vs, n.id, i, pgdat + L->pg_zones.offset + i * zsize,
				w, &skip);
		if (err)
			mw_warn_error(w, err, "zone");
	}
	return NULL;
}

/* Addresses of the online nodes' pglist_data. */
static struct mw_error *node_addresses(struct mw_kernel *k, uint64_t *addrs,
				       size_t *nr, struct mw_warnings *w)
{
	uint64_t node_data, v;
	*nr = 0;
	struct mw_error *nd = mw_kernel_symbol(k, "node_data", &node_data);
	bool numa = nd == NULL;
	mw_error_destroy(nd);
	if (numa) {
		const struct mw_dump_info *info = mw_reader_info(k->reader);
		uint64_t len = MW_MAX_NODES;
		struct mw_error *e = mw_vmcoreinfo_u64(info, "LENGTH(node_data)", &v);
		if (!e && v > 0 && v < len)
			len = v;
		mw_error_destroy(e);
		/* MAX_NUMNODES, rounded up to a word: the nodemask's bits (x86-64
		 * 1024, arm64 64); node_online_map's bits beyond are zero */
		struct mw_field nm;
		const struct mw_field_spec spec[] = { MW_FIELD_SIZEOF_OPT("nodemask_t", &nm) };
		if (!(e = mw_types_resolve_fields(k->types, spec, 1)) && nm.found &&
		    nm.size >= 8 && nm.size * 8 < len)
			len = nm.size * 8;
		mw_error_destroy(e);
		uint64_t online[MW_MAX_NODES / 64];
		bool have_online = false;
		uint64_t map;
		e = mw_vmcoreinfo_u64(info, "SYMBOL(node_online_map)", &map);
		if (!e) {
			e = mw_kernel_read(k, map, online, (size_t)((len + 63) / 64) * 8);
			have_online = !e;
		}
		if (e)
			mw_warn_error(w, e, "node_online_map (reading every node_data entry)");
		for (uint64_t i = 0; i < len; i++) {
			if (have_online && !(online[i / 64] & (1ULL << (i % 64))))
				continue;
			uint64_t p;
			struct mw_error *err = mw_kread_u64(k, node_data + i * 8, &p);
			if (err)
				return mw_error_prepend(err, "node_data[%" PRIu64 "]", i);
			if (p)
				addrs[(*nr)++] = p;
		}
		return NULL;
	}
	struct mw_error *err = mw_kernel_symbol(k, "contig_page_data", &v);
	if (err)
		return mw_error_prepend(err, "no node_data and no contig_page_data");
	addrs[(*nr)++] = v;
	return NULL;
}

/* true on success; a failure is forgotten (optional data) */
static bool ok(struct mw_error *err)
{
	bool r = err == NULL;
	mw_error_destroy(err);
	return r;
}

static void read_totals(struct mw_kernel *k, struct mw_vmstat *vs,
			struct mw_warnings *w)
{
	uint64_t v;
	uint32_t a, b;
	int64_t nv;
	if (ok(mw_kread_sym_u64(k, "nr_vmalloc_pages", &v))) {
		vs->vmalloc_pages.found = true;
		vs->vmalloc_pages.pages = v;
	} else if (mw_vmstat_node_sum(vs, "NR_VMALLOC", &nv) && nv >= 0) {
		/* since 7.0 VmallocUsed is the node counter NR_VMALLOC */
		vs->vmalloc_pages.found = true;
		vs->vmalloc_pages.pages = (uint64_t)nv;
		vs->vmalloc_node_stat = true;
	}
	struct mw_error *e1 = mw_kread_sym_u32(k, "pcpu_nr_populated", &a);
	struct mw_error *e2 = mw_kread_sym_u32(k, "pcpu_nr_units", &b);
	if (!e1 && !e2) {
		vs->percpu_pages.found = true;
		vs->percpu_pages.pages = (uint64_t)a * b;
	}
	mw_error_destroy(e1);
	mw_error_destroy(e2);
	if (ok(mw_kread_sym_u64(k, "_totalram_pages", &v))) {
		vs->totalram_pages.found = true;
		vs->totalram_pages.pages = v;
	}
	/* hugetlb */
	struct mw_field h_size, h_order, h_nr, h_free;
	const struct mw_field_spec spec[] = {
		MW_FIELD_SIZEOF("hstate", &h_size),
		MW_FIELD_MEMBER("hstate.order", &h_order),
		MW_FIELD_MEMBER("hstate.nr_huge_pages", &h_nr),
		MW_FIELD_MEMBER("hstate.free_huge_pages", &h_free),
	};
	uint64_t hstates;
	uint32_t max;
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (!err)
		err = mw_kernel_symbol(k, "hstates", &hstates);
	if (!err)
		err = mw_kread_sym_u32(k, "hugetlb_max_hstate", &max);
	if (err) {
		mw_error_destroy(err);	/* no hugetlb in this kernel */
		return;
	}
	if (max > 16) {
		mw_warn(w, "hugetlb_max_hstate is %" PRIu32 ": hugetlb totals skipped", max);
		return;
	}
	uint64_t total = 0, free_pages = 0;
	for (uint32_t i = 0; i < max; i++) {
		uint64_t h = hstates + i * h_size.size, order = 0, nr = 0, fr = 0;
		if ((err = mw_kread_uint(k, h + h_order.offset, h_order.size, &order)) ||
		    (err = mw_kread_uint(k, h + h_nr.offset, h_nr.size, &nr)) ||
		    (err = mw_kread_uint(k, h + h_free.offset, h_free.size, &fr))) {
			mw_warn_error(w, err, "hugetlb hstates");
			return;
		}
		if (order >= 30)
			continue;
		total += nr << order;
		free_pages += fr << order;
	}
	vs->hugetlb_pages.found = true;
	vs->hugetlb_pages.pages = total;
	vs->hugetlb_free_pages.found = true;
	vs->hugetlb_free_pages.pages = free_pages;
}

struct mw_error *mw_vmstat_read(struct mw_kernel *k, const struct mw_cpus *cpus,
				const struct mw_page_layout *l,
				struct mw_warnings *w, struct mw_vmstat *vs)
{
	struct layout L;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("pglist_data.node_zones", &L.pg_zones),
		MW_FIELD_MEMBER("pglist_data.node_start_pfn", &L.pg_start),
		MW_FIELD_MEMBER("pglist_data.node_present_pages", &L.pg_present),
		MW_FIELD_MEMBER("pglist_data.node_spanned_pages", &L.pg_spanned),
		MW_FIELD_MEMBER("pglist_data.node_id", &L.pg_id),
		MW_FIELD_MEMBER("pglist_data.vm_stat", &L.pg_vmstat),
		MW_FIELD_MEMBER("pglist_data.per_cpu_nodestats", &L.pg_pcpstats),
		MW_FIELD_MEMBER("zone.zone_start_pfn", &L.z_start),
		MW_FIELD_MEMBER("zone.spanned_pages", &L.z_spanned),
		MW_FIELD_MEMBER("zone.present_pages", &L.z_present),
		MW_FIELD_MEMBER("zone.managed_pages", &L.z_managed),
		MW_FIELD_MEMBER("zone.name", &L.z_name),
		MW_FIELD_MEMBER("zone.vm_stat", &L.z_vmstat),
		MW_FIELD_MEMBER_OPT("zone.per_cpu_zonestats", &L.z_pcpstats),
		MW_FIELD_MEMBER_OPT("zone.per_cpu_pageset", &L.z_pageset),
		MW_FIELD_MEMBER_OPT("zone.pageset", &L.z_pageset_old),
		MW_FIELD_MEMBER("zone.free_area", &L.z_free_area),
		MW_FIELD_MEMBER("free_area.nr_free", &L.fa_nr_free),
		MW_FIELD_MEMBER("per_cpu_nodestat.vm_node_stat_diff", &L.pcn_diff),
		MW_FIELD_MEMBER_OPT("per_cpu_zonestat.vm_stat_diff", &L.pcz_diff),
		MW_FIELD_MEMBER("per_cpu_pages.count", &L.pcp_count),
		MW_FIELD_MEMBER_OPT("per_cpu_pageset.vm_stat_diff", &L.pcs_diff),
		MW_FIELD_MEMBER_OPT("per_cpu_pageset.pcp.count", &L.pcs_count),
	};
	memset(vs, 0, sizeof(*vs));
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return mw_error_prepend(err, "kernel counters");
	if (!L.z_pcpstats.found && L.z_pageset_old.found && L.pcs_diff.found && L.pcs_count.found) {
		L.z_pcpstats = L.z_pageset = L.z_pageset_old;
		L.pcz_diff = L.pcs_diff;
		L.pcp_count = L.pcs_count;
	}
	if (!L.z_pcpstats.found || !L.z_pageset.found || !L.pcz_diff.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "kernel counters: struct zone has neither per_cpu_zonestats and per_cpu_pageset nor pageset (kernel %s)",
				       k->osrelease[0] ? k->osrelease : "unknown");
	vs->nr_orders = l->nr_orders;
	vs->nr_node_items = L.pg_vmstat.nr_elements;
	vs->nr_zone_items = L.z_vmstat.nr_elements;
	if (vs->nr_node_items == 0 || vs->nr_node_items > MW_MAX_STAT_ITEMS ||
	    vs->nr_zone_items == 0 || vs->nr_zone_items > MW_MAX_STAT_ITEMS ||
	    L.pcn_diff.nr_elements < vs->nr_node_items ||
	    L.pcz_diff.nr_elements < vs->nr_zone_items)
		return mw_error_create(MW_ERR_BAD_DATA,
				       "vmstat arrays of %zu node and %zu zone items",
				       vs->nr_node_items, vs->nr_zone_items);
	if ((err = enum_names(k->types, "enum node_stat_item", vs->nr_node_items,
			      &vs->node_item_names)) ||
	    (err = enum_names(k->types, "enum zone_stat_item", vs->nr_zone_items,
			      &vs->zone_item_names))) {
		mw_vmstat_deinit(vs);
		return mw_error_prepend(err, "vmstat item names");
	}
	uint64_t *addrs = calloc(MW_MAX_NODES, sizeof(*addrs));
	size_t nr = 0;
	if (!addrs) {
		mw_vmstat_deinit(vs);
		return &mw_error_nomem;
	}
	err = node_addresses(k, addrs, &nr, w);
	for (size_t i = 0; !err && i < nr; i++) {
		struct mw_error *e = read_node(k, cpus, &L, vs, addrs[i], w);
		if (e)
			mw_warn_error(w, e, "memory node");
	}
	free(addrs);
	if (!err && vs->nr_nodes == 0)
		err = mw_error_create(MW_ERR_BAD_DATA, "no memory node could be read");
	if (err) {
		mw_vmstat_deinit(vs);
		return mw_error_prepend(err, "kernel counters");
	}
	read_totals(k, vs, w);
	return NULL;
}

static int find_item(char **names, size_t nr, const char *item)
{
	for (size_t i = 0; i < nr; i++)
		if (names[i] && strcmp(names[i], item) == 0)
			return (int)i;
	return -1;
}

int mw_vmstat_node_item(const struct mw_vmstat *vs, const char *item)
{
	return find_item(vs->node_item_names, vs->nr_node_items, item);
}

int mw_vmstat_zone_item(const struct mw_vmstat *vs, const char *item)
{
	return find_item(vs->zone_item_names, vs->nr_zone_items, item);
}

bool mw_vmstat_node_sum(const struct mw_vmstat *vs, const char *item, int64_t *ret)
{
	int i = mw_vmstat_node_item(vs, item);
	if (i < 0)
		return false;
	int64_t s = 0;
	for (size_t n = 0; n < vs->nr_nodes; n++)
		s += vs->nodes[n].stat[i];
	*ret = s;
	return true;
}

bool mw_vmstat_zone_sum(const struct mw_vmstat *vs, const char *item, int64_t *ret)
{
	int i = mw_vmstat_zone_item(vs, item);
	if (i < 0)
		return false;
	int64_t s = 0;
	for (size_t z = 0; z < vs->nr_zones; z++)
		s += vs->zones[z].stat[i];
	*ret = s;
	return true;
}

struct mw_error *mw_vmstat_node_counter(struct mw_kernel *k, const struct mw_cpus *cpus,
				       const char *item, struct mw_warnings *w,
				       int64_t *ret)
{
	struct mw_field vm_stat, pcpstats, diff, value;
	char path[96];
	snprintf(path, sizeof(path), "node_stat_item.%s", item);
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("pglist_data.vm_stat", &vm_stat),
		MW_FIELD_MEMBER("pglist_data.per_cpu_nodestats", &pcpstats),
		MW_FIELD_MEMBER("per_cpu_nodestat.vm_node_stat_diff", &diff),
		MW_FIELD_ENUM(path, &value),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	if (value.value < 0 || (uint64_t)value.value >= vm_stat.nr_elements ||
	    (uint64_t)value.value >= diff.nr_elements || vm_stat.target_size != 8)
		return mw_error_create(MW_ERR_BAD_DATA, "%s (%" PRId64 ") is not an index of"
				       " pglist_data.vm_stat", item, value.value);
	uint64_t *addrs = calloc(MW_MAX_NODES, sizeof(*addrs));
	size_t nr = 0;
	if (!addrs)
		return &mw_error_nomem;
	int64_t sum = 0;
	uint64_t idx = (uint64_t)value.value;
	err = node_addresses(k, addrs, &nr, w);
	for (size_t i = 0; !err && i < nr; i++) {
		uint64_t v = 0, pcp = 0;
		if ((err = mw_kread_u64(k, addrs[i] + vm_stat.offset + idx * 8, &v)) ||
		    (err = mw_kread_u64(k, addrs[i] + pcpstats.offset, &pcp)))
			break;
		sum += (int64_t)v;
		for (unsigned c = 0; pcp && c < cpus->nr; c++) {
			int8_t d;
			if ((err = mw_kernel_read(k, pcp + cpus->offsets[c] + diff.offset + idx,
						  &d, 1)))
				break;
			sum += d;
		}
	}
	free(addrs);
	if (err)
		return mw_error_prepend(err, "node counter %s", item);
	*ret = sum;
	return NULL;
}
