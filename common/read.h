/* memwhere: how kernel memory is read, for every layer that reads it.
 *
 * The analyzers and the kallsyms decoder read through this one callback, so
 * the same code runs on a dump, on /proc/kcore or on a test's fake image.
 */
#ifndef MW_READ_H
#define MW_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Read len bytes at kernel virtual address addr into buf. */
typedef struct mw_error *mw_read_fn(void *arg, uint64_t addr, void *buf,
				    size_t len);

/* A NUL-terminated string at addr, at most len-1 bytes (read a byte run at a
 * time, stopping at page ends so an unreadable next page does not fail a
 * short string). buf is always terminated; on error it holds what was read. */
struct mw_error *mw_read_string(mw_read_fn *read, void *arg, uint64_t addr,
				char *buf, size_t len);

/* The same where a failure only means "unknown": true if read. */
static inline bool mw_read_ok(mw_read_fn *read, void *arg, uint64_t addr,
			      void *buf, size_t len)
{
	struct mw_error *err = read(arg, addr, buf, len);
	mw_error_destroy(err);
	return !err;
}

#endif
