/* memwhere: the memory cgroup tree (see memcg.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/cpus.h"
#include "analyzer/layout.h"
#include "analyzer/memcg-internal.h"
#include "analyzer/memcg.h"
#include "analyzer/findings.h"
#include "common/addr-map.h"

/* ---- counters --------------------------------------------------------- */

static const struct {
	const char *name;	/* memory.stat */
	const char *item;	/* enum node_stat_item / memcg_stat_item */
} stat_defs[MW_MEMCG_NR_STATS] = {
	[MW_MEMCG_ANON] = { "anon", "NR_ANON_MAPPED" },
	[MW_MEMCG_FILE] = { "file", "NR_FILE_PAGES" },
	[MW_MEMCG_SHMEM] = { "shmem", "NR_SHMEM" },
	[MW_MEMCG_KERNEL] = { "kernel", "MEMCG_KMEM" },
	[MW_MEMCG_SOCK] = { "sock", "MEMCG_SOCK" },
	[MW_MEMCG_SLAB] = { "slab", NULL },
	[MW_MEMCG_SLAB_RECLAIMABLE] = { "slab_reclaimable", "NR_SLAB_RECLAIMABLE_B" },
	[MW_MEMCG_SLAB_UNRECLAIMABLE] = { "slab_unreclaimable", "NR_SLAB_UNRECLAIMABLE_B" },
	[MW_MEMCG_KERNEL_STACK] = { "kernel_stack", "NR_KERNEL_STACK_KB" },
	[MW_MEMCG_PAGETABLES] = { "pagetables", "NR_PAGETABLE" },
	[MW_MEMCG_PERCPU] = { "percpu", "MEMCG_PERCPU_B" },
	[MW_MEMCG_FILE_MAPPED] = { "file_mapped", "NR_FILE_MAPPED" },
	[MW_MEMCG_FILE_DIRTY] = { "file_dirty", "NR_FILE_DIRTY" },
	[MW_MEMCG_FILE_WRITEBACK] = { "file_writeback", "NR_WRITEBACK" },
	[MW_MEMCG_INACTIVE_ANON] = { "inactive_anon", "NR_INACTIVE_ANON" },
	[MW_MEMCG_ACTIVE_ANON] = { "active_anon", "NR_ACTIVE_ANON" },
	[MW_MEMCG_INACTIVE_FILE] = { "inactive_file", "NR_INACTIVE_FILE" },
	[MW_MEMCG_ACTIVE_FILE] = { "active_file", "NR_ACTIVE_FILE" },
	[MW_MEMCG_UNEVICTABLE] = { "unevictable", "NR_UNEVICTABLE" },
};

const char *mw_memcg_stat_name(enum mw_memcg_stat s)
{
	return (unsigned)s < MW_MEMCG_NR_STATS ? stat_defs[s].name : "?";
}

const char *mw_memcg_stat_item(enum mw_memcg_stat s)
{
	return (unsigned)s < MW_MEMCG_NR_STATS ? stat_defs[s].item : NULL;
}

const char *mw_charge_kind_name(enum mw_charge_kind kind)
{
	static const char *const names[MW_CHARGE_NR] = {
		[MW_CHARGE_ANON] = "anon", [MW_CHARGE_FILE] = "file",
		[MW_CHARGE_SHMEM] = "shmem", [MW_CHARGE_KERNEL] = "kernel",
		[MW_CHARGE_SLAB] = "slab", [MW_CHARGE_OTHER] = "other",
	};
	return (unsigned)kind < MW_CHARGE_NR ? names[kind] : "?";
}

/* ---- reads ------------------------------------------------------------ */

struct rd {
	mw_read_fn *read;
	void *arg;
};

static struct mw_error *rd_u64(const struct rd *r, uint64_t addr, uint64_t *v)
{
	return r->read(r->arg, addr, v, sizeof(*v));
}

static struct mw_error *rd_u32(const struct rd *r, uint64_t addr, uint32_t *v)
{
	return r->read(r->arg, addr, v, sizeof(*v));
}

/* The same where a failure only means "unknown": true if read. */
static bool ok_u64(const struct rd *r, uint64_t addr, uint64_t *v)
{
	return mw_read_ok(r->read, r->arg, addr, v, sizeof(*v));
}

static bool ok_u32(const struct rd *r, uint64_t addr, uint32_t *v)
{
	return mw_read_ok(r->read, r->arg, addr, v, sizeof(*v));
}

/* ---- the walk --------------------------------------------------------- */

/* What the walk keeps per memcg besides the result. */
struct scratch {
	int64_t state[MW_MEMCG_NR_STATS];	/* state[] entries, kernel units */
	int64_t delta[MW_MEMCG_NR_STATS];	/* own pending + per-CPU, then subtree sum */
	bool state_ok;
	bool delta_ok;
	bool bad[MW_MEMCG_NR_STATS];	/* folding overflowed: the figure cannot be */
};

static uint64_t pages_limit(uint64_t pages, uint64_t page_size)
{
	/* PAGE_COUNTER_MAX is LONG_MAX / PAGE_SIZE: anything that large is "max" */
	if (pages >= (uint64_t)INT64_MAX / page_size)
		return MW_MEMCG_UNLIMITED;
	return pages * page_size;
}

/* The cgroup's path from its kernfs nodes. */
static char *kn_path(const struct mw_memcg_layout *l, const struct rd *r,
		     uint64_t kn, struct mw_warnings *w, uint64_t memcg)
{
	char *names[MW_MEMCG_MAX_DEPTH + 1];
	size_t n = 0, total = 0;
	bool cut = false;
	char *path = NULL;

	for (unsigned d = 0; kn; d++) {
		uint64_t parent = 0, name_ptr = 0;
		struct mw_error *err;
		if (d > MW_MEMCG_MAX_DEPTH) {
			mw_warn(w, "memcg 0x%" PRIx64 ": kernfs path deeper than %d; cut",
				memcg, MW_MEMCG_MAX_DEPTH);
			cut = true;
			break;
		}
		if ((err = rd_u64(r, kn + l->kn_parent, &parent)) ||
		    (err = rd_u64(r, kn + l->kn_name, &name_ptr))) {
			mw_warn_error(w, err, "memcg path (kernfs_node)");
			cut = true;
			break;
		}
		if (!parent)
			break;	/* the hierarchy's root: its name is not in paths */
		char buf[MW_MEMCG_MAX_NAME];
		if ((err = mw_read_string(r->read, r->arg, name_ptr, buf, sizeof(buf)))) {
			mw_warn_error(w, err, "memcg path (kernfs name)");
			snprintf(buf, sizeof(buf), "?");
			cut = true;
		}
		if (n < MW_MEMCG_MAX_DEPTH + 1) {
			names[n] = strdup(buf);
			if (!names[n])
				goto out;
			total += strlen(buf) + 1;
			n++;
		}
		if (cut)
			break;
		kn = parent;
	}
	if (total > MW_MEMCG_MAX_PATH)
		mw_warn(w, "memcg 0x%" PRIx64 ": path longer than %d bytes", memcg,
			MW_MEMCG_MAX_PATH);
	path = malloc(total + 2 + (cut ? 4 : 0));
	if (!path)
		goto out;
	char *p = path;
	if (cut) {
		memcpy(p, "/...", 4);
		p += 4;
	}
	for (size_t i = n; i-- > 0;) {
		*p++ = '/';
		size_t len = strlen(names[i]);
		memcpy(p, names[i], len);
		p += len;
	}
	if (p == path)
		*p++ = '/';
	*p = '\0';
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return path;
}

/* Read the entries we keep of a state[]-shaped array at addr. */
static struct mw_error *read_state(const struct mw_memcg_layout *l,
				   const struct rd *r, uint64_t addr,
				   int64_t *buf, int64_t out[MW_MEMCG_NR_STATS])
{
	struct mw_error *err = r->read(r->arg, addr, buf, (size_t)l->nr_state * 8);
	if (err)
		return err;
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
		out[s] = l->stat_index[s] >= 0 ? buf[l->stat_index[s]] : 0;
	return NULL;
}

