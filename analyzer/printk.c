/* memwhere: the printk ring buffer (see printk.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kernel.h"
#include "analyzer/printk.h"

enum {
	SV_BITS = 64,			/* state_var is an unsigned long */
	SV_STATE_SHIFT = SV_BITS - 2,
	LPOS_FAILED = 0x1,		/* FAILED_LPOS: no data block */
	LPOS_EMPTY = 0x3,		/* EMPTY_LINE_LPOS (NO_LPOS in 5.10): empty text */
	BLK_ID_SIZE = 8,		/* the unsigned long id heading a data block */
	CHUNK = 4096,			/* read granularity when a bulk read fails */
	CALLER_CPU = 0x80000000u,
};

#define ID_MASK (~(3ULL << SV_STATE_SHIFT))

/* ---- layout ---- */

struct mw_error *mw_printk_layout_from_types(struct mw_types *t,
					     struct mw_printk_layout *ret)
{
	struct mw_field rb_desc, rb_text, rb_fail, count_bits, descs, infos,
		head_id, tail_id, desc_size, state_var, text_lpos, begin, next,
		info_size, seq, ts, text_len, facility, flags, level, caller,
		size_bits, data, head_lpos, tail_lpos, reserved, committed,
		finalized, reusable;
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("printk_ringbuffer.desc_ring", &rb_desc),
		MW_FIELD_MEMBER("printk_ringbuffer.text_data_ring", &rb_text),
		MW_FIELD_MEMBER_OPT("printk_ringbuffer.fail", &rb_fail),
		MW_FIELD_MEMBER("prb_desc_ring.count_bits", &count_bits),
		MW_FIELD_MEMBER("prb_desc_ring.descs", &descs),
		MW_FIELD_MEMBER("prb_desc_ring.infos", &infos),
		MW_FIELD_MEMBER("prb_desc_ring.head_id", &head_id),
		MW_FIELD_MEMBER("prb_desc_ring.tail_id", &tail_id),
		MW_FIELD_SIZEOF("prb_desc", &desc_size),
		MW_FIELD_MEMBER("prb_desc.state_var", &state_var),
		MW_FIELD_MEMBER("prb_desc.text_blk_lpos", &text_lpos),
		MW_FIELD_MEMBER("prb_data_blk_lpos.begin", &begin),
		MW_FIELD_MEMBER("prb_data_blk_lpos.next", &next),
		MW_FIELD_SIZEOF("printk_info", &info_size),
		MW_FIELD_MEMBER("printk_info.seq", &seq),
		MW_FIELD_MEMBER("printk_info.ts_nsec", &ts),
		MW_FIELD_MEMBER("printk_info.text_len", &text_len),
		MW_FIELD_MEMBER("printk_info.facility", &facility),
		MW_FIELD_MEMBER("printk_info.flags", &flags),
		MW_FIELD_MEMBER("printk_info.level", &level),
		MW_FIELD_MEMBER("printk_info.caller_id", &caller),
		MW_FIELD_MEMBER("prb_data_ring.size_bits", &size_bits),
		MW_FIELD_MEMBER("prb_data_ring.data", &data),
		MW_FIELD_MEMBER("prb_data_ring.head_lpos", &head_lpos),
		MW_FIELD_MEMBER("prb_data_ring.tail_lpos", &tail_lpos),
		MW_FIELD_ENUM_OPT("desc_state.desc_reserved", &reserved),
		MW_FIELD_ENUM_OPT("desc_state.desc_committed", &committed),
		MW_FIELD_ENUM_OPT("desc_state.desc_finalized", &finalized),
		MW_FIELD_ENUM_OPT("desc_state.desc_reusable", &reusable),
	};
	struct mw_error *err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	if (text_len.size != 2 || facility.size != 1 || caller.size != 4 ||
	    seq.size != 8 || ts.size != 8 || flags.bit_size == 0 ||
	    level.bit_size == 0 || level.bit_size > 8 || flags.bit_size > 8 ||
	    count_bits.size != 4 || size_bits.size != 4)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "struct printk_info/prb_desc_ring of an unknown shape");
	*ret = (struct mw_printk_layout){
		.rb_desc_ring = rb_desc.offset,
		.rb_text_ring = rb_text.offset,
		.rb_fail = rb_fail.offset,
		.has_fail = rb_fail.found,
		.dr_count_bits = count_bits.offset,
		.dr_descs = descs.offset,
		.dr_infos = infos.offset,
		.dr_head_id = head_id.offset,
		.dr_tail_id = tail_id.offset,
		.desc_size = desc_size.size,
		.desc_state_var = state_var.offset,
		.desc_text_lpos = text_lpos.offset,
		.lpos_begin = begin.offset,
		.lpos_next = next.offset,
		.info_size = info_size.size,
		.info_seq = seq.offset,
		.info_ts_nsec = ts.offset,
		.info_text_len = text_len.offset,
		.info_facility = facility.offset,
		.info_caller_id = caller.offset,
		.info_flags_bit = flags.bit_offset,
		.info_flags_bits = flags.bit_size,
		.info_level_bit = level.bit_offset,
		.info_level_bits = level.bit_size,
		.ring_size_bits = size_bits.offset,
		.ring_data = data.offset,
		.ring_head_lpos = head_lpos.offset,
		.ring_tail_lpos = tail_lpos.offset,
		.state_reserved = reserved.found ? (unsigned)reserved.value : 0,
		.state_committed = committed.found ? (unsigned)committed.value : 1,
		.state_finalized = finalized.found ? (unsigned)finalized.value : 2,
		.state_reusable = reusable.found ? (unsigned)reusable.value : 3,
		.source = "types",
	};
	return NULL;
}

