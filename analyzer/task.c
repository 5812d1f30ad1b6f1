/* memwhere: processes and their open files (see task.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/layout.h"
#include "analyzer/task.h"
#include "analyzer/walk.h"

struct mw_error *mw_task_layout_resolve(struct mw_kernel *k,
					struct mw_task_layout *l)
{
	/* members whose sizes are checked too */
	struct mw_field pid, tgid, comm, flags, max_fds, size;
#define L struct mw_task_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "task_struct.tasks", off_tasks),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "task_struct.pid", &pid),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "task_struct.tgid", &tgid),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "task_struct.comm", &comm),
		MW_LAYOUT_MEMBER(L, "task_struct.files", off_files),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "task_struct.flags", &flags),
		MW_LAYOUT_MEMBER(L, "files_struct.fdt", off_fdt),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "fdtable.max_fds", &max_fds),
		MW_LAYOUT_MEMBER(L, "fdtable.fd", off_fd),
		MW_LAYOUT_RAW(MW_FIELD_KIND_SIZEOF, "task_struct", &size),
	};
#undef L
	memset(l, 0, sizeof(*l));
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	if (err)
		return mw_error_prepend(err, "tasks");
	l->off_pid = mw_u32_of(pid.offset);
	l->off_tgid = mw_u32_of(tgid.offset);
	l->off_comm = mw_u32_of(comm.offset);
	l->off_flags = mw_u32_of(flags.offset);
	l->off_max_fds = mw_u32_of(max_fds.offset);
	if (comm.size < MW_TASK_COMM_LEN || pid.size != 4 || tgid.size != 4 ||
	    flags.size != 4 || max_fds.size != 4)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "tasks: unexpected sizes of task_struct.comm/pid/tgid/flags or fdtable.max_fds");
	if ((err = mw_kernel_symbol(k, "init_task", &l->init_task)))
		return mw_error_prepend(err, "tasks");
	/* no more tasks than task_structs fit in the dump's RAM */
	l->max_tasks = MW_TASK_MAX;
	uint64_t ram = mw_reader_info(k->reader)->total_bytes;
	if (size.size && ram / size.size < l->max_tasks)
		l->max_tasks = ram / size.size + 1;
	/* no fd table longer than the kernel lets one grow (alloc_fdtable:
	 * sysctl_nr_open rounded up to BITS_PER_LONG), nor than its array of
	 * pointers fits in the dump's RAM */
	uint64_t fds_cap = ram / 8;
	uint32_t nr_open;
	struct mw_error *e = mw_kernel_read_symbol(k, "sysctl_nr_open", &nr_open, 4);
	if (!e && nr_open) {
		uint64_t n = (((uint64_t)nr_open - 1) | (MW_FDTABLE_ALIGN - 1)) + 1;
		if (n < fds_cap)
			fds_cap = n;
	}
	mw_error_destroy(e);
	l->max_fds = fds_cap < UINT32_MAX ? (uint32_t)fds_cap : UINT32_MAX & ~(MW_FDTABLE_ALIGN - 1u);
	return NULL;
}

static struct mw_error *read_task(struct mw_kernel *k,
				  const struct mw_task_layout *l, uint64_t addr,
				  struct mw_task *t)
{
	struct mw_error *err;
	memset(t, 0, sizeof(*t));
	t->addr = addr;
	if ((err = mw_kernel_read(k, addr + l->off_pid, &t->pid, 4)) ||
	    (err = mw_kernel_read(k, addr + l->off_tgid, &t->tgid, 4)) ||
	    (err = mw_kernel_read(k, addr + l->off_comm, t->comm, MW_TASK_COMM_LEN)) ||
	    (err = mw_kernel_read(k, addr + l->off_files, &t->files, 8)) ||
	    (err = mw_kernel_read(k, addr + l->off_flags, &t->flags, 4)))
		return err;
	t->comm[MW_TASK_COMM_LEN] = '\0';
	for (char *c = t->comm; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	return NULL;
}

struct mw_error *mw_tasks_read(struct mw_kernel *k, const struct mw_task_layout *l,
			       struct mw_warnings *w, struct mw_tasks *ret)
{
	struct mw_error *err;
	size_t cap = 256;
	memset(ret, 0, sizeof(*ret));
	ret->v = malloc(cap * sizeof(*ret->v));
	if (!ret->v)
		return &mw_error_nomem;
	if ((err = read_task(k, l, l->init_task, &ret->v[0]))) {
		mw_tasks_deinit(ret);
		return mw_error_prepend(err, "reading init_task");
	}
	ret->nr = 1;