/* The same for a per-CPU array: a page of it the dump left out reads as
 * zeros when in->left_out_is_zero. */
static struct mw_error *read_state_percpu(const struct mw_memcg_layout *l,
					  const struct rd *r,
					  const struct mw_memcg_input *in, uint64_t addr,
					  int64_t *buf, int64_t out[MW_MEMCG_NR_STATS])
{
	size_t len = (size_t)l->nr_state * 8;
	struct mw_error *err = read_state(l, r, addr, buf, out);
	if (!err || err->code != MW_ERR_NOT_IN_DUMP || !in->left_out_is_zero)
		return err;
	mw_error_destroy(err);
	uint64_t ps = l->page_size ? l->page_size : 4096;
	for (size_t done = 0; done < len;) {
		size_t n = (size_t)(ps - ((addr + done) & (ps - 1)));
		if (n > len - done)
			n = len - done;
		err = r->read(r->arg, addr + done, (uint8_t *)buf + done, n);
		if (err && err->code == MW_ERR_NOT_IN_DUMP) {
			mw_error_destroy(err);
			memset((uint8_t *)buf + done, 0, n);
		} else if (err) {
			return err;
		}
		done += n;
	}
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
		out[s] = l->stat_index[s] >= 0 ? buf[l->stat_index[s]] : 0;
	return NULL;
}

/* Counters of one memcg: state[], and its own unflushed changes. */
static void read_stats(const struct mw_memcg_layout *l, const struct rd *r,
		       const struct mw_memcg_input *in, struct mw_memcg *m,
		       struct scratch *s, int64_t *buf, struct mw_warnings *w)
{
	struct mw_error *err;
	uint64_t vs = m->addr + l->vmstats, pcpu;

	if (l->vmstats_is_pointer && (err = rd_u64(r, vs, &vs))) {
		mw_warn_error(w, err, "memcg vmstats pointer");
		return;
	}
	if (!vs) {
		mw_warn(w, "memcg %s: no vmstats", m->path);
		return;
	}
	if ((err = read_state(l, r, vs + l->vs_state, buf, s->state))) {
		mw_warn_error(w, mw_error_prepend(err, "memcg %s", m->path),
			      "memcg counters");
		return;
	}
	s->state_ok = true;
	int64_t v[MW_MEMCG_NR_STATS], prev[MW_MEMCG_NR_STATS] = { 0 };
	memset(s->delta, 0, sizeof(s->delta));
	if (l->has_pending) {
		if ((err = read_state(l, r, vs + l->vs_pending, buf, v)))
			goto partial;
		memcpy(s->delta, v, sizeof(v));
	}
	if ((err = rd_u64(r, m->addr + l->vmstats_percpu, &pcpu)))
		goto partial;
	for (unsigned c = 0; c < in->nr_cpus; c++) {
		uint64_t a = pcpu + in->cpu_offsets[c];
		if ((err = read_state_percpu(l, r, in, a + l->vsp_state, buf, v)) ||
		    (l->has_prev &&
		     (err = read_state_percpu(l, r, in, a + l->vsp_prev, buf, prev))))
			goto partial;
		/* untrusted counters: fold with checked arithmetic */
		for (int i = 0; i < MW_MEMCG_NR_STATS; i++) {
			int64_t d;
			if (__builtin_sub_overflow(v[i], prev[i], &d) ||
			    __builtin_add_overflow(s->delta[i], d, &s->delta[i]))
				s->bad[i] = true;
		}
	}
	s->delta_ok = true;
	return;
partial:
	memset(s->delta, 0, sizeof(s->delta));
	mw_warn_error(w, mw_error_prepend(err, "memcg %s: unflushed changes not folded",
					  m->path), "memcg counters");
}

static int64_t css_refs(const struct mw_memcg_layout *l, const struct rd *r,
			const struct mw_memcg_input *in, uint64_t css)
{
	uint64_t ptr, data, count;
	if (!l->has_ref_data)
		return -1;
	if (!ok_u64(r, css + l->css_refcnt + l->ref_count_ptr, &ptr) ||
	    !ok_u64(r, css + l->css_refcnt + l->ref_data, &data) || !data ||
	    !ok_u64(r, data + l->ref_data_count, &count))
		return -1;
	if (ptr & 1)	/* __PERCPU_REF_ATOMIC: the count is all in data */
		return (int64_t)count;
	/* percpu mode: data->count carries PERCPU_COUNT_BIAS (1 << 63) */
	uint64_t sum = count - (1ULL << 63);
	uint64_t base = ptr & ~3ULL;
	for (unsigned c = 0; c < in->nr_cpus; c++) {
		uint64_t v;
		if (!ok_u64(r, base + in->cpu_offsets[c], &v))
			return -1;
		sum += v;
	}
	return (int64_t)sum;
}

static void read_node(const struct mw_memcg_layout *l, const struct rd *r,
		      const struct mw_memcg_input *in, struct mw_memcg *m,
		      struct scratch *s, int64_t *buf, struct mw_warnings *w)
{
	struct mw_error *err;
	uint64_t css = m->addr + l->css, kn = 0, v;
	uint32_t u32;
	int32_t id;

	if ((err = rd_u32(r, css + l->css_flags, &m->css_flags))) {
		mw_warn_error(w, mw_error_prepend(err, "memcg 0x%" PRIx64, m->addr),
			      "memcg css");
		m->path = strdup("?");
		return;
	}
	m->online = (m->css_flags & l->flag_online) &&
		    !(l->flag_dying && (m->css_flags & l->flag_dying));
	m->dying = !m->online;
	if (ok_u64(r, css + l->css_cgroup, &m->cgroup) && m->cgroup &&
	    ok_u64(r, m->cgroup + l->cgrp_kn, &kn) && kn)
		m->path = kn_path(l, r, kn, w, m->addr);
	if (!m->path) {
		char buf2[48];
		snprintf(buf2, sizeof(buf2), "/?0x%" PRIx64, m->addr);
		mw_warn(w, "memcg 0x%" PRIx64 ": no cgroup name", m->addr);
		m->path = strdup(buf2);
	}
	if (m->path) {
		char *slash = strrchr(m->path, '/');
		m->name = slash && slash[1] ? slash + 1 : m->path;
	}

	m->id = -1;
	if (ok_u32(r, m->addr + l->id_id, &u32)) {
		memcpy(&id, &u32, sizeof(id));
		if (id < 0 || id > MW_MEMCG_ID_MAX)
			mw_warn(w, "memcg %s: absurd id %" PRId32 "; shown as -1",
				m->path ? m->path : "?", id);
		else
			m->id = id;
	}
	m->css_id = -1;
	if (ok_u32(r, css + l->css_id, &u32)) {
		memcpy(&id, &u32, sizeof(id));
		m->css_id = id;
	}

