/* memwhere: sockets, their queues, and the memory their skbs pin.
 *
 * Sockets are found two ways and merged by struct sock address:
 *   - every process's fd table (files whose f_op is socket_file_ops): the
 *     owners (pid, comm, fd), as /proc/PID/fd shows them;
 *   - the protocol tables, for sockets no fd holds: TCP established,
 *     listening and time-wait (tcp_hashinfo and per-netns tables), UDP and
 *     UDP-Lite (udp_table, udplite_table, per-netns tables), AF_UNIX (each
 *     netns's unix table) and AF_PACKET (each netns's packet list).
 * Netlink sockets are counted from nl_table; those an fd holds are listed.
 *
 * For each full socket the receive side (sk_receive_queue, TCP's
 * out-of-order tree, the backlog, UDP's reader_queue) and the send side
 * (sk_write_queue, TCP's retransmit tree) are walked skb by skb (analyzer/skb)
 * and the memory they pin is added up: sk_buff objects, kmalloc'd heads, and
 * the compound pages behind page-frag heads and frags, each page counted
 * once over all sockets.
 */
#ifndef MW_SOCKETS_H
#define MW_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/kernel.h"
#include "analyzer/skb.h"
#include "common/error.h"
#include "common/warn.h"

enum {
	MW_AF_UNIX = 1,
	MW_AF_INET = 2,
	MW_AF_INET6 = 10,
	MW_AF_NETLINK = 16,
	MW_AF_PACKET = 17,
};

enum mw_sock_source {
	MW_SOCK_FROM_FD = 1u << 0,
	MW_SOCK_FROM_TABLE = 1u << 1,
};

struct mw_sock_owner {
	int32_t pid;
	uint32_t fd;
	char comm[17];
};

struct mw_socket {
	uint64_t sk;			/* struct sock * (sock_common of a mini socket) */
	uint64_t inode;			/* 0 if no inode (time-wait, request, kernel) */
	uint16_t family;
	uint16_t type;			/* SOCK_STREAM ... */
	uint16_t protocol;		/* IPPROTO_TCP ... */
	uint8_t state;			/* sk_state (TCP numbering) */
	bool mini;			/* time-wait or request sock: no queues */
	unsigned sources;		/* enum mw_sock_source */
	char local[128];
	char remote[128];
	uint64_t peer_inode;		/* AF_UNIX: the peer's inode, 0 if none */
	uint64_t memcg;			/* sk_memcg: the struct mem_cgroup its
					 * buffers are charged to; 0 if none */
	const char *memcg_path;		/* set by the caller that knows the tree */

	struct mw_sock_owner *owners;	/* sorted by pid, fd */
	size_t nr_owners;

	/* As /proc/net/tcp and /proc/net/udp print them (see the man page). */
	uint64_t recv_queue_bytes;
	uint64_t send_queue_bytes;
	uint32_t ack_backlog;		/* listeners: connections not accepted */

	struct mw_skb_stats recv;	/* receive, ofo, backlog, reader queues */
	struct mw_skb_stats send;	/* write queue, retransmit tree */
	uint64_t frag_pages;		/* distinct compound pages its skbs refer to */
	uint64_t pages_by_order[MW_SKB_ORDERS];
	uint64_t page_bytes;		/* its share of those pages (by references) */
	uint64_t shared_pages;		/* pages also referred to by other sockets */
	uint64_t pinned_bytes;		/* skb objects + slab heads + page_bytes */
};

struct mw_sockets_counts {
	uint64_t unix_, inet, inet6, netlink, packet, other;	/* listed sockets */
	uint64_t tcp, udp, time_wait, request;
	uint64_t netlink_table;		/* netlink sockets in nl_table */
	uint64_t packet_table;		/* packet sockets on the netns lists */
	uint64_t no_owner;		/* full sockets no fd holds */
	uint64_t tasks;			/* processes whose fd tables were read */
	uint64_t netns;			/* network namespaces */
	uint64_t zero_table_pages;	/* hash table pages the dump left out as zero */
};

