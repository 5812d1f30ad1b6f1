/* Test helper (not a test): a dump's memory as memwhere's reader sees it,
 * for comparison with independent readers (tests/kdump-real.sh).
 *
 *   kdump-readmem DUMP image OUT [CHUNK]
 *       write every readable page at its physical address into OUT (a
 *       sparse file), reading in CHUNK-byte requests (default 2 MiB; a
 *       request that meets an excluded page is redone block by block);
 *       print "present N excluded N hole N" (blocks in the ranges)
 *   kdump-readmem DUMP states
 *       first "block SIZE": the dump's block size (the unit of its bitmaps
 *       and descriptors: 64 KiB in QEMU's arm64 kdump, whose kernel pages
 *       are 4 KiB), then runs of block states over the ranges:
 *       "present|excluded|hole PFN COUNT", PFN and COUNT in blocks
 *   kdump-readmem DUMP phys ADDR LEN
 *       raw bytes on stdout
 *   kdump-readmem DUMP scan CHUNK
 *       read everything in CHUNK-byte requests (skipping requests that
 *       meet excluded pages), print CPU seconds (a benchmark)
 *   kdump-readmem DUMP threads N OUT
 *       like image, but N threads read interleaved 64 KiB pieces with
 *       unaligned small reads in between (thread safety, cache)
 * Errors: one line on stderr; exit 3 for MW_ERR_HOLE, 4 for
 * MW_ERR_NOT_IN_DUMP, 2 otherwise.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/reader.h"

static int fail(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "kdump-readmem: %s\n", s ? s : err->message);
	free(s);
	int rc = err->code == MW_ERR_HOLE ? 3 :
		 err->code == MW_ERR_NOT_IN_DUMP ? 4 : 2;
	mw_error_destroy(err);
	return rc;
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end) {
		fprintf(stderr, "kdump-readmem: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

static int write_all(int fd, const uint8_t *p, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n <= 0) {
			perror("kdump-readmem: write");
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

/* pwrite, leaving 4 KiB blocks of zeros as holes of the sparse file */
static int put(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	size_t i = 0;
	while (i < len) {
		size_t n = len - i < 4096 ? len - i : 4096;
		if (all_zero(p + i, n)) {
			i += n;
			continue;
		}
		size_t j = i + n;
		while (j < len) {
			size_t m = len - j < 4096 ? len - j : 4096;
			if (all_zero(p + j, m))
				break;
			j += m;
		}
		if (write_all(fd, p + i, j - i, off + i))
			return -1;
		i = j;
	}
	return 0;
}

static int cmd_image(struct mw_reader *r, const char *out, size_t chunk)
{
	const struct mw_dump_info *info = mw_reader_info(r);
	uint64_t ps = info->page_size;
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(out);
		return 2;
	}
	uint8_t *buf = malloc(chunk);
	uint64_t counts[3] = { 0, 0, 0 };
	for (size_t i = 0; i < info->nr_ranges; i++) {
		const struct mw_phys_range *rg = &info->ranges[i];
		for (uint64_t a = rg->start; a < rg->end; a += chunk) {
			size_t len = rg->end - a < chunk ? (size_t)(rg->end - a) : chunk;
			struct mw_error *err = mw_reader_read_phys(r, a, buf, len);
			if (!err) {
				if (put(fd, buf, len, a))
					return 2;
				counts[MW_PAGE_PRESENT] += len / ps;
				continue;
			}
			if (err->code != MW_ERR_NOT_IN_DUMP && err->code != MW_ERR_HOLE)
				return fail(err);
			mw_error_destroy(err);
			for (size_t off = 0; off < len; off += ps) {
				enum mw_page_state st = mw_reader_page_state(r, (a + off) / ps);
				err = mw_reader_read_phys(r, a + off, buf, ps);
				if (!err) {
					if (st != MW_PAGE_PRESENT) {
						fprintf(stderr, "kdump-readmem: pfn %#" PRIx64 " readable but state %d\n",
							(a + off) / ps, st);
						return 2;
					}
					if (put(fd, buf, ps, a + off))
						return 2;
					counts[MW_PAGE_PRESENT]++;
				} else if (err->code == MW_ERR_NOT_IN_DUMP ||
					   err->code == MW_ERR_HOLE) {
					enum mw_page_state want = err->code == MW_ERR_HOLE ?
						MW_PAGE_HOLE : MW_PAGE_EXCLUDED;
					if (st != want) {
						fprintf(stderr, "kdump-readmem: pfn %#" PRIx64 " error %d but state %d\n",
							(a + off) / ps, err->code, st);
						return 2;
					}
					counts[want]++;
					mw_error_destroy(err);
				} else {
					return fail(err);
				}
			}
		}
	}
	/* the image is as long as the memory */
	if (info->nr_ranges &&
	    ftruncate(fd, (off_t)info->ranges[info->nr_ranges - 1].end) < 0) {
		perror(out);
		return 2;
	}
	close(fd);
	free(buf);
	printf("present %" PRIu64 " excluded %" PRIu64 " hole %" PRIu64 "\n",
	       counts[MW_PAGE_PRESENT], counts[MW_PAGE_EXCLUDED],
	       counts[MW_PAGE_HOLE]);
	return 0;
}