	uint64_t pc = m->addr + l->memory;
	if ((err = rd_u64(r, pc + l->pc_usage, &v))) {
		mw_warn_error(w, mw_error_prepend(err, "memcg %s", m->path), "memcg usage");
	} else if ((int64_t)v > 0 && in->ram_bytes && v > in->ram_bytes / l->page_size) {
		mw_warn(w, "memcg %s: usage of %" PRIu64 " pages is more than the dump's %" PRIu64
			" bytes of RAM; dropped", m->path, v, in->ram_bytes);
	} else if ((int64_t)v < 0 && in->ram_bytes && 0 - v > in->ram_bytes / l->page_size) {
		/* page_counter_cancel resets a negative usage at once: one further
		 * below zero than RAM has pages is not an uncharge race */
		mw_warn(w, "memcg %s: usage of %" PRId64 " pages, further below zero than the"
			" dump's %" PRIu64 " bytes of RAM; dropped", m->path, (int64_t)v,
			in->ram_bytes);
	} else {
		m->usage_known = true;
		/* an atomic_long_t: a transiently negative value reads as 0 */
		m->usage_bytes = (int64_t)v < 0 ? 0 : v * l->page_size;
	}
	m->max_bytes = m->high_bytes = MW_MEMCG_UNLIMITED;
	m->low_bytes = m->min_bytes = 0;
	if (ok_u64(r, pc + l->pc_max, &v))
		m->max_bytes = pages_limit(v, l->page_size);
	if (l->has_high && ok_u64(r, pc + l->pc_high, &v))
		m->high_bytes = pages_limit(v, l->page_size);
	if (l->has_low && ok_u64(r, pc + l->pc_low, &v))
		m->low_bytes = pages_limit(v, l->page_size);
	uint64_t oom, kill;
	if (l->has_events &&
	    ok_u64(r, m->addr + l->memory_events + 8 * (uint64_t)l->ev_oom, &oom) &&
	    ok_u64(r, m->addr + l->memory_events + 8 * (uint64_t)l->ev_oom_kill, &kill)) {
		/* atomic_long_t: negative is nonsense, read as 0 */
		m->events_known = true;
		m->oom_events = (int64_t)oom < 0 ? 0 : oom;
		m->oom_kill_events = (int64_t)kill < 0 ? 0 : kill;
	}
	if (l->has_min && ok_u64(r, pc + l->pc_min, &v))
		m->min_bytes = pages_limit(v, l->page_size);
	if (l->has_swap && ok_u64(r, m->addr + l->swap + l->pc_usage, &v)) {
		m->swap_known = true;
		m->swap_bytes = (int64_t)v < 0 ? 0 : v * l->page_size;
	}
	if (m->dying) {
		m->pins.css_refs = css_refs(l, r, in, css);
		uint32_t ref;
		if (ok_u32(r, m->addr + l->id_ref, &ref))
			m->pins.swap_id_refs = ref;
	}
	read_stats(l, r, in, m, s, buf, w);
}

/* The growing arrays of a walk. */
struct walk {
	struct mw_memcg_tree *t;
	struct scratch *sc;
	size_t cap;
};

static struct mw_error *walk_grow(struct walk *wk)
{
	if (wk->t->nr < wk->cap)
		return NULL;
	size_t ncap = wk->cap * 2;
	struct mw_memcg *nm = realloc(wk->t->memcgs, ncap * sizeof(*nm));
	if (!nm)
		return &mw_error_nomem;
	wk->t->memcgs = nm;
	struct scratch *ns = realloc(wk->sc, ncap * sizeof(*ns));
	if (!ns)
		return &mw_error_nomem;
	wk->sc = ns;
	wk->cap = ncap;
	return NULL;
}

/* Walk the children list of memcgs[i]; append what it finds. */
static struct mw_error *walk_children(const struct mw_memcg_layout *l,
				      const struct rd *r, struct walk *wk,
				      struct mw_addr_map *seen, size_t i,
				      struct mw_warnings *w, bool *stop)
{
	struct mw_memcg_tree *t = wk->t;
	uint64_t css = t->memcgs[i].addr + l->css;
	uint64_t head = css + l->css_children, p;
	struct mw_error *err;
	const char *path = t->memcgs[i].path;

	if ((err = rd_u64(r, head, &p))) {
		mw_warn_error(w, mw_error_prepend(err, "children of memcg %s", path),
			      "memcg tree");
		t->walk_complete = false;
		return NULL;
	}
	for (size_t n = 0; p != head; n++) {
		if (!p) {
			mw_warn(w, "memcg tree: children list of %s has a NULL link; "
				"the rest of it is not reported", path);
			t->walk_complete = false;
			break;
		}
		if (t->nr >= MW_MEMCG_MAX_NODES) {
			mw_warn(w, "memcg tree: more than %d memcgs; the rest is not reported",
				MW_MEMCG_MAX_NODES);
			t->walk_complete = false;
			*stop = true;
			break;
		}
		uint64_t child_css = p - l->css_sibling;
		uint64_t child = child_css - l->css, parent;
		bool added;
		if ((err = rd_u64(r, child_css + l->css_parent, &parent))) {
			mw_warn_error(w, mw_error_prepend(err, "a child of memcg %s", path),
				      "memcg tree");
			t->walk_complete = false;
			break;
		}
		if (parent != css) {
			mw_warn(w, "memcg tree: children list of %s reaches 0x%" PRIx64
				" whose parent is 0x%" PRIx64 "; the list is cut there",
				path, child, parent);
			t->walk_complete = false;
			break;
		}
		if ((err = mw_addr_map_insert(seen, child, t->nr, &added)))
			return err;
		if (!added) {
			mw_warn(w, "memcg tree: children list of %s loops (0x%" PRIx64
				" seen twice after %zu entries); the list is cut there",
				path, child, n);
			t->walk_complete = false;
			break;
		}
		if ((err = walk_grow(wk)))
			return err;
		path = t->memcgs[i].path;	/* the array may have moved */
		struct mw_memcg *m = &t->memcgs[t->nr];
		memset(m, 0, sizeof(*m));
		memset(&wk->sc[t->nr], 0, sizeof(wk->sc[t->nr]));
		m->addr = child;
		m->parent = (ptrdiff_t)i;
		m->depth = t->memcgs[i].depth + 1;
		t->nr++;
		if ((err = rd_u64(r, p, &p))) {
			mw_warn_error(w, mw_error_prepend(err, "children of memcg %s", path),
				      "memcg tree");
			t->walk_complete = false;
			break;
		}
	}
	return NULL;
}

