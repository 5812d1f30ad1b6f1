/* memwhere: how zsmalloc and z3fold mark their pages (see zpool.h). */
#include "config.h"

#include <string.h>

#include "analyzer/kread.h"
#include "analyzer/modules.h"
#include "analyzer/zpool.h"

static const char *const kind_names[MW_ZPOOL_NR] = {
	[MW_ZPOOL_NONE] = "none",
	[MW_ZPOOL_ZSMALLOC] = "zsmalloc",
	[MW_ZPOOL_Z3FOLD] = "z3fold",
	[MW_ZPOOL_ZBUD] = "zbud",
};

const char *mw_zpool_kind_name(enum mw_zpool_kind kind)
{
	return (unsigned)kind < MW_ZPOOL_NR ? kind_names[kind] : "?";
}

/* The symbols of each allocator: its movable_operations (5.19 to 6.15)
 * and its pseudo inode's address_space_operations (before). */
static const struct {
	enum mw_zpool_kind kind;
	const char *module, *mops, *aops;
} allocators[] = {
	{ MW_ZPOOL_ZSMALLOC, "zsmalloc", "zsmalloc_mops", "zsmalloc_aops" },
	{ MW_ZPOOL_Z3FOLD, "z3fold", "z3fold_mops", "z3fold_aops" },
};

static bool kernel_sym(struct mw_kernel *k, const char *name, uint64_t *ret)
{
	return !mw_failed(mw_kernel_symbol(k, name, ret)) && *ret;
}

void mw_zpool_marks_resolve(struct mw_kernel *k, struct mw_zpool_marks *ret)
{
	memset(ret, 0, sizeof(*ret));
	uint64_t off;
	bool aops_ok = !mw_failed(mw_types_offsetof(k->types, "address_space.a_ops", &off)) &&
		       off < 4096;
	ret->off_a_ops = aops_ok ? (uint32_t)off : 0;
	bool missing = false;
	for (size_t i = 0; i < MW_ARRAY_SIZE(allocators); i++) {
		enum mw_zpool_kind kd = allocators[i].kind;
		kernel_sym(k, allocators[i].mops, &ret->mops[kd]);
		if (aops_ok)
			kernel_sym(k, allocators[i].aops, &ret->aops[kd]);
		missing |= !ret->mops[kd] && !ret->aops[kd];
	}
	if (missing) {
		/* a module's static symbols: in its own kallsyms */
		const char *names[MW_ARRAY_SIZE(allocators)];
		for (size_t i = 0; i < MW_ARRAY_SIZE(allocators); i++)
			names[i] = allocators[i].module;
		struct mw_modules mods;
		if (mw_modules_read_if_loaded(k, names, MW_ARRAY_SIZE(names), &mods)) {
			for (size_t i = 0; i < MW_ARRAY_SIZE(allocators); i++) {
				enum mw_zpool_kind kd = allocators[i].kind;
				if (ret->mops[kd] || ret->aops[kd])
					continue;
				if (!mw_modules_symbol(k, &mods, allocators[i].module,
						       allocators[i].mops, &ret->mops[kd]))
					ret->mops[kd] = 0;
				if (!aops_ok || !mw_modules_symbol(k, &mods, allocators[i].module,
								   allocators[i].aops, &ret->aops[kd]))
					ret->aops[kd] = 0;
			}
			mw_modules_deinit(&mods);
		}
	}
	for (int i = MW_ZPOOL_ZSMALLOC; i < MW_ZPOOL_NR; i++) {
		ret->has_mops |= ret->mops[i] != 0;
		ret->has_aops |= ret->aops[i] != 0;
	}
}
