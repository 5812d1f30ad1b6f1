#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/debugfiles.h"
#include "analyzer/debuginfod.h"
#include "analyzer/kernel.h"
#include "btf/kallsyms.h"

enum {
	BTF_MAX = 64 << 20,		/* the kernel's BTF is ~5 MiB */
};

const char *mw_symbols_source_name(enum mw_symbols_source s)
{
	switch (s) {
	case MW_SYMBOLS_KALLSYMS: return "kallsyms-in-dump";
	case MW_SYMBOLS_SYSTEM_MAP: return "system-map";
	case MW_SYMBOLS_VMLINUX: return "vmlinux";
	case MW_SYMBOLS_NONE: break;
	}
	return "none";
}

struct mw_error *mw_kernel_symbol(const struct mw_kernel *k, const char *name,
				  uint64_t *ret)
{
	const struct mw_symbol *sym = k->symbols ? mw_symbols_find(k->symbols, name) : NULL;
	if (!sym)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "kernel symbol '%s' not found (symbols from %s)",
				       name, mw_symbols_source_name(k->symbols_source));
	*ret = sym->address;
	return NULL;
}

struct mw_error *mw_kernel_read_symbol(struct mw_kernel *k, const char *name,
				       void *buf, size_t len)
{
	uint64_t addr = 0;
	struct mw_error *err = mw_kernel_symbol(k, name, &addr);
	if (err)
		return err;
	if ((err = mw_kernel_read(k, addr, buf, len)))
		return mw_error_prepend(err, "reading %s", name);
	return NULL;
}

enum { KALLSYMS_SCAN_MAX = 64 << 20 };	/* bytes of kernel image scanned */


static struct mw_error *load_kallsyms(struct mw_kernel *k)
{
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	struct mw_kallsyms_tables t = {
		.num_syms = mw_vmcoreinfo_symbol(info, "kallsyms_num_syms"),
		.names = mw_vmcoreinfo_symbol(info, "kallsyms_names"),
		.token_table = mw_vmcoreinfo_symbol(info, "kallsyms_token_table"),
		.token_index = mw_vmcoreinfo_symbol(info, "kallsyms_token_index"),
		.offsets = mw_vmcoreinfo_symbol(info, "kallsyms_offsets"),
		.relative_base = mw_vmcoreinfo_symbol(info, "kallsyms_relative_base"),
		.addresses = mw_vmcoreinfo_symbol(info, "kallsyms_addresses"),
	};
	/* Before 6.0 VMCOREINFO names no table: look for them in the
	 * kernel image, which starts at _stext (relocated by KASLR) */
	uint64_t stext = mw_vmcoreinfo_symbol(info, "_stext");
	if (!t.names && !t.offsets && !t.addresses && stext) {
		struct mw_error *ferr = mw_kallsyms_find(stext, KALLSYMS_SCAN_MAX, mw_vm_read_cb,
							 &k->vm, &t);
		if (ferr)
			return mw_error_prepend(ferr, "VMCOREINFO lacks the kallsyms tables (Linux 6.0 or later has them)");
	}
	struct mw_symbols *syms;
	struct mw_error *err = mw_symbols_create("kallsyms in the dump", &syms);
	if (err)
		return err;
	err = mw_kallsyms_decode(&t, mw_vm_read_cb, &k->vm, mw_symbols_add_ksym, syms);
	if (!err)
		err = mw_symbols_finish(syms);
	if (err) {
		mw_symbols_destroy(syms);
		return mw_error_prepend(err, "kallsyms in the dump");
	}
	k->symbols = syms;
	k->symbols_source = MW_SYMBOLS_KALLSYMS;
	return NULL;
}

/* A debug file that failed its checks against the dump: refused, or with
 * --force-types used anyway, with the reason as a warning. */
static struct mw_error *forced(struct mw_error *err, const struct mw_kernel_options *opt,
			       struct mw_warnings *w)
{
	if (!err || !opt || !opt->force_types || err == &mw_error_nomem)
		return err;
	char *s = mw_error_string(err);
	mw_warn(w, "%s; used anyway (--force-types): figures may be wrong",
		s ? s : err->message);
	free(s);
	mw_error_destroy(err);
	return NULL;
}