/* Reorder the breadth-first nodes into preorder (children in list order). */
static struct mw_error *to_preorder(struct mw_memcg_tree *t, struct scratch **sc)
{
	size_t n = t->nr;
	size_t *first = malloc(n * sizeof(*first)), *next = malloc(n * sizeof(*next));
	size_t *last = malloc(n * sizeof(*last)), *order = malloc(n * sizeof(*order));
	size_t *stack = malloc(n * sizeof(*stack)), *newidx = malloc(n * sizeof(*newidx));
	struct mw_memcg *nm = malloc(n * sizeof(*nm));
	struct scratch *ns = malloc(n * sizeof(*ns));
	struct mw_error *err = NULL;
	if (!first || !next || !last || !order || !stack || !newidx || !nm || !ns) {
		err = &mw_error_nomem;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		first[i] = next[i] = last[i] = SIZE_MAX;
	for (size_t i = 1; i < n; i++) {
		size_t p = (size_t)t->memcgs[i].parent;
		if (first[p] == SIZE_MAX)
			first[p] = i;
		else
			next[last[p]] = i;
		last[p] = i;
	}
	size_t sp = 0, k = 0;
	stack[sp++] = 0;
	while (sp) {
		size_t i = stack[--sp];
		order[k++] = i;
		/* push children in reverse so the first pops first */
		size_t cnt = 0;
		for (size_t c = first[i]; c != SIZE_MAX; c = next[c])
			cnt++;
		sp += cnt;
		size_t j = sp;
		for (size_t c = first[i]; c != SIZE_MAX; c = next[c])
			stack[--j] = c;
	}
	for (size_t i = 0; i < n; i++)
		newidx[order[i]] = i;
	for (size_t i = 0; i < n; i++) {
		nm[i] = t->memcgs[order[i]];
		ns[i] = (*sc)[order[i]];
		if (nm[i].parent >= 0)
			nm[i].parent = (ptrdiff_t)newidx[nm[i].parent];
	}
	free(t->memcgs);
	t->memcgs = nm;
	free(*sc);
	*sc = ns;
	nm = NULL;
	ns = NULL;
out:
	free(first);
	free(next);
	free(last);
	free(order);
	free(stack);
	free(newidx);
	free(nm);
	free(ns);
	return err;
}

/* A counter in bytes that could be: within RAM, and not far below zero
 * (small negatives are per-CPU drift, which the kernel shows as 0). */
static bool stat_possible(int64_t bytes, uint64_t ram_bytes)
{
	if (!ram_bytes || ram_bytes > INT64_MAX)
		return true;
	return bytes <= (int64_t)ram_bytes && bytes >= -(int64_t)ram_bytes;
}

/* Fold the unflushed changes up the tree and turn counters into bytes. */
static void fold(const struct mw_memcg_layout *l, struct mw_memcg_tree *t,
		 struct scratch *sc, uint64_t ram_bytes, struct mw_warnings *w)
{
	/* preorder: a child comes after its parent, so go backwards */
	for (size_t i = t->nr; i-- > 1;) {
		size_t p = (size_t)t->memcgs[i].parent;
		for (int s = 0; s < MW_MEMCG_NR_STATS; s++) {
			if (__builtin_add_overflow(sc[p].delta[s], sc[i].delta[s], &sc[p].delta[s]) ||
			    sc[i].bad[s])
				sc[p].bad[s] = true;
		}
		if (!sc[i].delta_ok)
			sc[p].delta_ok = false;
	}
	for (size_t i = 0; i < t->nr; i++) {
		struct mw_memcg *m = &t->memcgs[i];
		if (!sc[i].state_ok)
			continue;
		int bad = -1;
		for (int s = 0; s < MW_MEMCG_NR_STATS && bad < 0; s++) {
			if (l->stat_index[s] < 0)
				continue;
			int64_t flushed = sc[i].state[s], full, fb, b;
			if (sc[i].bad[s] ||
			    __builtin_add_overflow(flushed, sc[i].delta[s], &full) ||
			    __builtin_mul_overflow(flushed, (int64_t)l->stat_unit[s], &fb) ||
			    __builtin_mul_overflow(full, (int64_t)l->stat_unit[s], &b) ||
			    !stat_possible(fb, ram_bytes) || !stat_possible(b, ram_bytes)) {
				bad = s;
				break;
			}
			/* the kernel shows a negative counter as 0 */
			m->stat_flushed[s] = fb < 0 ? 0 : fb;
			m->stat[s] = b < 0 ? 0 : b;
		}
		if (bad >= 0) {
			/* a figure that cannot be: drop this memcg's counters */
			memset(m->stat, 0, sizeof(m->stat));
			memset(m->stat_flushed, 0, sizeof(m->stat_flushed));
			mw_warn(w, "memcg %s: counter %s (with its unflushed per-CPU changes) "
				"is beyond the dump's %" PRIu64 " bytes of RAM or overflows; "
				"its memory.stat figures are dropped",
				m->path ? m->path : "?", mw_memcg_stat_name(bad), ram_bytes);
			continue;
		}
		m->stat_known = true;
		m->stat[MW_MEMCG_SLAB] = m->stat[MW_MEMCG_SLAB_RECLAIMABLE] +
					 m->stat[MW_MEMCG_SLAB_UNRECLAIMABLE];
		m->stat_flushed[MW_MEMCG_SLAB] = m->stat_flushed[MW_MEMCG_SLAB_RECLAIMABLE] +
						 m->stat_flushed[MW_MEMCG_SLAB_UNRECLAIMABLE];
		/* v1 root: memory.usage_in_bytes is file + anon of its stats */
		if (i == 0 && t->v1) {
			m->usage_from_stats = true;
			m->usage_known = true;
			m->usage_bytes = (uint64_t)(m->stat[MW_MEMCG_FILE] + m->stat[MW_MEMCG_ANON]);
		}
	}
}

static void summarize(struct mw_memcg_tree *t)
{
	for (size_t i = 0; i < t->nr; i++)
		t->memcgs[i].own_usage_bytes = t->memcgs[i].usage_bytes;
	for (size_t i = 1; i < t->nr; i++) {
		struct mw_memcg *p = &t->memcgs[t->memcgs[i].parent];
		uint64_t u = t->memcgs[i].usage_bytes;
		p->own_usage_bytes = p->own_usage_bytes > u ? p->own_usage_bytes - u : 0;
	}
	for (size_t i = 0; i < t->nr; i++) {
		struct mw_memcg *m = &t->memcgs[i];
		if (m->dying)
			t->nr_dying++;
		else
			t->nr_online++;
		if (t->have_events && !m->events_known)
			t->events_unread++;
		if (m->parent < 0)
			continue;
		struct mw_memcg *p = &t->memcgs[m->parent];
		p->nr_children++;
		if (m->dying && !p->dying)
			t->dying_bytes += m->usage_bytes;
		if (m->dying)
			for (ptrdiff_t a = m->parent; a >= 0; a = t->memcgs[a].parent)
				t->memcgs[a].nr_dying_descendants++;
	}
}

static int cmp_addr(const void *a, const void *b, void *arg)
{
	const struct mw_memcg_tree *t = arg;
	uint64_t x = t->memcgs[*(const size_t *)a].addr, y = t->memcgs[*(const size_t *)b].addr;
	return x < y ? -1 : x > y;
}

static struct mw_error *index_by_addr(struct mw_memcg_tree *t)
{
	t->by_addr = malloc((t->nr ? t->nr : 1) * sizeof(*t->by_addr));
	if (!t->by_addr)
		return &mw_error_nomem;
	for (size_t i = 0; i < t->nr; i++)
		t->by_addr[i] = i;
	qsort_r(t->by_addr, t->nr, sizeof(*t->by_addr), cmp_addr, t);
	return NULL;
}

struct mw_error *mw_memcg_walk(const struct mw_memcg_layout *l,
			       mw_read_fn *read, void *arg,
			       const struct mw_memcg_input *in,
			       struct mw_warnings *w, struct mw_memcg_tree *ret)
{
	struct rd r = { read, arg };
	struct mw_addr_map seen = { 0 };
	struct walk wk = { .t = ret, .cap = 64 };
	int64_t *buf = NULL;
	struct mw_error *err = NULL;
	bool stop = false, added;

	memset(ret, 0, sizeof(*ret));
	ret->root_memcg = in->root;
	ret->v1 = in->v1;
	ret->page_size = l->page_size;
	ret->nr_cpus = in->nr_cpus;
	ret->kernel_nr_dying = -1;
	ret->walk_complete = true;
	ret->stat_read_flushes = l->has_pending;
	ret->have_events = l->has_events;
	if (!in->root)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "root_mem_cgroup is NULL: memory cgroups are disabled "
				       "(cgroup_disable=memory?)");
	if (!l->nr_state || l->nr_state > MW_MEMCG_MAX_STATE)
		return mw_error_create(MW_ERR_BAD_DATA, "memcg_vmstats.state has %" PRIu32
				       " entries", l->nr_state);
	ret->memcgs = calloc(wk.cap, sizeof(*ret->memcgs));
	wk.sc = calloc(wk.cap, sizeof(*wk.sc));
	buf = malloc((size_t)l->nr_state * 8);
	if (!ret->memcgs || !wk.sc || !buf) {
		err = &mw_error_nomem;
		goto out;
	}
	ret->memcgs[0].addr = in->root;
	ret->memcgs[0].parent = -1;
	ret->nr = 1;
	if ((err = mw_addr_map_insert(&seen, in->root, 0, &added)))
		goto out;

