/* memwhere report's default text: the answer on one screen.
 *
 * The dump in two lines, what happened, the findings (as many in full as
 * fit), where RAM went, and the commands that show the rest: at most
 * BRIEF_LINES lines, findings wrapped to the terminal's width (80 when
 * not a terminal). `report --full` prints every section instead.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/findings.h"
#include "cli/incident.h"
#include "cli/render-util.h"

enum {
	BRIEF_LINES = 50,	/* the whole answer, warnings aside */
	SEV_COL = 11,		/* "  critical " */
};

/* One piece of text rendered into memory, to count its lines first. */
struct piece {
	char *text;
	size_t len;
	FILE *f;
};

static FILE *piece_open(struct piece *p)
{
	p->text = NULL;
	p->len = 0;
	p->f = open_memstream(&p->text, &p->len);
	return p->f;
}

static void piece_close(struct piece *p)
{
	if (p->f)
		fclose(p->f);
	p->f = NULL;
}

/* How a finding is shown: in full, without its advice, or its title alone. */
enum shape { SHAPE_FULL, SHAPE_EVIDENCE, SHAPE_TITLE, NR_SHAPES };

/* The command that shows more of what a finding is about. */
static const char *command_of(const struct mw_finding *f)
{
	switch (mw_finding_result(f->kind)) {
	case MW_RESULT_FILES: return "files";
	case MW_RESULT_MEMCG: return "memcg";
	case MW_RESULT_SOCKETS: return "sockets";
	case MW_RESULT_SLAB: return "slab";
	case MW_RESULT_BPF: return "bpf";
	case MW_RESULT_INCIDENT: return "log";
	default: return "pages";
	}
}

/* "memwhere CMD DUMP" (or "memwhere live CMD"), the path quoted for a shell
 * when it needs it; malloc'd. */
