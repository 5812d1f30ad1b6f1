/* memwhere: x86-64 address translation (analyzer/arch.h). */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "analyzer/arch.h"
#include "analyzer/vm.h"

#define KERNEL_MAP_BASE 0xffffffff80000000ULL
#define KERNEL_MAP_END 0xffffffffc0000000ULL	/* 1 GiB image space */
#define PHYS_MASK 0x000ffffffffff000ULL

/* defaults without CONFIG_RANDOMIZE_MEMORY */
#define DEFAULT_PAGE_OFFSET_L4 0xffff888000000000ULL
#define DEFAULT_PAGE_OFFSET_L5 0xff11000000000000ULL
#define DEFAULT_VMEMMAP_L4 0xffffea0000000000ULL
#define DEFAULT_VMEMMAP_L5 0xffd4000000000000ULL
#define DEFAULT_VMALLOC_L4 0xffffc90000000000ULL
#define DEFAULT_VMALLOC_L5 0xffa0000000000000ULL

enum {
	PTE_PRESENT = 1 << 0,
	PTE_PSE = 1 << 7,	/* large page at PUD/PMD level */
	PMD_ORDER = 9,		/* PMD_SHIFT 21 - PAGE_SHIFT 12 */
};

static struct mw_error *x86_init(struct mw_vm *vm, const struct mw_dump_info *info)
{
	struct mw_error *err;
	uint64_t v;

	vm->levels = 4;
	vm->phys_mask = PHYS_MASK;
	vm->page_size = 4096;
	vm->page_shift = 12;
	vm->pmd_order = PMD_ORDER;
	vm->image_link_start = MW_KERNEL_IMAGE_START;
	/* x86-64 kernels write NUMBER(phys_base); a bare phys_base elsewhere */
	if ((err = mw_vmcoreinfo_u64(info, "NUMBER(phys_base)", &vm->phys_base))) {
		mw_error_destroy(err);
		if ((err = mw_vmcoreinfo_u64(info, "phys_base", &vm->phys_base)))
			return err;
	}
	/* KERNELOFFSET is absent without KASLR */
	if ((err = mw_vmcoreinfo_u64(info, "KERNELOFFSET", &vm->kaslr_offset)))
		mw_error_destroy(err);
	/* the page-table root: checked once the direct map is known
	 * (mw_vm_check_root), and taken from kallsyms if it is wrong */
	if ((err = mw_vmcoreinfo_u64(info, "SYMBOL(init_top_pgt)", &vm->pgd_vaddr))) {
		mw_error_destroy(err);
		vm->pgd_vaddr = 0;
	}
	if (vm->pgd_vaddr >= KERNEL_MAP_BASE && vm->pgd_vaddr < KERNEL_MAP_END)
		vm->pgd_paddr = vm->pgd_vaddr - KERNEL_MAP_BASE + vm->phys_base;
	if (!(err = mw_vmcoreinfo_u64(info, "NUMBER(pgtable_l5_enabled)", &v)) && v)
		vm->levels = 5;
	mw_error_destroy(err);
	if (!(err = mw_vmcoreinfo_u64(info, "NUMBER(sme_mask)", &v)))
		vm->phys_mask &= ~v;
	mw_error_destroy(err);
	vm->phys_bits = vm->levels == 5 ? 52 : 46;
	return NULL;
}

static uint64_t read_base(struct mw_vm *vm, const struct mw_symbols *syms,
			  const char *name, uint64_t dflt)
{
	const struct mw_symbol *s = syms ? mw_symbols_find(syms, name) : NULL;
	uint64_t v;
	struct mw_error *err;
	if (!s)
		return dflt;	/* absent without CONFIG_RANDOMIZE_MEMORY: the fixed layout */
	if ((err = mw_vm_read(vm, s->address, &v, sizeof(v)))) {
		mw_error_destroy(err);
		return dflt;
	}
	return v;
}

static void x86_bases(struct mw_vm *vm, const struct mw_symbols *syms,
		      struct mw_arch_bases *ret)
{
	bool l5 = vm->levels == 5;
	ret->page_offset_base = read_base(vm, syms, "page_offset_base",
					  l5 ? DEFAULT_PAGE_OFFSET_L5 : DEFAULT_PAGE_OFFSET_L4);
	ret->vmemmap_base = read_base(vm, syms, "vmemmap_base",
				      l5 ? DEFAULT_VMEMMAP_L5 : DEFAULT_VMEMMAP_L4);
	ret->vmalloc_base = read_base(vm, syms, "vmalloc_base",
				      l5 ? DEFAULT_VMALLOC_L5 : DEFAULT_VMALLOC_L4);
}

static bool x86_image_pa(const struct mw_vm *vm, uint64_t vaddr, uint64_t *paddr,
			 uint64_t *left)
{
	if (vaddr < KERNEL_MAP_BASE || vaddr >= KERNEL_MAP_END)
		return false;
	*paddr = vaddr - KERNEL_MAP_BASE + vm->phys_base;
	*left = KERNEL_MAP_END - vaddr;
	return true;
}

static struct mw_error *x86_walk(const struct mw_vm *vm, uint64_t root, uint64_t vaddr,
				 uint64_t *paddr, uint64_t *left)
{
	uint64_t table = root;
	int shift = vm->levels == 5 ? 48 : 39;
	for (int level = vm->levels; level >= 1; level--, shift -= 9) {
		uint64_t idx = (vaddr >> shift) & 511;
		uint64_t entry;
		struct mw_error *err = mw_reader_read_phys(vm->reader,
							   table + idx * 8,
							   &entry, sizeof(entry));
		if (err)
			return mw_error_prepend(err,
						"page table (level %d) for 0x%" PRIx64,
						level, vaddr);
		if (!(entry & PTE_PRESENT))
			return mw_error_at(MW_ERR_NOT_MAPPED, vaddr,
					   "not mapped (level %d entry not present)",
					   level);
		uint64_t base = entry & vm->phys_mask;
		/* 1 GiB pages at level 3 (PUD), 2 MiB at level 2 (PMD) */
		if (level == 1 || ((level == 2 || level == 3) && (entry & PTE_PSE))) {
			uint64_t size = 1ULL << shift;
			uint64_t off = vaddr & (size - 1);
			*paddr = (base & ~(size - 1)) + off;
			*left = size - off;
			return NULL;
		}
		table = base;
	}
	return mw_error_at(MW_ERR_NOT_MAPPED, vaddr, "not mapped");
}

const struct mw_arch mw_arch_x86_64 = {
	.name = "x86_64",
	.machine = "x86_64",
	.root_symbol = "init_top_pgt",
	.init = x86_init,
	.bases = x86_bases,
	.image_pa = x86_image_pa,
	.walk = x86_walk,
};
