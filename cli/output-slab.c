/* memwhere: rendering of `slab`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "cli/findings.h"
#include "cli/render-util.h"
#include "cli/slab.h"
#include "common/json.h"

enum { NAME_COLS = 23 };

/* name in NAME_COLS columns, padded; a longer one keeps its ends. */
static void put_name(FILE *o, const char *name)
{
	size_t cols = mw_text_cols(name, strlen(name));
	if (cols > NAME_COLS) {
		mw_put_fit(o, name, NAME_COLS);
		return;
	}
	fprintf(o, "%s%*s", name, (int)(NAME_COLS - cols), "");
}

static size_t rows_of(const struct mw_context *ctx, size_t nr)
{
	return ctx->opt.top && nr > ctx->opt.top ? ctx->opt.top : nr;
}

/* The names SLUB merged into the caches shown: one line per cache. */
static void text_aliases(FILE *o, const struct mw_slab *s, size_t rows)
{
	size_t shown = 0;
	for (size_t i = 0; i < rows; i++) {
		const struct mw_slab_cache_info *c = &s->caches[i];
		if (!c->nr_aliases)
			continue;
		if (!shown++)
			fprintf(o, "\nMerged into the caches above (SLUB gave these names an "
				"existing cache):\n");
		struct mw_para para;
		FILE *po = mw_para_begin(o, &para);
		fprintf(po, "  %-28s", c->name);
		for (size_t n = 0; n < c->nr_aliases; n++)
			fprintf(po, "%s%s", n ? ", " : " <- ", s->aliases[c->first_alias + n].name);
		fprintf(po, "\n");
		mw_para_end(&para, 32);
	}
	if (s->aliases_known && !s->aliases_complete)
		fprintf(o, "  (the /sys/kernel/slab tree in the dump broke: some names may be missing)\n");
}

enum { MEMCG_ROWS = 5 };	/* memcgs under each cache in the text */

/* Caches with objects charged to --memcg's subtree (ranked first). */
static size_t split_caches(const struct mw_slab *s)
{
	size_t n = 0;
	while (n < s->nr && s->caches[n].memcg_objects)
		n++;
	return n;
}

