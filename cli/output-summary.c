/* memwhere: rendering of `summary` and `pages`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/reserved.h"
#include "cli/findings.h"
#include "cli/render-util.h"
#include "cli/cli.h"
#include "common/json.h"

enum {
	BAR_WIDTH = 30,		/* columns for 100% */
	TOP_FINDINGS = 5,
};

/* Order of the rows in the text summary: the big owners first. */
static const enum mw_page_category row_order[] = {
	MW_PAGE_FREE, MW_PAGE_ANON, MW_PAGE_FILE, MW_PAGE_SHMEM,
	MW_PAGE_SLAB_RECLAIMABLE, MW_PAGE_SLAB_UNRECLAIMABLE,
	MW_PAGE_KERNEL_STACK, MW_PAGE_PAGETABLES, MW_PAGE_VMALLOC,
	MW_PAGE_PERCPU, MW_PAGE_HUGETLB, MW_PAGE_RESERVED, MW_PAGE_OFFLINE, MW_PAGE_ZPOOL,
	MW_PAGE_SKB_FRAGS,
	MW_PAGE_UNACCOUNTED, MW_PAGE_UNKNOWN, MW_PAGE_NOT_IN_DUMP,
};




void mw_render_fatal(struct mw_context *ctx, const struct mw_error *err,
		     const char *context)
{
	char *s = err ? mw_error_string(err) : NULL;
	/* a dump cut short: say that first, it is the cause to act on */
	const struct mw_dump_info *info = ctx->reader ? mw_reader_info(ctx->reader) : NULL;
	char *cut = info && info->incomplete ? mw_dump_cut_text(ctx->dump_path, info) : NULL;
	const char *msg = s ? s : err ? err->message : "no kernel model";
	/* every exit-2 line names the file, once */
	bool named = cut || !ctx->dump_path || strstr(msg, ctx->dump_path);
	fprintf(stderr, "memwhere: %s%s%s%s%s: %s\n", cut ? cut : "",
		cut ? ", and what is left cannot be analysed: " : "",
		named ? "" : ctx->dump_path, named ? "" : ": ", context, msg);
	free(cut);
	free(s);
}

/* ---- progress ---- */

bool mw_progress_begin(struct mw_context *ctx, struct mw_progress *p,
		       const char *what)
{
	memset(p, 0, sizeof(*p));
	p->what = what;
	p->last = -1;
	p->on = !ctx->opt.no_progress && isatty(STDERR_FILENO);
	return p->on;
}

void mw_progress_update(void *arg, uint64_t done, uint64_t total)
{
	struct mw_progress *p = arg;
	if (!p->on || !total)
		return;
	int pct = (int)(done * 100 / total);
	if (pct == p->last)
		return;
	p->last = pct;
	p->shown = true;
	fprintf(stderr, "\r%s: %3d%%", p->what, pct);
	fflush(stderr);
}

void mw_progress_end(struct mw_progress *p)
{
	if (p->on && p->shown)
		fputs("\r\033[K", stderr);
}

/* ---- shared pieces ---- */

static const char *release(const struct mw_pagescan *ps)
{
	const struct mw_kernel *k = ps->kernel;
	return k->osrelease[0] ? k->osrelease : k->uts_release[0] ? k->uts_release : "unknown";
}

static void json_categories(struct mw_json *j, const uint64_t *pages, uint64_t mult);

static void json_scan(struct mw_json *j, const struct mw_pagescan *ps, bool no_timing)
{
	mw_json_key(j, "scan");
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "struct_pages", ps->total_pages);
	mw_json_kv_uint(j, "memory_sections", ps->nr_sections);
	mw_json_kv_uint(j, "struct_page_bytes", ps->struct_page_bytes);
	if (ps->c.inferred_pages) {	/* makedumpfile -e: placed by the kernel's counters */
		mw_json_key(j, "inferred_pages");
		json_categories(j, ps->c.inferred, 1);
	}
	if (no_timing) {	/* what differs between two runs on one dump */
		mw_json_object_end(j);
		return;
	}
	mw_json_kv_uint(j, "threads", ps->threads);
	mw_json_key(j, "seconds");
	mw_json_double(j, ps->seconds);
	mw_json_key(j, "setup_seconds");
	mw_json_double(j, ps->setup_seconds);
	mw_json_kv_uint(j, "pages_per_second",
			ps->seconds > 0 ? (uint64_t)((double)ps->total_pages / ps->seconds) : 0);
	mw_json_object_end(j);
}

