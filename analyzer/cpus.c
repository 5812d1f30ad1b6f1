#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/cpus.h"

struct mw_error *mw_cpus_read(struct mw_kernel *k, struct mw_cpus *ret)
{
	struct mw_error *err;
	uint32_t nr_ids;
	uint64_t mask_addr, off_addr;

	memset(ret, 0, sizeof(*ret));
	if ((err = mw_kernel_read_symbol(k, "nr_cpu_ids", &nr_ids, sizeof(nr_ids))))
		return err;
	if (nr_ids == 0 || nr_ids > MW_CPUS_MAX)
		return mw_error_create(MW_ERR_BAD_DATA, "nr_cpu_ids is %" PRIu32,
				       nr_ids);
	if ((err = mw_kernel_symbol(k, "__cpu_possible_mask", &mask_addr)) ||
	    (err = mw_kernel_symbol(k, "__per_cpu_offset", &off_addr)))
		return err;
	size_t words = (nr_ids + 63) / 64;
	uint64_t *mask = calloc(words, sizeof(*mask));
	uint64_t *offs = calloc(nr_ids, sizeof(*offs));
	ret->ids = calloc(nr_ids, sizeof(*ret->ids));
	ret->offsets = calloc(nr_ids, sizeof(*ret->offsets));
	if (!mask || !offs || !ret->ids || !ret->offsets) {
		err = &mw_error_nomem;
		goto out;
	}
	if ((err = mw_kernel_read(k, mask_addr, mask, words * sizeof(*mask)))) {
		err = mw_error_prepend(err, "reading __cpu_possible_mask");
		goto out;
	}
	if ((err = mw_kernel_read(k, off_addr, offs, nr_ids * sizeof(*offs)))) {
		err = mw_error_prepend(err, "reading __per_cpu_offset");
		goto out;
	}
	for (unsigned c = 0; c < nr_ids; c++) {
		if (!(mask[c / 64] & (1ULL << (c % 64))))
			continue;
		ret->ids[ret->nr] = c;
		ret->offsets[ret->nr] = offs[c];
		ret->nr++;
	}
	ret->nr_cpu_ids = nr_ids;
	if (ret->nr == 0)
		err = mw_error_create(MW_ERR_BAD_DATA, "__cpu_possible_mask is empty");
out:
	free(mask);
	free(offs);
	if (err)
		mw_cpus_deinit(ret);
	return err;
}

void mw_cpus_deinit(struct mw_cpus *c)
{
	free(c->ids);
	free(c->offsets);
	memset(c, 0, sizeof(*c));
}
