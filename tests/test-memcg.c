/* The memcg walk over a fake memory image laid out by hand (TAP):
 * counters folded as the kernel's flush would (state + pending of the
 * subtree + per-CPU state - state_prev), preorder paths from kernfs names,
 * dying flags, limits; and hostile trees: a sibling list that loops, a
 * child list that reaches back to an ancestor, a NULL link, a link out of
 * memory, an absurd id, a chain deeper than the bound. Every walk must end,
 * warn, and report the rest. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/memcg-internal.h"
#include "tests/fakemem.h"
#include "tests/tap.h"

#define BASE 0xffff888000000000ULL
enum {
	IMG_SIZE = 4 << 20,
	NSTATE = 8,
	NCPU = 2,
	PAGE = 4096,
	/* struct mem_cgroup of the fake kernel */
	MEMCG_SIZE = 0x200,
	OFF_CGROUP = 0x00, OFF_SIBLING = 0x20, OFF_CHILDREN = 0x30, OFF_PARENT = 0x40,
	OFF_FLAGS = 0x48, OFF_CSSID = 0x4c, OFF_REFCNT = 0x50,
	OFF_ID = 0x100, OFF_IDREF = 0x104,
	OFF_MEMORY = 0x140, OFF_SWAP = 0x180,
	OFF_VMSTATS = 0x1c0, OFF_PERCPU = 0x1c8,
	PC_USAGE = 0, PC_MAX = 8, PC_HIGH = 16, PC_LOW = 24, PC_MIN = 32,
	/* struct memcg_vmstats / memcg_vmstats_percpu */
	VS_STATE = 0, VS_PENDING = NSTATE * 8, VS_SIZE = 2 * NSTATE * 8,
	/* struct cgroup, struct kernfs_node */
	CG_KN = 0x10, CG_NR_DYING = 0x18, CG_SIZE = 0x20,
	KN_PARENT = 0, KN_NAME = 8, KN_SIZE = 0x10,
	ONLINE = 2, DYING = 16,
};

/* A memcg with usage (pages), stats, and a kernfs node named name. */
static uint64_t new_memcg(struct fakemem *im, uint64_t parent, const char *name,
			  int id, bool online, uint64_t usage_pages,
			  const int64_t state[NSTATE], const int64_t pending[NSTATE],
			  const int64_t cpu_delta[NCPU][NSTATE])
{
	uint64_t m = fakemem_alloc(im, MEMCG_SIZE);
	uint64_t cg = fakemem_alloc(im, CG_SIZE), kn = fakemem_alloc(im, KN_SIZE);
	uint64_t vs = fakemem_alloc(im, VS_SIZE);
	/* per-CPU copies: the percpu pointer plus CPU c's offset, c * VS_SIZE */
	uint64_t pcpu = fakemem_alloc(im, VS_SIZE * NCPU);
	fakemem_put64(im, m + OFF_CGROUP, cg);
	fakemem_list_init(im, m + OFF_CHILDREN);
	fakemem_put64(im, m + OFF_PARENT, parent);
	fakemem_put32(im, m + OFF_FLAGS, online ? ONLINE : DYING);
	fakemem_put32(im, m + OFF_CSSID, (uint32_t)id);
	fakemem_put32(im, m + OFF_ID, (uint32_t)id);
	fakemem_put64(im, m + OFF_MEMORY + PC_USAGE, usage_pages);
	fakemem_put64(im, m + OFF_MEMORY + PC_MAX, 0x7fffffffffffffffULL / PAGE);
	fakemem_put64(im, m + OFF_MEMORY + PC_HIGH, 0x7fffffffffffffffULL / PAGE);
	fakemem_put64(im, m + OFF_VMSTATS, vs);
	fakemem_put64(im, m + OFF_PERCPU, pcpu);
	for (int i = 0; i < NSTATE; i++) {
		fakemem_put64(im, vs + VS_STATE + 8 * i, (uint64_t)(state ? state[i] : 0));
		fakemem_put64(im, vs + VS_PENDING + 8 * i, (uint64_t)(pending ? pending[i] : 0));
		for (int c = 0; c < NCPU; c++) {
			uint64_t a = pcpu + (uint64_t)c * VS_SIZE;
			/* state = prev + delta, with some history in both */
			int64_t d = cpu_delta ? cpu_delta[c][i] : 0;
			fakemem_put64(im, a + VS_STATE + 8 * i, (uint64_t)(1000 + d));
			fakemem_put64(im, a + VS_PENDING + 8 * i, 1000);
		}
	}
	fakemem_put64(im, cg + CG_KN, kn);
	uint64_t pkn = 0;
	if (parent) {
		uint64_t pcg = fakemem_get64(im, parent + OFF_CGROUP);
		pkn = fakemem_get64(im, pcg + CG_KN);
		fakemem_list_add_tail(im, m + OFF_SIBLING, parent + OFF_CHILDREN);
	}
	fakemem_put64(im, kn + KN_PARENT, pkn);
	fakemem_put64(im, kn + KN_NAME, fakemem_put_string(im, name));
	return m;
}

