/* memwhere: one page of compressed dump data back to its bytes.
 *
 * A decompressor holds the per-thread state the libraries want (a zlib
 * stream, a zstd context), so a reader keeps one per thread that reads.
 * Every call checks the output is exactly the size asked for: a page that
 * decompresses to more or fewer bytes is corrupt.
 */
#ifndef MW_DECOMPRESS_H
#define MW_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum mw_decomp_method {
	MW_DECOMP_ZLIB = 1,
	MW_DECOMP_LZO,
	MW_DECOMP_SNAPPY,
	MW_DECOMP_ZSTD,
};

struct mw_decompressor;

struct mw_error *mw_decompressor_create(struct mw_decompressor **ret);
void mw_decompressor_destroy(struct mw_decompressor *d);

/* "zlib", "lzo", "snappy", "zstd" */
const char *mw_decomp_method_name(enum mw_decomp_method method);

/*
 * Decompress src_len bytes at src into exactly dst_len bytes at dst.
 * Returns NULL on success, else a short static reason ("corrupt data",
 * "wrong decompressed size", ...); *out_len is the number of bytes the
 * data decompressed to where the library says (else 0). dst may be
 * written to even on failure.
 */
const char *mw_decompress(struct mw_decompressor *d,
			  enum mw_decomp_method method, const void *src,
			  size_t src_len, void *dst, size_t dst_len,
			  size_t *out_len);

#endif
