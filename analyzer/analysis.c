/* memwhere: the one analysis pipeline (the order is in analysis.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/analysis.h"
#include "analyzer/zpool.h"
#include "analyzer/memcg-scan.h"
#include "analyzer/reserved.h"
#include "analyzer/skbfrags.h"
#include "analyzer/slab-memcg.h"

/* One run: the options, the warnings, and the steps' working state. */
struct run {
	struct mw_kernel *k;
	const struct mw_analysis_options *opt;
	struct mw_warnings *w;
	struct mw_analysis *a;
	struct mw_memcg_scan *ms;	/* charged bytes observer */
	struct mw_files_scan *fs;	/* files observer */
	struct mw_unaccounted_scan *us;	/* unaccounted pages observer */
	struct mw_reserved_scan *rs;	/* reserved and offline pages observer */
	struct mw_page_observer obs[4];
	size_t nr_obs;
	struct mw_pfnset skb_set;	/* the skb_frags claim */
	struct mw_pfnset zbud_set;	/* the zpool claim: zbud's pages */
	bool have_claim;
};

static bool wants(const struct run *r, unsigned result)
{
	return (r->opt->want & result) != 0;
}

/* slab with --memcg: objects by memcg, from the page scan's slab vectors */
static bool slab_split(const struct run *r)
{
	return wants(r, MW_RESULT_SLAB) && r->opt->memcg && (r->a->have & MW_RESULT_SLAB);
}

/* A failed step: the end of the run if its result is required, else a
 * warning. Returns the error to end the run with, or NULL. */
static struct mw_error *failed(struct run *r, unsigned result, struct mw_error *err,
			       const char *fatal_context, const char *warning)
{
	if (r->opt->required & result) {
		r->a->error_context = fatal_context;
		return err;
	}
	mw_warn_error(r->w, err, warning);
	return NULL;
}

/* Whether the struct mem_cgroup at memcg lies in --memcg's subtree; under
 * the root everything does, memcg 0 (charged to none) too. */
static bool in_subtree(void *arg, uint64_t memcg)
{
	const struct mw_analysis *a = arg;
	if (!a->have_tree)
		return false;
	if (a->memcg_top == 0)
		return true;
	ptrdiff_t i = mw_memcg_find_addr(&a->tree, memcg);
	return i >= 0 && mw_memcg_in_subtree(&a->tree, (size_t)i, a->memcg_top);
}

/* The tree: for the memcg result, and to name the memcg of files and
 * sockets; with --memcg, its subtree. */
static struct mw_error *memcg_tree(struct run *r)
{
	struct mw_analysis *a = r->a;
	if (!wants(r, MW_RESULT_MEMCG | MW_RESULT_FILES | MW_RESULT_SOCKETS | MW_RESULT_TASKS |
		       MW_RESULT_BPF) && !slab_split(r))
		return NULL;
	struct mw_error *err = mw_memcg_read(r->k, r->w, &a->tree);
	if (err) {
		if (r->opt->memcg && !(r->opt->required & MW_RESULT_MEMCG)) {
			a->error_context = "--memcg: memory cgroups";
			return err;
		}
		return failed(r, MW_RESULT_MEMCG, err, "memory cgroups",
			      wants(r, MW_RESULT_MEMCG) ? "memory cgroups not analysed" :
			      wants(r, MW_RESULT_FILES) ? "memcg of each file not shown" :
			      wants(r, MW_RESULT_SOCKETS) ? "memcg of each socket not shown" :
			      wants(r, MW_RESULT_TASKS) ? "memcg of each task not shown" :
			      wants(r, MW_RESULT_BPF) ? "memcg of each BPF map not shown" :
			      "slab objects by memcg not shown");
	}
	a->have_tree = true;
	if (r->opt->memcg) {
		size_t matches;
		ptrdiff_t i = mw_memcg_find(&a->tree, r->opt->memcg, &matches);
		if (i < 0) {
			a->memcg_not_found = true;
			a->memcg_matches = matches;
			a->error_context = "--memcg";
			return mw_error_create(MW_ERR_USAGE, "%s: %s", r->opt->memcg,
					       matches ? "names more than one memory cgroup" :
							 "no such memory cgroup");
		}
		a->memcg_top = (size_t)i;
		a->memcg_path = a->tree.memcgs[i].path;
	}
	return NULL;
}

