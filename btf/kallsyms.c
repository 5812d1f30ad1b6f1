#include "config.h"

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
	mw_kread_fn *read;
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
				    mw_kread_fn *read, void *read_arg,
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
	    !(t->addresses || (t->offsets && t->relative_base)))
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
	if (t->offsets && t->relative_base) {
		if ((err = read(read_arg, t->relative_base, &relative_base,
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
		 */
		for (uint32_t i = 0; i < num; i++)
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
