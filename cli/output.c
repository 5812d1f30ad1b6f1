/* memwhere: rendering of results, text and JSON, in one place. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/render-util.h"
#include "common/json.h"

enum { SCHEMA_VERSION = 1 };


void mw_render_json_begin(struct mw_context *ctx, struct mw_json *j)
{
	if (ctx->json_report) {
		/* a section of the report's document */
		*j = *ctx->json_report;
		mw_json_key(j, ctx->json_section);
		mw_json_object_begin(j);
		return;
	}
	mw_json_init(j, ctx->out, true);
	mw_json_object_begin(j);
	mw_json_key(j, "memwhere");
	mw_json_object_begin(j);
	mw_json_kv_string(j, "version", PACKAGE_VERSION);
	mw_json_kv_uint(j, "schema", SCHEMA_VERSION);
	mw_json_object_end(j);
	mw_json_kv_string(j, "dump", ctx->dump_path);
}

void mw_render_json_end(struct mw_context *ctx, struct mw_json *j)
{
	if (ctx->json_report) {
		mw_json_object_end(j);
		*ctx->json_report = *j;
		return;
	}
	mw_json_key(j, "warnings");
	mw_json_array_begin(j);
	for (size_t i = 0; i < ctx->warnings.kept; i++)
		mw_json_string(j, ctx->warnings.text[i]);
	if (ctx->warnings.dropped) {
		char buf[64];
		snprintf(buf, sizeof(buf), "... and %zu more warnings",
			 ctx->warnings.dropped);
		mw_json_string(j, buf);
	}
	mw_json_array_end(j);
	mw_json_object_end(j);
	mw_json_finish(j);
}

void mw_render_text_warnings(struct mw_context *ctx)
{
	size_t n = mw_warnings_count(&ctx->warnings);
	if (!n || ctx->in_report)
		return;
	fprintf(ctx->out, "\nWarnings (%zu): parts of this report are incomplete\n", n);
	for (size_t i = 0; i < ctx->warnings.kept; i++)
		fprintf(ctx->out, "  - %s\n", ctx->warnings.text[i]);
	if (ctx->warnings.dropped)
		fprintf(ctx->out, "  ... and %zu more\n", ctx->warnings.dropped);
}

/* VMCOREINFO value by key as a NUL-terminated copy in buf, or NULL. */
static const char *vmci(const struct mw_dump_info *info, const char *key,
			char *buf, size_t len)
{
	size_t n;
	const char *v = mw_vmcoreinfo_get(info, key, &n);
	if (!v)
		return NULL;
	if (n >= len)
		n = len - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return buf;
}

static const char *kernel_release(const struct mw_dump_info *info, char *buf,
				  size_t len)
{
	const char *rel = vmci(info, "OSRELEASE", buf, len);
	if (!rel && info->utsname_release[0])
		rel = info->utsname_release;
	return rel;
}

static void json_vmcoreinfo(struct mw_json *j, const struct mw_dump_info *info)
{
	mw_json_key(j, "vmcoreinfo");
	if (!info->vmcoreinfo) {
		mw_json_null(j);
		return;
	}
	mw_json_object_begin(j);
	const char *p = info->vmcoreinfo, *end = p + info->vmcoreinfo_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(eol - p));
		if (eq && eq > p) {
			char key[128];
			size_t kl = (size_t)(eq - p);
			if (kl >= sizeof(key))
				kl = sizeof(key) - 1;
			memcpy(key, p, kl);
			key[kl] = '\0';
			mw_json_key(j, key);
			mw_json_string_n(j, eq + 1, (size_t)(eol - eq - 1));
		}
		p = eol + 1;
	}
	mw_json_object_end(j);
}

static void render_info_json(struct mw_context *ctx)
{
	struct mw_json j;
	mw_render_json_begin(ctx, &j);
	mw_render_info_json_fields(ctx, &j);
	mw_render_json_end(ctx, &j);
}

