#include "config.h"
#include "error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mw_error mw_error_nomem = {
	.code = MW_ERR_NOMEM,
	.message = (char *)"out of memory",
};

static struct mw_error *error_vcreate(enum mw_error_code code,
				      enum mw_error_where where,
				      uint64_t address, const char *fmt,
				      va_list ap)
{
	struct mw_error *err = calloc(1, sizeof(*err));
	if (!err)
		return &mw_error_nomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &mw_error_nomem;
	}
	err->code = code;
	err->where = where;
	err->address = address;
	return err;
}

struct mw_error *mw_error_create(enum mw_error_code code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct mw_error *err = error_vcreate(code, MW_WHERE_NONE, 0, fmt, ap);
	va_end(ap);
	return err;
}

struct mw_error *mw_error_at(enum mw_error_code code, uint64_t address,
			     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct mw_error *err = error_vcreate(code, MW_WHERE_ADDRESS, address,
					     fmt, ap);
	va_end(ap);
	return err;
}

struct mw_error *mw_error_at_offset(enum mw_error_code code, uint64_t offset,
				    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct mw_error *err = error_vcreate(code, MW_WHERE_OFFSET, offset,
					     fmt, ap);
	va_end(ap);
	return err;
}

struct mw_error *mw_error_errno(int errnum, const char *fmt, ...)
{
	char *what;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &mw_error_nomem;
	struct mw_error *err = mw_error_create(MW_ERR_IO, "%s: %s", what,
					       strerror(errnum));
	free(what);
	return err;
}

struct mw_error *mw_error_prepend(struct mw_error *err, const char *fmt, ...)
{
	if (!err || err == &mw_error_nomem)
		return err;
	char *ctx, *msg;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&ctx, fmt, ap);
	va_end(ap);
	if (r < 0)
		return err;	/* keep the original message */
	if (asprintf(&msg, "%s: %s", ctx, err->message) >= 0) {
		free(err->message);
		err->message = msg;
	}
	free(ctx);
	return err;
}

void mw_error_destroy(struct mw_error *err)
{
	if (!err || err == &mw_error_nomem)
		return;
	free(err->message);
	free(err);
}

char *mw_error_string(const struct mw_error *err)
{
	char *s = NULL;
	int r;
	switch (err->where) {
	case MW_WHERE_ADDRESS:
		r = asprintf(&s, "%s (at 0x%" PRIx64 ")", err->message,
			     err->address);
		break;
	case MW_WHERE_OFFSET:
		r = asprintf(&s, "%s (file offset %" PRIu64 ")", err->message,
			     err->address);
		break;
	default:
		r = asprintf(&s, "%s", err->message);
		break;
	}
	return r < 0 ? NULL : s;
}

const char *mw_error_code_name(enum mw_error_code code)
{
	switch (code) {
	case MW_ERR_NOMEM: return "nomem";
	case MW_ERR_IO: return "io";
	case MW_ERR_FORMAT: return "format";
	case MW_ERR_UNSUPPORTED: return "unsupported";
	case MW_ERR_USAGE: return "usage";
	case MW_ERR_HOLE: return "hole";
	case MW_ERR_NOT_IN_DUMP: return "not-in-dump";
	case MW_ERR_NOT_MAPPED: return "not-mapped";
	case MW_ERR_NOT_FOUND: return "not-found";
	case MW_ERR_LIMIT: return "limit";
	case MW_ERR_BAD_DATA: return "bad-data";
	}
	return "unknown";
}
