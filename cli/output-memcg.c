/* memwhere: rendering of the memory cgroup tree, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/summary.h"
#include "cli/cli.h"
#include "cli/findings.h"
#include "cli/render-util.h"
#include "common/json.h"

enum {
	FILES_SHOWN = 5,	/* files per dying memcg in text */
	LINE_WIDTH = 100,	/* names are shortened in the middle to fit */
	NAME_MIN = 24,		/* columns a name keeps however deep in the tree */
};



/* ---- which memcgs, in which order -------------------------------------- */

struct view {
	const struct mw_memcg_tree *t;
	size_t top;
	size_t *order;		/* shown memcgs, preorder, siblings by usage */
	size_t nr;
	size_t in_subtree;
	size_t omitted;		/* in the subtree, left out by --top */
	bool *last;		/* per memcg: last shown child of its parent */
};

static int by_usage_desc(const void *a, const void *b, void *arg)
{
	const struct mw_memcg_tree *t = arg;
	const struct mw_memcg *x = &t->memcgs[*(const size_t *)a];
	const struct mw_memcg *y = &t->memcgs[*(const size_t *)b];
	if (x->usage_bytes != y->usage_bytes)
		return x->usage_bytes < y->usage_bytes ? 1 : -1;
	return strcmp(x->path, y->path);
}

/* --top N: the N largest memcgs of the subtree and their ancestors. */
static bool view_build(struct view *v, const struct mw_memcg_tree *t, size_t top,
		       unsigned long n)
{
	size_t nr = t->nr;
	size_t *cand = malloc(nr * sizeof(*cand));
	bool *keep = calloc(nr, sizeof(*keep));
	size_t *kids = malloc(nr * sizeof(*kids));
	size_t *stack = malloc(nr * sizeof(*stack));
	size_t *first = malloc(nr * sizeof(*first)), *next = malloc(nr * sizeof(*next));
	size_t *tail = malloc(nr * sizeof(*tail));
	memset(v, 0, sizeof(*v));
	v->t = t;
	v->top = top;
	v->order = malloc(nr * sizeof(*v->order));
	v->last = calloc(nr, sizeof(*v->last));
	if (!cand || !keep || !kids || !stack || !first || !next || !tail ||
	    !v->order || !v->last) {
		free(cand);
		free(keep);
		free(kids);
		free(stack);
		free(first);
		free(next);
		free(tail);
		free(v->order);
		free(v->last);
		return false;
	}
	for (size_t i = 0; i < nr; i++)
		first[i] = next[i] = tail[i] = SIZE_MAX;
	for (size_t i = 1; i < nr; i++) {
		size_t p = (size_t)t->memcgs[i].parent;
		if (first[p] == SIZE_MAX)
			first[p] = i;
		else
			next[tail[p]] = i;
		tail[p] = i;
	}
	size_t nc = 0;
	for (size_t i = 0; i < nr; i++)
		if (mw_memcg_in_subtree(t, i, top))
			cand[nc++] = i;
	v->in_subtree = nc;
	qsort_r(cand, nc, sizeof(*cand), by_usage_desc, (void *)t);
	size_t want = n == 0 || n > nc ? nc : (size_t)n;
	for (size_t i = 0; i < want; i++)
		for (ptrdiff_t a = (ptrdiff_t)cand[i]; a >= 0 && !keep[a]; a = t->memcgs[a].parent) {
			keep[a] = true;
			if ((size_t)a == top)
				break;
		}
	keep[top] = true;
	/* preorder from top, children by usage */
	size_t sp = 0;
	stack[sp++] = top;
	while (sp) {
		size_t i = stack[--sp];
		v->order[v->nr++] = i;
		size_t nk = 0;
		for (size_t c = first[i]; c != SIZE_MAX; c = next[c])
			if (keep[c])
				kids[nk++] = c;
		qsort_r(kids, nk, sizeof(*kids), by_usage_desc, (void *)t);
		if (nk)
			v->last[kids[nk - 1]] = true;
		for (size_t k = nk; k-- > 0;)
			stack[sp++] = kids[k];
	}
	v->omitted = nc - v->nr;
	free(cand);
	free(keep);
	free(kids);
	free(stack);
	free(first);
	free(next);
	free(tail);
	return true;
}

