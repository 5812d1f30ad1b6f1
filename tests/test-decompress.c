/* Inflating kdump's zlib pages: ISA-L and libdeflate (each when built in)
 * and zlib give the same bytes, and all reject the same corrupt pages (bad
 * adler32, truncated stream, a page too long or too short, a window above
 * 32 KiB, a preset dictionary, a match reaching before the page), and none
 * writes past the page it is given. The pages are made here with zlib's
 * own compress2, as makedumpfile -c and QEMU do.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/decompress.h"
#include "tests/tap.h"

enum { PAGE = 4096, NPAGES = 6, BACKENDS = 3 };

/* Page contents as a dump has them: text, structs, noise, zeros. */
static void fill_page(int kind, uint8_t *p, size_t len)
{
	uint32_t x = 0x9e3779b9u * (uint32_t)(kind + 1);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		switch (kind) {
		case 0: p[i] = 0; break;
		case 1: p[i] = "memwhere kdump page "[i % 20]; break;
		case 2: p[i] = (i % 64) < 8 ? (uint8_t)(x >> 24) : 0; break;
		case 3: p[i] = (uint8_t)(x >> 16); break;	/* barely compresses */
		case 4: p[i] = (uint8_t)(i * 7 + (x >> 30)); break;
		default: p[i] = i < len / 2 ? 0xff : (uint8_t)(x >> 20); break;
		}
	}
}

static size_t zpage(const uint8_t *src, size_t len, uint8_t *dst, size_t cap, int level)
{
	uLongf n = cap;
	if (compress2(dst, &n, src, len, level) != Z_OK)
		return 0;
	return n;
}

struct backend {
	enum mw_inflate_backend id;
	struct mw_decompressor *d;
	bool built;
};

/* dst has room for 2 * PAGE bytes: what lies past dst_len must stay */
static const char *inflate_with(struct backend *b, const uint8_t *src, size_t n,
				uint8_t *dst, size_t dst_len)
{
	size_t got;
	memset(dst, 0xa5, 2 * PAGE);
	const char *why = mw_decompress(b->d, MW_DECOMP_ZLIB, src, n, dst, dst_len, &got);
	for (size_t i = dst_len; i < 2 * PAGE; i++)
		if (dst[i] != 0xa5)
			return "BUG: wrote past the page";
	if (got > dst_len)
		return "BUG: said more bytes than the page holds";
	return why;
}

/* refused, and honestly (nothing written past the page) */
static bool refusal(const char *why)
{
	return why && strncmp(why, "BUG:", 4) != 0;
}

/* Each built-in backend refuses the data (and writes nothing past dst_len). */
static void refused_by_all(struct backend *be, const uint8_t *z, size_t n, size_t dst_len,
			   const char *what)
{
	static uint8_t out[2 * PAGE];
	for (int i = 0; i < BACKENDS; i++) {
		if (!be[i].built)
			continue;
		const char *why = inflate_with(&be[i], z, n, out, dst_len);
		tap_ok(refusal(why),
		       "%s: %s: refused (%s)", mw_inflate_backend_name(be[i].id), what,
		       why ? why : "accepted");
	}
}

/* a page in a zlib stream whose deflate data was made against a preset
 * dictionary (so its matches reach back into the dictionary) */
static size_t zpage_dict(const uint8_t *src, size_t len, const uint8_t *dict, size_t dict_len,
			 uint8_t *dst, size_t cap)
{
	z_stream zs = { 0 };
	if (deflateInit(&zs, 9) != Z_OK)
		return 0;
	size_t n = 0;
	if (deflateSetDictionary(&zs, dict, (uInt)dict_len) == Z_OK) {
		zs.next_in = (Bytef *)src;
		zs.avail_in = (uInt)len;
		zs.next_out = dst;
		zs.avail_out = (uInt)cap;
		if (deflate(&zs, Z_FINISH) == Z_STREAM_END)
			n = cap - zs.avail_out;
	}
	deflateEnd(&zs);
	return n;
}

