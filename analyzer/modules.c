/* memwhere: loaded kernel modules, their memory and their symbols. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/modules.h"
#include "analyzer/walk.h"
#include "common/grow.h"

enum {
	ELF64_SYM_SIZE = 24,		/* st_name u32, info, other, shndx u16, value, size */
	MAX_MODULE_SYMS = 1 << 18,
	MAX_MODULE_BYTES = 1 << 30,	/* one region of one module */
	SYM_NAME_MAX = 80,
};

struct layout {
	struct mw_field list, name, kallsyms, symtab, num_symtab, strtab;
	/* 6.4+: mem[] of struct module_memory */
	struct mw_field mem, mem_base, mem_size;
	/* before: core_layout, init_layout (struct module_layout) */
	struct mw_field core, init, layout_base, layout_size;
	struct mw_field size;
};

static struct mw_error *resolve(struct mw_types *t, struct layout *L)
{
	const struct mw_field_spec spec[] = {
		MW_FIELD_MEMBER("module.list", &L->list),
		MW_FIELD_MEMBER("module.name", &L->name),
		MW_FIELD_MEMBER_OPT("module.kallsyms", &L->kallsyms),
		MW_FIELD_MEMBER_OPT("mod_kallsyms.symtab", &L->symtab),
		MW_FIELD_MEMBER_OPT("mod_kallsyms.num_symtab", &L->num_symtab),
		MW_FIELD_MEMBER_OPT("mod_kallsyms.strtab", &L->strtab),
		MW_FIELD_MEMBER_OPT("module.mem", &L->mem),
		MW_FIELD_MEMBER_OPT("module_memory.base", &L->mem_base),
		MW_FIELD_MEMBER_OPT("module_memory.size", &L->mem_size),
		MW_FIELD_MEMBER_OPT("module.core_layout", &L->core),
		MW_FIELD_MEMBER_OPT("module.init_layout", &L->init),
		MW_FIELD_MEMBER_OPT("module_layout.base", &L->layout_base),
		MW_FIELD_MEMBER_OPT("module_layout.size", &L->layout_size),
		MW_FIELD_SIZEOF_OPT("module", &L->size),
	};
	struct mw_error *err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
	if (err)
		return err;
	bool mem = L->mem.found && L->mem_base.found && L->mem_size.found && L->mem.target_size;
	bool layout = L->core.found && L->layout_base.found && L->layout_size.found;
	if (!mem && !layout)
		return mw_error_create(MW_ERR_NOT_FOUND, "struct module has neither mem[] "
				       "(struct module_memory) nor core_layout");
	if (mem)
		L->core.found = false;
	return NULL;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct mw_module_sym *x = a, *y = b;
	return x->value < y->value ? -1 : x->value > y->value;
}

static struct mw_error *read_syms(struct mw_kernel *k, const struct layout *L,
				  struct mw_module *m)
{
	uint64_t ks = 0, symtab = 0, num = 0;
	struct mw_error *err;
	if (!L->kallsyms.found || !L->symtab.found || !L->num_symtab.found || !L->strtab.found)
		return NULL;
	if ((err = mw_kread_u64(k, m->addr + L->kallsyms.offset, &ks)) || !ks)
		return err;
	if ((err = mw_kread_u64(k, ks + L->symtab.offset, &symtab)) ||
	    (err = mw_kread_uint(k, ks + L->num_symtab.offset, L->num_symtab.size, &num)) ||
	    (err = mw_kread_u64(k, ks + L->strtab.offset, &m->strtab)))
		return err;
	if (num > MAX_MODULE_SYMS)
		return mw_error_at(MW_ERR_BAD_DATA, ks, "module %s has %" PRIu64 " symbols",
				   m->name, num);
	if (!num)
		return NULL;
	uint8_t *buf = malloc(num * ELF64_SYM_SIZE);
	m->syms = calloc(num, sizeof(*m->syms));
	if (!buf || !m->syms) {
		free(buf);
		return &mw_error_nomem;
	}
	if ((err = mw_kernel_read(k, symtab, buf, num * ELF64_SYM_SIZE))) {
		free(buf);
		return err;
	}
	for (uint64_t i = 0; i < num; i++) {
		const uint8_t *s = buf + i * ELF64_SYM_SIZE;
		uint32_t name;
		uint16_t shndx;
		uint64_t value;
		memcpy(&name, s, 4);
		memcpy(&shndx, s + 6, 2);
		memcpy(&value, s + 8, 8);
		if (!shndx || !name || !value)	/* undefined or unnamed */
			continue;
		m->syms[m->nr_syms].value = value;
		m->syms[m->nr_syms].name = name;
		m->nr_syms++;
	}
	free(buf);
	qsort(m->syms, m->nr_syms, sizeof(*m->syms), cmp_sym);
	return NULL;
}

