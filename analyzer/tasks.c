/* memwhere: processes and kernel threads with their memory (see tasks.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/cpus.h"
#include "analyzer/tasks.h"
#include "analyzer/walk.h"

/* /proc's task state letters: bit i of (__state | exit_state) & TASK_REPORT
 * is letter i + 1 ("R" is no bit); TASK_IDLE reads as "I". These are the
 * kernel's ABI (fs/proc/array.c prints them), not layout. */
enum {
	MW_TASK_REPORT = 0x7f,
	MW_TASK_IDLE = 0x402,		/* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
	MW_TASK_RTLOCK_WAIT = 0x1000,
	MW_TASK_UNINTERRUPTIBLE = 0x2,
	MW_THREADS_MAX = 1 << 22,	/* PID_MAX_LIMIT */
};
static const char state_letters[] = "RSDTtXZPI";

struct layout {
	struct mw_task_layout task;
	uint32_t real_parent, state, state_size, exit_state, mm, real_cred, signal;
	bool has_cgroups;
	uint32_t cgroups;
	uint32_t cred_uid;
	uint32_t sig_nr_threads, sig_oom_score_adj;
	bool has_threads;		/* signal.thread_head, task.thread_node */
	uint32_t sig_thread_head, thread_node;
	bool has_task_rss;		/* task_struct.rss_stat (SPLIT_RSS_COUNTING) */
	uint32_t task_rss_count;	/* task_struct.rss_stat.count: int[] */
	uint32_t task_rss_nr;
	uint32_t mm_rss;		/* mm_struct.rss_stat */
	bool percpu;
	uint32_t rss_stride;		/* bytes per counter */
	uint32_t pc_count, pc_counters;	/* percpu_counter.count/.counters */
	uint32_t rss_nr;		/* counters in the array */
	int64_t idx[MW_RSS_NR];		/* MM_FILEPAGES ... (-1: none) */
	bool has_pgtables;
	uint32_t mm_pgtables, mm_total_vm, mm_arg_start, mm_arg_end, mm_pgd;
	bool has_memcg;
	uint32_t cset_subsys, memcg_css;
	int64_t memory_cgrp_id;
};

