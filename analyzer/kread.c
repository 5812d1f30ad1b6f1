#include "config.h"

#include <string.h>

#include "analyzer/kread.h"

void mw_kcur_bytes(struct mw_kcur *c, uint64_t addr, void *buf, size_t len)
{
	if (c->err) {
		memset(buf, 0, len);
		return;
	}
	if ((c->err = c->read(c->arg, addr, buf, len)))
		memset(buf, 0, len);
}

uint64_t mw_kcur_uint(struct mw_kcur *c, uint64_t addr, unsigned size)
{
	uint8_t b[8] = { 0 };
	if (size == 0 || size > 8)
		size = 8;
	mw_kcur_bytes(c, addr, b, size);
	return mw_le_uint(b, sizeof(b), 0, size);
}
