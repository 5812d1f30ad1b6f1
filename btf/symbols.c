/* memwhere: the symbol table and its two indexes (sorted by address; a
 * name hash).
 *
 * The name index is built for every table (150,000 kallsyms names and
 * more) but asked for a few dozen names, so it is made cheap to build:
 * open addressing over 8-byte slots (the name's hash and the symbol's
 * index), a quarter of the size of a generic entry, so that inserting in
 * random order mostly hits the cache. */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "btf/name-index.h"
#include "btf/symbols.h"

struct sym_slot {
	uint32_t hash;
	uint32_t index1;		/* index in syms + 1; 0: empty */
};

struct mw_symbols {
	char *what;
	struct mw_symbol *syms;		/* names hold arena offsets until finished */
	size_t count, capacity;
	char *arena;			/* names, NUL-terminated */
	size_t arena_len, arena_cap;
	struct sym_slot *slots;		/* the name index; NULL while empty */
	size_t nr_slots;		/* a power of two */
	bool finished;
	char *build_id;			/* a vmlinux's GNU build ID (hex), or NULL */
	char *release;			/* a vmlinux's linux_banner release, or NULL */
};

struct mw_error *mw_symbols_create(const char *what, struct mw_symbols **ret)
{
	struct mw_symbols *s = calloc(1, sizeof(*s));
	if (!s)
		return &mw_error_nomem;
	if (!(s->what = strdup(what))) {
		free(s);
		return &mw_error_nomem;
	}
	*ret = s;
	return NULL;
}

void mw_symbols_destroy(struct mw_symbols *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s->syms);
	free(s->arena);
	free(s->what);
	free(s->build_id);
	free(s->release);
	free(s);
}

const char *mw_symbols_build_id(const struct mw_symbols *s)
{
	return s->build_id;
}

const char *mw_symbols_release(const struct mw_symbols *s)
{
	return s->release;
}

void mw_symbols_set_identity(struct mw_symbols *s, char *build_id, char *release)
{
	free(s->build_id);
	free(s->release);
	s->build_id = build_id;
	s->release = release;
}

struct mw_error *mw_symbols_add(struct mw_symbols *s, const char *name, size_t len,
				uint64_t address, uint64_t size, char type)
{
	if (s->finished)
		return mw_error_create(MW_ERR_USAGE, "%s: symbol added to a finished table", s->what);
	if (len == 0 || len > MW_SYMBOL_NAME_MAX || memchr(name, 0, len))
		return mw_error_create(MW_ERR_FORMAT, "%s: bad symbol name of %zu bytes", s->what, len);
	if (s->count >= MW_SYMBOLS_MAX)
		return mw_error_create(MW_ERR_LIMIT, "%s: more than %d symbols", s->what, MW_SYMBOLS_MAX);
	if (s->count == s->capacity) {
		size_t cap = s->capacity ? s->capacity * 2 : 4096;
		struct mw_symbol *n = realloc(s->syms, cap * sizeof(*n));
		if (!n)
			return &mw_error_nomem;
		s->syms = n;
		s->capacity = cap;
	}
	if (s->arena_cap - s->arena_len < len + 1) {
		size_t cap = s->arena_cap ? s->arena_cap : 1 << 16;
		while (cap - s->arena_len < len + 1)
			cap *= 2;
		char *n = realloc(s->arena, cap);
		if (!n)
			return &mw_error_nomem;
		s->arena = n;
		s->arena_cap = cap;
	}
	memcpy(s->arena + s->arena_len, name, len);
	s->arena[s->arena_len + len] = 0;
	s->syms[s->count++] = (struct mw_symbol){
		.name = (const char *)(uintptr_t)s->arena_len,
		.address = address,
		.size = size,
		.type = type,
	};
	s->arena_len += len + 1;
	return NULL;
}

struct mw_error *mw_symbols_add_ksym(void *arg, const char *name, size_t len,
				     char type, uint64_t address)
{
	return mw_symbols_add(arg, name, len, address, 0, type);
}

static bool sym_is_global(const struct mw_symbol *sym)
{
	return isupper((unsigned char)sym->type);
}

static int sym_cmp(const void *a, const void *b)
{
	const struct mw_symbol *x = a, *y = b;
	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	/* globals first among equal addresses, then by name for stability */
	if (sym_is_global(x) != sym_is_global(y))
		return sym_is_global(x) ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Sort by address. Tables usually come sorted already (kallsyms and
 * System.map are written in address order): one pass checks that and
 * only runs of equal addresses are put in order; anything else is sorted
 * whole.
 */
static void symbols_sort(struct mw_symbols *s)
{
	size_t n = s->count;
	for (size_t i = 1; i < n; i++)
		if (s->syms[i - 1].address > s->syms[i].address) {
			qsort(s->syms, n, sizeof(*s->syms), sym_cmp);
			return;
		}
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && s->syms[j].address == s->syms[i].address)
			j++;
		if (j - i > 1)
			qsort(s->syms + i, j - i, sizeof(*s->syms), sym_cmp);
		i = j;
	}
}

