/* memwhere: makedumpfile's kdump-compressed format ("KDUMP   ").
 *
 * Layout (64-bit little-endian machines; block = the dumped kernel's page):
 *   block 0            struct disk_dump_header
 *   block 1..          struct kdump_sub_header (sub_hdr_size blocks)
 *   then               bitmap_blocks blocks: the 1st bitmap (pfns that are
 *                      RAM) then the 2nd bitmap (pfns whose page is in the
 *                      file), one bit per pfn, least significant bit first
 *   then               one 24-byte page descriptor per set bit of the 2nd
 *                      bitmap, in pfn order: { int64 offset, uint32 size,
 *                      uint32 flags, uint64 page_flags }
 *   then               page data: raw (size == block size) or compressed
 *                      with zlib, lzo, snappy or zstd (flags); pages of
 *                      zeros may all point at one shared copy.
 * A pfn in the 1st bitmap but not the 2nd was filtered out (makedumpfile
 * -d); a dump cut short says so in the header status and leaves the
 * descriptors of the pages it did not write at offset 0.
 *
 * Everything is read through r->src, so the same code reads plain files and
 * flattened streams. Bitmaps are held in memory with a popcount prefix per
 * block of the 2nd bitmap, so a pfn's descriptor is found without a
 * per-page table. A large dump's descriptors are not read at open (only a
 * sample at each end, see sample_descriptors): each is read when its page
 * is, and checked then. Small reads go through a cache of decompressed
 * pages; large reads fetch descriptors in aligned chunks kept per reading
 * thread (so a scan reads each once) and page data in big preads, and
 * decompress each page once, straight into the caller's buffer.
 */
#include "config.h"

#include <endian.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/le.h"
#include "formats/decompress.h"
#include "formats/format.h"
#include "formats/page-cache.h"

/* struct disk_dump_header (64-bit layout) */
enum {
	DH_SIGNATURE = 0,
	DH_HEADER_VERSION = 8,
	DH_UTSNAME = 12,		/* struct new_utsname: 6 x 65 bytes */
	DH_STATUS = 424,
	DH_BLOCK_SIZE = 428,
	DH_SUB_HDR_SIZE = 432,
	DH_BITMAP_BLOCKS = 436,
	DH_MAX_MAPNR = 440,
	DH_NR_CPUS = 460,
	DH_SIZE = 464,
	DH_BLOCK_SIZE_32 = 416,		/* where a 32-bit machine's header has it */
	UTS_FIELD = 65,
	UTS_RELEASE = 2,
	UTS_MACHINE = 4,
};

/* struct kdump_sub_header (64-bit layout), at block 1 */
enum {
	SH_PHYS_BASE = 0,
	SH_DUMP_LEVEL = 8,
	SH_SPLIT = 12,			/* version 2 */
	SH_START_PFN = 16,
	SH_END_PFN = 24,
	SH_OFFSET_VMCOREINFO = 32,	/* version 3 */
	SH_SIZE_VMCOREINFO = 40,
	SH_OFFSET_NOTE = 48,		/* version 4 */
	SH_SIZE_NOTE = 56,
	SH_OFFSET_ERASEINFO = 64,	/* version 5 */
	SH_SIZE_ERASEINFO = 72,
	SH_START_PFN_64 = 80,		/* version 6 */
	SH_END_PFN_64 = 88,
	SH_MAX_MAPNR_64 = 96,
	SH_SIZE = 104,
};

/* header status and descriptor flags (makedumpfile's diskdump_mod.h) */
enum {
	DUMP_DH_COMPRESSED_ZLIB = 0x1,
	DUMP_DH_COMPRESSED_LZO = 0x2,
	DUMP_DH_COMPRESSED_SNAPPY = 0x4,
	DUMP_DH_COMPRESSED_INCOMPLETE = 0x8,
	DUMP_DH_EXCLUDED_VMEMMAP = 0x10,
	DUMP_DH_COMPRESSED_ZSTD = 0x20,
	DUMP_DH_COMPRESSED_ANY = DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO |
				 DUMP_DH_COMPRESSED_SNAPPY | DUMP_DH_COMPRESSED_ZSTD,
};

enum {
	DESC_SIZE = 24,
	MAX_VERSION = 64,		/* 6 is the newest; later ones read as 6 */
	MIN_BLOCK_SIZE = 1024,
	MAX_BLOCK_SIZE = 1 << 20,
	WORDS_PER_BLOCK = 8,		/* 512 pfns per rank prefix entry */
	DESC_BATCH = 1024,		/* descriptors decoded at once in large reads */
	SCAN_BATCH = 65536,		/* descriptors per pread in the open scan */
	SAMPLE_DESC = 4096,		/* descriptors read at open at each end */
	DESC_CHUNK = 8192,		/* descriptors per pread in large reads */
	WINDOW_SIZE = 2 << 20,		/* page data per pread in large reads */
	CACHE_BYTES = 16 << 20,		/* decompressed blocks cached, at most */
	CACHE_BLOCKS_MAX = 512,
	MAX_NOTES_SIZE = 64 << 20,
	MAX_VMCOREINFO_SIZE = 1 << 20,
	MAX_RANGES = 1 << 20,
	SMALL_RUN = 2,			/* fewer full pages: use the cache */
	DESC_BLOCK = 128,		/* descriptors per read for single pages */
	AHEAD_MIN = 32 << 10,		/* read-ahead of sequential single pages */
	AHEAD_MAX = 512 << 10,
};

struct kdesc {
	uint64_t offset;
	uint32_t size;
	uint32_t flags;
};

/* Per-thread working memory, taken from a pool for the length of a read. */
struct scratch {
	struct scratch *next;
	struct mw_decompressor *dec;
	uint8_t *chunk;			/* DESC_CHUNK descriptors as read */
	uint64_t chunk_rank;		/* rank of its first */
	size_t chunk_len;		/* descriptors in it (0: none) */
	struct kdesc *desc;		/* DESC_BATCH decoded */
	uint8_t *raw;			/* DESC_BLOCK descriptors as read */
	uint8_t *in;			/* one block of compressed data */
	uint8_t *out;			/* one decompressed block */
	uint8_t *win;			/* WINDOW_SIZE of page data */
	uint64_t win_off;
	size_t win_len;
	/* single-page loads: a block of descriptors, and read-ahead of page
	 * data while the loads are sequential */
	struct kdesc *blk;		/* DESC_BLOCK decoded */
	uint64_t blk_rank;
	size_t blk_len;
	uint64_t last_rank;		/* of the previous load, + 1 */
	size_t ahead;			/* read-ahead size now */
	/* the last page read on its own (shared zero pages) */
	bool memo_valid;
	struct kdesc memo_desc;
	uint8_t *memo;
};