static void layout(struct mw_memcg_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->page_size = PAGE;
	l->css = 0;
	l->css_cgroup = OFF_CGROUP;
	l->css_sibling = OFF_SIBLING;
	l->css_children = OFF_CHILDREN;
	l->css_parent = OFF_PARENT;
	l->css_flags = OFF_FLAGS;
	l->css_id = OFF_CSSID;
	l->css_refcnt = OFF_REFCNT;
	l->flag_online = ONLINE;
	l->flag_dying = DYING;
	l->id_id = OFF_ID;
	l->id_ref = OFF_IDREF;
	l->memory = OFF_MEMORY;
	l->has_swap = true;
	l->swap = OFF_SWAP;
	l->pc_usage = PC_USAGE;
	l->pc_max = PC_MAX;
	l->has_high = l->has_low = l->has_min = true;
	l->pc_high = PC_HIGH;
	l->pc_low = PC_LOW;
	l->pc_min = PC_MIN;
	l->vmstats = OFF_VMSTATS;
	l->vmstats_is_pointer = true;
	l->vmstats_percpu = OFF_PERCPU;
	l->nr_state = NSTATE;
	l->vs_state = VS_STATE;
	l->vs_pending = VS_PENDING;
	l->vsp_state = VS_STATE;
	l->vsp_prev = VS_PENDING;	/* state_prev sits where pending does */
	l->has_pending = l->has_prev = true;
	for (int s = 0; s < MW_MEMCG_NR_STATS; s++) {
		l->stat_index[s] = -1;
		l->stat_unit[s] = PAGE;
	}
	l->stat_index[MW_MEMCG_ANON] = 0;
	l->stat_index[MW_MEMCG_FILE] = 1;
	l->stat_index[MW_MEMCG_SHMEM] = 2;
	l->stat_index[MW_MEMCG_KERNEL] = 3;
	l->stat_index[MW_MEMCG_SOCK] = 4;
	l->stat_index[MW_MEMCG_SLAB_RECLAIMABLE] = 5;
	l->stat_unit[MW_MEMCG_SLAB_RECLAIMABLE] = 1;
	l->stat_index[MW_MEMCG_SLAB_UNRECLAIMABLE] = 6;
	l->stat_unit[MW_MEMCG_SLAB_UNRECLAIMABLE] = 1;
	l->stat_index[MW_MEMCG_KERNEL_STACK] = 7;
	l->stat_unit[MW_MEMCG_KERNEL_STACK] = 1024;
	l->cgrp_kn = CG_KN;
	l->has_nr_dying = true;
	l->cgrp_nr_dying = CG_NR_DYING;
	l->kn_name = KN_NAME;
	l->kn_parent = KN_PARENT;
}

static void img_init(struct fakemem *im)
{
	fakemem_init(im);
	fakemem_map(im, BASE, IMG_SIZE);
	fakemem_alloc(im, 64);	/* address BASE itself stays unused */
}

static struct mw_error *walk_batches(struct fakemem *im, uint64_t root, bool batches,
				     struct mw_warnings *w, struct mw_memcg_tree *t)
{
	struct mw_memcg_layout l;
	layout(&l);
	if (batches)	/* no memcg_vmstats: per-CPU stat[] batches, no pending/prev */
		l.has_pending = l.has_prev = false;
	uint64_t offs[NCPU];
	for (int c = 0; c < NCPU; c++)
		offs[c] = (uint64_t)c * VS_SIZE;
	struct mw_memcg_input in = {
		.root = root, .cpu_offsets = offs, .nr_cpus = NCPU,
		.ram_bytes = 1ULL << 30,
	};
	return mw_memcg_walk(&l, fakemem_read, im, &in, w, t);
}

