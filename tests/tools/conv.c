/* mw-convert: what both writers share.
 *
 * mw_conv_init() makes the 2nd bitmap (the pages the output will carry):
 * every page of RAM the source has, less the pages the source itself left
 * out, the pfn ranges the user excludes and, with --exclude-zero, the pages
 * that read as zeros (which costs one extra read of every page).
 */
#include "config.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tools/convert.h"

/* --zero-unit: whether the aligned unit holding pfn is all zeros (a unit
 * that does not read whole is not); the last unit's answer is kept, as
 * its blocks come one after another */
static bool unit_is_zero(struct mw_conv *cv, uint64_t pfn)
{
	uint64_t unit = cv->opt->zero_unit;
	if (unit <= cv->page_size)
		return true;
	uint64_t start = (pfn << cv->page_shift) & ~(unit - 1);
	if (cv->unit_known && cv->unit_start == start)
		return cv->unit_zero;
	cv->unit_known = true;
	cv->unit_start = start;
	cv->unit_zero = false;
	if (!cv->unit_buf && !(cv->unit_buf = malloc(unit)))
		return false;
	struct mw_error *err = mw_reader_read_phys(cv->reader, start, cv->unit_buf, unit);
	cv->unit_zero = !err && mw_page_is_zero(cv->unit_buf, unit);
	mw_error_destroy(err);
	return cv->unit_zero;
}

/* One bit per pfn up to this many pfns: a 512 MiB bitmap. */
#define MAX_PFNS (UINT64_C(1) << 32)

static const struct mw_phys_range *find_range(const struct mw_dump_info *info,
					      uint64_t paddr)
{
	size_t lo = 0, hi = info->nr_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mw_phys_range *rg = &info->ranges[mid];
		if (paddr < rg->start)
			hi = mid;
		else if (paddr >= rg->end)
			lo = mid + 1;
		else
			return rg;
	}
	return NULL;
}

/* First range that ends after paddr, or NULL. */
static const struct mw_phys_range *range_after(const struct mw_dump_info *info,
					       uint64_t paddr)
{
	size_t lo = 0, hi = info->nr_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (info->ranges[mid].end <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < info->nr_ranges ? &info->ranges[lo] : NULL;
}

static bool page_inside_range(const struct mw_conv *cv, uint64_t pfn)
{
	uint64_t pa = pfn << cv->page_shift;
	const struct mw_phys_range *rg = find_range(cv->info, pa);
	return rg && pa + cv->page_size <= rg->end;
}

bool mw_page_is_zero(const uint8_t *page, size_t len)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, page + i, 8);
		acc |= w;
		if (acc)
			return false;
	}
	for (; i < len; i++)
		acc |= page[i];
	return acc == 0;
}

struct mw_error *mw_conv_read_page(struct mw_conv *cv, uint64_t pfn,
				   uint8_t *buf)
{
	uint64_t pa = pfn << cv->page_shift;
	uint64_t end = pa + cv->page_size;
	const struct mw_phys_range *rg = find_range(cv->info, pa);
	struct mw_error *err;

	if (rg && end <= rg->end) {
		err = mw_reader_read_phys(cv->reader, pa, buf, cv->page_size);
		if (err && err->code == MW_ERR_NOT_IN_DUMP && cv->opt->fill_excluded) {
			mw_error_destroy(err);
			memset(buf, 0, cv->page_size);
			err = NULL;
		}
	} else {
		/* a page only partly RAM: the rest reads as zeros */
		memset(buf, 0, cv->page_size);
		err = NULL;
		const struct mw_dump_info *info = cv->info;
		for (rg = range_after(info, pa);
		     !err && rg && rg < info->ranges + info->nr_ranges &&
		     rg->start < end; rg++) {
			uint64_t s = rg->start > pa ? rg->start : pa;
			uint64_t e = rg->end < end ? rg->end : end;
			err = mw_reader_read_phys(cv->reader, s, buf + (s - pa),
						  (size_t)(e - s));
		}
	}
	return mw_error_prepend(err, "reading pfn 0x%" PRIx64, pfn);
}

