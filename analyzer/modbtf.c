/* memwhere: a loaded module's BTF, read from the dump's btf_modules list. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/layout.h"
#include "analyzer/modbtf.h"
#include "analyzer/walk.h"

enum { MODBTF_NAME_MAX = 64 };	/* MODULE_NAME_LEN is 56 on 64-bit */

struct modbtf_layout {
	uint32_t list, btf;		/* struct btf_module */
	uint32_t data, data_size, name;	/* struct btf */
	uint32_t name_size;
	bool has_start, has_str;
	uint32_t start_id, start_str_off;
};

static struct mw_error *modbtf_layout(struct mw_kernel *k, struct modbtf_layout *l)
{
	struct mw_field name;
#define L struct modbtf_layout
	const struct mw_layout_field fields[] = {
		MW_LAYOUT_MEMBER(L, "btf_module.list", list),
		MW_LAYOUT_MEMBER(L, "btf_module.btf", btf),
		MW_LAYOUT_MEMBER(L, "btf.data", data),
		MW_LAYOUT_MEMBER(L, "btf.data_size", data_size),
		MW_LAYOUT_RAW(MW_FIELD_KIND_MEMBER, "btf.name", &name),
		MW_LAYOUT_MEMBER_OPT(L, "btf.start_id", start_id, has_start),
		MW_LAYOUT_MEMBER_OPT(L, "btf.start_str_off", start_str_off, has_str),
	};
#undef L
	memset(l, 0, sizeof(*l));
	struct mw_error *err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
	if (err)
		return err;
	l->has_start = l->has_start && l->has_str;
	l->name = mw_u32_of(name.offset);
	l->name_size = mw_u32_of(name.size < MODBTF_NAME_MAX ? name.size : MODBTF_NAME_MAX);
	return NULL;
}

/* Copy one module's BTF out of the dump and parse it on k->types. */
static struct mw_error *modbtf_load(struct mw_kernel *k, const struct modbtf_layout *l,
				    const char *name, uint64_t btf, struct mw_types **ret)
{
	uint64_t data = 0;
	uint32_t size = 0, start_id = 0, start_str = 0, want_id, want_str;
	struct mw_error *err;
	if ((err = mw_kread_u64(k, btf + l->data, &data)) ||
	    (err = mw_kread_u32(k, btf + l->data_size, &size)))
		return err;
	if (!mw_types_btf_split_start(k->types, &want_id, &want_str))
		return mw_error_create(MW_ERR_UNSUPPORTED,
				       "the kernel's types are not BTF (%s): a module's BTF is read "
				       "on top of the kernel's own BTF", mw_types_description(k->types));
	if (l->has_start && ((err = mw_kread_u32(k, btf + l->start_id, &start_id)) ||
			     (err = mw_kread_u32(k, btf + l->start_str_off, &start_str))))
		return err;
	if (l->has_start && (start_id != want_id || start_str != want_str))
		return mw_error_at(MW_ERR_BAD_DATA, btf,
				   "it starts at type id %" PRIu32 ", string %" PRIu32
				   " but the kernel's BTF ends at %" PRIu32 ", %" PRIu32
				   " (not split on this kernel's BTF)",
				   start_id, start_str, want_id, want_str);
	if (size == 0 || size > MW_MODBTF_MAX_BYTES)
		return mw_error_at(MW_ERR_LIMIT, btf, "its size is %" PRIu32
				   " bytes (at most %d MiB expected)", size,
				   MW_MODBTF_MAX_BYTES >> 20);
	if (!mw_kptr_ok(data, 1))
		return mw_error_at(MW_ERR_BAD_DATA, btf, "its data at 0x%" PRIx64
				   " is not a kernel address", data);
	void *buf = malloc(size);
	if (!buf)
		return &mw_error_nomem;
	char what[MODBTF_NAME_MAX + 32];
	snprintf(what, sizeof(what), "BTF of module %s in the dump", name);
	err = mw_kernel_read(k, data, buf, size);
	if (!err)
		err = mw_types_open_btf_split(k->types, buf, size, what, ret);
	free(buf);
	if (!err && mw_types_release(k->types))
		err = mw_types_set_release(*ret, mw_types_release(k->types));
	return err;
}

struct mw_error *mw_module_btf_open(struct mw_kernel *k, const char *name,
				    struct mw_types **ret)
{
	uint64_t head;
	struct mw_error *err = mw_kernel_symbol(k, "btf_modules", &head);
	if (err)
		return mw_error_prepend(err, "reading module %s's BTF", name);
	struct modbtf_layout l;
	if ((err = modbtf_layout(k, &l)))
		return mw_error_prepend(err, "reading module %s's BTF", name);
	uint64_t next = 0, ram = mw_reader_info(k->reader)->total_bytes;
	uint64_t cap = mw_walk_cap(ram, 64);
	struct mw_list_walk lw;
	mw_list_walk_init(&lw, head, cap < MW_MODBTF_MAX_MODULES ? cap : MW_MODBTF_MAX_MODULES);
	enum mw_list_step step = MW_LIST_BAD_POINTER;
	for (uint64_t at = head; !(err = mw_kread_u64(k, at, &next)); at = next) {
		if ((step = mw_list_walk_next(&lw, next)) != MW_LIST_NODE)
			break;
		uint64_t bm = next - l.list, btf = 0;
		char mod[MODBTF_NAME_MAX] = "";
		if (!mw_kread_ok(k, bm + l.btf, &btf, 8) || !mw_kptr_ok(btf, 8) ||
		    !mw_kread_ok(k, btf + l.name, mod, l.name_size))
			continue;
		mod[MODBTF_NAME_MAX - 1] = '\0';
		if (strcmp(mod, name) != 0)
			continue;
		err = modbtf_load(k, &l, name, btf, ret);
		return err ? mw_error_prepend(err, "reading module %s's BTF", name) : NULL;
	}
	if (err)
		return mw_error_prepend(err, "walking btf_modules for module %s", name);
	if (step != MW_LIST_END)
		return mw_error_at(MW_ERR_BAD_DATA, head, "btf_modules %s before module %s was found",
				   mw_list_step_text(step), name);
	return mw_error_create(MW_ERR_NOT_FOUND, "module %s: not loaded, or without BTF", name);
}