static void add_region(struct mw_module *m, uint64_t base, uint64_t size)
{
	if (!size || m->nr_regions == MW_MODULE_REGIONS)
		return;
	m->regions[m->nr_regions].base = base;
	m->regions[m->nr_regions].size = size;
	m->nr_regions++;
	m->bytes += size;
}

static struct mw_error *read_module(struct mw_kernel *k, const struct layout *L,
				   uint64_t mod, struct mw_module *m)
{
	struct mw_error *err;
	memset(m, 0, sizeof(*m));
	m->addr = mod;
	size_t nl = L->name.size < sizeof(m->name) ? L->name.size : sizeof(m->name) - 1;
	if ((err = mw_kernel_read(k, mod + L->name.offset, m->name, nl)))
		return err;
	m->name[nl < sizeof(m->name) ? nl : sizeof(m->name) - 1] = '\0';
	m->name[sizeof(m->name) - 1] = '\0';
	if (!L->core.found) {
		uint64_t n = L->mem.nr_elements < MW_MODULE_REGIONS ? L->mem.nr_elements
								  : MW_MODULE_REGIONS;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t e = mod + L->mem.offset + i * L->mem.target_size, base = 0, size = 0;
			if ((err = mw_kread_u64(k, e + L->mem_base.offset, &base)) ||
			    (err = mw_kread_uint(k, e + L->mem_size.offset, L->mem_size.size, &size)))
				return err;
			if (size > MAX_MODULE_BYTES)
				return mw_error_at(MW_ERR_BAD_DATA, e, "module %s: a region of %"
						   PRIu64 " bytes", m->name, size);
			add_region(m, base, size);
		}
	} else {
		const struct mw_field *lay[2] = { &L->core, &L->init };
		for (int i = 0; i < 2; i++) {
			uint64_t base = 0, size = 0;
			if (!lay[i]->found)
				continue;
			uint64_t e = mod + lay[i]->offset;
			if ((err = mw_kread_u64(k, e + L->layout_base.offset, &base)) ||
			    (err = mw_kread_uint(k, e + L->layout_size.offset, L->layout_size.size,
						 &size)))
				return err;
			if (size > MAX_MODULE_BYTES)
				return mw_error_at(MW_ERR_BAD_DATA, e, "module %s: a layout of %"
						   PRIu64 " bytes", m->name, size);
			add_region(m, base, size);
		}
	}
	return NULL;
}