struct mw_error *mw_printk_layout_from_vmcoreinfo(const struct mw_dump_info *info,
						  struct mw_printk_layout *ret)
{
	static const char *const keys[] = {
		"OFFSET(printk_ringbuffer.desc_ring)",
		"OFFSET(printk_ringbuffer.text_data_ring)",
		"OFFSET(printk_ringbuffer.fail)",
		"OFFSET(prb_desc_ring.count_bits)",
		"OFFSET(prb_desc_ring.descs)",
		"OFFSET(prb_desc_ring.infos)",
		"OFFSET(prb_desc_ring.head_id)",
		"OFFSET(prb_desc_ring.tail_id)",
		"SIZE(prb_desc)",
		"OFFSET(prb_desc.state_var)",
		"OFFSET(prb_desc.text_blk_lpos)",
		"OFFSET(prb_data_blk_lpos.begin)",
		"OFFSET(prb_data_blk_lpos.next)",
		"SIZE(printk_info)",
		"OFFSET(printk_info.seq)",
		"OFFSET(printk_info.ts_nsec)",
		"OFFSET(printk_info.text_len)",
		"OFFSET(printk_info.caller_id)",
		"OFFSET(prb_data_ring.size_bits)",
		"OFFSET(prb_data_ring.data)",
		"OFFSET(prb_data_ring.head_lpos)",
		"OFFSET(prb_data_ring.tail_lpos)",
	};
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
	uint64_t v[NKEYS];
	for (size_t i = 0; i < NKEYS; i++) {
		struct mw_error *err = mw_vmcoreinfo_u64(info, keys[i], &v[i]);
		if (err)
			return mw_error_prepend(err, "VMCOREINFO has no %s", keys[i]);
	}
	uint64_t text_len = v[16];
	/* u16 text_len; u8 facility; u8 flags:5, level:3; u32 caller_id */
	if (v[17] != text_len + 4 || v[13] < text_len + 8)
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "VMCOREINFO's struct printk_info is of an unknown shape "
				       "(text_len at %" PRIu64 ", caller_id at %" PRIu64 ")",
				       text_len, v[17]);
	*ret = (struct mw_printk_layout){
		.rb_desc_ring = v[0], .rb_text_ring = v[1],
		.rb_fail = v[2], .has_fail = true,
		.dr_count_bits = v[3], .dr_descs = v[4], .dr_infos = v[5],
		.dr_head_id = v[6], .dr_tail_id = v[7],
		.desc_size = v[8], .desc_state_var = v[9], .desc_text_lpos = v[10],
		.lpos_begin = v[11], .lpos_next = v[12],
		.info_size = v[13], .info_seq = v[14], .info_ts_nsec = v[15],
		.info_text_len = text_len, .info_facility = text_len + 2,
		.info_flags_bit = (text_len + 3) * 8, .info_flags_bits = 5,
		.info_level_bit = (text_len + 3) * 8 + 5, .info_level_bits = 3,
		.info_caller_id = v[17],
		.ring_size_bits = v[18], .ring_data = v[19],
		.ring_head_lpos = v[20], .ring_tail_lpos = v[21],
		.state_reserved = 0, .state_committed = 1,
		.state_finalized = 2, .state_reusable = 3,
		.source = "VMCOREINFO",
	};
	return NULL;
}

