/* BPF: the memory formulas against the numbers a kernel printed, and the
 * bounded xarray walk (map_idr, prog_idr) over xarrays laid out by hand:
 * one entry at the root, two levels of nodes, a node that points back up,
 * an unreadable node, and the caps. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "analyzer/bpf.h"
#include "analyzer/findings.h"
#include "analyzer/xarray.h"
#include "tests/fakemem.h"
#include "tests/tap.h"

/*
 * The fdinfo memlock of maps made by scripts/guest/mwtool's bpf-load on a
 * 6.18 kernel with 2 possible CPUs, whose BTF gives sizeof(struct bpf_array)
 * 312, sizeof(struct bpf_htab) 832, sizeof(struct bucket) 16 (the element
 * sizes are sizeof(struct htab_elem) 48 + round_up(key, 8) + the value's
 * round_up(value, 8) or, per-CPU, 8, as htab_map_alloc sets them; n_buckets
 * is max_entries rounded up to a power of two).
 */
static void formulas(void)
{
	struct mw_bpf_map_numbers n = { .page_size = 4096, .possible_cpus = 2, .struct_size = 312 };
	bool exact;

	n.type = MW_BPF_MAP_ARRAY, n.key_size = 4, n.value_size = 1024, n.max_entries = 2048;
	n.elem_size = 1024;
	tap_ok(mw_bpf_array_mem_usage(&n) == 2097464, "array 4/1024 x 2048: 2097464 (fdinfo)");
	n.type = MW_BPF_MAP_PERCPU_ARRAY, n.value_size = 120, n.max_entries = 256, n.elem_size = 120;
	tap_ok(mw_bpf_array_mem_usage(&n) == 63800, "percpu array 4/120 x 256: 63800 (fdinfo)");
	n.type = MW_BPF_MAP_ARRAY, n.value_size = 4096, n.max_entries = 64, n.elem_size = 4096;
	n.map_flags = MW_BPF_F_MMAPABLE;
	tap_ok(mw_bpf_array_mem_usage(&n) == 266240, "mmapable array 4/4096 x 64: 266240 (fdinfo)");

	n = (struct mw_bpf_map_numbers){ .page_size = 4096, .possible_cpus = 2, .struct_size = 832,
					 .bucket_size = 16 };
	n.type = MW_BPF_MAP_HASH, n.key_size = 8, n.value_size = 64, n.max_entries = 1000;
	n.n_buckets = 1024, n.elem_size = 48 + 8 + 64;
	tap_ok(mw_bpf_htab_mem_usage(&n, &exact) == 137536 && exact,
	       "hash 8/64 x 1000 preallocated: 137536 (fdinfo), exact");
	n.value_size = 256, n.max_entries = 4096, n.n_buckets = 4096, n.elem_size = 48 + 8 + 256;
	n.map_flags = MW_BPF_F_NO_PREALLOC, n.count = 300;
	tap_ok(mw_bpf_htab_mem_usage(&n, &exact) == 162432 && exact,
	       "hash 8/256 x 4096 not preallocated, 300 elements: 162432 (fdinfo)");
	n.type = MW_BPF_MAP_PERCPU_HASH, n.value_size = 16, n.max_entries = 512, n.n_buckets = 512;
	n.elem_size = 48 + 8 + 8, n.map_flags = 0, n.count = 0;
	tap_ok(mw_bpf_htab_mem_usage(&n, &exact) == 58240 && exact,
	       "percpu hash 8/16 x 512: 58240 (fdinfo)");
	n.type = MW_BPF_MAP_LRU_HASH, n.value_size = 32, n.max_entries = 1024, n.n_buckets = 1024;
	n.elem_size = 48 + 8 + 32;
	tap_ok(mw_bpf_htab_mem_usage(&n, &exact) == 107392 && !exact,
	       "LRU hash 8/32 x 1024: 107392 (fdinfo), flagged not exact");

	/* ring buffer of 64 KiB: 16 data pages and 3 meta pages (6.18's
	 * RINGBUF_NR_META_PAGES), sizeof(struct bpf_ringbuf_map) 304 there */
	n = (struct mw_bpf_map_numbers){ .page_size = 4096, .type = 27, .max_entries = 65536,
					 .struct_size = 304, .nr_pages = 19 };
	tap_ok(mw_bpf_ringbuf_mem_usage(&n) == 78408, "ringbuf 64 KiB: 78408 (fdinfo)");

	/* 5.11 to 6.3: round_up(max_entries * round_up(key + value, 8), PAGE_SIZE) */
	n = (struct mw_bpf_map_numbers){ .page_size = 4096, .key_size = 4, .value_size = 9,
					 .max_entries = 1000 };
	tap_ok(mw_bpf_map_footprint(&n) == 16384, "footprint 4+9 -> 16 x 1000 = 16000 -> 16384");
	/* 6.1's fdinfo, 2 possible CPUs: per-CPU values once per CPU */
	n = (struct mw_bpf_map_numbers){ .page_size = 4096, .possible_cpus = 2, .key_size = 8,
					 .value_size = 16, .max_entries = 512,
					 .type = MW_BPF_MAP_PERCPU_HASH };
	tap_ok(mw_bpf_map_footprint(&n) == 20480, "footprint percpu hash 8/16 x 512: 20480 (6.1 fdinfo)");
	n.type = MW_BPF_MAP_PERCPU_ARRAY, n.key_size = 4, n.value_size = 120, n.max_entries = 256;
	tap_ok(mw_bpf_map_footprint(&n) == 65536, "footprint percpu array 4/120 x 256: 65536 (6.1 fdinfo)");
	n.max_entries = 0xffffffffu, n.key_size = 0xffffffffu, n.value_size = 0xffffffffu;
	tap_ok(mw_bpf_map_footprint(&n) > 0xffffffffull, "footprint does not wrap at 32 bits");

	tap_is_str(mw_bpf_map_type_name(27), "ringbuf", "map type 27 is ringbuf");
	tap_ok(mw_bpf_map_type_name(1000) == NULL, "an unknown map type has no name");
	tap_is_str(mw_bpf_prog_type_name(1), "socket_filter", "prog type 1 is socket_filter");
}