/* System.map or a vmlinux's symbol table: link-time addresses, relocated
 * by the dump's KASLR offset, checked against the dump (what names the file
 * in messages). force: the options of a file the user named (--force-types
 * applies), NULL for a file memwhere found itself. */
static struct mw_error *open_symbol_file(struct mw_kernel *k, bool is_map, const char *path,
					 const char *what, const struct mw_kernel_options *force,
					 struct mw_warnings *w, struct mw_symbols **ret)
{
	struct mw_symbols *syms;
	struct mw_error *err = is_map ? mw_symbols_open_system_map(path, &syms) :
					mw_symbols_open_elf(path, &syms);
	if (err)
		return err;
	if ((k->vm.kaslr_offset &&
	     (err = mw_symbols_relocate_from(syms, (int64_t)k->vm.kaslr_offset,
					     k->vm.image_link_start))) ||
	    (err = forced(mw_debugfiles_check_symbols(mw_reader_info(k->reader), k->osrelease,
						      what, syms), force, w))) {
		mw_symbols_destroy(syms);
		return err;
	}
	*ret = syms;
	return NULL;
}

static struct mw_error *load_symbol_file(struct mw_kernel *k,
					 const struct mw_kernel_options *opt,
					 struct mw_warnings *w)
{
	const char *path = opt->system_map ? opt->system_map : opt->vmlinux;
	char *what = NULL;
	if (asprintf(&what, "%s %s", opt->system_map ? "--system-map" : "--vmlinux", path) < 0)
		return &mw_error_nomem;
	struct mw_error *err = open_symbol_file(k, opt->system_map != NULL, path, what, opt, w,
						&k->symbols);
	free(what);
	if (err)
		return err;
	k->symbols_source = opt->system_map ? MW_SYMBOLS_SYSTEM_MAP : MW_SYMBOLS_VMLINUX;
	return NULL;
}

/* mw_warn_error with a formatted context */
__attribute__((format(printf, 3, 4)))
static void warn_errorf(struct mw_warnings *w, struct mw_error *err, const char *fmt, ...)
{
	char *ctx = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	mw_warn_error(w, err, ctx ? ctx : fmt);
	free(ctx);
}

/* Debug files found and not used, and why: warnings when another file was
 * used, else the first is the reason in the error. */
enum { REFUSALS_MAX = 16 };
struct refusals {
	struct mw_error *err[REFUSALS_MAX];
	size_t n;
};

static void refused(struct refusals *r, struct mw_error *err, const char *path)
{
	if (r->n == REFUSALS_MAX || err == &mw_error_nomem) {
		mw_error_destroy(err);
		return;
	}
	/* the checks' messages name the file; a reader's may not */
	r->err[r->n++] = strstr(err->message, path) ? err : mw_error_prepend(err, "%s", path);
}

static void refusals_warn(struct refusals *r, struct mw_warnings *w, const char *what)
{
	for (size_t i = 0; i < r->n; i++)
		warn_errorf(w, r->err[i], "%s not used", what);
	r->n = 0;
}

/* The first refusal (the others dropped), or NULL. */
static struct mw_error *refusals_first(struct refusals *r)
{
	for (size_t i = 1; i < r->n; i++)
		mw_error_destroy(r->err[i]);
	struct mw_error *e = r->n ? r->err[0] : NULL;
	r->n = 0;
	return e;
}

/* Where the dumped kernel's debug files may be (analyzer/debugfiles.h). */
static void debug_where(const struct mw_kernel *k, const char *dump_path,
			const struct mw_kernel_options *opt, struct mw_debugfiles_where *w)
{
	*w = (struct mw_debugfiles_where){
		.dump_path = opt->live ? NULL : dump_path,
		.release = k->osrelease,
		.root = opt->debug_root,
	};
	w->build_id = mw_vmcoreinfo_get(mw_reader_info(k->reader), "BUILD-ID", &w->build_id_len);
}

/* The vmlinux of the dump's build ID from debuginfod, asked once per dump
 * (a server that does not answer costs its timeout once). */