static struct mw_error *symbols_index(struct mw_symbols *s)
{
	free(s->slots);
	s->slots = NULL;
	s->nr_slots = 0;
	if (!s->count)
		return NULL;
	size_t n = 64;
	while (n / 4 * 3 < s->count)	/* load at most 3/4 */
		n *= 2;
	s->slots = calloc(n, sizeof(*s->slots));
	if (!s->slots)
		return &mw_error_nomem;
	s->nr_slots = n;
	for (size_t i = 0; i < s->count; i++) {
		const char *name = s->syms[i].name;
		uint32_t h = mw_name_hash(0, name, strlen(name));
		size_t j = h & (n - 1);
		for (;; j = (j + 1) & (n - 1)) {
			struct sym_slot *slot = &s->slots[j];
			if (!slot->index1) {
				*slot = (struct sym_slot){ h, (uint32_t)i + 1 };
				break;
			}
			const struct mw_symbol *old = &s->syms[slot->index1 - 1];
			if (slot->hash == h && strcmp(old->name, name) == 0) {
				/* first (lowest address) wins, unless a global comes later */
				if (!sym_is_global(old) && sym_is_global(&s->syms[i]))
					slot->index1 = (uint32_t)i + 1;
				break;
			}
		}
	}
	return NULL;
}

struct mw_error *mw_symbols_finish(struct mw_symbols *s)
{
	if (s->finished)
		return NULL;
	for (size_t i = 0; i < s->count; i++)
		s->syms[i].name = s->arena + (uintptr_t)s->syms[i].name;
	s->finished = true;
	symbols_sort(s);
	return symbols_index(s);
}

struct mw_error *mw_symbols_relocate(struct mw_symbols *s, int64_t delta)
{
	return mw_symbols_relocate_from(s, delta, MW_KERNEL_IMAGE_START);
}

struct mw_error *mw_symbols_relocate_from(struct mw_symbols *s, int64_t delta, uint64_t start)
{
	if (!s->finished)
		return mw_error_create(MW_ERR_USAGE, "%s: relocating an unfinished table", s->what);
	/* The moved and the unmoved symbols each keep their order (one delta
	 * for all the moved): one merge of the two runs puts the table back
	 * in order in linear time, where a whole sort of 100,000 System.map
	 * symbols took a quarter of a small dump's run. symbols_sort then only
	 * checks it (and sorts whole if an address wrapped around). */
	size_t n = s->count, nm = 0, nu = 0;
	struct mw_symbol *moved = n ? malloc(n * sizeof(*moved)) : NULL;
	if (n && !moved)
		return &mw_error_nomem;
	for (size_t i = 0; i < n; i++) {
		struct mw_symbol sym = s->syms[i];
		if (sym.type == 'A' || sym.type == 'a' || sym.address < start) {
			s->syms[nu++] = sym;
			continue;
		}
		sym.address += (uint64_t)delta;
		moved[nm++] = sym;
	}
	/* merge from the top: the unmoved run is the front of syms */
	size_t out = n, u = nu, m = nm;
	while (m > 0) {
		if (u > 0 && sym_cmp(&s->syms[u - 1], &moved[m - 1]) > 0)
			s->syms[--out] = s->syms[--u];
		else
			s->syms[--out] = moved[--m];
	}
	free(moved);
	symbols_sort(s);
	return symbols_index(s);
}

const char *mw_symbols_description(const struct mw_symbols *s)
{
	return s->what;
}

size_t mw_symbols_count(const struct mw_symbols *s)
{
	return s->finished ? s->count : 0;
}

const struct mw_symbol *mw_symbols_at(const struct mw_symbols *s, size_t i)
{
	return s->finished && i < s->count ? &s->syms[i] : NULL;
}

const struct mw_symbol *mw_symbols_find(const struct mw_symbols *s, const char *name)
{
	if (!s->finished)
		return NULL;
	if (!s->nr_slots)
		return NULL;
	size_t len = strlen(name);
	uint32_t h = mw_name_hash(0, name, len);
	for (size_t j = h & (s->nr_slots - 1);; j = (j + 1) & (s->nr_slots - 1)) {
		const struct sym_slot *slot = &s->slots[j];
		if (!slot->index1)
			return NULL;
		const struct mw_symbol *sym = &s->syms[slot->index1 - 1];
		if (slot->hash == h && strcmp(sym->name, name) == 0)
			return sym;
	}
}

struct mw_error *mw_symbols_address(const struct mw_symbols *s, const char *name,
				    uint64_t *ret)
{
	const struct mw_symbol *sym = mw_symbols_find(s, name);
	if (!sym)
		return mw_error_create(MW_ERR_NOT_FOUND, "no symbol '%s' in %s", name, s->what);
	*ret = sym->address;
	return NULL;
}

const struct mw_symbol *mw_symbols_lookup_addr(const struct mw_symbols *s, uint64_t addr,
					       uint64_t *offset)
{
	if (!s->finished || !s->count || addr < s->syms[0].address)
		return NULL;
	/* last index with address <= addr */
	size_t lo = 0, hi = s->count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->syms[mid].address <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* the first of the symbols at that address (a global if any) */
	uint64_t a = s->syms[lo].address;
	size_t first = lo;
	while (first > 0 && s->syms[first - 1].address == a)
		first--;
	const struct mw_symbol *best = &s->syms[first];
	/* a sized symbol must contain addr; try the others at the same address */
	for (size_t i = first; i <= lo; i++) {
		const struct mw_symbol *sym = &s->syms[i];
		if (!sym->size || addr - a < sym->size) {
			best = sym;
			break;
		}
		if (i == lo)
			return NULL;
	}
	*offset = addr - a;
	return best;
}
