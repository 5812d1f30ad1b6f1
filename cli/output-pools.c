/* memwhere: rendering of `pools`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "cli/findings.h"
#include "cli/pools.h"
#include "cli/render-util.h"
#include "common/json.h"

/* What memwhere does not read, said plainly. */
static const char GPU_UNSUPPORTED[] =
	"DMA-BUF buffers and DRM/TTM GPU memory: not supported";

static size_t rows_of(const struct mw_context *ctx, size_t nr)
{
	return ctx->opt.top && nr > ctx->opt.top ? ctx->opt.top : nr;
}

static void text_hugetlb(FILE *o, struct mw_context *ctx, const struct mw_pools *p)
{
	if (!p->have_hugetlb) {
		fprintf(o, "hugetlb: not in this kernel\n");
		return;
	}
	fprintf(o, "hugetlb pools\n%-12s %8s %8s %8s %8s %10s  %s\n", "SIZE", "PAGES", "FREE", "RESV",
		"SURPLUS", "BYTES", "PER NODE (pages/free/surplus)");
	for (size_t i = 0; i < p->nr_hstates; i++) {
		const struct mw_hstate *h = &p->hstates[i];
		char sz[32], by[32];
		mw_human_bytes(h->page_bytes, sz, sizeof(sz));
		mw_human_bytes(h->nr * h->page_bytes, by, sizeof(by));
		fprintf(o, "%-12s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %10s ",
			sz, h->nr, h->free, h->resv, h->surplus, by);
		for (size_t n = 0; n < h->nr_nodes; n++)
			fprintf(o, " node%d %" PRIu64 "/%" PRIu64 "/%" PRIu64, h->nodes[n].node,
				h->nodes[n].nr, h->nodes[n].free, h->nodes[n].surplus);
		fprintf(o, "%s\n", h->gigantic ? "  (gigantic)" : "");
	}
	if (!p->files_read)
		return;
	char tb[32];
	mw_human_bytes(p->file_bytes, tb, sizeof(tb));
	fprintf(o, "\nhugetlb holders: %zu hugetlbfs files hold %s%s\n", p->nr_files, tb,
		p->files_incomplete ? " (incomplete)" : "");
	size_t rows = rows_of(ctx, p->nr_files);
	if (!rows)
		return;
	fprintf(o, "%-10s %-10s %-6s %10s  %s\n", "BYTES", "PAGE", "KIND", "SIZE", "PATH");
	for (size_t i = 0; i < rows; i++) {
		const struct mw_hugetlb_file *f = &p->files[i];
		char b[32], pg[32], s[32];
		mw_human_bytes(f->bytes, b, sizeof(b));
		mw_human_bytes(f->size, s, sizeof(s));
		if (f->page_bytes)
			mw_human_bytes(f->page_bytes, pg, sizeof(pg));
		else
			snprintf(pg, sizeof(pg), "?");
		fprintf(o, "%-10s %-10s %-6s %10s  %s%s\n", b, pg, mw_hugetlb_file_kind_name(f->kind),
			s, f->path, f->unlinked ? " (deleted)" : "");
	}
	if (rows < p->nr_files)
		fprintf(o, "... %zu more files (--top 0 lists all)\n", p->nr_files - rows);
}

static void text_hugetlb_procs(FILE *o, struct mw_context *ctx, const struct mw_pools *p)
{
	char b[32];
	if (p->files_read && !p->files_incomplete) {
		mw_human_bytes(p->private_bytes, b, sizeof(b));
		fprintf(o, "in use by private mappings (anonymous MAP_HUGETLB, MAP_PRIVATE): %s\n", b);
	}
	if (!p->procs_read)
		return;
	size_t rows = rows_of(ctx, p->nr_procs);
	fprintf(o, "\nprocesses mapping hugetlb pages (HugetlbPages): %zu\n", p->nr_procs);
	if (rows)
		fprintf(o, "%-10s %8s  %s\n", "BYTES", "PID", "COMM");
	for (size_t i = 0; i < rows; i++) {
		mw_human_bytes(p->procs[i].bytes, b, sizeof(b));
		fprintf(o, "%-10s %8" PRId32 "  %s\n", b, p->procs[i].pid, p->procs[i].comm);
	}
	if (rows < p->nr_procs)
		fprintf(o, "... %zu more processes (--top 0 lists all)\n", p->nr_procs - rows);
}

