/* The kdump-compressed and flattened readers on synthetic files built here.
 *
 * The files follow makedumpfile's layout (diskdump_mod.h: disk_dump_header,
 * kdump_sub_header, two bitmaps, 24-byte page descriptors, page data) and
 * its flattened stream (4096-byte "makedumpfile" header, big-endian
 * {offset, size} records, end marker -1). Page contents are generated from
 * the pfn, so every byte read can be checked against what was written.
 */
#include "config.h"

#include <endian.h>
#include <fcntl.h>
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/reader.h"
#include "formats/source.h"
#include "tests/tap.h"

enum {
	BS = 4096,
	F_ZLIB = 0x1, F_LZO = 0x2, F_SNAPPY = 0x4, F_INCOMPLETE = 0x8, F_ZSTD = 0x20,
};

static char tmpdir[256];

/* ---- page contents ---- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* pfn % 5: 0 zeros, 1 random (incompressible), else compressible text */
static void page_data(uint64_t pfn, uint8_t *p)
{
	switch (pfn % 5) {
	case 0:
		memset(p, 0, BS);
		break;
	case 1:
		for (size_t i = 0; i < BS; i += 8) {
			uint64_t v = mix(pfn * 4096 + i);
			memcpy(p + i, &v, 8);
		}
		break;
	default:
		for (size_t i = 0; i < BS; i++)
			p[i] = (uint8_t)("pfn-text "[i % 9] + (i / 512) + pfn % 7);
		memcpy(p, &pfn, sizeof(pfn));
		break;
	}
}

static bool is_zero(const uint8_t *p)
{
	for (size_t i = 0; i < BS; i++)
		if (p[i])
			return false;
	return true;
}

/* ---- growing buffer ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t len)
{
	if (len <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < len)
		cap *= 2;
	b->p = realloc(b->p, cap);
	memset(b->p + b->cap, 0, cap - b->cap);
	b->cap = cap;
}

static void buf_put(struct buf *b, size_t off, const void *src, size_t len)
{
	buf_reserve(b, off + len);
	memcpy(b->p + off, src, len);
	if (off + len > b->len)
		b->len = off + len;
}

static void put32(struct buf *b, size_t off, uint32_t v)
{
	v = htole32(v);
	buf_put(b, off, &v, 4);
}

static void put64(struct buf *b, size_t off, uint64_t v)
{
	v = htole64(v);
	buf_put(b, off, &v, 8);
}

/* ---- the kdump writer ---- */

struct spec {
	int version;
	uint64_t max_mapnr;
	int64_t max_mapnr32;		/* -1: same as max_mapnr */
	const uint8_t *ram;		/* per pfn: 1st bitmap */
	const uint8_t *dumped;		/* per pfn: 2nd bitmap */
	uint32_t comp;			/* F_* for compressible pages, 0 raw */
	bool share_zero;		/* zero pages: one shared descriptor target */
	uint64_t lost_from;		/* descriptors from this rank on: offset 0 */
	bool status_incomplete;
	bool split;
	uint64_t split_start, split_end;
	const char *vmcoreinfo;
	bool vmcoreinfo_note;		/* as an ELF note (v4+), else offset_vmcoreinfo */
	int nr_prstatus;
	int nr_cpus;
};

struct layout {
	uint64_t bitmap_off, half, desc_off;
	uint64_t nr_desc;
	uint64_t first_data_off;	/* offset of the first non-shared page data */
	uint64_t first_comp_rank;	/* rank of a compressed page, or -1 */
	uint64_t first_raw_rank;
};

static void note(struct buf *b, size_t *off, const char *name, uint32_t type,
		 const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	put32(b, *off, namesz);
	put32(b, *off + 4, descsz);
	put32(b, *off + 8, type);
	buf_put(b, *off + 12, name, namesz);
	size_t d = *off + 12 + ((namesz + 3) & ~3u);
	buf_put(b, d, desc, descsz);
	*off = d + ((descsz + 3) & ~3u);
}

static size_t compress_page(uint32_t comp, const uint8_t *in, uint8_t *out)
{
	size_t cap = 2 * BS + 1024;
	if (comp == F_ZLIB) {
		uLongf n = cap;
		compress2(out, &n, in, BS, 6);
		return n;
	}
	if (comp == F_LZO) {
		static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
		lzo_uint n = cap;
		lzo1x_1_compress(in, BS, out, &n, wrk);
		return n;
	}
	if (comp == F_SNAPPY) {
		size_t n = cap;
		snappy_compress((const char *)in, BS, (char *)out, &n);
		return n;
	}
	return ZSTD_compress(out, cap, in, BS, 1);
}

