/* The symbol table: System.map parsing (bounded, errors with line numbers),
 * name and address lookups, duplicates, KASLR relocation, the kallsyms
 * callback, and an ELF symbol table (this test's own executable). */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf/symbols.h"
#include "tests/tap.h"

static struct mw_symbols *parse(const char *text, struct mw_error **errp)
{
	struct mw_symbols *s;
	*errp = mw_symbols_create("test map", &s);
	if (*errp)
		return NULL;
	*errp = mw_symbols_parse_map(s, text, strlen(text));
	if (!*errp)
		*errp = mw_symbols_finish(s);
	if (*errp) {
		mw_symbols_destroy(s);
		return NULL;
	}
	return s;
}

static void check_addr(const struct mw_symbols *s, uint64_t addr, const char *name, uint64_t off)
{
	uint64_t got_off = 0;
	const struct mw_symbol *sym = mw_symbols_lookup_addr(s, addr, &got_off);
	if (!name) {
		tap_ok(sym == NULL, "0x%" PRIx64 " has no symbol (got %s)", addr, sym ? sym->name : "none");
		return;
	}
	tap_ok(sym && strcmp(sym->name, name) == 0 && got_off == off,
	       "0x%" PRIx64 " is %s+0x%" PRIx64 " (got %s+0x%" PRIx64 ")", addr, name, off,
	       sym ? sym->name : "none", got_off);
}

static void check_bad(const char *text, const char *contains, const char *what)
{
	struct mw_error *err;
	struct mw_symbols *s = parse(text, &err);
	tap_ok(!s && err && err->code == MW_ERR_FORMAT && strstr(err->message, contains),
	       "%s: error with '%s' (got %s)", what, contains, err ? err->message : "none");
	mw_error_destroy(err);
	mw_symbols_destroy(s);
}

static void test_map(void)
{
	static const char map[] =
		"0000000000000000 D fixed_percpu_data\n"
		"000000000001f000 D cpu_number\n"
		"ffffffff81000000 T _text\n"
		"ffffffff81000000 t startup_64_local\n"
		"ffffffff81001000 t dup\r\n"
		"\n"
		"ffffffff81002000 T dup\n"
		"ffffffff81003000 t dup\n"
		"ffffffff82000000 D prb\n"
		"ffffffff82000100 d local_data\n"
		"00000000deadbeef A abs_sym\n"
		"ffffffffc0001000 t mod_func\t[some_module]\n";
	struct mw_error *err;
	struct mw_symbols *s = parse(map, &err);
	if (!tap_ok(s != NULL, "map parses (%s)", err ? err->message : "ok")) {
		mw_error_destroy(err);
		return;
	}
	tap_ok(mw_symbols_count(s) == 11, "11 symbols (got %zu)", mw_symbols_count(s));
	uint64_t a = 0;
	err = mw_symbols_address(s, "prb", &a);
	tap_ok(!err && a == 0xffffffff82000000, "prb address");
	mw_error_destroy(err);
	const struct mw_symbol *sym = mw_symbols_find(s, "dup");
	tap_ok(sym && sym->address == 0xffffffff81002000 && sym->type == 'T',
	       "duplicate name: the global one wins");
	sym = mw_symbols_find(s, "mod_func");
	tap_ok(sym && sym->address == 0xffffffffc0001000, "module column ignored");
	err = mw_symbols_address(s, "nothere", &a);
	tap_ok(err && err->code == MW_ERR_NOT_FOUND && strstr(err->message, "test map"),
	       "missing symbol names the source (%s)", err ? err->message : "");
	mw_error_destroy(err);

	check_addr(s, 0xffffffff81000000, "_text", 0);	/* global first at equal addresses */
	check_addr(s, 0xffffffff81000010, "_text", 0x10);
	check_addr(s, 0xffffffff81001fff, "dup", 0xfff);
	check_addr(s, 0xffffffff82000080, "prb", 0x80);
	check_addr(s, 0x1f008, "cpu_number", 8);
	check_addr(s, 0xffffffff81002000, "dup", 0);

	/* KASLR: image symbols move, per-CPU and absolute ones stay */
	err = mw_symbols_relocate(s, 0x1e000000);
	tap_ok(!err, "relocate");
	mw_error_destroy(err);
	err = mw_symbols_address(s, "prb", &a);
	tap_ok(!err && a == 0xffffffffa0000000, "prb relocated (0x%" PRIx64 ")", a);
	mw_error_destroy(err);
	err = mw_symbols_address(s, "cpu_number", &a);
	tap_ok(!err && a == 0x1f000, "per-CPU symbol not relocated");
	mw_error_destroy(err);
	err = mw_symbols_address(s, "abs_sym", &a);
	tap_ok(!err && a == 0xdeadbeef, "absolute symbol not relocated");
	mw_error_destroy(err);
	check_addr(s, 0xffffffff9f000004, "_text", 4);
	tap_ok(mw_symbols_at(s, 0)->address <= mw_symbols_at(s, 1)->address, "still sorted");
	mw_symbols_destroy(s);
}

