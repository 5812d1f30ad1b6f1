/* The skb walkers on a fake memory image: good queues are counted exactly;
 * loops, absurd nr_frags, frag pages outside the vmemmap and broken
 * rb-trees give warnings and partial results, never a hang or a crash. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/skb.h"
#include "tests/fakemem.h"
#include "tests/tap.h"

/* ---- a fake machine: direct map and vmemmap of NR_PFNS pages ---- */

enum {
	NR_PFNS = 64,
	PAGE = 4096,
	SPAGE = 64,		/* sizeof(struct page) */
	PG_HEAD = 16,
	PG_SLAB = 7,
};
#define DMAP 0xffff888000000000ULL
#define VMEMMAP 0xffffea0000000000ULL

static uint64_t va(uint64_t pfn, uint64_t off) { return DMAP + pfn * PAGE + off; }
static uint64_t pg(uint64_t pfn) { return VMEMMAP + pfn * SPAGE; }

/* A compound page of order at pfn. */
static void compound(struct fakemem *f, uint64_t pfn, unsigned order)
{
	fakemem_put64(f, pg(pfn), 1ULL << PG_HEAD);
	fakemem_put8(f, pg(pfn) + SPAGE + 17, (uint8_t)order);	/* folio order byte */
	for (uint64_t i = 1; i < (1ULL << order); i++)
		fakemem_put64(f, pg(pfn + i) + 8, pg(pfn) + 1);
}

static const struct mw_skb_layout layout = {
	.skb_size = 232,
	.fclones_size = 0,
	.off_next = 0,
	.off_len = 112,
	.off_data_len = 116,
	.off_truesize = 208,
	.off_head = 192,
	.off_end = 188,
	.end_size = 4,
	.off_head_frag = 126,
	.head_frag_mask = 0x20,
	.off_fclone = 126,
	.fclone_mask = 0x0c,
	.fclone_shift = 2,
	.off_rb_parent = 0,
	.off_rb_right = 8,
	.off_rb_left = 16,
	.off_qlen = 16,
	.shinfo_size = 320,
	.off_nr_frags = 2,
	.off_frag_list = 8,
	.off_frags = 48,
	.frag_size = 16,
	.off_frag_page = 0,
	.off_frag_len = 8,
	.frag_netmem = false,
	.max_frags = 17,
	.off_page_flags = 0,
	.off_compound_head = 8,
	.pg_head = PG_HEAD,
	.off_order = SPAGE + 17,
	.pg_slab = PG_SLAB,
	.pgty_slab = -1,
	.off_page_type = 48,
	.kmalloc_max = 8192,
};

/*
 * An skb at addr with len bytes, its head at head (head_frag or not, end
 * offset 512 so skb_shared_info is at head + 512), and frags at the given
 * struct page addresses.
 */
static void mkskb(struct fakemem *f, uint64_t addr, uint64_t next, uint32_t len,
		  uint64_t head, bool head_frag, const uint64_t *frags,
		  unsigned nr_frags)
{
	memset(fakemem_at(f, addr, layout.skb_size), 0, layout.skb_size);
	fakemem_put64(f, addr + layout.off_next, next);
	fakemem_put32(f, addr + layout.off_len, len);
	fakemem_put32(f, addr + layout.off_truesize, 1000 + len);
	fakemem_put64(f, addr + layout.off_head, head);
	fakemem_put32(f, addr + layout.off_end, 512);
	fakemem_put8(f, addr + layout.off_head_frag, head_frag ? layout.head_frag_mask : 0);
	uint64_t si = head + 512;
	memset(fakemem_at(f, si, 320), 0, 320);
	fakemem_put8(f, si + layout.off_nr_frags, (uint8_t)nr_frags);
	for (unsigned i = 0; i < nr_frags && i < 17; i++) {
		fakemem_put64(f, si + layout.off_frags + i * 16, frags[i]);
		fakemem_put32(f, si + layout.off_frags + i * 16 + 8, 100);
	}
}

static void queue_head(struct fakemem *f, uint64_t h, uint64_t first, uint64_t last,
		       uint32_t qlen)
{
	fakemem_put64(f, h, first);
	fakemem_put64(f, h + 8, last);
	fakemem_put32(f, h + layout.off_qlen, qlen);
}

