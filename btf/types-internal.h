/* memwhere: what a type backend implements (internal to btf/). */
#ifndef MW_TYPES_INTERNAL_H
#define MW_TYPES_INTERNAL_H

#include <stddef.h>

#include "btf/types.h"

/* Name spaces of the backends' name indexes. */
enum mw_name_ns {
	MW_NS_STRUCT = 1,
	MW_NS_UNION,
	MW_NS_ENUM,
	MW_NS_TYPEDEF,
	MW_NS_BASE,		/* int, bool, float names */
	MW_NS_ENUMERATOR,	/* enumerator name -> enum type (lazy index) */
};

/* Size not known by the backend alone: the common code computes it
 * (typedefs, qualifiers, arrays). */
#define MW_SIZE_COMPUTE UINT64_MAX

struct mw_types_ops {
	/* Find a named type in a name space; MW_ERR_NOT_FOUND (message
	 * free-form, the common code writes its own) if none. Prefer a full
	 * definition to a declaration. */
	struct mw_error *(*find)(struct mw_types *t, enum mw_name_ns ns,
				 const char *name, size_t len, mw_type_id *ret);
	/* Describe one type as it is; size may be MW_SIZE_COMPUTE for
	 * TYPEDEF, QUALIFIER and ARRAY. */
	struct mw_error *(*describe)(struct mw_types *t, mw_type_id id,
				     struct mw_type *ret);
	struct mw_error *(*for_each_member)(struct mw_types *t, mw_type_id id,
					    mw_member_cb *cb, void *arg);
	struct mw_error *(*for_each_enumerator)(struct mw_types *t, mw_type_id id,
						mw_enumerator_cb *cb, void *arg);
	/* Which enum has this enumerator (any enum, anonymous ones too)?
	 * MW_ERR_NOT_FOUND if none. May build an index on first use. */
	struct mw_error *(*find_enumerator)(struct mw_types *t, const char *name,
					    mw_type_id *enum_id);
	void (*destroy)(struct mw_types *t);
};

struct mw_types {
	const struct mw_types_ops *ops;
	enum mw_types_source source;
	char *description;	/* "BTF /sys/kernel/btf/vmlinux" */
	char *release;		/* NULL if unknown */
	char *build_id;		/* GNU build ID, lowercase hex; NULL if unknown */
};

/* Fill the common part; takes a copy of description. */
struct mw_error *mw_types_init_common(struct mw_types *t,
				      const struct mw_types_ops *ops,
				      enum mw_types_source source,
				      const char *description);
void mw_types_deinit_common(struct mw_types *t);

/* Backends (btf.c, dwarf.c). */
struct mw_error *mw_btf_open(const void *data, size_t len, enum mw_types_source source,
			     const char *description, uint64_t base_offset,
			     struct mw_types **ret);

#endif