/* ---- little-endian field access in buffers read from the dump ---- */

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned get_bits(const uint8_t *p, uint64_t bit, uint32_t nbits)
{
	uint32_t w = (uint32_t)p[bit / 8] | (uint32_t)p[bit / 8 + 1] << 8;
	return (w >> (bit % 8)) & ((1u << nbits) - 1);
}

/* Does a struct of `size` bytes hold a field of `len` bytes at off? */
static bool fits(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static bool layout_sane(const struct mw_printk_layout *l)
{
	return l->desc_size > 0 && l->desc_size <= 4096 &&
	       l->info_size > 0 && l->info_size <= 4096 &&
	       fits(l->desc_state_var, 8, l->desc_size) &&
	       fits(l->desc_text_lpos + l->lpos_begin, 8, l->desc_size) &&
	       fits(l->desc_text_lpos + l->lpos_next, 8, l->desc_size) &&
	       fits(l->info_seq, 8, l->info_size) &&
	       fits(l->info_ts_nsec, 8, l->info_size) &&
	       fits(l->info_text_len, 2, l->info_size) &&
	       fits(l->info_facility, 1, l->info_size) &&
	       fits(l->info_caller_id, 4, l->info_size) &&
	       l->info_flags_bits >= 1 && l->info_flags_bits <= 8 &&
	       l->info_level_bits >= 1 && l->info_level_bits <= 8 &&
	       fits(l->info_flags_bit / 8, 2, l->info_size + 1) &&
	       fits(l->info_level_bit / 8, 2, l->info_size + 1);
}

/*
 * Read len bytes at addr into buf. If the bulk read fails, read CHUNK by
 * CHUNK and zero what cannot be read (a zeroed descriptor or block fails
 * its id check and counts as lost). *bad counts the unreadable chunks.
 */
static void read_region(mw_printk_read_fn *read, void *arg, uint64_t addr,
			uint8_t *buf, size_t len, uint64_t *bad)
{
	struct mw_error *err = read(arg, addr, buf, len);
	if (!err)
		return;
	mw_error_destroy(err);
	for (size_t off = 0; off < len;) {
		size_t n = CHUNK - (size_t)((addr + off) % CHUNK);
		if (n > len - off)
			n = len - off;
		if ((err = read(arg, addr + off, buf + off, n))) {
			mw_error_destroy(err);
			memset(buf + off, 0, n);
			(*bad)++;
		}
		off += n;
	}
}

/* ---- the walk ---- */

struct walk {
	const struct mw_printk_layout *l;
	uint64_t count, size;
	uint8_t *descs, *infos, *data;
	uint64_t head_lpos, tail_lpos;
	bool data_bounds;		/* head_lpos/tail_lpos usable */
	struct mw_log *log;
	size_t cap, text_cap;
};

static void note_lost(struct mw_log *log, uint64_t seq)
{
	log->lost++;
	if (!log->seq_known)
		return;
	if (log->nr_lost_ranges &&
	    log->lost_ranges[log->nr_lost_ranges - 1].last + 1 == seq) {
		log->lost_ranges[log->nr_lost_ranges - 1].last = seq;
		return;
	}
	if (log->nr_lost_ranges < MW_PRINTK_MAX_LOST_RANGES)
		log->lost_ranges[log->nr_lost_ranges++] = (struct mw_log_range){ seq, seq };
}

enum text_result { TEXT_OK, TEXT_NONE, TEXT_BAD };

/* Locate a record's text in the data ring copy. */
static enum text_result find_text(const struct walk *wk, uint64_t id,
				  uint64_t begin, uint64_t next, uint64_t text_len,
				  const uint8_t **text)
{
	if ((begin & 1) && (next & 1)) {
		if (begin == LPOS_EMPTY && next == LPOS_EMPTY && text_len == 0) {
			*text = NULL;
			return TEXT_OK;
		}
		return begin == LPOS_FAILED && next == LPOS_FAILED ? TEXT_NONE : TEXT_BAD;
	}
	unsigned bits = 0;
	while ((1ULL << bits) < wk->size)
		bits++;
	uint64_t off, len;
	if (begin >> bits == next >> bits ||
	    ((begin >> bits) + 1 == next >> bits && (next & (wk->size - 1)) == 0)) {
		/* in one wrap (or ending exactly at the end of the ring, as
		 * kernels that place a block by next - 1 may leave it) */
		off = begin & (wk->size - 1);
		len = next - begin;
	} else if ((begin >> bits) + 1 == next >> bits) {
		off = 0;		/* wrapped: the block starts again at 0 */
		len = next & (wk->size - 1);
	} else {
		return TEXT_BAD;
	}
	if (next - begin > wk->size || len < BLK_ID_SIZE || len > wk->size - off)
		return TEXT_BAD;
	if (wk->data_bounds &&
	    (begin - wk->tail_lpos > wk->head_lpos - wk->tail_lpos ||
	     next - wk->tail_lpos > wk->head_lpos - wk->tail_lpos))
		return TEXT_BAD;	/* outside the live part of the ring */
	if (get_u64(wk->data + off) != id)
		return TEXT_BAD;
	if (text_len > len - BLK_ID_SIZE)
		return TEXT_BAD;
	*text = wk->data + off + BLK_ID_SIZE;
	return TEXT_OK;
}

static struct mw_error *add_record(struct walk *wk, const struct mw_log_record *r,
				   const uint8_t *text)
{
	struct mw_log *log = wk->log;
	if (log->nr == wk->cap) {
		size_t cap = wk->cap ? wk->cap * 2 : 256;
		struct mw_log_record *v = realloc(log->v, cap * sizeof(*v));
		if (!v)
			return &mw_error_nomem;
		log->v = v;
		wk->cap = cap;
	}
	if (log->text_len + r->text_len + 1 > wk->text_cap) {
		size_t cap = wk->text_cap ? wk->text_cap : 4096;
		while (cap < log->text_len + r->text_len + 1)
			cap *= 2;
		char *t = realloc(log->text, cap);
		if (!t)
			return &mw_error_nomem;
		log->text = t;
		wk->text_cap = cap;
	}
	struct mw_log_record *d = &log->v[log->nr++];
	*d = *r;
	d->text_off = log->text_len;
	if (r->text_len)
		memcpy(log->text + log->text_len, text, r->text_len);
	log->text_len += r->text_len;
	log->text[log->text_len] = '\0';
	return NULL;
}

/* The seq - id difference most descriptors agree on (majority vote over
 * the readable ones; a corrupt seq cannot shift it). */
static bool seq_delta(const struct walk *wk, uint64_t tail, uint64_t n,
		      uint64_t *ret)
{
	const struct mw_printk_layout *l = wk->l;
	uint64_t cand = 0, votes = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t id = (tail + i) & ID_MASK;
		uint64_t slot = id & (wk->count - 1);
		uint64_t sv = get_u64(wk->descs + slot * l->desc_size + l->desc_state_var);
		unsigned st = (unsigned)(sv >> SV_STATE_SHIFT);
		if ((sv & ID_MASK) != id ||
		    (st != l->state_committed && st != l->state_finalized))
			continue;
		uint64_t seq = get_u64(wk->infos + slot * l->info_size + l->info_seq);
		uint64_t d = (seq - id) & ID_MASK;
		if (votes == 0) {
			cand = d;
			votes = 1;
		} else if (d == cand) {
			votes++;
		} else {
			votes--;
		}
	}
	if (votes == 0)
		return false;
	*ret = cand;
	return true;
}

