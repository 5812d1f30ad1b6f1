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

/*
 * What inflates zlib pages: ISA-L's igzip (stateless whole-page inflate)
 * when configure found it, else libdeflate (whole-buffer inflate with a
 * SIMD adler32), else zlib. The first two are 1.6-1.8x zlib on real dump
 * pages; which of them is faster depends on the pages (README's
 * performance section). Each verifies the zlib stream's adler32, rejects
 * a page that is not exactly the size asked for and refuses the same zlib
 * headers (method, check bits, window size, preset dictionary); on a few
 * malformed Huffman codes whose data still matches its adler32 they differ
 * (fuzz/fuzz-decompress).
 */
enum mw_inflate_backend {
	MW_INFLATE_ZLIB = 1,
	MW_INFLATE_LIBDEFLATE,
	MW_INFLATE_ISAL,
};

struct mw_decompressor;

struct mw_error *mw_decompressor_create(struct mw_decompressor **ret);
void mw_decompressor_destroy(struct mw_decompressor *d);

/* The backend new decompressors use: the fastest one built in. */
enum mw_inflate_backend mw_inflate_default(void);
/* "zlib 1.2.13", "libdeflate 1.14", "ISA-L 2.30.0": the library and its
 * version */
const char *mw_inflate_backend_name(enum mw_inflate_backend backend);
/*
 * Make d inflate zlib pages with backend (tests and benchmarks compare
 * them); an error when this build does not have it.
 */
struct mw_error *mw_decompressor_set_inflate(struct mw_decompressor *d,
					     enum mw_inflate_backend backend);

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