static void build_kdump(const struct spec *s, struct buf *b, struct layout *lay)
{
	memset(b, 0, sizeof(*b));
	memset(lay, 0, sizeof(*lay));
	lay->first_comp_rank = lay->first_raw_rank = UINT64_MAX;
	/* header */
	buf_put(b, 0, "KDUMP   ", 8);
	put32(b, 8, (uint32_t)s->version);
	buf_put(b, 12, "Linux", 5);
	buf_put(b, 12 + 65, "testhost", 8);
	buf_put(b, 12 + 130, "6.1.0-test", 10);
	buf_put(b, 12 + 260, "x86_64", 6);
	uint32_t status = s->status_incomplete ? F_INCOMPLETE : 0;
	put32(b, 424, status);
	put32(b, 428, BS);

	/* notes and VMCOREINFO go in the sub-header blocks after block 1 */
	struct buf nb = { 0 };
	size_t noff = 0;
	uint8_t prstatus[336] = { 0 };
	for (int i = 0; i < s->nr_prstatus; i++)
		note(&nb, &noff, "CORE", 1, prstatus, sizeof(prstatus));
	if (s->vmcoreinfo && s->vmcoreinfo_note)
		note(&nb, &noff, "VMCOREINFO", 0, s->vmcoreinfo,
		     (uint32_t)strlen(s->vmcoreinfo));
	uint64_t extra_off = 2 * BS;
	uint64_t vmci_off = extra_off + noff;
	uint64_t vmci_len = s->vmcoreinfo && !s->vmcoreinfo_note ? strlen(s->vmcoreinfo) : 0;
	uint64_t extra_len = noff + vmci_len;
	uint32_t sub_hdr_size = 1 + (uint32_t)((extra_len + BS - 1) / BS);
	if (noff)
		buf_put(b, extra_off, nb.p, noff);
	if (vmci_len)
		buf_put(b, vmci_off, s->vmcoreinfo, vmci_len);
	free(nb.p);
	put32(b, 432, sub_hdr_size);

	uint64_t bitmap_bytes = (s->max_mapnr + 7) / 8;
	uint64_t half_blocks = (bitmap_bytes + BS - 1) / BS;
	if (!half_blocks)
		half_blocks = 1;
	put32(b, 436, (uint32_t)(2 * half_blocks));
	put32(b, 440, s->max_mapnr32 >= 0 ? (uint32_t)s->max_mapnr32 : (uint32_t)s->max_mapnr);
	put32(b, 460, (uint32_t)s->nr_cpus);

	/* sub-header */
	size_t sh = BS;
	put64(b, sh + 0, 0x1000000);		/* phys_base */
	put32(b, sh + 8, 31);			/* dump_level */
	if (s->version >= 2 && s->split) {
		put32(b, sh + 12, 1);
		put64(b, sh + 16, s->version >= 6 ? 0 : s->split_start);
		put64(b, sh + 24, s->version >= 6 ? 0 : s->split_end);
	}
	if (s->version >= 3 && vmci_len) {
		put64(b, sh + 32, vmci_off);
		put64(b, sh + 40, vmci_len);
	}
	if (s->version >= 4 && noff) {
		put64(b, sh + 48, extra_off);
		put64(b, sh + 56, noff);
	}
	if (s->version >= 6) {
		if (s->split) {
			put64(b, sh + 80, s->split_start);
			put64(b, sh + 88, s->split_end);
		}
		put64(b, sh + 96, s->max_mapnr);
	}

	/* bitmaps */
	lay->bitmap_off = (1 + (uint64_t)sub_hdr_size) * BS;
	lay->half = half_blocks * BS;
	buf_reserve(b, lay->bitmap_off + 2 * lay->half);
	b->len = lay->bitmap_off + 2 * lay->half;
	for (uint64_t pfn = 0; pfn < s->max_mapnr; pfn++) {
		if (s->ram[pfn])
			b->p[lay->bitmap_off + pfn / 8] |= (uint8_t)(1 << (pfn % 8));
		if (s->dumped[pfn])
			b->p[lay->bitmap_off + lay->half + pfn / 8] |= (uint8_t)(1 << (pfn % 8));
	}

	/* descriptors and data */
	lay->desc_off = lay->bitmap_off + 2 * lay->half;
	uint64_t first = s->split ? s->split_start : 0;
	uint64_t end = s->split ? s->split_end : s->max_mapnr;
	uint64_t nr = 0;
	for (uint64_t pfn = first; pfn < end; pfn++)
		nr += s->dumped[pfn];
	lay->nr_desc = nr;
	uint64_t data = lay->desc_off + nr * 24;
	uint8_t page[BS], out[2 * BS + 1024];
	uint64_t zero_off = 0;
	uint32_t zero_size = 0, zero_flags = 0;
	if (s->share_zero) {
		memset(page, 0, BS);
		zero_off = data;
		if (s->comp) {
			zero_size = (uint32_t)compress_page(s->comp, page, out);
			zero_flags = s->comp;
			buf_put(b, data, out, zero_size);
		} else {
			zero_size = BS;
			buf_put(b, data, page, BS);
		}
		data += zero_size;
	}
	lay->first_data_off = data;
	uint64_t rank = 0;
	for (uint64_t pfn = first; pfn < end; pfn++) {
		if (!s->dumped[pfn])
			continue;
		uint64_t d = lay->desc_off + rank * 24;
		if (rank >= s->lost_from) {
			buf_reserve(b, d + 24);	/* stays zero */
			if (d + 24 > b->len)
				b->len = d + 24;
			rank++;
			continue;
		}
		page_data(pfn, page);
		uint64_t off;
		uint32_t size, flags = 0;
		if (s->share_zero && is_zero(page)) {
			off = zero_off;
			size = zero_size;
			flags = zero_flags;
		} else {
			size_t n = s->comp ? compress_page(s->comp, page, out) : BS;
			off = data;
			if (s->comp && n < BS) {
				size = (uint32_t)n;
				flags = s->comp;
				buf_put(b, data, out, n);
				if (lay->first_comp_rank == UINT64_MAX)
					lay->first_comp_rank = rank;
			} else {
				size = BS;
				buf_put(b, data, page, BS);
				if (lay->first_raw_rank == UINT64_MAX)
					lay->first_raw_rank = rank;
			}
			data += size;
		}
		put64(b, d, off);
		put32(b, d + 8, size);
		put32(b, d + 12, flags);
		put64(b, d + 16, 0);
		rank++;
	}
}

static char *write_file(const char *name, const uint8_t *p, size_t len)
{
	char *path;
	if (asprintf(&path, "%s/%s", tmpdir, name) < 0)
		abort();
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	return path;
}

/* ---- the flattened writer ---- */

struct rec {
	uint64_t off;
	const uint8_t *data;
	uint64_t len;
};

static void flat_header(struct buf *f)
{
	memset(f, 0, sizeof(*f));
	uint8_t h[4096] = { 0 };
	memcpy(h, "makedumpfile", 12);
	uint64_t one = htobe64(1);
	memcpy(h + 16, &one, 8);
	memcpy(h + 24, &one, 8);
	buf_put(f, 0, h, sizeof(h));
}

static void flat_record(struct buf *f, uint64_t off, const void *data, int64_t len)
{
	uint64_t h[2] = { htobe64(off), htobe64((uint64_t)len) };
	size_t at = f->len;
	buf_put(f, at, h, 16);
	if (len > 0)
		buf_put(f, at + 16, data, (size_t)len);
}

/* a record header alone, whatever it claims */
static void flat_record_header(struct buf *f, uint64_t off, int64_t len)
{
	uint64_t h[2] = { htobe64(off), htobe64((uint64_t)len) };
	buf_put(f, f->len, h, 16);
}

static void flat_end(struct buf *f)
{
	flat_record(f, UINT64_MAX, NULL, -1);
}

/*
 * The logical file as a stream: garbage records first (overwritten later),
 * then the real bytes in shuffled chunks of varied sizes that skip runs of
 * zeros (holes), then a late rewrite of the header that partly overlaps.
 */
