/* memwhere: rendering of `bpf`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "cli/bpf.h"
#include "cli/findings.h"
#include "cli/render-util.h"
#include "common/json.h"

static size_t rows_of(const struct mw_context *ctx, size_t nr)
{
	return ctx->opt.top && nr > ctx->opt.top ? ctx->opt.top : nr;
}

static const char *memcg_path(const struct mw_analysis *an, uint64_t memcg)
{
	if (!an->have_tree || !memcg)
		return NULL;
	ptrdiff_t i = mw_memcg_find_addr(&an->tree, memcg);
	return i >= 0 ? an->tree.memcgs[i].path : NULL;
}

enum { MEMCG_COLUMNS = 22 };	/* the map table within 100 columns */

/* The memcg path's tail in at most MEMCG_COLUMNS columns, "<" where cut. */
static const char *memcg_tail(const char *path, char *buf, size_t len)
{
	size_t n = strlen(path);
	if (n <= MEMCG_COLUMNS)
		return path;
	snprintf(buf, len, "<%s", path + n - (MEMCG_COLUMNS - 1));
	return buf;
}

static void type_text(const char *name, uint32_t type, char *buf, size_t len)
{
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "type %" PRIu32, type);
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_bpf *b = &an->bpf;
	FILE *o = ctx->out;
	char mb[32], pb[32], jb[32];
	mw_human_bytes(b->map_bytes, mb, sizeof(mb));
	mw_human_bytes(b->prog_bytes, pb, sizeof(pb));
	mw_human_bytes(b->jit_bytes, jb, sizeof(jb));
	fprintf(o, "BPF: %zu maps %s%s, %zu programs %s + %s JIT images%s\n", b->nr_maps, mb,
		b->maps_incomplete ? " (incomplete)" : "", b->nr_progs, pb, jb,
		b->progs_incomplete ? " (incomplete)" : "");
	size_t rows = rows_of(ctx, b->nr_maps);
	bool estimated = false;
	if (rows) {
		fprintf(o, "\n%-10s %6s %-16s %-16s %5s %6s %9s  %s\n", "MEMLOCK", "ID", "TYPE",
			"NAME", "KEY", "VALUE", "ENTRIES", "MEMCG");
		for (size_t i = 0; i < rows; i++) {
			const struct mw_bpf_map *m = &b->maps[i];
			char by[32], ty[24];
			mw_human_bytes(m->memlock_bytes, by, sizeof(by));
			type_text(mw_bpf_map_type_name(m->type), m->type, ty, sizeof(ty));
			const char *cg = memcg_path(an, m->memcg);
			char cgb[MEMCG_COLUMNS + 2];
			fprintf(o, "%-9s%s %6" PRIu32 " %-16s %-16s %5" PRIu32 " %6" PRIu32 " %9" PRIu32
				"  %s\n", by, m->exact ? " " : "~", m->id, ty, m->name, m->key_size,
				m->value_size, m->max_entries, memcg_tail(cg ? cg : "-", cgb, sizeof(cgb)));
			estimated |= !m->exact;
		}
		if (rows < b->nr_maps)
			fprintf(o, "... %zu more maps (--top 0 lists all)\n", b->nr_maps - rows);
		if (estimated)
			fprintf(o, "~ estimated: no formula of the kernel's for this map type here\n");
	}
	rows = rows_of(ctx, b->nr_progs);
	if (rows) {
		fprintf(o, "\n%-10s %-10s %6s %-22s %-16s %8s\n", "BYTES", "JIT", "ID", "TYPE", "NAME",
			"JITED");
		for (size_t i = 0; i < rows; i++) {
			const struct mw_bpf_prog *p = &b->progs[i];
			char by[32], jit[32], ty[24];
			mw_human_bytes(p->bytes, by, sizeof(by));
			mw_human_bytes(p->jit_bytes, jit, sizeof(jit));
			type_text(mw_bpf_prog_type_name(p->type), p->type, ty, sizeof(ty));
			fprintf(o, "%-10s %-10s %6" PRIu32 " %-22s %-16s %8" PRIu32 "\n", by,
				p->jit == MW_BPF_JIT_NONE ? "-" : jit, p->id, ty, p->name,
				p->jited_len);
		}
		if (rows < b->nr_progs)
			fprintf(o, "... %zu more programs (--top 0 lists all)\n", b->nr_progs - rows);
	}
	size_t it = 0;
	const struct mw_finding *f;
	while (!ctx->in_report && (f = mw_findings_next(&an->findings, MW_RESULT_BPF, &it)))
		mw_text_finding(o, f, MW_FINDING_PARAGRAPH);
	mw_render_text_warnings(ctx);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_bpf *b = &an->bpf;
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_uint(&j, "map_bytes", b->map_bytes);
	mw_json_kv_uint(&j, "prog_bytes", b->prog_bytes);
	mw_json_kv_uint(&j, "jit_bytes", b->jit_bytes);
	mw_json_kv_uint(&j, "nr_maps", b->nr_maps);
	mw_json_kv_uint(&j, "nr_progs", b->nr_progs);
	mw_json_kv_uint(&j, "possible_cpus", b->possible_cpus);
	mw_json_kv_bool(&j, "complete", !b->maps_incomplete && !b->progs_incomplete);
	mw_json_key(&j, "maps");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < rows_of(ctx, b->nr_maps); i++) {
		const struct mw_bpf_map *m = &b->maps[i];
		const char *ty = mw_bpf_map_type_name(m->type);
		mw_json_object_begin(&j);
		mw_json_kv_uint(&j, "id", m->id);
		mw_json_kv_string(&j, "name", m->name);
		mw_json_kv_uint(&j, "map_type", m->type);
		mw_json_kv_string_or_null(&j, "type", ty);
		mw_json_kv_uint(&j, "key_size", m->key_size);
		mw_json_kv_uint(&j, "value_size", m->value_size);
		mw_json_kv_uint(&j, "max_entries", m->max_entries);
		mw_json_kv_uint(&j, "map_flags", m->map_flags);
		mw_json_kv_uint(&j, "memlock_bytes", m->memlock_bytes);
		mw_json_kv_string(&j, "memory_method", mw_bpf_memory_method_name(m->method));
		mw_json_kv_bool(&j, "memory_exact", m->exact);
		mw_json_kv_string_or_null(&j, "memcg", memcg_path(an, m->memcg));
		mw_json_kv_addr(&j, "address", m->addr);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_key(&j, "programs");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < rows_of(ctx, b->nr_progs); i++) {
		const struct mw_bpf_prog *p = &b->progs[i];
		const char *ty = mw_bpf_prog_type_name(p->type);
		mw_json_object_begin(&j);
		mw_json_kv_uint(&j, "id", p->id);
		mw_json_kv_string(&j, "name", p->name);
		mw_json_kv_uint(&j, "prog_type", p->type);
		mw_json_kv_string_or_null(&j, "type", ty);
		mw_json_kv_uint(&j, "memlock_bytes", p->bytes);
		mw_json_kv_uint(&j, "jited_len", p->jited_len);
		mw_json_kv_uint(&j, "jit_bytes", p->jit_bytes);
		mw_json_kv_string(&j, "jit", mw_bpf_jit_kind_name(p->jit));
		mw_json_kv_addr(&j, "address", p->addr);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_findings_of(&j, &an->findings, MW_RESULT_BPF);
	mw_render_json_end(ctx, &j);
}

const struct mw_renderer mw_bpf_renderer = { render_text, render_json };
