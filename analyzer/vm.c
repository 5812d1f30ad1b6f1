#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "analyzer/arch.h"
#include "analyzer/vm.h"

enum {
	PAGE_SIZE = 4096,
};

struct mw_error *mw_vm_init(struct mw_vm *vm, struct mw_reader *reader)
{
	const struct mw_dump_info *info = mw_reader_info(reader);

	memset(vm, 0, sizeof(*vm));
	vm->reader = reader;
	vm->arch = mw_arch_select(info);
	if (!info->vmcoreinfo)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "the dump has no VMCOREINFO: cannot place the kernel in memory");
	return vm->arch->init(vm, info);
}

const char *mw_vm_arch_name(const struct mw_vm *vm)
{
	return vm->arch ? vm->arch->name : "unknown";
}

const char *mw_vm_machine(const struct mw_vm *vm)
{
	return vm->arch ? vm->arch->machine : "unknown";
}

const char *mw_vm_root_symbol(const struct mw_vm *vm)
{
	return vm->arch->root_symbol;
}

void mw_vm_set_bases(struct mw_vm *vm, const struct mw_symbols *syms,
		     uint64_t *page_offset_base, uint64_t *vmemmap_base,
		     uint64_t *vmalloc_base)
{
	struct mw_arch_bases b = { 0 };
	vm->arch->bases(vm, syms, &b);
	*page_offset_base = b.page_offset_base;
	*vmemmap_base = b.vmemmap_base;
	*vmalloc_base = b.vmalloc_base;
	mw_vm_set_direct_map(vm, b.page_offset_base);
	vm->vmemmap_base = b.vmemmap_base;
}

/* Does the table at vaddr (in the kernel image) translate the kernel's own
 * addresses the way the image mapping and the direct map say? */
static struct mw_error *root_ok(struct mw_vm *vm, uint64_t vaddr)
{
	uint64_t paddr, got, left;
	if (!vm->arch->image_pa(vm, vaddr, &paddr, &left) || (vaddr & (PAGE_SIZE - 1)))
		return mw_error_at(MW_ERR_BAD_DATA, vaddr, "not a page of the kernel image");
	uint64_t save = vm->pgd_paddr;
	vm->pgd_paddr = paddr;
	struct mw_error *err = mw_vm_walk(vm, vaddr, &got, &left);
	if (!err && got != paddr)
		err = mw_error_at(MW_ERR_BAD_DATA, vaddr, "the kernel image address 0x%" PRIx64
				  " translates to 0x%" PRIx64 ", not 0x%" PRIx64, vaddr, got, paddr);
	if (!err && vm->page_offset_base &&
	    !(err = mw_vm_walk(vm, vm->page_offset_base + paddr, &got, &left)) && got != paddr)
		err = mw_error_at(MW_ERR_BAD_DATA, vaddr, "the direct map address 0x%" PRIx64
				  " translates to 0x%" PRIx64 ", not 0x%" PRIx64,
				  vm->page_offset_base + paddr, got, paddr);
	vm->pgd_paddr = save;
	return err;
}

struct mw_error *mw_vm_check_root(struct mw_vm *vm)
{
	return root_ok(vm, vm->pgd_vaddr);
}

struct mw_error *mw_vm_set_root(struct mw_vm *vm, uint64_t pgd_vaddr)
{
	struct mw_error *err = root_ok(vm, pgd_vaddr);
	if (err)
		return err;
	uint64_t left;
	vm->pgd_vaddr = pgd_vaddr;
	vm->arch->image_pa(vm, pgd_vaddr, &vm->pgd_paddr, &left);
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
	return vm->arch->walk(vm, vm->pgd_paddr, vaddr, paddr, left);
}

struct mw_error *mw_vm_walk_root(struct mw_vm *vm, uint64_t root_paddr, uint64_t vaddr,
				 uint64_t *paddr, uint64_t *left)
{
	return vm->arch->walk(vm, root_paddr, vaddr, paddr, left);
}

struct mw_error *mw_vm_translate(struct mw_vm *vm, uint64_t vaddr,
				 uint64_t *paddr, uint64_t *left)
{
	if (vm->arch->image_pa(vm, vaddr, paddr, left))
		return NULL;
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
