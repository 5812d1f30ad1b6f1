/* memwhere command line: the words of findings (see cli/findings.h). */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "analyzer/bpf.h"
#include "analyzer/files.h"
#include "analyzer/incident.h"
#include "analyzer/pagescan.h"
#include "analyzer/pools.h"
#include "analyzer/slab.h"
#include "analyzer/sockets.h"
#include "analyzer/summary.h"
#include "cli/findings.h"
#include "cli/render-util.h"
#include "common/format.h"
#include "common/json.h"

/* The three texts of a finding, written as they are made. */
struct words {
	struct mw_str title, evidence;
	const struct mw_finding *f;
	char b[4][MW_BYTES_LEN];	/* formatted sizes */
};

static const char *rounded(struct words *w, int i, uint64_t bytes)
{
	return mw_bytes(bytes, MW_BYTES_ROUNDED, w->b[i]);
}

static const char *exact(struct words *w, int i, uint64_t bytes)
{
	return mw_bytes(bytes, MW_BYTES_EXACT, w->b[i]);
}

/* The page scan's category findings. */
static void pages_words(struct words *w)
{
	const struct mw_finding *f = w->f;
	const struct mw_finding_pages *p = &f->u.pages;
	const char *h = rounded(w, 0, f->bytes);
	switch (f->kind) {
	case MW_FINDING_UNACCOUNTED_MEMORY:
		mw_str_printf(&w->title, "%s (%.1f%% of RAM) is allocated but owned by nothing "
			      "memwhere knows", h, p->percent);
		mw_str_printf(&w->evidence, "%" PRIu64 " pages with a reference and no mapping, "
			      "slab, page table, stack, vmalloc or percpu owner; %s of them charged "
			      "to a memory cgroup (__GFP_ACCOUNT); %" PRIu64 " non-LRU movable pages; "
			      "%" PRIu64 " pages with refcount 0 on no free list (later pages of "
			      "multi-page allocations)", p->pages, rounded(w, 1, p->kmem_charged_bytes),
			      p->movable_ops_pages, p->zero_ref_pages);
		if (p->zsmalloc_pages)
			mw_str_printf(&w->evidence, "; the kernel counts %" PRIu64 " zsmalloc pages "
				      "(%s: zram's and zswap's compressed data, see `memwhere pools`)",
				      p->zsmalloc_pages, rounded(w, 2, p->zsmalloc_pages *
						(p->pages ? w->f->bytes / p->pages : 4096)));
		break;
	case MW_FINDING_SHMEM_HIGH:
		mw_str_printf(&w->title, "shmem/tmpfs holds %s (%.1f%% of RAM)", h, p->percent);
		mw_str_printf(&w->evidence, "%" PRIu64 " pages of shmem address spaces "
			      "(PG_swapbacked, not anon)", p->pages);
		break;
	case MW_FINDING_FILE_CACHE_HIGH:
		mw_str_printf(&w->title, "page cache holds %s (%.1f%% of RAM)", h, p->percent);
		mw_str_printf(&w->evidence, "%" PRIu64 " file pages; %s dirty or shmem-dirty, "
			      "%" PRIu64 " pages under writeback", p->pages,
			      rounded(w, 1, p->dirty_bytes), p->writeback_pages);
		break;
	case MW_FINDING_SLAB_RECLAIMABLE_HIGH:
	case MW_FINDING_SLAB_UNRECLAIMABLE_HIGH: {
		bool r = f->kind == MW_FINDING_SLAB_RECLAIMABLE_HIGH;
		mw_str_printf(&w->title, "%sreclaimable slab holds %s (%.1f%% of RAM)",
			      r ? "" : "un", h, p->percent);
		mw_str_printf(&w->evidence, "%" PRIu64 " pages of slab caches %s "
			      "SLAB_RECLAIM_ACCOUNT", p->pages, r ? "with" : "without");
		break;
	}
	case MW_FINDING_LOW_FREE_MEMORY:
		mw_str_printf(&w->title, "only %s (%.1f%% of RAM) is free", h, p->percent);
		mw_str_printf(&w->evidence, "%" PRIu64 " pages in buddy free blocks, %" PRIu64
			      " on per-CPU free lists", p->buddy_pages, p->pcp_pages);
		break;
	case MW_FINDING_HUGETLB_FREE:
		mw_str_printf(&w->title, "%s of hugetlb pages are allocated but free", h);
		mw_str_printf(&w->evidence, "%" PRIu64 " hugetlb folios, %" PRIu64 " pages free",
			      p->hugetlb_folios, p->pages);
		break;
	case MW_FINDING_BALLOON:
		mw_str_printf(&w->title, "a balloon holds %s (%.1f%% of RAM)", h, p->percent);
		mw_str_printf(&w->evidence, "%" PRIu64 " offline pages in a balloon driver's "
			      "list (see the summary's offline row)", p->pages);
		break;
	case MW_FINDING_CRASHKERNEL_LARGE:
		mw_str_printf(&w->title, "the crash kernel's reservation is %s (%.1f%% of RAM)",
			      h, p->percent);
		mw_str_printf(&w->evidence, "crashkernel= region (crashk_res), %" PRIu64
			      " reserved pages", p->pages);
		break;
	case MW_FINDING_INCONSISTENT_STRUCT_PAGES:
		mw_str_printf(&w->title, "%s of pages have struct pages that make no sense", h);
		mw_str_printf(&w->evidence, "%" PRIu64 " inconsistent struct pages (%" PRIu64
			      " of them slabs of no known cache)", p->pages,
			      p->slab_unknown_cache_pages);
		break;
	case MW_FINDING_NOT_IN_DUMP:
		mw_str_printf(&w->title, "%s of RAM cannot be classified: its struct pages are "
			      "not in the dump", h);
		break;
	default:
		break;
	}
}

static void counters_words(struct words *w)
{
	const struct mw_finding_counters *c = &w->f->u.counters;
	mw_str_printf(&w->title, "the kernel's counters and the page scan differ by more than "
		      "1%% for %zu categor%s", c->nr_flagged, c->nr_flagged == 1 ? "y" : "ies");
	bool first = true;
	for (size_t i = 0; i < c->nr_counters; i++) {
		if (!c->counters[i].flagged)
			continue;
		mw_str_printf(&w->evidence, "%s%s %+.1f%%", first ? "" : ", ",
			      c->counters[i].name, c->counters[i].percent);
		first = false;
	}
}

