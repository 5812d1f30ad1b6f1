/* memwhere: the memory cgroup tree (see memcg.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/cpus.h"
#include "analyzer/memcg-internal.h"
#include "analyzer/memcg.h"
#include "analyzer/summary.h"
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
	mw_memcg_read_fn *read;
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
	struct mw_error *err = rd_u64(r, addr, v);
	mw_error_destroy(err);
	return !err;
}

static bool ok_u32(const struct rd *r, uint64_t addr, uint32_t *v)
{
	struct mw_error *err = rd_u32(r, addr, v);
	mw_error_destroy(err);
	return !err;
}

struct mw_error *mw_memcg_read_string(mw_memcg_read_fn *read, void *arg,
				      uint64_t addr, char *buf, size_t len)
{
	size_t got = 0;
	if (!len)
		return NULL;
	buf[0] = '\0';
	while (got + 1 < len) {
		size_t n = 4096 - (size_t)((addr + got) & 4095);
		if (n > len - 1 - got)
			n = len - 1 - got;
		struct mw_error *err = read(arg, addr + got, buf + got, n);
		if (err) {
			buf[got] = '\0';
			return err;
		}
		if (memchr(buf + got, '\0', n))
			return NULL;
		got += n;
	}
	buf[got] = '\0';
	return NULL;
}

/* ---- the walk --------------------------------------------------------- */

