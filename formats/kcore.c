/* memwhere: /proc/kcore, the running kernel as an ELF core.
 *
 * What x86-64 kernels (checked on Debian 6.1 and 6.12) put in it:
 *  - one PT_NOTE: CORE PRSTATUS (zeros), PRPSINFO, TASKSTRUCT and the
 *    kernel's VMCOREINFO;
 *  - PT_LOADs at kernel virtual addresses, each at file offset
 *    p_vaddr - 0xffff800000000000 + (header size): the file is the kernel
 *    virtual address space laid out linearly, which no vmcore is;
 *  - KCORE_RAM segments: one per System RAM range (page-granular), in the
 *    direct map, with p_paddr the physical address;
 *  - KCORE_TEXT: the kernel image at 0xffffffff8...; its p_paddr is set too,
 *    but a RAM segment covers that memory already;
 *  - vmalloc, modules, vmemmap: p_paddr -1.
 * Physical memory is read through the RAM segments only; those are the
 * dump's ranges. read_segment reads any segment (the kernel serves vmalloc
 * and module memory too). Reading needs root (CAP_SYS_RAWIO).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "formats/elf-core.h"
#include "formats/elf-extents.h"
#include "formats/format.h"

enum { KCORE_PAGE_SIZE = 4096 };

/* x86-64: the kernel half of the address space, and the kernel image map
 * (__START_KERNEL_map), above which no direct-map address lies. The kernel
 * half is 5-level paging's (la57: the direct map starts at
 * 0xff11000000000000); 4-level's, from 0xffff800000000000, lies inside it,
 * and nothing between the two is canonical there. */
#define KERNEL_HALF 0xff00000000000000ULL
#define START_KERNEL_MAP 0xffffffff80000000ULL

struct kcore_priv {
	struct mw_extent_map phys;
	struct mw_extent_map virt;
};

static const struct mw_extent_read_errors phys_errors = {
	.unmapped = MW_ERR_HOLE, .space = "physical",
};
static const struct mw_extent_read_errors virt_errors = {
	.unmapped = MW_ERR_NOT_MAPPED, .space = "virtual",
};

static bool is_proc_kcore(const char *path)
{
	return path && strcmp(path, "/proc/kcore") == 0;
}

/*
 * From the first bytes: an x86-64 ELF64 core whose PT_LOADs (those that fit
 * in head) all sit in the kernel half at one common (p_offset - p_vaddr),
 * with p_filesz == p_memsz. "/proc/kcore" as path is enough for an x86-64
 * ELF64 core whose headers do not fit in head.
 */
static bool kcore_probe(const uint8_t *head, size_t len, const char *path)
{
	Elf64_Ehdr eh;
	if (len < sizeof(eh) || !mw_elf_probe_magic(head, len))
		return false;
	memcpy(&eh, head, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    le16toh(eh.e_type) != ET_CORE ||
	    le16toh(eh.e_machine) != EM_X86_64 ||
	    le16toh(eh.e_phentsize) != sizeof(Elf64_Phdr))
		return false;
	uint64_t phoff = le64toh(eh.e_phoff);
	size_t phnum = le16toh(eh.e_phnum);
	size_t loads = 0;
	uint64_t delta = 0;
	for (size_t i = 0; i < phnum; i++) {
		if (phoff > len || (uint64_t)(i + 1) * sizeof(Elf64_Phdr) > len - phoff)
			break;
		Elf64_Phdr ph;
		memcpy(&ph, head + phoff + i * sizeof(ph), sizeof(ph));
		if (le32toh(ph.p_type) != PT_LOAD)
			continue;
		uint64_t vaddr = le64toh(ph.p_vaddr);
		uint64_t d = le64toh(ph.p_offset) - vaddr;
		if (vaddr < KERNEL_HALF ||
		    le64toh(ph.p_filesz) != le64toh(ph.p_memsz) ||
		    (loads && d != delta))
			return false;
		delta = d;
		loads++;
	}
	return loads >= 2 || (loads == 0 && is_proc_kcore(path));
}

static void kcore_close(struct mw_reader *r)
{
	struct kcore_priv *p = r->priv;
	if (!p)
		return;
	mw_extent_map_deinit(&p->phys);
	mw_extent_map_deinit(&p->virt);
	free(p);
	r->priv = NULL;
}

/* Could this be a direct-map segment: a physical address and a virtual
 * one in the kernel half, below the kernel image? */
