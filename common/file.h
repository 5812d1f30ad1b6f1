/* memwhere: opening the files a user names (dumps, types, symbol maps).
 *
 * Every named file is opened without blocking (a FIFO given as a dump
 * must not hang open(2)) and refused unless it is a regular file, or a
 * block device where a dump may live.
 */
#ifndef MW_FILE_H
#define MW_FILE_H

#include "common/error.h"

enum mw_file_flags {
	MW_FILE_REGULAR = 0,		/* regular files only */
	MW_FILE_ALLOW_BLOCK = 1 << 0,	/* block devices too (a dump on a partition) */
};

/* Open path read-only (close-on-exec, blocking I/O once open) into *fd;
 * MW_ERR_IO naming the file and what it is if it is not acceptable. */
struct mw_error *mw_file_open(const char *path, unsigned flags, int *fd);

#endif
