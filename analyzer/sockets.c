/* memwhere: sockets, their queues, and the memory their skbs pin (see sockets.h). */
#include "config.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/layout.h"
#include "analyzer/sockets.h"
#include "analyzer/task.h"
#include "analyzer/walk.h"
#include "common/addr-map.h"

enum {
	TCP_ESTABLISHED = 1,
	TCP_TIME_WAIT = 6,
	TCP_CLOSE = 7,
	TCP_LISTEN = 10,
	TCP_NEW_SYN_RECV = 12,
	IPPROTO_TCP_ = 6,
	IPPROTO_UDP_ = 17,
	IPPROTO_UDPLITE_ = 136,
	SOCK_STREAM_ = 1,
	SOCK_DGRAM_ = 2,
	SOCK_RAW_ = 3,
	UNIX_HASH_SIZE = 512,		/* buckets of a netns unix table (256 * 2) */
	NETLINK_MAX_LINKS = 32,		/* entries of nl_table */
	MAX_TABLES = 64,
};

struct sock_layout {
	/* sock_common */
	uint32_t family, state, daddr, rcv_saddr, dport, num, node, nulls_node;
	uint32_t v6_daddr, v6_rcv_saddr;
	bool has_v6;
	/* sock */
	uint32_t type, protocol, type_size, protocol_size;
	uint32_t sk_socket, receive_queue, write_queue, rmem_alloc, backlog_head;
	uint32_t wmem_alloc, rtx_queue, ack_backlog, max_ack_backlog, sk_memcg;
	bool has_rtx, has_sk_memcg;
	/* tcp_sock */
	uint32_t rcv_nxt, copied_seq, write_seq, snd_una, ofo;
	/* udp_sock */
	uint32_t reader_queue, forward_deficit;
	bool has_reader_queue, has_forward_deficit;
	/* unix_sock, unix_address */
	uint32_t unix_addr, unix_peer, uaddr_len, uaddr_name;
	bool has_unix;
	/* socket, socket_alloc, inode, file */
	uint32_t socket_sk, socket_inode, i_ino, f_op, private_data, f_inode;
	uint64_t socket_file_ops;
	/* inet_hashinfo and buckets */
	uint32_t hi_ehash, hi_ehash_mask, hi_lhash2, hi_lhash2_mask;
	uint32_t ehb_size, ehb_chain, lhb_size, lhb_head;
	bool has_tcp_tables;
	/* before 5.19: listeners on inet_hashinfo.listening_hash[], a nulls
	 * list through skc_nulls_node (lhash2 then chains another node) */
	uint32_t hi_listening, nr_listening;
	/* udp_table, udp_hslot */
	uint32_t ut_hash, ut_mask, hslot_size, hslot_head;
	bool has_udp_tables;
	/* struct net */
	uint32_t net_list, net_unix_buckets, net_packet_sklist;
	uint32_t net_hashinfo, net_udp_table;
	bool has_net, has_net_unix, has_net_packet, has_net_hashinfo, has_net_udp;
	/* netlink */
	uint32_t nlt_size, nlt_tbl, bt_size, bt_nest, bt_buckets, nlk_node, rh_next;
	bool has_netlink;
	/* sizes that bound the walks: no more of them than the RAM holds */
	uint32_t skc_size, net_size;
};

static struct mw_error *sock_layout_resolve(struct mw_kernel *k,
					    struct mw_warnings *w,
					    struct sock_layout *l)
{
	/* values worked out from more than one number */
	struct mw_field type, protocol, sa_socket, sa_inode, listening;
#define L struct sock_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "sock_common.skc_family", family),
		MW_LAYOUT_MEMBER(L, "sock_common.skc_state", state),
		MW_LAYOUT_MEMBER(L, "sock_common.skc_daddr", daddr),
		MW_LAYOUT_MEMBER(L, "sock_common.skc_rcv_saddr", rcv_saddr),
		MW_LAYOUT_MEMBER(L, "sock_common.skc_dport", dport),
		MW_LAYOUT_MEMBER(L, "sock_common.skc_num", num),
		MW_LAYOUT_MEMBER(L, "sock_common.skc_node", node),
		MW_LAYOUT_MEMBER(L, "sock_common.skc_nulls_node", nulls_node),
		MW_LAYOUT_MEMBER_OPT(L, "sock_common.skc_v6_daddr", v6_daddr, has_v6),
		MW_LAYOUT_MEMBER_OPT(L, "sock_common.skc_v6_rcv_saddr", v6_rcv_saddr, has_v6),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "sock.sk_type", &type),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "sock.sk_protocol", &protocol),
		MW_LAYOUT_MEMBER(L, "sock.sk_socket", sk_socket),
		MW_LAYOUT_MEMBER(L, "sock.sk_receive_queue", receive_queue),
		MW_LAYOUT_MEMBER(L, "sock.sk_write_queue", write_queue),
		MW_LAYOUT_MEMBER(L, "sock.sk_backlog.rmem_alloc", rmem_alloc),
		MW_LAYOUT_MEMBER(L, "sock.sk_backlog.head", backlog_head),
		MW_LAYOUT_MEMBER(L, "sock.sk_wmem_alloc", wmem_alloc),
		MW_LAYOUT_MEMBER_OPT(L, "sock.tcp_rtx_queue", rtx_queue, has_rtx),
		MW_LAYOUT_MEMBER(L, "sock.sk_ack_backlog", ack_backlog),
		MW_LAYOUT_MEMBER(L, "sock.sk_max_ack_backlog", max_ack_backlog),
		MW_LAYOUT_MEMBER_OPT(L, "sock.sk_memcg", sk_memcg, has_sk_memcg),	/* CONFIG_MEMCG */
		MW_LAYOUT_MEMBER(L, "tcp_sock.rcv_nxt", rcv_nxt),
		MW_LAYOUT_MEMBER(L, "tcp_sock.copied_seq", copied_seq),
		MW_LAYOUT_MEMBER(L, "tcp_sock.write_seq", write_seq),
		MW_LAYOUT_MEMBER(L, "tcp_sock.snd_una", snd_una),
		MW_LAYOUT_MEMBER(L, "tcp_sock.out_of_order_queue", ofo),
		MW_LAYOUT_MEMBER_OPT(L, "udp_sock.reader_queue", reader_queue, has_reader_queue),
		MW_LAYOUT_MEMBER_OPT(L, "udp_sock.forward_deficit", forward_deficit, has_forward_deficit),
		MW_LAYOUT_MEMBER_OPT(L, "unix_sock.addr", unix_addr, has_unix),
		MW_LAYOUT_MEMBER_OPT(L, "unix_sock.peer", unix_peer, has_unix),
		MW_LAYOUT_MEMBER_OPT(L, "unix_address.len", uaddr_len, has_unix),
		MW_LAYOUT_MEMBER_OPT(L, "unix_address.name", uaddr_name, has_unix),
		MW_LAYOUT_MEMBER(L, "socket.sk", socket_sk),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "socket_alloc.socket", &sa_socket),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "socket_alloc.vfs_inode", &sa_inode),
		MW_LAYOUT_MEMBER(L, "inode.i_ino", i_ino),
		MW_LAYOUT_MEMBER(L, "file.f_op", f_op),
		MW_LAYOUT_MEMBER(L, "file.private_data", private_data),
		MW_LAYOUT_MEMBER(L, "file.f_inode", f_inode),
		MW_LAYOUT_MEMBER_OPT(L, "inet_hashinfo.ehash", hi_ehash, has_tcp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "inet_hashinfo.ehash_mask", hi_ehash_mask, has_tcp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "inet_hashinfo.lhash2", hi_lhash2, has_tcp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "inet_hashinfo.lhash2_mask", hi_lhash2_mask, has_tcp_tables),
		MW_LAYOUT_SIZEOF_OPT(L, "inet_ehash_bucket", ehb_size, has_tcp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "inet_ehash_bucket.chain", ehb_chain, has_tcp_tables),
		MW_LAYOUT_SIZEOF_OPT(L, "inet_listen_hashbucket", lhb_size, has_tcp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "inet_listen_hashbucket.nulls_head", lhb_head, has_tcp_tables),
		MW_LAYOUT_RAW_OPT(MW_FIELD_KIND_MEMBER, "inet_hashinfo.listening_hash", &listening),
		MW_LAYOUT_MEMBER_OPT(L, "udp_table.hash", ut_hash, has_udp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "udp_table.mask", ut_mask, has_udp_tables),
		MW_LAYOUT_SIZEOF_OPT(L, "udp_hslot", hslot_size, has_udp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "udp_hslot.head", hslot_head, has_udp_tables),
		MW_LAYOUT_MEMBER_OPT(L, "net.list", net_list, has_net),
		MW_LAYOUT_MEMBER_OPT(L, "net.unx.table.buckets", net_unix_buckets, has_net_unix),
		MW_LAYOUT_MEMBER_OPT(L, "net.packet.sklist", net_packet_sklist, has_net_packet),
		MW_LAYOUT_MEMBER_OPT(L, "net.ipv4.tcp_death_row.hashinfo", net_hashinfo, has_net_hashinfo),
		MW_LAYOUT_MEMBER_OPT(L, "net.ipv4.udp_table", net_udp_table, has_net_udp),
		MW_LAYOUT_SIZEOF_OPT(L, "netlink_table", nlt_size, has_netlink),
		MW_LAYOUT_MEMBER_OPT(L, "netlink_table.hash.tbl", nlt_tbl, has_netlink),
		MW_LAYOUT_MEMBER_OPT(L, "bucket_table.size", bt_size, has_netlink),
		MW_LAYOUT_MEMBER_OPT(L, "bucket_table.nest", bt_nest, has_netlink),
		MW_LAYOUT_MEMBER_OPT(L, "bucket_table.buckets", bt_buckets, has_netlink),
		MW_LAYOUT_MEMBER_OPT(L, "netlink_sock.node", nlk_node, has_netlink),
		MW_LAYOUT_MEMBER_OPT(L, "rhash_head.next", rh_next, has_netlink),
		MW_LAYOUT_SIZEOF_MAYBE(L, "sock_common", skc_size),
		MW_LAYOUT_SIZEOF_MAYBE(L, "net", net_size),
	};