static struct mw_error *walk(struct fakemem *im, uint64_t root, struct mw_warnings *w,
			     struct mw_memcg_tree *t)
{
	return walk_batches(im, root, false, w, t);
}

static bool warned(const struct mw_warnings *w, const char *needle)
{
	for (size_t i = 0; i < w->kept; i++)
		if (strstr(w->text[i], needle))
			return true;
	return false;
}

static void test_fold(void)
{
	struct fakemem im;
	img_init(&im);
	/*            root
	 *          /      \
	 *        a (online) b (dying)
	 *        |
	 *        c (online)
	 * state[] holds what was flushed; pending and per-CPU deltas what
	 * was not. anon (index 0) expected after folding, in pages:
	 *   c: 10 + 1 + (2 + 3)                    = 16
	 *   a: 30 + 4 + (1) + c's (1 + 5)          = 41
	 *   b: 7 + 0 + (-2 + 0)                    = 5
	 *   root: 100 + 0 + 0 + a's (4+1+1+5) + b's (-2) = 109
	 */
	int64_t s_root[NSTATE] = { 100, 50, 0, 0, 0, 0, 0, 0 };
	int64_t s_a[NSTATE] = { 30, 20, 4, 0, 0, 4096, 8192, 0 };
	int64_t p_a[NSTATE] = { 4, 0, 0, 0, 0, 0, 0, 0 };
	int64_t d_a[NCPU][NSTATE] = { { 1 }, { 0, 0, 0, 0, 0, 100 } };
	int64_t s_c[NSTATE] = { 10, 0, 0, 0, 0, 0, 0, 16 };
	int64_t p_c[NSTATE] = { 1, 0, 0, 0, 0, 0, 0, 0 };
	int64_t d_c[NCPU][NSTATE] = { { 2 }, { 3, 0, 0, 0, 0, 0, 0, -16 } };
	int64_t s_b[NSTATE] = { 7, 0, 0, 0, 0, 0, 0, 0 };
	int64_t d_b[NCPU][NSTATE] = { { -2 }, { 0 } };
	uint64_t root = new_memcg(&im, 0, "", 1, true, 500, s_root, NULL, NULL);
	uint64_t a = new_memcg(&im, root, "a.slice", 2, true, 200, s_a, p_a, d_a);
	uint64_t b = new_memcg(&im, root, "b.scope", 0, false, 9, s_b, NULL, d_b);
	new_memcg(&im, a, "c.scope", 4, true, 60, s_c, p_c, d_c);
	fakemem_put64(&im, a + OFF_MEMORY + PC_MAX, 1024);	/* 4 MiB */
	fakemem_put64(&im, a + OFF_MEMORY + PC_MIN, 16);
	fakemem_put32(&im, fakemem_get64(&im, root + OFF_CGROUP) + CG_NR_DYING, 1);

	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk(&im, root, &w, &t);
	tap_ok(!err, "walk of a small tree succeeds");
	if (err) {
		tap_diag("%s", err->message);
		mw_error_destroy(err);
		goto out;
	}
	tap_ok(t.nr == 4 && mw_warnings_count(&w) == 0 && t.walk_complete,
	       "four memcgs, no warning (got %zu, %zu warnings)", t.nr, mw_warnings_count(&w));
	if (t.nr != 4)
		goto done;
	tap_is_str(t.memcgs[0].path, "/", "root path");
	tap_is_str(t.memcgs[1].path, "/a.slice", "preorder: a first");
	tap_is_str(t.memcgs[2].path, "/a.slice/c.scope", "then a's child");
	tap_is_str(t.memcgs[3].path, "/b.scope", "then b");
	tap_ok(t.memcgs[2].parent == 1 && t.memcgs[3].parent == 0 && t.memcgs[2].depth == 2,
	       "parents and depth");
	const int64_t P = PAGE;
	tap_ok(t.memcgs[2].stat[MW_MEMCG_ANON] == 16 * P, "c: anon folded (%" PRId64 " pages)",
	       t.memcgs[2].stat[MW_MEMCG_ANON] / P);
	tap_ok(t.memcgs[1].stat[MW_MEMCG_ANON] == 41 * P, "a: anon with its subtree's unflushed "
	       "changes (%" PRId64 " pages)", t.memcgs[1].stat[MW_MEMCG_ANON] / P);
	tap_ok(t.memcgs[3].stat[MW_MEMCG_ANON] == 5 * P, "b: a negative per-CPU delta (%" PRId64
	       " pages)", t.memcgs[3].stat[MW_MEMCG_ANON] / P);
	tap_ok(t.memcgs[0].stat[MW_MEMCG_ANON] == 109 * P, "root: anon folded over the whole "
	       "tree (%" PRId64 " pages)", t.memcgs[0].stat[MW_MEMCG_ANON] / P);
	tap_ok(t.memcgs[0].stat_flushed[MW_MEMCG_ANON] == 100 * P, "root: flushed state alone");
	tap_ok(t.memcgs[1].stat[MW_MEMCG_SLAB_RECLAIMABLE] == 4196 &&
	       t.memcgs[1].stat[MW_MEMCG_SLAB] == 4196 + 8192,
	       "byte counters: slab = reclaimable + unreclaimable (%" PRId64 ")",
	       t.memcgs[1].stat[MW_MEMCG_SLAB]);
	tap_ok(t.memcgs[2].stat[MW_MEMCG_KERNEL_STACK] == 0,
	       "KiB counter: 16 KiB flushed, -16 KiB unflushed -> 0");
	tap_ok(t.memcgs[3].dying && !t.memcgs[3].online && t.memcgs[1].online,
	       "CSS_DYING / CSS_ONLINE");
	tap_ok(t.nr_dying == 1 && t.nr_online == 3 && t.kernel_nr_dying == 1,
	       "one dying, the kernel's count read");
	tap_ok(t.dying_bytes == 9 * P, "dying bytes: b's usage");
	tap_ok(t.memcgs[1].usage_bytes == 200 * P && t.memcgs[1].max_bytes == 4 << 20 &&
	       t.memcgs[1].min_bytes == 16 * P && t.memcgs[0].max_bytes == MW_MEMCG_UNLIMITED,
	       "usage and limits; PAGE_COUNTER_MAX is unlimited");
	tap_ok(mw_memcg_find_path(&t, "/a.slice/c.scope/") == 2 &&
	       mw_memcg_find_path(&t, "/nope") == -1, "find by path");
	tap_ok(mw_memcg_in_subtree(&t, 2, 1) && !mw_memcg_in_subtree(&t, 3, 1), "subtree");
	tap_ok(mw_memcg_find_addr(&t, b) == 3 && mw_memcg_find_addr(&t, root) == 0 &&
	       mw_memcg_find_addr(&t, b + 8) == -1, "find by address");
done:
	mw_memcg_tree_deinit(&t);
out:
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

/* The form without struct memcg_vmstats (5.10): each CPU's stat[] is a
 * batch not yet in the memcg nor its ancestors; there is no state_pending
 * nor state_prev (the fake's "pending" and "prev" words must be ignored). */
static void test_batches(void)
{
	struct fakemem im;
	img_init(&im);
	/* per-CPU words are 1000 + delta: with no prev, all of them count
	 *   c: 10 + (1002 + 1003)                  = 2015
	 *   root: 100 + (1000 + 1000) + c's 2005   = 4105 */
	int64_t s_root[NSTATE] = { 100 };
	int64_t s_c[NSTATE] = { 10 };
	int64_t p_c[NSTATE] = { 77 };
	int64_t d_c[NCPU][NSTATE] = { { 2 }, { 3 } };
	uint64_t root = new_memcg(&im, 0, "", 1, true, 500, s_root, NULL, NULL);
	new_memcg(&im, root, "c.scope", 2, true, 60, s_c, p_c, d_c);
	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk_batches(&im, root, true, &w, &t);
	tap_ok(!err && t.nr == 2 && mw_warnings_count(&w) == 0,
	       "per-CPU batches: walk of two memcgs, no warning");
	if (!err && t.nr == 2) {
		const int64_t P = PAGE;
		tap_ok(t.memcgs[1].stat[MW_MEMCG_ANON] == 2015 * P,
		       "per-CPU batches: the child's batches added, pending ignored (%" PRId64
		       " pages)", t.memcgs[1].stat[MW_MEMCG_ANON] / P);
		tap_ok(t.memcgs[0].stat[MW_MEMCG_ANON] == 4105 * P &&
		       t.memcgs[0].stat_flushed[MW_MEMCG_ANON] == 100 * P,
		       "per-CPU batches: the root's with the subtree's, flushed alone (%" PRId64
		       " pages)", t.memcgs[0].stat[MW_MEMCG_ANON] / P);
		tap_ok(!t.stat_read_flushes, "per-CPU batches: memory.stat does not flush");
		mw_memcg_tree_deinit(&t);
	}
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

/* root -> x -> y -> x -> ...: y's sibling link points back at x. */
static void test_sibling_loop(void)
{
	struct fakemem im;
	img_init(&im);
	uint64_t root = new_memcg(&im, 0, "", 1, true, 10, NULL, NULL, NULL);
	uint64_t x = new_memcg(&im, root, "x", 2, true, 1, NULL, NULL, NULL);
	uint64_t y = new_memcg(&im, root, "y", 3, true, 1, NULL, NULL, NULL);
	fakemem_put64(&im, y + OFF_SIBLING, x + OFF_SIBLING);
	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk(&im, root, &w, &t);
	tap_ok(!err && t.nr == 3, "a looping sibling list ends: root, x, y once each (%zu)",
	       err ? 0 : t.nr);
	tap_ok(warned(&w, "loops") && !t.walk_complete, "... with a warning");
	if (!err)
		mw_memcg_tree_deinit(&t);
	mw_error_destroy(err);
	mw_warnings_deinit(&w);

	/* a list that loops on itself without returning to x: y -> y */
	fakemem_put64(&im, y + OFF_SIBLING, y + OFF_SIBLING);
	fakemem_put64(&im, x + OFF_SIBLING, y + OFF_SIBLING);
	mw_warnings_init(&w);
	err = walk(&im, root, &w, &t);
	tap_ok(!err && t.nr == 3 && warned(&w, "loops"), "a self-loop ends too");
	if (!err)
		mw_memcg_tree_deinit(&t);
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

/* A child list reaching an ancestor: the root appears among c's children. */
static void test_ancestor_loop(void)
{
	struct fakemem im;
	img_init(&im);
	uint64_t root = new_memcg(&im, 0, "", 1, true, 10, NULL, NULL, NULL);
	uint64_t a = new_memcg(&im, root, "a", 2, true, 1, NULL, NULL, NULL);
	uint64_t c = new_memcg(&im, a, "c", 3, true, 1, NULL, NULL, NULL);
	/* c's children list holds a: a's sibling link now leads into c's
	 * list head, so root's list and c's list both go astray */
	fakemem_put64(&im, c + OFF_CHILDREN, a + OFF_SIBLING);
	fakemem_put64(&im, a + OFF_SIBLING, c + OFF_CHILDREN);
	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk(&im, root, &w, &t);
	tap_ok(!err && t.nr == 3 && !t.walk_complete && warned(&w, "whose parent is"),
	       "a child list reaching back to an ancestor ends (%zu memcgs, %zu warnings)",
	       err ? 0 : t.nr, mw_warnings_count(&w));
	if (!err)
		mw_memcg_tree_deinit(&t);
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

static void test_bad_links(void)
{
	struct fakemem im;
	img_init(&im);
	uint64_t root = new_memcg(&im, 0, "", 1, true, 10, NULL, NULL, NULL);
	uint64_t a = new_memcg(&im, root, "a", 2, true, 1, NULL, NULL, NULL);
	uint64_t b = new_memcg(&im, root, "b", 3, true, 1, NULL, NULL, NULL);
	new_memcg(&im, a, "a1", 70000, true, 1, NULL, NULL, NULL);	/* absurd id */
	uint64_t b1 = new_memcg(&im, b, "b1", 5, true, 1, NULL, NULL, NULL);
	new_memcg(&im, b, "b2", 6, true, 1, NULL, NULL, NULL);
	fakemem_put64(&im, b1 + OFF_SIBLING, 0);	/* NULL link after b1 */
	/* a's vmstats pointer points nowhere */
	fakemem_put64(&im, a + OFF_VMSTATS, 0x1000);
	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk(&im, root, &w, &t);
	tap_ok(!err && t.nr == 5, "NULL link: b2 lost, the rest reported (%zu)", err ? 0 : t.nr);
	if (!err) {
		ptrdiff_t i = mw_memcg_find_path(&t, "/a/a1");
		tap_ok(i > 0 && t.memcgs[i].id == -1 && warned(&w, "absurd id"),
		       "an absurd id is -1 with a warning");
		i = mw_memcg_find_path(&t, "/a");
		tap_ok(i > 0 && !t.memcgs[i].stat_known && t.memcgs[i].usage_known,
		       "unreadable counters: stat unknown, usage still read");
		tap_ok(warned(&w, "NULL link"), "NULL link warned");
		mw_memcg_tree_deinit(&t);
	}
	mw_error_destroy(err);
	mw_warnings_deinit(&w);

	/* a child link out of memory */
	fakemem_put64(&im, b + OFF_CHILDREN, 0x1234);
	mw_warnings_init(&w);
	err = walk(&im, root, &w, &t);
	tap_ok(!err && t.nr == 4 && !t.walk_complete,
	       "a link out of memory: that list is cut, the rest reported (%zu)", err ? 0 : t.nr);
	if (!err)
		mw_memcg_tree_deinit(&t);
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

static void test_deep(void)
{
	struct fakemem im;
	img_init(&im);
	uint64_t root = new_memcg(&im, 0, "", 1, true, 10, NULL, NULL, NULL), p = root;
	for (int d = 0; d < MW_MEMCG_MAX_DEPTH + 20; d++)
		p = new_memcg(&im, p, "d", 2 + d, true, 1, NULL, NULL, NULL);
	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk(&im, root, &w, &t);
	tap_ok(!err && t.nr == MW_MEMCG_MAX_DEPTH + 1 && warned(&w, "deep"),
	       "a chain deeper than %d is cut there with a warning (%zu memcgs)",
	       MW_MEMCG_MAX_DEPTH, err ? 0 : t.nr);
	if (!err)
		mw_memcg_tree_deinit(&t);
	mw_error_destroy(err);
	mw_warnings_deinit(&w);

	/* the kernfs chain itself loops: paths are bounded */
	uint64_t kn = fakemem_get64(&im, fakemem_get64(&im, p + OFF_CGROUP) + CG_KN);
	fakemem_put64(&im, kn + KN_PARENT, kn);
	mw_warnings_init(&w);
	err = walk(&im, root, &w, &t);
	tap_ok(!err, "a kernfs parent loop does not hang the path");
	if (!err)
		mw_memcg_tree_deinit(&t);
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

static void test_no_root(void)
{
	struct fakemem im;
	img_init(&im);
	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk(&im, 0, &w, &t);
	tap_ok(err && err->code == MW_ERR_NOT_FOUND, "root_mem_cgroup NULL: an error");
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

/*
 * Counters read from a dump are untrusted: per-CPU values at INT64_MIN/MAX
 * must not overflow (UBSan) nor give absurd figures; the memcg's figures
 * (and its ancestors', which fold them in) are dropped with a warning.
 */
static void test_absurd_counters(void)
{
	struct fakemem im;
	img_init(&im);
	int64_t ok[NSTATE] = { 10, 20, 0, 0, 0, 0, 0, 0 };
	uint64_t root = new_memcg(&im, 0, "", 1, true, 500, ok, NULL, NULL);
	uint64_t x = new_memcg(&im, root, "x.scope", 2, true, 10, ok, NULL, NULL);
	uint64_t y = new_memcg(&im, root, "y.scope", 3, true, 10, ok, NULL, NULL);
	new_memcg(&im, root, "z.scope", 4, true, 10, ok, NULL, NULL);
	/* x: CPU 0's anon state INT64_MAX, its prev INT64_MIN */
	uint64_t pcpu = fakemem_get64(&im, x + OFF_PERCPU);
	fakemem_put64(&im, pcpu + VS_STATE, (uint64_t)INT64_MAX);
	fakemem_put64(&im, pcpu + VS_PENDING, (uint64_t)INT64_MIN);
	/* y: a flushed file counter of 2^60 pages, far more than RAM */
	uint64_t vs = fakemem_get64(&im, y + OFF_VMSTATS);
	fakemem_put64(&im, vs + VS_STATE + 8, 1ULL << 60);
	/* z: usage of 2^62 pages */
	struct mw_warnings w;
	struct mw_memcg_tree t;
	mw_warnings_init(&w);
	struct mw_error *err = walk(&im, root, &w, &t);
	tap_ok(!err && t.nr == 4, "absurd counters: the walk succeeds");
	if (err) {
		mw_error_destroy(err);
		mw_warnings_deinit(&w);
		fakemem_deinit(&im);
		return;
	}
	ptrdiff_t ix = mw_memcg_find_path(&t, "/x.scope"), iy = mw_memcg_find_path(&t, "/y.scope"),
		  iz = mw_memcg_find_path(&t, "/z.scope");
	tap_ok(ix > 0 && !t.memcgs[ix].stat_known && warned(&w, "memcg /x.scope: counter"),
	       "per-CPU INT64_MAX - INT64_MIN: x's figures dropped with a warning");
	tap_ok(iy > 0 && !t.memcgs[iy].stat_known && warned(&w, "memcg /y.scope: counter"),
	       "a counter beyond RAM: y's figures dropped with a warning");
	tap_ok(!t.memcgs[0].stat_known, "root folds x's overflow in: its figures dropped too");
	tap_ok(iz > 0 && t.memcgs[iz].stat_known && t.memcgs[iz].stat[MW_MEMCG_ANON] == 10 * PAGE,
	       "a sound sibling keeps its figures");
	for (size_t i = 0; i < t.nr; i++)
		for (int k = 0; k < MW_MEMCG_NR_STATS; k++)
			if (t.memcgs[i].stat[k] > (1LL << 30) || t.memcgs[i].stat[k] < 0)
				tap_diag("memcg %zu stat %d = %" PRId64, i, k, t.memcgs[i].stat[k]);
	mw_memcg_tree_deinit(&t);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);

	/* usage beyond RAM */
	img_init(&im);
	root = new_memcg(&im, 0, "", 1, true, 500, ok, NULL, NULL);
	new_memcg(&im, root, "big.scope", 2, true, 1ULL << 62, ok, NULL, NULL);
	/* usage far below zero; a few pages below is an uncharge race (read as 0) */
	new_memcg(&im, root, "neg.scope", 3, true, (uint64_t)INT64_MIN, ok, NULL, NULL);
	new_memcg(&im, root, "race.scope", 4, true, (uint64_t)-3, ok, NULL, NULL);
	mw_warnings_init(&w);
	err = walk(&im, root, &w, &t);
	ptrdiff_t ib = err ? -1 : mw_memcg_find_path(&t, "/big.scope");
	ptrdiff_t in = err ? -1 : mw_memcg_find_path(&t, "/neg.scope");
	ptrdiff_t ir = err ? -1 : mw_memcg_find_path(&t, "/race.scope");
	tap_ok(ib > 0 && !t.memcgs[ib].usage_known && warned(&w, "more than the dump's"),
	       "usage of 2^62 pages: dropped with a warning");
	tap_ok(in > 0 && !t.memcgs[in].usage_known &&
	       warned(&w, "memcg /neg.scope: usage of -9223372036854775808 pages"),
	       "usage of INT64_MIN pages: dropped with a warning");
	tap_ok(ir > 0 && t.memcgs[ir].usage_known && t.memcgs[ir].usage_bytes == 0 &&
	       !warned(&w, "race.scope"), "usage of -3 pages: 0, no warning");
	if (!err)
		mw_memcg_tree_deinit(&t);
	mw_error_destroy(err);
	mw_warnings_deinit(&w);
	fakemem_deinit(&im);
}

int main(void)
{
	test_fold();
	test_batches();
	test_sibling_loop();
	test_ancestor_loop();
	test_bad_links();
	test_deep();
	test_no_root();
	test_absurd_counters();
	return tap_done();
}
