/* memwhere: a report as a JSON tree (cli/doc.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/doc.h"
#include "cli/findings.h"
#include "cli/slab.h"
#include "cli/tasks.h"
#include "common/json.h"

static int parse_buffer(const char *what, char *buf, size_t len, struct mw_jv **ret)
{
	struct mw_error *err = mw_jv_parse(buf, len, ret);
	if (!err)
		return MW_EXIT_OK;
	char *s = mw_error_string(err);
	fprintf(stderr, "memwhere: %s: %s\n", what, s ? s : err->message);
	free(s);
	mw_error_destroy(err);
	return MW_EXIT_FAIL;
}

static int load_json(const char *path, FILE *f, struct mw_jv **ret)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= MW_JV_MAX_INPUT) {
				fprintf(stderr, "memwhere: %s: a JSON document over %d bytes\n",
					path, MW_JV_MAX_INPUT);
				free(buf);
				return MW_EXIT_FAIL;
			}
			cap = cap ? cap * 2 : 1 << 16;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fprintf(stderr, "memwhere: %s: out of memory\n", path);
				return MW_EXIT_FAIL;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	int rc = ferror(f) ? MW_EXIT_FAIL : parse_buffer(path, buf, len, ret);
	if (ferror(f))
		fprintf(stderr, "memwhere: %s: read error\n", path);
	free(buf);
	return rc;
}

/* The report's sections, plus slab and tasks, of every row. */
static void render_full(struct mw_context *ctx, const struct mw_analysis *a)
{
	struct mw_json doc;
	static const struct {
		unsigned bit;
		const char *name;
		const struct mw_renderer *r;
	} sections[] = {
		{ MW_RESULT_SUMMARY, "summary", &mw_summary_renderer },
		{ MW_RESULT_MEMCG, "memcg", &mw_memcg_renderer },
		{ MW_RESULT_FILES, "files", &mw_files_renderer },
		{ MW_RESULT_SOCKETS, "sockets", &mw_sockets_renderer },
		{ MW_RESULT_SLAB, "slab", &mw_slab_renderer },
		{ MW_RESULT_TASKS, "tasks", &mw_tasks_renderer },
	};
	ctx->in_report = true;
	mw_render_json_begin(ctx, &doc);
	mw_json_key(&doc, "info");
	mw_json_object_begin(&doc);
	mw_render_info_json_fields(ctx, &doc);
	mw_json_object_end(&doc);
	ctx->json_report = &doc;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!(a->have & sections[i].bit))
			continue;
		ctx->json_section = sections[i].name;
		mw_render(ctx, sections[i].r, a);
	}
	ctx->json_report = NULL;
	ctx->in_report = false;
	mw_json_findings(&doc, &a->findings);
	mw_render_json_end(ctx, &doc);
}

int mw_doc_from_report(struct mw_context *ctx, const struct mw_analysis *a,
		       void (*render)(struct mw_context *, const struct mw_analysis *),
		       unsigned long top, struct mw_jv **ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		fprintf(stderr, "memwhere: %s\n", strerror(errno));
		return MW_EXIT_FAIL;
	}
	struct mw_options saved = ctx->opt;
	FILE *out = ctx->out;
	ctx->opt.json = true;
	ctx->opt.top = top;
	ctx->opt.top_given = true;
	ctx->out = mem;
	render(ctx, a);
	ctx->out = out;
	ctx->opt = saved;
	int rc = fclose(mem) == 0 && buf ? parse_buffer(ctx->dump_path, buf, len, ret)
					 : MW_EXIT_FAIL;
	free(buf);
	return rc;
}

