/* memwhere: x86-64 kernel virtual addresses to physical, over a reader.
 *
 * Fast paths for the kernel image mapping (__START_KERNEL_map + phys_base)
 * and the direct map (page_offset_base); everything else (vmemmap, vmalloc,
 * modules) through a 4- or 5-level page-table walk from init_top_pgt, with
 * 1 GiB and 2 MiB pages.
 */
#ifndef MW_VM_H
#define MW_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "formats/reader.h"

#define MW_X86_KERNEL_MAP_BASE 0xffffffff80000000ULL
#define MW_X86_KERNEL_MAP_END 0xffffffffc0000000ULL	/* 1 GiB image space */
#define MW_X86_PHYS_MASK 0x000ffffffffff000ULL

struct mw_vm {
	struct mw_reader *reader;
	uint64_t phys_base;		/* VMCOREINFO phys_base */
	uint64_t kaslr_offset;		/* VMCOREINFO KERNELOFFSET */
	uint64_t page_offset_base;	/* 0 until known */
	uint64_t direct_map_size;	/* bytes of RAM the direct map covers */
	uint64_t vmemmap_base;		/* 0 until known */
	uint64_t pgd_vaddr;		/* init_top_pgt */
	uint64_t pgd_paddr;
	uint64_t phys_mask;		/* PTE address bits (minus SME bit) */
	int levels;			/* 4 or 5 */
};

/* From VMCOREINFO: phys_base, KERNELOFFSET, SYMBOL(init_top_pgt),
 * NUMBER(pgtable_l5_enabled), NUMBER(sme_mask). */
struct mw_error *mw_vm_init(struct mw_vm *vm, struct mw_reader *reader);
/* Once page_offset_base is known (read from the kernel's variable). */
void mw_vm_set_direct_map(struct mw_vm *vm, uint64_t page_offset_base);

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
