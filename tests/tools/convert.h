/* mw-convert: write a dump that memwhere can read as another format.
 *
 * A test tool: it reads any dump through formats/reader.h and writes it as
 * a makedumpfile kdump-compressed file (optionally flattened) or an ELF core
 * like QEMU's physical-only dump-guest-memory. Memory stays bounded: pages
 * are read, compressed and written one at a time; only the bitmap of dumped
 * pages is held whole.
 */
#ifndef MW_CONVERT_H
#define MW_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "formats/reader.h"

/* ---- little-endian field helpers ---- */

static inline void mw_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void mw_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void mw_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void mw_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * (7 - i)));
}

/* ---- output: a plain file written at offsets, or a flattened stream ---- */

struct mw_sink {
	int fd;
	const char *path;
	bool flatten;		/* every write becomes a flattened record */
	bool close_fd;
	uint64_t end;		/* highest offset written + 1 (logical file) */
};

struct mw_error *mw_sink_open(const char *path, bool flatten,
			      struct mw_sink *ret);
/* Write len bytes at logical offset off (any order). */
struct mw_error *mw_sink_pwrite(struct mw_sink *s, uint64_t off,
				const void *buf, size_t len);
/* Finish (flattened end marker) and close. */
struct mw_error *mw_sink_close(struct mw_sink *s);
/* Close without finishing, after an error. */
void mw_sink_abort(struct mw_sink *s);

/* Sequential writes at a moving offset, coalesced into large writes. */
struct mw_wbuf {
	struct mw_sink *sink;
	uint64_t off;		/* logical offset of buf[0] */
	uint8_t *buf;
	size_t len, cap;
};

struct mw_error *mw_wbuf_init(struct mw_wbuf *w, struct mw_sink *sink,
			      uint64_t off, size_t cap);
struct mw_error *mw_wbuf_append(struct mw_wbuf *w, const void *data,
				size_t len);
struct mw_error *mw_wbuf_flush(struct mw_wbuf *w);
void mw_wbuf_deinit(struct mw_wbuf *w);
static inline uint64_t mw_wbuf_pos(const struct mw_wbuf *w)
{
	return w->off + w->len;
}

/* ---- page compression, as makedumpfile stores pages ---- */

enum mw_conv_comp {
	MW_CONV_COMP_NONE,
	MW_CONV_COMP_ZLIB,
	MW_CONV_COMP_LZO,
	MW_CONV_COMP_SNAPPY,
	MW_CONV_COMP_ZSTD,
};

/* kdump page_desc.flags and disk_dump_header.status bits */
enum {
	MW_KDUMP_ZLIB = 0x1,
	MW_KDUMP_LZO = 0x2,
	MW_KDUMP_SNAPPY = 0x4,
	MW_KDUMP_INCOMPLETE = 0x8,
	MW_KDUMP_EXCLUDED_VMEMMAP = 0x10,
	MW_KDUMP_ZSTD = 0x20,
};

struct mw_compressor;

/* level: zlib 1..9, zstd 1..22; 0 (or other methods): the fastest */
struct mw_error *mw_compressor_create(enum mw_conv_comp method,
				      size_t page_size, int level,
				      struct mw_compressor **ret);
void mw_compressor_destroy(struct mw_compressor *c);
/*
 * Compress one page. If the compressed form is smaller than the page,
 * *out points to it (valid until the next call), *out_len is its size and
 * *flags the page_desc flag; else *out is the page itself, *flags 0.
 */
struct mw_error *mw_compress_page(struct mw_compressor *c, const uint8_t *page,
				  const uint8_t **out, size_t *out_len,
				  uint32_t *flags);
/* The header status flag of a method (0 for none). */
uint32_t mw_compress_flag(enum mw_conv_comp method);

/* ---- the conversion ---- */

enum mw_conv_format {
	MW_CONV_KDUMP,
	MW_CONV_ELF,
};

