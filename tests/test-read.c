/* The read interface: bounded little-endian decoders, the string reader,
 * and the cursor that keeps the first error. Memory is a small image at a
 * fixed base; reads outside it fail as an unreadable page would. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "analyzer/kread.h"
#include "common/le.h"
#include "common/read.h"
#include "tests/tap.h"

enum { BASE = 0x10000, IMAGE = 2 * 4096 };

struct image {
	uint8_t b[IMAGE];
	uint64_t end;		/* reads at or past this fail */
	unsigned reads;
};

static struct mw_error *image_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct image *im = arg;
	im->reads++;
	if (addr < BASE || addr + len > im->end || addr + len < addr)
		return mw_error_at(MW_ERR_NOT_IN_DUMP, addr, "test image: %zu bytes unreadable", len);
	memcpy(buf, im->b + (addr - BASE), len);
	return NULL;
}

static void test_le(void)
{
	const uint8_t b[10] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a };
	tap_ok(mw_le64(b, sizeof(b), 0) == 0x0807060504030201ULL, "le64 at 0");
	tap_ok(mw_le64(b, sizeof(b), 2) == 0x0a09080706050403ULL, "le64 ending at the buffer's end");
	tap_ok(mw_le64(b, sizeof(b), 3) == 0, "le64 one byte past the end reads 0");
	tap_ok(mw_le32(b, sizeof(b), 6) == 0x0a090807 && mw_le32(b, sizeof(b), 7) == 0,
	       "le32 inside, and past the end");
	tap_ok(mw_le16(b, sizeof(b), 8) == 0x0a09 && mw_le8(b, sizeof(b), 9) == 0x0a &&
	       mw_le8(b, sizeof(b), 10) == 0, "le16 and le8 at the end");
	tap_ok(mw_le64(b, sizeof(b), UINT64_MAX - 3) == 0, "an offset near 2^64 does not wrap");
	tap_ok(mw_le_uint(b, sizeof(b), 0, 9) == 0, "more than 8 bytes reads 0");
	tap_ok(mw_le_uint(b, sizeof(b), 1, 3) == 0x040302, "a 3-byte integer");
}

static void test_string(struct image *im)
{
	char buf[64];
	/* a short string just before the end of readable memory */
	uint64_t at = BASE + 4096 - 6;
	memcpy(im->b + (at - BASE), "hello", 6);
	im->end = BASE + 4096;
	struct mw_error *err = mw_read_string(image_read, im, at, buf, sizeof(buf));
	tap_ok(!err && strcmp(buf, "hello") == 0,
	       "a string before an unreadable page is read (reads stop at the page end)");
	mw_error_destroy(err);

	/* no NUL before the page end, next page unreadable: error, what was read kept */
	memset(im->b + (at - BASE), 'x', 6);
	err = mw_read_string(image_read, im, at, buf, sizeof(buf));
	tap_ok(err && strcmp(buf, "xxxxxx") == 0, "a string running into an unreadable page fails, "
	       "the bytes read kept and terminated");
	mw_error_destroy(err);

	/* a long string across the page boundary, cut at the buffer */
	im->end = BASE + IMAGE;
	memset(im->b + 4090, 'y', 20);
	im->b[4110] = '\0';
	char small[8];
	err = mw_read_string(image_read, im, BASE + 4090, small, sizeof(small));
	tap_ok(!err && strcmp(small, "yyyyyyy") == 0, "a string longer than the buffer is cut, terminated");
	mw_error_destroy(err);
	err = mw_read_string(image_read, im, BASE + 4090, buf, sizeof(buf));
	tap_ok(!err && strlen(buf) == 20, "a string across a page boundary is read whole");
	mw_error_destroy(err);
	err = mw_read_string(image_read, im, BASE, buf, 0);
	tap_ok(!err, "a zero-length buffer reads nothing");
}

static void test_cursor(struct image *im)
{
	im->end = BASE + IMAGE;
	uint64_t v64 = 0x1122334455667788ULL;
	memcpy(im->b + 16, &v64, 8);
	struct mw_kcur c = { .read = image_read, .arg = im };
	tap_ok(mw_kcur_u64(&c, BASE + 16) == v64 && mw_kcur_u32(&c, BASE + 16) == 0x55667788 &&
	       mw_kcur_u16(&c, BASE + 22) == 0x1122 && mw_kcur_u8(&c, BASE + 23) == 0x11 &&
	       !c.err, "cursor reads of 8, 4, 2 and 1 bytes");
	tap_ok(mw_kcur_uint(&c, BASE + 16, 3) == 0x667788 && mw_kcur_uint(&c, BASE + 16, 0) == v64,
	       "cursor uint of 3 bytes; size 0 reads 8");
	unsigned before = im->reads;
	uint64_t bad = mw_kcur_u64(&c, BASE + IMAGE);
	tap_ok(bad == 0 && c.err && c.err->code == MW_ERR_NOT_IN_DUMP, "a failed read gives 0 and keeps the error");
	struct mw_error *first = c.err;
	uint8_t buf[4] = { 1, 2, 3, 4 };
	mw_kcur_bytes(&c, BASE, buf, sizeof(buf));
	tap_ok(mw_kcur_u64(&c, BASE + 16) == 0 && c.err == first && im->reads == before + 1 &&
	       !buf[0] && !buf[3], "after an error every read gives zeros, reads nothing, keeps the first error");
	mw_error_destroy(c.err);
	uint64_t x = 7;
	tap_ok(!mw_read_ok(image_read, im, BASE + IMAGE, &x, sizeof(x)) &&
	       mw_read_ok(image_read, im, BASE + 16, &x, sizeof(x)) && x == v64,
	       "mw_read_ok: false for unreadable, true and the value for readable");
}

int main(void)
{
	static struct image im;
	test_le();
	test_string(&im);
	test_cursor(&im);
	return tap_done();
}
