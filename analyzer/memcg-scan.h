/* memwhere: charged_bytes per memcg from the page walker.
 *
 *	struct mw_memcg_scan *s;
 *	struct mw_page_observer obs;
 *	mw_memcg_scan_create(k, w, &s);
 *	mw_memcg_scan_observer(s, &obs);       // slab objects, per object
 *	opt.observers = &obs; opt.nr_observers = 1;
 *	mw_pagescan_run(k, &opt, w, &ps);      // pages: ps->memcgs
 *	mw_memcg_scan_apply(s, ps, w, &tree);  // tree.memcgs[].charged[]
 *	mw_memcg_scan_destroy(s);
 */
#ifndef MW_MEMCG_SCAN_H
#define MW_MEMCG_SCAN_H

#include "analyzer/memcg.h"
#include "analyzer/pagescan.h"

struct mw_memcg_scan;

/* Layout problems with slab vectors become a warning (slab not counted). */
struct mw_error *mw_memcg_scan_create(struct mw_kernel *k, struct mw_warnings *w,
				      struct mw_memcg_scan **ret);
void mw_memcg_scan_destroy(struct mw_memcg_scan *s);
/* Also count slab objects per (kmem_cache, obj_cgroup) (call before the
 * scan); the counts after it, NULL if the slab layout was not known. */
struct mw_slab_objcgs;
struct mw_error *mw_memcg_scan_by_cache(struct mw_memcg_scan *s);
const struct mw_slab_objcgs *mw_memcg_scan_cache_counts(const struct mw_memcg_scan *s);
/* The observer to pass to mw_pagescan_run (valid while s lives). */
void mw_memcg_scan_observer(struct mw_memcg_scan *s, struct mw_page_observer *ret);
/* After the scan: pages from ps->memcgs, objects from the observer. */
struct mw_error *mw_memcg_scan_apply(struct mw_memcg_scan *s,
				     const struct mw_pagescan *ps,
				     struct mw_warnings *w, struct mw_memcg_tree *t);

#endif