static bool warned(const struct mw_warnings *w, const char *needle)
{
	for (size_t i = 0; i < w->kept; i++)
		if (strstr(w->text[i], needle))
			return true;
	return false;
}

static void show(const struct mw_warnings *w)
{
	for (size_t i = 0; i < w->kept; i++)
		tap_diag("warning: %s", w->text[i]);
}

struct world {
	struct fakemem *f;
	struct mw_kmem mem;
	struct mw_warnings w;
	struct mw_skb_walker sw;
};

static void world_init(struct world *x, struct fakemem *f)
{
	fakemem_init(f);
	fakemem_map(f, DMAP, NR_PFNS * PAGE);
	fakemem_map(f, VMEMMAP, NR_PFNS * SPAGE);
	x->f = f;
	x->mem = (struct mw_kmem){
		.read = fakemem_read, .arg = f, .page_offset_base = DMAP,
		.vmemmap_base = VMEMMAP, .max_pfn = NR_PFNS,
		.page_struct_size = SPAGE, .page_shift = 12,
	};
	mw_warnings_init(&x->w);
	/* pfn 2: a slab page (kmalloc'd heads); pfns 8-15 and 24-31: order-3
	 * compound pages; pfn 16: an order-0 page */
	fakemem_put64(f, pg(2), 1ULL << PG_SLAB);
	compound(f, 8, 3);
	compound(f, 24, 3);
	struct mw_error *err = mw_skb_walker_init(&x->sw, &x->mem, &layout, &x->w);
	if (err)
		abort();
}

static void world_deinit(struct world *x)
{
	mw_skb_walker_deinit(&x->sw);
	mw_warnings_deinit(&x->w);
	fakemem_deinit(x->f);
}

/* pfn 1 holds skbs at 256-byte steps; pfn 0 queue heads */
static uint64_t skb_at(unsigned i) { return va(1, 256 * i); }

static void test_good_queue(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	uint64_t h = va(0, 0);
	/* three skbs: a slab head, a page-frag head in the order-3 page at 8,
	 * and one with frags: two in the order-3 page at 24, one order-0 */
	uint64_t frags[3] = { pg(25), pg(31), pg(16) };
	mkskb(&f, skb_at(0), skb_at(1), 10, va(2, 0), false, NULL, 0);
	mkskb(&f, skb_at(1), skb_at(2), 20, va(9, 1024), true, NULL, 0);
	mkskb(&f, skb_at(2), h, 300, va(9, 2048), true, frags, 3);
	queue_head(&f, h, skb_at(0), skb_at(2), 3);
	struct mw_skb_stats st = { 0 };
	struct mw_error *err = mw_skb_walk_list(&x.sw, h, "good queue", &st);
	tap_ok(!err, "good queue: walked");
	tap_ok(st.skbs == 3 && st.bytes == 330 && st.frags == 3,
	       "good queue: 3 skbs, 330 bytes, 3 frags (got %" PRIu64 ", %" PRIu64
	       ", %" PRIu64 ")", st.skbs, st.bytes, st.frags);
	tap_ok(st.truesize == 3000 + 330, "good queue: truesize summed");
	tap_ok(st.head_bytes == 512 + 320 && st.page_heads == 2,
	       "good queue: one slab head (832 bytes), two page-frag heads");
	tap_ok(!st.bad_skbs && !st.truncated && x.w.kept == 0, "good queue: no warnings");
	show(&x.w);
	uint64_t npages, by_order[MW_SKB_ORDERS] = { 0 };
	err = mw_skb_owner_end(&x.sw, 0, &npages, by_order);
	tap_ok(!err && npages == 3 && by_order[3] == 2 && by_order[0] == 1,
	       "good queue: 3 compound pages (order 3 at pfn 8 and 24, order 0 at 16), got %" PRIu64,
	       npages);
	struct mw_skb_page *p;
	size_t n;
	err = mw_skb_pages(&x.sw, &p, &n);
	tap_ok(!err && n == 3 && p[0].pfn == 8 && p[0].order == 3 && p[1].pfn == 16 &&
	       p[2].pfn == 24 && p[2].refs == 2,
	       "good queue: sorted set 8/3, 16/0, 24/3 (2 refs)");
	free(p);
	world_deinit(&x);
}