	/* Breadth first, each memcg read when its turn comes; a list that
	 * loops (into itself, a sibling's or an ancestor's) stops at the
	 * first memcg seen twice. */
	for (size_t i = 0; i < ret->nr; i++) {
		read_node(l, &r, in, &ret->memcgs[i], &wk.sc[i], buf, w);
		if (!ret->memcgs[i].path) {
			err = &mw_error_nomem;
			goto out;
		}
		if (stop)
			continue;
		if (ret->memcgs[i].depth >= MW_MEMCG_MAX_DEPTH) {
			mw_warn(w, "memcg tree: %s is %u deep; its children are not reported",
				ret->memcgs[i].path, ret->memcgs[i].depth);
			ret->walk_complete = false;
			continue;
		}
		if ((err = walk_children(l, &r, &wk, &seen, i, w, &stop)))
			goto out;
	}
	if ((err = to_preorder(ret, &wk.sc)))
		goto out;
	fold(l, ret, wk.sc, in->ram_bytes, w);
	memcpy(ret->stat_shown, l->stat_shown, sizeof(ret->stat_shown));
	summarize(ret);
	if ((err = index_by_addr(ret)))
		goto out;
	if (l->has_nr_dying && ret->memcgs[0].cgroup) {
		uint32_t v;
		if (ok_u32(&r, ret->memcgs[0].cgroup + l->cgrp_nr_dying, &v))
			ret->kernel_nr_dying = (int32_t)v;
	}
out:
	free(wk.sc);
	free(buf);
	mw_addr_map_deinit(&seen);
	if (err)
		mw_memcg_tree_deinit(ret);
	return err;
}

/* ---- the layout from the types ---------------------------------------- */

/* Map enum values to state[] indexes: direct (state[] has MEMCG_NR_STAT
 * entries) or through the kernel's mem_cgroup_stats_index[] table. */
static struct mw_error *resolve_stat_index(struct mw_kernel *k,
					   struct mw_memcg_layout *l,
					   const int64_t item[MW_MEMCG_NR_STATS],
					   int64_t nr_stat)
{
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
		l->stat_index[s] = -1;
	if (nr_stat <= 0 || nr_stat > 4096)
		return mw_error_create(MW_ERR_BAD_DATA, "MEMCG_NR_STAT is %" PRId64, nr_stat);
	if ((uint64_t)nr_stat <= l->nr_state) {
		for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
			if (item[s] >= 0 && item[s] < (int64_t)l->nr_state)
				l->stat_index[s] = (int32_t)item[s];
		return NULL;
	}
	/* Compact state[] (Linux 6.11+): mem_cgroup_stats_index[item] is the
	 * slot, either 1-based with 0 for "not kept" (the first form) or
	 * 0-based with U8_MAX for "not kept" (the later one). There are items
	 * not kept (nr_state < MEMCG_NR_STAT), so a 0-based table has U8_MAX
	 * entries and a 1-based one has none. */
	uint8_t map[4096];
	struct mw_error *err = mw_kernel_read_symbol(k, "mem_cgroup_stats_index", map,
						     (size_t)nr_stat);
	if (err)
		return mw_error_prepend(err, "memcg_vmstats.state has %" PRIu32
					" entries, fewer than MEMCG_NR_STAT (%" PRId64 ")",
					l->nr_state, nr_stat);
	bool zero_based = memchr(map, 0xff, (size_t)nr_stat) != NULL;
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++) {
		if (item[s] < 0 || item[s] >= nr_stat)
			continue;
		int v = map[item[s]];
		int idx = zero_based ? (v == 0xff ? -1 : v) : v - 1;
		if (idx >= (int)l->nr_state)
			return mw_error_create(MW_ERR_BAD_DATA,
					       "mem_cgroup_stats_index[%s] is %d, past state[%" PRIu32 "]",
					       stat_defs[s].item, v, l->nr_state);
		l->stat_index[s] = idx;
	}
	return NULL;
}

/* The fields whose values are worked out (shapes, kinds, fallbacks). */
struct memcg_raw {
	struct mw_field f_online, f_dying, swap, memsw, events, vmstats, vs_state,
		vs_pending, vsp_state, vsp_prev, vsp_stat, kn_parent, kn_parent2, nr_stat;
};

static struct mw_error *resolve_fields(struct mw_kernel *k,
				       struct mw_memcg_layout *l,
				       struct memcg_raw *r)
{
#define L struct mw_memcg_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "mem_cgroup.css", css),
		MW_LAYOUT_MEMBER(L, "cgroup_subsys_state.cgroup", css_cgroup),
		MW_LAYOUT_MEMBER(L, "cgroup_subsys_state.sibling", css_sibling),
		MW_LAYOUT_MEMBER(L, "cgroup_subsys_state.children", css_children),
		MW_LAYOUT_MEMBER(L, "cgroup_subsys_state.parent", css_parent),
		MW_LAYOUT_MEMBER(L, "cgroup_subsys_state.flags", css_flags),
		MW_LAYOUT_MEMBER(L, "cgroup_subsys_state.id", css_id),
		MW_LAYOUT_MEMBER(L, "cgroup_subsys_state.refcnt", css_refcnt),
		MW_LAYOUT_MEMBER_OPT(L, "percpu_ref.percpu_count_ptr", ref_count_ptr, has_ref_data),
		MW_LAYOUT_MEMBER_OPT(L, "percpu_ref.data", ref_data, has_ref_data),
		MW_LAYOUT_MEMBER_OPT(L, "percpu_ref_data.count", ref_data_count, has_ref_data),
		MW_LAYOUT_RAW(MW_FIELD_KIND_ENUM, "CSS_ONLINE", &r->f_online),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_ENUM, "CSS_DYING", &r->f_dying),
		MW_LAYOUT_MEMBER(L, "mem_cgroup.id.id", id_id),
		MW_LAYOUT_MEMBER(L, "mem_cgroup.id.ref", id_ref),
		MW_LAYOUT_MEMBER(L, "mem_cgroup.memory", memory),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mem_cgroup.swap", &r->swap),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mem_cgroup.memsw", &r->memsw),
		MW_LAYOUT_MEMBER(L, "page_counter.usage", pc_usage),
		MW_LAYOUT_MEMBER(L, "page_counter.max", pc_max),
		MW_LAYOUT_MEMBER_OPT(L, "page_counter.high", pc_high, has_high),
		MW_LAYOUT_MEMBER_OPT(L, "page_counter.low", pc_low, has_low),
		MW_LAYOUT_MEMBER_OPT(L, "page_counter.min", pc_min, has_min),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "mem_cgroup.memory_events", &r->events),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "mem_cgroup.vmstats", &r->vmstats),
		MW_LAYOUT_MEMBER(L, "mem_cgroup.vmstats_percpu", vmstats_percpu),
		/* the rstat form (struct memcg_vmstats) or the older one
		 * (mem_cgroup.vmstats[] with per-CPU batches in stat[]) */
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "memcg_vmstats.state", &r->vs_state),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "memcg_vmstats.state_pending", &r->vs_pending),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "memcg_vmstats_percpu.state", &r->vsp_state),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "memcg_vmstats_percpu.state_prev", &r->vsp_prev),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "memcg_vmstats_percpu.stat", &r->vsp_stat),
		MW_LAYOUT_MEMBER(L, "cgroup.kn", cgrp_kn),
		MW_LAYOUT_MEMBER_OPT(L, "cgroup.nr_dying_descendants", cgrp_nr_dying, has_nr_dying),
		MW_LAYOUT_MEMBER(L, "kernfs_node.name", kn_name),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "kernfs_node.parent", &r->kn_parent),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "kernfs_node.__parent", &r->kn_parent2),
		MW_LAYOUT_RAW(MW_FIELD_KIND_ENUM, "memcg_stat_item.MEMCG_NR_STAT", &r->nr_stat),
	};
#undef L
	memset(l, 0, sizeof(*l));
	return mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
}

/*
 * Which counters memory.stat shows: those whose item the kernel's
 * memory_stats[] table (struct memory_stat { name, [ratio,] idx }) names.
 * The table's entries are those within its symbol (the next symbol starts
 * after it); at most 128 are read. Where it cannot be read, every counter
 * this kernel keeps counts as shown (what memwhere said before).
 */