static void json_categories(struct mw_json *j, const uint64_t *pages, uint64_t mult)
{
	mw_json_object_begin(j);
	for (int c = 0; c < MW_PAGE_NR_CATEGORIES; c++)
		mw_json_kv_uint(j, mw_page_category_name((enum mw_page_category)c), pages[c] * mult);
	mw_json_object_end(j);
}

/* ---- summary ---- */

/* What the struct pages of the unaccounted pages say (analyzer/unaccounted.h). */
static void json_unaccounted(struct mw_json *j, const struct mw_unaccounted *u)
{
	mw_json_key(j, "unaccounted_breakdown");
	if (!u->known) {
		mw_json_null(j);
		return;
	}
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "pages", u->pages);
	mw_json_kv_uint(j, "blocks", u->blocks);
	mw_json_key(j, "pages_by_order");
	mw_json_array_begin(j);
	for (unsigned i = 0; i < MW_UNACCOUNTED_ORDERS; i++)
		mw_json_uint(j, u->by_order[i]);
	mw_json_array_end(j);
	mw_json_key(j, "refcount");
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "zero_pages", u->refcount_zero);
	mw_json_kv_uint(j, "one_pages", u->refcount_one);
	mw_json_kv_uint(j, "more_pages", u->refcount_more);
	mw_json_object_end(j);
	mw_json_kv_uint_or_null(j, "user_mapped_pages", u->mapcount_known, u->user_mapped);
	mw_json_key(j, "mapping");
	mw_json_object_begin(j);
	for (unsigned i = 0; i < MW_UNACC_MAPPING_NR; i++)
		mw_json_kv_uint(j, mw_unacc_mapping_name((enum mw_unacc_mapping)i), u->mapping[i]);
	mw_json_object_end(j);
	mw_json_kv_uint(j, "private_pages", u->private_set);
	mw_json_kv_uint(j, "memcg_charged_pages", u->memcg_charged);
	mw_json_kv_bool(j, "page_owner", u->page_owner_built);
	mw_json_object_end(j);
}

static void text_unaccounted(FILE *o, const struct mw_unaccounted *u, uint64_t page_size)
{
	if (!u->known || !u->pages)
		return;
	char h[32];
	mw_human_bytes(u->pages * page_size, h, sizeof(h));
	struct mw_para para;
	FILE *po = mw_para_begin(o, &para);
	fprintf(po, "Unaccounted, as its struct pages tell: %s in %" PRIu64 " blocks; pages by"
		" order", h, u->blocks);
	for (unsigned i = 0; i < MW_UNACCOUNTED_ORDERS; i++)
		if (u->by_order[i])
			fprintf(po, " %u%s: %" PRIu64, i, i == MW_UNACCOUNTED_ORDERS - 1 ? "+" : "",
				u->by_order[i]);
	fprintf(po, "; refcount 0: %" PRIu64 ", 1: %" PRIu64 ", more: %" PRIu64,
		u->refcount_zero, u->refcount_one, u->refcount_more);
	if (u->mapcount_known)
		fprintf(po, "; mapped to user space: %" PRIu64, u->user_mapped);
	fprintf(po, "; page->mapping");
	for (unsigned i = 0; i < MW_UNACC_MAPPING_NR; i++)
		fprintf(po, "%s %s %" PRIu64, i ? "," : "",
			mw_unacc_mapping_name((enum mw_unacc_mapping)i), u->mapping[i]);
	fprintf(po, "; page->private set: %" PRIu64 "; charged to a memcg: %" PRIu64 ". %s\n",
		u->private_set, u->memcg_charged, u->page_owner_built ?
		"The kernel has page_owner (its allocation stacks are not read yet)." :
		"Who allocated them is unknown: the kernel has no page_owner.");
	mw_para_end(&para, 2);
}