static const char *debuginfod_vmlinux(struct mw_kernel *k, const char *dump_path,
				      const struct mw_kernel_options *opt)
{
	if (k->debuginfod_asked)
		return k->debuginfod_path;
	k->debuginfod_asked = true;
	struct mw_debugfiles_where w;
	debug_where(k, dump_path, opt, &w);
	if (!mw_debuginfod_enabled())
		return NULL;
	if (!w.build_id) {
		k->debuginfod_error = mw_error_create(MW_ERR_NOT_FOUND,
						      "debuginfod not asked: VMCOREINFO has no BUILD-ID");
		return NULL;
	}
	k->debuginfod_error = mw_debuginfod_find(w.build_id, w.build_id_len, &k->debuginfod_path);
	return k->debuginfod_path;
}

/* debuginfod's part, for the message when no file was usable */
static const char *debuginfod_state(const struct mw_kernel *k)
{
	if (k->debuginfod_path)
		return "its file was not usable";
	if (k->debuginfod_error)
		return k->debuginfod_error->message;
	if (!mw_debuginfod_built())
		return "memwhere was built without libdebuginfod";
	return "DEBUGINFOD_URLS not set";
}

/*
 * One file offered to a loader by from_debugfiles(): NULL when the loader
 * took it, &mw_error_nomem to stop, another error when it refused the file.
 * from_debugfiles() offers the files found for the dumped kernel (all but
 * the kind skipped), then debuginfod's vmlinux, until taken() holds; the
 * refusals become warnings ("<what> not used") when a file was taken, else
 * the first one is the error.
 */
struct debugfile_loader {
	enum mw_debugfile_kind skip;
	const char *what;
	struct mw_error *(*offer)(struct mw_kernel *k, enum mw_debugfile_kind kind,
				  const char *path, bool from_debuginfod, void *ctx);
	bool (*taken)(const struct mw_kernel *k);
	void *ctx;
};

static struct mw_error *from_debugfiles(struct mw_kernel *k, const char *dump_path,
					const struct mw_kernel_options *opt,
					struct mw_warnings *w,
					const struct debugfile_loader *l)
{
	struct mw_debugfiles_where where;
	debug_where(k, dump_path, opt, &where);
	struct mw_debugfile *files;
	size_t n;
	struct mw_error *err = mw_debugfiles_find(&where, &files, &n);
	if (err)
		return err;
	struct refusals r = { .n = 0 };
	for (size_t i = 0; i < n && !l->taken(k) && !err; i++) {
		if (files[i].kind == l->skip)
			continue;
		struct mw_error *e = l->offer(k, files[i].kind, files[i].path, false, l->ctx);
		if (e == &mw_error_nomem)
			err = e;
		else if (e)
			refused(&r, e, files[i].path);
	}
	mw_debugfiles_free(files, n);
	const char *path = NULL;
	if (!l->taken(k) && !err && (path = debuginfod_vmlinux(k, dump_path, opt))) {
		struct mw_error *e = l->offer(k, MW_DEBUGFILE_VMLINUX, path, true, l->ctx);
		if (e == &mw_error_nomem)
			err = e;
		else if (e)
			refused(&r, e, path);
	}
	if (err) {
		mw_error_destroy(refusals_first(&r));
		return err;
	}
	if (l->taken(k)) {
		refusals_warn(&r, w, l->what);
		return NULL;
	}
	if ((err = refusals_first(&r)))
		return err;
	return mw_error_create(MW_ERR_NOT_FOUND, "no debug file found");
}

struct symbols_offer {
	struct mw_warnings *w;
	const char *used;
};

static bool symbols_taken(const struct mw_kernel *k)
{
	return k->symbols != NULL;
}

