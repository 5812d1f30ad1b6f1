#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "btf/kallsyms.h"

enum {
	TOKEN_TABLE_MAX = 64 * 1024,	/* 256 tokens, each short */
	NAMES_CHUNK = 64 * 1024,	/* read kallsyms_names in chunks */
	TOKEN_SLACK = 16,		/* bytes copied at once when decoding */
};

/* A forward-only window over kallsyms_names. */
struct names_cursor {
	mw_read_fn *read;
	void *arg;
	uint64_t base;		/* address of kallsyms_names */
	uint64_t pos;		/* offset of the next byte */
	uint64_t win_start;	/* offset of buf[0] */
	size_t win_len;
	uint8_t buf[NAMES_CHUNK];
};

static struct mw_error *cursor_refill(struct names_cursor *c, uint8_t *ret)
{
	/* The table may end just before memory that cannot be read:
	 * shrink the window until the read succeeds. */
	size_t want = sizeof(c->buf);
	struct mw_error *err;
	while ((err = c->read(c->arg, c->base + c->pos, c->buf, want))) {
		if (want == 1)
			return mw_error_prepend(err, "reading kallsyms_names");
		mw_error_destroy(err);
		want /= 2;
	}
	c->win_start = c->pos;
	c->win_len = want;
	*ret = c->buf[0];
	c->pos++;
	return NULL;
}

static inline struct mw_error *cursor_byte(struct names_cursor *c, uint8_t *ret)
{
	/* pos below win_start wraps to a large distance: refill */
	if (c->pos - c->win_start < c->win_len) {
		*ret = c->buf[c->pos - c->win_start];
		c->pos++;
		return NULL;
	}
	return cursor_refill(c, ret);
}

/* n bytes (n < 2^15) into dst, across windows. */
static struct mw_error *cursor_bytes(struct names_cursor *c, size_t n, uint8_t *dst)
{
	for (size_t i = 0; i < n; i++) {
		struct mw_error *err = cursor_byte(c, &dst[i]);
		if (err)
			return err;
	}
	return NULL;
}