/* Read everything in CHUNK-byte requests; print CPU seconds and a sum. */
static int cmd_scan(struct mw_reader *r, size_t chunk)
{
	const struct mw_dump_info *info = mw_reader_info(r);
	uint8_t *buf = malloc(chunk);
	uint64_t sum = 0, bytes = 0;
	clock_t t0 = clock();
	for (size_t i = 0; i < info->nr_ranges; i++) {
		const struct mw_phys_range *rg = &info->ranges[i];
		for (uint64_t a = rg->start; a < rg->end; a += chunk) {
			size_t len = rg->end - a < chunk ? (size_t)(rg->end - a) : chunk;
			struct mw_error *err = mw_reader_read_phys(r, a, buf, len);
			if (err) {
				if (err->code != MW_ERR_NOT_IN_DUMP && err->code != MW_ERR_HOLE)
					return fail(err);
				mw_error_destroy(err);
				continue;
			}
			bytes += len;
			for (size_t j = 0; j < len; j += 512)
				sum += buf[j];
		}
	}
	double t = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("bytes %" PRIu64 " cpu_seconds %.3f mb_per_cpu_s %.1f sum %" PRIu64 "\n",
	       bytes, t, t > 0 ? (double)bytes / 1e6 / t : 0.0, sum);
	free(buf);
	return 0;
}

static int cmd_states(struct mw_reader *r)
{
	const struct mw_dump_info *info = mw_reader_info(r);
	static const char *const names[] = { "hole", "present", "excluded" };
	printf("block %" PRIu32 "\n", info->page_size);
	for (size_t i = 0; i < info->nr_ranges; i++) {
		uint64_t first = info->ranges[i].start / info->page_size;
		uint64_t end = info->ranges[i].end / info->page_size;
		uint64_t run = first;
		enum mw_page_state cur = mw_reader_page_state(r, first);
		for (uint64_t pfn = first + 1; pfn <= end; pfn++) {
			enum mw_page_state st = pfn < end ? mw_reader_page_state(r, pfn) : MW_PAGE_HOLE;
			if (pfn == end || st != cur) {
				printf("%s %#" PRIx64 " %" PRIu64 "\n", names[cur], run,
				       pfn - run);
				run = pfn;
				cur = st;
			}
		}
	}
	return 0;
}

