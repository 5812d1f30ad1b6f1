#include "config.h"

#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif
#include <limits.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "formats/decompress.h"

struct mw_decompressor {
	enum mw_inflate_backend inflate;
	z_stream zs;
	bool zs_ready;
	ZSTD_DCtx *zstd;
#ifdef HAVE_LIBDEFLATE
	struct libdeflate_decompressor *deflate;
#endif
#ifdef HAVE_ISAL
	struct inflate_state *isal;	/* about 80 KiB: allocated on first use */
#endif
};

enum mw_inflate_backend mw_inflate_default(void)
{
	/* libdeflate first: over the pages memwhere inflates (mostly struct
	 * pages) it was the fastest measured (README, Decompression: 4.6 us a
	 * page against ISA-L's 5.0, summary 6% less CPU); ISA-L is faster over
	 * a whole dump's pages, so it is next, zlib last */
#if defined(HAVE_LIBDEFLATE)
	return MW_INFLATE_LIBDEFLATE;
#elif defined(HAVE_ISAL)
	return MW_INFLATE_ISAL;
#else
	return MW_INFLATE_ZLIB;
#endif
}

const char *mw_inflate_backend_name(enum mw_inflate_backend backend)
{
	switch (backend) {
	case MW_INFLATE_ZLIB:
		return "zlib " ZLIB_VERSION;
	case MW_INFLATE_LIBDEFLATE:
#ifdef HAVE_LIBDEFLATE
		return "libdeflate " LIBDEFLATE_VERSION_STRING;
#else
		return "libdeflate (not built in)";
#endif
	case MW_INFLATE_ISAL:
#ifdef HAVE_ISAL
		return "ISA-L " MW_ISAL_VERSION;
#else
		return "ISA-L (not built in)";
#endif
	}
	return "unknown";
}

struct mw_error *mw_decompressor_set_inflate(struct mw_decompressor *d,
					     enum mw_inflate_backend backend)
{
	switch (backend) {
	case MW_INFLATE_ZLIB:
		d->inflate = backend;
		return NULL;
	case MW_INFLATE_LIBDEFLATE:
#ifdef HAVE_LIBDEFLATE
		d->inflate = backend;
		return NULL;
#else
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "built without libdeflate (configure did not find libdeflate-dev)");
#endif
	case MW_INFLATE_ISAL:
#ifdef HAVE_ISAL
		d->inflate = backend;
		return NULL;
#else
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "built without ISA-L (configure did not find libisal-dev, or --without-isal)");
#endif
	}
	return mw_error_create(MW_ERR_UNSUPPORTED, "unknown inflate backend %d",
			       (int)backend);
}

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
	d->inflate = mw_inflate_default();
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
#ifdef HAVE_LIBDEFLATE
	if (d->deflate)
		libdeflate_free_decompressor(d->deflate);
#endif
#ifdef HAVE_ISAL
	free(d->isal);
#endif
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

#ifdef HAVE_LIBDEFLATE
/* libdeflate_zlib_decompress checks the header and the adler32 trailer */
static const char *do_libdeflate(struct mw_decompressor *d, const void *src,
				 size_t src_len, void *dst, size_t dst_len,
				 size_t *out_len)
{
	if (!d->deflate) {
		d->deflate = libdeflate_alloc_decompressor();
		if (!d->deflate)
			return "out of memory for a libdeflate decompressor";
	}
	size_t in_used = 0, n = 0;
	enum libdeflate_result ret = libdeflate_zlib_decompress_ex(
		d->deflate, src, src_len, dst, dst_len, &in_used, &n);
	switch (ret) {
	case LIBDEFLATE_SUCCESS:
		*out_len = n;
		if (n != dst_len)
			return "wrong decompressed size";
		/* zlib stops at the stream's end too; it ignores what follows */
		return NULL;
	case LIBDEFLATE_INSUFFICIENT_SPACE:
		*out_len = dst_len;
		return "data decompresses to more than a page";
	case LIBDEFLATE_SHORT_OUTPUT:
		return "wrong decompressed size";
	default:
		/* LIBDEFLATE_BAD_DATA: a bad block, a bad checksum or input
		 * that ends before the stream does */
		return "corrupt data";
	}
}
#endif

#ifdef HAVE_ISAL
/*
 * ISA-L's stateless inflate with crc_flag ISAL_ZLIB reads the zlib header
 * (method 8, the header check, a preset dictionary refused as
 * ISAL_NEED_DICT), decodes the whole stream into dst, then computes the
 * adler32 of what it wrote and compares it with the stream's trailer
 * (ISAL_INCORRECT_CHECKSUM; a trailer cut short is ISAL_END_INPUT): see
 * isal_inflate_stateless in ISA-L's igzip/igzip_inflate.c. It does not
 * look at the header's window size, which zlib and libdeflate refuse above
 * 32 KiB; that is checked here so that all three refuse the same headers.
 */
static const char *do_isal(struct mw_decompressor *d, const void *src,
			   size_t src_len, void *dst, size_t dst_len,
			   size_t *out_len)
{
	if (src_len > UINT32_MAX || dst_len > UINT32_MAX)
		return "page too large";
	if (src_len < 2)
		return "data ends early";
	if (((const uint8_t *)src)[0] >> 4 > 7)
		return "corrupt data";	/* window size above 32 KiB */
	if (!d->isal) {
		d->isal = malloc(sizeof(*d->isal));
		if (!d->isal)
			return "out of memory for an ISA-L inflate state";
	}
	struct inflate_state *st = d->isal;
	isal_inflate_init(st);
	st->crc_flag = ISAL_ZLIB;
	st->next_in = (uint8_t *)src;
	st->avail_in = (uint32_t)src_len;
	st->next_out = dst;
	st->avail_out = (uint32_t)dst_len;
	int ret = isal_inflate_stateless(st);
	size_t n = (size_t)(st->next_out - (uint8_t *)dst);
	*out_len = n <= dst_len ? n : dst_len;
	switch (ret) {
	case ISAL_DECOMP_OK:
		/* zlib stops at the stream's end too; it ignores what follows */
		return n == dst_len ? NULL : "wrong decompressed size";
	case ISAL_OUT_OVERFLOW:
		return "data decompresses to more than a page";
	case ISAL_END_INPUT:
		return "data ends early";
	default:
		/* ISAL_INCORRECT_CHECKSUM (the adler32 or the header check),
		 * ISAL_INVALID_BLOCK/SYMBOL/LOOKBACK, ISAL_UNSUPPORTED_METHOD,
		 * ISAL_NEED_DICT */
		return "corrupt data";
	}
}
#endif

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
#ifdef HAVE_ISAL
		if (d->inflate == MW_INFLATE_ISAL)
			return do_isal(d, src, src_len, dst, dst_len, out_len);
#endif
#ifdef HAVE_LIBDEFLATE
		if (d->inflate == MW_INFLATE_LIBDEFLATE)
			return do_libdeflate(d, src, src_len, dst, dst_len,
					     out_len);
#endif
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
