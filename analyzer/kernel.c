#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/kernel.h"
#include "btf/kallsyms.h"

enum {
	BTF_MAX = 64 << 20,		/* the kernel's BTF is ~5 MiB */
};

/* x86-64 defaults without CONFIG_RANDOMIZE_MEMORY */
#define DEFAULT_PAGE_OFFSET_L4 0xffff888000000000ULL
#define DEFAULT_PAGE_OFFSET_L5 0xff11000000000000ULL
#define DEFAULT_VMEMMAP_L4 0xffffea0000000000ULL
#define DEFAULT_VMEMMAP_L5 0xffd4000000000000ULL
#define DEFAULT_VMALLOC_L4 0xffffc90000000000ULL
#define DEFAULT_VMALLOC_L5 0xffa0000000000000ULL

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

static uint64_t vmci_sym(const struct mw_dump_info *info, const char *name)
{
	char key[128];
	uint64_t v = 0;
	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	struct mw_error *err = mw_vmcoreinfo_u64(info, key, &v);
	mw_error_destroy(err);
	return err ? 0 : v;
}

static struct mw_error *load_kallsyms(struct mw_kernel *k)
{
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	struct mw_kallsyms_tables t = {
		.num_syms = vmci_sym(info, "kallsyms_num_syms"),
		.names = vmci_sym(info, "kallsyms_names"),
		.token_table = vmci_sym(info, "kallsyms_token_table"),
		.token_index = vmci_sym(info, "kallsyms_token_index"),
		.offsets = vmci_sym(info, "kallsyms_offsets"),
		.relative_base = vmci_sym(info, "kallsyms_relative_base"),
		.addresses = vmci_sym(info, "kallsyms_addresses"),
	};
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

/* System.map or a vmlinux's symbol table: link-time addresses, relocated
 * by the dump's KASLR offset. */
static struct mw_error *load_symbol_file(struct mw_kernel *k,
					 const struct mw_kernel_options *opt)
{
	struct mw_symbols *syms;
	struct mw_error *err = opt->system_map ?
		mw_symbols_open_system_map(opt->system_map, &syms) :
		mw_symbols_open_elf(opt->vmlinux, &syms);
	if (err)
		return err;
	if (k->vm.kaslr_offset &&
	    (err = mw_symbols_relocate(syms, (int64_t)k->vm.kaslr_offset))) {
		mw_symbols_destroy(syms);
		return err;
	}
	k->symbols = syms;
	k->symbols_source = opt->system_map ? MW_SYMBOLS_SYSTEM_MAP : MW_SYMBOLS_VMLINUX;
	return NULL;
}

static struct mw_error *load_symbols(struct mw_kernel *k,
				     const struct mw_kernel_options *opt,
				     struct mw_warnings *w)
{
	struct mw_error *err = load_kallsyms(k);
	if (!err)
		return NULL;
	if (opt->system_map || opt->vmlinux) {
		struct mw_error *err2 = load_symbol_file(k, opt);
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
	if (err->code == MW_ERR_NOT_FOUND)
		return mw_error_prepend(err,
					"no symbols: this dump's VMCOREINFO has no kallsyms (Linux before 6.0?); pass --system-map FILE or --vmlinux FILE");
	return err;
}

static bool file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

/* Types next to the dump, or where Debian's -dbg package puts them. */
static char *find_types_beside(const char *dump_path, const char *release,
			       bool *is_btf)
{
	char *dir = strdup(dump_path);
	if (!dir)
		return NULL;
	char *slash = strrchr(dir, '/');
	const char *d = dir;
	if (slash)
		*slash = '\0';
	else
		d = ".";
	const char *rel = release[0] ? release : NULL;
	/* { is BTF, directory or NULL, name pattern with one %s (release) or none } */
	const struct { bool btf; bool in_dir; bool needs_rel; const char *fmt; } cand[] = {
		{ true, true, true, "%s.btf" },
		{ true, true, false, "vmlinux.btf" },
		{ false, true, true, "vmlinux-%s" },
		{ false, true, false, "vmlinux" },
		{ false, false, true, "/usr/lib/debug/boot/vmlinux-%s" },
		{ false, false, true, "/usr/lib/debug/lib/modules/%s/vmlinux" },
	};
	char *found = NULL;
	for (size_t i = 0; i < MW_ARRAY_SIZE(cand) && !found; i++) {
		char *name = NULL, *path = NULL;
		if (cand[i].needs_rel && !rel)
			continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		/* the patterns above: constant, at most one %s */
		if (asprintf(&name, cand[i].fmt, rel ? rel : "") < 0)
			break;
#pragma GCC diagnostic pop
		if (cand[i].in_dir ? asprintf(&path, "%s/%s", d, name) < 0 :
				     (path = strdup(name)) == NULL) {
			free(name);
			break;
		}
		free(name);
		if (file_exists(path)) {
			found = path;
			*is_btf = cand[i].btf;
		} else {
			free(path);
		}
	}
	free(dir);
	return found;
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

static struct mw_error *load_types(struct mw_kernel *k, const char *dump_path,
				   const struct mw_kernel_options *opt,
				   struct mw_warnings *w)
{
	struct mw_error *err;
	if (opt->btf) {
		if ((err = mw_types_open_btf_file(opt->btf, &k->types)))
			return err;
		k->types_path = strdup(opt->btf);
		return NULL;
	}
	if (opt->vmlinux) {
		if ((err = mw_types_open_dwarf(opt->vmlinux, &k->types)))
			return err;
		k->types_path = strdup(opt->vmlinux);
		return NULL;
	}
	struct mw_error *dump_err = btf_from_dump(k);
	if (!dump_err)
		return NULL;
	if (opt->live && file_exists("/sys/kernel/btf/vmlinux") &&
	    !(err = mw_types_open_btf_file("/sys/kernel/btf/vmlinux", &k->types))) {
		mw_error_destroy(dump_err);
		k->types_path = strdup("/sys/kernel/btf/vmlinux");
		return NULL;
	}
	bool is_btf;
	char *path = find_types_beside(dump_path, k->osrelease, &is_btf);
	if (path) {
		err = is_btf ? mw_types_open_btf_file(path, &k->types) :
			       mw_types_open_dwarf(path, &k->types);
		if (!err) {
			char *s = mw_error_string(dump_err);
			mw_warn(w, "no BTF in the dump (%s); types from %s",
				s ? s : dump_err->message, path);
			free(s);
			mw_error_destroy(dump_err);
			k->types_path = path;
			return NULL;
		}
		free(path);
		mw_error_destroy(err);
	}
	char *s = mw_error_string(dump_err);
	err = mw_error_create(MW_ERR_NOT_FOUND,
			      "no kernel types: %s; pass --btf FILE (raw BTF or an ELF with .BTF) or --vmlinux FILE (for Debian: /usr/lib/debug/boot/vmlinux-%s from linux-image-%s-dbg)",
			      s ? s : dump_err->message,
			      k->osrelease[0] ? k->osrelease : "RELEASE",
			      k->osrelease[0] ? k->osrelease : "RELEASE");
	free(s);
	mw_error_destroy(dump_err);
	return err;
}

static void read_base(struct mw_kernel *k, const char *name, uint64_t dflt,
		      uint64_t *ret)
{
	uint64_t v;
	struct mw_error *err = mw_kernel_read_symbol(k, name, &v, sizeof(v));
	if (err) {
		/* absent without CONFIG_RANDOMIZE_MEMORY: the fixed layout */
		mw_error_destroy(err);
		v = dflt;
	}
	*ret = v;
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
	if ((err = load_symbols(k, opt, w)))
		goto fail;
	k->nr_symbols = mw_symbols_count(k->symbols);
	bool l5 = k->vm.levels == 5;
	read_base(k, "page_offset_base", l5 ? DEFAULT_PAGE_OFFSET_L5 : DEFAULT_PAGE_OFFSET_L4,
		  &k->page_offset_base);
	read_base(k, "vmemmap_base", l5 ? DEFAULT_VMEMMAP_L5 : DEFAULT_VMEMMAP_L4,
		  &k->vmemmap_base);
	read_base(k, "vmalloc_base", l5 ? DEFAULT_VMALLOC_L5 : DEFAULT_VMALLOC_L4,
		  &k->vmalloc_base);
	mw_vm_set_direct_map(&k->vm, k->page_offset_base);
	k->vm.vmemmap_base = k->vmemmap_base;

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
	mw_symbols_destroy(k->symbols);
	free(k);
}
