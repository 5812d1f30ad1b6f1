/* memwhere: socket buffers and the memory they keep alive.
 *
 * An skb pins three kinds of memory:
 *   - the sk_buff object itself (skbuff_head_cache, or skbuff_fclone_cache
 *     for fast clones);
 *   - its head buffer: either kmalloc'd (a slab object, or for big heads a
 *     compound page straight from the page allocator), or carved out of a
 *     page-frag cache page (skb->head_frag);
 *   - the pages behind the frags of skb_shinfo(skb), and recursively the
 *     skbs on skb_shinfo(skb)->frag_list.
 * A frag refers to a page (struct page *, or a netmem_ref from Linux 6.8 on);
 * the memory it keeps alive is the whole compound page that page belongs to
 * (a virtio-net receive buffer of 1.5 KiB keeps a 32 KiB order-3 page alive).
 *
 * The walkers here follow sk_buff_head lists, NULL-terminated chains (the
 * socket backlog) and rb-trees (TCP's out-of-order and retransmit queues),
 * bounded by cycle detection and a length limit from the dump (no more
 * skbs than sk_buffs fit in its RAM); every pointer is checked
 * (kernel range, alignment, direct map, vmemmap). A bad skb (nr_frags above
 * MAX_SKB_FRAGS, a frag page outside the vmemmap, an unreadable shinfo) is a
 * warning and is skipped; a len or truesize larger than the skb's buffers
 * (head, frag pages, frag_list) is a warning and is not counted; a list
 * that loops is a warning and its walk stops; the rest is reported.
 *
 * Pages are gathered per owner (a socket) and globally: each compound page
 * is counted once. Receive buffers of one NIC page end up on several sockets
 * (a page-frag page is carved into buffers for whatever packets arrive), so
 * every (page, owner, references) triple is kept too: an owner's share of a
 * page is in proportion to its references. The sorted set of compound heads
 * is what the page scan needs to move these pages from `unaccounted` to
 * `skb_frags`.
 */
#ifndef MW_SKB_H
#define MW_SKB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/walk.h"
#include "btf/types.h"
#include "common/error.h"
#include "common/warn.h"

enum {
	MW_SKB_MAX_ORDER = 18,		/* largest compound page we accept (1 GiB) */
	MW_SKB_ORDERS = MW_SKB_MAX_ORDER + 1,
	MW_SKB_MAX_FRAG_LIST_DEPTH = 8,
	MW_SKB_MAX_FRAGS_LIMIT = 64,	/* bound on MAX_SKB_FRAGS from the types */
	MW_SKB_WARN_LIMIT = 32,		/* per-skb warnings before they are only counted */
};

struct mw_skb_layout {
	uint32_t skb_size;		/* sizeof(struct sk_buff) */
	uint32_t fclones_size;		/* sizeof(struct sk_buff_fclones), 0 if unknown */
	uint32_t off_next;
	uint32_t off_len;
	uint32_t off_data_len;
	uint32_t off_truesize;
	uint32_t off_head;
	uint32_t off_end;
	uint32_t end_size;		/* 4: offset from head; 8: a pointer */
	uint32_t off_head_frag;		/* byte holding the head_frag bit */
	uint8_t head_frag_mask;
	uint32_t off_fclone;		/* byte holding the fclone bits */
	uint8_t fclone_mask;
	uint8_t fclone_shift;
	/* rb_node inside the sk_buff (skb->rbnode), relative to the skb */
	uint32_t off_rb_parent;
	uint32_t off_rb_right;
	uint32_t off_rb_left;
	uint32_t off_qlen;		/* sk_buff_head.qlen */

	uint32_t shinfo_size;		/* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
	uint32_t off_nr_frags;
	uint32_t off_frag_list;
	uint32_t off_frags;
	uint32_t frag_size;		/* sizeof(skb_frag_t) */
	uint32_t off_frag_page;		/* bv_page, or netmem */
	uint32_t off_frag_len;
	bool frag_netmem;		/* netmem_ref: bit 0 set = net_iov, not a page */
	uint32_t max_frags;		/* MAX_SKB_FRAGS (skb_shared_info.frags[]) */

	/* struct page */
	uint32_t off_page_flags;
	uint32_t off_compound_head;
	int pg_head;			/* bit of PG_head in page->flags */
	uint32_t off_order;		/* byte with the order, from the head page */
	int pg_slab;			/* bit of PG_slab, -1 if a page type */
	uint32_t off_page_type;
	int pgty_slab;			/* PGTY_slab (top byte of page_type), -1 */
	uint32_t kmalloc_max;		/* without either: heads above this are pages */
};

/* Resolve the layout from the dump's types; an error names what is missing. */
struct mw_error *mw_skb_layout_resolve(struct mw_types *t,
				       struct mw_skb_layout *ret);

/* What the skbs of one queue (or of one socket) hold. */
struct mw_skb_stats {
	uint64_t skbs;			/* skbs on the queue (not counting frag_list ones) */
	uint64_t bytes;			/* payload: sum of skb->len */
	uint64_t truesize;		/* sum of skb->truesize */
	uint64_t frags;			/* skb_frag_t entries, frag_list skbs' too */
	uint64_t frag_list_skbs;	/* skbs found on frag_lists */
	uint64_t skb_bytes;		/* sk_buff objects */
	uint64_t head_bytes;		/* kmalloc'd heads in slab objects (each once) */
	uint64_t page_heads;		/* heads in page frags or page allocations */
	uint64_t bad_skbs;		/* skipped (see the warnings) */
	bool truncated;			/* a walk stopped early (loop, unreadable) */
};