static int cmp_bytes(const void *a, const void *b)
{
	const struct mw_module *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

struct mw_error *mw_modules_read(struct mw_kernel *k, struct mw_warnings *w,
				 bool symbols, struct mw_modules *ret)
{
	memset(ret, 0, sizeof(*ret));
	struct layout L;
	struct mw_error *err = resolve(k->types, &L);
	if (err)
		return mw_error_prepend(err, "modules");
	uint64_t head, next;
	if ((err = mw_kernel_symbol(k, "modules", &head)) ||
	    (err = mw_kread_u64(k, head, &next)))
		return mw_error_prepend(err, "modules");
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, mw_walk_cap(mw_reader_info(k->reader)->total_bytes,
						 L.size.found ? L.size.size : 0));
	size_t cap = 0;
	for (;;) {
		enum mw_list_step st = mw_list_walk_next(&lw, next);
		if (st == MW_LIST_END)
			break;
		if (st != MW_LIST_NODE) {
			err = mw_list_walk_error(&lw, st, next, "modules", "modules");
			break;
		}
		struct mw_module *v = mw_grow(ret->v, &cap, ret->nr, sizeof(*v), 64);
		if (!v) {
			mw_modules_deinit(ret);
			return &mw_error_nomem;
		}
		ret->v = v;
		struct mw_module *m = &ret->v[ret->nr];
		if ((err = read_module(k, &L, next - L.list.offset, m)))
			break;
		ret->nr++;
		if (symbols) {
			struct mw_error *e = read_syms(k, &L, m);
			if (e) {
				char what[MW_MODULE_NAME_MAX + 32];
				snprintf(what, sizeof(what), "module %s: symbols", m->name);
				mw_warn_error(w, e, what);
			}
		}
		if ((err = mw_kread_u64(k, next, &next)))
			break;
	}
	if (err) {
		ret->incomplete = true;
		mw_warn_error(w, err, "modules: the rest of the list is not read");
	}
	qsort(ret->v, ret->nr, sizeof(*ret->v), cmp_bytes);
	for (size_t i = 0; i < ret->nr; i++)
		ret->total_bytes += ret->v[i].bytes;
	return NULL;
}

void mw_modules_deinit(struct mw_modules *m)
{
	for (size_t i = 0; i < m->nr; i++)
		free(m->v[i].syms);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

bool mw_modules_read_if_loaded(struct mw_kernel *k, const char *const *names, size_t n,
			       struct mw_modules *ret)
{
	struct mw_modules mods;
	struct mw_warnings scratch;
	bool loaded = false;
	memset(ret, 0, sizeof(*ret));
	mw_warnings_init(&scratch);
	if (!mw_failed(mw_modules_read(k, &scratch, false, &mods))) {
		for (size_t i = 0; i < mods.nr; i++)
			for (size_t j = 0; j < n; j++)
				loaded |= !strcmp(mods.v[i].name, names[j]);
		mw_modules_deinit(&mods);
	}
	if (loaded && mw_failed(mw_modules_read(k, &scratch, true, ret)))
		loaded = false;
	mw_warnings_deinit(&scratch);
	return loaded;
}

bool mw_modules_symbol(struct mw_kernel *k, const struct mw_modules *mods, const char *module,
		       const char *name, uint64_t *ret)
{
	for (size_t i = 0; i < mods->nr; i++) {
		const struct mw_module *m = &mods->v[i];
		if (strcmp(m->name, module) != 0 || !m->strtab)
			continue;
		for (size_t j = 0; j < m->nr_syms; j++) {
			char s[SYM_NAME_MAX];
			if (mw_failed(mw_kread_string(k, m->strtab + m->syms[j].name, s, sizeof(s))))
				continue;
			if (!strcmp(s, name)) {
				*ret = m->syms[j].value;
				return true;
			}
		}
	}
	return false;
}

bool mw_modules_name_addr(struct mw_kernel *k, const struct mw_modules *mods, uint64_t addr,
			  char *buf, size_t len)
{
	for (size_t i = 0; i < mods->nr; i++) {
		const struct mw_module *m = &mods->v[i];
		const struct mw_module_region *r = NULL;
		for (size_t j = 0; j < m->nr_regions; j++)
			if (addr >= m->regions[j].base &&
			    addr - m->regions[j].base < m->regions[j].size)
				r = &m->regions[j];
		if (!r)
			continue;
		/* the greatest defined symbol at or below addr, inside the region */
		size_t lo = 0, hi = m->nr_syms;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (m->syms[mid].value <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		char name[SYM_NAME_MAX];
		if (lo && m->syms[lo - 1].value >= r->base && m->strtab) {
			const struct mw_module_sym *s = &m->syms[lo - 1];
			struct mw_error *e = mw_kread_string(k, m->strtab + s->name, name,
							     sizeof(name));
			if (!e && name[0]) {
				snprintf(buf, len, "%s+0x%" PRIx64 " [%s]", name, addr - s->value,
					 m->name);
				return true;
			}
			mw_error_destroy(e);
		}
		snprintf(buf, len, "[%s]+0x%" PRIx64, m->name, addr - r->base);
		return true;
	}
	return false;
}