static void summary_json(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_pagescan *ps = a->ps;
	const struct mw_summary *s = a->summary;
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_string(&j, "kernel_release", release(ps));
	mw_json_kv_uint(&j, "page_size", s->page_size);
	mw_json_kv_uint(&j, "total_bytes", s->total_bytes);
	mw_json_key(&j, "categories");
	json_categories(&j, ps->c.pages, s->page_size);
	mw_json_key(&j, "anon_detail");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "mapped_bytes",
			(ps->c.pages[MW_PAGE_ANON] - ps->c.anon_unmapped_pages) * s->page_size);
	mw_json_kv_uint(&j, "swapcache_bytes", ps->c.swapcache_pages * s->page_size);
	mw_json_object_end(&j);
	mw_json_key(&j, "free_detail");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "buddy_bytes", ps->c.free_buddy_pages * s->page_size);
	mw_json_kv_uint(&j, "pcp_bytes", ps->c.free_pcp_pages * s->page_size);
	mw_json_kv_uint(&j, "other_bytes", ps->c.free_other_pages * s->page_size);
	mw_json_object_end(&j);
	mw_json_key(&j, "zpool_detail");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "zsmalloc_bytes", ps->c.zpool_pages[MW_ZPOOL_ZSMALLOC] * s->page_size);
	mw_json_kv_uint(&j, "z3fold_bytes", ps->c.zpool_pages[MW_ZPOOL_Z3FOLD] * s->page_size);
	mw_json_kv_uint(&j, "zbud_bytes", ps->c.zpool_pages[MW_ZPOOL_ZBUD] * s->page_size);
	mw_json_object_end(&j);
	json_unaccounted(&j, &a->unaccounted);
	if (a->reserved)
		mw_reserved_json(&j, a->reserved);
	mw_json_findings_of(&j, &a->findings, MW_RESULT_SUMMARY);
	json_scan(&j, ps, ctx->opt.no_timing);
	mw_render_json_end(ctx, &j);
}

void mw_summary_table_text(FILE *o, const struct mw_analysis *a)
{
	const struct mw_pagescan *ps = a->ps;
	const struct mw_summary *s = a->summary;
	bool utf8 = mw_utf8_locale();
	char h[32], h2[32];
	fprintf(o, "%-20s %10s %6s\n", "WHERE", "SIZE", "%");
	for (size_t i = 0; i < sizeof(row_order) / sizeof(row_order[0]); i++) {
		enum mw_page_category c = row_order[i];
		uint64_t b = s->bytes[c];
		if (!b && (c == MW_PAGE_HUGETLB || c == MW_PAGE_SKB_FRAGS || c == MW_PAGE_OFFLINE ||
			   c == MW_PAGE_ZPOOL ||
			   c == MW_PAGE_UNKNOWN || c == MW_PAGE_NOT_IN_DUMP))
			continue;
		double f = s->total_bytes ? (double)b / (double)s->total_bytes : 0;
		mw_human_bytes(b, h, sizeof(h));
		fprintf(o, "%-20s %10s %5.1f%%  ", mw_page_category_label(c), h, 100 * f);
		mw_bar(o, f, BAR_WIDTH, utf8, false);
		if (c == MW_PAGE_FREE && ps->c.free_pcp_pages) {
			mw_human_bytes(ps->c.free_pcp_pages * s->page_size, h2, sizeof(h2));
			fprintf(o, " (%s on per-CPU lists)", h2);
		} else if (c == MW_PAGE_UNACCOUNTED) {
			fprintf(o, " (no known owner)");
		} else if (c == MW_PAGE_UNKNOWN) {
			fprintf(o, " (inconsistent struct pages)");
		}
		fputc('\n', o);
	}
	mw_human_bytes(s->total_bytes, h, sizeof(h));
	fprintf(o, "%-20s %10s %5.1f%%\n", "total", h, 100.0);
}

/* What the zram/zswap pool row holds, by allocator. */
static void zpool_text(FILE *o, const struct mw_pagescan *ps, uint64_t page_size)
{
	const struct mw_scan_counts *c = &ps->c;
	if (!c->pages[MW_PAGE_ZPOOL])
		return;
	char h[32], z[32];
	mw_human_bytes(c->pages[MW_PAGE_ZPOOL] * page_size, h, sizeof(h));
	mw_human_bytes(c->zpool_pages[MW_ZPOOL_ZSMALLOC] * page_size, z, sizeof(z));
	fprintf(o, "\nzram/zswap pool (%s): compressed data, zsmalloc %s", h, z);
	for (int i = MW_ZPOOL_Z3FOLD; i < MW_ZPOOL_NR; i++) {
		if (!c->zpool_pages[i])
			continue;
		mw_human_bytes(c->zpool_pages[i] * page_size, z, sizeof(z));
		fprintf(o, ", %s %s", mw_zpool_kind_name((enum mw_zpool_kind)i), z);
	}
	fprintf(o, "\n  (devices and ratios: memwhere pools)\n");
}