static void flatten(const struct buf *logical, struct buf *f, unsigned seed)
{
	flat_header(f);
	uint8_t junk[3000];
	memset(junk, 0xa5, sizeof(junk));
	/* garbage over the header and across chunk boundaries */
	const uint64_t junk_at[3][2] = {
		{ 0, 600 }, { 4000, 3000 }, { logical->len / 2, 1000 },
	};
	for (int i = 0; i < 3; i++)
		if (junk_at[i][0] + junk_at[i][1] <= logical->len)
			flat_record(f, junk_at[i][0], junk, (int64_t)junk_at[i][1]);
	/* chunks */
	size_t n = 0, cap = 64;
	struct rec *r = malloc(cap * sizeof(*r));
	uint64_t x = seed;
	for (uint64_t off = 0; off < logical->len;) {
		x = mix(x + 1);
		uint64_t len = 1 + x % 20000;
		if (len > logical->len - off)
			len = logical->len - off;
		/* leave out chunks of zeros (they read back as holes), unless
		 * they must overwrite junk */
		bool zero = true;
		for (int i = 0; i < 3; i++)
			if (off < junk_at[i][0] + junk_at[i][1] && junk_at[i][0] < off + len)
				zero = false;
		for (uint64_t i = 0; i < len && zero; i++)
			zero = logical->p[off + i] == 0;
		if (!zero) {
			if (n == cap)
				r = realloc(r, (cap *= 2) * sizeof(*r));
			r[n++] = (struct rec){ off, logical->p + off, len };
		}
		off += len;
	}
	for (size_t i = n; i > 1; i--) {	/* shuffle */
		x = mix(x + i);
		size_t j = x % i;
		struct rec t = r[i - 1];
		r[i - 1] = r[j];
		r[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		flat_record(f, r[i].off, r[i].data, (int64_t)r[i].len);
	/* a late rewrite that straddles the header and the sub-header */
	flat_record(f, 100, logical->p + 100, 5000);
	flat_end(f);
	free(r);
}

/* ---- checks ---- */

struct mw_error;

static bool read_ok(struct mw_reader *r, uint64_t pfn)
{
	uint8_t got[BS], want[BS];
	struct mw_error *err = mw_reader_read_phys(r, pfn * BS, got, BS);
	if (err) {
		char *s = mw_error_string(err);
		tap_diag("pfn %#" PRIx64 ": %s", pfn, s);
		free(s);
		mw_error_destroy(err);
		return false;
	}
	page_data(pfn, want);
	return memcmp(got, want, BS) == 0;
}

static bool expect_err(struct mw_error *err, enum mw_error_code code, uint64_t addr)
{
	if (!err)
		return false;
	bool ok = err->code == code && err->address == addr;
	if (!ok) {
		char *s = mw_error_string(err);
		tap_diag("got error %d: %s", err->code, s);
		free(s);
	}
	mw_error_destroy(err);
	return ok;
}

static struct mw_reader *open_ok(const char *path)
{
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(path, &r);
	if (err) {
		char *s = mw_error_string(err);
		tap_diag("open %s: %s", path, s);
		free(s);
		mw_error_destroy(err);
		return NULL;
	}
	return r;
}

/* Every page of the spec reads as written or fails as it should. */
static void check_pages(struct mw_reader *r, const struct spec *s,
			uint64_t present_limit, const char *what)
{
	uint64_t bad = 0, first_bad = UINT64_MAX;
	uint64_t first = s->split ? s->split_start : 0;
	uint64_t end = s->split ? s->split_end : s->max_mapnr;
	uint64_t rank = 0;
	for (uint64_t pfn = 0; pfn < s->max_mapnr + 3; pfn++) {
		bool ram = pfn < s->max_mapnr && (s->ram[pfn] || s->dumped[pfn]);
		bool in = pfn < s->max_mapnr && s->dumped[pfn] && pfn >= first && pfn < end;
		bool pres = in && rank < present_limit;
		if (in)
			rank++;
		enum mw_page_state want = !ram ? MW_PAGE_HOLE :
			pres ? MW_PAGE_PRESENT : MW_PAGE_EXCLUDED;
		bool ok = mw_reader_page_state(r, pfn) == want;
		if (ok && pres)
			ok = read_ok(r, pfn);
		else if (ok) {
			uint8_t tmp[16];
			ok = expect_err(mw_reader_read_phys(r, pfn * BS + 8, tmp, 16),
					ram ? MW_ERR_NOT_IN_DUMP : MW_ERR_HOLE,
					pfn * BS + 8);
		}
		if (!ok) {
			bad++;
			if (first_bad == UINT64_MAX)
				first_bad = pfn;
		}
	}
	if (!tap_ok(bad == 0, "%s: every page reads as written or fails as it should", what))
		tap_diag("%" PRIu64 " bad pages, first pfn %#" PRIx64, bad, first_bad);
}

/* One large read over [a, b) pfns, all present, against page_data. */
static void check_big_read(struct mw_reader *r, uint64_t a, uint64_t b, const char *what)
{
	size_t len = (size_t)(b - a) * BS;
	uint8_t *got = malloc(len + 2 * BS), want[BS];
	/* whole pages, then an unaligned read that spans them */
	struct mw_error *err = mw_reader_read_phys(r, a * BS, got, len);
	bool ok = !err;
	for (uint64_t p = a; ok && p < b; p++) {
		page_data(p, want);
		ok = memcmp(got + (p - a) * BS, want, BS) == 0;
	}
	tap_ok(ok, "%s: one read of pfns %#" PRIx64 "-%#" PRIx64 " (%zu bytes)", what, a, b, len);
	if (err)
		mw_error_destroy(err);
	err = mw_reader_read_phys(r, a * BS + 123, got, len - 1000);
	ok = !err;
	for (uint64_t p = a; ok && p < b; p++) {
		page_data(p, want);
		for (size_t i = 0; i < BS && ok; i++) {
			uint64_t addr = p * BS + i;
			if (addr >= a * BS + 123 && addr < a * BS + 123 + len - 1000)
				ok = got[addr - a * BS - 123] == want[i];
		}
	}
	tap_ok(ok, "%s: unaligned read across pages", what);
	if (err)
		mw_error_destroy(err);
	free(got);
}

struct world {
	uint64_t max_mapnr;
	uint8_t *ram, *dumped;
};

/* RAM: [0, 160) and [256, max), a hole in between; excluded: every 13th
 * page below 160 and [300, 340) */
static void make_world(struct world *w, uint64_t max_mapnr)
{
	w->max_mapnr = max_mapnr;
	w->ram = calloc(max_mapnr, 1);
	w->dumped = calloc(max_mapnr, 1);
	for (uint64_t pfn = 0; pfn < max_mapnr; pfn++) {
		w->ram[pfn] = pfn < 160 || pfn >= 256;
		w->dumped[pfn] = w->ram[pfn] && !(pfn < 160 && pfn % 13 == 7) &&
				 !(pfn >= 300 && pfn < 340);
	}
}

static uint64_t count_excluded(const struct world *w)
{
	uint64_t n = 0;
	for (uint64_t p = 0; p < w->max_mapnr; p++)
		n += w->ram[p] && !w->dumped[p];
	return n;
}

static const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nKERNELOFFSET=1e000000\n";

static void test_compression(const struct world *w, uint32_t comp, const char *name,
			     uint32_t want_bits)
{
	struct spec s = {
		.version = 6, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
		.ram = w->ram, .dumped = w->dumped, .comp = comp, .share_zero = true,
		.lost_from = UINT64_MAX, .vmcoreinfo = vmci, .vmcoreinfo_note = true,
		.nr_prstatus = 3, .nr_cpus = 2,
	};
	struct buf b;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	char fname[64];
	snprintf(fname, sizeof(fname), "v6-%s.kdump", name);
	char *path = write_file(fname, b.p, b.len);
	struct mw_reader *r = open_ok(path);
	if (!tap_ok(r != NULL, "%s: opens", name)) {
		free(path);
		free(b.p);
		return;
	}
	const struct mw_dump_info *info = mw_reader_info(r);
	tap_ok(info->format == MW_FORMAT_KDUMP, "%s: format kdump", name);
	if (!tap_ok(info->compression == want_bits, "%s: compression methods seen", name))
		tap_diag("got %#x want %#x", info->compression, want_bits);
	tap_ok(info->header_version == 6 && info->page_size == BS, "%s: version 6, page size", name);
	tap_ok(info->nr_ranges == 2 && info->ranges[0].start == 0 &&
	       info->ranges[0].end == 160 * BS && info->ranges[1].start == 256 * BS &&
	       info->ranges[1].end == w->max_mapnr * BS, "%s: ranges from the 1st bitmap", name);
	tap_ok(info->total_bytes == (160 + w->max_mapnr - 256) * BS, "%s: total bytes", name);
	tap_ok(info->excluded_pages == count_excluded(w), "%s: excluded pages %" PRIu64,
	       name, info->excluded_pages);
	tap_ok(!info->incomplete, "%s: complete", name);
	tap_is_str(info->utsname_release, "6.1.0-test", "%s: utsname release", name);
	tap_is_str(info->utsname_machine, "x86_64", "%s: utsname machine", name);
	tap_ok(info->nr_cpus == 3, "%s: cpus from PRSTATUS notes", name);
	size_t len;
	const char *rel = mw_vmcoreinfo_get(info, "OSRELEASE", &len);
	tap_ok(rel && len == 10 && !memcmp(rel, "6.1.0-test", 10), "%s: VMCOREINFO from the notes", name);
	check_pages(r, &s, UINT64_MAX, name);
	check_big_read(r, 256, 300, name);
	check_big_read(r, 340, 360, name);
	mw_reader_destroy(r);

	/* the same file as a flattened stream */
	struct buf f;
	flatten(&b, &f, comp + 1);
	snprintf(fname, sizeof(fname), "v6-%s.flat", name);
	char *fpath = write_file(fname, f.p, f.len);
	r = open_ok(fpath);
	if (tap_ok(r != NULL, "%s flattened: opens", name)) {
		info = mw_reader_info(r);
		tap_ok(info->format == MW_FORMAT_FLATTENED &&
		       info->inner_format == MW_FORMAT_KDUMP, "%s flattened: format", name);
		tap_ok(info->compression == want_bits && info->excluded_pages == count_excluded(w),
		       "%s flattened: same info", name);
		tap_is_str(info->utsname_release, "6.1.0-test", "%s flattened: header rewritten later wins", name);
		char t[64];
		snprintf(t, sizeof(t), "%s flattened", name);
		check_pages(r, &s, UINT64_MAX, t);
		check_big_read(r, 256, 300, t);
		mw_reader_destroy(r);
	}
	free(fpath);
	free(f.p);
	free(path);
	free(b.p);
}

/* The flattened source serves the logical file byte for byte. */
static void test_flat_source(void)
{
	struct buf logical = { 0 };
	uint8_t tmp[7000];
	for (size_t i = 0; i < 100000; i++) {
		uint8_t v = (uint8_t)(mix(i / 8) | 1);
		buf_put(&logical, i, &v, 1);
	}
	memset(logical.p + 30000, 0, 20000);	/* a hole in the stream */
	struct buf f;
	flatten(&logical, &f, 7);
	char *path = write_file("source.flat", f.p, f.len);
	int fd = open(path, O_RDONLY);
	struct mw_source *src = NULL;
	struct mw_error *err = mw_source_flattened_create(fd, path, &src);
	if (tap_ok(!err && src, "flattened source: indexes")) {
		tap_ok(src->size == logical.len, "flattened source: logical size %" PRIu64, src->size);
		bool ok = true;
		for (uint64_t off = 0; ok && off < logical.len; off += 997) {
			size_t n = logical.len - off < sizeof(tmp) ? (size_t)(logical.len - off) : sizeof(tmp);
			err = mw_source_pread(src, off, tmp, n);
			ok = !err && memcmp(tmp, logical.p + off, n) == 0;
			if (!ok)
				tap_diag("at offset %" PRIu64, off);
		}
		tap_ok(ok, "flattened source: every byte as in the logical file (last writer wins, holes zero)");
		if (err)
			mw_error_destroy(err);
		tap_ok(expect_err(mw_source_pread(src, logical.len - 10, tmp, 20),
				  MW_ERR_FORMAT, logical.len - 10),
		       "flattened source: read past the end fails");
		mw_source_destroy(src);
	} else if (err) {
		mw_error_destroy(err);
	}
	close(fd);
	free(path);
	free(f.p);
	free(logical.p);
}

static void test_version1(const struct world *w)
{
	struct spec s = {
		.version = 1, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
		.ram = w->ram, .dumped = w->dumped, .comp = F_ZLIB,
		.lost_from = UINT64_MAX, .nr_cpus = 4,
	};
	struct buf b;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	char *path = write_file("v1.kdump", b.p, b.len);
	struct mw_reader *r = open_ok(path);
	if (tap_ok(r != NULL, "v1: opens")) {
		const struct mw_dump_info *info = mw_reader_info(r);
		tap_ok(info->header_version == 1 && !info->vmcoreinfo && info->nr_cpus == 4,
		       "v1: version, no VMCOREINFO, cpus from the header");
		tap_ok(info->compression == (MW_COMP_ZLIB | MW_COMP_NONE),
		       "v1: zero pages stored one by one, compressed");
		check_pages(r, &s, UINT64_MAX, "v1");
		mw_reader_destroy(r);
	}
	free(path);
	free(b.p);

	/* version 3: VMCOREINFO at offset_vmcoreinfo, no notes */
	s.version = 3;
	s.vmcoreinfo = vmci;
	build_kdump(&s, &b, &lay);
	path = write_file("v3.kdump", b.p, b.len);
	r = open_ok(path);
	if (tap_ok(r != NULL, "v3: opens")) {
		uint64_t ko = 0;
		struct mw_error *err = mw_vmcoreinfo_u64(mw_reader_info(r), "KERNELOFFSET", &ko);
		tap_ok(!err && ko == 0x1e000000, "v3: VMCOREINFO from offset_vmcoreinfo");
		if (err)
			mw_error_destroy(err);
		mw_reader_destroy(r);
	}
	free(path);
	free(b.p);
}

/* Version 6: the 64-bit max_mapnr counts, not the 32-bit field. */
static void test_max_mapnr64(const struct world *w)
{
	struct spec s = {
		.version = 6, .max_mapnr = w->max_mapnr,
		.ram = w->ram, .dumped = w->dumped, .comp = F_ZSTD, .share_zero = true,
		.lost_from = UINT64_MAX,
	};
	s.max_mapnr32 = 500;
	struct buf b;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	char *path = write_file("v6-mapnr.kdump", b.p, b.len);
	struct mw_reader *r = open_ok(path);
	if (tap_ok(r != NULL, "v6 max_mapnr_64: opens")) {
		const struct mw_dump_info *info = mw_reader_info(r);
		tap_ok(info->nr_ranges == 2 && info->ranges[1].end == w->max_mapnr * BS,
		       "v6 max_mapnr_64: memory up to max_mapnr_64, not the 32-bit field");
		check_pages(r, &s, UINT64_MAX, "v6 max_mapnr_64");
		mw_reader_destroy(r);
	}
	free(path);
	free(b.p);
	/* and a version 5 file with the same bytes believes the 32-bit field */
	s.version = 5;
	build_kdump(&s, &b, &lay);
	path = write_file("v5-mapnr.kdump", b.p, b.len);
	r = open_ok(path);
	if (tap_ok(r != NULL, "v5: opens")) {
		const struct mw_dump_info *info = mw_reader_info(r);
		tap_ok(info->nr_ranges == 2 && info->ranges[1].end == 500 * BS,
		       "v5: memory up to the 32-bit max_mapnr");
		mw_reader_destroy(r);
	}
	free(path);
	free(b.p);
}

static void test_split(const struct world *w)
{
	struct spec s = {
		.version = 6, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
		.ram = w->ram, .dumped = w->dumped, .comp = F_LZO, .share_zero = true,
		.lost_from = UINT64_MAX, .split = true, .split_start = 100, .split_end = 400,
	};
	struct buf b;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	char *path = write_file("split.kdump", b.p, b.len);
	struct mw_reader *r = open_ok(path);
	if (tap_ok(r != NULL, "split: opens")) {
		check_pages(r, &s, UINT64_MAX, "split (pfns 100-400 in this file)");
		mw_reader_destroy(r);
	}
	free(path);
	free(b.p);
}

static void test_incomplete(const struct world *w)
{
	for (int flag = 0; flag < 2; flag++) {
		struct spec s = {
			.version = 6, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
			.ram = w->ram, .dumped = w->dumped, .comp = F_SNAPPY, .share_zero = true,
			.lost_from = 200, .status_incomplete = flag,
		};
		struct buf b;
		struct layout lay;
		build_kdump(&s, &b, &lay);
		const char *what = flag ? "incomplete (status flag and zero descriptors)" :
					  "incomplete (zero descriptors only)";
		char *path = write_file(flag ? "inc1.kdump" : "inc0.kdump", b.p, b.len);
		struct mw_reader *r = open_ok(path);
		if (tap_ok(r != NULL, "%s: opens", what)) {
			const struct mw_dump_info *info = mw_reader_info(r);
			tap_ok(info->incomplete, "%s: info.incomplete", what);
			uint64_t ram = 0;
			for (uint64_t p = 0; p < w->max_mapnr; p++)
				ram += w->ram[p];
			tap_ok(info->excluded_pages == ram - 200, "%s: pages past the cut are excluded (%" PRIu64 ")",
			       what, info->excluded_pages);
			check_pages(r, &s, 200, what);
			mw_reader_destroy(r);
		}
		free(path);
		if (flag) {
			/* cut inside the descriptor table: opens, no page data */
			size_t cut = (size_t)(lay.desc_off + 150 * 24 + 5);
			path = write_file("inc-cut.kdump", b.p, cut);
			r = open_ok(path);
			if (tap_ok(r != NULL, "incomplete, file cut in the descriptors: opens")) {
				check_pages(r, &s, 0, "incomplete, cut in the descriptors");
				mw_reader_destroy(r);
			}
			free(path);
		}
		/* cut inside the page data of rank 150: 150 pages left (with
		 * the flag, or without: a copy cut short) */
		uint64_t d150;
		memcpy(&d150, b.p + lay.desc_off + 150 * 24, 8);
		size_t cut2 = (size_t)le64toh(d150) + 10;
		path = write_file("inc-cut2.kdump", b.p, cut2);
		r = open_ok(path);
		if (tap_ok(r != NULL, "%s, file cut in the page data: opens", what)) {
			tap_ok(mw_reader_info(r)->incomplete, "%s, cut: info.incomplete", what);
			check_pages(r, &s, 150, flag ? "incomplete, cut in the page data" :
					       "file cut in the page data, no flag");
			mw_reader_destroy(r);
		}
		free(path);
		free(b.p);
	}
}

/* Uncompressed kdump and shared zero pages without compression. */
static void test_raw(const struct world *w)
{
	struct spec s = {
		.version = 6, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
		.ram = w->ram, .dumped = w->dumped, .comp = 0, .share_zero = false,
		.lost_from = UINT64_MAX,
	};
	struct buf b;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	char *path = write_file("raw.kdump", b.p, b.len);
	struct mw_reader *r = open_ok(path);
	if (tap_ok(r != NULL, "raw: opens")) {
		tap_ok(mw_reader_info(r)->compression == MW_COMP_NONE, "raw: compression none");
		check_pages(r, &s, UINT64_MAX, "raw");
		check_big_read(r, 340, w->max_mapnr, "raw");
		mw_reader_destroy(r);
	}
	free(path);
	free(b.p);
}

/* Several threads reading at once, small and large reads mixed. */
struct thr {
	struct mw_reader *r;
	const struct spec *s;
	int id;
	uint64_t bad;
};

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	uint8_t want[BS], got[300];
	uint8_t *big = malloc(16 * BS);
	for (int round = 0; round < 20; round++) {
		for (uint64_t pfn = 256 + (uint64_t)t->id; pfn < t->s->max_mapnr; pfn += 4) {
			if (!t->s->dumped[pfn])
				continue;
			page_data(pfn, want);
			size_t off = (pfn * 31 + (uint64_t)round) % (BS - sizeof(got));
			struct mw_error *err = mw_reader_read_phys(t->r, pfn * BS + off, got, sizeof(got));
			if (err || memcmp(got, want + off, sizeof(got))) {
				t->bad++;
				mw_error_destroy(err);
			}
		}
		struct mw_error *err = mw_reader_read_phys(t->r, 340 * BS, big, 16 * BS);
		for (int i = 0; !err && i < 16; i++) {
			page_data(340 + (uint64_t)i, want);
			if (memcmp(big + i * BS, want, BS))
				t->bad++;
		}
		if (err) {
			t->bad++;
			mw_error_destroy(err);
		}
	}
	free(big);
	return NULL;
}

static void test_threads(const struct world *w)
{
	struct spec s = {
		.version = 6, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
		.ram = w->ram, .dumped = w->dumped, .comp = F_ZLIB, .share_zero = true,
		.lost_from = UINT64_MAX,
	};
	struct buf b;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	char *path = write_file("threads.kdump", b.p, b.len);
	struct mw_reader *r = open_ok(path);
	if (r) {
		pthread_t th[4];
		struct thr t[4];
		for (int i = 0; i < 4; i++) {
			t[i] = (struct thr){ r, &s, i, 0 };
			pthread_create(&th[i], NULL, thread_main, &t[i]);
		}
		uint64_t bad = 0;
		for (int i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			bad += t[i].bad;
		}
		tap_ok(bad == 0, "4 threads reading at once: all reads right (%" PRIu64 " bad)", bad);
		mw_reader_destroy(r);
	}
	free(path);
	free(b.p);
}

/* ---- corrupt files ---- */

/* Opening fails with MW_ERR_FORMAT (or given code) naming an offset. */
static void expect_open_fails(const char *name, const uint8_t *p, size_t len,
			      enum mw_error_code code, const char *what)
{
	char *path = write_file(name, p, len);
	struct mw_reader *r;
	struct mw_error *err = mw_reader_open(path, &r);
	if (!err) {
		tap_ok(0, "%s: open fails", what);
		mw_reader_destroy(r);
	} else {
		char *s = mw_error_string(err);
		bool ok = err->code == code && err->where == MW_WHERE_OFFSET &&
			  strstr(s, path) != NULL;
		if (!tap_ok(ok, "%s: open fails naming the file and offset", what))
			tap_diag("%s", s);
		free(s);
		mw_error_destroy(err);
	}
	/* and the command line says so in one line, exit 2 */
	const char *mw = getenv("MEMWHERE");
	if (mw) {
		char *cmd;
		if (asprintf(&cmd, "'%s' info '%s' 2>'%s.err' >/dev/null", mw, path, path) < 0)
			abort();
		int st = system(cmd);
		free(cmd);
		char *errpath;
		if (asprintf(&errpath, "%s.err", path) < 0)
			abort();
		FILE *f = fopen(errpath, "r");
		char line[1024] = "";
		int lines = 0;
		while (f && fgets(line, sizeof(line), f))
			lines++;
		if (f)
			fclose(f);
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 2 && lines == 1 &&
		       strstr(line, "offset"), "%s: memwhere info exits 2 with one line", what);
		free(errpath);
	}
	free(path);
}