/* The observers the page scan feeds. */
static struct mw_error *observers(struct run *r)
{
	struct mw_error *err;
	bool split = slab_split(r) && r->a->have_tree;
	if ((wants(r, MW_RESULT_MEMCG) || split) && r->a->have_tree) {
		if ((err = mw_memcg_scan_create(r->k, r->w, &r->ms)) ||
		    (split && (err = mw_memcg_scan_by_cache(r->ms)))) {
			mw_memcg_scan_destroy(r->ms);
			r->ms = NULL;
			mw_warn_error(r->w, err, wants(r, MW_RESULT_MEMCG) ?
				      "charged_bytes (page scan) not available" :
				      "slab objects by memcg not shown");
		} else {
			mw_memcg_scan_observer(r->ms, &r->obs[r->nr_obs++]);
		}
	}
	if (wants(r, MW_RESULT_SUMMARY)) {
		if ((err = mw_unaccounted_scan_create(r->k, &r->us)))
			mw_warn_error(r->w, err, "unaccounted pages not broken down");
		else
			mw_unaccounted_observer(r->us, &r->obs[r->nr_obs++]);
	}
	if (wants(r, MW_RESULT_FILES)) {
		if ((err = mw_files_scan_create(r->k, &r->fs)))
			return failed(r, MW_RESULT_FILES, err, "files", "files not analysed");
		mw_files_scan_observer(r->fs, &r->obs[r->nr_obs++]);
	}
	if (wants(r, MW_RESULT_SUMMARY)) {
		if ((err = mw_reserved_scan_create(r->k, r->w, &r->rs)))
			mw_warn_error(r->w, err, "reserved memory not broken down");
		else
			mw_reserved_scan_observer(r->rs, &r->obs[r->nr_obs++]);
	}
	return NULL;
}

/* The skb_frags claim: the pages the sockets' skbs keep alive. */
static void claim(struct run *r, const struct mw_sockets *s)
{
	struct mw_error *err = mw_skbfrags_set(s->pages, s->nr_pages, &r->skb_set);
	if (err)
		mw_warn_error(r->w, err,
			      "skb_frags not separated from unaccounted (socket analysis)");
	else
		r->have_claim = true;
}

/* Sockets: before the page scan, whose skb_frags claim they make. */
static struct mw_error *sockets(struct run *r)
{
	struct mw_analysis *a = r->a;
	bool summary = wants(r, MW_RESULT_SUMMARY), listed = wants(r, MW_RESULT_SOCKETS);
	struct mw_sockets_filter filter = { .keep = in_subtree, .arg = a };
	const struct mw_sockets_filter *f = r->opt->memcg && listed ? &filter : NULL;
	struct mw_sockets s;
	struct mw_error *err;

	if (!summary && !listed)
		return NULL;
	if (summary && f) {	/* the claim is of every socket, the list of some */
		if ((err = mw_sockets_analyze(r->k, r->w, &s))) {
			mw_warn_error(r->w, err,
				      "skb_frags not separated from unaccounted (socket analysis)");
		} else {
			claim(r, &s);
			mw_sockets_deinit(&s);
		}
		summary = false;
	}
	if ((err = mw_sockets_analyze_filtered(r->k, r->w, f, &s))) {
		if (listed && (r->opt->required & MW_RESULT_SOCKETS))
			return failed(r, MW_RESULT_SOCKETS, err, "sockets", NULL);
		mw_warn_error(r->w, err, summary ?
			      "skb_frags not separated from unaccounted (socket analysis)" :
			      "sockets not analysed");
		if (listed)
			a->have |= MW_RESULT_SOCKETS;	/* an empty list (warned) */
		return NULL;
	}
	if (summary)
		claim(r, &s);
	if (listed)
		a->have |= MW_RESULT_SOCKETS;	/* empty if the claim failed (warned) */
	if (listed && (!summary || r->have_claim))
		a->socks = s;
	else
		mw_sockets_deinit(&s);
	return NULL;
}

/* Each socket's memcg path, and the processes holding unread data. */
static struct mw_error *socket_holders(struct run *r)
{
	struct mw_analysis *a = r->a;
	if (!(a->have & MW_RESULT_SOCKETS))
		return NULL;
	for (size_t i = 0; a->have_tree && i < a->socks.nr; i++) {
		ptrdiff_t m = a->socks.v[i].memcg ?
			mw_memcg_find_addr(&a->tree, a->socks.v[i].memcg) : -1;
		a->socks.v[i].memcg_path = m >= 0 ? a->tree.memcgs[m].path : NULL;
	}
	struct mw_error *err = mw_sockets_holders(&a->socks, MW_SOCKETS_FINDING_MIN,
						  &a->holders, &a->nr_holders);
	if (err) {
		a->nr_holders = 0;
		return failed(r, MW_RESULT_SOCKETS, err, "sockets", "socket findings");
	}
	return NULL;
}