static void test_bad_maps(void)
{
	check_bad("ffffffff81000000 T ok\nzzzz T bad\n", "line 2", "non-hex address");
	check_bad("ffffffff81000000 T\n", "line 1", "no name");
	check_bad("1ffffffff81000000 T x\n", "line 1", "17 hex digits");
	check_bad("ffffffff81000000 T x extra\n", "line 1", "extra column");
	check_bad("ffffffff81000000 TT x\n", "line 1", "two-letter type");
	char *longline = malloc(5000);
	memset(longline, 'a', 4999);
	longline[4999] = 0;
	memcpy(longline, "ffffffff81000000 T ", 19);
	check_bad(longline, "longer than", "overlong line");
	free(longline);
	static const char nul[] = "ffffffff81000000 T a\0b\n";
	struct mw_symbols *s;
	struct mw_error *err = mw_symbols_create("nul", &s);
	mw_error_destroy(err);
	err = mw_symbols_parse_map(s, nul, sizeof(nul) - 1);
	tap_ok(err && strstr(err->message, "NUL"), "NUL byte in a line is an error");
	mw_error_destroy(err);
	mw_symbols_destroy(s);

	/* Debian's placeholder System.map */
	char path[] = "/tmp/test-symbols-XXXXXX";
	int fd = mkstemp(path);
	static const char ph[] = "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n";
	if (fd >= 0 && write(fd, ph, sizeof(ph) - 1) == (ssize_t)(sizeof(ph) - 1)) {
		close(fd);
		err = mw_symbols_open_system_map(path, &s);
		tap_ok(err && strstr(err->message, "placeholder"), "placeholder System.map recognised (%s)",
		       err ? err->message : "opened");
		mw_error_destroy(err);
		unlink(path);
	} else {
		tap_ok(0, "temporary file");
	}
	err = mw_symbols_open_system_map("/nonexistent/System.map", &s);
	tap_ok(err && err->code == MW_ERR_IO, "missing System.map is an I/O error");
	mw_error_destroy(err);
}

