#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/file.h"
#include "formats/format.h"

/* Probe order matters: kcore is an ELF core too. */
static const struct mw_format_ops *const formats[] = {
	&mw_format_kdump,
	&mw_format_kcore,
	&mw_format_elf,
};

enum { PROBE_BYTES = 4096 };

const char *mw_format_name(enum mw_format format)
{
	switch (format) {
	case MW_FORMAT_ELF: return "elf";
	case MW_FORMAT_KDUMP: return "kdump";
	case MW_FORMAT_FLATTENED: return "flattened";
	case MW_FORMAT_KCORE: return "kcore";
	}
	return "unknown";
}

size_t mw_compression_names(uint32_t bits, const char *names[5])
{
	static const char *const all[] = { "none", "zlib", "lzo", "snappy", "zstd" };
	size_t n = 0;
	for (size_t i = 0; i < 5; i++)
		if (bits & (1u << i))
			names[n++] = all[i];
	return n;
}

static void reader_free(struct mw_reader *r)
{
	if (r->ops && r->ops->close)
		r->ops->close(r);
	mw_source_destroy(r->src);
	if (r->fd >= 0)
		close(r->fd);
	free(r->info.ranges);
	free(r->info.segments);
	free(r->info.vmcoreinfo);
	free(r->info.notes);
	free(r->info.parts);
	free(r->info.missing);
	free(r->notes_buf);
	free(r->path);
	free(r);
}

/*
 * Offsets in errors are offsets in the file the user has: for a flattened
 * stream the format code sees the contents' (logical) offsets, so map them
 * back to where those bytes lie in the stream.
 */
static struct mw_error *file_offsets(const struct mw_reader *r, struct mw_error *err)
{
	if (!err || err == &mw_error_nomem || err->where != MW_WHERE_OFFSET || !r->src ||
	    !r->src->ops->file_offset)
		return err;
	uint64_t off;
	if (r->src->ops->file_offset(r->src, err->address, &off)) {
		err->address = off;
		return err;
	}
	uint64_t logical = err->address;
	err->where = MW_WHERE_NONE;
	return mw_error_prepend(err, "at offset %" PRIu64 " of the stream's contents, which no "
				"record of %s provides", logical, r->path);
}

struct mw_error *mw_reader_open(const char *path, struct mw_reader **ret)
{
	struct mw_error *err;
	struct mw_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return &mw_error_nomem;
	r->fd = -1;
	r->info.dump_level = -1;
	r->path = strdup(path);
	if (!r->path) {
		err = &mw_error_nomem;
		goto fail;
	}
	if ((err = mw_file_open(path, MW_FILE_ALLOW_BLOCK, &r->fd))) {
		if (strcmp(path, "/proc/kcore") == 0 && geteuid() != 0)
			err = mw_error_prepend(err, "reading the running kernel needs root (CAP_SYS_RAWIO)");
		goto fail;
	}

	uint8_t head[PROBE_BYTES];
	ssize_t n = pread(r->fd, head, sizeof(head), 0);
	if (n < 0) {
		err = mw_error_errno(errno, "%s", path);
		goto fail;
	}
	bool flattened = mw_flattened_probe(head, (size_t)n);
	if (flattened)
		err = mw_source_flattened_create(r->fd, r->path, &r->src);
	else
		err = mw_source_file_create(r->fd, r->path, &r->src);
	if (err)
		goto fail;
	if (flattened) {
		/* probe what the stream carries */
		size_t want = sizeof(head);
		if (r->src->size < want)
			want = (size_t)r->src->size;
		err = mw_source_pread(r->src, 0, head, want);
		if (err)
			goto fail;
		n = (ssize_t)want;
	}

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (formats[i]->probe(head, (size_t)n, path)) {
			r->ops = formats[i];
			break;
		}
	}
	if (!r->ops) {
		err = mw_error_at_offset(MW_ERR_FORMAT, 0,
					 "%s: not a dump memwhere knows (ELF core, kdump-compressed, flattened, /proc/kcore)",
					 path);
		goto fail;
	}
	err = file_offsets(r, r->ops->open(r));
	if (err) {
		const struct mw_format_ops *ops = r->ops;
		r->ops = NULL;	/* open cleans up after itself */
		err = mw_error_prepend(err, "%s (%s)", path, ops->name);
		goto fail;
	}
	if (flattened) {
		r->info.inner_format = r->info.format;
		r->info.format = MW_FORMAT_FLATTENED;
		/* the stream's own claim is in file bytes, as a user counts them */
		if (r->src->cut_claim) {
			r->info.incomplete = true;
			r->info.expected_size = r->src->cut_claim;
			r->info.cut_in_record = true;
		} else if (r->info.expected_size) {
			r->info.expected_size = 0;	/* logical, not file, bytes */
		}
	}
	*ret = r;
	return NULL;

