/* memwhere: rendering of results, text and JSON, in one place. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/arch.h"
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

void mw_render(struct mw_context *ctx, const struct mw_renderer *r,
	       const struct mw_analysis *a)
{
	if (ctx->opt.json)
		r->json(ctx, a);
	else
		r->text(ctx, a);
}

void mw_render_text_warnings(struct mw_context *ctx)
{
	size_t n = mw_warnings_count(&ctx->warnings);
	if (!n || ctx->in_report)
		return;
	fprintf(ctx->out, "\nWarnings (%zu): parts of this report are incomplete\n", n);
	for (size_t i = 0; i < ctx->warnings.kept; i++) {	/* wrapped within 100 columns */
		struct mw_para para;
		fprintf(mw_para_begin(ctx->out, &para), "  - %s\n", ctx->warnings.text[i]);
		mw_para_end(&para, 2);
	}
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

/* makedumpfile --split: the parts read, and the pfns no part given holds */
static void json_split(struct mw_json *j, const struct mw_dump_info *info)
{
	mw_json_key(j, "split");
	mw_json_object_begin(j);
	mw_json_key(j, "parts");
	mw_json_array_begin(j);
	for (size_t i = 0; i < info->nr_parts; i++) {
		mw_json_object_begin(j);
		mw_json_kv_string(j, "path", info->parts[i].path);
		mw_json_kv_uint(j, "start_pfn", info->parts[i].start_pfn);
		mw_json_kv_uint(j, "end_pfn", info->parts[i].end_pfn);
		mw_json_kv_uint(j, "file_size", info->parts[i].file_size);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_key(j, "missing");
	mw_json_array_begin(j);
	for (size_t i = 0; i < info->nr_missing; i++) {
		mw_json_object_begin(j);
		mw_json_kv_uint(j, "start_pfn", info->missing[i].start);
		mw_json_kv_uint(j, "end_pfn", info->missing[i].end);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_kv_uint(j, "missing_pages", info->missing_pages);
	mw_json_object_end(j);
}

static void text_split(FILE *o, const struct mw_dump_info *info)
{
	char hb[32];
	fprintf(o, "Split:       %zu part%s given (makedumpfile --split)\n", info->nr_parts,
		info->nr_parts == 1 ? "" : "s");
	for (size_t i = 0; i < info->nr_parts; i++) {
		mw_human_bytes(info->parts[i].file_size, hb, sizeof(hb));
		fprintf(o, "             pfns %#" PRIx64 "-%#" PRIx64 "  %s  %s\n",
			info->parts[i].start_pfn, info->parts[i].end_pfn - 1, hb,
			info->parts[i].path);
	}
	for (size_t i = 0; i < info->nr_missing; i++)
		fprintf(o, "             pfns %#" PRIx64 "-%#" PRIx64 "  missing: in a part not given\n",
			info->missing[i].start, info->missing[i].end - 1);
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
	mw_json_key(&j, "dump_level");
	if (info->dump_level >= 0)
		mw_json_uint(&j, (uint64_t)info->dump_level);
	else
		mw_json_null(&j);
	mw_json_kv_bool(&j, "vmemmap_excluded", info->vmemmap_excluded);
	mw_json_kv_uint(&j, "cpus", info->nr_cpus);

	mw_json_key(&j, "kernel");
	mw_json_object_begin(&j);
	const char *rel = kernel_release(info, buf, sizeof(buf));
	mw_json_kv_string(&j, "release", rel);
	const struct mw_kernel *k = ctx->kernel;
	bool from_vmci;
	const char *machine = mw_arch_machine(info, &from_vmci);
	mw_json_kv_string_or_null(&j, "arch", k ? mw_vm_machine(&k->vm) : machine);
	/* the kernel's page (VMCOREINFO PAGESIZE), not the dump's block:
	 * memory.block_size */
	mw_json_kv_uint(&j, "page_size", mw_arch_page_size(info));
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
	/* arm64's translation parameters (VMCOREINFO), null elsewhere */
	mw_json_key(&j, "arm64");
	if (k && strcmp(mw_vm_arch_name(&k->vm), "arm64") == 0) {
		const struct mw_vm_arm64 *a = &k->vm.arm64;
		mw_json_object_begin(&j);
		mw_json_kv_uint(&j, "va_bits", a->va_bits);
		mw_json_kv_uint(&j, "va_bits_actual", a->va_bits_actual);
		mw_json_key(&j, "page_offset");
		mw_json_addr(&j, a->page_offset);
		mw_json_key(&j, "phys_offset");
		mw_json_addr(&j, a->phys_offset);
		mw_json_key(&j, "kimage_voffset");
		mw_json_addr(&j, a->kimage_voffset);
		mw_json_key(&j, "pac_mask");
		mw_json_addr(&j, a->pac_mask);
		mw_json_kv_bool(&j, "lpa2", a->lpa2);
		mw_json_object_end(&j);
	} else {
		mw_json_null(&j);
	}
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
	mw_json_kv_string(&j, "file", k ? k->symbols_path : NULL);
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
	/* the dump's unit (a kdump file's block size): excluded_pages counts
	 * these */
	mw_json_kv_uint(&j, "block_size", info->page_size);
	mw_json_kv_uint(&j, "excluded_pages", info->excluded_pages);
	mw_json_object_end(&j);
	if (info->split)
		json_split(&j, info);

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

	struct mw_para para;	/* a long path wraps under itself */
	fprintf(mw_para_begin(o, &para), "Dump:        %s\n", ctx->dump_path);
	mw_para_end(&para, 13);
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
	fprintf(o, "Memory:      %s in %zu range%s, page size %u", hb,
		info->nr_ranges, info->nr_ranges == 1 ? "" : "s", mw_arch_page_size(info));
	if (mw_arch_page_size(info) != info->page_size)
		fprintf(o, " (VMCOREINFO), dump blocks of %u", info->page_size);
	fputc('\n', o);
	for (size_t i = 0; i < info->nr_ranges; i++) {
		mw_human_bytes(info->ranges[i].end - info->ranges[i].start, hb, sizeof(hb));
		fprintf(o, "             0x%012" PRIx64 "-0x%012" PRIx64 "  %s\n",
			info->ranges[i].start, info->ranges[i].end, hb);
	}
	if (info->excluded_pages) {
		mw_human_bytes(info->excluded_pages * info->page_size, hb, sizeof(hb));
		fprintf(o, "Not in dump: %" PRIu64 " %s (%s) left out by the dump\n",
			info->excluded_pages,
			mw_arch_page_size(info) != info->page_size ? "blocks" : "pages", hb);
	}
	if (info->dump_level >= 0) {
		static const char *const kinds[] = { "zero", "cache", "private cache", "user", "free" };
		fprintf(o, "Filter:      makedumpfile dump level %d", info->dump_level);
		const char *sep = ": left out ";
		for (int i = 0; i < 5; i++)
			if (info->dump_level & (1 << i)) {
				fprintf(o, "%s%s", sep, kinds[i]);
				sep = ", ";
			}
		fprintf(o, "%s%s\n", info->dump_level ? " pages" : " (nothing left out)",
			info->vmemmap_excluded ? ", and their struct pages (-e)" : "");
	}
	if (info->dump_level < 0 && info->excluded_pages)
		fprintf(o, "Filter:      not recorded (an ELF dump does not say its dump level): "
			"`memwhere pages` counts\n             the pages left out by kind\n");
	if (info->incomplete)
		fprintf(o, "Incomplete:  yes, %s\n", info->split && info->nr_missing ?
			"parts of the split dump were not given" : "the dump was cut short");
	if (info->split)
		text_split(o, info);
	const char *rel = kernel_release(info, buf, sizeof(buf));
	bool from_vmci;
	const char *machine = mw_arch_machine(info, &from_vmci);
	if (!machine && info->utsname_machine[0])
		machine = info->utsname_machine;	/* one memwhere does not know */
	fprintf(o, "Kernel:      %s%s%s", rel ? rel : "unknown (no VMCOREINFO)",
		machine ? ", " : "", machine ? machine : "");
	if (from_vmci && info->utsname_machine[0])
		fprintf(o, " (from VMCOREINFO; the dump header says \"%s\")", info->utsname_machine);
	else if (from_vmci)
		fprintf(o, " (from VMCOREINFO; the dump header names none)");
	fputc('\n', o);
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
		/* a long path or the arm64 parameters wrap under themselves */
		o = mw_para_begin(ctx->out, &para);
		fprintf(o, "Symbols:     %zu from %s%s%s\n", k->nr_symbols,
			mw_symbols_source_name(k->symbols_source), k->symbols_path ? " " : "",
			k->symbols_path ? k->symbols_path : "");
		fprintf(o, "Types:       %s%s%s\n",
			mw_types_source_name(mw_types_source(k->types)),
			k->types_path ? " " : "", k->types_path ? k->types_path : "");
		fprintf(o, "Paging:      %s, %d levels, direct map at 0x%" PRIx64
			", vmemmap at 0x%" PRIx64 "\n", mw_vm_arch_name(&k->vm), k->vm.levels,
			k->page_offset_base, k->vmemmap_base);
		if (strcmp(mw_vm_arch_name(&k->vm), "arm64") == 0)
			fprintf(o, "arm64:       VA_BITS %u (%u walked%s), PAGE_OFFSET 0x%" PRIx64
				", PHYS_OFFSET 0x%" PRIx64 ", kimage_voffset 0x%" PRIx64
				", KERNELPACMASK 0x%" PRIx64 "\n", k->vm.arm64.va_bits,
				k->vm.arm64.va_bits_actual, k->vm.arm64.lpa2 ? ", LPA2" : "",
				k->vm.arm64.page_offset, k->vm.arm64.phys_offset,
				k->vm.arm64.kimage_voffset, k->vm.arm64.pac_mask);
		mw_para_end(&para, 13);
	}
	mw_render_text_warnings(ctx);
}

/* The dump in two lines, for the one-screen report. */
void mw_render_info_brief(struct mw_context *ctx, FILE *out, uint64_t ram_bytes)
{
	FILE *o = out;
	const struct mw_dump_info *info = mw_reader_info(ctx->reader);
	char buf[128], hb[32];
	const char *rel = kernel_release(info, buf, sizeof(buf));
	mw_human_bytes(ram_bytes, hb, sizeof(hb));
	bool from_vmci;
	const char *machine = mw_arch_machine(info, &from_vmci);
	fprintf(o, "Linux %s%s%s", rel ? rel : "(release unknown)", machine ? " " : "",
		machine ? machine : "");
	if (info->nr_cpus)
		fprintf(o, ", %u CPU%s", info->nr_cpus, info->nr_cpus == 1 ? "" : "s");
	fprintf(o, ", %s of RAM\n", hb);
	/* one line each: the caller wraps them to its width (output-brief.c) */
	fprintf(o, "%s: %s", ctx->dump_path, mw_format_name(info->format));
	if (info->format == MW_FORMAT_FLATTENED)
		fprintf(o, " (%s)", mw_format_name(info->inner_format));
	const char *names[5];
	size_t n = mw_compression_names(info->compression, names);
	for (size_t i = 0, shown = 0; i < n; i++)
		if (strcmp(names[i], "none") != 0)
			fprintf(o, "%s%s", shown++ ? "/" : ", ", names[i]);
	if (info->excluded_pages) {
		mw_human_bytes(info->excluded_pages * info->page_size, hb, sizeof(hb));
		fprintf(o, ", %s not in it", hb);
		if (info->dump_level > 0)
			fprintf(o, " (makedumpfile -d %d)", info->dump_level);
	}
	if (info->incomplete)
		fprintf(o, "; %s", info->split && info->nr_missing ?
			"parts of the split dump were not given" : "cut short");
	fputc('\n', o);
}

void mw_render_info(struct mw_context *ctx)
{
	if (ctx->opt.json)
		render_info_json(ctx);
	else
		mw_render_info_text(ctx);
}
