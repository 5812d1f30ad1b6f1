/* memwhere: rendering of `files`, text and JSON. */
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
	MEMCG_COLUMN = 18,
	LINE_WIDTH = 100,	/* a path is shortened in the middle to fit */
};


static const char *memcg_path(const struct mw_memcg_tree *t, uint64_t memcg)
{
	if (!t || !memcg)
		return NULL;
	ptrdiff_t i = mw_memcg_find_addr(t, memcg);
	return i >= 0 ? t->memcgs[i].path : NULL;
}

/* The memcg column: the cgroup's own name, cut to fit. */
static void memcg_cell(const struct mw_memcg_tree *t, const struct mw_file *f,
		       char *buf, size_t len)
{
	const char *p = memcg_path(t, f->memcg);
	char name[4 * MEMCG_COLUMN + 8];
	if (!f->memcg) {
		snprintf(name, sizeof(name), "-");
	} else if (!p) {
		snprintf(name, sizeof(name), "0x%" PRIx64, f->memcg);
	} else {
		const char *last = strrchr(p, '/');
		last = last && last[1] ? last + 1 : p;
		size_t n = strlen(last);
		size_t room = MEMCG_COLUMN - (f->nr_memcgs > 1 ? 4 : 0);
		/* shortened in the middle: ids differ at their ends */
		FILE *mf = n > room ? fmemopen(name, sizeof(name), "w") : NULL;
		if (mf) {
			mw_put_fit(mf, last, room);
			fputc('\0', mf);
			fclose(mf);
			name[sizeof(name) - 1] = '\0';
		} else {
			snprintf(name, sizeof(name), "%s", last);
		}
	}
	if (f->nr_memcgs > 1)
		snprintf(buf, len, "%s +%" PRIu32, name, f->nr_memcgs - 1);
	else
		snprintf(buf, len, "%s", name);
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_files *f = &an->files;
	const struct mw_memcg_tree *t = an->have_tree ? &an->tree : NULL;
	const char *filter = an->memcg_path;
	FILE *o = ctx->out;
	uint64_t ps = f->page_size;
	char a[32], b[32], c[32], d[32];
	mw_human_bytes(f->cached_pages * ps, a, sizeof(a));
	struct mw_para para;
	fprintf(mw_para_begin(o, &para), "%s: page cache and shared memory by file%s%s\n",
		ctx->dump_path, filter ? ", memory cgroup " : "", filter ? filter : "");
	mw_para_end(&para, 2);
	mw_human_bytes(f->file_pages * ps, b, sizeof(b));
	mw_human_bytes(f->shmem_pages * ps, c, sizeof(c));
	fprintf(o, "%s in %zu files: %s file cache, %s shmem", a, f->nr, b, c);
	mw_human_bytes(f->dirty_pages * ps, b, sizeof(b));
	mw_human_bytes(f->writeback_pages * ps, c, sizeof(c));
	fprintf(o, "; %s dirty, %s under writeback\n", b, c);
	if (f->hugetlb_pages) {
		mw_human_bytes(f->hugetlb_pages * ps, b, sizeof(b));
		fprintf(o, "and %s of hugetlb pool pages in hugetlbfs files (not page cache: "
			"`memwhere pools`)\n", b);
	}
	if (f->deleted_files) {
		mw_human_bytes(f->deleted_pages * ps, b, sizeof(b));
		fprintf(o, "%" PRIu64 " deleted files (or removed SysV segments) still hold %s\n",
			f->deleted_files, b);
	}
	if (filter) {
		mw_human_bytes(f->filtered_pages * ps, b, sizeof(b));
		fprintf(o, "only pages charged to %s and below; %s of other memory cgroups left out\n",
			filter, b);
	}
	size_t n = ctx->opt.top && ctx->opt.top < f->nr ? ctx->opt.top : f->nr;
	/* the FILE column as wide as 100 columns leave: a long path keeps its
	 * distinguishing end, shortened in the middle */
	fprintf(o, "\n%9s %9s %9s %-6s %-*s %s\n", "CACHED", "DIRTY", "SIZE", "FS",
		MEMCG_COLUMN, "MEMCG", "FILE");
	for (size_t i = 0; i < n; i++) {
		const struct mw_file *x = &f->files[i];
		char m[4 * MEMCG_COLUMN + 24];
		mw_human_bytes(x->cached_pages * ps, a, sizeof(a));
		if (x->dirty_pages)
			mw_human_bytes(x->dirty_pages * ps, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "-");
		if (x->size_bytes >= 0)
			mw_human_bytes((uint64_t)x->size_bytes, c, sizeof(c));
		else
			snprintf(c, sizeof(c), "?");
		memcg_cell(t, x, m, sizeof(m));
		const char *del = x->deleted && x->name != MW_FILE_SYSV_SHM ? " (deleted)" : "";
		fprintf(o, "%9s %9s %9s %-6s %-*s ", a, b, c, x->fs, MEMCG_COLUMN, m);
		mw_put_fit(o, x->path, LINE_WIDTH - (3 * 10 + 7 + MEMCG_COLUMN + 1) - strlen(del));
		fprintf(o, "%s\n", del);
	}
	if (n < f->nr) {
		uint64_t rest = 0;
		for (size_t i = n; i < f->nr; i++)
			rest += f->files[i].cached_pages;
		mw_human_bytes(rest * ps, a, sizeof(a));
		fprintf(o, "%10s in %zu more file%s (--top 0 lists every file)\n", a, f->nr - n,
			f->nr - n == 1 ? "" : "s");
	}

	size_t nd = ctx->opt.top && ctx->opt.top < f->nr_dirs ? ctx->opt.top : f->nr_dirs;
	if (nd) {
		fprintf(o, "\nBy directory (the files directly in it):\n");
		fprintf(o, "%10s %7s %10s %10s %7s  %s\n", "CACHED", "FILES", "AVERAGE", "DIRTY",
			"MAPPED", "DIRECTORY");
		for (size_t i = 0; i < nd; i++) {
			const struct mw_files_dir *x = &f->dirs[i];
			mw_human_bytes(x->cached_pages * ps, a, sizeof(a));
			mw_human_bytes(x->files ? x->cached_pages * ps / x->files : 0, c, sizeof(c));
			if (x->dirty_pages)
				mw_human_bytes(x->dirty_pages * ps, d, sizeof(d));
			else
				snprintf(d, sizeof(d), "-");
			fprintf(o, "%10s %7" PRIu64 " %10s %10s %7" PRIu64 "  ", a, x->files, c, d,
				x->mapped_files);
			mw_put_fit(o, x->name, LINE_WIDTH - (10 + 8 + 11 + 11 + 8 + 2));
			fputc('\n', o);
		}
		if (nd < f->nr_dirs)
			fprintf(o, "%10s %zu more director%s\n", "", f->nr_dirs - nd,
				f->nr_dirs - nd == 1 ? "y" : "ies");
	}
	/* report lists every analysis' findings together at its end */
	const struct mw_finding *fi;
	size_t it = 0;
	for (size_t shown = 0; !ctx->in_report &&
	     (fi = mw_findings_next(&an->findings, MW_RESULT_FILES, &it)); shown++) {
		if (shown == 0)
			fprintf(o, "\nFindings\n");
		mw_text_finding(o, fi, MW_FINDING_FULL);
	}
	mw_render_text_warnings(ctx);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_files *f = &an->files;
	const struct mw_memcg_tree *t = an->have_tree ? &an->tree : NULL;
	const char *filter = an->memcg_path;
	struct mw_json j;
	uint64_t ps = f->page_size;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_string_or_null(&j, "memcg_filter", filter);
	mw_json_kv_uint(&j, "total_cached_bytes", f->cached_pages * ps);
	mw_json_kv_uint(&j, "file_bytes", f->file_pages * ps);
	mw_json_kv_uint(&j, "shmem_bytes", f->shmem_pages * ps);
	mw_json_kv_uint(&j, "dirty_bytes", f->dirty_pages * ps);
	mw_json_kv_uint(&j, "writeback_bytes", f->writeback_pages * ps);
	mw_json_kv_uint(&j, "block_device_bytes", f->block_device_pages * ps);
	mw_json_kv_uint(&j, "hugetlb_bytes", f->hugetlb_pages * ps);
	mw_json_kv_uint(&j, "deleted_bytes", f->deleted_pages * ps);
	if (filter)
		mw_json_kv_uint(&j, "other_memcgs_bytes", f->filtered_pages * ps);
	mw_json_kv_uint(&j, "files_total", f->nr);
	mw_json_key(&j, "by_name_kind");
	mw_json_object_begin(&j);
	for (int k = 0; k < MW_FILE_NR_NAMES; k++) {
		if (!f->files_by_name[k])
			continue;
		mw_json_key(&j, mw_file_name_kind((enum mw_file_name)k));
		mw_json_object_begin(&j);
		mw_json_kv_uint(&j, "files", f->files_by_name[k]);
		mw_json_kv_uint(&j, "cached_bytes", f->pages_by_name[k] * ps);
		mw_json_object_end(&j);
	}
	mw_json_object_end(&j);
	size_t n = ctx->opt.top && ctx->opt.top < f->nr ? ctx->opt.top : f->nr;
	mw_json_kv_uint(&j, "files_listed", n);
	mw_json_key(&j, "files");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct mw_file *x = &f->files[i];
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "path", x->path);
		mw_json_kv_string(&j, "fs", x->fs);
		mw_json_kv_string(&j, "kind", x->hugetlb ? "hugetlb" : x->shmem ? "shmem" : "file");
		mw_json_kv_uint(&j, "inode", x->ino);
		mw_json_kv_uint_or_null(&j, "size_bytes", x->size_bytes >= 0, (uint64_t)x->size_bytes);
		mw_json_kv_uint(&j, "cached_bytes", x->cached_pages * ps);
		mw_json_kv_uint(&j, "dirty_bytes", x->dirty_pages * ps);
		mw_json_kv_uint(&j, "writeback_bytes", x->writeback_pages * ps);
		mw_json_kv_bool(&j, "deleted", x->deleted);
		mw_json_kv_bool(&j, "mapped", x->mapped);
		const char *mp = memcg_path(t, x->memcg);
		mw_json_kv_string_or_null(&j, "memcg", mp);
		if (x->memcg && !mp)
			mw_json_kv_addr(&j, "memcg_address", x->memcg);
		mw_json_kv_uint(&j, "nr_memcgs", x->nr_memcgs);
		mw_json_kv_string(&j, "name_kind", mw_file_name_kind(x->name));
		mw_json_kv_string(&j, "directory", x->dir);
		if (x->name == MW_FILE_SYSV_SHM) {
			mw_json_key(&j, "sysv");
			mw_json_object_begin(&j);
			if (x->sysv_key >= 0)
				mw_json_kv_int(&j, "key", x->sysv_key);
			if (x->sysv_shmid >= 0)
				mw_json_kv_int(&j, "shmid", x->sysv_shmid);
			if (x->sysv_nattch >= 0)
				mw_json_kv_int(&j, "nattch", x->sysv_nattch);
			mw_json_object_end(&j);
		}
		mw_json_kv_addr(&j, "address_space", x->mapping);
		if (x->inode)
			mw_json_kv_addr(&j, "inode_address", x->inode);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	size_t nd = ctx->opt.top && ctx->opt.top < f->nr_dirs ? ctx->opt.top : f->nr_dirs;
	mw_json_kv_uint(&j, "directories_total", f->nr_dirs);
	mw_json_key(&j, "directories");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < nd; i++) {
		const struct mw_files_dir *x = &f->dirs[i];
		mw_json_object_begin(&j);
		mw_json_kv_string(&j, "directory", x->name);
		mw_json_kv_uint(&j, "files", x->files);
		mw_json_kv_uint(&j, "cached_bytes", x->cached_pages * ps);
		mw_json_kv_uint(&j, "dirty_bytes", x->dirty_pages * ps);
		mw_json_kv_uint(&j, "average_bytes", x->files ? x->cached_pages * ps / x->files : 0);
		mw_json_kv_uint(&j, "mapped_files", x->mapped_files);
		mw_json_kv_string(&j, "kind", x->shmem ? "shmem" : "file");
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	/* report lists every analysis' findings together at its end */
	mw_json_findings_of(&j, ctx->in_report ? NULL : &an->findings, MW_RESULT_FILES);
	mw_render_json_end(ctx, &j);
}

const struct mw_renderer mw_files_renderer = { .text = render_text, .json = render_json };
