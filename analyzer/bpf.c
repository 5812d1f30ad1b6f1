/* memwhere: BPF maps and programs as owners of kernel memory. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/bpf.h"
#include "analyzer/cpus.h"
#include "analyzer/findings.h"
#include "analyzer/kread.h"
#include "analyzer/walk.h"
#include "analyzer/xarray.h"

enum {
	LLIST_NODE_SIZE = 8,		/* struct llist_node */
	PTR_SIZE = 8,
	PACK_CHUNK = 64,		/* BPF_PROG_CHUNK_SIZE */
	JIT_HEADER = 4,			/* struct bpf_binary_header.size */
	MAX_JIT_SLACK = 128,		/* bpf_jit_binary_alloc's extra room */
};

static const char *const map_types[] = {
	"unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash",
	"percpu_array", "stack_trace", "cgroup_array", "lru_hash", "lru_percpu_hash",
	"lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap", "cpumap",
	"xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray",
	"percpu_cgroup_storage", "queue", "stack", "sk_storage", "devmap_hash",
	"struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
	"user_ringbuf", "cgrp_storage", "arena",
};
static const char *const prog_types[] = {
	"unspec", "socket_filter", "kprobe", "sched_cls", "sched_act", "tracepoint", "xdp",
	"perf_event", "cgroup_skb", "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit",
	"sock_ops", "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint",
	"cgroup_sock_addr", "lwt_seg6local", "lirc_mode2", "sk_reuseport",
	"flow_dissector", "cgroup_sysctl", "raw_tracepoint_writable", "cgroup_sockopt",
	"tracing", "struct_ops", "ext", "lsm", "sk_lookup", "syscall", "netfilter",
};

const char *mw_bpf_map_type_name(uint32_t type)
{
	return type < MW_ARRAY_SIZE(map_types) ? map_types[type] : NULL;
}

const char *mw_bpf_prog_type_name(uint32_t type)
{
	return type < MW_ARRAY_SIZE(prog_types) ? prog_types[type] : NULL;
}

const char *mw_bpf_memory_method_name(enum mw_bpf_memory_method m)
{
	switch (m) {
	case MW_BPF_MEM_USAGE: return "mem_usage";
	case MW_BPF_MEM_FOOTPRINT: return "footprint";
	case MW_BPF_MEM_CHARGED: return "charged";
	case MW_BPF_MEM_ESTIMATE: return "estimate";
	}
	return "?";
}

const char *mw_bpf_jit_kind_name(enum mw_bpf_jit_kind k)
{
	switch (k) {
	case MW_BPF_JIT_NONE: return "none";
	case MW_BPF_JIT_PACK: return "pack";
	case MW_BPF_JIT_PAGES: return "pages";
	case MW_BPF_JIT_UNKNOWN: return "unknown";
	}
	return "?";
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return to ? (v + to - 1) / to * to : v;
}

bool mw_bpf_map_is_array(uint32_t t)
{
	return t == MW_BPF_MAP_ARRAY || t == MW_BPF_MAP_PERCPU_ARRAY || t == MW_BPF_MAP_PROG_ARRAY ||
	       t == MW_BPF_MAP_PERF_EVENT_ARRAY || t == MW_BPF_MAP_CGROUP_ARRAY ||
	       t == MW_BPF_MAP_ARRAY_OF_MAPS;
}

bool mw_bpf_map_is_htab(uint32_t t)
{
	return t == MW_BPF_MAP_HASH || t == MW_BPF_MAP_PERCPU_HASH || t == MW_BPF_MAP_LRU_HASH ||
	       t == MW_BPF_MAP_LRU_PERCPU_HASH || t == MW_BPF_MAP_HASH_OF_MAPS;
}

uint64_t mw_bpf_map_footprint(const struct mw_bpf_map_numbers *n)
{
	/* bpf_map_value_size: a per-CPU map's value once per possible CPU */
	uint64_t value = n->value_size;
	if (n->type == MW_BPF_MAP_PERCPU_HASH || n->type == MW_BPF_MAP_LRU_PERCPU_HASH ||
	    n->type == MW_BPF_MAP_PERCPU_ARRAY || n->type == MW_BPF_MAP_PERCPU_CGROUP_STORAGE)
		value = round_up(value, 8) * n->possible_cpus;
	uint64_t size = round_up((uint64_t)n->key_size + value, 8);
	return round_up((uint64_t)n->max_entries * size, n->page_size);
}