static struct mw_error *offer_symbols(struct mw_kernel *k, enum mw_debugfile_kind kind,
				      const char *path, bool from_debuginfod, void *ctx)
{
	struct symbols_offer *o = ctx;
	bool is_map = kind == MW_DEBUGFILE_SYSTEM_MAP;
	char *what = NULL;
	if (asprintf(&what, "%s %s", from_debuginfod ? "debuginfod's" : "found", path) < 0)
		return &mw_error_nomem;
	struct mw_error *e = open_symbol_file(k, is_map, path, what, NULL, o->w, &k->symbols);
	free(what);
	if (e)
		return e;
	k->symbols_source = is_map ? MW_SYMBOLS_SYSTEM_MAP : MW_SYMBOLS_VMLINUX;
	o->used = from_debuginfod ? "vmlinux from debuginfod" : is_map ? "System.map" : "vmlinux";
	if (!(k->symbols_path = strdup(path)))
		return &mw_error_nomem;
	return NULL;
}

/* Symbols from the files found for the dumped kernel, then debuginfod. */
static struct mw_error *symbols_from_debugfiles(struct mw_kernel *k, const char *dump_path,
						const struct mw_kernel_options *opt,
						struct mw_warnings *w, const char **used)
{
	struct symbols_offer o = { .w = w, .used = NULL };
	const struct debugfile_loader l = {
		.skip = MW_DEBUGFILE_BTF, .what = "symbols from a debug file",
		.offer = offer_symbols, .taken = symbols_taken, .ctx = &o,
	};
	struct mw_error *err = from_debugfiles(k, dump_path, opt, w, &l);
	if (o.used)
		*used = o.used;
	return err;
}

/* Kallsyms of a kernel built without CONFIG_KALLSYMS_ALL (Debian's arm64
 * kernels) hold functions only: none of the variables the analyses read. */
static bool kallsyms_has_data(const struct mw_symbols *s)
{
	return mw_symbols_find(s, "init_task") != NULL;
}

static struct mw_error *load_symbols(struct mw_kernel *k, const char *dump_path,
				     const struct mw_kernel_options *opt,
				     struct mw_warnings *w)
{
	struct mw_error *err = load_kallsyms(k);
	bool text_only = false;
	if (!err && !kallsyms_has_data(k->symbols)) {
		mw_symbols_destroy(k->symbols);
		k->symbols = NULL;
		k->symbols_source = MW_SYMBOLS_NONE;
		text_only = true;
		err = mw_error_create(MW_ERR_NOT_FOUND,
				      "the dump's kallsyms hold functions only (a kernel built without "
				      "CONFIG_KALLSYMS_ALL)");
	}
	if (!err) {
		/* a file the user named and memwhere did not use: say so */
		if (opt->system_map)
			mw_warn(w, "--system-map %s not used: the dump's own kallsyms give the symbols",
				opt->system_map);
		if (opt->vmlinux && opt->btf)
			mw_warn(w, "--vmlinux %s not used: types come from --btf, symbols from "
				"the dump's kallsyms", opt->vmlinux);
		return NULL;
	}
	if (opt->system_map || opt->vmlinux) {
		struct mw_error *err2 = load_symbol_file(k, opt, w);
		if (!err2) {
			if (err->code != MW_ERR_NOT_FOUND)
				mw_warn_error(w, err, "symbols from the dump unusable; using the file given");
			else
				mw_error_destroy(err);
			return NULL;
		}
		mw_error_destroy(err);
		return err2;
	}
	const char *used = NULL;
	struct mw_error *ferr = symbols_from_debugfiles(k, dump_path, opt, w, &used);
	if (!ferr) {
		/* a kernel without CONFIG_KALLSYMS_ALL needs its System.map: found
		 * where it belongs, that is the expected way, not a warning */
		if (text_only)
			mw_error_destroy(err);
		else
			warn_errorf(w, err, "symbols from the %s %s", used, k->symbols_path);
		return NULL;
	}
	char *f = mw_error_string(ferr);
	if (text_only) {
		const char *rel = k->osrelease[0] ? k->osrelease : "RELEASE";
		err = mw_error_prepend(err, "no data symbols: %s (looked beside the dump, in "
				       "/usr/lib/debug and /boot; debuginfod: %s); pass --system-map "
				       "FILE or --vmlinux FILE (for Debian: "
				       "/usr/lib/debug/boot/System.map-%s from linux-image-%s-dbg, or "
				       "put System.map-%s beside the dump)", f ? f : ferr->message,
				       debuginfod_state(k), rel, rel, rel);
	} else if (err->code == MW_ERR_NOT_FOUND) {
		err = mw_error_prepend(err, "no symbols: this dump's VMCOREINFO has no kallsyms "
				       "(Linux before 6.0?), and %s (looked beside the dump, in "
				       "/usr/lib/debug and /boot; debuginfod: %s); pass --system-map "
				       "FILE or --vmlinux FILE", f ? f : ferr->message,
				       debuginfod_state(k));
	}
	free(f);
	mw_error_destroy(ferr);
	return err;
}

