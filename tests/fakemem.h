/* A fake kernel memory image for the unit tests and the fuzz targets: a few
 * regions, each a buffer at a kernel address (the direct map, the vmemmap,
 * a fuzzer's input), read through fakemem_read, which has the signature of
 * the analyzers' read callbacks and fails with MW_ERR_NOT_MAPPED outside
 * every region, as a dump reader does. The writers (fakemem_put64, ...)
 * are for laying out kernel structures by hand; writing outside a writable
 * region is a mistake in the test and aborts. */
#ifndef MW_TESTS_FAKEMEM_H
#define MW_TESTS_FAKEMEM_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum { FAKEMEM_MAX_REGIONS = 4 };

struct fakemem_region {
	uint64_t base;
	size_t size;
	const uint8_t *data;
	uint8_t *rw;		/* data, writable and owned; NULL for a const region */
};

struct fakemem {
	struct fakemem_region region[FAKEMEM_MAX_REGIONS];
	size_t nr;
	uint64_t used;		/* bytes fakemem_alloc handed out of region 0 */
	uint64_t reads;		/* calls of fakemem_read */
};

void fakemem_init(struct fakemem *m);
/* A zeroed writable region of size bytes at base; its bytes. */
uint8_t *fakemem_map(struct fakemem *m, uint64_t base, size_t size);
/* A read-only region over the caller's data (a fuzzer's input). */
void fakemem_map_const(struct fakemem *m, uint64_t base, const void *data, size_t size);
/* m as one read-only region over data at base (init, then map_const). */
void fakemem_over(struct fakemem *m, uint64_t base, const void *data, size_t size);
void fakemem_deinit(struct fakemem *m);

/* The read callback: arg is the struct fakemem. */
struct mw_error *fakemem_read(void *arg, uint64_t addr, void *buf, size_t len);

/* size bytes (64-byte aligned) of region 0, in allocation order. */
uint64_t fakemem_alloc(struct fakemem *m, uint64_t size);
/* The writable bytes at addr..addr+len. */
void *fakemem_at(struct fakemem *m, uint64_t addr, size_t len);
void fakemem_put64(struct fakemem *m, uint64_t addr, uint64_t v);
void fakemem_put32(struct fakemem *m, uint64_t addr, uint32_t v);
void fakemem_put8(struct fakemem *m, uint64_t addr, uint8_t v);
uint64_t fakemem_get64(struct fakemem *m, uint64_t addr);
/* A copy of s with its NUL, allocated; its address. */
uint64_t fakemem_put_string(struct fakemem *m, const char *s);
/* struct list_head: an empty list at head; node added at its tail. */
void fakemem_list_init(struct fakemem *m, uint64_t head);
void fakemem_list_add_tail(struct fakemem *m, uint64_t node, uint64_t head);

#endif
