/* memwhere: kernel virtual addresses to physical, over a reader.
 *
 * Fast paths for the kernel image mapping and the direct (linear) map;
 * everything else (vmemmap, vmalloc, modules) through a page-table walk
 * from the kernel's root table. What differs per architecture is in its
 * ops table (analyzer/arch.h):
 *   x86-64: image at __START_KERNEL_map + phys_base, direct map at
 *           page_offset_base, 4- or 5-level tables from init_top_pgt with
 *           1 GiB and 2 MiB pages;
 *   arm64:  image at VA - kimage_voffset, linear map at PAGE_OFFSET
 *           (2^64 - 2^VA_BITS) for PHYS_OFFSET, tables from swapper_pg_dir
 *           (4 KiB granule, 39 to 48-bit VAs, 52 with LPA2) with blocks.
 */
#ifndef MW_VM_H
#define MW_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf/symbols.h"
#include "common/error.h"
#include "formats/reader.h"

struct mw_arch;

/* arm64's translation parameters (VMCOREINFO) */
struct mw_vm_arm64 {
	uint64_t kimage_voffset;	/* image VA - PA */
	uint64_t phys_offset;		/* memstart_addr (may wrap below 0) */
	uint64_t page_offset;		/* 2^64 - 2^VA_BITS */
	uint64_t pac_mask;		/* KERNELPACMASK, 0 without */
	uint64_t image_start, image_end;	/* _text (or _stext) .. _end */
	unsigned va_bits;		/* VA_BITS (PAGE_OFFSET) */
	unsigned va_bits_actual;	/* 64 - TCR_EL1_T1SZ (the walk) */
	unsigned page_shift;		/* 12 */
	bool lpa2;			/* 52-bit output addresses in 4 KiB descriptors */
};

struct mw_vm {
	struct mw_reader *reader;
	const struct mw_arch *arch;	/* analyzer/arch.h */
	uint64_t phys_base;		/* x86-64: VMCOREINFO phys_base */
	uint64_t kaslr_offset;		/* VMCOREINFO KERNELOFFSET */
	uint64_t page_offset_base;	/* VA of physical 0 in the direct map; 0 until known */
	uint64_t direct_map_size;	/* bytes of RAM the direct map covers */
	uint64_t vmemmap_base;		/* 0 until known */
	uint64_t pgd_vaddr;		/* init_top_pgt, swapper_pg_dir */
	uint64_t pgd_paddr;
	uint64_t phys_mask;		/* PTE address bits (minus SME bit) */
	int levels;			/* page-table levels: x86-64 4 or 5, arm64 3 to 5 */
	unsigned phys_bits;		/* MAX_PHYSMEM_BITS when VMCOREINFO lacks it */
	uint32_t page_size;		/* the kernel's page (a dump's block can be larger) */
	unsigned page_shift;		/* log2(page_size): x86-64 12, arm64 12 or 14 */
	unsigned pmd_order;		/* PMD_SHIFT - PAGE_SHIFT */
	uint64_t image_link_start;	/* link-time symbols from here on move with KASLR */
	struct mw_vm_arm64 arm64;
};

/* From VMCOREINFO (x86-64: phys_base, KERNELOFFSET, SYMBOL(init_top_pgt),
 * NUMBER(pgtable_l5_enabled), NUMBER(sme_mask); arm64: VA_BITS,
 * kimage_voffset, PHYS_OFFSET, TCR_EL1_T1SZ, KERNELOFFSET, KERNELPACMASK,
 * SYMBOL(swapper_pg_dir)), with the architecture the dump names. */
struct mw_error *mw_vm_init(struct mw_vm *vm, struct mw_reader *reader);
/* "x86_64", "arm64" */
const char *mw_vm_arch_name(const struct mw_vm *vm);
/* as uname -m says it: "x86_64", "aarch64" */
const char *mw_vm_machine(const struct mw_vm *vm);
/* The kernel page-table root's symbol ("init_top_pgt", "swapper_pg_dir") */
const char *mw_vm_root_symbol(const struct mw_vm *vm);
/* Once symbols are known: the base addresses (x86-64: the kernel's
 * page_offset_base, vmemmap_base and vmalloc_base variables, else the
 * fixed layout; arm64: from VMCOREINFO), and the direct map set from them. */
void mw_vm_set_bases(struct mw_vm *vm, const struct mw_symbols *syms,
		     uint64_t *page_offset_base, uint64_t *vmemmap_base,
		     uint64_t *vmalloc_base);
/* Once page_offset_base is known (read from the kernel's variable). */
void mw_vm_set_direct_map(struct mw_vm *vm, uint64_t page_offset_base);
/* Once the direct map is set: does VMCOREINFO's root table translate the
 * kernel's own addresses (its image, and the direct map) as the image
 * mapping and page_offset_base say? MW_ERR_BAD_DATA saying how not. */
struct mw_error *mw_vm_check_root(struct mw_vm *vm);
/* Use another page-table root (e.g. init_top_pgt from kallsyms) if it
 * passes the same check; vm unchanged otherwise. */
struct mw_error *mw_vm_set_root(struct mw_vm *vm, uint64_t pgd_vaddr);
/* A walk from another root (a process's page tables: the physical address
 * of its top-level table). */
struct mw_error *mw_vm_walk_root(struct mw_vm *vm, uint64_t root_paddr, uint64_t vaddr,
				 uint64_t *paddr, uint64_t *left);

/* Translate one address: paddr, and the bytes left in its page (so a
 * caller can read up to the end of a 2 MiB or 1 GiB mapping at once). */
struct mw_error *mw_vm_translate(struct mw_vm *vm, uint64_t vaddr,
				 uint64_t *paddr, uint64_t *left);
/* The page-table walk alone, without the fast paths (tests use it to
 * check one against the other). */
struct mw_error *mw_vm_walk(struct mw_vm *vm, uint64_t vaddr, uint64_t *paddr,
			    uint64_t *left);
/* Read len bytes of kernel virtual memory. */
struct mw_error *mw_vm_read(struct mw_vm *vm, uint64_t vaddr, void *buf,
			    size_t len);
/* The same, shaped for callbacks (arg is a struct mw_vm *). */
struct mw_error *mw_vm_read_cb(void *arg, uint64_t vaddr, void *buf,
			       size_t len);
struct mw_error *mw_vm_read_u64(struct mw_vm *vm, uint64_t vaddr, uint64_t *ret);

#endif
