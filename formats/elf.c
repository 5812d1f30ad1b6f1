/* memwhere: ELF vmcores (kexec /proc/vmcore, QEMU dump-guest-memory).
 *
 * What the program headers mean here:
 *  - QEMU without paging: one PT_LOAD per guest RAM block, p_paddr physical,
 *    p_vaddr 0 (older QEMU) or equal to p_paddr (QEMU 7.2).
 *  - QEMU with paging (-p): one PT_LOAD per run of the guest's page tables,
 *    p_vaddr virtual, p_paddr physical; several segments may point at the
 *    same physical memory and the same file bytes. Mappings of non-RAM
 *    (MMIO) have p_filesz < p_memsz, possibly 0 with p_offset -1: QEMU
 *    dumps (recognised by their "QEMU" notes) read nothing there, and those
 *    addresses are holes.
 *  - kexec /proc/vmcore (and files copied from it or written by
 *    makedumpfile -E): a kernel text segment (p_vaddr in the kernel image,
 *    p_paddr physical) whose memory a RAM segment covers too, and one
 *    segment per RAM range with direct-map p_vaddr.
 *
 * Bytes of a segment between p_filesz and p_memsz are RAM the dump left
 * out: page_state says MW_PAGE_EXCLUDED, reads fail with
 * MW_ERR_NOT_IN_DUMP and info.excluded_pages counts them. The ELF
 * specification would read them as zeros (and crash does), but the only
 * vmcore producer that writes such tails is makedumpfile -E, for the pages
 * its dump level filtered out (free, cache, user, zero pages): as in the
 * kdump-compressed file the same makedumpfile run writes, they are left
 * out, not zero; libkdumpfile reads them as "Page not found" too. A kexec
 * /proc/vmcore itself always has p_filesz == p_memsz. (QEMU dumps are the
 * exception above: their tails are not RAM at all.)
 *
 * A segment whose file bytes lie past the end of the file (a truncated
 * vmcore) keeps what the file has; the rest is RAM the dump left out:
 * page_state says MW_PAGE_EXCLUDED, reads fail with MW_ERR_NOT_IN_DUMP,
 * info.excluded_pages counts it and info.incomplete is set.
 *
 * Physical reads go through a sorted extent table built at open (see
 * elf-extents.h); virtual reads (read_segment) through a second one.
 * Small physical reads (struct fields, page tables, list walks) read and
 * keep the whole page in a small page cache: a walk of a socket list or a
 * cgroup tree reads many fields of one page, and one pread per field was
 * most of the time of a command on a small dump. Large reads (the struct
 * page array) bypass it.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/elf-core.h"
#include "formats/elf-extents.h"
#include "formats/format.h"
#include "formats/page-cache.h"

enum {
	ELF_PAGE_SIZE = 4096,
	ELF_CACHE_PAGES = 512,		/* 2 MiB */
	ELF_SMALL_READ = 1024,		/* reads up to this go through the cache */
};

struct elf_priv {
	struct mw_extent_map phys;
	struct mw_extent_map virt;	/* empty without virtual addresses */
	struct mw_page_cache *cache;
};

static const struct mw_extent_read_errors phys_errors = {
	.unmapped = MW_ERR_HOLE, .space = "physical",
};
static const struct mw_extent_read_errors virt_errors = {
	.unmapped = MW_ERR_NOT_MAPPED, .space = "virtual",
};

static bool elf_probe(const uint8_t *head, size_t len, const char *path)
{
	/* Any ELF: open() says clearly why a non-core or non-x86-64 one
	 * is refused. */
	return mw_elf_probe_magic(head, len);
}