struct mw_sockets {
	struct mw_socket *v;		/* ranked by pinned_bytes */
	size_t nr;
	struct mw_skb_page *pages;	/* compound pages pinned, sorted by pfn */
	size_t nr_pages;
	struct mw_skb_page_ref *page_refs; /* (page, socket index) pairs, by pfn */
	size_t nr_page_refs;
	uint64_t page_size;
	uint64_t pinned_bytes;		/* sum over sockets */
	uint64_t page_bytes;		/* compound pages (each once) */
	uint64_t skb_frags_bytes;	/* of those, behind frags and page-frag heads
					 * (what summary's skb_frags claims) */
	uint64_t pages_by_order[MW_SKB_ORDERS];
	struct mw_skb_stats recv, send;	/* over all sockets */
	uint64_t net_iov_frags;
	struct mw_sockets_counts counts;
};

/*
 * Find and measure every socket. Errors only when nothing can be done
 * (types missing, no task list); bad data becomes warnings and the result
 * is partial.
 */
struct mw_error *mw_sockets_analyze(struct mw_kernel *k, struct mw_warnings *w,
				    struct mw_sockets *ret);

/*
 * Only the sockets whose sk_memcg keep() accepts, before their queues are
 * walked: every total (pinned bytes, frag pages) is then of those sockets.
 * Time-wait and request sockets have no sk_memcg and are left out.
 */
struct mw_sockets_filter {
	bool (*keep)(void *arg, uint64_t memcg);
	void *arg;
};
struct mw_error *mw_sockets_analyze_filtered(struct mw_kernel *k, struct mw_warnings *w,
					     const struct mw_sockets_filter *filter,
					     struct mw_sockets *ret);
void mw_sockets_deinit(struct mw_sockets *s);

/* "unix", "inet", "inet6", "netlink", "packet" or "af<N>" (buf). */
const char *mw_sock_family_name(uint16_t family, char *buf, size_t len);
/* "stream", "dgram", "raw", "rdm", "seqpacket", "dccp", "packet", "type<N>". */
const char *mw_sock_type_name(uint16_t type, char *buf, size_t len);
/* "tcp", "udp", "udplite", "raw", "" when unknown or not inet. */
const char *mw_sock_protocol_name(const struct mw_socket *s);
/* TCP state names as /proc/net/tcp's st column means them ("ESTABLISHED",
 * "LISTEN" ...); "UNCONN" for a datagram socket in TCP_CLOSE (as ss says). */
const char *mw_sock_state_name(const struct mw_socket *s, char *buf, size_t len);

/* Per process: the sockets of one owner pid with data waiting. */
struct mw_sockets_holder {
	int32_t pid;
	char comm[17];
	size_t nr_sockets;		/* sockets with unread data */
	size_t first;			/* index of its top socket in mw_sockets.v */
	uint32_t fds[16];		/* the first fds, ascending */
	size_t nr_fds;
	uint64_t recv_queue_bytes;	/* unread: sum of recv_queue_bytes */
	uint64_t payload_bytes;		/* payload on the receive queues */
	uint64_t pinned_bytes;
	uint64_t object_bytes;		/* sk_buff objects and kmalloc'd heads */
	uint64_t page_bytes;		/* its sockets' share of the pages */
	uint64_t truesize;
	uint64_t skbs;
	uint64_t frags;
	uint64_t frag_pages;		/* distinct compound pages its sockets refer to */
	uint64_t pages_by_order[MW_SKB_ORDERS];	/* their orders */
	uint64_t shared_pages;		/* of those, pages other processes' sockets share */
	uint16_t family, type, protocol; /* of the top socket */
	bool mixed;			/* sockets of several kinds */
};

/*
 * Group sockets with unread data by their first owner's pid, largest
 * pinned_bytes first; only groups pinning at least min_pinned bytes.
 * Sockets no fd holds form one group with pid -1.
 */
struct mw_error *mw_sockets_holders(const struct mw_sockets *s,
				    uint64_t min_pinned,
				    struct mw_sockets_holder **ret, size_t *nr);

#endif
