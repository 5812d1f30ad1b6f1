/* mw-convert: compressing pages the way makedumpfile stores them.
 *
 * zlib (a zlib stream at the fastest level unless --level), lzo1x_1, snappy
 * (raw snappy format) and zstd (a zstd frame at level 1 unless --level), one
 * page at a time. A page
 * whose compressed form is not smaller than the page is stored raw.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "tests/tools/convert.h"

struct mw_compressor {
	enum mw_conv_comp method;
	size_t page_size;
	uint8_t *out;
	size_t out_cap;
	z_stream zs;
	bool zs_ready;
	void *lzo_mem;
	ZSTD_CCtx *zctx;
	int level;
};

uint32_t mw_compress_flag(enum mw_conv_comp method)
{
	switch (method) {
	case MW_CONV_COMP_NONE: return 0;
	case MW_CONV_COMP_ZLIB: return MW_KDUMP_ZLIB;
	case MW_CONV_COMP_LZO: return MW_KDUMP_LZO;
	case MW_CONV_COMP_SNAPPY: return MW_KDUMP_SNAPPY;
	case MW_CONV_COMP_ZSTD: return MW_KDUMP_ZSTD;
	}
	return 0;
}

void mw_compressor_destroy(struct mw_compressor *c)
{
	if (!c)
		return;
	if (c->zs_ready)
		deflateEnd(&c->zs);
	free(c->lzo_mem);
	ZSTD_freeCCtx(c->zctx);
	free(c->out);
	free(c);
}

struct mw_error *mw_compressor_create(enum mw_conv_comp method,
				      size_t page_size, int level,
				      struct mw_compressor **ret)
{
	struct mw_compressor *c = calloc(1, sizeof(*c));
	if (!c)
		return &mw_error_nomem;
	c->method = method;
	c->page_size = page_size;
	c->level = level;
	/* room for the worst case of every method */
	size_t cap = page_size + page_size / 16 + 64 + 3;
	size_t s = snappy_max_compressed_length(page_size);
	if (s > cap)
		cap = s;
	s = ZSTD_compressBound(page_size);
	if (s > cap)
		cap = s;
	s = compressBound((uLong)page_size);
	if (s > cap)
		cap = s;
	c->out_cap = cap;
	c->out = malloc(cap);
	if (!c->out)
		goto nomem;

	switch (method) {
	case MW_CONV_COMP_NONE:
	case MW_CONV_COMP_SNAPPY:
		break;
	case MW_CONV_COMP_ZLIB:
		if (deflateInit(&c->zs, level >= 1 && level <= 9 ? level : Z_BEST_SPEED) != Z_OK) {
			mw_compressor_destroy(c);
			return mw_error_create(MW_ERR_NOMEM, "zlib: deflateInit failed");
		}
		c->zs_ready = true;
		break;
	case MW_CONV_COMP_LZO:
		if (lzo_init() != LZO_E_OK) {
			mw_compressor_destroy(c);
			return mw_error_create(MW_ERR_UNSUPPORTED, "lzo_init failed");
		}
		c->lzo_mem = malloc(LZO1X_1_MEM_COMPRESS);
		if (!c->lzo_mem)
			goto nomem;
		break;
	case MW_CONV_COMP_ZSTD:
		c->zctx = ZSTD_createCCtx();
		if (!c->zctx)
			goto nomem;
		break;
	}
	*ret = c;
	return NULL;

nomem:
	mw_compressor_destroy(c);
	return &mw_error_nomem;
}

struct mw_error *mw_compress_page(struct mw_compressor *c, const uint8_t *page,
				  const uint8_t **out, size_t *out_len,
				  uint32_t *flags)
{
	size_t n = 0;
	bool ok = false;

	switch (c->method) {
	case MW_CONV_COMP_NONE:
		break;
	case MW_CONV_COMP_ZLIB:
		if (deflateReset(&c->zs) != Z_OK)
			return mw_error_create(MW_ERR_BAD_DATA, "zlib: deflateReset failed");
		c->zs.next_in = (Bytef *)page;
		c->zs.avail_in = (uInt)c->page_size;
		c->zs.next_out = c->out;
		c->zs.avail_out = (uInt)c->out_cap;
		if (deflate(&c->zs, Z_FINISH) == Z_STREAM_END) {
			n = c->out_cap - c->zs.avail_out;
			ok = true;
		}
		break;
	case MW_CONV_COMP_LZO: {
		lzo_uint ln = c->out_cap;
		if (lzo1x_1_compress(page, c->page_size, c->out, &ln,
				     c->lzo_mem) == LZO_E_OK) {
			n = ln;
			ok = true;
		}
		break;
	}
	case MW_CONV_COMP_SNAPPY: {
		size_t sn = c->out_cap;
		if (snappy_compress((const char *)page, c->page_size,
				    (char *)c->out, &sn) == SNAPPY_OK) {
			n = sn;
			ok = true;
		}
		break;
	}
	case MW_CONV_COMP_ZSTD: {
		size_t zn = ZSTD_compressCCtx(c->zctx, c->out, c->out_cap, page,
					      c->page_size, c->level > 0 ? c->level : 1);
		if (!ZSTD_isError(zn)) {
			n = zn;
			ok = true;
		}
		break;
	}
	}

	if (ok && n < c->page_size) {
		*out = c->out;
		*out_len = n;
		*flags = mw_compress_flag(c->method);
	} else {
		*out = page;
		*out_len = c->page_size;
		*flags = 0;
	}
	return NULL;
}
