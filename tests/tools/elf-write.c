/* mw-convert: writing an ELF core like QEMU's dump-guest-memory without
 * paging: ELF64 little-endian ET_CORE, one PT_NOTE with the source's notes,
 * then one PT_LOAD per run of dumped memory with p_paddr set and p_vaddr 0.
 * Pages left out (excluded in the source, by option, or zero pages with
 * --exclude-zero) end a run, so they are simply absent from the file.
 * More than 65534 program headers use the PN_XNUM escape (the count in
 * section header 0's sh_info).
 */
#include "config.h"

#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/arch.h"
#include "tests/tools/convert.h"

enum {
	EHDR_SIZE = 64,
	PHDR_SIZE = 56,
	SHDR_SIZE = 64,
	WBUF_SIZE = 1 << 20,
};

static struct mw_error *elf_machine(const char *machine, uint16_t *ret)
{
	static const struct {
		const char *name;
		uint16_t em;
	} machines[] = {
		{ "x86_64", EM_X86_64 },
		{ "aarch64", EM_AARCH64 },
		{ "ppc64le", EM_PPC64 },
		{ "riscv64", EM_RISCV },
		{ "loongarch64", 258 /* EM_LOONGARCH */ },
	};
	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		if (strcmp(machine, machines[i].name) == 0) {
			*ret = machines[i].em;
			return NULL;
		}
	}
	return mw_error_create(MW_ERR_UNSUPPORTED,
			       "cannot write an ELF core for machine '%s' (64-bit little-endian only)",
			       machine);
}

/* A run of dumped pages, clipped to one source range. */
struct run_iter {
	const struct mw_conv *cv;
	size_t range;
	uint64_t pfn;		/* next pfn to look at */
	uint64_t prev_end;	/* ranges may share a partial page */
};

static void run_iter_init(struct run_iter *it, const struct mw_conv *cv)
{
	memset(it, 0, sizeof(*it));
	it->cv = cv;
	if (cv->info->nr_ranges)
		it->pfn = cv->info->ranges[0].start >> cv->page_shift;
}

/* Next segment [*start, *end) in physical bytes; false at the end. */
static bool run_iter_next(struct run_iter *it, uint64_t *start, uint64_t *end)
{
	const struct mw_conv *cv = it->cv;
	const struct mw_dump_info *info = cv->info;
	while (it->range < info->nr_ranges) {
		const struct mw_phys_range *rg = &info->ranges[it->range];
		uint64_t first = rg->start >> cv->page_shift;
		uint64_t last = ((rg->end - 1) >> cv->page_shift) + 1;
		if (first < it->prev_end)
			first = it->prev_end;
		if (it->pfn < first)
			it->pfn = first;
		while (it->pfn < last && !mw_conv_is_dumped(cv, it->pfn))
			it->pfn++;
		if (it->pfn >= last) {
			it->prev_end = last;
			it->range++;
			continue;
		}
		uint64_t s = it->pfn;
		while (it->pfn < last && mw_conv_is_dumped(cv, it->pfn))
			it->pfn++;
		uint64_t a = s << cv->page_shift, b = it->pfn << cv->page_shift;
		*start = a > rg->start ? a : rg->start;
		*end = b < rg->end ? b : rg->end;
		return true;
	}
	return false;
}

static void put_phdr(uint8_t *p, uint32_t type, uint32_t flags,
		     uint64_t offset, uint64_t vaddr, uint64_t paddr, uint64_t size)
{
	mw_put_le32(p + 0, type);
	mw_put_le32(p + 4, flags);
	mw_put_le64(p + 8, offset);
	mw_put_le64(p + 16, vaddr);	/* 0: physical only */
	mw_put_le64(p + 24, paddr);
	mw_put_le64(p + 32, size);	/* p_filesz */
	mw_put_le64(p + 40, size);	/* p_memsz */
	mw_put_le64(p + 48, 0);		/* p_align */
}

struct mw_error *mw_elf_write(struct mw_conv *cv, struct mw_sink *sink)
{
	const struct mw_dump_info *info = cv->info;
	uint16_t em = 0;
	struct mw_error *err = elf_machine(info->utsname_machine, &em);
	if (err) {
		/* QEMU's arm64 kdump names no machine ("Unknown"): the one
		 * memwhere reads from the dump (its VMCOREINFO) */
		struct mw_error *err2 = elf_machine(mw_arch_select(info)->machine, &em);
		if (err2) {
			mw_error_destroy(err2);
			return err;
		}
		mw_error_destroy(err);
	}

	uint8_t *notes = NULL;
	size_t notes_len, vi_off, vi_len;
	err = mw_conv_build_notes(info, &notes, &notes_len, &vi_off, &vi_len);
	if (err)
		return err;