/* The devices' mm_stat, with zramctl's column names. */
static void text_zram_stats(FILE *o, const struct mw_pools *p)
{
	bool any = false;
	for (size_t i = 0; i < p->nr_zram; i++)
		any |= p->zram[i].stats_known;
	if (any) {
		/* within 100 columns: counts of pages need no more than 6 */
		fprintf(o, "  %-8s %10s %10s %6s %10s %10s %10s %6s %6s  %s\n", "NAME", "DATA",
			"COMPR", "RATIO", "TOTAL", "MEM-LIMIT", "MEM-MAX", "SAME", "HUGE",
			"ALGORITHM");
		for (size_t i = 0; i < p->nr_zram; i++) {
			const struct mw_zram_dev *d = &p->zram[i];
			if (!d->stats_known)
				continue;
			char data[32], compr[32], total[32] = "?", limit[32] = "none", max[32],
			     ratio[16] = "-";
			mw_human_bytes(d->orig_data_size, data, sizeof(data));
			mw_human_bytes(d->compr_data_size, compr, sizeof(compr));
			if (d->pool_known)
				mw_human_bytes(d->mem_used_total, total, sizeof(total));
			if (d->mem_limit)
				mw_human_bytes(d->mem_limit, limit, sizeof(limit));
			mw_human_bytes(d->mem_used_max, max, sizeof(max));
			if (d->orig_data_size)
				snprintf(ratio, sizeof(ratio), "%.2f",
					 (double)d->compr_data_size / (double)d->orig_data_size);
			fprintf(o, "  %-8s %10s %10s %6s %10s %10s %10s %6" PRIu64 " %6" PRIu64 "  %s\n",
				d->name, data, compr, ratio, total, limit, max, d->same_pages,
				d->huge_pages, d->comp_algorithm[0] ? d->comp_algorithm : "?");
		}
		fprintf(o, "  (DATA: orig_data_size, COMPR: compr_data_size, TOTAL: mem_used_total,\n"
			"  the zsmalloc pages: /sys/block/zramN/mm_stat)\n");
	}
	if (p->zram_stats_why[0]) {	/* the reason may be long: wrapped */
		struct mw_para para;
		fprintf(mw_para_begin(o, &para), "  mm_stat not read: %s\n", p->zram_stats_why);
		mw_para_end(&para, 2);
	}
}

static void text_compressed(FILE *o, const struct mw_pools *p)
{
	char b[32];
	fputc('\n', o);
	if (p->have_zspages) {
		mw_human_bytes(p->zspages * p->page_size, b, sizeof(b));
		fprintf(o, "zsmalloc: %" PRIu64 " pages (%s): zram's and zswap's compressed data "
			"(nr_zspages)\n", p->zspages, b);
		if (p->zspages)
			fprintf(o, "  (the summary's \"zram/zswap pool\" row, as the page scan finds them)\n");
	} else {
		fprintf(o, "zsmalloc: not in this kernel (or its module is not loaded)\n");
	}
	if (p->have_zram_walk) {
		fprintf(o, "zram: %zu devices", p->nr_zram);
		for (size_t i = 0; i < p->nr_zram; i++) {
			mw_human_bytes(p->zram[i].disksize, b, sizeof(b));
			fprintf(o, "%s %s disksize %s", i ? "," : ":", p->zram[i].name, b);
		}
		fputc('\n', o);
		text_zram_stats(o, p);
	} else if (p->zram_stats_why[0]) {
		struct mw_para para;
		fprintf(mw_para_begin(o, &para), "zram: devices not listed: %s\n",
			p->zram_stats_why);
		mw_para_end(&para, 2);
	}
	if (!p->have_zswap) {
		fprintf(o, "zswap: not in this kernel\n");
	} else if (p->zswap_pool_known) {
		char s[32];
		mw_human_bytes(p->zswap_pool_pages * p->page_size, b, sizeof(b));
		mw_human_bytes(p->zswap_stored_pages * p->page_size, s, sizeof(s));
		fprintf(o, "zswap: pool %s (Zswap)%s%s, %" PRIu64 " pages stored, %s before "
			"compression (Zswapped)\n", b, p->zswap_zpool[0] ? " in " : "",
			p->zswap_zpool, p->zswap_stored_pages, s);
	} else {
		fprintf(o, "zswap: %" PRIu64 " pages stored; the pool's size not read\n",
			p->zswap_stored_pages);
	}
}