static void summary_text(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_pagescan *ps = a->ps;
	const struct mw_summary *s = a->summary;
	FILE *o = ctx->out;
	char h[32];
	mw_human_bytes(s->total_bytes, h, sizeof(h));
	struct mw_para para;
	fprintf(mw_para_begin(o, &para), "%s: Linux %s, %s of RAM (%" PRIu64 " pages of %" PRIu64
		" KiB)\n", ctx->dump_path, release(ps), h, ps->total_pages, s->page_size / 1024);
	mw_para_end(&para, 2);
	if (ctx->opt.no_timing)
		fprintf(o, "every struct page scanned: %" PRIu64 "\n\n", ps->total_pages);
	else
		fprintf(o, "every struct page scanned: %" PRIu64 " in %.2f s by %u thread%s\n\n",
			ps->total_pages, ps->seconds, ps->threads, ps->threads == 1 ? "" : "s");
	mw_summary_table_text(o, a);
	if (a->unaccounted.known && a->unaccounted.pages) {
		fputc('\n', o);
		text_unaccounted(o, &a->unaccounted, s->page_size);
	}
	if (a->reserved)
		mw_reserved_text(o, a->reserved);
	zpool_text(o, ps, s->page_size);
	/* report lists every analysis' findings together at its end */
	const struct mw_finding *f;
	size_t it = 0, n = 0;
	while (!ctx->in_report && (f = mw_findings_next(&a->findings, MW_RESULT_SUMMARY, &it))) {
		if (n == 0)
			fprintf(o, "\nFindings\n");
		if (n++ < TOP_FINDINGS)
			mw_text_finding(o, f, MW_FINDING_BRIEF);
	}
	if (n > TOP_FINDINGS)
		fprintf(o, "  (%zu more with --json)\n", n - TOP_FINDINGS);
	if (s->nr_flagged)
		fprintf(o, "\n`memwhere pages` compares these with the kernel's own counters.\n");
	mw_render_text_warnings(ctx);
}

const struct mw_renderer mw_summary_renderer = { .text = summary_text, .json = summary_json };

/* ---- pages ---- */

static void json_orders(struct mw_json *j, const char *key, const uint64_t *v,
			unsigned n)
{
	mw_json_key(j, key);
	mw_json_array_begin(j);
	for (unsigned i = 0; i < n; i++)
		mw_json_uint(j, v[i]);
	mw_json_array_end(j);
}

