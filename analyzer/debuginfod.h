/* memwhere: a vmlinux by build ID from debuginfod servers.
 *
 * When DEBUGINFOD_URLS names servers, libdebuginfod (elfutils) asks them for
 * the debug file of a build ID and keeps it in its cache
 * (DEBUGINFOD_CACHE_PATH, else ~/.cache/debuginfod_client); its other
 * variables (DEBUGINFOD_TIMEOUT, DEBUGINFOD_PROGRESS, ...) apply. The
 * library (libdebuginfod.so.1) is loaded on the first request only. Built
 * without its header (libdebuginfod-dev), this says it is not available.
 * What a server sends is checked like any other file before use
 * (analyzer/debugfiles.h).
 */
#ifndef MW_DEBUGINFOD_H
#define MW_DEBUGINFOD_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Built with libdebuginfod? */
bool mw_debuginfod_built(void);
/* Built with it and DEBUGINFOD_URLS set (not empty)? */
bool mw_debuginfod_enabled(void);
/*
 * The debug file of build ID hex (len hex digits) into *path (malloc'd: a
 * file in the client's cache). MW_ERR_NOT_FOUND when not enabled, or no
 * server has it (the message names the build ID and the reason).
 */
struct mw_error *mw_debuginfod_find(const char *hex, size_t len, char **path);

#endif
