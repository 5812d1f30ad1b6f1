/* Benchmark (not a test): the decompression limit on a kdump's own pages.
 *
 *   inflatebench [--json] [--max-mib N] [--runs N] DUMP
 *
 * Reads the compressed pages a kdump-compressed dump (plain or flattened)
 * holds, each stored page once (QEMU's shared zero page counted once), up
 * to --max-mib MiB of compressed data (default 64) taken evenly across
 * the dump, then times inflating them all on one core with every library
 * built in: for zlib pages zlib, libdeflate and ISA-L (when configure found
 * them) and memwhere's own mw_decompress (the backend it uses, with its
 * size checks); lzo, snappy and zstd pages with their libraries. Every
 * library's output is first checked byte for byte against zlib's (or the
 * method's library) and every checksum verified. Prints MB/s of output
 * (best of --runs, default 3; CPU time of the thread, so a busy machine
 * shows what an idle core would) per method and library.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#ifdef HAVE_LIBDEFLATE
#include <libdeflate.h>
#endif
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "common/le.h"
#include "formats/decompress.h"
#include "formats/source.h"

enum {
	F_ZLIB = 0x1, F_LZO = 0x2, F_SNAPPY = 0x4, F_ZSTD = 0x20,
	NMETHOD = 4, DESC_SIZE = 24, BATCH = 65536,
};

static const struct { uint32_t flag; enum mw_decomp_method m; const char *name; } methods[NMETHOD] = {
	{ F_ZLIB, MW_DECOMP_ZLIB, "zlib" }, { F_LZO, MW_DECOMP_LZO, "lzo" },
	{ F_SNAPPY, MW_DECOMP_SNAPPY, "snappy" }, { F_ZSTD, MW_DECOMP_ZSTD, "zstd" },
};

struct pageset {
	uint8_t *data;		/* compressed pages back to back */
	size_t len, cap;
	uint32_t *off, *size;	/* per page */
	size_t n, ncap;
};

static double now(void)
{
	struct timespec ts;
	/* CPU time of this thread: on a shared machine, what an idle core's
	 * wall clock would show */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, struct mw_error *err)
{
	fprintf(stderr, "inflatebench: %s: %s\n", what, err ? err->message : "failed");
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "inflatebench: out of memory\n");
		exit(2);
	}
	return p;
}

static void add_page(struct pageset *s, const uint8_t *src, uint32_t len)
{
	if (s->len + len > s->cap) {
		s->cap = (s->cap + len) * 2;
		s->data = xrealloc(s->data, s->cap);
	}
	if (s->n == s->ncap) {
		s->ncap = s->ncap ? s->ncap * 2 : 4096;
		s->off = xrealloc(s->off, s->ncap * sizeof(*s->off));
		s->size = xrealloc(s->size, s->ncap * sizeof(*s->size));
	}
	memcpy(s->data + s->len, src, len);
	s->off[s->n] = (uint32_t)s->len;
	s->size[s->n] = len;
	s->len += len;
	s->n++;
}

/* One library's pass over a page set; returns false on a page it refuses. */
typedef bool (*inflate_fn)(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len);

static bool fn_zlib(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len)
{
	z_stream *zs = ctx;
	if (inflateReset(zs) != Z_OK)
		return false;
	zs->next_in = (Bytef *)src;
	zs->avail_in = (uInt)len;
	zs->next_out = dst;
	zs->avail_out = (uInt)dst_len;
	return inflate(zs, Z_FINISH) == Z_STREAM_END && zs->avail_out == 0;
}

#ifdef HAVE_LIBDEFLATE
static bool fn_libdeflate(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len)
{
	size_t n;
	return libdeflate_zlib_decompress(ctx, src, len, dst, dst_len, &n) == LIBDEFLATE_SUCCESS &&
	       n == dst_len;
}
#endif

#ifdef HAVE_ISAL
static bool fn_isal(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len)
{
	struct inflate_state *st = ctx;
	isal_inflate_init(st);
	st->crc_flag = ISAL_ZLIB;	/* parse the header, check the adler32 */
	st->next_in = (uint8_t *)src;
	st->avail_in = (uint32_t)len;
	st->next_out = dst;
	st->avail_out = (uint32_t)dst_len;
	return isal_inflate_stateless(st) == ISAL_DECOMP_OK && st->avail_out == 0;
}
#endif

