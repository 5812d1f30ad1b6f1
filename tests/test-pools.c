/* The pools' findings and names, on pools made by hand: when a hugetlb
 * pool is idle enough to be a finding (free pages promised to mappings are
 * not idle), which holders it names, and the kind a hugetlbfs inode's name
 * says. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/findings.h"
#include "analyzer/pools.h"
#include "cli/findings.h"
#include "tests/tap.h"

enum { MIB = 1 << 20, HUGE = 2 * MIB };

static void pool(struct mw_pools *p, uint64_t nr, uint64_t free, uint64_t resv)
{
	memset(p, 0, sizeof(*p));
	p->page_size = 4096;
	p->have_hugetlb = true;
	p->nr_hstates = 1;
	p->hstates[0] = (struct mw_hstate){ .name = "hugepages-2048kB", .order = 9,
					    .page_bytes = HUGE, .nr = nr, .free = free, .resv = resv };
}

static void findings(void)
{
	struct mw_pools p;
	struct mw_findings f = { 0 };
	const uint64_t ram = 1024ULL * MIB;

	pool(&p, 100, 90, 0);	/* 180 MiB idle of 200: 17.6% of RAM */
	struct mw_hugetlb_file files[2] = {
		{ .path = "/mnt/huge/big", .bytes = 8 * MIB, .page_bytes = HUGE },
		{ .path = "/SYSV00000001", .kind = MW_HUGETLB_SHM, .bytes = 2 * MIB, .page_bytes = HUGE },
	};
	p.files = files;
	p.nr_files = 2;
	tap_ok(!mw_pools_findings(&p, ram, &f) && f.nr == 1, "a pool 90%% free of 200 MiB is a finding");
	if (f.nr == 1) {
		const struct mw_finding *x = &f.v[0];
		tap_ok(x->kind == MW_FINDING_HUGETLB_POOL_FREE && x->bytes == 180ULL * MIB &&
		       x->severity == MW_SEVERITY_WARNING, "hugetlb-pool-free, 180 MiB, a warning");
		tap_ok(x->u.hugetlb_pool.holders == 2 && x->u.hugetlb_pool.held_bytes == 10 * MIB &&
		       x->u.hugetlb_pool.largest == &files[0], "it names the two holders and the largest");
		struct mw_finding_words w;
		if (tap_ok(mw_finding_words(x, &w), "its words")) {
			tap_ok(strstr(w.title, "hugepages-2048kB") && strstr(w.title, "180.0 MiB"),
			       "the title names the pool and its idle bytes (%s)", w.title);
			tap_ok(strstr(w.evidence, "100 huge pages") && strstr(w.evidence, "/mnt/huge/big"),
			       "the evidence counts the pages and names the largest holder");
			tap_ok(strstr(w.advice, "nr_hugepages") != NULL, "the advice says how to shrink it");
			mw_finding_words_deinit(&w);
		}
	}
	mw_findings_deinit(&f);

	pool(&p, 100, 90, 80);	/* free but reserved for mappings: 20 MiB idle */
	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, ram, &f) && f.nr == 0, "free pages reserved for mappings are not idle");
	mw_findings_deinit(&f);

	pool(&p, 10, 9, 0);	/* 18 MiB idle: under 2%% of RAM */
	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, ram, &f) && f.nr == 0, "a small idle pool is no finding");
	mw_findings_deinit(&f);

	pool(&p, 200, 80, 0);	/* 40%% free: most of it in use */
	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, ram, &f) && f.nr == 0, "a pool mostly in use is no finding");
	mw_findings_deinit(&f);

	pool(&p, 300, 300, 0);	/* 600 MiB idle: over a quarter of RAM */
	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, ram, &f) && f.nr == 1 &&
	       f.v[0].severity == MW_SEVERITY_CRITICAL && !f.v[0].u.hugetlb_pool.largest,
	       "an unused pool of a quarter of RAM is critical, with no holder");
	mw_findings_deinit(&f);

	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, 0, &f) && f.nr == 0, "RAM unknown: no finding");
	mw_findings_deinit(&f);
	tap_is_str(mw_finding_id(MW_FINDING_HUGETLB_POOL_FREE), "hugetlb-pool-free", "its id");

	/* the summary's hugetlb-free says the same pages again: dropped
	 * where the pool's finding is made, kept where it is not */
	pool(&p, 100, 90, 0);
	memset(&f, 0, sizeof(f));
	struct mw_finding *h = mw_findings_add(&f, MW_FINDING_HUGETLB_FREE, MW_SEVERITY_INFO,
					       180ULL * MIB);
	struct mw_finding *o = mw_findings_add(&f, MW_FINDING_BALLOON, MW_SEVERITY_INFO, MIB);
	tap_ok(h && o && !mw_pools_findings(&p, ram, &f) && f.nr == 3, "hugetlb-free, balloon, hugetlb-pool-free");
	mw_findings_drop_repeated(&f);
	tap_ok(f.nr == 2 && f.v[0].kind == MW_FINDING_BALLOON &&
	       f.v[1].kind == MW_FINDING_HUGETLB_POOL_FREE, "hugetlb-free goes, the others stay in order");
	mw_findings_deinit(&f);
	pool(&p, 100, 90, 80);	/* no pool finding */
	memset(&f, 0, sizeof(f));
	h = mw_findings_add(&f, MW_FINDING_HUGETLB_FREE, MW_SEVERITY_INFO, 180ULL * MIB);
	tap_ok(h && !mw_pools_findings(&p, ram, &f) && f.nr == 1, "only hugetlb-free");
	mw_findings_drop_repeated(&f);
	tap_ok(f.nr == 1 && f.v[0].kind == MW_FINDING_HUGETLB_FREE, "without a pool's finding it stays");
	mw_findings_deinit(&f);
}

