/* memwhere: rendering of `sockets`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/findings.h"
#include "cli/render-util.h"
#include "common/json.h"

enum { TEXT_FINDINGS = 5 };

/* snprintf for text that may be cut at the buffer's end (on purpose). */
__attribute__((format(printf, 3, 4)))
static size_t put(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len ? len - 1 : 0;
}


/* "tcp", "udp", "unix/stream", "netlink/dgram" ... */
static void kind(const struct mw_socket *so, char *buf, size_t len)
{
	char f[16], t[16];
	const char *p = mw_sock_protocol_name(so);
	if (*p) {
		snprintf(buf, len, "%s%s", p, so->family == MW_AF_INET6 ? "6" : "");
		return;
	}
	snprintf(buf, len, "%s/%s", mw_sock_family_name(so->family, f, sizeof(f)),
		 mw_sock_type_name(so->type, t, sizeof(t)));
}

/* ---- text ---- */

static void owners_text(const struct mw_socket *so, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	if (!so->nr_owners) {
		put(buf, len, "-");
		return;
	}
	for (size_t i = 0; i < so->nr_owners && o + 1 < len; i++) {
		const struct mw_sock_owner *w = &so->owners[i];
		if (i == 3) {
			put(buf + o, len - o, " +%zu", so->nr_owners - 3);
			return;
		}
		o += put(buf + o, len - o, "%s%s/%d:%u", i ? "," : "",
				      w->comm, w->pid, w->fd);
	}
}

static void render_text(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_sockets *s = &an->socks;
	const char *memcg_filter = an->memcg_path;
	FILE *o = ctx->out;
	const struct mw_sockets_counts *n = &s->counts;
	char a[32], b[32], c[32], d[32];

	if (memcg_filter)
		fprintf(o, "Memory cgroup %s and below (sockets whose sk_memcg is there)\n",
			memcg_filter);
	fprintf(o, "Sockets: %zu listed (%" PRIu64 " TCP, %" PRIu64 " UDP, %" PRIu64
		" unix, %" PRIu64 " netlink, %" PRIu64 " packet, %" PRIu64 " other",
		s->nr, n->tcp, n->udp, n->unix_, n->netlink, n->packet,
		n->other + (n->inet + n->inet6 - n->tcp - n->udp));
	if (n->time_wait || n->request)
		fprintf(o, "; %" PRIu64 " time-wait, %" PRIu64 " request", n->time_wait,
			n->request);
	fprintf(o, "), %" PRIu64 " without an owning process\n", n->no_owner);
	fprintf(o, "         netlink sockets in nl_table: %" PRIu64 "; packet sockets: %"
		PRIu64 "; fd tables read: %" PRIu64 " processes\n",
		n->netlink_table, n->packet_table, n->tasks);
	mw_human_bytes(s->pinned_bytes, a, sizeof(a));
	mw_human_bytes(s->recv.skb_bytes + s->send.skb_bytes, b, sizeof(b));
	mw_human_bytes(s->recv.head_bytes + s->send.head_bytes, c, sizeof(c));
	mw_human_bytes(s->page_bytes, d, sizeof(d));
	char g1[MW_GROUPED_LEN], g2[MW_GROUPED_LEN], g3[MW_GROUPED_LEN], pl[32], ts[32];
	mw_human_bytes(s->recv.bytes + s->send.bytes, pl, sizeof(pl));
	mw_human_bytes(s->recv.truesize + s->send.truesize, ts, sizeof(ts));
	fprintf(o, "Queued:  %s of payload in %s skbs with %s frags (truesize %s)\n",
		pl, mw_grouped(s->recv.skbs + s->send.skbs, g1),
		mw_grouped(s->recv.frags + s->send.frags, g2), ts);
	struct mw_para para;
	fprintf(mw_para_begin(o, &para),
		"Pinned:  %s = %s sk_buff objects + %s kmalloc'd heads + %s in %s compound pages\n",
		a, b, c, d, mw_grouped(s->nr_pages, g3));
	mw_para_end(&para, 9);
	if (s->nr_pages) {
		struct mw_str orders = { 0 };
		mw_orders_words(&orders, s->pages_by_order);
		fprintf(o, "         pages: %s\n", orders.s ? orders.s : "?");
		mw_str_deinit(&orders);
	}

	size_t rows = s->nr;
	if (ctx->opt.top && rows > ctx->opt.top)
		rows = ctx->opt.top;
	if (rows) {
		/* one socket in two lines of at most 100 columns: the numbers, the
		 * kind and the owners; then its addresses, peer and inode */
		fprintf(o, "\n%9s %9s %9s %6s %6s  %-12s %-12s %s\n", "PINNED", "RECV-Q", "SEND-Q",
			"SKBS", "PAGES", "PROTO", "STATE", "OWNERS (comm/pid:fd)");
		for (size_t i = 0; i < rows; i++) {
			const struct mw_socket *so = &s->v[i];
			char pin[32], rq[32], sq[32], k[32], st[16], own[160], gs[MW_GROUPED_LEN],
				gp[MW_GROUPED_LEN];
			mw_human_bytes(so->pinned_bytes, pin, sizeof(pin));
			mw_human_bytes(so->recv_queue_bytes, rq, sizeof(rq));
			mw_human_bytes(so->send_queue_bytes, sq, sizeof(sq));
			kind(so, k, sizeof(k));
			owners_text(so, own, sizeof(own));
			fprintf(o, "%9s %9s %9s %6s %6s  %-12s %-12s %s\n", pin, rq, sq,
				mw_grouped(so->recv.skbs + so->send.skbs, gs),
				mw_grouped(so->frag_pages, gp), k,
				mw_sock_state_name(so, st, sizeof(st)), own);
			/* no remote for a listener or an unconnected datagram socket */
			size_t rl = strlen(so->remote);
			bool remote = rl && !(rl >= 2 && !strcmp(so->remote + rl - 2, ":0"));
			const char *sep = "";
			fprintf(o, "%9s ", "");
			if (so->local[0] || remote) {
				fprintf(o, "%s", so->local[0] ? so->local : "-");
				if (remote)
					fprintf(o, " -> %s", so->remote);
				sep = ", ";
			}
			if (so->peer_inode) {
				fprintf(o, "%speer inode %" PRIu64, sep, so->peer_inode);
				sep = ", ";
			}
			if (so->inode)
				fprintf(o, "%sinode %" PRIu64, sep, so->inode);
			fputc('\n', o);
		}
		if (rows < s->nr)
			fprintf(o, "... %zu more (--top 0 lists all)\n", s->nr - rows);
		fprintf(o, "RECV-Q and SEND-Q as ss shows them: unread and unsent bytes (for UDP,\n"
			"receive memory: skb truesize). PAGES: the pages their skbs' frags pin.\n");
	}

	/* report lists every analysis' findings together at its end */
	const struct mw_finding *f;
	size_t it = 0;
	for (size_t shown = 0; !ctx->in_report && shown < TEXT_FINDINGS &&
	     (f = mw_findings_next(&an->findings, MW_RESULT_SOCKETS, &it)); shown++)
		mw_text_finding(o, f, MW_FINDING_PARAGRAPH);
	mw_render_text_warnings(ctx);
}

