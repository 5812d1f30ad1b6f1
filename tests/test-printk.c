/* The printk ring buffer reader over a ring built by hand in memory (TAP).
 *
 * The layout comes from a VMCOREINFO text as a 6.12 kernel writes it (so
 * the VMCOREINFO fallback is tested too). The ring has 8 descriptors and
 * 256 bytes of text, and holds, in id order: an overwritten (reusable)
 * record at the tail, a two-line record, a continuation fragment, a
 * descriptor whose state_var carries another id, one whose text lpos runs
 * past the ring, a record whose data block wraps to offset 0 (and whose id
 * wraps to 0 after it: the kernel's first ids sit just below the id
 * mask), a committed but not finalized one, and a reserved one at the head.
 * Then hostile variants: a bad seq in an info, head and tail ids further
 * apart than the ring, an absurd geometry, a data block whose id is wrong.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/printk.h"
#include "tests/tap.h"

#define BASE 0xffffffff82000000ULL
#define ID_MASK (~(3ULL << 62))
enum {
	IMG = 0x4000,
	RB = 0x0, DESCS = 0x1000, INFOS = 0x2000, DATA = 0x3000,
	COUNT_BITS = 3, COUNT = 1 << COUNT_BITS,
	SIZE_BITS = 8, SIZE = 1 << SIZE_BITS,
	DESC_SIZE = 24, INFO_SIZE = 88,
	RESERVED = 0, COMMITTED = 1, FINALIZED = 2, REUSABLE = 3,
};
#define W (5ULL * SIZE)	/* lpos of the current wrap's start */

static const char vmcoreinfo[] =
	"OSRELEASE=6.12.0-test\n"
	"SYMBOL(prb)=ffffffff82000000\n"
	"SIZE(printk_ringbuffer)=88\n"
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n"
	"OFFSET(printk_ringbuffer.fail)=80\n"
	"SIZE(prb_desc_ring)=48\n"
	"OFFSET(prb_desc_ring.count_bits)=0\n"
	"OFFSET(prb_desc_ring.descs)=8\n"
	"OFFSET(prb_desc_ring.infos)=16\n"
	"OFFSET(prb_desc_ring.head_id)=24\n"
	"OFFSET(prb_desc_ring.tail_id)=32\n"
	"SIZE(prb_desc)=24\n"
	"OFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=8\n"
	"SIZE(prb_data_blk_lpos)=16\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\n"
	"OFFSET(prb_data_blk_lpos.next)=8\n"
	"SIZE(printk_info)=88\n"
	"OFFSET(printk_info.seq)=0\n"
	"OFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\n"
	"OFFSET(printk_info.caller_id)=20\n"
	"OFFSET(printk_info.dev_info)=24\n"
	"SIZE(prb_data_ring)=32\n"
	"OFFSET(prb_data_ring.size_bits)=0\n"
	"OFFSET(prb_data_ring.data)=8\n"
	"OFFSET(prb_data_ring.head_lpos)=16\n"
	"OFFSET(prb_data_ring.tail_lpos)=24\n";

static uint8_t mem[IMG];

static struct mw_error *img_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	(void)arg;
	if (addr < BASE || addr - BASE > IMG || len > IMG - (addr - BASE))
		return mw_error_at(MW_ERR_NOT_MAPPED, addr, "outside the image");
	memcpy(buf, mem + (addr - BASE), len);
	return NULL;
}

static void put64(uint64_t off, uint64_t v) { memcpy(mem + off, &v, 8); }
static void put32(uint64_t off, uint32_t v) { memcpy(mem + off, &v, 4); }
static void put16(uint64_t off, uint16_t v) { memcpy(mem + off, &v, 2); }

/* The kernel's ids: seq 0 has id DESC_ID(-COUNT), so seq = id + COUNT. */
static uint64_t id_of(uint64_t seq) { return (seq - COUNT) & ID_MASK; }

static void desc(uint64_t seq, unsigned state, uint64_t begin, uint64_t next)
{
	uint64_t d = DESCS + (seq % COUNT) * DESC_SIZE;
	put64(d, (uint64_t)state << 62 | id_of(seq));
	put64(d + 8, begin);
	put64(d + 16, next);
}

static void info(uint64_t seq, uint64_t ts, uint16_t text_len, unsigned level,
		 unsigned flags, uint32_t caller)
{
	uint64_t i = INFOS + (seq % COUNT) * INFO_SIZE;
	put64(i, seq);
	put64(i + 8, ts);
	put16(i + 16, text_len);
	mem[i + 18] = 0;				/* facility: kernel */
	mem[i + 19] = (uint8_t)(flags | level << 5);	/* flags:5, level:3 */
	put32(i + 20, caller);
}

/* A data block at lpos begin: the id, then the text. */
static void block(uint64_t begin, uint64_t seq, const char *text)
{
	uint64_t at = DATA + begin % SIZE;
	put64(at, id_of(seq));
	memcpy(mem + at + 8, text, strlen(text));
}

