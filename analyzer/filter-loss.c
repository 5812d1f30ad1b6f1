#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "analyzer/filter-loss.h"

/* pages the kernel allocates for itself */
static const enum mw_page_category kernel_kinds[] = {
	MW_PAGE_SLAB_RECLAIMABLE, MW_PAGE_SLAB_UNRECLAIMABLE, MW_PAGE_KERNEL_STACK,
	MW_PAGE_PAGETABLES, MW_PAGE_VMALLOC, MW_PAGE_PERCPU,
};
enum { NR_KINDS = sizeof(kernel_kinds) / sizeof(kernel_kinds[0]) };
enum {
	DUMP_LEVEL_ZERO = 1, DUMP_LEVEL_CACHE = 2, DUMP_LEVEL_CACHE_PRIVATE = 4,
	DUMP_LEVEL_USER = 8, DUMP_LEVEL_FREE = 16,
};

/* ---- makedumpfile -e: pages without a struct page, from the counters ---- */

static uint64_t clamp_deficit(int64_t counter, uint64_t scanned)
{
	return counter > 0 && (uint64_t)counter > scanned ? (uint64_t)counter - scanned : 0;
}

/* Move n not_in_dump pages of zone z (nr_zones: outside every zone) to cat. */
static void move_pages(struct mw_pagescan *ps, size_t z, enum mw_page_category cat, uint64_t n)
{
	struct mw_scan_counts *cs[2] = { &ps->c, &ps->zone_counts[z] };
	for (int i = 0; i < 2; i++) {
		cs[i]->pages[MW_PAGE_NOT_IN_DUMP] -= n;
		cs[i]->pages[cat] += n;
		cs[i]->inferred[cat] += n;
		cs[i]->inferred_pages += n;
		if (cat == MW_PAGE_FREE)
			cs[i]->free_buddy_pages += n;
	}
}

/* Up to n not_in_dump pages of node (every zone when node < 0) become cat,
 * zone by zone. Returns how many did. */
static uint64_t take_pages(struct mw_pagescan *ps, int node, enum mw_page_category cat, uint64_t n)
{
	const struct mw_vmstat *vs = &ps->vmstat;
	uint64_t done = 0;
	for (size_t z = 0; z < vs->nr_zones && done < n; z++) {
		if (node >= 0 && vs->zones[z].node != node)
			continue;
		uint64_t have = ps->zone_counts[z].pages[MW_PAGE_NOT_IN_DUMP];
		uint64_t k = have < n - done ? have : n - done;
		if (k)
			move_pages(ps, z, cat, k);
		done += k;
	}
	return done;
}

static uint64_t not_in_dump(const struct mw_pagescan *ps, int node)
{
	uint64_t n = 0;
	for (size_t z = 0; z < ps->vmstat.nr_zones; z++)
		if (node < 0 || ps->vmstat.zones[z].node == node)
			n += ps->zone_counts[z].pages[MW_PAGE_NOT_IN_DUMP];
	return n;
}

/* The deficits def[] (pages the counters have and the scan has not) become
 * their categories, all of them if the pages are there, else in proportion. */
static void share(struct mw_pagescan *ps, int node, const enum mw_page_category *cat,
		  const uint64_t *def, size_t nr)
{
	uint64_t room = not_in_dump(ps, node), sum = 0;
	for (size_t i = 0; i < nr; i++)
		sum += def[i];
	if (!sum || !room)
		return;
	for (size_t i = 0; i < nr; i++) {
		uint64_t n = sum <= room ? def[i] :
			(uint64_t)((double)def[i] * (double)room / (double)sum);
		take_pages(ps, node, cat[i], n);
	}
}

static int64_t node_stat(const struct mw_vmstat *vs, const struct mw_node *node, const char *item)
{
	int i = mw_vmstat_node_item(vs, item);
	return i >= 0 && node->stat ? node->stat[i] : 0;
}

/* scanned pages of cat in node's zones */
static uint64_t node_scanned(const struct mw_pagescan *ps, int node, enum mw_page_category cat)
{
	uint64_t n = 0;
	for (size_t z = 0; z < ps->vmstat.nr_zones; z++)
		if (ps->vmstat.zones[z].node == node)
			n += ps->zone_counts[z].pages[cat];
	return n;
}

/* scanned anon pages of node's zones that are mapped (NR_ANON_MAPPED's) */
static uint64_t node_scanned_mapped_anon(const struct mw_pagescan *ps, int node)
{
	uint64_t n = 0;
	for (size_t z = 0; z < ps->vmstat.nr_zones; z++) {
		const struct mw_scan_counts *c = &ps->zone_counts[z];
		if (ps->vmstat.zones[z].node == node && c->pages[MW_PAGE_ANON] > c->anon_unmapped_pages)
			n += c->pages[MW_PAGE_ANON] - c->anon_unmapped_pages;
	}
	return n;
}

static uint64_t kernel_lost(const struct mw_pagescan *ps)
{
	uint64_t lost = 0;
	for (size_t i = 0; i < NR_KINDS; i++)
		lost += ps->c.content_excluded[kernel_kinds[i]] + ps->c.inferred[kernel_kinds[i]];
	return lost;
}

