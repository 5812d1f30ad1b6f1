/* arm64 address translation (analyzer/arch-arm64.c) on a small synthetic
 * aarch64 ELF core built here: VMCOREINFO as an arm64 kernel writes it
 * (hex NUMBER()s, VA_BITS, kimage_voffset, PHYS_OFFSET, TCR_EL1_T1SZ) and
 * page tables in the 4 KiB-granule, 48-bit format of the Arm architecture
 * manual (table, block and page descriptors). Expected physical addresses
 * come from how the tables are built, never from memwhere.
 */
#include "config.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/vm.h"
#include "tests/tap.h"

#define RAM UINT64_C(0x40000000)		/* QEMU virt's RAM base */
#define RAM_SIZE (UINT64_C(2) << 20)
#define IMAGE_VA UINT64_C(0xffff800008000000)	/* maps RAM + 0 */
#define PAGE_OFFSET UINT64_C(0xffff000000000000)	/* 2^64 - 2^48 */
#define VMEMMAP_START UINT64_C(0xfffffc0000000000)

enum {
	T_VALID = 1, T_TABLE = 3, T_BLOCK = 1, T_PAGE = 3,
	AF = 1 << 10,
};
#define CONT (1ULL << 52)
#define PXN (1ULL << 53)
#define UXN (1ULL << 54)

static uint8_t mem[RAM_SIZE];

static void put(uint64_t table_pa, unsigned idx, uint64_t desc)
{
	memcpy(mem + (table_pa - RAM) + idx * 8, &desc, 8);
}

static unsigned ix(uint64_t va, int shift)
{
	return (unsigned)((va >> shift) & 511);
}

static const char *write_core(const char *path, const char *vmcoreinfo)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	size_t vlen = strlen(vmcoreinfo);
	size_t desc = (vlen + 3) & ~(size_t)3;
	size_t note_len = sizeof(Elf64_Nhdr) + 12 + desc;
	uint64_t note_off = sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr);
	uint64_t data_off = (note_off + note_len + 4095) & ~4095ULL;
	Elf64_Ehdr eh = { 0 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_AARCH64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_NOTE, .p_offset = note_off, .p_filesz = note_len, .p_memsz = note_len },
		{ .p_type = PT_LOAD, .p_offset = data_off, .p_paddr = RAM, .p_filesz = RAM_SIZE,
		  .p_memsz = RAM_SIZE, .p_flags = PF_R | PF_W | PF_X },
	};
	Elf64_Nhdr nh = { .n_namesz = 11, .n_descsz = (Elf64_Word)vlen, .n_type = 0 };
	char name[12] = "VMCOREINFO";
	fwrite(&eh, sizeof(eh), 1, f);
	fwrite(ph, sizeof(ph), 1, f);
	fwrite(&nh, sizeof(nh), 1, f);
	fwrite(name, 12, 1, f);
	char *d = calloc(1, desc);
	memcpy(d, vmcoreinfo, vlen);
	fwrite(d, desc, 1, f);
	free(d);
	fseek(f, (long)data_off, SEEK_SET);
	fwrite(mem, RAM_SIZE, 1, f);
	fclose(f);
	return path;
}

static void expect(struct mw_vm *vm, uint64_t va, uint64_t pa, uint64_t left, const char *what)
{
	uint64_t got = 0, gleft = 0;
	struct mw_error *err = mw_vm_translate(vm, va, &got, &gleft);
	tap_ok(!err && got == pa && (!left || gleft == left),
	       "%s: 0x%" PRIx64 " -> 0x%" PRIx64 " (%" PRIu64 " bytes left), got 0x%" PRIx64
	       " (%" PRIu64 ")%s%s", what, va, pa, left, got, gleft, err ? ": " : "",
	       err ? err->message : "");
	mw_error_destroy(err);
}

static void unmapped(struct mw_vm *vm, uint64_t va, const char *what)
{
	uint64_t got = 0, left = 0;
	struct mw_error *err = mw_vm_translate(vm, va, &got, &left);
	tap_ok(err && err->code == MW_ERR_NOT_MAPPED, "%s: 0x%" PRIx64 " is not mapped%s%s", what,
	       va, err ? ": " : " (got none)", err ? err->message : "");
	mw_error_destroy(err);
}

