/* memwhere: makedumpfile's flattened stream, read in place.
 *
 * `makedumpfile -F` (and QEMU's `dump-guest-memory -z`) write a dump file
 * as a stream that needs no seeking: a 4096-byte header ("makedumpfile",
 * type 1, version 1, big-endian int64s), then records of
 *   { int64 offset, int64 size } (big-endian), size bytes of data
 * each saying "these bytes go at this offset of the real file", ended by a
 * record with offset -1. `makedumpfile -R` writes the records into a file,
 * so later records overwrite earlier ones and bytes no record covers are
 * zeros (holes of a sparse file).
 *
 * Here the records are indexed once (one pass over the record headers,
 * skipping their data: small records through a buffer, large ones by
 * reading their 16-byte headers alone, so no page data is read twice),
 * overlaps are resolved so that the index maps each logical byte to the
 * last record that wrote it, and reads of the logical file become preads
 * of the stream: nothing is rewritten to disk. A read spanning records
 * that follow each other in the file is one preadv, their headers going
 * to a junk buffer (QEMU writes records of 16 KiB).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "formats/source.h"

enum {
	FLAT_HEADER_SIZE = 4096,
	FLAT_SIG_LEN = 16,
	FLAT_TYPE = 1,
	FLAT_VERSION = 1,
	RECORD_HEADER_SIZE = 16,
	SCAN_BUF = 64 * 1024,
	/* records at least this large: read their headers alone, not the
	 * data after them (the dump parser reads that later) */
	BIG_RECORD = 2048,
	/* a read spanning several records takes their headers (and gaps of
	 * up to GAP_MAX bytes) into a junk buffer, in one preadv */
	GAP_MAX = 4096,
	MAX_IOV = 512,
	/* makedumpfile writes records of up to 1 MiB: a cut record that claims
	 * more than this is corruption, not a cut */
	MAX_RECORD_SIZE = 64 << 20,
};

static const char flat_signature[] = "makedumpfile";

/* A piece of the logical file that one record provides. */
struct extent {
	uint64_t start;		/* logical offset */
	uint64_t len;
	uint64_t file_off;	/* where the bytes are in the stream */
};

struct record {
	uint64_t start, end;	/* logical [start, end) */
	uint64_t file_off;	/* of the data */
	uint64_t seq;		/* order in the stream: later wins */
};

struct flat_source {
	struct mw_source base;
	int fd;
	uint64_t file_size;
	struct extent *ext;	/* sorted, non-overlapping */
	size_t nr_ext;
};

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

int mw_flattened_probe(const uint8_t *head, size_t len)
{
	size_t n = sizeof(flat_signature);	/* with its NUL */
	return len >= n && memcmp(head, flat_signature, n) == 0;
}

static struct mw_error *pread_full(int fd, const char *path, uint64_t off,
				   void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mw_error_at_offset(MW_ERR_IO, off, "%s: %s", path,
						  strerror(errno));
		}
		if (n == 0)
			return mw_error_at_offset(MW_ERR_FORMAT, off,
						  "%s: unexpected end of file",
						  path);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return NULL;
}

static bool flat_file_offset(const struct mw_source *src, uint64_t offset,
			     uint64_t *file_off)
{
	const struct flat_source *fs = (const struct flat_source *)src;
	size_t lo = 0, hi = fs->nr_ext;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fs->ext[mid].start + fs->ext[mid].len <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= fs->nr_ext || offset < fs->ext[lo].start)
		return false;
	*file_off = fs->ext[lo].file_off + (offset - fs->ext[lo].start);
	return true;
}

/*
 * Extents i.. from offset on, logically adjacent and close in the file:
 * one preadv into out, the bytes between them (record headers) into junk.
 * Returns the bytes read (0: use plain preads) and the next extent in *next.
 */
