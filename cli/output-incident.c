/* memwhere: rendering of what happened (analyzer/incident.h), text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "cli/findings.h"
#include "cli/incident.h"
#include "cli/render-util.h"
#include "common/format.h"
#include "common/json.h"

enum { BRIEF_KILLS = 3 };	/* earlier OOM kills on the one screen */

static double seconds(uint64_t ts_nsec)
{
	return (double)ts_nsec / 1e9;
}

static void text_victim(FILE *out, const struct mw_oom_victim *v)
{
	char b[3][MW_BYTES_LEN];
	struct mw_para para;
	FILE *o = mw_para_begin(out, &para);
	fprintf(o, "    [%12.6f] killed %s (pid %d): anon %s, file %s, shmem %s%s\n",
		seconds(v->ts_nsec), v->comm, v->pid,
		mw_bytes(v->anon_rss_kb * 1024, MW_BYTES_ROUNDED, b[0]),
		mw_bytes(v->file_rss_kb * 1024, MW_BYTES_ROUNDED, b[1]),
		mw_bytes(v->shmem_rss_kb * 1024, MW_BYTES_ROUNDED, b[2]),
		v->memcg ? " (memory cgroup OOM)" : "");
	mw_para_end(&para, 4);
}

static void text_report(FILE *out, const struct mw_oom_report *r)
{
	char b[2][MW_BYTES_LEN];
	/* within 100 columns: a line goes on 4 columns further in */
	struct mw_para para;
	FILE *o = mw_para_begin(out, &para);
	fprintf(o, "  [%12.6f] %s", seconds(r->ts_nsec), r->comm);
	if (r->pid >= 0)
		fprintf(o, " (pid %d)", r->pid);
	fprintf(o, " invoked the OOM killer: gfp_mask=%s", r->gfp[0] ? r->gfp : "?");
	if (r->order >= 0)
		fprintf(o, ", order %d", r->order);
	fprintf(o, "\n    constraint %s", r->constraint[0] ? r->constraint : "unknown");
	if (r->oom_memcg[0])
		fprintf(o, ", memory cgroup %s", r->oom_memcg);
	if (r->has_usage)
		fprintf(o, ": usage %s of limit %s, failcnt %" PRIu64,
			mw_bytes(r->usage_kb * 1024, MW_BYTES_ROUNDED, b[0]),
			mw_bytes(r->limit_kb * 1024, MW_BYTES_ROUNDED, b[1]), r->failcnt);
	fprintf(o, "\n");
	mw_para_end(&para, 4);
	o = out;
	if (r->has_victim)
		text_victim(o, &r->victim);
	else if (r->panicked)
		fprintf(o, "    no process killed: the kernel panicked (panic_on_oom)\n");
	else
		fprintf(o, "    no process killed (none found in the log)\n");
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *a)
{
	FILE *o = ctx->out;
	const struct mw_incident *in = &a->incident;
	const struct mw_oom_report *oom = mw_incident_oom(in);
	if (in->has_panic) {
		fprintf(o, "  [%12.6f] Kernel panic - not syncing: %s\n", seconds(in->panic_ts_nsec),
			in->panic);
		if (!in->oom_panic && !oom)
			fprintf(o, "  not an out-of-memory panic: the memory picture below is of "
				"that moment\n");
	} else {
		fprintf(o, "  no panic in the kernel's log (a dump of a running kernel, or "
			"taken before any panic message)\n");
	}
	if (oom) {
		fprintf(o, "\n  The OOM report that ended in the panic:\n");
		text_report(o, oom);
	}
	size_t kills = in->nr_reports - (oom ? 1 : 0);
	if (kills && ctx->brief) {
		/* one screen: what each killed (report --full has the rest) */
		fprintf(o, "\n  %s OOM reports in the log (%zu):\n", oom ? "Other" : "Earlier", kills);
		size_t shown = 0;
		for (size_t i = 0; i < in->nr_reports; i++) {
			const struct mw_oom_report *r = &in->reports[i];
			if (r == oom)
				continue;
			if (shown++ == BRIEF_KILLS)
				break;
			if (r->has_victim)
				text_victim(o, &r->victim);
			else
				fprintf(o, "    [%12.6f] %s (pid %d) invoked the OOM killer; no process "
					"killed\n", seconds(r->ts_nsec), r->comm, r->pid);
		}
		if (kills > BRIEF_KILLS)
			fprintf(o, "    ... and %zu more (report --full)\n", kills - BRIEF_KILLS);
	} else if (kills) {
		fprintf(o, "\n  %s OOM reports in the log (%zu):\n", oom ? "Other" : "Earlier", kills);
		for (size_t i = 0; i < in->nr_reports; i++)
			if (&in->reports[i] != oom)
				text_report(o, &in->reports[i]);
	}
	if (in->nr_dropped)
		fprintf(o, "  ... and %zu more OOM reports\n", in->nr_dropped);
	bool head = false;
	for (size_t i = 0; !ctx->brief && a->have_tree && i < a->tree.nr; i++) {
		const struct mw_memcg *m = &a->tree.memcgs[i];
		if (!m->events_known || (!m->oom_events && !m->oom_kill_events))
			continue;
		if (!head)
			fprintf(o, "\n  Memory cgroups whose limit ran the OOM killer (memory.events, "
				"with their children's):\n");
		head = true;
		int n = fprintf(o, "    oom %-4" PRIu64 " oom_kill %-4" PRIu64 " ", m->oom_events,
				m->oom_kill_events);
		/* a long path shortened in the middle, within 100 columns */
		mw_put_fit(o, m->path, n > 0 && n < MW_TEXT_MAX_WIDTH - 24 ?
				       (size_t)(MW_TEXT_MAX_WIDTH - n) : 24);
		fputc('\n', o);
	}
	if (!ctx->brief && a->have_tree && a->tree.events_unread)
		fprintf(o, "\n  memory.events of %zu memory cgroup%s could not be read from the dump"
			" (not counted above)\n", a->tree.events_unread,
			a->tree.events_unread == 1 ? "" : "s");
	/* the one-screen report lists it first among the findings */
	for (size_t i = 0; !ctx->brief && i < a->findings.nr; i++) {
		const struct mw_finding *f = &a->findings.v[i];
		if (mw_finding_result(f->kind) == MW_RESULT_INCIDENT) {
			fprintf(o, "\n");
			mw_text_finding(o, f, MW_FINDING_ARROW);
		}
	}
}

