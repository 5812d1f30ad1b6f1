/* memwhere: the skb_frags category of the page scan (see skbfrags.h). */
#include "config.h"

#include <string.h>

#include "analyzer/skbfrags.h"

struct mw_error *mw_skbfrags_set(const struct mw_skb_page *pages, size_t nr,
				 struct mw_pfnset *ret)
{
	struct mw_pfnset_builder b = { 0 };
	struct mw_error *err = NULL;
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < nr && !err; i++) {
		const struct mw_skb_page *p = &pages[i];
		if (!(p->kinds & (MW_SKB_PAGE_FRAG | MW_SKB_PAGE_FRAG_HEAD)) ||
		    p->order > MW_SKB_MAX_ORDER)
			continue;
		err = mw_pfnset_builder_add(&b, p->pfn, 1ULL << p->order);
	}
	if (!err)
		err = mw_pfnset_builder_finish(&b, ret);
	mw_pfnset_builder_deinit(&b);
	return err;
}