struct mwctx { struct mw_decompressor *d; enum mw_decomp_method m; };

static bool fn_mw(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len)
{
	struct mwctx *c = ctx;
	size_t got;
	return mw_decompress(c->d, c->m, src, len, dst, dst_len, &got) == NULL;
}

static bool fn_lzo(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len)
{
	lzo_uint n = dst_len;
	return lzo1x_decompress_safe(src, len, dst, &n, NULL) == LZO_E_OK && n == dst_len;
}

static bool fn_snappy(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len)
{
	size_t n = dst_len;
	return snappy_uncompress((const char *)src, len, (char *)dst, &n) == SNAPPY_OK && n == dst_len;
}

static bool fn_zstd(void *ctx, const uint8_t *src, size_t len, uint8_t *dst, size_t dst_len)
{
	size_t n = ZSTD_decompressDCtx(ctx, dst, dst_len, src, len);
	return !ZSTD_isError(n) && n == dst_len;
}

struct lib { const char *name; inflate_fn fn; void *ctx; };

/* Inflate the whole set into a ring of 64 pages (cache-resident, as a
 * reader's destination is); returns the seconds taken. */
static double run(const struct lib *l, const struct pageset *s, uint32_t bs, uint8_t *out,
		  size_t *bad)
{
	double t = now();
	for (size_t i = 0; i < s->n; i++)
		if (!l->fn(l->ctx, s->data + s->off[i], s->size[i], out + (i % 64) * bs, bs))
			(*bad)++;
	return now() - t;
}

/* Pages l inflates differently from ref (or refuses). */
static size_t verify(const struct lib *l, const struct lib *ref, const struct pageset *s,
		     uint32_t bs, uint8_t *a, uint8_t *b)
{
	size_t bad = 0;
	for (size_t i = 0; i < s->n; i++) {
		bool ok_ref = ref->fn(ref->ctx, s->data + s->off[i], s->size[i], a, bs);
		bool ok = l->fn(l->ctx, s->data + s->off[i], s->size[i], b, bs);
		if (ok != ok_ref || (ok && memcmp(a, b, bs) != 0))
			bad++;
	}
	return bad;
}

