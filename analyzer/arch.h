/* memwhere: what differs between the architectures memwhere reads.
 *
 * One ops table per architecture (analyzer/arch-x86_64.c, arch-arm64.c),
 * chosen once from the dump (ELF e_machine or the kdump header's machine,
 * else VMCOREINFO's own keys). Only analyzer/vm.c calls it: everything
 * above the translation layer sees the same struct mw_vm fields on every
 * architecture (page_offset_base is the virtual address of physical 0 in
 * the direct/linear map, vmemmap_base the struct page of PFN 0).
 */
#ifndef MW_ARCH_H
#define MW_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "btf/symbols.h"
#include "common/error.h"
#include "formats/reader.h"

struct mw_vm;

/* The kernel's base addresses, once its symbols are known. */
struct mw_arch_bases {
	uint64_t page_offset_base;	/* virtual address of physical 0 */
	uint64_t vmemmap_base;		/* struct page of PFN 0 */
	uint64_t vmalloc_base;
};

struct mw_arch {
	const char *name;		/* "x86_64", "arm64" */
	const char *machine;		/* uname -m: "x86_64", "aarch64" */
	const char *root_symbol;	/* the kernel page-table root */
	/* Translation parameters from VMCOREINFO (vm is zeroed, with reader
	 * and arch set). */
	struct mw_error *(*init)(struct mw_vm *vm, const struct mw_dump_info *info);
	/* Base addresses, from the kernel's variables or VMCOREINFO. */
	void (*bases)(struct mw_vm *vm, const struct mw_symbols *syms,
		      struct mw_arch_bases *ret);
	/* A kernel image address: its physical address and the bytes left in
	 * the image mapping; false if vaddr is not in the image. */
	bool (*image_pa)(const struct mw_vm *vm, uint64_t vaddr, uint64_t *paddr,
			 uint64_t *left);
	/* The page-table walk from a root table at physical address root. */
	struct mw_error *(*walk)(const struct mw_vm *vm, uint64_t root, uint64_t vaddr,
				 uint64_t *paddr, uint64_t *left);
};

extern const struct mw_arch mw_arch_x86_64;
extern const struct mw_arch mw_arch_arm64;

/* The dump's architecture: the machine the format names, else what its
 * VMCOREINFO carries (arm64 writes kimage_voffset); x86-64 by default. */
const struct mw_arch *mw_arch_select(const struct mw_dump_info *info);

/* The machine's name for the reader: the one the format names when
 * memwhere knows it ("x86_64", "aarch64"), else the one VMCOREINFO shows
 * (QEMU's kdump header says "Unknown"; *from_vmcoreinfo then true), else
 * NULL. */
const char *mw_arch_machine(const struct mw_dump_info *info, bool *from_vmcoreinfo);

/* The kernel's page size: VMCOREINFO's PAGESIZE (a power of two from
 * 4 KiB to 64 KiB), else the dump's unit (info->page_size, which is the
 * kdump block size: QEMU writes 64 KiB blocks of a 4 KiB-page arm64
 * kernel). */
uint32_t mw_arch_page_size(const struct mw_dump_info *info);

#endif
