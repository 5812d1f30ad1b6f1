/* memwhere: the charges each CPU holds in advance for a memcg.
 *
 * try_charge() charges the page counter a batch at a time
 * (MEMCG_CHARGE_BATCH pages) and keeps what it did not use in the CPU's
 * memcg_stock (cached memcg, nr_pages). Those pages are in the memcg's
 * usage (memory.current) but not yet in any memory.stat counter, and a
 * refill moves usage by a whole batch at once.
 */
#include "config.h"

#include "analyzer/memcg-internal.h"

enum { STOCK_MAX_PAGES = 1 << 16 };	/* a sane bound on one CPU's stock */

void mw_memcg_read_stocks(struct mw_kernel *k, const struct mw_memcg_input *in,
			  struct mw_memcg_tree *t)
{
	struct mw_field cached, nr_pages;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("memcg_stock_pcp.cached", &cached),
		MW_FIELD_MEMBER("memcg_stock_pcp.nr_pages", &nr_pages),
	};
	uint64_t stock;
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (!err)
		err = mw_kernel_symbol(k, "memcg_stock", &stock);
	if (err) {
		/* newer kernels keep several memcgs per CPU: not read */
		mw_error_destroy(err);
		return;
	}
	t->have_stocks = true;
	for (unsigned c = 0; c < in->nr_cpus; c++) {
		uint64_t base = stock + in->cpu_offsets[c], memcg = 0, pages = 0;
		/* a CPU whose stock cannot be read is left out */
		if ((err = mw_kernel_read(k, base + cached.offset, &memcg, sizeof(memcg)))) {
			mw_error_destroy(err);
			continue;
		}
		if (!memcg || nr_pages.size > sizeof(pages))
			continue;
		if ((err = mw_kernel_read(k, base + nr_pages.offset, &pages, (size_t)nr_pages.size))) {
			mw_error_destroy(err);
			continue;
		}
		if (pages > STOCK_MAX_PAGES)
			continue;
		ptrdiff_t i = mw_memcg_find_addr(t, memcg);
		if (i >= 0)
			t->memcgs[i].stock_pages += pages;
	}
}
