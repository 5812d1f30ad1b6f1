/* The kallsyms decoder on a small image laid out as scripts/kallsyms.c does
 * (written by fuzz/gen-kallsyms-seed.py, which also seeds the fuzzer). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/kallsyms.h"
#include "tests/fakemem.h"
#include "tests/tap.h"

enum { BASE = 0x1000 };

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

/* Tables laid out as a 5.10 image has them, with no VMCOREINFO to name
 * them: offsets, relative_base (= _text), num_syms, names, u32 markers,
 * token_table, token_index, each 8-aligned, at some place after _text. */
static void find_in_image(void)
{
	enum { NSYM = 1000, AT = 200 };
	struct fakemem im;
	fakemem_init(&im);
	uint8_t *b = fakemem_map(&im, BASE, 16384);
	memset(b, 0xaa, AT);
	size_t pos = AT;
	uint64_t offsets = BASE + pos;
	for (int i = 0; i < NSYM; i++, pos += 4) {
		int32_t o = -1 - 0x10 * i;	/* absolute per-CPU encoding: _text + 0x10 i */
		memcpy(b + pos, &o, 4);
	}
	pos = (pos + 7) & ~(size_t)7;
	uint64_t text = BASE, rb = BASE + pos;
	memcpy(b + pos, &text, 8);
	pos += 8;
	uint32_t n = NSYM;
	memcpy(b + pos, &n, 4);
	pos = (pos + 4 + 7) & ~(size_t)7;
	uint64_t names = BASE + pos;
	for (int i = 0; i < NSYM; i++) {
		b[pos++] = 3;
		b[pos++] = 'T';
		b[pos++] = (uint8_t)('a' + i % 26);
		b[pos++] = (uint8_t)('a' + i / 26 % 26);
	}
	pos = (pos + 7) & ~(size_t)7;
	pos += 4 * ((NSYM + 255) / 256);	/* markers (not read) */
	pos = (pos + 7) & ~(size_t)7;
	uint64_t tt = BASE + pos;
	uint16_t idx[256];
	for (int i = 0; i < 256; i++) {
		idx[i] = (uint16_t)(BASE + pos - tt);
		b[pos++] = (uint8_t)(i > 32 && i < 127 ? i : '?');
		b[pos++] = 0;
	}
	pos = (pos + 7) & ~(size_t)7;
	uint64_t ti = BASE + pos;
	memcpy(b + pos, idx, sizeof(idx));

	struct mw_kallsyms_tables t;
	struct mw_error *err = mw_kallsyms_find(text, 1 << 20, fakemem_read, &im, &t);
	if (err) tap_diag("%s", err->message);
	tap_ok(err == NULL && t.offsets == offsets && t.relative_base == rb &&
	       t.num_syms == rb + 8 && t.names == names && t.token_table == tt &&
	       t.token_index == ti,
	       "the tables are found in the image from _text alone");
	mw_error_destroy(err);
	struct seen s = { 0 };
	err = err ? NULL : mw_kallsyms_decode(&t, fakemem_read, &im, collect, &s);
	tap_ok(err == NULL && s.n == NSYM && strcmp(s.names[1], "ba") == 0 &&
	       s.addrs[1] == text + 0x10, "and decode (%d symbols, the second ba at _text + 0x10)", s.n);
	mw_error_destroy(err);
	/* a token index that does not match its table: not taken */
	b[ti - BASE + 2] ^= 1;
	err = mw_kallsyms_find(text, 1 << 20, fakemem_read, &im, &t);
	tap_ok(err && err->code == MW_ERR_NOT_FOUND, "a wrong token index: not found");
	mw_error_destroy(err);
	fakemem_deinit(&im);
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
	uint8_t *data = malloc(1 << 16);
	size_t size = data ? fread(data, 1, 1 << 16, f) : 0;
	fclose(f);
	if (size < 7 * 4)
		return 99;
	struct fakemem im;
	fakemem_over(&im, BASE, data, size);	/* the corruptions below write data */
	uint32_t off[7];
	memcpy(off, data, sizeof(off));
	struct mw_kallsyms_tables t = {
		.num_syms = BASE + off[0], .names = BASE + off[1],
		.token_table = BASE + off[2], .token_index = BASE + off[3],
		.offsets = BASE + off[4], .relative_base = BASE + off[5],
	};
	struct seen s = { 0 };
	struct mw_error *err = mw_kallsyms_decode(&t, fakemem_read, &im, collect, &s);
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
	memcpy(&saved, data + off[0], 4);
	uint32_t huge = 0xffffffff;
	memcpy(data + off[0], &huge, 4);
	err = mw_kallsyms_decode(&t, fakemem_read, &im, collect, &s);
	tap_ok(err && err->code == MW_ERR_BAD_DATA, "absurd kallsyms_num_syms is an error");
	mw_error_destroy(err);
	uint32_t more = 1000;
	memcpy(data + off[0], &more, 4);
	s.n = 0;
	err = mw_kallsyms_decode(&t, fakemem_read, &im, collect, &s);
	tap_ok(err != NULL, "names running off the image is an error, not a crash");
	mw_error_destroy(err);
	memcpy(data + off[0], &saved, 4);

	/* newer kernels (7.2, 7.3) have no kallsyms_relative_base: each
	 * kallsyms_offsets entry is the distance from its own address */
	int32_t keep[7];
	memcpy(keep, data + off[4], sizeof(keep));
	for (int i = 0; i < 7; i++) {
		uint64_t at = BASE + off[4] + 4u * (uint64_t)i;
		int32_t d = (int32_t)(0x100000 + 0x40 * i - (int64_t)at);
		if (i == 3)
			d = -0x800;	/* a symbol below its entry */
		memcpy(data + off[4] + 4 * i, &d, 4);
	}
	t.relative_base = 0;
	s.n = 0;
	err = mw_kallsyms_decode(&t, fakemem_read, &im, collect, &s);
	if (err) tap_diag("%s", err->message);
	tap_ok(err == NULL && s.n == 7, "decodes place-relative offsets (no relative_base)");
	mw_error_destroy(err);
	int good = 0;
	for (int i = 0; i < 7; i++) {
		uint64_t at = BASE + off[4] + 4u * (uint64_t)i;
		uint64_t want = i == 3 ? at - 0x800 : 0x100000 + 0x40u * (uint64_t)i;
		if (s.addrs[i] == want)
			good++;
		else
			tap_diag("symbol %d: 0x%llx, want 0x%llx", i,
				 (unsigned long long)s.addrs[i], (unsigned long long)want);
	}
	tap_ok(good == 7, "every place-relative address is entry + offset (%d of 7)", good);
	memcpy(data + off[4], keep, sizeof(keep));
	t.relative_base = BASE + off[5];

	t.offsets = 0;
	err = mw_kallsyms_decode(&t, fakemem_read, &im, collect, &s);
	tap_ok(err && err->code == MW_ERR_NOT_FOUND, "missing tables: not found");
	mw_error_destroy(err);
	fakemem_deinit(&im);
	free(data);
	find_in_image();
	return tap_done();
}