/* The page scan, every observer on the one pass. */
static struct mw_error *page_scan(struct run *r)
{
	if (!wants(r, MW_RESULT_SUMMARY) && !r->nr_obs)
		return NULL;
	struct mw_page_claim claims[2];
	size_t nr_claims = 0;
	if (r->have_claim)
		claims[nr_claims++] = (struct mw_page_claim){ &r->skb_set, MW_PAGE_SKB_FRAGS };
	/* zbud marks its pages in no way: its pools' lists say which */
	struct mw_error *zerr = mw_zbud_pfns(r->k, r->w, &r->zbud_set);
	if (zerr)
		mw_warn_error(r->w, zerr, "zbud pages not found (they count as unaccounted)");
	else if (r->zbud_set.nr)
		claims[nr_claims++] = (struct mw_page_claim){ &r->zbud_set, MW_PAGE_ZPOOL };
	struct mw_pagescan_options opt = {
		.threads = r->opt->threads,
		.observers = r->obs,
		.nr_observers = r->nr_obs,
		.claims = nr_claims ? claims : NULL,
		.nr_claims = nr_claims,
		.progress = r->opt->progress,
		.progress_arg = r->opt->progress_arg,
	};
	struct mw_error *err = mw_pagescan_run(r->k, &opt, r->w, &r->a->ps);
	if (!err)
		return NULL;
	if (wants(r, MW_RESULT_SUMMARY)) {
		r->a->error_context = "page scan";
		return err;
	}
	if (r->fs)
		return failed(r, MW_RESULT_FILES, err, "files", "files not analysed");
	mw_warn_error(r->w, err, "charged_bytes (page scan) not available");
	return NULL;
}

/* What the scan fed: charged bytes, files by path, the summary. */
static struct mw_error *after_scan(struct run *r)
{
	struct mw_analysis *a = r->a;
	struct mw_error *err;
	if (wants(r, MW_RESULT_MEMCG) && a->have_tree) {
		if (r->ms && a->ps && (err = mw_memcg_scan_apply(r->ms, a->ps, r->w, &a->tree)))
			mw_warn_error(r->w, err, "charged_bytes (page scan) not available");
		a->have |= MW_RESULT_MEMCG;
	}
	if (slab_split(r) && r->ms && a->ps) {
		const struct mw_slab_objcgs *c = mw_memcg_scan_cache_counts(r->ms);
		if (!c)
			mw_warn(r->w, "slab objects by memcg not shown: the slab vector layout "
				"is not known");
		else if ((err = mw_slab_memcg_split(r->k, c, &a->tree, a->memcg_top, r->w,
						    &a->slab)))
			mw_warn_error(r->w, err, "slab objects by memcg not shown");
	}
	if (r->fs && a->ps) {
		struct mw_files_filter filter = { .keep = in_subtree, .arg = a };
		err = mw_files_resolve(r->fs, a->ps, r->opt->memcg ? &filter : NULL, r->w,
				       &a->files);
		if (err)
			return failed(r, MW_RESULT_FILES, err, "files", "files not analysed");
		a->have |= MW_RESULT_FILES;
	}
	if (wants(r, MW_RESULT_SUMMARY) && a->ps) {
		if (!(a->summary = malloc(sizeof(*a->summary)))) {
			a->error_context = "summary";
			return &mw_error_nomem;
		}
		mw_summary_build(a->ps, a->summary);
		if (r->us)
			mw_unaccounted_result(r->us, &a->unaccounted);
		a->have |= MW_RESULT_SUMMARY;
		if (r->rs) {
			if (!(a->reserved = malloc(sizeof(*a->reserved)))) {
				a->error_context = "summary";
				return &mw_error_nomem;
			}
			if ((err = mw_reserved_finish(r->rs, a->ps, r->w, a->reserved))) {
				mw_warn_error(r->w, err, "reserved memory not broken down");
				free(a->reserved);
				a->reserved = NULL;
			}
		}
	}
	return NULL;
}