static void pages_json(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_pagescan *ps = a->ps;
	const struct mw_summary *s = a->summary;
	const struct mw_scan_counts *c = &ps->c;
	const struct mw_vmstat *vs = &ps->vmstat;
	unsigned no = ps->layout.nr_orders < MW_MAX_ORDERS ? ps->layout.nr_orders : MW_MAX_ORDERS;
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_string(&j, "kernel_release", release(ps));
	mw_json_kv_uint(&j, "page_size", ps->page_size);
	mw_json_kv_uint(&j, "total_pages", ps->total_pages);
	mw_json_key(&j, "categories");
	json_categories(&j, c->pages, 1);

	mw_json_key(&j, "free");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "buddy_pages", c->free_buddy_pages);
	mw_json_kv_uint(&j, "pcp_pages", c->free_pcp_pages);
	mw_json_kv_uint(&j, "other_pages", c->free_other_pages);
	json_orders(&j, "blocks_by_order", c->free_blocks, no);
	uint64_t knr[MW_MAX_ORDERS] = { 0 };
	for (size_t z = 0; z < vs->nr_zones; z++)
		for (unsigned o = 0; o < no; o++)
			knr[o] += vs->zones[z].nr_free[o];
	json_orders(&j, "kernel_blocks_by_order", knr, no);
	json_orders(&j, "pcp_pages_by_order", ps->sets.pcp_pages_by_order, no);
	mw_json_object_end(&j);

	mw_json_key(&j, "compound");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "heads", c->compound_heads);
	mw_json_kv_uint(&j, "tails", c->compound_tails);
	mw_json_kv_uint(&j, "thp_folios", c->thp_folios);
	mw_json_kv_uint(&j, "thp_pages", c->thp_pages);
	mw_json_kv_uint(&j, "large_folios", c->large_folios);
	mw_json_kv_uint(&j, "large_folio_pages", c->large_folio_pages);
	mw_json_key(&j, "heads_by_order");
	mw_json_object_begin(&j);
	for (unsigned o = 1; o < MW_MAX_FOLIO_ORDER; o++)
		if (c->folios_by_order[o]) {
			char k[8];
			snprintf(k, sizeof(k), "%u", o);
			mw_json_kv_uint(&j, k, c->folios_by_order[o]);
		}
	mw_json_object_end(&j);
	mw_json_object_end(&j);

	mw_json_key(&j, "hugetlb");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "folios", c->hugetlb_folios);
	mw_json_kv_uint(&j, "free_pages", c->hugetlb_free_pages);
	mw_json_kv_uint(&j, "used_pages", c->hugetlb_used_pages);
	mw_json_object_end(&j);

	mw_json_key(&j, "zpool_detail");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "zsmalloc_pages", c->zpool_pages[MW_ZPOOL_ZSMALLOC]);
	mw_json_kv_uint(&j, "z3fold_pages", c->zpool_pages[MW_ZPOOL_Z3FOLD]);
	mw_json_kv_uint(&j, "zbud_pages", c->zpool_pages[MW_ZPOOL_ZBUD]);
	mw_json_object_end(&j);

	mw_json_key(&j, "unaccounted_detail");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "memcg_charged_pages", c->kmem_charged_pages);
	mw_json_kv_uint(&j, "movable_ops_pages", c->movable_ops_pages);
	mw_json_kv_uint(&j, "zero_refcount_pages", c->zero_ref_pages);
	mw_json_object_end(&j);
	json_unaccounted(&j, &a->unaccounted);
	mw_json_key(&j, "slab_detail");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "large_kmalloc_pages", c->large_kmalloc_pages);
	mw_json_object_end(&j);
	mw_json_key(&j, "anon_detail");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "unmapped_pages", c->anon_unmapped_pages);
	mw_json_kv_uint(&j, "swapcache_pages", c->swapcache_pages);
	mw_json_object_end(&j);
	mw_json_kv_uint(&j, "dirty_pages", c->dirty_pages);
	mw_json_kv_uint(&j, "writeback_pages", c->writeback_pages);
	mw_json_kv_uint(&j, "content_excluded_pages", c->content_excluded_pages);
	if (c->content_excluded_pages) {	/* what the dump's filter left out, by kind */
		mw_json_key(&j, "content_excluded");
		json_categories(&j, c->content_excluded, 1);
	}
	mw_json_kv_uint(&j, "inconsistent_pages", c->bad_pages);

	mw_json_key(&j, "lists");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "slab_caches", ps->sets.nr_caches);
	mw_json_kv_uint(&j, "task_stacks", ps->sets.nr_tasks);
	mw_json_kv_uint(&j, "vmap_areas", ps->sets.nr_vmap_areas);
	mw_json_kv_uint(&j, "vmalloc_pages", ps->sets.vmalloc_alloc_pages);
	mw_json_kv_uint(&j, "percpu_chunks", ps->sets.nr_percpu_chunks);
	mw_json_kv_uint(&j, "pcp_pages", ps->sets.pcp_list_pages);
	mw_json_object_end(&j);

	mw_json_key(&j, "nodes");
	mw_json_array_begin(&j);
	for (size_t n = 0; n < vs->nr_nodes; n++) {
		const struct mw_node *node = &vs->nodes[n];
		mw_json_object_begin(&j);
		mw_json_kv_int(&j, "node", node->id);
		mw_json_kv_uint(&j, "start_pfn", node->start_pfn);
		mw_json_kv_uint(&j, "spanned_pages", node->spanned_pages);
		mw_json_kv_uint(&j, "present_pages", node->present_pages);
		mw_json_key(&j, "zones");
		mw_json_array_begin(&j);
		for (size_t z = 0; z < vs->nr_zones; z++) {
			const struct mw_zone *zone = &vs->zones[z];
			if (zone->node != node->id)
				continue;
			mw_json_object_begin(&j);
			mw_json_kv_string(&j, "zone", zone->name);
			mw_json_kv_uint(&j, "start_pfn", zone->start_pfn);
			mw_json_kv_uint(&j, "spanned_pages", zone->spanned_pages);
			mw_json_kv_uint(&j, "present_pages", zone->present_pages);
			mw_json_kv_uint(&j, "managed_pages", zone->managed_pages);
			mw_json_key(&j, "categories");
			json_categories(&j, ps->zone_counts[z].pages, 1);
			json_orders(&j, "free_blocks_by_order", ps->zone_counts[z].free_blocks, no);
			json_orders(&j, "kernel_free_blocks_by_order", zone->nr_free, no);
			mw_json_kv_uint(&j, "kernel_pcp_pages", zone->pcp_count);
			int fi = mw_vmstat_zone_item(vs, "NR_FREE_PAGES");
			if (fi >= 0)
				mw_json_kv_int(&j, "kernel_free_pages", zone->stat[fi]);
			mw_json_object_end(&j);
		}
		mw_json_array_end(&j);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_key(&j, "outside_zones");
	json_categories(&j, ps->zone_counts[vs->nr_zones].pages, 1);

	mw_json_key(&j, "counters");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < s->nr_counters; i++) {
		const struct mw_counter_cmp *cc = &s->counters[i];
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "name", cc->name);
		mw_json_kv_string(&j, "kernel_counter", cc->kernel);
		mw_json_kv_string(&j, "scan", cc->scan);
		mw_json_kv_uint(&j, "scan_pages", cc->scan_pages);
		mw_json_kv_uint_or_null(&j, "kernel_pages", cc->available, cc->kernel_pages);
		mw_json_kv_int_or_null(&j, "difference_pages", cc->available, cc->difference);
		mw_json_key(&j, "difference_percent");
		if (cc->available)
			mw_json_double(&j, cc->percent);
		else
			mw_json_null(&j);
		mw_json_kv_bool(&j, "flagged", cc->flagged);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);

	mw_json_key(&j, "memcgs");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < ps->nr_memcgs; i++) {
		mw_json_object_begin(&j);
		mw_json_kv_addr(&j, "memcg", ps->memcgs[i].memcg);
		mw_json_key(&j, "categories");
		json_categories(&j, ps->memcgs[i].pages, 1);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	json_scan(&j, ps, ctx->opt.no_timing);
	mw_render_json_end(ctx, &j);
}