static void files_words(struct words *w)
{
	const struct mw_finding *f = w->f;
	const struct mw_finding_directory *d = &f->u.dir;
	const struct mw_finding_deleted *x = &f->u.deleted;
	switch (f->kind) {
	case MW_FINDING_SHMEM_FILES_UNMAPPED:
		mw_str_printf(&w->title, "%s: %" PRIu64 " shared memory files hold %s (%s each on "
			      "average), %" PRIu64 " of them mapped by no process", d->directory,
			      d->files, exact(w, 0, f->bytes), exact(w, 1, d->average_bytes),
			      d->unmapped_files);
		mw_str_printf(&w->evidence, "tmpfs files live in RAM (or swap) until deleted: "
			      "drop_caches cannot free them and no process's RSS shows them%s%s.",
			      d->memcg ? "; charged to " : "", d->memcg ? d->memcg : "");
		break;
	case MW_FINDING_DELETED_FILES_IN_USE:
		mw_str_printf(&w->title, "%s held by %" PRIu64 " deleted file%s still in use",
			      exact(w, 0, f->bytes), x->files, x->files == 1 ? "" : "s");
		mw_str_printf(&w->evidence, "the largest: %s (%s, %s%s); a removed file's memory "
			      "is freed only when the last process closes and unmaps it",
			      x->largest->path, exact(w, 1, x->largest_bytes),
			      x->largest->mapped ? "mapped" : "not mapped",
			      x->largest->name == MW_FILE_SYSV_SHM ?
			      ", IPC_RMID with attachments left" : "");
		break;
	case MW_FINDING_FILE_CACHE_DIRECTORY:
		mw_str_printf(&w->title, "%s of page cache in %" PRIu64 " file%s under %s",
			      exact(w, 0, f->bytes), d->files, d->files == 1 ? "" : "s",
			      d->directory);
		mw_str_printf(&w->evidence, "%s dirty; charged to %s. Page cache is reclaimable, "
			      "but it counts in the cgroup's memory.current and, while active, in "
			      "the working set that Kubernetes evicts by.",
			      exact(w, 1, d->dirty_bytes), d->memcg ? d->memcg : "no memory cgroup");
		break;
	default:
		break;
	}
}

static void dying_words(struct words *w)
{
	const struct mw_finding_dying *d = &w->f->u.dying;
	struct mw_str *e = &w->evidence;
	mw_str_printf(&w->title, "%zu removed memory cgroup%s not freed (dying), still "
		      "holding %s", d->count, d->count == 1 ? " is" : "s are",
		      rounded(w, 0, w->f->bytes));
	if (d->lru_folios) {
		mw_str_printf(e, "%s of it in %" PRIu64 " charged folios on their LRU lists",
			      rounded(w, 1, d->lru_bytes), d->lru_folios);
		if (d->files)
			mw_str_printf(e, ", pages of %zu file%s", d->files, d->files == 1 ? "" : "s");
		if (d->largest_file)
			mw_str_printf(e, ", the largest %s (%s)", d->largest_file,
				      rounded(w, 2, d->largest_file_bytes));
	} else {
		mw_str_printf(e, "the largest, %s, holds %s%s%s", d->largest_memcg,
			      rounded(w, 1, d->largest_memcg_bytes), d->mostly ? ", mostly " : "",
			      d->mostly ? d->mostly : "");
	}
	if (d->writeback_structures)
		mw_str_printf(e, "; %" PRIu64 " cgroup writeback structure%s",
			      d->writeback_structures, d->writeback_structures == 1 ? "" : "s");
	if (d->other_refs)
		mw_str_printf(e, "; %" PRIu64 " other reference%s (sockets, ...)", d->other_refs,
			      d->other_refs == 1 ? "" : "s");
	if (d->kernel_count >= 0)
		mw_str_printf(e, "; the kernel counts %" PRId64 " dying cgroups", d->kernel_count);
}

/* "the 4 TCP sockets", "one UDP socket", "2 unix stream sockets" */
static void sockets_kind(struct mw_str *b, const struct mw_sockets_holder *h)
{
	struct mw_socket so = { .family = h->family, .type = h->type, .protocol = h->protocol };
	const char *p = mw_sock_protocol_name(&so);
	char what[64], f[16], t[16];
	if (h->mixed)
		what[0] = '\0';
	else if (!strcmp(p, "tcp") || !strcmp(p, "udp"))
		snprintf(what, sizeof(what), "%s ", !strcmp(p, "tcp") ? "TCP" : "UDP");
	else if (*p)
		snprintf(what, sizeof(what), "%.32s ", p);
	else
		snprintf(what, sizeof(what), "%s %s ", mw_sock_family_name(h->family, f, sizeof(f)),
			 mw_sock_type_name(h->type, t, sizeof(t)));
	if (h->nr_sockets == 1)
		mw_str_printf(b, "one %ssocket", what);
	else
		mw_str_printf(b, "%zu %ssockets", h->nr_sockets, what);
}

/* "fd 5" / "fds 4, 5, 6, 7" / "fds 4, 5, ..." or "no fd" */
static void sockets_fds(struct mw_str *b, const struct mw_sockets_holder *h)
{
	if (!h->nr_fds) {
		mw_str_printf(b, "no fd");
		return;
	}
	mw_str_printf(b, "fd%s ", h->nr_fds > 1 ? "s" : "");
	for (size_t i = 0; i < h->nr_fds; i++)
		mw_str_printf(b, "%s%u", i ? ", " : "", h->fds[i]);
	if (h->nr_sockets > h->nr_fds)
		mw_str_printf(b, ", ...");
}

static void sockets_evidence(struct words *w)
{
	const struct mw_finding_sockets *s = &w->f->u.sockets;
	const struct mw_sockets_holder *h = s->holder;
	const struct mw_socket *top = s->top;
	struct mw_str *e = &w->evidence;
	char g[2][MW_GROUPED_LEN];
	bool wild = !top->remote[0] || !strcmp(top->remote, "0.0.0.0:0") ||
		!strcmp(top->remote, "[::]:0");

	sockets_fds(e, h);
	if (top->local[0] && !wild)
		mw_str_printf(e, ", %s%s from %s", h->nr_sockets > 1 ? "e.g. " : "",
			      top->local, top->remote);
	else if (top->local[0])
		mw_str_printf(e, ", %s", top->local);
	mw_str_printf(e, ": %s unread in %s skbs with %s frags, pinning %s: ",
		      exact(w, 1, h->payload_bytes), mw_grouped(h->skbs, g[0]),
		      mw_grouped(h->frags, g[1]), exact(w, 0, h->pinned_bytes));
	if (h->frag_pages) {
		mw_orders_words(e, h->pages_by_order);
		if (h->shared_pages)
			mw_str_printf(e, ", %s shared with other processes' sockets",
				      mw_grouped(h->shared_pages, g[0]));
		mw_str_printf(e, ", and %s of sk_buffs and kmalloc'd heads",
			      exact(w, 2, h->object_bytes));
	} else {
		mw_str_printf(e, "%s of sk_buffs and kmalloc'd heads (slab)",
			      exact(w, 2, h->object_bytes));
	}
	mw_str_printf(e, ". Payload to pinned 1:%.0f (%.1f%% is data). skb truesize, what "
		      "sockstat's mem counts: %s.", s->ratio, s->ratio > 0 ? 100.0 / s->ratio : 0.0,
		      exact(w, 3, h->truesize));
}

