#include "config.h"

#include <limits.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "formats/decompress.h"

struct mw_decompressor {
	z_stream zs;
	bool zs_ready;
	ZSTD_DCtx *zstd;
};

struct mw_error *mw_decompressor_create(struct mw_decompressor **ret)
{
	struct mw_decompressor *d = calloc(1, sizeof(*d));
	if (!d)
		return &mw_error_nomem;
	/* lzo_init() only checks the library's build; it keeps no state */
	if (lzo_init() != LZO_E_OK) {
		free(d);
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "the lzo library failed its self-check");
	}
	*ret = d;
	return NULL;
}

void mw_decompressor_destroy(struct mw_decompressor *d)
{
	if (!d)
		return;
	if (d->zs_ready)
		inflateEnd(&d->zs);
	ZSTD_freeDCtx(d->zstd);
	free(d);
}

const char *mw_decomp_method_name(enum mw_decomp_method method)
{
	switch (method) {
	case MW_DECOMP_ZLIB: return "zlib";
	case MW_DECOMP_LZO: return "lzo";
	case MW_DECOMP_SNAPPY: return "snappy";
	case MW_DECOMP_ZSTD: return "zstd";
	}
	return "unknown";
}

static const char *do_zlib(struct mw_decompressor *d, const void *src,
			   size_t src_len, void *dst, size_t dst_len,
			   size_t *out_len)
{
	if (src_len > UINT_MAX || dst_len > UINT_MAX)
		return "page too large";
	if (!d->zs_ready) {
		if (inflateInit(&d->zs) != Z_OK)
			return "zlib initialisation failed";
		d->zs_ready = true;
	} else if (inflateReset(&d->zs) != Z_OK) {
		return "zlib reset failed";
	}
	d->zs.next_in = (Bytef *)src;
	d->zs.avail_in = (uInt)src_len;
	d->zs.next_out = dst;
	d->zs.avail_out = (uInt)dst_len;
	int ret = inflate(&d->zs, Z_FINISH);
	*out_len = dst_len - d->zs.avail_out;
	if (ret == Z_STREAM_END)
		return *out_len == dst_len ? NULL : "wrong decompressed size";
	/* Z_BUF_ERROR with no room left: the data wants to grow past a page */
	if ((ret == Z_BUF_ERROR || ret == Z_OK) && d->zs.avail_out == 0)
		return "data decompresses to more than a page";
	if (ret == Z_BUF_ERROR)
		return "data ends early";
	return "corrupt data";
}

static const char *do_lzo(const void *src, size_t src_len, void *dst,
			  size_t dst_len, size_t *out_len)
{
	lzo_uint n = dst_len;
	int ret = lzo1x_decompress_safe(src, src_len, dst, &n, NULL);
	*out_len = n;
	switch (ret) {
	case LZO_E_OK:
		return n == dst_len ? NULL : "wrong decompressed size";
	case LZO_E_OUTPUT_OVERRUN:
		return "data decompresses to more than a page";
	case LZO_E_INPUT_OVERRUN:
		return "data ends early";
	case LZO_E_INPUT_NOT_CONSUMED:
		return "trailing bytes after the compressed data";
	default:
		return "corrupt data";
	}
}

static const char *do_snappy(const void *src, size_t src_len, void *dst,
			     size_t dst_len, size_t *out_len)
{
	size_t n;
	if (snappy_uncompressed_length(src, src_len, &n) != SNAPPY_OK)
		return "corrupt data";
	*out_len = n;
	if (n != dst_len)
		return "wrong decompressed size";
	if (snappy_uncompress(src, src_len, dst, &n) != SNAPPY_OK)
		return "corrupt data";
	*out_len = n;
	return n == dst_len ? NULL : "wrong decompressed size";
}

static const char *do_zstd(struct mw_decompressor *d, const void *src,
			   size_t src_len, void *dst, size_t dst_len,
			   size_t *out_len)
{
	if (!d->zstd) {
		d->zstd = ZSTD_createDCtx();
		if (!d->zstd)
			return "out of memory for a zstd context";
	}
	size_t n = ZSTD_decompressDCtx(d->zstd, dst, dst_len, src, src_len);
	if (ZSTD_isError(n)) {
		if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall)
			return "data decompresses to more than a page";
		return "corrupt data";
	}
	*out_len = n;
	return n == dst_len ? NULL : "wrong decompressed size";
}

const char *mw_decompress(struct mw_decompressor *d,
			  enum mw_decomp_method method, const void *src,
			  size_t src_len, void *dst, size_t dst_len,
			  size_t *out_len)
{
	*out_len = 0;
	switch (method) {
	case MW_DECOMP_ZLIB:
		return do_zlib(d, src, src_len, dst, dst_len, out_len);
	case MW_DECOMP_LZO:
		return do_lzo(src, src_len, dst, dst_len, out_len);
	case MW_DECOMP_SNAPPY:
		return do_snappy(src, src_len, dst, dst_len, out_len);
	case MW_DECOMP_ZSTD:
		return do_zstd(d, src, src_len, dst, dst_len, out_len);
	}
	return "unknown compression method";
}
