/* memwhere: kernel symbols, name -> address and address -> name.
 *
 * One table type, whatever the source: a vmlinux's ELF symbol table, a
 * System.map (or anything in its "ADDRESS TYPE NAME" format, such as
 * /proc/kallsyms), or the kallsyms tables decoded from the dump (feed
 * mw_kallsyms_decode() the callback mw_symbols_add_ksym). A source adds
 * symbols, then mw_symbols_finish() sorts them by address and builds the
 * name index; after that the table is read-only and lookups are safe from
 * several threads.
 *
 * Addresses of a vmlinux or System.map are link-time addresses; with KASLR
 * the running kernel's are shifted by the dump's KERNELOFFSET: call
 * mw_symbols_relocate() with it. kallsyms from the dump already has the
 * runtime addresses.
 */
#ifndef MW_SYMBOLS_H
#define MW_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum {
	MW_SYMBOL_NAME_MAX = 1024,	/* longest symbol name accepted */
	MW_SYMBOLS_MAX = 16 * 1024 * 1024,
};
/* x86-64: the kernel image is mapped from __START_KERNEL_map; symbols below
 * it (per-CPU offsets, absolute values) are not relocated */
#define MW_KERNEL_IMAGE_START UINT64_C(0xffffffff80000000)

struct mw_symbol {
	const char *name;
	uint64_t address;
	uint64_t size;		/* 0 if unknown (System.map, kallsyms) */
	char type;		/* nm-style: 'T' global text, 't' local text, 'D', 'd', 'B', 'R', 'A', ... */
};

struct mw_symbols;

/* An empty table; `what` names the source in messages ("System.map FILE"). */
struct mw_error *mw_symbols_create(const char *what, struct mw_symbols **ret);
/* Add a symbol (the name is copied). Fails after mw_symbols_finish(). */
struct mw_error *mw_symbols_add(struct mw_symbols *s, const char *name, size_t len,
				uint64_t address, uint64_t size, char type);
/* Same, shaped as the kallsyms decoder's mw_ksym_fn (arg is the table). */
struct mw_error *mw_symbols_add_ksym(void *arg, const char *name, size_t len,
				     char type,
				     uint64_t address);
/* Sort and index. */
struct mw_error *mw_symbols_finish(struct mw_symbols *s);
void mw_symbols_destroy(struct mw_symbols *s);

/* A vmlinux's .symtab (STT_FUNC/OBJECT/NOTYPE symbols), finished. */
struct mw_error *mw_symbols_open_elf(const char *path, struct mw_symbols **ret);
/* A System.map file, finished. */
struct mw_error *mw_symbols_open_system_map(const char *path, struct mw_symbols **ret);
/*
 * Add the lines of a System.map-format buffer ("ffffffff81000000 T _text",
 * an optional fourth "[module]" column is ignored). Lines are bounded;
 * a malformed line is an error naming its number. Not finished.
 */
struct mw_error *mw_symbols_parse_map(struct mw_symbols *s, const char *buf,
				      size_t len);

/*
 * Shift the symbols at or above MW_KERNEL_IMAGE_START (the kernel image) by
 * delta (the KASLR offset, KERNELOFFSET); absolute ('A') and per-CPU
 * symbols stay. Finished tables only; re-sorts.
 */
struct mw_error *mw_symbols_relocate(struct mw_symbols *s, int64_t delta);
/* The same for symbols at or above start (the architecture's kernel image
 * region; mw_symbols_relocate uses x86-64's). */
struct mw_error *mw_symbols_relocate_from(struct mw_symbols *s, int64_t delta, uint64_t start);

const char *mw_symbols_description(const struct mw_symbols *s);
/* A vmlinux's GNU build ID (lowercase hex) and the release in its
 * linux_banner, as mw_symbols_open_elf found them; NULL if unknown (always
 * for a System.map or kallsyms). */
const char *mw_symbols_build_id(const struct mw_symbols *s);
const char *mw_symbols_release(const struct mw_symbols *s);
/* Set them (takes both malloc'd strings, either may be NULL). */
void mw_symbols_set_identity(struct mw_symbols *s, char *build_id, char *release);
size_t mw_symbols_count(const struct mw_symbols *s);
/* The i-th symbol by address. */
const struct mw_symbol *mw_symbols_at(const struct mw_symbols *s, size_t i);
/*
 * A symbol by name: a global one if several share the name, else the
 * lowest address. NULL if none.
 */
const struct mw_symbol *mw_symbols_find(const struct mw_symbols *s, const char *name);
/* Address of a name; MW_ERR_NOT_FOUND naming the source if none. */
struct mw_error *mw_symbols_address(const struct mw_symbols *s, const char *name,
				    uint64_t *ret);
/*
 * The symbol an address falls in: the one with the greatest address <= addr
 * (among several at that address, a global one), if addr is within its size
 * (or the size is unknown and the next symbol starts after addr). *offset
 * gets addr - symbol address. NULL if none (below the first symbol, or past
 * the end of a sized last symbol).
 */
const struct mw_symbol *mw_symbols_lookup_addr(const struct mw_symbols *s, uint64_t addr,
					       uint64_t *offset);

#endif