void mw_filter_vmemmap_infer(struct mw_pagescan *ps, const struct mw_dump_info *info)
{
	const struct mw_vmstat *vs = &ps->vmstat;
	int level = info->dump_level;
	if (!info->vmemmap_excluded || level <= 0 || !ps->zone_counts ||
	    !ps->c.pages[MW_PAGE_NOT_IN_DUMP])
		return;
	/* free pages: zone by zone, NR_FREE_PAGES counts the buddy's */
	int fi = mw_vmstat_zone_item(vs, "NR_FREE_PAGES");
	for (size_t z = 0; z < vs->nr_zones && fi >= 0 && (level & DUMP_LEVEL_FREE); z++) {
		const struct mw_zone *zone = &vs->zones[z];
		if (!zone->stat)
			continue;
		uint64_t d = clamp_deficit(zone->stat[fi], ps->zone_counts[z].free_buddy_pages);
		uint64_t have = ps->zone_counts[z].pages[MW_PAGE_NOT_IN_DUMP];
		if (d && have)
			move_pages(ps, z, MW_PAGE_FREE, d < have ? d : have);
	}
	/* page cache, shmem, anon: node by node */
	for (size_t n = 0; n < vs->nr_nodes; n++) {
		const struct mw_node *node = &vs->nodes[n];
		enum mw_page_category cat[3] = { MW_PAGE_FILE, MW_PAGE_SHMEM, MW_PAGE_ANON };
		uint64_t def[3] = { 0, 0, 0 };
		if (level & (DUMP_LEVEL_CACHE | DUMP_LEVEL_CACHE_PRIVATE)) {
			int64_t shmem = node_stat(vs, node, "NR_SHMEM");
			def[0] = clamp_deficit(node_stat(vs, node, "NR_FILE_PAGES") - shmem -
					       node_stat(vs, node, "NR_SWAPCACHE"),
					       node_scanned(ps, node->id, MW_PAGE_FILE));
			def[1] = clamp_deficit(shmem, node_scanned(ps, node->id, MW_PAGE_SHMEM));
		}
		/* NR_ANON_MAPPED counts mapped anon pages only: the unmapped
		 * ones the scan saw (swap cache, being freed) are not in it,
		 * and those the filter took stay not_in_dump */
		if (level & DUMP_LEVEL_USER)
			def[2] = clamp_deficit(node_stat(vs, node, "NR_ANON_MAPPED"),
					       node_scanned_mapped_anon(ps, node->id));
		share(ps, node->id, cat, def, 3);
	}
	/* kernel pages a makedumpfile that does not know the kernel took for
	 * pages it may drop: only where the scan saw it do so */
	if (!kernel_lost(ps) || !ps->c.pages[MW_PAGE_NOT_IN_DUMP])
		return;
	int64_t v;
	enum mw_page_category kcat[5] = { MW_PAGE_SLAB_RECLAIMABLE, MW_PAGE_SLAB_UNRECLAIMABLE,
		MW_PAGE_KERNEL_STACK, MW_PAGE_PAGETABLES, MW_PAGE_VMALLOC };
	uint64_t kdef[5] = { 0, 0, 0, 0, 0 };
	const struct mw_scan_counts *c = &ps->c;
	if (mw_vmstat_node_sum(vs, "NR_SLAB_RECLAIMABLE_B", &v))
		kdef[0] = clamp_deficit(v, c->pages[MW_PAGE_SLAB_RECLAIMABLE]);
	if (mw_vmstat_node_sum(vs, "NR_SLAB_UNRECLAIMABLE_B", &v))
		kdef[1] = clamp_deficit(v, c->pages[MW_PAGE_SLAB_UNRECLAIMABLE]);
	if (mw_vmstat_node_sum(vs, "NR_KERNEL_STACK_KB", &v) && ps->page_size)
		kdef[2] = clamp_deficit(v * 1024 / (int64_t)ps->page_size,
					c->pages[MW_PAGE_KERNEL_STACK]);
	if (mw_vmstat_node_sum(vs, "NR_PAGETABLE", &v))
		kdef[3] = clamp_deficit(v, c->pages[MW_PAGE_PAGETABLES]);
	/* VmallocUsed counts vmap'ed kernel stacks too */
	if (vs->vmalloc_pages.found)
		kdef[4] = clamp_deficit((int64_t)vs->vmalloc_pages.pages,
					c->pages[MW_PAGE_VMALLOC] + c->pages[MW_PAGE_KERNEL_STACK] +
					kdef[2]);
	share(ps, -1, kcat, kdef, 5);
}

