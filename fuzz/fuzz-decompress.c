/* Fuzz zlib page inflation, differentially: the input is a kdump zlib page
 * (a zlib stream that must inflate to exactly 4096 bytes), inflated by
 * mw_decompress with every backend built in (ISA-L, libdeflate, zlib).
 * Besides what the sanitizers catch, it aborts when a backend writes past
 * the page or says it made more bytes than the page holds, or when two
 * accept the page with different bytes: memwhere must read a dump the same
 * whichever library it was built with.
 *
 * The libraries do not refuse exactly the same malformed streams when the
 * data still decodes to a page whose adler32 matches its trailer (found
 * by this target in its first seconds; tests/test-decompress keeps one):
 * ISA-L accepts an incomplete distance code (lengths that do not fill the
 * code space) which zlib and libdeflate refuse, and libdeflate accepts
 * some malformed code-length and literal/length codes which zlib and
 * ISA-L refuse (in the saved corpus: 5 and 27 of 193 inputs; zlib never
 * accepted what another refused). So a page one backend accepts and
 * another refuses aborts only when the
 * accepted page's adler32, computed here with zlib's adler32(), is nowhere
 * in the input as a big-endian trailer: the accepting library must have
 * checked the page against a checksum the stream carries.
 *
 * The libraries are not built with the fuzzer's coverage, so random
 * streams reach little of them; an input starting with 'Z' is therefore
 * a page made into a near-valid stream here: byte 1 the zlib level, byte 2
 * the number of bit flips (0-7), then 3 bytes per flip (offset in the
 * stream, little-endian 16 bits, and the bit), the rest the page's bytes
 * (repeated to fill it), compressed with compress2 before the flips. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "formats/decompress.h"
#include "fuzz/fuzz.h"

enum { PAGE = 4096, GUARD = 256, BACKENDS = 3 };

static void differential(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3 || data[0] != 'Z') {
		differential(data, size);
		return 0;
	}
	static uint8_t page[PAGE], z[PAGE + 1024];
	size_t flips = data[2] % 8, at = 3 + 3 * flips;
	if (size <= at)
		return 0;
	for (size_t k = 0; k < PAGE; k++)
		page[k] = data[at + k % (size - at)];
	uLongf n = sizeof(z);
	if (compress2(z, &n, page, PAGE, data[1] % 10) != Z_OK)
		return 0;
	for (size_t f = 0; f < flips; f++) {
		size_t off = (data[3 + 3 * f] | (size_t)data[4 + 3 * f] << 8) % n;
		z[off] ^= (uint8_t)(1u << (data[5 + 3 * f] % 8));
	}
	differential(z, n);
	return 0;
}

static void differential(const uint8_t *data, size_t size)
{
	static const enum mw_inflate_backend ids[BACKENDS] = {
		MW_INFLATE_ZLIB, MW_INFLATE_LIBDEFLATE, MW_INFLATE_ISAL,
	};
	static struct mw_decompressor *d[BACKENDS];
	static bool built[BACKENDS], ready;
	static uint8_t out[BACKENDS][PAGE + GUARD];
	if (!ready) {
		for (int i = 0; i < BACKENDS; i++) {
			struct mw_error *err = mw_decompressor_create(&d[i]);
			if (err)
				abort();
			err = mw_decompressor_set_inflate(d[i], ids[i]);
			built[i] = !err;
			mw_error_destroy(err);
		}
		ready = true;
	}
	const char *why[BACKENDS] = { 0 };
	for (int i = 0; i < BACKENDS; i++) {
		if (!built[i])
			continue;
		size_t got = 0;
		memset(out[i], 0xa5, sizeof(out[i]));
		why[i] = mw_decompress(d[i], MW_DECOMP_ZLIB, data, size, out[i], PAGE, &got);
		for (size_t k = PAGE; k < sizeof(out[i]); k++)
			if (out[i][k] != 0xa5) {
				fprintf(stderr, "%s wrote past the page\n", mw_inflate_backend_name(ids[i]));
				abort();
			}
		if (got > PAGE) {
			fprintf(stderr, "%s said %zu bytes\n", mw_inflate_backend_name(ids[i]), got);
			abort();
		}
	}
	bool refused = false;
	for (int i = 0; i < BACKENDS; i++)
		refused |= built[i] && why[i];
	for (int i = 0; i < BACKENDS; i++) {
		if (!built[i] || why[i])
			continue;
		for (int j = i + 1; j < BACKENDS; j++)
			if (built[j] && !why[j] && memcmp(out[i], out[j], PAGE) != 0) {
				fprintf(stderr, "%s and %s inflate to different bytes\n",
					mw_inflate_backend_name(ids[i]), mw_inflate_backend_name(ids[j]));
				abort();
			}
		if (!refused)
			continue;
		uint32_t a = (uint32_t)adler32(adler32(0, NULL, 0), out[i], PAGE);
		bool found = false;
		for (size_t k = 2; k + 4 <= size && !found; k++)
			found = ((uint32_t)data[k] << 24 | (uint32_t)data[k + 1] << 16 |
				 (uint32_t)data[k + 2] << 8 | data[k + 3]) == a;
		if (!found) {
			fprintf(stderr, "%s accepts a page another backend refuses, and the page's "
				"adler32 is not in the stream\n", mw_inflate_backend_name(ids[i]));
			abort();
		}
	}
}
