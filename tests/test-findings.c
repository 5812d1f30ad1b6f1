/* Findings as data and the text helpers they are worded with: byte sizes
 * (expected strings worked out by hand from the unit definitions), a
 * growing string that never truncates, and the one ranking of findings. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/findings.h"
#include "common/format.h"
#include "tests/tap.h"

static void bytes(void)
{
	char b[MW_BYTES_LEN];
	tap_ok(!strcmp(mw_bytes(0, MW_BYTES_EXACT, b), "0 B"), "0 exact: 0 B");
	tap_ok(!strcmp(mw_bytes(1023, MW_BYTES_EXACT, b), "1023 B"), "1023 exact: 1023 B");
	tap_ok(!strcmp(mw_bytes(1536, MW_BYTES_EXACT, b), "1.5 KiB"), "1536 exact: 1.5 KiB");
	tap_ok(!strcmp(mw_bytes(3ULL << 40, MW_BYTES_EXACT, b), "3.0 TiB"), "3 TiB exact");
	tap_ok(!strcmp(mw_bytes(1008 * 1024, MW_BYTES_EXACT, b), "1008 KiB"),
	       "1008 KiB exact: no decimal, within the 9 columns of \"999.9 KiB\"");
	tap_ok(!strcmp(mw_bytes(1023 * 1024 + 1000, MW_BYTES_EXACT, b), "1024 KiB"),
	       "1023.98 KiB exact: 1024 KiB");
	tap_ok(!strcmp(mw_bytes(999 * 1024 + 900, MW_BYTES_EXACT, b), "999.9 KiB"),
	       "999.88 KiB exact: one decimal");
	tap_ok(!strcmp(mw_bytes(UINT64_MAX, MW_BYTES_EXACT, b), "16384.0 PiB"),
	       "2^64-1 exact: 16384.0 PiB (PiB is the largest unit)");
	tap_ok(!strcmp(mw_bytes(512 * 1024, MW_BYTES_ROUNDED, b), "512 KiB"),
	       "512 KiB rounded: no decimal");
	tap_ok(!strcmp(mw_bytes(100, MW_BYTES_ROUNDED, b), "0 KiB"), "100 B rounded: 0 KiB");
	tap_ok(!strcmp(mw_bytes(5ULL << 19, MW_BYTES_ROUNDED, b), "2.5 MiB"), "2.5 MiB rounded");
	tap_ok(!strcmp(mw_bytes(3ULL << 40, MW_BYTES_ROUNDED, b), "3072.0 GiB"),
	       "3 TiB rounded: 3072.0 GiB (GiB is the largest unit)");
}

static void strings(void)
{
	struct mw_str s = { 0 };
	char *t = mw_str_take(&s);
	tap_ok(t && !strcmp(t, ""), "nothing written: empty string");
	free(t);
	for (int i = 0; i < 1000; i++)
		mw_str_printf(&s, "%d,", i % 10);
	tap_ok(s.len == 2000 && !s.nomem, "2000 characters, none lost");
	t = mw_str_take(&s);
	tap_ok(t && strlen(t) == 2000 && !strncmp(t + 1990, "5,6,7,8,9,", 10),
	       "the end is what was written last");
	free(t);
	tap_ok(s.s == NULL && s.len == 0, "take leaves the string empty");
}

static void ranking(void)
{
	struct mw_findings l = { 0 };
	/* made in this order: severity, bytes */
	mw_findings_add(&l, MW_FINDING_SHMEM_HIGH, MW_SEVERITY_INFO, 500);
	mw_findings_add(&l, MW_FINDING_DYING_MEMCGS, MW_SEVERITY_WARNING, 10);
	mw_findings_add(&l, MW_FINDING_NOT_IN_DUMP, MW_SEVERITY_INFO, 500);
	mw_findings_add(&l, MW_FINDING_LOW_FREE_MEMORY, MW_SEVERITY_CRITICAL, 1);
	for (int i = 0; i < 40; i++)	/* past the first allocation */
		mw_findings_add(&l, MW_FINDING_HUGETLB_FREE, MW_SEVERITY_INFO, 1);
	tap_ok(l.nr == 44, "44 findings kept");
	mw_findings_sort(&l);
	tap_ok(l.v[0].kind == MW_FINDING_LOW_FREE_MEMORY, "critical first");
	tap_ok(l.v[1].kind == MW_FINDING_DYING_MEMCGS, "then warning, though smaller");
	tap_ok(l.v[2].kind == MW_FINDING_SHMEM_HIGH && l.v[3].kind == MW_FINDING_NOT_IN_DUMP,
	       "equal severity and bytes: the order they were made");
	tap_ok(!strcmp(mw_finding_id(MW_FINDING_DYING_MEMCGS), "dying-memcgs"),
	       "ids are the contract's");
	mw_findings_deinit(&l);
}

int main(void)
{
	bytes();
	strings();
	ranking();
	return tap_done();
}