/* ---- xarray ---- */

enum { BASE = 0xffff888000000000ull, SIZE = 1 << 20, SHIFT_OFF = 0, SLOTS_OFF = 16,
       NODE_SIZE = SLOTS_OFF + 8 * MW_XA_CHUNK };

struct seen {
	uint64_t index[256], entry[256];
	size_t n;
	size_t stop_after;
};

static bool visit(void *ctx, uint64_t index, uint64_t entry)
{
	struct seen *s = ctx;
	if (s->n < 256) {
		s->index[s->n] = index;
		s->entry[s->n] = entry;
	}
	s->n++;
	return !s->stop_after || s->n < s->stop_after;
}

static uint64_t node(struct fakemem *m, unsigned shift)
{
	uint64_t a = fakemem_alloc(m, NODE_SIZE);
	fakemem_put8(m, a + SHIFT_OFF, (uint8_t)shift);
	return a;
}

static void slot(struct fakemem *m, uint64_t n, unsigned i, uint64_t v)
{
	fakemem_put64(m, n + SLOTS_OFF + 8ull * i, v);
}

static struct mw_xarray xa(struct fakemem *m, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	return (struct mw_xarray){ .read = fakemem_read, .arg = m, .node_shift = SHIFT_OFF,
				   .node_slots = SLOTS_OFF, .max_nodes = 100,
				   .max_entries = 1000, .visit = visit, .ctx = s };
}