/* info's fields, into an open object (the info document, or the report) */
void mw_render_info_json_fields(struct mw_context *ctx, struct mw_json *jp)
{
	const struct mw_dump_info *info = mw_reader_info(ctx->reader);
	struct mw_json j = *jp;
	char buf[128];
	uint64_t v;
	struct mw_error *err;

	mw_json_kv_string(&j, "format", mw_format_name(info->format));
	if (info->format == MW_FORMAT_FLATTENED)
		mw_json_kv_string(&j, "inner_format",
				  mw_format_name(info->inner_format));
	mw_json_key(&j, "compression");
	mw_json_array_begin(&j);
	const char *names[5];
	size_t n = mw_compression_names(info->compression, names);
	for (size_t i = 0; i < n; i++)
		mw_json_string(&j, names[i]);
	mw_json_array_end(&j);
	mw_json_kv_uint(&j, "file_size", info->file_size);
	if (info->header_version)
		mw_json_kv_uint(&j, "header_version", info->header_version);
	mw_json_kv_bool(&j, "incomplete", info->incomplete);
	mw_json_kv_uint(&j, "cpus", info->nr_cpus);

	mw_json_key(&j, "kernel");
	mw_json_object_begin(&j);
	const char *rel = kernel_release(info, buf, sizeof(buf));
	mw_json_kv_string(&j, "release", rel);
	mw_json_kv_string(&j, "arch", info->utsname_machine[0] ? info->utsname_machine : NULL);
	mw_json_kv_uint(&j, "page_size", info->page_size);
	mw_json_key(&j, "kaslr_offset");
	if ((err = mw_vmcoreinfo_u64(info, "KERNELOFFSET", &v)) == NULL)
		mw_json_addr(&j, v);
	else {
		mw_error_destroy(err);
		mw_json_null(&j);
	}
	mw_json_key(&j, "phys_base");
	if ((err = mw_vmcoreinfo_u64(info, "NUMBER(phys_base)", &v)) == NULL)
		mw_json_addr(&j, v);
	else {
		mw_error_destroy(err);
		mw_json_null(&j);
	}
	const struct mw_kernel *k = ctx->kernel;
	mw_json_key(&j, "page_offset_base");
	if (k)
		mw_json_addr(&j, k->page_offset_base);
	else
		mw_json_null(&j);
	mw_json_key(&j, "vmemmap_base");
	if (k)
		mw_json_addr(&j, k->vmemmap_base);
	else
		mw_json_null(&j);
	mw_json_key(&j, "pgtable_levels");
	if (k)
		mw_json_uint(&j, (uint64_t)k->vm.levels);
	else
		mw_json_null(&j);
	mw_json_kv_string(&j, "uts_release", k && k->uts_release[0] ? k->uts_release : NULL);
	mw_json_object_end(&j);

	mw_json_key(&j, "types");
	mw_json_object_begin(&j);
	mw_json_kv_string(&j, "source", k ? mw_types_source_name(mw_types_source(k->types)) : NULL);
	mw_json_kv_string(&j, "file", k ? k->types_path : NULL);
	mw_json_object_end(&j);
	mw_json_key(&j, "symbols");
	mw_json_object_begin(&j);
	mw_json_kv_string(&j, "source", k ? mw_symbols_source_name(k->symbols_source) : NULL);
	mw_json_kv_uint(&j, "count", k ? k->nr_symbols : 0);
	mw_json_object_end(&j);

	mw_json_key(&j, "memory");
	mw_json_object_begin(&j);
	mw_json_key(&j, "ranges");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < info->nr_ranges; i++) {
		mw_json_object_begin(&j);
		mw_json_kv_addr(&j, "start", info->ranges[i].start);
		mw_json_kv_addr(&j, "end", info->ranges[i].end);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_json_kv_uint(&j, "total_bytes", info->total_bytes);
	mw_json_kv_uint(&j, "excluded_pages", info->excluded_pages);
	mw_json_object_end(&j);

	json_vmcoreinfo(&j, info);
	*jp = j;
}