static bool maybe_direct_map(const Elf64_Phdr *ph)
{
	return ph->p_type == PT_LOAD && ph->p_paddr != UINT64_MAX &&
	       ph->p_vaddr >= KERNEL_HALF && ph->p_vaddr < START_KERNEL_MAP;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * The direct map's p_vaddr - p_paddr (page_offset_base): of the candidate
 * segments, the offset shared by the most bytes. (Other segments with a
 * physical address, such as a vmemmap one, do not share it.)
 */
static struct mw_error *direct_map_delta(const struct mw_elf_core *core,
					 uint64_t *ret, bool *found)
{
	size_t n = 0;
	*found = false;
	for (size_t i = 0; i < core->nr_phdrs; i++)
		n += maybe_direct_map(&core->phdrs[i]);
	if (!n)
		return NULL;
	/* pairs (delta, memsz), sorted by delta */
	uint64_t *pairs = malloc(n * 2 * sizeof(*pairs));
	if (!pairs)
		return &mw_error_nomem;
	size_t k = 0;
	for (size_t i = 0; i < core->nr_phdrs; i++) {
		const Elf64_Phdr *ph = &core->phdrs[i];
		if (!maybe_direct_map(ph))
			continue;
		pairs[2 * k] = ph->p_vaddr - ph->p_paddr;
		pairs[2 * k + 1] = ph->p_memsz;
		k++;
	}
	qsort(pairs, n, 2 * sizeof(*pairs), u64_cmp);
	uint64_t best = 0, best_bytes = 0;
	for (size_t i = 0; i < n;) {
		uint64_t bytes = 0, d = pairs[2 * i];
		for (; i < n && pairs[2 * i] == d; i++)
			bytes += pairs[2 * i + 1];
		if (!*found || bytes > best_bytes) {
			best = d;
			best_bytes = bytes;
			*found = true;
		}
	}
	free(pairs);
	*ret = best;
	return NULL;
}

static struct mw_error *kcore_open(struct mw_reader *r)
{
	struct mw_dump_info *info = &r->info;
	struct mw_elf_core core;
	struct mw_extent_piece *phys = NULL, *virt = NULL;
	struct mw_error *err;
	bool has_qemu;

	struct kcore_priv *p = calloc(1, sizeof(*p));
	if (!p)
		return &mw_error_nomem;
	r->priv = p;

	err = mw_elf_core_open(r->src, &core);
	if (err)
		goto out_priv;
	err = mw_elf_core_load_notes(r, &core, &has_qemu);
	if (err)
		goto out;

	size_t nr_loads = 0;
	for (size_t i = 0; i < core.nr_phdrs; i++)
		if (core.phdrs[i].p_type == PT_LOAD)
			nr_loads++;
	if (nr_loads == 0) {
		err = mw_error_at_offset(MW_ERR_FORMAT, core.phoff,
					 "no PT_LOAD program header in kcore");
		goto out;
	}
	phys = calloc(nr_loads * 3, sizeof(*phys));
	virt = calloc(nr_loads * 3, sizeof(*virt));
	info->segments = calloc(nr_loads, sizeof(*info->segments));
	if (!phys || !virt || !info->segments) {
		err = &mw_error_nomem;
		goto out;
	}
	size_t nr_phys = 0, nr_virt = 0, n;
	uint64_t delta;
	bool have_delta;
	err = direct_map_delta(&core, &delta, &have_delta);
	if (err)
		goto out;
	for (size_t i = 0; i < core.nr_phdrs; i++) {
		const Elf64_Phdr *ph = &core.phdrs[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (have_delta && maybe_direct_map(ph) &&
		    ph->p_vaddr - ph->p_paddr == delta) {
			err = mw_elf_load_pieces(&core, i, ph->p_paddr, true,
						 phys + nr_phys, &n);
			if (err)
				goto out;
			nr_phys += n;
		}
		err = mw_elf_load_pieces(&core, i, ph->p_vaddr, true,
					 virt + nr_virt, &n);
		if (err)
			goto out;
		nr_virt += n;
		info->segments[info->nr_segments++] = (struct mw_virt_segment){
			.vaddr = ph->p_vaddr,
			.size = ph->p_memsz,
			.paddr = ph->p_paddr == UINT64_MAX ?
				MW_NO_PADDR : ph->p_paddr,
		};
	}
	if (nr_phys == 0) {
		err = mw_error_at_offset(MW_ERR_FORMAT, core.phoff,
					 "kcore has no direct-map RAM segment (PT_LOAD with a physical address)");
		goto out;
	}
	err = mw_extent_map_build(phys, nr_phys, &p->phys);
	if (!err)
		err = mw_extent_map_build(virt, nr_virt, &p->virt);
	if (err)
		goto out;
	err = mw_extent_map_ranges(&p->phys, info);
	if (err)
		goto out;

	info->format = MW_FORMAT_KCORE;
	info->compression = MW_COMP_NONE;
	info->page_size = KCORE_PAGE_SIZE;
	info->excluded_pages = mw_extent_map_count_pages(&p->phys, KCORE_PAGE_SIZE,
							 MW_EXTENT_EXCLUDED);
	info->incomplete = mw_extent_map_count_pages(&p->phys, KCORE_PAGE_SIZE,
						     MW_EXTENT_MISSING) > 0;
	strcpy(info->utsname_machine, "x86_64");
	/* kcore's one PRSTATUS note is a placeholder, not a CPU */
	info->nr_cpus = 0;
	if (is_proc_kcore(r->path)) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		if (cpus > 0)
			info->nr_cpus = (unsigned)cpus;
	}
	struct stat st;
	if (fstat(r->fd, &st) == 0)
		info->file_size = (uint64_t)st.st_size;

out:
	free(phys);
	free(virt);
	mw_elf_core_deinit(&core);
	if (!err)
		return NULL;
out_priv:
	kcore_close(r);
	return err;
}

static struct mw_error *kcore_read_phys(struct mw_reader *r, uint64_t paddr,
					void *buf, size_t len)
{
	struct kcore_priv *p = r->priv;
	return mw_extent_map_read(&p->phys, r->src, &phys_errors, paddr, buf,
				  len);
}

static struct mw_error *kcore_read_segment(struct mw_reader *r,
					   uint64_t vaddr, void *buf,
					   size_t len)
{
	struct kcore_priv *p = r->priv;
	if (len && vaddr + len < vaddr)
		return mw_error_at(MW_ERR_NOT_MAPPED, vaddr,
				   "read wraps around");
	return mw_extent_map_read(&p->virt, r->src, &virt_errors, vaddr, buf,
				  len);
}

static enum mw_page_state kcore_page_state(struct mw_reader *r, uint64_t pfn)
{
	struct kcore_priv *p = r->priv;
	return mw_extent_map_page_state(&p->phys, pfn, KCORE_PAGE_SIZE);
}

const struct mw_format_ops mw_format_kcore = {
	.name = "kcore",
	.probe = kcore_probe,
	.open = kcore_open,
	.read_phys = kcore_read_phys,
	.page_state = kcore_page_state,
	.read_segment = kcore_read_segment,
	.close = kcore_close,
};