static size_t pread_span(struct flat_source *fs, size_t i, uint64_t offset,
			 uint8_t *out, size_t len, size_t *next)
{
	struct iovec iov[MAX_IOV];
	uint8_t junk[GAP_MAX];
	int n = 0;
	size_t total = 0;
	uint64_t file_start = fs->ext[i].file_off + (offset - fs->ext[i].start);
	uint64_t file_pos = file_start;
	while (len > 0 && i < fs->nr_ext && n + 2 <= MAX_IOV) {
		const struct extent *e = &fs->ext[i];
		if (offset < e->start)
			break;			/* a hole */
		uint64_t want = e->file_off + (offset - e->start);
		if (want != file_pos) {
			if (want < file_pos || want - file_pos > GAP_MAX)
				break;
			iov[n].iov_base = junk;
			iov[n].iov_len = (size_t)(want - file_pos);
			n++;
			file_pos = want;
		}
		uint64_t avail = e->len - (offset - e->start);
		size_t m = avail < len ? (size_t)avail : len;
		iov[n].iov_base = out;
		iov[n].iov_len = m;
		n++;
		out += m;
		offset += m;
		len -= m;
		total += m;
		file_pos += m;
		i++;
	}
	if (n < 3)
		return 0;	/* one extent: the plain path does as well */
	size_t span = (size_t)(file_pos - file_start);
	ssize_t got = preadv(fs->fd, iov, n, (off_t)file_start);
	if (got < 0 || (size_t)got != span)
		return 0;	/* short or failed: the plain path retries and says why */
	*next = i;
	return total;
}

static struct mw_error *flat_pread(struct mw_source *src, uint64_t offset,
				   void *buf, size_t len)
{
	struct flat_source *fs = (struct flat_source *)src;
	uint8_t *out = buf;
	if (offset > src->size || len > src->size - offset)
		return mw_error_at_offset(MW_ERR_FORMAT, offset,
					  "%s: read of %zu bytes past the end of the flattened dump's contents (%" PRIu64 " bytes)",
					  src->path, len, src->size);
	/* first extent that ends after offset */
	size_t lo = 0, hi = fs->nr_ext;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fs->ext[mid].start + fs->ext[mid].len <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; len > 0; i++) {
		if (i >= fs->nr_ext || offset < fs->ext[i].start) {
			/* a hole: zeros, as in the file makedumpfile -R writes */
			uint64_t gap = i < fs->nr_ext ? fs->ext[i].start - offset : len;
			size_t n = gap < len ? (size_t)gap : len;
			memset(out, 0, n);
			out += n;
			offset += n;
			len -= n;
			if (len == 0)
				break;
		}
		size_t next;
		size_t got = pread_span(fs, i, offset, out, len, &next);
		if (got) {
			out += got;
			offset += got;
			len -= got;
			i = next - 1;
			continue;
		}
		const struct extent *e = &fs->ext[i];
		uint64_t in = offset - e->start;
		uint64_t avail = e->len - in;
		size_t n = avail < len ? (size_t)avail : len;
		struct mw_error *err = pread_full(fs->fd, src->path,
						  e->file_off + in, out, n);
		if (err)
			return err;
		out += n;
		offset += n;
		len -= n;
	}
	return NULL;
}

static void flat_destroy(struct mw_source *src)
{
	struct flat_source *fs = (struct flat_source *)src;
	free(fs->ext);
	free(fs);
}

static const struct mw_source_ops flat_ops = {
	.pread = flat_pread,
	.destroy = flat_destroy,
	.file_offset = flat_file_offset,
};

/* Reads record headers through a buffer: small records need few syscalls. */
struct scanner {
	int fd;
	const char *path;
	uint64_t file_size;
	uint8_t buf[SCAN_BUF];
	uint64_t buf_off;
	size_t buf_len;
	bool big;		/* the last record was large: expect another */
};

static struct mw_error *scan_header(struct scanner *s, uint64_t off,
				    uint8_t hdr[RECORD_HEADER_SIZE])
{
	if (off < s->buf_off || off + RECORD_HEADER_SIZE > s->buf_off + s->buf_len) {
		uint64_t left = s->file_size - off;
		size_t want = left < SCAN_BUF ? (size_t)left : SCAN_BUF;
		/* between large records, a buffer would mostly hold page data
		 * that is read again when the page is: take the header alone */
		if (s->big)
			want = RECORD_HEADER_SIZE;
		struct mw_error *err = pread_full(s->fd, s->path, off, s->buf, want);
		if (err)
			return err;
		s->buf_off = off;
		s->buf_len = want;
	}
	memcpy(hdr, s->buf + (off - s->buf_off), RECORD_HEADER_SIZE);
	return NULL;
}

