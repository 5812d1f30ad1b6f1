/* memwhere: open the dump the command line names. */
#ifndef MW_CLI_DUMP_OPEN_H
#define MW_CLI_DUMP_OPEN_H

#include <stddef.h>

#include "common/error.h"
#include "formats/reader.h"

/* Open paths[0..n) as one dump: one file, or every part of a makedumpfile
 * --split set (mw_reader_open_set). */
struct mw_error *mw_cli_open_dump(const char *const *paths, size_t n,
				  struct mw_reader **ret);
/* A split dump some of whose parts were not given (info->nr_missing): one
 * line naming the pfns and the RAM that are in the other parts (malloc'd;
 * NULL otherwise, or out of memory). */
char *mw_dump_split_text(const char *path, const struct mw_dump_info *info);

/* Why /proc/kcore cannot be read here and what to do instead (no kcore, a
 * container's mask, not root, lockdown); malloc'd, NULL when no cause is
 * seen. */
char *mw_live_hint(void);

#endif