/* The free blocks by order as three rows under the orders: columns as wide
 * as the widest figure, in as many blocks of orders as keep every line
 * within 100 columns (16 KiB pages have 12 orders, a big machine 7-digit
 * counts) */
static void text_free_blocks(FILE *o, const struct mw_scan_counts *c,
			     const struct mw_vmstat *vs, const struct mw_pagescan *ps, unsigned no)
{
	enum { LABEL = 20, WIDTH = 100 };
	uint64_t rows[3][MW_MAX_ORDERS];
	int w = 2;

	for (unsigned i = 0; i < no; i++) {
		uint64_t k = 0;
		for (size_t z = 0; z < vs->nr_zones; z++)
			k += vs->zones[z].nr_free[i];
		rows[0][i] = c->free_blocks[i];
		rows[1][i] = k;
		rows[2][i] = ps->sets.pcp_pages_by_order[i] >> i;
		for (int r = 0; r < 3; r++) {
			int d = snprintf(NULL, 0, "%" PRIu64, rows[r][i]);
			if (d > w)
				w = d;
		}
	}
	unsigned per = (unsigned)((WIDTH - LABEL) / (w + 1));
	if (per == 0)
		per = 1;
	static const char *const label[3] = { "  scan", "  kernel nr_free", "  per-CPU lists" };
	for (unsigned from = 0; from < no; from += per) {
		unsigned to = from + per < no ? from + per : no;
		fprintf(o, "\n%-*s", LABEL, from ? "" : "FREE BLOCKS BY ORDER");
		for (unsigned i = from; i < to; i++)
			fprintf(o, " %*u", w, i);
		for (int r = 0; r < 3; r++) {
			fprintf(o, "\n%-*s", LABEL, label[r]);
			for (unsigned i = from; i < to; i++)
				fprintf(o, " %*" PRIu64, w, rows[r][i]);
		}
		fprintf(o, "\n");
	}
	fprintf(o, "\n");
}

