/* Fuzz the kallsyms decoder: the input is a fake kernel memory image; the
 * table addresses come from its first bytes. */
#include "config.h"

#include <string.h>

#include "btf/kallsyms.h"
#include "fuzz/fuzz.h"
#include "tests/fakemem.h"

enum { BASE = 0x1000, HDR = 7 * 4 };

static struct mw_error *count(void *arg, const char *name, size_t len, char type,
			     uint64_t addr)
{
	if (strlen(name) != len)
		__builtin_trap();	/* the decoder must report the real length */
	(*(size_t *)arg) += len + (size_t)type + (size_t)(addr & 1);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	uint32_t off[7];
	memcpy(off, data, sizeof(off));
	struct fakemem im;
	fakemem_over(&im, BASE, data, size);
	/* table addresses as offsets into the image; 0 stays "absent" */
	uint64_t *slots[7];
	struct mw_kallsyms_tables t = { 0 };
	slots[0] = &t.num_syms;
	slots[1] = &t.names;
	slots[2] = &t.token_table;
	slots[3] = &t.token_index;
	slots[4] = &t.offsets;
	slots[5] = &t.relative_base;
	slots[6] = &t.addresses;
	for (int i = 0; i < 7; i++)
		*slots[i] = off[i] ? BASE + (off[i] % size) : 0;
	size_t sum = 0;
	mw_error_destroy(mw_kallsyms_decode(&t, fakemem_read, &im, count, &sum));
	return 0;
}