static bool file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

static struct mw_error *btf_from_dump(struct mw_kernel *k)
{
	uint64_t start = 0, stop = 0;
	struct mw_error *err;
	if ((err = mw_kernel_symbol(k, "__start_BTF", &start)) ||
	    (err = mw_kernel_symbol(k, "__stop_BTF", &stop)))
		return err;
	if (stop <= start || stop - start > BTF_MAX)
		return mw_error_at(MW_ERR_BAD_DATA, start,
				   "__start_BTF..__stop_BTF is %" PRIu64 " bytes",
				   stop - start);
	size_t len = (size_t)(stop - start);
	void *buf = malloc(len);
	if (!buf)
		return &mw_error_nomem;
	err = mw_kernel_read(k, start, buf, len);
	if (!err)
		err = mw_types_open_btf_buf(buf, len, "BTF in the dump", &k->types);
	free(buf);
	if (err)
		return mw_error_prepend(err, "reading the kernel's BTF from the dump");
	return NULL;
}

/* Types from a file: of the dumped kernel? (analyzer/debugfiles.h) */
static struct mw_error *check_types_file(struct mw_kernel *k, const char *opt,
					 const char *path)
{
	char *what = NULL;
	if (asprintf(&what, "%s %s", opt, path) < 0)
		return &mw_error_nomem;
	struct mw_error *err = mw_debugfiles_check_types(mw_reader_info(k->reader), k->osrelease,
							 what, k->types);
	free(what);
	return err;
}

/* Types from one file found for the dumped kernel, checked; what names it. */
static struct mw_error *types_from(struct mw_kernel *k, bool is_btf, const char *path,
				   const char *what)
{
	char *w = NULL;
	if (asprintf(&w, "%s %s", what, path) < 0)
		return &mw_error_nomem;
	struct mw_error *err = is_btf ? NULL :
		mw_debugfiles_check_elf(mw_reader_info(k->reader), k->osrelease, w, path);
	free(w);
	if (err || (err = is_btf ? mw_types_open_btf_file(path, &k->types) :
				   mw_types_open_dwarf(path, &k->types)))
		return err;
	if ((err = check_types_file(k, what, path))) {
		mw_types_destroy(k->types);
		k->types = NULL;
		return err;
	}
	if (!(k->types_path = strdup(path)))
		return &mw_error_nomem;
	return NULL;
}

static bool types_taken(const struct mw_kernel *k)
{
	return k->types != NULL;
}

static struct mw_error *offer_types(struct mw_kernel *k, enum mw_debugfile_kind kind,
				    const char *path, bool from_debuginfod, void *ctx)
{
	(void)ctx;
	return types_from(k, kind == MW_DEBUGFILE_BTF, path,
			  from_debuginfod ? "debuginfod's" : "found");
}

/* Types from the files found for the dumped kernel, then debuginfod. */
static struct mw_error *types_from_debugfiles(struct mw_kernel *k, const char *dump_path,
					      const struct mw_kernel_options *opt,
					      struct mw_warnings *w)
{
	const struct debugfile_loader l = {
		.skip = MW_DEBUGFILE_SYSTEM_MAP, .what = "types from a debug file",
		.offer = offer_types, .taken = types_taken, .ctx = NULL,
	};
	return from_debugfiles(k, dump_path, opt, w, &l);
}

