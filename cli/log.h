/* memwhere command line: log (the kernel's printk ring buffer, like dmesg). */
#ifndef MW_CLI_LOG_H
#define MW_CLI_LOG_H

#include "analyzer/printk.h"
#include "cli/cli.h"

int mw_cmd_log(struct mw_context *ctx);

/* output-log.c: records at max_level or more severe (0..7); in JSON also
 * the panic and the OOM reports of in (NULL: not parsed) */
struct mw_incident;
void mw_render_log(struct mw_context *ctx, const struct mw_log *log,
		   const struct mw_incident *in, unsigned max_level);

#endif
