/* The error type: codes, context prepending, address rendering. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/warn.h"
#include "tests/tap.h"

/* One cause, one warning: repeats that differ only in numbers are counted. */
static void test_warn_repeats(void)
{
	struct mw_warnings w;
	mw_warnings_init(&w);
	for (int i = 0; i < 33; i++)
		mw_warn(&w, "sock %d: skb 0x%x: frag_list loops at 0xffff88800%04x", 100 + i, 0x1000 * i, i);
	mw_warn(&w, "memcg /a: no vmstats");
	mw_warn(&w, "memcg /b: no vmstats");
	mw_warn(&w, "PFN 12 bad");
	tap_ok(w.kept == 4, "33 warnings alike in all but numbers are kept as one (%zu kept)", w.kept);
	tap_is_str(w.text[0], "sock 100: skb 0x0: frag_list loops at 0xffff888000000 (and 32 more like it)",
		   "the first one, with the count of the others");
	tap_ok(mw_warnings_count(&w) == 36, "every warning still counts (%zu)", mw_warnings_count(&w));
	tap_ok(w.text[1] && w.text[2] && strcmp(w.text[1], w.text[2]) != 0,
	       "warnings that differ in words stay apart");
	mw_warnings_deinit(&w);
}

/* A cause put first gathers its effects, said before or after, right after it. */
static void test_warn_group(void)
{
	struct mw_warnings w;
	mw_warnings_init(&w);
	mw_warn(&w, "tasks: reading 0x10: page 0x10 was left out of the dump");
	mw_warn(&w, "slab caches: list loops");
	mw_warn(&w, "stack: reading 0x20: page 0x20 was left out of the dump");
	mw_warn(&w, "stack: reading 0x30: page 0x30 was left out of the dump");
	mw_warn(&w, "pid 20 (a) at 0x1: cred: page 0x50 was left out of the dump");
	mw_warn(&w, "pid 21 (b) at 0x2: cred: page 0x60 was left out of the dump");
	mw_warn(&w, "the filter lost 3 kernel pages");
	mw_warnings_move_first(&w, w.kept - 1);
	mw_warnings_group_under_first(&w, "left out of the dump", "lost: ");
	mw_warn(&w, "memcg: no vmstats");
	mw_warn(&w, "cgroup name: page 0x40 was left out of the dump");
	mw_warn(&w, "pid 22 (kthreadd) at 0x10: cred: page 0x50 was left out of the dump");
	mw_warn(&w, "pid 23 (cpuhp/0) at 0x20: cred: page 0x60 was left out of the dump");
	mw_warn(&w, "pid 24 (cpuhp/1) was killed");
	mw_warn(&w, "pid 25 (sh) was killed");
	tap_ok(w.kept == 9, "9 kept (%zu)", w.kept);
	tap_is_str(w.text[0], "the filter lost 3 kernel pages", "the cause first");
	tap_is_str(w.text[1], "lost: tasks: reading 0x10: page 0x10 was left out of the dump",
		   "an effect said before it, prefixed, next");
	tap_is_str(w.text[2], "lost: stack: reading 0x20: page 0x20 was left out of the dump "
		   "(and 1 more like it)", "a repeated effect keeps its count");
	tap_is_str(w.text[3], "lost: pid 20 (a) at 0x1: cred: page 0x50 was left out of the "
		   "dump (and 3 more like it)", "effects naming other tasks in parentheses are one, "
		   "said before and after the cause");
	tap_is_str(w.text[4], "lost: cgroup name: page 0x40 was left out of the dump",
		   "an effect said after it joins the group");
	tap_is_str(w.text[5], "slab caches: list loops", "other warnings after the group");
	tap_is_str(w.text[6], "memcg: no vmstats", "in the order said");
	tap_ok(w.text[7] && w.text[8] && strstr(w.text[7], "(cpuhp/1)") && strstr(w.text[8], "(sh)"),
	       "other warnings naming tasks in parentheses stay apart");
	tap_ok(mw_warnings_count(&w) == 13, "every warning still counts (%zu)", mw_warnings_count(&w));
	mw_warnings_deinit(&w);
}

int main(void)
{
	test_warn_repeats();
	test_warn_group();
	struct mw_error *err = mw_error_at(MW_ERR_NOT_IN_DUMP, 0x1000, "page excluded");
	err = mw_error_prepend(err, "reading %s", "mem_section");
	char *s = mw_error_string(err);
	tap_is_str(s, "reading mem_section: page excluded (at 0x1000)", "context prepended, address kept");
	tap_ok(err->code == MW_ERR_NOT_IN_DUMP, "code kept");
	free(s);
	mw_error_destroy(err);

	err = mw_error_at_offset(MW_ERR_FORMAT, 4096, "bad header");
	s = mw_error_string(err);
	tap_is_str(s, "bad header (file offset 4096)", "offset rendering");
	free(s);
	mw_error_destroy(err);

	err = mw_error_errno(ENOENT, "%s", "/nope");
	tap_is_str(err->message, "/nope: No such file or directory", "errno message");
	tap_ok(err->code == MW_ERR_IO, "errno gives MW_ERR_IO");
	mw_error_destroy(err);

	tap_ok(mw_error_prepend(NULL, "x") == NULL, "prepend to NULL stays NULL");
	tap_ok(mw_error_prepend(&mw_error_nomem, "x") == &mw_error_nomem, "nomem is static");
	return tap_done();
}