static struct mw_error *load_types(struct mw_kernel *k, const char *dump_path,
				   const struct mw_kernel_options *opt,
				   struct mw_warnings *w)
{
	struct mw_error *err;
	if (opt->btf || opt->vmlinux) {
		const char *path = opt->btf ? opt->btf : opt->vmlinux;
		if ((err = opt->btf ? mw_types_open_btf_file(path, &k->types) :
				      mw_types_open_dwarf(path, &k->types)))
			return err;
		if ((err = forced(check_types_file(k, opt->btf ? "--btf" : "--vmlinux", path),
				  opt, w))) {
			mw_types_destroy(k->types);
			k->types = NULL;
			return err;
		}
		k->types_path = strdup(path);
		return NULL;
	}
	struct mw_error *dump_err = opt->no_dump_btf ?
		mw_error_create(MW_ERR_NOT_FOUND, "the kernel's own BTF not read (--no-dump-btf)") :
		btf_from_dump(k);
	if (!dump_err)
		return NULL;
	if (opt->live && !opt->no_dump_btf && file_exists("/sys/kernel/btf/vmlinux") &&
	    !(err = mw_types_open_btf_file("/sys/kernel/btf/vmlinux", &k->types))) {
		mw_error_destroy(dump_err);
		k->types_path = strdup("/sys/kernel/btf/vmlinux");
		return NULL;
	}
	struct mw_error *ferr = types_from_debugfiles(k, dump_path, opt, w);
	if (!ferr) {
		if (!opt->no_dump_btf)
			warn_errorf(w, dump_err, "no BTF in the dump; types from %s", k->types_path);
		else
			mw_error_destroy(dump_err);
		return NULL;
	}
	char *s = mw_error_string(dump_err), *f = mw_error_string(ferr);
	const char *rel = k->osrelease[0] ? k->osrelease : "RELEASE";
	err = mw_error_create(MW_ERR_NOT_FOUND,
			      "no kernel types: %s; %s (looked beside the dump and in /usr/lib/debug "
			      "by build ID and release; debuginfod: %s); pass --btf FILE (raw BTF or "
			      "an ELF with .BTF) or --vmlinux FILE (for Debian: "
			      "/usr/lib/debug/boot/vmlinux-%s from linux-image-%s-dbg)",
			      s ? s : dump_err->message, f ? f : ferr->message,
			      debuginfod_state(k), rel, rel);
	free(s);
	free(f);
	mw_error_destroy(dump_err);
	mw_error_destroy(ferr);
	return err;
}

/* VMCOREINFO's page-table root, checked once: a wrong one would make every
 * vmemmap and vmalloc address unreadable, one warning each. */
static void check_page_tables(struct mw_kernel *k, struct mw_warnings *w)
{
	uint64_t vmci = k->vm.pgd_vaddr;
	struct mw_error *err = mw_vm_check_root(&k->vm);
	if (!err)
		return;
	char *why = mw_error_string(err);
	const char *root = mw_vm_root_symbol(&k->vm);
	const struct mw_symbol *s = mw_symbols_find(k->symbols, root);
	struct mw_error *e2 = NULL;
	if (s && s->address != vmci && !(e2 = mw_vm_set_root(&k->vm, s->address)))
		mw_warn(w, "VMCOREINFO's SYMBOL(%s)=0x%" PRIx64 " is not the kernel's page "
			"table root (%s); %s from the %s symbols (0x%" PRIx64 ") is, and is used",
			root, vmci, why ? why : err->message, root,
			mw_symbols_source_name(k->symbols_source), s->address);
	else
		mw_warn(w, "VMCOREINFO's SYMBOL(%s)=0x%" PRIx64 " is not the kernel's page "
			"table root (%s), and no other root was found: vmalloc and vmemmap addresses "
			"cannot be read", root, vmci, why ? why : err->message);
	free(why);
	mw_error_destroy(err);
	mw_error_destroy(e2);
}

static struct mw_error *read_uts_release(struct mw_kernel *k)
{
	struct mw_field name, release;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("uts_namespace.name", &name),
		MW_FIELD_MEMBER("new_utsname.release", &release),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	uint64_t addr = 0;
	if ((err = mw_kernel_symbol(k, "init_uts_ns", &addr)))
		return err;
	char buf[sizeof(k->uts_release)] = { 0 };
	size_t len = release.size < sizeof(buf) - 1 ? (size_t)release.size : sizeof(buf) - 1;
	if ((err = mw_kernel_read(k, addr + name.offset + release.offset, buf, len)))
		return mw_error_prepend(err, "reading init_uts_ns");
	buf[len] = '\0';
	memcpy(k->uts_release, buf, sizeof(buf));
	return NULL;
}

