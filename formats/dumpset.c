/* memwhere: the parts of a makedumpfile --split set read as one dump.
 *
 * makedumpfile --split writes one kdump-compressed file per part; every
 * part carries the whole header, both bitmaps and the notes, but the page
 * descriptors and data of its own pfn span only (the kdump sub-header's
 * start_pfn/end_pfn). Each part is opened as a dump of its own; this reader
 * sends every read to the part holding its pfns. Pfns that no part given
 * holds read as left out, like the filtered pages of one file.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"

struct dumpset {
	struct mw_reader **parts;	/* sorted by start_pfn */
	size_t n;
	unsigned shift;
};

/* The part holding pfn, or NULL. */
static struct mw_reader *part_of(const struct dumpset *ds, uint64_t pfn, size_t *idx)
{
	size_t lo = 0, hi = ds->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct mw_dump_part *p = &mw_reader_info(ds->parts[mid])->parts[0];
		if (pfn < p->start_pfn)
			hi = mid;
		else if (pfn >= p->end_pfn)
			lo = mid + 1;
		else {
			*idx = mid;
			return ds->parts[mid];
		}
	}
	*idx = lo;	/* the first part after pfn */
	return NULL;
}

static struct mw_error *set_read_phys(struct mw_reader *r, uint64_t paddr,
				      void *buf, size_t len)
{
	const struct dumpset *ds = r->priv;
	uint8_t *out = buf;
	while (len) {
		size_t idx;
		uint64_t pfn = paddr >> ds->shift;
		struct mw_reader *part = part_of(ds, pfn, &idx);
		/* up to the end of this part, or to the next one */
		uint64_t limit = part ? mw_reader_info(part)->parts[0].end_pfn :
			idx < ds->n ? mw_reader_info(ds->parts[idx])->parts[0].start_pfn :
			UINT64_MAX;
		uint64_t end = limit > (UINT64_MAX >> ds->shift) ? UINT64_MAX : limit << ds->shift;
		size_t chunk = end - paddr < len ? (size_t)(end - paddr) : len;
		/* no part holds it: the first part's bitmaps say hole or left out */
		struct mw_error *err = mw_reader_read_phys(part ? part : ds->parts[0],
							   paddr, out, chunk);
		if (err)
			return err;
		out += chunk;
		paddr += chunk;
		len -= chunk;
	}
	return NULL;
}

static enum mw_page_state set_page_state(struct mw_reader *r, uint64_t pfn)
{
	const struct dumpset *ds = r->priv;
	size_t idx;
	struct mw_reader *part = part_of(ds, pfn, &idx);
	return mw_reader_page_state(part ? part : ds->parts[0], pfn);
}

static void dumpset_free(struct dumpset *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->n; i++)
		mw_reader_destroy(ds->parts[i]);
	free(ds->parts);
	free(ds);
}

static void set_close(struct mw_reader *r)
{
	/* what the info borrowed from the first part goes with it */
	r->info.ranges = NULL;
	r->info.segments = NULL;
	r->info.vmcoreinfo = NULL;
	r->info.notes = NULL;
	dumpset_free(r->priv);
	r->priv = NULL;
}

static bool never(const uint8_t *head, size_t len, const char *path)
{
	return false;
}

static const struct mw_format_ops set_ops = {
	.name = "kdump",
	.probe = never,
	.read_phys = set_read_phys,
	.page_state = set_page_state,
	.close = set_close,
};

static int part_cmp(const void *a, const void *b)
{
	const struct mw_dump_part *x = &mw_reader_info(*(struct mw_reader *const *)a)->parts[0];
	const struct mw_dump_part *y = &mw_reader_info(*(struct mw_reader *const *)b)->parts[0];
	return x->start_pfn < y->start_pfn ? -1 : x->start_pfn > y->start_pfn;
}

static bool same_ranges(const struct mw_dump_info *a, const struct mw_dump_info *b)
{
	return a->nr_ranges == b->nr_ranges &&
	       (!a->nr_ranges ||
		memcmp(a->ranges, b->ranges, a->nr_ranges * sizeof(*a->ranges)) == 0);
}