#undef L
	memset(l, 0, sizeof(*l));
	struct mw_error *err = mw_layout_resolve(k->types, fields,
						 MW_ARRAY_SIZE(fields), l);
	if (err)
		return mw_error_prepend(err, "sockets");
	l->type = mw_u32_of(type.offset);
	l->type_size = mw_u32_of(type.size);
	l->protocol = mw_u32_of(protocol.offset);
	l->protocol_size = mw_u32_of(protocol.size);
	if (type.bit_size || protocol.bit_size) {
		/* before 5.6 sk_type and sk_protocol were bitfields */
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "sockets: sock.sk_type/sk_protocol are bitfields (kernel before 5.6)");
	}
	l->socket_inode = mw_u32_of(sa_inode.offset - sa_socket.offset);
	if (listening.found && listening.nr_elements) {
		l->hi_listening = mw_u32_of(listening.offset);
		l->nr_listening = mw_u32_of(listening.nr_elements);
	}
	if (!l->has_tcp_tables)
		mw_warn(w, "sockets: no inet_hashinfo ehash/lhash2 layout in the types; "
			"TCP sockets no fd holds are not listed");
	if (!l->has_udp_tables)
		mw_warn(w, "sockets: no udp_table/udp_hslot layout in the types; "
			"UDP sockets no fd holds are not listed");

	if ((err = mw_kernel_symbol(k, "socket_file_ops", &l->socket_file_ops))) {
		mw_warn_error(w, err, "sockets: socket_file_ops (sockets cannot be found through fds)");
		l->socket_file_ops = 0;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The set of sockets, by struct sock address. */

/* A time-wait or request sock: only sock_common, no queues, no sk_memcg. */
static bool sock_is_mini(uint16_t family, uint8_t state)
{
	return (family == MW_AF_INET || family == MW_AF_INET6) &&
		(state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV);
}

struct sockset {
	struct mw_socket *v;
	size_t nr, cap;
	uint64_t max;			/* sock_commons the dump's RAM holds */
	struct mw_addr_map index;	/* sk address -> index in v */
};

/* The socket for sk, added (zeroed, sk set) if new. NULL sets *err. */
static struct mw_socket *sockset_get(struct sockset *s, uint64_t sk,
				     bool *created, struct mw_error **err)
{
	*err = NULL;
	const size_t *i = mw_addr_map_find(&s->index, sk);
	if (i) {
		*created = false;
		return &s->v[*i];
	}
	if (s->nr >= s->max) {
		*err = mw_error_create(MW_ERR_LIMIT, "more than %" PRIu64 " sockets (more than"
				       " the dump's RAM holds)", s->max);
		return NULL;
	}
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct mw_socket *v = realloc(s->v, cap * sizeof(*v));
		if (!v) {
			*err = &mw_error_nomem;
			return NULL;
		}
		s->v = v;
		s->cap = cap;
	}
	bool added;
	if ((*err = mw_addr_map_insert(&s->index, sk, s->nr, &added)))
		return NULL;
	struct mw_socket *so = &s->v[s->nr++];
	memset(so, 0, sizeof(*so));
	so->sk = sk;
	*created = true;
	return so;
}

static void sockset_free_index(struct sockset *s)
{
	mw_addr_map_deinit(&s->index);
}