static void resolve_shown(struct mw_kernel *k, struct mw_memcg_layout *l,
			  const int64_t item[MW_MEMCG_NR_STATS])
{
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
		l->stat_shown[s] = l->stat_index[s] >= 0;
	l->stat_shown[MW_MEMCG_SLAB] = true;
	const struct mw_symbol *sym = k->symbols ? mw_symbols_find(k->symbols, "memory_stats") : NULL;
	uint64_t size;
	struct mw_member idx_m;
	struct mw_error *err = NULL;
	if (!sym || (err = mw_types_sizeof(k->types, "struct memory_stat", &size)) ||
	    (err = mw_types_member(k->types, "memory_stat.idx", &idx_m)) ||
	    idx_m.size != 4 || idx_m.bit_size || size < 8 || size > 64 || idx_m.offset + 4 > size) {
		mw_error_destroy(err);
		return;
	}
	bool named[MW_MEMCG_NR_STATS] = { false };
	size_t nr = 0;
	for (uint64_t i = 0; i < 128; i++) {
		uint64_t at = sym->address + i * size, off;
		if (mw_symbols_lookup_addr(k->symbols, at + size - 1, &off) != sym)
			break;
		uint32_t idx;
		err = mw_kernel_read(k, at + idx_m.offset, &idx, sizeof(idx));
		if (err) {
			mw_error_destroy(err);
			return;
		}
		nr++;
		for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
			if (item[s] >= 0 && (int64_t)idx == item[s])
				named[s] = true;
	}
	if (nr < 4)
		return;	/* not the table this expects */
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
		l->stat_shown[s] = named[s] && l->stat_index[s] >= 0;
	l->stat_shown[MW_MEMCG_SLAB] = l->stat_shown[MW_MEMCG_SLAB_RECLAIMABLE] ||
				       l->stat_shown[MW_MEMCG_SLAB_UNRECLAIMABLE];
}

/* Each counter's index into state[] and its unit. */
static struct mw_error *resolve_stats(struct mw_kernel *k, struct mw_memcg_layout *l,
				      int64_t nr_stat)
{
	int64_t item[MW_MEMCG_NR_STATS];
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++) {
		item[s] = -1;
		l->stat_unit[s] = l->page_size;
		const char *name = stat_defs[s].item;
		if (!name)
			continue;
		size_t len = strlen(name);
		if (len > 2 && strcmp(name + len - 2, "_B") == 0)
			l->stat_unit[s] = 1;
		else if (len > 3 && strcmp(name + len - 3, "_KB") == 0)
			l->stat_unit[s] = 1024;
		/* state[] is indexed by node and memcg items only: an
		 * enumerator of another enum (NR_PAGETABLE was a zone item
		 * before it counted per memcg) is not in it */
		static const char *const enums[] = { "node_stat_item", "memcg_stat_item" };
		for (size_t e = 0; e < MW_ARRAY_SIZE(enums) && item[s] < 0; e++) {
			struct mw_error *err = mw_types_enum_value(k->types, enums[e], name,
								   &item[s]);
			if (err) {
				mw_error_destroy(err);
				item[s] = -1;
			}
		}
	}
	struct mw_error *err = resolve_stat_index(k, l, item, nr_stat);
	if (!err)
		resolve_shown(k, l, item);
	return err;
}

/* memory.events' oom and oom_kill: an array of 8-byte counters indexed by
 * enum memcg_memory_event (v2 memcgs; left out when any part is missing). */
static void events_layout(struct mw_kernel *k, const struct mw_field *f,
			  struct mw_memcg_layout *l)
{
	int64_t oom, kill;
	struct mw_error *e1 = NULL, *e2 = NULL;
	l->has_events = false;
	if (!f->found || f->target_size != 8 || !f->nr_elements)
		return;
	e1 = mw_types_enum_value(k->types, NULL, "MEMCG_OOM", &oom);
	e2 = mw_types_enum_value(k->types, NULL, "MEMCG_OOM_KILL", &kill);
	if (e1 || e2 || oom < 0 || kill < 0 || (uint64_t)oom >= f->nr_elements ||
	    (uint64_t)kill >= f->nr_elements) {
		mw_error_destroy(e1);
		mw_error_destroy(e2);
		return;
	}
	l->has_events = true;
	l->memory_events = mw_u32_of(f->offset);
	l->nr_events = mw_u32_of(f->nr_elements);
	l->ev_oom = (int32_t)oom;
	l->ev_oom_kill = (int32_t)kill;
}

/* Where the counters are: struct memcg_vmstats (embedded or pointed to)
 * with state[] and state_pending[], per CPU state[] and state_prev[]; or,
 * in kernels without that struct, mem_cgroup.vmstats[] itself with per CPU
 * batches in memcg_vmstats_percpu.stat[] (each already counted in no
 * ancestor). Chosen by the members the types have. */
static struct mw_error *vmstats_layout(struct mw_kernel *k, const struct memcg_raw *r,
				       struct mw_memcg_layout *l)
{
	const char *rel = k->osrelease[0] ? k->osrelease : "?";
	l->vmstats = mw_u32_of(r->vmstats.offset);
	if (r->vmstats.kind == MW_KIND_ARRAY) {
		if (!r->vsp_stat.found)
			return mw_error_create(MW_ERR_NOT_FOUND,
					       "mem_cgroup.vmstats is an array but struct "
					       "memcg_vmstats_percpu has no member 'stat' "
					       "(kernel %s)", rel);
		if (r->vmstats.target_size != 8 || r->vsp_stat.target_size != 8 ||
		    r->vsp_stat.nr_elements != r->vmstats.nr_elements)
			return mw_error_create(MW_ERR_UNSUPPORTED,
					       "mem_cgroup.vmstats and memcg_vmstats_percpu.stat "
					       "differ in shape (%" PRIu64 " and %" PRIu64
					       " entries; kernel %s)", r->vmstats.nr_elements,
					       r->vsp_stat.nr_elements, rel);
		l->vmstats_is_pointer = false;
		l->nr_state = mw_u32_of(r->vmstats.nr_elements);
		l->vs_state = 0;
		l->vsp_state = mw_u32_of(r->vsp_stat.offset);
		l->has_pending = l->has_prev = false;
		return NULL;
	}
	if (!r->vs_state.found || !r->vs_pending.found || !r->vsp_state.found ||
	    !r->vsp_prev.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "no struct memcg_vmstats with state/state_pending and "
				       "memcg_vmstats_percpu state/state_prev, and "
				       "mem_cgroup.vmstats is no array (kernel %s)", rel);
	if (r->vs_state.nr_elements != r->vs_pending.nr_elements ||
	    r->vsp_state.nr_elements != r->vs_state.nr_elements ||
	    r->vsp_prev.nr_elements != r->vs_state.nr_elements || r->vs_state.target_size != 8)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "memcg_vmstats state arrays differ in shape (%" PRIu64
				       ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 " entries)",
				       r->vs_state.nr_elements, r->vs_pending.nr_elements,
				       r->vsp_state.nr_elements, r->vsp_prev.nr_elements);
	l->vmstats_is_pointer = r->vmstats.kind == MW_KIND_POINTER;
	if (!l->vmstats_is_pointer && r->vmstats.kind != MW_KIND_STRUCT)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "mem_cgroup.vmstats is a %s", mw_kind_name(r->vmstats.kind));
	l->nr_state = mw_u32_of(r->vs_state.nr_elements);
	l->vs_state = mw_u32_of(r->vs_state.offset);
	l->vs_pending = mw_u32_of(r->vs_pending.offset);
	l->vsp_state = mw_u32_of(r->vsp_state.offset);
	l->vsp_prev = mw_u32_of(r->vsp_prev.offset);
	l->has_pending = l->has_prev = true;
	return NULL;
}

