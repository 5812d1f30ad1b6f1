/* memwhere: the one error type.
 *
 * Fallible functions return a struct mw_error * (NULL on success). An error
 * carries a code, a message and, where known, the dump address or file
 * offset it is about. Context is prepended as the error travels up:
 *   err = mw_error_prepend(err, "reading mem_section");
 * Library code never prints; the command line renders errors in one place.
 */
#ifndef MW_ERROR_H
#define MW_ERROR_H

#include <stdbool.h>
#include <stdint.h>

enum mw_error_code {
	MW_ERR_NOMEM = 1,	/* allocation failed */
	MW_ERR_IO,		/* read/open of a file failed (errno in message) */
	MW_ERR_FORMAT,		/* the dump or a type file is corrupt or truncated */
	MW_ERR_UNSUPPORTED,	/* valid input we do not handle */
	MW_ERR_USAGE,		/* bad arguments */
	MW_ERR_HOLE,		/* physical address is not in any memory range */
	MW_ERR_NOT_IN_DUMP,	/* page exists but the dump left it out */
	MW_ERR_NOT_MAPPED,	/* virtual address has no translation */
	MW_ERR_NOT_FOUND,	/* symbol, type or member not found */
	MW_ERR_LIMIT,		/* a bound was hit (list too long, loop, size) */
	MW_ERR_BAD_DATA,	/* kernel data in the dump is inconsistent */
};

enum mw_error_where {
	MW_WHERE_NONE = 0,
	MW_WHERE_ADDRESS,	/* address: physical or virtual memory address */
	MW_WHERE_OFFSET,	/* address: byte offset in a file */
};

struct mw_error {
	enum mw_error_code code;
	enum mw_error_where where;
	uint64_t address;
	char *message;
};

/* Returned when allocating an error itself fails; never freed. */
extern struct mw_error mw_error_nomem;

struct mw_error *mw_error_create(enum mw_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct mw_error *mw_error_at(enum mw_error_code code, uint64_t address,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct mw_error *mw_error_at_offset(enum mw_error_code code, uint64_t offset,
				    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* errno-based I/O error: "<what>: <strerror(errnum)>" */
struct mw_error *mw_error_errno(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepend "<context>: " to err's message; returns err (NULL stays NULL). */
struct mw_error *mw_error_prepend(struct mw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mw_error_destroy(struct mw_error *err);
/* One line: message, plus " (at 0x...)" / " (offset N)" if set. Caller frees. */
char *mw_error_string(const struct mw_error *err);
const char *mw_error_code_name(enum mw_error_code code);

#endif
