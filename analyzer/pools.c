/* memwhere: the pools result (hugetlb, zram/zswap, CMA) and its findings. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/findings.h"
#include "analyzer/pools.h"

struct mw_error *mw_pools_analyze(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->page_size = k->vm.page_size;
	struct mw_error *err;
	if ((err = mw_hugetlb_read(k, w, ret)) || (err = mw_hugetlb_files_read(k, w, ret)) ||
	    (err = mw_hugetlb_procs_read(k, w, ret)) ||
	    (err = mw_zram_read(k, w, ret)) || (err = mw_cma_read(k, w, ret))) {
		mw_pools_deinit(ret);
		return err;
	}
	uint64_t used = 0;
	for (size_t i = 0; i < ret->nr_hstates; i++) {
		const struct mw_hstate *h = &ret->hstates[i];
		used += (h->nr > h->free ? h->nr - h->free : 0) * h->page_bytes;
	}
	if (ret->files_read && !ret->files_incomplete)
		ret->private_bytes = used > ret->file_bytes ? used - ret->file_bytes : 0;
	return NULL;
}

void mw_pools_deinit(struct mw_pools *p)
{
	for (size_t i = 0; i < p->nr_hstates; i++)
		free(p->hstates[i].nodes);
	for (size_t i = 0; i < p->nr_files; i++)
		free(p->files[i].path);
	free(p->files);
	free(p->procs);
	free(p->zram);
	memset(p, 0, sizeof(*p));
}

struct mw_error *mw_pools_findings(const struct mw_pools *p, uint64_t total_ram,
				   struct mw_findings *out)
{
	for (size_t i = 0; total_ram && i < p->nr_hstates; i++) {
		const struct mw_hstate *h = &p->hstates[i];
		uint64_t pool = h->nr * h->page_bytes;
		/* free pages promised to mappings (resv) are not idle */
		uint64_t idle = (h->free > h->resv ? h->free - h->resv : 0) * h->page_bytes;
		if (!pool || idle * 100 < pool * MW_POOLS_FREE_PERCENT ||
		    idle * 100 < total_ram * MW_POOLS_FREE_MIN_PERCENT)
			continue;
		struct mw_finding *f = mw_findings_add(out, MW_FINDING_HUGETLB_POOL_FREE,
						       idle * 4 >= total_ram ? MW_SEVERITY_CRITICAL :
						       MW_SEVERITY_WARNING, idle);
		if (!f)
			return &mw_error_nomem;
		f->advice = MW_ADVICE_HUGETLB_POOL_FREE;
		struct mw_finding_hugetlb_pool *e = &f->u.hugetlb_pool;
		e->hstate = h;
		e->percent_ram = 100.0 * (double)idle / (double)total_ram;
		for (size_t j = 0; j < p->nr_files; j++) {
			const struct mw_hugetlb_file *hf = &p->files[j];
			if (hf->page_bytes && hf->page_bytes != h->page_bytes)
				continue;
			e->holders++;
			e->held_bytes += hf->bytes;
			if (!e->largest)
				e->largest = hf;	/* files are ranked by bytes */
		}
	}
	for (size_t i = 0; i < p->nr_zram; i++) {
		const struct mw_zram_dev *d = &p->zram[i];
		if (!d->stats_known || d->orig_data_size < (uint64_t)MW_ZRAM_POOR_MIN_MIB << 20 ||
		    d->compr_data_size * 100.0 <= (double)d->orig_data_size * MW_ZRAM_POOR_PERCENT)
			continue;
		/* the RAM it takes: the zsmalloc pages, else the compressed data */
		uint64_t bytes = d->pool_known ? d->mem_used_total : d->compr_data_size;
		struct mw_finding *f = mw_findings_add(out, MW_FINDING_ZRAM_POOR_COMPRESSION,
						       MW_SEVERITY_WARNING, bytes);
		if (!f)
			return &mw_error_nomem;
		f->advice = MW_ADVICE_ZRAM_ALGORITHM;
		f->u.zram.dev = d;
		f->u.zram.ratio = (double)d->compr_data_size / (double)d->orig_data_size;
	}
	return NULL;
}
