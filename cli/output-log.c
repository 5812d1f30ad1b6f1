/* memwhere log: the kernel's log rendered like dmesg, or as JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "cli/incident.h"
#include "cli/log.h"
#include "common/json.h"

/* One line of a record's text: bytes as the console writes them, control
 * characters (but tab) escaped as \xNN as dmesg does. */
static void put_line(FILE *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			fprintf(o, "\\x%02x", c);
		else
			fputc(c, o);
	}
}

/* "[%5lu.%06lu] " before every line of the record, as the console prints it */
static void render_text(struct mw_context *ctx, const struct mw_log *log,
			unsigned max_level)
{
	FILE *o = ctx->out;
	for (size_t i = 0; i < log->nr; i++) {
		const struct mw_log_record *r = &log->v[i];
		if (r->level > max_level)
			continue;
		const char *t = log->text + r->text_off, *end = t + r->text_len;
		uint64_t sec = r->ts_nsec / 1000000000u;
		uint64_t usec = r->ts_nsec % 1000000000u / 1000u;
		do {
			const char *nl = t;
			while (nl < end && *nl != '\n')
				nl++;
			fprintf(o, "[%5" PRIu64 ".%06" PRIu64 "] ", sec, usec);
			put_line(o, t, (size_t)(nl - t));
			fputc('\n', o);
			t = nl + 1;
		} while (t < end);
	}
	mw_render_text_warnings(ctx);
}

static void render_json(struct mw_context *ctx, const struct mw_log *log,
			const struct mw_incident *in, unsigned max_level)
{
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_string(&j, "level", mw_log_level_name(max_level));
	mw_json_key(&j, "ring");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "descriptors", log->count);
	mw_json_kv_uint(&j, "text_bytes", log->text_size);
	mw_json_kv_uint_or_null(&j, "first_seq", log->seq_known, log->first_seq);
	mw_json_kv_uint_or_null(&j, "next_seq", log->seq_known, log->next_seq);
	mw_json_object_end(&j);
	mw_json_key(&j, "dropped");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "overwritten", log->overwritten);
	mw_json_kv_uint(&j, "unfinished", log->unfinished);
	mw_json_kv_uint(&j, "no_text", log->no_text);
	mw_json_kv_uint(&j, "lost", log->lost);
	mw_json_kv_uint(&j, "reserve_failed", log->reserve_failed);
	mw_json_key(&j, "lost_seqs");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < log->nr_lost_ranges; i++) {
		mw_json_array_begin(&j);
		mw_json_uint(&j, log->lost_ranges[i].first);
		mw_json_uint(&j, log->lost_ranges[i].last);
		mw_json_array_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_object_end(&j);
	mw_json_key(&j, "records");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < log->nr; i++) {
		const struct mw_log_record *r = &log->v[i];
		if (r->level > max_level)
			continue;
		char caller[16];
		mw_log_caller(r->caller_id, caller, sizeof(caller));
		mw_json_object_begin(&j);
		mw_json_kv_uint(&j, "seq", r->seq);
		mw_json_kv_uint(&j, "ts_nsec", r->ts_nsec);
		mw_json_kv_uint(&j, "level", r->level);
		mw_json_kv_uint(&j, "facility", r->facility);
		mw_json_kv_string(&j, "caller", caller);
		mw_json_kv_bool(&j, "cont", (r->flags & MW_PRINTK_LOG_CONT) != 0);
		mw_json_key(&j, "text");
		mw_json_string_n(&j, log->text + r->text_off, r->text_len);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	if (in) {
		mw_json_kv_string_or_null(&j, "panic", in->has_panic ? in->panic : NULL);
		mw_json_key(&j, "oom");
		mw_json_array_begin(&j);
		for (size_t i = 0; i < in->nr_reports; i++)
			mw_json_oom_report(&j, &in->reports[i], in->panic_on_oom);
		mw_json_array_end(&j);
	}
	mw_render_json_end(ctx, &j);
}

void mw_render_log(struct mw_context *ctx, const struct mw_log *log,
		   const struct mw_incident *in, unsigned max_level)
{
	if (ctx->opt.json)
		render_json(ctx, log, in, max_level);
	else
		render_text(ctx, log, max_level);
}