static uint32_t u32_of(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static struct mw_error *resolve(struct mw_kernel *k, struct layout *l)
{
	struct mw_error *err;
	struct mw_field parent, st, st_old, exit_state, mm, cred, signal, cgroups,
		uid, nr_threads, oom, thread_head, thread_node, task_rss, mm_rss,
		pgtables, total_vm, arg_start, arg_end, pgd, subsys, css, memid,
		e_file, e_anon, e_swap, e_shmem;
	memset(l, 0, sizeof(*l));
	if ((err = mw_task_layout_resolve(k, &l->task)))
		return err;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("task_struct.real_parent", &parent),
		MW_FIELD_MEMBER_OPT("task_struct.__state", &st),
		MW_FIELD_MEMBER_OPT("task_struct.state", &st_old),
		MW_FIELD_MEMBER("task_struct.exit_state", &exit_state),
		MW_FIELD_MEMBER("task_struct.mm", &mm),
		MW_FIELD_MEMBER("task_struct.real_cred", &cred),
		MW_FIELD_MEMBER("task_struct.signal", &signal),
		MW_FIELD_MEMBER_OPT("task_struct.cgroups", &cgroups),
		MW_FIELD_MEMBER("cred.uid", &uid),
		MW_FIELD_MEMBER("signal_struct.nr_threads", &nr_threads),
		MW_FIELD_MEMBER("signal_struct.oom_score_adj", &oom),
		MW_FIELD_MEMBER_OPT("signal_struct.thread_head", &thread_head),
		MW_FIELD_MEMBER_OPT("task_struct.thread_node", &thread_node),
		MW_FIELD_MEMBER_OPT("task_struct.rss_stat", &task_rss),
		MW_FIELD_MEMBER("mm_struct.rss_stat", &mm_rss),
		MW_FIELD_MEMBER_OPT("mm_struct.pgtables_bytes", &pgtables),
		MW_FIELD_MEMBER("mm_struct.total_vm", &total_vm),
		MW_FIELD_MEMBER("mm_struct.arg_start", &arg_start),
		MW_FIELD_MEMBER("mm_struct.arg_end", &arg_end),
		MW_FIELD_MEMBER("mm_struct.pgd", &pgd),
		MW_FIELD_MEMBER_OPT("css_set.subsys", &subsys),
		MW_FIELD_MEMBER_OPT("mem_cgroup.css", &css),
		MW_FIELD_ENUM_OPT("cgroup_subsys_id.memory_cgrp_id", &memid),
		MW_FIELD_ENUM("MM_FILEPAGES", &e_file),
		MW_FIELD_ENUM("MM_ANONPAGES", &e_anon),
		MW_FIELD_ENUM("MM_SWAPENTS", &e_swap),
		MW_FIELD_ENUM_OPT("MM_SHMEMPAGES", &e_shmem),
	};
	if ((err = mw_types_resolve_fields(k->types, spec, MW_ARRAY_SIZE(spec))))
		return mw_error_prepend(err, "tasks");
	const struct mw_field *s = st.found ? &st : &st_old;
	if (!s->found)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "tasks: task_struct has neither __state nor state (kernel %s)",
				       k->osrelease);
	l->real_parent = u32_of(parent.offset);
	l->state = u32_of(s->offset);
	l->state_size = u32_of(s->size);
	l->exit_state = u32_of(exit_state.offset);
	l->mm = u32_of(mm.offset);
	l->real_cred = u32_of(cred.offset);
	l->signal = u32_of(signal.offset);
	l->has_cgroups = cgroups.found;
	l->cgroups = u32_of(cgroups.offset);
	l->cred_uid = u32_of(uid.offset);
	l->sig_nr_threads = u32_of(nr_threads.offset);
	l->sig_oom_score_adj = u32_of(oom.offset);
	l->has_threads = thread_head.found && thread_node.found;
	l->sig_thread_head = u32_of(thread_head.offset);
	l->thread_node = u32_of(thread_node.offset);
	l->mm_rss = u32_of(mm_rss.offset);
	l->has_pgtables = pgtables.found;
	l->mm_pgtables = u32_of(pgtables.offset);
	l->mm_total_vm = u32_of(total_vm.offset);
	l->mm_arg_start = u32_of(arg_start.offset);
	l->mm_arg_end = u32_of(arg_end.offset);
	l->mm_pgd = u32_of(pgd.offset);
	if (l->state_size != 4 && l->state_size != 8)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "tasks: task_struct state of %u bytes (kernel %s)",
				       l->state_size, k->osrelease);
	if (uid.size != 4 || nr_threads.size != 4 || oom.size != 2 ||
	    exit_state.size != 4)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "tasks: unexpected sizes of cred.uid, signal_struct.nr_threads/"
				       "oom_score_adj or task_struct.exit_state (kernel %s)",
				       k->osrelease);
	l->idx[MW_RSS_FILE] = e_file.value;
	l->idx[MW_RSS_ANON] = e_anon.value;
	l->idx[MW_RSS_SWAP] = e_swap.value;
	l->idx[MW_RSS_SHMEM] = e_shmem.found ? e_shmem.value : -1;

	/* mm_struct.rss_stat: struct percpu_counter[NR_MM_COUNTERS] (6.2+) or
	 * struct mm_rss_stat { atomic_long_t count[NR_MM_COUNTERS]; } */
	if (mm_rss.kind == MW_KIND_ARRAY) {
		struct mw_field count, counters;
		const struct mw_field_spec pc[] = {
			MW_FIELD_MEMBER("percpu_counter.count", &count),
			MW_FIELD_MEMBER("percpu_counter.counters", &counters),
		};
		if ((err = mw_types_resolve_fields(k->types, pc, MW_ARRAY_SIZE(pc))))
			return mw_error_prepend(err, "tasks: mm_struct.rss_stat");
		l->percpu = true;
		l->rss_stride = u32_of(mm_rss.target_size);
		l->rss_nr = u32_of(mm_rss.nr_elements);
		l->pc_count = u32_of(count.offset);
		l->pc_counters = u32_of(counters.offset);
		if (count.size != 8)
			return mw_error_create(MW_ERR_UNSUPPORTED,
					       "tasks: percpu_counter.count of %" PRIu64 " bytes",
					       count.size);
	} else {
		struct mw_field count;
		const struct mw_field_spec at[] = {
			MW_FIELD_MEMBER("mm_rss_stat.count", &count),
		};
		if ((err = mw_types_resolve_fields(k->types, at, MW_ARRAY_SIZE(at))))
			return mw_error_prepend(err, "tasks: mm_struct.rss_stat");
		l->mm_rss += u32_of(count.offset);
		l->rss_stride = u32_of(count.target_size);
		l->rss_nr = u32_of(count.nr_elements);
		if (l->rss_stride != 8)
			return mw_error_create(MW_ERR_UNSUPPORTED,
					       "tasks: mm_rss_stat.count of %u-byte counters",
					       l->rss_stride);
		/* per-thread caches of the same counters (SPLIT_RSS_COUNTING) */
		if (task_rss.found && task_rss.kind == MW_KIND_STRUCT) {
			struct mw_field tcount;
			const struct mw_field_spec tc[] = {
				MW_FIELD_MEMBER_OPT("task_rss_stat.count", &tcount),
			};
			if (!mw_types_resolve_fields(k->types, tc, MW_ARRAY_SIZE(tc)) &&
			    tcount.found && tcount.target_size == 4) {
				l->has_task_rss = true;
				l->task_rss_count = u32_of(task_rss.offset + tcount.offset);
				l->task_rss_nr = u32_of(tcount.nr_elements);
			}
		}
	}
	for (int i = 0; i < MW_RSS_NR; i++)
		if (l->idx[i] >= (int64_t)l->rss_nr)
			l->idx[i] = -1;
	if (l->idx[MW_RSS_FILE] < 0 || l->idx[MW_RSS_ANON] < 0 || l->idx[MW_RSS_SWAP] < 0)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "tasks: mm_struct.rss_stat has %u counters, fewer than "
				       "MM_FILEPAGES/MM_ANONPAGES/MM_SWAPENTS need", l->rss_nr);

	l->has_memcg = l->has_cgroups && subsys.found && css.found && memid.found &&
		       memid.value >= 0 && (uint64_t)memid.value < subsys.nr_elements;
	l->cset_subsys = u32_of(subsys.offset);
	l->memcg_css = u32_of(css.offset);
	l->memory_cgrp_id = memid.value;
	return NULL;
}