static void pages_text(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_pagescan *ps = a->ps;
	const struct mw_summary *s = a->summary;
	FILE *o = ctx->out;
	const struct mw_scan_counts *c = &ps->c;
	const struct mw_vmstat *vs = &ps->vmstat;
	unsigned no = ps->layout.nr_orders < MW_MAX_ORDERS ? ps->layout.nr_orders : MW_MAX_ORDERS;
	char h[32];
	mw_human_bytes(ps->total_pages * ps->page_size, h, sizeof(h));
	struct mw_para para;
	FILE *po = mw_para_begin(o, &para);
	fprintf(po, "%s: Linux %s, %" PRIu64 " struct pages (%s) in %zu memory sections",
		ctx->dump_path, release(ps), ps->total_pages, h, ps->nr_sections);
	if (!ctx->opt.no_timing)
		fprintf(po, ", scanned in %.2f s by %u thread%s", ps->seconds, ps->threads,
			ps->threads == 1 ? "" : "s");
	fprintf(po, "\n");
	mw_para_end(&para, 2);
	fprintf(o, "\n");
	fprintf(o, "%-20s %10s\n", "CATEGORY", "PAGES");
	for (size_t i = 0; i < sizeof(row_order) / sizeof(row_order[0]); i++)
		fprintf(o, "%-20s %10" PRIu64 "\n", mw_page_category_label(row_order[i]),
			c->pages[row_order[i]]);
	fprintf(o, "%-20s %10" PRIu64 "\n", "total", ps->total_pages);

	fprintf(o, "\n%-19s %10s %10s %9s  %s\n", "SCAN VS KERNEL", "SCAN", "KERNEL", "DIFF",
		"KERNEL COUNTER");
	bool flagged = false;
	for (size_t i = 0; i < s->nr_counters; i++) {
		const struct mw_counter_cmp *cc = &s->counters[i];
		if (!cc->available) {
			fprintf(o, "%-19s %10" PRIu64 " %10s %9s  %s (not in this kernel)\n",
				cc->name, cc->scan_pages, "-", "-", cc->kernel);
			continue;
		}
		/* the mark beside DIFF, explained below: within 100 columns */
		fprintf(o, "%-19s %10" PRIu64 " %10" PRIu64 " %+9" PRId64 "%s%s\n", cc->name,
			cc->scan_pages, cc->kernel_pages, cc->difference, cc->flagged ? " * " : "  ",
			cc->kernel);
		flagged |= cc->flagged;
	}
	if (flagged)
		fprintf(o, "(* the scan and the kernel differ by more than 1%%)\n");

	text_free_blocks(o, c, vs, ps, no);
	fprintf(mw_para_begin(o, &para), "compound pages: %" PRIu64 " heads, %" PRIu64
		" tails; THP: %" PRIu64 " folios (%" PRIu64 " pages); other large folios: %" PRIu64
		" (%" PRIu64 " pages)\n", c->compound_heads, c->compound_tails, c->thp_folios, c->thp_pages,
		c->large_folios, c->large_folio_pages);
	mw_para_end(&para, 2);
	fprintf(o, "hugetlb: %" PRIu64 " folios, %" PRIu64 " pages free, %" PRIu64 " in use\n",
		c->hugetlb_folios, c->hugetlb_free_pages, c->hugetlb_used_pages);
	if (c->pages[MW_PAGE_ZPOOL])
		fprintf(o, "zram/zswap pool: %" PRIu64 " zsmalloc pages, %" PRIu64 " z3fold, %"
			PRIu64 " zbud\n", c->zpool_pages[MW_ZPOOL_ZSMALLOC],
			c->zpool_pages[MW_ZPOOL_Z3FOLD], c->zpool_pages[MW_ZPOOL_ZBUD]);
	fprintf(o, "unaccounted: %" PRIu64 " pages charged to a memcg, %" PRIu64
		" non-LRU movable, %" PRIu64 " with refcount 0\n", c->kmem_charged_pages,
		c->movable_ops_pages, c->zero_ref_pages);
	text_unaccounted(o, &a->unaccounted, ps->page_size);
	fprintf(o, "slab_unreclaimable: %" PRIu64 " pages taken for kmalloc_large()\n",
		c->large_kmalloc_pages);
	fprintf(o, "file and shmem: %" PRIu64 " dirty, %" PRIu64 " under writeback\n",
		c->dirty_pages, c->writeback_pages);
	if (c->content_excluded_pages) {
		fprintf(o, "contents not in the dump (struct page present): %" PRIu64 " pages",
			c->content_excluded_pages);
		/* by kind, wrapped within 100 columns */
		size_t col = 100;
		const char *sep = ":";
		for (int k = 0; k < MW_PAGE_NR_CATEGORIES; k++) {
			if (!c->content_excluded[k])
				continue;
			char item[64];
			int n = snprintf(item, sizeof(item), "%s %s %" PRIu64, sep,
					 mw_page_category_name((enum mw_page_category)k),
					 c->content_excluded[k]);
			if (n < 0)
				continue;
			if (col + (size_t)n > 98) {
				fprintf(o, "%s\n  %s", sep[0] == ',' ? sep : "", item + strlen(sep) + 1);
				col = 2 + (size_t)n - strlen(sep) - 1;
			} else {
				fputs(item, o);
				col += (size_t)n;
			}
			sep = ",";
		}
		fputc('\n', o);
	}
	if (c->inferred_pages)
		fprintf(o, "struct pages not in the dump (-e), counted from the kernel's "
			"counters: %" PRIu64 " pages\n", c->inferred_pages);

	static const enum mw_page_category zcols[] = { MW_PAGE_FREE, MW_PAGE_ANON,
		MW_PAGE_FILE, MW_PAGE_SHMEM, MW_PAGE_SLAB_RECLAIMABLE,
		MW_PAGE_SLAB_UNRECLAIMABLE, MW_PAGE_RESERVED, MW_PAGE_UNACCOUNTED };
	static const char *const zhead[] = { "free", "anon", "file", "shmem", "slab_r",
		"slab_u", "reserved", "unacc." };
	enum { NZC = sizeof(zcols) / sizeof(zcols[0]) };
	/* columns as wide as their header or widest number, so that the
	 * table fits 100 columns unless a zone has billions of pages */
	int wname = 13, wspan = 7, wman = 7, wc[NZC];
	for (size_t i = 0; i < NZC; i++)
		wc[i] = (int)strlen(zhead[i]);
	for (size_t z = 0; z <= vs->nr_zones; z++) {
		char num[32];
		if (z < vs->nr_zones) {
			int n = snprintf(num, sizeof(num), "node %d %s", vs->zones[z].node,
					 vs->zones[z].name);
			wname = n > wname ? n : wname;
			n = snprintf(num, sizeof(num), "%" PRIu64, vs->zones[z].spanned_pages);
			wspan = n > wspan ? n : wspan;
			n = snprintf(num, sizeof(num), "%" PRIu64, vs->zones[z].managed_pages);
			wman = n > wman ? n : wman;
		}
		for (size_t i = 0; i < NZC; i++) {
			int n = snprintf(num, sizeof(num), "%" PRIu64,
					 ps->zone_counts[z].pages[zcols[i]]);
			wc[i] = n > wc[i] ? n : wc[i];
		}
	}
	fprintf(o, "\n%-*s %*s %*s", wname, "ZONE", wspan, "SPANNED", wman, "MANAGED");
	for (size_t i = 0; i < NZC; i++)
		fprintf(o, " %*s", wc[i], zhead[i]);
	fputc('\n', o);
	for (size_t z = 0; z <= vs->nr_zones; z++) {
		char name[32];
		if (z < vs->nr_zones)
			snprintf(name, sizeof(name), "node %d %s", vs->zones[z].node, vs->zones[z].name);
		else
			snprintf(name, sizeof(name), "outside zones");
		uint64_t any = 0;
		for (int k = 0; k < MW_PAGE_NR_CATEGORIES; k++)
			any += ps->zone_counts[z].pages[k];
		if (z == vs->nr_zones && !any)
			continue;
		if (z < vs->nr_zones)
			fprintf(o, "%-*s %*" PRIu64 " %*" PRIu64, wname, name, wspan,
				vs->zones[z].spanned_pages, wman, vs->zones[z].managed_pages);
		else
			fprintf(o, "%-*s %*s %*s", wname, name, wspan, "-", wman, "-");
		for (size_t i = 0; i < NZC; i++)
			fprintf(o, " %*" PRIu64, wc[i], ps->zone_counts[z].pages[zcols[i]]);
		fputc('\n', o);
	}
	if (ps->nr_memcgs)
		fprintf(o, "\n%zu memory cgroups own pages (per-memcg counts with --json)\n",
			ps->nr_memcgs);
	mw_render_text_warnings(ctx);
}

const struct mw_renderer mw_pages_renderer = { .text = pages_text, .json = pages_json };