/* A record whose data block starts at lpos begin (not wrapping). */
static void record(uint64_t seq, unsigned state, uint64_t begin, const char *text,
		   unsigned level, unsigned flags, uint32_t caller)
{
	uint64_t len = (8 + strlen(text) + 7) / 8 * 8;
	desc(seq, state, begin, begin + len);
	info(seq, 1000000000ULL * seq + 123456789, (uint16_t)strlen(text), level,
	     flags, caller);
	block(begin, seq, text);
}

static void build(void)
{
	memset(mem, 0xa5, sizeof(mem));
	/* struct printk_ringbuffer */
	put32(RB + 0, COUNT_BITS);
	put64(RB + 8, BASE + DESCS);
	put64(RB + 16, BASE + INFOS);
	put64(RB + 24, id_of(9));		/* head_id */
	put64(RB + 32, id_of(2));		/* tail_id */
	put32(RB + 48, SIZE_BITS);
	put64(RB + 48 + 8, BASE + DATA);
	put64(RB + 48 + 16, W + 320);		/* head_lpos */
	put64(RB + 48 + 24, W + 160);		/* tail_lpos */
	put64(RB + 80, 0);			/* fail */

	record(2, REUSABLE, W + 100, "old, overwritten", 6, 2, 1);
	record(3, FINALIZED, W + 160, "line one\nline two", 4, 2, 42);
	record(4, FINALIZED, W + 192, "cont", 4, 8 | 2, 42);
	record(5, FINALIZED, W + 208, "x", 6, 2, 1);
	put64(DESCS + 5 % COUNT * DESC_SIZE, (uint64_t)FINALIZED << 62 | id_of(13));
	record(6, FINALIZED, W + 208, "y", 6, 2, 1);
	put64(DESCS + 6 % COUNT * DESC_SIZE + 16, W + 208 + 1000);
	/* seq 7 wraps: begin in this wrap, data at 0 of the next */
	desc(7, FINALIZED, W + 216, W + SIZE + 24);
	info(7, 7000001000ULL, 16, 3, 2, 0x80000001u);
	block(W + SIZE, 7, "wrapped record!!");
	record(8, COMMITTED, W + 280, "committed", 7, 0, 77);
	record(9, RESERVED, W + 304, "half", 6, 0, 78);
}

static const char *text(const struct mw_log *log, size_t i)
{
	static char buf[256];
	snprintf(buf, sizeof(buf), "%.*s", (int)log->v[i].text_len,
		 log->text + log->v[i].text_off);
	return buf;
}

