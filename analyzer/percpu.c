/* memwhere: the per-CPU allocator's chunks. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/percpu.h"
#include "analyzer/walk.h"
#include "common/grow.h"

enum {
	MAX_SLOTS = 1024,
	MAX_UNITS = 8192,
	MAX_CHUNK_PAGES = 1 << 20,	/* 4 GiB per unit */
	LIST_HEAD_SIZE = 16,
};

struct mw_error *mw_percpu_read(struct mw_kernel *k, struct mw_warnings *w,
				struct mw_percpu *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct mw_field list, base, nr_pages, nr_pop, free_bytes, size, end_offset;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("pcpu_chunk.list", &list),
		MW_FIELD_MEMBER("pcpu_chunk.base_addr", &base),
		MW_FIELD_MEMBER("pcpu_chunk.nr_pages", &nr_pages),
		MW_FIELD_MEMBER("pcpu_chunk.nr_populated", &nr_pop),
		MW_FIELD_MEMBER_OPT("pcpu_chunk.free_bytes", &free_bytes),
		MW_FIELD_SIZEOF_OPT("pcpu_chunk", &size),
		MW_FIELD_MEMBER_OPT("pcpu_chunk.end_offset", &end_offset),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return mw_error_prepend(err, "percpu chunks");
	uint64_t lists, first, pbase = 0;
	uint32_t nr_slots, units;
	if ((err = mw_kread_sym_u64(k, "pcpu_chunk_lists", &lists)) ||
	    (err = mw_kread_sym_u32(k, "pcpu_nr_slots", &nr_slots)) ||
	    (err = mw_kread_sym_u32(k, "pcpu_nr_units", &units)) ||
	    (err = mw_kread_sym_u64(k, "pcpu_first_chunk", &first)))
		return mw_error_prepend(err, "percpu chunks");
	/* 5.9-5.13 keep a set of slot lists per chunk type (memcg-aware
	 * chunks apart): pcpu_chunk_lists has nr_slots * PCPU_NR_CHUNK_TYPES */
	uint32_t nr_lists = nr_slots;
	int64_t nr_types;
	struct mw_error *te = mw_types_enum_value(k->types, "pcpu_chunk_type",
						  "PCPU_NR_CHUNK_TYPES", &nr_types);
	if (!te && nr_types > 1 && nr_types <= 8 && nr_slots <= MAX_SLOTS)
		nr_lists = nr_slots * (uint32_t)nr_types;
	mw_error_destroy(te);
	struct mw_error *be = mw_kread_sym_u64(k, "pcpu_base_addr", &pbase);
	if (be) {
		mw_error_destroy(be);
		pbase = 0;
	}
	if (nr_slots == 0 || nr_slots > MAX_SLOTS || units == 0 || units > MAX_UNITS)
		return mw_error_create(MW_ERR_BAD_DATA, "percpu chunks: pcpu_nr_slots %" PRIu32
				       ", pcpu_nr_units %" PRIu32, nr_slots, units);
	ret->units = units;
	uint64_t page = k->vm.page_size;
	size_t cap = 0;
	/* one cap over all slots: a chunk is at least one page per unit */
	uint64_t limit = mw_walk_cap(mw_reader_info(k->reader)->total_bytes, size.found ? size.size : 64);
	for (uint32_t s = 0; s < nr_lists && !err; s++) {
		uint64_t head = lists + (uint64_t)s * LIST_HEAD_SIZE, next;
		if ((err = mw_kread_u64(k, head, &next)))
			break;
		struct mw_list_walk lw;
		mw_list_walk_init(&lw, head, limit);
		for (;;) {
			enum mw_list_step st = mw_list_walk_next(&lw, next);
			if (st == MW_LIST_END)
				break;
			if (st != MW_LIST_NODE) {
				err = mw_list_walk_error(&lw, st, next, "percpu chunk", "chunks");
				break;
			}
			uint64_t chunk = next - list.offset, np = 0, pop = 0, fb = 0, b = 0;
			if ((err = mw_kread_u64(k, chunk + base.offset, &b)) ||
			    (err = mw_kread_uint(k, chunk + nr_pages.offset, nr_pages.size, &np)) ||
			    (err = mw_kread_uint(k, chunk + nr_pop.offset, nr_pop.size, &pop)) ||
			    (free_bytes.found &&
			     (err = mw_kread_uint(k, chunk + free_bytes.offset, free_bytes.size, &fb))))
				break;
			if (np > MAX_CHUNK_PAGES || pop > np) {
				mw_warn(w, "percpu chunk at 0x%" PRIx64 ": %" PRIu64 " populated of %"
					PRIu64 " pages; not counted", chunk, pop, np);
				ret->incomplete = true;
			} else {
				struct mw_percpu_chunk *v = mw_grow(ret->chunks, &cap, ret->nr, sizeof(*v), 16);
				if (!v) {
					mw_percpu_deinit(ret);
					return &mw_error_nomem;
				}
				ret->chunks = v;
				struct mw_percpu_chunk *c = &ret->chunks[ret->nr++];
				c->addr = chunk;
				c->base = b;
				c->pages = np;
				c->populated = pop;
				c->free_bytes = fb;
				c->first = chunk == first;
				c->counted = pop;
				/* The first chunk's struct covers its dynamic part only; the
				 * kernel counts the whole first unit area as populated: the
				 * static variables and the reserved chunk from pcpu_base_addr
				 * up to the end of the dynamic part (less end_offset). */
				uint64_t eo = 0;
				if (c->first && pbase && b >= pbase &&
				    (!end_offset.found ||
				     !mw_kread_uint(k, chunk + end_offset.offset, end_offset.size, &eo))) {
					uint64_t end = b + np * page - eo;
					if (end > pbase && end - pbase < (uint64_t)MAX_CHUNK_PAGES * page)
						c->counted = (end - pbase) / page;
				}
				ret->bytes += c->counted * units * page;
			}
			if ((err = mw_kread_u64(k, next, &next)))
				break;
		}
	}
	if (err) {
		ret->incomplete = true;
		mw_warn_error(w, err, "percpu chunks: the rest is not counted");
	}
	int32_t nr_populated;
	struct mw_error *e = mw_kernel_read_symbol(k, "pcpu_nr_populated", &nr_populated,
						   sizeof(nr_populated));
	if (!e && nr_populated >= 0) {
		ret->kernel_counter_known = true;
		ret->kernel_counter_bytes = (uint64_t)nr_populated * units * page;
	}
	mw_error_destroy(e);
	return NULL;
}

void mw_percpu_deinit(struct mw_percpu *p)
{
	free(p->chunks);
	memset(p, 0, sizeof(*p));
}