static void view_free(struct view *v)
{
	free(v->order);
	free(v->last);
}

static int by_own_desc(const void *a, const void *b, void *arg)
{
	const struct mw_memcg_tree *t = arg;
	const struct mw_memcg *x = &t->memcgs[*(const size_t *)a];
	const struct mw_memcg *y = &t->memcgs[*(const size_t *)b];
	if (x->own_usage_bytes != y->own_usage_bytes)
		return x->own_usage_bytes < y->own_usage_bytes ? 1 : -1;
	return by_usage_desc(a, b, arg);
}

/* Dying memcgs of the subtree, those holding most themselves first. */
static size_t dying_list(const struct mw_memcg_tree *t, size_t top, size_t **ret)
{
	size_t *d = malloc((t->nr ? t->nr : 1) * sizeof(*d)), n = 0;
	*ret = d;
	if (!d)
		return 0;
	for (size_t i = 0; i < t->nr; i++)
		if (t->memcgs[i].dying && mw_memcg_in_subtree(t, i, top))
			d[n++] = i;
	qsort_r(d, n, sizeof(*d), by_own_desc, (void *)t);
	return n;
}

static uint64_t dying_bytes(const struct mw_memcg_tree *t, size_t top)
{
	uint64_t b = 0;
	for (size_t i = 0; i < t->nr; i++) {
		const struct mw_memcg *m = &t->memcgs[i];
		if (!m->dying || !mw_memcg_in_subtree(t, i, top))
			continue;
		if (i == top || m->parent < 0 || !t->memcgs[m->parent].dying)
			b += m->usage_bytes;
	}
	return b;
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_limit(struct mw_json *j, const char *key, uint64_t v)
{
	mw_json_key(j, key);
	if (v == MW_MEMCG_UNLIMITED)
		mw_json_null(j);
	else
		mw_json_uint(j, v);
}

/* a counter this kernel's memory.stat does not show is null, not 0 */
static void json_stat(struct mw_json *j, const char *key, const struct mw_memcg_tree *t,
		      const struct mw_memcg *m, bool flushed)
{
	mw_json_key(j, key);
	if (!m->stat_known) {
		mw_json_null(j);
		return;
	}
	mw_json_object_begin(j);
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
		mw_json_kv_int_or_null(j, mw_memcg_stat_name((enum mw_memcg_stat)s),
				       t->stat_shown[s], flushed ? m->stat_flushed[s] : m->stat[s]);
	mw_json_object_end(j);
}

static void json_memcg(struct mw_json *j, const struct mw_memcg_tree *t,
		       const struct mw_memcg *m)
{
	mw_json_object_begin(j);
	mw_json_kv_string(j, "path", m->path);
	mw_json_kv_int_or_null(j, "id", m->id >= 0, m->id);
	mw_json_kv_int(j, "css_id", m->css_id);
	mw_json_kv_bool(j, "online", m->online);
	mw_json_kv_bool(j, "dying", m->dying);
	mw_json_kv_addr(j, "address", m->addr);
	mw_json_key(j, "parent");
	if (m->parent >= 0)
		mw_json_string(j, t->memcgs[m->parent].path);
	else
		mw_json_null(j);
	mw_json_kv_uint(j, "depth", m->depth);
	mw_json_kv_uint_or_null(j, "usage_bytes", m->usage_known, m->usage_bytes);
	mw_json_kv_string(j, "usage_source", m->usage_from_stats ? "stat" : "page_counter");
	mw_json_kv_uint(j, "own_usage_bytes", m->own_usage_bytes);
	mw_json_kv_uint_or_null(j, "stock_bytes", t->have_stocks, m->stock_pages * t->page_size);
	mw_json_key(j, "limits");
	mw_json_object_begin(j);
	json_limit(j, "max", m->max_bytes);
	json_limit(j, "high", m->high_bytes);
	json_limit(j, "low", m->low_bytes);
	json_limit(j, "min", m->min_bytes);
	mw_json_object_end(j);
	mw_json_kv_uint_or_null(j, "swap_bytes", m->swap_known, m->swap_bytes);
	json_stat(j, "stat", t, m, false);
	json_stat(j, "stat_flushed", t, m, true);
	mw_json_kv_uint_or_null(j, "charged_bytes", m->charged_known, m->charged_bytes);
	mw_json_key(j, "charged");
	if (m->charged_known) {
		mw_json_object_begin(j);
		for (int k = 0; k < MW_CHARGE_NR; k++)
			mw_json_kv_uint(j, mw_charge_kind_name((enum mw_charge_kind)k),
					m->charged[k]);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_kv_uint(j, "children", m->nr_children);
	mw_json_kv_uint(j, "dying_descendants", m->nr_dying_descendants);
	mw_json_object_end(j);
}

static void json_pins(struct mw_json *j, const struct mw_memcg *m)
{
	const struct mw_memcg_pins *p = &m->pins;
	mw_json_key(j, "pinned_by");
	if (!p->known) {
		mw_json_null(j);
		return;
	}
	mw_json_object_begin(j);
	mw_json_kv_int_or_null(j, "css_refs", p->css_refs >= 0, p->css_refs);
	mw_json_kv_uint(j, "lru_folios", p->lru_folios);
	mw_json_kv_uint(j, "lru_bytes", p->lru_bytes);
	mw_json_kv_uint(j, "lru_anon_bytes", p->lru_anon_bytes);
	mw_json_kv_uint(j, "lru_file_bytes", p->lru_file_bytes);
	mw_json_kv_uint(j, "lru_shmem_bytes", p->lru_shmem_bytes);
	mw_json_kv_bool(j, "lru_complete", p->lru_complete);
	mw_json_kv_uint(j, "children", p->children);
	mw_json_kv_uint(j, "offline_writebacks", p->offline_wbs);
	mw_json_kv_uint(j, "charge_stock_cpus", p->stock_cpus);
	mw_json_kv_uint(j, "swap_id_refs", p->swap_id_refs);
	mw_json_kv_int_or_null(j, "other_refs", p->other_refs >= 0, p->other_refs);
	mw_json_key(j, "files");
	mw_json_array_begin(j);
	for (size_t f = 0; f < p->nr_files; f++) {
		const struct mw_memcg_file_pin *fp = &p->files[f];
		mw_json_object_begin(j);
		mw_json_kv_string_or_null(j, "path", fp->path);
		mw_json_kv_string_or_null(j, "fs", fp->fs);
		mw_json_kv_string(j, "kind", fp->shmem ? "shmem" : "file");
		mw_json_kv_uint(j, "inode", fp->ino);
		mw_json_kv_addr(j, "inode_address", fp->inode);
		mw_json_kv_bool(j, "deleted", fp->deleted);
		mw_json_kv_uint(j, "folios", fp->folios);
		mw_json_kv_uint(j, "bytes", fp->bytes);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_kv_uint(j, "files_not_listed", p->nr_files_dropped);
	mw_json_object_end(j);
}

static void json_finding(struct mw_json *j, const struct mw_findings *list)
{
	const struct mw_finding *f;
	size_t it = 0;
	mw_json_key(j, "findings");
	mw_json_array_begin(j);
	while ((f = mw_findings_next(list, MW_RESULT_MEMCG, &it))) {
		mw_json_object_begin(j);
		mw_json_finding_fields(j, f);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_memcg_tree *t = &a->tree;
	const struct mw_findings *findings = &a->findings;
	size_t top = a->memcg_top;
	struct mw_json j;
	struct view v;
	size_t *dying = NULL;
	mw_render_json_begin(ctx, &j);
	if (!view_build(&v, t, top, ctx->opt.top)) {
		mw_json_kv_string(&j, "error", "out of memory");
		mw_render_json_end(ctx, &j);
		return;
	}
	mw_json_kv_uint(&j, "cgroup_version", t->v1 ? 1 : 2);
	mw_json_kv_string(&j, "subtree", t->memcgs[top].path);
	mw_json_kv_uint(&j, "page_size", t->page_size);
	mw_json_kv_uint(&j, "cpus_folded", t->nr_cpus);
	mw_json_kv_bool(&j, "walk_complete", t->walk_complete);
	mw_json_kv_bool(&j, "stat_read_flushes", t->stat_read_flushes);
	mw_json_kv_bool(&j, "page_scan", t->charged_known);
	mw_json_kv_uint(&j, "count", v.in_subtree);
	mw_json_key(&j, "memcgs");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < v.nr; i++)
		json_memcg(&j, t, &t->memcgs[v.order[i]]);
	mw_json_array_end(&j);
	mw_json_kv_uint(&j, "memcgs_not_listed", v.omitted);
	if (t->charged_known && top == 0)
		mw_json_kv_uint(&j, "charged_unknown_bytes", t->charged_unknown_bytes);
	if (t->charged_known)
		mw_json_kv_uint(&j, "slab_vectors_not_in_dump", t->slab_vectors_not_in_dump);

	size_t nd = dying_list(t, top, &dying);
	mw_json_key(&j, "dying");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "count", nd);
	mw_json_kv_int_or_null(&j, "kernel_count", top == 0 && t->kernel_nr_dying >= 0,
			       t->kernel_nr_dying);
	mw_json_kv_uint(&j, "pinned_bytes", dying_bytes(t, top));
	mw_json_key(&j, "top");
	mw_json_array_begin(&j);
	size_t shown = ctx->opt.top == 0 || ctx->opt.top > nd ? nd : (size_t)ctx->opt.top;
	for (size_t i = 0; i < shown; i++) {
		const struct mw_memcg *m = &t->memcgs[dying[i]];
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "path", m->path);
		mw_json_kv_int_or_null(&j, "id", m->id >= 0, m->id);
		mw_json_kv_addr(&j, "address", m->addr);
		mw_json_kv_uint(&j, "usage_bytes", m->usage_bytes);
		json_stat(&j, "stat", t, m, false);
		json_pins(&j, m);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_object_end(&j);
	free(dying);
	json_finding(&j, findings);
	view_free(&v);
	mw_render_json_end(ctx, &j);
}

/* ---- text ----------------------------------------------------------------- */

static void col(FILE *o, bool known, uint64_t b)
{
	char h[32];
	if (!known) {
		fprintf(o, " %9s", "?");
		return;
	}
	mw_human_bytes(b, h, sizeof(h));
	fprintf(o, " %9s", b ? h : "0");
}

static void tree_prefix(FILE *o, const struct view *v, size_t i, bool utf8)
{
	const struct mw_memcg_tree *t = v->t;
	const struct mw_memcg *m = &t->memcgs[i];
	if (i == v->top)
		return;
	/* the ancestors below top, outermost first */
	size_t chain[MW_MEMCG_MAX_DEPTH + 1], n = 0;
	for (ptrdiff_t a = m->parent; a >= 0 && (size_t)a != v->top && n <= MW_MEMCG_MAX_DEPTH;
	     a = t->memcgs[a].parent)
		chain[n++] = (size_t)a;
	for (size_t k = n; k-- > 0;)
		fputs(v->last[chain[k]] ? "  " : utf8 ? "\u2502 " : "| ", o);
	fputs(v->last[i] ? (utf8 ? "\u2514\u2500 " : "`- ") : (utf8 ? "\u251c\u2500 " : "|- "), o);
}

static void text_limits(FILE *o, const struct mw_memcg *m)
{
	char h[32];
	if (m->max_bytes != MW_MEMCG_UNLIMITED) {
		mw_human_bytes(m->max_bytes, h, sizeof(h));
		fprintf(o, " [max %s]", h);
	}
	if (m->high_bytes != MW_MEMCG_UNLIMITED && m->high_bytes != m->max_bytes) {
		mw_human_bytes(m->high_bytes, h, sizeof(h));
		fprintf(o, " [high %s]", h);
	}
	if (m->min_bytes) {
		mw_human_bytes(m->min_bytes, h, sizeof(h));
		fprintf(o, " [min %s]", h);
	}
	if (m->low_bytes) {
		mw_human_bytes(m->low_bytes, h, sizeof(h));
		fprintf(o, " [low %s]", h);
	}
}

static void text_pins(FILE *o, const struct mw_memcg *m)
{
	const struct mw_memcg_pins *p = &m->pins;
	char h[32];
	if (!p->known) {
		fprintf(o, "      what holds it: not known (see warnings)\n");
		return;
	}
	fprintf(o, "      held by");
	if (p->css_refs >= 0)
		fprintf(o, " %" PRId64 " reference%s:", p->css_refs, p->css_refs == 1 ? "" : "s");
	const char *sep = " ";
	if (p->lru_folios || !p->lru_complete) {
		mw_human_bytes(p->lru_bytes, h, sizeof(h));
		fprintf(o, "%s%" PRIu64 " charged folio%s on its LRU lists (%s%s)", sep,
			p->lru_folios, p->lru_folios == 1 ? "" : "s", h,
			p->lru_complete ? "" : ", lists cut short");
		sep = ", ";
	}
	if (p->children) {
		fprintf(o, "%s%" PRIu64 " child cgroup%s", sep, p->children,
			p->children == 1 ? "" : "s");
		sep = ", ";
	}
	if (p->offline_wbs) {
		fprintf(o, "%s%" PRIu64 " cgroup writeback structure%s", sep, p->offline_wbs,
			p->offline_wbs == 1 ? "" : "s");
		sep = ", ";
	}
	if (p->stock_cpus) {
		fprintf(o, "%s%" PRIu64 " CPU charge cache%s", sep, p->stock_cpus,
			p->stock_cpus == 1 ? "" : "s");
		sep = ", ";
	}
	if (p->id_css_refs) {
		fprintf(o, "%sits id (%" PRIu64 " references: swap entries, ...)", sep,
			p->swap_id_refs);
		sep = ", ";
	}
	if (p->other_refs > 0)
		fprintf(o, "%s%" PRId64 " other (sockets, folios off the LRU, ...)", sep,
			p->other_refs);
	else if (sep[0] == ' ' && p->css_refs < 0)
		fprintf(o, " nothing found");
	fputc('\n', o);
	for (size_t f = 0; f < p->nr_files && f < FILES_SHOWN; f++) {
		const struct mw_memcg_file_pin *fp = &p->files[f];
		mw_human_bytes(fp->bytes, h, sizeof(h));
		fprintf(o, "      %10s  ", h);
		mw_put_fit(o, fp->path ? fp->path : "(no name)", LINE_WIDTH - 18 -
			   (fp->deleted ? 10 : 0) - (fp->fs ? strlen(fp->fs) + 4 : 0));
		fputs(fp->deleted ? " (deleted)" : "", o);
		if (fp->fs)
			fprintf(o, "  [%s]", fp->fs);
		fputc('\n', o);
	}
	size_t more = p->nr_files > FILES_SHOWN ? p->nr_files - FILES_SHOWN : 0;
	more += p->nr_files_dropped;
	if (more)
		fprintf(o, "      ... and %zu more file%s (--json lists %zu)\n", more,
			more == 1 ? "" : "s", p->nr_files);
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *a)
{
	const struct mw_memcg_tree *t = &a->tree;
	const struct mw_findings *findings = &a->findings;
	size_t top = a->memcg_top;
	FILE *o = ctx->out;
	bool utf8 = mw_utf8_locale();
	struct view v;
	size_t *dying = NULL;
	char h[32], h2[32];
	if (!view_build(&v, t, top, ctx->opt.top)) {
		fprintf(stderr, "memwhere: out of memory\n");
		return;
	}
	size_t nd = dying_list(t, top, &dying);
	const struct mw_memcg *root = &t->memcgs[top];

	struct mw_para para;
	FILE *po = mw_para_begin(o, &para);
	fprintf(po, "%s: memory cgroups (cgroup v%d", ctx->dump_path, t->v1 ? 1 : 2);
	if (top)
		fprintf(po, ", subtree %s", root->path);
	fprintf(po, "): %zu, %zu dying\n", v.in_subtree, nd);
	mw_para_end(&para, 2);
	po = mw_para_begin(o, &para);
	fprintf(po, "USAGE is the page counter (%s); the other columns are memory.stat's "
		"counters, per-CPU changes not yet flushed included%s%s\n\n",
		t->v1 ? "memory.usage_in_bytes; the root's is its file + anon, as the kernel shows"
		      : "memory.current",
		nd && utf8 ? "; a dying cgroup is marked \u2020" : "",
		!t->stat_shown[MW_MEMCG_KERNEL] ?
			"; KERNEL is ?: this kernel's memory.stat has no kernel counter" : "");
	mw_para_end(&para, 0);
	fprintf(o, "%10s %9s %9s %9s %9s %9s  %s\n", "USAGE", "ANON", "FILE", "SHMEM", "KERNEL",
		"SOCK", "CGROUP");
	for (size_t k = 0; k < v.nr; k++) {
		size_t i = v.order[k];
		const struct mw_memcg *m = &t->memcgs[i];
		fputc(' ', o);
		col(o, m->usage_known, m->usage_bytes);
		const enum mw_memcg_stat cols[] = { MW_MEMCG_ANON, MW_MEMCG_FILE, MW_MEMCG_SHMEM,
						    MW_MEMCG_KERNEL, MW_MEMCG_SOCK };
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
			col(o, m->stat_known && t->stat_shown[cols[c]],
			    m->stat_known ? (uint64_t)m->stat[cols[c]] : 0);
		fputs("  ", o);
		/* the name shortened in the middle to end the line by LINE_WIDTH */
		char *pre = NULL, *lim = NULL;
		size_t prel = 0, liml = 0;
		FILE *pf = open_memstream(&pre, &prel), *lf = open_memstream(&lim, &liml);
		if (pf) {
			tree_prefix(pf, &v, i, utf8);
			fclose(pf);
		}
		if (lf) {
			if (m->dying)
				fputs(utf8 ? " \u2020" : " (dying)", lf);
			text_limits(lf, m);
			fclose(lf);
		}
		size_t precols = pre ? mw_text_cols(pre, prel) : 0;
		size_t limcols = lim ? mw_text_cols(lim, liml) : 0;
		size_t used = 11 + 5 * 10 + 2 + precols + limcols;
		/* deep in the tree the limits go to a line of their own,
		 * under the name, rather than take the name's NAME_MIN */
		const char *name = i == top ? m->path : m->name;
		size_t namecols = mw_text_cols(name, strlen(name));
		bool lim_below = limcols && used + (namecols < NAME_MIN ? namecols : NAME_MIN) >
						    LINE_WIDTH;
		if (lim_below)
			used -= limcols;
		fputs(pre ? pre : "", o);
		mw_put_fit(o, name, used + NAME_MIN < LINE_WIDTH ? LINE_WIDTH - used : NAME_MIN);
		if (lim_below) {
			fprintf(o, "\n%*s", (int)(11 + 5 * 10 + 2 + precols), "");
			fputs(lim + strspn(lim, " "), o);
		} else {
			fputs(lim ? lim : "", o);
		}
		fputc('\n', o);
		free(pre);
		free(lim);
	}
	if (v.omitted)
		fprintf(o, "(%zu smaller memory cgroups not shown: --top 0 shows all)\n", v.omitted);
	if (t->charged_known) {
		uint64_t sum = 0, dsum = 0;
		for (size_t i = 0; i < t->nr; i++) {
			if (!mw_memcg_in_subtree(t, i, top))
				continue;
			sum += t->memcgs[i].charged_bytes;
			if (t->memcgs[i].dying)
				dsum += t->memcgs[i].charged_bytes;
		}
		mw_human_bytes(sum, h, sizeof(h));
		mw_human_bytes(dsum, h2, sizeof(h2));
		FILE *pp = mw_para_begin(o, &para);
		fprintf(pp, "\nThe page scan found %s charged to these memory cgroups "
			"(pages and slab objects), %s of it to dying ones.\n", h, h2);
		mw_para_end(&para, 0);
		if (t->slab_vectors_not_in_dump)
			fprintf(o, "(%" PRIu64 " slabs' object vectors are not in this filtered "
				"dump: their objects are not counted)\n", t->slab_vectors_not_in_dump);
	}

	if (nd) {
		mw_human_bytes(dying_bytes(t, top), h, sizeof(h));
		fprintf(o, "\nDying memory cgroups: %zu, holding %s", nd, h);
		if (top == 0 && t->kernel_nr_dying >= 0)
			fprintf(o, " (the kernel counts %" PRId64 " dying cgroups)", t->kernel_nr_dying);
		fputs("\n", o);
		size_t shown = ctx->opt.top == 0 || ctx->opt.top > nd ? nd : (size_t)ctx->opt.top;
		for (size_t k = 0; k < shown; k++) {
			const struct mw_memcg *m = &t->memcgs[dying[k]];
			mw_human_bytes(m->usage_bytes, h, sizeof(h));
			fprintf(o, "  %10s  ", h);
			mw_put_fit(o, m->path, LINE_WIDTH - 14 - (m->id > 0 ? 24 : 0));
			if (m->id > 0)
				fprintf(o, "  (id %" PRId64 ")", m->id);
			fputc('\n', o);
			if (m->stat_known) {
				fprintf(o, "      ");
				const enum mw_memcg_stat kinds[] = { MW_MEMCG_FILE, MW_MEMCG_SHMEM,
					MW_MEMCG_ANON, MW_MEMCG_KERNEL, MW_MEMCG_SOCK };
				bool any = false;
				for (size_t c = 0; c < sizeof(kinds) / sizeof(kinds[0]); c++) {
					if (!m->stat[kinds[c]] || !t->stat_shown[kinds[c]])
						continue;
					mw_human_bytes((uint64_t)m->stat[kinds[c]], h, sizeof(h));
					fprintf(o, "%s%s %s", any ? ", " : "",
						mw_memcg_stat_name(kinds[c]), h);
					any = true;
				}
				fputs(any ? "\n" : "no pages or objects counted\n", o);
			}
			text_pins(mw_para_begin(o, &para), m);
			mw_para_end(&para, 4);
		}
		if (shown < nd)
			fprintf(o, "  (%zu more: --top 0 shows all)\n", nd - shown);
	}

	/* report lists every analysis' findings together at its end */
	const struct mw_finding *f;
	size_t it = 0;
	for (size_t n = 0; !ctx->in_report &&
	     (f = mw_findings_next(findings, MW_RESULT_MEMCG, &it)); n++) {
		if (n == 0)
			fprintf(o, "\nFindings\n");
		mw_text_finding(o, f, MW_FINDING_FULL);
	}
	free(dying);
	view_free(&v);
	mw_render_text_warnings(ctx);
}

const struct mw_renderer mw_memcg_renderer = { .text = render_text, .json = render_json };