/* a page compressed in pieces, each flushed: empty stored blocks in the
 * middle and, with Z_FULL_FLUSH then Z_FINISH, an empty last block after
 * the page's last byte */
static size_t zpage_flushed(const uint8_t *src, size_t len, uint8_t *dst, size_t cap)
{
	z_stream zs = { 0 };
	if (deflateInit(&zs, 6) != Z_OK)
		return 0;
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	int ret = Z_OK;
	for (size_t at = 0; at < len && ret == Z_OK; at += len / 4) {
		zs.next_in = (Bytef *)src + at;
		zs.avail_in = (uInt)(len / 4);
		ret = deflate(&zs, at % (len / 2) ? Z_SYNC_FLUSH : Z_FULL_FLUSH);
	}
	if (ret == Z_OK)
		ret = deflate(&zs, Z_FINISH);
	size_t n = ret == Z_STREAM_END ? cap - zs.avail_out : 0;
	deflateEnd(&zs);
	return n;
}

int main(void)
{
	struct backend be[BACKENDS] = {
		{ .id = MW_INFLATE_ZLIB }, { .id = MW_INFLATE_LIBDEFLATE }, { .id = MW_INFLATE_ISAL },
	};
	for (int i = 0; i < BACKENDS; i++) {
		struct mw_error *err = mw_decompressor_create(&be[i].d);
		if (err)
			return tap_ok(0, "decompressor: %s", err->message), tap_done();
		err = mw_decompressor_set_inflate(be[i].d, be[i].id);
		be[i].built = !err;
		if (err) {
			tap_ok(err->code == MW_ERR_UNSUPPORTED && be[i].id != MW_INFLATE_ZLIB,
			       "%s: not built in, said as unsupported",
			       mw_inflate_backend_name(be[i].id));
			mw_error_destroy(err);
		}
	}
	tap_diag("default: %s", mw_inflate_backend_name(mw_inflate_default()));
#if defined(HAVE_LIBDEFLATE)
	tap_ok(mw_inflate_default() == MW_INFLATE_LIBDEFLATE, "libdeflate is the default when built in");
#elif defined(HAVE_ISAL)
	tap_ok(mw_inflate_default() == MW_INFLATE_ISAL,
	       "ISA-L is the default when built in without libdeflate");
#else
	tap_ok(mw_inflate_default() == MW_INFLATE_ZLIB, "zlib is the default without ISA-L and libdeflate");
#endif
	/* a new decompressor inflates with the default: the name says which */
	tap_ok(strstr(mw_inflate_backend_name(mw_inflate_default()), "not built") == NULL,
	       "the default backend is built in (%s)", mw_inflate_backend_name(mw_inflate_default()));

	static uint8_t page[PAGE], z[2 * PAGE], out[BACKENDS][2 * PAGE];
	for (int k = 0; k < NPAGES; k++) {
		fill_page(k, page, PAGE);
		for (int level = 1; level <= 9; level += 8) {
			size_t n = zpage(page, PAGE, z, sizeof(z), level);
			if (!n) {
				tap_ok(0, "compress2 page %d", k);
				continue;
			}
			for (int i = 0; i < BACKENDS; i++) {
				if (!be[i].built)
					continue;
				const char *why = inflate_with(&be[i], z, n, out[i], PAGE);
				tap_ok(!why && memcmp(out[i], page, PAGE) == 0,
				       "%s: page kind %d (level %d, %zu bytes) inflates to its bytes%s%s",
				       mw_inflate_backend_name(be[i].id), k, level, n,
				       why ? ": " : "", why ? why : "");
			}
			for (int i = 1; i < BACKENDS; i++)
				if (be[i].built)
					tap_ok(memcmp(out[0], out[i], PAGE) == 0,
					       "zlib and %s give identical page %d (level %d)",
					       mw_inflate_backend_name(be[i].id), k, level);

			/* corruptions: each must be refused by every backend */
			struct { const char *what; size_t len; size_t dst; int flip; } bad[] = {
				{ "adler32 trailer flipped", n, PAGE, (int)n - 1 },
				{ "adler32 trailer first byte flipped", n, PAGE, (int)n - 4 },
				{ "stream truncated by 5 bytes", n - 5, PAGE, -1 },
				{ "stream truncated to half", n / 2, PAGE, -1 },
				{ "page asked shorter than its data", n, PAGE - 512, -1 },
				{ "page asked longer than its data", n, PAGE + 512, -1 },
				{ "zlib header corrupt", n, PAGE, 0 },
			};
			for (size_t c = 0; c < sizeof(bad) / sizeof(bad[0]); c++) {
				uint8_t zc[2 * PAGE];
				memcpy(zc, z, n);
				if (bad[c].flip >= 0)
					zc[bad[c].flip] ^= 0x5a;
				for (int i = 0; i < BACKENDS; i++) {
					if (!be[i].built)
						continue;
					const char *why = inflate_with(&be[i], zc, bad[c].len, out[i],
								       bad[c].dst);
					tap_ok(refusal(why), "%s: page kind %d level %d, %s: refused (%s)",
					       mw_inflate_backend_name(be[i].id), k, level, bad[c].what,
					       why ? why : "accepted");
				}
			}
		}
	}

	/* a flipped bit inside the deflate data, where the block still decodes:
	 * only the adler32 can tell (a long literal run, flipped in its middle) */
	fill_page(3, page, PAGE);
	size_t n = zpage(page, PAGE, z, sizeof(z), 0);	/* level 0: stored block */
	if (n > 100) {
		z[n / 2] ^= 1;
		for (int i = 0; i < BACKENDS; i++)
			if (be[i].built) {
				const char *why = inflate_with(&be[i], z, n, out[i], PAGE);
				tap_ok(refusal(why),
				       "%s: a flipped bit in a stored block is caught by the adler32 (%s)",
				       mw_inflate_backend_name(be[i].id), why ? why : "accepted");
			}
	}

	/* the header's window size: 32 KiB at most (zlib and libdeflate refuse
	 * more; ISA-L does not look, memwhere checks it); less is fine */
	fill_page(1, page, PAGE);
	n = zpage(page, PAGE, z, sizeof(z), 6);
	for (int cinfo = 6; cinfo <= 8 && n > 6; cinfo++) {
		uint8_t zc[2 * PAGE];
		memcpy(zc, z, n);
		zc[0] = (uint8_t)(cinfo << 4 | 8);
		zc[1] &= 0xe0;
		zc[1] = (uint8_t)(zc[1] + (31 - (zc[0] * 256 + zc[1]) % 31) % 31);
		if (cinfo > 7) {
			refused_by_all(be, zc, n, PAGE, "a window of 64 KiB in the header");
			continue;
		}
		for (int i = 0; i < BACKENDS; i++)
			if (be[i].built) {
				const char *why = inflate_with(&be[i], zc, n, out[i], PAGE);
				tap_ok(!why && memcmp(out[i], page, PAGE) == 0,
				       "%s: a window of %d KiB in the header is accepted, the same bytes%s%s",
				       mw_inflate_backend_name(be[i].id), 1 << (cinfo - 2),
				       why ? ": " : "", why ? why : "");
			}
	}

	/* trailing bytes after the stream are ignored, as zlib does */
	if (n + 16 < sizeof(z)) {
		memset(z + n, 0x3c, 16);
		for (int i = 0; i < BACKENDS; i++)
			if (be[i].built) {
				const char *why = inflate_with(&be[i], z, n + 16, out[i], PAGE);
				tap_ok(!why && memcmp(out[i], page, PAGE) == 0,
				       "%s: 16 bytes after the stream's trailer are ignored%s%s",
				       mw_inflate_backend_name(be[i].id), why ? ": " : "", why ? why : "");
			}
	}

	/* a stream made against a preset dictionary: refused as it is (a page
	 * has none), and refused with the dictionary's flag and id taken out of
	 * the header (its first matches then reach before the page's start) */
	static const char dict[] = "memwhere kdump page memwhere kdump page memwhere kdump page ";
	fill_page(1, page, PAGE);
	n = zpage_dict(page, PAGE, (const uint8_t *)dict, sizeof(dict) - 1, z, sizeof(z));
	if (n > 10 && (z[1] & 0x20)) {
		/* control: zlib itself, given the dictionary, makes the page of it */
		z_stream zs = { 0 };
		static uint8_t ctl[PAGE];
		int zr = inflateInit(&zs);
		zs.next_in = z;
		zs.avail_in = (uInt)n;
		zs.next_out = ctl;
		zs.avail_out = PAGE;
		if (zr == Z_OK && (zr = inflate(&zs, Z_FINISH)) == Z_NEED_DICT &&
		    inflateSetDictionary(&zs, (const Bytef *)dict, sizeof(dict) - 1) == Z_OK)
			zr = inflate(&zs, Z_FINISH);
		inflateEnd(&zs);
		tap_ok(zr == Z_STREAM_END && memcmp(ctl, page, PAGE) == 0,
		       "control: zlib with the preset dictionary inflates that stream to the page");
		refused_by_all(be, z, n, PAGE, "a stream that needs a preset dictionary");
		uint8_t zc[2 * PAGE];
		zc[0] = z[0];
		zc[1] = (uint8_t)(z[1] & 0xc0);
		zc[1] = (uint8_t)(zc[1] + (31 - (zc[0] * 256 + zc[1]) % 31) % 31);
		memcpy(zc + 2, z + 6, n - 6);
		refused_by_all(be, zc, n - 4, PAGE,
			       "matches reaching before the page's start (a dictionary's stream, its header without it)");
	} else {
		tap_ok(0, "deflate with a preset dictionary");
	}

	/* flushed pieces: empty stored blocks between the data and an empty
	 * last block after the page's last byte, decoded with no room left */
	fill_page(4, page, PAGE);
	n = zpage_flushed(page, PAGE, z, sizeof(z));
	tap_ok(n > 0, "deflate in flushed pieces");
	for (int i = 0; i < BACKENDS && n; i++)
		if (be[i].built) {
			const char *why = inflate_with(&be[i], z, n, out[i], PAGE);
			tap_ok(!why && memcmp(out[i], page, PAGE) == 0,
			       "%s: a page in flushed pieces, an empty last block, inflates to its bytes%s%s",
			       mw_inflate_backend_name(be[i].id), why ? ": " : "", why ? why : "");
		}

	/* A zero page whose distance code was left incomplete by a flipped bit
	 * (lengths 3 and 1, where zlib wrote 1 and 1) yet whose data still
	 * decodes to the page, its adler32 right (found by fuzz/fuzz-decompress).
	 * zlib and libdeflate refuse incomplete codes; ISA-L does not look, so
	 * it may accept the page, but only as its true bytes. */
	static const uint8_t incomplete[] = {
		0x78, 0x9c, 0xed, 0xc1, 0x01, 0x0d, 0x00, 0x00, 0x00, 0xc2, 0xa0, 0xf7, 0x4f,
		0x6d, 0x0f, 0x87, 0x14, 0x00, 0x00, 0x00, 0xf0, 0x6e, 0x10, 0x00, 0x00, 0x01,
	};
	static const uint8_t zero_page[PAGE];
	for (int i = 0; i < BACKENDS; i++) {
		if (!be[i].built)
			continue;
		const char *why = inflate_with(&be[i], incomplete, sizeof(incomplete), out[i], PAGE);
		if (be[i].id == MW_INFLATE_ISAL)
			tap_ok(refusal(why) || (!why && memcmp(out[i], zero_page, PAGE) == 0),
			       "%s: an incomplete distance code: %s", mw_inflate_backend_name(be[i].id),
			       why ? why : "accepted, as the zero page it is");
		else
			tap_ok(refusal(why), "%s: an incomplete distance code: refused (%s)",
			       mw_inflate_backend_name(be[i].id), why ? why : "accepted");
	}

	for (int i = 0; i < BACKENDS; i++)
		mw_decompressor_destroy(be[i].d);
	return tap_done();
}
