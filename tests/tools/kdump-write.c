/* mw-convert: writing makedumpfile's kdump-compressed format.
 *
 * Layout, in blocks of the page size (all fields in the target's byte
 * order: little-endian, 64-bit long, as on x86_64):
 *   block 0                disk_dump_header ("KDUMP   ", version, utsname, ...)
 *   block 1..              kdump_sub_header, then the ELF notes (v4+) or
 *                          the VMCOREINFO text (v3); sub_hdr_size blocks
 *   then                   1st bitmap (RAM pages), 2nd bitmap (dumped
 *                          pages), bitmap_blocks/2 blocks each, bit pfn%8
 *                          of byte pfn/8
 *   then                   one 24-byte page_desc {offset, size, flags,
 *                          page_flags} per dumped page, in pfn order
 *   then                   page data; with shared zero pages, one zero
 *                          page first that all zero pages' descriptors name
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tools/convert.h"

enum {
	/* struct disk_dump_header */
	DH_SIGNATURE = 0,
	DH_VERSION = 8,
	DH_UTSNAME = 12,	/* 6 strings of 65 bytes */
	UTS_LEN = 65,
	UTS_SYSNAME = 0,
	UTS_NODENAME = 1,
	UTS_RELEASE = 2,
	UTS_VERSION = 3,
	UTS_MACHINE = 4,
	UTS_DOMAINNAME = 5,
	DH_TIMESTAMP = 408,	/* struct timeval, 8-aligned */
	DH_STATUS = 424,
	DH_BLOCK_SIZE = 428,
	DH_SUB_HDR_SIZE = 432,
	DH_BITMAP_BLOCKS = 436,
	DH_MAX_MAPNR = 440,
	DH_TOTAL_RAM_BLOCKS = 444,
	DH_DEVICE_BLOCKS = 448,
	DH_WRITTEN_BLOCKS = 452,
	DH_CURRENT_CPU = 456,
	DH_NR_CPUS = 460,
	DH_SIZE = 464,

	/* struct kdump_sub_header */
	SH_PHYS_BASE = 0,
	SH_DUMP_LEVEL = 8,
	SH_SPLIT = 12,
	SH_START_PFN = 16,
	SH_END_PFN = 24,
	SH_OFFSET_VMCOREINFO = 32,	/* v3+ */
	SH_SIZE_VMCOREINFO = 40,
	SH_OFFSET_NOTE = 48,		/* v4+ */
	SH_SIZE_NOTE = 56,
	SH_OFFSET_ERASEINFO = 64,	/* v5+ */
	SH_SIZE_ERASEINFO = 72,
	SH_START_PFN_64 = 80,		/* v6+ */
	SH_END_PFN_64 = 88,
	SH_MAX_MAPNR_64 = 96,
	SH_SIZE = 104,

	/* struct page_desc */
	PD_OFFSET = 0,
	PD_SIZE_FIELD = 8,
	PD_FLAGS = 12,
	PD_PAGE_FLAGS = 16,
	PD_SIZE = 24,

	/* makedumpfile dump level bit: zero pages left out */
	DL_EXCLUDE_ZERO = 1,

	WBUF_SIZE = 1 << 20,
};

static void put_str(uint8_t *dst, size_t size, const char *s, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
}

/* NUMBER(phys_base) of x86_64's VMCOREINFO: a signed decimal. */
static uint64_t vmcoreinfo_phys_base(const struct mw_dump_info *info)
{
	size_t len;
	const char *v = mw_vmcoreinfo_get(info, "NUMBER(phys_base)", &len);
	char tmp[32];
	if (!v || len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, v, len);
	tmp[len] = '\0';
	char *end;
	long long n = strtoll(tmp, &end, 0);
	return *end ? 0 : (uint64_t)n;
}

struct kdump_layout {
	uint32_t bs;
	uint64_t sub_hdr_blocks;
	uint64_t bitmap_blocks;		/* both bitmaps */
	uint64_t bitmap1_off, bitmap2_off;
	uint64_t desc_off;
	uint64_t data_off;
};