struct mw_error *mw_kallsyms_decode(const struct mw_kallsyms_tables *t,
				    mw_read_fn *read, void *read_arg,
				    mw_ksym_fn *fn, void *fn_arg)
{
	struct mw_error *err;
	uint32_t num;
	uint16_t token_index[256];
	char *tokens = NULL;
	int32_t *offsets = NULL;
	uint64_t *addresses = NULL;
	struct names_cursor *cur = NULL;

	if (!t->num_syms || !t->names || !t->token_table || !t->token_index ||
	    !(t->addresses || t->offsets))
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "VMCOREINFO lacks the kallsyms tables (Linux 6.0 or later has them)");
	if ((err = read(read_arg, t->num_syms, &num, sizeof(num))))
		return mw_error_prepend(err, "reading kallsyms_num_syms");
	if (num == 0 || num > MW_KALLSYMS_MAX)
		return mw_error_at(MW_ERR_BAD_DATA, t->num_syms,
				   "kallsyms_num_syms is %u", num);
	if ((err = read(read_arg, t->token_index, token_index, sizeof(token_index))))
		return mw_error_prepend(err, "reading kallsyms_token_index");
	uint32_t tok_len = 0;
	for (int i = 0; i < 256; i++)
		if (token_index[i] >= tok_len)
			tok_len = token_index[i];
	/* the last token is short; read a little past the largest index */
	tok_len += 256;
	tokens = calloc(1, tok_len + 1 + TOKEN_SLACK);
	if (!tokens)
		return &mw_error_nomem;
	if ((err = read(read_arg, t->token_table, tokens, tok_len))) {
		err = mw_error_prepend(err, "reading kallsyms_token_table");
		goto out;
	}
	tokens[tok_len] = '\0';
	uint16_t token_len[256];
	for (int i = 0; i < 256; i++)
		token_len[i] = (uint16_t)strlen(tokens + token_index[i]);

	uint64_t relative_base = 0;
	bool absolute_percpu = false;
	/* offsets without relative_base: each entry is relative to itself */
	bool place_relative = t->offsets && !t->relative_base;
	if (t->offsets) {
		if (t->relative_base &&
		    (err = read(read_arg, t->relative_base, &relative_base,
				sizeof(relative_base)))) {
			err = mw_error_prepend(err, "reading kallsyms_relative_base");
			goto out;
		}
		offsets = malloc((size_t)num * sizeof(*offsets));
		if (!offsets) {
			err = &mw_error_nomem;
			goto out;
		}
		if ((err = read(read_arg, t->offsets, offsets,
				(size_t)num * sizeof(*offsets)))) {
			err = mw_error_prepend(err, "reading kallsyms_offsets");
			goto out;
		}
		/*
		 * Base-relative offsets are unsigned 32-bit distances from
		 * relative_base, which never reach 2 GiB within the kernel
		 * image. With CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64 SMP
		 * until 6.15) image symbols are stored as -1 - distance and
		 * per-CPU symbols as absolute non-negative values: a negative
		 * entry tells which encoding this kernel used.
		 * Kernels that no longer have kallsyms_relative_base (seen
		 * on 7.2 and 7.3) store each entry as the signed distance
		 * from the entry's own address to the symbol.
		 */
		for (uint32_t i = 0; i < num && !place_relative; i++)
			if (offsets[i] < 0) {
				absolute_percpu = true;
				break;
			}
	} else {
		addresses = malloc((size_t)num * sizeof(*addresses));
		if (!addresses) {
			err = &mw_error_nomem;
			goto out;
		}
		if ((err = read(read_arg, t->addresses, addresses,
				(size_t)num * sizeof(*addresses)))) {
			err = mw_error_prepend(err, "reading kallsyms_addresses");
			goto out;
		}
	}

	cur = calloc(1, sizeof(*cur));
	if (!cur) {
		err = &mw_error_nomem;
		goto out;
	}
	cur->read = read;
	cur->arg = read_arg;
	cur->base = t->names;

	char name[MW_KSYM_NAME_MAX + 1 + TOKEN_SLACK];
	uint8_t record[1 << 15];	/* a record's bytes when it spans windows */
	for (uint32_t i = 0; i < num; i++) {
		uint8_t b = 0;
		if ((err = cursor_byte(cur, &b)))
			goto out;
		uint32_t len = b;
		if (b & 0x80) {	/* long name: 7 more bits in the next byte */
			if ((err = cursor_byte(cur, &b)))
				goto out;
			len = (len & 0x7f) | ((uint32_t)b << 7);
		}
		size_t n = 0;
		bool too_long = false;
		const uint8_t *q;
		size_t at = (size_t)(cur->pos - cur->win_start);
		if (cur->pos >= cur->win_start && at <= cur->win_len &&
		    len <= cur->win_len - at) {
			/* the whole record is in the window: no byte-wise reads */
			q = cur->buf + at;
			cur->pos += len;
		} else {
			if ((err = cursor_bytes(cur, len, record)))
				goto out;
			q = record;
		}
		for (uint32_t k = 0; k < len; k++) {
			size_t tl = token_len[q[k]];
			const char *src = tokens + token_index[q[k]];
			if (tl > MW_KSYM_NAME_MAX - n) {
				too_long = true;
				break;
			}
			/* tokens are short: copy a TOKEN_SLACK-byte block
			 * (both buffers have the room) instead of calling memcpy
			 * with a variable length */
			if (tl <= TOKEN_SLACK)
				memcpy(name + n, src, TOKEN_SLACK);
			else
				memcpy(name + n, src, tl);
			n += tl;
		}
		if (n == 0 || too_long) {
			err = mw_error_at(MW_ERR_BAD_DATA, t->names + cur->pos,
					  "kallsyms name %u is %s", i,
					  n ? "too long" : "empty");
			goto out;
		}
		name[n] = '\0';
		uint64_t addr;
		if (addresses)
			addr = addresses[i];
		else if (place_relative)
			addr = t->offsets + (uint64_t)i * sizeof(*offsets) +
			       (uint64_t)(int64_t)offsets[i];
		else if (!absolute_percpu)
			addr = relative_base + (uint32_t)offsets[i];
		else if (offsets[i] >= 0)
			addr = (uint64_t)offsets[i];
		else
			addr = relative_base - 1 - (uint64_t)(int64_t)offsets[i];
		/* the first character is the symbol's type letter */
		if ((err = fn(fn_arg, name + 1, n - 1, name[0], addr)))
			goto out;
	}
out:
	free(cur);
	free(addresses);
	free(offsets);
	free(tokens);
	return err;
}

/* ---- finding the tables in the kernel image (no kallsyms in VMCOREINFO) ---- */

enum {
	SCAN_CHUNK = 64 * 1024,
	SCAN_PIECE = 4096,
	MIN_SYMS = 1000,		/* a kernel has many more */
	MARKER_STRIDE = 256,		/* kallsyms_markers: one per 256 names */
};

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

