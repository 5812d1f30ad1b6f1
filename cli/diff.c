/* memwhere diff OLD NEW: what grew and shrank between two reports of one
 * machine (dumps analysed now, or saved `--json` reports; cli/doc.h). The
 * comparison is data (struct diff) built from the two documents, then
 * rendered as text or JSON in one place below. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/escape.h"
#include "cli/export.h"
#include "common/json.h"
#include "common/format.h"

enum {
	DIFF_TEXT_TOP = 10,		/* rows per table in text, unless --top */
	DIFF_NAME_WIDTH = 58,		/* text: name column, so a row fits 100 */
	DIFF_DOMINANT_PERCENT = 50,	/* one owner explains most of the growth */
	DIFF_SCHEMA = 1,		/* of the --json document */
};

enum diff_kind {
	DIFF_CATEGORY,
	DIFF_MEMCG,
	DIFF_FILE,
	DIFF_TASK,
	DIFF_SLAB,
	DIFF_SOCKET,
	DIFF_DYING,
	NR_DIFF_KINDS,
};

static const struct {
	const char *json;	/* key of the list in --json */
	const char *title;	/* text heading */
	const char *section;	/* the report's section it comes from */
	const char *what;	/* a row of it, in a finding */
} kinds[NR_DIFF_KINDS] = {
	[DIFF_CATEGORY] = { "categories", "Categories of RAM (summary)", "summary", "category" },
	[DIFF_MEMCG] = { "memcgs", "Memory cgroups (usage, children included)", "memcg", "memory cgroup" },
	[DIFF_FILE] = { "files", "Files (page cache and shmem)", "files", "file" },
	[DIFF_TASK] = { "tasks", "Processes (RSS)", "tasks", "process" },
	[DIFF_SLAB] = { "slab_caches", "Slab caches", "slab", "slab cache" },
	[DIFF_SOCKET] = { "socket_owners", "Socket owners (bytes their socket queues pin)", "sockets", "socket owner" },
	[DIFF_DYING] = { "dying_memcgs", "Dying memory cgroups", "memcg", "dying memory cgroups" },
};

struct diff_row {
	char *name;
	uint64_t old, new;
	bool in_old, in_new;
};

struct diff_list {
	struct diff_row *v;
	size_t n, cap;
	bool compared;		/* both documents had the section */
};

struct diff_finding {
	enum diff_kind kind;
	const struct diff_row *row;
	uint64_t growth;	/* of RAM in use */
};

struct diff {
	struct diff_list lists[NR_DIFF_KINDS];
	uint64_t old_ram, new_ram, old_used, new_used;
	uint64_t old_dying, new_dying;	/* counts */
	struct diff_finding findings[NR_DIFF_KINDS];
	size_t nr_findings;
	bool nomem;
};

static int64_t delta(const struct diff_row *r)
{
	return (int64_t)(r->new - r->old);
}

static struct diff_row *row(struct diff *d, struct diff_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct diff_row *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv) {
			d->nomem = true;
			return NULL;
		}
		l->v = nv;
		l->cap = nc;
	}
	struct diff_row *r = &l->v[l->n];
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(name))) {
		d->nomem = true;
		return NULL;
	}
	l->n++;
	return r;
}

static void put(struct diff *d, enum diff_kind k, bool is_new, const char *name, uint64_t b)
{
	struct diff_row *r = row(d, &d->lists[k], name);
	if (!r)
		return;
	if (is_new) {
		r->new += b;
		r->in_new = true;
	} else {
		r->old += b;
		r->in_old = true;
	}
}