static struct mw_error *write_headers(struct mw_conv *cv, struct mw_sink *sink,
				      struct kdump_layout *lay)
{
	const struct mw_conv_options *opt = cv->opt;
	const struct mw_dump_info *info = cv->info;
	int ver = opt->header_version;
	uint32_t bs = cv->page_size;
	struct mw_error *err;

	if (ver < 6 && cv->max_mapnr > UINT32_MAX)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "%" PRIu64 " pages need header version 6 (64-bit max_mapnr)",
				       cv->max_mapnr);

	/* What goes after the sub-header: notes (v4+), VMCOREINFO text (v3). */
	uint8_t *notes = NULL;
	size_t notes_len = 0, vi_off = 0, vi_len = 0;
	err = mw_conv_build_notes(info, &notes, &notes_len, &vi_off, &vi_len);
	if (err)
		return err;
	const uint8_t *extra = NULL;
	size_t extra_len = 0;
	uint64_t extra_off = (uint64_t)bs + SH_SIZE;
	if (ver >= 4) {
		extra = notes;
		extra_len = notes_len;
	} else if (ver == 3 && info->vmcoreinfo) {
		extra = (const uint8_t *)info->vmcoreinfo;
		extra_len = info->vmcoreinfo_len;
		vi_off = 0;
		vi_len = extra_len;
	}

	lay->bs = bs;
	lay->sub_hdr_blocks = (SH_SIZE + extra_len + bs - 1) / bs;
	uint64_t one_bitmap = ((cv->max_mapnr + 7) / 8 + bs - 1) / bs;
	lay->bitmap_blocks = 2 * one_bitmap;
	if (lay->sub_hdr_blocks > INT32_MAX || lay->bitmap_blocks > UINT32_MAX) {
		free(notes);
		return mw_error_create(MW_ERR_LIMIT, "kdump header fields overflow");
	}
	lay->bitmap1_off = (1 + lay->sub_hdr_blocks) * bs;
	lay->bitmap2_off = lay->bitmap1_off + one_bitmap * bs;
	lay->desc_off = lay->bitmap1_off + lay->bitmap_blocks * bs;
	lay->data_off = lay->desc_off + cv->stats.dumped_pages * PD_SIZE;

	/* disk_dump_header, padded to a block */
	uint8_t *blk = calloc(1, bs);
	if (!blk) {
		free(notes);
		return &mw_error_nomem;
	}
	memcpy(blk + DH_SIGNATURE, "KDUMP   ", 8);
	mw_put_le32(blk + DH_VERSION, (uint32_t)ver);
	uint8_t *uts = blk + DH_UTSNAME;
	put_str(uts + UTS_SYSNAME * UTS_LEN, UTS_LEN, "Linux", 5);
	size_t rel_len;
	const char *rel = mw_vmcoreinfo_get(info, "OSRELEASE", &rel_len);
	if (!rel) {
		rel = info->utsname_release;
		rel_len = strlen(rel);
	}
	put_str(uts + UTS_RELEASE * UTS_LEN, UTS_LEN, rel, rel_len);
	put_str(uts + UTS_MACHINE * UTS_LEN, UTS_LEN, info->utsname_machine,
		strlen(info->utsname_machine));
	mw_put_le64(blk + DH_TIMESTAMP, (uint64_t)opt->timestamp);
	mw_put_le64(blk + DH_TIMESTAMP + 8, 0);
	uint32_t status = mw_compress_flag(opt->comp);
	if (opt->incomplete && opt->incomplete_after < cv->stats.dumped_pages)
		status |= MW_KDUMP_INCOMPLETE;
	mw_put_le32(blk + DH_STATUS, status);
	mw_put_le32(blk + DH_BLOCK_SIZE, bs);
	mw_put_le32(blk + DH_SUB_HDR_SIZE, (uint32_t)lay->sub_hdr_blocks);
	mw_put_le32(blk + DH_BITMAP_BLOCKS, (uint32_t)lay->bitmap_blocks);
	mw_put_le32(blk + DH_MAX_MAPNR,
		    cv->max_mapnr > UINT32_MAX ? UINT32_MAX : (uint32_t)cv->max_mapnr);
	mw_put_le32(blk + DH_TOTAL_RAM_BLOCKS, 0);
	mw_put_le32(blk + DH_DEVICE_BLOCKS, 0);
	mw_put_le32(blk + DH_WRITTEN_BLOCKS, 0);
	mw_put_le32(blk + DH_CURRENT_CPU, 0);
	mw_put_le32(blk + DH_NR_CPUS, info->nr_cpus ? info->nr_cpus : 1);
	err = mw_sink_pwrite(sink, 0, blk, bs);

	/* kdump_sub_header, then the notes or VMCOREINFO */
	uint8_t sh[SH_SIZE];
	memset(sh, 0, sizeof(sh));
	mw_put_le64(sh + SH_PHYS_BASE, vmcoreinfo_phys_base(info));
	mw_put_le32(sh + SH_DUMP_LEVEL, opt->exclude_zero ? DL_EXCLUDE_ZERO : 0);
	if (ver >= 3 && vi_len) {
		mw_put_le64(sh + SH_OFFSET_VMCOREINFO, extra_off + vi_off);
		mw_put_le64(sh + SH_SIZE_VMCOREINFO, vi_len);
	}
	if (ver >= 4 && notes_len) {
		mw_put_le64(sh + SH_OFFSET_NOTE, extra_off);
		mw_put_le64(sh + SH_SIZE_NOTE, notes_len);
	}
	if (ver >= 6)
		mw_put_le64(sh + SH_MAX_MAPNR_64, cv->max_mapnr);

	/* the sub-header's blocks, whole */
	size_t sub_len = (size_t)(lay->sub_hdr_blocks * bs);
	uint8_t *sub = err ? NULL : calloc(1, sub_len);
	if (!err && !sub)
		err = &mw_error_nomem;
	if (!err) {
		memcpy(sub, sh, SH_SIZE);
		if (extra_len)
			memcpy(sub + SH_SIZE, extra, extra_len);
		err = mw_sink_pwrite(sink, bs, sub, sub_len);
	}
	free(sub);
	free(blk);
	free(notes);
	return err;
}