struct kdump {
	uint32_t block_size;
	unsigned shift;
	uint32_t status;
	uint64_t max_mapnr;		/* pfns the bitmaps describe */
	uint64_t *ram;			/* 1st bitmap (or'ed with the 2nd) */
	uint64_t *dumped;		/* 2nd bitmap */
	uint64_t nr_words;
	uint64_t *prefix;		/* set bits of dumped before each block */
	uint64_t desc_off;		/* file offset of descriptor 0 */
	uint64_t data_start;		/* end of the descriptor table */
	uint64_t start_pfn;		/* split dumps: this file's pfns */
	uint64_t end_pfn;		/* split dumps: end of this file's pfns */
	uint64_t limit_pfn;		/* end of split range / incomplete cutoff */
	uint64_t cut_pfn;		/* first pfn an incomplete dump lacks */
	uint64_t base_rank;		/* dumped bits before start_pfn */
	uint64_t nr_valid;		/* descriptors in use */
	uint64_t file_size;		/* logical size of the kdump file */
	struct mw_page_cache *cache;
	pthread_mutex_t pool_lock;
	struct scratch *pool;
};

static bool probe(const uint8_t *head, size_t len, const char *path)
{
	return len >= 8 && memcmp(head, "KDUMP   ", 8) == 0;
}

/*
 * Read through the source. At open, errors go up without the path (the
 * reader prepends it); at read time they carry it.
 */
static struct mw_error *kread(struct mw_reader *r, bool at_open, uint64_t off,
			      void *buf, size_t len, const char *what)
{
	struct mw_error *err = mw_source_pread(r->src, off, buf, len);
	if (!err || err == &mw_error_nomem)
		return err;
	/* the source names the file first: drop it, then say what we read */
	size_t plen = strlen(r->path);
	const char *rest = err->message;
	if (strncmp(rest, r->path, plen) == 0 && rest[plen] == ':' && rest[plen + 1] == ' ')
		rest += plen + 2;
	struct mw_error *nerr;
	if (at_open)
		nerr = mw_error_at_offset(err->code, off, "%s (%zu bytes): %s",
					  what, len, rest);
	else
		nerr = mw_error_at_offset(err->code, off, "%s: %s (%zu bytes): %s",
					  r->path, what, len, rest);
	mw_error_destroy(err);
	return nerr;
}

/* ---- bitmaps ---- */

static bool bit(const uint64_t *map, uint64_t pfn)
{
	return (map[pfn / 64] >> (pfn % 64)) & 1;
}

/* set bits of the 2nd bitmap in [0, pfn), pfn <= max_mapnr */
static uint64_t rank_of(const struct kdump *k, uint64_t pfn)
{
	uint64_t w = pfn / 64, blk = w / WORDS_PER_BLOCK;
	uint64_t n = k->prefix[blk];
	for (uint64_t i = blk * WORDS_PER_BLOCK; i < w; i++)
		n += (uint64_t)__builtin_popcountll(k->dumped[i]);
	if (pfn % 64)
		n += (uint64_t)__builtin_popcountll(k->dumped[w] &
						   ((1ull << (pfn % 64)) - 1));
	return n;
}

/* pfn of the set bit of rank n in the 2nd bitmap, or max_mapnr */
static uint64_t select_pfn(const struct kdump *k, uint64_t n)
{
	uint64_t nr_blocks = (k->nr_words + WORDS_PER_BLOCK - 1) / WORDS_PER_BLOCK;
	if (n >= k->prefix[nr_blocks])
		return k->max_mapnr;
	uint64_t lo = 0, hi = nr_blocks;	/* last block with prefix <= n */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (k->prefix[mid] <= n)
			lo = mid;
		else
			hi = mid;
	}
	uint64_t left = n - k->prefix[lo];
	for (uint64_t w = lo * WORDS_PER_BLOCK; w < k->nr_words; w++) {
		uint64_t word = k->dumped[w];
		uint64_t c = (uint64_t)__builtin_popcountll(word);
		if (left < c) {
			while (left--)
				word &= word - 1;
			return w * 64 + (uint64_t)__builtin_ctzll(word);
		}
		left -= c;
	}
	return k->max_mapnr;
}

static bool present(const struct kdump *k, uint64_t pfn)
{
	return pfn < k->max_mapnr && pfn >= k->start_pfn && pfn < k->limit_pfn &&
	       bit(k->dumped, pfn);
}

static enum mw_page_state kdump_page_state(struct mw_reader *r, uint64_t pfn)
{
	const struct kdump *k = r->priv;
	if (pfn >= k->max_mapnr || !bit(k->ram, pfn))
		return MW_PAGE_HOLE;
	return present(k, pfn) ? MW_PAGE_PRESENT : MW_PAGE_EXCLUDED;
}

/* ---- scratch pool ---- */

static void scratch_free(struct scratch *s)
{
	mw_decompressor_destroy(s->dec);
	free(s->chunk);
	free(s->desc);
	free(s->in);
	free(s->out);
	free(s->win);
	free(s->memo);
	free(s->blk);
	free(s->raw);
	free(s);
}