/* Every row of one document into the lists. */
static void collect(struct diff *d, const struct mw_jv *doc, bool is_new)
{
	char name[256];
	const struct mw_jv *cats = mw_jv_path(doc, "summary.categories");
	for (size_t i = 0; i < mw_jv_count(cats); i++)
		put(d, DIFF_CATEGORY, is_new, cats->v[i].key, mw_jv_uint(&cats->v[i], 0));
	uint64_t ram = mw_jv_uint(mw_jv_path(doc, "summary.total_bytes"), 0);
	uint64_t free = mw_jv_uint(mw_jv_path(doc, "summary.categories.free"), 0);
	uint64_t used = free < ram ? ram - free : 0;
	*(is_new ? &d->new_ram : &d->old_ram) = ram;
	*(is_new ? &d->new_used : &d->old_used) = used;

	const struct mw_jv *l = mw_jv_path(doc, "memcg.memcgs");
	for (size_t i = 0; i < mw_jv_count(l); i++)
		put(d, DIFF_MEMCG, is_new, mw_jv_str(mw_jv_get(&l->v[i], "path"), "?"),
		    mw_jv_uint(mw_jv_get(&l->v[i], "usage_bytes"), 0));
	const struct mw_jv *dying = mw_jv_path(doc, "memcg.dying");
	if (dying) {
		*(is_new ? &d->new_dying : &d->old_dying) = mw_jv_uint(mw_jv_get(dying, "count"), 0);
		put(d, DIFF_DYING, is_new, "pinned by dying memory cgroups",
		    mw_jv_uint(mw_jv_get(dying, "pinned_bytes"), 0));
	}
	l = mw_jv_path(doc, "files.files");
	for (size_t i = 0; i < mw_jv_count(l); i++) {
		const struct mw_jv *f = &l->v[i];
		const char *p = mw_jv_str(mw_jv_get(f, "path"), NULL);
		if (p)
			snprintf(name, sizeof(name), "%s", p);
		else
			snprintf(name, sizeof(name), "%s inode %" PRIu64,
				 mw_jv_str(mw_jv_get(f, "name_kind"), "?"),
				 mw_jv_uint(mw_jv_get(f, "inode"), 0));
		put(d, DIFF_FILE, is_new, name, mw_jv_uint(mw_jv_get(f, "cached_bytes"), 0));
	}
	l = mw_jv_path(doc, "tasks.tasks");
	for (size_t i = 0; i < mw_jv_count(l); i++) {
		snprintf(name, sizeof(name), "pid %" PRIu64 " %s",
			 mw_jv_uint(mw_jv_get(&l->v[i], "pid"), 0),
			 mw_jv_str(mw_jv_get(&l->v[i], "comm"), "?"));
		put(d, DIFF_TASK, is_new, name, mw_jv_uint(mw_jv_get(&l->v[i], "rss_bytes"), 0));
	}
	l = mw_jv_path(doc, "slab.caches");
	for (size_t i = 0; i < mw_jv_count(l); i++)
		put(d, DIFF_SLAB, is_new, mw_jv_str(mw_jv_get(&l->v[i], "name"), "?"),
		    mw_jv_uint(mw_jv_get(&l->v[i], "bytes"), 0));
	l = mw_jv_path(doc, "sockets.sockets");
	for (size_t i = 0; i < mw_jv_count(l); i++) {
		const struct mw_jv *owners = mw_jv_get(&l->v[i], "owners");
		if (mw_jv_count(owners))
			snprintf(name, sizeof(name), "pid %" PRIu64 " %s",
				 mw_jv_uint(mw_jv_get(&owners->v[0], "pid"), 0),
				 mw_jv_str(mw_jv_get(&owners->v[0], "comm"), "?"));
		else
			snprintf(name, sizeof(name), "(no owner)");
		put(d, DIFF_SOCKET, is_new, name, mw_jv_uint(mw_jv_get(&l->v[i], "pinned_bytes"), 0));
	}
}

static int by_growth(const void *a, const void *b)
{
	int64_t da = delta(a), db = delta(b);
	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(((const struct diff_row *)a)->name, ((const struct diff_row *)b)->name);
}

static size_t depth(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* The memcg row deepest in the tree among those that grew by at least
 * min: its ancestors grew with it, it is the one to name. */
static const struct diff_row *deepest(const struct diff_list *l, uint64_t min)
{
	const struct diff_row *best = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct diff_row *r = &l->v[i];
		if (delta(r) <= 0 || (uint64_t)delta(r) < min)
			continue;
		if (!best || depth(r->name) > depth(best->name))
			best = r;
	}
	return best;
}