int main(int argc, char **argv)
{
	bool json = false;
	uint64_t max_mib = 64;
	int runs = 3;
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "max-mib", required_argument, NULL, 'm' },
		{ "runs", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'm')
			max_mib = strtoull(optarg, NULL, 10);
		else if (c == 'r')
			runs = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: inflatebench [--json] [--max-mib N] [--runs N] DUMP\n");
		return 2;
	}
	const char *path = argv[optind];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 2;
	}
	uint8_t head[4096];
	ssize_t hn = pread(fd, head, sizeof(head), 0);
	struct mw_source *src;
	struct mw_error *err = hn > 0 && mw_flattened_probe(head, (size_t)hn) > 0
		? mw_source_flattened_create(fd, path, &src)
		: mw_source_file_create(fd, path, &src);
	if (err)
		die(path, err);
	uint8_t dh[464];
	if ((err = mw_source_pread(src, 0, dh, sizeof(dh))) || memcmp(dh, "KDUMP   ", 8) != 0)
		die("not a kdump-compressed dump", err);
	uint32_t bs = mw_le32(dh, sizeof(dh), 428);
	uint32_t sub = mw_le32(dh, sizeof(dh), 432);
	uint32_t bitmap_blocks = mw_le32(dh, sizeof(dh), 436);
	uint64_t max_mapnr = mw_le32(dh, sizeof(dh), 440);
	uint8_t sh[104];
	if ((err = mw_source_pread(src, bs, sh, sizeof(sh))))
		die("sub header", err);
	if (mw_le32(dh, sizeof(dh), 8) >= 6 && mw_le64(sh, sizeof(sh), 96))
		max_mapnr = mw_le64(sh, sizeof(sh), 96);
	if (bs < 512 || bs > (1u << 20))
		die("bad block size", NULL);
	uint64_t half = (uint64_t)(bitmap_blocks / 2) * bs;
	if (max_mapnr > half * 8)
		max_mapnr = half * 8;
	uint64_t bitmap2 = (1 + (uint64_t)sub) * bs + half;
	uint64_t desc_off = (1 + (uint64_t)sub) * bs + (uint64_t)bitmap_blocks * bs;
	/* dumped pages: set bits of the 2nd bitmap */
	uint64_t nbytes = (max_mapnr + 7) / 8, ndesc = 0;
	uint8_t *bm = malloc(nbytes ? nbytes : 1);
	if (!bm || (err = mw_source_pread(src, bitmap2, bm, nbytes)))
		die("2nd bitmap", err);
	for (uint64_t i = 0; i < nbytes; i++)
		ndesc += (uint64_t)__builtin_popcount(bm[i]);
	free(bm);

	/* descriptors in batches; every page stored once; sampled evenly */
	struct pageset sets[NMETHOD] = { 0 };
	uint64_t stored[NMETHOD] = { 0 }, stored_bytes[NMETHOD] = { 0 };
	uint64_t raw_pages = 0, repeats = 0, max_off = 0;
	uint8_t *descs = malloc((size_t)BATCH * DESC_SIZE), *page = malloc(bs);
	if (!descs || !page)
		die("memory", NULL);
	/* first pass: sizes, to choose the sampling stride */
	uint64_t total_comp = 0;
	for (uint64_t i = 0; i < ndesc; i += BATCH) {
		size_t n = ndesc - i < BATCH ? (size_t)(ndesc - i) : BATCH;
		if ((err = mw_source_pread(src, desc_off + i * DESC_SIZE, descs, n * DESC_SIZE)))
			die("page descriptors", err);
		for (size_t j = 0; j < n; j++) {
			uint64_t off = mw_le64(descs, n * DESC_SIZE, j * DESC_SIZE);
			uint32_t size = mw_le32(descs, n * DESC_SIZE, j * DESC_SIZE + 8);
			uint32_t fl = mw_le32(descs, n * DESC_SIZE, j * DESC_SIZE + 12);
			if (off < max_off || (off == max_off && i + j)) {
				repeats++;
				continue;
			}
			max_off = off;
			if (!(fl & (F_ZLIB | F_LZO | F_SNAPPY | F_ZSTD))) {
				raw_pages++;
				continue;
			}
			total_comp += size;
		}
	}
	uint64_t stride = total_comp / (max_mib << 20) + 1;
	max_off = 0;
	uint64_t k = 0;
	for (uint64_t i = 0; i < ndesc; i += BATCH) {
		size_t n = ndesc - i < BATCH ? (size_t)(ndesc - i) : BATCH;
		if ((err = mw_source_pread(src, desc_off + i * DESC_SIZE, descs, n * DESC_SIZE)))
			die("page descriptors", err);
		for (size_t j = 0; j < n; j++) {
			uint64_t off = mw_le64(descs, n * DESC_SIZE, j * DESC_SIZE);
			uint32_t size = mw_le32(descs, n * DESC_SIZE, j * DESC_SIZE + 8);
			uint32_t fl = mw_le32(descs, n * DESC_SIZE, j * DESC_SIZE + 12);
			if (off < max_off || (off == max_off && i + j))
				continue;
			max_off = off;
			for (int m = 0; m < NMETHOD; m++) {
				if (!(fl & methods[m].flag))
					continue;
				stored[m]++;
				stored_bytes[m] += size;
				if (k++ % stride || size > bs)
					break;
				if ((err = mw_source_pread(src, off, page, size)))
					die("page data", err);
				add_page(&sets[m], page, size);
				break;
			}
		}
	}
	free(descs);

	if (!json)
		printf("%s: %" PRIu64 " page descriptors, %" PRIu64 " repeats (shared pages), %" PRIu64
		       " stored raw; block %u bytes; sampled 1 in %" PRIu64 "\n",
		       path, ndesc, repeats, raw_pages, bs, stride);
	else
		printf("{\"dump\": \"%s\", \"descriptors\": %" PRIu64 ", \"raw_pages\": %" PRIu64
		       ", \"stride\": %" PRIu64, path, ndesc, raw_pages, stride);

	struct mw_decompressor *mwd;
	if ((err = mw_decompressor_create(&mwd)))
		die("decompressor", err);
	z_stream zs = { 0 };
	if (inflateInit(&zs) != Z_OK)
		die("inflateInit", NULL);
	ZSTD_DCtx *zd = ZSTD_createDCtx();
#ifdef HAVE_LIBDEFLATE
	struct libdeflate_decompressor *ld = libdeflate_alloc_decompressor();
