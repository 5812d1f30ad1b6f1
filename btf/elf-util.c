#include "config.h"
#include "common/file.h"
#include "btf/elf-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mw_error *mw_elf_open(const char *path, int *fd, Elf **elf)
{
	*elf = NULL;
	struct mw_error *oerr = mw_file_open(path, MW_FILE_REGULAR, fd);
	if (oerr)
		return oerr;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		close(*fd);
		*fd = -1;
		return mw_error_create(MW_ERR_UNSUPPORTED, "libelf: %s", elf_errmsg(-1));
	}
	*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (!*elf || elf_kind(*elf) != ELF_K_ELF) {
		struct mw_error *err = mw_error_create(MW_ERR_FORMAT, "%s: not an ELF file%s%s",
						      path, *elf ? "" : ": ",
						      *elf ? "" : elf_errmsg(-1));
		mw_elf_close(*fd, *elf);
		*fd = -1;
		*elf = NULL;
		return err;
	}
	return NULL;
}

void mw_elf_close(int fd, Elf *elf)
{
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
}

Elf_Scn *mw_elf_section(Elf *elf, const char *name, GElf_Shdr *shdr)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return NULL;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, shdr))
			continue;
		const char *n = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

struct mw_error *mw_elf_section_data(const char *path, Elf_Scn *scn,
				     const GElf_Shdr *shdr, Elf_Data **ret)
{
	if (shdr->sh_type == SHT_NOBITS)
		return mw_error_create(MW_ERR_FORMAT, "%s: section has no data in the file", path);
	if ((shdr->sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return mw_error_create(MW_ERR_FORMAT, "%s: cannot decompress section: %s",
				       path, elf_errmsg(-1));
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data)
		return mw_error_at_offset(MW_ERR_FORMAT, shdr->sh_offset, "%s: cannot read section: %s",
					  path, elf_errmsg(-1));
	*ret = data;
	return NULL;
}

struct mw_error *mw_elf_kernel_release(Elf *elf, char **ret)
{
	static const char prefix[] = "Linux version ";
	*ret = NULL;
	GElf_Shdr shdr;
	Elf_Scn *symtab = mw_elf_section(elf, ".symtab", &shdr);
	if (!symtab || shdr.sh_type != SHT_SYMTAB || !shdr.sh_entsize)
		return NULL;
	Elf_Data *syms = elf_getdata(symtab, NULL);
	if (!syms)
		return NULL;
	size_t strndx = shdr.sh_link;
	size_t n = syms->d_size / shdr.sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(syms, (int)i, &sym))
			break;
		if (GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
			continue;
		const char *name = elf_strptr(elf, strndx, sym.st_name);
		if (!name || strcmp(name, "linux_banner") != 0)
			continue;
		Elf_Scn *scn = elf_getscn(elf, sym.st_shndx);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			return NULL;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data || sym.st_value < sh.sh_addr || sym.st_value - sh.sh_addr >= data->d_size)
			return NULL;
		const char *s = (const char *)data->d_buf + (sym.st_value - sh.sh_addr);
		size_t left = data->d_size - (sym.st_value - sh.sh_addr);
		if (left > 512)
			left = 512;
		if (left <= sizeof(prefix) - 1 || memcmp(s, prefix, sizeof(prefix) - 1) != 0)
			return NULL;
		s += sizeof(prefix) - 1;
		left -= sizeof(prefix) - 1;
		size_t len = 0;
		while (len < left && s[len] && s[len] != ' ' && s[len] != '\n')
			len++;
		if (len == 0 || len == left)
			return NULL;
		*ret = strndup(s, len);
		return *ret ? NULL : &mw_error_nomem;
	}
	return NULL;
}

struct mw_error *mw_elf_build_id(Elf *elf, char **ret)
{
	*ret = NULL;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		size_t off = 0, name_off, desc_off;
		GElf_Nhdr nh;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((const char *)data->d_buf + name_off, "GNU", 4) != 0 ||
			    nh.n_descsz == 0 || nh.n_descsz > 64)
				continue;
			char *hex = malloc(2 * (size_t)nh.n_descsz + 1);
			if (!hex)
				return &mw_error_nomem;
			const uint8_t *d = (const uint8_t *)data->d_buf + desc_off;
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", d[i]);
			*ret = hex;
			return NULL;
		}
	}
	return NULL;
}