	uint64_t head = l->init_task + l->off_tasks;
	uint64_t next;
	struct mw_cycle c;
	mw_cycle_init(&c, head);
	if ((err = mw_kernel_read(k, head, &next, 8))) {
		mw_warn_error(w, err, "tasks: init_task.tasks unreadable");
		ret->truncated = true;
		return NULL;
	}
	uint64_t prev = head;
	while (next != head) {
		if (mw_cycle_step(&c, next)) {
			mw_warn(w, "tasks: the task list loops at 0x%" PRIx64
				" after %zu tasks; the rest is not listed", next, ret->nr);
			ret->truncated = true;
			break;
		}
		if (!mw_kptr_ok(next, 8) || next < l->off_tasks) {
			mw_warn(w, "tasks: task list entry 0x%" PRIx64 " (after 0x%" PRIx64
				") is not a kernel pointer; the rest is not listed",
				next, prev);
			ret->truncated = true;
			break;
		}
		if (ret->nr >= l->max_tasks) {
			mw_warn(w, "tasks: more than %" PRIu64 " tasks (more task_structs"
				" than fit in the dump's RAM); the rest is not listed",
				l->max_tasks);
			ret->truncated = true;
			break;
		}
		if (ret->nr == cap) {
			struct mw_task *v = realloc(ret->v, cap * 2 * sizeof(*v));
			if (!v) {
				mw_tasks_deinit(ret);
				return &mw_error_nomem;
			}
			ret->v = v;
			cap *= 2;
		}
		uint64_t task = next - l->off_tasks;
		if ((err = read_task(k, l, task, &ret->v[ret->nr])) ||
		    (err = mw_kernel_read(k, next, &next, 8))) {
			char ctx[96];
			snprintf(ctx, sizeof(ctx), "tasks: task 0x%" PRIx64
				 " unreadable; the rest is not listed", task);
			mw_warn_error(w, err, ctx);
			ret->truncated = true;
			break;
		}
		prev = task + l->off_tasks;
		ret->nr++;
	}
	return NULL;
}

void mw_tasks_deinit(struct mw_tasks *t)
{
	free(t->v);
	t->v = NULL;
	t->nr = 0;
}

struct mw_error *mw_task_for_each_fd(struct mw_kernel *k,
				     const struct mw_task_layout *l,
				     const struct mw_task *task,
				     struct mw_warnings *w, mw_fd_cb *cb,
				     void *arg)
{
	uint64_t fdt, fdarr;
	uint32_t max_fds;
	struct mw_error *err;
	if (!task->files)
		return NULL;
	if (!mw_kptr_ok(task->files, 8)) {
		mw_warn(w, "pid %d (%s): files 0x%" PRIx64 " is not a kernel pointer",
			task->pid, task->comm, task->files);
		return NULL;
	}
	if ((err = mw_kernel_read(k, task->files + l->off_fdt, &fdt, 8)))
		goto bad;
	if (!mw_kptr_ok(fdt, 8)) {
		mw_warn(w, "pid %d (%s): fd table 0x%" PRIx64 " is not a kernel pointer",
			task->pid, task->comm, fdt);
		return NULL;
	}
	if ((err = mw_kernel_read(k, fdt + l->off_max_fds, &max_fds, 4)) ||
	    (err = mw_kernel_read(k, fdt + l->off_fd, &fdarr, 8)))
		goto bad;
	if (!mw_kptr_ok(fdarr, 8)) {
		mw_warn(w, "pid %d (%s): fd array 0x%" PRIx64 " is not a kernel pointer",
			task->pid, task->comm, fdarr);
		return NULL;
	}
	if (max_fds % MW_FDTABLE_ALIGN) {
		mw_warn(w, "pid %d (%s): fd table 0x%" PRIx64 " of %u entries, not a multiple"
			" of %d: not an fd table; its files are not read", task->pid,
			task->comm, fdt, max_fds, MW_FDTABLE_ALIGN);
		return NULL;
	}
	if (max_fds > l->max_fds) {
		mw_warn(w, "pid %d (%s): fd table of %u entries, more than sysctl_nr_open or the"
			" dump's RAM allow; only the first %u read", task->pid, task->comm,
			max_fds, l->max_fds);
		max_fds = l->max_fds;
	}
	enum { CHUNK = 512 };
	uint64_t files[CHUNK];
	for (uint32_t base = 0; base < max_fds; base += CHUNK) {
		uint32_t n = max_fds - base < CHUNK ? max_fds - base : CHUNK;
		/* a page of the array that holds no file is all zeros, which a
		 * zero-page filter leaves out: it reads as zeros */
		if ((err = mw_kernel_read_zero_filtered(k, fdarr + (uint64_t)base * 8, files,
							(size_t)n * 8, NULL)))
			goto bad;
		for (uint32_t i = 0; i < n; i++) {
			if (!files[i])
				continue;
			if (!mw_kptr_ok(files[i], 8)) {
				mw_warn(w, "pid %d (%s): fd %u: file 0x%" PRIx64
					" is not a kernel pointer", task->pid,
					task->comm, base + i, files[i]);
				continue;
			}
			if (cb(base + i, files[i], arg))
				return NULL;
		}
	}
	return NULL;
bad:;
	char ctx[96];
	snprintf(ctx, sizeof(ctx), "pid %d (%s): fd table", task->pid, task->comm);
	mw_warn_error(w, err, ctx);
	return NULL;
}