static struct mw_error *scratch_get(struct kdump *k, struct scratch **ret)
{
	pthread_mutex_lock(&k->pool_lock);
	struct scratch *s = k->pool;
	if (s)
		k->pool = s->next;
	pthread_mutex_unlock(&k->pool_lock);
	if (s) {
		*ret = s;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return &mw_error_nomem;
	struct mw_error *err = mw_decompressor_create(&s->dec);
	if (err) {
		free(s);
		return err;
	}
	s->chunk = malloc((size_t)DESC_CHUNK * DESC_SIZE);
	s->raw = malloc(DESC_BLOCK * DESC_SIZE);
	s->desc = malloc(DESC_BATCH * sizeof(*s->desc));
	s->in = malloc(k->block_size);
	s->out = malloc(k->block_size);
	s->memo = malloc(k->block_size);
	s->blk = malloc(DESC_BLOCK * sizeof(*s->blk));
	if (!s->chunk || !s->raw || !s->desc || !s->in || !s->out || !s->memo || !s->blk) {
		scratch_free(s);
		return &mw_error_nomem;
	}
	*ret = s;
	return NULL;
}

static void scratch_put(struct kdump *k, struct scratch *s)
{
	pthread_mutex_lock(&k->pool_lock);
	s->next = k->pool;
	k->pool = s;
	pthread_mutex_unlock(&k->pool_lock);
}

/* ---- descriptors and page data ---- */

static void decode_desc(const uint8_t *p, struct kdesc *d)
{
	d->offset = mw_le64(p, DESC_SIZE, 0);
	d->size = mw_le32(p, DESC_SIZE, 8);
	d->flags = mw_le32(p, DESC_SIZE, 12);
}

static enum mw_decomp_method method_of(uint32_t comp)
{
	switch (comp) {
	case DUMP_DH_COMPRESSED_ZLIB: return MW_DECOMP_ZLIB;
	case DUMP_DH_COMPRESSED_LZO: return MW_DECOMP_LZO;
	case DUMP_DH_COMPRESSED_SNAPPY: return MW_DECOMP_SNAPPY;
	default: return MW_DECOMP_ZSTD;
	}
}

/* Is descriptor d (of pfn, at file offset doff) one we can read? */
static struct mw_error *check_desc(struct mw_reader *r, const struct kdesc *d,
				   uint64_t pfn, uint64_t doff)
{
	const struct kdump *k = r->priv;
	uint32_t comp = d->flags & DUMP_DH_COMPRESSED_ANY;
	if (comp & (comp - 1))
		return mw_error_at_offset(MW_ERR_FORMAT, doff,
					  "%s: page descriptor of pfn %#" PRIx64 " has several compression flags (%#x)",
					  r->path, pfn, d->flags);
	if (!comp && d->size != k->block_size)
		return mw_error_at_offset(MW_ERR_FORMAT, doff,
					  "%s: page descriptor of pfn %#" PRIx64 ": uncompressed page of %" PRIu32 " bytes, block size is %" PRIu32,
					  r->path, pfn, d->size, k->block_size);
	if (comp && (d->size == 0 || d->size > k->block_size))
		return mw_error_at_offset(MW_ERR_FORMAT, doff,
					  "%s: page descriptor of pfn %#" PRIx64 ": compressed page of %" PRIu32 " bytes, block size is %" PRIu32,
					  r->path, pfn, d->size, k->block_size);
	if (d->offset < k->data_start)
		return mw_error_at_offset(MW_ERR_FORMAT, doff,
					  "%s: page descriptor of pfn %#" PRIx64 ": data at offset %" PRIu64 " lies before the end of the descriptor table (offset %" PRIu64 ")%s",
					  r->path, pfn, d->offset, k->data_start,
					  d->offset ? "" : ": a page the dump never wrote, though its header does not say it is incomplete");
	if (d->offset > k->file_size || d->size > k->file_size - d->offset)
		return mw_error_at_offset(MW_ERR_FORMAT, doff,
					  "%s: page descriptor of pfn %#" PRIx64 ": data (%" PRIu32 " bytes at offset %" PRIu64 ") runs past the end of the file (%" PRIu64 " bytes)",
					  r->path, pfn, d->size, d->offset, k->file_size);
	return NULL;
}

/* Turn the page data at src (as described by d) into one block at dst. */
static struct mw_error *decode_page(struct mw_reader *r, struct scratch *s,
				    const struct kdesc *d, uint64_t pfn,
				    const uint8_t *src, uint8_t *dst)
{
	const struct kdump *k = r->priv;
	uint32_t comp = d->flags & DUMP_DH_COMPRESSED_ANY;
	if (!comp) {
		memcpy(dst, src, k->block_size);
		return NULL;
	}
	enum mw_decomp_method m = method_of(comp);
	size_t got;
	const char *why = mw_decompress(s->dec, m, src, d->size, dst,
					k->block_size, &got);
	if (why)
		return mw_error_at_offset(MW_ERR_FORMAT, d->offset,
					  "%s: %s page data of pfn %#" PRIx64 " (%" PRIu32 " bytes at offset %" PRIu64 "): %s (%zu bytes out, block size %" PRIu32 ")",
					  r->path, mw_decomp_method_name(m), pfn,
					  d->size, d->offset, why, got, k->block_size);
	return NULL;
}

static bool same_desc(const struct kdesc *a, const struct kdesc *b)
{
	return a->offset == b->offset && a->size == b->size && a->flags == b->flags;
}

/* The window of page data, allocated on first use. */
static struct mw_error *need_window(struct scratch *s)
{
	if (!s->win) {
		s->win = malloc(WINDOW_SIZE);
		if (!s->win)
			return &mw_error_nomem;
		s->win_len = 0;
	}
	return NULL;
}

/* Is [off, off + len) of the file in the scratch's window? */
static const uint8_t *in_window(const struct scratch *s, uint64_t off,
				uint32_t len)
{
	if (s->win_len && off >= s->win_off &&
	    off + len <= s->win_off + s->win_len)
		return s->win + (off - s->win_off);
	return NULL;
}

/*
 * The raw bytes of descriptor rank (< nr_valid), from the scratch's chunk:
 * the DESC_CHUNK-aligned descriptors around it, read in one pread when
 * they are not there already. A caller may use the ones after it up to
 * the chunk's end (the next multiple of DESC_CHUNK, or nr_valid).
 */
static struct mw_error *chunk_get(struct mw_reader *r, struct scratch *s,
				  uint64_t rank, const uint8_t **ret)
{
	struct kdump *k = r->priv;
	if (!s->chunk_len || rank < s->chunk_rank ||
	    rank >= s->chunk_rank + s->chunk_len) {
		uint64_t start = rank - rank % DESC_CHUNK;
		uint64_t n = k->nr_valid - start < DESC_CHUNK ?
			k->nr_valid - start : DESC_CHUNK;
		s->chunk_len = 0;
		struct mw_error *err = kread(r, false, k->desc_off + start * DESC_SIZE,
					     s->chunk, (size_t)n * DESC_SIZE,
					     "page descriptors");
		if (err)
			return err;
		s->chunk_rank = start;
		s->chunk_len = (size_t)n;
	}
	*ret = s->chunk + (rank - s->chunk_rank) * DESC_SIZE;
	return NULL;
}

/*
 * One page on its own: its descriptor (from a block of them read at once),
 * its data, decompressed into dst. While the loads go page after page,
 * the data of the following adjacent pages is read ahead too, growing up
 * to AHEAD_MAX; random loads read one page's data.
 */
static struct mw_error *load_page(struct mw_reader *r, struct scratch *s,
				  uint64_t pfn, uint8_t *dst)
{
	struct kdump *k = r->priv;
	struct mw_error *err;
	uint64_t rank = rank_of(k, pfn) - k->base_rank;
	bool in_blk = s->blk_len && rank >= s->blk_rank &&
		      rank < s->blk_rank + s->blk_len;
	if (!in_blk && s->chunk_len && rank >= s->chunk_rank &&
	    rank < s->chunk_rank + s->chunk_len) {
		/* a large read fetched it: take its block from there (chunks
		 * are aligned to DESC_CHUNK, a multiple of DESC_BLOCK) */
		uint64_t start = rank - rank % DESC_BLOCK;
		uint64_t end = s->chunk_rank + s->chunk_len;
		uint64_t n = end - start < DESC_BLOCK ? end - start : DESC_BLOCK;
		for (uint64_t i = 0; i < n; i++)
			decode_desc(s->chunk + (start - s->chunk_rank + i) * DESC_SIZE,
				    &s->blk[i]);
		s->blk_rank = start;
		s->blk_len = (size_t)n;
	}
	if (!s->blk_len || rank < s->blk_rank || rank >= s->blk_rank + s->blk_len) {
		uint64_t start = rank - rank % DESC_BLOCK;
		uint64_t n = k->nr_valid - start < DESC_BLOCK ?
			k->nr_valid - start : DESC_BLOCK;
		s->blk_len = 0;
		err = kread(r, false, k->desc_off + start * DESC_SIZE, s->raw,
			    (size_t)n * DESC_SIZE, "page descriptors");
		if (err)
			return err;
		for (uint64_t i = 0; i < n; i++)
			decode_desc(s->raw + i * DESC_SIZE, &s->blk[i]);
		s->blk_rank = start;
		s->blk_len = (size_t)n;
	}
	size_t bi = (size_t)(rank - s->blk_rank);
	const struct kdesc *d = &s->blk[bi];
	err = check_desc(r, d, pfn, k->desc_off + rank * DESC_SIZE);
	if (err)
		return err;
	bool sequential = rank == s->last_rank;
	s->last_rank = rank + 1;
	s->ahead = sequential ? (s->ahead ? s->ahead * 2 : AHEAD_MIN) : 0;
	if (s->ahead > AHEAD_MAX)
		s->ahead = AHEAD_MAX;

	const uint8_t *src = in_window(s, d->offset, d->size);
	bool compressed = d->flags & DUMP_DH_COMPRESSED_ANY;
	if (!src && compressed && s->memo_valid && same_desc(d, &s->memo_desc)) {
		memcpy(dst, s->memo, k->block_size);
		return NULL;
	}
	if (!src && s->ahead) {
		/* this page and the adjacent ones after it in the block */
		uint64_t end = d->offset + d->size;
		for (size_t j = bi + 1; j < s->blk_len && s->blk[j].offset == end &&
		     end - d->offset + s->blk[j].size <= s->ahead; j++)
			end += s->blk[j].size;
		if (end - d->offset > d->size) {
			err = need_window(s);
			if (err)
				return err;
			s->win_len = 0;
			err = kread(r, false, d->offset, s->win,
				    (size_t)(end - d->offset), "page data");
			if (err)
				return err;
			s->win_off = d->offset;
			s->win_len = (size_t)(end - d->offset);
			src = s->win;
		}
	}
	if (!src && !compressed)
		return kread(r, false, d->offset, dst, k->block_size, "page data");
	if (!src) {
		err = kread(r, false, d->offset, s->in, d->size, "page data");
		if (err)
			return err;
		src = s->in;
	}
	err = decode_page(r, s, d, pfn, src, dst);
	if (err)
		return err;
	if (compressed && src == s->in) {
		/* on its own (a shared page?): remember it */
		memcpy(s->memo, dst, k->block_size);
		s->memo_desc = *d;
		s->memo_valid = true;
	}
	return NULL;
}

/* Part of one page, through the cache. */
static struct mw_error *read_cached(struct mw_reader *r, struct scratch *s,
				    uint64_t pfn, size_t off, size_t len,
				    uint8_t *dst)
{
	struct kdump *k = r->priv;
	if (mw_page_cache_read(k->cache, pfn, off, len, dst))
		return NULL;
	struct mw_error *err = load_page(r, s, pfn, s->out);
	if (err)
		return err;
	mw_page_cache_put(k->cache, pfn, s->out);
	memcpy(dst, s->out + off, len);
	return NULL;
}

/*
 * n whole pages from pfn on, all present (so their descriptors are
 * consecutive): descriptors in batches, page data in large preads of
 * adjacent pages, uncompressed runs straight into dst.
 */
static struct mw_error *read_run(struct mw_reader *r, struct scratch *s,
				 uint64_t pfn, uint64_t n, uint8_t *dst)
{
	struct kdump *k = r->priv;
	const size_t bs = k->block_size;
	struct mw_error *err;
	uint64_t rank = rank_of(k, pfn) - k->base_rank;
	err = need_window(s);
	if (err)
		return err;
	while (n > 0) {
		size_t batch = n < DESC_BATCH ? (size_t)n : DESC_BATCH;
		uint64_t left = DESC_CHUNK - rank % DESC_CHUNK;
		if (batch > left)
			batch = (size_t)left;
		uint64_t doff = k->desc_off + rank * DESC_SIZE;
		const uint8_t *raw;
		err = chunk_get(r, s, rank, &raw);
		if (err)
			return err;
		for (size_t i = 0; i < batch; i++) {
			decode_desc(raw + i * DESC_SIZE, &s->desc[i]);
			err = check_desc(r, &s->desc[i], pfn + i,
					 doff + i * DESC_SIZE);
			if (err)
				return err;
		}
		for (size_t i = 0; i < batch;) {
			const struct kdesc *d = &s->desc[i];
			uint8_t *out = dst + i * bs;
			bool compressed = d->flags & DUMP_DH_COMPRESSED_ANY;
			const uint8_t *src = in_window(s, d->offset, d->size);
			if (src) {
				err = decode_page(r, s, d, pfn + i, src, out);
				if (err)
					return err;
				i++;
				continue;
			}
			if (!compressed) {
				/* adjacent uncompressed pages: one pread into dst */
				size_t m = 1;
				while (i + m < batch &&
				       !(s->desc[i + m].flags & DUMP_DH_COMPRESSED_ANY) &&
				       s->desc[i + m].offset == d->offset + m * bs)
					m++;
				err = kread(r, false, d->offset, out, m * bs,
					    "page data");
				if (err)
					return err;
				i += m;
				continue;
			}
			if (s->memo_valid && same_desc(d, &s->memo_desc)) {
				memcpy(out, s->memo, bs);
				i++;
				continue;
			}
			uint64_t end = d->offset + d->size;
			size_t j = i + 1;
			while (j < batch && s->desc[j].offset == end &&
			       end - d->offset + s->desc[j].size <= WINDOW_SIZE) {
				end += s->desc[j].size;
				j++;
			}
			if (j == i + 1) {
				/* on its own (a shared page): remember it */
				err = kread(r, false, d->offset, s->in, d->size,
					    "page data");
				if (!err)
					err = decode_page(r, s, d, pfn + i, s->in, out);
				if (err)
					return err;
				memcpy(s->memo, out, bs);
				s->memo_desc = *d;
				s->memo_valid = true;
				i++;
				continue;
			}
			s->win_len = 0;
			err = kread(r, false, d->offset, s->win,
				    (size_t)(end - d->offset), "page data");
			if (err)
				return err;
			s->win_off = d->offset;
			s->win_len = (size_t)(end - d->offset);
		}
		dst += batch * bs;
		pfn += batch;
		rank += batch;
		n -= batch;
	}
	return NULL;
}

static struct mw_error *kdump_read_phys(struct mw_reader *r, uint64_t paddr,
					void *buf, size_t len)
{
	struct kdump *k = r->priv;
	const uint64_t bs = k->block_size;
	uint64_t first = paddr >> k->shift, last = (paddr + len - 1) >> k->shift;
	/* the whole read succeeds or fails: check every page first */
	for (uint64_t pfn = first; pfn <= last; pfn++) {
		if (present(k, pfn))
			continue;
		uint64_t at = pfn == first ? paddr : pfn << k->shift;
		if (pfn >= k->max_mapnr || !bit(k->ram, pfn))
			return mw_error_at(MW_ERR_HOLE, at,
					   "%s: physical address %#" PRIx64 " is not in the dump's memory",
					   r->path, at);
		if (r->info.split && (pfn < k->start_pfn || pfn >= k->end_pfn))
			return mw_error_at(MW_ERR_NOT_IN_DUMP, at,
					   "%s: page at physical address %#" PRIx64 " is in another part of the split dump (makedumpfile --split); this part holds pfns %#" PRIx64 "-%#" PRIx64 ": give every part",
					   r->path, at, k->start_pfn, k->end_pfn - 1);
		return mw_error_at(MW_ERR_NOT_IN_DUMP, at,
				   "%s: page at physical address %#" PRIx64 " was left out of the dump%s",
				   r->path, at,
				   pfn >= k->cut_pfn && pfn < k->max_mapnr &&
				   bit(k->dumped, pfn) ? " (the dump is incomplete)" : "");
	}

	struct scratch *s;
	struct mw_error *err = scratch_get(k, &s);
	if (err)
		return err;
	uint8_t *out = buf;
	uint64_t pos = paddr;
	while (len > 0) {
		uint64_t pfn = pos >> k->shift;
		size_t in = (size_t)(pos & (bs - 1));
		if (in || len < bs) {
			size_t n = bs - in < len ? bs - in : len;
			err = read_cached(r, s, pfn, in, n, out);
			if (err)
				break;
			out += n;
			pos += n;
			len -= n;
			continue;
		}
		uint64_t pages = len >> k->shift;
		if (pages < SMALL_RUN) {
			err = read_cached(r, s, pfn, 0, bs, out);
		} else {
			err = read_run(r, s, pfn, pages, out);
		}
		if (err)
			break;
		size_t n = (size_t)(pages < SMALL_RUN ? bs : pages << k->shift);
		out += n;
		pos += n;
		len -= n;
	}
	scratch_put(k, s);
	return err;
}

/* ---- open ---- */

static void kdump_free(struct kdump *k)
{
	if (!k)
		return;
	while (k->pool) {
		struct scratch *s = k->pool;
		k->pool = s->next;
		scratch_free(s);
	}
	pthread_mutex_destroy(&k->pool_lock);
	mw_page_cache_destroy(k->cache);
	free(k->ram);
	free(k->dumped);
	free(k->prefix);
	free(k);
}

static void kdump_close(struct mw_reader *r)
{
	kdump_free(r->priv);
	r->priv = NULL;
}

static void copy_uts(char *dst, const uint8_t *field)
{
	size_t n = strnlen((const char *)field, UTS_FIELD - 1);
	memcpy(dst, field, n);
	dst[n] = '\0';
}

static bool good_block_size(uint32_t bs)
{
	return bs >= MIN_BLOCK_SIZE && bs <= MAX_BLOCK_SIZE && !(bs & (bs - 1));
}

/* Read one bitmap of nbytes at off into words (zero-padded). */
static struct mw_error *read_bitmap(struct mw_reader *r, struct kdump *k,
				    uint64_t off, uint64_t **ret,
				    const char *what)
{
	uint64_t nbytes = (k->max_mapnr + 7) / 8;
	uint64_t *map = calloc(k->nr_words ? k->nr_words : 1, sizeof(uint64_t));
	if (!map)
		return &mw_error_nomem;
	struct mw_error *err = kread(r, true, off, map, (size_t)nbytes, what);
	if (err) {
		free(map);
		return err;
	}
	for (uint64_t i = 0; i < k->nr_words; i++)
		map[i] = le64toh(map[i]);
	if (k->max_mapnr % 64)
		map[k->nr_words - 1] &= (1ull << (k->max_mapnr % 64)) - 1;
	*ret = map;
	return NULL;
}

static struct mw_error *add_range(struct mw_dump_info *info, size_t *cap,
				  uint64_t start, uint64_t end)
{
	if (info->nr_ranges >= MAX_RANGES)
		return mw_error_create(MW_ERR_LIMIT,
				       "more than %d memory ranges in the 1st bitmap",
				       MAX_RANGES);
	if (info->nr_ranges == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct mw_phys_range *n = realloc(info->ranges, ncap * sizeof(*n));
		if (!n)
			return &mw_error_nomem;
		info->ranges = n;
		*cap = ncap;
	}
	info->ranges[info->nr_ranges++] = (struct mw_phys_range){ start, end };
	return NULL;
}

/* Runs of set bits in the 1st bitmap become the memory ranges. */
static struct mw_error *make_ranges(struct mw_reader *r, struct kdump *k)
{
	size_t cap = 0;
	uint64_t pfn = 0;
	while (pfn < k->max_mapnr) {
		/* skip clear bits a word at a time */
		uint64_t w = pfn / 64;
		uint64_t word = k->ram[w] & (~0ull << (pfn % 64));
		if (!word) {
			pfn = (w + 1) * 64;
			continue;
		}
		uint64_t start = w * 64 + (uint64_t)__builtin_ctzll(word);
		/* then set bits */
		uint64_t end = start;
		for (;;) {
			uint64_t ew = end / 64;
			if (ew >= k->nr_words)
				break;
			uint64_t inv = ~k->ram[ew] & (~0ull << (end % 64));
			if (inv) {
				end = ew * 64 + (uint64_t)__builtin_ctzll(inv);
				break;
			}
			end = (ew + 1) * 64;
		}
		if (end > k->max_mapnr)
			end = k->max_mapnr;
		struct mw_error *err = add_range(&r->info, &cap,
						 start << k->shift, end << k->shift);
		if (err)
			return err;
		pfn = end;
	}
	mw_ranges_normalize(&r->info);
	return NULL;
}

static uint32_t comp_bit(uint32_t flags)
{
	switch (flags & DUMP_DH_COMPRESSED_ANY) {
	case 0: return MW_COMP_NONE;
	case DUMP_DH_COMPRESSED_ZLIB: return MW_COMP_ZLIB;
	case DUMP_DH_COMPRESSED_LZO: return MW_COMP_LZO;
	case DUMP_DH_COMPRESSED_SNAPPY: return MW_COMP_SNAPPY;
	case DUMP_DH_COMPRESSED_ZSTD: return MW_COMP_ZSTD;
	default: return 0;	/* several flags: reading the page says so */
	}
}

/*
 * Small dumps, and dumps incomplete or cut short (sample_descriptors says
 * which): read every descriptor once, in large reads: which compression
 * methods the pages use, and where an incomplete dump stops. makedumpfile leaves
 * the descriptors of pages it never wrote at offset 0 (and says so in the
 * header status when it ran out of space): the first one ends the dump.
 * A file cut short (a copy interrupted, a disk full under another writer)
 * keeps its descriptors but loses the data of the last pages: if from
 * some descriptor on no page's data lies further into the file than what
 * came before (zero pages may still point back at a shared early copy),
 * the dump ends there too. A descriptor past the end followed by data
 * further on is corruption instead: reading that page says so.
 */
static struct mw_error *scan_descriptors(struct mw_reader *r, struct kdump *k,
					 uint64_t nr_desc, uint64_t *nr_valid)
{
	bool flagged = k->status & DUMP_DH_COMPRESSED_INCOMPLETE;
	uint8_t *buf = malloc((size_t)SCAN_BATCH * DESC_SIZE);
	if (!buf)
		return &mw_error_nomem;
	struct mw_error *err = NULL;
	uint64_t cut = UINT64_MAX;	/* first data past the end of the file */
	uint64_t end = nr_desc;		/* first offset 0, or nr_desc */
	uint64_t reach = 0;		/* furthest data end before cut */
	uint64_t claim = 0;		/* furthest data end of any descriptor */
	bool forward = false;		/* data beyond reach after cut */
	uint32_t bits_before = 0, bits_after = 0;
	for (uint64_t i = 0; i < nr_desc && end == nr_desc;) {
		uint64_t batch = nr_desc - i < SCAN_BATCH ? nr_desc - i : SCAN_BATCH;
		err = kread(r, true, k->desc_off + i * DESC_SIZE, buf,
			    (size_t)batch * DESC_SIZE, "page descriptors");
		if (err)
			goto out;
		for (uint64_t j = 0; j < batch; j++) {
			struct kdesc d;
			decode_desc(buf + j * DESC_SIZE, &d);
			if (d.offset == 0) {
				end = i + j;
				break;
			}
			bool past_end = d.offset > k->file_size ||
					d.size > k->file_size - d.offset;
			if (d.offset <= UINT64_MAX - d.size && d.offset + d.size > claim)
				claim = d.offset + d.size;
			if (past_end && cut == UINT64_MAX) {
				cut = i + j;
				if (flagged)
					break;
			}
			if (cut == UINT64_MAX) {
				if (d.offset + d.size > reach)
					reach = d.offset + d.size;
				bits_before |= comp_bit(d.flags);
			} else {
				if (!past_end && d.offset + d.size > reach)
					forward = true;
				bits_after |= comp_bit(d.flags);
			}
		}
		if (cut != UINT64_MAX && flagged)
			break;
		i += batch;
	}
	*nr_valid = end;
	r->info.compression = bits_before;
	if (cut != UINT64_MAX && (flagged || !forward)) {
		if (cut < end) {
			*nr_valid = cut;
			/* the file was cut short: what its descriptors claim */
			if (claim > k->file_size)
				r->info.expected_size = claim;
		}
	} else {
		r->info.compression |= bits_after;
	}
	if (*nr_valid < nr_desc) {
		r->info.incomplete = true;
		r->info.cut_pages = nr_desc - *nr_valid;
	}
out:
	free(buf);
	return err;
}

/*
 * A large dump's descriptors are not all read at open: only SAMPLE_DESC at
 * each end of the table. They give the compression methods (with the one
 * the header declares) and say whether the dump is whole: if none of them
 * is a page never written (offset 0) or data past the end of the file,
 * the last page's data is in the file and so, written in order, is every
 * page's. Each page's descriptor is then checked when the page is read
 * (check_desc): a bad one found late fails that read with the same errors.
 * *full: the sample shows a dump cut short; scan_descriptors must decide.
 */
static struct mw_error *sample_descriptors(struct mw_reader *r, struct kdump *k,
					   uint64_t nr_desc, bool *full)
{
	uint8_t *buf = malloc((size_t)SAMPLE_DESC * DESC_SIZE);
	if (!buf)
		return &mw_error_nomem;
	struct mw_error *err = NULL;
	/* the method the header declares (makedumpfile and QEMU say it) */
	uint32_t bits = k->status & DUMP_DH_COMPRESSED_ANY ? comp_bit(k->status) : 0;
	*full = false;
	for (int end = 0; end < 2 && !*full; end++) {
		uint64_t first = end ? nr_desc - SAMPLE_DESC : 0;
		err = kread(r, true, k->desc_off + first * DESC_SIZE, buf,
			    (size_t)SAMPLE_DESC * DESC_SIZE, "page descriptors");
		if (err)
			break;
		for (size_t j = 0; j < SAMPLE_DESC; j++) {
			struct kdesc d;
			decode_desc(buf + j * DESC_SIZE, &d);
			if (d.offset == 0 || d.offset > k->file_size ||
			    d.size > k->file_size - d.offset) {
				*full = true;
				break;
			}
			bits |= comp_bit(d.flags);
		}
	}
	if (!err && !*full)
		r->info.compression = bits;
	free(buf);
	return err;
}

static struct mw_error *read_notes(struct mw_reader *r, struct kdump *k,
				   const uint8_t *sh, int32_t version)
{
	struct mw_error *err;
	if (version >= 4) {
		uint64_t off = mw_le64(sh, SH_SIZE, SH_OFFSET_NOTE);
		uint64_t size = mw_le64(sh, SH_SIZE, SH_SIZE_NOTE);
		if (off && size) {
			if (size > MAX_NOTES_SIZE || off > k->file_size ||
			    size > k->file_size - off)
				return mw_error_at_offset(MW_ERR_FORMAT, k->block_size + SH_SIZE_NOTE,
							  "ELF notes (%" PRIu64 " bytes at offset %" PRIu64 ") run past the end of the file (%" PRIu64 " bytes)",
							  size, off, k->file_size);
			uint8_t *buf = malloc((size_t)size);
			if (!buf)
				return &mw_error_nomem;
			err = kread(r, true, off, buf, (size_t)size, "ELF notes");
			if (err) {
				free(buf);
				return err;
			}
			err = mw_notes_parse(r, buf, (size_t)size, off);
			if (err)
				return err;
		}
	}
	if (version >= 3 && !r->info.vmcoreinfo) {
		uint64_t off = mw_le64(sh, SH_SIZE, SH_OFFSET_VMCOREINFO);
		uint64_t size = mw_le64(sh, SH_SIZE, SH_SIZE_VMCOREINFO);
		if (off && size) {
			if (size > MAX_VMCOREINFO_SIZE || off > k->file_size ||
			    size > k->file_size - off)
				return mw_error_at_offset(MW_ERR_FORMAT, k->block_size + SH_SIZE_VMCOREINFO,
							  "VMCOREINFO (%" PRIu64 " bytes at offset %" PRIu64 ") runs past the end of the file (%" PRIu64 " bytes)",
							  size, off, k->file_size);
			char *v = malloc((size_t)size + 1);
			if (!v)
				return &mw_error_nomem;
			err = kread(r, true, off, v, (size_t)size, "VMCOREINFO");
			if (err) {
				free(v);
				return err;
			}
			v[size] = '\0';
			r->info.vmcoreinfo = v;
			r->info.vmcoreinfo_len = strlen(v);
		}
	}
	return NULL;
}

static struct mw_error *open_kdump(struct mw_reader *r, struct kdump *k)
{
	struct mw_dump_info *info = &r->info;
	uint8_t dh[DH_SIZE];
	uint8_t sh[SH_SIZE] = { 0 };
	struct mw_error *err;

