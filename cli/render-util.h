/* memwhere: small helpers every text renderer uses. */
#ifndef MW_RENDER_UTIL_H
#define MW_RENDER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "512 B", "1.5 KiB", "23.4 MiB", ... (binary units, one decimal). */
void mw_human_bytes(uint64_t b, char *buf, size_t len);
/* Does the locale (LC_ALL, LC_CTYPE, LANG) speak UTF-8? */
bool mw_utf8_locale(void);
/* A bar of fraction * width cells: block characters in eighths with UTF-8,
 * '#' otherwise; padded with spaces to width cells if pad. */
void mw_bar(FILE *o, double fraction, int width, bool utf8, bool pad);

struct mw_json;
struct mw_finding;
/* The contract's finding fields (id, severity, title, bytes, evidence,
 * advice) into an open JSON object. */
void mw_json_finding_fields(struct mw_json *j, const struct mw_finding *f);

#endif
