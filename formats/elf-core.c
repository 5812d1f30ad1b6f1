/* memwhere: ELF core container parsing (see elf-core.h). */
#include "config.h"

#include <endian.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "formats/elf-core.h"

bool mw_elf_probe_magic(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

static const char *elf_type_name(uint16_t type)
{
	switch (type) {
	case ET_NONE: return "no file type";
	case ET_REL: return "a relocatable object";
	case ET_EXEC: return "an executable";
	case ET_DYN: return "a shared object or PIE executable";
	default: return "not a core file";
	}
}

static const char *elf_machine_name(uint16_t machine)
{
	switch (machine) {
	case EM_386: return "i386";
	case EM_ARM: return "arm";
	case EM_AARCH64: return "aarch64";
	case EM_PPC64: return "ppc64";
	case EM_S390: return "s390x";
	case EM_RISCV: return "riscv";
	case EM_LOONGARCH: return "loongarch";
	default: return "unknown";
	}
}

static void phdr_from_le(Elf64_Phdr *ph)
{
	ph->p_type = le32toh(ph->p_type);
	ph->p_flags = le32toh(ph->p_flags);
	ph->p_offset = le64toh(ph->p_offset);
	ph->p_vaddr = le64toh(ph->p_vaddr);
	ph->p_paddr = le64toh(ph->p_paddr);
	ph->p_filesz = le64toh(ph->p_filesz);
	ph->p_memsz = le64toh(ph->p_memsz);
	ph->p_align = le64toh(ph->p_align);
}

/* Is [offset, offset + len) inside the source (when its size is known)? */
static bool in_file(const struct mw_elf_core *core, uint64_t offset,
		    uint64_t len)
{
	if (!core->size)
		return true;
	return offset <= core->size && len <= core->size - offset;
}

/* The real program header count when e_phnum is PN_XNUM: section header
 * 0's sh_info. */
static struct mw_error *phnum_extended(struct mw_source *src,
				       struct mw_elf_core *core,
				       const Elf64_Ehdr *eh, size_t *ret)
{
	uint64_t shoff = le64toh(eh->e_shoff);
	uint16_t shentsize = le16toh(eh->e_shentsize);
	if (shoff == 0)
		return mw_error_at_offset(MW_ERR_FORMAT,
					  offsetof(Elf64_Ehdr, e_shoff),
					  "e_phnum is PN_XNUM but there is no section header to hold the count");
	if (shentsize < sizeof(Elf64_Shdr))
		return mw_error_at_offset(MW_ERR_FORMAT,
					  offsetof(Elf64_Ehdr, e_shentsize),
					  "e_shentsize %u is smaller than a section header",
					  shentsize);
	if (!in_file(core, shoff, sizeof(Elf64_Shdr)))
		return mw_error_at_offset(MW_ERR_FORMAT, shoff,
					  "section header 0 (program header count) is past the end of the file");
	Elf64_Shdr sh;
	struct mw_error *err = mw_source_pread(src, shoff, &sh, sizeof(sh));
	if (err)
		return err;
	*ret = le32toh(sh.sh_info);
	return NULL;
}

struct mw_error *mw_elf_core_open(struct mw_source *src,
				  struct mw_elf_core *core)
{
	struct mw_error *err;
	Elf64_Ehdr eh;

	memset(core, 0, sizeof(*core));
	core->path = src->path;
	core->size = src->size;
	if (core->size && core->size < sizeof(eh))
		return mw_error_at_offset(MW_ERR_FORMAT, 0,
					  "file too short for an ELF header (%" PRIu64 " bytes)",
					  core->size);
	err = mw_source_pread(src, 0, &eh, sizeof(eh));
	if (err)
		return err;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return mw_error_at_offset(MW_ERR_FORMAT, 0, "not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64)
		return mw_error_at_offset(MW_ERR_UNSUPPORTED, EI_CLASS,
					  "ELF class %u is not ELF64: memwhere reads x86-64 and arm64 dumps only",
					  eh.e_ident[EI_CLASS]);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return mw_error_at_offset(MW_ERR_UNSUPPORTED, EI_DATA,
					  "ELF data encoding %u is not little-endian: memwhere reads x86-64 and arm64 dumps only",
					  eh.e_ident[EI_DATA]);
	uint16_t type = le16toh(eh.e_type);
	if (type != ET_CORE)
		return mw_error_at_offset(MW_ERR_UNSUPPORTED,
					  offsetof(Elf64_Ehdr, e_type),
					  "ELF type %u is %s, not a core dump",
					  type, elf_type_name(type));
	core->machine = le16toh(eh.e_machine);
	if (core->machine != EM_X86_64 && core->machine != EM_AARCH64)
		return mw_error_at_offset(MW_ERR_UNSUPPORTED,
					  offsetof(Elf64_Ehdr, e_machine),
					  "ELF core of machine %u (%s): memwhere reads x86-64 and arm64 dumps only",
					  core->machine,
					  elf_machine_name(core->machine));

	uint16_t phentsize = le16toh(eh.e_phentsize);
	core->phoff = le64toh(eh.e_phoff);
	size_t phnum = le16toh(eh.e_phnum);
	if (phnum == PN_XNUM) {
		err = phnum_extended(src, core, &eh, &phnum);
		if (err)
			return err;
	}
	if (phnum == 0 || core->phoff == 0)
		return mw_error_at_offset(MW_ERR_FORMAT,
					  offsetof(Elf64_Ehdr, e_phoff),
					  "ELF core without program headers");
	if (phentsize != sizeof(Elf64_Phdr))
		return mw_error_at_offset(MW_ERR_FORMAT,
					  offsetof(Elf64_Ehdr, e_phentsize),
					  "e_phentsize is %u, not %zu",
					  phentsize, sizeof(Elf64_Phdr));
	if (phnum > MW_ELF_MAX_PHDRS)
		return mw_error_at_offset(MW_ERR_LIMIT,
					  offsetof(Elf64_Ehdr, e_phnum),
					  "%zu program headers (more than %d)",
					  phnum, MW_ELF_MAX_PHDRS);
	uint64_t phbytes = (uint64_t)phnum * sizeof(Elf64_Phdr);
	if (core->phoff > UINT64_MAX - phbytes || !in_file(core, core->phoff, phbytes))
		return mw_error_at_offset(MW_ERR_FORMAT, core->phoff,
					  "%zu program headers run past the end of the file (size %" PRIu64 ")",
					  phnum, core->size);
	core->phdrs = malloc((size_t)phbytes);
	if (!core->phdrs)
		return &mw_error_nomem;
	err = mw_source_pread(src, core->phoff, core->phdrs, (size_t)phbytes);
	if (err) {
		mw_elf_core_deinit(core);
		return err;
	}
	core->nr_phdrs = phnum;
	for (size_t i = 0; i < phnum; i++)
		phdr_from_le(&core->phdrs[i]);
	return NULL;
}

void mw_elf_core_deinit(struct mw_elf_core *core)
{
	free(core->phdrs);
	core->phdrs = NULL;
	core->nr_phdrs = 0;
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Walk the notes of one PT_NOTE segment; *used is where they end (at an
 * all-zero header, or the end of the segment).
 */
static struct mw_error *check_notes(const uint8_t *buf, size_t len,
				    uint64_t file_offset, size_t *used,
				    bool *has_qemu)
{
	size_t off = 0;
	while (len - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		memcpy(&nh, buf + off, sizeof(nh));
		uint32_t namesz = le32toh(nh.n_namesz);
		uint32_t descsz = le32toh(nh.n_descsz);
		if (namesz == 0 && descsz == 0 && nh.n_type == 0)
			break;
		size_t name_off = off + sizeof(nh);
		if (namesz > len - name_off)
			return mw_error_at_offset(MW_ERR_FORMAT, file_offset + off,
						  "ELF note name size %" PRIu32 " runs past its PT_NOTE segment",
						  namesz);
		size_t desc_off = name_off + align4(namesz);
		if (desc_off > len || descsz > len - desc_off)
			return mw_error_at_offset(MW_ERR_FORMAT, file_offset + off,
						  "ELF note descriptor size %" PRIu32 " runs past its PT_NOTE segment",
						  descsz);
		if (namesz >= 4 && memcmp(buf + name_off, "QEMU", 4) == 0 &&
		    (namesz == 4 || buf[name_off + 4] == '\0'))
			*has_qemu = true;
		off = desc_off + align4(descsz);
		if (off >= len) {
			off = len;
			break;
		}
	}
	*used = off;
	return NULL;
}

struct mw_error *mw_elf_core_load_notes(struct mw_reader *r,
					const struct mw_elf_core *core,
					bool *has_qemu)
{
	struct mw_error *err;
	uint64_t total = 0;
	uint64_t first_offset = 0;
	size_t nr = 0;

	*has_qemu = false;
	for (size_t i = 0; i < core->nr_phdrs; i++) {
		const Elf64_Phdr *ph = &core->phdrs[i];
		if (ph->p_type != PT_NOTE || ph->p_filesz == 0)
			continue;
		if (ph->p_offset > UINT64_MAX - ph->p_filesz ||
		    !in_file(core, ph->p_offset, ph->p_filesz))
			return mw_error_at_offset(MW_ERR_FORMAT,
						  mw_elf_phdr_offset(core, i),
						  "PT_NOTE segment (file offset %" PRIu64 ", %" PRIu64 " bytes) runs past the end of the file (size %" PRIu64 ")",
						  ph->p_offset, ph->p_filesz,
						  core->size);
		if (ph->p_filesz > MW_ELF_MAX_NOTES_BYTES - total)
			return mw_error_at_offset(MW_ERR_LIMIT,
						  mw_elf_phdr_offset(core, i),
						  "ELF notes larger than %d bytes",
						  MW_ELF_MAX_NOTES_BYTES);
		/* each segment padded to 4 bytes when concatenated */
		total += align4((size_t)ph->p_filesz);
		if (!nr++)
			first_offset = ph->p_offset;
	}
	if (total == 0)
		return NULL;

	uint8_t *all = calloc(1, (size_t)total);
	uint8_t *seg = NULL;
	if (!all)
		return &mw_error_nomem;
	size_t len = 0;
	for (size_t i = 0; i < core->nr_phdrs; i++) {
		const Elf64_Phdr *ph = &core->phdrs[i];
		if (ph->p_type != PT_NOTE || ph->p_filesz == 0)
			continue;
		size_t n = (size_t)ph->p_filesz, used = 0;
		free(seg);
		seg = malloc(n);
		if (!seg) {
			err = &mw_error_nomem;
			goto fail;
		}
		err = mw_source_pread(r->src, ph->p_offset, seg, n);
		if (!err)
			err = check_notes(seg, n, ph->p_offset, &used, has_qemu);
		if (err)
			goto fail;
		memcpy(all + len, seg, used);
		len += align4(used);
	}
	free(seg);
	/* Only the first segment's offsets are file offsets; the others were
	 * checked above against their own offsets. */
	return mw_notes_parse(r, all, len, nr == 1 ? first_offset : 0);

fail:
	free(seg);
	free(all);
	return err;
}

struct mw_error *mw_elf_load_pieces(const struct mw_elf_core *core, size_t i,
				    uint64_t base, bool tail_excluded,
				    struct mw_extent_piece out[3], size_t *nr)
{
	const Elf64_Phdr *ph = &core->phdrs[i];
	uint64_t where = mw_elf_phdr_offset(core, i);
	*nr = 0;
	if (ph->p_filesz > ph->p_memsz)
		return mw_error_at_offset(MW_ERR_FORMAT, where,
					  "PT_LOAD p_filesz 0x%" PRIx64 " is larger than p_memsz 0x%" PRIx64,
					  ph->p_filesz, ph->p_memsz);
	if (ph->p_memsz > UINT64_MAX - base)
		return mw_error_at_offset(MW_ERR_FORMAT, where,
					  "PT_LOAD at 0x%" PRIx64 " of 0x%" PRIx64 " bytes wraps around the address space",
					  base, ph->p_memsz);
	if (ph->p_filesz && ph->p_offset > UINT64_MAX - ph->p_filesz)
		return mw_error_at_offset(MW_ERR_FORMAT, where,
					  "PT_LOAD file offset 0x%" PRIx64 " + 0x%" PRIx64 " bytes wraps around",
					  ph->p_offset, ph->p_filesz);
	struct mw_extent_piece proto = {
		.seg_size = ph->p_memsz,
		.order = (uint32_t)i,
	};
	if (ph->p_filesz) {
		uint64_t avail = ph->p_filesz;
		if (core->size && !in_file(core, ph->p_offset, ph->p_filesz))
			avail = ph->p_offset < core->size ?
				core->size - ph->p_offset : 0;
		if (avail) {
			out[*nr] = proto;
			out[*nr].start = base;
			out[*nr].end = base + avail;
			out[*nr].offset = ph->p_offset;
			out[*nr].kind = MW_EXTENT_FILE;
			(*nr)++;
		}
		if (avail < ph->p_filesz) {
			out[*nr] = proto;
			out[*nr].start = base + avail;
			out[*nr].end = base + ph->p_filesz;
			out[*nr].kind = MW_EXTENT_MISSING;
			(*nr)++;
		}
	}
	if (tail_excluded && ph->p_memsz > ph->p_filesz) {
		out[*nr] = proto;
		out[*nr].start = base + ph->p_filesz;
		out[*nr].end = base + ph->p_memsz;
		out[*nr].kind = MW_EXTENT_EXCLUDED;
		(*nr)++;
	}
	return NULL;
}