static struct mw_error *walk_ids(struct walk *wk, uint64_t tail, uint64_t n)
{
	const struct mw_printk_layout *l = wk->l;
	struct mw_log *log = wk->log;
	uint64_t delta = 0;
	log->seq_known = seq_delta(wk, tail, n, &delta);
	bool seen_record = false;
	uint64_t reused_inside = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t id = (tail + i) & ID_MASK;
		uint64_t slot = id & (wk->count - 1);
		const uint8_t *d = wk->descs + slot * l->desc_size;
		const uint8_t *info = wk->infos + slot * l->info_size;
		uint64_t sv = get_u64(d + l->desc_state_var);
		unsigned st = (unsigned)(sv >> SV_STATE_SHIFT);
		uint64_t want_seq = (id + delta) & ID_MASK;
		if (i == 0 && log->seq_known)
			log->first_seq = want_seq;
		if ((sv & ID_MASK) != id) {
			note_lost(log, want_seq);
			continue;
		}
		if (st == l->state_reusable) {
			/* Reused from the oldest on; one just past a sound record
			 * is a block another CPU allocated first, recycled first. */
			if (seen_record)
				reused_inside++;
			else if (log->seq_known)
				log->first_seq = (want_seq + 1) & ID_MASK;
			continue;
		}
		if (st == l->state_reserved) {
			log->unfinished++;
			seen_record = true;
			continue;
		}
		if (st != l->state_committed && st != l->state_finalized) {
			note_lost(log, want_seq);
			continue;
		}
		seen_record = true;
		struct mw_log_record r = {
			.seq = get_u64(info + l->info_seq),
			.ts_nsec = get_u64(info + l->info_ts_nsec),
			.level = (uint8_t)get_bits(info, l->info_level_bit, l->info_level_bits),
			.flags = (uint8_t)get_bits(info, l->info_flags_bit, l->info_flags_bits),
			.facility = info[l->info_facility],
			.caller_id = get_u32(info + l->info_caller_id),
			.text_len = (size_t)(info[l->info_text_len] |
					     (uint16_t)info[l->info_text_len + 1] << 8),
		};
		if (!log->seq_known || r.seq != want_seq ||
		    (r.seq & (wk->count - 1)) != slot) {
			note_lost(log, want_seq);
			continue;
		}
		const uint8_t *lp = d + l->desc_text_lpos;
		const uint8_t *text = NULL;
		enum text_result tr = find_text(wk, id, get_u64(lp + l->lpos_begin),
						get_u64(lp + l->lpos_next),
						r.text_len, &text);
		if (tr == TEXT_NONE) {
			log->no_text++;
			continue;
		}
		if (tr == TEXT_BAD) {
			note_lost(log, want_seq);
			continue;
		}
		struct mw_error *err = add_record(wk, &r, text);
		if (err)
			return err;
	}
	if (log->seq_known)
		log->next_seq = (tail + n + delta) & ID_MASK;
	else
		log->first_seq = log->next_seq = 0;
	log->overwritten = log->first_seq + reused_inside;
	return NULL;
}