/* The state letter as /proc prints it. */
static char state_letter(uint64_t state, uint32_t exit_state)
{
	uint64_t s = (state | exit_state) & MW_TASK_REPORT;
	if (state == MW_TASK_IDLE)
		return 'I';
	if (state == MW_TASK_RTLOCK_WAIT)
		s = MW_TASK_UNINTERRUPTIBLE;
	int i = 0;
	while (s) {
		i++;
		s >>= 1;
	}
	return state_letters[i];
}

struct ctx {
	struct mw_kernel *k;
	struct mw_warnings *w;
	const struct layout *l;
	const struct mw_cpus *cpus;	/* NULL unless percpu */
	uint64_t ram_bytes;		/* the dump's RAM: no counter is beyond it */
	uint32_t page_size;		/* the kernel's page */
};

/* A user virtual address of this mm: its physical address (pgd is the
 * mm's top-level table, a direct-map address). */
static struct mw_error *user_translate(struct mw_kernel *k, uint64_t pgd,
				       uint64_t vaddr, uint64_t *paddr,
				       uint64_t *left)
{
	uint64_t table, tleft;
	struct mw_error *err;
	if ((err = mw_vm_translate(&k->vm, pgd, &table, &tleft)))
		return err;
	return mw_vm_walk_root(&k->vm, table, vaddr, paddr, left);
}

