/* memwhere: the kernel model of one dump.
 *
 * Puts together what every analysis needs: address translation (analyzer/vm),
 * symbols (kallsyms decoded from the dump itself, else System.map or a
 * vmlinux), and types (the BTF inside the dump, --btf, --vmlinux), else a
 * debug file found beside the dump, in /usr/lib/debug or from debuginfod
 * (analyzer/debugfiles.h, analyzer/debuginfod.h), plus the kernel's base
 * addresses.
 */
#ifndef MW_KERNEL_H
#define MW_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/vm.h"
#include "btf/symbols.h"
#include "btf/types.h"
#include "common/error.h"
#include "common/warn.h"
#include "formats/reader.h"

struct mw_kernel_options {
	const char *vmlinux;	/* --vmlinux */
	const char *btf;	/* --btf */
	const char *system_map;	/* --system-map */
	bool live;		/* /proc/kcore: also try /sys/kernel/btf/vmlinux */
	bool no_dump_btf;	/* --no-dump-btf: types from files, never the kernel's own BTF */
	const char *debug_root;	/* MEMWHERE_DEBUG_ROOT: prefix of /usr/lib/debug and /boot */
	bool force_types;	/* --force-types: a file that fails the checks
				 * against the dump is a warning, not refused */
};

enum mw_symbols_source {
	MW_SYMBOLS_NONE = 0,
	MW_SYMBOLS_KALLSYMS,	/* decoded from the dump's kallsyms tables */
	MW_SYMBOLS_SYSTEM_MAP,
	MW_SYMBOLS_VMLINUX,
};

struct mw_kernel {
	struct mw_reader *reader;
	struct mw_vm vm;
	struct mw_types *types;
	char *types_path;		/* file the types came from, or NULL */
	char osrelease[65];		/* VMCOREINFO OSRELEASE */
	char uts_release[65];		/* init_uts_ns.name.release, via the types */
	uint64_t page_offset_base;
	uint64_t vmemmap_base;
	uint64_t vmalloc_base;

	enum mw_symbols_source symbols_source;
	struct mw_symbols *symbols;	/* runtime (relocated) addresses */
	char *symbols_path;		/* a debug file found for the symbols, or NULL */
	size_t nr_symbols;

	/* debuginfod, asked at most once: the vmlinux it gave, or why not */
	bool debuginfod_asked;
	char *debuginfod_path;
	struct mw_error *debuginfod_error;
};

/*
 * Build the model. Errors that leave no model (no VMCOREINFO, no types
 * anywhere) are returned; lesser problems become warnings.
 */
struct mw_error *mw_kernel_open(struct mw_reader *reader,
				const char *dump_path,
				const struct mw_kernel_options *opt,
				struct mw_warnings *warnings,
				struct mw_kernel **ret);
void mw_kernel_destroy(struct mw_kernel *k);

/* Address of a kernel symbol; MW_ERR_NOT_FOUND names it. */
struct mw_error *mw_kernel_symbol(const struct mw_kernel *k, const char *name,
				  uint64_t *ret);
/* Read kernel virtual memory. */
static inline struct mw_error *mw_kernel_read(struct mw_kernel *k, uint64_t addr,
					      void *buf, size_t len)
{
	return mw_vm_read(&k->vm, addr, buf, len);
}
/*
 * The same, for kernel data (never among the page cache, user or free
 * pages a makedumpfile dump level leaves out): a page of it the dump left
 * out was a zero page (dump level 1, mw-convert --exclude-zero) and reads
 * as zeros, counted in *zero_pages (if not NULL); unless the dump is
 * incomplete (cut short), where a missing page says nothing of its
 * contents. Hash tables, fd tables and the hugetlb pool array use it.
 */
struct mw_error *mw_kernel_read_zero_filtered(struct mw_kernel *k, uint64_t addr,
					      void *buf, size_t len, uint64_t *zero_pages);
/* Read a symbol's value (len bytes at its address). */
struct mw_error *mw_kernel_read_symbol(struct mw_kernel *k, const char *name,
				       void *buf, size_t len);
const char *mw_symbols_source_name(enum mw_symbols_source s);

#endif
