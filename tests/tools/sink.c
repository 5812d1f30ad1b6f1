/* mw-convert: where the output goes.
 *
 * A plain file is written with pwrite() at the dump's own offsets. A
 * flattened stream (makedumpfile -F) cannot seek: it is a 4096-byte header
 * ("makedumpfile", type 1, version 1, big-endian), then records of
 * { int64 offset, int64 size } (big-endian) each followed by size bytes
 * that belong at offset in the rearranged file, then an end record with
 * both fields -1. Records may come in any order; `makedumpfile -R`
 * rebuilds the file from them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/tools/convert.h"

enum {
	FLAT_HEADER_SIZE = 4096,
	FLAT_TYPE = 1,
	FLAT_VERSION = 1,
	FLAT_RECORD_HEADER = 16,
	/* bound one record so a reader never needs a huge buffer */
	FLAT_RECORD_MAX = 1 << 20,
};

static struct mw_error *write_all(struct mw_sink *s, const void *buf,
				  size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = write(s->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mw_error_errno(errno, "%s: write", s->path);
		}
		p += n;
		len -= (size_t)n;
	}
	return NULL;
}

static struct mw_error *pwrite_all(struct mw_sink *s, uint64_t off,
				   const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(s->fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mw_error_errno(errno, "%s: write at offset %llu",
					      s->path, (unsigned long long)off);
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return NULL;
}

struct mw_error *mw_sink_open(const char *path, bool flatten,
			      struct mw_sink *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->path = path;
	ret->flatten = flatten;
	if (strcmp(path, "-") == 0) {
		if (!flatten)
			return mw_error_create(MW_ERR_USAGE,
					       "only a flattened dump can go to standard output");
		ret->fd = STDOUT_FILENO;
		ret->path = "<stdout>";
	} else {
		ret->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			       0644);
		if (ret->fd < 0)
			return mw_error_errno(errno, "%s", path);
		ret->close_fd = true;
	}
	if (flatten) {
		uint8_t hdr[FLAT_HEADER_SIZE];
		memset(hdr, 0, sizeof(hdr));
		memcpy(hdr, "makedumpfile", 12);	/* padded to 16 */
		mw_put_be64(hdr + 16, FLAT_TYPE);
		mw_put_be64(hdr + 24, FLAT_VERSION);
		struct mw_error *err = write_all(ret, hdr, sizeof(hdr));
		if (err) {
			mw_sink_abort(ret);
			return err;
		}
	}
	return NULL;
}

struct mw_error *mw_sink_pwrite(struct mw_sink *s, uint64_t off,
				const void *buf, size_t len)
{
	if (len == 0)
		return NULL;
	if (off > INT64_MAX - len)
		return mw_error_create(MW_ERR_LIMIT, "%s: offset too large",
				       s->path);
	if (off + len > s->end)
		s->end = off + len;
	if (!s->flatten)
		return pwrite_all(s, off, buf, len);

	const uint8_t *p = buf;
	while (len) {
		size_t n = len < FLAT_RECORD_MAX ? len : FLAT_RECORD_MAX;
		uint8_t rec[FLAT_RECORD_HEADER];
		mw_put_be64(rec, off);
		mw_put_be64(rec + 8, n);
		struct mw_error *err = write_all(s, rec, sizeof(rec));
		if (!err)
			err = write_all(s, p, n);
		if (err)
			return err;
		p += n;
		off += n;
		len -= n;
	}
	return NULL;
}

struct mw_error *mw_sink_close(struct mw_sink *s)
{
	struct mw_error *err = NULL;
	if (s->flatten) {
		uint8_t rec[FLAT_RECORD_HEADER];
		mw_put_be64(rec, UINT64_MAX);	/* -1, -1 */
		mw_put_be64(rec + 8, UINT64_MAX);
		err = write_all(s, rec, sizeof(rec));
	} else if (ftruncate(s->fd, (off_t)s->end) < 0) {
		err = mw_error_errno(errno, "%s: truncate", s->path);
	}
	if (s->close_fd && close(s->fd) < 0 && !err)
		err = mw_error_errno(errno, "%s: close", s->path);
	s->fd = -1;
	return err;
}

void mw_sink_abort(struct mw_sink *s)
{
	if (s->close_fd && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

struct mw_error *mw_wbuf_init(struct mw_wbuf *w, struct mw_sink *sink,
			      uint64_t off, size_t cap)
{
	w->sink = sink;
	w->off = off;
	w->len = 0;
	w->cap = cap;
	w->buf = malloc(cap);
	return w->buf ? NULL : &mw_error_nomem;
}

struct mw_error *mw_wbuf_flush(struct mw_wbuf *w)
{
	struct mw_error *err = mw_sink_pwrite(w->sink, w->off, w->buf, w->len);
	if (err)
		return err;
	w->off += w->len;
	w->len = 0;
	return NULL;
}

struct mw_error *mw_wbuf_append(struct mw_wbuf *w, const void *data,
				size_t len)
{
	const uint8_t *p = data;
	while (len) {
		if (w->len == w->cap) {
			struct mw_error *err = mw_wbuf_flush(w);
			if (err)
				return err;
		}
		size_t n = w->cap - w->len;
		if (n > len)
			n = len;
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		p += n;
		len -= n;
	}
	return NULL;
}

void mw_wbuf_deinit(struct mw_wbuf *w)
{
	free(w->buf);
	w->buf = NULL;
}