static void text_cma(FILE *o, const struct mw_pools *p)
{
	fputc('\n', o);
	if (!p->have_cma) {
		fprintf(o, "CMA: not in this kernel\n");
		return;
	}
	char t[32];
	mw_human_bytes(p->cma_pages * p->page_size, t, sizeof(t));
	fprintf(o, "CMA: %zu areas, %s (CmaTotal)\n", p->nr_cma, t);
	for (size_t i = 0; i < p->nr_cma; i++) {
		const struct mw_cma_area *a = &p->cma[i];
		char s[32], u[32];
		mw_human_bytes(a->pages * p->page_size, s, sizeof(s));
		mw_human_bytes(a->used_pages * p->page_size, u, sizeof(u));
		fprintf(o, "  %-20s pfn 0x%-10" PRIx64 " %10s, %s in use%s\n", a->name[0] ? a->name : "?",
			a->base_pfn, s, a->used_known ? u : "? (bitmap not read)",
			strncmp(a->name, "hugetlb", 7) == 0 ? " (hugetlb_cma: backs gigantic hugetlb pages)" : "");
	}
}

static bool says_hugetlb(const struct mw_pools *p)
{
	for (size_t i = 0; i < p->nr_hstates; i++)
		if (p->hstates[i].nr)
			return true;
	return p->nr_files > 0;
}

static bool says_compressed(const struct mw_pools *p)
{
	return p->zspages || p->nr_zram || (p->have_zswap && p->zswap_stored_pages);
}

bool mw_pools_say_something(const struct mw_pools *p)
{
	return says_hugetlb(p) || says_compressed(p) || p->nr_cma;
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_pools *p = &an->pools;
	FILE *o = ctx->out;
	if (ctx->in_report) {	/* only the parts that say something */
		if (says_hugetlb(p)) {
			text_hugetlb(o, ctx, p);
			text_hugetlb_procs(o, ctx, p);
		}
		if (says_compressed(p)) {
			text_compressed(o, p);
		}
		if (p->nr_cma)
			text_cma(o, p);
		return;
	}
	text_hugetlb(o, ctx, p);
	if (p->have_hugetlb)
		text_hugetlb_procs(o, ctx, p);
	text_compressed(o, p);
	text_cma(o, p);
	fprintf(o, "\n%s\n", GPU_UNSUPPORTED);
	size_t it = 0;
	const struct mw_finding *f;
	while (!ctx->in_report && (f = mw_findings_next(&an->findings, MW_RESULT_POOLS, &it)))
		mw_text_finding(o, f, MW_FINDING_PARAGRAPH);
	mw_render_text_warnings(ctx);
}