static int segment_cmp(const void *a, const void *b)
{
	const struct mw_virt_segment *x = a, *y = b;
	if (x->vaddr != y->vaddr)
		return x->vaddr < y->vaddr ? -1 : 1;
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

static void elf_close(struct mw_reader *r)
{
	struct elf_priv *p = r->priv;
	if (!p)
		return;
	mw_extent_map_deinit(&p->phys);
	mw_extent_map_deinit(&p->virt);
	mw_page_cache_destroy(p->cache);
	free(p);
	r->priv = NULL;
}

static struct mw_error *elf_open(struct mw_reader *r)
{
	struct mw_dump_info *info = &r->info;
	struct mw_elf_core core;
	struct mw_extent_piece *phys = NULL, *virt = NULL;
	struct mw_error *err;
	bool has_qemu;

	struct elf_priv *p = calloc(1, sizeof(*p));
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
	bool has_virtual = false;
	for (size_t i = 0; i < core.nr_phdrs; i++) {
		const Elf64_Phdr *ph = &core.phdrs[i];
		if (ph->p_type != PT_LOAD)
			continue;
		nr_loads++;
		if (ph->p_vaddr != 0 && ph->p_vaddr != ph->p_paddr)
			has_virtual = true;
	}
	if (nr_loads == 0) {
		err = mw_error_at_offset(MW_ERR_FORMAT, core.phoff,
					 "no PT_LOAD program header: the dump holds no memory");
		goto out;
	}

	/* up to 3 pieces per segment: file bytes, missing bytes, zero tail */
	phys = calloc(nr_loads * 3, sizeof(*phys));
	if (has_virtual) {
		virt = calloc(nr_loads * 3, sizeof(*virt));
		info->segments = calloc(nr_loads, sizeof(*info->segments));
	}
	if (!phys || (has_virtual && (!virt || !info->segments))) {
		err = &mw_error_nomem;
		goto out;
	}
	size_t nr_phys = 0, nr_virt = 0;
	for (size_t i = 0; i < core.nr_phdrs; i++) {
		const Elf64_Phdr *ph = &core.phdrs[i];
		size_t n;
		if (ph->p_type != PT_LOAD)
			continue;
		/* p_paddr -1: no physical address (as in kcore) */
		if (ph->p_paddr != UINT64_MAX) {
			err = mw_elf_load_pieces(&core, i, ph->p_paddr, !has_qemu,
						 phys + nr_phys, &n);
			if (err)
				goto out;
			nr_phys += n;
		}
		if (has_virtual) {
			err = mw_elf_load_pieces(&core, i, ph->p_vaddr, !has_qemu,
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
	}
	if (info->nr_segments)
		qsort(info->segments, info->nr_segments,
		      sizeof(*info->segments), segment_cmp);

	err = mw_extent_map_build(phys, nr_phys, &p->phys);
	if (!err)
		err = mw_extent_map_build(virt, nr_virt, &p->virt);
	if (!err)
		err = mw_extent_map_ranges(&p->phys, info);
	if (err)
		goto out;

	err = mw_page_cache_create(ELF_PAGE_SIZE, ELF_CACHE_PAGES, &p->cache);
	if (err)
		goto out;

	info->format = MW_FORMAT_ELF;
	info->compression = MW_COMP_NONE;
	info->page_size = ELF_PAGE_SIZE;
	info->excluded_pages = mw_extent_map_count_pages(&p->phys, ELF_PAGE_SIZE,
							 MW_EXTENT_EXCLUDED);
	info->cut_pages = mw_extent_map_count_pages(&p->phys, ELF_PAGE_SIZE, MW_EXTENT_MISSING);
	info->incomplete = info->cut_pages > 0;
	strcpy(info->utsname_machine, core.machine == EM_AARCH64 ? "aarch64" : "x86_64");
	struct stat st;
	if (fstat(r->fd, &st) == 0)
		info->file_size = (uint64_t)st.st_size;
	if (info->cut_pages && info->file_size) {
		/* the segments' bytes past the end of the file */
		uint64_t missing = 0;
		for (size_t i = 0; i < p->phys.nr; i++)
			if (p->phys.ext[i].kind == MW_EXTENT_MISSING)
				missing += p->phys.ext[i].end - p->phys.ext[i].start;
		info->expected_size = info->file_size + missing;
	}

out:
	free(phys);
	free(virt);
	mw_elf_core_deinit(&core);
	if (!err)
		return NULL;
out_priv:
	elf_close(r);
	return err;
}

/*
 * Part of one page through the cache. Only pages whose every byte is in the
 * file are cached; false sends the caller to a direct read, which reports
 * holes and left-out bytes exactly as before.
 */
static bool elf_read_cached(struct mw_reader *r, uint64_t paddr, void *buf,
			    size_t len)
{
	struct elf_priv *p = r->priv;
	uint64_t pfn = paddr / ELF_PAGE_SIZE;
	size_t off = (size_t)(paddr % ELF_PAGE_SIZE);
	if (mw_page_cache_read(p->cache, pfn, off, len, buf))
		return true;
	if (mw_extent_map_page_state(&p->phys, pfn, ELF_PAGE_SIZE) != MW_PAGE_PRESENT)
		return false;
	_Alignas(64) uint8_t page[ELF_PAGE_SIZE];
	struct mw_error *err = mw_extent_map_read(&p->phys, r->src, &phys_errors,
						  pfn * ELF_PAGE_SIZE, page,
						  sizeof(page));
	if (err) {
		mw_error_destroy(err);
		return false;
	}
	mw_page_cache_put(p->cache, pfn, page);
	memcpy(buf, page + off, len);
	return true;
}

static struct mw_error *elf_read_phys(struct mw_reader *r, uint64_t paddr,
				      void *buf, size_t len)
{
	struct elf_priv *p = r->priv;
	if (p->cache && len <= ELF_SMALL_READ) {
		uint8_t *dst = buf;
		uint64_t a = paddr;
		size_t left = len;
		while (left) {
			size_t n = ELF_PAGE_SIZE - (size_t)(a % ELF_PAGE_SIZE);
			if (n > left)
				n = left;
			if (!elf_read_cached(r, a, dst, n))
				break;
			a += n;
			dst += n;
			left -= n;
		}
		if (!left)
			return NULL;
		/* the rest (or all) directly, for its exact error */
		return mw_extent_map_read(&p->phys, r->src, &phys_errors, a, dst,
					  left);
	}
	return mw_extent_map_read(&p->phys, r->src, &phys_errors, paddr, buf,
				  len);
}

static struct mw_error *elf_read_segment(struct mw_reader *r, uint64_t vaddr,
					 void *buf, size_t len)
{
	struct elf_priv *p = r->priv;
	if (!p->virt.nr)
		return mw_error_at(MW_ERR_NOT_MAPPED, vaddr,
				   "this ELF dump has physical addresses only (QEMU dump without paging)");
	if (len && vaddr + len < vaddr)
		return mw_error_at(MW_ERR_NOT_MAPPED, vaddr,
				   "read wraps around");
	return mw_extent_map_read(&p->virt, r->src, &virt_errors, vaddr, buf,
				  len);
}

static enum mw_page_state elf_page_state(struct mw_reader *r, uint64_t pfn)
{
	struct elf_priv *p = r->priv;
	return mw_extent_map_page_state(&p->phys, pfn, ELF_PAGE_SIZE);
}

const struct mw_format_ops mw_format_elf = {
	.name = "elf",
	.probe = elf_probe,
	.open = elf_open,
	.read_phys = elf_read_phys,
	.page_state = elf_page_state,
	.read_segment = elf_read_segment,
	.close = elf_close,
};