static void sockets_words(struct words *w)
{
	const struct mw_sockets_holder *h = w->f->u.sockets.holder;
	char g[MW_GROUPED_LEN];
	if (h->pid >= 0)
		mw_str_printf(&w->title, "%s (pid %d) has not read %s bytes on ", h->comm, h->pid,
			      mw_grouped(h->payload_bytes, g));
	else
		mw_str_printf(&w->title, "%s bytes wait unread on ", mw_grouped(h->payload_bytes, g));
	sockets_kind(&w->title, h);
	mw_str_printf(&w->title, "%s; they pin %s", h->pid >= 0 ? "" : " no process holds",
		      exact(w, 0, h->pinned_bytes));
	sockets_evidence(w);
}

/* What usually grows a slab cache, and what to do: by enum mw_slab_grower. */
static const struct {
	const char *what, *advice;
} growers[] = {
	[MW_SLAB_GROWER_UNKNOWN] = { NULL, "Find the subsystem that owns the cache; compare with "
		"an earlier dump." },
	[MW_SLAB_GROWER_DENTRY] = { "directory entries: the dcache, often negative dentries from "
		"lookups of names that do not exist (stat/open storms, temporary file names)",
		"Check /proc/sys/fs/dentry-state (nr_dentry, nr_negative); echo 2 > "
		"/proc/sys/vm/drop_caches frees unused dentries; find the process doing the lookups." },
	[MW_SLAB_GROWER_INODES] = { "inodes kept by the dcache",
		"See the dentry cache; drop_caches=2 frees unused inodes." },
	[MW_SLAB_GROWER_SKBUFF] = { "socket buffers: unread data queued on sockets, or packets "
		"held by a driver or qdisc", "Run `memwhere sockets` to see which sockets and "
		"processes hold them." },
	[MW_SLAB_GROWER_KMALLOC] = { "generic kmalloc allocations: a driver, a subsystem or a leak",
		"Compare with the same cache in an earlier dump; kmemleak or slub_debug=U on a test "
		"system names the allocating call sites." },
	[MW_SLAB_GROWER_PAGE_CACHE_INDEX] = { "page cache and shmem index nodes",
		"Follows the page cache; see `memwhere files`." },
	[MW_SLAB_GROWER_BUFFER_HEADS] = { "buffer heads of block-device and file system metadata",
		"Follows the page cache; see `memwhere files`." },
	[MW_SLAB_GROWER_TASKS] = { "processes and threads",
		"Count the processes and threads: many tasks, or zombies never reaped." },
	[MW_SLAB_GROWER_FILES] = { "open files",
		"Many open file descriptors: find the processes holding them." },
	[MW_SLAB_GROWER_SOCKETS] = { "sockets", "Run `memwhere sockets`." },
	[MW_SLAB_GROWER_MAPPINGS] = { "process mappings",
		"A process with a huge number of mappings (see its /proc/PID/maps)." },
};

static int grower_of(const struct mw_finding *f)
{
	int g = f->u.slab.grower;
	return g >= 0 && (size_t)g < MW_ARRAY_SIZE(growers) ? g : MW_SLAB_GROWER_UNKNOWN;
}

static void slab_words(struct words *w)
{
	const struct mw_finding_slab *e = &w->f->u.slab;
	const struct mw_slab_cache_info *c = e->cache;
	const char *what = growers[grower_of(w->f)].what;
	mw_str_printf(&w->title, "slab cache %s holds %s (%.0f%% of RAM, %.0f%% of all slab)",
		      c->name, rounded(w, 0, w->f->bytes), e->percent_ram, e->percent_slab);
	mw_str_printf(&w->evidence, "%" PRIu64 " objects of %" PRIu64 " bytes in %" PRIu64
		      " slabs, %" PRIu64 "%% in use, %s", c->objects_total, c->size, c->slabs,
		      c->objects_total ? c->objects_active * 100 / c->objects_total : 0,
		      c->reclaimable ? "reclaimable" : "not reclaimable");
	if (what)
		mw_str_printf(&w->evidence, "; grown by %s", what);
	if (e->dentry_known) {
		mw_str_printf(&w->evidence, "; the dcache counts %" PRId64 " dentries, %" PRId64
			      " unused", e->nr_dentry, e->nr_unused);
		if (e->negative_known)
			mw_str_printf(&w->evidence, ", %" PRId64 " negative", e->nr_negative);
	}
}

static void bpf_words(struct words *w)
{
	const struct mw_finding_bpf *e = &w->f->u.bpf;
	mw_str_printf(&w->title, "BPF maps and programs hold %s (%.1f%% of RAM)",
		      rounded(w, 0, w->f->bytes), e->percent_ram);
	mw_str_printf(&w->evidence, "%zu maps hold %s, %zu programs %s (struct bpf_prog "
		      "pages and JIT images)", e->nr_maps, rounded(w, 1, e->map_bytes),
		      e->nr_progs, rounded(w, 2, e->prog_bytes));
	if (e->largest_map) {
		const struct mw_bpf_map *m = e->largest_map;
		const char *ty = mw_bpf_map_type_name(m->type);
		mw_str_printf(&w->evidence, "; the largest map is id %" PRIu32 " \"%s\" (%s, %" PRIu32
			      " entries of %" PRIu32 "+%" PRIu32 " bytes): %s", m->id, m->name,
			      ty ? ty : "?", m->max_entries, m->key_size, m->value_size,
			      rounded(w, 3, m->memlock_bytes));
	}
}

static void hugetlb_pool_words(struct words *w)
{
	const struct mw_finding_hugetlb_pool *e = &w->f->u.hugetlb_pool;
	const struct mw_hstate *h = e->hstate;
	mw_str_printf(&w->title, "hugetlb pool %s: %s of huge pages idle (%.1f%% of RAM)",
		      h->name, rounded(w, 0, w->f->bytes), e->percent_ram);
	mw_str_printf(&w->evidence, "%" PRIu64 " huge pages of %s, %" PRIu64 " free, %" PRIu64
		      " of them reserved for mappings; reserved out of the buddy allocator, "
		      "no one else can use them", h->nr, rounded(w, 1, h->page_bytes), h->free,
		      h->resv);
	if (e->largest)
		mw_str_printf(&w->evidence, "; %zu hugetlbfs files hold %s, the largest %s (%s)",
			      e->holders, rounded(w, 2, e->held_bytes), e->largest->path,
			      rounded(w, 3, e->largest->bytes));
	else
		mw_str_printf(&w->evidence, "; no hugetlbfs file, shared memory segment or "
			      "MAP_HUGETLB mapping holds any");
}