	/* a block device has no size here: reads past its end fail instead */
	k->file_size = r->src->size ? r->src->size : UINT64_MAX;
	struct stat st;
	if (fstat(r->fd, &st) == 0 && S_ISREG(st.st_mode))
		info->file_size = (uint64_t)st.st_size;
	err = kread(r, true, 0, dh, sizeof(dh), "kdump header");
	if (err)
		return err;
	int32_t version = (int32_t)mw_le32(dh, DH_SIZE, DH_HEADER_VERSION);
	uint32_t bs = mw_le32(dh, DH_SIZE, DH_BLOCK_SIZE);
	if (!good_block_size(bs) || version < 0 || version > MAX_VERSION) {
		if (good_block_size(__builtin_bswap32(bs)) &&
		    __builtin_bswap32((uint32_t)version) <= MAX_VERSION)
			return mw_error_at_offset(MW_ERR_UNSUPPORTED, DH_BLOCK_SIZE,
						  "kdump file of a big-endian machine: not supported");
		if (version >= 0 && version <= MAX_VERSION &&
		    good_block_size(mw_le32(dh, DH_SIZE, DH_BLOCK_SIZE_32)))
			return mw_error_at_offset(MW_ERR_UNSUPPORTED, DH_BLOCK_SIZE_32,
						  "kdump file of a 32-bit machine: not supported");
		if (version < 0 || version > MAX_VERSION)
			return mw_error_at_offset(MW_ERR_FORMAT, DH_HEADER_VERSION,
						  "kdump header: version %" PRId32, version);
		return mw_error_at_offset(MW_ERR_FORMAT, DH_BLOCK_SIZE,
					  "kdump header: block size %" PRIu32 " is not a page size",
					  bs);
	}
	k->block_size = bs;
	k->shift = (unsigned)__builtin_ctz(bs);
	k->status = mw_le32(dh, DH_SIZE, DH_STATUS);
	int32_t sub_hdr_size = (int32_t)mw_le32(dh, DH_SIZE, DH_SUB_HDR_SIZE);
	uint32_t bitmap_blocks = mw_le32(dh, DH_SIZE, DH_BITMAP_BLOCKS);
	uint64_t max_mapnr = mw_le32(dh, DH_SIZE, DH_MAX_MAPNR);
	int32_t nr_cpus = (int32_t)mw_le32(dh, DH_SIZE, DH_NR_CPUS);
	if (sub_hdr_size < 0)
		return mw_error_at_offset(MW_ERR_FORMAT, DH_SUB_HDR_SIZE,
					  "kdump header: sub-header size %" PRId32 " blocks",
					  sub_hdr_size);
	info->format = MW_FORMAT_KDUMP;
	info->page_size = bs;
	info->header_version = (uint32_t)version;
	copy_uts(info->utsname_release, dh + DH_UTSNAME + UTS_RELEASE * UTS_FIELD);
	copy_uts(info->utsname_machine, dh + DH_UTSNAME + UTS_MACHINE * UTS_FIELD);
	if (k->status & DUMP_DH_COMPRESSED_INCOMPLETE)
		info->incomplete = true;
	info->vmemmap_excluded = k->status & DUMP_DH_EXCLUDED_VMEMMAP;