static void build(struct diff *d, const struct mw_jv *old, const struct mw_jv *new)
{
	collect(d, old, false);
	collect(d, new, true);
	for (int k = 0; k < NR_DIFF_KINDS; k++) {
		struct diff_list *l = &d->lists[k];
		l->compared = mw_jv_get(old, kinds[k].section) && mw_jv_get(new, kinds[k].section);
		if (l->n)
			qsort(l->v, l->n, sizeof(*l->v), by_growth);
	}
	/* findings: one owner explains most of the growth of RAM in use */
	if (d->new_used <= d->old_used)
		return;
	uint64_t growth = d->new_used - d->old_used;
	uint64_t min = growth / 100 * DIFF_DOMINANT_PERCENT + 1;
	for (int k = DIFF_MEMCG; k < NR_DIFF_KINDS; k++) {
		const struct diff_list *l = &d->lists[k];
		if (!l->compared || !l->n)
			continue;
		const struct diff_row *r = k == DIFF_MEMCG ? deepest(l, min) : &l->v[0];
		if (!r || delta(r) <= 0 || (uint64_t)delta(r) < min)
			continue;
		d->findings[d->nr_findings++] = (struct diff_finding){ k, r, growth };
	}
}

static void diff_deinit(struct diff *d)
{
	for (int k = 0; k < NR_DIFF_KINDS; k++) {
		for (size_t i = 0; i < d->lists[k].n; i++)
			free(d->lists[k].v[i].name);
		free(d->lists[k].v);
	}
}

/* ---- rendering ---- */

static void signed_bytes(int64_t v, char *buf)
{
	char b[MW_BYTES_LEN];
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(buf, MW_BYTES_LEN + 2, "%s%s", v < 0 ? "-" : v > 0 ? "+" : "",
		 mw_bytes(a, MW_BYTES_EXACT, b));
}

/* name, shortened in the middle to width (bytes; names are mostly ASCII) */
static void name_col(FILE *o, const char *s, int width, bool pad)
{
	size_t n = strlen(s);
	if (n <= (size_t)width) {
		fprintf(o, "%-*s", pad ? width : 0, s);
		return;
	}
	int head = (width - 3) / 2, tail = width - 3 - head;
	fprintf(o, "%.*s...%s", head, s, s + n - tail);
}

static void finding_title(const struct diff_finding *f, bool newline, char *buf, size_t len)
{
	char b[MW_BYTES_LEN + 2], g[MW_BYTES_LEN];
	signed_bytes(delta(f->row), b);
	snprintf(buf, len, "one %s explains %" PRIu64 "%% of the growth of RAM in use (%s of %s):%s",
		 kinds[f->kind].what, (uint64_t)delta(f->row) * 100 / f->growth, b,
		 mw_bytes(f->growth, MW_BYTES_EXACT, g), newline ? "" : " ");
}

/* the warnings of a side's analysis (or saved report), into j or o */
static void side_warnings(struct mw_json *j, FILE *o, const char *which, const struct mw_jv *doc)
{
	const struct mw_jv *w = mw_jv_get(doc, "warnings");
	for (size_t i = 0; i < mw_jv_count(w); i++) {
		const char *s = mw_jv_str(&w->v[i], "?");
		if (o) {
			fprintf(o, "  %s: %s\n", which, s);
			continue;
		}
		char *t = NULL;
		if (asprintf(&t, "%s: %s", which, s) < 0)
			continue;
		mw_json_string(j, t);
		free(t);
	}
}