static void zram_words(struct words *w)
{
	const struct mw_finding_zram *e = &w->f->u.zram;
	const struct mw_zram_dev *d = e->dev;
	mw_str_printf(&w->title, "zram %s compresses poorly: %s stored in %s (%.0f%%)",
		      d->name, rounded(w, 0, d->orig_data_size), rounded(w, 1, d->compr_data_size),
		      100.0 * e->ratio);
	mw_str_printf(&w->evidence, "mm_stat: orig_data_size %" PRIu64 ", compr_data_size %" PRIu64,
		      d->orig_data_size, d->compr_data_size);
	if (d->pool_known)
		mw_str_printf(&w->evidence, ", mem_used_total %" PRIu64 " (zsmalloc pages)",
			      d->mem_used_total);
	mw_str_printf(&w->evidence, "; %" PRIu64 " incompressible pages stored whole (huge_pages); "
		      "algorithm %s", d->huge_pages, d->comp_algorithm[0] ? d->comp_algorithm : "unknown");
}

/* What happened: the panic, the OOM report, then the largest holders. */
static void incident_words(struct words *w)
{
	const struct mw_finding_incident *e = &w->f->u.incident;
	const struct mw_incident *in = e->incident;
	const struct mw_oom_report *r = e->oom;
	if (w->f->kind == MW_FINDING_OOM_PANIC) {
		mw_str_printf(&w->title, "the kernel panicked out of memory (%s)", in->panic);
		if (r) {
			mw_str_printf(&w->title, ": %s", r->comm);
			if (r->pid >= 0)
				mw_str_printf(&w->title, " (pid %d)", r->pid);
			mw_str_printf(&w->title, " asked for an order-%d allocation", r->order);
			if (r->oom_memcg[0])
				mw_str_printf(&w->title, " in memory cgroup %s", r->oom_memcg);
			if (r->has_victim)
				mw_str_printf(&w->title, ", %s (pid %d) was killed", r->victim.comm,
					      r->victim.pid);
		}
		if (e->cause == MW_OOM_CAUSE_UNMAPPED_SHMEM)
			mw_str_printf(&w->title, "; tmpfs/shmem files no process maps held %s, "
				      "more than any process", rounded(w, 0, e->unmapped_shmem_bytes));
	} else {
		mw_str_printf(&w->title, "the kernel panicked (%s); not an out-of-memory panic",
			      in->panic);
	}
	const char *sep = "";
	if (e->used_bytes) {
		mw_str_printf(&w->evidence, "%s of RAM in use", rounded(w, 0, e->used_bytes));
		sep = "; ";
	}
	if (e->top_task) {
		mw_str_printf(&w->evidence, "%slargest process %s (pid %d) with %s resident",
			      sep, e->top_task->t.comm, e->top_task->t.pid,
			      rounded(w, 1, e->top_task_bytes));
		sep = "; ";
	}
	if (e->top_memcg) {
		mw_str_printf(&w->evidence, "%slargest memory cgroup %s using %s", sep,
			      e->top_memcg, rounded(w, 2, e->top_memcg_bytes));
		sep = "; ";
	}
	if (e->other >= 0) {
		mw_str_printf(&w->evidence, "%s%s %s", sep,
			      mw_page_category_label((enum mw_page_category)e->other),
			      rounded(w, 3, e->other_bytes));
		sep = "; ";
	}
	/* the files nobody maps, from 1% of the RAM in use */
	if (e->unmapped_shmem_largest && (e->cause == MW_OOM_CAUSE_UNMAPPED_SHMEM ||
					  e->unmapped_shmem_bytes * 100 >= e->used_bytes)) {
		const struct mw_file *big = e->unmapped_shmem_largest;
		mw_str_printf(&w->evidence, "%s%s in %" PRIu64 " shmem/tmpfs file%s no process maps "
			      "(largest %s, %s", sep, rounded(w, 0, e->unmapped_shmem_bytes),
			      e->unmapped_shmem_files, e->unmapped_shmem_files == 1 ? "" : "s",
			      big->path, rounded(w, 1, big->cached_pages * e->page_size));
		if (e->unmapped_shmem_dir && e->unmapped_shmem_dir_files > 1)
			mw_str_printf(&w->evidence, "; %s in %" PRIu64 " of them in %s",
				      rounded(w, 2, e->unmapped_shmem_dir_bytes),
				      e->unmapped_shmem_dir_files, e->unmapped_shmem_dir);
		mw_str_printf(&w->evidence, ")");
		sep = "; ";
	}
	if (e->nr_kills)
		mw_str_printf(&w->evidence, "%s%zu %s OOM report%s in the log", sep, e->nr_kills,
			      r ? "other" : "earlier", e->nr_kills == 1 ? "" : "s");
}

/* What to do after an OOM: by the largest holder. */
static void oom_advice(const struct mw_finding *f, struct mw_str *a)
{
	const struct mw_finding_incident *e = &f->u.incident;
	if (e->cause == MW_OOM_CAUSE_UNMAPPED_SHMEM) {
		mw_str_printf(a, "The memory was in tmpfs/shmem files that no process maps: "
			      "killing processes cannot free it. Remove or move the files (%s first; "
			      "`memwhere files` lists them) and bound the tmpfs (its size= "
			      "mount option) below what the machine can spare.",
			      e->unmapped_shmem_largest->path);
	} else if (e->cause == MW_OOM_CAUSE_PROCESS) {
		mw_str_printf(a, "%s (pid %d) held the most memory: cap it (memory.max of its "
			      "cgroup, or its own heap limit) or size the machine for it.",
			      e->top_task->t.comm, e->top_task->t.pid);
	} else if (e->other == MW_PAGE_SHMEM) {
		mw_str_printf(a, "shmem/tmpfs held more than any process, and the OOM killer "
			      "cannot free it: remove the files (`memwhere files` lists them).");
	} else if (e->other >= 0) {
		mw_str_printf(a, "The kernel (%s) held more than any process, which the OOM "
			      "killer cannot free: see the findings below.",
			      mw_page_category_label((enum mw_page_category)e->other));
	} else {
		mw_str_printf(a, "The sections below give where the memory went.");
	}
	if (e->incident->panic_on_oom)
		mw_str_printf(a, " vm.panic_on_oom is set: with 0 the OOM killer kills a process "
			      "instead of panicking.");
}