/* 1st bitmap from the source's RAM ranges, 2nd from the dumped pages. */
static struct mw_error *write_bitmaps(struct mw_conv *cv, struct mw_sink *sink,
				      const struct kdump_layout *lay)
{
	const struct mw_dump_info *info = cv->info;
	uint64_t one = lay->bitmap_blocks / 2 * lay->bs;
	struct mw_wbuf w;
	struct mw_error *err = mw_wbuf_init(&w, sink, lay->bitmap1_off, lay->bs);
	if (err)
		return err;

	/* bitmap 1, one block at a time */
	uint64_t bits_per_block = (uint64_t)lay->bs * 8;
	size_t ri = 0;
	for (uint64_t b = 0; !err && b < one / lay->bs; b++) {
		uint64_t first = b * bits_per_block;
		uint64_t last = first + bits_per_block;	/* exclusive */
		memset(w.buf, 0, lay->bs);
		while (ri < info->nr_ranges &&
		       ((info->ranges[ri].end - 1) >> cv->page_shift) < first)
			ri++;
		for (size_t j = ri; j < info->nr_ranges; j++) {
			const struct mw_phys_range *rg = &info->ranges[j];
			uint64_t s = rg->start >> cv->page_shift;
			uint64_t e = ((rg->end - 1) >> cv->page_shift) + 1;
			if (s >= last)
				break;
			if (s < first)
				s = first;
			if (e > last)
				e = last;
			for (uint64_t pfn = s; pfn < e; pfn++)
				w.buf[(pfn - first) / 8] |= (uint8_t)(1u << (pfn % 8));
		}
		w.len = lay->bs;
		err = mw_wbuf_flush(&w);
	}

	/* bitmap 2 from memory: byte pfn/8, bit pfn%8 */
	for (uint64_t off = 0; !err && off < one; off += lay->bs) {
		memset(w.buf, 0, lay->bs);
		for (size_t i = 0; i < lay->bs; i += 8) {
			uint64_t word = (off + i) / 8;
			if (word < (cv->max_mapnr + 63) / 64)
				mw_put_le64(w.buf + i, cv->dumped[word]);
		}
		w.len = lay->bs;
		err = mw_wbuf_flush(&w);
	}
	mw_wbuf_deinit(&w);
	return err;
}

