/* memwhere: a hash table from (namespace, name) to a 64-bit value.
 *
 * Used by the type backends (type names to type ids / DIE offsets) and by
 * the symbol table (symbol names to table indexes). Keys are not copied: a
 * name must stay valid, unchanged, for as long as the index lives (names
 * point into the BTF string section, libdw's mapped .debug_str, or a
 * symbol table's own string arena). Open addressing with linear probing;
 * the table doubles at 3/4 load, so lookups never scan.
 */
#ifndef MW_NAME_INDEX_H
#define MW_NAME_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct mw_name_index_entry {
	const char *name;	/* NULL: empty slot */
	uint32_t len;
	uint32_t ns;
	uint32_t hash;		/* low bits of the name's hash: growing never rehashes */
	uint64_t value;
};

struct mw_name_index {
	struct mw_name_index_entry *slots;
	size_t capacity;	/* power of two, or 0 */
	size_t count;
};

/* The index's hash of (ns, name[0..len)), for indexes of other shapes. */
uint32_t mw_name_hash(uint32_t ns, const char *name, size_t len);

void mw_name_index_init(struct mw_name_index *idx);
void mw_name_index_deinit(struct mw_name_index *idx);
/* Make room for n entries in all, so that inserting them never grows. */
struct mw_error *mw_name_index_reserve(struct mw_name_index *idx, size_t n);
/*
 * Find or add (ns, name[0..len)). On success *slot points at the entry's
 * value (valid until the next insert) and *added tells whether the entry is
 * new (its value then is 0 for the caller to set). Names longer than
 * UINT32_MAX bytes are refused (MW_ERR_LIMIT).
 */
struct mw_error *mw_name_index_insert(struct mw_name_index *idx, uint32_t ns,
				      const char *name, size_t len,
				      uint64_t **slot, bool *added);
/* Look (ns, name[0..len)) up; NULL if absent. */
const uint64_t *mw_name_index_find(const struct mw_name_index *idx, uint32_t ns,
				   const char *name, size_t len);

#endif