struct worker {
	pthread_t th;
	struct mw_reader *r;
	int fd, id, nr;
	int rc;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	const struct mw_dump_info *info = mw_reader_info(w->r);
	const size_t piece = 64 * 1024;
	uint64_t ps = info->page_size;
	uint8_t *buf = malloc(piece), small[256];
	uint64_t n = 0;
	for (size_t i = 0; i < info->nr_ranges; i++) {
		const struct mw_phys_range *rg = &info->ranges[i];
		for (uint64_t a = rg->start; a < rg->end; a += piece, n++) {
			if ((int)(n % (uint64_t)w->nr) != w->id)
				continue;
			size_t len = rg->end - a < piece ? (size_t)(rg->end - a) : piece;
			for (size_t off = 0; off < len; off += ps) {
				/* small unaligned reads first (the cache), then the page */
				size_t s_off = (size_t)((off * 7 + 13) % (ps - sizeof(small)));
				struct mw_error *err = mw_reader_read_phys(w->r, a + off + s_off,
									   small, sizeof(small));
				struct mw_error *err2 = mw_reader_read_phys(w->r, a + off, buf + off, ps);
				if (!!err != !!err2) {
					fprintf(stderr, "kdump-readmem: pfn %#" PRIx64 ": small and page reads disagree\n",
						(a + off) / ps);
					w->rc = 2;
					return NULL;
				}
				if (err) {
					bool ok = err->code == MW_ERR_NOT_IN_DUMP || err->code == MW_ERR_HOLE;
					if (!ok) {
						w->rc = fail(err);
						mw_error_destroy(err2);
						return NULL;
					}
					mw_error_destroy(err);
					mw_error_destroy(err2);
					memset(buf + off, 0, ps);
					continue;
				}
				if (memcmp(small, buf + off + s_off, sizeof(small))) {
					fprintf(stderr, "kdump-readmem: pfn %#" PRIx64 ": small read differs\n",
						(a + off) / ps);
					w->rc = 2;
					return NULL;
				}
				if (put(w->fd, buf + off, ps, a + off)) {
					w->rc = 2;
					return NULL;
				}
			}
		}
	}
	free(buf);
	return NULL;
}

static int cmd_threads(struct mw_reader *r, int nr, const char *out)
{
	const struct mw_dump_info *info = mw_reader_info(r);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		perror(out);
		return 2;
	}
	struct worker *w = calloc((size_t)nr, sizeof(*w));
	for (int i = 0; i < nr; i++) {
		w[i] = (struct worker){ .r = r, .fd = fd, .id = i, .nr = nr };
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	int rc = 0;
	for (int i = 0; i < nr; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].rc)
			rc = w[i].rc;
	}
	if (info->nr_ranges &&
	    ftruncate(fd, (off_t)info->ranges[info->nr_ranges - 1].end) < 0)
		rc = 2;
	close(fd);
	free(w);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: kdump-readmem DUMP image OUT [CHUNK] | states | scan CHUNK | phys ADDR LEN | threads N OUT\n");
		return 2;
	}
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (err)
		return fail(err);
	int rc = 2;
	if (!strcmp(argv[2], "image") && argc >= 4) {
		rc = cmd_image(r, argv[3], argc > 4 ? (size_t)num(argv[4]) : 2 << 20);
	} else if (!strcmp(argv[2], "scan") && argc == 4) {
		rc = cmd_scan(r, (size_t)num(argv[3]));
	} else if (!strcmp(argv[2], "states")) {
		rc = cmd_states(r);
	} else if (!strcmp(argv[2], "phys") && argc == 5) {
		size_t len = (size_t)num(argv[4]);
		uint8_t *buf = malloc(len ? len : 1);
		err = mw_reader_read_phys(r, num(argv[3]), buf, len);
		if (err) {
			rc = fail(err);
		} else {
			rc = fwrite(buf, 1, len, stdout) == len ? 0 : 2;
		}
		free(buf);
	} else if (!strcmp(argv[2], "threads") && argc == 5) {
		rc = cmd_threads(r, (int)num(argv[3]), argv[4]);
	} else {
		fprintf(stderr, "kdump-readmem: bad arguments\n");
	}
	mw_reader_destroy(r);
	return rc;
}
