/* memwhere: symbols from a vmlinux's ELF symbol table. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/elf-util.h"
#include "btf/symbols.h"

/* The letter nm would print. */
static char elf_symbol_type(Elf *elf, const GElf_Sym *sym)
{
	char c;
	if (sym->st_shndx == SHN_ABS) {
		c = 'a';
	} else if (sym->st_shndx == SHN_COMMON) {
		return 'C';
	} else {
		GElf_Shdr shdr;
		Elf_Scn *scn = elf_getscn(elf, sym->st_shndx);
		if (!scn || !gelf_getshdr(scn, &shdr))
			c = '?';
		else if (shdr.sh_type == SHT_NOBITS)
			c = 'b';
		else if (shdr.sh_flags & SHF_EXECINSTR)
			c = 't';
		else if (shdr.sh_flags & SHF_WRITE)
			c = 'd';
		else if (shdr.sh_flags & SHF_ALLOC)
			c = 'r';
		else
			c = 'n';
	}
	unsigned bind = GELF_ST_BIND(sym->st_info);
	if (bind == STB_GLOBAL || bind == STB_WEAK)
		c = (char)toupper((unsigned char)c);
	return c;
}

struct mw_error *mw_symbols_open_elf(const char *path, struct mw_symbols **ret)
{
	int fd;
	Elf *elf;
	struct mw_error *err = mw_elf_open(path, &fd, &elf);
	if (err)
		return err;
	struct mw_symbols *s = NULL;
	char *what = NULL;
	GElf_Shdr shdr;
	Elf_Scn *scn = mw_elf_section(elf, ".symtab", &shdr);
	Elf_Data *data = NULL;
	if (!scn || shdr.sh_type != SHT_SYMTAB || shdr.sh_entsize == 0)
		err = mw_error_create(MW_ERR_NOT_FOUND, "%s has no symbol table (.symtab)", path);
	if (!err)
		err = mw_elf_section_data(path, scn, &shdr, &data);
	if (!err && asprintf(&what, "symbols of %s", path) < 0)
		err = &mw_error_nomem;
	if (!err)
		err = mw_symbols_create(what, &s);
	size_t n = err ? 0 : data->d_size / shdr.sh_entsize;
	for (size_t i = 1; !err && i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym)) {
			err = mw_error_at_offset(MW_ERR_FORMAT, shdr.sh_offset + i * shdr.sh_entsize,
						 "%s: bad symbol %zu: %s", path, i, elf_errmsg(-1));
			break;
		}
		unsigned type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE)
			continue;
		if (sym.st_shndx == SHN_UNDEF)
			continue;
		const char *name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		size_t len = strnlen(name, MW_SYMBOL_NAME_MAX + 1);
		if (len > MW_SYMBOL_NAME_MAX)
			continue;
		err = mw_symbols_add(s, name, len, sym.st_value, sym.st_size,
				     elf_symbol_type(elf, &sym));
	}
	if (!err)
		err = mw_symbols_finish(s);
	char *bid = NULL, *rel = NULL;
	if (!err && !(err = mw_elf_build_id(elf, &bid)))
		err = mw_elf_kernel_release(elf, &rel);
	if (!err)
		mw_symbols_set_identity(s, bid, rel);
	else
		free(bid);
	free(what);
	mw_elf_close(fd, elf);
	if (err) {
		mw_symbols_destroy(s);
		return err;
	}
	*ret = s;
	return NULL;
}