struct mw_pfn_range {
	uint64_t first, last;	/* inclusive */
};

struct mw_conv_options {
	enum mw_conv_format format;
	enum mw_conv_comp comp;
	int header_version;	/* kdump: 1..6 */
	int level;		/* compression level; 0: the method's fastest */
	bool flatten;
	bool exclude_zero;
	uint64_t zero_unit;	/* --exclude-zero: a block goes only when the aligned
				 * unit of this many bytes holding it is all zeros
				 * (the kernel's page, as makedumpfile's filter sees
				 * it); 0: the block itself */
	bool sparse;		/* ELF: zero pages kept, written as file holes */
	bool fill_excluded;	/* pages the source left out are written as zeros */
	struct mw_pfn_range *exclude;	/* sorted, merged */
	size_t nr_exclude;
	bool incomplete;		/* kdump: keep only the first ... */
	uint64_t incomplete_after;	/* ... this many page descriptors */
	int64_t timestamp;		/* kdump header time, seconds */
	/* ELF: p_vaddr = direct_map + paddr, as a capture kernel's /proc/vmcore
	 * has (0: physical only, like QEMU's) */
	uint64_t direct_map;
};

struct mw_conv_stats {
	uint64_t ram_pages;		/* pages in the 1st bitmap */
	uint64_t dumped_pages;		/* pages in the 2nd bitmap */
	uint64_t zero_pages;		/* zero pages (shared or left out) */
	uint64_t excluded_source;	/* excluded in the source already */
	uint64_t excluded_option;	/* left out by --exclude-pfns */
	uint64_t compressed_pages;	/* stored compressed */
	uint64_t incomplete_pages;	/* descriptors zeroed */
	uint64_t segments;		/* ELF PT_LOADs */
	uint64_t file_bytes;		/* logical size of the output */
};

/* Per-run state shared by the writers. */
struct mw_conv {
	struct mw_reader *reader;
	const struct mw_dump_info *info;
	const struct mw_conv_options *opt;
	uint32_t page_size;
	unsigned page_shift;
	uint64_t max_mapnr;		/* 1 + highest RAM pfn */
	uint64_t *dumped;		/* 2nd bitmap: one bit per pfn */
	struct mw_conv_stats stats;
	uint8_t *page;			/* one page buffer */
	bool unit_known, unit_zero;	/* --zero-unit: the last unit read */
	uint64_t unit_start;
	uint8_t *unit_buf;		/* its zero_unit bytes, allocated once */
};

struct mw_error *mw_conv_init(struct mw_conv *cv, struct mw_reader *reader,
			      const struct mw_conv_options *opt);
void mw_conv_deinit(struct mw_conv *cv);

static inline bool mw_conv_is_dumped(const struct mw_conv *cv, uint64_t pfn)
{
	return pfn < cv->max_mapnr &&
	       (cv->dumped[pfn / 64] >> (pfn % 64)) & 1;
}

/* Read one whole page; bytes outside the source's ranges read as zero. */
struct mw_error *mw_conv_read_page(struct mw_conv *cv, uint64_t pfn,
				   uint8_t *buf);
bool mw_page_is_zero(const uint8_t *page, size_t len);

/*
 * ELF notes as written to a dump: the source's notes re-encoded
 * (Elf64_Nhdr, 4-byte aligned), plus a VMCOREINFO note made from
 * info->vmcoreinfo if the source had the text but no such note.
 * *vmcoreinfo_off/len locate the VMCOREINFO text inside (0/0 if none).
 */
struct mw_error *mw_conv_build_notes(const struct mw_dump_info *info,
				     uint8_t **ret, size_t *ret_len,
				     size_t *vmcoreinfo_off,
				     size_t *vmcoreinfo_len);

struct mw_error *mw_kdump_write(struct mw_conv *cv, struct mw_sink *sink);
struct mw_error *mw_elf_write(struct mw_conv *cv, struct mw_sink *sink);

#endif
