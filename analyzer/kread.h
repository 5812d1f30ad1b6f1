/* memwhere: the analyzers' reads of kernel memory.
 *
 * Everything reads through one callback type (mw_read_fn, common/read.h):
 * a kernel's virtual memory (mw_vm_read_cb over k->vm) or a test's image.
 * On top of it:
 *   - typed reads of a kernel (mw_kread_u64 ...), returning the error;
 *   - a cursor that keeps the first error (struct mw_kcur): read many fields,
 *     check and report once; after an error every read gives 0;
 *   - a struct read once into a buffer, its fields then taken by offset with
 *     the bounded decoders of common/le.h (mw_le64(buf, len, off) ...);
 *   - one bounded string reader (mw_read_string).
 */
#ifndef MW_KREAD_H
#define MW_KREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "common/le.h"
#include "common/read.h"

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
	*ret = mw_le_uint(b, sizeof(b), 0, (unsigned)size);
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

/* A NUL-terminated string at addr in the kernel, at most len-1 bytes. */
static inline struct mw_error *mw_kread_string(struct mw_kernel *k, uint64_t addr,
					       char *buf, size_t len)
{
	return mw_read_string(mw_vm_read_cb, &k->vm, addr, buf, len);
}

/* A call where a failure only means "unknown": true if it failed, its
 * error dropped. */
static inline bool mw_failed(struct mw_error *err)
{
	bool failed = err != NULL;
	mw_error_destroy(err);
	return failed;
}

/* A read where a failure only means "unknown": true if read. */
static inline bool mw_kread_ok(struct mw_kernel *k, uint64_t addr, void *buf,
			       size_t len)
{
	return mw_read_ok(mw_vm_read_cb, &k->vm, addr, buf, len);
}

/* ---- the cursor that keeps the first error ---- */

struct mw_kcur {
	mw_read_fn *read;
	void *arg;
	struct mw_error *err;	/* the first error; the caller reports or destroys it */
};

static inline struct mw_kcur mw_kcur_kernel(struct mw_kernel *k)
{
	return (struct mw_kcur){ .read = mw_vm_read_cb, .arg = &k->vm };
}

/* len bytes at addr into buf; zeros after an error. */
void mw_kcur_bytes(struct mw_kcur *c, uint64_t addr, void *buf, size_t len);
/* An unsigned integer of size bytes (1..8; any other size reads 8). */
uint64_t mw_kcur_uint(struct mw_kcur *c, uint64_t addr, unsigned size);

static inline uint64_t mw_kcur_u64(struct mw_kcur *c, uint64_t addr)
{
	return mw_kcur_uint(c, addr, 8);
}
static inline uint32_t mw_kcur_u32(struct mw_kcur *c, uint64_t addr)
{
	return (uint32_t)mw_kcur_uint(c, addr, 4);
}
static inline uint16_t mw_kcur_u16(struct mw_kcur *c, uint64_t addr)
{
	return (uint16_t)mw_kcur_uint(c, addr, 2);
}
static inline uint8_t mw_kcur_u8(struct mw_kcur *c, uint64_t addr)
{
	return (uint8_t)mw_kcur_uint(c, addr, 1);
}

#endif
