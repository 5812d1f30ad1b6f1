/* The fake kernel memory image of the unit tests and fuzz targets: see
 * tests/fakemem.h. */
#include "config.h"

#include "tests/fakemem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fakemem_init(struct fakemem *m)
{
	memset(m, 0, sizeof(*m));
}

static struct fakemem_region *add_region(struct fakemem *m, uint64_t base, size_t size)
{
	if (m->nr == FAKEMEM_MAX_REGIONS) {
		fprintf(stderr, "fakemem: more than %d regions\n", FAKEMEM_MAX_REGIONS);
		abort();
	}
	struct fakemem_region *r = &m->region[m->nr++];
	r->base = base;
	r->size = size;
	return r;
}

uint8_t *fakemem_map(struct fakemem *m, uint64_t base, size_t size)
{
	uint8_t *p = calloc(1, size ? size : 1);
	if (!p) {
		fprintf(stderr, "fakemem: out of memory\n");
		exit(99);
	}
	struct fakemem_region *r = add_region(m, base, size);
	r->data = p;
	r->rw = p;
	return p;
}

void fakemem_map_const(struct fakemem *m, uint64_t base, const void *data, size_t size)
{
	add_region(m, base, size)->data = data;
}

void fakemem_over(struct fakemem *m, uint64_t base, const void *data, size_t size)
{
	fakemem_init(m);
	fakemem_map_const(m, base, data, size);
}

void fakemem_deinit(struct fakemem *m)
{
	for (size_t i = 0; i < m->nr; i++)
		free(m->region[i].rw);
	memset(m, 0, sizeof(*m));
}

/* The region holding all of addr..addr+len, or NULL. */
static const struct fakemem_region *find(const struct fakemem *m, uint64_t addr, size_t len)
{
	for (size_t i = 0; i < m->nr; i++) {
		const struct fakemem_region *r = &m->region[i];
		if (addr >= r->base && addr - r->base <= r->size && len <= r->size - (addr - r->base))
			return r;
	}
	return NULL;
}

struct mw_error *fakemem_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct fakemem *m = arg;
	m->reads++;
	const struct fakemem_region *r = find(m, addr, len);
	if (!r)
		return mw_error_at(MW_ERR_NOT_MAPPED, addr, "not in the fake image");
	memcpy(buf, r->data + (addr - r->base), len);
	return NULL;
}

uint64_t fakemem_alloc(struct fakemem *m, uint64_t size)
{
	if (!m->nr || !m->region[0].rw) {
		fprintf(stderr, "fakemem: no writable region to allocate from\n");
		abort();
	}
	uint64_t a = m->region[0].base + m->used;
	m->used += (size + 63) & ~63ULL;
	if (m->used > m->region[0].size) {
		fprintf(stderr, "fakemem: fake image full\n");
		exit(99);
	}
	return a;
}

void *fakemem_at(struct fakemem *m, uint64_t addr, size_t len)
{
	const struct fakemem_region *r = find(m, addr, len);
	if (!r || !r->rw) {
		fprintf(stderr, "fakemem: write of %zu bytes at 0x%llx outside the writable image\n",
			len, (unsigned long long)addr);
		abort();
	}
	return r->rw + (addr - r->base);
}

void fakemem_put64(struct fakemem *m, uint64_t addr, uint64_t v)
{
	memcpy(fakemem_at(m, addr, 8), &v, 8);
}

void fakemem_put32(struct fakemem *m, uint64_t addr, uint32_t v)
{
	memcpy(fakemem_at(m, addr, 4), &v, 4);
}

void fakemem_put8(struct fakemem *m, uint64_t addr, uint8_t v)
{
	*(uint8_t *)fakemem_at(m, addr, 1) = v;
}

uint64_t fakemem_get64(struct fakemem *m, uint64_t addr)
{
	uint64_t v;
	memcpy(&v, fakemem_at(m, addr, 8), 8);
	return v;
}

uint64_t fakemem_put_string(struct fakemem *m, const char *s)
{
	size_t n = strlen(s) + 1;
	uint64_t a = fakemem_alloc(m, n);
	memcpy(fakemem_at(m, a, n), s, n);
	return a;
}

void fakemem_list_init(struct fakemem *m, uint64_t head)
{
	fakemem_put64(m, head, head);
	fakemem_put64(m, head + 8, head);
}

void fakemem_list_add_tail(struct fakemem *m, uint64_t node, uint64_t head)
{
	uint64_t prev = fakemem_get64(m, head + 8);
	fakemem_put64(m, node, head);
	fakemem_put64(m, node + 8, prev);
	fakemem_put64(m, prev, node);
	fakemem_put64(m, head + 8, node);
}