/* Do the parts, opened and sorted, make one dump? */
static struct mw_error *check_parts(const struct dumpset *ds)
{
	const struct mw_dump_info *first = mw_reader_info(ds->parts[0]);
	for (size_t i = 0; i < ds->n; i++) {
		const struct mw_dump_info *info = mw_reader_info(ds->parts[i]);
		const char *path = mw_reader_path(ds->parts[i]);
		const char *differs = NULL;
		if (info->page_size != first->page_size)
			differs = "page size";
		else if (!same_ranges(info, first))
			differs = "memory map";
		else if (!info->vmcoreinfo != !first->vmcoreinfo ||
			 (info->vmcoreinfo && (info->vmcoreinfo_len != first->vmcoreinfo_len ||
			  memcmp(info->vmcoreinfo, first->vmcoreinfo, info->vmcoreinfo_len) != 0)))
			differs = "VMCOREINFO";
		else if (strcmp(info->utsname_release, first->utsname_release) != 0)
			differs = "kernel release";
		if (differs)
			return mw_error_create(MW_ERR_USAGE,
					       "%s and %s are not parts of one dump (their %s differs)",
					       mw_reader_path(ds->parts[0]), path, differs);
		if (i) {
			const struct mw_dump_part *prev = &mw_reader_info(ds->parts[i - 1])->parts[0];
			const struct mw_dump_part *cur = &info->parts[0];
			if (cur->start_pfn < prev->end_pfn)
				return mw_error_create(MW_ERR_USAGE,
						       "%s and %s both hold pfns %#" PRIx64 "-%#" PRIx64 ": the same part twice, or parts of different splits",
						       mw_reader_path(ds->parts[i - 1]), path, cur->start_pfn,
						       (prev->end_pfn < cur->end_pfn ? prev->end_pfn : cur->end_pfn) - 1);
		}
	}
	return NULL;
}

/* The set's info: the first part's, with the parts, the pages all of them
 * hold, and what none of them holds. */
static struct mw_error *set_info(struct mw_reader *r, const struct dumpset *ds)
{
	const struct mw_dump_info *first = mw_reader_info(ds->parts[0]);
	struct mw_dump_info *info = &r->info;
	*info = *first;
	/* not borrowed: made below */
	info->parts = NULL;
	info->missing = NULL;
	info->nr_missing = 0;
	info->expected_size = 0;
	info->cut_in_record = false;
	info->parts = calloc(ds->n, sizeof(*info->parts));
	if (!info->parts)
		return &mw_error_nomem;
	info->nr_parts = ds->n;
	uint64_t ram_pages = info->total_bytes / info->page_size;
	uint64_t held = 0;
	info->file_size = 0;
	info->cut_pages = 0;
	info->compression = 0;
	info->incomplete = false;
	for (size_t i = 0; i < ds->n; i++) {
		const struct mw_dump_info *pi = mw_reader_info(ds->parts[i]);
		info->parts[i] = pi->parts[0];
		info->file_size += pi->file_size;
		info->compression |= pi->compression;
		/* cut short; a part lacking the others' pfns is not */
		info->incomplete |= pi->cut_pages || pi->expected_size;
		info->cut_pages += pi->cut_pages;
		/* a part leaves out every page but the dumped ones of its span */
		held += ram_pages - (pi->excluded_pages < ram_pages ? pi->excluded_pages : ram_pages);
	}
	info->excluded_pages = ram_pages - (held < ram_pages ? held : ram_pages);
	return mw_split_missing(info);
}

struct mw_error *mw_reader_open_set(const char *const *paths, size_t n,
				    struct mw_reader **ret)
{
	if (n == 1)
		return mw_reader_open(paths[0], ret);
	if (n == 0)
		return mw_error_create(MW_ERR_USAGE, "no dump file");
	struct mw_error *err;
	struct mw_reader *r = calloc(1, sizeof(*r));
	struct dumpset *ds = calloc(1, sizeof(*ds));
	if (!r || !ds || !(ds->parts = calloc(n, sizeof(*ds->parts)))) {
		free(r);
		dumpset_free(ds);
		return &mw_error_nomem;
	}
	r->fd = -1;
	for (; ds->n < n; ds->n++) {
		err = mw_reader_open(paths[ds->n], &ds->parts[ds->n]);
		if (err)
			goto fail;
	}
	for (size_t i = 0; i < ds->n; i++)
		if (!mw_reader_info(ds->parts[i])->split) {
			err = mw_error_create(MW_ERR_USAGE,
					      "%s is not a part of a split dump (makedumpfile --split): give one dump, or every part of one split dump",
					      mw_reader_path(ds->parts[i]));
			goto fail;
		}
	qsort(ds->parts, ds->n, sizeof(*ds->parts), part_cmp);
	if ((err = check_parts(ds)))
		goto fail;
	ds->shift = (unsigned)__builtin_ctz(mw_reader_info(ds->parts[0])->page_size);
	r->ops = &set_ops;
	r->priv = ds;
	r->path = strdup(paths[0]);
	if (!r->path || (err = set_info(r, ds))) {
		mw_reader_destroy(r);
		return err ? err : &mw_error_nomem;
	}
	*ret = r;
	return NULL;

fail:
	dumpset_free(ds);
	free(r);
	return err;
}
