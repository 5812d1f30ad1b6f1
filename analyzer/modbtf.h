/* memwhere: a loaded module's BTF, read from the dump.
 *
 * With CONFIG_DEBUG_INFO_BTF_MODULES the kernel keeps every loaded module's
 * BTF in its btf_modules list (kernel/bpf/btf.c: struct btf_module {list,
 * module, btf, ...}); btf->data holds data_size bytes of raw split BTF whose
 * base is vmlinux's BTF (btf->start_id, btf->start_str_off: where its type
 * ids and string offsets start), btf->name the module's name. Types only a
 * module describes (struct zram, struct zs_pool when zsmalloc is a module)
 * are read from there: the bytes are copied out of the dump here, bounded,
 * and parsed by btf/ (mw_types_open_btf_split) on top of the kernel's types.
 */
#ifndef MW_MODBTF_H
#define MW_MODBTF_H

#include "analyzer/kernel.h"
#include "btf/types.h"
#include "common/error.h"

enum {
	MW_MODBTF_MAX_BYTES = 16 << 20,	/* a module's split BTF is KiBs to a few MiB */
	MW_MODBTF_MAX_MODULES = 1 << 16,	/* bound on the btf_modules list */
};

/*
 * The types of module `name` split on k->types (which must outlive *ret).
 * MW_ERR_NOT_FOUND: the module is not loaded or has no BTF (or the kernel
 * keeps no btf_modules list); MW_ERR_UNSUPPORTED: k->types is not BTF (types
 * from --vmlinux DWARF); MW_ERR_FORMAT/BAD_DATA/LIMIT: what the dump holds
 * is not usable BTF (a bad list, a size over MW_MODBTF_MAX_BYTES, a split
 * that does not start where the kernel's BTF ends).
 */
struct mw_error *mw_module_btf_open(struct mw_kernel *k, const char *name,
				    struct mw_types **ret);

#endif