#endif
#ifdef HAVE_ISAL
	struct inflate_state *ist = malloc(sizeof(*ist));
#endif
	struct mwctx mwc = { mwd, MW_DECOMP_ZLIB };
	char mwname[96];
	snprintf(mwname, sizeof(mwname), "memwhere's mw_decompress");
	bool first_method = true;
	for (int m = 0; m < NMETHOD; m++) {
		struct pageset *s = &sets[m];
		if (!s->n)
			continue;
		struct lib libs[5];
		int nl = 0;
		mwc.m = methods[m].m;
		if (methods[m].flag == F_ZLIB)
			snprintf(mwname, sizeof(mwname), "mw_decompress (%s)",
				 mw_inflate_backend_name(mw_inflate_default()));
		else
			snprintf(mwname, sizeof(mwname), "mw_decompress");
		switch (methods[m].flag) {
		case F_ZLIB:
			libs[nl++] = (struct lib){ "zlib " ZLIB_VERSION, fn_zlib, &zs };
#ifdef HAVE_LIBDEFLATE
			libs[nl++] = (struct lib){ "libdeflate " LIBDEFLATE_VERSION_STRING, fn_libdeflate, ld };
#endif
#ifdef HAVE_ISAL
			libs[nl++] = (struct lib){ "isa-l", fn_isal, ist };
#endif
			break;
		case F_LZO: libs[nl++] = (struct lib){ "lzo " LZO_VERSION_STRING, fn_lzo, NULL }; break;
		case F_SNAPPY: libs[nl++] = (struct lib){ "snappy", fn_snappy, NULL }; break;
		case F_ZSTD: libs[nl++] = (struct lib){ "zstd " ZSTD_VERSION_STRING, fn_zstd, zd }; break;
		}
		libs[nl++] = (struct lib){ mwname, fn_mw, &mwc };
		uint8_t *out = malloc(66 * (size_t)bs);
		if (!out)
			die("memory", NULL);
		size_t bad = 0;
		run(&libs[0], s, bs, out, &bad);
		if (bad)
			fprintf(stderr, "inflatebench: %s: %zu pages refused by %s\n", methods[m].name, bad,
				libs[0].name);
		double out_mb = (double)s->n * bs / 1e6;
		if (!json)
			printf("%s: %" PRIu64 " stored pages (%.1f MiB compressed, ratio %.2f); measured %zu pages, %.1f MB out\n",
			       methods[m].name, stored[m], stored_bytes[m] / 1048576.0,
			       (double)stored[m] * bs / (stored_bytes[m] ? stored_bytes[m] : 1), s->n, out_mb);
		else
			printf("%s\"%s\": {", first_method ? ", \"methods\": {" : ", ", methods[m].name);
		first_method = false;
		for (int l = 0; l < nl; l++) {
			/* checked against the method's first library, page by page */
			size_t lbad = l ? verify(&libs[l], &libs[0], s, bs, out, out + 64 * (size_t)bs) : 0;
			double best = 1e30;
			for (int r = 0; r < runs; r++) {
				size_t b2 = 0;
				double t = run(&libs[l], s, bs, out, &b2);
				if (t < best)
					best = t;
			}
			if (!json)
				printf("  %-26s %8.0f MB/s  %6.2f us/page%s\n", libs[l].name, out_mb / best,
				       best * 1e6 / s->n, lbad ? "  MISMATCH OR REFUSED PAGES" : "");
			else
				printf("%s\"%s\": {\"mb_s\": %.1f, \"pages\": %zu, \"mismatch\": %zu}",
				       l ? ", " : "", libs[l].name, out_mb / best, s->n, lbad);
		}
		if (json)
			printf("}");
		free(out);
	}
	if (json)
		printf("%s}\n", first_method ? "" : "}");
	inflateEnd(&zs);
	ZSTD_freeDCtx(zd);
#ifdef HAVE_LIBDEFLATE
	libdeflate_free_decompressor(ld);
#endif
#ifdef HAVE_ISAL
	free(ist);
#endif
	mw_decompressor_destroy(mwd);
	for (int m = 0; m < NMETHOD; m++) {
		free(sets[m].data);
		free(sets[m].off);
		free(sets[m].size);
	}
	free(page);
	mw_source_destroy(src);
	close(fd);
	return 0;
}
