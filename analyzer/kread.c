#include "config.h"

#include <string.h>

#include "analyzer/kread.h"

struct mw_error *mw_kread_string(struct mw_kernel *k, uint64_t addr, char *buf,
				 size_t len)
{
	size_t got = 0;
	if (len == 0)
		return NULL;
	buf[0] = '\0';
	while (got + 1 < len) {
		size_t n = 4096 - (size_t)((addr + got) & 4095);
		if (n > len - 1 - got)
			n = len - 1 - got;
		struct mw_error *err = mw_kernel_read(k, addr + got, buf + got, n);
		if (err) {
			buf[got] = '\0';
			return err;
		}
		char *nul = memchr(buf + got, '\0', n);
		if (nul)
			return NULL;
		got += n;
	}
	buf[got] = '\0';
	return NULL;
}
