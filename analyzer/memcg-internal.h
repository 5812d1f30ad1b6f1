/* memwhere: the memcg walk's inside, shared by memcg.c, memcg-pins.c and
 * the unit test (which lays out a fake memory image by these numbers). */
#ifndef MW_MEMCG_INTERNAL_H
#define MW_MEMCG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/memcg.h"
#include "common/error.h"
#include "common/read.h"
#include "common/warn.h"

/* Everything the walk needs to know of this kernel's layout, as numbers. */
struct mw_memcg_layout {
	uint64_t page_size;

	/* struct cgroup_subsys_state, at mem_cgroup.css */
	uint32_t css;
	uint32_t css_cgroup, css_sibling, css_children, css_parent;
	uint32_t css_flags, css_id;
	uint32_t css_refcnt;		/* struct percpu_ref */
	bool has_ref_data;		/* percpu_ref.data -> percpu_ref_data.count */
	uint32_t ref_count_ptr, ref_data, ref_data_count;
	uint32_t flag_online;		/* CSS_ONLINE */
	uint32_t flag_dying;		/* CSS_DYING (0 if this kernel has none) */

	/* struct mem_cgroup */
	uint32_t id_id, id_ref;
	uint32_t memory;		/* struct page_counter memory */
	bool has_swap;
	uint32_t swap;			/* swap (v2) / memsw (v1) union */
	uint32_t pc_usage, pc_max, pc_high, pc_low, pc_min;
	bool has_high, has_low, has_min;
	/* atomic_long_t memory_events[]: what memory.events shows; the
	 * indexes of MEMCG_OOM and MEMCG_OOM_KILL in it */
	bool has_events;
	uint32_t memory_events, nr_events;
	int32_t ev_oom, ev_oom_kill;
	uint32_t vmstats;
	bool vmstats_is_pointer;	/* struct memcg_vmstats *vmstats (else embedded) */
	uint32_t vmstats_percpu;	/* struct memcg_vmstats_percpu __percpu * */

	/* struct memcg_vmstats and memcg_vmstats_percpu; where the kernel
	 * has no struct memcg_vmstats (mem_cgroup.vmstats[] is the state
	 * array itself, vmstats_percpu->stat[] the per-CPU batches not yet
	 * added to it and its ancestors), vs_state is 0 and there is neither
	 * state_pending nor state_prev */
	uint32_t nr_state;		/* entries of state[] */
	uint32_t vs_state, vs_pending;
	uint32_t vsp_state, vsp_prev;
	bool has_pending;		/* memcg_vmstats.state_pending */
	bool has_prev;			/* memcg_vmstats_percpu.state_prev */
	/* index into state[] of each counter (-1: this kernel has none) and
	 * its unit in bytes (page size, 1 for *_B items, 1024 for *_KB) */
	int32_t stat_index[MW_MEMCG_NR_STATS];
	uint64_t stat_unit[MW_MEMCG_NR_STATS];
	/* whether memory.stat shows the counter (the kernel's memory_stats[]
	 * names its item): 5.10 keeps NR_PAGETABLE per memcg but never
	 * charges it, and shows neither pagetables nor kernel */
	bool stat_shown[MW_MEMCG_NR_STATS];

	/* struct cgroup and struct kernfs_node */
	uint32_t cgrp_kn;
	bool has_nr_dying;
	uint32_t cgrp_nr_dying;		/* cgroup.nr_dying_descendants */
	uint32_t kn_name, kn_parent;
};

struct mw_memcg_input {
	uint64_t root;			/* root_mem_cgroup */
	bool v1;
	const uint64_t *cpu_offsets;	/* __per_cpu_offset of each possible CPU */
	unsigned nr_cpus;
	uint64_t ram_bytes;		/* RAM in the dump; 0: unknown (no bound) */
	/* a per-CPU counter page the dump left out was a zero page (a
	 * filtered dump that is not cut short: makedumpfile leaves out no
	 * other kernel data) */
	bool left_out_is_zero;
};

/* The walk itself over any memory (the unit test calls it directly). */
struct mw_error *mw_memcg_walk(const struct mw_memcg_layout *l,
			       mw_read_fn *read, void *arg,
			       const struct mw_memcg_input *in,
			       struct mw_warnings *w, struct mw_memcg_tree *ret);

/* The pins of the dying memcgs (memcg-pins.c): fills t->memcgs[].pins. */
void mw_memcg_read_stocks(struct mw_kernel *k, const struct mw_memcg_input *in,
			  struct mw_memcg_tree *t);
void mw_memcg_read_pins(struct mw_kernel *k, const struct mw_memcg_layout *l,
			const struct mw_memcg_input *in, struct mw_warnings *w,
			struct mw_memcg_tree *t);

#endif