uint64_t mw_bpf_array_mem_usage(const struct mw_bpf_map_numbers *n)
{
	uint64_t entries = n->max_entries, usage = n->struct_size;
	if (n->type == MW_BPF_MAP_PERCPU_ARRAY) {
		usage += entries * PTR_SIZE;
		usage += entries * n->elem_size * n->possible_cpus;
	} else if (n->map_flags & MW_BPF_F_MMAPABLE) {
		usage = round_up(usage, n->page_size) + round_up(entries * n->elem_size, n->page_size);
	} else {
		usage += entries * n->elem_size;
	}
	return usage;
}

uint64_t mw_bpf_htab_mem_usage(const struct mw_bpf_map_numbers *n, bool *exact)
{
	bool lru = n->type == MW_BPF_MAP_LRU_HASH || n->type == MW_BPF_MAP_LRU_PERCPU_HASH;
	bool percpu = n->type == MW_BPF_MAP_PERCPU_HASH || n->type == MW_BPF_MAP_LRU_PERCPU_HASH;
	bool prealloc = !(n->map_flags & MW_BPF_F_NO_PREALLOC);
	uint64_t value_size = round_up(n->value_size, 8), cpus = n->possible_cpus;
	uint64_t usage = n->struct_size + n->bucket_size * n->n_buckets +
			 4 * cpus * MW_BPF_HTAB_LOCK_COUNT;
	/* which hash maps get one extra element per CPU changed over the
	 * kernels for LRU maps and hash of maps: the older rule, not exact */
	*exact = !lru && n->type != MW_BPF_MAP_HASH_OF_MAPS;
	if (prealloc) {
		uint64_t entries = n->max_entries;
		if (!percpu && !lru)
			entries += cpus;
		usage += (uint64_t)n->elem_size * entries;
		if (percpu)
			usage += value_size * cpus * entries;
		else if (!lru)
			usage += PTR_SIZE * cpus;
	} else {
		usage += ((uint64_t)n->elem_size + LLIST_NODE_SIZE) * n->count;
		if (percpu) {
			usage += (LLIST_NODE_SIZE + PTR_SIZE) * n->count;
			usage += value_size * cpus * n->count;
		}
	}
	return usage;
}

uint64_t mw_bpf_ringbuf_mem_usage(const struct mw_bpf_map_numbers *n)
{
	/* the pages (meta and data) and the page pointers of its vmap: the
	 * meta pages once, the data pages twice (mapped twice in a row) */
	uint64_t data = n->page_size ? n->max_entries / n->page_size : 0;
	return n->struct_size + (uint64_t)n->nr_pages * n->page_size +
	       ((uint64_t)n->nr_pages + data) * PTR_SIZE;
}

/* ---- reading the dump ---- */

struct layout {
	struct mw_field map_idr_head, node_shift, node_slots, node_size;
	struct mw_field map_size, map_type, key_size, value_size, max_entries, map_flags, map_id,
		map_name, map_memory, memory_pages, mem_usage, map_objcg, objcg_memcg, map_memcg;
	struct mw_field array_map, array_size, array_elem_size;
	struct mw_field htab_map, htab_size, bucket_size, htab_n_buckets, htab_elem_size,
		htab_count, htab_use_pcount, htab_pcount, pcount_count, pcount_counters,
		htab_map_locked;
	struct mw_field ringbuf_map, ringbuf_size, ringbuf_rb, ringbuf_nr_pages;
	struct mw_field prog_size, prog_pages, prog_type, prog_jited_len, prog_aux, prog_func,
		aux_id, aux_name;
};