static int load_dump(const struct mw_options *opt, const char *path, struct mw_jv **ret)
{
	struct mw_context ctx = { .out = stdout, .opt = *opt, .dump_path = path };
	mw_warnings_init(&ctx.warnings);
	struct mw_error *err = mw_reader_open(path, &ctx.reader);
	if (err) {
		char *s = mw_error_string(err);
		fprintf(stderr, "memwhere: %s\n", s ? s : err->message);
		free(s);
		mw_error_destroy(err);
		mw_warnings_deinit(&ctx.warnings);
		return MW_EXIT_FAIL;
	}
	struct mw_kernel_options kopt = {
		.vmlinux = opt->vmlinux,
		.btf = opt->btf,
		.system_map = opt->system_map,
	};
	ctx.kernel_error = mw_kernel_open(ctx.reader, path, &kopt, &ctx.warnings, &ctx.kernel);
	struct mw_analysis a;
	int rc = mw_run_analysis(&ctx, MW_RESULT_SUMMARY | MW_RESULT_MEMCG | MW_RESULT_FILES |
				 MW_RESULT_SOCKETS | MW_RESULT_SLAB | MW_RESULT_TASKS |
				 MW_RESULT_FINDINGS, MW_RESULT_SUMMARY, NULL,
				 "cannot walk the pages", &a);
	if (rc == MW_EXIT_OK) {
		rc = mw_doc_from_report(&ctx, &a, render_full, 0, ret);
		mw_analysis_deinit(&a);
	}
	mw_kernel_destroy(ctx.kernel);
	mw_error_destroy(ctx.kernel_error);
	mw_reader_destroy(ctx.reader);
	mw_warnings_deinit(&ctx.warnings);
	return rc;
}

int mw_doc_load(const struct mw_options *opt, const char *path, struct mw_jv **ret)
{
	*ret = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "memwhere: %s: %s\n", path, strerror(errno));
		return MW_EXIT_FAIL;
	}
	int c;
	while ((c = getc(f)) == ' ' || c == '\n' || c == '\t' || c == '\r')
		;
	if (c == '{') {
		rewind(f);
		int rc = load_json(path, f, ret);
		fclose(f);
		return rc;
	}
	fclose(f);
	return load_dump(opt, path, ret);
}

/* ---- the attribution tree ---- */

static struct mw_attr *add(struct mw_attr *parent, const char *name, const char *kind,
			   uint64_t bytes)
{
	if (parent->n == parent->cap) {
		size_t nc = parent->cap ? parent->cap * 2 : 8;
		struct mw_attr *nv = realloc(parent->v, nc * sizeof(*nv));
		if (!nv)
			return NULL;
		parent->v = nv;
		parent->cap = nc;
	}
	struct mw_attr *c = &parent->v[parent->n];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name ? name : "?");
	if (!c->name)
		return NULL;
	c->kind = kind;
	c->bytes = bytes;
	parent->n++;
	return c;
}

static uint64_t children_bytes(const struct mw_attr *a)
{
	uint64_t s = 0;
	for (size_t i = 0; i < a->n; i++)
		s += a->v[i].bytes;
	return s;
}

/* What the children leave of a node goes to a rest node. */
static void rest(struct mw_attr *a, const char *name)
{
	uint64_t s = children_bytes(a);
	if (a->n && s < a->bytes)
		add(a, name, "other", a->bytes - s);
}

static struct mw_attr *child(struct mw_attr *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}

/* category -> memcg: charged[key] of every memcg, the rest not charged */
static void by_memcg(struct mw_attr *cat, const struct mw_jv *doc, const char *key)
{
	const struct mw_jv *list = mw_jv_path(doc, "memcg.memcgs");
	uint64_t left = cat->bytes;
	for (size_t i = 0; i < mw_jv_count(list); i++) {
		const struct mw_jv *m = &list->v[i];
		uint64_t b = mw_jv_uint(mw_jv_get(mw_jv_get(m, "charged"), key), 0);
		if (b > left)
			b = left;
		if (!b)
			continue;
		add(cat, mw_jv_str(mw_jv_get(m, "path"), "?"), "memcg", b);
		left -= b;
	}
	if (cat->n)
		rest(cat, "(not charged to a memory cgroup)");
}