/* ---- JSON ---- */

static void json_stats(struct mw_json *j, const char *key, const struct mw_skb_stats *st)
{
	mw_json_key(j, key);
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "skbs", st->skbs);
	mw_json_kv_uint(j, "payload_bytes", st->bytes);
	mw_json_kv_uint(j, "truesize_bytes", st->truesize);
	mw_json_kv_uint(j, "frags", st->frags);
	mw_json_kv_uint(j, "frag_list_skbs", st->frag_list_skbs);
	mw_json_kv_uint(j, "skb_object_bytes", st->skb_bytes);
	mw_json_kv_uint(j, "kmalloc_head_bytes", st->head_bytes);
	mw_json_kv_uint(j, "page_heads", st->page_heads);
	mw_json_kv_uint(j, "bad_skbs", st->bad_skbs);
	mw_json_kv_bool(j, "truncated", st->truncated);
	mw_json_object_end(j);
}

static void json_socket(struct mw_json *j, const struct mw_socket *so)
{
	char f[16], t[16], st[16];
	mw_json_object_begin(j);
	mw_json_kv_uint(j, "inode", so->inode);
	mw_json_kv_string(j, "family", mw_sock_family_name(so->family, f, sizeof(f)));
	mw_json_kv_string(j, "type", mw_sock_type_name(so->type, t, sizeof(t)));
	mw_json_kv_string(j, "protocol", mw_sock_protocol_name(so));
	mw_json_kv_string(j, "state", mw_sock_state_name(so, st, sizeof(st)));
	mw_json_kv_string(j, "local", so->local);
	mw_json_kv_string(j, "remote", so->remote);
	mw_json_key(j, "owners");
	mw_json_array_begin(j);
	for (size_t i = 0; i < so->nr_owners; i++) {
		mw_json_object_begin(j);
		mw_json_kv_int(j, "pid", so->owners[i].pid);
		mw_json_kv_string(j, "comm", so->owners[i].comm);
		mw_json_kv_uint(j, "fd", so->owners[i].fd);
		mw_json_object_end(j);
	}
	mw_json_array_end(j);
	mw_json_kv_uint(j, "recv_queue_bytes", so->recv_queue_bytes);
	mw_json_kv_uint(j, "send_queue_bytes", so->send_queue_bytes);
	mw_json_kv_uint(j, "recv_skbs", so->recv.skbs);
	mw_json_kv_uint(j, "send_skbs", so->send.skbs);
	mw_json_kv_uint(j, "truesize_bytes", so->recv.truesize + so->send.truesize);
	mw_json_kv_uint(j, "frag_pages", so->frag_pages);
	mw_json_kv_uint(j, "pinned_bytes", so->pinned_bytes);
	/* beyond the contract */
	mw_json_kv_string_or_null(j, "memcg", so->memcg_path);
	mw_json_kv_addr(j, "sock", so->sk);
	mw_json_kv_bool(j, "mini", so->mini);
	mw_json_key(j, "found_via");
	mw_json_array_begin(j);
	if (so->sources & MW_SOCK_FROM_FD)
		mw_json_string(j, "fd");
	if (so->sources & MW_SOCK_FROM_TABLE)
		mw_json_string(j, "table");
	mw_json_array_end(j);
	if (so->family == MW_AF_UNIX)
		mw_json_kv_uint(j, "peer_inode", so->peer_inode);
	mw_json_kv_uint(j, "ack_backlog", so->ack_backlog);
	mw_json_kv_uint(j, "recv_payload_bytes", so->recv.bytes);
	mw_json_kv_uint(j, "send_payload_bytes", so->send.bytes);
	mw_json_kv_uint(j, "page_bytes", so->page_bytes);
	mw_json_kv_uint(j, "shared_pages", so->shared_pages);
	mw_json_kv_orders(j, "frag_pages_by_order", so->pages_by_order);
	json_stats(j, "recv", &so->recv);
	json_stats(j, "send", &so->send);
	mw_json_object_end(j);
}

