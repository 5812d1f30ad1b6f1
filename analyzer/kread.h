/* memwhere: small typed reads of kernel memory for the analyzers. */
#ifndef MW_KREAD_H
#define MW_KREAD_H

#include <stdint.h>

#include "analyzer/kernel.h"

static inline struct mw_error *mw_kread_u64(struct mw_kernel *k, uint64_t addr,
					    uint64_t *ret)
{
	return mw_kernel_read(k, addr, ret, sizeof(*ret));
}

static inline struct mw_error *mw_kread_u32(struct mw_kernel *k, uint64_t addr,
					    uint32_t *ret)
{
	return mw_kernel_read(k, addr, ret, sizeof(*ret));
}

/* Read an unsigned integer of 1, 2, 4 or 8 bytes (a member's size). */
static inline struct mw_error *mw_kread_uint(struct mw_kernel *k, uint64_t addr,
					     uint64_t size, uint64_t *ret)
{
	uint8_t b[8] = { 0 };
	if (size == 0 || size > 8)
		return mw_error_at(MW_ERR_BAD_DATA, addr,
				   "integer of %llu bytes", (unsigned long long)size);
	struct mw_error *err = mw_kernel_read(k, addr, b, (size_t)size);
	if (err)
		return err;
	uint64_t v = 0;
	for (uint64_t i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	*ret = v;
	return NULL;
}

/* Read a symbol's 8-byte value. */
static inline struct mw_error *mw_kread_sym_u64(struct mw_kernel *k,
						const char *name, uint64_t *ret)
{
	return mw_kernel_read_symbol(k, name, ret, sizeof(*ret));
}

/* Read a symbol's 4-byte value. */
static inline struct mw_error *mw_kread_sym_u32(struct mw_kernel *k,
						const char *name, uint32_t *ret)
{
	return mw_kernel_read_symbol(k, name, ret, sizeof(*ret));
}

/* A NUL-terminated string at addr, at most len-1 bytes (read a byte run at a
 * time, stopping at page ends so an unreadable next page does not fail it). */
struct mw_error *mw_kread_string(struct mw_kernel *k, uint64_t addr, char *buf,
				 size_t len);

#endif
