/* memwhere command line: text output that a name from the dump cannot
 * turn into terminal control.
 *
 * Names read from a dump (file names, cgroup names, task comm, socket
 * paths, log text) are bytes anyone on the dumped machine chose: an ESC
 * sequence in a /dev/shm file name would otherwise clear or rewrite the
 * terminal of whoever runs `memwhere files`. Text output goes through a
 * stream that writes, as `ls -b` does, every control byte (but newline
 * and tab), DEL, C1 control and byte that is not valid UTF-8 as an
 * escape: "\x1b". Valid UTF-8 (the tables' box characters and
 * bars) passes unchanged. JSON output has its own escaping (RFC 8259).
 */
#ifndef MW_CLI_ESCAPE_H
#define MW_CLI_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* A stream over to that escapes as above; NULL if one cannot be made.
 * fclose it (which does not close to) before to is flushed for the last
 * time. */
FILE *mw_escaping_stream(FILE *to);

/* The same escaping of n bytes, for one buffer: into out (at most
 * out_len - 1 bytes and a NUL); returns the length it needed. */
size_t mw_escape_text(const char *s, size_t n, char *out, size_t out_len);

#endif
