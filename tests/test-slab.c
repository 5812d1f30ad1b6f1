/* Slab findings: which caches are out of proportion and what the words say. */
#include "config.h"

#include <string.h>

#include "analyzer/slab.h"
#include "cli/findings.h"
#include "tests/tap.h"

static struct mw_slab_cache_info cache(const char *name, uint64_t bytes, bool reclaimable)
{
	struct mw_slab_cache_info c = { .size = 192, .slabs = bytes / 4096,
					.pages_per_slab = 1, .objects_per_slab = 21,
					.bytes = bytes, .reclaimable = reclaimable };
	strncpy(c.name, name, sizeof(c.name) - 1);
	c.objects_total = c.slabs * 21;
	c.objects_active = c.objects_total / 2;
	return c;
}

int main(void)
{
	const uint64_t ram = 1ULL << 30, mib = 1 << 20;
	struct mw_slab_cache_info v[3] = {
		cache("dentry", 300 * mib, true),		/* 29% of RAM */
		cache("kmalloc-64", 120 * mib, false),		/* 11.7% */
		cache("task_struct", 20 * mib, false),		/* small */
	};
	struct mw_slab s = { .caches = v, .nr = 3, .page_size = 4096,
			     .total_bytes = 440 * mib };
	s.dentry.known = s.dentry.negative_known = true;
	s.dentry.nr_dentry = 1500000;
	s.dentry.nr_unused = 1400000;
	s.dentry.nr_negative = 1300000;
	struct mw_findings list = { 0 };
	struct mw_error *err = mw_slab_findings(&s, ram, &list);
	size_t n = err ? 0 : list.nr;
	mw_findings_sort(&list);
	const struct mw_finding *f = list.v;
	tap_ok(n == 2, "two caches out of proportion (got %zu)", n);
	tap_ok(n >= 1 && f[0].kind == MW_FINDING_SLAB_CACHE_LARGE &&
	       f[0].severity == MW_SEVERITY_CRITICAL && f[0].bytes == 300 * mib &&
	       f[0].u.slab.grower == MW_SLAB_GROWER_DENTRY && f[0].u.slab.nr_negative == 1300000,
	       "dentry at 29%% of RAM is critical, with its bytes, grower and negative count");
	struct mw_finding_words w = { 0 };
	bool ok = n >= 1 && mw_finding_words(&f[0], &w);
	tap_ok(ok && strstr(w.title, "dentry") && strstr(w.title, "29% of RAM"),
	       "title names the cache and its share: %s", ok ? w.title : "");
	tap_ok(ok && strstr(w.evidence, "1300000 negative") && strstr(w.evidence, "negative dentries"),
	       "evidence gives the dcache's negative count and what grows it: %s",
	       ok ? w.evidence : "");
	if (ok)
		mw_finding_words_deinit(&w);
	ok = n >= 2 && mw_finding_words(&f[1], &w);
	tap_ok(ok && f[1].severity == MW_SEVERITY_WARNING && strstr(w.evidence, "not reclaimable") &&
	       strstr(w.advice, "kmemleak"),
	       "kmalloc-64 at 11%% is a warning, not reclaimable, with leak advice");
	if (ok)
		mw_finding_words_deinit(&w);
	mw_findings_deinit(&list);
	s.total_bytes = 40 * mib;
	v[0].bytes = 30 * mib;
	v[1].bytes = 5 * mib;
	err = mw_slab_findings(&s, ram, &list);
	tap_ok(!err && list.nr == 0, "a 30 MiB dentry cache in 1 GiB is no finding (got %zu)", list.nr);
	mw_findings_deinit(&list);
	return tap_done();
}