static bool pfn_excluded_by_option(const struct mw_conv_options *opt,
				   uint64_t pfn)
{
	size_t lo = 0, hi = opt->nr_exclude;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pfn < opt->exclude[mid].first)
			hi = mid;
		else if (pfn > opt->exclude[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

struct mw_error *mw_conv_init(struct mw_conv *cv, struct mw_reader *reader,
			      const struct mw_conv_options *opt)
{
	memset(cv, 0, sizeof(*cv));
	cv->reader = reader;
	cv->info = mw_reader_info(reader);
	cv->opt = opt;
	const struct mw_dump_info *info = cv->info;
	const char *path = mw_reader_path(reader);

	uint32_t ps = info->page_size;
	if (ps < 1024 || ps > (1u << 20) || (ps & (ps - 1)))
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "%s: page size %" PRIu32 " is not a power of two from 1 KiB to 1 MiB",
				       path, ps);
	cv->page_size = ps;
	cv->page_shift = (unsigned)__builtin_ctz(ps);
	if (info->nr_ranges == 0)
		return mw_error_create(MW_ERR_FORMAT,
				       "%s: the dump describes no memory", path);
	uint64_t last_end = info->ranges[info->nr_ranges - 1].end;
	cv->max_mapnr = ((last_end - 1) >> cv->page_shift) + 1;
	if (cv->max_mapnr > MAX_PFNS)
		return mw_error_create(MW_ERR_LIMIT,
				       "%s: memory up to 0x%" PRIx64 " needs a bitmap of more than %" PRIu64 " pages",
				       path, last_end, MAX_PFNS);

	cv->dumped = calloc((size_t)((cv->max_mapnr + 63) / 64), sizeof(uint64_t));
	cv->page = malloc(ps);
	if (!cv->dumped || !cv->page) {
		mw_conv_deinit(cv);
		return &mw_error_nomem;
	}

	/* Pass 1: the 2nd bitmap. */
	uint64_t prev_end = 0;	/* ranges may share a partial page */
	for (size_t i = 0; i < info->nr_ranges; i++) {
		const struct mw_phys_range *rg = &info->ranges[i];
		uint64_t first = rg->start >> cv->page_shift;
		uint64_t end = ((rg->end - 1) >> cv->page_shift) + 1;
		if (first < prev_end)
			first = prev_end;
		prev_end = end;
		for (uint64_t pfn = first; pfn < end; pfn++) {
			cv->stats.ram_pages++;
			enum mw_page_state state = mw_reader_page_state(reader, pfn);
			bool have_page = false;
			if (state == MW_PAGE_HOLE && !page_inside_range(cv, pfn)) {
				/*
				 * A page only partly RAM (a range not page
				 * aligned, as kexec's vmcore has): readers may
				 * call it a hole as a whole page does not
				 * read. Its RAM part reads; the rest is zeros.
				 */
				struct mw_error *err = mw_conv_read_page(cv, pfn, cv->page);
				if (!err)
					state = MW_PAGE_PRESENT;
				mw_error_destroy(err);
				have_page = true;
			}
			if (state != MW_PAGE_PRESENT &&
			    !(state == MW_PAGE_EXCLUDED && opt->fill_excluded)) {
				cv->stats.excluded_source++;
				continue;
			}
			if (pfn_excluded_by_option(opt, pfn)) {
				cv->stats.excluded_option++;
				continue;
			}
			if (opt->exclude_zero && !have_page) {
				struct mw_error *err = mw_conv_read_page(cv, pfn, cv->page);
				if (err) {
					mw_conv_deinit(cv);
					return mw_error_prepend(err, "%s", path);
				}
				have_page = true;
			}
			if (opt->exclude_zero && mw_page_is_zero(cv->page, ps) &&
			    unit_is_zero(cv, pfn)) {
				cv->stats.zero_pages++;
				continue;
			}
			cv->dumped[pfn / 64] |= UINT64_C(1) << (pfn % 64);
			cv->stats.dumped_pages++;
		}
	}
	return NULL;
}

void mw_conv_deinit(struct mw_conv *cv)
{
	free(cv->unit_buf);
	free(cv->dumped);
	free(cv->page);
	cv->dumped = NULL;
	cv->page = NULL;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static size_t note_size(size_t namesz, size_t descsz)
{
	return sizeof(Elf64_Nhdr) + align4(namesz) + align4(descsz);
}

static uint8_t *put_note(uint8_t *p, const char *name, uint32_t type,
			 const void *desc, size_t descsz)
{
	size_t namesz = name[0] ? strlen(name) + 1 : 0;
	mw_put_le32(p, (uint32_t)namesz);
	mw_put_le32(p + 4, (uint32_t)descsz);
	mw_put_le32(p + 8, type);
	p += sizeof(Elf64_Nhdr);
	memset(p, 0, align4(namesz));
	memcpy(p, name, namesz);
	p += align4(namesz);
	memset(p, 0, align4(descsz));
	if (descsz)
		memcpy(p, desc, descsz);
	return p + align4(descsz);
}

struct mw_error *mw_conv_build_notes(const struct mw_dump_info *info,
				     uint8_t **ret, size_t *ret_len,
				     size_t *vmcoreinfo_off,
				     size_t *vmcoreinfo_len)
{
	size_t len = 0;
	bool have_vmcoreinfo_note = false;
	for (size_t i = 0; i < info->nr_notes; i++) {
		const struct mw_note *n = &info->notes[i];
		size_t namesz = n->name[0] ? strlen(n->name) + 1 : 0;
		len += note_size(namesz, n->descsz);
		if (strcmp(n->name, "VMCOREINFO") == 0)
			have_vmcoreinfo_note = true;
	}
	bool add_vmcoreinfo = !have_vmcoreinfo_note && info->vmcoreinfo;
	if (add_vmcoreinfo)
		len += note_size(sizeof("VMCOREINFO"), info->vmcoreinfo_len);

	*vmcoreinfo_off = 0;
	*vmcoreinfo_len = 0;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return &mw_error_nomem;
	uint8_t *p = buf;
	for (size_t i = 0; i < info->nr_notes; i++) {
		const struct mw_note *n = &info->notes[i];
		uint8_t *start = p;
		p = put_note(p, n->name, n->type, n->desc, n->descsz);
		if (strcmp(n->name, "VMCOREINFO") == 0 && !*vmcoreinfo_len) {
			*vmcoreinfo_off = (size_t)(start - buf) + sizeof(Elf64_Nhdr) +
					  align4(sizeof("VMCOREINFO"));
			*vmcoreinfo_len = n->descsz;
		}
	}
	if (add_vmcoreinfo) {
		*vmcoreinfo_off = (size_t)(p - buf) + sizeof(Elf64_Nhdr) +
				  align4(sizeof("VMCOREINFO"));
		*vmcoreinfo_len = info->vmcoreinfo_len;
		p = put_note(p, "VMCOREINFO", 0, info->vmcoreinfo,
			     info->vmcoreinfo_len);
	}
	*ret = buf;
	*ret_len = len;
	return NULL;
}
