/* memwhere: small libelf helpers for the type and symbol backends. */
#ifndef MW_ELF_UTIL_H
#define MW_ELF_UTIL_H

#include <gelf.h>
#include <libelf.h>

#include "common/error.h"

/* Open path read-only and begin ELF on it (mmap'd). On error *fd is -1. */
struct mw_error *mw_elf_open(const char *path, int *fd, Elf **elf);
void mw_elf_close(int fd, Elf *elf);
/* The section called name, or NULL. */
Elf_Scn *mw_elf_section(Elf *elf, const char *name, GElf_Shdr *shdr);
/* The section's bytes (decompressed if SHF_COMPRESSED). */
struct mw_error *mw_elf_section_data(const char *path, Elf_Scn *scn,
				     const GElf_Shdr *shdr, Elf_Data **ret);
/*
 * The kernel release from a vmlinux's linux_banner ("Linux version R ..."),
 * malloc'd in *ret; *ret = NULL if the file has none. Errors only for
 * allocation failure.
 */
struct mw_error *mw_elf_kernel_release(Elf *elf, char **ret);
/* The file's GNU build ID (NT_GNU_BUILD_ID) as lowercase hex in *ret
 * (malloc'd), or *ret NULL if it has none. */
struct mw_error *mw_elf_build_id(Elf *elf, char **ret);

#endif