	/* the sub-header: as much of it as this version has */
	if (version >= 1) {
		static const size_t sh_len[] = { 0, SH_SPLIT, SH_OFFSET_VMCOREINFO,
			SH_OFFSET_NOTE, SH_OFFSET_ERASEINFO, SH_START_PFN_64, SH_SIZE };
		size_t len = version < 6 ? sh_len[version] : SH_SIZE;
		err = kread(r, true, bs, sh, len, "kdump sub-header");
		if (err)
			return err;
	}
	uint64_t start_pfn = 0, end_pfn = UINT64_MAX;
	if (version >= 1) {
		int32_t level = (int32_t)mw_le32(sh, SH_SIZE, SH_DUMP_LEVEL);
		info->dump_level = level >= 0 && level <= 31 ? level : -1;
	}
	bool split = version >= 2 && mw_le32(sh, SH_SIZE, SH_SPLIT);
	if (split) {
		start_pfn = mw_le64(sh, SH_SIZE, (version >= 6 ? SH_START_PFN_64 : SH_START_PFN));
		end_pfn = mw_le64(sh, SH_SIZE, (version >= 6 ? SH_END_PFN_64 : SH_END_PFN));
	}
	if (version >= 6 && mw_le64(sh, SH_SIZE, SH_MAX_MAPNR_64))
		max_mapnr = mw_le64(sh, SH_SIZE, SH_MAX_MAPNR_64);

