/* memwhere: processes and kernel threads with their memory (`tasks`).
 *
 * The process list is analyzer/task.c's walk of init_task.tasks (one entry
 * per thread-group leader, as /proc lists processes). For each one this
 * reads what /proc/PID/status shows of it:
 *
 *   - ppid (real_parent->tgid), comm, state letter, uid (real_cred->uid),
 *     threads (signal->nr_threads), oom_score_adj (signal->oom_score_adj);
 *   - the memory cgroup: cgroups (css_set) -> subsys[memory_cgrp_id] ->
 *     the struct mem_cgroup around that css;
 *   - from its mm: the RSS counters (mm->rss_stat: MM_ANONPAGES,
 *     MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS), pgtables_bytes, total_vm,
 *     and the command line (arg_start..arg_end through the process's own
 *     page tables, mm->pgd) when those pages are in the dump.
 *
 * The RSS counters are atomic_long_t before 6.2 and struct percpu_counter
 * since (probed by the type of mm_struct.rss_stat). A percpu_counter's
 * value is its count plus every possible CPU's s32 delta (what
 * /proc/PID/status prints since the kernel sums them there; mainline 6.2 to
 * 6.15 printed the count alone). With atomics on kernels that cache
 * per-thread deltas (task_struct.rss_stat, SPLIT_RSS_COUNTING) every
 * thread's cached delta is added, which /proc/PID/status leaves out.
 */
#ifndef MW_TASKS_H
#define MW_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "analyzer/task.h"
#include "common/error.h"
#include "common/warn.h"

enum mw_rss_counter {
	MW_RSS_FILE,
	MW_RSS_ANON,
	MW_RSS_SWAP,
	MW_RSS_SHMEM,
	MW_RSS_NR,
};

enum {
	MW_TASK_CMDLINE_MAX = 4096,	/* bytes of the command line kept */
};

struct mw_task_info {
	struct mw_task t;		/* pid (= tgid), comm, address, flags */
	int32_t ppid;
	char state;			/* as /proc: R S D T t X Z P I, '?' unknown */
	uint32_t uid;
	bool has_uid;
	bool kernel_thread;		/* PF_KTHREAD */
	int32_t threads;		/* signal->nr_threads, -1 unknown */
	int32_t oom_score_adj;
	bool has_oom;
	uint64_t memcg;			/* struct mem_cgroup *, 0 unknown/none */
	bool has_mm;			/* an mm was read: the counters below are valid */
	/* pages: the count plus every CPU's (or thread's) delta */
	int64_t rss[MW_RSS_NR];
	/* pages of rss[] that are those deltas, not yet folded into the mm's
	 * own counter (what the OOM killer's task dump reads) */
	int64_t rss_delta[MW_RSS_NR];
	bool has_pgtables;
	uint64_t pgtables_bytes;
	uint64_t total_vm_pages;
	uint32_t page_size;		/* the kernel's: the counters above are of these */
	char *cmdline;			/* NULL: not in the dump (or no mm) */
};

struct mw_task_list {
	struct mw_task_info *v;
	size_t nr;
	bool truncated;			/* the list walk stopped early (warned) */
	bool rss_percpu;		/* the counters are percpu_counters */
	unsigned nr_cpus;		/* possible CPUs summed (percpu only) */
	int64_t percpu_batch;		/* percpu_counter_batch, 0 unknown */
	size_t cmdlines;		/* processes whose cmdline was read */
	size_t cmdlines_missing;	/* user processes whose cmdline was not */
};

/* Every process and kernel thread, in list order (init_task first). Bad
 * data in one task is a warning naming it and a partial row; an unusable
 * layout is an error. */
struct mw_error *mw_task_list_read(struct mw_kernel *k, struct mw_warnings *w,
				   struct mw_task_list *ret);
void mw_task_list_deinit(struct mw_task_list *l);

/* Resident bytes (anon + file + shmem, exact counters) of a row. */
uint64_t mw_task_rss_bytes(const struct mw_task_info *t);

/* Sort rows by RSS, largest first (then by pid). */
void mw_task_list_rank(struct mw_task_list *l);

#endif