/* The end of kallsyms_names: num length-prefixed records from names. */
static struct mw_error *names_end(mw_read_fn *read, void *arg, uint64_t names,
				  uint32_t num, uint64_t limit, uint64_t *ret)
{
	struct names_cursor *c = calloc(1, sizeof(*c));
	if (!c)
		return &mw_error_nomem;
	c->read = read;
	c->arg = arg;
	c->base = names;
	struct mw_error *err = NULL;
	for (uint32_t i = 0; i < num && !err; i++) {
		uint8_t b = 0;
		if ((err = cursor_byte(c, &b)))
			break;
		uint32_t len = b;
		if (b & 0x80) {
			if ((err = cursor_byte(c, &b)))
				break;
			len = (len & 0x7f) | ((uint32_t)b << 7);
		}
		if (len == 0 || c->pos + len > limit) {
			err = mw_error_create(MW_ERR_BAD_DATA, "not a kallsyms_names table");
			break;
		}
		c->pos += len;
	}
	*ret = names + c->pos;
	free(c);
	return err;
}

/* A read whose failure only means "not here" (the error is dropped). */
static bool read_ok(mw_read_fn *read, void *arg, uint64_t addr, void *buf, size_t len)
{
	struct mw_error *err = read(arg, addr, buf, len);
	if (!err)
		return true;
	mw_error_destroy(err);
	return false;
}

/* token_table then token_index at tt: 256 strings whose offsets the index
 * lists.  true with the index's address when they are. */
static bool tokens_at(mw_read_fn *read, void *arg, uint64_t tt, uint64_t *index)
{
	char buf[4096];
	if (!read_ok(read, arg, tt, buf, sizeof(buf)))
		return false;
	uint16_t off[256];
	size_t pos = 0;
	for (int i = 0; i < 256; i++) {
		if (pos >= sizeof(buf))
			return false;
		off[i] = (uint16_t)pos;
		size_t n = strnlen(buf + pos, sizeof(buf) - pos);
		if (n == 0 || pos + n >= sizeof(buf))
			return false;
		pos += n + 1;
	}
	uint16_t idx[256];
	uint64_t ia = align8(tt + pos);
	if (!read_ok(read, arg, ia, idx, sizeof(idx)) || memcmp(idx, off, sizeof(idx)))
		return false;
	*index = ia;
	return true;
}

/* Is the u64 at rb kallsyms_relative_base? Fills t when it is. */
static bool tables_at(mw_read_fn *read, void *arg, uint64_t start, uint64_t end,
		      uint64_t rb, struct mw_kallsyms_tables *t)
{
	uint32_t num;
	if (!read_ok(read, arg, rb + 8, &num, sizeof(num)) || num < MIN_SYMS ||
	    num > MW_KALLSYMS_MAX)
		return false;
	uint64_t offsets = rb - align8((uint64_t)num * 4);
	if (offsets < start || offsets > rb)
		return false;
	uint64_t names = align8(rb + 8 + 4), nend;
	struct mw_error *err = names_end(read, arg, names, num, end - names, &nend);
	if (err) {
		mw_error_destroy(err);
		return false;
	}
	/* kallsyms_markers: u32 (5.x) or unsigned long (older) per 256 names */
	uint64_t nmark = ((uint64_t)num + MARKER_STRIDE - 1) / MARKER_STRIDE;
	for (unsigned sz = 4; sz <= 8; sz += 4) {
		uint64_t tt = align8(align8(nend) + nmark * sz), index;
		if (tokens_at(read, arg, tt, &index)) {
			*t = (struct mw_kallsyms_tables){
				.num_syms = rb + 8, .names = names, .token_table = tt,
				.token_index = index, .offsets = offsets, .relative_base = rb,
			};
			return true;
		}
	}
	return false;
}

struct mw_error *mw_kallsyms_find(uint64_t text, uint64_t len,
				  mw_read_fn *read, void *read_arg,
				  struct mw_kallsyms_tables *ret)
{
	uint64_t *buf = malloc(SCAN_CHUNK);
	if (!buf)
		return &mw_error_nomem;
	uint64_t end = text + len;
	bool found = false;
	for (uint64_t at = text & ~(uint64_t)7; at < end && !found; at += SCAN_CHUNK) {
		size_t piece = SCAN_CHUNK;
		if (!read_ok(read, read_arg, at, buf, SCAN_CHUNK))
			piece = SCAN_PIECE;	/* a hole in the chunk: page by page */
		/* unreadable pieces (a filtered dump may leave out the whole
		 * kernel text) are skipped: len bounds the scan */
		for (size_t p = 0; p < SCAN_CHUNK && !found; p += piece) {
			if (piece != SCAN_CHUNK &&
			    !read_ok(read, read_arg, at + p, (uint8_t *)buf + p, piece))
				continue;
			for (size_t i = p / 8; i < (p + piece) / 8 && !found; i++)
				if (buf[i] == text)
					found = tables_at(read, read_arg, text, end, at + i * 8, ret);
		}
	}
	free(buf);
	if (!found)
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "no kallsyms tables in the %" PRIu64 " MiB of the kernel image after _stext",
				       len >> 20);
	return NULL;
}
