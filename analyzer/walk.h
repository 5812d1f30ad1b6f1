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

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/read.h"

/* Kernel addresses start here: x86-64 (4- and 5-level paging) and arm64
 * (TTBR1, 39 to 52-bit VAs) alike. */
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

struct mw_kmem {
	mw_read_fn *read;
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

/*
 * A bounded walk over a kernel list_head list. Brent's check finds a loop
 * within about twice the list's real length; cap bounds a list that never
 * repeats and should be derived from the dump (mw_walk_cap: RAM / object
 * size), not a constant. Feed every next pointer read; the walk ends on
 * anything but MW_LIST_NODE.
 */
enum mw_list_step {
	MW_LIST_NODE,		/* next is a node: visit it */
	MW_LIST_END,		/* next is the head: the list ended */
	MW_LIST_LOOP,		/* next was seen before: the list loops */
	MW_LIST_LIMIT,		/* more nodes than the dump can hold */
	MW_LIST_BAD_POINTER,	/* next is NULL, user space or misaligned */
};

struct mw_list_walk {
	struct mw_cycle cycle;
	uint64_t head;
	uint64_t cap;
	uint64_t nodes;		/* nodes visited */
};

/* Most objects of size object_size that ram_bytes of RAM can hold. */
static inline uint64_t mw_walk_cap(uint64_t ram_bytes, uint64_t object_size)
{
	if (object_size < 8)
		object_size = 8;
	return ram_bytes / object_size + 1;
}

static inline void mw_list_walk_init(struct mw_list_walk *w, uint64_t head, uint64_t cap)
{
	mw_cycle_init(&w->cycle, head);
	w->head = head;
	w->cap = cap;
	w->nodes = 0;
}

static inline enum mw_list_step mw_list_walk_next(struct mw_list_walk *w, uint64_t next)
{
	if (next == w->head)
		return MW_LIST_END;
	if (!mw_kptr_ok(next, 8))
		return MW_LIST_BAD_POINTER;
	if (mw_cycle_step(&w->cycle, next))
		return MW_LIST_LOOP;
	if (++w->nodes > w->cap)
		return MW_LIST_LIMIT;
	return MW_LIST_NODE;
}

/* "loops", "is longer than RAM can hold", "has a bad pointer" */
static inline const char *mw_list_step_text(enum mw_list_step s)
{
	switch (s) {
	case MW_LIST_LOOP: return "loops";
	case MW_LIST_LIMIT: return "is longer than the dump's RAM can hold";
	case MW_LIST_BAD_POINTER: return "has a pointer that is not a kernel address";
	default: return "ends";
	}
}

/* The error that ends a walk on anything but a node or the head:
 * "LIST list at 0xHEAD loops after N ITEMS" (MW_ERR_LIMIT for too long). */
static inline struct mw_error *mw_list_walk_error(const struct mw_list_walk *w,
						  enum mw_list_step st, uint64_t next,
						  const char *list, const char *items)
{
	return mw_error_at(st == MW_LIST_LIMIT ? MW_ERR_LIMIT : MW_ERR_BAD_DATA, next,
			   "%s list at 0x%" PRIx64 " %s after %" PRIu64 " %s", list, w->head,
			   mw_list_step_text(st), w->nodes, items);
}

#endif