static void text(FILE *o, const struct diff *d, const char *oldp, const char *newp,
		 const struct mw_jv *old, const struct mw_jv *new, unsigned long top)
{
	char b1[MW_BYTES_LEN], b2[MW_BYTES_LEN], b3[MW_BYTES_LEN + 2];
	fprintf(o, "memwhere diff\n  old: %s (%s RAM)\n  new: %s (%s RAM)\n", oldp,
		mw_bytes(d->old_ram, MW_BYTES_EXACT, b1), newp,
		mw_bytes(d->new_ram, MW_BYTES_EXACT, b2));
	signed_bytes((int64_t)(d->new_used - d->old_used), b3);
	fprintf(o, "  RAM in use (all but free): %s -> %s, %s\n",
		mw_bytes(d->old_used, MW_BYTES_EXACT, b1),
		mw_bytes(d->new_used, MW_BYTES_EXACT, b2), b3);
	if (d->old_dying || d->new_dying)
		fprintf(o, "  dying memory cgroups: %" PRIu64 " -> %" PRIu64 "\n",
			d->old_dying, d->new_dying);
	for (int k = 0; k < NR_DIFF_KINDS; k++) {
		const struct diff_list *l = &d->lists[k];
		if (!l->compared) {
			fprintf(o, "\n== %s: not compared (not in both reports)\n", kinds[k].title);
			continue;
		}
		size_t changed = 0;
		for (size_t i = 0; i < l->n; i++)
			changed += l->v[i].old != l->v[i].new;
		fprintf(o, "\n== %s\n", kinds[k].title);
		if (!changed) {
			fprintf(o, "  no change\n");
			continue;
		}
		fprintf(o, "  %-*s %12s %12s %13s\n", DIFF_NAME_WIDTH, "", "OLD", "NEW", "DELTA");
		/* the top rows that grew, then the top that shrank */
		size_t shown = 0, grew = 0, shrank = 0;
		for (size_t i = 0; i < l->n; i++) {
			const struct diff_row *r = &l->v[i];
			if (delta(r) <= 0 || (top && grew >= top))
				continue;
			grew++;
		}
		for (size_t i = l->n; i-- > 0;) {
			if (delta(&l->v[i]) >= 0)
				break;
			if (!top || shrank < top)
				shrank++;
		}
		/* grown rows first, most first; then shrunk rows, most first */
		for (size_t i = 0; i < grew + shrank; i++) {
			const struct diff_row *r = i < grew ? &l->v[i] : &l->v[l->n - 1 - (i - grew)];
			fputs("  ", o);
			name_col(o, r->name, DIFF_NAME_WIDTH, true);
			signed_bytes(delta(r), b3);
			fprintf(o, " %12s %12s %13s\n",
				r->in_old ? mw_bytes(r->old, MW_BYTES_EXACT, b1) : "-",
				r->in_new ? mw_bytes(r->new, MW_BYTES_EXACT, b2) : "-", b3);
			shown++;
		}
		if (shown < changed)
			fprintf(o, "  %zu more changed (--top 0)\n", changed - shown);
	}
	if (mw_jv_count(mw_jv_get(old, "warnings")) || mw_jv_count(mw_jv_get(new, "warnings"))) {
		fprintf(o, "\n== Warnings (of the reports compared)\n");
		side_warnings(NULL, o, "OLD", old);
		side_warnings(NULL, o, "NEW", new);
	}
	fprintf(o, "\n== Findings\n");
	if (!d->nr_findings)
		fprintf(o, "  no one owner explains most of the growth\n");
	for (size_t i = 0; i < d->nr_findings; i++) {
		char t[512];
		finding_title(&d->findings[i], true, t, sizeof(t));
		fprintf(o, "  -> %s\n     ", t);
		name_col(o, d->findings[i].row->name, 100 - 6, false);
		fputc('\n', o);
	}
}

static void json_row(struct mw_json *j, enum diff_kind k, const struct diff_row *r)
{
	mw_json_object_begin(j);
	switch (k) {
	case DIFF_CATEGORY: mw_json_kv_string(j, "category", r->name); break;
	case DIFF_MEMCG: mw_json_kv_string(j, "path", r->name); break;
	case DIFF_FILE: mw_json_kv_string(j, "path", r->name); break;
	case DIFF_SLAB: mw_json_kv_string(j, "name", r->name); break;
	default: mw_json_kv_string(j, "name", r->name); break;
	}
	mw_json_kv_uint(j, "old_bytes", r->old);
	mw_json_kv_uint(j, "new_bytes", r->new);
	mw_json_kv_int(j, "delta_bytes", delta(r));
	mw_json_kv_bool(j, "in_old", r->in_old);
	mw_json_kv_bool(j, "in_new", r->in_new);
	mw_json_object_end(j);
}

static void side(struct mw_json *j, const char *key, const char *path, const struct mw_jv *doc,
		 uint64_t ram, uint64_t used)
{
	mw_json_key(j, key);
	mw_json_object_begin(j);
	mw_json_kv_string(j, "file", path);
	mw_json_kv_string_or_null(j, "kernel_release",
				  mw_jv_str(mw_jv_path(doc, "summary.kernel_release"), NULL));
	mw_json_kv_uint(j, "total_bytes", ram);
	mw_json_kv_uint(j, "used_bytes", used);
	mw_json_object_end(j);
}

