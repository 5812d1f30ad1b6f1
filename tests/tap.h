/* Minimal TAP producer for memwhere's C tests. */
#ifndef MW_TAP_H
#define MW_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_plan(int n) { printf("1..%d\n", n); fflush(stdout); }

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline void tap_skip(const char *why) { printf("ok %d # SKIP %s\n", ++tap_n, why); }

/* End with a plan if none was given first; exit status reflects failures. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#define tap_is_str(got, want, ...) \
	(tap_ok(strcmp((got), (want)) == 0, __VA_ARGS__) || \
	 (tap_diag("got:  '%s'", (got)), tap_diag("want: '%s'", (want)), 0))

#endif