int main(void)
{
	struct mw_dump_info di = { .vmcoreinfo = (char *)vmcoreinfo,
				   .vmcoreinfo_len = sizeof(vmcoreinfo) - 1 };
	struct mw_printk_layout l;
	struct mw_error *err = mw_printk_layout_from_vmcoreinfo(&di, &l);
	tap_ok(err == NULL, "layout from VMCOREINFO");
	if (err)
		return tap_done();
	tap_ok(l.info_facility == 18 && l.info_level_bit == 19 * 8 + 5 &&
	       l.info_level_bits == 3 && l.info_flags_bits == 5,
	       "facility, flags and level placed after text_len");

	struct mw_warnings w;
	struct mw_log log;
	char caller[16];

	/* the ring as built */
	build();
	mw_warnings_init(&w);
	err = mw_printk_read(&l, img_read, NULL, BASE + RB, &w, &log);
	tap_ok(err == NULL, "read the ring");
	tap_ok(log.nr == 4, "4 sound records (got %zu)", log.nr);
	if (log.nr == 4) {
		tap_ok(log.v[0].seq == 3 && log.v[1].seq == 4 && log.v[2].seq == 7 &&
		       log.v[3].seq == 8, "seqs 3, 4, 7, 8");
		tap_is_str(text(&log, 0), "line one\nline two", "two-line record's text");
		tap_ok(log.v[0].level == 4 && log.v[0].ts_nsec == 3123456789ULL,
		       "level and timestamp");
		tap_ok(log.v[1].flags & MW_PRINTK_LOG_CONT, "continuation flag kept");
		tap_is_str(text(&log, 1), "cont", "continuation record as stored");
		tap_is_str(text(&log, 2), "wrapped record!!", "wrapped data block read from offset 0");
		mw_log_caller(log.v[2].caller_id, caller, sizeof(caller));
		tap_is_str(caller, "C1", "CPU caller id");
		mw_log_caller(log.v[0].caller_id, caller, sizeof(caller));
		tap_is_str(caller, "T42", "thread caller id");
		tap_is_str(text(&log, 3), "committed", "committed (not finalized) record, after the id wrap");
	}
	tap_ok(log.seq_known && log.first_seq == 3 && log.overwritten == 3,
	       "reusable tail counted as overwritten (first_seq %" PRIu64 ")", log.first_seq);
	tap_ok(log.next_seq == 10, "next_seq 10 (got %" PRIu64 ")", log.next_seq);
	tap_ok(log.unfinished == 1, "reserved head counted as unfinished");
	tap_ok(log.lost == 2 && log.nr_lost_ranges == 1 &&
	       log.lost_ranges[0].first == 5 && log.lost_ranges[0].last == 6,
	       "bad state id and text past the ring: seqs 5-6 lost");
	tap_ok(w.kept == 1, "exactly one warning (got %zu)", w.kept);
	if (w.kept) {
		tap_diag("%s", w.text[0]);
		tap_ok(strstr(w.text[0], "2 records lost") && strstr(w.text[0], "seq 5-6"),
		       "the warning names the count and the seqs");
	}
	mw_log_deinit(&log);
	mw_warnings_deinit(&w);

	/* a seq that does not fit its id, and a block with another id */
	build();
	put64(INFOS + 8 % COUNT * INFO_SIZE, 12345);
	put64(DATA + (W + 192) % SIZE, id_of(1));
	mw_warnings_init(&w);
	err = mw_printk_read(&l, img_read, NULL, BASE + RB, &w, &log);
	tap_ok(err == NULL && log.nr == 2 && log.lost == 4,
	       "bad seq and bad block id lost too (%zu records, %" PRIu64 " lost)",
	       log.nr, log.lost);
	tap_ok(log.nr_lost_ranges == 2 && log.lost_ranges[0].first == 4 &&
	       log.lost_ranges[0].last == 6 && log.lost_ranges[1].first == 8,
	       "lost seqs 4-6, 8");
	tap_ok(w.kept == 1, "still one warning");
	mw_log_deinit(&log);
	mw_warnings_deinit(&w);

	/* a reusable descriptor past a sound one (its block was allocated
	 * before the older record's, so recycled first): overwritten, not lost */
	build();
	put64(DESCS + 4 % COUNT * DESC_SIZE, (uint64_t)REUSABLE << 62 | id_of(4));
	mw_warnings_init(&w);
	err = mw_printk_read(&l, img_read, NULL, BASE + RB, &w, &log);
	tap_ok(err == NULL && log.nr == 3 && log.overwritten == 4 && log.lost == 2 &&
	       w.kept == 1, "reusable inside: %zu records, overwritten %" PRIu64
	       " (seqs 0-2 and 4), lost %" PRIu64 " (5-6 only)", log.nr, log.overwritten,
	       log.lost);
	mw_log_deinit(&log);
	mw_warnings_deinit(&w);

	/* head and tail ids further apart than the ring */
	build();
	put64(RB + 32, id_of(9) - 1000);
	mw_warnings_init(&w);
	err = mw_printk_read(&l, img_read, NULL, BASE + RB, &w, &log);
	tap_ok(err == NULL && log.ids_wrapped && log.nr == 4,
	       "wrapped ids: the newest ring's worth read (%zu records)", log.nr);
	tap_ok(w.kept == 1 && strstr(w.text[0], "apart"), "one warning for it");
	mw_log_deinit(&log);
	mw_warnings_deinit(&w);

	/* absurd geometry: an error, nothing allocated */
	build();
	put32(RB + 0, 40);
	mw_warnings_init(&w);
	err = mw_printk_read(&l, img_read, NULL, BASE + RB, &w, &log);
	tap_ok(err != NULL && err->code == MW_ERR_BAD_DATA, "2^40 descriptors refused");
	mw_error_destroy(err);
	build();
	put32(RB + 48, 63);
	err = mw_printk_read(&l, img_read, NULL, BASE + RB, &w, &log);
	tap_ok(err != NULL, "2^63 text bytes refused");
	mw_error_destroy(err);
	/* a ring header outside memory */
	err = mw_printk_read(&l, img_read, NULL, BASE + IMG + 0x1000, &w, &log);
	tap_ok(err != NULL, "unreadable ring header is an error");
	mw_error_destroy(err);
	/* descriptors outside memory: read as lost, no crash */
	build();
	put64(RB + 8, BASE + 0x100000);
	err = mw_printk_read(&l, img_read, NULL, BASE + RB, &w, &log);
	tap_ok(err == NULL && log.nr == 0 && w.kept == 1,
	       "unreadable descriptors: no records, one warning");
	mw_error_destroy(err);
	mw_log_deinit(&log);
	mw_warnings_deinit(&w);

	/* levels */
	tap_ok(mw_log_level_parse("warn") == 4 && mw_log_level_parse("0") == 0 &&
	       mw_log_level_parse("debug") == 7 && mw_log_level_parse("8") == -1 &&
	       mw_log_level_parse("loud") == -1, "level names and numbers");
	return tap_done();
}
