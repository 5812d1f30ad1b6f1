/* memwhere: loaded kernel modules, their memory and their symbols.
 *
 * The `modules` list: each module's name, the memory of its regions
 * (struct module_memory mem[] since 6.4: text, data, rodata, ro_after_init
 * and their init parts; core_layout and init_layout before), which is what
 * /proc/modules shows as its size, and its symbol table (mod->kallsyms) so
 * that an address in module code reads as "func+0x4e [module]".
 */
#ifndef MW_MODULES_H
#define MW_MODULES_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "common/error.h"
#include "common/warn.h"

enum { MW_MODULE_NAME_MAX = 64, MW_MODULE_REGIONS = 8 };

struct mw_module_region {
	uint64_t base, size;
};

struct mw_module_sym {
	uint64_t value;
	uint32_t name;			/* offset into the module's strtab */
};

struct mw_module {
	char name[MW_MODULE_NAME_MAX];
	uint64_t addr;			/* struct module */
	uint64_t bytes;			/* sum of the regions: /proc/modules' size */
	struct mw_module_region regions[MW_MODULE_REGIONS];
	size_t nr_regions;
	struct mw_module_sym *syms;	/* defined symbols, sorted by value */
	size_t nr_syms;
	uint64_t strtab;		/* kernel address of the names */
};

struct mw_modules {
	struct mw_module *v;		/* ranked by bytes, largest first */
	size_t nr;
	uint64_t total_bytes;
	bool incomplete;
};

/* Read every module (and with symbols true, their symbol tables). */
struct mw_error *mw_modules_read(struct mw_kernel *k, struct mw_warnings *w,
				 bool symbols, struct mw_modules *ret);
void mw_modules_deinit(struct mw_modules *m);

/* "func+0x4e [mod]" (or "[mod]+0x1234" without a symbol) for an address in
 * a module's memory; false if no module holds it. */
bool mw_modules_name_addr(struct mw_kernel *k, const struct mw_modules *m, uint64_t addr,
			  char *buf, size_t len);

/* The modules with their symbol tables, read only when one of the n
 * modules named is loaded (the symbol tables cost a read per symbol; a
 * list walk finds out); false, ret empty, when none is or on an error (a
 * dump's module list that cannot be read hides a module's symbols). */
bool mw_modules_read_if_loaded(struct mw_kernel *k, const char *const *names, size_t n,
			       struct mw_modules *ret);

/* The address of symbol name of module (its kallsyms, static symbols
 * included); false if the module is not loaded or has no such symbol. */
bool mw_modules_symbol(struct mw_kernel *k, const struct mw_modules *m, const char *module,
		       const char *name, uint64_t *ret);

#endif
