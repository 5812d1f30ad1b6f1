/* memwhere command line: tasks (processes and kernel threads, by RSS). */
#ifndef MW_CLI_TASKS_H
#define MW_CLI_TASKS_H

#include <stddef.h>

#include "analyzer/tasks.h"
#include "cli/cli.h"

extern const struct mw_renderer mw_tasks_renderer;	/* output-tasks.c */

#endif
