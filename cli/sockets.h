/* memwhere command line: sockets (socket queues, skbs and the pages they pin). */
#ifndef MW_CLI_SOCKETS_H
#define MW_CLI_SOCKETS_H

#include <stddef.h>

#include "analyzer/sockets.h"
#include "analyzer/summary.h"
#include "cli/cli.h"

int mw_cmd_sockets(struct mw_context *ctx);

/* output-sockets.c */
/* memcg_filter: --memcg's path, or NULL */
void mw_render_sockets(struct mw_context *ctx, const struct mw_sockets *s,
		       const struct mw_sockets_holder *holders, size_t nr_holders,
		       const char *memcg_filter);

/*
 * The finding for one process holding unread socket data, in words:
 * which process and fds, how many bytes unread, how much memory that pins,
 * in how many skbs with how many frags of which order, and the
 * payload-to-pinned ratio. total_ram (bytes, 0 if unknown) sets severity.
 */
void mw_sockets_finding(const struct mw_sockets *s,
			const struct mw_sockets_holder *h, uint64_t total_ram,
			struct mw_finding *ret);

/* Smallest pinned_bytes of a process that makes a finding. */
enum { MW_SOCKETS_FINDING_MIN = 1 << 20 };

#endif
