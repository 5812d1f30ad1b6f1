/* memwhere: bounded walks over kernel linked structures.
 *
 * Every list in a dump is hostile: a corrupt next pointer can make a list
 * loop without ever returning to its head, point into user space, or be
 * misaligned. The helpers here make each walk finite and cheap to check:
 *
 *   - mw_cycle: Brent's cycle detection over the sequence of node addresses
 *     (constant memory, finds a loop within about twice the length of its
 *     tail plus the loop), used together with a hard length limit;
 *   - mw_kmem: a read callback plus the address model (direct map, vmemmap,
 *     page count) that the skb and page helpers check pointers against, so
 *     the same walkers run on a dump or on a fake memory image in tests.
 */
#ifndef MW_WALK_H
#define MW_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Kernel addresses on x86-64 (4- and 5-level paging) start here. */
#define MW_KERNEL_SPACE_START 0xff00000000000000ULL

struct mw_cycle {
	uint64_t tortoise;
	uint64_t power;
	uint64_t lam;
	uint64_t steps;
};

static inline void mw_cycle_init(struct mw_cycle *c, uint64_t start)
{
	c->tortoise = start;
	c->power = 1;
	c->lam = 0;
	c->steps = 0;
}

/* Feed the next node address; true if it closes a loop. */
static inline bool mw_cycle_step(struct mw_cycle *c, uint64_t addr)
{
	c->steps++;
	if (addr == c->tortoise)
		return true;
	if (++c->lam == c->power) {
		c->tortoise = addr;
		c->power *= 2;
		c->lam = 0;
	}
	return false;
}

/* A kernel pointer to an object aligned to align (a power of two). */
static inline bool mw_kptr_ok(uint64_t addr, uint64_t align)
{
	return addr >= MW_KERNEL_SPACE_START && (addr & (align - 1)) == 0;
}

typedef struct mw_error *mw_kmem_read_fn(void *arg, uint64_t addr, void *buf,
					 size_t len);

struct mw_kmem {
	mw_kmem_read_fn *read;
	void *arg;
	uint64_t page_offset_base;	/* direct map */
	uint64_t vmemmap_base;
	uint64_t max_pfn;		/* PFNs 0 .. max_pfn-1 */
	uint32_t page_struct_size;	/* sizeof(struct page) */
	uint32_t page_shift;		/* 12 */
};

static inline struct mw_error *mw_kmem_read(const struct mw_kmem *m,
					    uint64_t addr, void *buf, size_t len)
{
	return m->read(m->arg, addr, buf, len);
}

static inline struct mw_error *mw_kmem_u64(const struct mw_kmem *m,
					   uint64_t addr, uint64_t *ret)
{
	return m->read(m->arg, addr, ret, sizeof(*ret));
}

/* A direct-map address of RAM below max_pfn: its PFN. */
static inline bool mw_kmem_direct_pfn(const struct mw_kmem *m, uint64_t addr,
				      uint64_t *pfn)
{
	if (addr < m->page_offset_base)
		return false;
	uint64_t p = (addr - m->page_offset_base) >> m->page_shift;
	if (p >= m->max_pfn)
		return false;
	*pfn = p;
	return true;
}

/* A struct page pointer inside the vmemmap, on a struct boundary: its PFN. */
static inline bool mw_kmem_page_pfn(const struct mw_kmem *m, uint64_t page,
				    uint64_t *pfn)
{
	if (page < m->vmemmap_base || !m->page_struct_size)
		return false;
	uint64_t off = page - m->vmemmap_base;
	if (off % m->page_struct_size)
		return false;
	uint64_t p = off / m->page_struct_size;
	if (p >= m->max_pfn)
		return false;
	*pfn = p;
	return true;
}

static inline uint64_t mw_kmem_pfn_page(const struct mw_kmem *m, uint64_t pfn)
{
	return m->vmemmap_base + pfn * m->page_struct_size;
}

#endif
