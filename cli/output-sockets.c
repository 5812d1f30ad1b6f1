/* memwhere: rendering of `sockets`, text and JSON. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/render-util.h"
#include "cli/sockets.h"
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


/* 1234567 -> "1,234,567" */
static const char *grouped(uint64_t v, char *buf, size_t len)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	size_t o = 0;
	for (int i = 0; i < n && o + 1 < len; i++) {
		if (i && (n - i) % 3 == 0 && o + 1 < len)
			buf[o++] = ',';
		if (o + 1 < len)
			buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
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

/* "the 4 TCP sockets", "the UDP socket", "2 unix stream sockets" */
static void kind_words(uint16_t family, uint16_t type, uint16_t protocol,
		       bool mixed, size_t n, char *buf, size_t len)
{
	const char *what;
	char tmp[48];
	struct mw_socket so = { .family = family, .type = type, .protocol = protocol };
	const char *p = mw_sock_protocol_name(&so);
	if (mixed) {
		what = "";
	} else if (!strcmp(p, "tcp")) {
		what = "TCP ";
	} else if (!strcmp(p, "udp")) {
		what = "UDP ";
	} else if (*p) {
		put(tmp, sizeof(tmp), "%s ", p);
		what = tmp;
	} else {
		char f[16], t[16];
		put(tmp, sizeof(tmp), "%s %s ", mw_sock_family_name(family, f, sizeof(f)),
			 mw_sock_type_name(type, t, sizeof(t)));
		what = tmp;
	}
	if (n == 1)
		put(buf, len, "one %ssocket", what);
	else
		put(buf, len, "%zu %ssockets", n, what);
}

/* "8 order-3 (32 KiB) and 2,754 order-0 (4 KiB) pages" */
static void orders_words(const uint64_t *by_order, char *buf, size_t len)
{
	size_t o = 0;
	int parts = 0, total = 0;
	for (int i = MW_SKB_ORDERS - 1; i >= 0; i--)
		if (by_order[i])
			total++;
	buf[0] = '\0';
	for (int i = MW_SKB_ORDERS - 1; i >= 0 && o + 1 < len; i--) {
		if (!by_order[i])
			continue;
		char n[32];
		uint64_t kib = 4ULL << i;
		const char *sep = parts == 0 ? "" : parts == total - 1 ? " and " : ", ";
		if (kib >= 1024)
			o += put(buf + o, len - o, "%s%s order-%d (%" PRIu64 " MiB)", sep,
				 grouped(by_order[i], n, sizeof(n)), i, kib / 1024);
		else
			o += put(buf + o, len - o, "%s%s order-%d (%" PRIu64 " KiB)", sep,
				 grouped(by_order[i], n, sizeof(n)), i, kib);
		parts++;
	}
	uint64_t pages = 0;
	for (int i = 0; i < MW_SKB_ORDERS; i++)
		pages += by_order[i];
	if (parts)
		put(buf + o, len - o, " page%s", pages == 1 ? "" : "s");
	else
		put(buf, len, "no pages");
}

void mw_sockets_finding(const struct mw_sockets *s,
			const struct mw_sockets_holder *h, uint64_t total_ram,
			struct mw_finding *f)
{
	char who[64], kw[64], unread[32], pinned[32], payload[32], truesize[32];
	char skbs[32], frags[32], orders[256], fds[96], other[32];
	const struct mw_socket *top = &s->v[h->first];

	memset(f, 0, sizeof(*f));
	put(f->id, sizeof(f->id), "unread-socket-data");
	f->bytes = h->pinned_bytes;
	f->severity = MW_SEVERITY_INFO;
	if (h->pinned_bytes >= (64ULL << 20) ||
	    (total_ram && h->pinned_bytes * 20 >= total_ram))
		f->severity = MW_SEVERITY_WARNING;
	if (total_ram && h->pinned_bytes * 4 >= total_ram)
		f->severity = MW_SEVERITY_CRITICAL;

	if (h->pid >= 0)
		put(who, sizeof(who), "%s (pid %d)", h->comm, h->pid);
	else
		put(who, sizeof(who), "sockets no process holds");
	kind_words(h->family, h->type, h->protocol, h->mixed, h->nr_sockets, kw, sizeof(kw));
	mw_human_bytes(h->pinned_bytes, pinned, sizeof(pinned));
	mw_human_bytes(h->payload_bytes, payload, sizeof(payload));
	mw_human_bytes(h->truesize, truesize, sizeof(truesize));
	orders_words(h->pages_by_order, orders, sizeof(orders));

	/* fds: "fd 5" / "fds 4, 5, 6, 7" */
	size_t o = 0;
	fds[0] = '\0';
	if (h->nr_fds) {
		o += put(fds, sizeof(fds), "fd%s ", h->nr_fds > 1 ? "s" : "");
		for (size_t i = 0; i < h->nr_fds && o < sizeof(fds); i++)
			o += put(fds + o, sizeof(fds) - o, "%s%u",
					      i ? ", " : "", h->fds[i]);
		if (h->nr_sockets > h->nr_fds && o < sizeof(fds))
			put(fds + o, sizeof(fds) - o, ", ...");
	}

	if (h->pid >= 0)
		put(f->title, sizeof(f->title),
			 "%s has not read %s bytes on %s; they pin %s",
			 who, grouped(h->payload_bytes, unread, sizeof(unread)), kw, pinned);
	else
		put(f->title, sizeof(f->title),
			 "%s bytes wait unread on %s no process holds; they pin %s",
			 grouped(h->payload_bytes, unread, sizeof(unread)), kw, pinned);

	double ratio = h->payload_bytes ? (double)h->pinned_bytes / (double)h->payload_bytes : 0;
	char addr[300];
	bool wild = !top->remote[0] || !strcmp(top->remote, "0.0.0.0:0") ||
		!strcmp(top->remote, "[::]:0");
	const char *where = fds[0] ? fds : "no fd";
	if (top->local[0] && !wild)
		put(addr, sizeof(addr), "%s, %s%s from %s", where,
		    h->nr_sockets > 1 ? "e.g. " : "", top->local, top->remote);
	else if (top->local[0])
		put(addr, sizeof(addr), "%s, %s", where, top->local);
	else
		put(addr, sizeof(addr), "%s", where);
	char pages_part[400], objects[32], shared[64];
	mw_human_bytes(h->object_bytes, objects, sizeof(objects));
	shared[0] = '\0';
	if (h->shared_pages)
		put(shared, sizeof(shared), ", %s shared with other processes' sockets",
		    grouped(h->shared_pages, other, sizeof(other)));
	if (h->frag_pages)
		put(pages_part, sizeof(pages_part), "%s%s, and %s of sk_buffs and kmalloc'd heads",
		    orders, shared, objects);
	else
		put(pages_part, sizeof(pages_part), "%s of sk_buffs and kmalloc'd heads (slab)",
		    objects);
	put(f->evidence, sizeof(f->evidence),
	    "%s: %s unread in %s skbs with %s frags, pinning %s: %s. "
	    "Payload to pinned 1:%.0f (%.1f%% is data). skb truesize, what sockstat's mem "
	    "counts: %s.",
	    addr, payload, grouped(h->skbs, skbs, sizeof(skbs)),
	    grouped(h->frags, frags, sizeof(frags)), pinned, pages_part,
	    ratio, ratio > 0 ? 100.0 / ratio : 0.0, truesize);
	bool net = h->family == MW_AF_INET || h->family == MW_AF_INET6;
	if (h->pid < 0)
		put(f->advice, sizeof(f->advice),
		    "These sockets have no owner (not accepted yet, or closed with data "
		    "left): check the listener that should accept them.");
	else if (h->page_bytes * 2 >= h->pinned_bytes)
		put(f->advice, sizeof(f->advice),
		    "Make %s read or close these sockets: each page goes back to the page "
		    "allocator when the last skb using it is consumed. The pages are %s, "
		    "taken straight from the page allocator: slabtop and Slab in "
		    "/proc/meminfo do not show them.", who,
		    net ? "a NIC driver's receive buffers" : "the sender's data pages");
	else
		put(f->advice, sizeof(f->advice),
		    "Make %s read or close these sockets. The memory is in slab caches "
		    "(skbuff_head_cache, kmalloc-*): slabtop counts it, but not whose it is.",
		    who);
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

static void render_text(struct mw_context *ctx, const struct mw_sockets *s,
			const struct mw_sockets_holder *holders, size_t nr_holders,
			const char *memcg_filter)
{
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
	char orders[256], g1[32], g2[32], g3[32], pl[32], ts[32];
	orders_words(s->pages_by_order, orders, sizeof(orders));
	mw_human_bytes(s->recv.bytes + s->send.bytes, pl, sizeof(pl));
	mw_human_bytes(s->recv.truesize + s->send.truesize, ts, sizeof(ts));
	fprintf(o, "Queued:  %s of payload in %s skbs with %s frags (truesize %s)\n",
		pl, grouped(s->recv.skbs + s->send.skbs, g1, sizeof(g1)),
		grouped(s->recv.frags + s->send.frags, g2, sizeof(g2)), ts);
	fprintf(o, "Pinned:  %s = %s sk_buff objects + %s kmalloc'd heads + %s in %s compound pages\n",
		a, b, c, d, grouped(s->nr_pages, g3, sizeof(g3)));
	if (s->nr_pages)
		fprintf(o, "         pages: %s\n", orders);

	size_t rows = s->nr;
	if (ctx->opt.top && rows > ctx->opt.top)
		rows = ctx->opt.top;
	if (rows) {
		fprintf(o, "\n%-10s %9s %9s %6s %6s %5s %-8s %-12s %-22s %-22s %8s %s\n",
			"PINNED", "RECV-Q", "SEND-Q", "SKBS", "FRAGS", "PAGES", "PROTO",
			"STATE", "LOCAL", "REMOTE", "INODE", "OWNERS (comm/pid:fd)");
		for (size_t i = 0; i < rows; i++) {
			const struct mw_socket *so = &s->v[i];
			char pin[32], k[32], st[16], own[160], rem[128];
			mw_human_bytes(so->pinned_bytes, pin, sizeof(pin));
			kind(so, k, sizeof(k));
			if (so->peer_inode && !so->remote[0])
				put(rem, sizeof(rem), "peer inode %" PRIu64, so->peer_inode);
			else
				put(rem, sizeof(rem), "%s", so->remote[0] ? so->remote : "-");
			owners_text(so, own, sizeof(own));
			fprintf(o, "%-10s %9" PRIu64 " %9" PRIu64 " %6" PRIu64 " %6" PRIu64
				" %5" PRIu64 " %-8s %-12s %-22s %-22s %8" PRIu64 " %s\n",
				pin, so->recv_queue_bytes, so->send_queue_bytes,
				so->recv.skbs + so->send.skbs, so->recv.frags + so->send.frags,
				so->frag_pages, k, mw_sock_state_name(so, st, sizeof(st)),
				so->local[0] ? so->local : "-", rem, so->inode, own);
		}
		if (rows < s->nr)
			fprintf(o, "... %zu more (--top 0 lists all)\n", s->nr - rows);
	}

	uint64_t total_ram = mw_reader_info(ctx->reader)->total_bytes;
	/* report lists every analysis' findings together at its end */
	for (size_t i = 0; !ctx->in_report && i < nr_holders && i < TEXT_FINDINGS; i++) {
		struct mw_finding f;
		mw_sockets_finding(s, &holders[i], total_ram, &f);
		fprintf(o, "\nFinding (%s): %s.\n  %s\n  %s\n", mw_severity_name(f.severity),
			f.title, f.evidence, f.advice);
	}
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

static void json_orders(struct mw_json *j, const char *key, const uint64_t *by_order)
{
	mw_json_key(j, key);
	mw_json_object_begin(j);
	for (int i = 0; i < MW_SKB_ORDERS; i++) {
		if (!by_order[i])
			continue;
		char k[8];
		snprintf(k, sizeof(k), "%d", i);
		mw_json_kv_uint(j, k, by_order[i]);
	}
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
	json_orders(j, "frag_pages_by_order", so->pages_by_order);
	json_stats(j, "recv", &so->recv);
	json_stats(j, "send", &so->send);
	mw_json_object_end(j);
}

static void render_json(struct mw_context *ctx, const struct mw_sockets *s,
			const struct mw_sockets_holder *holders, size_t nr_holders,
			const char *memcg_filter)
{
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
	json_orders(&j, "frag_pages_by_order", s->pages_by_order);
	mw_json_kv_uint(&j, "net_iov_frags", s->net_iov_frags);
	json_stats(&j, "recv", &s->recv);
	json_stats(&j, "send", &s->send);
	mw_json_object_end(&j);

	uint64_t total_ram = mw_reader_info(ctx->reader)->total_bytes;
	mw_json_key(&j, "findings");
	mw_json_array_begin(&j);
	for (size_t i = 0; i < nr_holders; i++) {
		struct mw_finding f;
		mw_sockets_finding(s, &holders[i], total_ram, &f);
		mw_json_object_begin(&j);
		mw_json_finding_fields(&j, &f);
		/* the numbers behind the words */
		mw_json_kv_int(&j, "pid", holders[i].pid);
		mw_json_kv_string(&j, "comm", holders[i].comm);
		mw_json_key(&j, "fds");
		mw_json_array_begin(&j);
		for (size_t k = 0; k < holders[i].nr_fds; k++)
			mw_json_uint(&j, holders[i].fds[k]);
		mw_json_array_end(&j);
		mw_json_kv_uint(&j, "sockets", holders[i].nr_sockets);
		mw_json_kv_uint(&j, "unread_bytes", holders[i].payload_bytes);
		mw_json_kv_uint(&j, "recv_queue_bytes", holders[i].recv_queue_bytes);
		mw_json_kv_uint(&j, "pinned_bytes", holders[i].pinned_bytes);
		mw_json_kv_uint(&j, "truesize_bytes", holders[i].truesize);
		mw_json_kv_uint(&j, "skbs", holders[i].skbs);
		mw_json_kv_uint(&j, "frags", holders[i].frags);
		mw_json_kv_uint(&j, "frag_pages", holders[i].frag_pages);
		json_orders(&j, "frag_pages_by_order", holders[i].pages_by_order);
		mw_json_object_end(&j);
	}
	mw_json_array_end(&j);
	mw_render_json_end(ctx, &j);
}

void mw_render_sockets(struct mw_context *ctx, const struct mw_sockets *s,
		       const struct mw_sockets_holder *holders, size_t nr_holders,
		       const char *memcg_filter)
{
	if (ctx->opt.json)
		render_json(ctx, s, holders, nr_holders, memcg_filter);
	else
		render_text(ctx, s, holders, nr_holders, memcg_filter);
}