void mw_render_info_text(struct mw_context *ctx)
{
	const struct mw_dump_info *info = mw_reader_info(ctx->reader);
	FILE *o = ctx->out;
	char buf[128], hb[32];
	uint64_t v;
	struct mw_error *err;

	fprintf(o, "Dump:        %s\n", ctx->dump_path);
	fprintf(o, "Format:      %s", mw_format_name(info->format));
	if (info->format == MW_FORMAT_FLATTENED)
		fprintf(o, " (a %s dump as a stream)", mw_format_name(info->inner_format));
	if (info->header_version)
		fprintf(o, ", header version %u", info->header_version);
	fputc('\n', o);
	const char *names[5];
	size_t n = mw_compression_names(info->compression, names);
	fprintf(o, "Compression: ");
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%s%s", i ? ", " : "", names[i]);
	fprintf(o, "%s\n", n ? "" : "-");
	mw_human_bytes(info->total_bytes, hb, sizeof(hb));
	fprintf(o, "Memory:      %s in %zu range%s, page size %u\n", hb,
		info->nr_ranges, info->nr_ranges == 1 ? "" : "s", info->page_size);
	for (size_t i = 0; i < info->nr_ranges; i++) {
		mw_human_bytes(info->ranges[i].end - info->ranges[i].start, hb, sizeof(hb));
		fprintf(o, "             0x%012" PRIx64 "-0x%012" PRIx64 "  %s\n",
			info->ranges[i].start, info->ranges[i].end, hb);
	}
	if (info->excluded_pages) {
		mw_human_bytes(info->excluded_pages * info->page_size, hb, sizeof(hb));
		fprintf(o, "Not in dump: %" PRIu64 " pages (%s) left out by the dump\n",
			info->excluded_pages, hb);
	}
	if (info->incomplete)
		fprintf(o, "Incomplete:  yes, the dump was cut short\n");
	const char *rel = kernel_release(info, buf, sizeof(buf));
	fprintf(o, "Kernel:      %s%s%s\n", rel ? rel : "unknown (no VMCOREINFO)",
		info->utsname_machine[0] ? ", " : "", info->utsname_machine);
	if (info->nr_cpus)
		fprintf(o, "CPUs:        %u\n", info->nr_cpus);
	if ((err = mw_vmcoreinfo_u64(info, "KERNELOFFSET", &v)) == NULL)
		fprintf(o, "KASLR:       offset 0x%" PRIx64 "\n", v);
	mw_error_destroy(err);
	/* a signed long: negative when the kernel sits below its link address */
	if ((err = mw_vmcoreinfo_u64(info, "NUMBER(phys_base)", &v)) == NULL)
		fprintf(o, "phys_base:   %s0x%" PRIx64 "\n", (int64_t)v < 0 ? "-" : "",
			(int64_t)v < 0 ? -v : v);
	mw_error_destroy(err);
	fprintf(o, "VMCOREINFO:  %s\n", info->vmcoreinfo ? "present" :
		"absent: pass --vmlinux or --system-map for symbols");
	const struct mw_kernel *k = ctx->kernel;
	if (k) {
		fprintf(o, "Symbols:     %zu from %s\n", k->nr_symbols,
			mw_symbols_source_name(k->symbols_source));
		fprintf(o, "Types:       %s%s%s\n",
			mw_types_source_name(mw_types_source(k->types)),
			k->types_path ? " " : "", k->types_path ? k->types_path : "");
		fprintf(o, "Paging:      %d levels, direct map at 0x%" PRIx64
			", vmemmap at 0x%" PRIx64 "\n", k->vm.levels,
			k->page_offset_base, k->vmemmap_base);
	}
	mw_render_text_warnings(ctx);
}

void mw_render_info(struct mw_context *ctx)
{
	if (ctx->opt.json)
		render_info_json(ctx);
	else
		mw_render_info_text(ctx);
}