static struct mw_error *add_owner(struct mw_socket *so, const struct mw_task *t,
				  uint32_t fd)
{
	struct mw_sock_owner *v = realloc(so->owners,
					  (so->nr_owners + 1) * sizeof(*v));
	if (!v)
		return &mw_error_nomem;
	so->owners = v;
	struct mw_sock_owner *o = &v[so->nr_owners++];
	memset(o, 0, sizeof(*o));
	o->pid = t->pid;
	o->fd = fd;
	snprintf(o->comm, sizeof(o->comm), "%s", t->comm);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The analysis state. */

struct ctx {
	struct mw_kernel *k;
	struct mw_warnings *w;
	struct sock_layout l;
	struct mw_task_layout tl;
	struct mw_skb_layout sl;
	struct mw_kmem mem;
	struct sockset set;
	struct mw_sockets *out;
	struct mw_error *fatal;	/* allocation failures */
	uint64_t ram;		/* the dump's RAM: every walk's bound */
	uint64_t max_chain;	/* sockets on one hash chain: RAM / sizeof(sock_common) */
	uint64_t max_netns;	/* RAM / sizeof(struct net) */
};

/* ------------------------------------------------------------------ */
/* Through the fd tables */

struct fd_arg {
	struct ctx *c;
	const struct mw_task *task;
};

static bool on_fd(uint32_t fd, uint64_t file, void *arg)
{
	struct fd_arg *a = arg;
	struct ctx *c = a->c;
	const struct sock_layout *l = &c->l;
	struct mw_kcur r = mw_kcur_kernel(c->k);
	uint64_t fop = mw_kcur_u64(&r, file + l->f_op);
	if (r.err) {
		char ctx[128];
		snprintf(ctx, sizeof(ctx), "sockets: pid %d (%s) fd %u: file 0x%" PRIx64,
			 a->task->pid, a->task->comm, fd, file);
		mw_warn_error(c->w, r.err, ctx);
		return false;
	}
	if (fop != l->socket_file_ops)
		return false;
	uint64_t sock = mw_kcur_u64(&r, file + l->private_data);
	uint64_t inode = mw_kcur_u64(&r, file + l->f_inode);
	uint64_t ino = 0;
	if (!r.err && mw_kptr_ok(inode, 8))
		ino = mw_kcur_u64(&r, inode + l->i_ino);
	uint64_t sk = 0;
	if (!r.err && mw_kptr_ok(sock, 8))
		sk = mw_kcur_u64(&r, sock + l->socket_sk);
	if (r.err || !mw_kptr_ok(sk, 8)) {
		char ctx[160];
		snprintf(ctx, sizeof(ctx), "sockets: pid %d (%s) fd %u: socket 0x%" PRIx64
			 " has no readable sock", a->task->pid, a->task->comm, fd, sock);
		if (r.err)
			mw_warn_error(c->w, r.err, ctx);
		else if (sk)
			mw_warn(c->w, "%s (sk 0x%" PRIx64 ")", ctx, sk);
		/* sk == NULL: a socket being set up or torn down */
		return false;
	}
	bool created;
	struct mw_error *err;
	struct mw_socket *so = sockset_get(&c->set, sk, &created, &err);
	if (!so) {
		c->fatal = err;
		return true;
	}
	so->sources |= MW_SOCK_FROM_FD;
	if (!so->inode)
		so->inode = ino;
	if ((err = add_owner(so, a->task, fd))) {
		c->fatal = err;
		return true;
	}
	return false;
}

static void find_by_fds(struct ctx *c)
{
	struct mw_tasks tasks;
	struct mw_error *err;
	if (!c->l.socket_file_ops)
		return;
	if ((err = mw_task_layout_resolve(c->k, &c->tl))) {
		mw_warn_error(c->w, err, "sockets: owners not found");
		return;
	}
	if ((err = mw_tasks_read(c->k, &c->tl, c->w, &tasks))) {
		if (err == &mw_error_nomem)
			c->fatal = err;
		else
			mw_warn_error(c->w, err, "sockets: owners not found");
		return;
	}
	for (size_t i = 0; i < tasks.nr && !c->fatal; i++) {
		if (!tasks.v[i].files)
			continue;
		c->out->counts.tasks++;
		struct fd_arg a = { .c = c, .task = &tasks.v[i] };
		mw_task_for_each_fd(c->k, &c->tl, &tasks.v[i], c->w, on_fd, &a);
	}
	mw_tasks_deinit(&tasks);
}

/* ------------------------------------------------------------------ */
/* Through the protocol tables */

static void add_from_table(struct ctx *c, uint64_t sk, const char *table)
{
	if (!mw_kptr_ok(sk, 8)) {
		mw_warn(c->w, "sockets: %s: entry 0x%" PRIx64 " is not a kernel pointer",
			table, sk);
		return;
	}
	bool created;
	struct mw_error *err;
	struct mw_socket *so = sockset_get(&c->set, sk, &created, &err);
	if (!so) {
		c->fatal = err;
		return;
	}
	so->sources |= MW_SOCK_FROM_TABLE;
}

/*
 * Walk an hlist (nulls: the end is an odd pointer; else NULL) whose nodes
 * sit node_off bytes into each socket.
 */
static void walk_hlist(struct ctx *c, uint64_t first, bool nulls,
		       uint32_t node_off, const char *table, uint64_t *count)
{
	struct mw_cycle cy;
	uint64_t node = first;
	size_t n = 0;
	mw_cycle_init(&cy, node);
	while (!c->fatal) {
		if (nulls ? (node & 1) : !node)
			return;
		if (n && mw_cycle_step(&cy, node)) {
			mw_warn(c->w, "sockets: %s: chain loops at 0x%" PRIx64, table, node);
			return;
		}
		if (!mw_kptr_ok(node, 8) || node < node_off) {
			mw_warn(c->w, "sockets: %s: node 0x%" PRIx64 " is not a kernel pointer",
				table, node);
			return;
		}
		if (++n > c->max_chain) {
			mw_warn(c->w, "sockets: %s: chain longer than %" PRIu64 " (more sockets"
				" than the dump's RAM holds); rest skipped", table, c->max_chain);
			return;
		}
		if (count)
			(*count)++;
		else
			add_from_table(c, node - node_off, table);
		struct mw_error *err = mw_kernel_read(c->k, node, &node, 8);
		if (err) {
			char ctx[96];
			snprintf(ctx, sizeof(ctx), "sockets: %s chain", table);
			mw_warn_error(c->w, err, ctx);
			return;
		}
	}
}

/* A hash table's bucket array: a page of it the dump left out reads as
 * empty buckets (see mw_kernel_read_zero_filtered), counted. */
static struct mw_error *read_table(struct ctx *c, uint64_t addr, void *buf,
				   size_t len)
{
	return mw_kernel_read_zero_filtered(c->k, addr, buf, len,
					    &c->out->counts.zero_table_pages);
}

/* An array of nr buckets of bsize bytes with a list head at head_off. */
static void walk_buckets(struct ctx *c, uint64_t base, uint64_t nr,
			 uint32_t bsize, uint32_t head_off, bool nulls,
			 uint32_t node_off, const char *table, uint64_t *count)
{
	enum { CHUNK = 4096 };
	uint8_t buf[CHUNK];
	if (!nr)
		return;
	if (!mw_kptr_ok(base, 8) || !bsize || bsize > CHUNK || head_off + 8 > bsize) {
		mw_warn(c->w, "sockets: %s: bucket array 0x%" PRIx64 " is not usable",
			table, base);
		return;
	}
	/* a hash table is a small part of RAM (alloc_large_system_hash
	 * scales it to memory): a bigger one is a corrupt size */
	uint64_t ram = c->ram;
	uint64_t max = ram / bsize / 4;
	if (nr > max) {
		mw_warn(c->w, "sockets: %s: %" PRIu64 " buckets is too many for %" PRIu64
			" bytes of RAM; only %" PRIu64 " read", table, nr, ram, max);
		nr = max;
	}
	uint64_t per = CHUNK / bsize;
	unsigned failed = 0;
	for (uint64_t i = 0; i < nr && !c->fatal; i += per) {
		uint64_t n = nr - i < per ? nr - i : per;
		struct mw_error *err = read_table(c, base + i * bsize, buf,
						  (size_t)(n * bsize));
		if (err) {
			char ctx[128];
			snprintf(ctx, sizeof(ctx), "sockets: %s buckets %" PRIu64 "-%" PRIu64,
				 table, i, i + n - 1);
			mw_warn_error(c->w, err, ctx);
			if (++failed >= 16) {
				mw_warn(c->w, "sockets: %s: 16 unreadable pieces in a row at 0x%"
					PRIx64 "; the rest of the table is not read",
					table, base + i * bsize);
				return;
			}
			continue;
		}
		failed = 0;
		for (uint64_t j = 0; j < n; j++) {
			uint64_t first;
			memcpy(&first, buf + j * bsize + head_off, 8);
			if (nulls ? (first & 1) : !first)
				continue;
			walk_hlist(c, first, nulls, node_off, table, count);
		}
	}
}

static void walk_tcp_hashinfo(struct ctx *c, uint64_t hi)
{
	const struct sock_layout *l = &c->l;
	struct mw_kcur r = mw_kcur_kernel(c->k);
	uint64_t ehash = mw_kcur_u64(&r, hi + l->hi_ehash);
	uint32_t emask = mw_kcur_u32(&r, hi + l->hi_ehash_mask);
	uint64_t lhash2 = mw_kcur_u64(&r, hi + l->hi_lhash2);
	uint32_t lmask = mw_kcur_u32(&r, hi + l->hi_lhash2_mask);
	if (r.err) {
		mw_warn_error(c->w, r.err, "sockets: TCP hash tables");
		return;
	}
	if (ehash)
		walk_buckets(c, ehash, (uint64_t)emask + 1, l->ehb_size, l->ehb_chain,
			     true, l->nulls_node, "TCP established hash", NULL);
	if (l->nr_listening)
		walk_buckets(c, hi + l->hi_listening, l->nr_listening, l->lhb_size,
			     l->lhb_head, true, l->nulls_node, "TCP listening hash", NULL);
	else if (lhash2)
		walk_buckets(c, lhash2, (uint64_t)lmask + 1, l->lhb_size, l->lhb_head,
			     true, l->nulls_node, "TCP listening hash", NULL);
}

static void walk_udp_table(struct ctx *c, uint64_t ut, const char *name)
{
	const struct sock_layout *l = &c->l;
	struct mw_kcur r = mw_kcur_kernel(c->k);
	uint64_t hash = mw_kcur_u64(&r, ut + l->ut_hash);
	uint32_t mask = mw_kcur_u32(&r, ut + l->ut_mask);
	if (r.err) {
		char ctx[64];
		snprintf(ctx, sizeof(ctx), "sockets: %s", name);
		mw_warn_error(c->w, r.err, ctx);
		return;
	}
	if (hash)
		walk_buckets(c, hash, (uint64_t)mask + 1, l->hslot_size, l->hslot_head,
			     false, l->node, name, NULL);
}

/* netlink: count the sockets of nl_table's rhashtables */
static void count_netlink(struct ctx *c)
{
	const struct sock_layout *l = &c->l;
	uint64_t nl_table;
	struct mw_error *err;
	if (!l->has_netlink)
		return;
	if ((err = mw_kernel_read_symbol(c->k, "nl_table", &nl_table, 8))) {
		mw_warn_error(c->w, err, "sockets: netlink sockets not counted");
		return;
	}
	if (!mw_kptr_ok(nl_table, 8))
		return;
	for (unsigned proto = 0; proto < NETLINK_MAX_LINKS && !c->fatal; proto++) {
		struct mw_kcur r = mw_kcur_kernel(c->k);
		uint64_t tbl = mw_kcur_u64(&r, nl_table + (uint64_t)proto * l->nlt_size + l->nlt_tbl);
		if (r.err) {
			mw_warn_error(c->w, r.err, "sockets: nl_table");
			return;
		}
		if (!tbl)
			continue;
		if (!mw_kptr_ok(tbl, 8)) {
			mw_warn(c->w, "sockets: nl_table[%u]: bucket table 0x%" PRIx64
				" is not a kernel pointer", proto, tbl);
			continue;
		}
		uint32_t size = mw_kcur_u32(&r, tbl + l->bt_size);
		uint32_t nest = mw_kcur_u32(&r, tbl + l->bt_nest);
		if (r.err) {
			mw_warn_error(c->w, r.err, "sockets: nl_table bucket table");
			continue;
		}
		if (nest) {
			mw_warn(c->w, "sockets: nl_table[%u]: nested bucket table not walked",
				proto);
			continue;
		}
		/* bucket values: bit 0 is the bucket lock; 0 is empty */
		enum { CHUNK = 512 };
		uint64_t b[CHUNK];
		if (size > c->ram / 8 / 4) {
			mw_warn(c->w, "sockets: nl_table[%u]: %" PRIu32 " buckets is too many for %"
				PRIu64 " bytes of RAM; only %" PRIu64 " read", proto, size, c->ram,
				c->ram / 8 / 4);
			size = (uint32_t)(c->ram / 8 / 4);
		}
		for (uint32_t i = 0; i < size; i += CHUNK) {
			uint32_t n = size - i < CHUNK ? size - i : CHUNK;
			if ((err = read_table(c, tbl + l->bt_buckets + (uint64_t)i * 8,
					      b, (size_t)n * 8))) {
				mw_warn_error(c->w, err, "sockets: nl_table buckets");
				break;
			}
			for (uint32_t j = 0; j < n; j++) {
				uint64_t first = b[j] & ~1ULL;
				if (!first)
					continue;
				walk_hlist(c, first, true, l->nlk_node + l->rh_next,
					   "netlink table", &c->out->counts.netlink_table);
			}
		}
	}
}

/* Every table address once. */
static bool add_addr(uint64_t *v, size_t *nr, uint64_t a)
{
	if (!a)
		return false;
	for (size_t i = 0; i < *nr; i++)
		if (v[i] == a)
			return false;
	if (*nr >= MAX_TABLES)
		return false;
	v[(*nr)++] = a;
	return true;
}

static void find_by_tables(struct ctx *c)
{
	const struct sock_layout *l = &c->l;
	uint64_t tcp[MAX_TABLES], udp[MAX_TABLES];
	size_t ntcp = 0, nudp = 0;
	uint64_t a;
	struct mw_error *err;

	if (l->has_tcp_tables) {
		if ((err = mw_kernel_symbol(c->k, "tcp_hashinfo", &a)))
			mw_warn_error(c->w, err, "sockets: TCP sockets no fd holds are not listed");
		else
			add_addr(tcp, &ntcp, a);
	}
	if (l->has_udp_tables) {
		if (!(err = mw_kernel_symbol(c->k, "udp_table", &a)))
			add_addr(udp, &nudp, a);
		else
			mw_warn_error(c->w, err, "sockets: UDP sockets no fd holds are not listed");
		if (!(err = mw_kernel_symbol(c->k, "udplite_table", &a)))
			add_addr(udp, &nudp, a);
		else
			mw_error_destroy(err);	/* UDP-Lite is optional */
	}

	/* each network namespace: its unix and packet sockets, and its own
	 * TCP/UDP tables if it has them */
	uint64_t head = 0;
	err = NULL;
	if (!l->has_net)
		mw_warn(c->w, "sockets: no net.list in the types; network namespaces not walked");
	else if ((err = mw_kernel_symbol(c->k, "net_namespace_list", &head)))
		mw_warn_error(c->w, err, "sockets: network namespaces not walked");
	else {
		struct mw_cycle cy;
		uint64_t next;
		mw_cycle_init(&cy, head);
		if ((err = mw_kernel_read(c->k, head, &next, 8))) {
			mw_warn_error(c->w, err, "sockets: net_namespace_list");
			next = head;
		}
		while (next != head && !c->fatal) {
			if (mw_cycle_step(&cy, next) || !mw_kptr_ok(next, 8) ||
			    c->out->counts.netns >= c->max_netns) {
				mw_warn(c->w, "sockets: network namespace list broken at 0x%" PRIx64,
					next);
				break;
			}
			uint64_t net = next - l->net_list;
			struct mw_kcur r = mw_kcur_kernel(c->k);
			c->out->counts.netns++;
			if (l->has_net_hashinfo && l->has_tcp_tables)
				add_addr(tcp, &ntcp, mw_kcur_u64(&r, net + l->net_hashinfo));
			if (l->has_net_udp && l->has_udp_tables)
				add_addr(udp, &nudp, mw_kcur_u64(&r, net + l->net_udp_table));
			if (r.err) {
				mw_warn_error(c->w, r.err, "sockets: network namespace tables");
				r.err = NULL;
			}
			if (l->has_net_unix) {
				uint64_t buckets = mw_kcur_u64(&r, net + l->net_unix_buckets);
				if (!r.err && buckets)
					walk_buckets(c, buckets, UNIX_HASH_SIZE, 8, 0, false,
						     l->node, "unix table", NULL);
			}
			if (l->has_net_packet) {
				uint64_t first = mw_kcur_u64(&r, net + l->net_packet_sklist);
				if (!r.err && first) {
					uint64_t before = c->set.nr;
					walk_hlist(c, first, false, l->node, "packet list", NULL);
					(void)before;
				}
			}
			if (r.err) {
				mw_warn_error(c->w, r.err, "sockets: network namespace lists");
				r.err = NULL;
			}
			if ((err = mw_kernel_read(c->k, next, &next, 8))) {
				mw_warn_error(c->w, err, "sockets: net_namespace_list");
				break;
			}
		}
	}
	for (size_t i = 0; i < ntcp && !c->fatal; i++) {
		if (!mw_kptr_ok(tcp[i], 8)) {
			mw_warn(c->w, "sockets: TCP hashinfo 0x%" PRIx64 " is not a kernel pointer",
				tcp[i]);
			continue;
		}
		walk_tcp_hashinfo(c, tcp[i]);
	}
	for (size_t i = 0; i < nudp && !c->fatal; i++) {
		if (!mw_kptr_ok(udp[i], 8)) {
			mw_warn(c->w, "sockets: UDP table 0x%" PRIx64 " is not a kernel pointer",
				udp[i]);
			continue;
		}
		walk_udp_table(c, udp[i], "UDP table");
	}
	count_netlink(c);
}

/* ------------------------------------------------------------------ */
/* Describe and measure one socket */

static void format_inet(char *buf, size_t len, const uint8_t addr[4], uint16_t port)
{
	snprintf(buf, len, "%u.%u.%u.%u:%u", addr[0], addr[1], addr[2], addr[3], port);
}

static void format_inet6(char *buf, size_t len, const uint8_t addr[16], uint16_t port)
{
	char a[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "[%s]:%u", a, port);
}

static void describe_addresses(struct ctx *c, struct mw_socket *so, struct mw_kcur *r)
{
	const struct sock_layout *l = &c->l;
	uint64_t sk = so->sk;
	uint16_t num = mw_kcur_u16(r, sk + l->num);
	uint8_t dp[2];
	mw_kcur_bytes(r, sk + l->dport, dp, 2);
	uint16_t dport = (uint16_t)(dp[0] << 8 | dp[1]);
	if (so->family == MW_AF_INET) {
		uint8_t s[4], d[4];
		mw_kcur_bytes(r, sk + l->rcv_saddr, s, 4);
		mw_kcur_bytes(r, sk + l->daddr, d, 4);
		format_inet(so->local, sizeof(so->local), s, num);
		format_inet(so->remote, sizeof(so->remote), d, dport);
	} else if (so->family == MW_AF_INET6 && l->has_v6) {
		uint8_t s[16], d[16];
		mw_kcur_bytes(r, sk + l->v6_rcv_saddr, s, 16);
		mw_kcur_bytes(r, sk + l->v6_daddr, d, 16);
		format_inet6(so->local, sizeof(so->local), s, num);
		format_inet6(so->remote, sizeof(so->remote), d, dport);
	}
}

/* A unix socket's bound address, "" if none; "@name" if abstract. */
static void unix_address(struct ctx *c, uint64_t usk, char *buf, size_t len)
{
	const struct sock_layout *l = &c->l;
	struct mw_kcur r = mw_kcur_kernel(c->k);
	buf[0] = '\0';
	uint64_t addr = mw_kcur_u64(&r, usk + l->unix_addr);
	if (r.err || !addr || !mw_kptr_ok(addr, 4)) {
		mw_error_destroy(r.err);
		return;
	}
	int32_t alen = (int32_t)mw_kcur_u32(&r, addr + l->uaddr_len);
	/* sockaddr_un: sa_family_t (2 bytes), then the path */
	uint8_t name[110];
	if (alen <= 2 || alen > (int32_t)sizeof(name)) {
		mw_error_destroy(r.err);
		return;
	}
	mw_kcur_bytes(&r, addr + l->uaddr_name, name, (size_t)alen);
	if (r.err) {
		mw_error_destroy(r.err);
		return;
	}
	size_t n = (size_t)alen - 2;
	const uint8_t *p = name + 2;
	size_t o = 0;
	if (p[0] == 0) {
		if (o + 1 < len)
			buf[o++] = '@';
		p++;
		n--;
	}
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (p[i] == 0 && buf[0] != '@')
			break;
		buf[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	}
	buf[o] = '\0';
}

static uint64_t sock_inode(struct ctx *c, uint64_t sk, struct mw_kcur *r)
{
	const struct sock_layout *l = &c->l;
	uint64_t socket = mw_kcur_u64(r, sk + l->sk_socket);
	if (r->err || !socket || !mw_kptr_ok(socket, 8))
		return 0;
	return mw_kcur_u64(r, socket + l->socket_inode + l->i_ino);
}

static bool is_tcp(const struct mw_socket *so)
{
	return (so->family == MW_AF_INET || so->family == MW_AF_INET6) &&
		so->type == SOCK_STREAM_ && so->protocol == IPPROTO_TCP_;
}

static bool is_udp(const struct mw_socket *so)
{
	return (so->family == MW_AF_INET || so->family == MW_AF_INET6) &&
		so->type == SOCK_DGRAM_ &&
		(so->protocol == IPPROTO_UDP_ || so->protocol == IPPROTO_UDPLITE_);
}

static struct mw_error *walk_queues(struct ctx *c, struct mw_skb_walker *sw,
				    struct mw_socket *so, struct mw_kcur *r)
{
	const struct sock_layout *l = &c->l;
	uint64_t sk = so->sk;
	char what[96];
	struct mw_error *err;

	snprintf(what, sizeof(what), "sock 0x%" PRIx64 " receive queue", sk);
	if ((err = mw_skb_walk_list(sw, sk + l->receive_queue, what, &so->recv)))
		return err;
	uint64_t bl = mw_kcur_u64(r, sk + l->backlog_head);
	if (!r->err && bl) {
		snprintf(what, sizeof(what), "sock 0x%" PRIx64 " backlog", sk);
		if ((err = mw_skb_walk_chain(sw, bl, what, &so->recv)))
			return err;
	}
	if (is_tcp(so)) {
		snprintf(what, sizeof(what), "sock 0x%" PRIx64 " out-of-order queue", sk);
		if ((err = mw_skb_walk_rbtree(sw, sk + l->ofo, what, &so->recv)))
			return err;
		if (l->has_rtx) {
			snprintf(what, sizeof(what), "sock 0x%" PRIx64 " retransmit queue", sk);
			if ((err = mw_skb_walk_rbtree(sw, sk + l->rtx_queue, what, &so->send)))
				return err;
		}
	}
	if (is_udp(so) && l->has_reader_queue) {
		snprintf(what, sizeof(what), "sock 0x%" PRIx64 " reader queue", sk);
		if ((err = mw_skb_walk_list(sw, sk + l->reader_queue, what, &so->recv)))
			return err;
	}
	snprintf(what, sizeof(what), "sock 0x%" PRIx64 " write queue", sk);
	if ((err = mw_skb_walk_list(sw, sk + l->write_queue, what, &so->send)))
		return err;
	return NULL;
}

static struct mw_error *measure(struct ctx *c, struct mw_skb_walker *sw,
				struct mw_socket *so, uint32_t id)
{
	const struct sock_layout *l = &c->l;
	struct mw_kcur r = mw_kcur_kernel(c->k);
	uint64_t sk = so->sk;
	struct mw_error *err;

	so->family = mw_kcur_u16(&r, sk + l->family);
	so->state = mw_kcur_u8(&r, sk + l->state);
	if (r.err) {
		char ctx[96];
		snprintf(ctx, sizeof(ctx), "sockets: sock 0x%" PRIx64 " unreadable", sk);
		mw_warn_error(c->w, r.err, ctx);
		so->mini = true;
		return NULL;
	}
	if (sock_is_mini(so->family, so->state)) {
		/* inet_timewait_sock / request_sock: only sock_common */
		so->mini = true;
		so->type = SOCK_STREAM_;
		so->protocol = IPPROTO_TCP_;
		describe_addresses(c, so, &r);
		if (r.err)
			mw_warn_error(c->w, r.err, "sockets: time-wait socket");
		return NULL;
	}
	so->type = (uint16_t)mw_kcur_uint(&r, sk + l->type, l->type_size);
	so->protocol = (uint16_t)mw_kcur_uint(&r, sk + l->protocol, l->protocol_size);
	uint64_t ino = sock_inode(c, sk, &r);
	if (!so->inode)
		so->inode = ino;
	describe_addresses(c, so, &r);
	int32_t rmem = (int32_t)mw_kcur_u32(&r, sk + l->rmem_alloc);
	uint32_t wmem = mw_kcur_u32(&r, sk + l->wmem_alloc);
	so->ack_backlog = mw_kcur_u32(&r, sk + l->ack_backlog);
	if (l->has_sk_memcg)
		so->memcg = mw_kcur_u64(&r, sk + l->sk_memcg);
	if (r.err) {
		char ctx[96];
		snprintf(ctx, sizeof(ctx), "sockets: sock 0x%" PRIx64, sk);
		mw_warn_error(c->w, r.err, ctx);
		r.err = NULL;
	}
	if (so->family == MW_AF_UNIX && l->has_unix) {
		unix_address(c, sk, so->local, sizeof(so->local));
		uint64_t peer = mw_kcur_u64(&r, sk + l->unix_peer);
		if (!r.err && peer && mw_kptr_ok(peer, 8)) {
			so->peer_inode = sock_inode(c, peer, &r);
			unix_address(c, peer, so->remote, sizeof(so->remote));
		}
		mw_error_destroy(r.err);
		r.err = NULL;
	}

	if ((err = walk_queues(c, sw, so, &r)))
		return err;
	if (r.err) {
		char ctx[96];
		snprintf(ctx, sizeof(ctx), "sockets: sock 0x%" PRIx64 " queues", sk);
		mw_warn_error(c->w, r.err, ctx);
		r.err = NULL;
	}
	if ((err = mw_skb_owner_end(sw, id, &so->frag_pages, so->pages_by_order)))
		return err;

	/* the queue sizes as /proc/net/{tcp,udp} and ss show them */
	if (is_tcp(so)) {
		/* /proc/net/tcp: rx_queue is the accept backlog of a
		 * listener, else rcv_nxt - copied_seq (at least 0); tx_queue
		 * is write_seq - snd_una for every state */
		if (so->state == TCP_LISTEN) {
			so->recv_queue_bytes = so->ack_backlog;
		} else {
			int32_t rx = (int32_t)(mw_kcur_u32(&r, sk + l->rcv_nxt) -
					       mw_kcur_u32(&r, sk + l->copied_seq));
			so->recv_queue_bytes = rx > 0 ? (uint64_t)rx : 0;
		}
		so->send_queue_bytes = (uint32_t)(mw_kcur_u32(&r, sk + l->write_seq) -
						  mw_kcur_u32(&r, sk + l->snd_una));
	} else if (is_udp(so)) {
		int32_t rx = rmem;
		if (l->has_forward_deficit)
			rx -= (int32_t)mw_kcur_u32(&r, sk + l->forward_deficit);
		so->recv_queue_bytes = rx > 0 ? (uint64_t)rx : 0;
		so->send_queue_bytes = wmem > 0 ? wmem - 1 : 0;
	} else {
		so->recv_queue_bytes = so->recv.bytes;
		so->send_queue_bytes = wmem > 0 ? wmem - 1 : 0;
	}
	if (r.err) {
		char ctx[96];
		snprintf(ctx, sizeof(ctx), "sockets: sock 0x%" PRIx64 " queue sizes", sk);
		mw_warn_error(c->w, r.err, ctx);
	}
	/* queued bytes are in RAM: a counter beyond it is corrupt */
	if (c->ram && (so->recv_queue_bytes > c->ram || so->send_queue_bytes > c->ram)) {
		mw_warn(c->w, "sockets: sock 0x%" PRIx64 ": queue sizes %" PRIu64 " (receive) and %"
			PRIu64 " (send) bytes, beyond the dump's %" PRIu64 " bytes of RAM; shown as 0",
			sk, so->recv_queue_bytes, so->send_queue_bytes, c->ram);
		so->recv_queue_bytes = so->send_queue_bytes = 0;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */

static int owner_cmp(const void *a, const void *b)
{
	const struct mw_sock_owner *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

static int socket_rank_cmp(const void *a, const void *b)
{
	const struct mw_socket *x = a, *y = b;
	if (x->pinned_bytes != y->pinned_bytes)
		return x->pinned_bytes > y->pinned_bytes ? -1 : 1;
	if (x->recv.bytes != y->recv.bytes)
		return x->recv.bytes > y->recv.bytes ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->sk < y->sk ? -1 : x->sk > y->sk;
}

static int rank_cmp(const void *a, const void *b, void *arg)
{
	const struct mw_socket *base = arg;
	return socket_rank_cmp(&base[*(const size_t *)a], &base[*(const size_t *)b]);
}

static void count(struct mw_sockets *s, const struct mw_socket *so)
{
	struct mw_sockets_counts *n = &s->counts;
	switch (so->family) {
	case MW_AF_UNIX: n->unix_++; break;
	case MW_AF_INET: n->inet++; break;
	case MW_AF_INET6: n->inet6++; break;
	case MW_AF_NETLINK: n->netlink++; break;
	case MW_AF_PACKET: n->packet++; break;
	default: n->other++; break;
	}
	if (is_tcp(so)) {
		n->tcp++;
		if (so->state == TCP_TIME_WAIT)
			n->time_wait++;
		else if (so->state == TCP_NEW_SYN_RECV)
			n->request++;
	} else if (is_udp(so)) {
		n->udp++;
	}
	if (!so->mini && !so->nr_owners)
		n->no_owner++;
	if (so->family == MW_AF_PACKET && (so->sources & MW_SOCK_FROM_TABLE))
		n->packet_table++;
}

static struct mw_error *kmem_init(struct ctx *c)
{
	struct mw_kernel *k = c->k;
	uint64_t max_pfn = 0, page_size;
	struct mw_error *err;
	if ((err = mw_types_sizeof(k->types, "page", &page_size)))
		return mw_error_prepend(err, "sockets");
	if ((err = mw_kernel_read_symbol(k, "max_pfn", &max_pfn, 8)) || !max_pfn ||
	    max_pfn > (1ULL << 40)) {
		const struct mw_dump_info *info = mw_reader_info(k->reader);
		uint64_t end = info->nr_ranges ? info->ranges[info->nr_ranges - 1].end : 0;
		if (err)
			mw_warn_error(c->w, err, "sockets: max_pfn (using the dump's last RAM address)");
		else
			mw_warn(c->w, "sockets: max_pfn %" PRIu64 " is absurd (using the dump's last RAM address)",
				max_pfn);
		max_pfn = end >> k->vm.page_shift;
	}
	c->mem.read = mw_vm_read_cb;
	c->mem.arg = &k->vm;
	c->mem.page_offset_base = k->page_offset_base;
	c->mem.vmemmap_base = k->vmemmap_base;
	c->mem.max_pfn = max_pfn;
	c->mem.page_struct_size = (uint32_t)page_size;
	c->mem.page_shift = k->vm.page_shift;
	c->ram = mw_reader_info(k->reader)->total_bytes;
	c->max_chain = mw_walk_cap(c->ram, c->l.skc_size);
	c->max_netns = mw_walk_cap(c->ram, c->l.net_size);
	c->set.max = c->max_chain;
	return NULL;
}

/* Keep only the full sockets whose sk_memcg the filter accepts. */
static struct mw_error *apply_filter(struct ctx *c, const struct mw_sockets_filter *f)
{
	const struct sock_layout *l = &c->l;
	if (!l->has_sk_memcg)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "sockets: no sock.sk_memcg in the types (kernel without CONFIG_MEMCG): "
				       "cannot tell a socket's memory cgroup");
	size_t kept = 0;
	for (size_t i = 0; i < c->set.nr; i++) {
		struct mw_socket *so = &c->set.v[i];
		struct mw_kcur r = mw_kcur_kernel(c->k);
		bool keep = false;
		uint16_t family = mw_kcur_u16(&r, so->sk + l->family);
		uint8_t state = mw_kcur_u8(&r, so->sk + l->state);
		if (!r.err && !sock_is_mini(family, state)) {
			uint64_t memcg = mw_kcur_u64(&r, so->sk + l->sk_memcg);
			keep = !r.err && f->keep(f->arg, memcg);
		}
		mw_error_destroy(r.err);
		if (keep)
			c->set.v[kept++] = *so;
		else
			free(so->owners);
	}
	c->set.nr = kept;
	return NULL;
}

struct mw_error *mw_sockets_analyze(struct mw_kernel *k, struct mw_warnings *w,
				    struct mw_sockets *ret)
{
	return mw_sockets_analyze_filtered(k, w, NULL, ret);
}

struct mw_error *mw_sockets_analyze_filtered(struct mw_kernel *k, struct mw_warnings *w,
					     const struct mw_sockets_filter *filter,
					     struct mw_sockets *ret)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct mw_error *err;
	struct mw_skb_walker sw;
	bool walker = false;

	memset(ret, 0, sizeof(*ret));
	if (!c)
		return &mw_error_nomem;
	c->k = k;
	c->w = w;
	c->out = ret;
	ret->page_size = k->vm.page_size;
	if ((err = sock_layout_resolve(k, w, &c->l)) ||
	    (err = mw_skb_layout_resolve(k->types, &c->sl)) ||
	    (err = kmem_init(c)))
		goto out;
	if ((err = mw_skb_walker_init(&sw, &c->mem, &c->sl, w)))
		goto out;
	walker = true;

	find_by_fds(c);
	if (!c->fatal)
		find_by_tables(c);
	if (c->fatal) {
		err = c->fatal;
		goto out;
	}
	sockset_free_index(&c->set);
	if (filter && (err = apply_filter(c, filter)))
		goto out;

	for (size_t i = 0; i < c->set.nr; i++) {
		struct mw_socket *so = &c->set.v[i];
		if ((err = measure(c, &sw, so, (uint32_t)i)))
			goto out;
		if (so->nr_owners > 1)
			qsort(so->owners, so->nr_owners, sizeof(*so->owners), owner_cmp);
	}

	/* each compound page counts once: its bytes are shared out between
	 * the sockets referring to it, in proportion to their references */
	if ((err = mw_skb_pages(&sw, &ret->pages, &ret->nr_pages)) ||
	    (err = mw_skb_page_refs(&sw, &ret->page_refs, &ret->nr_page_refs)))
		goto out;
	for (size_t i = 0; i < ret->nr_pages; i++) {
		const struct mw_skb_page *p = &ret->pages[i];
		ret->page_bytes += ret->page_size << p->order;
		if (p->kinds & (MW_SKB_PAGE_FRAG | MW_SKB_PAGE_FRAG_HEAD))
			ret->skb_frags_bytes += ret->page_size << p->order;
		if (p->order < MW_SKB_ORDERS)
			ret->pages_by_order[p->order]++;
	}
	for (size_t i = 0, j; i < ret->nr_page_refs; i = j) {
		const struct mw_skb_page_ref *r = ret->page_refs;
		uint64_t total = 0, given = 0, bytes = ret->page_size << r[i].order;
		size_t best = i;
		for (j = i; j < ret->nr_page_refs && r[j].pfn == r[i].pfn; j++) {
			total += r[j].refs;
			if (r[j].refs > r[best].refs)
				best = j;
		}
		for (size_t m = i; m < j; m++) {
			if (r[m].owner >= c->set.nr)
				continue;
			uint64_t share = total ? bytes * r[m].refs / total : 0;
			c->set.v[r[m].owner].page_bytes += share;
			given += share;
			if (j - i > 1)
				c->set.v[r[m].owner].shared_pages++;
		}
		if (r[best].owner < c->set.nr)
			c->set.v[r[best].owner].page_bytes += bytes - given;
	}
	for (size_t i = 0; i < c->set.nr; i++) {
		struct mw_socket *so = &c->set.v[i];
		so->pinned_bytes = so->recv.skb_bytes + so->recv.head_bytes +
			so->send.skb_bytes + so->send.head_bytes + so->page_bytes;
		ret->pinned_bytes += so->pinned_bytes;
		mw_skb_stats_add(&ret->recv, &so->recv);
		mw_skb_stats_add(&ret->send, &so->send);
		count(ret, so);
	}
	ret->net_iov_frags = sw.net_iov_frags;
	/* rank, and renumber pages[].owner to the ranks */
	if (c->set.nr) {
		size_t n = c->set.nr;
		size_t *idx = malloc(n * sizeof(*idx));
		size_t *inv = malloc(n * sizeof(*inv));
		struct mw_socket *v = malloc(n * sizeof(*v));
		if (!idx || !inv || !v) {
			free(idx);
			free(inv);
			free(v);
			err = &mw_error_nomem;
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		qsort_r(idx, n, sizeof(*idx), rank_cmp, c->set.v);
		for (size_t r = 0; r < n; r++) {
			v[r] = c->set.v[idx[r]];
			inv[idx[r]] = r;
		}
		for (size_t i = 0; i < ret->nr_pages; i++)
			if (ret->pages[i].owner < n)
				ret->pages[i].owner = (uint32_t)inv[ret->pages[i].owner];
		for (size_t i = 0; i < ret->nr_page_refs; i++)
			if (ret->page_refs[i].owner < n)
				ret->page_refs[i].owner = (uint32_t)inv[ret->page_refs[i].owner];
		free(c->set.v);
		c->set.v = v;
		free(idx);
		free(inv);
	}
	ret->v = c->set.v;
	ret->nr = c->set.nr;
	c->set.v = NULL;
	c->set.nr = 0;
out:
	if (walker)
		mw_skb_walker_deinit(&sw);
	sockset_free_index(&c->set);
	if (c->set.v) {
		for (size_t i = 0; i < c->set.nr; i++)
			free(c->set.v[i].owners);
		free(c->set.v);
	}
	free(c);
	if (err)
		mw_sockets_deinit(ret);
	return err;
}

void mw_sockets_deinit(struct mw_sockets *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->v[i].owners);
	free(s->v);
	free(s->pages);
	free(s->page_refs);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------------ */
/* Names */

const char *mw_sock_family_name(uint16_t family, char *buf, size_t len)
{
	switch (family) {
	case MW_AF_UNIX: return "unix";
	case MW_AF_INET: return "inet";
	case MW_AF_INET6: return "inet6";
	case MW_AF_NETLINK: return "netlink";
	case MW_AF_PACKET: return "packet";
	default:
		snprintf(buf, len, "af%u", family);
		return buf;
	}
}

const char *mw_sock_type_name(uint16_t type, char *buf, size_t len)
{
	switch (type) {
	case 1: return "stream";
	case 2: return "dgram";
	case 3: return "raw";
	case 4: return "rdm";
	case 5: return "seqpacket";
	case 6: return "dccp";
	case 10: return "packet";
	default:
		snprintf(buf, len, "type%u", type);
		return buf;
	}
}

const char *mw_sock_protocol_name(const struct mw_socket *s)
{
	if (s->family != MW_AF_INET && s->family != MW_AF_INET6)
		return "";
	switch (s->protocol) {
	case IPPROTO_TCP_: return "tcp";
	case IPPROTO_UDP_: return "udp";
	case IPPROTO_UDPLITE_: return "udplite";
	case 1: return "icmp";
	case 58: return "icmpv6";
	case 255: return "raw";
	default: return s->type == SOCK_RAW_ ? "raw" : "";
	}
}

const char *mw_sock_state_name(const struct mw_socket *s, char *buf, size_t len)
{
	static const char *const tcp[] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV",
		[4] = "FIN_WAIT1", [5] = "FIN_WAIT2", [6] = "TIME_WAIT",
		[7] = "CLOSE", [8] = "CLOSE_WAIT", [9] = "LAST_ACK",
		[10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};
	if (s->state == TCP_CLOSE && s->type != SOCK_STREAM_)
		return "UNCONN";
	if (s->state == TCP_CLOSE && s->family == MW_AF_UNIX)
		return "UNCONN";
	if (s->state < sizeof(tcp) / sizeof(tcp[0]) && tcp[s->state])
		return tcp[s->state];
	snprintf(buf, len, "state%u", s->state);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Holders */

static bool has_unread(const struct mw_socket *so)
{
	if (so->mini)
		return false;
	if (so->recv.bytes)
		return true;
	return so->state != TCP_LISTEN && so->recv_queue_bytes;
}

static int holder_cmp(const void *a, const void *b)
{
	const struct mw_sockets_holder *x = a, *y = b;
	if (x->pinned_bytes != y->pinned_bytes)
		return x->pinned_bytes > y->pinned_bytes ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct mw_error *mw_sockets_holders(const struct mw_sockets *s,
				    uint64_t min_pinned,
				    struct mw_sockets_holder **ret, size_t *nr)
{
	struct mw_sockets_holder *v = NULL;
	size_t n = 0;
	size_t *of = malloc((s->nr ? s->nr : 1) * sizeof(*of));	/* socket -> holder */
	if (!of)
		return &mw_error_nomem;
	for (size_t i = 0; i < s->nr; i++) {
		const struct mw_socket *so = &s->v[i];
		of[i] = SIZE_MAX;
		if (!has_unread(so))
			continue;
		int32_t pid = so->nr_owners ? so->owners[0].pid : -1;
		size_t j;
		for (j = 0; j < n; j++)
			if (v[j].pid == pid)
				break;
		if (j == n) {
			struct mw_sockets_holder *nv = realloc(v, (n + 1) * sizeof(*nv));
			if (!nv) {
				free(v);
				free(of);
				return &mw_error_nomem;
			}
			v = nv;
			memset(&v[n], 0, sizeof(v[n]));
			v[n].pid = pid;
			v[n].first = i;
			if (so->nr_owners)
				memcpy(v[n].comm, so->owners[0].comm, sizeof(v[n].comm));
			v[n].family = so->family;
			v[n].type = so->type;
			v[n].protocol = so->protocol;
			n++;
		}
		of[i] = j;
		struct mw_sockets_holder *h = &v[j];
		h->nr_sockets++;
		if (h->family != so->family || h->type != so->type ||
		    h->protocol != so->protocol)
			h->mixed = true;
		for (size_t o = 0; o < so->nr_owners; o++) {
			if (so->owners[o].pid != pid ||
			    h->nr_fds >= sizeof(h->fds) / sizeof(h->fds[0]))
				continue;
			size_t p = h->nr_fds++;
			while (p && h->fds[p - 1] > so->owners[o].fd) {
				h->fds[p] = h->fds[p - 1];
				p--;
			}
			h->fds[p] = so->owners[o].fd;
		}
		h->recv_queue_bytes += so->recv_queue_bytes;
		h->payload_bytes += so->recv.bytes;
		h->pinned_bytes += so->pinned_bytes;
		h->object_bytes += so->recv.skb_bytes + so->recv.head_bytes +
			so->send.skb_bytes + so->send.head_bytes;
		h->page_bytes += so->page_bytes;
		h->truesize += so->recv.truesize + so->send.truesize;
		h->skbs += so->recv.skbs + so->send.skbs;
		h->frags += so->recv.frags + so->send.frags;
	}
	/* the distinct compound pages the holder's sockets refer to */
	for (size_t i = 0, j; i < s->nr_page_refs; i = j) {
		const struct mw_skb_page_ref *r = s->page_refs;
		size_t first_h = SIZE_MAX;
		bool other = false;
		for (j = i; j < s->nr_page_refs && r[j].pfn == r[i].pfn; j++) {
			size_t h = r[j].owner < s->nr ? of[r[j].owner] : SIZE_MAX;
			if (h == SIZE_MAX) {
				other = true;
				continue;
			}
			if (first_h != SIZE_MAX && first_h != h)
				other = true;
			if (first_h == SIZE_MAX)
				first_h = h;
		}
		/* count the page once for each holder among its owners */
		for (size_t m = i; m < j; m++) {
			size_t h = r[m].owner < s->nr ? of[r[m].owner] : SIZE_MAX;
			if (h == SIZE_MAX)
				continue;
			bool seen = false;
			for (size_t q = i; q < m; q++)
				if (r[q].owner < s->nr && of[r[q].owner] == h)
					seen = true;
			if (seen)
				continue;
			v[h].frag_pages++;
			if (r[m].order < MW_SKB_ORDERS)
				v[h].pages_by_order[r[m].order]++;
			if (other)
				v[h].shared_pages++;
		}
	}
	free(of);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].pinned_bytes >= min_pinned)
			v[k++] = v[i];
	if (k)
		qsort(v, k, sizeof(*v), holder_cmp);
	*ret = v;
	*nr = k;
	return NULL;
}
