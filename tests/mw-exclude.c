/* mw-exclude: which page frames a test-data dump can leave out.
 *
 *   mw-exclude DUMP > ranges.txt
 *   mw-convert --exclude-pfns-file ranges.txt --exclude-zero DUMP OUT
 *
 * Prints inclusive ranges "A-B" of the dump's blocks (mw-convert's pfns:
 * the reader's page size, which need not be the kernel's), one per line,
 * of memory whose contents
 * no analysis reads: the kernel's text (_stext.._etext, found through the
 * dump's own kallsyms) and, as makedumpfile -d 31 does, the contents of
 * free, anonymous, page-cache, shmem and hugetlb pages (classified by the
 * page walker). Their struct pages stay (they live in the vmemmap, kernel
 * memory), so every analysis still sees the same pages; only what is in
 * them is gone.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "analyzer/kernel.h"
#include "analyzer/pagescan.h"

struct run {
	uint64_t first, last;
};

struct runs {
	struct run *v;
	size_t n, cap;
	bool oom;
};

static void runs_add(struct runs *r, uint64_t first, uint64_t last)
{
	if (r->n && r->v[r->n - 1].last + 1 == first) {
		r->v[r->n - 1].last = last;
		return;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		struct run *v = realloc(r->v, cap * sizeof(*v));
		if (!v) {
			r->oom = true;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct run){ first, last };
}

struct collect {
	struct runs all;
	struct runs thread[MW_PAGESCAN_MAX_THREADS];
};

static struct mw_error *thread_init(void *arg, unsigned thread, void **tstate)
{
	struct collect *c = arg;
	*tstate = &c->thread[thread];
	return NULL;
}

static void page(void *tstate, const struct mw_page_event *ev)
{
	runs_add(tstate, ev->pfn, ev->pfn + ev->nr_pages - 1);
}

static struct mw_error *thread_done(void *arg, unsigned thread, void *tstate)
{
	struct collect *c = arg;
	struct runs *t = tstate;
	for (size_t i = 0; i < t->n; i++)
		runs_add(&c->all, t->v[i].first, t->v[i].last);
	free(t->v);
	if (t->oom || c->all.oom)
		return &mw_error_nomem;
	(void)thread;
	return NULL;
}

static int run_cmp(const void *a, const void *b)
{
	const struct run *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

static int fail(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "mw-exclude: %s\n", s ? s : err->message);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mw-exclude DUMP\n");
		return 2;
	}
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (err)
		return fail(err);
	struct mw_warnings w;
	mw_warnings_init(&w);
	struct mw_kernel *k;
	struct mw_kernel_options kopt = { 0 };
	if ((err = mw_kernel_open(r, argv[1], &kopt, &w, &k)))
		return fail(err);

	static struct collect c;
	struct mw_page_observer obs = {
		.name = "mw-exclude",
		.categories = MW_PAGE_CATEGORY_BIT(MW_PAGE_FREE) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_ANON) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_FILE) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_SHMEM) |
			      MW_PAGE_CATEGORY_BIT(MW_PAGE_HUGETLB),
		.arg = &c,
		.thread_init = thread_init,
		.page = page,
		.thread_done = thread_done,
	};
	struct mw_pagescan_options sopt = { .observers = &obs, .nr_observers = 1 };
	struct mw_pagescan *ps;
	if ((err = mw_pagescan_run(k, &sopt, &w, &ps)))
		return fail(err);
	uint64_t content = 0;
	for (size_t i = 0; i < c.all.n; i++)
		content += c.all.v[i].last - c.all.v[i].first + 1;
	/* the ranges in the dump's blocks, what mw-convert counts in: the
	 * scan's pfns are of the kernel's page size, which can be larger (a
	 * 16 KiB-page kernel in an ELF read in 4 KiB blocks) or smaller (QEMU's
	 * arm64 kdump: 64 KiB blocks of 4 KiB pages; only whole blocks then) */
	uint64_t kps = k->vm.page_size ? k->vm.page_size : 4096;
	uint64_t bs = mw_reader_info(r)->page_size;
	size_t kept = 0;
	for (size_t i = 0; i < c.all.n; i++) {
		uint64_t start = c.all.v[i].first * kps, end = (c.all.v[i].last + 1) * kps;
		uint64_t bf = (start + bs - 1) / bs, be = end / bs;
		if (be > bf)
			c.all.v[kept++] = (struct run){ bf, be - 1 };
	}
	c.all.n = kept;

	uint64_t stext, etext, pst, pet, left;
	if ((err = mw_kernel_symbol(k, "_stext", &stext)) ||
	    (err = mw_kernel_symbol(k, "_etext", &etext)) ||
	    (err = mw_vm_translate(&k->vm, stext, &pst, &left)) ||
	    (err = mw_vm_translate(&k->vm, etext, &pet, &left)))
		return fail(err);
	/* whole blocks inside the text only */
	uint64_t first = (pst + bs - 1) / bs, last = pet / bs;
	if (last > first)
		runs_add(&c.all, first, last - 1);
	if (c.all.oom)
		return fail(&mw_error_nomem);

	qsort(c.all.v, c.all.n, sizeof(*c.all.v), run_cmp);
	for (size_t i = 0; i < c.all.n;) {
		uint64_t a = c.all.v[i].first, b = c.all.v[i].last;
		for (i++; i < c.all.n && c.all.v[i].first <= b + 1; i++)
			if (c.all.v[i].last > b)
				b = c.all.v[i].last;
		printf("%" PRIu64 "-%" PRIu64 "\n", a, b);
	}
	fprintf(stderr, "mw-exclude: kernel text %" PRIu64 " blocks of %" PRIu64 " bytes; free, user, "
		"cache and hugetlb contents %" PRIu64 " pages of %" PRIu64 "; %zu warnings\n",
		last > first ? last - first : 0, bs, content, kps, mw_warnings_count(&w));
	free(c.all.v);
	mw_pagescan_destroy(ps);
	mw_kernel_destroy(k);
	mw_warnings_deinit(&w);
	mw_reader_destroy(r);
	return 0;
}
