/* memwhere: CMA areas (cma_areas[]) with their size and pages in use. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/layout.h"
#include "analyzer/pools.h"
#include "analyzer/walk.h"

enum { CMA_MAX_RANGES = 64 };

struct cma_layout {
	uint32_t size, order_per_bit;
	struct mw_field name;
	/* one range (base_pfn, count, bitmap in struct cma), or ranges[] */
	bool has_single;
	uint32_t base_pfn, count, bitmap;
	bool has_ranges;
	struct mw_field ranges;
	uint32_t nranges, r_base_pfn, r_count, r_bitmap;
};

static struct mw_error *cma_layout(struct mw_kernel *k, struct cma_layout *l)
{
#define L struct cma_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_SIZEOF(L, "cma", size),
		MW_LAYOUT_MEMBER(L, "cma.order_per_bit", order_per_bit),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "cma.name", &l->name),
		MW_LAYOUT_MEMBER_OPT(L, "cma.base_pfn", base_pfn, has_single),
		MW_LAYOUT_MEMBER_OPT(L, "cma.count", count, has_single),
		MW_LAYOUT_MEMBER_OPT(L, "cma.bitmap", bitmap, has_single),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "cma.ranges", &l->ranges),
		MW_LAYOUT_MEMBER_OPT(L, "cma.nranges", nranges, has_ranges),
		MW_LAYOUT_MEMBER_OPT(L, "cma_memrange.base_pfn", r_base_pfn, has_ranges),
		MW_LAYOUT_MEMBER_OPT(L, "cma_memrange.count", r_count, has_ranges),
		MW_LAYOUT_MEMBER_OPT(L, "cma_memrange.bitmap", r_bitmap, has_ranges),
	};
#undef L
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	if (err)
		return err;
	l->has_ranges = l->has_ranges && l->ranges.found && l->ranges.nr_elements &&
			l->ranges.nr_elements <= CMA_MAX_RANGES && l->ranges.target_size;
	if (l->has_ranges)
		l->has_single = false;	/* 6.14+: cma.count is the sum, bitmaps per range */
	if (!l->has_single && !l->has_ranges)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "struct cma has neither base_pfn/count/bitmap nor ranges[]");
	return NULL;
}

/* Pages in use of one range: the bits set in its bitmap, each 2^order_per_bit
 * pages; false if the bitmap cannot be read. */
static bool range_used(struct mw_kernel *k, uint64_t bitmap, uint64_t count, uint32_t order_per_bit,
		       uint64_t *used)
{
	uint64_t bits = count >> order_per_bit, bytes = (bits + 63) / 64 * 8;
	if (!mw_kptr_ok(bitmap, 8))
		return false;
	uint8_t *buf = malloc(bytes ? bytes : 1);
	if (!buf)
		return false;
	bool ok = mw_kread_ok(k, bitmap, buf, bytes);
	uint64_t set = 0;
	for (uint64_t i = 0; ok && i < bits; i++)
		set += (buf[i / 8] >> (i % 8)) & 1;
	free(buf);
	if (ok)
		*used += set << order_per_bit;
	return ok;
}

struct mw_error *mw_cma_read(struct mw_kernel *k, struct mw_warnings *w, struct mw_pools *ret)
{
	uint64_t areas;
	uint32_t n = 0;
	struct mw_error *err = mw_kernel_symbol(k, "cma_areas", &areas);
	if (!err)
		err = mw_kread_sym_u32(k, "cma_area_count", &n);
	if (err) {
		mw_error_destroy(err);	/* no CMA in this kernel */
		return NULL;
	}
	struct cma_layout l;
	memset(&l, 0, sizeof(l));
	if ((err = cma_layout(k, &l))) {
		mw_warn_error(w, err, "CMA areas not read");
		return NULL;
	}
	ret->have_cma = true;
	if (n > MW_CMA_MAX_AREAS) {
		mw_warn(w, "cma_area_count is %" PRIu32 ": the first %d CMA areas read", n,
			MW_CMA_MAX_AREAS);
		n = MW_CMA_MAX_AREAS;
	}
	uint64_t ram_pages = mw_reader_info(k->reader)->total_bytes / k->vm.page_size + 1;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t cma = areas + (uint64_t)i * l.size;
		struct mw_cma_area *a = &ret->cma[ret->nr_cma];
		memset(a, 0, sizeof(*a));
		uint32_t opb = 0;
		if (!mw_kread_ok(k, cma + l.order_per_bit, &opb, 4) || opb >= 32) {
			mw_warn(w, "CMA area %" PRIu32 " at 0x%" PRIx64 " not read", i, cma);
			continue;
		}
		if (l.name.kind == MW_KIND_POINTER) {
			uint64_t p = 0;
			if (mw_kread_ok(k, cma + l.name.offset, &p, 8) && mw_kptr_ok(p, 1) &&
			    mw_failed(mw_kread_string(k, p, a->name, sizeof(a->name))))
				a->name[0] = '\0';
		} else {
			size_t len = l.name.size < sizeof(a->name) ? (size_t)l.name.size : sizeof(a->name);
			mw_kread_ok(k, cma + l.name.offset, a->name, len);
		}
		a->name[sizeof(a->name) - 1] = '\0';
		for (char *c = a->name; *c; c++)
			if (*c < 0x20 || *c > 0x7e)
				*c = '?';
		bool ok = true;
		if (l.has_single) {
			uint64_t bitmap = 0;
			ok = mw_kread_ok(k, cma + l.base_pfn, &a->base_pfn, 8) &&
			     mw_kread_ok(k, cma + l.count, &a->pages, 8) &&
			     mw_kread_ok(k, cma + l.bitmap, &bitmap, 8) && a->pages <= ram_pages;
			a->used_known = ok && range_used(k, bitmap, a->pages, opb, &a->used_pages);
		} else {
			uint32_t nr = 0;
			ok = mw_kread_ok(k, cma + l.nranges, &nr, 4) && nr <= l.ranges.nr_elements;
			a->used_known = ok;
			for (uint32_t r = 0; ok && r < nr; r++) {
				uint64_t at = cma + l.ranges.offset + r * l.ranges.target_size;
				uint64_t base = 0, count = 0, bitmap = 0;
				ok = mw_kread_ok(k, at + l.r_base_pfn, &base, 8) &&
				     mw_kread_ok(k, at + l.r_count, &count, 8) &&
				     mw_kread_ok(k, at + l.r_bitmap, &bitmap, 8) &&
				     a->pages + count <= ram_pages;
				if (!ok)
					break;
				if (r == 0)
					a->base_pfn = base;
				a->pages += count;
				a->used_known &= range_used(k, bitmap, count, opb, &a->used_pages);
			}
		}
		if (!ok) {
			mw_warn(w, "CMA area %" PRIu32 " (%s) at 0x%" PRIx64 " not read", i, a->name, cma);
			continue;
		}
		if (!a->used_known)
			a->used_pages = 0;
		ret->cma_pages += a->pages;
		ret->nr_cma++;
	}
	return NULL;
}
