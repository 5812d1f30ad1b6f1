/* memwhere: arm64 address translation from VMCOREINFO alone (analyzer/arch.h).
 *
 *   linear map:   VA = PA - PHYS_OFFSET + PAGE_OFFSET, PAGE_OFFSET being
 *                 2^64 - 2^VA_BITS; PHYS_OFFSET (memstart_addr) can lie
 *                 below RAM, even below 0, with linear-map randomization:
 *                 the arithmetic wraps;
 *   kernel image: PA = VA - kimage_voffset, for _text .. _end;
 *   vmemmap:      VMEMMAP_START - (PHYS_OFFSET >> PAGE_SHIFT) struct pages;
 *   the rest:     the walk from swapper_pg_dir (TTBR1), 64 - TCR_EL1_T1SZ
 *                 VA bits: 4 KiB granule (39 to 48: 3 or 4 levels; 52
 *                 with LPA2: 5 levels) or 16 KiB granule (PAGESIZE 16384:
 *                 11 bits a level, 47 or 48 bits in 3 or 4 levels, 52
 *                 with LPA2 in 4); with LPA2 output bits 51:50 are in
 *                 descriptor bits 9:8. Table, block (4 KiB: 1 GiB, 2 MiB;
 *                 16 KiB: 32 MiB, 64 GiB with LPA2) and page descriptors.
 *                 The contiguous bit only hints the TLB: every entry still
 *                 holds its own output address.
 * Not supported yet: the 64 KiB granule (refused with a message). The
 * analyses above take the page size and shift from here (vm.page_size,
 * vm.page_shift), never from the architecture.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "analyzer/arch.h"
#include "analyzer/vm.h"

enum {
	DESC_VALID = 1 << 0,
	DESC_TABLE = 1 << 1,	/* table (levels above the last) or page (last) */
	PAGE_SHIFT_4K = 12,
	PAGE_SHIFT_16K = 14,
	DEFAULT_PAGE_STRUCT = 64,
};

#define OA_BITS_48 0x0000ffffffffffffULL	/* output address bits 47:PAGE_SHIFT */
#define OA_BITS_LPA2 0x0003ffffffffffffULL	/* bits 49:PAGE_SHIFT; 51:50 from bits 9:8 */

static bool vmci(const struct mw_dump_info *info, const char *key, uint64_t *v)
{
	struct mw_error *err = mw_vmcoreinfo_u64(info, key, v);
	mw_error_destroy(err);
	return err == NULL;
}

static struct mw_error *arm64_init(struct mw_vm *vm, const struct mw_dump_info *info)
{
	struct mw_vm_arm64 *a = &vm->arm64;
	uint64_t v, page_size = 4096;
	struct mw_error *err;

	if (vmci(info, "PAGESIZE", &v))
		page_size = v;
	if (page_size != 4096 && page_size != 16384)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "arm64 kernel with %" PRIu64 "-byte pages: memwhere reads "
				       "arm64 dumps of 4 KiB-page kernels (and translates 16 KiB-page "
				       "ones) only so far", page_size);
	a->page_shift = page_size == 4096 ? PAGE_SHIFT_4K : PAGE_SHIFT_16K;
	if ((err = mw_vmcoreinfo_u64(info, "NUMBER(VA_BITS)", &v)))
		return mw_error_prepend(err, "arm64 address translation");
	if (v < 36 || v > 52)
		return mw_error_create(MW_ERR_BAD_DATA, "VMCOREINFO NUMBER(VA_BITS)=%" PRIu64, v);
	a->va_bits = (unsigned)v;
	a->va_bits_actual = a->va_bits;
	if (vmci(info, "NUMBER(TCR_EL1_T1SZ)", &v)) {
		if (v < 12 || v > 28)
			return mw_error_create(MW_ERR_BAD_DATA,
					       "VMCOREINFO NUMBER(TCR_EL1_T1SZ)=%" PRIu64, v);
		a->va_bits_actual = 64 - (unsigned)v;
	}
	unsigned min_va = a->page_shift == PAGE_SHIFT_4K ? 39 : 47;
	if (a->va_bits_actual < min_va || a->va_bits_actual > 52 ||
	    (a->va_bits_actual > 48 && a->va_bits_actual != 52))
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "arm64 kernel with %u-bit virtual addresses and %" PRIu64
				       "-byte pages: memwhere reads %u- to 48-bit and 52-bit ones",
				       a->va_bits_actual, page_size, min_va);
	a->lpa2 = a->va_bits_actual == 52;
	if ((err = mw_vmcoreinfo_u64(info, "NUMBER(kimage_voffset)", &a->kimage_voffset)) ||
	    (err = mw_vmcoreinfo_u64(info, "NUMBER(PHYS_OFFSET)", &a->phys_offset)))
		return mw_error_prepend(err, "arm64 address translation");
	if (!vmci(info, "KERNELOFFSET", &vm->kaslr_offset))
		vm->kaslr_offset = 0;
	if (!vmci(info, "NUMBER(KERNELPACMASK)", &a->pac_mask))
		a->pac_mask = 0;
	a->page_offset = 0 - (1ULL << a->va_bits);
	/* the image until the symbols give _text and _end: _stext up to
	 * swapper_pg_dir (both inside it) */
	if (vmci(info, "SYMBOL(swapper_pg_dir)", &vm->pgd_vaddr)) {
		a->image_start = vm->pgd_vaddr;
		a->image_end = vm->pgd_vaddr + page_size;
		if (vmci(info, "SYMBOL(_stext)", &v) && v < vm->pgd_vaddr)
			a->image_start = v;
		vm->pgd_paddr = vm->pgd_vaddr - a->kimage_voffset;
	}
	/* levels of (page_shift - 3) bits each cover the VA bits above the
	 * page offset: 4 KiB 48-bit 4, 52-bit 5; 16 KiB 47-bit 3, 48 and 52 4 */
	unsigned stride = a->page_shift - 3;
	vm->levels = (int)((a->va_bits_actual - a->page_shift + stride - 1) / stride);
	vm->phys_mask = (a->lpa2 ? OA_BITS_LPA2 : OA_BITS_48) & ~((1ULL << a->page_shift) - 1);
	vm->phys_bits = a->lpa2 ? 52 : 48;
	vm->page_size = (uint32_t)page_size;
	vm->page_shift = a->page_shift;
	vm->pmd_order = stride;	/* a PMD block: one table of pages */
	vm->image_link_start = a->page_offset;	/* no zero-based per-CPU symbols */
	return NULL;
}