	/* bitmaps: two halves of bitmap_blocks blocks */
	uint64_t bitmap_off = (1 + (uint64_t)sub_hdr_size) * bs;
	uint64_t half = (uint64_t)(bitmap_blocks / 2) * bs;
	k->desc_off = bitmap_off + (uint64_t)bitmap_blocks * bs;
	if (max_mapnr > half * 8)
		max_mapnr = half * 8;	/* the bitmaps cover no more */
	if (max_mapnr > (UINT64_MAX >> k->shift))
		max_mapnr = UINT64_MAX >> k->shift;
	uint64_t bitmap_bytes = (max_mapnr + 7) / 8;
	if (bitmap_off > k->file_size || half > k->file_size - bitmap_off ||
	    bitmap_bytes > k->file_size - bitmap_off - half)
		return mw_error_at_offset(MW_ERR_FORMAT, DH_BITMAP_BLOCKS,
					  "kdump header: the page bitmaps (%" PRIu32 " blocks at offset %" PRIu64 ", %" PRIu64 " pfns) run past the end of the file (%" PRIu64 " bytes)",
					  bitmap_blocks, bitmap_off, max_mapnr,
					  k->file_size);
	/* A flattened stream reads holes as zeros: still, makedumpfile and
	 * QEMU write both bitmaps, so they cannot be larger than the file. */
	if (info->file_size && bitmap_bytes > info->file_size / 2)
		return mw_error_at_offset(MW_ERR_FORMAT, DH_BITMAP_BLOCKS,
					  "kdump header: page bitmaps of %" PRIu64 " bytes each (%" PRIu64 " pfns) in a file of %" PRIu64 " bytes",
					  bitmap_bytes, max_mapnr, info->file_size);
	k->max_mapnr = max_mapnr;
	k->nr_words = (max_mapnr + 63) / 64;
	err = read_bitmap(r, k, bitmap_off, &k->ram, "1st page bitmap");
	if (!err)
		err = read_bitmap(r, k, bitmap_off + half, &k->dumped,
				  "2nd page bitmap");
	if (err)
		return err;
	uint64_t nr_blocks = (k->nr_words + WORDS_PER_BLOCK - 1) / WORDS_PER_BLOCK;
	k->prefix = malloc((nr_blocks + 1) * sizeof(*k->prefix));
	if (!k->prefix)
		return &mw_error_nomem;
	uint64_t total = 0, ram_pages = 0;
	for (uint64_t w = 0; w < k->nr_words; w++) {
		if (w % WORDS_PER_BLOCK == 0)
			k->prefix[w / WORDS_PER_BLOCK] = total;
		/* a dumped page is RAM, whatever the 1st bitmap says */
		k->ram[w] |= k->dumped[w];
		total += (uint64_t)__builtin_popcountll(k->dumped[w]);
		ram_pages += (uint64_t)__builtin_popcountll(k->ram[w]);
	}
	k->prefix[nr_blocks] = total;