static struct mw_error *resolve_layout(struct mw_kernel *k, struct mw_memcg_layout *l)
{
	struct memcg_raw r;
	struct mw_error *err = resolve_fields(k, l, &r);
	if (err)
		return err;
	if (!r.kn_parent.found && !r.kn_parent2.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "struct kernfs_node has no member 'parent' (nor '__parent')");
	if ((err = vmstats_layout(k, &r, l)))
		return err;
	l->page_size = k->vm.page_size;
	l->flag_online = (uint32_t)r.f_online.value;
	l->flag_dying = r.f_dying.found ? (uint32_t)r.f_dying.value : 0;
	l->has_swap = r.swap.found || r.memsw.found;
	l->swap = mw_u32_of(r.swap.found ? r.swap.offset : r.memsw.offset);
	l->kn_parent = mw_u32_of(r.kn_parent.found ? r.kn_parent.offset : r.kn_parent2.offset);
	events_layout(k, &r.events, l);
	return resolve_stats(k, l, r.nr_stat.value);
}

struct mw_error *mw_memcg_read(struct mw_kernel *k, struct mw_warnings *w,
			       struct mw_memcg_tree *ret)
{
	struct mw_memcg_layout l;
	struct mw_memcg_input in = { 0 };
	struct mw_cpus cpus = { 0 };
	struct mw_error *err;
	uint64_t root, cgroup = 0, dfl, cgrp_off;

	memset(ret, 0, sizeof(*ret));
	if (!k->types)
		return mw_error_create(MW_ERR_NOT_FOUND, "no kernel types");
	if ((err = resolve_layout(k, &l)))
		return mw_error_prepend(err, "memory cgroups");
	if ((err = mw_kernel_read_symbol(k, "root_mem_cgroup", &root, sizeof(root))))
		return mw_error_prepend(err, "memory cgroups");
	in.root = root;
	/* v2 when the root memcg's cgroup is cgrp_dfl_root.cgrp */
	if (root) {
		if ((err = mw_kernel_read(k, root + l.css + l.css_cgroup, &cgroup,
					  sizeof(cgroup))) ||
		    (err = mw_kernel_symbol(k, "cgrp_dfl_root", &dfl)) ||
		    (err = mw_types_offsetof(k->types, "cgroup_root.cgrp", &cgrp_off)))
			mw_warn_error(w, err, "memcg: cgroup v1 or v2? (taken as v2)");
		else
			in.v1 = cgroup != dfl + cgrp_off;
	}
	if ((err = mw_cpus_read(k, &cpus))) {
		mw_warn_error(w, err, "memcg: per-CPU counters not folded (no CPU list)");
	} else {
		in.cpu_offsets = cpus.offsets;
		in.nr_cpus = cpus.nr;
	}
	in.ram_bytes = mw_reader_info(k->reader)->total_bytes;
	in.left_out_is_zero = !mw_reader_info(k->reader)->incomplete;
	err = mw_memcg_walk(&l, mw_vm_read_cb, &k->vm, &in, w, ret);
	if (!err) {
		mw_memcg_read_stocks(k, &in, ret);
		mw_memcg_read_pins(k, &l, &in, w, ret);
	}
	mw_cpus_deinit(&cpus);
	return err;
}

void mw_memcg_tree_deinit(struct mw_memcg_tree *t)
{
	for (size_t i = 0; i < t->nr; i++) {
		struct mw_memcg *m = &t->memcgs[i];
		free(m->path);
		for (size_t f = 0; f < m->pins.nr_files; f++) {
			free(m->pins.files[f].path);
			free(m->pins.files[f].fs);
		}
		free(m->pins.files);
	}
	free(t->memcgs);
	free(t->by_addr);
	memset(t, 0, sizeof(*t));
}

ptrdiff_t mw_memcg_find_path(const struct mw_memcg_tree *t, const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	for (size_t i = 0; i < t->nr; i++) {
		const char *p = t->memcgs[i].path;
		if (p && strlen(p) == len && memcmp(p, path, len) == 0)
			return (ptrdiff_t)i;
	}
	return -1;
}

/* The last component of a path ("/a/b.scope" -> "b.scope"). */
static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

ptrdiff_t mw_memcg_find(const struct mw_memcg_tree *t, const char *query, size_t *matches)
{
	*matches = 0;
	ptrdiff_t i = mw_memcg_find_path(t, query);
	if (i >= 0 || !*query || strchr(query, '/')) {
		*matches = i >= 0;
		return i;
	}
	/* a unique name: "postgresql.service"; online ones first, a dying
	 * one of the same name only if no online one has it */
	ptrdiff_t found = -1;
	for (int pass = 0; pass < 2 && !*matches; pass++)
		for (size_t k = 0; k < t->nr; k++) {
			const struct mw_memcg *m = &t->memcgs[k];
			if (m->path && (pass || m->online) && !strcmp(base_name(m->path), query)) {
				found = (ptrdiff_t)k;
				++*matches;
			}
		}
	if (*matches)
		return *matches == 1 ? found : -1;
	/* a container ID or its prefix: a name that contains it ("cri-
	 * containerd-<id>.scope", "docker-<id>.scope", "<id>") */
	if (strlen(query) < 6)
		return -1;
	for (int pass = 0; pass < 2 && !*matches; pass++)
		for (size_t k = 0; k < t->nr; k++) {
			const struct mw_memcg *m = &t->memcgs[k];
			if (m->path && (pass || m->online) && strstr(base_name(m->path), query)) {
				found = (ptrdiff_t)k;
				++*matches;
			}
		}
	return *matches == 1 ? found : -1;
}

bool mw_memcg_in_subtree(const struct mw_memcg_tree *t, size_t i, size_t top)
{
	for (ptrdiff_t a = (ptrdiff_t)i; a >= 0; a = t->memcgs[a].parent)
		if ((size_t)a == top)
			return true;
	return false;
}

