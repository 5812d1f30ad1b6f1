/* memwhere: the ELF core container shared by the ELF vmcore and /proc/kcore
 * readers: header and program header validation, notes, and the memory
 * pieces each PT_LOAD contributes.
 */
#ifndef MW_ELF_CORE_H
#define MW_ELF_CORE_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "formats/elf-extents.h"
#include "formats/format.h"

enum {
	/* More program headers than this is not a dump we believe in
	 * (QEMU paging dumps of our 512 MiB guests have about a thousand;
	 * the bound keeps memory for the tables under ~300 MiB). */
	MW_ELF_MAX_PHDRS = 1 << 20,
	/* All PT_NOTE segments together. */
	MW_ELF_MAX_NOTES_BYTES = 64 << 20,
};

struct mw_elf_core {
	const char *path;
	uint64_t size;		/* logical size of the source; 0 = unknown */
	uint16_t machine;
	uint64_t phoff;
	Elf64_Phdr *phdrs;	/* host byte order */
	size_t nr_phdrs;
};

/* Does head start like an ELF file (magic only)? */
bool mw_elf_probe_magic(const uint8_t *head, size_t len);

/*
 * Read and check the ELF header and program headers through src: ELF64,
 * little-endian, ET_CORE, x86-64 or aarch64 (anything else is refused with a message
 * saying what it is), e_phnum including the PN_XNUM extension, every header
 * inside the file.
 */
struct mw_error *mw_elf_core_open(struct mw_source *src,
				  struct mw_elf_core *core);
void mw_elf_core_deinit(struct mw_elf_core *core);

/* File offset of program header i (for messages). */
static inline uint64_t mw_elf_phdr_offset(const struct mw_elf_core *core,
					  size_t i)
{
	return core->phoff + (uint64_t)i * sizeof(Elf64_Phdr);
}

/*
 * Read every PT_NOTE segment, check each note's sizes against its own
 * segment (errors name the file offset), and hand the concatenation to
 * mw_notes_parse(). *has_qemu is set if QEMU's per-CPU notes are present.
 */
struct mw_error *mw_elf_core_load_notes(struct mw_reader *r,
					const struct mw_elf_core *core,
					bool *has_qemu);

/*
 * Check PT_LOAD i: address and offset arithmetic must not wrap, p_filesz
 * must not exceed p_memsz. Fills the file-backed part and the tail of the
 * segment at address base (p_paddr or p_vaddr) as pieces:
 *   [base, base + filesz)          MW_EXTENT_FILE, or MW_EXTENT_MISSING
 *                                  for the part past the end of the file
 *   [base + filesz, base + memsz)  MW_EXTENT_EXCLUDED if tail_excluded,
 *                                  else nothing (not memory)
 * Returns the number of pieces written (at most 3) in *nr.
 */
struct mw_error *mw_elf_load_pieces(const struct mw_elf_core *core, size_t i,
				    uint64_t base, bool tail_excluded,
				    struct mw_extent_piece out[3], size_t *nr);

#endif