static struct mw_error *resolve(struct mw_types *t, struct layout *L)
{
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("idr.idr_rt.xa_head", &L->map_idr_head),
		MW_FIELD_MEMBER("xa_node.shift", &L->node_shift),
		MW_FIELD_MEMBER("xa_node.slots", &L->node_slots),
		MW_FIELD_SIZEOF("xa_node", &L->node_size),
		MW_FIELD_SIZEOF("bpf_map", &L->map_size),
		MW_FIELD_MEMBER("bpf_map.map_type", &L->map_type),
		MW_FIELD_MEMBER("bpf_map.key_size", &L->key_size),
		MW_FIELD_MEMBER("bpf_map.value_size", &L->value_size),
		MW_FIELD_MEMBER("bpf_map.max_entries", &L->max_entries),
		MW_FIELD_MEMBER("bpf_map.map_flags", &L->map_flags),
		MW_FIELD_MEMBER("bpf_map.id", &L->map_id),
		MW_FIELD_MEMBER_OPT("bpf_map.name", &L->map_name),
		MW_FIELD_MEMBER_OPT("bpf_map.memory", &L->map_memory),
		MW_FIELD_MEMBER_OPT("bpf_map_memory.pages", &L->memory_pages),
		MW_FIELD_MEMBER_OPT("bpf_map_ops.map_mem_usage", &L->mem_usage),
		MW_FIELD_MEMBER_OPT("bpf_map.objcg", &L->map_objcg),
		MW_FIELD_MEMBER_OPT("obj_cgroup.memcg", &L->objcg_memcg),
		MW_FIELD_MEMBER_OPT("bpf_map.memcg", &L->map_memcg),
		MW_FIELD_MEMBER_OPT("bpf_array.map", &L->array_map),
		MW_FIELD_SIZEOF_OPT("bpf_array", &L->array_size),
		MW_FIELD_MEMBER_OPT("bpf_array.elem_size", &L->array_elem_size),
		MW_FIELD_MEMBER_OPT("bpf_htab.map", &L->htab_map),
		MW_FIELD_SIZEOF_OPT("bpf_htab", &L->htab_size),
		MW_FIELD_SIZEOF_OPT("bucket", &L->bucket_size),
		MW_FIELD_MEMBER_OPT("bpf_htab.n_buckets", &L->htab_n_buckets),
		MW_FIELD_MEMBER_OPT("bpf_htab.elem_size", &L->htab_elem_size),
		MW_FIELD_MEMBER_OPT("bpf_htab.count", &L->htab_count),
		MW_FIELD_MEMBER_OPT("bpf_htab.use_percpu_counter", &L->htab_use_pcount),
		MW_FIELD_MEMBER_OPT("bpf_htab.pcount", &L->htab_pcount),
		MW_FIELD_MEMBER_OPT("bpf_htab.map_locked", &L->htab_map_locked),
		MW_FIELD_MEMBER_OPT("percpu_counter.count", &L->pcount_count),
		MW_FIELD_MEMBER_OPT("percpu_counter.counters", &L->pcount_counters),
		MW_FIELD_MEMBER_OPT("bpf_ringbuf_map.map", &L->ringbuf_map),
		MW_FIELD_SIZEOF_OPT("bpf_ringbuf_map", &L->ringbuf_size),
		MW_FIELD_MEMBER_OPT("bpf_ringbuf_map.rb", &L->ringbuf_rb),
		MW_FIELD_MEMBER_OPT("bpf_ringbuf.nr_pages", &L->ringbuf_nr_pages),
		MW_FIELD_SIZEOF("bpf_prog", &L->prog_size),
		MW_FIELD_MEMBER("bpf_prog.pages", &L->prog_pages),
		MW_FIELD_MEMBER("bpf_prog.type", &L->prog_type),
		MW_FIELD_MEMBER("bpf_prog.jited_len", &L->prog_jited_len),
		MW_FIELD_MEMBER("bpf_prog.aux", &L->prog_aux),
		MW_FIELD_MEMBER("bpf_prog.bpf_func", &L->prog_func),
		MW_FIELD_MEMBER("bpf_prog_aux.id", &L->aux_id),
		MW_FIELD_MEMBER_OPT("bpf_prog_aux.name", &L->aux_name),
	};
	return mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
}