static char *command_line(const struct mw_context *ctx, const char *cmd)
{
	struct mw_str q = { 0 };
	const char *p = ctx->dump_path;
	if (ctx->live)
		mw_str_printf(&q, "memwhere live %s", cmd);
	else if (p[strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789/._+,:@%=-")] == '\0')
		mw_str_printf(&q, "memwhere %s %s", cmd, p);
	else {
		mw_str_printf(&q, "memwhere %s '", cmd);
		for (; *p; p++)
			if (*p == '\'')
				mw_str_printf(&q, "'\\''");
			else
				mw_str_printf(&q, "%c", *p);
		mw_str_printf(&q, "'");
	}
	return mw_str_take(&q);
}

static size_t finding_text(FILE *o, const struct mw_context *ctx, const struct mw_finding *f,
			   enum shape shape, size_t width)
{
	struct mw_finding_words w;
	if (o)
		fprintf(o, "  %-8s ", mw_severity_name(f->severity));
	if (!mw_finding_words(f, &w)) {
		if (o)
			fprintf(o, "%s (out of memory)\n", mw_finding_id(f->kind));
		return 1;
	}
	size_t lines = 0;
	if (shape == SHAPE_TITLE) {
		struct mw_str t = { 0 };
		mw_str_printf(&t, "%s (more: memwhere %s%s)", w.title, ctx->live ? "live " : "",
			      command_of(f));
		char *title = mw_str_take(&t);
		lines += mw_wrap(o, title ? title : w.title, SEV_COL, SEV_COL, width);
		free(title);
		mw_finding_words_deinit(&w);
		return lines;
	}
	lines += mw_wrap(o, w.title, SEV_COL, SEV_COL, width);
	if (w.evidence[0]) {
		if (o)
			fprintf(o, "%*s", SEV_COL, "");
		lines += mw_wrap(o, w.evidence, SEV_COL, SEV_COL, width);
	}
	if (shape == SHAPE_FULL && w.advice[0]) {
		if (o)
			fprintf(o, "%*s-> ", SEV_COL, "");
		lines += mw_wrap(o, w.advice, SEV_COL + 3, SEV_COL + 3, width);
	}
	char *more = command_line(ctx, command_of(f));
	if (more && SEV_COL + 6 + mw_text_cols(more, strlen(more)) > width) {
		free(more);	/* the dump's path is in the first lines */
		struct mw_str m = { 0 };
		mw_str_printf(&m, "memwhere %s%s", ctx->live ? "live " : "", command_of(f));
		more = mw_str_take(&m);
	}
	if (more) {
		if (o)
			fprintf(o, "%*smore: ", SEV_COL, "");
		lines += mw_wrap(o, more, SEV_COL + 6, SEV_COL + 6, width);
	}
	free(more);
	mw_finding_words_deinit(&w);
	return lines;
}

static size_t count_lines(const struct piece *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->len; i++)
		n += p->text[i] == '\n';
	return n;
}

/* "What happened" cut to its first paragraph (the panic) when the answer
 * would not fit one screen with the first finding's evidence: the OOM
 * report's lines are in that finding and in report --full */
static void what_panic_only(struct piece *what)
{
	static const char more[] = "  (the OOM report: report --full)\n";
	const char *head = what->text ? strstr(what->text, "== What happened\n") : NULL;
	char *gap = head ? strstr(head, "\n\n") : NULL;
	if (!gap || !gap[2])
		return;
	size_t keep = (size_t)(gap - what->text) + 1;
	char *t = realloc(what->text, keep + sizeof(more));
	if (!t)
		return;
	memcpy(t + keep, more, sizeof(more));
	what->text = t;
	what->len = keep + sizeof(more) - 1;
}

void mw_render_brief(struct mw_context *ctx, const struct mw_analysis *a)
{
	FILE *o = ctx->out;
	size_t width = (size_t)mw_text_width();
	struct piece head, what, table, foot;
	bool ok = piece_open(&head) && piece_open(&what) && piece_open(&table) &&
		  piece_open(&foot);
	if (!ok) {
		piece_close(&head);
		piece_close(&what);
		piece_close(&table);
		piece_close(&foot);
		free(head.text);
		free(what.text);
		free(table.text);
		free(foot.text);
		fprintf(o, "memwhere: out of memory\n");
		return;
	}

	/* the dump, in two lines */
	struct piece raw;
	if (piece_open(&raw)) {
		mw_render_info_brief(ctx, raw.f, a->summary->total_bytes);
		piece_close(&raw);
		mw_wrap_lines(head.f, raw.text ? raw.text : "", 4, width);
		free(raw.text);
	}
	piece_close(&head);

	/* what happened: the panic and the OOM report (its finding is listed
	 * first below) */
	if (a->have & MW_RESULT_INCIDENT && piece_open(&raw)) {
		FILE *saved = ctx->out;
		ctx->out = raw.f;
		ctx->brief = true;
		mw_incident_renderer.text(ctx, a);
		ctx->brief = false;
		ctx->out = saved;
		piece_close(&raw);
		fprintf(what.f, "\n== What happened\n");
		mw_wrap_lines(what.f, raw.text ? raw.text : "", 4, width);
		free(raw.text);
	}
	piece_close(&what);

	fprintf(table.f, "\n== Where the memory went\n");
	mw_summary_table_text(table.f, a);
	piece_close(&table);

	char *full = command_line(ctx, "report --full");
	struct mw_str s = { 0 };
	mw_str_printf(&s, "More: %s (every section), or memwhere memcg, tasks, files, sockets, "
		      "slab, vmalloc, log or pages (one each); --json, --html FILE.",
		      full ? full : "memwhere report --full");
	free(full);
	char *footer = mw_str_take(&s);
	fprintf(foot.f, "\n");
	mw_wrap(foot.f, footer ? footer : "", 0, 0, width);
	free(footer);
	piece_close(&foot);

	/* the findings: each as fully as the lines left allow, keeping its
	 * title for every one after it; the first keeps its evidence */
	size_t nf = a->findings.nr;
	size_t *title = calloc(nf ? nf : 1, sizeof(*title));
	size_t *after = calloc(nf + 1, sizeof(*after));	/* least lines of i.. */
	if (!title || !after) {
		free(title);
		free(after);
		title = after = NULL;
		nf = 0;
	}
	for (size_t i = 0; i < nf; i++)
		title[i] = finding_text(NULL, ctx, &a->findings.v[i],
					i ? SHAPE_TITLE : SHAPE_EVIDENCE, width);
	size_t fixed = count_lines(&head) + count_lines(&what) + count_lines(&table) +
		       count_lines(&foot) + 2;	/* blank line, "== Findings" */
	if (nf && fixed + title[0] + (nf > 1) > BRIEF_LINES)
		what_panic_only(&what);	/* the first finding says who asked */
	fixed = count_lines(&head) + count_lines(&what) + count_lines(&table) +
		count_lines(&foot) + 2;
	size_t budget = fixed < BRIEF_LINES ? BRIEF_LINES - fixed : 0;
	for (size_t i = nf; i-- > 0;)
		after[i] = after[i + 1] + title[i];
	/* too many findings for even a line each: the first ones, and a count */
	size_t shown = nf;
	while (shown > 1 && after[0] - after[shown] + (shown < nf) > budget)
		shown--;
	if (shown < nf && budget)
		budget--;	/* the "N more" line */

	fputs(head.text ? head.text : "", o);
	fputs(what.text ? what.text : "", o);
	fprintf(o, "\n== Findings\n");
	if (!nf)
		fprintf(o, "  nothing stands out\n");
	size_t used = 0;
	enum shape least = SHAPE_FULL;	/* a finding is never shown more than one before it */
	for (size_t i = 0; i < shown; i++) {
		const struct mw_finding *f = &a->findings.v[i];
		size_t reserve = after[i + 1] - after[shown];
		enum shape sh = i ? SHAPE_TITLE : SHAPE_EVIDENCE;
		for (int k = least; k < (int)sh; k++)
			if (used + finding_text(NULL, ctx, f, (enum shape)k, width) + reserve <= budget) {
				sh = (enum shape)k;
				break;
			}
		least = sh;
		used += finding_text(o, ctx, f, sh, width);
	}
	if (shown < nf)
		fprintf(o, "  ... %zu more finding%s (report --full)\n", nf - shown,
			nf - shown == 1 ? "" : "s");
	free(title);
	free(after);
	fputs(table.text ? table.text : "", o);
	fputs(foot.text ? foot.text : "", o);
	free(head.text);
	free(what.text);
	free(table.text);
	free(foot.text);
}