/* The command line: NUL-separated arguments joined by spaces, as ps shows
 * them. NULL when a page of it is not in the dump. */
static char *read_cmdline(struct mw_kernel *k, uint64_t pgd, uint64_t start,
			  uint64_t end)
{
	if (end <= start || start >= MW_KERNEL_SPACE_START || !pgd)
		return NULL;
	size_t len = end - start > MW_TASK_CMDLINE_MAX ? MW_TASK_CMDLINE_MAX
						       : (size_t)(end - start);
	char *buf = malloc(len + 1);
	if (!buf)
		return NULL;
	size_t got = 0;
	while (got < len) {
		uint64_t paddr = 0, left = 0;
		struct mw_error *err = user_translate(k, pgd, start + got, &paddr, &left);
		size_t n = left < len - got ? (size_t)left : len - got;
		if (!err)
			err = mw_reader_read_phys(k->reader, paddr, buf + got, n);
		if (err) {
			mw_error_destroy(err);
			free(buf);
			return NULL;
		}
		got += n;
	}
	/* drop trailing NULs, then NULs between arguments become spaces */
	while (len && buf[len - 1] == '\0')
		len--;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
		else if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] == 0x7f)
			buf[i] = '?';
	buf[len] = '\0';
	return buf;
}

/* Add every thread's cached counter deltas (task_struct.rss_stat, kernels
 * with SPLIT_RSS_COUNTING) to rss[]. */
static void add_thread_caches(struct ctx *c, struct mw_task_info *ti,
			      uint64_t signal)
{
	const struct layout *l = c->l;
	uint64_t head = signal + l->sig_thread_head, next;
	struct mw_cycle cyc;
	mw_cycle_init(&cyc, head);
	if (mw_kernel_read(c->k, head, &next, 8))
		return;
	size_t n = 0;
	while (next != head) {
		if (mw_cycle_step(&cyc, next) || !mw_kptr_ok(next, 8) ||
		    next < l->thread_node || ++n > MW_THREADS_MAX) {
			mw_warn(c->w, "pid %d (%s) at 0x%" PRIx64 ": its thread list is "
				"corrupt at 0x%" PRIx64 "; per-thread RSS caches after it "
				"not counted", ti->t.pid, ti->t.comm, ti->t.addr, next);
			return;
		}
		uint64_t th = next - l->thread_node;
		int32_t cnt[MW_RSS_NR * 2];
		size_t nr = l->task_rss_nr < MW_ARRAY_SIZE(cnt) ? l->task_rss_nr
								: MW_ARRAY_SIZE(cnt);
		struct mw_error *err = mw_kernel_read(c->k, th + l->task_rss_count,
						      cnt, nr * 4);
		if (!err)
			err = mw_kernel_read(c->k, next, &next, 8);
		if (err) {
			char ctx[128];
			snprintf(ctx, sizeof(ctx), "pid %d (%s): thread 0x%" PRIx64,
				 ti->t.pid, ti->t.comm, th);
			mw_warn_error(c->w, err, ctx);
			return;
		}
		for (int i = 0; i < MW_RSS_NR; i++)
			if (c->l->idx[i] >= 0 && (size_t)c->l->idx[i] < nr) {
				ti->rss[i] += cnt[c->l->idx[i]];
				ti->rss_delta[i] += cnt[c->l->idx[i]];
			}
	}
}

/* RSS counters are pages, each within RAM either way (a per-CPU sum can be
 * a little below zero): one beyond it is not a count, and the mm's memory
 * is not shown. */
static void check_rss(struct ctx *c, struct mw_task_info *ti, uint64_t mm)
{
	uint64_t ram_pages = c->ram_bytes / c->page_size;
	for (int i = 0; ram_pages && ram_pages < INT64_MAX && i < MW_RSS_NR; i++) {
		if (ti->rss[i] <= (int64_t)ram_pages && ti->rss[i] >= -(int64_t)ram_pages)
			continue;
		mw_warn(c->w, "pid %d (%s) at 0x%" PRIx64 ": mm_struct 0x%" PRIx64 " RSS counter %d"
			" is %" PRId64 " pages, beyond the dump's %" PRIu64 " pages of RAM; its"
			" memory is not shown", ti->t.pid, ti->t.comm, ti->t.addr, mm, i,
			ti->rss[i], ram_pages);
		ti->has_mm = false;
		return;
	}
}

