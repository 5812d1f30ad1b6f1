/* memwhere: text formatting helpers: a growing string, byte sizes. */
#ifndef MW_FORMAT_H
#define MW_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A string that grows as it is written; never truncated. After a failed
 * allocation it keeps what it had and nomem is set. */
struct mw_str {
	char *s;		/* NUL-terminated, NULL until written */
	size_t len, cap;
	bool nomem;
};
void mw_str_printf(struct mw_str *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text ("" if nothing was written), which the caller frees; NULL only
 * when out of memory. b is empty again. */
char *mw_str_take(struct mw_str *b);
void mw_str_deinit(struct mw_str *b);

/* How byte sizes are written. */
enum mw_bytes_style {
	MW_BYTES_EXACT,		/* "512 B", "1.5 KiB", "23.4 MiB" (binary, one decimal;
				 * none from 1000 to 1023 of a unit: "1008 KiB") */
	MW_BYTES_ROUNDED,	/* "512 KiB", "23.4 MiB", "1.2 GiB" (KiB at least, to GiB) */
};
enum { MW_BYTES_LEN = 32 };	/* enough for any uint64_t in either style */
/* b in buf, which holds MW_BYTES_LEN; returns buf. */
const char *mw_bytes(uint64_t b, enum mw_bytes_style style, char *buf);

#endif