static void copy_name(struct mw_kcur *c, uint64_t addr, const struct mw_field *f, char *out)
{
	memset(out, 0, MW_BPF_NAME_MAX + 1);
	if (!f->found)
		return;
	size_t n = f->size < MW_BPF_NAME_MAX ? f->size : MW_BPF_NAME_MAX;
	mw_kcur_bytes(c, addr + f->offset, out, n);
	out[MW_BPF_NAME_MAX] = '\0';
	for (size_t i = 0; out[i]; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			out[i] = '?';
}

struct ctx {
	struct mw_kernel *k;
	struct mw_warnings *w;
	const struct layout *L;
	struct mw_bpf *b;
	const struct mw_cpus *cpus;	/* NULL if unknown */
	size_t cap;
	struct mw_error *err;		/* the first read error (the walk stops) */
};

/* percpu_counter_sum: count plus every possible CPU's delta */
static uint64_t pcount_sum(struct ctx *c, struct mw_kcur *cur, uint64_t pc)
{
	const struct layout *L = c->L;
	int64_t sum = (int64_t)mw_kcur_u64(cur, pc + L->pcount_count.offset);
	uint64_t counters = mw_kcur_u64(cur, pc + L->pcount_counters.offset);
	for (unsigned i = 0; c->cpus && i < c->cpus->nr; i++)
		sum += (int32_t)mw_kcur_u32(cur, counters + c->cpus->offsets[i]);
	return sum > 0 ? (uint64_t)sum : 0;
}

static void map_memory(struct ctx *c, struct mw_kcur *cur, struct mw_bpf_map *m)
{
	const struct layout *L = c->L;
	struct mw_bpf_map_numbers n = {
		.type = m->type, .key_size = m->key_size, .value_size = m->value_size,
		.max_entries = m->max_entries, .map_flags = m->map_flags,
		.page_size = c->b->page_size, .possible_cpus = c->b->possible_cpus,
	};
	m->exact = true;
	if (!L->mem_usage.found) {
		if (L->map_memory.found && L->memory_pages.found) {
			m->method = MW_BPF_MEM_CHARGED;
			m->memlock_bytes = mw_kcur_u32(cur, m->addr + L->map_memory.offset +
						       L->memory_pages.offset) * n.page_size;
		} else {
			m->method = MW_BPF_MEM_FOOTPRINT;
			m->memlock_bytes = mw_bpf_map_footprint(&n);
		}
		return;
	}
	m->method = MW_BPF_MEM_USAGE;
	if (mw_bpf_map_is_array(m->type) && L->array_map.found && L->array_size.found &&
	    L->array_elem_size.found) {
		uint64_t a = m->addr - L->array_map.offset;
		n.struct_size = L->array_size.size;
		n.elem_size = mw_kcur_u32(cur, a + L->array_elem_size.offset);
		m->memlock_bytes = mw_bpf_array_mem_usage(&n);
		return;
	}
	if (mw_bpf_map_is_htab(m->type) && L->htab_map.found && L->htab_size.found &&
	    L->bucket_size.found && L->htab_n_buckets.found && L->htab_elem_size.found &&
	    L->htab_count.found) {
		uint64_t h = m->addr - L->htab_map.offset;
		n.struct_size = L->htab_size.size;
		n.bucket_size = L->bucket_size.size;
		n.n_buckets = mw_kcur_u32(cur, h + L->htab_n_buckets.offset);
		n.elem_size = mw_kcur_u32(cur, h + L->htab_elem_size.offset);
		bool pcount = L->htab_use_pcount.found &&
			      mw_kcur_u8(cur, h + L->htab_use_pcount.offset);
		if (pcount && L->htab_pcount.found && L->pcount_count.found &&
		    L->pcount_counters.found)
			n.count = pcount_sum(c, cur, h + L->htab_pcount.offset);
		else
			n.count = mw_kcur_u32(cur, h + L->htab_count.offset);
		if (n.count > n.max_entries)
			n.count = n.max_entries;
		m->memlock_bytes = mw_bpf_htab_mem_usage(&n, &m->exact);
		/* the per-CPU map_locked counters left struct bpf_htab (6.15);
		 * htab_map_mem_usage kept counting them on 6.18 and not on
		 * 7.3: without the member the formula is within those bytes */
		if (!c->cpus || !L->htab_map_locked.found)
			m->exact = false;
		return;
	}
	if ((m->type == MW_BPF_MAP_RINGBUF || m->type == MW_BPF_MAP_USER_RINGBUF) &&
	    L->ringbuf_map.found && L->ringbuf_size.found && L->ringbuf_rb.found &&
	    L->ringbuf_nr_pages.found) {
		uint64_t rb = mw_kcur_u64(cur, m->addr - L->ringbuf_map.offset + L->ringbuf_rb.offset);
		n.struct_size = L->ringbuf_size.size;
		n.nr_pages = mw_kcur_u32(cur, rb + L->ringbuf_nr_pages.offset);
		m->memlock_bytes = mw_bpf_ringbuf_mem_usage(&n);
		return;
	}
	m->method = MW_BPF_MEM_ESTIMATE;
	m->exact = false;
	m->memlock_bytes = mw_bpf_map_footprint(&n);
}

/* The memcg the map is charged to; unknown (0) on a bad pointer. */
static void map_memcg(struct ctx *c, struct mw_bpf_map *m)
{
	const struct layout *L = c->L;
	uint64_t objcg = 0, memcg = 0;
	if (L->map_objcg.found && L->objcg_memcg.found) {
		if (mw_kread_ok(c->k, m->addr + L->map_objcg.offset, &objcg, 8) &&
		    mw_kptr_ok(objcg, 8))
			mw_kread_ok(c->k, objcg + L->objcg_memcg.offset, &memcg, 8);
	} else if (L->map_memcg.found) {
		mw_kread_ok(c->k, m->addr + L->map_memcg.offset, &memcg, 8);
	}
	m->memcg = mw_kptr_ok(memcg, 8) ? memcg : 0;
}

static bool visit_map(void *arg, uint64_t index, uint64_t entry)
{
	struct ctx *c = arg;
	const struct layout *L = c->L;
	struct mw_bpf *b = c->b;
	if (!mw_kptr_ok(entry, 8)) {
		mw_warn(c->w, "bpf: map_idr[%" PRIu64 "] is not a kernel pointer (0x%" PRIx64
			"): left out", index, entry);
		return true;
	}
	if (b->nr_maps == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct mw_bpf_map *v = realloc(b->maps, cap * sizeof(*v));
		if (!v) {
			c->err = &mw_error_nomem;
			return false;
		}
		b->maps = v;
		c->cap = cap;
	}
	struct mw_bpf_map *m = &b->maps[b->nr_maps];
	memset(m, 0, sizeof(*m));
	struct mw_kcur cur = mw_kcur_kernel(c->k);
	m->addr = entry;
	m->type = (uint32_t)mw_kcur_uint(&cur, entry + L->map_type.offset, (unsigned)L->map_type.size);
	m->key_size = mw_kcur_u32(&cur, entry + L->key_size.offset);
	m->value_size = mw_kcur_u32(&cur, entry + L->value_size.offset);
	m->max_entries = mw_kcur_u32(&cur, entry + L->max_entries.offset);
	m->map_flags = mw_kcur_uint(&cur, entry + L->map_flags.offset, (unsigned)L->map_flags.size);
	m->id = mw_kcur_u32(&cur, entry + L->map_id.offset);
	copy_name(&cur, entry, &L->map_name, m->name);
	if (!cur.err)
		map_memory(c, &cur, m);
	if (!cur.err)
		map_memcg(c, m);
	if (cur.err) {
		char what[64];
		snprintf(what, sizeof(what), "bpf: map_idr[%" PRIu64 "] left out", index);
		mw_warn_error(c->w, cur.err, what);
		b->maps_incomplete = true;
		return true;
	}
	if (m->id != index)
		mw_warn(c->w, "bpf: map at 0x%" PRIx64 " has id %" PRIu32 " in map_idr[%" PRIu64 "]",
			entry, m->id, index);
	b->nr_maps++;
	return true;
}

/* The JIT image's allocation, from struct bpf_binary_header.size found
 * where the kernel finds it: the 64-byte chunk (bpf_prog_pack) or the page
 * holding bpf_func; a size that does not fit jited_len is not a header. */
static void prog_jit(struct ctx *c, uint64_t func, struct mw_bpf_prog *p)
{
	uint64_t page = c->b->page_size;
	uint32_t size = 0;
	p->jit = MW_BPF_JIT_NONE;
	if (!p->jited_len || !mw_kptr_ok(func, 1))
		return;
	uint64_t need = (uint64_t)p->jited_len + JIT_HEADER;
	if (mw_kread_ok(c->k, func & ~(uint64_t)(PACK_CHUNK - 1), &size, 4) &&
	    size % PACK_CHUNK == 0 && size >= need && size < need + 2 * PACK_CHUNK) {
		p->jit = MW_BPF_JIT_PACK;
		p->jit_bytes = size;
		return;
	}
	if (mw_kread_ok(c->k, func & ~(page - 1), &size, 4) && size % page == 0 &&
	    size >= need && size <= round_up(need + MAX_JIT_SLACK, page) + page) {
		p->jit = MW_BPF_JIT_PAGES;
		p->jit_bytes = size;
		return;
	}
	p->jit = MW_BPF_JIT_UNKNOWN;
	p->jit_bytes = p->jited_len;
}

static bool visit_prog(void *arg, uint64_t index, uint64_t entry)
{
	struct ctx *c = arg;
	const struct layout *L = c->L;
	struct mw_bpf *b = c->b;
	if (!mw_kptr_ok(entry, 8)) {
		mw_warn(c->w, "bpf: prog_idr[%" PRIu64 "] is not a kernel pointer (0x%" PRIx64
			"): left out", index, entry);
		return true;
	}
	if (b->nr_progs == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct mw_bpf_prog *v = realloc(b->progs, cap * sizeof(*v));
		if (!v) {
			c->err = &mw_error_nomem;
			return false;
		}
		b->progs = v;
		c->cap = cap;
	}
	struct mw_bpf_prog *p = &b->progs[b->nr_progs];
	memset(p, 0, sizeof(*p));
	struct mw_kcur cur = mw_kcur_kernel(c->k);
	p->addr = entry;
	p->bytes = mw_kcur_uint(&cur, entry + L->prog_pages.offset, (unsigned)L->prog_pages.size) *
		   b->page_size;
	p->type = (uint32_t)mw_kcur_uint(&cur, entry + L->prog_type.offset, (unsigned)L->prog_type.size);
	p->jited_len = mw_kcur_u32(&cur, entry + L->prog_jited_len.offset);
	uint64_t func = mw_kcur_u64(&cur, entry + L->prog_func.offset);
	uint64_t aux = mw_kcur_u64(&cur, entry + L->prog_aux.offset);
	if (!cur.err && !mw_kptr_ok(aux, 8))
		cur.err = mw_error_at(MW_ERR_BAD_DATA, entry, "bpf_prog.aux 0x%" PRIx64, aux);
	p->id = mw_kcur_u32(&cur, aux + L->aux_id.offset);
	copy_name(&cur, aux, &L->aux_name, p->name);
	if (cur.err) {
		char what[64];
		snprintf(what, sizeof(what), "bpf: prog_idr[%" PRIu64 "] left out", index);
		mw_warn_error(c->w, cur.err, what);
		b->progs_incomplete = true;
		return true;
	}
	prog_jit(c, func, p);
	if (p->id != index)
		mw_warn(c->w, "bpf: program at 0x%" PRIx64 " has id %" PRIu32 " in prog_idr[%"
			PRIu64 "]", entry, p->id, index);
	b->nr_progs++;
	return true;
}

/* Walk the idr at symbol: an error only if its head cannot be read; a walk
 * that breaks is a warning and *incomplete. */
static struct mw_error *walk_idr(struct ctx *c, const char *symbol, uint64_t object_size,
				 bool (*visit)(void *, uint64_t, uint64_t), bool *incomplete)
{
	const struct layout *L = c->L;
	uint64_t idr, head;
	struct mw_error *err;
	if ((err = mw_kernel_symbol(c->k, symbol, &idr)) ||
	    (err = mw_kread_u64(c->k, idr + L->map_idr_head.offset, &head)))
		return mw_error_prepend(err, "%s", symbol);
	uint64_t ram = mw_reader_info(c->k->reader)->total_bytes;
	struct mw_xarray x = {
		.read = mw_vm_read_cb, .arg = &c->k->vm,
		.node_shift = (uint32_t)L->node_shift.offset,
		.node_slots = (uint32_t)L->node_slots.offset,
		.max_nodes = mw_walk_cap(ram, L->node_size.size),
		.max_entries = mw_walk_cap(ram, object_size),
		.visit = visit, .ctx = c,
	};
	c->cap = 0;
	enum mw_xarray_end e = mw_xarray_walk(&x, head);
	if (c->err)
		return c->err;
	if (e != MW_XARRAY_DONE) {
		*incomplete = true;
		mw_warn(c->w, "bpf: %s: %s at 0x%" PRIx64 " after %" PRIu64 " entries: the rest "
			"is not read", symbol, mw_xarray_end_text(e), x.bad_address, x.entries);
	}
	return NULL;
}

static int cmp_map(const void *a, const void *b)
{
	const struct mw_bpf_map *x = a, *y = b;
	if (x->memlock_bytes != y->memlock_bytes)
		return x->memlock_bytes > y->memlock_bytes ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_prog(const void *a, const void *b)
{
	const struct mw_bpf_prog *x = a, *y = b;
	uint64_t bx = x->bytes + x->jit_bytes, by = y->bytes + y->jit_bytes;
	if (bx != by)
		return bx > by ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct mw_error *mw_bpf_analyze(struct mw_kernel *k, struct mw_warnings *w, struct mw_bpf *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct layout L;
	struct mw_error *err = resolve(k->types, &L);
	if (err)
		return mw_error_prepend(err, "bpf");
	ret->page_size = k->vm.page_size;
	struct mw_cpus cpus;
	bool have_cpus = false;
	if ((err = mw_cpus_read(k, &cpus)))
		mw_warn_error(w, err, "bpf: possible CPUs unknown, per-CPU map memory not exact");
	else
		have_cpus = true;
	ret->possible_cpus = have_cpus ? cpus.nr : 1;
	struct ctx c = { .k = k, .w = w, .L = &L, .b = ret, .cpus = have_cpus ? &cpus : NULL };
	if ((err = walk_idr(&c, "map_idr", L.map_size.size, visit_map, &ret->maps_incomplete)) ||
	    (err = walk_idr(&c, "prog_idr", L.prog_size.size, visit_prog, &ret->progs_incomplete))) {
		if (have_cpus)
			mw_cpus_deinit(&cpus);
		mw_bpf_deinit(ret);
		return mw_error_prepend(err, "bpf");
	}
	if (have_cpus)
		mw_cpus_deinit(&cpus);
	qsort(ret->maps, ret->nr_maps, sizeof(*ret->maps), cmp_map);
	qsort(ret->progs, ret->nr_progs, sizeof(*ret->progs), cmp_prog);
	for (size_t i = 0; i < ret->nr_maps; i++)
		ret->map_bytes += ret->maps[i].memlock_bytes;
	for (size_t i = 0; i < ret->nr_progs; i++) {
		ret->prog_bytes += ret->progs[i].bytes;
		ret->jit_bytes += ret->progs[i].jit_bytes;
	}
	return NULL;
}

struct mw_error *mw_bpf_findings(const struct mw_bpf *b, uint64_t total_ram,
				 struct mw_findings *out)
{
	uint64_t bytes = b->map_bytes + b->prog_bytes + b->jit_bytes;
	if (!total_ram || bytes * 100 < total_ram * MW_BPF_FINDING_PERCENT)
		return NULL;
	enum mw_severity sev = bytes * 4 >= total_ram ? MW_SEVERITY_CRITICAL : MW_SEVERITY_WARNING;
	struct mw_finding *f = mw_findings_add(out, MW_FINDING_BPF_LARGE, sev, bytes);
	if (!f)
		return &mw_error_nomem;
	f->advice = MW_ADVICE_BPF;
	struct mw_finding_bpf *e = &f->u.bpf;
	e->nr_maps = b->nr_maps;
	e->nr_progs = b->nr_progs;
	e->map_bytes = b->map_bytes;
	e->prog_bytes = b->prog_bytes + b->jit_bytes;
	e->percent_ram = 100.0 * (double)bytes / (double)total_ram;
	e->largest_map = b->nr_maps ? &b->maps[0] : NULL;
	return NULL;
}

void mw_bpf_deinit(struct mw_bpf *b)
{
	free(b->maps);
	free(b->progs);
	memset(b, 0, sizeof(*b));
}