/* The advice: fixed words, some naming what the finding is about. */
static void advice_words(const struct mw_finding *f, struct mw_str *a)
{
	static const char *const fixed[] = {
		[MW_ADVICE_UNACCOUNTED] = "Pages taken straight from the page allocator by drivers "
			"and subsystems (network receive buffers, page_frag caches, DMA buffers...) "
			"show up in no counter of /proc/meminfo. Check `memwhere sockets` for skb "
			"frag pages and compare with a healthy machine of the same kernel.",
		[MW_ADVICE_SHMEM] = "tmpfs, /dev/shm, memfd and SysV shared memory stay until their "
			"files are removed (drop_caches does not free them); `memwhere files` lists "
			"them.",
		[MW_ADVICE_FILE_CACHE] = "Page cache is reclaimable but counts in container working "
			"sets; `memwhere files` ranks the files.",
		[MW_ADVICE_SLAB_RECLAIMABLE] = "Mostly dentries and inodes (negative dentries from "
			"lookups of missing files grow without bound); /proc/slabinfo (slabtop) "
			"ranks the caches.",
		[MW_ADVICE_SLAB_UNRECLAIMABLE] = "Unreclaimable slab only shrinks when its objects "
			"are freed: look for a leak among the caches of /proc/slabinfo (slabtop).",
		[MW_ADVICE_LOW_FREE] = "The machine was short of memory: the largest categories "
			"above are where it went.",
		[MW_ADVICE_BALLOON] = "The host took this memory back through the balloon driver: "
			"memory pressure on the hypervisor, not a leak in this guest. Ask the host "
			"side (its balloon target) before hunting inside the guest.",
		[MW_ADVICE_CRASHKERNEL] = "The crashkernel= reservation is never usable by this "
			"kernel: size it to what the capture kernel needs (a few hundred MiB at most; "
			"crashkernel=auto or a range list scales it with RAM).",
		[MW_ADVICE_HUGETLB_FREE] = "Free huge pages are reserved for hugetlbfs and unusable "
			"otherwise; lower vm.nr_hugepages if nothing needs them.",
		[MW_ADVICE_INCONSISTENT] = "The warnings give the PFNs. Memory corruption, or types "
			"that do not match the dump.",
		[MW_ADVICE_NOT_IN_DUMP] = "The dump left out the struct pages of this memory "
			"(filtered or incomplete dump); nothing can be said about it.",
		[MW_ADVICE_COUNTERS_DIFFER] = "`memwhere pages` shows both numbers. A difference "
			"means pages the kernel counts one way and the struct pages show another "
			"(large kmalloc buffers count as unreclaimable slab but have no slab flag).",
		[MW_ADVICE_FIND_DELETED_HOLDER] = "Find the holder (lsof +L1, or /proc/*/maps "
			"\"(deleted)\"; ipcs -m for SysV) and restart or fix it.",
		[MW_ADVICE_LIMIT_FILE_CACHE] = "If these are logs, rotate and compress them or have "
			"the writer drop its cache (posix_fadvise DONTNEED); memory QoS or "
			"memory.high keeps a container's cache in check.",
		[MW_ADVICE_RECLAIM_DYING_MEMCGS] = "A dying memcg is freed when its last charged "
			"page goes: reclaim its page cache (memory.reclaim on the parent, or "
			"drop_caches) to release it. If they keep piling up, jobs removed right after "
			"writing files others keep cached (logs) or sockets left open are the usual "
			"cause.",
		[MW_ADVICE_ACCEPT_SOCKETS] = "These sockets have no owner (not accepted yet, or "
			"closed with data left): check the listener that should accept them.",
		[MW_ADVICE_BPF] = "See `memwhere bpf` for every map and program. A map lives as "
			"long as a file descriptor, a pin in /sys/fs/bpf, or a program that uses it "
			"holds it: find the process whose /proc/PID/fdinfo shows its map_id, or the "
			"pin. Preallocated hash maps take max_entries elements up front: a smaller "
			"max_entries or BPF_F_NO_PREALLOC frees that.",
		[MW_ADVICE_HUGETLB_POOL_FREE] = "Lower the pool to what its users need (echo N > "
			"/sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages, or the "
			"hugepages= boot option): the freed pages go back to the page allocator. "
			"`memwhere pools` lists who holds the rest.",
		[MW_ADVICE_ZRAM_ALGORITHM] = "Try another compression algorithm: zstd compresses "
			"best, lz4 is fastest (swapoff, echo 1 > /sys/block/zramN/reset, echo zstd > "
			"/sys/block/zramN/comp_algorithm, then set disksize again). If no algorithm "
			"does better, the data is not compressible (already compressed or encrypted "
			"pages): zram then spends CPU to save little RAM, and a swap device on disk "
			"or less of that data serves better.",
		[MW_ADVICE_PANIC] = "The panic's cause is in the kernel's log (`memwhere log`: "
			"the lines before it and its backtrace); the sections below are the memory "
			"at that moment.",
	};
	const struct mw_sockets_holder *h = f->u.sockets.holder;
	switch (f->advice) {
	case MW_ADVICE_DELETE_SHMEM_FILES:
		mw_str_printf(a, "If the program that writes %s no longer needs them, delete them "
			      "(the memory comes back at once); look for a writer that never cleans "
			      "up.", f->u.dir.directory);
		break;
	case MW_ADVICE_READ_SOCKETS_PAGES:
		mw_str_printf(a, "Make %s (pid %d) read or close these sockets: each page goes back "
			      "to the page allocator when the last skb using it is consumed. The "
			      "pages are %s, taken straight from the page allocator: slabtop and Slab "
			      "in /proc/meminfo do not show them.", h->comm, h->pid,
			      h->family == MW_AF_INET || h->family == MW_AF_INET6 ?
			      "a NIC driver's receive buffers" : "the sender's data pages");
		break;
	case MW_ADVICE_READ_SOCKETS_SLAB:
		mw_str_printf(a, "Make %s (pid %d) read or close these sockets. The memory is in "
			      "slab caches (skbuff_head_cache, kmalloc-*): slabtop counts it, but not "
			      "whose it is.", h->comm, h->pid);
		break;
	case MW_ADVICE_SLAB_CACHE:
		mw_str_printf(a, "%s", growers[grower_of(f)].advice);
		break;
	case MW_ADVICE_OOM:
	case MW_ADVICE_OOM_SHMEM:
		oom_advice(f, a);
		break;
	default:
		if ((size_t)f->advice < MW_ARRAY_SIZE(fixed) && fixed[f->advice])
			mw_str_printf(a, "%s", fixed[f->advice]);
		break;
	}
}

