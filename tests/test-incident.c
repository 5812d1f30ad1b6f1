/* What happened, read from log records built by hand (TAP).
 *
 * The lines are the kernel's own formats (mm/oom_kill.c, mm/memcontrol.c,
 * lib/dump_stack.c, kernel/panic.c, drivers/tty/sysrq.c) as 6.1 and 6.12
 * print them: a memcg OOM kill the machine survived, a global OOM kill of
 * a task whose comm holds ')' and whose report has no "CPU:" line, then a
 * sysrq crash; a 6.1 panic_on_oom panic; and hostile records (text offsets
 * out of range, truncated fields, absurd numbers, an over-long line).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analyzer/incident.h"
#include "tests/tap.h"

struct line {
	uint32_t caller;	/* thread id, or 0x80000000 | CPU */
	const char *text;
};

static char textbuf[1 << 14];

/* A log of the lines, at one second each. */
static void make_log(const struct line *lines, size_t n, struct mw_log *log,
		     struct mw_log_record *recs)
{
	memset(log, 0, sizeof(*log));
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(lines[i].text);
		memcpy(textbuf + off, lines[i].text, len);
		recs[i] = (struct mw_log_record){
			.seq = 100 + i, .ts_nsec = (i + 1) * 1000000000ULL, .level = 4,
			.caller_id = lines[i].caller, .text_off = off, .text_len = len,
		};
		off += len;
	}
	log->v = recs;
	log->nr = n;
	log->text = textbuf;
	log->text_len = off;
}