/* Opening works, but reading pfn fails with MW_ERR_FORMAT at offset. */
static void expect_read_fails(const char *name, const uint8_t *p, size_t len,
			      uint64_t pfn, uint64_t offset, const char *what)
{
	char *path = write_file(name, p, len);
	struct mw_reader *r = open_ok(path);
	if (!tap_ok(r != NULL, "%s: opens", what)) {
		free(path);
		return;
	}
	uint8_t buf[3 * BS];
	for (int big = 0; big < 2; big++) {
		/* a small read (cached path) and a large one (run path) */
		struct mw_error *err = big ?
			mw_reader_read_phys(r, (pfn - 1) * BS, buf, 3 * BS) :
			mw_reader_read_phys(r, pfn * BS + 100, buf, 50);
		char *s = err ? mw_error_string(err) : NULL;
		bool ok = err && err->code == MW_ERR_FORMAT && err->where == MW_WHERE_OFFSET &&
			  err->address == offset && strstr(s, path);
		if (!tap_ok(ok, "%s: %s read fails naming the file and offset %" PRIu64,
			    what, big ? "large" : "small", offset))
			tap_diag("%s", s ? s : "no error");
		free(s);
		if (err)
			mw_error_destroy(err);
	}
	mw_reader_destroy(r);
	free(path);
}

