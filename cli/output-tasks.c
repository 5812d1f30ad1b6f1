/* memwhere: rendering of `tasks`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/render-util.h"
#include "analyzer/analysis.h"
#include "cli/tasks.h"
#include "common/json.h"

enum {
	TEXT_WIDTH = 100,	/* the text table fits this many columns */
	COMM_WIDTH = 15,
};

static const char *memcg_path(const struct mw_analysis *an, uint64_t memcg)
{
	if (!an->have_tree || !memcg)
		return NULL;
	ptrdiff_t i = mw_memcg_find_addr(&an->tree, memcg);
	return i >= 0 ? an->tree.memcgs[i].path : NULL;
}

/* a row's counters are pages of its kernel's size */
static uint64_t pages_bytes(const struct mw_task_info *t, int64_t pages)
{
	return pages > 0 ? (uint64_t)pages * t->page_size : 0;
}

/* Rows shown: --top N of them (0 = all). */
static size_t shown(const struct mw_context *ctx, size_t nr)
{
	return ctx->opt.top == 0 || ctx->opt.top > nr ? nr : (size_t)ctx->opt.top;
}

static void json_task(struct mw_json *j, const struct mw_task_info *t,
		      const struct mw_analysis *an)
{
	mw_json_object_begin(j);
	mw_json_kv_int(j, "pid", t->t.pid);
	mw_json_kv_int(j, "ppid", t->ppid);
	mw_json_kv_string(j, "comm", t->t.comm);
	char st[2] = { t->state, '\0' };
	mw_json_kv_string(j, "state", st);
	mw_json_kv_uint_or_null(j, "uid", t->has_uid, t->uid);
	mw_json_kv_string_or_null(j, "memcg", memcg_path(an, t->memcg));
	mw_json_kv_int_or_null(j, "threads", t->threads >= 0, t->threads);
	mw_json_key(j, "rss");
	if (t->has_mm) {
		mw_json_object_begin(j);
		mw_json_kv_uint(j, "anon", pages_bytes(t, t->rss[MW_RSS_ANON]));
		mw_json_kv_uint(j, "file", pages_bytes(t, t->rss[MW_RSS_FILE]));
		mw_json_kv_uint(j, "shmem", pages_bytes(t, t->rss[MW_RSS_SHMEM]));
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_kv_uint_or_null(j, "rss_bytes", t->has_mm, mw_task_rss_bytes(t));
	/* the part of rss that is per-CPU or per-thread deltas (can be < 0) */
	mw_json_key(j, "rss_unfolded");
	if (t->has_mm) {
		mw_json_object_begin(j);
		mw_json_kv_int(j, "anon", t->rss_delta[MW_RSS_ANON] * (int64_t)t->page_size);
		mw_json_kv_int(j, "file", t->rss_delta[MW_RSS_FILE] * (int64_t)t->page_size);
		mw_json_kv_int(j, "shmem", t->rss_delta[MW_RSS_SHMEM] * (int64_t)t->page_size);
		mw_json_kv_int(j, "swap", t->rss_delta[MW_RSS_SWAP] * (int64_t)t->page_size);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_kv_uint_or_null(j, "swap_bytes", t->has_mm, pages_bytes(t, t->rss[MW_RSS_SWAP]));
	mw_json_kv_uint_or_null(j, "pagetables_bytes", t->has_mm && t->has_pgtables,
				t->pgtables_bytes);
	mw_json_kv_uint_or_null(j, "vm_bytes", t->has_mm, t->total_vm_pages * t->page_size);
	mw_json_kv_int_or_null(j, "oom_score_adj", t->has_oom, t->oom_score_adj);
	mw_json_kv_string_or_null(j, "cmdline", t->cmdline);
	mw_json_kv_bool(j, "kernel_thread", t->kernel_thread);
	mw_json_kv_addr(j, "address", t->t.addr);
	mw_json_object_end(j);
}

struct totals {
	size_t processes, kthreads;
	uint64_t rss[MW_RSS_NR];
	uint64_t pgtables;
};

static void totals(const struct mw_task_list *l, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < l->nr; i++) {
		const struct mw_task_info *ti = &l->v[i];
		if (ti->kernel_thread || ti->t.pid == 0)
			t->kthreads++;
		else
			t->processes++;
		if (!ti->has_mm)
			continue;
		for (int c = 0; c < MW_RSS_NR; c++)
			t->rss[c] += pages_bytes(ti, ti->rss[c]);
		t->pgtables += ti->pgtables_bytes;
	}
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_task_list *l = &an->tasks;
	const char *memcg_filter = an->memcg_path;
	struct mw_json j;
	struct totals tot;
	totals(l, &tot);
	mw_render_json_begin(ctx, &j);
	mw_json_kv_string_or_null(&j, "memcg_filter", memcg_filter);
	mw_json_kv_uint(&j, "processes", tot.processes);
	mw_json_kv_uint(&j, "kernel_threads", tot.kthreads);
	mw_json_kv_bool(&j, "walk_complete", !l->truncated);
	mw_json_kv_string(&j, "rss_counters", l->rss_percpu ? "percpu_counter" : "atomic");
	mw_json_kv_uint(&j, "cpus_summed", l->nr_cpus);
	mw_json_kv_uint(&j, "rss_anon_bytes", tot.rss[MW_RSS_ANON]);
	mw_json_kv_uint(&j, "rss_file_bytes", tot.rss[MW_RSS_FILE]);
	mw_json_kv_uint(&j, "rss_shmem_bytes", tot.rss[MW_RSS_SHMEM]);
	mw_json_kv_uint(&j, "swap_bytes", tot.rss[MW_RSS_SWAP]);
	mw_json_kv_uint(&j, "pagetables_bytes", tot.pgtables);
	mw_json_key(&j, "tasks");
	mw_json_array_begin(&j);
	size_t n = shown(ctx, l->nr);
	for (size_t i = 0; i < n; i++)
		json_task(&j, &l->v[i], an);
	mw_json_array_end(&j);
	mw_json_kv_uint(&j, "tasks_not_listed", l->nr - n);
	mw_render_json_end(ctx, &j);
}

/* A size in at most 8 columns: "4.0 KiB", "99.9 MiB", "180 MiB". */
static void size_col(FILE *o, bool known, uint64_t b, int width)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	char h[32];
	if (!known) {
		fprintf(o, " %*s", width, "-");
		return;
	}
	double v = (double)b;
	size_t u = 0;
	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(h, sizeof(h), "%" PRIu64 " B", b);
	else if (v < 99.95)
		snprintf(h, sizeof(h), "%.1f %s", v, units[u]);
	else
		snprintf(h, sizeof(h), "%.0f %s", v, units[u]);
	fprintf(o, " %*s", width, h);
}