static void json_victim(struct mw_json *j, const struct mw_oom_victim *v)
{
	mw_json_object_begin(j);
	mw_json_kv_int(j, "pid", v->pid);
	mw_json_kv_string(j, "comm", v->comm);
	mw_json_kv_int_or_null(j, "uid", v->uid >= 0, v->uid);
	mw_json_kv_uint(j, "total_vm_bytes", v->total_vm_kb * 1024);
	mw_json_kv_uint(j, "anon_rss_bytes", v->anon_rss_kb * 1024);
	mw_json_kv_uint(j, "file_rss_bytes", v->file_rss_kb * 1024);
	mw_json_kv_uint(j, "shmem_rss_bytes", v->shmem_rss_kb * 1024);
	mw_json_kv_uint(j, "pgtables_bytes", v->pgtables_kb * 1024);
	mw_json_kv_int_or_null(j, "oom_score_adj", v->has_oom_score_adj, v->oom_score_adj);
	mw_json_kv_bool(j, "memcg_oom", v->memcg);
	mw_json_kv_uint(j, "ts_nsec", v->ts_nsec);
	mw_json_object_end(j);
}

void mw_json_oom_report(struct mw_json *j, const struct mw_oom_report *r, bool panic_on_oom)
{
	mw_json_object_begin(j);
	mw_json_key(j, "invoker");
	mw_json_object_begin(j);
	mw_json_kv_int_or_null(j, "pid", r->pid >= 0, r->pid);
	mw_json_kv_string(j, "comm", r->comm);
	mw_json_object_end(j);
	mw_json_kv_string_or_null(j, "gfp", r->gfp[0] ? r->gfp : NULL);
	mw_json_kv_int_or_null(j, "order", r->order >= 0, r->order);
	mw_json_kv_int_or_null(j, "oom_score_adj", r->has_oom_score_adj, r->oom_score_adj);
	mw_json_kv_string_or_null(j, "constraint", r->constraint[0] ? r->constraint : NULL);
	mw_json_kv_string_or_null(j, "memcg", r->oom_memcg[0] ? r->oom_memcg : NULL);
	mw_json_kv_string_or_null(j, "task_memcg", r->task_memcg[0] ? r->task_memcg : NULL);
	mw_json_key(j, "memcg_usage");
	if (r->has_usage) {
		mw_json_object_begin(j);
		mw_json_kv_uint(j, "usage_bytes", r->usage_kb * 1024);
		mw_json_kv_uint(j, "limit_bytes", r->limit_kb * 1024);
		mw_json_kv_uint(j, "failcnt", r->failcnt);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_key(j, "victim");
	if (r->has_victim)
		json_victim(j, &r->victim);
	else
		mw_json_null(j);
	mw_json_kv_bool(j, "panic_on_oom", r->panicked && panic_on_oom);
	mw_json_kv_uint(j, "seq", r->seq);
	mw_json_kv_uint(j, "ts_nsec", r->ts_nsec);
	mw_json_object_end(j);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *a)
{
	struct mw_json j;
	const struct mw_incident *in = &a->incident;
	const struct mw_oom_report *oom = mw_incident_oom(in);
	mw_render_json_begin(ctx, &j);
	mw_json_kv_string_or_null(&j, "panic", in->has_panic ? in->panic : NULL);
	mw_json_kv_uint_or_null(&j, "panic_ts_nsec", in->has_panic, in->panic_ts_nsec);
	mw_json_kv_bool(&j, "oom_panic", in->oom_panic || oom);
	mw_json_key(&j, "oom");
	mw_json_array_begin(&j);
	if (oom)
		mw_json_oom_report(&j, oom, in->panic_on_oom);
	mw_json_array_end(&j);
	mw_json_key(&j, "kills");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < in->nr_reports; i++)
		if (&in->reports[i] != oom)
			mw_json_oom_report(&j, &in->reports[i], false);
	mw_json_array_end(&j);
	mw_json_kv_uint(&j, "reports_dropped", in->nr_dropped);
	mw_json_key(&j, "memcg_events");
	if (a->have_tree && a->tree.have_events) {
		mw_json_array_begin(&j);
		for (size_t i = 0; i < a->tree.nr; i++) {
			const struct mw_memcg *m = &a->tree.memcgs[i];
			if (!m->events_known)
				continue;
			mw_json_object_begin(&j);
			mw_json_kv_string(&j, "path", m->path);
			mw_json_kv_uint(&j, "oom", m->oom_events);
			mw_json_kv_uint(&j, "oom_kill", m->oom_kill_events);
			mw_json_object_end(&j);
		}
		mw_json_array_end(&j);
	} else {
		mw_json_null(&j);
	}
	mw_json_kv_uint_or_null(&j, "memcg_events_unread", a->have_tree && a->tree.have_events,
				a->have_tree ? a->tree.events_unread : 0);
	mw_render_json_end(ctx, &j);
}

const struct mw_renderer mw_incident_renderer = { render_text, render_json };
