/* memwhere: extent tables for ELF core address spaces (see elf-extents.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "formats/elf-extents.h"

static int piece_start_cmp(const void *a, const void *b)
{
	const struct mw_extent_piece *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Does piece a win over piece b where they overlap? */
static bool piece_better(const struct mw_extent_piece *a,
			 const struct mw_extent_piece *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind;
	if (a->seg_size != b->seg_size)
		return a->seg_size > b->seg_size;
	return a->order < b->order;
}

/* A binary heap of piece indices, best piece on top. */
struct piece_heap {
	const struct mw_extent_piece *pieces;
	size_t *idx;
	size_t nr;
};

static void heap_push(struct piece_heap *h, size_t piece)
{
	size_t i = h->nr++;
	h->idx[i] = piece;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!piece_better(&h->pieces[h->idx[i]],
				  &h->pieces[h->idx[parent]]))
			break;
		size_t t = h->idx[i];
		h->idx[i] = h->idx[parent];
		h->idx[parent] = t;
		i = parent;
	}
}

static void heap_pop(struct piece_heap *h)
{
	h->idx[0] = h->idx[--h->nr];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, best = i;
		if (l < h->nr && piece_better(&h->pieces[h->idx[l]],
					      &h->pieces[h->idx[best]]))
			best = l;
		if (r < h->nr && piece_better(&h->pieces[h->idx[r]],
					      &h->pieces[h->idx[best]]))
			best = r;
		if (best == i)
			break;
		size_t t = h->idx[i];
		h->idx[i] = h->idx[best];
		h->idx[best] = t;
		i = best;
	}
}

static void emit(struct mw_extent_map *map, uint64_t start, uint64_t end,
		 const struct mw_extent_piece *p)
{
	uint64_t offset = p->kind == MW_EXTENT_FILE ?
		p->offset + (start - p->start) : 0;
	if (map->nr) {
		struct mw_extent *last = &map->ext[map->nr - 1];
		if (last->end == start && last->kind == p->kind &&
		    (p->kind != MW_EXTENT_FILE ||
		     last->offset + (last->end - last->start) == offset)) {
			last->end = end;
			return;
		}
	}
	map->ext[map->nr++] = (struct mw_extent){
		.start = start, .end = end, .offset = offset, .kind = p->kind,
	};
}

struct mw_error *mw_extent_map_build(struct mw_extent_piece *pieces, size_t n,
				     struct mw_extent_map *map)
{
	memset(map, 0, sizeof(*map));
	/* drop empty pieces */
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (pieces[i].end > pieces[i].start)
			pieces[m++] = pieces[i];
	n = m;
	if (n == 0)
		return NULL;
	if (n > SIZE_MAX / (2 * sizeof(uint64_t)))
		return &mw_error_nomem;

	uint64_t *bounds = malloc(2 * n * sizeof(*bounds));
	size_t *heap_idx = malloc(n * sizeof(*heap_idx));
	map->ext = malloc(2 * n * sizeof(*map->ext));
	if (!bounds || !heap_idx || !map->ext) {
		free(bounds);
		free(heap_idx);
		mw_extent_map_deinit(map);
		return &mw_error_nomem;
	}
	qsort(pieces, n, sizeof(*pieces), piece_start_cmp);
	for (size_t i = 0; i < n; i++) {
		bounds[2 * i] = pieces[i].start;
		bounds[2 * i + 1] = pieces[i].end;
	}
	qsort(bounds, 2 * n, sizeof(*bounds), u64_cmp);
	size_t nb = 0;
	for (size_t i = 0; i < 2 * n; i++)
		if (nb == 0 || bounds[nb - 1] != bounds[i])
			bounds[nb++] = bounds[i];

	/* Sweep the elementary intervals between consecutive bounds; the
	 * best piece covering each one supplies it. Pieces that ended stay
	 * in the heap until they surface at the top. */
	struct piece_heap heap = { .pieces = pieces, .idx = heap_idx };
	size_t next_piece = 0;
	for (size_t i = 0; i + 1 < nb; i++) {
		uint64_t pos = bounds[i];
		while (next_piece < n && pieces[next_piece].start <= pos)
			heap_push(&heap, next_piece++);
		while (heap.nr && pieces[heap.idx[0]].end <= pos)
			heap_pop(&heap);
		if (heap.nr)
			emit(map, pos, bounds[i + 1], &pieces[heap.idx[0]]);
	}
	free(bounds);
	free(heap_idx);
	/* give back the slack */
	if (map->nr) {
		struct mw_extent *e = realloc(map->ext, map->nr * sizeof(*e));
		if (e)
			map->ext = e;
	}
	return NULL;
}