	/* this file's descriptors: dumped pfns in [start_pfn, end_pfn) */
	if (start_pfn > max_mapnr)
		start_pfn = max_mapnr;
	if (end_pfn > max_mapnr)
		end_pfn = max_mapnr;
	if (end_pfn < start_pfn)
		end_pfn = start_pfn;
	k->start_pfn = start_pfn;
	k->end_pfn = end_pfn;
	k->base_rank = rank_of(k, start_pfn);
	uint64_t nr_desc = rank_of(k, end_pfn) - k->base_rank;
	uint64_t nr_all = nr_desc;
	uint64_t table_room = k->desc_off < k->file_size ?
		(k->file_size - k->desc_off) / DESC_SIZE : 0;
	if (nr_desc > table_room) {
		if (!(k->status & DUMP_DH_COMPRESSED_INCOMPLETE))
			return mw_error_at_offset(MW_ERR_FORMAT, k->desc_off,
						  "the page descriptor table (%" PRIu64 " descriptors at offset %" PRIu64 ") runs past the end of the file (%" PRIu64 " bytes)",
						  nr_desc, k->desc_off, k->file_size);
		nr_desc = table_room;
	}
	k->data_start = k->desc_off + nr_desc * DESC_SIZE;
	uint64_t nr_valid = nr_desc;
	bool full = true;
	if (!(k->status & DUMP_DH_COMPRESSED_INCOMPLETE) &&
	    nr_desc > 2 * (uint64_t)SAMPLE_DESC) {
		err = sample_descriptors(r, k, nr_desc, &full);
		if (err)
			return err;
	}
	if (full) {
		err = scan_descriptors(r, k, nr_desc, &nr_valid);
		if (err)
			return err;
	}
	k->nr_valid = nr_valid;
	k->limit_pfn = select_pfn(k, k->base_rank + nr_valid);
	k->cut_pfn = nr_valid < nr_all ? k->limit_pfn : UINT64_MAX;
	if (k->limit_pfn > end_pfn)
		k->limit_pfn = end_pfn;
	info->excluded_pages = ram_pages - nr_valid;