static void lost_warning(const struct mw_log *log, uint64_t bad_chunks,
			 struct mw_warnings *w)
{
	if (!log->lost && !log->ids_wrapped)
		return;
	char seqs[512] = "";
	size_t o = 0;
	for (size_t i = 0; i < log->nr_lost_ranges && o < sizeof(seqs); i++) {
		const struct mw_log_range *r = &log->lost_ranges[i];
		int n = r->first == r->last ?
			snprintf(seqs + o, sizeof(seqs) - o, "%s%" PRIu64,
				 i ? ", " : "", r->first) :
			snprintf(seqs + o, sizeof(seqs) - o, "%s%" PRIu64 "-%" PRIu64,
				 i ? ", " : "", r->first, r->last);
		if (n < 0)
			break;
		o += (size_t)n;
	}
	uint64_t named = 0;
	for (size_t i = 0; i < log->nr_lost_ranges; i++)
		named += log->lost_ranges[i].last - log->lost_ranges[i].first + 1;
	char unread[96] = "";
	if (bad_chunks)
		snprintf(unread, sizeof(unread), "; %" PRIu64 " pages of the ring not in the dump",
			 bad_chunks);
	mw_warn(w, "printk ring buffer: %" PRIu64 " records lost to corrupt descriptors or text%s%s%s%s%s",
		log->lost, log->nr_lost_ranges ? " (seq " : "", seqs,
		named < log->lost && log->nr_lost_ranges ? ", ..." : "",
		log->nr_lost_ranges ? ")" : "",
		log->ids_wrapped ? "; head and tail ids more than the ring apart (read the newest only)" : unread);
}