static void test_loop(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	uint64_t h = va(0, 0);
	/* 0 -> 1 -> 2 -> 3 -> 1: never returns to the head */
	for (unsigned i = 0; i < 4; i++)
		mkskb(&f, skb_at(i), skb_at(i == 3 ? 1 : i + 1), 10, va(2, 1024 * i),
		      false, NULL, 0);
	queue_head(&f, h, skb_at(0), skb_at(3), 4);
	struct mw_skb_stats st = { 0 };
	uint64_t before = f.reads;
	struct mw_error *err = mw_skb_walk_list(&x.sw, h, "looping queue", &st);
	tap_ok(!err && st.truncated, "looping list: walk ends, marked truncated");
	tap_ok(warned(&x.w, "loops"), "looping list: a warning says it loops");
	tap_ok(st.skbs >= 4 && st.skbs <= 16 && f.reads - before < 1000,
	       "looping list: stopped after %" PRIu64 " skbs, %" PRIu64 " reads",
	       st.skbs, f.reads - before);
	show(&x.w);

	/* a self loop in the backlog chain */
	mkskb(&f, skb_at(5), skb_at(5), 10, va(2, 0), false, NULL, 0);
	struct mw_skb_stats st2 = { 0 };
	err = mw_skb_walk_chain(&x.sw, skb_at(5), "backlog", &st2);
	tap_ok(!err && st2.truncated && warned(&x.w, "backlog: skb list loops"),
	       "backlog self-loop: warned, stopped after %" PRIu64 " skbs", st2.skbs);
	world_deinit(&x);
}

static void test_bad_skbs(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	uint64_t h = va(0, 0);
	uint64_t good[1] = { pg(16) };
	uint64_t outside[2] = { pg(16), 0xffffea00deadbe00ULL };
	uint64_t unaligned[1] = { pg(16) + 8 };
	mkskb(&f, skb_at(0), skb_at(1), 10, va(2, 0), false, good, 1);
	/* nr_frags 200 > MAX_SKB_FRAGS 17 */
	mkskb(&f, skb_at(1), skb_at(2), 20, va(2, 1024), false, NULL, 0);
	fakemem_put8(&f, va(2, 1024) + 512 + layout.off_nr_frags, 200);
	/* a frag page outside the vmemmap */
	mkskb(&f, skb_at(2), skb_at(3), 30, va(2, 2048), false, outside, 2);
	/* a frag page pointer inside the vmemmap but not on a struct page */
	mkskb(&f, skb_at(3), skb_at(4), 40, va(3, 0), false, unaligned, 1);
	/* a head outside the direct map */
	mkskb(&f, skb_at(4), skb_at(5), 50, va(3, 1024), false, NULL, 0);
	fakemem_put64(&f, skb_at(4) + layout.off_head, 0xffffc90000000000ULL);
	/* a good one after all that */
	mkskb(&f, skb_at(5), h, 60, va(9, 0), true, good, 1);
	queue_head(&f, h, skb_at(0), skb_at(5), 6);
	struct mw_skb_stats st = { 0 };
	struct mw_error *err = mw_skb_walk_list(&x.sw, h, "bad queue", &st);
	tap_ok(!err, "bad skbs: walked");
	tap_ok(st.bad_skbs == 4 && st.skbs == 2 && st.bytes == 70,
	       "bad skbs: 4 skipped, the 2 good ones counted (bad %" PRIu64
	       ", skbs %" PRIu64 ", bytes %" PRIu64 ")", st.bad_skbs, st.skbs, st.bytes);
	tap_ok(warned(&x.w, "nr_frags 200 above MAX_SKB_FRAGS 17"),
	       "bad skbs: nr_frags above MAX_SKB_FRAGS warned");
	tap_ok(warned(&x.w, "outside the vmemmap"), "bad skbs: frag page outside the vmemmap warned");
	tap_ok(warned(&x.w, "skb 0x" ) && warned(&x.w, "outside the direct map"),
	       "bad skbs: head outside the direct map warned, with the skb address");
	show(&x.w);
	world_deinit(&x);
}

