/* memwhere: what happened, from the kernel's own log (`report`'s incident).
 *
 * The log (struct mw_log, analyzer/printk.h) holds what the kernel said
 * before the dump; this reads two things out of it:
 *
 *   - the panic: "Kernel panic - not syncing: MESSAGE" (the first one; a
 *     dump taken live, or by kdump at an oops, has none);
 *   - every OOM report (mm/oom_kill.c dump_header and oom_kill_process):
 *       "COMM invoked oom-killer: gfp_mask=0x..(..), order=N, oom_score_adj=N"
 *       "CPU: N [UID: N ]PID: P Comm: COMM ..."            (the invoker's pid)
 *       "memory: usage NkB, limit NkB, failcnt N"          (memcg OOMs)
 *       "oom-kill:constraint=C,...,oom_memcg=M,task_memcg=T,task=..,pid=..,uid=.."
 *       "Out of memory: Killed process PID (COMM) total-vm:NkB, anon-rss:NkB,
 *        file-rss:NkB, shmem-rss:NkB, UID:N pgtables:NkB oom_score_adj:N"
 *       ("Memory cgroup out of memory: Killed process ..." inside a memcg)
 *     A report runs from its "invoked oom-killer" line to the next one.
 *
 * A panic whose message starts "Out of memory" (panic_on_oom: "system-wide
 * panic_on_oom is enabled", "compulsory panic_on_oom is enabled") ended in
 * the last OOM report before it: that report is `oom`; every other report
 * (OOM kills the machine survived) is a kill. Log text is hostile input:
 * every field is bounded, a line that does not parse leaves its field
 * unknown.
 */
#ifndef MW_INCIDENT_H
#define MW_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/files.h"
#include "analyzer/findings.h"
#include "analyzer/memcg.h"
#include "analyzer/printk.h"
#include "analyzer/summary.h"
#include "analyzer/tasks.h"
#include "common/error.h"

enum {
	MW_INCIDENT_TEXT_MAX = 256,	/* bytes kept of a message, gfp, path */
	MW_INCIDENT_COMM_MAX = 64,
	MW_INCIDENT_MAX_REPORTS = 4096,	/* OOM reports kept */
};

struct mw_oom_victim {
	int32_t pid;
	char comm[MW_INCIDENT_COMM_MAX];
	uint64_t total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb, pgtables_kb;
	int64_t uid;			/* -1 unknown */
	int32_t oom_score_adj;
	bool has_oom_score_adj;
	bool memcg;			/* "Memory cgroup out of memory: Killed ..." */
	uint64_t ts_nsec;
};

struct mw_oom_report {
	uint64_t seq, ts_nsec;		/* of the "invoked oom-killer" record */
	int32_t pid;			/* the invoker, -1 unknown */
	char comm[MW_INCIDENT_COMM_MAX];
	char gfp[MW_INCIDENT_TEXT_MAX];	/* "0x140dca(GFP_HIGHUSER_MOVABLE|...)" */
	int32_t order;			/* -1 unknown */
	int32_t oom_score_adj;
	bool has_oom_score_adj;
	char constraint[MW_INCIDENT_COMM_MAX];	/* "CONSTRAINT_NONE", "" unknown */
	char oom_memcg[MW_INCIDENT_TEXT_MAX];	/* the memcg at its limit, "" none */
	char task_memcg[MW_INCIDENT_TEXT_MAX];	/* the chosen task's memcg */
	bool has_usage;			/* "memory: usage NkB, limit NkB, failcnt N" */
	uint64_t usage_kb, limit_kb, failcnt;
	bool has_victim;
	struct mw_oom_victim victim;
	bool panicked;			/* the panic followed this report */
};

struct mw_incident {
	bool has_panic;
	char panic[MW_INCIDENT_TEXT_MAX];	/* after "Kernel panic - not syncing: " */
	uint64_t panic_ts_nsec;
	bool oom_panic;				/* the message starts "Out of memory" */
	bool panic_on_oom;			/* "... panic_on_oom is enabled" */
	struct mw_oom_report *reports;		/* in log order */
	size_t nr_reports;
	size_t nr_dropped;			/* reports beyond MW_INCIDENT_MAX_REPORTS */
};

/* Read the panic and the OOM reports out of log. Only out of memory fails. */
struct mw_error *mw_incident_parse(const struct mw_log *log, struct mw_incident *ret);
void mw_incident_deinit(struct mw_incident *in);
/* The report that ended in the panic, or NULL. */
const struct mw_oom_report *mw_incident_oom(const struct mw_incident *in);

/* The results the incident's finding names as evidence; NULL: not analysed. */
struct mw_incident_evidence {
	const struct mw_task_list *tasks;	/* ranked by RSS */
	const struct mw_memcg_tree *tree;
	const struct mw_summary *summary;
	const struct mw_files *files;		/* for the shmem files nobody maps */
};
/*
 * With a panic in the log: ONE finding (oom-panic or panic, critical) put
 * first in out (a sorted list), naming the panic, the OOM report that ended
 * in it and the largest holders of memory. Nothing without a panic.
 */
struct mw_error *mw_incident_finding(const struct mw_incident *in,
				     const struct mw_incident_evidence *e,
				     struct mw_findings *out);

#endif