/* --memcg: per cache, the objects charged to the subtree, by memcg. */
static void text_split(struct mw_context *ctx, const struct mw_slab *s)
{
	FILE *o = ctx->out;
	char b[32], all[32];
	size_t nr = split_caches(s), rows = rows_of(ctx, nr);
	mw_human_bytes(s->memcg_bytes, b, sizeof(b));
	fprintf(o, "Slab objects charged to %s and below: %s, %" PRIu64 " objects in %zu caches\n",
		s->memcg_top ? s->memcg_top : "?", b, s->memcg_objects, nr);
	fprintf(o, "(from the obj_cgroup vectors of the slab pages; bytes as the kernel charges"
		" them:\nSIZE plus one pointer per object)\n");
	if (s->memcg_objects_unattributed)
		fprintf(o, "%" PRIu64 " charged objects could not be attributed (see the warnings)\n",
			s->memcg_objects_unattributed);
	if (!rows)
		return;
	/* CHARGED: bytes charged to the subtree; ALL: the cache's slabs */
	fprintf(o, "\n%9s %8s %-*s %6s %9s  %s\n", "CHARGED", "OBJECTS", (int)NAME_COLS, "CACHE",
		"SIZE", "ALL", "FLAGS");
	for (size_t i = 0; i < rows; i++) {
		const struct mw_slab_cache_info *c = &s->caches[i];
		mw_human_bytes(c->memcg_bytes, b, sizeof(b));
		mw_human_bytes(c->bytes, all, sizeof(all));
		fprintf(o, "%9s %8" PRIu64 " ", b, c->memcg_objects);
		put_name(o, c->name);
		fprintf(o, " %6" PRIu64 " %9s%s%s%s%s\n", c->size, all,
			c->reclaimable || c->accounted ? "  " : "", c->reclaimable ? "recl" : "",
			c->reclaimable && c->accounted ? "," : "", c->accounted ? "acct" : "");
		size_t shown = c->nr_memcgs < MEMCG_ROWS ? c->nr_memcgs : MEMCG_ROWS;
		for (size_t m = 0; m < shown; m++) {
			const struct mw_slab_memcg *r = &s->memcgs[c->first_memcg + m];
			mw_human_bytes(r->bytes, b, sizeof(b));
			fprintf(o, "%9s %8" PRIu64 "   ", b, r->objects);
			mw_put_fit(o, r->path ? r->path : "?", 78);
			fprintf(o, "\n");
		}
		if (c->nr_memcgs > shown)
			fprintf(o, "%18s   ... %zu more memory cgroups\n", "", c->nr_memcgs - shown);
	}
	if (rows < nr)
		fprintf(o, "... %zu more caches (--top 0 lists all)\n", nr - rows);
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_slab *s = &a->slab;
	FILE *o = ctx->out;
	if (s->memcg_split) {
		text_split(ctx, s);
		mw_render_text_warnings(ctx);
		return;
	}
	char tot[32], rec[32];
	mw_human_bytes(s->total_bytes, tot, sizeof(tot));
	mw_human_bytes(s->reclaimable_bytes, rec, sizeof(rec));
	fprintf(o, "Slab: %s in %zu caches (%s reclaimable)%s\n", tot, s->nr, rec,
		s->incomplete ? ", list incomplete" : "");
	if (s->dentry.known) {
		fprintf(o, "Dentries: %" PRId64 " (%" PRId64 " unused", s->dentry.nr_dentry,
			s->dentry.nr_unused);
		if (s->dentry.negative_known)
			fprintf(o, ", %" PRId64 " negative", s->dentry.nr_negative);
		fprintf(o, ")\n");
	}
	size_t rows = rows_of(ctx, s->nr);
	if (rows) {
		/* Within 100 columns: a long name keeps its two ends; flags
		 * in short words (recl: reclaimable, acct: accounted,
		 * incomp: its slab lists broke). */
		fprintf(o, "\n%9s %-*s %6s %6s %7s %7s %6s %5s %5s %s\n",
			"BYTES", (int)NAME_COLS, "CACHE", "OBJSZ", "SIZE", "ACTIVE", "TOTAL",
			"SLABS", "PG/SL", "OB/SL", "FLAGS");
		for (size_t i = 0; i < rows; i++) {
			const struct mw_slab_cache_info *c = &s->caches[i];
			char b[32], fl[48];
			mw_human_bytes(c->bytes, b, sizeof(b));
			snprintf(fl, sizeof(fl), "%s%s%s%s%s", c->reclaimable ? "recl" : "",
				 c->reclaimable && c->accounted ? "," : "",
				 c->accounted ? "acct" : "",
				 c->incomplete && (c->reclaimable || c->accounted) ? "," : "",
				 c->incomplete ? "incomp" : "");
			fprintf(o, "%9s ", b);
			put_name(o, c->name);
			fprintf(o, " %6" PRIu64 " %6" PRIu64 " %7" PRIu64 " %7" PRIu64
				" %6" PRIu64 " %5" PRIu32 " %5" PRIu32 "%s%s\n",
				c->object_size, c->size, c->objects_active,
				c->objects_total, c->slabs, c->pages_per_slab, c->objects_per_slab,
				fl[0] ? " " : "", fl);
		}
		if (rows < s->nr)
			fprintf(o, "... %zu more (--top 0 lists all)\n", s->nr - rows);
		text_aliases(o, s, rows);
	}
	size_t it = 0;
	const struct mw_finding *f;
	while (!ctx->in_report && (f = mw_findings_next(&a->findings, MW_RESULT_SLAB, &it)))
		mw_text_finding(o, f, MW_FINDING_PARAGRAPH);
	mw_render_text_warnings(ctx);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_slab *s = &a->slab;
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_uint(&j, "total_bytes", s->total_bytes);
	mw_json_kv_uint(&j, "reclaimable_bytes", s->reclaimable_bytes);
	mw_json_kv_uint(&j, "nr_caches", s->nr);
	mw_json_kv_bool(&j, "complete", !s->incomplete);
	mw_json_kv_string_or_null(&j, "slab_struct", s->layout);
	mw_json_key(&j, "dentry_state");
	if (s->dentry.known) {
		mw_json_object_begin(&j);
		mw_json_kv_int(&j, "nr_dentry", s->dentry.nr_dentry);
		mw_json_kv_int(&j, "nr_unused", s->dentry.nr_unused);
		mw_json_kv_int_or_null(&j, "nr_negative", s->dentry.negative_known,
				       s->dentry.nr_negative);
		mw_json_object_end(&j);
	} else {
		mw_json_null(&j);
	}
	mw_json_kv_bool(&j, "aliases_known", s->aliases_known);
	mw_json_kv_bool(&j, "aliases_complete", s->aliases_known && s->aliases_complete);
	mw_json_kv_uint(&j, "nr_aliases", s->nr_aliases);
	mw_json_key(&j, "memcg");
	if (s->memcg_split) {
		mw_json_object_begin(&j);
		mw_json_kv_string_or_null(&j, "path", s->memcg_top);
		mw_json_kv_uint(&j, "objects", s->memcg_objects);
		mw_json_kv_uint(&j, "bytes", s->memcg_bytes);
		mw_json_kv_uint(&j, "nr_caches", split_caches(s));
		mw_json_kv_uint(&j, "unattributed_objects", s->memcg_objects_unattributed);
		mw_json_object_end(&j);
	} else {
		mw_json_null(&j);
	}
	mw_json_key(&j, "caches");
	mw_json_array_begin(&j);
	size_t rows = rows_of(ctx, s->memcg_split ? split_caches(s) : s->nr);
	for (size_t i = 0; i < rows; i++) {
		const struct mw_slab_cache_info *c = &s->caches[i];
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "name", c->name);
		mw_json_kv_addr(&j, "address", c->addr);
		mw_json_kv_uint(&j, "object_size", c->object_size);
		mw_json_kv_uint(&j, "size", c->size);
		mw_json_kv_uint(&j, "objects_active", c->objects_active);
		mw_json_kv_uint(&j, "objects_total", c->objects_total);
		mw_json_kv_uint(&j, "slabs", c->slabs);
		mw_json_kv_uint(&j, "pages_per_slab", c->pages_per_slab);
		mw_json_kv_uint(&j, "objects_per_slab", c->objects_per_slab);
		mw_json_kv_uint(&j, "sheaf_capacity", c->sheaf_capacity);
		mw_json_kv_uint(&j, "bytes", c->bytes);
		mw_json_kv_uint(&j, "partial_slabs", c->partial_slabs);
		mw_json_kv_bool(&j, "reclaimable", c->reclaimable);
		mw_json_kv_bool(&j, "accounted", c->accounted);
		mw_json_kv_bool(&j, "complete", !c->incomplete);
		mw_json_kv_string_or_null(&j, "sysfs_name", c->sysfs_name[0] ? c->sysfs_name : NULL);
		mw_json_key(&j, "aliases");
		if (s->aliases_known) {
			mw_json_array_begin(&j);
			for (size_t n = 0; n < c->nr_aliases; n++)
				mw_json_string(&j, s->aliases[c->first_alias + n].name);
			mw_json_array_end(&j);
		} else {
			mw_json_null(&j);
		}
		if (s->memcg_split) {
			mw_json_kv_uint(&j, "memcg_objects", c->memcg_objects);
			mw_json_kv_uint(&j, "memcg_bytes", c->memcg_bytes);
			mw_json_key(&j, "memcgs");
			mw_json_array_begin(&j);
			for (size_t m = 0; m < c->nr_memcgs; m++) {
				const struct mw_slab_memcg *r = &s->memcgs[c->first_memcg + m];
				mw_json_object_begin(&j);
				mw_json_kv_string_or_null(&j, "path", r->path);
				mw_json_kv_addr(&j, "address", r->memcg);
				mw_json_kv_uint(&j, "objects", r->objects);
				mw_json_kv_uint(&j, "bytes", r->bytes);
				mw_json_object_end(&j);
			}
			mw_json_array_end(&j);
		}
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_findings_of(&j, &a->findings, MW_RESULT_SLAB);
	mw_render_json_end(ctx, &j);
}

const struct mw_renderer mw_slab_renderer = { render_text, render_json };