static void test_ksym_and_sizes(void)
{
	struct mw_symbols *s;
	struct mw_error *err = mw_symbols_create("kallsyms", &s);
	mw_error_destroy(err);
	err = mw_symbols_add_ksym(s, "b_func", 6, 'T', 0x2000);
	if (!err)
		err = mw_symbols_add_ksym(s, "a_func", 6, 't', 0x1000);
	if (!err)
		err = mw_symbols_add(s, "sized", 5, 0x3000, 0x10, 'T');
	if (!err)
		err = mw_symbols_finish(s);
	tap_ok(!err, "kallsyms-shaped callback fills a table");
	mw_error_destroy(err);
	err = mw_symbols_add_ksym(s, "late", 4, 'T', 0x4000);
	tap_ok(err && err->code == MW_ERR_USAGE, "no adding after finish");
	mw_error_destroy(err);
	tap_ok(strcmp(mw_symbols_at(s, 0)->name, "a_func") == 0, "sorted by address");
	check_addr(s, 0xfff, NULL, 0);
	check_addr(s, 0x300f, "sized", 0xf);
	check_addr(s, 0x3010, NULL, 0);	/* past a sized last symbol */
	err = mw_symbols_add(s, "", 0, 0, 0, 'T');
	tap_ok(err != NULL, "empty name refused");
	mw_error_destroy(err);
	mw_symbols_destroy(s);

	/* an empty table (found by fuzzing: qsort of NULL) */
	err = mw_symbols_create("empty", &s);
	if (!err)
		err = mw_symbols_finish(s);
	if (!err)
		err = mw_symbols_relocate(s, 0x1000);
	uint64_t off;
	tap_ok(!err && mw_symbols_count(s) == 0 && !mw_symbols_lookup_addr(s, 0, &off) &&
	       !mw_symbols_find(s, "x"), "empty table: finish, relocate, lookups");
	mw_error_destroy(err);
	mw_symbols_destroy(s);
}

__attribute__((noinline)) static void test_elf(void)
{
	struct mw_symbols *s;
	struct mw_error *err = mw_symbols_open_elf("/proc/self/exe", &s);
	if (!tap_ok(!err, "own executable's .symtab opens (%s)", err ? err->message : "ok")) {
		mw_error_destroy(err);
		return;
	}
	const struct mw_symbol *sym = mw_symbols_find(s, "main");
	tap_ok(sym && sym->type == 'T' && sym->size > 0, "main is a sized global text symbol");
	if (sym) {
		uint64_t off;
		const struct mw_symbol *at = mw_symbols_lookup_addr(s, sym->address + 1, &off);
		tap_ok(at && strcmp(at->name, "main") == 0 && off == 1, "main+1 maps back to main");
	}
	sym = mw_symbols_find(s, "test_elf");
	tap_ok(sym && sym->type == 't', "a static function is local text");
	mw_symbols_destroy(s);
	err = mw_symbols_open_elf("/nonexistent", &s);
	tap_ok(err && err->code == MW_ERR_IO, "missing ELF file");
	mw_error_destroy(err);
}

/*
 * Many symbols, in address order with runs of equal addresses whose local
 * comes before its global (the sorted fast path must still put globals
 * first), then every name found through the name index, which grows past
 * several capacities; and the same names added in reverse order (the
 * whole-table sort).
 */
static void test_many(bool reversed)
{
	enum { N = 20000 };
	struct mw_symbols *s;
	struct mw_error *err = mw_symbols_create("many", &s);
	char name[32];
	for (int k = 0; k < N && !err; k++) {
		int i = reversed ? N - 1 - k : k;
		/* symbols 2j and 2j+1 share an address; the odd one is global */
		snprintf(name, sizeof(name), "sym_%d", i);
		err = mw_symbols_add_ksym(s, name, strlen(name), i % 2 ? 'T' : 't',
					  0xffffffff81000000ULL + (uint64_t)(i / 2) * 16);
	}
	if (!err)
		err = mw_symbols_finish(s);
	if (!tap_ok(!err, "%d symbols (%s)", N, reversed ? "reversed" : "sorted")) {
		mw_error_destroy(err);
		mw_symbols_destroy(s);
		return;
	}
	int bad_find = 0, bad_order = 0;
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "sym_%d", i);
		const struct mw_symbol *sym = mw_symbols_find(s, name);
		if (!sym || sym->address != 0xffffffff81000000ULL + (uint64_t)(i / 2) * 16)
			bad_find++;
	}
	for (size_t i = 0; i + 1 < mw_symbols_count(s); i++) {
		const struct mw_symbol *a = mw_symbols_at(s, i), *b = mw_symbols_at(s, i + 1);
		if (a->address > b->address ||
		    (a->address == b->address && a->type == 't' && b->type == 'T'))
			bad_order++;
	}
	tap_ok(bad_find == 0, "every name found at its address (%d wrong)", bad_find);
	tap_ok(bad_order == 0, "sorted by address, globals first (%d out of order)", bad_order);
	uint64_t off;
	const struct mw_symbol *at = mw_symbols_lookup_addr(s, 0xffffffff81000010ULL + 4, &off);
	tap_ok(at && strcmp(at->name, "sym_3") == 0 && off == 4,
	       "address lookup prefers the global of an equal pair (%s)", at ? at->name : "none");
	tap_ok(mw_symbols_find(s, "sym_") == NULL && mw_symbols_find(s, "sym_200000") == NULL,
	       "absent names are not found");
	mw_symbols_destroy(s);
}

