/* memwhere: processes and their open files (see task.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/task.h"
#include "analyzer/walk.h"

static uint32_t u32_of(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

struct mw_error *mw_task_layout_resolve(struct mw_kernel *k,
					struct mw_task_layout *l)
{
	struct mw_field tasks, pid, tgid, comm, files, flags, fdt, max_fds, fd;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("task_struct.tasks", &tasks),
		MW_FIELD_MEMBER("task_struct.pid", &pid),
		MW_FIELD_MEMBER("task_struct.tgid", &tgid),
		MW_FIELD_MEMBER("task_struct.comm", &comm),
		MW_FIELD_MEMBER("task_struct.files", &files),
		MW_FIELD_MEMBER("task_struct.flags", &flags),
		MW_FIELD_MEMBER("files_struct.fdt", &fdt),
		MW_FIELD_MEMBER("fdtable.max_fds", &max_fds),
		MW_FIELD_MEMBER("fdtable.fd", &fd),
	};
	struct mw_error *err = mw_types_resolve_fields(k->types, spec,
						       MW_ARRAY_SIZE(spec));
	if (err)
		return mw_error_prepend(err, "tasks");
	memset(l, 0, sizeof(*l));
	l->off_tasks = u32_of(tasks.offset);
	l->off_pid = u32_of(pid.offset);
	l->off_tgid = u32_of(tgid.offset);
	l->off_comm = u32_of(comm.offset);
	l->off_files = u32_of(files.offset);
	l->off_flags = u32_of(flags.offset);
	l->off_fdt = u32_of(fdt.offset);
	l->off_max_fds = u32_of(max_fds.offset);
	l->off_fd = u32_of(fd.offset);
	if (comm.size < MW_TASK_COMM_LEN || pid.size != 4 || tgid.size != 4 ||
	    flags.size != 4 || max_fds.size != 4)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "tasks: unexpected sizes of task_struct.comm/pid/tgid/flags or fdtable.max_fds");
	if ((err = mw_kernel_symbol(k, "init_task", &l->init_task)))
		return mw_error_prepend(err, "tasks");
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
		if (ret->nr >= MW_TASK_MAX) {
			mw_warn(w, "tasks: more than %d tasks; the rest is not listed",
				MW_TASK_MAX);
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
	if (max_fds > MW_TASK_MAX_FDS) {
		mw_warn(w, "pid %d (%s): fd table of %u entries; only the first %d read",
			task->pid, task->comm, max_fds, MW_TASK_MAX_FDS);
		max_fds = MW_TASK_MAX_FDS;
	}
	enum { CHUNK = 512 };
	uint64_t files[CHUNK];
	for (uint32_t base = 0; base < max_fds; base += CHUNK) {
		uint32_t n = max_fds - base < CHUNK ? max_fds - base : CHUNK;
		if ((err = mw_kernel_read(k, fdarr + (uint64_t)base * 8, files,
					  (size_t)n * 8)))
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