static void arm64_bases(struct mw_vm *vm, const struct mw_symbols *syms,
			struct mw_arch_bases *ret)
{
	const struct mw_dump_info *info = mw_reader_info(vm->reader);
	struct mw_vm_arm64 *a = &vm->arm64;
	const struct mw_symbol *text = syms ? mw_symbols_find(syms, "_text") : NULL;
	const struct mw_symbol *end = syms ? mw_symbols_find(syms, "_end") : NULL;
	if (text && end && text->address < end->address &&
	    end->address - text->address < (1ULL << 32)) {
		a->image_start = text->address;
		a->image_end = end->address;
	}
	uint64_t start, page_size = DEFAULT_PAGE_STRUCT;
	ret->page_offset_base = a->page_offset - a->phys_offset;
	if (!vmci(info, "SIZE(page)", &page_size) || page_size == 0 || page_size > 256)
		page_size = DEFAULT_PAGE_STRUCT;
	if (vmci(info, "NUMBER(VMEMMAP_START)", &start))
		ret->vmemmap_base = start - (uint64_t)((int64_t)a->phys_offset >> a->page_shift) *
			page_size;
	if (!vmci(info, "NUMBER(VMALLOC_START)", &ret->vmalloc_base))
		ret->vmalloc_base = 0;
}

static bool arm64_image_pa(const struct mw_vm *vm, uint64_t vaddr, uint64_t *paddr,
			   uint64_t *left)
{
	const struct mw_vm_arm64 *a = &vm->arm64;
	if (vaddr < a->image_start || vaddr >= a->image_end)
		return false;
	*paddr = vaddr - a->kimage_voffset;
	*left = a->image_end - vaddr;
	return true;
}

/* A descriptor's output address. */
static uint64_t out_addr(const struct mw_vm *vm, uint64_t desc)
{
	uint64_t oa = desc & vm->phys_mask;
	if (vm->arm64.lpa2)
		oa |= ((desc >> 8) & 3) << 50;
	return oa;
}

static struct mw_error *arm64_walk(const struct mw_vm *vm, uint64_t root, uint64_t vaddr,
				   uint64_t *paddr, uint64_t *left)
{
	const unsigned stride = vm->arm64.page_shift - 3;
	unsigned shift = vm->arm64.page_shift + (unsigned)(vm->levels - 1) * stride;
	unsigned top_bits = vm->arm64.va_bits_actual - shift;
	uint64_t table = root;
	/* level counts down to 1 here; messages use the architecture's
	 * numbering (3 the last level, -1 the LPA2 top) */
	for (int level = vm->levels; level >= 1; level--, shift -= stride) {
		unsigned bits = level == vm->levels ? top_bits : stride;
		uint64_t idx = (vaddr >> shift) & ((1ULL << bits) - 1);
		uint64_t desc;
		struct mw_error *err = mw_reader_read_phys(vm->reader, table + idx * 8,
							   &desc, sizeof(desc));
		if (err)
			return mw_error_prepend(err, "page table (level %d) for 0x%" PRIx64,
						4 - level, vaddr);
		if (!(desc & DESC_VALID))
			return mw_error_at(MW_ERR_NOT_MAPPED, vaddr,
					   "not mapped (level %d entry not valid)", 4 - level);
		bool last = level == 1;
		if (last && !(desc & DESC_TABLE))
			return mw_error_at(MW_ERR_NOT_MAPPED, vaddr,
					   "not mapped (reserved last-level descriptor)");
		if (last || !(desc & DESC_TABLE)) {
			/* a page, or a block (1 GiB, 2 MiB) */
			uint64_t size = 1ULL << shift;
			uint64_t off = vaddr & (size - 1);
			*paddr = (out_addr(vm, desc) & ~(size - 1)) + off;
			*left = size - off;
			return NULL;
		}
		table = out_addr(vm, desc);
	}
	return mw_error_at(MW_ERR_NOT_MAPPED, vaddr, "not mapped");
}

const struct mw_arch mw_arch_arm64 = {
	.name = "arm64",
	.machine = "aarch64",
	.root_symbol = "swapper_pg_dir",
	.init = arm64_init,
	.bases = arm64_bases,
	.image_pa = arm64_image_pa,
	.walk = arm64_walk,
};