static int record_start_cmp(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* max-heap of record indices by seq */
struct heap {
	size_t *v;
	size_t n;
};

static void heap_push(struct heap *h, const struct record *rec, size_t idx)
{
	size_t i = h->n++;
	h->v[i] = idx;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (rec[h->v[p]].seq >= rec[h->v[i]].seq)
			break;
		size_t t = h->v[p];
		h->v[p] = h->v[i];
		h->v[i] = t;
		i = p;
	}
}

static void heap_pop(struct heap *h, const struct record *rec)
{
	h->v[0] = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && rec[h->v[l]].seq > rec[h->v[m]].seq)
			m = l;
		if (r < h->n && rec[h->v[r]].seq > rec[h->v[m]].seq)
			m = r;
		if (m == i)
			break;
		size_t t = h->v[m];
		h->v[m] = h->v[i];
		h->v[i] = t;
		i = m;
	}
}

static struct mw_error *add_extent(struct flat_source *fs, size_t *cap,
				   uint64_t start, uint64_t len, uint64_t file_off)
{
	if (fs->nr_ext) {
		struct extent *last = &fs->ext[fs->nr_ext - 1];
		if (last->start + last->len == start &&
		    last->file_off + last->len == file_off) {
			last->len += len;
			return NULL;
		}
	}
	if (fs->nr_ext == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct extent *n = realloc(fs->ext, ncap * sizeof(*n));
		if (!n)
			return &mw_error_nomem;
		fs->ext = n;
		*cap = ncap;
	}
	fs->ext[fs->nr_ext++] = (struct extent){ start, len, file_off };
	return NULL;
}

/*
 * Turn records (sorted by start) into extents where each logical byte comes
 * from the last record that wrote it: sweep over all record boundaries with
 * a heap of the records covering the current point, latest on top.
 */
static struct mw_error *resolve_overlaps(struct flat_source *fs,
					 struct record *rec, size_t n)
{
	struct mw_error *err = NULL;
	size_t cap = 0;
	bool overlap = false;
	for (size_t i = 1; i < n && !overlap; i++)
		overlap = rec[i].start < rec[i - 1].end;
	if (!overlap) {
		for (size_t i = 0; i < n; i++) {
			err = add_extent(fs, &cap, rec[i].start,
					 rec[i].end - rec[i].start, rec[i].file_off);
			if (err)
				return err;
		}
		return NULL;
	}

	uint64_t *bounds = malloc(2 * n * sizeof(*bounds));
	struct heap h = { malloc(n * sizeof(size_t)), 0 };
	if (!bounds || !h.v) {
		err = &mw_error_nomem;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		bounds[2 * i] = rec[i].start;
		bounds[2 * i + 1] = rec[i].end;
	}
	qsort(bounds, 2 * n, sizeof(*bounds), u64_cmp);
	size_t nb = 0;
	for (size_t i = 0; i < 2 * n; i++)
		if (nb == 0 || bounds[nb - 1] != bounds[i])
			bounds[nb++] = bounds[i];

	size_t next = 0;	/* next record (by start) to enter the heap */
	for (size_t b = 0; b + 1 < nb; b++) {
		uint64_t at = bounds[b];
		while (next < n && rec[next].start <= at)
			heap_push(&h, rec, next++);
		while (h.n && rec[h.v[0]].end <= at)
			heap_pop(&h, rec);
		if (!h.n)
			continue;
		const struct record *w = &rec[h.v[0]];
		err = add_extent(fs, &cap, at, bounds[b + 1] - at,
				 w->file_off + (at - w->start));
		if (err)
			goto out;
	}
out:
	free(bounds);
	free(h.v);
	return err;
}

static struct mw_error *index_records(struct flat_source *fs)
{
	struct mw_error *err = NULL;
	const char *path = fs->base.path;
	struct scanner *s = malloc(sizeof(*s));
	struct record *rec = NULL;
	size_t n = 0, cap = 0;
	if (!s)
		return &mw_error_nomem;
	s->fd = fs->fd;
	s->path = path;
	s->file_size = fs->file_size;
	s->buf_off = 0;
	s->buf_len = 0;
	s->big = false;