static void json_hugetlb(struct mw_json *j, struct mw_context *ctx, const struct mw_pools *p)
{
	mw_json_key(j, "hugetlb");
	mw_json_object_begin(j);
	mw_json_kv_bool(j, "present", p->have_hugetlb);
	mw_json_key(j, "hstates");
	mw_json_array_begin(j);
	for (size_t i = 0; i < p->nr_hstates; i++) {
		const struct mw_hstate *h = &p->hstates[i];
		mw_json_object_begin(j);
		mw_json_kv_string(j, "name", h->name);
		mw_json_kv_uint(j, "order", h->order);
		mw_json_kv_uint(j, "page_bytes", h->page_bytes);
		mw_json_kv_uint(j, "nr_hugepages", h->nr);
		mw_json_kv_uint(j, "free_hugepages", h->free);
		mw_json_kv_uint(j, "resv_hugepages", h->resv);
		mw_json_kv_uint(j, "surplus_hugepages", h->surplus);
		mw_json_kv_bool(j, "gigantic", h->gigantic);
		mw_json_key(j, "nodes");
		mw_json_array_begin(j);
		for (size_t n = 0; n < h->nr_nodes; n++) {
			mw_json_object_begin(j);
			mw_json_kv_int(j, "node", h->nodes[n].node);
			mw_json_kv_uint(j, "nr_hugepages", h->nodes[n].nr);
			mw_json_kv_uint(j, "free_hugepages", h->nodes[n].free);
			mw_json_kv_uint(j, "surplus_hugepages", h->nodes[n].surplus);
			mw_json_object_end(j);
		}
		mw_json_array_end(j);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_kv_bool(j, "files_read", p->files_read);
	mw_json_kv_bool(j, "files_complete", p->files_read && !p->files_incomplete);
	mw_json_kv_uint(j, "file_bytes", p->file_bytes);
	mw_json_kv_uint(j, "nr_files", p->nr_files);
	mw_json_key(j, "files");
	mw_json_array_begin(j);
	for (size_t i = 0; i < rows_of(ctx, p->nr_files); i++) {
		const struct mw_hugetlb_file *f = &p->files[i];
		mw_json_object_begin(j);
		mw_json_kv_string(j, "path", f->path);
		mw_json_kv_string(j, "kind", mw_hugetlb_file_kind_name(f->kind));
		mw_json_kv_uint(j, "bytes", f->bytes);
		mw_json_kv_uint(j, "size", f->size);
		mw_json_kv_uint_or_null(j, "page_bytes", f->page_bytes != 0, f->page_bytes);
		mw_json_kv_uint(j, "ino", f->ino);
		mw_json_kv_bool(j, "deleted", f->unlinked);
		mw_json_kv_addr(j, "inode", f->inode);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_kv_uint_or_null(j, "private_bytes", p->files_read && !p->files_incomplete,
				p->private_bytes);
	mw_json_kv_bool(j, "processes_read", p->procs_read);
	mw_json_key(j, "processes");
	mw_json_array_begin(j);
	for (size_t i = 0; i < rows_of(ctx, p->nr_procs); i++) {
		mw_json_object_begin(j);
		mw_json_kv_int(j, "pid", p->procs[i].pid);
		mw_json_kv_string(j, "comm", p->procs[i].comm);
		mw_json_kv_uint(j, "bytes", p->procs[i].bytes);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_object_end(j);
}

static void json_compressed(struct mw_json *j, const struct mw_pools *p)
{
	mw_json_kv_uint_or_null(j, "zsmalloc_pages", p->have_zspages, p->zspages);
	mw_json_key(j, "zram");
	mw_json_object_begin(j);
	mw_json_kv_bool(j, "listed", p->have_zram_walk);
	mw_json_key(j, "devices");
	mw_json_array_begin(j);
	for (size_t i = 0; i < p->nr_zram; i++) {
		mw_json_object_begin(j);
		const struct mw_zram_dev *d = &p->zram[i];
		mw_json_kv_string(j, "name", d->name);
		mw_json_kv_uint(j, "disksize", d->disksize);
		mw_json_kv_string_or_null(j, "comp_algorithm",
					  d->comp_algorithm[0] ? d->comp_algorithm : NULL);
		mw_json_key(j, "mm_stat");
		if (!d->stats_known) {
			mw_json_null(j);
		} else {
			mw_json_object_begin(j);
			mw_json_kv_uint(j, "orig_data_size", d->orig_data_size);
			mw_json_kv_uint(j, "compr_data_size", d->compr_data_size);
			mw_json_kv_uint_or_null(j, "mem_used_total", d->pool_known, d->mem_used_total);
			mw_json_kv_uint(j, "mem_limit", d->mem_limit);
			mw_json_kv_uint(j, "mem_used_max", d->mem_used_max);
			mw_json_kv_uint(j, "same_pages", d->same_pages);
			mw_json_kv_uint_or_null(j, "pages_compacted", d->pool_known, d->pages_compacted);
			mw_json_kv_uint(j, "huge_pages", d->huge_pages);
			mw_json_kv_uint_or_null(j, "huge_pages_since", d->has_huge_pages_since,
						d->huge_pages_since);
			mw_json_object_end(j);
		}
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_kv_string_or_null(j, "mm_stat_not_read",
				  p->zram_stats_why[0] ? p->zram_stats_why : NULL);
	mw_json_object_end(j);
	mw_json_key(j, "zswap");
	mw_json_object_begin(j);
	mw_json_kv_bool(j, "present", p->have_zswap);
	mw_json_kv_uint_or_null(j, "pool_pages", p->zswap_pool_known, p->zswap_pool_pages);
	mw_json_kv_uint_or_null(j, "stored_pages", p->have_zswap, p->zswap_stored_pages);
	mw_json_kv_string_or_null(j, "zpool", p->zswap_zpool[0] ? p->zswap_zpool : NULL);
	mw_json_object_end(j);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_pools *p = &an->pools;
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_uint(&j, "page_size", p->page_size);
	json_hugetlb(&j, ctx, p);
	json_compressed(&j, p);
	mw_json_key(&j, "cma");
	mw_json_object_begin(&j);
	mw_json_kv_bool(&j, "present", p->have_cma);
	mw_json_kv_uint(&j, "pages", p->cma_pages);
	mw_json_key(&j, "areas");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < p->nr_cma; i++) {
		const struct mw_cma_area *a = &p->cma[i];
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "name", a->name);
		mw_json_kv_uint(&j, "base_pfn", a->base_pfn);
		mw_json_kv_uint(&j, "pages", a->pages);
		mw_json_kv_uint_or_null(&j, "used_pages", a->used_known, a->used_pages);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_object_end(&j);
	mw_json_key(&j, "unsupported");
	mw_json_array_begin(&j);
	mw_json_string(&j, GPU_UNSUPPORTED);
	mw_json_array_end(&j);
	mw_json_findings_of(&j, &an->findings, MW_RESULT_POOLS);
	mw_render_json_end(ctx, &j);
}

const struct mw_renderer mw_pools_renderer = { render_text, render_json };
