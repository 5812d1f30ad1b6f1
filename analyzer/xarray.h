/* memwhere: a bounded walk over a kernel xarray (an idr, a radix tree).
 *
 * An xarray is a tree of struct xa_node, 64 slots each (XA_CHUNK_SHIFT 6):
 * the root's xa_head is either the one entry at index 0 or an internal
 * pointer (low bits 10) to the top node; a node's slots hold entries or
 * internal pointers to the nodes one level down, whose shift is 6 less.
 * The walk checks that the shifts decrease by 6 at every level (so it cannot
 * loop), visits at most max_nodes nodes and max_entries entries, and stops
 * on the first node it cannot read: the entries before are kept and the
 * result says why it stopped.
 */
#ifndef MW_XARRAY_H
#define MW_XARRAY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/read.h"

enum { MW_XA_CHUNK_SHIFT = 6, MW_XA_CHUNK = 1 << MW_XA_CHUNK_SHIFT };

enum mw_xarray_end {
	MW_XARRAY_DONE = 0,	/* every entry visited */
	MW_XARRAY_UNREADABLE,	/* a node could not be read */
	MW_XARRAY_BAD_SHIFT,	/* a node's shift does not fit its level */
	MW_XARRAY_NODE_LIMIT,	/* more nodes than max_nodes */
	MW_XARRAY_ENTRY_LIMIT,	/* more entries than max_entries */
	MW_XARRAY_STOPPED,	/* the visitor asked to stop */
};
const char *mw_xarray_end_text(enum mw_xarray_end e);

struct mw_xarray {
	mw_read_fn *read;
	void *arg;
	uint32_t node_shift;	/* offsetof(struct xa_node, shift) */
	uint32_t node_slots;	/* offsetof(struct xa_node, slots) */
	uint64_t max_nodes;
	uint64_t max_entries;
	/* Called for every normal (pointer) entry; false stops the walk. */
	bool (*visit)(void *ctx, uint64_t index, uint64_t entry);
	void *ctx;
	/* out */
	uint64_t nodes, entries;
	uint64_t bad_address;	/* the node that ended the walk */
};

/* Walk the xarray whose xa_head is head. */
enum mw_xarray_end mw_xarray_walk(struct mw_xarray *x, uint64_t head);

#endif