struct mw_error *mw_kernel_open(struct mw_reader *reader, const char *dump_path,
				const struct mw_kernel_options *opt,
				struct mw_warnings *w, struct mw_kernel **ret)
{
	struct mw_error *err;
	struct mw_kernel *k = calloc(1, sizeof(*k));
	if (!k)
		return &mw_error_nomem;
	k->reader = reader;
	const struct mw_dump_info *info = mw_reader_info(reader);
	size_t len;
	const char *rel = mw_vmcoreinfo_get(info, "OSRELEASE", &len);
	if (rel) {
		if (len >= sizeof(k->osrelease))
			len = sizeof(k->osrelease) - 1;
		memcpy(k->osrelease, rel, len);
		k->osrelease[len] = '\0';
	} else if (info->utsname_release[0]) {
		snprintf(k->osrelease, sizeof(k->osrelease), "%s", info->utsname_release);
	}
	if ((err = mw_vm_init(&k->vm, reader)))
		goto fail;
	if ((err = load_symbols(k, dump_path, opt, w)))
		goto fail;
	k->nr_symbols = mw_symbols_count(k->symbols);
	mw_vm_set_bases(&k->vm, k->symbols, &k->page_offset_base, &k->vmemmap_base,
			&k->vmalloc_base);
	check_page_tables(k, w);

	if ((err = load_types(k, dump_path, opt, w)))
		goto fail;
	if (k->osrelease[0] && !mw_types_release(k->types))
		mw_error_destroy(mw_types_set_release(k->types, k->osrelease));
	if ((err = read_uts_release(k))) {
		mw_warn_error(w, err, "kernel release from init_uts_ns");
	} else if (k->osrelease[0] && strcmp(k->osrelease, k->uts_release) != 0) {
		mw_warn(w, "init_uts_ns says release %s but VMCOREINFO says %s: types or symbols may not match the dump",
			k->uts_release, k->osrelease);
	}
	const char *types_rel = mw_types_release(k->types);
	if (types_rel && k->osrelease[0] && strcmp(types_rel, k->osrelease) != 0)
		mw_warn(w, "types are for kernel %s but the dump is %s", types_rel,
			k->osrelease);
	*ret = k;
	return NULL;
fail:
	mw_kernel_destroy(k);
	return err;
}

void mw_kernel_destroy(struct mw_kernel *k)
{
	if (!k)
		return;
	if (k->types)
		mw_types_destroy(k->types);
	free(k->types_path);
	free(k->symbols_path);
	free(k->debuginfod_path);
	mw_error_destroy(k->debuginfod_error);
	mw_symbols_destroy(k->symbols);
	free(k);
}

struct mw_error *mw_kernel_read_zero_filtered(struct mw_kernel *k, uint64_t addr,
					      void *buf, size_t len, uint64_t *zero_pages)
{
	struct mw_error *err = mw_kernel_read(k, addr, buf, len);
	if (!err || err->code != MW_ERR_NOT_IN_DUMP || mw_reader_info(k->reader)->incomplete)
		return err;
	/* read page by page: only the pages left out become zeros */
	mw_error_destroy(err);
	err = NULL;
	uint8_t *p = buf;
	uint64_t ps = k->vm.page_size ? k->vm.page_size : 4096;
	for (size_t done = 0; done < len && !err;) {
		uint64_t a = addr + done;
		size_t n = (size_t)(ps - (a & (ps - 1)));
		if (n > len - done)
			n = len - done;
		struct mw_error *e = mw_kernel_read(k, a, p + done, n);
		if (e && e->code == MW_ERR_NOT_IN_DUMP) {
			mw_error_destroy(e);
			memset(p + done, 0, n);
			if (zero_pages)
				(*zero_pages)++;
		} else {
			err = e;
		}
		done += n;
	}
	return err;
}