bool mw_finding_words(const struct mw_finding *f, struct mw_finding_words *ret)
{
	struct words w = { .f = f };
	struct mw_str advice = { 0 };
	switch (f->kind) {
	case MW_FINDING_COUNTERS_DIFFER: counters_words(&w); break;
	case MW_FINDING_SHMEM_FILES_UNMAPPED:
	case MW_FINDING_DELETED_FILES_IN_USE:
	case MW_FINDING_FILE_CACHE_DIRECTORY: files_words(&w); break;
	case MW_FINDING_DYING_MEMCGS: dying_words(&w); break;
	case MW_FINDING_UNREAD_SOCKET_DATA: sockets_words(&w); break;
	case MW_FINDING_SLAB_CACHE_LARGE: slab_words(&w); break;
	case MW_FINDING_BPF_LARGE: bpf_words(&w); break;
	case MW_FINDING_HUGETLB_POOL_FREE: hugetlb_pool_words(&w); break;
	case MW_FINDING_ZRAM_POOR_COMPRESSION: zram_words(&w); break;
	case MW_FINDING_OOM_PANIC:
	case MW_FINDING_PANIC: incident_words(&w); break;
	default: pages_words(&w); break;
	}
	advice_words(f, &advice);
	ret->title = mw_str_take(&w.title);
	ret->evidence = mw_str_take(&w.evidence);
	ret->advice = mw_str_take(&advice);
	if (ret->title && ret->evidence && ret->advice)
		return true;
	mw_finding_words_deinit(ret);
	return false;
}

void mw_finding_words_deinit(struct mw_finding_words *w)
{
	free(w->title);
	free(w->evidence);
	free(w->advice);
	memset(w, 0, sizeof(*w));
}

void mw_text_finding(FILE *o, const struct mw_finding *f, enum mw_finding_style style)
{
	struct mw_finding_words w;
	const char *sev = mw_severity_name(f->severity);
	if (!mw_finding_words(f, &w)) {
		fprintf(o, "  %-8s %s (out of memory)\n", sev, mw_finding_id(f->kind));
		return;
	}
	/* wrapped to the terminal's width (80 when not one) */
	size_t width = (size_t)mw_text_width();
	switch (style) {
	case MW_FINDING_BRIEF:
	case MW_FINDING_ARROW:
	case MW_FINDING_FULL:
		fprintf(o, "  %-8s ", sev);
		mw_wrap(o, w.title, 11, 11, width);
		if (w.evidence[0]) {
			fprintf(o, "%11s", "");
			mw_wrap(o, w.evidence, 11, 11, width);
		}
		if (style == MW_FINDING_ARROW && w.advice[0]) {
			fprintf(o, "%11s-> ", "");
			mw_wrap(o, w.advice, 14, 14, width);
		} else if (style == MW_FINDING_FULL && w.advice[0]) {
			fprintf(o, "%11s", "");
			mw_wrap(o, w.advice, 11, 11, width);
		}
		break;
	case MW_FINDING_PARAGRAPH: {
		struct mw_str t = { 0 };
		mw_str_printf(&t, "Finding (%s): %s.", sev, w.title);
		char *title = mw_str_take(&t);
		fputc('\n', o);
		mw_wrap(o, title ? title : w.title, 0, 2, width);
		free(title);
		fputs("  ", o);
		mw_wrap(o, w.evidence, 2, 2, width);
		fputs("  ", o);
		mw_wrap(o, w.advice, 2, 2, width);
		break;
	}
	}
	mw_finding_words_deinit(&w);
}

/* ---- JSON ---- */

static const char *advice_id(enum mw_advice a)
{
	static const char *const ids[] = {
		[MW_ADVICE_NONE] = "none",
		[MW_ADVICE_UNACCOUNTED] = "find-unaccounted-owner",
		[MW_ADVICE_SHMEM] = "remove-shmem-files",
		[MW_ADVICE_FILE_CACHE] = "rank-cached-files",
		[MW_ADVICE_SLAB_RECLAIMABLE] = "rank-slab-caches",
		[MW_ADVICE_SLAB_UNRECLAIMABLE] = "find-slab-leak",
		[MW_ADVICE_LOW_FREE] = "see-largest-categories",
		[MW_ADVICE_HUGETLB_FREE] = "lower-nr-hugepages",
		[MW_ADVICE_BALLOON] = "ask-the-host",
		[MW_ADVICE_CRASHKERNEL] = "lower-crashkernel",
		[MW_ADVICE_INCONSISTENT] = "check-types-or-corruption",
		[MW_ADVICE_NOT_IN_DUMP] = "dump-unfiltered",
		[MW_ADVICE_COUNTERS_DIFFER] = "compare-counters",
		[MW_ADVICE_DELETE_SHMEM_FILES] = "delete-shmem-files",
		[MW_ADVICE_FIND_DELETED_HOLDER] = "find-deleted-file-holder",
		[MW_ADVICE_LIMIT_FILE_CACHE] = "limit-file-cache",
		[MW_ADVICE_RECLAIM_DYING_MEMCGS] = "reclaim-dying-memcgs",
		[MW_ADVICE_ACCEPT_SOCKETS] = "accept-sockets",
		[MW_ADVICE_READ_SOCKETS_PAGES] = "read-sockets",
		[MW_ADVICE_READ_SOCKETS_SLAB] = "read-sockets",
		[MW_ADVICE_SLAB_CACHE] = "shrink-slab-cache",
		[MW_ADVICE_OOM] = "cap-largest-holder",
		[MW_ADVICE_OOM_SHMEM] = "remove-unmapped-shmem-files",
		[MW_ADVICE_PANIC] = "read-panic-log",
		[MW_ADVICE_BPF] = "find-bpf-map-holder",
		[MW_ADVICE_HUGETLB_POOL_FREE] = "lower-hugetlb-pool",
		[MW_ADVICE_ZRAM_ALGORITHM] = "change-zram-algorithm",
	};
	return (size_t)a < MW_ARRAY_SIZE(ids) && ids[a] ? ids[a] : "none";
}

static void json_pages_data(struct mw_json *j, const struct mw_finding *f)
{
	const struct mw_finding_pages *p = &f->u.pages;
	switch (f->kind) {
	case MW_FINDING_HUGETLB_FREE:
		mw_json_kv_uint(j, "free_pages", p->pages);
		mw_json_kv_uint(j, "folios", p->hugetlb_folios);
		return;
	case MW_FINDING_INCONSISTENT_STRUCT_PAGES:
		mw_json_kv_uint(j, "pages", p->pages);
		mw_json_kv_uint(j, "slab_unknown_cache_pages", p->slab_unknown_cache_pages);
		return;
	case MW_FINDING_NOT_IN_DUMP:
		mw_json_kv_uint(j, "pages", p->pages);
		return;
	default:
		break;
	}
	mw_json_key(j, "percent_of_ram");
	mw_json_double(j, p->percent);
	mw_json_kv_uint(j, "pages", p->pages);
	if (f->kind == MW_FINDING_UNACCOUNTED_MEMORY) {
		mw_json_kv_uint(j, "kmem_charged_bytes", p->kmem_charged_bytes);
		mw_json_kv_uint(j, "movable_ops_pages", p->movable_ops_pages);
		mw_json_kv_uint(j, "zsmalloc_pages", p->zsmalloc_pages);
		mw_json_kv_uint(j, "zero_ref_pages", p->zero_ref_pages);
	} else if (f->kind == MW_FINDING_FILE_CACHE_HIGH) {
		mw_json_kv_uint(j, "dirty_bytes", p->dirty_bytes);
		mw_json_kv_uint(j, "writeback_pages", p->writeback_pages);
	} else if (f->kind == MW_FINDING_LOW_FREE_MEMORY) {
		mw_json_kv_uint(j, "buddy_pages", p->buddy_pages);
		mw_json_kv_uint(j, "pcp_pages", p->pcp_pages);
	}
}