static void put_desc(uint8_t *pd, uint64_t offset, uint32_t size,
		     uint32_t flags)
{
	mw_put_le64(pd + PD_OFFSET, offset);
	mw_put_le32(pd + PD_SIZE_FIELD, size);
	mw_put_le32(pd + PD_FLAGS, flags);
	mw_put_le64(pd + PD_PAGE_FLAGS, 0);
}

static struct mw_error *write_pages(struct mw_conv *cv, struct mw_sink *sink,
				    const struct kdump_layout *lay)
{
	const struct mw_conv_options *opt = cv->opt;
	const struct mw_dump_info *info = cv->info;
	struct mw_compressor *comp = NULL;
	struct mw_wbuf descs = { 0 }, data = { 0 };
	struct mw_error *err;
	uint32_t ps = cv->page_size;

	err = mw_compressor_create(opt->comp, ps, opt->level, &comp);
	if (!err)
		err = mw_wbuf_init(&descs, sink, lay->desc_off, WBUF_SIZE);
	if (!err)
		err = mw_wbuf_init(&data, sink, lay->data_off, WBUF_SIZE);

	/* the one zero page that zero pages share */
	uint64_t zero_off = 0;
	if (!err && !opt->exclude_zero) {
		zero_off = mw_wbuf_pos(&data);
		memset(cv->page, 0, ps);
		err = mw_wbuf_append(&data, cv->page, ps);
	}

	uint64_t index = 0, prev_end = 0;
	for (size_t i = 0; !err && i < info->nr_ranges; i++) {
		const struct mw_phys_range *rg = &info->ranges[i];
		uint64_t first = rg->start >> cv->page_shift;
		uint64_t end = ((rg->end - 1) >> cv->page_shift) + 1;
		if (first < prev_end)
			first = prev_end;
		prev_end = end;
		for (uint64_t pfn = first; !err && pfn < end; pfn++) {
			if (!mw_conv_is_dumped(cv, pfn))
				continue;
			uint8_t pd[PD_SIZE];
			if (opt->incomplete && index >= opt->incomplete_after) {
				/* never written: a zero descriptor */
				memset(pd, 0, sizeof(pd));
				cv->stats.incomplete_pages++;
			} else {
				err = mw_conv_read_page(cv, pfn, cv->page);
				if (err)
					break;
				if (!opt->exclude_zero &&
				    mw_page_is_zero(cv->page, ps)) {
					put_desc(pd, zero_off, ps, 0);
					cv->stats.zero_pages++;
				} else {
					const uint8_t *out;
					size_t out_len;
					uint32_t flags;
					err = mw_compress_page(comp, cv->page, &out,
							       &out_len, &flags);
					if (!err) {
						put_desc(pd, mw_wbuf_pos(&data),
							 (uint32_t)out_len, flags);
						err = mw_wbuf_append(&data, out, out_len);
					}
					if (flags)
						cv->stats.compressed_pages++;
				}
			}
			index++;
			if (!err)
				err = mw_wbuf_append(&descs, pd, sizeof(pd));
		}
	}
	if (!err)
		err = mw_wbuf_flush(&descs);
	if (!err)
		err = mw_wbuf_flush(&data);
	if (!err && index != cv->stats.dumped_pages)
		err = mw_error_create(MW_ERR_BAD_DATA,
				      "wrote %" PRIu64 " page descriptors for %" PRIu64 " dumped pages",
				      index, cv->stats.dumped_pages);
	mw_wbuf_deinit(&descs);
	mw_wbuf_deinit(&data);
	mw_compressor_destroy(comp);
	return err;
}

struct mw_error *mw_kdump_write(struct mw_conv *cv, struct mw_sink *sink)
{
	struct kdump_layout lay = { 0 };
	struct mw_error *err = write_headers(cv, sink, &lay);
	if (!err)
		err = write_bitmaps(cv, sink, &lay);
	if (!err)
		err = write_pages(cv, sink, &lay);
	return err;
}