struct mw_error *mw_printk_read(const struct mw_printk_layout *l,
				mw_printk_read_fn *read, void *arg,
				uint64_t rb_addr, struct mw_warnings *w,
				struct mw_log *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!layout_sane(l))
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "printk ring buffer layout out of range");
	struct mw_error *err;
	uint32_t count_bits = 0, size_bits = 0;
	uint64_t descs = 0, infos = 0, head_id = 0, tail_id = 0, data = 0,
		head_lpos = 0, tail_lpos = 0, fail = 0;
	uint64_t dr = rb_addr + l->rb_desc_ring, tr = rb_addr + l->rb_text_ring;
	if ((err = read(arg, dr + l->dr_count_bits, &count_bits, 4)) ||
	    (err = read(arg, dr + l->dr_descs, &descs, 8)) ||
	    (err = read(arg, dr + l->dr_infos, &infos, 8)) ||
	    (err = read(arg, dr + l->dr_head_id, &head_id, 8)) ||
	    (err = read(arg, dr + l->dr_tail_id, &tail_id, 8)) ||
	    (err = read(arg, tr + l->ring_size_bits, &size_bits, 4)) ||
	    (err = read(arg, tr + l->ring_data, &data, 8)) ||
	    (err = read(arg, tr + l->ring_head_lpos, &head_lpos, 8)) ||
	    (err = read(arg, tr + l->ring_tail_lpos, &tail_lpos, 8)))
		return mw_error_prepend(err, "printk ring buffer at 0x%" PRIx64, rb_addr);
	if (l->has_fail && (err = read(arg, rb_addr + l->rb_fail, &fail, 8))) {
		mw_error_destroy(err);
		fail = 0;
	}
	if (count_bits < 1 || count_bits > MW_PRINTK_MAX_COUNT_BITS ||
	    size_bits < 4 || size_bits > MW_PRINTK_MAX_SIZE_BITS)
		return mw_error_at(MW_ERR_BAD_DATA, rb_addr,
				   "printk ring buffer of 2^%" PRIu32 " descriptors and 2^%" PRIu32
				   " text bytes (bounds: 2^%d, 2^%d)", count_bits, size_bits,
				   MW_PRINTK_MAX_COUNT_BITS, MW_PRINTK_MAX_SIZE_BITS);
	struct walk wk = {
		.l = l,
		.count = 1ULL << count_bits,
		.size = 1ULL << size_bits,
		.head_lpos = head_lpos,
		.tail_lpos = tail_lpos,
		.log = ret,
	};
	wk.data_bounds = head_lpos - tail_lpos <= wk.size;
	ret->count = wk.count;
	ret->text_size = wk.size;
	ret->reserve_failed = fail;
	wk.descs = malloc(wk.count * l->desc_size);
	wk.infos = malloc(wk.count * l->info_size + 2);	/* +2: bitfield reads */
	wk.data = malloc(wk.size);
	if (!wk.descs || !wk.infos || !wk.data) {
		free(wk.descs);
		free(wk.infos);
		free(wk.data);
		return &mw_error_nomem;
	}
	memset(wk.infos + wk.count * l->info_size, 0, 2);
	uint64_t bad = 0;
	read_region(read, arg, descs, wk.descs, wk.count * l->desc_size, &bad);
	read_region(read, arg, infos, wk.infos, wk.count * l->info_size, &bad);
	read_region(read, arg, data, wk.data, wk.size, &bad);

	head_id &= ID_MASK;
	tail_id &= ID_MASK;
	uint64_t n = ((head_id - tail_id) & ID_MASK) + 1;
	if (n > wk.count) {
		ret->ids_wrapped = true;
		n = wk.count;
		tail_id = (head_id - wk.count + 1) & ID_MASK;
	}
	err = walk_ids(&wk, tail_id, n);
	free(wk.descs);
	free(wk.infos);
	free(wk.data);
	if (err) {
		mw_log_deinit(ret);
		return err;
	}
	lost_warning(ret, bad, w);
	return NULL;
}