static uint64_t rank_of_pfn(const struct world *w, uint64_t pfn)
{
	uint64_t n = 0;
	for (uint64_t p = 0; p < pfn; p++)
		n += w->dumped[p];
	return n;
}

static uint64_t pfn_of_rank(const struct world *w, uint64_t rank)
{
	for (uint64_t p = 0; p < w->max_mapnr; p++)
		if (w->dumped[p] && rank-- == 0)
			return p;
	return UINT64_MAX;
}

static void test_corrupt(const struct world *w)
{
	struct spec s = {
		.version = 6, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
		.ram = w->ram, .dumped = w->dumped, .comp = F_ZLIB, .share_zero = true,
		.lost_from = UINT64_MAX, .vmcoreinfo = vmci, .vmcoreinfo_note = true,
	};
	struct buf b;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	uint8_t *c = malloc(b.len);

	expect_open_fails("c-trunc.kdump", b.p, 300, MW_ERR_FORMAT, "truncated header");

	memcpy(c, b.p, b.len);
	uint32_t v = htole32(0x7fffffff);
	memcpy(c + 436, &v, 4);
	expect_open_fails("c-bitmap.kdump", c, b.len, MW_ERR_FORMAT, "bitmap_blocks absurd");

	memcpy(c, b.p, b.len);
	v = htole32(12345);
	memcpy(c + 428, &v, 4);
	expect_open_fails("c-bs.kdump", c, b.len, MW_ERR_FORMAT, "block size not a page size");

	memcpy(c, b.p, b.len);
	v = htobe32(BS);
	memcpy(c + 428, &v, 4);
	v = htobe32(6);
	memcpy(c + 8, &v, 4);
	expect_open_fails("c-be.kdump", c, b.len, MW_ERR_UNSUPPORTED, "big-endian machine's kdump");

	memcpy(c, b.p, b.len);
	memset(c + 428, 0, 4);
	v = htole32(BS);
	memcpy(c + 416, &v, 4);
	expect_open_fails("c-32.kdump", c, b.len, MW_ERR_UNSUPPORTED, "32-bit machine's kdump");

	memcpy(c, b.p, b.len);
	v = htole32(0x12345678);
	memcpy(c + 8, &v, 4);
	expect_open_fails("c-version.kdump", c, b.len, MW_ERR_FORMAT, "header version absurd");

	memcpy(c, b.p, b.len);
	uint64_t big = htole64(1ull << 40);
	memcpy(c + BS + 56, &big, 8);
	expect_open_fails("c-notes.kdump", c, b.len, MW_ERR_FORMAT, "notes size absurd");

	expect_open_fails("c-desc.kdump", b.p, (size_t)(lay.desc_off + lay.nr_desc * 24 - 30),
			  MW_ERR_FORMAT, "descriptor table past EOF");

	/* per-page corruption: the first compressed page */
	uint64_t rank = lay.first_comp_rank;
	uint64_t pfn = pfn_of_rank(w, rank);
	uint64_t d = lay.desc_off + rank * 24;
	tap_ok(rank_of_pfn(w, pfn) == rank && pfn > 0 && w->dumped[pfn - 1] && w->dumped[pfn + 1],
	       "corruption target pfn %#" PRIx64 " has dumped neighbours", pfn);
	uint64_t data_off;
	memcpy(&data_off, b.p + d, 8);
	data_off = le64toh(data_off);

	memcpy(c, b.p, b.len);
	big = htole64(b.len + 100);
	memcpy(c + d, &big, 8);
	expect_read_fails("c-dataoff.kdump", c, b.len, pfn, d, "page data past EOF");

	memcpy(c, b.p, b.len);
	v = htole32(BS + 1);
	memcpy(c + d + 8, &v, 4);
	expect_read_fails("c-csize.kdump", c, b.len, pfn, d, "compressed size > block size");

	memcpy(c, b.p, b.len);
	v = htole32(F_ZLIB | F_LZO);
	memcpy(c + d + 12, &v, 4);
	expect_read_fails("c-flags.kdump", c, b.len, pfn, d, "two compression flags");

	/* a valid zlib stream of half a page where a page should be */
	{
		uint8_t half[BS / 2], z[BS];
		memset(half, 'x', sizeof(half));
		uLongf zl = sizeof(z);
		compress2(z, &zl, half, sizeof(half), 6);
		uint32_t size;
		memcpy(&size, b.p + d + 8, 4);
		size = le32toh(size);
		memcpy(c, b.p, b.len);
		if (zl <= size) {
			memcpy(c + data_off, z, zl);
			v = htole32((uint32_t)zl);
			memcpy(c + d + 8, &v, 4);
		}
		expect_read_fails("c-short.kdump", c, b.len, pfn, data_off,
				  "decompresses to half a page");
	}

	memcpy(c, b.p, b.len);
	memset(c + data_off + 2, 0x55, 8);
	expect_read_fails("c-garbage.kdump", c, b.len, pfn, data_off, "garbage compressed data");

	/* raw page with the wrong size */
	if (lay.first_raw_rank != UINT64_MAX) {
		uint64_t dr = lay.desc_off + lay.first_raw_rank * 24;
		memcpy(c, b.p, b.len);
		v = htole32(BS - 1);
		memcpy(c + dr + 8, &v, 4);
		expect_read_fails("c-rawsize.kdump", c, b.len,
				  pfn_of_rank(w, lay.first_raw_rank), dr, "raw page of the wrong size");
	}

	/* flattened: record size absurd, negative offset, cut record */
	struct buf f;
	flat_header(&f);
	flat_record(&f, 0, b.p, 8192);
	flat_record_header(&f, 8192, (int64_t)1 << 50);
	buf_put(&f, f.len, b.p + 8192, 8192);
	expect_open_fails("c-rec.flat", f.p, f.len, MW_ERR_FORMAT, "flattened record size absurd");
	free(f.p);
	flat_header(&f);
	flat_record(&f, 0, b.p, 8192);
	flat_record(&f, (uint64_t)-4096, b.p, 100);
	flat_end(&f);
	expect_open_fails("c-neg.flat", f.p, f.len, MW_ERR_FORMAT, "flattened negative offset");
	free(f.p);
	flat_header(&f);
	flat_record(&f, 0, b.p, 8192);
	flat_record_header(&f, 8192, -5);
	buf_put(&f, f.len, b.p + 8192, 8192);
	expect_open_fails("c-negsize.flat", f.p, f.len, MW_ERR_FORMAT, "flattened negative size");
	free(f.p);
	flat_header(&f);
	flat_record(&f, 0, b.p, 8192);
	size_t cut = f.len - 100;
	expect_open_fails("c-cut.flat", f.p, cut, MW_ERR_FORMAT, "flattened record cut short");
	free(f.p);
	flat_header(&f);
	uint64_t two = htobe64(2);
	memcpy(f.p + 16, &two, 8);
	flat_end(&f);
	expect_open_fails("c-type.flat", f.p, f.len, MW_ERR_UNSUPPORTED, "flattened type 2");
	free(f.p);
	/* a flattened stream whose records leave the kdump header short */
	flat_header(&f);
	flat_record(&f, 0, b.p, 200);
	flat_end(&f);
	expect_open_fails("c-flat-short.flat", f.p, f.len, MW_ERR_FORMAT, "flattened kdump too short");
	free(f.p);

	/* a small flattened stream whose holes would hold huge bitmaps */
	memcpy(c, b.p, b.len);
	v = htole32(1u << 20);
	memcpy(c + 436, &v, 4);
	big = htole64(1ull << 34);
	memcpy(c + BS + 96, &big, 8);
	flat_header(&f);
	flat_record(&f, 0, c, (int64_t)lay.bitmap_off);
	flat_record(&f, 1ull << 40, c, 16);
	flat_end(&f);
	expect_open_fails("c-sparse.flat", f.p, f.len, MW_ERR_FORMAT,
			  "flattened kdump with bitmaps larger than the file");
	free(f.p);

	free(c);
	free(b.p);
}

