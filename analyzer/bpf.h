/* memwhere: BPF maps and programs as owners of kernel memory.
 *
 * Every map in map_idr and every program in prog_idr (xarrays, walked with
 * analyzer/xarray.h): id, name, type, and the memory the kernel accounts to
 * it, as /proc/PID/fdinfo of its fd shows it ("memlock"):
 *
 *   maps, since 6.4 (struct bpf_map_ops has map_mem_usage): the type's
 *     mem_usage callback; memwhere computes it from the map's structures
 *     for the array types (struct bpf_array), the hash types (struct
 *     bpf_htab: buckets, preallocated or counted elements) and the ring
 *     buffers (struct bpf_ringbuf: its pages and their page pointers), and falls back
 *     to the footprint estimate below for the other types (flagged);
 *   maps, 5.11 to 6.3: round_up(max_entries * round_up(key + value, 8),
 *     PAGE_SIZE), the kernel's own estimate then (a per-CPU map's value
 *     counted once per possible CPU, as bpf_map_value_size does);
 *   maps, before 5.11: bpf_map.memory.pages pages (charged at creation);
 *   programs: bpf_prog.pages pages (struct bpf_prog and its instructions,
 *     vmalloc'd), plus the JIT image: its header's size (the bpf_prog_pack
 *     chunk or the whole pages of bpf_jit_binary_alloc), else jited_len.
 *
 * A map's memory cgroup (the creator's, charged for its allocations):
 * bpf_map.objcg's memcg (6.4 on) or bpf_map.memcg (5.11 to 6.3).
 */
#ifndef MW_BPF_H
#define MW_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "common/error.h"
#include "common/warn.h"

enum { MW_BPF_NAME_MAX = 16 };	/* BPF_OBJ_NAME_LEN */

/* The uapi values of enum bpf_map_type used by the memory formulas. */
enum mw_bpf_map_type {
	MW_BPF_MAP_HASH = 1,
	MW_BPF_MAP_ARRAY = 2,
	MW_BPF_MAP_PROG_ARRAY = 3,
	MW_BPF_MAP_PERF_EVENT_ARRAY = 4,
	MW_BPF_MAP_PERCPU_HASH = 5,
	MW_BPF_MAP_PERCPU_ARRAY = 6,
	MW_BPF_MAP_CGROUP_ARRAY = 8,
	MW_BPF_MAP_LRU_HASH = 9,
	MW_BPF_MAP_LRU_PERCPU_HASH = 10,
	MW_BPF_MAP_ARRAY_OF_MAPS = 12,
	MW_BPF_MAP_HASH_OF_MAPS = 13,
	MW_BPF_MAP_PERCPU_CGROUP_STORAGE = 21,
	MW_BPF_MAP_RINGBUF = 27,
	MW_BPF_MAP_USER_RINGBUF = 31,
};
enum {
	MW_BPF_F_NO_PREALLOC = 1u << 0,
	MW_BPF_F_MMAPABLE = 1u << 10,
	MW_BPF_HTAB_LOCK_COUNT = 8,	/* HASHTAB_MAP_LOCK_COUNT */
};

/* How a map's memlock_bytes was found. */
enum mw_bpf_memory_method {
	MW_BPF_MEM_USAGE = 0,	/* the type's map_mem_usage, from its structures (6.4+) */
	MW_BPF_MEM_FOOTPRINT,	/* round_up(entries * round_up(key + value, 8), page) */
	MW_BPF_MEM_CHARGED,	/* bpf_map.memory.pages (before 5.11) */
	MW_BPF_MEM_ESTIMATE,	/* 6.4+, a type memwhere has no formula for: footprint */
};
const char *mw_bpf_memory_method_name(enum mw_bpf_memory_method m);
const char *mw_bpf_map_type_name(uint32_t type);	/* "hash", or NULL */
const char *mw_bpf_prog_type_name(uint32_t type);	/* "kprobe", or NULL */