/* Every result's findings, ranked together. */
static struct mw_error *findings(struct run *r)
{
	struct mw_analysis *a = r->a;
	struct mw_error *err = NULL;
	if (!wants(r, MW_RESULT_FINDINGS))
		return NULL;
	if (a->have & MW_RESULT_SUMMARY)
		err = mw_summary_findings(a->ps, a->summary, &a->findings);
	if (!err && a->reserved)
		err = mw_reserved_findings(a->reserved, a->summary->total_bytes, &a->findings);
	if (!err && (a->have & MW_RESULT_MEMCG))
		err = mw_memcg_findings(&a->tree, a->memcg_top, &a->findings);
	if (!err && (a->have & MW_RESULT_FILES))
		err = mw_files_findings(&a->files, a->have_tree ? &a->tree : NULL, &a->findings);
	if (!err && (a->have & MW_RESULT_SOCKETS))
		err = mw_sockets_findings(&a->socks, a->holders, a->nr_holders,
					  a->summary ? a->summary->total_bytes : r->opt->total_ram,
					  &a->findings);
	if (!err && (a->have & MW_RESULT_SLAB))
		err = mw_slab_findings(&a->slab, a->summary ? a->summary->total_bytes : r->opt->total_ram,
				       &a->findings);
	if (!err && (a->have & MW_RESULT_BPF))
		err = mw_bpf_findings(&a->bpf, a->summary ? a->summary->total_bytes : r->opt->total_ram,
				      &a->findings);
	if (!err && (a->have & MW_RESULT_POOLS))
		err = mw_pools_findings(&a->pools, a->summary ? a->summary->total_bytes :
					r->opt->total_ram, &a->findings);
	if (err) {
		a->error_context = "findings";
		return err;
	}
	mw_findings_drop_repeated(&a->findings);
	mw_findings_sort(&a->findings);
	if (a->have & MW_RESULT_INCIDENT) {
		struct mw_incident_evidence e = {
			.tasks = (a->have & MW_RESULT_TASKS) ? &a->tasks : NULL,
			.tree = a->have_tree ? &a->tree : NULL,
			.summary = (a->have & MW_RESULT_SUMMARY) ? a->summary : NULL,
			.files = (a->have & MW_RESULT_FILES) ? &a->files : NULL,
		};
		if ((err = mw_incident_finding(&a->incident, &e, &a->findings))) {
			a->error_context = "findings";
			return err;
		}
	}
	a->have |= MW_RESULT_FINDINGS;
	return NULL;
}

static struct mw_error *kernel_log(struct run *r)
{
	if (!wants(r, MW_RESULT_LOG | MW_RESULT_INCIDENT))
		return NULL;
	struct mw_error *err = mw_log_read(r->k, r->w, &r->a->log);
	if (err)
		return failed(r, MW_RESULT_LOG | MW_RESULT_INCIDENT, err, "kernel log",
			      wants(r, MW_RESULT_LOG) ? "kernel log" :
			      "kernel log: what happened (panic, OOM reports) not shown");
	r->a->have |= MW_RESULT_LOG;
	if (!wants(r, MW_RESULT_INCIDENT))
		return NULL;
	if ((err = mw_incident_parse(&r->a->log, &r->a->incident)))
		return failed(r, MW_RESULT_INCIDENT, err, "kernel log: what happened",
			      "what happened (panic, OOM reports) not shown");
	r->a->have |= MW_RESULT_INCIDENT;
	return NULL;
}

static struct mw_error *slab_caches(struct run *r)
{
	if (!wants(r, MW_RESULT_SLAB))
		return NULL;
	struct mw_error *err = mw_slab_analyze(r->k, r->w, &r->a->slab);
	if (err)
		return failed(r, MW_RESULT_SLAB, err, "slab", "slab caches");
	r->a->have |= MW_RESULT_SLAB;
	return NULL;
}

static struct mw_error *vmalloc_areas(struct run *r)
{
	if (!wants(r, MW_RESULT_VMALLOC))
		return NULL;
	struct mw_error *err = mw_vmalloc_analyze(r->k, r->w, &r->a->vmalloc);
	if (err)
		return failed(r, MW_RESULT_VMALLOC, err, "vmalloc", "vmalloc areas");
	r->a->have |= MW_RESULT_VMALLOC;
	return NULL;
}

static struct mw_error *bpf_objects(struct run *r)
{
	if (!wants(r, MW_RESULT_BPF))
		return NULL;
	struct mw_error *err = mw_bpf_analyze(r->k, r->w, &r->a->bpf);
	if (err)
		return failed(r, MW_RESULT_BPF, err, "bpf", "BPF maps and programs");
	r->a->have |= MW_RESULT_BPF;
	return NULL;
}

static struct mw_error *pools(struct run *r)
{
	if (!wants(r, MW_RESULT_POOLS))
		return NULL;
	struct mw_error *err = mw_pools_analyze(r->k, r->w, &r->a->pools);
	if (err)
		return failed(r, MW_RESULT_POOLS, err, "pools", "memory pools (hugetlb, zram, CMA)");
	r->a->have |= MW_RESULT_POOLS;
	return NULL;
}

