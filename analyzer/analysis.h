/* memwhere: the one analysis pipeline.
 *
 * Every front end (each command, `report`, `live`, and later an HTML report
 * or a diff of two dumps) asks for a set of results and renders what comes
 * back; none assembles analyses itself. mw_analysis_run runs each step at
 * most once, in the order the steps depend on each other:
 *
 *   the kernel's log and what happened in it (the panic, OOM reports),
 *   slab caches, vmalloc areas, BPF maps and programs (no page scan needed)
 *   memory cgroup tree (and --memcg's subtree), then the tasks (named by it)
 *   page observers: memcg charges, files
 *   sockets (before the page scan: their frag pages are the skb_frags claim)
 *   the page scan: every struct page once, all observers on the same pass
 *   what the scan feeds: memcg charges, files by path, the summary and
 *   reserved memory by purpose
 *   findings of every result, ranked together; the incident's (the panic)
 *   opens the list
 *
 * A new analysis plugs in with a result bit (enum mw_result), a member of
 * struct mw_analysis, and a step in analysis.c.
 */
#ifndef MW_ANALYSIS_H
#define MW_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/bpf.h"
#include "analyzer/pools.h"
#include "analyzer/files.h"
#include "analyzer/findings.h"
#include "analyzer/incident.h"
#include "analyzer/kernel.h"
#include "analyzer/memcg.h"
#include "analyzer/pagescan.h"
#include "analyzer/printk.h"
#include "analyzer/reserved.h"
#include "analyzer/slab.h"
#include "analyzer/sockets.h"
#include "analyzer/summary.h"
#include "analyzer/tasks.h"
#include "analyzer/unaccounted.h"
#include "analyzer/vmalloc.h"
#include "common/error.h"
#include "common/warn.h"

/* The results a front end can ask for. */
enum mw_result {
	MW_RESULT_SUMMARY = 1u << 0,	/* page scan: categories, counters (summary, pages) */
	MW_RESULT_MEMCG = 1u << 1,	/* the memcg tree with the scan's charged bytes */
	MW_RESULT_FILES = 1u << 2,	/* page cache and shmem by file */
	MW_RESULT_SOCKETS = 1u << 3,	/* sockets, their skbs, the processes holding data */
	MW_RESULT_FINDINGS = 1u << 4,	/* the findings of the results above, ranked */
	MW_RESULT_LOG = 1u << 5,	/* the kernel's log (printk ring buffer) */
	MW_RESULT_SLAB = 1u << 6,	/* slab caches, as /proc/slabinfo counts */
	MW_RESULT_VMALLOC = 1u << 7,	/* vmalloc areas by caller, percpu chunks, modules */
	MW_RESULT_TASKS = 1u << 8,	/* processes and kernel threads by RSS (--memcg applies) */
	MW_RESULT_INCIDENT = 1u << 9,	/* the panic and OOM reports in the log (reads it) */
	MW_RESULT_BPF = 1u << 10,	/* BPF maps and programs, their memory */
	MW_RESULT_POOLS = 1u << 12,	/* hugetlb pools and holders, zram/zswap, CMA */
};

struct mw_analysis_options {
	unsigned want;		/* enum mw_result bits */
	/*
	 * Of want: the results whose failure ends the analysis (the error is
	 * returned); a failure of the others is a warning and the result is
	 * left out.
	 */
	unsigned required;
	/* --memcg: keep files and sockets charged to this subtree, show this
	 * subtree of the tree (summary and pages are not restricted yet). */
	const char *memcg;
	unsigned threads;	/* page scan threads, 0: one per CPU */
	void (*progress)(void *arg, uint64_t done_pages, uint64_t total_pages);
	void *progress_arg;
	/* bytes of RAM for the severity of socket findings when there is no
	 * page scan to count them */
	uint64_t total_ram;
};

struct mw_analysis {
	unsigned have;		/* enum mw_result bits of the results present */
	/* Why the analysis ended (with the returned error): "page scan", ... */
	const char *error_context;
	bool memcg_not_found;	/* --memcg names no memcg, or several (error returned) */
	size_t memcg_matches;	/* how many it names then */

	struct mw_memcg_tree tree;	/* read whenever memcgs are needed */
	bool have_tree;
	size_t memcg_top;	/* --memcg's index in tree (0: the root) */
	const char *memcg_path;	/* --memcg's path as in the tree, or NULL */

	struct mw_pagescan *ps;
	struct mw_summary *summary;
	struct mw_unaccounted unaccounted;	/* with the summary: what its pages are */
	struct mw_reserved *reserved;	/* with the summary; NULL if not broken down */
	struct mw_files files;
	struct mw_sockets socks;	/* empty if the socket analysis failed */
	struct mw_sockets_holder *holders;
	size_t nr_holders;
	struct mw_findings findings;
	struct mw_log log;		/* read for MW_RESULT_LOG or MW_RESULT_INCIDENT */
	struct mw_incident incident;
	struct mw_slab slab;
	struct mw_vmalloc vmalloc;
	struct mw_bpf bpf;
	struct mw_pools pools;
	struct mw_task_list tasks;	/* ranked; only --memcg's subtree with --memcg */
};

/*
 * Run what opt->want needs, once. Returns an error (and error_context) only
 * when a required result could not be made; everything else that fails is
 * a warning in w and a result left out of have. Deinit ret either way.
 */
struct mw_error *mw_analysis_run(struct mw_kernel *k, const struct mw_analysis_options *opt,
				 struct mw_warnings *w, struct mw_analysis *ret);
void mw_analysis_deinit(struct mw_analysis *a);

/* The result a finding comes from (MW_RESULT_SUMMARY, ...). */
unsigned mw_finding_result(enum mw_finding_kind kind);
/*
 * The findings of one result in rank order: start with *i = 0; returns
 * the next finding from result (a bit of enum mw_result), or NULL at the end.
 */
const struct mw_finding *mw_findings_next(const struct mw_findings *list, unsigned result,
					  size_t *i);

/* Smallest pinned_bytes of a process that makes a socket finding. */
enum { MW_SOCKETS_FINDING_MIN = 1 << 20 };

#endif