ptrdiff_t mw_memcg_find_addr(const struct mw_memcg_tree *t, uint64_t addr)
{
	size_t lo = 0, hi = t->by_addr ? t->nr : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t a = t->memcgs[t->by_addr[mid]].addr;
		if (a == addr)
			return (ptrdiff_t)t->by_addr[mid];
		if (a < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* ---- the finding ------------------------------------------------------ */

/* What most of a dying memcg's usage is, in words ("page cache"). */
static const char *mostly(const struct mw_memcg *m)
{
	static const struct { enum mw_memcg_stat s; const char *what; } kinds[] = {
		{ MW_MEMCG_FILE, "page cache" }, { MW_MEMCG_ANON, "anonymous memory" },
		{ MW_MEMCG_KERNEL, "kernel memory" }, { MW_MEMCG_SOCK, "socket buffers" },
	};
	const char *best = NULL;
	int64_t most = 0;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (m->stat[kinds[i].s] > most) {
			most = m->stat[kinds[i].s];
			best = kinds[i].what;
		}
	}
	if (best && m->stat[MW_MEMCG_FILE] == most && m->stat[MW_MEMCG_SHMEM] * 2 > most)
		best = "shmem/tmpfs";
	return best;
}

/* Severity: many dying memcgs, or 1% of the subtree's usage, or 64 MiB. */
enum { DYING_WARNING_COUNT = 50 };
#define DYING_WARNING_BYTES (64ULL << 20)

struct mw_error *mw_memcg_findings(const struct mw_memcg_tree *t, size_t top,
				   struct mw_findings *out)
{
	struct mw_finding_dying d = { .kernel_count = -1 };
	size_t holder = SIZE_MAX;
	uint64_t bytes = 0;
	const struct mw_memcg_file_pin *big = NULL;
	if (top >= t->nr)
		return NULL;
	for (size_t i = 0; i < t->nr; i++) {
		const struct mw_memcg *m = &t->memcgs[i];
		if (!m->dying || !mw_memcg_in_subtree(t, i, top))
			continue;
		d.count++;
		if (m->parent < 0 || !t->memcgs[m->parent].dying || i == top)
			bytes += m->usage_bytes;
		if (holder == SIZE_MAX || m->own_usage_bytes > t->memcgs[holder].own_usage_bytes)
			holder = i;
		d.lru_folios += m->pins.lru_folios;
		d.lru_bytes += m->pins.lru_bytes;
		d.writeback_structures += m->pins.offline_wbs;
		d.files += m->pins.nr_files + m->pins.nr_files_dropped;
		if (m->pins.other_refs > 0)
			d.other_refs += (uint64_t)m->pins.other_refs;
		if (m->pins.nr_files && (!big || m->pins.files[0].bytes > big->bytes))
			big = &m->pins.files[0];
	}
	if (!d.count)
		return NULL;
	if (big && big->path) {
		d.largest_file = big->path;
		d.largest_file_bytes = big->bytes;
	}
	d.largest_memcg = t->memcgs[holder].path;
	d.largest_memcg_bytes = t->memcgs[holder].usage_bytes;
	d.mostly = mostly(&t->memcgs[holder]);
	if (t->kernel_nr_dying >= 0 && top == 0)
		d.kernel_count = t->kernel_nr_dying;
	uint64_t whole = t->memcgs[top].usage_bytes;
	enum mw_severity sev = d.count >= DYING_WARNING_COUNT ||
		(whole && bytes * 100 >= whole) || bytes >= DYING_WARNING_BYTES ?
		MW_SEVERITY_WARNING : MW_SEVERITY_INFO;
	struct mw_finding *f = mw_findings_add(out, MW_FINDING_DYING_MEMCGS, sev, bytes);
	if (!f)
		return &mw_error_nomem;
	f->advice = MW_ADVICE_RECLAIM_DYING_MEMCGS;
	f->u.dying = d;
	return NULL;
}

/* ---- charges from the page scan --------------------------------------- */

struct charge_entry {
	uint64_t bytes[MW_CHARGE_NR];
};

struct mw_memcg_charges {
	struct mw_addr_map memcg_idx, objcg_idx;
	struct charge_entry *memcg, *objcg;
	size_t nr_memcg, cap_memcg, nr_objcg, cap_objcg;
};

struct mw_error *mw_memcg_charges_create(struct mw_memcg_charges **ret)
{
	*ret = calloc(1, sizeof(**ret));
	return *ret ? NULL : &mw_error_nomem;
}

void mw_memcg_charges_destroy(struct mw_memcg_charges *c)
{
	if (!c)
		return;
	mw_addr_map_deinit(&c->memcg_idx);
	mw_addr_map_deinit(&c->objcg_idx);
	free(c->memcg);
	free(c->objcg);
	free(c);
}

static struct mw_error *charge_add(struct mw_addr_map *map, struct charge_entry **arr,
				   size_t *nr, size_t *cap, uint64_t key,
				   enum mw_charge_kind kind, uint64_t bytes)
{
	bool added;
	struct mw_error *err;
	if (!key || (unsigned)kind >= MW_CHARGE_NR)
		return NULL;
	const size_t *idx = mw_addr_map_find(map, key);
	if (!idx) {
		if (*nr == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct charge_entry *na = realloc(*arr, ncap * sizeof(*na));
			if (!na)
				return &mw_error_nomem;
			*arr = na;
			*cap = ncap;
		}
		if ((err = mw_addr_map_insert(map, key, *nr, &added)))
			return err;
		memset(&(*arr)[*nr], 0, sizeof(**arr));
		idx = mw_addr_map_find(map, key);
		(*nr)++;
	}
	(*arr)[*idx].bytes[kind] += bytes;
	return NULL;
}

struct mw_error *mw_memcg_charge_memcg(struct mw_memcg_charges *c, uint64_t memcg,
				       enum mw_charge_kind kind, uint64_t bytes)
{
	return charge_add(&c->memcg_idx, &c->memcg, &c->nr_memcg, &c->cap_memcg,
			  memcg, kind, bytes);
}

struct mw_error *mw_memcg_charge_objcg(struct mw_memcg_charges *c, uint64_t objcg,
				       enum mw_charge_kind kind, uint64_t bytes)
{
	return charge_add(&c->objcg_idx, &c->objcg, &c->nr_objcg, &c->cap_objcg,
			  objcg, kind, bytes);
}

struct mw_error *mw_memcg_charges_merge(struct mw_memcg_charges *dst,
					const struct mw_memcg_charges *src)
{
	struct mw_error *err;
	for (size_t i = 0; i < src->memcg_idx.cap; i++) {
		if (!src->memcg_idx.keys[i])
			continue;
		const struct charge_entry *e = &src->memcg[src->memcg_idx.vals[i]];
		for (int k = 0; k < MW_CHARGE_NR; k++)
			if (e->bytes[k] &&
			    (err = mw_memcg_charge_memcg(dst, src->memcg_idx.keys[i],
							 (enum mw_charge_kind)k, e->bytes[k])))
				return err;
	}
	for (size_t i = 0; i < src->objcg_idx.cap; i++) {
		if (!src->objcg_idx.keys[i])
			continue;
		const struct charge_entry *e = &src->objcg[src->objcg_idx.vals[i]];
		for (int k = 0; k < MW_CHARGE_NR; k++)
			if (e->bytes[k] &&
			    (err = mw_memcg_charge_objcg(dst, src->objcg_idx.keys[i],
							 (enum mw_charge_kind)k, e->bytes[k])))
				return err;
	}
	return NULL;
}

static void charge_to(struct mw_memcg_tree *t, const struct mw_addr_map *byaddr,
		      uint64_t memcg, const struct charge_entry *e)
{
	const size_t *i = mw_addr_map_find(byaddr, memcg);
	for (int k = 0; k < MW_CHARGE_NR; k++) {
		if (!i) {
			t->charged_unknown_bytes += e->bytes[k];
			continue;
		}
		t->memcgs[*i].charged[k] += e->bytes[k];
		t->memcgs[*i].charged_bytes += e->bytes[k];
	}
}

struct mw_error *mw_memcg_apply_charges(struct mw_kernel *k,
					const struct mw_memcg_charges *c,
					struct mw_warnings *w,
					struct mw_memcg_tree *t)
{
	struct mw_addr_map byaddr = { 0 };
	struct mw_error *err;
	uint64_t off;
	bool added;

	for (size_t i = 0; i < t->nr; i++) {
		if ((err = mw_addr_map_insert(&byaddr, t->memcgs[i].addr, i, &added)))
			goto out;
		t->memcgs[i].charged_known = true;
	}
	t->charged_known = true;
	for (size_t i = 0; i < c->memcg_idx.cap; i++)
		if (c->memcg_idx.keys[i])
			charge_to(t, &byaddr, c->memcg_idx.keys[i],
				  &c->memcg[c->memcg_idx.vals[i]]);
	if (c->nr_objcg && (err = mw_types_offsetof(k->types, "obj_cgroup.memcg", &off))) {
		mw_warn_error(w, err, "memcg charges through obj_cgroups");
		err = NULL;
		goto out;
	}
	size_t bad = 0;
	uint64_t first_bad = 0;
	for (size_t i = 0; i < c->objcg_idx.cap; i++) {
		uint64_t objcg = c->objcg_idx.keys[i], memcg = 0;
		if (!objcg)
			continue;
		struct mw_error *rerr = mw_kernel_read(k, objcg + off, &memcg, sizeof(memcg));
		if (rerr) {
			mw_error_destroy(rerr);
			if (!bad++)
				first_bad = objcg;
			memcg = 0;
		}
		charge_to(t, &byaddr, memcg, &c->objcg[c->objcg_idx.vals[i]]);
	}
	if (bad)
		mw_warn(w, "memcg charges: %zu obj_cgroups unreadable (the first at 0x%" PRIx64 ")",
			bad, first_bad);
	err = NULL;
out:
	mw_addr_map_deinit(&byaddr);
	return err;
}
