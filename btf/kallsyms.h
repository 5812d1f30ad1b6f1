/* memwhere: the kernel's own symbol table (kallsyms), decoded from memory.
 *
 * Since Linux 6.0 VMCOREINFO names the kallsyms tables, so a dump carries
 * every symbol of the kernel image: no vmlinux or System.map needed.
 * The decoder reads through a callback, so it serves dumps and /proc/kcore
 * alike; every count and index is bounded.
 */
#ifndef MW_KALLSYMS_H
#define MW_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/read.h"

/* Called once per symbol; type is the nm-style letter ('T', 'd', ...);
 * name is NUL-terminated, len bytes long (possibly 0). */
typedef struct mw_error *mw_ksym_fn(void *arg, const char *name, size_t len,
				     char type, uint64_t addr);

/* Addresses of the tables (0 = absent), as VMCOREINFO's SYMBOL() gives them. */
struct mw_kallsyms_tables {
	uint64_t num_syms;	/* unsigned int kallsyms_num_syms */
	uint64_t names;		/* u8 kallsyms_names[] */
	uint64_t token_table;	/* char kallsyms_token_table[] */
	uint64_t token_index;	/* u16 kallsyms_token_index[256] */
	uint64_t offsets;	/* int kallsyms_offsets[] (base-relative) */
	uint64_t relative_base;	/* unsigned long kallsyms_relative_base (0: offsets are place-relative) */
	uint64_t addresses;	/* unsigned long kallsyms_addresses[] (absolute) */
};

enum {
	MW_KSYM_NAME_MAX = 512,		/* longest name accepted */
	MW_KALLSYMS_MAX = 4000000,	/* most symbols accepted */
};

/*
 * Decode every symbol and hand it to fn. Names are decoded from the token
 * tables; addresses from kallsyms_offsets (relative to
 * kallsyms_relative_base, with x86-64's absolute per-CPU encoding detected
 * from the data; without relative_base, relative to each entry's own
 * address) or kallsyms_addresses.
 */
struct mw_error *mw_kallsyms_decode(const struct mw_kallsyms_tables *t,
				    mw_read_fn *read, void *read_arg,
				    mw_ksym_fn *fn, void *fn_arg);

/*
 * Find the tables in the kernel image when VMCOREINFO does not name them
 * (Linux before 6.0): scan len bytes from text (the runtime _text/_stext)
 * for kallsyms_relative_base, whose value is text, and accept it only when
 * kallsyms_num_syms, kallsyms_names, kallsyms_markers, kallsyms_token_table
 * and kallsyms_token_index follow it as scripts/kallsyms.c lays them out
 * (every length-prefixed name walked, every token offset matched).
 */
struct mw_error *mw_kallsyms_find(uint64_t text, uint64_t len,
				  mw_read_fn *read, void *read_arg,
				  struct mw_kallsyms_tables *ret);

#endif