static void json_files_data(struct mw_json *j, const struct mw_finding *f)
{
	const struct mw_finding_directory *d = &f->u.dir;
	if (f->kind == MW_FINDING_DELETED_FILES_IN_USE) {
		const struct mw_finding_deleted *x = &f->u.deleted;
		mw_json_kv_uint(j, "files", x->files);
		mw_json_kv_string(j, "largest_path", x->largest->path);
		mw_json_kv_uint(j, "largest_bytes", x->largest_bytes);
		mw_json_kv_bool(j, "largest_mapped", x->largest->mapped);
		mw_json_kv_bool(j, "largest_sysv", x->largest->name == MW_FILE_SYSV_SHM);
		return;
	}
	mw_json_kv_string(j, "directory", d->directory);
	mw_json_kv_uint(j, "files", d->files);
	if (f->kind == MW_FINDING_SHMEM_FILES_UNMAPPED) {
		mw_json_kv_uint(j, "unmapped_files", d->unmapped_files);
		mw_json_kv_uint(j, "average_bytes", d->average_bytes);
	} else {
		mw_json_kv_uint(j, "dirty_bytes", d->dirty_bytes);
	}
	mw_json_kv_string_or_null(j, "memcg", d->memcg);
}

static void json_dying_data(struct mw_json *j, const struct mw_finding_dying *d)
{
	mw_json_kv_uint(j, "count", d->count);
	mw_json_kv_uint(j, "lru_folios", d->lru_folios);
	mw_json_kv_uint(j, "lru_bytes", d->lru_bytes);
	mw_json_kv_uint(j, "files", d->files);
	mw_json_kv_string_or_null(j, "largest_file", d->largest_file);
	mw_json_kv_uint_or_null(j, "largest_file_bytes", d->largest_file != NULL,
				d->largest_file_bytes);
	mw_json_kv_string_or_null(j, "largest_memcg", d->largest_memcg);
	mw_json_kv_uint(j, "largest_memcg_bytes", d->largest_memcg_bytes);
	mw_json_kv_string_or_null(j, "mostly", d->mostly);
	mw_json_kv_uint(j, "writeback_structures", d->writeback_structures);
	mw_json_kv_uint(j, "other_refs", d->other_refs);
	mw_json_kv_int_or_null(j, "kernel_count", d->kernel_count >= 0, d->kernel_count);
}

void mw_json_holder_fields(struct mw_json *j, const struct mw_sockets_holder *h)
{
	mw_json_kv_int(j, "pid", h->pid);
	mw_json_kv_string(j, "comm", h->comm);
	mw_json_key(j, "fds");
	mw_json_array_begin(j);
	for (size_t k = 0; k < h->nr_fds; k++)
		mw_json_uint(j, h->fds[k]);
	mw_json_array_end(j);
	mw_json_kv_uint(j, "sockets", h->nr_sockets);
	mw_json_kv_uint(j, "unread_bytes", h->payload_bytes);
	mw_json_kv_uint(j, "recv_queue_bytes", h->recv_queue_bytes);
	mw_json_kv_uint(j, "pinned_bytes", h->pinned_bytes);
	mw_json_kv_uint(j, "truesize_bytes", h->truesize);
	mw_json_kv_uint(j, "skbs", h->skbs);
	mw_json_kv_uint(j, "frags", h->frags);
	mw_json_kv_uint(j, "frag_pages", h->frag_pages);
	mw_json_kv_orders(j, "frag_pages_by_order", h->pages_by_order);
}

static void json_sockets_data(struct mw_json *j, const struct mw_finding_sockets *s)
{
	const struct mw_sockets_holder *h = s->holder;
	mw_json_holder_fields(j, h);
	mw_json_kv_uint(j, "object_bytes", h->object_bytes);
	mw_json_kv_uint(j, "page_bytes", h->page_bytes);
	mw_json_kv_uint(j, "shared_pages", h->shared_pages);
	mw_json_kv_string(j, "local", s->top->local);
	mw_json_kv_string(j, "remote", s->top->remote);
	mw_json_key(j, "pinned_per_payload_byte");
	mw_json_double(j, s->ratio);
}