int main(void)
{
	/* tables: L0 at +0x1000 (swapper_pg_dir), L1 +0x2000, L2 +0x3000,
	 * L3 +0x4000 (the image's first pages), L3 +0x5000 (test pages),
	 * L1 +0x6000 (the linear map) */
	const uint64_t l0 = RAM + 0x1000, l1 = RAM + 0x2000, l2 = RAM + 0x3000,
		       l3a = RAM + 0x4000, l3b = RAM + 0x5000, l1lin = RAM + 0x6000;
	const uint64_t swapper = IMAGE_VA + 0x1000;
	const uint64_t page_va = 0xffff800010000000ULL, block2m_va = 0xffff800010200000ULL,
		       block1g_va = 0xffff800040000000ULL;
	put(l0, ix(IMAGE_VA, 39), l1 | T_TABLE);
	put(l1, ix(IMAGE_VA, 30), l2 | T_TABLE);
	put(l1, ix(block1g_va, 30), RAM | T_BLOCK | AF | UXN);
	put(l2, ix(IMAGE_VA, 21), l3a | T_TABLE);
	put(l3a, 0, RAM | T_PAGE | AF);
	put(l3a, 1, (RAM + 0x1000) | T_PAGE | AF);
	put(l2, ix(page_va, 21), l3b | T_TABLE);
	/* a page with the contiguous bit and attributes: its own address */
	put(l3b, 0, (RAM + 0x10000) | T_PAGE | AF | CONT | PXN | UXN);
	put(l3b, 1, (RAM + 0x11000) | T_BLOCK);	/* reserved at level 3 */
	put(l2, ix(block2m_va, 21), RAM | T_BLOCK | AF);
	put(l0, ix(PAGE_OFFSET, 39), l1lin | T_TABLE);
	put(l1lin, 0, RAM | T_BLOCK | AF);

	char vmci[2048];
	snprintf(vmci, sizeof(vmci),
		 "OSRELEASE=6.1.0-test-arm64\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%" PRIx64 "\n"
		 "SYMBOL(_stext)=%" PRIx64 "\nSIZE(page)=64\nNUMBER(VA_BITS)=48\n"
		 "NUMBER(kimage_voffset)=0x%" PRIx64 "\nNUMBER(PHYS_OFFSET)=0x%" PRIx64 "\n"
		 "NUMBER(TCR_EL1_T1SZ)=0x10\nNUMBER(VMEMMAP_START)=0x%" PRIx64 "\n"
		 "KERNELOFFSET=0\nNUMBER(KERNELPACMASK)=0xffff000000000000\n",
		 swapper, IMAGE_VA, IMAGE_VA - RAM, RAM, VMEMMAP_START);
	char path[] = "/tmp/mw-test-arch-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	write_core(path, vmci);

	struct mw_reader *r = NULL;
	struct mw_error *err = mw_reader_open(path, &r);
	tap_ok(!err, "the aarch64 ELF core opens%s%s", err ? ": " : "", err ? err->message : "");
	if (err)
		return tap_done();
	tap_ok(strcmp(mw_reader_info(r)->utsname_machine, "aarch64") == 0,
	       "its machine is aarch64 (got %s)", mw_reader_info(r)->utsname_machine);
	struct mw_vm vm;
	err = mw_vm_init(&vm, r);
	tap_ok(!err && strcmp(mw_vm_arch_name(&vm), "arm64") == 0,
	       "arm64 translation chosen%s%s", err ? ": " : "", err ? err->message : "");
	if (err)
		return tap_done();
	tap_ok(vm.levels == 4 && vm.arm64.va_bits == 48 && vm.arm64.kimage_voffset == IMAGE_VA - RAM &&
	       vm.arm64.phys_offset == RAM && vm.arm64.pac_mask == 0xffff000000000000ULL,
	       "VMCOREINFO read: 4 levels, VA_BITS 48, kimage_voffset, PHYS_OFFSET (0x hex "
	       "NUMBER()s), KERNELPACMASK");
	uint64_t pob, vmemmap, vmalloc;
	mw_vm_set_bases(&vm, NULL, &pob, &vmemmap, &vmalloc);
	tap_ok(pob == PAGE_OFFSET - RAM, "the linear map's physical 0 is PAGE_OFFSET - PHYS_OFFSET "
	       "(0x%" PRIx64 ")", pob);
	tap_ok(vmemmap == VMEMMAP_START - (RAM >> 12) * 64,
	       "vmemmap: VMEMMAP_START less PHYS_OFFSET's PFN of 64-byte struct pages (0x%" PRIx64 ")",
	       vmemmap);

	/* the walk alone */
	uint64_t pa = 0, left = 0;
	err = mw_vm_walk(&vm, swapper + 8, &pa, &left);
	tap_ok(!err && pa == RAM + 0x1008 && left == 4096 - 8,
	       "walk: the kernel image page of swapper_pg_dir (4 levels to a page descriptor)");
	mw_error_destroy(err);
	err = mw_vm_walk(&vm, PAGE_OFFSET + 0x1234, &pa, &left);
	tap_ok(!err && pa == RAM + 0x1234 && left == (1ULL << 30) - 0x1234,
	       "walk: the linear map through a 1 GiB level-1 block");
	mw_error_destroy(err);
	err = mw_vm_check_root(&vm);
	tap_ok(!err, "swapper_pg_dir passes the root check (image and linear map agree)%s%s",
	       err ? ": " : "", err ? err->message : "");
	mw_error_destroy(err);

	expect(&vm, page_va + 0x123, RAM + 0x10123, 4096 - 0x123,
	       "a page descriptor with the contiguous bit, PXN and UXN");
	expect(&vm, block2m_va + 0x1234, RAM + 0x1234, (2ULL << 20) - 0x1234, "a 2 MiB level-2 block");
	expect(&vm, block1g_va + 0x5000, RAM + 0x5000, (1ULL << 30) - 0x5000, "a 1 GiB level-1 block");
	expect(&vm, PAGE_OFFSET + 0x2000, RAM + 0x2000, 0, "the linear map (fast path)");
	expect(&vm, swapper, RAM + 0x1000, 0, "the kernel image (VA - kimage_voffset)");
	unmapped(&vm, page_va + 0x1000, "a reserved level-3 descriptor");
	unmapped(&vm, page_va + 0x2000, "an invalid level-3 entry");
	unmapped(&vm, 0xffff900000000000ULL, "an invalid level-0 entry");

	uint8_t buf[16];
	err = mw_vm_read(&vm, block2m_va + 0x1000, buf, sizeof(buf));
	tap_ok(!err && memcmp(buf, mem + 0x1000, sizeof(buf)) == 0,
	       "a read through a block gives the page table's own bytes");
	mw_error_destroy(err);

	mw_reader_destroy(r);
	unlink(path);
	return tap_done();
}
