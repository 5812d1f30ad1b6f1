/* memwhere: a small thread-safe cache of decompressed pages.
 *
 * Set-associative: a page's key picks one set, each set holds a few pages
 * and its own lock, and the least recently used page of a full set makes
 * room. Readers of compressed dumps keep one so that many small reads of
 * one page (struct page, page tables, list walks) decompress it once.
 */
#ifndef MW_PAGE_CACHE_H
#define MW_PAGE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct mw_page_cache;

/* nr_pages is rounded to whole sets; page_size bytes per page. */
struct mw_error *mw_page_cache_create(size_t page_size, size_t nr_pages,
				      struct mw_page_cache **ret);
void mw_page_cache_destroy(struct mw_page_cache *c);

/* Copy len bytes at offset off of page key into dst, if cached. */
bool mw_page_cache_read(struct mw_page_cache *c, uint64_t key, size_t off,
			size_t len, void *dst);
/* Add (or refresh) page key with page_size bytes from src. */
void mw_page_cache_put(struct mw_page_cache *c, uint64_t key, const void *src);

#endif