/* The memcg path in at most width columns: its tail, cut on the left. */
static void path_col(FILE *o, const char *path, int width, bool utf8)
{
	if (!path)
		path = "?";
	size_t len = strlen(path);
	if ((int)len <= width || width < 4) {
		fprintf(o, " %s", path);
		return;
	}
	fprintf(o, " %s%s", utf8 ? "\u2026" : "<", path + len - (size_t)(width - 1));
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_task_list *l = &an->tasks;
	const char *memcg_filter = an->memcg_path;
	FILE *o = ctx->out;
	bool utf8 = mw_utf8_locale();
	struct totals tot;
	char a[32], f[32], s[32], w[32], p[32];
	totals(l, &tot);
	struct mw_para para;
	FILE *po = mw_para_begin(o, &para);
	fprintf(po, "%s: %zu processes, %zu kernel threads", ctx->dump_path,
		tot.processes, tot.kthreads);
	if (memcg_filter)
		fprintf(po, " in memory cgroup %s", memcg_filter);
	fputc('\n', po);
	mw_para_end(&para, 2);
	mw_human_bytes(tot.rss[MW_RSS_ANON], a, sizeof(a));
	mw_human_bytes(tot.rss[MW_RSS_FILE], f, sizeof(f));
	mw_human_bytes(tot.rss[MW_RSS_SHMEM], s, sizeof(s));
	mw_human_bytes(tot.rss[MW_RSS_SWAP], w, sizeof(w));
	mw_human_bytes(tot.pgtables, p, sizeof(p));
	fprintf(o, "RSS: %s anon, %s file, %s shmem; swap %s; page tables %s\n"
		"(a shared page counts in every process that maps it)\n", a, f, s, w, p);
	if (l->rss_percpu)
		fprintf(o, "RSS counters: per-CPU deltas of %u CPUs folded in\n",
			l->nr_cpus);
	fputc('\n', o);
	enum { W = 8, WP = 8 };
	fprintf(o, "%7s S %*s %*s %*s %*s %*s %*s %-*s %s\n", "PID",
		W, "RSS", W, "ANON", W, "FILE", W, "SHMEM", W, "SWAP", WP, "PGTABLES",
		COMM_WIDTH, "COMM", "MEMCG");
	/* PID, state, five sizes, page tables, comm; the memcg gets the rest */
	int used = 7 + 2 + 5 * (W + 1) + (WP + 1) + 1 + COMM_WIDTH;
	size_t n = shown(ctx, l->nr);
	for (size_t i = 0; i < n; i++) {
		const struct mw_task_info *t = &l->v[i];
		fprintf(o, "%7d %c", t->t.pid, t->state);
		size_col(o, t->has_mm, mw_task_rss_bytes(t), W);
		size_col(o, t->has_mm, pages_bytes(t, t->rss[MW_RSS_ANON]), W);
		size_col(o, t->has_mm, pages_bytes(t, t->rss[MW_RSS_FILE]), W);
		size_col(o, t->has_mm, pages_bytes(t, t->rss[MW_RSS_SHMEM]), W);
		size_col(o, t->has_mm, pages_bytes(t, t->rss[MW_RSS_SWAP]), W);
		size_col(o, t->has_mm && t->has_pgtables, t->pgtables_bytes, WP);
		char comm[MW_TASK_COMM_LEN + 3];
		snprintf(comm, sizeof(comm), t->kernel_thread ? "[%s]" : "%s", t->t.comm);
		fprintf(o, " %-*.*s", COMM_WIDTH, COMM_WIDTH, comm);
		path_col(o, memcg_path(an, t->memcg), TEXT_WIDTH - used - 1, utf8);
		fputc('\n', o);
	}
	if (n < l->nr)
		fprintf(o, "... %zu more (--top 0 lists all)\n", l->nr - n);
	if (l->truncated)
		fprintf(o, "The task list could not be walked to its end (see the warnings).\n");
	mw_render_text_warnings(ctx);
}

const struct mw_renderer mw_tasks_renderer = { render_text, render_json };
