/* Fuzz the path builder (analyzer/paths.c): the input is a fake kernel
 * memory image (dentries, mounts, super blocks, inodes laid out by the
 * fuzzer) at a direct-map address; its first bytes say where the walks
 * start. Every walk must end, and every path must stay within the bound. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/paths.h"
#include "fuzz/fuzz.h"
#include "tests/fakemem.h"

#define BASE 0xffff888000000000ULL
enum { HDR = 8 * 4 };

/* the fake kernel's layout (as in tests/test-paths.c) */
static const struct mw_paths_layout layout = {
	.d_hash_pprev = 0x10, .d_parent = 0x18, .d_name_len = 0x24, .d_name_name = 0x28,
	.d_alias = 0x30,
	.mnt_parent = 0x08, .mnt_mountpoint = 0x10, .mnt_root = 0x18, .mnt_ns = 0x28,
	.mnt_instance = 0x30,
	.sb_root = 0x00, .sb_mounts = 0x08,
	.i_dentry = 0x00,
};

static void check(const struct mw_path *p)
{
	if (p->status != MW_PATH_NO_NAME && !p->path)
		abort();
	if (p->path && strlen(p->path) > MW_PATHS_MAX_LEN + 16)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	uint32_t off[8];
	memcpy(off, data, sizeof(off));
	struct fakemem im;
	fakemem_over(&im, BASE, data, size);
	/* off[0..3]: dentries, [4]: super block, [5]: inode, [6]: init ns,
	 * [7]: its root mount; as offsets into the image */
	struct mw_paths *p = NULL;
	if (mw_paths_create(&layout, fakemem_read, &im, BASE + off[6], BASE + off[7], &p))
		return 0;
	struct mw_path r;
	for (int round = 0; round < 2; round++) {	/* the second round hits the cache */
		for (int i = 0; i < 4; i++) {
			struct mw_error *err = mw_paths_dentry(p, BASE + off[4], BASE + off[i], &r);
			if (err) {
				mw_error_destroy(err);
				continue;
			}
			check(&r);
			mw_path_deinit(&r);
		}
		struct mw_error *err = mw_paths_inode(p, BASE + off[4], BASE + off[5], &r);
		if (!err) {
			check(&r);
			mw_path_deinit(&r);
		}
		mw_error_destroy(err);
	}
	mw_paths_destroy(p);
	return 0;
}
