/* Benchmark helper (not a test): how fast memwhere's readers deliver
 * physical memory, and the limits to compare with.
 *
 *   readbench read DUMP
 *       read every page the dump holds, in 2 MiB requests, in address
 *       order; print MB/s of memory delivered (excluded pages skipped).
 *   readbench decomp METHOD DUMP [PAGES]
 *       the library's own single-core decompression speed on this dump's
 *       pages: compress up to PAGES (default 65536) present pages with
 *       METHOD (zlib|lzo|snappy|zstd) as makedumpfile does (page by page),
 *       then time decompressing them all; print MB/s of output.
 * Output: one line "key=value ..." for scripts/bench-read to tabulate.
 */
#include "config.h"

#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/reader.h"

enum { CHUNK = 256 << 10, PAGE = 4096 };	/* requests of 256 KiB: cache-sized, like cat's */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "readbench: %s\n", s ? s : err->message);
	exit(2);
}

/* Read [a, a+len): whole, or page by page around excluded pages. */
static uint64_t read_span(struct mw_reader *r, uint64_t a, size_t len, uint8_t *buf,
			  uint64_t *sum)
{
	struct mw_error *err = mw_reader_read_phys(r, a, buf, len);
	uint64_t got = 0;
	if (!err) {
		got = len;
	} else if (err->code == MW_ERR_NOT_IN_DUMP || err->code == MW_ERR_HOLE) {
		mw_error_destroy(err);
		for (size_t off = 0; off < len; off += PAGE) {
			size_t n = len - off < PAGE ? len - off : PAGE;
			err = mw_reader_read_phys(r, a + off, buf + off, n);
			if (!err) {
				got += n;
			} else if (err->code == MW_ERR_NOT_IN_DUMP || err->code == MW_ERR_HOLE) {
				mw_error_destroy(err);
				memset(buf + off, 0, n);
			} else {
				die(err);
			}
		}
	} else {
		die(err);
	}
	/* touch the data so nothing is optimised away */
	for (size_t i = 0; i < len; i += 512)
		*sum += buf[i];
	return got;
}

static int cmd_read(const char *path)
{
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(path, &r);
	if (err)
		die(err);
	const struct mw_dump_info *info = mw_reader_info(r);
	uint8_t *buf = NULL;
	if (posix_memalign((void **)&buf, 4096, CHUNK))
		return 2;
	uint64_t total = 0, sum = 0;
	double t0 = now();
	for (size_t i = 0; i < info->nr_ranges; i++) {
		for (uint64_t a = info->ranges[i].start; a < info->ranges[i].end; a += CHUNK) {
			uint64_t left = info->ranges[i].end - a;
			total += read_span(r, a, left < CHUNK ? (size_t)left : CHUNK, buf, &sum);
		}
	}
	double t = now() - t0;
	printf("format=%s bytes=%" PRIu64 " seconds=%.3f mb_per_s=%.1f checksum=%" PRIu64 "\n",
	       mw_format_name(info->format), total, t, (double)total / 1e6 / t, sum);
	free(buf);
	mw_reader_destroy(r);
	return 0;
}

struct packed {
	uint8_t *data;
	size_t *len;
	size_t n;
};

static int cmd_decomp(const char *method, const char *path, size_t max_pages)
{
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(path, &r);
	if (err)
		die(err);
	const struct mw_dump_info *info = mw_reader_info(r);
	size_t bound = PAGE * 2 + 64;
	struct packed p = { malloc(max_pages * bound), malloc(max_pages * sizeof(size_t)), 0 };
	uint8_t page[PAGE], out[PAGE];
	uint8_t *wrk = malloc(LZO1X_1_MEM_COMPRESS);
	if (lzo_init() != LZO_E_OK)
		return 2;
	for (size_t i = 0; i < info->nr_ranges && p.n < max_pages; i++) {
		for (uint64_t a = info->ranges[i].start;
		     a + PAGE <= info->ranges[i].end && p.n < max_pages; a += PAGE) {
			err = mw_reader_read_phys(r, a, page, PAGE);
			if (err) {
				mw_error_destroy(err);
				continue;
			}
			uint8_t *dst = p.data + p.n * bound;
			size_t dlen = bound;
			if (!strcmp(method, "zlib")) {
				uLongf zl = bound;
				compress2(dst, &zl, page, PAGE, Z_BEST_SPEED);
				dlen = zl;
			} else if (!strcmp(method, "lzo")) {
				lzo_uint ll = bound;
				lzo1x_1_compress(page, PAGE, dst, &ll, wrk);
				dlen = ll;
			} else if (!strcmp(method, "snappy")) {
				snappy_compress((const char *)page, PAGE, (char *)dst, &dlen);
			} else if (!strcmp(method, "zstd")) {
				dlen = ZSTD_compress(dst, bound, page, PAGE, 1);
			} else {
				fprintf(stderr, "readbench: unknown method %s\n", method);
				return 2;
			}
			p.len[p.n++] = dlen;
		}
	}
	uint64_t sum = 0;
	ZSTD_DCtx *zd = ZSTD_createDCtx();
	double t0 = now();
	for (size_t i = 0; i < p.n; i++) {
		uint8_t *src = p.data + i * bound;
		size_t slen = p.len[i];
		if (!strcmp(method, "zlib")) {
			uLongf ol = PAGE;
			uncompress(out, &ol, src, slen);
		} else if (!strcmp(method, "lzo")) {
			lzo_uint ol = PAGE;
			lzo1x_decompress_safe(src, slen, out, &ol, NULL);
		} else if (!strcmp(method, "snappy")) {
			size_t ol = PAGE;
			snappy_uncompress((const char *)src, slen, (char *)out, &ol);
		} else {
			ZSTD_decompressDCtx(zd, out, PAGE, src, slen);
		}
		sum += out[i % PAGE];
	}
	double t = now() - t0;
	printf("method=%s pages=%zu seconds=%.3f mb_per_s=%.1f checksum=%" PRIu64 "\n",
	       method, p.n, t, (double)p.n * PAGE / 1e6 / t, sum);
	ZSTD_freeDCtx(zd);
	free(wrk);
	free(p.data);
	free(p.len);
	mw_reader_destroy(r);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "read"))
		return cmd_read(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "decomp"))
		return cmd_decomp(argv[2], argv[3],
				  argc > 4 ? strtoul(argv[4], NULL, 10) : 65536);
	fprintf(stderr, "usage: readbench read DUMP | readbench decomp METHOD DUMP [PAGES]\n");
	return 2;
}