fail:
	reader_free(r);
	return err;
}

void mw_reader_destroy(struct mw_reader *r)
{
	if (r)
		reader_free(r);
}

const struct mw_dump_info *mw_reader_info(const struct mw_reader *r)
{
	return &r->info;
}

const char *mw_reader_path(const struct mw_reader *r)
{
	return r->path;
}

struct mw_error *mw_reader_read_phys(struct mw_reader *r, uint64_t paddr,
				     void *buf, size_t len)
{
	if (len == 0)
		return NULL;
	if (paddr + len < paddr)
		return mw_error_at(MW_ERR_HOLE, paddr, "read wraps around");
	return file_offsets(r, r->ops->read_phys(r, paddr, buf, len));
}

enum mw_page_state mw_reader_page_state(struct mw_reader *r, uint64_t pfn)
{
	return r->ops->page_state(r, pfn);
}

struct mw_error *mw_reader_read_segment(struct mw_reader *r, uint64_t vaddr,
					void *buf, size_t len)
{
	if (!r->ops->read_segment)
		return mw_error_at(MW_ERR_NOT_MAPPED, vaddr,
				   "%s dumps have no virtual segments",
				   r->ops->name);
	return r->ops->read_segment(r, vaddr, buf, len);
}

const char *mw_vmcoreinfo_get(const struct mw_dump_info *info,
			      const char *key, size_t *len)
{
	if (!info->vmcoreinfo)
		return NULL;
	size_t klen = strlen(key);
	const char *p = info->vmcoreinfo;
	const char *end = p + info->vmcoreinfo_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if ((size_t)(eol - p) > klen && memcmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			if (len)
				*len = (size_t)(eol - p - (ptrdiff_t)klen - 1);
			return p + klen + 1;
		}
		p = eol + 1;
	}
	return NULL;
}

uint64_t mw_vmcoreinfo_symbol(const struct mw_dump_info *info, const char *name)
{
	char key[128];
	uint64_t v = 0;
	if (snprintf(key, sizeof(key), "SYMBOL(%s)", name) >= (int)sizeof(key))
		return 0;
	struct mw_error *err = mw_vmcoreinfo_u64(info, key, &v);
	mw_error_destroy(err);
	return err ? 0 : v;
}