static struct mw_error *tasks(struct run *r)
{
	struct mw_analysis *a = r->a;
	if (!wants(r, MW_RESULT_TASKS))
		return NULL;
	struct mw_error *err = mw_task_list_read(r->k, r->w, &a->tasks);
	if (err)
		return failed(r, MW_RESULT_TASKS, err, "tasks", "tasks");
	if (r->opt->memcg && a->have_tree) {
		struct mw_task_list *l = &a->tasks;
		size_t n = 0;
		for (size_t i = 0; i < l->nr; i++) {
			if (in_subtree(a, l->v[i].memcg))
				l->v[n++] = l->v[i];
			else
				free(l->v[i].cmdline);
		}
		l->nr = n;
	}
	mw_task_list_rank(&a->tasks);
	a->have |= MW_RESULT_TASKS;
	return NULL;
}

struct mw_error *mw_analysis_run(struct mw_kernel *k, const struct mw_analysis_options *opt,
				 struct mw_warnings *w, struct mw_analysis *ret)
{
	struct run r = { .k = k, .opt = opt, .w = w, .a = ret };
	struct mw_error *err;
	memset(ret, 0, sizeof(*ret));
	if (opt->memcg && (opt->want & MW_RESULT_SUMMARY))
		mw_warn(w, "--memcg is not applied to summary and pages yet: showing the whole machine");
	if (opt->memcg && (opt->want & MW_RESULT_BPF))
		mw_warn(w, "--memcg is not applied to bpf yet: showing every map and program");
	if (!(err = kernel_log(&r)) && !(err = slab_caches(&r)) && !(err = vmalloc_areas(&r)) &&
	    !(err = bpf_objects(&r)) && !(err = pools(&r)) &&
	    !(err = memcg_tree(&r)) && !(err = tasks(&r)) && !(err = observers(&r)) && !(err = sockets(&r)) &&
	    !(err = page_scan(&r)) && !(err = socket_holders(&r)) && !(err = after_scan(&r)))
		err = findings(&r);
	mw_pfnset_deinit(&r.skb_set);
	mw_pfnset_deinit(&r.zbud_set);
	mw_files_scan_destroy(r.fs);
	mw_memcg_scan_destroy(r.ms);
	mw_unaccounted_scan_destroy(r.us);
	mw_reserved_scan_destroy(r.rs);
	return err;
}

void mw_analysis_deinit(struct mw_analysis *a)
{
	mw_findings_deinit(&a->findings);
	mw_log_deinit(&a->log);
	mw_incident_deinit(&a->incident);
	if (a->have & MW_RESULT_SLAB)
		mw_slab_deinit(&a->slab);
	if (a->have & MW_RESULT_VMALLOC)
		mw_vmalloc_deinit(&a->vmalloc);
	if (a->have & MW_RESULT_BPF)
		mw_bpf_deinit(&a->bpf);
	if (a->have & MW_RESULT_POOLS)
		mw_pools_deinit(&a->pools);
	if (a->have & MW_RESULT_TASKS)
		mw_task_list_deinit(&a->tasks);
	free(a->summary);
	free(a->reserved);
	free(a->holders);
	mw_files_deinit(&a->files);
	mw_sockets_deinit(&a->socks);
	mw_pagescan_destroy(a->ps);
	if (a->have_tree)
		mw_memcg_tree_deinit(&a->tree);
	memset(a, 0, sizeof(*a));
}

unsigned mw_finding_result(enum mw_finding_kind kind)
{
	switch (kind) {
	case MW_FINDING_SHMEM_FILES_UNMAPPED:
	case MW_FINDING_DELETED_FILES_IN_USE:
	case MW_FINDING_FILE_CACHE_DIRECTORY:
		return MW_RESULT_FILES;
	case MW_FINDING_DYING_MEMCGS:
		return MW_RESULT_MEMCG;
	case MW_FINDING_UNREAD_SOCKET_DATA:
		return MW_RESULT_SOCKETS;
	case MW_FINDING_SLAB_CACHE_LARGE:
		return MW_RESULT_SLAB;
	case MW_FINDING_BPF_LARGE:
		return MW_RESULT_BPF;
	case MW_FINDING_HUGETLB_POOL_FREE:
	case MW_FINDING_ZRAM_POOR_COMPRESSION:
		return MW_RESULT_POOLS;
	case MW_FINDING_OOM_PANIC:
	case MW_FINDING_PANIC:
		return MW_RESULT_INCIDENT;
	default:
		return MW_RESULT_SUMMARY;
	}
}

const struct mw_finding *mw_findings_next(const struct mw_findings *list, unsigned result,
					  size_t *i)
{
	while (*i < list->nr) {
		const struct mw_finding *f = &list->v[(*i)++];
		if (mw_finding_result(f->kind) & result)
			return f;
	}
	return NULL;
}