struct mw_bpf_map {
	uint64_t addr;			/* struct bpf_map */
	uint32_t id, type, key_size, value_size, max_entries;
	uint64_t map_flags;
	uint64_t memcg;			/* struct mem_cgroup * charged, 0 none/unknown */
	char name[MW_BPF_NAME_MAX + 1];
	uint64_t memlock_bytes;		/* as fdinfo's memlock */
	enum mw_bpf_memory_method method;
	bool exact;			/* memlock_bytes is the kernel's own formula */
};

enum mw_bpf_jit_kind {
	MW_BPF_JIT_NONE = 0,		/* not JITed */
	MW_BPF_JIT_PACK,		/* a chunk of a shared bpf_prog_pack */
	MW_BPF_JIT_PAGES,		/* pages of its own (bpf_jit_binary_alloc) */
	MW_BPF_JIT_UNKNOWN,		/* no header found: jited_len counted */
};
const char *mw_bpf_jit_kind_name(enum mw_bpf_jit_kind k);

struct mw_bpf_prog {
	uint64_t addr;			/* struct bpf_prog */
	uint32_t id, type;
	char name[MW_BPF_NAME_MAX + 1];
	uint64_t bytes;			/* bpf_prog.pages: fdinfo's memlock */
	uint32_t jited_len;
	uint64_t jit_bytes;		/* the JIT image's allocation */
	enum mw_bpf_jit_kind jit;
};

struct mw_bpf {
	struct mw_bpf_map *maps;	/* ranked by memlock_bytes */
	size_t nr_maps;
	struct mw_bpf_prog *progs;	/* ranked by bytes + jit_bytes */
	size_t nr_progs;
	uint64_t map_bytes, prog_bytes, jit_bytes;
	bool maps_incomplete, progs_incomplete;
	uint64_t page_size;
	uint64_t possible_cpus;
};

struct mw_error *mw_bpf_analyze(struct mw_kernel *k, struct mw_warnings *w, struct mw_bpf *ret);
void mw_bpf_deinit(struct mw_bpf *b);

/* bpf-memory-large when maps, programs and JIT images together hold
 * MW_BPF_FINDING_PERCENT of total_ram (bytes; nothing if 0) or more:
 * a warning, critical from a quarter of RAM. */
enum { MW_BPF_FINDING_PERCENT = 5 };
struct mw_findings;
struct mw_error *mw_bpf_findings(const struct mw_bpf *b, uint64_t total_ram,
				 struct mw_findings *out);

/* ---- the memory formulas, on numbers read from a map (tests use them) ---- */

struct mw_bpf_map_numbers {
	uint32_t type, key_size, value_size, max_entries;
	uint64_t map_flags;
	uint64_t page_size, possible_cpus;
	uint64_t struct_size;		/* sizeof(struct bpf_array) or (struct bpf_htab) */
	uint32_t elem_size;		/* bpf_array.elem_size or bpf_htab.elem_size */
	uint64_t bucket_size;		/* sizeof(struct bucket) */
	uint32_t n_buckets;		/* bpf_htab.n_buckets */
	uint64_t count;			/* bpf_htab elements in use (not preallocated) */
	uint32_t nr_pages;		/* bpf_ringbuf.nr_pages: meta and data pages */
};

/* fdinfo's memlock from 5.11 to 6.3 (possible_cpus for per-CPU maps). */
uint64_t mw_bpf_map_footprint(const struct mw_bpf_map_numbers *n);
/* array_map_mem_usage (array, percpu array, and the fd arrays) */
uint64_t mw_bpf_array_mem_usage(const struct mw_bpf_map_numbers *n);
/* htab_map_mem_usage; *exact false where kernels differ (LRU, hash of maps) */
uint64_t mw_bpf_htab_mem_usage(const struct mw_bpf_map_numbers *n, bool *exact);
/* ringbuf_map_mem_usage (ring buffer, user ring buffer); struct_size is
 * sizeof(struct bpf_ringbuf_map) */
uint64_t mw_bpf_ringbuf_mem_usage(const struct mw_bpf_map_numbers *n);
bool mw_bpf_map_is_array(uint32_t type);
bool mw_bpf_map_is_htab(uint32_t type);

#endif