/* zram-poor-compression: thresholds of 75% and 8 MiB stored. */
static void zram_findings(void)
{
	struct mw_pools p;
	struct mw_findings f = { 0 };
	struct mw_zram_dev dev = { .name = "zram0", .stats_known = true, .pool_known = true,
				   .orig_data_size = 64 * MIB, .compr_data_size = 56 * MIB,
				   .mem_used_total = 58 * MIB, .huge_pages = 9000,
				   .comp_algorithm = "lzo-rle" };
	memset(&p, 0, sizeof(p));
	p.page_size = 4096;
	p.zram = &dev;
	p.nr_zram = 1;
	tap_ok(!mw_pools_findings(&p, 1024ULL * MIB, &f) && f.nr == 1,
	       "64 MiB stored in 56 MiB (87%%) is a finding");
	if (f.nr == 1) {
		const struct mw_finding *x = &f.v[0];
		tap_ok(x->kind == MW_FINDING_ZRAM_POOR_COMPRESSION && x->bytes == 58ULL * MIB &&
		       x->u.zram.dev == &dev && x->u.zram.ratio > 0.87 && x->u.zram.ratio < 0.88,
		       "zram-poor-compression of the zsmalloc pages (58 MiB), ratio 0.875");
		struct mw_finding_words w;
		if (tap_ok(mw_finding_words(x, &w), "its words")) {
			tap_ok(strstr(w.title, "zram0") && strstr(w.title, "88%"),
			       "the title names the device and the ratio (%s)", w.title);
			tap_ok(strstr(w.evidence, "lzo-rle") && strstr(w.evidence, "9000"),
			       "the evidence names the algorithm and the incompressible pages (%s)",
			       w.evidence);
			tap_ok(strstr(w.advice, "zstd") && strstr(w.advice, "not compressible"),
			       "the advice: another algorithm, or the data does not compress");
			mw_finding_words_deinit(&w);
		}
	}
	mw_findings_deinit(&f);
	dev.compr_data_size = 48 * MIB;	/* exactly 75%: not above */
	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, 1024ULL * MIB, &f) && f.nr == 0, "75%% is no finding");
	mw_findings_deinit(&f);
	dev.orig_data_size = 7 * MIB;	/* 7 MiB stored in 6 */
	dev.compr_data_size = 6 * MIB;
	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, 1024ULL * MIB, &f) && f.nr == 0,
	       "under 8 MiB stored is no finding");
	mw_findings_deinit(&f);
	dev.orig_data_size = 64 * MIB;
	dev.compr_data_size = 60 * MIB;
	dev.stats_known = false;
	memset(&f, 0, sizeof(f));
	tap_ok(!mw_pools_findings(&p, 1024ULL * MIB, &f) && f.nr == 0, "mm_stat not read: no finding");
	mw_findings_deinit(&f);
	tap_is_str(mw_finding_id(MW_FINDING_ZRAM_POOR_COMPRESSION), "zram-poor-compression", "its id");
}

static void kinds(void)
{
	tap_ok(mw_hugetlb_kind_of("/SYSV0000abcd", false) == MW_HUGETLB_SHM, "SYSV<key>: shm");
	tap_ok(mw_hugetlb_kind_of("/anon_hugepage", false) == MW_HUGETLB_ANON, "anon_hugepage: anon");
	tap_ok(mw_hugetlb_kind_of("/memfd:db (deleted)", false) == MW_HUGETLB_MEMFD, "memfd:name: memfd");
	tap_ok(mw_hugetlb_kind_of("/mnt/huge/SYSV1", true) == MW_HUGETLB_FILE,
	       "a file named SYSV1 on a mounted hugetlbfs is a file");
	tap_ok(mw_hugetlb_kind_of(NULL, false) == MW_HUGETLB_FILE, "no name: file");
	tap_is_str(mw_hugetlb_file_kind_name(MW_HUGETLB_ANON), "anon", "kind names");
}

int main(void)
{
	findings();
	zram_findings();
	kinds();
	return tap_done();
}