static void xarrays(void)
{
	struct fakemem m;
	struct seen s;
	fakemem_init(&m);
	fakemem_map(&m, BASE, SIZE);

	/* empty, and one entry at the root (index 0) */
	struct mw_xarray x = xa(&m, &s);
	tap_ok(mw_xarray_walk(&x, 0) == MW_XARRAY_DONE && s.n == 0, "empty xarray: no entries");
	uint64_t obj = fakemem_alloc(&m, 64);
	x = xa(&m, &s);
	tap_ok(mw_xarray_walk(&x, obj) == MW_XARRAY_DONE && s.n == 1 && s.index[0] == 0 &&
	       s.entry[0] == obj, "an entry at the root is index 0");

	/* two levels: top (shift 6) with children at slots 0 and 3 */
	uint64_t top = node(&m, 6), c0 = node(&m, 0), c3 = node(&m, 0);
	slot(&m, top, 0, c0 | 2);
	slot(&m, top, 3, c3 | 2);
	slot(&m, c0, 1, obj);			/* index 1 */
	slot(&m, c0, 2, 0x102);			/* a retry entry: skipped */
	slot(&m, c0, 5, 0x41);			/* a value entry: skipped */
	slot(&m, c3, 63, obj + 64);		/* index 3 * 64 + 63 = 255 */
	x = xa(&m, &s);
	enum mw_xarray_end e = mw_xarray_walk(&x, top | 2);
	tap_ok(e == MW_XARRAY_DONE && s.n == 2 && s.index[0] == 1 && s.index[1] == 255 &&
	       s.entry[1] == obj + 64 && x.nodes == 3,
	       "two levels: indexes 1 and 255, 3 nodes (got %zu entries, end %d)", s.n, (int)e);

	/* the visitor stops the walk */
	x = xa(&m, &s);
	s.stop_after = 1;
	tap_ok(mw_xarray_walk(&x, top | 2) == MW_XARRAY_STOPPED && s.n == 1, "the visitor stops it");

	/* caps from the caller */
	x = xa(&m, &s);
	x.max_entries = 1;
	tap_ok(mw_xarray_walk(&x, top | 2) == MW_XARRAY_ENTRY_LIMIT && s.n == 1,
	       "more entries than max_entries: cut after 1");
	x = xa(&m, &s);
	x.max_nodes = 2;
	tap_ok(mw_xarray_walk(&x, top | 2) == MW_XARRAY_NODE_LIMIT && s.n == 1,
	       "more nodes than max_nodes: cut, the first child's entry kept");

	/* a child that points back at its parent: the shift does not fit */
	slot(&m, c3, 0, top | 2);
	x = xa(&m, &s);
	e = mw_xarray_walk(&x, top | 2);
	tap_ok(e == MW_XARRAY_BAD_SHIFT && x.bad_address == top,
	       "a loop back to the top node ends on the shift check (%s)", mw_xarray_end_text(e));
	/* a node pointing at itself */
	slot(&m, c3, 0, c3 | 2);
	x = xa(&m, &s);
	tap_ok(mw_xarray_walk(&x, top | 2) == MW_XARRAY_BAD_SHIFT, "a node pointing at itself ends");
	slot(&m, c3, 0, 0);

	/* a child whose shift skips a level */
	fakemem_put8(&m, c0 + SHIFT_OFF, 12);
	x = xa(&m, &s);
	tap_ok(mw_xarray_walk(&x, top | 2) == MW_XARRAY_BAD_SHIFT && s.n == 0,
	       "a child with a larger shift than its parent's minus 6 ends");
	fakemem_put8(&m, c0 + SHIFT_OFF, 3);
	x = xa(&m, &s);
	tap_ok(mw_xarray_walk(&x, top | 2) == MW_XARRAY_BAD_SHIFT, "a shift not a multiple of 6 ends");
	fakemem_put8(&m, c0 + SHIFT_OFF, 0);

	/* a node outside the image */
	slot(&m, top, 5, (BASE + 2 * SIZE) | 2);
	x = xa(&m, &s);
	e = mw_xarray_walk(&x, top | 2);
	tap_ok(e == MW_XARRAY_UNREADABLE && s.n == 2 && x.bad_address == BASE + 2 * SIZE,
	       "an unreadable node: the entries before are kept");
	fakemem_deinit(&m);
}

/* bpf-memory-large from 5% of RAM, critical from 25% */
static void finding(void)
{
	struct mw_bpf_map maps[2] = { { .id = 7, .memlock_bytes = 40 << 20 },
				      { .id = 3, .memlock_bytes = 1 << 20 } };
	struct mw_bpf b = { .maps = maps, .nr_maps = 2, .map_bytes = 41 << 20,
			    .nr_progs = 1, .prog_bytes = 4096, .jit_bytes = 64 };
	uint64_t all = b.map_bytes + b.prog_bytes + b.jit_bytes;
	struct mw_findings f = { 0 };
	tap_ok(!mw_bpf_findings(&b, all * 20 + 1, &f) && f.nr == 0, "under 5%% of RAM: no finding");
	tap_ok(!mw_bpf_findings(&b, 0, &f) && f.nr == 0, "RAM unknown: no finding");
	tap_ok(!mw_bpf_findings(&b, all * 20, &f) && f.nr == 1 &&
	       f.v[0].kind == MW_FINDING_BPF_LARGE && f.v[0].severity == MW_SEVERITY_WARNING &&
	       f.v[0].bytes == all && f.v[0].u.bpf.largest_map == &maps[0] &&
	       f.v[0].u.bpf.prog_bytes == 4096 + 64, "5%% of RAM: a warning, the largest map named");
	tap_ok(!mw_bpf_findings(&b, all * 4, &f) && f.nr == 2 &&
	       f.v[1].severity == MW_SEVERITY_CRITICAL, "25%% of RAM: critical");
	tap_is_str(mw_finding_id(MW_FINDING_BPF_LARGE), "bpf-memory-large", "its id");
	mw_findings_deinit(&f);
}

int main(void)
{
	formulas();
	xarrays();
	finding();
	return tap_done();
}