static void warn_task(struct ctx *c, const struct mw_task_info *ti,
		      struct mw_error *err, const char *what)
{
	char ctx[160];
	snprintf(ctx, sizeof(ctx), "pid %d (%s) at 0x%" PRIx64 ": %s", ti->t.pid,
		 ti->t.comm, ti->t.addr, what);
	mw_warn_error(c->w, err, ctx);
}

/* The counters of one mm. */
static struct mw_error *read_mm(struct ctx *c, struct mw_task_info *ti, uint64_t mm)
{
	const struct layout *l = c->l;
	struct mw_error *err;
	uint64_t v[MW_RSS_NR] = { 0 };
	for (int i = 0; i < MW_RSS_NR; i++) {
		if (l->idx[i] < 0)
			continue;
		uint64_t at = mm + l->mm_rss + (uint64_t)l->idx[i] * l->rss_stride;
		if (!l->percpu) {
			if ((err = mw_kernel_read(c->k, at, &v[i], 8)))
				return err;
			ti->rss[i] = (int64_t)v[i];
			continue;
		}
		int64_t count;
		uint64_t pcp;
		if ((err = mw_kernel_read(c->k, at + l->pc_count, &count, 8)) ||
		    (err = mw_kernel_read(c->k, at + l->pc_counters, &pcp, 8)))
			return err;
		int64_t sum = count;
		for (unsigned cpu = 0; c->cpus && pcp && cpu < c->cpus->nr; cpu++) {
			int32_t d;
			if ((err = mw_kernel_read(c->k, pcp + c->cpus->offsets[cpu], &d, 4)))
				return mw_error_prepend(err, "per-CPU counter of CPU %u",
							c->cpus->ids[cpu]);
			if (__builtin_add_overflow(sum, d, &sum))
				return mw_error_create(MW_ERR_BAD_DATA, "RSS counter %d of %" PRId64
						       " pages overflows with its per-CPU deltas",
						       i, count);
			ti->rss_delta[i] += d;
		}
		ti->rss[i] = sum;
	}
	uint64_t pgt = 0, total_vm, arg_start, arg_end, pgd;
	if ((l->has_pgtables &&
	     (err = mw_kernel_read(c->k, mm + l->mm_pgtables, &pgt, 8))) ||
	    (err = mw_kernel_read(c->k, mm + l->mm_total_vm, &total_vm, 8)) ||
	    (err = mw_kernel_read(c->k, mm + l->mm_arg_start, &arg_start, 8)) ||
	    (err = mw_kernel_read(c->k, mm + l->mm_arg_end, &arg_end, 8)) ||
	    (err = mw_kernel_read(c->k, mm + l->mm_pgd, &pgd, 8)))
		return err;
	ti->has_pgtables = l->has_pgtables;
	ti->pgtables_bytes = pgt;
	/* an atomic_long_t of page-table bytes: more than RAM, or below zero,
	 * is not a count */
	if (l->has_pgtables && c->ram_bytes && pgt > c->ram_bytes) {
		mw_warn(c->w, "pid %d (%s) at 0x%" PRIx64 ": mm_struct.pgtables_bytes is %" PRId64
			", outside 0..%" PRIu64 " (the dump's RAM); its page tables are not shown",
			ti->t.pid, ti->t.comm, ti->t.addr, (int64_t)pgt, c->ram_bytes);
		ti->has_pgtables = false;
		ti->pgtables_bytes = 0;
	}
	ti->total_vm_pages = total_vm;
	ti->has_mm = true;
	if (mw_kptr_ok(pgd, 4096))
		ti->cmdline = read_cmdline(c->k, pgd, arg_start, arg_end);
	return NULL;
}