/* Relocation moves the symbols from `start` on and leaves those below: the
 * moved ones land among the unmoved (as on arm64, where symbols below the
 * image's start stay), and the table must come out in the order a whole
 * sort gives, every name still found; a delta that wraps around still
 * gives a sorted table. */
static void test_relocate_interleaved(void)
{
	enum { N = 3000 };
	const uint64_t base = 0xffff800080000000ULL, start = base + (uint64_t)N / 2 * 64;
	const int64_t deltas[] = { -(int64_t)N * 16, 0x1230, (int64_t)(0ULL - start) + 0x40,
				  (int64_t)(0ULL - start) - 6400 };
	char name[32];
	for (size_t d = 0; d < sizeof(deltas) / sizeof(deltas[0]); d++) {
		struct mw_symbols *s;
		struct mw_error *err = mw_symbols_create("reloc", &s);
		for (int i = 0; i < N && !err; i++) {
			snprintf(name, sizeof(name), "r_%d", i);
			/* pairs share an address; one in three is absolute */
			err = mw_symbols_add_ksym(s, name, strlen(name), i % 3 == 0 ? 'A' : i % 2 ? 'T' : 't',
						  base + (uint64_t)(i / 2) * 64);
		}
		if (!err)
			err = mw_symbols_finish(s);
		if (!err)
			err = mw_symbols_relocate_from(s, deltas[d], start);
		if (!tap_ok(!err, "relocate by %" PRId64 " from the middle", deltas[d])) {
			mw_error_destroy(err);
			mw_symbols_destroy(s);
			continue;
		}
		int bad_find = 0, bad_order = 0;
		for (int i = 0; i < N; i++) {
			snprintf(name, sizeof(name), "r_%d", i);
			uint64_t want = base + (uint64_t)(i / 2) * 64;
			if (i % 3 != 0 && want >= start)
				want += (uint64_t)deltas[d];
			const struct mw_symbol *sym = mw_symbols_find(s, name);
			if (!sym || sym->address != want)
				bad_find++;
		}
		for (size_t i = 0; i + 1 < mw_symbols_count(s); i++) {
			const struct mw_symbol *a = mw_symbols_at(s, i), *b = mw_symbols_at(s, i + 1);
			if (a->address > b->address ||
			    (a->address == b->address &&
			     (!isupper((unsigned char)a->type) && isupper((unsigned char)b->type))))
				bad_order++;
		}
		tap_ok(bad_find == 0 && mw_symbols_count(s) == N,
		       "delta %" PRId64 ": every name at its address (%d wrong)", deltas[d], bad_find);
		tap_ok(bad_order == 0, "delta %" PRId64 ": in order, globals first (%d out of order)",
		       deltas[d], bad_order);
		mw_symbols_destroy(s);
	}
}

int main(void)
{
	test_map();
	test_many(false);
	test_many(true);
	test_relocate_interleaved();
	test_bad_maps();
	test_ksym_and_sizes();
	test_elf();
	return tap_done();
}
