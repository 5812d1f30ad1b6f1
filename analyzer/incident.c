/* memwhere: the panic and the OOM reports in the kernel's log (see incident.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/incident.h"

enum { LINE_MAX_KEPT = 1024 };	/* bytes of one record looked at */

/* Copy at most n-1 bytes of s[0..len) into d, NUL-terminated. */
static void copy(char *d, size_t n, const char *s, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(d, s, len);
	d[len] = '\0';
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The unsigned number after key in s (e.g. "anon-rss:" -> 123 of "123kB"). */
static bool number_after(const char *s, const char *key, uint64_t *ret)
{
	const char *p = strstr(s, key);
	if (!p)
		return false;
	p += strlen(key);
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	if (end == p)
		return false;
	*ret = v;
	return true;
}

static bool signed_after(const char *s, const char *key, int64_t *ret)
{
	const char *p = strstr(s, key);
	if (!p)
		return false;
	p += strlen(key);
	char *end;
	long long v = strtoll(p, &end, 10);
	if (end == p)
		return false;
	*ret = v;
	return true;
}

/* "COMM invoked oom-killer: gfp_mask=G, order=N, oom_score_adj=N" */
static bool parse_invoked(const char *s, const struct mw_log_record *rec,
			  struct mw_oom_report *r)
{
	const char *p = strstr(s, " invoked oom-killer: ");
	if (!p)
		return false;
	memset(r, 0, sizeof(*r));
	r->seq = rec->seq;
	r->ts_nsec = rec->ts_nsec;
	r->pid = -1;
	r->order = -1;
	/* the caller id is the invoking thread (CONFIG_PRINTK_CALLER or not,
	 * the ring records it); "CPU: .. PID:" below says so too */
	if (!(rec->caller_id & 0x80000000u) && rec->caller_id <= INT32_MAX)
		r->pid = (int32_t)rec->caller_id;
	copy(r->comm, sizeof(r->comm), s, (size_t)(p - s));
	const char *g = strstr(p, "gfp_mask=");
	if (g) {
		g += strlen("gfp_mask=");
		const char *e = strstr(g, ", order=");
		copy(r->gfp, sizeof(r->gfp), g, e ? (size_t)(e - g) : strlen(g));
	}
	int64_t v;
	if (signed_after(p, ", order=", &v) && v >= 0 && v < 64)
		r->order = (int32_t)v;
	if (signed_after(p, "oom_score_adj=", &v) && v >= -1000 && v <= 1000) {
		r->oom_score_adj = (int32_t)v;
		r->has_oom_score_adj = true;
	}
	return true;
}

/* "CPU: 0 PID: 645 Comm: java ..." or "CPU: 0 UID: 0 PID: 645 Comm: java ..." */
static void parse_cpu_line(const char *s, struct mw_oom_report *r)
{
	const char *c = strstr(s, " Comm: ");
	int64_t pid;
	if (!c || !signed_after(s, " PID: ", &pid) || pid < 0 || pid > INT32_MAX)
		return;
	c += strlen(" Comm: ");
	size_t n = strcspn(c, " ");
	if (n == strlen(r->comm) && strncmp(c, r->comm, n) == 0)
		r->pid = (int32_t)pid;
}

/* The value of key in "k=v,k=v,..." into d ("" if absent). */
static void field(const char *s, const char *key, char *d, size_t n)
{
	d[0] = '\0';
	size_t kl = strlen(key);
	for (const char *p = s; p && *p; ) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1;
			copy(d, n, v, strcspn(v, ","));
			return;
		}
		p = strchr(p, ',');
		if (p)
			p++;
	}
}

/* "Out of memory: Killed process 645 (java) total-vm:..kB, anon-rss:..kB, ..." */
static bool parse_killed(const char *s, const struct mw_log_record *rec,
			 struct mw_oom_victim *v)
{
	const char *p = strstr(s, "Killed process ");
	if (!p)
		return false;
	memset(v, 0, sizeof(*v));
	v->memcg = starts(s, "Memory cgroup out of memory");
	v->ts_nsec = rec->ts_nsec;
	v->uid = -1;
	p += strlen("Killed process ");
	char *end;
	long pid = strtol(p, &end, 10);
	if (end == p || pid < 0 || pid > INT32_MAX)
		return false;
	v->pid = (int32_t)pid;
	const char *o = strchr(end, '(');
	/* the comm may hold ')' itself: its end is the last ") total-vm:" */
	const char *c = o ? strstr(o, ") total-vm:") : NULL;
	if (o && !c)
		c = strrchr(o, ')');
	if (o && c)
		copy(v->comm, sizeof(v->comm), o + 1, (size_t)(c - o - 1));
	const char *rest = c ? c : end;
	number_after(rest, "total-vm:", &v->total_vm_kb);
	number_after(rest, "anon-rss:", &v->anon_rss_kb);
	number_after(rest, "file-rss:", &v->file_rss_kb);
	number_after(rest, "shmem-rss:", &v->shmem_rss_kb);
	number_after(rest, "pgtables:", &v->pgtables_kb);
	int64_t x;
	if (signed_after(rest, "UID:", &x) && x >= 0)
		v->uid = x;
	if (signed_after(rest, "oom_score_adj:", &x) && x >= -1000 && x <= 1000) {
		v->oom_score_adj = (int32_t)x;
		v->has_oom_score_adj = true;
	}
	return true;
}