/* ---- a large dump: descriptors read when their pages are ---- */

enum { BIG_PAGES = 12000 };	/* over twice the descriptors read at open */

/* The logical file as QEMU streams it: records of 16 KiB, in order. */
static void flatten_in_order(const struct buf *logical, struct buf *f)
{
	flat_header(f);
	for (uint64_t off = 0; off < logical->len; off += 16384) {
		uint64_t len = logical->len - off < 16384 ? logical->len - off : 16384;
		flat_record(f, off, logical->p + off, (int64_t)len);
	}
	flat_end(f);
}

/* Every dumped pfn, small and large reads, in a shuffled order. */
static uint64_t read_shuffled(struct mw_reader *r, const struct world *w, uint64_t seed)
{
	uint64_t n = w->max_mapnr, bad = 0;
	uint64_t *order = malloc(n * sizeof(*order));
	uint8_t *got = malloc(8 * BS), want[BS];
	for (uint64_t i = 0; i < n; i++)
		order[i] = i;
	uint64_t x = seed;
	for (uint64_t i = n; i > 1; i--) {
		x = mix(x + i);
		uint64_t j = x % i, t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t pfn = order[i];
		/* a run of up to 8 dumped pages from pfn */
		uint64_t m = 0;
		while (m < 1 + order[(i + 1) % n] % 8 && pfn + m < n && w->dumped[pfn + m])
			m++;
		if (!m)
			continue;
		struct mw_error *err = m == 1 ?
			mw_reader_read_phys(r, pfn * BS + 100, got, 200) :
			mw_reader_read_phys(r, pfn * BS, got, (size_t)m * BS);
		for (uint64_t p = 0; !err && p < m; p++) {
			page_data(pfn + p, want);
			if (m == 1 ? memcmp(got, want + 100, 200) : memcmp(got + p * BS, want, BS))
				bad++;
		}
		if (err) {
			bad++;
			mw_error_destroy(err);
		}
	}
	free(order);
	free(got);
	return bad;
}