static void read_info(struct ctx *c, struct mw_task_info *ti)
{
	const struct layout *l = c->l;
	struct mw_error *err;
	uint64_t addr = ti->t.addr;
	uint64_t parent, mm, cred, signal, state = 0;
	uint32_t exit_state;
	ti->ppid = 0;
	ti->state = '?';
	ti->threads = -1;
	ti->kernel_thread = ti->t.flags & MW_PF_KTHREAD;
	if ((err = mw_kernel_read(c->k, addr + l->state, &state, l->state_size)) ||
	    (err = mw_kernel_read(c->k, addr + l->exit_state, &exit_state, 4)) ||
	    (err = mw_kernel_read(c->k, addr + l->real_parent, &parent, 8)) ||
	    (err = mw_kernel_read(c->k, addr + l->mm, &mm, 8)) ||
	    (err = mw_kernel_read(c->k, addr + l->real_cred, &cred, 8)) ||
	    (err = mw_kernel_read(c->k, addr + l->signal, &signal, 8))) {
		warn_task(c, ti, err, "task_struct unreadable");
		return;
	}
	ti->state = state_letter(state, exit_state);
	/* ppid: the real parent's tgid (init_task and kthreadd's children of
	 * pid 0 show 0) */
	if (ti->t.pid != 0 && mw_kptr_ok(parent, 8)) {
		int32_t ppid;
		if ((err = mw_kernel_read(c->k, parent + l->task.off_tgid, &ppid, 4)))
			warn_task(c, ti, err, "real_parent unreadable");
		else
			ti->ppid = ppid;
	}
	if (mw_kptr_ok(cred, 8)) {
		if ((err = mw_kernel_read(c->k, cred + l->cred_uid, &ti->uid, 4)))
			warn_task(c, ti, err, "cred unreadable");
		else
			ti->has_uid = true;
	}
	if (mw_kptr_ok(signal, 8)) {
		int32_t nr;
		int16_t adj;
		if ((err = mw_kernel_read(c->k, signal + l->sig_nr_threads, &nr, 4)) ||
		    (err = mw_kernel_read(c->k, signal + l->sig_oom_score_adj, &adj, 2))) {
			warn_task(c, ti, err, "signal_struct unreadable");
		} else {
			ti->threads = nr;
			ti->oom_score_adj = adj;
			ti->has_oom = true;
		}
	} else if (signal) {
		mw_warn(c->w, "pid %d (%s) at 0x%" PRIx64 ": signal 0x%" PRIx64
			" is not a kernel pointer", ti->t.pid, ti->t.comm, addr, signal);
	}
	if (l->has_memcg) {
		uint64_t cset, css = 0;
		if ((err = mw_kernel_read(c->k, addr + l->cgroups, &cset, 8)) ||
		    (mw_kptr_ok(cset, 8) &&
		     (err = mw_kernel_read(c->k, cset + l->cset_subsys +
					   (uint64_t)l->memory_cgrp_id * 8, &css, 8))))
			warn_task(c, ti, err, "css_set unreadable");
		else if (mw_kptr_ok(css, 8) && css >= l->memcg_css)
			ti->memcg = css - l->memcg_css;
	}
	/* /proc shows no memory for kernel threads (even one borrowing an mm) */
	if (ti->kernel_thread || !mm)
		return;
	if (!mw_kptr_ok(mm, 8)) {
		mw_warn(c->w, "pid %d (%s) at 0x%" PRIx64 ": mm 0x%" PRIx64
			" is not a kernel pointer; its memory is not shown",
			ti->t.pid, ti->t.comm, addr, mm);
		return;
	}
	if ((err = read_mm(c, ti, mm))) {
		ti->has_mm = false;
		warn_task(c, ti, err, "mm_struct unreadable; its memory is not shown");
		return;
	}
	if (l->has_task_rss && l->has_threads && mw_kptr_ok(signal, 8))
		add_thread_caches(c, ti, signal);
	check_rss(c, ti, mm);
}

