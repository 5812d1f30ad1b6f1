/* mw-convert: write any dump memwhere reads as a kdump-compressed file
 * (makedumpfile's format, optionally flattened) or a physical-only ELF
 * core. A test tool: it makes the dump variants memwhere must read from one
 * real dump, and the files are checked against independent readers
 * (libkdumpfile, crash, makedumpfile -R).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/tools/convert.h"

static const char usage[] =
	"Usage: mw-convert [OPTIONS] SOURCE OUTPUT\n"
	"Write the dump SOURCE (any format memwhere reads) as OUTPUT.\n"
	"\n"
	"  --format kdump|elf      output format (default kdump)\n"
	"  --compress METHOD       kdump page compression: none, zlib, lzo, snappy,\n"
	"                          zstd (default zlib); a page that does not shrink\n"
	"                          is stored raw\n"
	"  --header-version N      kdump header version 1..6 (default 6)\n"
	"  --level N               zlib (1..9) or zstd (1..22) level (default:\n"
	"                          the fastest, 1)\n"
	"  --flatten               write makedumpfile's flattened stream (OUTPUT may\n"
	"                          be - for standard output)\n"
	"  --exclude-zero          leave zero pages out (default: kdump pages share\n"
	"                          one stored zero page; ELF keeps them)\n"
	"  --zero-unit BYTES       with --exclude-zero: a block goes only when the\n"
	"                          aligned BYTES holding it are all zeros (the\n"
	"                          kernel's page size where it is larger than the\n"
	"                          dump's blocks, as makedumpfile's filter sees it)\n"
	"  --sparse                ELF: zero pages stay in the PT_LOADs but are not\n"
	"                          written (holes in the file, read as zeros: a\n"
	"                          kexec-style /proc/vmcore copy on a sparse disk)\n"
	"  --fill-excluded         write the pages the source left out as zeros\n"
	"                          (a copy where all RAM reads, for corruption tests)\n"
	"  --exclude-pfns LIST     leave out pfn ranges A-B[,C-D...] (inclusive;\n"
	"                          decimal or 0x hex; a single pfn is A)\n"
	"  --exclude-pfns-file F   the same, one range per line (# comments)\n"
	"  --incomplete-after N    kdump: keep only the first N page descriptors,\n"
	"                          zero the rest and set the incomplete flag\n"
	"  --timestamp SECONDS     kdump header time (default: now)\n"
	"  --direct-map ADDR       ELF: PT_LOAD virtual addresses ADDR + physical, as\n"
	"                          a capture kernel's /proc/vmcore has (what\n"
	"                          makedumpfile needs; ADDR: `memwhere info --json`'s\n"
	"                          page_offset_base)\n"
	"  -v, --verbose           print what was written on standard error\n"
	"  -h, --help              this text\n";

enum {
	OPT_FORMAT = 256,
	OPT_COMPRESS,
	OPT_HEADER_VERSION,
	OPT_LEVEL,
	OPT_FLATTEN,
	OPT_EXCLUDE_ZERO,
	OPT_ZERO_UNIT,
	OPT_SPARSE,
	OPT_FILL_EXCLUDED,
	OPT_EXCLUDE_PFNS,
	OPT_EXCLUDE_PFNS_FILE,
	OPT_INCOMPLETE_AFTER,
	OPT_TIMESTAMP,
	OPT_DIRECT_MAP,
};

enum { MAX_EXCLUDE_RANGES = 1 << 20 };

static struct mw_error *parse_u64(const char *s, const char *what,
				  uint64_t *ret)
{
	char *end;
	if (!*s || *s == '-')
		return mw_error_create(MW_ERR_USAGE, "%s: bad number '%s'", what, s);
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return mw_error_create(MW_ERR_USAGE, "%s: bad number '%s'", what, s);
	*ret = v;
	return NULL;
}

static struct mw_error *add_range(struct mw_conv_options *opt,
				  const char *text, size_t len,
				  const char *what)
{
	char buf[64];
	while (len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
		       text[len - 1] == '\r'))
		len--;
	if (len == 0)
		return NULL;
	if (len >= sizeof(buf))
		return mw_error_create(MW_ERR_USAGE, "%s: range too long", what);
	memcpy(buf, text, len);
	buf[len] = '\0';
	struct mw_pfn_range r;
	char *dash = strchr(buf, '-');
	struct mw_error *err;
	if (dash) {
		*dash = '\0';
		err = parse_u64(buf, what, &r.first);
		if (!err)
			err = parse_u64(dash + 1, what, &r.last);
	} else {
		err = parse_u64(buf, what, &r.first);
		r.last = r.first;
	}
	if (err)
		return err;
	if (r.last < r.first)
		return mw_error_create(MW_ERR_USAGE, "%s: range %s ends before it starts",
				       what, text);
	if (opt->nr_exclude >= MAX_EXCLUDE_RANGES)
		return mw_error_create(MW_ERR_LIMIT, "%s: more than %d ranges", what,
				       MAX_EXCLUDE_RANGES);
	if ((opt->nr_exclude & (opt->nr_exclude - 1)) == 0) {
		size_t cap = opt->nr_exclude ? opt->nr_exclude * 2 : 8;
		struct mw_pfn_range *n = realloc(opt->exclude, cap * sizeof(*n));
		if (!n)
			return &mw_error_nomem;
		opt->exclude = n;
	}
	opt->exclude[opt->nr_exclude++] = r;
	return NULL;
}

static struct mw_error *parse_ranges(struct mw_conv_options *opt,
				     const char *list)
{
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct mw_error *err = add_range(opt, p, len, "--exclude-pfns");
		if (err)
			return err;
		if (!comma)
			return NULL;
		p = comma + 1;
	}
}

static struct mw_error *parse_ranges_file(struct mw_conv_options *opt,
					  const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return mw_error_errno(errno, "%s", path);
	char line[256];
	unsigned lineno = 0;
	struct mw_error *err = NULL;
	while (!err && fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strcspn(line, "#\n");
		err = add_range(opt, line, len, path);
		if (err)
			err = mw_error_prepend(err, "line %u", lineno);
	}
	if (!err && ferror(f))
		err = mw_error_errno(errno, "%s", path);
	fclose(f);
	return err;
}

static int range_cmp(const void *a, const void *b)
{
	const struct mw_pfn_range *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

static void merge_ranges(struct mw_conv_options *opt)
{
	size_t n = opt->nr_exclude, out = 0;
	if (!n)
		return;
	qsort(opt->exclude, n, sizeof(*opt->exclude), range_cmp);
	for (size_t i = 0; i < n; i++) {
		struct mw_pfn_range *r = &opt->exclude[i];
		if (out && (opt->exclude[out - 1].last == UINT64_MAX ||
			    r->first <= opt->exclude[out - 1].last + 1)) {
			if (r->last > opt->exclude[out - 1].last)
				opt->exclude[out - 1].last = r->last;
		} else {
			opt->exclude[out++] = *r;
		}
	}
	opt->nr_exclude = out;
}

static struct mw_error *parse_args(int argc, char **argv,
				   struct mw_conv_options *opt, bool *verbose,
				   const char **src, const char **dst)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "compress", required_argument, NULL, OPT_COMPRESS },
		{ "header-version", required_argument, NULL, OPT_HEADER_VERSION },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ "flatten", no_argument, NULL, OPT_FLATTEN },
		{ "exclude-zero", no_argument, NULL, OPT_EXCLUDE_ZERO },
		{ "zero-unit", required_argument, NULL, OPT_ZERO_UNIT },
		{ "sparse", no_argument, NULL, OPT_SPARSE },
		{ "fill-excluded", no_argument, NULL, OPT_FILL_EXCLUDED },
		{ "exclude-pfns", required_argument, NULL, OPT_EXCLUDE_PFNS },
		{ "exclude-pfns-file", required_argument, NULL, OPT_EXCLUDE_PFNS_FILE },
		{ "incomplete-after", required_argument, NULL, OPT_INCOMPLETE_AFTER },
		{ "timestamp", required_argument, NULL, OPT_TIMESTAMP },
		{ "direct-map", required_argument, NULL, OPT_DIRECT_MAP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const comp_names[] = {
		[MW_CONV_COMP_NONE] = "none", [MW_CONV_COMP_ZLIB] = "zlib",
		[MW_CONV_COMP_LZO] = "lzo", [MW_CONV_COMP_SNAPPY] = "snappy",
		[MW_CONV_COMP_ZSTD] = "zstd",
	};
	struct mw_error *err = NULL;
	uint64_t v;
	int c;

	opt->format = MW_CONV_KDUMP;
	opt->comp = MW_CONV_COMP_ZLIB;
	opt->header_version = 6;
	opt->timestamp = (int64_t)time(NULL);
	opterr = 0;
	while (!err && (c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (strcmp(optarg, "kdump") == 0)
				opt->format = MW_CONV_KDUMP;
			else if (strcmp(optarg, "elf") == 0)
				opt->format = MW_CONV_ELF;
			else
				err = mw_error_create(MW_ERR_USAGE,
						      "--format: '%s' is not kdump or elf", optarg);
			break;
		case OPT_COMPRESS: {
			size_t i;
			for (i = 0; i < sizeof(comp_names) / sizeof(comp_names[0]); i++)
				if (strcmp(optarg, comp_names[i]) == 0)
					break;
			if (i == sizeof(comp_names) / sizeof(comp_names[0]))
				err = mw_error_create(MW_ERR_USAGE,
						      "--compress: unknown method '%s'", optarg);
			else
				opt->comp = (enum mw_conv_comp)i;
			break;
		}
		case OPT_HEADER_VERSION:
			err = parse_u64(optarg, "--header-version", &v);
			if (!err && (v < 1 || v > 6))
				err = mw_error_create(MW_ERR_USAGE,
						      "--header-version: %s is not 1..6", optarg);
			if (!err)
				opt->header_version = (int)v;
			break;
		case OPT_LEVEL:
			err = parse_u64(optarg, "--level", &v);
			if (!err && (v < 1 || v > 22))
				err = mw_error_create(MW_ERR_USAGE,
						      "--level: %s is not 1..22", optarg);
			if (!err)
				opt->level = (int)v;
			break;
		case OPT_FLATTEN:
			opt->flatten = true;
			break;
		case OPT_SPARSE:
			opt->sparse = true;
			break;
		case OPT_EXCLUDE_ZERO:
			opt->exclude_zero = true;
			break;
		case OPT_ZERO_UNIT:
			err = parse_u64(optarg, "--zero-unit", &opt->zero_unit);
			if (!err && (opt->zero_unit > (1u << 20) ||
				     (opt->zero_unit & (opt->zero_unit - 1))))
				err = mw_error_create(MW_ERR_USAGE, "--zero-unit %s: a power of two "
						      "up to 1 MiB", optarg);
			break;
		case OPT_FILL_EXCLUDED:
			opt->fill_excluded = true;
			break;
		case OPT_EXCLUDE_PFNS:
			err = parse_ranges(opt, optarg);
			break;
		case OPT_EXCLUDE_PFNS_FILE:
			err = parse_ranges_file(opt, optarg);
			break;
		case OPT_INCOMPLETE_AFTER:
			err = parse_u64(optarg, "--incomplete-after", &opt->incomplete_after);
			opt->incomplete = true;
			break;
		case OPT_TIMESTAMP:
			err = parse_u64(optarg, "--timestamp", &v);
			if (!err && v > INT64_MAX)
				err = mw_error_create(MW_ERR_USAGE, "--timestamp: too large");
			opt->timestamp = (int64_t)v;
			break;
		case OPT_DIRECT_MAP:
			err = parse_u64(optarg, "--direct-map", &opt->direct_map);
			break;
		case 'v':
			*verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		default:
			err = mw_error_create(MW_ERR_USAGE, "unknown option or missing value: %s",
					      argv[optind - 1]);
			break;
		}
	}
	if (err)
		return err;
	if (argc - optind != 2)
		return mw_error_create(MW_ERR_USAGE, "need SOURCE and OUTPUT");
	if (opt->format == MW_CONV_ELF && opt->incomplete)
		return mw_error_create(MW_ERR_USAGE,
				       "--incomplete-after applies to kdump output only");
	merge_ranges(opt);
	*src = argv[optind];
	*dst = argv[optind + 1];
	return NULL;
}

static void print_stats(const struct mw_conv *cv, const char *dst)
{
	const struct mw_conv_stats *s = &cv->stats;
	fprintf(stderr,
		"%s: %" PRIu64 " bytes; ram_pages=%" PRIu64 " dumped_pages=%" PRIu64
		" zero_pages=%" PRIu64 " excluded_source=%" PRIu64
		" excluded_option=%" PRIu64 " compressed_pages=%" PRIu64
		" incomplete_pages=%" PRIu64 " segments=%" PRIu64 "\n",
		dst, s->file_bytes, s->ram_pages, s->dumped_pages, s->zero_pages,
		s->excluded_source, s->excluded_option, s->compressed_pages,
		s->incomplete_pages, s->segments);
}

int main(int argc, char **argv)
{
	struct mw_conv_options opt = { 0 };
	bool verbose = false;
	const char *src = NULL, *dst = NULL;
	struct mw_reader *reader = NULL;
	struct mw_conv cv = { 0 };
	struct mw_sink sink = { .fd = -1 };
	bool sink_open = false;

	struct mw_error *err = parse_args(argc, argv, &opt, &verbose, &src, &dst);
	if (err) {
		char *msg = mw_error_string(err);
		fprintf(stderr, "mw-convert: %s\n%s", msg ? msg : "error", usage);
		free(msg);
		mw_error_destroy(err);
		free(opt.exclude);
		return 2;
	}

	err = mw_reader_open(src, &reader);
	if (!err)
		err = mw_conv_init(&cv, reader, &opt);
	if (!err) {
		err = mw_sink_open(dst, opt.flatten, &sink);
		sink_open = !err;
	}
	if (!err)
		err = opt.format == MW_CONV_ELF ? mw_elf_write(&cv, &sink)
						: mw_kdump_write(&cv, &sink);
	if (sink_open) {
		cv.stats.file_bytes = sink.end;
		if (err)
			mw_sink_abort(&sink);
		else
			err = mw_sink_close(&sink);
	}
	if (!err && verbose)
		print_stats(&cv, dst);

	int status = 0;
	if (err) {
		char *msg = mw_error_string(err);
		fprintf(stderr, "mw-convert: %s\n", msg ? msg : "error");
		free(msg);
		mw_error_destroy(err);
		status = 2;
	}
	mw_conv_deinit(&cv);
	mw_reader_destroy(reader);
	free(opt.exclude);
	return status;
}
