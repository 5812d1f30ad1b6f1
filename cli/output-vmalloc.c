/* memwhere: rendering of `vmalloc`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "analyzer/analysis.h"
#include "cli/render-util.h"
#include "cli/vmalloc.h"
#include "common/json.h"

static size_t rows_of(const struct mw_context *ctx, size_t nr)
{
	return ctx->opt.top && nr > ctx->opt.top ? ctx->opt.top : nr;
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_vmalloc *v = &an->vmalloc;
	FILE *o = ctx->out;
	char tot[32];
	mw_human_bytes(v->total_bytes, tot, sizeof(tot));
	fprintf(o, "Vmalloc: %s in vmalloc'd pages (VmallocUsed), %zu areas, %zu callers%s\n",
		tot, v->nr_areas, v->nr_callers, v->incomplete ? " (incomplete)" : "");
	fprintf(o, "Pages by kind:");
	for (int k = 0; k < MW_VMALLOC_KIND_NR; k++) {
		if (!v->kind_bytes[k])
			continue;
		char b[32];
		mw_human_bytes(v->kind_bytes[k], b, sizeof(b));
		fprintf(o, " %s %s", mw_vmalloc_kind_name((enum mw_vmalloc_kind)k), b);
	}
	fprintf(o, "\n");
	size_t rows = rows_of(ctx, v->nr_callers);
	if (rows) {
		fprintf(o, "\n%-10s %8s %6s %12s %s\n", "BYTES", "PAGES", "AREAS", "ADDR SPACE",
			"CALLER");
		for (size_t i = 0; i < rows; i++) {
			const struct mw_vmalloc_caller *c = &v->callers[i];
			char b[32], s[32];
			mw_human_bytes(c->bytes, b, sizeof(b));
			mw_human_bytes(c->vm_bytes, s, sizeof(s));
			fprintf(o, "%-10s %8" PRIu64 " %6" PRIu64 " %12s %s\n", b, c->pages,
				c->areas, s, c->name);
		}
		if (rows < v->nr_callers)
			fprintf(o, "... %zu more callers (--top 0 lists all)\n",
				v->nr_callers - rows);
	}
	if (v->percpu_known && v->percpu.nr) {
		char b[32];
		mw_human_bytes(v->percpu.bytes, b, sizeof(b));
		fprintf(o, "\nPercpu: %zu chunks, %s populated (%" PRIu64 " units)\n",
			v->percpu.nr, b, v->percpu.units);
		fprintf(o, "%-20s %8s %10s %12s\n", "BASE", "PAGES", "POPULATED", "FREE/UNIT");
		/* pages and populated are per unit (one unit per CPU) */
		for (size_t i = 0; i < v->percpu.nr; i++) {
			const struct mw_percpu_chunk *c = &v->percpu.chunks[i];
			char f[32];
			mw_human_bytes(c->free_bytes, f, sizeof(f));
			fprintf(o, "0x%-18" PRIx64 " %8" PRIu64 " %10" PRIu64 " %12s%s\n", c->base,
				c->pages, c->counted, f,
				c->first ? "  (first chunk, with the static variables)" : "");
		}
	}
	if (v->modules_known && v->modules.nr) {
		char b[32];
		mw_human_bytes(v->modules.total_bytes, b, sizeof(b));
		fprintf(o, "\nModules: %zu loaded, %s (sizes as /proc/modules shows them)\n",
			v->modules.nr, b);
		size_t mrows = rows_of(ctx, v->modules.nr);
		for (size_t i = 0; i < mrows; i++) {
			mw_human_bytes(v->modules.v[i].bytes, b, sizeof(b));
			fprintf(o, "%-10s %s\n", b, v->modules.v[i].name);
		}
		if (mrows < v->modules.nr)
			fprintf(o, "... %zu more modules\n", v->modules.nr - mrows);
	}
	mw_render_text_warnings(ctx);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_vmalloc *v = &an->vmalloc;
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_uint(&j, "total_bytes", v->total_bytes);
	mw_json_kv_uint_or_null(&j, "kernel_counter_bytes", v->kernel_counter_known,
				v->kernel_counter_bytes);
	mw_json_kv_uint(&j, "nr_areas", v->nr_areas);
	mw_json_kv_bool(&j, "complete", !v->incomplete);
	mw_json_key(&j, "kinds");
	mw_json_object_begin(&j);
	for (int k = 0; k < MW_VMALLOC_KIND_NR; k++)
		mw_json_kv_uint(&j, mw_vmalloc_kind_name((enum mw_vmalloc_kind)k), v->kind_bytes[k]);
	mw_json_object_end(&j);
	/* --top N: the areas of the N largest callers */
	size_t rows = rows_of(ctx, v->nr_callers);
	mw_json_key(&j, "areas");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < v->nr_areas; i++) {
		const struct mw_vmalloc_area *a = &v->areas[i];
		if (a->caller >= rows)
			continue;
		mw_json_object_begin(&j);
		mw_json_kv_addr(&j, "start", a->start);
		mw_json_kv_addr(&j, "end", a->end);
		mw_json_kv_uint(&j, "pages", a->pages);
		mw_json_kv_string(&j, "kind", mw_vmalloc_kind_name(a->kind));
		mw_json_kv_string(&j, "caller", v->callers[a->caller].name);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_key(&j, "callers");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < rows; i++) {
		const struct mw_vmalloc_caller *c = &v->callers[i];
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "caller", c->name);
		mw_json_kv_addr(&j, "address", c->address);
		mw_json_kv_uint(&j, "areas", c->areas);
		mw_json_kv_uint(&j, "pages", c->pages);
		mw_json_kv_uint(&j, "bytes", c->bytes);
		mw_json_kv_uint(&j, "vm_bytes", c->vm_bytes);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_key(&j, "percpu");
	if (v->percpu_known) {
		mw_json_object_begin(&j);
		mw_json_kv_uint(&j, "bytes", v->percpu.bytes);
		mw_json_kv_uint_or_null(&j, "kernel_counter_bytes", v->percpu.kernel_counter_known,
					v->percpu.kernel_counter_bytes);
		mw_json_kv_uint(&j, "units", v->percpu.units);
		mw_json_key(&j, "chunks");
		mw_json_array_begin(&j);
		for (size_t i = 0; i < v->percpu.nr; i++) {
			const struct mw_percpu_chunk *c = &v->percpu.chunks[i];
			mw_json_object_begin(&j);
			mw_json_kv_addr(&j, "base", c->base);
			mw_json_kv_uint(&j, "pages", c->pages);
			mw_json_kv_uint(&j, "populated_pages", c->counted);
			mw_json_kv_uint(&j, "free_bytes", c->free_bytes);
			mw_json_kv_bool(&j, "first", c->first);
			mw_json_object_end(&j);
		}
		mw_json_array_end(&j);
		mw_json_object_end(&j);
	} else {
		mw_json_null(&j);
	}
	mw_json_key(&j, "modules");
	if (v->modules_known) {
		mw_json_array_begin(&j);
		for (size_t i = 0; i < v->modules.nr; i++) {
			const struct mw_module *m = &v->modules.v[i];
			mw_json_object_begin(&j);
			mw_json_kv_string(&j, "name", m->name);
			mw_json_kv_addr(&j, "address", m->addr);
			mw_json_kv_uint(&j, "bytes", m->bytes);
			mw_json_kv_uint(&j, "symbols", m->nr_syms);
			mw_json_object_end(&j);
		}
		mw_json_array_end(&j);
	} else {
		mw_json_null(&j);
	}
	mw_render_json_end(ctx, &j);
}

const struct mw_renderer mw_vmalloc_renderer = { render_text, render_json };
