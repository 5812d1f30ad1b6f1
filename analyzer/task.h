/* memwhere: processes and their open files.
 *
 * Tasks come from init_task.tasks (one entry per thread-group leader, as
 * /proc lists processes), with a length bound and cycle detection. Open
 * files come from task->files->fdt: the fd array up to max_fds, as
 * /proc/PID/fd shows them.
 */
#ifndef MW_TASK_H
#define MW_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "common/error.h"
#include "common/warn.h"

enum {
	MW_TASK_MAX = 1 << 22,		/* PID_MAX_LIMIT */
	MW_FDTABLE_ALIGN = 64,		/* max_fds is a multiple of BITS_PER_LONG */
	MW_TASK_COMM_LEN = 16,
	MW_PF_KTHREAD = 0x00200000,
};

struct mw_task_layout {
	uint32_t off_tasks;		/* task_struct.tasks */
	uint32_t off_pid;
	uint32_t off_tgid;
	uint32_t off_comm;
	uint32_t off_files;
	uint32_t off_flags;
	uint32_t off_fdt;		/* files_struct.fdt */
	uint32_t off_max_fds;		/* fdtable.max_fds */
	uint32_t off_fd;		/* fdtable.fd */
	uint64_t init_task;		/* &init_task */
	uint64_t max_tasks;		/* list length cap: RAM / sizeof(task_struct) */
	uint32_t max_fds;		/* fd table cap: sysctl_nr_open, RAM / 8 */
};

struct mw_task {
	uint64_t addr;			/* struct task_struct * */
	int32_t pid;
	int32_t tgid;
	char comm[MW_TASK_COMM_LEN + 1];
	uint64_t files;			/* struct files_struct *, 0 if none */
	uint32_t flags;
};

struct mw_tasks {
	struct mw_task *v;
	size_t nr;
	bool truncated;			/* the list walk stopped early (warned) */
};

struct mw_error *mw_task_layout_resolve(struct mw_kernel *k,
					struct mw_task_layout *ret);

/* Every process (thread-group leader) on init_task.tasks, init_task (pid 0)
 * first. Bad list data: a warning and the tasks read so far. */
struct mw_error *mw_tasks_read(struct mw_kernel *k, const struct mw_task_layout *l,
			       struct mw_warnings *w, struct mw_tasks *ret);
void mw_tasks_deinit(struct mw_tasks *t);

/*
 * Call cb for every open fd of a files_struct, in fd order, with the
 * struct file pointer. cb returns true to stop. A bad fd table is a warning
 * (naming the task) and the fds read so far.
 */
typedef bool mw_fd_cb(uint32_t fd, uint64_t file, void *arg);
struct mw_error *mw_task_for_each_fd(struct mw_kernel *k,
				     const struct mw_task_layout *l,
				     const struct mw_task *task,
				     struct mw_warnings *w, mw_fd_cb *cb,
				     void *arg);

#endif