static inline void mw_skb_stats_add(struct mw_skb_stats *a,
				    const struct mw_skb_stats *b)
{
	a->skbs += b->skbs;
	a->bytes += b->bytes;
	a->truesize += b->truesize;
	a->frags += b->frags;
	a->frag_list_skbs += b->frag_list_skbs;
	a->skb_bytes += b->skb_bytes;
	a->head_bytes += b->head_bytes;
	a->page_heads += b->page_heads;
	a->bad_skbs += b->bad_skbs;
	a->truncated |= b->truncated;
}

/* What an skb uses a page for (bits). */
enum mw_skb_page_kind {
	MW_SKB_PAGE_FRAG = 1u << 0,		/* behind a frag */
	MW_SKB_PAGE_FRAG_HEAD = 1u << 1,	/* a page-frag head (head_frag) */
	MW_SKB_PAGE_LARGE_KMALLOC = 1u << 2,	/* a kmalloc'd head too big for a slab */
};

/* A compound page kept alive by skbs. */
struct mw_skb_page {
	uint64_t pfn;			/* the compound head */
	uint32_t order;
	uint32_t kinds;			/* enum mw_skb_page_kind bits */
	uint32_t owner;			/* owner id given to mw_skb_owner_end */
	uint32_t refs;			/* frags and heads of the owner pointing into it */
	uint32_t nr_owners;		/* owners that refer to it */
};

/* An owner's references to one compound page. */
struct mw_skb_page_ref {
	uint64_t pfn;			/* compound head */
	uint32_t order;
	uint32_t owner;
	uint32_t refs;
};

struct mw_skb_map;			/* hash map, internal */

struct mw_skb_walker {
	const struct mw_kmem *mem;
	const struct mw_skb_layout *l;
	struct mw_warnings *warnings;
	struct mw_skb_map *owner_pages;	/* this owner's pages: head pfn -> refs */
	struct mw_skb_map *pages;	/* all owners' pages */
	struct mw_skb_map *heads;	/* kmalloc'd heads seen (clones share one) */
	uint64_t warned;		/* per-skb warnings given */
	uint64_t unwarned;		/* per-skb problems past MW_SKB_WARN_LIMIT */
	/* last compound page resolved: [cache_head, cache_head + 2^order) */
	uint64_t cache_head;
	uint32_t cache_order;
	bool cache_valid;
	uint64_t net_iov_frags;		/* frags that are not pages (devmem) */
	uint64_t max_skbs;		/* skbs in one queue: sk_buffs the RAM holds */
	struct mw_skb_page_ref *refs;	/* every owner's pages, in owner order */
	size_t nr_refs, cap_refs;
};

struct mw_error *mw_skb_walker_init(struct mw_skb_walker *w,
				    const struct mw_kmem *mem,
				    const struct mw_skb_layout *l,
				    struct mw_warnings *warnings);
void mw_skb_walker_deinit(struct mw_skb_walker *w);

/*
 * Walks. `what` names the queue in warnings ("sock 0xffff... receive queue").
 * They only fail on allocation errors; bad data becomes warnings and
 * stats->bad_skbs / stats->truncated.
 */
/* sk_buff_head at head_addr: skb->next from head->next back to head_addr. */
struct mw_error *mw_skb_walk_list(struct mw_skb_walker *w, uint64_t head_addr,
				  const char *what, struct mw_skb_stats *stats);
/* A NULL-terminated chain of skb->next from first (the socket backlog). */
struct mw_error *mw_skb_walk_chain(struct mw_skb_walker *w, uint64_t first,
				   const char *what, struct mw_skb_stats *stats);
/* An rb_root at root_addr whose nodes are skb->rbnode. */
struct mw_error *mw_skb_walk_rbtree(struct mw_skb_walker *w, uint64_t root_addr,
				    const char *what, struct mw_skb_stats *stats);

/*
 * Pages found since the last owner_end belong to this owner: fold them into
 * the global set. frag_pages gets the number of distinct compound pages the
 * owner's skbs refer to; by_order (MW_SKB_ORDERS entries, may be NULL) their
 * orders.
 */
struct mw_error *mw_skb_owner_end(struct mw_skb_walker *w, uint32_t owner,
				  uint64_t *frag_pages, uint64_t *by_order);

/*
 * The global set, sorted by pfn, each compound page once (caller frees).
 * The owner of a page is the owner with most references to it.
 */
struct mw_error *mw_skb_pages(const struct mw_skb_walker *w,
			      struct mw_skb_page **ret, size_t *nr);

/* Every (page, owner) pair with the owner's reference count, sorted by pfn
 * then owner (caller frees). */
struct mw_error *mw_skb_page_refs(const struct mw_skb_walker *w,
				  struct mw_skb_page_ref **ret, size_t *nr);

/* Walk one skb (and its frag_list) as if it were a queue of one. */
struct mw_error *mw_skb_walk_one(struct mw_skb_walker *w, uint64_t skb,
				 const char *what, struct mw_skb_stats *stats);

#endif
