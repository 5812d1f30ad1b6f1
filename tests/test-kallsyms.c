/* The kallsyms decoder on a small image laid out as scripts/kallsyms.c does
 * (written by fuzz/gen-kallsyms-seed.py, which also seeds the fuzzer). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/kallsyms.h"
#include "tests/tap.h"

struct image {
	uint8_t *data;
	size_t size;
};

enum { BASE = 0x1000 };

static struct mw_error *image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = arg;
	if (addr < BASE || addr - BASE > im->size || len > im->size - (addr - BASE))
		return mw_error_at(MW_ERR_NOT_MAPPED, addr, "outside the image");
	memcpy(buf, im->data + (addr - BASE), len);
	return NULL;
}

struct seen {
	int n;
	char names[8][256];
	char types[8];
	uint64_t addrs[8];
	unsigned bad_len;
};

static struct mw_error *collect(void *arg, const char *name, size_t len, char type,
			       uint64_t addr)
{
	struct seen *s = arg;
	if (strlen(name) != len)
		s->bad_len++;
	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
		s->types[s->n] = type;
		s->addrs[s->n] = addr;
	}
	s->n++;
	return NULL;
}

int main(void)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/fuzz/corpus/kallsyms/seed-valid",
		 getenv("MW_SRCDIR") ? getenv("MW_SRCDIR") : ".");
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("1..0 # SKIP %s missing\n", path);
		return 0;
	}
	struct image im = { malloc(1 << 16), 0 };
	im.size = fread(im.data, 1, 1 << 16, f);
	fclose(f);
	uint32_t off[7];
	memcpy(off, im.data, sizeof(off));
	struct mw_kallsyms_tables t = {
		.num_syms = BASE + off[0], .names = BASE + off[1],
		.token_table = BASE + off[2], .token_index = BASE + off[3],
		.offsets = BASE + off[4], .relative_base = BASE + off[5],
	};
	struct seen s = { 0 };
	struct mw_error *err = mw_kallsyms_decode(&t, image_read, &im, collect, &s);
	if (err) tap_diag("%s", err->message);
	tap_ok(err == NULL, "decodes a valid image");
	tap_ok(s.bad_len == 0, "each name comes with its length (%u wrong)", s.bad_len);
	mw_error_destroy(err);
	tap_ok(s.n == 7, "all 7 symbols (got %d)", s.n);
	const uint64_t base = 0xffffffff81000000ULL;
	tap_is_str(s.names[0], "fixed_percpu_data", "per-CPU symbol name");
	tap_ok(s.addrs[0] == 0 && s.types[0] == 'D', "per-CPU symbol: absolute address 0, type D");
	tap_ok(strcmp(s.names[1], "_text") == 0 && s.addrs[1] == base, "_text at the relative base");
	tap_ok(strcmp(s.names[2], "start_kernel") == 0 && s.addrs[2] == base + 0x1234 && s.types[2] == 'T',
	       "start_kernel at base + 0x1234");
	tap_ok(strcmp(s.names[3], "init_top_pgt") == 0 && s.addrs[3] == base + 0x20000,
	       "multi-character token expands (init_top_pgt)");
	tap_ok(strlen(s.names[6]) == 200 && s.addrs[6] == base + 0x60000,
	       "200-character name with a two-byte length");

	/* corruptions: bad count, a names table cut short */
	uint32_t saved;
	memcpy(&saved, im.data + off[0], 4);
	uint32_t huge = 0xffffffff;
	memcpy(im.data + off[0], &huge, 4);
	err = mw_kallsyms_decode(&t, image_read, &im, collect, &s);
	tap_ok(err && err->code == MW_ERR_BAD_DATA, "absurd kallsyms_num_syms is an error");
	mw_error_destroy(err);
	uint32_t more = 1000;
	memcpy(im.data + off[0], &more, 4);
	s.n = 0;
	err = mw_kallsyms_decode(&t, image_read, &im, collect, &s);
	tap_ok(err != NULL, "names running off the image is an error, not a crash");
	mw_error_destroy(err);
	memcpy(im.data + off[0], &saved, 4);
	t.offsets = 0;
	err = mw_kallsyms_decode(&t, image_read, &im, collect, &s);
	tap_ok(err && err->code == MW_ERR_NOT_FOUND, "missing tables: not found");
	mw_error_destroy(err);
	free(im.data);
	return tap_done();
}
