/* memwhere: a bounded walk over a kernel xarray. */
#include "config.h"

#include <string.h>

#include "analyzer/xarray.h"

const char *mw_xarray_end_text(enum mw_xarray_end e)
{
	switch (e) {
	case MW_XARRAY_DONE: return "complete";
	case MW_XARRAY_UNREADABLE: return "a node is not readable";
	case MW_XARRAY_BAD_SHIFT: return "a node's shift does not fit its level";
	case MW_XARRAY_NODE_LIMIT: return "more nodes than the dump can hold";
	case MW_XARRAY_ENTRY_LIMIT: return "more entries than the dump can hold";
	case MW_XARRAY_STOPPED: return "stopped";
	}
	return "?";
}

/* entry at index (or a node covering index.. with its shift under
 * parent_shift); parent_shift is 64 + 6 at the root, where any shift fits. */
static enum mw_xarray_end walk(struct mw_xarray *x, uint64_t entry, uint64_t index,
			       unsigned parent_shift)
{
	if (!entry)
		return MW_XARRAY_DONE;
	if ((entry & 3) != 2) {
		if (entry & 1)
			return MW_XARRAY_DONE;	/* a value entry: not a pointer */
		if (++x->entries > x->max_entries)
			return MW_XARRAY_ENTRY_LIMIT;
		return x->visit(x->ctx, index, entry) ? MW_XARRAY_DONE : MW_XARRAY_STOPPED;
	}
	if (entry <= 4096)
		return MW_XARRAY_DONE;	/* sibling, retry and zero entries */
	uint64_t node = entry - 2;
	uint8_t shift = 0;
	uint64_t slots[MW_XA_CHUNK];
	x->bad_address = node;
	if (++x->nodes > x->max_nodes)
		return MW_XARRAY_NODE_LIMIT;
	if (!mw_read_ok(x->read, x->arg, node + x->node_shift, &shift, 1) ||
	    !mw_read_ok(x->read, x->arg, node + x->node_slots, slots, sizeof(slots)))
		return MW_XARRAY_UNREADABLE;
	if (shift % MW_XA_CHUNK_SHIFT || shift + (unsigned)MW_XA_CHUNK_SHIFT > parent_shift ||
	    (parent_shift <= 64 && shift + (unsigned)MW_XA_CHUNK_SHIFT != parent_shift) ||
	    shift >= 64)
		return MW_XARRAY_BAD_SHIFT;
	for (unsigned i = 0; i < MW_XA_CHUNK; i++) {
		enum mw_xarray_end e = walk(x, slots[i], index + ((uint64_t)i << shift), shift);
		if (e != MW_XARRAY_DONE)
			return e;
	}
	return MW_XARRAY_DONE;
}

enum mw_xarray_end mw_xarray_walk(struct mw_xarray *x, uint64_t head)
{
	x->nodes = x->entries = 0;
	x->bad_address = 0;
	return walk(x, head, 0, 64 + MW_XA_CHUNK_SHIFT);
}