/* file/shmem category -> memcg -> file */
static void files_under(struct mw_attr *cat, const struct mw_jv *doc, const char *kind)
{
	const struct mw_jv *files = mw_jv_path(doc, "files.files");
	for (size_t i = 0; i < mw_jv_count(files); i++) {
		const struct mw_jv *f = &files->v[i];
		if (strcmp(mw_jv_str(mw_jv_get(f, "kind"), ""), kind) != 0)
			continue;
		const char *memcg = mw_jv_str(mw_jv_get(f, "memcg"), NULL);
		struct mw_attr *m = memcg ? child(cat, memcg) : NULL;
		if (!m)
			m = child(cat, "(not charged to a memory cgroup)");
		if (!m) {
			if (cat->n && strcmp(cat->v[0].kind, "file") != 0)
				continue;
			m = cat;	/* no memcg split: files right under the category */
		}
		uint64_t left = m->bytes - children_bytes(m);
		uint64_t b = mw_jv_uint(mw_jv_get(f, "cached_bytes"), 0);
		if (b > left)
			b = left;
		const char *name = mw_jv_str(mw_jv_get(f, "path"), NULL);
		if (b)
			add(m, name ? name : mw_jv_str(mw_jv_get(f, "name_kind"), "?"), "file", b);
	}
	if (cat->n && !strcmp(cat->v[0].kind, "file"))
		rest(cat, "(other files)");
	else
		for (size_t i = 0; i < cat->n; i++)
			rest(&cat->v[i], "(other files)");
}

/* skb_frags -> socket owner (each socket's page_bytes) */
static void sockets_under(struct mw_attr *cat, const struct mw_jv *doc)
{
	const struct mw_jv *socks = mw_jv_path(doc, "sockets.sockets");
	for (size_t i = 0; i < mw_jv_count(socks); i++) {
		const struct mw_jv *s = &socks->v[i];
		uint64_t b = mw_jv_uint(mw_jv_get(s, "page_bytes"), 0);
		uint64_t left = cat->bytes - children_bytes(cat);
		if (b > left)
			b = left;
		if (!b)
			continue;
		const struct mw_jv *owners = mw_jv_get(s, "owners");
		char name[128];
		if (mw_jv_count(owners))
			snprintf(name, sizeof(name), "pid %llu %s",
				 (unsigned long long)mw_jv_uint(mw_jv_get(&owners->v[0], "pid"), 0),
				 mw_jv_str(mw_jv_get(&owners->v[0], "comm"), "?"));
		else
			snprintf(name, sizeof(name), "(no owner)");
		struct mw_attr *o = child(cat, name);
		if (o)
			o->bytes += b;
		else
			add(cat, name, "socket", b);
	}
	rest(cat, "(other sockets)");
}

struct mw_attr *mw_attr_build(const struct mw_jv *doc)
{
	struct mw_attr *root = calloc(1, sizeof(*root));
	if (!root || !(root->name = strdup("RAM"))) {
		free(root);
		return NULL;
	}
	root->kind = "ram";
	const struct mw_jv *cats = mw_jv_path(doc, "summary.categories");
	for (size_t i = 0; i < mw_jv_count(cats); i++) {
		uint64_t b = mw_jv_uint(&cats->v[i], 0);
		if (!b)
			continue;
		struct mw_attr *c = add(root, cats->v[i].key, "category", b);
		if (!c)
			continue;
		root->bytes += b;
		const char *k = cats->v[i].key;
		if (!strcmp(k, "anon") || !strcmp(k, "file") || !strcmp(k, "shmem"))
			by_memcg(c, doc, k);
		if (!strcmp(k, "file") || !strcmp(k, "shmem"))
			files_under(c, doc, k);
		if (!strcmp(k, "skb_frags"))
			sockets_under(c, doc);
	}
	return root;
}

static void attr_deinit(struct mw_attr *a)
{
	for (size_t i = 0; i < a->n; i++)
		attr_deinit(&a->v[i]);
	free(a->v);
	free(a->name);
}

void mw_attr_destroy(struct mw_attr *root)
{
	if (!root)
		return;
	attr_deinit(root);
	free(root);
}