static void test_rbtree(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	uint64_t root = va(0, 64);
	/* root skb 0 with children 1 (left) and 2 (right); good tree */
	for (unsigned i = 0; i < 3; i++)
		mkskb(&f, skb_at(i), 0, 10, va(2, 1024 * i), false, NULL, 0);
	fakemem_put64(&f, skb_at(0) + layout.off_rb_left, skb_at(1));
	fakemem_put64(&f, skb_at(0) + layout.off_rb_right, skb_at(2));
	fakemem_put64(&f, skb_at(1) + layout.off_rb_parent, skb_at(0));
	fakemem_put64(&f, skb_at(2) + layout.off_rb_parent, skb_at(0) | 1);	/* black */
	fakemem_put64(&f, root, skb_at(0));
	struct mw_skb_stats st = { 0 };
	struct mw_error *err = mw_skb_walk_rbtree(&x.sw, root, "ofo", &st);
	tap_ok(!err && st.skbs == 3 && !st.truncated && x.w.kept == 0,
	       "rb-tree: 3 nodes walked (got %" PRIu64 ")", st.skbs);
	/* now a cycle: node 2's left child is the root */
	fakemem_put64(&f, skb_at(2) + layout.off_rb_left, skb_at(0));
	struct mw_skb_stats st2 = { 0 };
	err = mw_skb_walk_rbtree(&x.sw, root, "ofo", &st2);
	tap_ok(!err && st2.truncated && st2.skbs == 3 && warned(&x.w, "has parent"),
	       "rb-tree with a cycle: warned, each node once (got %" PRIu64 ")", st2.skbs);
	show(&x.w);
	world_deinit(&x);
}

static void test_frag_list_loop(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	/* skb 0's frag_list: 1 -> 2 -> 1 */
	mkskb(&f, skb_at(0), 0, 10, va(2, 0), false, NULL, 0);
	mkskb(&f, skb_at(1), skb_at(2), 10, va(2, 1024), false, NULL, 0);
	mkskb(&f, skb_at(2), skb_at(1), 10, va(2, 2048), false, NULL, 0);
	fakemem_put64(&f, va(2, 0) + 512 + layout.off_frag_list, skb_at(1));
	struct mw_skb_stats st = { 0 };
	struct mw_error *err = mw_skb_walk_one(&x.sw, skb_at(0), "frag_list", &st);
	tap_ok(!err && st.truncated && warned(&x.w, "frag_list loops"),
	       "frag_list loop: warned, stopped (%" PRIu64 " frag_list skbs)",
	       st.frag_list_skbs);
	world_deinit(&x);
}

/* A frag_list pointing at memory not in the dump: a warning and a partial
 * result (the error is reported once, not returned after being freed). */
static void test_frag_list_unmapped(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	mkskb(&f, skb_at(0), 0, 10, va(2, 0), false, NULL, 0);
	uint64_t wild = DMAP + 0x40000000ULL; /* a kernel address, not in the image */
	fakemem_put64(&f, va(2, 0) + 512 + layout.off_frag_list, wild);
	struct mw_skb_stats st = { 0 };
	struct mw_error *err = mw_skb_walk_one(&x.sw, skb_at(0), "frag_list", &st);
	tap_ok(!err, "frag_list unmapped: no error returned");
	tap_ok(st.truncated && st.skbs == 1 && warned(&x.w, "frag_list skb 0x") &&
	       warned(&x.w, "unreadable"), "frag_list unmapped: warned, skb counted, truncated");
	if (err)
		mw_error_destroy(err);
	world_deinit(&x);
}

/* len and truesize are checked against the buffers the skb has: one
 * beyond them (INT32 extremes) is a warning and not counted. */