void mw_log_deinit(struct mw_log *log)
{
	free(log->v);
	free(log->text);
	memset(log, 0, sizeof(*log));
}

/* ---- from the dump ---- */

struct mw_error *mw_log_read(struct mw_kernel *k, struct mw_warnings *w,
			     struct mw_log *ret)
{
	const struct mw_dump_info *info = mw_reader_info(k->reader);
	struct mw_printk_layout l;
	struct mw_error *err = k->types ? mw_printk_layout_from_types(k->types, &l) :
		mw_error_create(MW_ERR_NOT_FOUND, "no types");
	if (err) {
		struct mw_error *e2 = mw_printk_layout_from_vmcoreinfo(info, &l);
		if (e2) {
			mw_error_destroy(e2);
			return mw_error_prepend(err, "printk ring buffer layout");
		}
		mw_error_destroy(err);
	}
	uint64_t prb_sym = 0, rb = 0;
	if ((err = mw_kernel_symbol(k, "prb", &prb_sym))) {
		struct mw_error *e2 = mw_vmcoreinfo_u64(info, "SYMBOL(prb)", &prb_sym);
		if (e2) {
			mw_error_destroy(e2);
			return mw_error_prepend(err, "the printk ring buffer (5.10+)");
		}
		mw_error_destroy(err);
	}
	if ((err = mw_kernel_read(k, prb_sym, &rb, sizeof(rb))))
		return mw_error_prepend(err, "reading prb");
	return mw_printk_read(&l, mw_vm_read_cb, &k->vm, rb, w, ret);
}

/* ---- names ---- */

static const char *const level_names[8] = {
	"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
};

int mw_log_level_parse(const char *s)
{
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return s[0] - '0';
	for (int i = 0; i < 8; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return 4;
	if (strcmp(s, "error") == 0)
		return 3;
	return -1;
}

const char *mw_log_level_name(unsigned level)
{
	return level < 8 ? level_names[level] : "?";
}

void mw_log_caller(uint32_t caller_id, char *buf, size_t len)
{
	if (caller_id & CALLER_CPU)
		snprintf(buf, len, "C%" PRIu32, caller_id & ~CALLER_CPU);
	else
		snprintf(buf, len, "T%" PRIu32, caller_id);
}
