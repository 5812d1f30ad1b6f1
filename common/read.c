#include "config.h"

#include <string.h>

#include "common/read.h"

enum { STRING_CHUNK = 4096 };	/* a string is read up to each page end */

struct mw_error *mw_read_string(mw_read_fn *read, void *arg, uint64_t addr,
				char *buf, size_t len)
{
	size_t got = 0;
	if (len == 0)
		return NULL;
	buf[0] = '\0';
	while (got + 1 < len) {
		size_t n = STRING_CHUNK - (size_t)((addr + got) & (STRING_CHUNK - 1));
		if (n > len - 1 - got)
			n = len - 1 - got;
		struct mw_error *err = read(arg, addr + got, buf + got, n);
		if (err) {
			buf[got] = '\0';
			return err;
		}
		if (memchr(buf + got, '\0', n))
			return NULL;
		got += n;
	}
	buf[got] = '\0';
	return NULL;
}