	struct run_iter it;
	uint64_t start, end, nr_loads = 0;
	run_iter_init(&it, cv);
	while (run_iter_next(&it, &start, &end))
		nr_loads++;
	uint64_t phnum = nr_loads + 1;
	if (phnum > UINT32_MAX) {
		free(notes);
		return mw_error_create(MW_ERR_LIMIT, "too many segments: %" PRIu64,
				       phnum);
	}
	bool xnum = phnum >= PN_XNUM;
	cv->stats.segments = nr_loads;

	uint64_t phoff = EHDR_SIZE;
	uint64_t shoff = xnum ? phoff + phnum * PHDR_SIZE : 0;
	uint64_t notes_off = phoff + phnum * PHDR_SIZE + (xnum ? SHDR_SIZE : 0);
	uint64_t ps = cv->page_size;
	uint64_t data_off = (notes_off + notes_len + ps - 1) / ps * ps;

	struct mw_wbuf w;
	err = mw_wbuf_init(&w, sink, 0, WBUF_SIZE);
	if (err) {
		free(notes);
		return err;
	}

	uint8_t eh[EHDR_SIZE];
	memset(eh, 0, sizeof(eh));
	memcpy(eh, ELFMAG, SELFMAG);
	eh[EI_CLASS] = ELFCLASS64;
	eh[EI_DATA] = ELFDATA2LSB;
	eh[EI_VERSION] = EV_CURRENT;
	eh[EI_OSABI] = ELFOSABI_NONE;
	mw_put_le16(eh + 16, ET_CORE);
	mw_put_le16(eh + 18, em);
	mw_put_le32(eh + 20, EV_CURRENT);
	mw_put_le64(eh + 24, 0);		/* e_entry */
	mw_put_le64(eh + 32, phoff);
	mw_put_le64(eh + 40, shoff);
	mw_put_le32(eh + 48, 0);		/* e_flags */
	mw_put_le16(eh + 52, EHDR_SIZE);
	mw_put_le16(eh + 54, PHDR_SIZE);
	mw_put_le16(eh + 56, xnum ? PN_XNUM : (uint16_t)phnum);
	mw_put_le16(eh + 58, xnum ? SHDR_SIZE : 0);
	mw_put_le16(eh + 60, xnum ? 1 : 0);	/* e_shnum */
	mw_put_le16(eh + 62, SHN_UNDEF);	/* e_shstrndx */
	err = mw_wbuf_append(&w, eh, sizeof(eh));

	uint8_t ph[PHDR_SIZE];
	put_phdr(ph, PT_NOTE, 0, notes_off, 0, 0, notes_len);
	if (!err)
		err = mw_wbuf_append(&w, ph, sizeof(ph));
	uint64_t off = data_off;
	run_iter_init(&it, cv);
	while (!err && run_iter_next(&it, &start, &end)) {
		put_phdr(ph, PT_LOAD, PF_R | PF_W | PF_X, off,
			 cv->opt->direct_map ? cv->opt->direct_map + start : 0,
			 start, end - start);
		err = mw_wbuf_append(&w, ph, sizeof(ph));
		off += end - start;
	}
	if (!err && xnum) {
		uint8_t sh[SHDR_SIZE];
		memset(sh, 0, sizeof(sh));
		mw_put_le32(sh + 44, (uint32_t)phnum);	/* sh_info */
		err = mw_wbuf_append(&w, sh, sizeof(sh));
	}
	if (!err)
		err = mw_wbuf_append(&w, notes, notes_len);
	/* pad to the page-aligned memory */
	while (!err && mw_wbuf_pos(&w) < data_off) {
		static const uint8_t zeros[256];
		uint64_t n = data_off - mw_wbuf_pos(&w);
		err = mw_wbuf_append(&w, zeros, n < sizeof(zeros) ? (size_t)n : sizeof(zeros));
	}
	free(notes);

	/* the memory, a page at a time */
	bool sparse = cv->opt->sparse && !cv->opt->flatten, holes = false;
	run_iter_init(&it, cv);
	while (!err && run_iter_next(&it, &start, &end)) {
		for (uint64_t pa = start; !err && pa < end;) {
			uint64_t pfn = pa >> cv->page_shift;
			uint64_t page_end = (pfn + 1) << cv->page_shift;
			uint64_t e = page_end < end ? page_end : end;
			err = mw_conv_read_page(cv, pfn, cv->page);
			size_t n = (size_t)(e - pa);
			const uint8_t *p = cv->page + (pa - (pfn << cv->page_shift));
			if (!err && sparse && mw_page_is_zero(p, n)) {
				/* a hole: flush what came before, skip the page */
				err = mw_wbuf_flush(&w);
				w.off += n;
				holes = true;
			} else if (!err) {
				err = mw_wbuf_append(&w, p, n);
			}
			pa = e;
		}
	}
	if (!err)
		err = mw_wbuf_flush(&w);
	/* the file still ends where the memory does */
	if (!err && holes && w.off > 0) {
		static const uint8_t z;
		err = mw_sink_pwrite(sink, w.off - 1, &z, 1);
	}
	mw_wbuf_deinit(&w);
	return err;
}