	uint64_t pos = FLAT_HEADER_SIZE;
	/* every record takes at least its header from the file: bounded */
	while (pos < fs->file_size) {
		uint8_t hdr[RECORD_HEADER_SIZE];
		if (fs->file_size - pos < RECORD_HEADER_SIZE) {
			/* cut short inside a record header: read what came before */
			fs->base.cut_claim = pos + RECORD_HEADER_SIZE;
			break;
		}
		err = scan_header(s, pos, hdr);
		if (err)
			goto out;
		int64_t off = (int64_t)be64(hdr);
		int64_t size = (int64_t)be64(hdr + 8);
		if (off == -1)
			break;	/* end marker */
		if (off < 0) {
			err = mw_error_at_offset(MW_ERR_FORMAT, pos,
						 "%s: flattened record with negative offset %" PRId64,
						 path, off);
			goto out;
		}
		uint64_t data = pos + RECORD_HEADER_SIZE;
		bool cut = false;
		if (size >= 0 && (uint64_t)size > fs->file_size - data &&
		    (uint64_t)size <= MAX_RECORD_SIZE) {
			/* the file ends inside this record (a copy cut short): keep
			 * the part that is there, and what the record claimed */
			fs->base.cut_claim = data + (uint64_t)size;
			size = (int64_t)(fs->file_size - data);
			cut = true;
		}
		if (size < 0 || (uint64_t)size > fs->file_size - data) {
			err = mw_error_at_offset(MW_ERR_FORMAT, pos,
						 "%s: flattened record size %" PRId64 " runs past the end of the file (%" PRIu64 " bytes)",
						 path, size, fs->file_size);
			goto out;
		}
		if (size > 0) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct record *nr = realloc(rec, ncap * sizeof(*nr));
				if (!nr) {
					err = &mw_error_nomem;
					goto out;
				}
				rec = nr;
				cap = ncap;
			}
			rec[n] = (struct record){
				.start = (uint64_t)off,
				.end = (uint64_t)off + (uint64_t)size,
				.file_off = data,
				.seq = n,
			};
			n++;
		}
		pos = data + (uint64_t)size;
		s->big = size >= BIG_RECORD;
		if (cut)
			break;
	}
	/* A stream cut at a record boundary (no end marker) is read as far
	 * as it goes; what the kdump parser then misses, it reports. */

	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = rec[i].start >= rec[i - 1].start;
	if (!sorted)
		qsort(rec, n, sizeof(*rec), record_start_cmp);
	err = resolve_overlaps(fs, rec, n);
	if (err)
		goto out;
	fs->base.size = fs->nr_ext ?
		fs->ext[fs->nr_ext - 1].start + fs->ext[fs->nr_ext - 1].len : 0;
out:
	free(rec);
	free(s);
	return err;
}

struct mw_error *mw_source_flattened_create(int fd, const char *path,
					    struct mw_source **ret)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return mw_error_errno(errno, "%s", path);
	uint64_t file_size = (uint64_t)st.st_size;
	uint8_t hdr[FLAT_SIG_LEN + 16];
	if (!S_ISREG(st.st_mode) || file_size < FLAT_HEADER_SIZE)
		return mw_error_at_offset(MW_ERR_FORMAT, 0,
					  "%s: flattened dump shorter than its %d-byte header",
					  path, FLAT_HEADER_SIZE);
	struct mw_error *err = pread_full(fd, path, 0, hdr, sizeof(hdr));
	if (err)
		return err;
	if (!mw_flattened_probe(hdr, sizeof(hdr)))
		return mw_error_at_offset(MW_ERR_FORMAT, 0,
					  "%s: no makedumpfile flattened signature", path);
	int64_t type = (int64_t)be64(hdr + FLAT_SIG_LEN);
	int64_t version = (int64_t)be64(hdr + FLAT_SIG_LEN + 8);
	if (type != FLAT_TYPE)
		return mw_error_at_offset(MW_ERR_UNSUPPORTED, FLAT_SIG_LEN,
					  "%s: flattened dump of type %" PRId64 " (only type %d is known)",
					  path, type, FLAT_TYPE);
	if (version != FLAT_VERSION)
		return mw_error_at_offset(MW_ERR_UNSUPPORTED, FLAT_SIG_LEN + 8,
					  "%s: flattened dump version %" PRId64 " (only version %d is known)",
					  path, version, FLAT_VERSION);

	struct flat_source *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return &mw_error_nomem;
	fs->base.ops = &flat_ops;
	fs->base.path = path;
	fs->fd = fd;
	fs->file_size = file_size;
	err = index_records(fs);
	if (err) {
		flat_destroy(&fs->base);
		return err;
	}
	*ret = &fs->base;
	return NULL;
}