static void test_bad_sizes(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	uint64_t h = va(0, 0);
	uint64_t frags[1] = { pg(25) };
	mkskb(&f, skb_at(0), skb_at(1), 10, va(2, 0), false, NULL, 0);
	/* len INT32_MAX: more than its 512-byte head */
	mkskb(&f, skb_at(1), skb_at(2), 20, va(2, 1024), false, NULL, 0);
	fakemem_put32(&f, skb_at(1) + layout.off_len, 0x7fffffff);
	/* truesize INT32_MIN read as unsigned: 2 GiB */
	mkskb(&f, skb_at(2), skb_at(3), 30, va(2, 2048), false, NULL, 0);
	fakemem_put32(&f, skb_at(2) + layout.off_truesize, 0x80000000u);
	/* len 4000 in a frag of an order-3 page (data_len 3960): fine */
	mkskb(&f, skb_at(3), skb_at(4), 4000, va(3, 0), false, frags, 1);
	fakemem_put32(&f, skb_at(3) + layout.off_data_len, 3960);
	/* data_len above len */
	mkskb(&f, skb_at(4), skb_at(5), 50, va(3, 1024), false, NULL, 0);
	fakemem_put32(&f, skb_at(4) + layout.off_data_len, 60);
	/* a frag_list parent: its len holds its child's 40 */
	mkskb(&f, skb_at(5), h, 100, va(3, 2048), false, NULL, 0);
	fakemem_put32(&f, skb_at(5) + layout.off_data_len, 40);
	fakemem_put32(&f, skb_at(5) + layout.off_truesize, 1000 + 1040);
	mkskb(&f, skb_at(6), 0, 40, va(4, 0), false, NULL, 0);
	fakemem_put64(&f, va(3, 2048) + 512 + layout.off_frag_list, skb_at(6));
	queue_head(&f, h, skb_at(0), skb_at(5), 6);
	struct mw_skb_stats st = { 0 };
	struct mw_error *err = mw_skb_walk_list(&x.sw, h, "sizes", &st);
	tap_ok(!err && st.skbs == 6 && st.frag_list_skbs == 1, "bad sizes: walked, 6 skbs");
	tap_ok(st.bytes == 10 + 30 + 4000 + 100,
	       "bad sizes: len INT32_MAX and data_len > len not counted (bytes %" PRIu64 ")",
	       st.bytes);
	tap_ok(st.truesize == 1010 + 1020 + 5000 + 1050 + 2040 + 1040,
	       "bad sizes: truesize 2 GiB not counted (truesize %" PRIu64 ")", st.truesize);
	tap_ok(st.truncated && warned(&x.w, "sizes: skb 0xffff888000001100: len 2147483647") &&
	       warned(&x.w, "truesize 2147483648 is more than") &&
	       x.w.kept == 2 && warned(&x.w, "not counted (and 1 more like it)") &&
	       !warned(&x.w, "0xffff888000001300") && !warned(&x.w, "0xffff888000001500"),
	       "bad sizes: the bad len, truesize and data_len warned (two alike counted on one),"
	       " the good not");
	show(&x.w);
	world_deinit(&x);
}

/* A queue longer than sk_buffs fit in the machine's RAM stops there. */
static void test_queue_cap(void)
{
	struct fakemem f;
	struct world x;
	world_init(&x, &f);
	tap_ok(x.sw.max_skbs == NR_PFNS * PAGE / layout.skb_size + 1,
	       "queue cap: RAM / sizeof(struct sk_buff) (%" PRIu64 ")", x.sw.max_skbs);
	world_deinit(&x);
}

static void test_cycle(void)
{
	/* a tail of 1000 nodes into a loop of 37: found within a few
	 * thousand steps */
	struct mw_cycle c;
	mw_cycle_init(&c, 0);
	uint64_t x = 0, steps = 0;
	bool found = false;
	while (steps < 100000) {
		x = x < 1037 ? x + 1 : 1000;
		steps++;
		if (mw_cycle_step(&c, x)) {
			found = true;
			break;
		}
	}
	tap_ok(found && steps < 4 * 1037, "cycle detection: tail 1000, loop 37: found after %" PRIu64
	       " steps", steps);
	mw_cycle_init(&c, 0);
	found = false;
	for (uint64_t i = 1; i < 100000; i++)
		if (mw_cycle_step(&c, i))
			found = true;
	tap_ok(!found, "cycle detection: no false loop on 100000 distinct nodes");
}

int main(void)
{
	test_cycle();
	test_good_queue();
	test_loop();
	test_bad_skbs();
	test_rbtree();
	test_frag_list_loop();
	test_frag_list_unmapped();
	test_bad_sizes();
	test_queue_cap();
	return tap_done();
}