static void render_json(struct mw_context *ctx, const struct mw_analysis *an)
{
	const struct mw_sockets *s = &an->socks;
	const char *memcg_filter = an->memcg_path;
	struct mw_json j;
	const struct mw_sockets_counts *n = &s->counts;
	mw_render_json_begin(ctx, &j);
	mw_json_kv_string_or_null(&j, "memcg_filter", memcg_filter);
	size_t rows = s->nr;
	if (ctx->opt.top && rows > ctx->opt.top)
		rows = ctx->opt.top;
	mw_json_key(&j, "sockets");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < rows; i++)
		json_socket(&j, &s->v[i]);
	mw_json_array_end(&j);

	mw_json_key(&j, "totals");
	mw_json_object_begin(&j);
	mw_json_kv_uint(&j, "sockets", s->nr);
	mw_json_kv_uint(&j, "listed", rows);
	mw_json_kv_uint(&j, "tcp", n->tcp);
	mw_json_kv_uint(&j, "udp", n->udp);
	mw_json_kv_uint(&j, "unix", n->unix_);
	mw_json_kv_uint(&j, "inet", n->inet);
	mw_json_kv_uint(&j, "inet6", n->inet6);
	mw_json_kv_uint(&j, "netlink", n->netlink);
	mw_json_kv_uint(&j, "packet", n->packet);
	mw_json_kv_uint(&j, "other", n->other);
	mw_json_kv_uint(&j, "time_wait", n->time_wait);
	mw_json_kv_uint(&j, "request", n->request);
	mw_json_kv_uint(&j, "without_owner", n->no_owner);
	mw_json_kv_uint(&j, "netlink_in_table", n->netlink_table);
	mw_json_kv_uint(&j, "packet_in_table", n->packet_table);
	mw_json_kv_uint(&j, "processes_read", n->tasks);
	mw_json_kv_uint(&j, "network_namespaces", n->netns);
	mw_json_kv_uint(&j, "table_pages_left_out_as_zero", n->zero_table_pages);
	mw_json_kv_uint(&j, "pinned_bytes", s->pinned_bytes);
	mw_json_kv_uint(&j, "skb_object_bytes", s->recv.skb_bytes + s->send.skb_bytes);
	mw_json_kv_uint(&j, "kmalloc_head_bytes", s->recv.head_bytes + s->send.head_bytes);
	mw_json_kv_uint(&j, "frag_page_bytes", s->page_bytes);
	mw_json_kv_uint(&j, "frag_pages", s->nr_pages);
	mw_json_kv_uint(&j, "skb_frags_bytes", s->skb_frags_bytes);
	mw_json_kv_orders(&j, "frag_pages_by_order", s->pages_by_order);
	mw_json_kv_uint(&j, "net_iov_frags", s->net_iov_frags);
	json_stats(&j, "recv", &s->recv);
	json_stats(&j, "send", &s->send);
	mw_json_object_end(&j);

	mw_json_key(&j, "findings");
	mw_json_array_begin(&j);
	const struct mw_finding *f;
	size_t it = 0;
	while ((f = mw_findings_next(&an->findings, MW_RESULT_SOCKETS, &it))) {
		mw_json_object_begin(&j);
		mw_json_finding_fields(&j, f);
		/* the numbers behind the words, as before "data" had them */
		mw_json_holder_fields(&j, f->u.sockets.holder);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_render_json_end(ctx, &j);
}

const struct mw_renderer mw_sockets_renderer = { .text = render_text, .json = render_json };
