/* Test helper (not a test): memory of a dump as memwhere's reader sees it,
 * for comparison with independent readers (tests/elf-real.sh).
 *
 *   elf-readmem DUMP ranges          "0xSTART 0xEND" per physical range
 *   elf-readmem DUMP segments        "0xVADDR 0xSIZE 0xPADDR|-" per segment
 *   elf-readmem DUMP phys ADDR LEN   raw bytes on stdout
 *   elf-readmem DUMP virt ADDR LEN   raw bytes (read_segment) on stdout
 *   elf-readmem DUMP all [CHUNK]     every range's bytes, in order, read in
 *                                    CHUNK-byte requests (default 4 MiB)
 *   elf-readmem DUMP state PFN       hole | present | excluded
 *   elf-readmem DUMP present [CHUNK] the bytes of every present page, in
 *                                    order, read in CHUNK-byte requests
 *   elf-readmem DUMP pagemap         "FIRST_PFN END_PFN STATE" per run of
 *                                    pages in one state, from the first
 *                                    range's page to the last one's end
 * Errors: one line on stderr; exit 3 for MW_ERR_HOLE or MW_ERR_NOT_MAPPED,
 * 4 for MW_ERR_NOT_IN_DUMP, 2 otherwise.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/reader.h"

static int fail(struct mw_error *err)
{
	char *s = mw_error_string(err);
	fprintf(stderr, "elf-readmem: %s\n", s ? s : err->message);
	free(s);
	int rc = err->code == MW_ERR_HOLE || err->code == MW_ERR_NOT_MAPPED ? 3 :
		 err->code == MW_ERR_NOT_IN_DUMP ? 4 : 2;
	mw_error_destroy(err);
	return rc;
}

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end) {
		fprintf(stderr, "elf-readmem: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static int read_out(struct mw_reader *r, bool virt, uint64_t addr,
		    uint64_t len, size_t chunk)
{
	uint8_t *buf = malloc(chunk);
	if (!buf)
		return 2;
	while (len) {
		size_t n = len < chunk ? (size_t)len : chunk;
		struct mw_error *err = virt ?
			mw_reader_read_segment(r, addr, buf, n) :
			mw_reader_read_phys(r, addr, buf, n);
		if (err) {
			free(buf);
			return fail(err);
		}
		if (fwrite(buf, 1, n, stdout) != n) {
			free(buf);
			return 2;
		}
		addr += n;
		len -= n;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: elf-readmem DUMP ranges|segments|phys|virt|all|state ...\n");
		return 2;
	}
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(argv[1], &r);
	if (err)
		return fail(err);
	const struct mw_dump_info *info = mw_reader_info(r);
	const char *cmd = argv[2];
	int rc = 0;
	if (strcmp(cmd, "ranges") == 0) {
		for (size_t i = 0; i < info->nr_ranges; i++)
			printf("0x%" PRIx64 " 0x%" PRIx64 "\n",
			       info->ranges[i].start, info->ranges[i].end);
	} else if (strcmp(cmd, "segments") == 0) {
		for (size_t i = 0; i < info->nr_segments; i++) {
			const struct mw_virt_segment *s = &info->segments[i];
			printf("0x%" PRIx64 " 0x%" PRIx64, s->vaddr, s->size);
			if (s->paddr == MW_NO_PADDR)
				printf(" -\n");
			else
				printf(" 0x%" PRIx64 "\n", s->paddr);
		}
	} else if ((strcmp(cmd, "phys") == 0 || strcmp(cmd, "virt") == 0) &&
		   argc == 5) {
		rc = read_out(r, cmd[0] == 'v', num(argv[3]), num(argv[4]),
			      4 << 20);
	} else if (strcmp(cmd, "all") == 0 && argc <= 4) {
		size_t chunk = argc == 4 ? (size_t)num(argv[3]) : 4 << 20;
		if (chunk == 0)
			chunk = 1;
		for (size_t i = 0; i < info->nr_ranges && !rc; i++)
			rc = read_out(r, false, info->ranges[i].start,
				      info->ranges[i].end - info->ranges[i].start,
				      chunk);
	} else if (strcmp(cmd, "state") == 0 && argc == 4) {
		static const char *const names[] = { "hole", "present", "excluded" };
		enum mw_page_state st = mw_reader_page_state(r, num(argv[3]));
		printf("%s\n", st <= MW_PAGE_EXCLUDED ? names[st] : "?");
	} else if (strcmp(cmd, "present") == 0 && argc <= 4 && info->nr_ranges) {
		size_t chunk = argc == 4 ? (size_t)num(argv[3]) : 4 << 20;
		uint64_t ps = info->page_size;
		uint64_t end = (info->ranges[info->nr_ranges - 1].end + ps - 1) / ps;
		uint64_t run = 0;
		bool in_run = false;
		if (chunk == 0)
			chunk = 1;
		for (uint64_t pfn = info->ranges[0].start / ps; pfn <= end && !rc; pfn++) {
			bool present = pfn < end &&
				mw_reader_page_state(r, pfn) == MW_PAGE_PRESENT;
			if (present && !in_run) {
				run = pfn;
				in_run = true;
			} else if (!present && in_run) {
				rc = read_out(r, false, run * ps, (pfn - run) * ps, chunk);
				in_run = false;
			}
		}
	} else if (strcmp(cmd, "pagemap") == 0 && info->nr_ranges) {
		static const char *const names[] = { "hole", "present", "excluded" };
		uint64_t ps = info->page_size;
		uint64_t first = info->ranges[0].start / ps;
		uint64_t end = (info->ranges[info->nr_ranges - 1].end + ps - 1) / ps;
		uint64_t run = first;
		enum mw_page_state cur = mw_reader_page_state(r, first);
		for (uint64_t pfn = first + 1; pfn <= end; pfn++) {
			enum mw_page_state st = pfn < end ?
				mw_reader_page_state(r, pfn) : MW_PAGE_HOLE;
			if (pfn < end && st == cur)
				continue;
			printf("0x%" PRIx64 " 0x%" PRIx64 " %s\n", run, pfn,
			       cur <= MW_PAGE_EXCLUDED ? names[cur] : "?");
			run = pfn;
			cur = st;
		}
	} else {
		fprintf(stderr, "elf-readmem: bad command %s\n", cmd);
		rc = 2;
	}
	mw_reader_destroy(r);
	if (fflush(stdout))
		rc = 2;
	return rc;
}
