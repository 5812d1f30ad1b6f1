/* Fuzz the dump readers: detection, headers, notes, bitmaps, descriptors,
 * decompression, flattened records, through the public reader interface. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formats/reader.h"
#include "fuzz/fuzz.h"

enum { MAX_PAGES = 256 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-dump", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(path, &r);
	if (err) {
		mw_error_destroy(err);
		close(fd);
		return 0;
	}
	const struct mw_dump_info *info = mw_reader_info(r);
	static uint8_t buf[4 * 4096];
	size_t pages = 0;
	for (size_t i = 0; i < info->nr_ranges && pages < MAX_PAGES; i++) {
		const struct mw_phys_range *rg = &info->ranges[i];
		for (uint64_t a = rg->start; a < rg->end && pages < MAX_PAGES;
		     a += 4096, pages++) {
			if (info->page_size)
				mw_reader_page_state(r, a / info->page_size);
			size_t n = rg->end - a < sizeof(buf) ? (size_t)(rg->end - a) : sizeof(buf);
			mw_error_destroy(mw_reader_read_phys(r, a, buf, n));
		}
	}
	/* reads across the edges of the dump */
	mw_error_destroy(mw_reader_read_phys(r, 0, buf, sizeof(buf)));
	mw_error_destroy(mw_reader_read_phys(r, UINT64_MAX - 100, buf, 200));
	for (size_t i = 0; i < info->nr_segments && i < 4; i++)
		mw_error_destroy(mw_reader_read_segment(r, info->segments[i].vaddr,
							buf, sizeof(buf)));
	uint64_t v;
	mw_error_destroy(mw_vmcoreinfo_u64(info, "KERNELOFFSET", &v));
	mw_reader_destroy(r);
	close(fd);
	return 0;
}