	err = make_ranges(r, k);
	if (err)
		return err;
	if (split) {
		/* one part of a makedumpfile --split set: the rest of RAM is
		 * in the other parts */
		info->split = true;
		info->parts = calloc(1, sizeof(*info->parts));
		if (!info->parts)
			return &mw_error_nomem;
		info->parts[0] = (struct mw_dump_part){ r->path, start_pfn, end_pfn,
							info->file_size };
		info->nr_parts = 1;
		err = mw_split_missing(info);
		if (err)
			return err;
	}
	if (version >= 1) {
		err = read_notes(r, k, sh, version);
		if (err)
			return err;
	}
	if (!info->nr_cpus && nr_cpus > 0 && nr_cpus <= 65536)
		info->nr_cpus = (unsigned)nr_cpus;

	/* 512 blocks of 4 KiB (2 MiB); of QEMU's arm64 64 KiB blocks, 16 MiB
	 * (512 of them were 32 MiB of a small dump's RSS) */
	size_t nr_cached = CACHE_BYTES / bs;
	if (nr_cached > CACHE_BLOCKS_MAX)
		nr_cached = CACHE_BLOCKS_MAX;
	return mw_page_cache_create(bs, nr_cached ? nr_cached : 1, &k->cache);
}

static struct mw_error *kdump_open(struct mw_reader *r)
{
	struct kdump *k = calloc(1, sizeof(*k));
	if (!k)
		return &mw_error_nomem;
	pthread_mutex_init(&k->pool_lock, NULL);
	struct mw_error *err = open_kdump(r, k);
	if (err) {
		kdump_free(k);
		return err;
	}
	r->priv = k;
	return NULL;
}

const struct mw_format_ops mw_format_kdump = {
	.name = "kdump",
	.probe = probe,
	.open = kdump_open,
	.read_phys = kdump_read_phys,
	.page_state = kdump_page_state,
	.close = kdump_close,
};