void mw_filter_loss_warn(const struct mw_pagescan *ps, const struct mw_dump_info *info,
			 struct mw_warnings *w)
{
	/* pages missing for another cause; or a filter we know nothing of
	 * (makedumpfile -E's ELF: on 6.1 it leaves out some slab and vmalloc
	 * pages that its kdump output keeps, for reasons not yet understood) */
	if (info->incomplete || info->dump_level < 0)
		return;
	/* a filter of zero pages only leaves out kernel pages rightly: they
	 * can be all zeros (init_on_free, an unused part of a stack) */
	if (!(info->dump_level & ~DUMP_LEVEL_ZERO))
		return;
	uint64_t lost = kernel_lost(ps);
	if (!lost)
		return;
	char kinds[256], level[48];
	size_t used = 0;
	kinds[0] = '\0';
	for (size_t i = 0; i < NR_KINDS && used < sizeof(kinds); i++) {
		uint64_t n = ps->c.content_excluded[kernel_kinds[i]] + ps->c.inferred[kernel_kinds[i]];
		if (!n)
			continue;
		int k = snprintf(kinds + used, sizeof(kinds) - used, "%s%s %" PRIu64,
				 used ? ", " : "", mw_page_category_name(kernel_kinds[i]), n);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	snprintf(level, sizeof(level), " (makedumpfile dump level %d)", info->dump_level);
	uint64_t est = 0;
	for (size_t i = 0; i < NR_KINDS; i++)
		est += ps->c.inferred[kernel_kinds[i]];
	char from[160] = "";
	if (est)
		snprintf(from, sizeof(from), "; %" PRIu64 " of them counted from the kernel's "
			 "counters, as -e left out their struct pages too", est);
	size_t before = w->kept;
	mw_warn(w, "the dump's filter%s left out %" PRIu64 " pages (%" PRIu64 " KiB) the kernel "
		"uses for itself (%s%s), which no dump level leaves out unless they are all zeros: "
		"the makedumpfile that wrote "
		"this dump likely does not know this kernel's page types, so the slab, vmalloc, "
		"kernel stack and page-table figures are short and objects in those pages are "
		"unreadable (the warnings that follow, 'lost with those kernel pages'); re-filter the ELF vmcore with a makedumpfile that "
		"knows this kernel (1.7.6 or later for 6.10+ kernels), or use a lower dump level",
		level, lost, lost * ps->page_size >> 10, kinds, from);
	/* the cause first: the reads that failed before the scan are its effects */
	if (w->kept > before) {
		mw_warnings_move_first(w, w->kept - 1);
		/* reads that failed on the lost pages, before or after: its effects */
		mw_warnings_group_under_first(w, "was left out of the dump",
					      "lost with those kernel pages: ");
	}
}

/* "free 100, file 20" of the inferred pages, kinds in kinds[] */
static size_t inferred_list(const struct mw_pagescan *ps, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int c = 0; c < MW_PAGE_NR_CATEGORIES && used < size; c++) {
		uint64_t n = ps->c.inferred[c];
		if (!n)
			continue;
		int k = snprintf(buf + used, size - used, "%s%s %" PRIu64, used ? ", " : "",
				 mw_page_category_name((enum mw_page_category)c), n);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return used;
}

bool mw_filter_vmemmap_warn(const struct mw_pagescan *ps, const struct mw_dump_info *info,
			    struct mw_warnings *w)
{
	uint64_t left = ps->c.pages[MW_PAGE_NOT_IN_DUMP], inferred = ps->c.inferred_pages;
	if (!info->vmemmap_excluded || !(left + inferred))
		return false;
	static const char *const kinds[] = { "zero", "page cache", "private cache", "user", "free" };
	char what[96] = "", counted[640], rest[320] = "";
	size_t used = 0;
	for (int i = 0; i < 5 && info->dump_level > 0 && used < sizeof(what); i++) {
		if (!(info->dump_level & (1 << i)))
			continue;
		int k = snprintf(what + used, sizeof(what) - used, "%s%s", used ? ", " : "", kinds[i]);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	if (inferred) {
		char list[256];
		inferred_list(ps, list, sizeof(list));
		snprintf(counted, sizeof(counted), "; the kernel's own counters (free pages per zone, "
			 "file, shmem and mapped anon per node) account for %" PRIu64 " of them (%" PRIu64
			 " MiB: %s), counted in those categories, but the views that follow pages one "
			 "by one lack them: files (page cache by file), the memcg scan's pages per cgroup "
			 "(the cgroups' own counters have them) and pages' "
			 "free blocks by order, dirty, writeback and THP figures", inferred,
			 (inferred * ps->page_size) >> 20, list);
	} else {
		snprintf(counted, sizeof(counted), "; the kernel's counters could not place them");
	}
	if (left)
		snprintf(rest, sizeof(rest), "; %" PRIu64 " pages (%" PRIu64 " MiB) stay not_in_dump: "
			 "no counter says what they are (pages the filter found filled with zeros "
			 "are among them); a dump without -e would say", left,
			 (left * ps->page_size) >> 20);
	mw_warn(w, "the dump was written with makedumpfile -e: it also left out the struct pages "
		"of %" PRIu64 " pages (%" PRIu64 " MiB of RAM) its filter left out, %s pages "
		"(dump level %d)%s%s",
		left + inferred, ((left + inferred) * ps->page_size) >> 20,
		used ? what : "left-out", info->dump_level, counted, rest);
	return true;
}