struct shuf {
	struct mw_reader *r;
	const struct world *w;
	uint64_t seed, bad;
};

static void *shuffled_main(void *arg)
{
	struct shuf *t = arg;
	t->bad = read_shuffled(t->r, t->w, t->seed);
	return NULL;
}

static void test_lazy(const struct world *w)
{
	struct spec s = {
		.version = 6, .max_mapnr = w->max_mapnr, .max_mapnr32 = -1,
		.ram = w->ram, .dumped = w->dumped, .comp = F_ZLIB, .share_zero = true,
		.lost_from = UINT64_MAX, .vmcoreinfo = vmci, .vmcoreinfo_note = true,
	};
	struct buf b, f;
	struct layout lay;
	build_kdump(&s, &b, &lay);
	tap_ok(lay.nr_desc > 2 * 4096, "large dump: %" PRIu64 " descriptors", lay.nr_desc);
	flatten_in_order(&b, &f);
	for (int flat = 0; flat < 2; flat++) {
		const char *name = flat ? "lazy.flat" : "lazy.kdump";
		char *path = flat ? write_file(name, f.p, f.len) : write_file(name, b.p, b.len);
		struct mw_reader *r = open_ok(path);
		if (!tap_ok(r != NULL, "%s: opens", name)) {
			free(path);
			continue;
		}
		const struct mw_dump_info *info = mw_reader_info(r);
		tap_ok(!info->incomplete && info->excluded_pages == count_excluded(w) &&
		       info->compression == (MW_COMP_ZLIB | MW_COMP_NONE),
		       "%s: whole, excluded pages from the bitmaps, zlib and none seen", name);
		uint64_t bad = read_shuffled(r, w, 7 + (uint64_t)flat);
		tap_ok(bad == 0, "%s: every page in a random order, small and large reads (%" PRIu64 " bad)",
		       name, bad);
		mw_reader_destroy(r);
		/* two threads, each in its own random order, on a fresh reader */
		r = open_ok(path);
		if (r) {
			pthread_t th[2];
			struct shuf t[2];
			for (int i = 0; i < 2; i++) {
				t[i] = (struct shuf){ r, w, 100 + (uint64_t)i, 0 };
				pthread_create(&th[i], NULL, shuffled_main, &t[i]);
			}
			for (int i = 0; i < 2; i++)
				pthread_join(th[i], NULL);
			tap_ok(t[0].bad + t[1].bad == 0, "%s: two threads in random orders (%" PRIu64 " bad)",
			       name, t[0].bad + t[1].bad);
			mw_reader_destroy(r);
		}
		check_big_read(r = open_ok(path), 4000, 4400, name);
		mw_reader_destroy(r);
		free(path);
	}
	free(f.p);

	/* corrupt descriptors in the middle, where open does not look: the
	 * file opens, the pages around read, that page's read fails at its
	 * descriptor */
	uint64_t rank = lay.nr_desc / 2;
	while (pfn_of_rank(w, rank) % 5 < 2)	/* a compressed page */
		rank++;
	uint64_t pfn = pfn_of_rank(w, rank);
	uint64_t d = lay.desc_off + rank * 24;
	uint8_t *c = malloc(b.len);
	struct { uint64_t off; const char *what; } bad_off[] = {
		{ b.len + 100, "late descriptor: page data past EOF" },
		{ 0, "late descriptor: offset 0 (never written) in a dump not marked incomplete" },
		{ lay.desc_off + 48, "late descriptor: page data inside the descriptor table" },
	};
	for (size_t i = 0; i < sizeof(bad_off) / sizeof(bad_off[0]); i++) {
		memcpy(c, b.p, b.len);
		uint64_t v = htole64(bad_off[i].off);
		memcpy(c + d, &v, 8);
		expect_read_fails("c-late.kdump", c, b.len, pfn, d, bad_off[i].what);
		char *path = write_file("c-late2.kdump", c, b.len);
		struct mw_reader *r = open_ok(path);
		if (r) {
			tap_ok(read_ok(r, pfn - 1) && read_ok(r, pfn + 1) &&
			       read_ok(r, pfn_of_rank(w, lay.nr_desc - 1)),
			       "%s: the pages around it read", bad_off[i].what);
			mw_reader_destroy(r);
		}
		free(path);
	}

	/* the 2nd bitmap counts one page more than the table holds: the
	 * table then ends 24 bytes into the page data, the last descriptor
	 * is page data. Open says the dump is cut there (or fails); no page
	 * reads wrong: each reads as written or fails at an offset (the
	 * shared zero page's data now lies inside the table), that one fails
	 * and the pages whose data is beyond the table read. */
	uint64_t extra = w->max_mapnr;	/* one more pfn, dumped */
	memcpy(c, b.p, b.len);
	{
		uint64_t v64 = htole64(extra + 1);
		uint32_t v32 = htole32((uint32_t)extra + 1);
		memcpy(c + BS + 96, &v64, 8);
		memcpy(c + 440, &v32, 4);
	}
	c[lay.bitmap_off + extra / 8] |= (uint8_t)(1 << (extra % 8));
	c[lay.bitmap_off + lay.half + extra / 8] |= (uint8_t)(1 << (extra % 8));
	{
		char *path = write_file("c-count.kdump", c, b.len);
		struct mw_reader *r;
		struct mw_error *err = mw_reader_open(path, &r);
		if (err) {
			tap_ok(err->code == MW_ERR_FORMAT && err->where == MW_WHERE_OFFSET,
			       "bitmap counts a descriptor too many: open fails at an offset");
			mw_error_destroy(err);
		} else {
			uint8_t tmp[16];
			struct mw_error *e = mw_reader_read_phys(r, extra * BS, tmp, sizeof(tmp));
			uint64_t nbad = 0, nfail = 0;
			for (uint64_t p = 0; p < w->max_mapnr; p += 7) {
				if (!w->dumped[p])
					continue;
				uint8_t got[BS], want[BS];
				struct mw_error *pe = mw_reader_read_phys(r, p * BS, got, BS);
				page_data(p, want);
				if (pe) {
					if (pe->code != MW_ERR_FORMAT || pe->where != MW_WHERE_OFFSET ||
					    !is_zero(want))
						nbad++;
					nfail++;
					mw_error_destroy(pe);
				} else if (memcmp(got, want, BS)) {
					nbad++;
				}
			}
			if (!tap_ok(e && (e->code == MW_ERR_NOT_IN_DUMP || e->code == MW_ERR_FORMAT) &&
				    nbad == 0 && nfail > 0 && mw_reader_info(r)->incomplete,
				    "bitmap counts a descriptor too many: the dump reads as cut there, zero pages fail at an offset, the others read"))
				tap_diag("%" PRIu64 " wrong, %" PRIu64 " failed", nbad, nfail);
			if (e)
				mw_error_destroy(e);
			mw_reader_destroy(r);
		}
		free(path);
	}
	/* and a table shorter than the bitmap says, at the end of the file */
	expect_open_fails("c-lazy-desc.kdump", b.p, (size_t)(lay.desc_off + lay.nr_desc * 24 - 30),
			  MW_ERR_FORMAT, "large dump: descriptor table past EOF");
	free(c);
	free(b.p);
}

static void cleanup(void)
{
	char *cmd;
	if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		free(cmd);
	}
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/test-kdump.XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	struct world w;
	make_world(&w, 700);

	test_compression(&w, F_ZLIB, "zlib", MW_COMP_ZLIB | MW_COMP_NONE);
	test_compression(&w, F_LZO, "lzo", MW_COMP_LZO | MW_COMP_NONE);
	test_compression(&w, F_SNAPPY, "snappy", MW_COMP_SNAPPY | MW_COMP_NONE);
	test_compression(&w, F_ZSTD, "zstd", MW_COMP_ZSTD | MW_COMP_NONE);
	test_flat_source();
	test_version1(&w);
	test_max_mapnr64(&w);
	test_split(&w);
	test_incomplete(&w);
	test_raw(&w);
	test_threads(&w);
	test_corrupt(&w);

	struct world big;
	make_world(&big, BIG_PAGES);
	test_lazy(&big);
	free(big.ram);
	free(big.dumped);

	free(w.ram);
	free(w.dumped);
	cleanup();
	return tap_done();
}
