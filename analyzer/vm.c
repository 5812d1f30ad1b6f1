#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "analyzer/vm.h"

enum {
	PTE_PRESENT = 1 << 0,
	PTE_PSE = 1 << 7,	/* large page at PUD/PMD level */
	PAGE_SHIFT = 12,
};

struct mw_error *mw_vm_init(struct mw_vm *vm, struct mw_reader *reader)
{
	const struct mw_dump_info *info = mw_reader_info(reader);
	struct mw_error *err;
	uint64_t v;

	memset(vm, 0, sizeof(*vm));
	vm->reader = reader;
	vm->levels = 4;
	vm->phys_mask = MW_X86_PHYS_MASK;
	if (!info->vmcoreinfo)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "the dump has no VMCOREINFO: cannot place the kernel in memory");
	/* x86-64 kernels write NUMBER(phys_base); a bare phys_base elsewhere */
	if ((err = mw_vmcoreinfo_u64(info, "NUMBER(phys_base)", &vm->phys_base))) {
		mw_error_destroy(err);
		if ((err = mw_vmcoreinfo_u64(info, "phys_base", &vm->phys_base)))
			return err;
	}
	/* KERNELOFFSET is absent without KASLR */
	if ((err = mw_vmcoreinfo_u64(info, "KERNELOFFSET", &vm->kaslr_offset)))
		mw_error_destroy(err);
	if ((err = mw_vmcoreinfo_u64(info, "SYMBOL(init_top_pgt)", &vm->pgd_vaddr)))
		return err;
	if (vm->pgd_vaddr < MW_X86_KERNEL_MAP_BASE)
		return mw_error_at(MW_ERR_BAD_DATA, vm->pgd_vaddr,
				   "init_top_pgt is outside the kernel image");
	vm->pgd_paddr = vm->pgd_vaddr - MW_X86_KERNEL_MAP_BASE + vm->phys_base;
	if (!(err = mw_vmcoreinfo_u64(info, "NUMBER(pgtable_l5_enabled)", &v)) && v)
		vm->levels = 5;
	mw_error_destroy(err);
	if (!(err = mw_vmcoreinfo_u64(info, "NUMBER(sme_mask)", &v)))
		vm->phys_mask &= ~v;
	mw_error_destroy(err);
	return NULL;
}

void mw_vm_set_direct_map(struct mw_vm *vm, uint64_t page_offset_base)
{
	const struct mw_dump_info *info = mw_reader_info(vm->reader);
	vm->page_offset_base = page_offset_base;
	vm->direct_map_size = info->nr_ranges ?
		info->ranges[info->nr_ranges - 1].end : 0;
}

struct mw_error *mw_vm_walk(struct mw_vm *vm, uint64_t vaddr, uint64_t *paddr,
			    uint64_t *left)
{
	uint64_t table = vm->pgd_paddr;
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

struct mw_error *mw_vm_translate(struct mw_vm *vm, uint64_t vaddr,
				 uint64_t *paddr, uint64_t *left)
{
	if (vaddr >= MW_X86_KERNEL_MAP_BASE && vaddr < MW_X86_KERNEL_MAP_END) {
		*paddr = vaddr - MW_X86_KERNEL_MAP_BASE + vm->phys_base;
		*left = MW_X86_KERNEL_MAP_END - vaddr;
		return NULL;
	}
	if (vm->page_offset_base && vaddr >= vm->page_offset_base &&
	    vaddr - vm->page_offset_base < vm->direct_map_size) {
		*paddr = vaddr - vm->page_offset_base;
		*left = vm->direct_map_size - *paddr;
		return NULL;
	}
	return mw_vm_walk(vm, vaddr, paddr, left);
}

struct mw_error *mw_vm_read(struct mw_vm *vm, uint64_t vaddr, void *buf,
			    size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		uint64_t paddr, left;
		struct mw_error *err = mw_vm_translate(vm, vaddr, &paddr, &left);
		if (err)
			return err;
		size_t n = left < len ? (size_t)left : len;
		if ((err = mw_reader_read_phys(vm->reader, paddr, p, n)))
			return mw_error_prepend(err, "reading 0x%" PRIx64, vaddr);
		p += n;
		vaddr += n;
		len -= n;
	}
	return NULL;
}

struct mw_error *mw_vm_read_cb(void *arg, uint64_t vaddr, void *buf, size_t len)
{
	return mw_vm_read(arg, vaddr, buf, len);
}

struct mw_error *mw_vm_read_u64(struct mw_vm *vm, uint64_t vaddr, uint64_t *ret)
{
	return mw_vm_read(vm, vaddr, ret, sizeof(*ret));
}