struct mw_error *mw_vmcoreinfo_u64(const struct mw_dump_info *info,
				   const char *key, uint64_t *ret)
{
	size_t len;
	const char *v = mw_vmcoreinfo_get(info, key, &len);
	if (!v)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "VMCOREINFO has no %s", key);
	char tmp[32];
	if (len == 0 || len >= sizeof(tmp))
		return mw_error_create(MW_ERR_FORMAT,
				       "VMCOREINFO %s: bad value", key);
	memcpy(tmp, v, len);
	tmp[len] = '\0';
	/* SYMBOL(), KERNELOFFSET and a bare phys_base are hex; NUMBER(),
	 * SIZE(), OFFSET(), LENGTH() decimal (x86-64 writes phys_base as
	 * NUMBER(phys_base), a signed decimal) */
	int base = (strncmp(key, "SYMBOL(", 7) == 0 ||
		    strcmp(key, "KERNELOFFSET") == 0 ||
		    strcmp(key, "phys_base") == 0) ? 16 : 10;
	char *endp;
	errno = 0;
	unsigned long long v64;
	if (base == 10 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X'))
		base = 16;	/* arm64 writes its NUMBER()s in hex, with 0x */
	if (base == 10 && tmp[0] == '-')	/* NUMBER() values are signed longs */
		v64 = (unsigned long long)strtoll(tmp, &endp, 10);
	else
		v64 = strtoull(tmp, &endp, base);
	if (errno || *endp)
		return mw_error_create(MW_ERR_FORMAT,
				       "VMCOREINFO %s: bad value '%s'", key, tmp);
	*ret = v64;
	return NULL;
}

static int range_cmp(const void *a, const void *b)
{
	const struct mw_phys_range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

void mw_ranges_normalize(struct mw_dump_info *info)
{
	size_t n = info->nr_ranges, out = 0;
	struct mw_phys_range *rg = info->ranges;
	if (n)
		qsort(rg, n, sizeof(*rg), range_cmp);
	for (size_t i = 0; i < n; i++) {
		if (rg[i].end <= rg[i].start)
			continue;
		if (out && rg[i].start <= rg[out - 1].end) {
			if (rg[i].end > rg[out - 1].end)
				rg[out - 1].end = rg[i].end;
		} else {
			rg[out++] = rg[i];
		}
	}
	info->nr_ranges = out;
	info->total_bytes = 0;
	for (size_t i = 0; i < out; i++)
		info->total_bytes += rg[i].end - rg[i].start;
}

const struct mw_phys_range *mw_ranges_find(const struct mw_dump_info *info,
					   uint64_t paddr)
{
	size_t lo = 0, hi = info->nr_ranges;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mw_phys_range *rg = &info->ranges[mid];
		if (paddr < rg->start)
			hi = mid;
		else if (paddr >= rg->end)
			lo = mid + 1;
		else
			return rg;
	}
	return NULL;
}

struct mw_error *mw_split_missing(struct mw_dump_info *info)
{
	size_t cap = 0;
	unsigned shift = (unsigned)__builtin_ctz(info->page_size ? info->page_size : 4096);
	free(info->missing);
	info->missing = NULL;
	info->nr_missing = 0;
	info->missing_pages = 0;
	for (size_t i = 0; i < info->nr_ranges; i++) {
		uint64_t rs = info->ranges[i].start >> shift;
		uint64_t re = (info->ranges[i].end + info->page_size - 1) >> shift;
		uint64_t cur = rs;
		for (size_t p = 0; p <= info->nr_parts && cur < re; p++) {
			uint64_t gap_end = re, next = re;
			if (p < info->nr_parts) {
				const struct mw_dump_part *part = &info->parts[p];
				if (part->end_pfn <= cur)
					continue;
				gap_end = part->start_pfn < re ? part->start_pfn : re;
				next = part->end_pfn;
			}
			if (gap_end > cur) {
				if (info->nr_missing == cap) {
					size_t ncap = cap ? cap * 2 : 8;
					struct mw_pfn_span *n = realloc(info->missing, ncap * sizeof(*n));
					if (!n)
						return &mw_error_nomem;
					info->missing = n;
					cap = ncap;
				}
				/* spans of adjacent ranges join */
				struct mw_pfn_span *last = info->nr_missing ?
					&info->missing[info->nr_missing - 1] : NULL;
				if (last && last->end == cur)
					last->end = gap_end;
				else
					info->missing[info->nr_missing++] =
						(struct mw_pfn_span){ cur, gap_end };
				info->missing_pages += gap_end - cur;
			}
			if (next > cur)
				cur = next;
		}
	}
	if (info->nr_missing)
		info->incomplete = true;	/* as a dump cut short is */
	return NULL;
}