static void json(FILE *o, const struct diff *d, const char *oldp, const char *newp,
		 const struct mw_jv *old, const struct mw_jv *new, unsigned long top)
{
	struct mw_json j;
	mw_json_init(&j, o, true);
	mw_json_object_begin(&j);
	mw_json_key(&j, "memwhere");
	mw_json_object_begin(&j);
	mw_json_kv_string(&j, "version", PACKAGE_VERSION);
	mw_json_kv_uint(&j, "schema", DIFF_SCHEMA);
	mw_json_object_end(&j);
	side(&j, "old", oldp, old, d->old_ram, d->old_used);
	side(&j, "new", newp, new, d->new_ram, d->new_used);
	mw_json_kv_int(&j, "used_delta_bytes", (int64_t)(d->new_used - d->old_used));
	mw_json_key(&j, "dying_memcg_count");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "old", d->old_dying);
	mw_json_kv_uint(&j, "new", d->new_dying);
	mw_json_kv_int(&j, "delta", (int64_t)(d->new_dying - d->old_dying));
	mw_json_object_end(&j);
	mw_json_key(&j, "compared");
	mw_json_object_begin(&j);
	for (int k = 0; k < NR_DIFF_KINDS; k++)
		mw_json_kv_bool(&j, kinds[k].json, d->lists[k].compared);
	mw_json_object_end(&j);
	for (int k = 0; k < NR_DIFF_KINDS; k++) {
		const struct diff_list *l = &d->lists[k];
		mw_json_key(&j, kinds[k].json);
		mw_json_array_begin(&j);
		for (size_t i = 0, n = 0; i < l->n && (!top || n < top); i++)
			if (k == DIFF_CATEGORY || l->v[i].old != l->v[i].new) {
				json_row(&j, k, &l->v[i]);
				n++;
			}
		mw_json_array_end(&j);
	}
	mw_json_key(&j, "findings");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < d->nr_findings; i++) {
		const struct diff_finding *f = &d->findings[i];
		char t[4608];
		finding_title(f, false, t, sizeof(t) - 4096);
		strncat(t, f->row->name, 4095);
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "id", "growth-one-owner");
		mw_json_kv_string(&j, "severity", "warning");
		mw_json_kv_string(&j, "title", t);
		mw_json_kv_uint(&j, "bytes", (uint64_t)delta(f->row));
		mw_json_key(&j, "data");
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "owner_kind", kinds[f->kind].json);
		mw_json_kv_string(&j, "owner", f->row->name);
		mw_json_kv_uint(&j, "old_bytes", f->row->old);
		mw_json_kv_uint(&j, "new_bytes", f->row->new);
		mw_json_kv_int(&j, "delta_bytes", delta(f->row));
		mw_json_kv_uint(&j, "used_growth_bytes", f->growth);
		mw_json_object_end(&j);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_key(&j, "warnings");
	mw_json_array_begin(&j);
	side_warnings(&j, NULL, "OLD", old);
	side_warnings(&j, NULL, "NEW", new);
	if (d->old_ram != d->new_ram)
		mw_json_string(&j, "OLD and NEW have different RAM sizes: two machines?");
	mw_json_array_end(&j);
	mw_json_object_end(&j);
	mw_json_finish(&j);
}

int mw_cmd_diff(const struct mw_options *opt, int npos, char **pos)
{
	(void)npos;
	struct mw_jv *old = NULL, *new = NULL;
	int rc = mw_doc_load(opt, pos[0], &old);
	if (rc == MW_EXIT_OK)
		rc = mw_doc_load(opt, pos[1], &new);
	if (rc != MW_EXIT_OK) {
		mw_jv_destroy(old);
		return rc;
	}
	struct diff d = { 0 };
	build(&d, old, new);
	if (d.nomem) {
		fprintf(stderr, "memwhere: diff: out of memory\n");
		rc = MW_EXIT_FAIL;
	} else if (opt->json) {
		json(stdout, &d, pos[0], pos[1], old, new, opt->top_given ? opt->top : 0);
	} else {
		FILE *o = mw_escaping_stream(stdout);
		if (!o)
			o = stdout;
		if (d.old_ram != d.new_ram)
			fprintf(stderr, "memwhere: warning: OLD and NEW have different RAM sizes: two machines?\n");
		text(o, &d, pos[0], pos[1], old, new, opt->top_given ? opt->top : DIFF_TEXT_TOP);
		if (o != stdout && fclose(o) != 0)
			rc = MW_EXIT_FAIL;
	}
	/* warnings of either analysis make the diff partial */
	if (rc == MW_EXIT_OK && (mw_jv_count(mw_jv_get(old, "warnings")) ||
				 mw_jv_count(mw_jv_get(new, "warnings"))))
		rc = MW_EXIT_PARTIAL;
	diff_deinit(&d);
	mw_jv_destroy(old);
	mw_jv_destroy(new);
	return rc;
}