static void memcg_kill_then_sysrq(void)
{
	static const struct line lines[] = {
		{ 1, "Run /init as init process" },
		{ 812, "stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0" },
		{ 812, "CPU: 1 UID: 0 PID: 812 Comm: stress Not tainted 6.12.38+deb13-cloud-amd64 #1  Debian 6.12.38-1" },
		{ 812, "memory: usage 65536kB, limit 65536kB, failcnt 42" },
		{ 812, "swap: usage 0kB, limit 9007199254740988kB, failcnt 0" },
		{ 812, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/box,task_memcg=/box/sub,task=stress,pid=813,uid=0" },
		{ 812, "Memory cgroup out of memory: Killed process 813 (stress) total-vm:70000kB, anon-rss:64000kB, file-rss:1200kB, shmem-rss:8kB, UID:0 pgtables:180kB oom_score_adj:500" },
		{ 0x80000001u, "hog invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=2, oom_score_adj=-17" },
		{ 0x80000001u, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=we)ird,pid=900,uid=1000" },
		{ 0x80000001u, "Out of memory: Killed process 900 (we)ird) total-vm:4096kB, anon-rss:2048kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:44kB oom_score_adj:0" },
		{ 1, "sysrq: Trigger a crash" },
		{ 1, "Kernel panic - not syncing: sysrq triggered crash" },
		{ 1, "CPU: 0 UID: 0 PID: 1 Comm: sh Not tainted 6.12.38+deb13-cloud-amd64 #1" },
		{ 1, "java invoked oom-killer: gfp_mask=0x0(), order=0, oom_score_adj=0" },
	};
	struct mw_log_record recs[sizeof(lines) / sizeof(lines[0])];
	struct mw_log log;
	struct mw_incident in;
	make_log(lines, sizeof(lines) / sizeof(lines[0]), &log, recs);
	tap_ok(mw_incident_parse(&log, &in) == NULL, "memcg kill, global kill, sysrq: parsed");
	tap_ok(in.has_panic && strcmp(in.panic, "sysrq triggered crash") == 0,
	       "the panic message: %s", in.panic);
	tap_ok(in.panic_ts_nsec == 12000000000ULL, "the panic's time");
	tap_ok(!in.oom_panic && !in.panic_on_oom && !mw_incident_oom(&in),
	       "not an OOM panic: no report ended in it");
	tap_ok(in.nr_reports == 2, "two OOM reports before the panic, none after (%zu)",
	       in.nr_reports);
	if (in.nr_reports < 2) {
		mw_incident_deinit(&in);
		return;
	}
	const struct mw_oom_report *r = &in.reports[0];
	tap_ok(r->pid == 812 && strcmp(r->comm, "stress") == 0, "invoker stress (pid 812)");
	tap_is_str(r->gfp, "0xcc0(GFP_KERNEL)", "gfp_mask");
	tap_ok(r->order == 0 && r->has_oom_score_adj && r->oom_score_adj == 0, "order, oom_score_adj");
	tap_is_str(r->constraint, "CONSTRAINT_MEMCG", "constraint");
	tap_is_str(r->oom_memcg, "/box", "the memcg at its limit");
	tap_is_str(r->task_memcg, "/box/sub", "the chosen task's memcg");
	tap_ok(r->has_usage && r->usage_kb == 65536 && r->limit_kb == 65536 && r->failcnt == 42,
	       "memory: usage, limit, failcnt (not the swap line's)");
	tap_ok(r->has_victim && r->victim.memcg && r->victim.pid == 813 &&
	       strcmp(r->victim.comm, "stress") == 0, "victim: stress (pid 813), a memcg kill");
	tap_ok(r->victim.total_vm_kb == 70000 && r->victim.anon_rss_kb == 64000 &&
	       r->victim.file_rss_kb == 1200 && r->victim.shmem_rss_kb == 8 &&
	       r->victim.pgtables_kb == 180 && r->victim.uid == 0 &&
	       r->victim.oom_score_adj == 500, "victim's numbers");
	tap_ok(r->ts_nsec == 2000000000ULL && r->seq == 101 && r->victim.ts_nsec == 7000000000ULL,
	       "times and seq");
	r = &in.reports[1];
	tap_ok(r->pid == -1 && strcmp(r->comm, "hog") == 0,
	       "invoker hog, pid unknown (a CPU caller id, no CPU: line)");
	tap_ok(r->order == 2 && r->oom_score_adj == -17, "order 2, oom_score_adj -17");
	tap_is_str(r->constraint, "CONSTRAINT_NONE", "global constraint");
	tap_ok(r->oom_memcg[0] == '\0' && !r->has_usage, "no memcg at its limit");
	tap_ok(r->has_victim && !r->victim.memcg && r->victim.pid == 900 && r->victim.uid == 1000,
	       "global victim pid 900 uid 1000");
	tap_is_str(r->victim.comm, "we)ird", "a comm with ')' in it");
	tap_ok(!r->panicked && !in.reports[0].panicked, "neither report ended in the panic");
	mw_incident_deinit(&in);
}

static void panic_on_oom(void)
{
	static const struct line lines[] = {
		{ 645, "java invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0" },
		{ 645, "CPU: 0 PID: 645 Comm: java Not tainted 6.1.0-56-cloud-amd64 #1  Debian 6.1.192-2" },
		{ 645, "Mem-Info:" },
		{ 645, "[    645]     0   645    46358    46048   413696        0             0 java" },
		{ 645, "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled" },
		{ 645, "CPU: 0 PID: 645 Comm: java Not tainted 6.1.0-56-cloud-amd64 #1  Debian 6.1.192-2" },
	};
	struct mw_log_record recs[sizeof(lines) / sizeof(lines[0])];
	struct mw_log log;
	struct mw_incident in;
	make_log(lines, sizeof(lines) / sizeof(lines[0]), &log, recs);
	tap_ok(mw_incident_parse(&log, &in) == NULL, "panic_on_oom: parsed");
	const struct mw_oom_report *r = mw_incident_oom(&in);
	tap_ok(in.oom_panic && in.panic_on_oom && r == &in.reports[0] && in.nr_reports == 1,
	       "an OOM panic, ended by its one report");
	tap_ok(r && r->pid == 645 && !r->has_victim, "invoker pid 645, nobody killed");
	tap_ok(r && strcmp(r->constraint, "CONSTRAINT_NONE") == 0,
	       "system-wide panic_on_oom: CONSTRAINT_NONE");
	mw_incident_deinit(&in);
}

static void hostile(void)
{
	static char longline[3000];
	memset(longline, 'x', sizeof(longline) - 1);
	memcpy(longline + 2000, " invoked oom-killer: gfp_mask=", 30);
	static const struct line lines[] = {
		{ 5, "a invoked oom-killer: gfp_mask=" },
		{ 5, "CPU: 0 PID: 99999999999 Comm: a" },
		{ 5, "memory: usage kB, limit" },
		{ 5, "oom-kill:constraint" },
		{ 5, "Out of memory: Killed process abc (x)" },
		{ 5, "b invoked oom-killer: gfp_mask=0x1, order=999, oom_score_adj=5000" },
		{ 5, "Out of memory: Killed process 7 (unterminated" },
		{ 5, longline },
		{ 5, "Kernel panic - not syncing: " },
	};
	struct mw_log_record recs[sizeof(lines) / sizeof(lines[0]) + 1];
	struct mw_log log;
	struct mw_incident in;
	make_log(lines, sizeof(lines) / sizeof(lines[0]), &log, recs);
	recs[log.nr] = recs[0];
	recs[log.nr].text_off = log.text_len - 2;	/* runs past the text */
	recs[log.nr].text_len = 100;
	log.nr++;
	tap_ok(mw_incident_parse(&log, &in) == NULL, "hostile records: parsed");
	tap_ok(in.nr_reports == 2, "two reports (the long line is cut before its marker): %zu",
	       in.nr_reports);
	if (in.nr_reports == 2) {
		const struct mw_oom_report *a = &in.reports[0], *b = &in.reports[1];
		tap_ok(a->order == -1 && a->pid == 5 && !a->has_usage && !a->has_victim &&
		       a->constraint[0] == '\0', "truncated fields stay unknown");
		tap_ok(b->order == -1 && !b->has_oom_score_adj, "absurd order, oom_score_adj dropped");
		tap_ok(b->has_victim && b->victim.pid == 7 && b->victim.comm[0] == '\0',
		       "victim without its comm's end: pid kept, comm unknown");
	} else {
		tap_ok(0, "reports");
		tap_ok(0, "reports");
		tap_ok(0, "reports");
	}
	tap_ok(in.has_panic && in.panic[0] == '\0' && !in.oom_panic, "an empty panic message");
	mw_incident_deinit(&in);
}

int main(void)
{
	memcg_kill_then_sysrq();
	panic_on_oom();
	hostile();
	return tap_done();
}