static struct mw_error *add(struct mw_incident *in, size_t *cap, const struct mw_oom_report *r)
{
	if (in->nr_reports == MW_INCIDENT_MAX_REPORTS) {
		in->nr_dropped++;
		return NULL;
	}
	if (in->nr_reports == *cap) {
		size_t n = *cap ? *cap * 2 : 4;
		struct mw_oom_report *v = realloc(in->reports, n * sizeof(*v));
		if (!v)
			return &mw_error_nomem;
		in->reports = v;
		*cap = n;
	}
	in->reports[in->nr_reports++] = *r;
	return NULL;
}

struct mw_error *mw_incident_parse(const struct mw_log *log, struct mw_incident *ret)
{
	static const char panic_prefix[] = "Kernel panic - not syncing: ";
	char line[LINE_MAX_KEPT];
	struct mw_oom_report cur;
	bool open = false, after_panic = false;
	size_t cap = 0;
	struct mw_error *err;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < log->nr; i++) {
		const struct mw_log_record *rec = &log->v[i];
		if (rec->text_off > log->text_len || rec->text_len > log->text_len - rec->text_off)
			continue;
		copy(line, sizeof(line), log->text + rec->text_off, rec->text_len);
		line[strcspn(line, "\n")] = '\0';
		if (!ret->has_panic && starts(line, panic_prefix)) {
			ret->has_panic = true;
			copy(ret->panic, sizeof(ret->panic), line + strlen(panic_prefix),
			     strlen(line + strlen(panic_prefix)));
			ret->panic_ts_nsec = rec->ts_nsec;
			ret->oom_panic = starts(ret->panic, "Out of memory");
			ret->panic_on_oom = ret->oom_panic && strstr(ret->panic, "panic_on_oom");
			if (open && ret->oom_panic)
				cur.panicked = true;
			after_panic = true;
			continue;
		}
		if (after_panic)
			continue;	/* the panic's backtrace, the end marker */
		struct mw_oom_report next;
		if (parse_invoked(line, rec, &next)) {
			if (open && (err = add(ret, &cap, &cur)))
				goto fail;
			cur = next;
			open = true;
			continue;
		}
		if (!open)
			continue;
		if (starts(line, "CPU: ") && strstr(line, " PID: "))
			parse_cpu_line(line, &cur);
		else if (starts(line, "memory: usage ") && !cur.has_usage) {
			cur.has_usage = number_after(line, "usage ", &cur.usage_kb) &&
				number_after(line, "limit ", &cur.limit_kb);
			number_after(line, "failcnt ", &cur.failcnt);
		} else if (starts(line, "oom-kill:")) {
			const char *f = line + strlen("oom-kill:");
			field(f, "constraint", cur.constraint, sizeof(cur.constraint));
			field(f, "oom_memcg", cur.oom_memcg, sizeof(cur.oom_memcg));
			field(f, "task_memcg", cur.task_memcg, sizeof(cur.task_memcg));
		} else if (!cur.has_victim && strstr(line, "out of memory: Killed process ")) {
			cur.has_victim = parse_killed(line, rec, &cur.victim);
		} else if (!cur.has_victim && strstr(line, "Out of memory: Killed process ")) {
			cur.has_victim = parse_killed(line, rec, &cur.victim);
		}
	}
	if (open && (err = add(ret, &cap, &cur)))
		goto fail;
	/* "system-wide panic_on_oom": check_panic_on_oom panics so only for
	 * CONSTRAINT_NONE, and before the report prints its oom-kill: line */
	struct mw_oom_report *r = (struct mw_oom_report *)mw_incident_oom(ret);
	if (r && !r->constraint[0] && strstr(ret->panic, "system-wide panic_on_oom"))
		copy(r->constraint, sizeof(r->constraint), "CONSTRAINT_NONE",
		     strlen("CONSTRAINT_NONE"));
	return NULL;
fail:
	mw_incident_deinit(ret);
	return err;
}

void mw_incident_deinit(struct mw_incident *in)
{
	free(in->reports);
	memset(in, 0, sizeof(*in));
}

const struct mw_oom_report *mw_incident_oom(const struct mw_incident *in)
{
	for (size_t i = 0; i < in->nr_reports; i++)
		if (in->reports[i].panicked)
			return &in->reports[i];
	return NULL;
}

/* The largest holder that is not a process: shmem, slab, unaccounted, skb frags. */
static void other_holder(const struct mw_summary *s, struct mw_finding_incident *e)
{
	static const enum mw_page_category cats[] = {
		MW_PAGE_SHMEM, MW_PAGE_SLAB_UNRECLAIMABLE, MW_PAGE_SLAB_RECLAIMABLE,
		MW_PAGE_UNACCOUNTED, MW_PAGE_SKB_FRAGS,
	};
	e->other = -1;
	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		if (s->bytes[cats[i]] > e->other_bytes) {
			e->other = (int)cats[i];
			e->other_bytes = s->bytes[cats[i]];
		}
	}
}