static void json_incident_data(struct mw_json *j, const struct mw_finding_incident *e)
{
	const struct mw_oom_report *r = e->oom;
	mw_json_kv_string(j, "panic", e->incident->panic);
	mw_json_key(j, "invoker");
	if (r) {
		mw_json_object_begin(j);
		mw_json_kv_int_or_null(j, "pid", r->pid >= 0, r->pid);
		mw_json_kv_string(j, "comm", r->comm);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_kv_string_or_null(j, "victim", r && r->has_victim ? r->victim.comm : NULL);
	mw_json_key(j, "top_task");
	if (e->top_task) {
		mw_json_object_begin(j);
		mw_json_kv_int(j, "pid", e->top_task->t.pid);
		mw_json_kv_string(j, "comm", e->top_task->t.comm);
		mw_json_kv_uint(j, "rss_bytes", e->top_task_bytes);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_key(j, "top_memcg");
	if (e->top_memcg) {
		mw_json_object_begin(j);
		mw_json_kv_string(j, "path", e->top_memcg);
		mw_json_kv_uint(j, "bytes", e->top_memcg_bytes);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_key(j, "other");
	if (e->other >= 0) {
		mw_json_object_begin(j);
		mw_json_kv_string(j, "category", mw_page_category_name((enum mw_page_category)e->other));
		mw_json_kv_uint(j, "bytes", e->other_bytes);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	mw_json_kv_uint(j, "other_oom_reports", e->nr_kills);
	mw_json_key(j, "unmapped_shmem");
	if (e->unmapped_shmem_largest) {
		mw_json_object_begin(j);
		mw_json_kv_uint(j, "bytes", e->unmapped_shmem_bytes);
		mw_json_kv_uint(j, "files", e->unmapped_shmem_files);
		mw_json_key(j, "largest");
		mw_json_object_begin(j);
		mw_json_kv_string(j, "path", e->unmapped_shmem_largest->path);
		mw_json_kv_uint(j, "bytes", e->unmapped_shmem_largest->cached_pages * e->page_size);
		mw_json_object_end(j);
		mw_json_kv_string_or_null(j, "directory", e->unmapped_shmem_dir);
		mw_json_kv_uint(j, "directory_bytes", e->unmapped_shmem_dir_bytes);
		mw_json_kv_uint(j, "directory_files", e->unmapped_shmem_dir_files);
		mw_json_object_end(j);
	} else {
		mw_json_null(j);
	}
	static const char *const causes[] = {
		[MW_OOM_CAUSE_UNKNOWN] = "unknown", [MW_OOM_CAUSE_PROCESS] = "process",
		[MW_OOM_CAUSE_UNMAPPED_SHMEM] = "unmapped-shmem", [MW_OOM_CAUSE_KERNEL] = "kernel",
	};
	mw_json_kv_string(j, "cause", (size_t)e->cause < MW_ARRAY_SIZE(causes) ?
			  causes[e->cause] : "unknown");
}

static void json_data(struct mw_json *j, const struct mw_finding *f)
{
	mw_json_key(j, "data");
	mw_json_object_begin(j);
	mw_json_kv_string(j, "advice_id", advice_id(f->advice));
	switch (f->kind) {
	case MW_FINDING_COUNTERS_DIFFER: {
		const struct mw_finding_counters *c = &f->u.counters;
		mw_json_key(j, "counters");
		mw_json_array_begin(j);
		for (size_t i = 0; i < c->nr_counters; i++) {
			if (!c->counters[i].flagged)
				continue;
			mw_json_object_begin(j);
			mw_json_kv_string(j, "name", c->counters[i].name);
			mw_json_kv_int(j, "difference_pages", c->counters[i].difference);
			mw_json_key(j, "percent");
			mw_json_double(j, c->counters[i].percent);
			mw_json_object_end(j);
		}
		mw_json_array_end(j);
		break;
	}
	case MW_FINDING_SHMEM_FILES_UNMAPPED:
	case MW_FINDING_DELETED_FILES_IN_USE:
	case MW_FINDING_FILE_CACHE_DIRECTORY: json_files_data(j, f); break;
	case MW_FINDING_DYING_MEMCGS: json_dying_data(j, &f->u.dying); break;
	case MW_FINDING_UNREAD_SOCKET_DATA: json_sockets_data(j, &f->u.sockets); break;
	case MW_FINDING_SLAB_CACHE_LARGE: {
		static const char *const names[] = {
			"unknown", "dentry", "inodes", "skbuff", "kmalloc", "page-cache-index",
			"buffer-heads", "tasks", "files", "sockets", "mappings",
		};
		const struct mw_finding_slab *e = &f->u.slab;
		int g = grower_of(f);
		mw_json_kv_string(j, "cache", e->cache->name);
		mw_json_kv_uint(j, "objects_active", e->cache->objects_active);
		mw_json_kv_uint(j, "objects_total", e->cache->objects_total);
		mw_json_key(j, "percent_ram");
		mw_json_double(j, e->percent_ram);
		mw_json_key(j, "percent_slab");
		mw_json_double(j, e->percent_slab);
		mw_json_kv_string(j, "grown_by", (size_t)g < MW_ARRAY_SIZE(names) ? names[g] : "unknown");
		if (e->negative_known)
			mw_json_kv_int(j, "negative_dentries", e->nr_negative);
		break;
	}
	case MW_FINDING_BPF_LARGE: {
		const struct mw_finding_bpf *e = &f->u.bpf;
		mw_json_kv_uint(j, "maps", e->nr_maps);
		mw_json_kv_uint(j, "map_bytes", e->map_bytes);
		mw_json_kv_uint(j, "programs", e->nr_progs);
		mw_json_kv_uint(j, "program_bytes", e->prog_bytes);
		mw_json_key(j, "percent_ram");
		mw_json_double(j, e->percent_ram);
		if (e->largest_map)
			mw_json_kv_uint(j, "largest_map_id", e->largest_map->id);
		else
			mw_json_kv_uint_or_null(j, "largest_map_id", false, 0);
		break;
	}
	case MW_FINDING_HUGETLB_POOL_FREE: {
		const struct mw_finding_hugetlb_pool *e = &f->u.hugetlb_pool;
		mw_json_kv_string(j, "hstate", e->hstate->name);
		mw_json_kv_uint(j, "page_bytes", e->hstate->page_bytes);
		mw_json_kv_uint(j, "huge_pages", e->hstate->nr);
		mw_json_kv_uint(j, "free_huge_pages", e->hstate->free);
		mw_json_kv_uint(j, "resv_huge_pages", e->hstate->resv);
		mw_json_key(j, "percent_ram");
		mw_json_double(j, e->percent_ram);
		mw_json_kv_uint(j, "holders", e->holders);
		mw_json_kv_uint(j, "held_bytes", e->held_bytes);
		mw_json_kv_string_or_null(j, "largest_holder", e->largest ? e->largest->path : NULL);
		break;
	}
	case MW_FINDING_ZRAM_POOR_COMPRESSION: {
		const struct mw_finding_zram *e = &f->u.zram;
		mw_json_kv_string(j, "device", e->dev->name);
		mw_json_kv_uint(j, "orig_data_size", e->dev->orig_data_size);
		mw_json_kv_uint(j, "compr_data_size", e->dev->compr_data_size);
		mw_json_key(j, "ratio");
		mw_json_double(j, e->ratio);
		mw_json_kv_string_or_null(j, "comp_algorithm",
					  e->dev->comp_algorithm[0] ? e->dev->comp_algorithm : NULL);
		break;
	}
	case MW_FINDING_OOM_PANIC:
	case MW_FINDING_PANIC: json_incident_data(j, &f->u.incident); break;
	default: json_pages_data(j, f); break;
	}
	mw_json_object_end(j);
}

void mw_json_finding_fields(struct mw_json *j, const struct mw_finding *f)
{
	struct mw_finding_words w;
	bool ok = mw_finding_words(f, &w);
	mw_json_kv_string(j, "id", mw_finding_id(f->kind));
	mw_json_kv_string(j, "severity", mw_severity_name(f->severity));
	mw_json_kv_string(j, "title", ok ? w.title : "(out of memory)");
	mw_json_kv_uint(j, "bytes", f->bytes);
	mw_json_kv_string(j, "evidence", ok ? w.evidence : "");
	mw_json_kv_string(j, "advice", ok ? w.advice : "");
	json_data(j, f);
	if (ok)
		mw_finding_words_deinit(&w);
}

void mw_json_findings_of(struct mw_json *j, const struct mw_findings *list, unsigned result)
{
	mw_json_key(j, "findings");
	mw_json_array_begin(j);
	size_t it = 0;
	const struct mw_finding *f;
	while (list && (f = mw_findings_next(list, result, &it))) {
		mw_json_object_begin(j);
		mw_json_finding_fields(j, f);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
}

void mw_json_findings(struct mw_json *j, const struct mw_findings *list)
{
	mw_json_key(j, "findings");
	mw_json_array_begin(j);
	for (size_t i = 0; list && i < list->nr; i++) {
		mw_json_object_begin(j);
		mw_json_finding_fields(j, &list->v[i]);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
}