/* What the walk keeps per memcg besides the result. */
struct scratch {
	int64_t state[MW_MEMCG_NR_STATS];	/* state[] entries, kernel units */
	int64_t delta[MW_MEMCG_NR_STATS];	/* own pending + per-CPU, then subtree sum */
	bool state_ok;
	bool delta_ok;
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
		if ((err = mw_memcg_read_string(r->read, r->arg, name_ptr, buf, sizeof(buf)))) {
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
	int64_t v[MW_MEMCG_NR_STATS], prev[MW_MEMCG_NR_STATS];
	if ((err = read_state(l, r, vs + l->vs_pending, buf, v)))
		goto partial;
	memcpy(s->delta, v, sizeof(v));
	if ((err = rd_u64(r, m->addr + l->vmstats_percpu, &pcpu)))
		goto partial;
	for (unsigned c = 0; c < in->nr_cpus; c++) {
		uint64_t a = pcpu + in->cpu_offsets[c];
		if ((err = read_state(l, r, a + l->vsp_state, buf, v)) ||
		    (err = read_state(l, r, a + l->vsp_prev, buf, prev)))
			goto partial;
		for (int i = 0; i < MW_MEMCG_NR_STATS; i++)
			s->delta[i] += v[i] - prev[i];
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

/* Fold the unflushed changes up the tree and turn counters into bytes. */
static void fold(const struct mw_memcg_layout *l, struct mw_memcg_tree *t,
		 struct scratch *sc)
{
	/* preorder: a child comes after its parent, so go backwards */
	for (size_t i = t->nr; i-- > 1;) {
		size_t p = (size_t)t->memcgs[i].parent;
		for (int s = 0; s < MW_MEMCG_NR_STATS; s++)
			sc[p].delta[s] += sc[i].delta[s];
		if (!sc[i].delta_ok)
			sc[p].delta_ok = false;
	}
	for (size_t i = 0; i < t->nr; i++) {
		struct mw_memcg *m = &t->memcgs[i];
		if (!sc[i].state_ok)
			continue;
		m->stat_known = true;
		for (int s = 0; s < MW_MEMCG_NR_STATS; s++) {
			if (l->stat_index[s] < 0)
				continue;
			int64_t flushed = sc[i].state[s], full = flushed + sc[i].delta[s];
			/* the kernel shows a negative counter as 0 */
			m->stat_flushed[s] = flushed < 0 ? 0 : flushed * (int64_t)l->stat_unit[s];
			m->stat[s] = full < 0 ? 0 : full * (int64_t)l->stat_unit[s];
		}
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
			       mw_memcg_read_fn *read, void *arg,
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
	fold(l, ret, wk.sc);
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

static uint32_t u32_of(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

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

static struct mw_error *resolve_layout(struct mw_kernel *k, struct mw_memcg_layout *l)
{
	struct mw_field css, css_cgroup, css_sibling, css_children, css_parent,
		css_flags, css_id, css_refcnt, ref_ptr, ref_data, ref_data_count,
		f_online, f_dying, id_id, id_ref, memory, swap, memsw, pc_usage,
		pc_max, pc_high, pc_low, pc_min, vmstats, vmstats_percpu, vs_state,
		vs_pending, vsp_state, vsp_prev, cgrp_kn, cgrp_nr_dying, kn_name,
		kn_parent, kn_parent2, nr_stat;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("mem_cgroup.css", &css),
		MW_FIELD_MEMBER("cgroup_subsys_state.cgroup", &css_cgroup),
		MW_FIELD_MEMBER("cgroup_subsys_state.sibling", &css_sibling),
		MW_FIELD_MEMBER("cgroup_subsys_state.children", &css_children),
		MW_FIELD_MEMBER("cgroup_subsys_state.parent", &css_parent),
		MW_FIELD_MEMBER("cgroup_subsys_state.flags", &css_flags),
		MW_FIELD_MEMBER("cgroup_subsys_state.id", &css_id),
		MW_FIELD_MEMBER("cgroup_subsys_state.refcnt", &css_refcnt),
		MW_FIELD_MEMBER_OPT("percpu_ref.percpu_count_ptr", &ref_ptr),
		MW_FIELD_MEMBER_OPT("percpu_ref.data", &ref_data),
		MW_FIELD_MEMBER_OPT("percpu_ref_data.count", &ref_data_count),
		MW_FIELD_ENUM("CSS_ONLINE", &f_online),
		MW_FIELD_ENUM_OPT("CSS_DYING", &f_dying),
		MW_FIELD_MEMBER("mem_cgroup.id.id", &id_id),
		MW_FIELD_MEMBER("mem_cgroup.id.ref", &id_ref),
		MW_FIELD_MEMBER("mem_cgroup.memory", &memory),
		MW_FIELD_MEMBER_OPT("mem_cgroup.swap", &swap),
		MW_FIELD_MEMBER_OPT("mem_cgroup.memsw", &memsw),
		MW_FIELD_MEMBER("page_counter.usage", &pc_usage),
		MW_FIELD_MEMBER("page_counter.max", &pc_max),
		MW_FIELD_MEMBER_OPT("page_counter.high", &pc_high),
		MW_FIELD_MEMBER_OPT("page_counter.low", &pc_low),
		MW_FIELD_MEMBER_OPT("page_counter.min", &pc_min),
		MW_FIELD_MEMBER("mem_cgroup.vmstats", &vmstats),
		MW_FIELD_MEMBER("mem_cgroup.vmstats_percpu", &vmstats_percpu),
		MW_FIELD_MEMBER("memcg_vmstats.state", &vs_state),
		MW_FIELD_MEMBER("memcg_vmstats.state_pending", &vs_pending),
		MW_FIELD_MEMBER("memcg_vmstats_percpu.state", &vsp_state),
		MW_FIELD_MEMBER("memcg_vmstats_percpu.state_prev", &vsp_prev),
		MW_FIELD_MEMBER("cgroup.kn", &cgrp_kn),
		MW_FIELD_MEMBER_OPT("cgroup.nr_dying_descendants", &cgrp_nr_dying),
		MW_FIELD_MEMBER("kernfs_node.name", &kn_name),
		MW_FIELD_MEMBER_OPT("kernfs_node.parent", &kn_parent),
		MW_FIELD_MEMBER_OPT("kernfs_node.__parent", &kn_parent2),
		MW_FIELD_ENUM("memcg_stat_item.MEMCG_NR_STAT", &nr_stat),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	if (!kn_parent.found && !kn_parent2.found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "struct kernfs_node has no member 'parent' (nor '__parent')");
	if (vs_state.nr_elements != vs_pending.nr_elements ||
	    vsp_state.nr_elements != vs_state.nr_elements ||
	    vsp_prev.nr_elements != vs_state.nr_elements || vs_state.target_size != 8)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "memcg_vmstats state arrays differ in shape (%" PRIu64
				       ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 " entries)",
				       vs_state.nr_elements, vs_pending.nr_elements,
				       vsp_state.nr_elements, vsp_prev.nr_elements);

	memset(l, 0, sizeof(*l));
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	l->page_size = info->page_size ? info->page_size : 4096;
	l->css = u32_of(css.offset);
	l->css_cgroup = u32_of(css_cgroup.offset);
	l->css_sibling = u32_of(css_sibling.offset);
	l->css_children = u32_of(css_children.offset);
	l->css_parent = u32_of(css_parent.offset);
	l->css_flags = u32_of(css_flags.offset);
	l->css_id = u32_of(css_id.offset);
	l->css_refcnt = u32_of(css_refcnt.offset);
	l->has_ref_data = ref_ptr.found && ref_data.found && ref_data_count.found;
	l->ref_count_ptr = u32_of(ref_ptr.offset);
	l->ref_data = u32_of(ref_data.offset);
	l->ref_data_count = u32_of(ref_data_count.offset);
	l->flag_online = (uint32_t)f_online.value;
	l->flag_dying = f_dying.found ? (uint32_t)f_dying.value : 0;
	l->id_id = u32_of(id_id.offset);
	l->id_ref = u32_of(id_ref.offset);
	l->memory = u32_of(memory.offset);
	l->has_swap = swap.found || memsw.found;
	l->swap = u32_of(swap.found ? swap.offset : memsw.offset);
	l->pc_usage = u32_of(pc_usage.offset);
	l->pc_max = u32_of(pc_max.offset);
	l->has_high = pc_high.found;
	l->pc_high = u32_of(pc_high.offset);
	l->has_low = pc_low.found;
	l->pc_low = u32_of(pc_low.offset);
	l->has_min = pc_min.found;
	l->pc_min = u32_of(pc_min.offset);
	l->vmstats = u32_of(vmstats.offset);
	l->vmstats_is_pointer = vmstats.kind == MW_KIND_POINTER;
	if (!l->vmstats_is_pointer && vmstats.kind != MW_KIND_STRUCT)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "mem_cgroup.vmstats is a %s", mw_kind_name(vmstats.kind));
	l->vmstats_percpu = u32_of(vmstats_percpu.offset);
	l->nr_state = u32_of(vs_state.nr_elements);
	l->vs_state = u32_of(vs_state.offset);
	l->vs_pending = u32_of(vs_pending.offset);
	l->vsp_state = u32_of(vsp_state.offset);
	l->vsp_prev = u32_of(vsp_prev.offset);
	l->cgrp_kn = u32_of(cgrp_kn.offset);
	l->has_nr_dying = cgrp_nr_dying.found;
	l->cgrp_nr_dying = u32_of(cgrp_nr_dying.offset);
	l->kn_name = u32_of(kn_name.offset);
	l->kn_parent = u32_of(kn_parent.found ? kn_parent.offset : kn_parent2.offset);

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
		err = mw_types_enum_value(k->types, NULL, name, &item[s]);
		if (err) {
			mw_error_destroy(err);
			item[s] = -1;
		}
	}
	return resolve_stat_index(k, l, item, nr_stat.value);
}

static struct mw_error *kernel_read_cb(void *arg, uint64_t addr, void *buf, size_t len)
{
	return mw_kernel_read(arg, addr, buf, len);
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
	err = mw_memcg_walk(&l, kernel_read_cb, k, &in, w, ret);
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

static void hbytes(uint64_t b, char *buf, size_t len)
{
	if (b >= (1ULL << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (1 << 30));
	else if (b >= (1ULL << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, len, "%.0f KiB", (double)b / 1024);
}

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

bool mw_memcg_finding(const struct mw_memcg_tree *t, size_t top,
		      struct mw_finding *f)
{
	size_t count = 0, holder = SIZE_MAX, nfiles = 0;
	uint64_t bytes = 0, folios = 0, lru_bytes = 0, other = 0, wbs = 0;
	const struct mw_memcg_file_pin *big = NULL;
	if (top >= t->nr)
		return false;
	for (size_t i = 0; i < t->nr; i++) {
		const struct mw_memcg *m = &t->memcgs[i];
		if (!m->dying || !mw_memcg_in_subtree(t, i, top))
			continue;
		count++;
		if (m->parent < 0 || !t->memcgs[m->parent].dying || i == top)
			bytes += m->usage_bytes;
		if (holder == SIZE_MAX || m->own_usage_bytes > t->memcgs[holder].own_usage_bytes)
			holder = i;
		folios += m->pins.lru_folios;
		lru_bytes += m->pins.lru_bytes;
		wbs += m->pins.offline_wbs;
		nfiles += m->pins.nr_files + m->pins.nr_files_dropped;
		if (m->pins.other_refs > 0)
			other += (uint64_t)m->pins.other_refs;
		if (m->pins.nr_files && (!big || m->pins.files[0].bytes > big->bytes)) {
			big = &m->pins.files[0];
		}
	}
	if (!count)
		return false;
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "dying-memcgs");
	uint64_t whole = t->memcgs[top].usage_bytes;
	f->severity = (count >= 50 || (whole && bytes * 100 >= whole) || bytes >= (64ULL << 20))
		? MW_SEVERITY_WARNING : MW_SEVERITY_INFO;
	f->bytes = bytes;
	char hb[32], hf[32];
	hbytes(bytes, hb, sizeof(hb));
	snprintf(f->title, sizeof(f->title),
		 "%zu removed memory cgroup%s not freed (dying), still holding %s",
		 count, count == 1 ? " is" : "s are", hb);

	char *e = f->evidence;
	size_t left = sizeof(f->evidence);
#define ADD(...) do { \
		int n_ = snprintf(e, left, __VA_ARGS__); \
		if (n_ < 0 || (size_t)n_ >= left) { e += left - 1; left = 1; } \
		else { e += n_; left -= (size_t)n_; } \
	} while (0)
	if (folios) {
		hbytes(lru_bytes, hf, sizeof(hf));
		ADD("%s of it in %" PRIu64 " charged folios on their LRU lists", hf, folios);
		if (nfiles)
			ADD(", pages of %zu file%s", nfiles, nfiles == 1 ? "" : "s");
		if (big && big->path) {
			hbytes(big->bytes, hf, sizeof(hf));
			ADD(", the largest %s (%s)", big->path, hf);
		}
	} else {
		const struct mw_memcg *m = &t->memcgs[holder];
		const char *what = mostly(m);
		hbytes(m->usage_bytes, hf, sizeof(hf));
		ADD("the largest, %s, holds %s%s%s", m->path, hf, what ? ", mostly " : "",
		    what ? what : "");
	}
	if (wbs)
		ADD("; %" PRIu64 " cgroup writeback structure%s", wbs, wbs == 1 ? "" : "s");
	if (other)
		ADD("; %" PRIu64 " other reference%s (sockets, ...)", other, other == 1 ? "" : "s");
	if (t->kernel_nr_dying >= 0 && top == 0)
		ADD("; the kernel counts %" PRId64 " dying cgroups", t->kernel_nr_dying);
#undef ADD
	snprintf(f->advice, sizeof(f->advice),
		 "A dying memcg is freed when its last charged page goes: reclaim its page "
		 "cache (memory.reclaim on the parent, or drop_caches) to release it. If they "
		 "keep piling up, jobs removed right after writing files others keep cached "
		 "(logs) or sockets left open are the usual cause.");
	return true;
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
	for (size_t i = 0; i < c->objcg_idx.cap; i++) {
		uint64_t objcg = c->objcg_idx.keys[i], memcg = 0;
		if (!objcg)
			continue;
		struct mw_error *rerr = mw_kernel_read(k, objcg + off, &memcg, sizeof(memcg));
		if (rerr) {
			mw_error_destroy(rerr);
			bad++;
			memcg = 0;
		}
		charge_to(t, &byaddr, memcg, &c->objcg[c->objcg_idx.vals[i]]);
	}
	if (bad)
		mw_warn(w, "memcg charges: %zu obj_cgroups unreadable", bad);
	err = NULL;
out:
	mw_addr_map_deinit(&byaddr);
	return err;
}