static int by_addr(const void *a, const void *b)
{
	const struct mw_task *x = *(const struct mw_task *const *)a;
	const struct mw_task *y = *(const struct mw_task *const *)b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (x > y) - (x < y);	/* list order among equals */
}

/* A list that loops is only found looping after up to twice its length:
 * the tasks seen again before that are dropped (their addr set to 0),
 * keeping each one's first place. */
static void drop_repeats(struct mw_tasks *list)
{
	if (list->nr < 2)
		return;
	struct mw_task **v = malloc(list->nr * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < list->nr; i++)
		v[i] = &list->v[i];
	qsort(v, list->nr, sizeof(*v), by_addr);
	/* from the end, so each comparison still sees its neighbour's address */
	for (size_t i = list->nr - 1; i > 0; i--)
		if (v[i]->addr == v[i - 1]->addr)
			v[i]->addr = 0;
	free(v);
}

struct mw_error *mw_task_list_read(struct mw_kernel *k, struct mw_warnings *w,
				   struct mw_task_list *ret)
{
	struct layout l;
	struct mw_error *err;
	memset(ret, 0, sizeof(*ret));
	if ((err = resolve(k, &l)))
		return err;
	struct mw_cpus cpus;
	bool have_cpus = false;
	if (l.percpu) {
		if ((err = mw_cpus_read(k, &cpus))) {
			mw_warn_error(w, err, "tasks: possible CPUs unknown; RSS counters "
				      "without their per-CPU deltas");
		} else {
			have_cpus = true;
			ret->nr_cpus = cpus.nr;
		}
		int32_t batch;
		struct mw_error *be = mw_kernel_read_symbol(k, "percpu_counter_batch", &batch, 4);
		if (!be)
			ret->percpu_batch = batch;
		mw_error_destroy(be);
	}
	struct mw_tasks list;
	if ((err = mw_tasks_read(k, &l.task, w, &list))) {
		if (have_cpus)
			mw_cpus_deinit(&cpus);
		return err;
	}
	ret->truncated = list.truncated;
	ret->rss_percpu = l.percpu;
	ret->v = calloc(list.nr ? list.nr : 1, sizeof(*ret->v));
	if (!ret->v) {
		mw_tasks_deinit(&list);
		if (have_cpus)
			mw_cpus_deinit(&cpus);
		return &mw_error_nomem;
	}
	if (list.truncated)
		drop_repeats(&list);
	struct ctx c = { .k = k, .w = w, .l = &l, .cpus = have_cpus ? &cpus : NULL,
			 .ram_bytes = mw_reader_info(k->reader)->total_bytes,
			 .page_size = k->vm.page_size };
	for (size_t i = 0; i < list.nr; i++) {
		if (!list.v[i].addr)
			continue;	/* seen before: the list looped */
		struct mw_task_info *ti = &ret->v[ret->nr++];
		ti->t = list.v[i];
		ti->page_size = c.page_size;
		read_info(&c, ti);
		if (ti->cmdline)
			ret->cmdlines++;
		else if (ti->has_mm)
			ret->cmdlines_missing++;
	}
	mw_tasks_deinit(&list);
	if (have_cpus)
		mw_cpus_deinit(&cpus);
	return NULL;
}

void mw_task_list_deinit(struct mw_task_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->v[i].cmdline);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

uint64_t mw_task_rss_bytes(const struct mw_task_info *t)
{
	if (!t->has_mm)
		return 0;
	int64_t p = 0;
	for (int i = 0; i < MW_RSS_NR; i++)
		if (i != MW_RSS_SWAP && t->rss[i] > 0)
			p += t->rss[i];
	return (uint64_t)p * t->page_size;
}

static int by_rss(const void *a, const void *b)
{
	const struct mw_task_info *x = a, *y = b;
	uint64_t rx = mw_task_rss_bytes(x), ry = mw_task_rss_bytes(y);
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return (x->t.pid > y->t.pid) - (x->t.pid < y->t.pid);
}

void mw_task_list_rank(struct mw_task_list *l)
{
	if (l->nr > 1)
		qsort(l->v, l->nr, sizeof(*l->v), by_rss);
}
