/* pagescan-tool: where the struct page of a page sits in a dump, for the
 * tests that corrupt one (tests/summary-corrupt.sh).
 *
 *   pagescan-tool DUMP CATEGORY
 *
 * finds the first order-0 page of CATEGORY ("anon", "file", ...) with the
 * page walker's observer interface and prints, one line:
 *   PFN PADDR OFF_COMPOUND_HEAD OFF_PAGE_TYPE BAD_PAGE_TYPE
 * PADDR is the physical address of its struct page, OFF_* the offsets of
 * the members in it, BAD_PAGE_TYPE a page_type value that this kernel's
 * rules call no type at all (all decimal but PADDR and BAD_PAGE_TYPE, hex).
 * Exit 0, or 1 if no such page, 2 on errors.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/pagescan.h"

struct found {
	uint64_t pfn;
	bool have;
};

static void on_page(void *tstate, const struct mw_page_event *ev)
{
	struct found *f = tstate;
	if (ev->nr_pages == 1 && (!f->have || ev->pfn < f->pfn)) {
		f->pfn = ev->pfn;
		f->have = true;
	}
}

static struct mw_error *thread_init(void *arg, unsigned thread, void **tstate)
{
	(void)thread;
	*tstate = (struct found *)arg + 1 + thread;
	return NULL;
}

static int fail(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "pagescan-tool: %s\n", s ? s : err->message);
	free(s);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: pagescan-tool DUMP CATEGORY\n");
		return 2;
	}
	int cat = -1;
	for (int c = 0; c < MW_PAGE_NR_CATEGORIES; c++)
		if (strcmp(argv[2], mw_page_category_name((enum mw_page_category)c)) == 0)
			cat = c;
	if (cat < 0) {
		fprintf(stderr, "pagescan-tool: no category %s\n", argv[2]);
		return 2;
	}
	struct mw_reader *r;
	struct mw_kernel *k;
	struct mw_warnings w;
	mw_warnings_init(&w);
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (err)
		return fail(err);
	struct mw_kernel_options ko = { 0 };
	if ((err = mw_kernel_open(r, argv[1], &ko, &w, &k)))
		return fail(err);
	struct found found[1 + MW_PAGESCAN_MAX_THREADS];
	memset(found, 0, sizeof(found));
	struct mw_page_observer ob = {
		.name = "pagescan-tool",
		.categories = MW_PAGE_CATEGORY_BIT(cat),
		.arg = found,
		.thread_init = thread_init,
		.page = on_page,
	};
	struct mw_pagescan_options opt = { .observers = &ob, .nr_observers = 1 };
	struct mw_pagescan *ps;
	if ((err = mw_pagescan_run(k, &opt, &w, &ps)))
		return fail(err);
	struct found best = { 0 };
	for (unsigned i = 1; i <= MW_PAGESCAN_MAX_THREADS; i++)
		if (found[i].have && (!best.have || found[i].pfn < best.pfn))
			best = found[i];
	int rc = 1;
	if (best.have) {
		const struct mw_page_layout *l = &ps->layout;
		uint64_t paddr, left;
		err = mw_vm_translate(&k->vm, k->vmemmap_base + best.pfn * l->size, &paddr, &left);
		if (err)
			return fail(err);
		/* bit scheme: one bit under PAGE_TYPE_BASE that is no type of
		 * this kernel's (0x800 where PG_kmemcg moved PG_guard there) */
		uint32_t unused = 0x800;
		for (bool used = true; used && unused < 0x08000000u;) {
			used = (l->type_flags & unused) != 0;
			for (int t = MW_PT_BUDDY; t < MW_PT_NR; t++)
				used = used || l->type_value[t] == unused;
			if (used)
				unused <<= 1;
		}
		uint32_t bad = l->scheme == MW_PAGETYPE_PGTY ? 0xf9000000u :
			(l->type_base | (0x0fffffffu & ~unused));
		printf("%" PRIu64 " 0x%" PRIx64 " %" PRIu32 " %" PRIu32 " 0x%08" PRIx32 "\n",
		       best.pfn, paddr, l->off_compound_head, l->off_page_type, bad);
		rc = 0;
	}
	mw_pagescan_destroy(ps);
	mw_kernel_destroy(k);
	mw_reader_destroy(r);
	mw_warnings_deinit(&w);
	return rc;
}