/* Does keeping f's pages need no process? A named tmpfs file or a SysV
 * segment not removed stays when every process is killed; an unlinked file
 * or a memfd lives only while a process holds it. */
static bool outlives_processes(const struct mw_file *f)
{
	if (!f->shmem || f->mapped || f->deleted)
		return false;
	switch (f->name) {
	case MW_FILE_PATH:
	case MW_FILE_OTHER_NS:
	case MW_FILE_NO_NAME:
	case MW_FILE_SYSV_SHM:
		return true;
	default:
		return false;
	}
}

/* The shmem/tmpfs files no process maps: their total, the largest, and
 * what the largest one's directory (its group in `files`) holds of them. */
static void unmapped_shmem(const struct mw_files *fs, struct mw_finding_incident *e)
{
	const struct mw_file *big = NULL;
	uint64_t pages = 0;
	for (size_t i = 0; i < fs->nr; i++) {
		const struct mw_file *f = &fs->files[i];
		if (!outlives_processes(f))
			continue;
		pages += f->cached_pages;
		e->unmapped_shmem_files++;
		if (!big || f->cached_pages > big->cached_pages)
			big = f;
	}
	if (!big || !pages)
		return;
	e->page_size = fs->page_size;
	e->unmapped_shmem_bytes = pages * fs->page_size;
	e->unmapped_shmem_largest = big;
	/* the largest one's directory, with what it holds of them */
	const char *dir = big->dir;
	uint64_t dp = 0, df = 0;
	for (size_t i = 0; dir && i < fs->nr; i++) {
		const struct mw_file *f = &fs->files[i];
		if (outlives_processes(f) && f->dir && strcmp(f->dir, dir) == 0) {
			dp += f->cached_pages;
			df++;
		}
	}
	e->unmapped_shmem_dir = dir;
	e->unmapped_shmem_dir_bytes = dp * fs->page_size;
	e->unmapped_shmem_dir_files = df;
}

/* What held the memory: the files nobody maps when they outweigh every
 * process (no kill frees them) and hold a quarter of the RAM in use, else
 * the largest process or kernel holder. */
static int oom_cause(const struct mw_finding_incident *e)
{
	if (e->unmapped_shmem_bytes && e->unmapped_shmem_bytes > e->top_task_bytes &&
	    (!e->used_bytes || e->unmapped_shmem_bytes >= e->used_bytes / 4))
		return MW_OOM_CAUSE_UNMAPPED_SHMEM;
	if (e->top_task && e->top_task_bytes >= e->other_bytes)
		return MW_OOM_CAUSE_PROCESS;
	if (e->other >= 0)
		return MW_OOM_CAUSE_KERNEL;
	return MW_OOM_CAUSE_UNKNOWN;
}

struct mw_error *mw_incident_finding(const struct mw_incident *in,
				     const struct mw_incident_evidence *ev,
				     struct mw_findings *out)
{
	if (!in->has_panic)
		return NULL;
	const struct mw_oom_report *oom = mw_incident_oom(in);
	struct mw_finding_incident e = { .incident = in, .oom = oom, .other = -1 };
	e.nr_kills = in->nr_reports - (oom ? 1 : 0);
	if (ev->tasks && ev->tasks->nr) {	/* ranked: the first is the largest */
		e.top_task = &ev->tasks->v[0];
		e.top_task_bytes = mw_task_rss_bytes(e.top_task);
	}
	for (size_t i = 1; ev->tree && i < ev->tree->nr; i++) {
		const struct mw_memcg *m = &ev->tree->memcgs[i];
		if (m->usage_known && m->own_usage_bytes > e.top_memcg_bytes) {
			e.top_memcg = m->path;
			e.top_memcg_bytes = m->own_usage_bytes;
		}
	}
	if (ev->summary) {
		other_holder(ev->summary, &e);
		uint64_t free = ev->summary->bytes[MW_PAGE_FREE];
		e.used_bytes = ev->summary->total_bytes > free ? ev->summary->total_bytes - free : 0;
	}
	if (ev->files)
		unmapped_shmem(ev->files, &e);
	e.cause = oom_cause(&e);
	bool is_oom = in->oom_panic || oom;
	struct mw_finding *f = mw_findings_add(out, is_oom ? MW_FINDING_OOM_PANIC : MW_FINDING_PANIC,
					       MW_SEVERITY_CRITICAL, e.used_bytes);
	if (!f)
		return &mw_error_nomem;
	f->advice = !is_oom ? MW_ADVICE_PANIC :
		e.cause == MW_OOM_CAUSE_UNMAPPED_SHMEM ? MW_ADVICE_OOM_SHMEM : MW_ADVICE_OOM;
	f->u.incident = e;
	/* what happened opens the list */
	struct mw_finding first = *f;
	memmove(out->v + 1, out->v, (out->nr - 1) * sizeof(*out->v));
	out->v[0] = first;
	return NULL;
}