void mw_extent_map_deinit(struct mw_extent_map *map)
{
	free(map->ext);
	map->ext = NULL;
	map->nr = 0;
}

size_t mw_extent_map_lower_bound(const struct mw_extent_map *map,
				 uint64_t addr)
{
	size_t lo = 0, hi = map->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (map->ext[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint64_t mw_extent_map_count_pages(const struct mw_extent_map *map,
				   uint64_t page_size,
				   enum mw_extent_kind min_kind)
{
	uint64_t count = 0, next_pfn = 0;
	for (size_t i = 0; i < map->nr; i++) {
		const struct mw_extent *e = &map->ext[i];
		if (e->kind < min_kind)
			continue;
		uint64_t first = e->start / page_size;
		uint64_t last = (e->end - 1) / page_size;
		if (first < next_pfn)	/* page shared with the previous one */
			first = next_pfn;
		if (first <= last)
			count += last - first + 1;
		next_pfn = last + 1;
	}
	return count;
}

enum mw_page_state mw_extent_map_page_state(const struct mw_extent_map *map,
					    uint64_t pfn, uint64_t page_size)
{
	if (pfn > UINT64_MAX / page_size)
		return MW_PAGE_HOLE;
	uint64_t start = pfn * page_size;
	uint64_t end = start + page_size;	/* 0 if it wraps */
	uint64_t covered_to = start;
	/* bounded: at most page_size extents can share a page */
	for (size_t i = mw_extent_map_lower_bound(map, start);
	     i < map->nr && (end == 0 || map->ext[i].start < end); i++) {
		if (map->ext[i].kind != MW_EXTENT_FILE)
			return MW_PAGE_EXCLUDED;
		if (map->ext[i].start <= covered_to &&
		    map->ext[i].end > covered_to)
			covered_to = map->ext[i].end;
	}
	/* present only if every byte of the page reads */
	bool whole = end != 0 && covered_to >= end;
	return whole ? MW_PAGE_PRESENT : MW_PAGE_HOLE;
}

struct mw_error *mw_extent_map_ranges(const struct mw_extent_map *map,
				      struct mw_dump_info *info)
{
	if (!map->nr)
		return NULL;
	info->ranges = malloc(map->nr * sizeof(*info->ranges));
	if (!info->ranges)
		return &mw_error_nomem;
	for (size_t i = 0; i < map->nr; i++) {
		info->ranges[i].start = map->ext[i].start;
		info->ranges[i].end = map->ext[i].end;
	}
	info->nr_ranges = map->nr;
	mw_ranges_normalize(info);
	return NULL;
}

struct mw_error *mw_extent_map_read(const struct mw_extent_map *map,
				    struct mw_source *src,
				    const struct mw_extent_read_errors *errs,
				    uint64_t addr, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i = mw_extent_map_lower_bound(map, addr);
	while (len > 0) {
		if (i >= map->nr || map->ext[i].start > addr)
			return mw_error_at(errs->unmapped, addr,
					   "%s address not in the dump's memory",
					   errs->space);
		const struct mw_extent *e = &map->ext[i];
		uint64_t avail = e->end - addr;
		size_t n = avail < len ? (size_t)avail : len;
		switch (e->kind) {
		case MW_EXTENT_FILE: {
			struct mw_error *err = mw_source_pread(
				src, e->offset + (addr - e->start), p, n);
			if (err)
				return mw_error_prepend(err,
					"reading %s address 0x%llx",
					errs->space, (unsigned long long)addr);
			break;
		}
		case MW_EXTENT_EXCLUDED:
			return mw_error_at(MW_ERR_NOT_IN_DUMP, addr,
					   "%s memory filtered out of the dump (p_filesz < p_memsz)",
					   errs->space);
		case MW_EXTENT_MISSING:
			return mw_error_at(MW_ERR_NOT_IN_DUMP, addr,
					   "%s memory missing from the dump (the file is truncated)",
					   errs->space);
		}
		p += n;
		addr += n;
		len -= n;
		i++;
	}
	return NULL;
}
