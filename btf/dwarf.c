/* memwhere: the DWARF backend of the type layer (libdw).
 *
 * Opening a vmlinux makes one pass over the top-level DIEs of every
 * compilation unit and indexes the names of structs, unions, enums,
 * typedefs and base types with their DIE offsets (the first full definition
 * of a name wins over declarations). Nothing else is read until asked:
 * types are described lazily from their DIEs.
 *
 * A type id is the DIE's offset in .debug_info; for the inner dimensions of
 * a multi-dimensional array, bits 48..63 hold the dimension.
 */
#include "config.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf/elf-util.h"
#include "btf/name-index.h"
#include "btf/types-internal.h"

enum {
	/* bounds against corrupt files */
	DWARF_MAX_UNIT_DIES = 1 << 24,	/* top-level DIEs in one unit */
	DWARF_MAX_UNITS = 1 << 20,
	DWARF_MAX_CHILDREN = 1 << 20,	/* members, enumerators, subranges */
	DWARF_DIM_SHIFT = 48,
};
#define DWARF_OFF_MASK ((UINT64_C(1) << DWARF_DIM_SHIFT) - 1)
#define DWARF_DECL_FLAG (UINT64_C(1) << 63)

struct dwarf_types {
	struct mw_types base;
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dbg;
	struct mw_name_index names;		/* value: DIE offset | DWARF_DECL_FLAG */
	struct mw_name_index enumerators;	/* lazy: enumerator -> enum DIE offset */
	bool enumerators_built;
};

static struct dwarf_types *to_dwarf(struct mw_types *t)
{
	return (struct dwarf_types *)((char *)t - offsetof(struct dwarf_types, base));
}

static struct mw_error *dwarf_err(const struct dwarf_types *d, const char *what)
{
	return mw_error_create(MW_ERR_FORMAT, "%s: %s: %s", d->path, what, dwarf_errmsg(-1));
}

static struct mw_error *dwarf_die(struct dwarf_types *d, uint64_t off, Dwarf_Die *die)
{
	if (!dwarf_offdie(d->dbg, off & DWARF_OFF_MASK, die))
		return mw_error_create(MW_ERR_FORMAT, "%s: no DIE at .debug_info offset 0x%" PRIx64 ": %s",
				       d->path, off & DWARF_OFF_MASK, dwarf_errmsg(-1));
	return NULL;
}

/* DW_AT_type as a type id (0: none, void). */
static struct mw_error *die_type(struct dwarf_types *d, Dwarf_Die *die, mw_type_id *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Die type;
	*ret = MW_TYPE_ID_VOID;
	if (!dwarf_attr_integrate(die, DW_AT_type, &attr))
		return NULL;
	if (!dwarf_formref_die(&attr, &type))
		return mw_error_create(MW_ERR_FORMAT, "%s: bad DW_AT_type in DIE 0x%" PRIx64 ": %s",
				       d->path, (uint64_t)dwarf_dieoffset(die), dwarf_errmsg(-1));
	*ret = dwarf_dieoffset(&type);
	return NULL;
}

static bool die_udata(Dwarf_Die *die, unsigned name, Dwarf_Word *ret)
{
	Dwarf_Attribute attr;
	return dwarf_attr_integrate(die, name, &attr) && dwarf_formudata(&attr, ret) == 0;
}

static bool die_is_declaration(Dwarf_Die *die)
{
	bool flag = false;
	Dwarf_Attribute attr;
	if (dwarf_attr_integrate(die, DW_AT_declaration, &attr))
		dwarf_formflag(&attr, &flag);
	return flag;
}

static struct mw_error *dwarf_index_add(struct dwarf_types *d, enum mw_name_ns ns,
					Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);
	if (!name || !*name)
		return NULL;
	uint64_t *slot;
	bool added;
	struct mw_error *err = mw_name_index_insert(&d->names, ns, name, strlen(name),
						    &slot, &added);
	if (err)
		return err;
	if (!added && !(*slot & DWARF_DECL_FLAG))
		return NULL;	/* a definition is there already */
	bool decl = (ns == MW_NS_STRUCT || ns == MW_NS_UNION || ns == MW_NS_ENUM) &&
		    die_is_declaration(die);
	if (added || !decl)
		*slot = dwarf_dieoffset(die) | (decl ? DWARF_DECL_FLAG : 0);
	return NULL;
}

typedef struct mw_error *unit_die_fn(struct dwarf_types *d, Dwarf_Die *die);

/* Call fn on every top-level DIE of every unit in .debug_info. */
static struct mw_error *dwarf_for_each_top_die(struct dwarf_types *d, unit_die_fn *fn)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Half version;
	uint8_t unit_type;
	Dwarf_Die cudie, subdie;
	size_t nr_units = 0;
	int r;
	while ((r = dwarf_get_units(d->dbg, cu, &cu, &version, &unit_type, &cudie, &subdie)) == 0) {
		if (++nr_units > DWARF_MAX_UNITS)
			return mw_error_create(MW_ERR_LIMIT, "%s: more than %d compilation units",
					       d->path, DWARF_MAX_UNITS);
		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			continue;
		Dwarf_Die die;
		r = dwarf_child(&cudie, &die);
		if (r < 0)
			return dwarf_err(d, "reading a compilation unit");
		if (r > 0)
			continue;
		size_t n = 0;
		do {
			if (++n > DWARF_MAX_UNIT_DIES)
				return mw_error_create(MW_ERR_LIMIT, "%s: more than %d DIEs in a unit",
						       d->path, DWARF_MAX_UNIT_DIES);
			struct mw_error *err = fn(d, &die);
			if (err)
				return err;
		} while ((r = dwarf_siblingof(&die, &die)) == 0);
		if (r < 0)
			return dwarf_err(d, "walking a compilation unit");
	}
	if (r < 0)
		return dwarf_err(d, "reading the compilation units");
	return NULL;
}

static struct mw_error *index_die(struct dwarf_types *d, Dwarf_Die *die)
{
	switch (dwarf_tag(die)) {
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		return dwarf_index_add(d, MW_NS_STRUCT, die);
	case DW_TAG_union_type:
		return dwarf_index_add(d, MW_NS_UNION, die);
	case DW_TAG_enumeration_type:
		return dwarf_index_add(d, MW_NS_ENUM, die);
	case DW_TAG_typedef:
		return dwarf_index_add(d, MW_NS_TYPEDEF, die);
	case DW_TAG_base_type:
		return dwarf_index_add(d, MW_NS_BASE, die);
	default:
		return NULL;
	}
}

static struct mw_error *dwarf_find(struct mw_types *t, enum mw_name_ns ns,
				   const char *name, size_t len, mw_type_id *ret)
{
	struct dwarf_types *d = to_dwarf(t);
	const uint64_t *v = mw_name_index_find(&d->names, ns, name, len);
	if (!v)
		return mw_error_create(MW_ERR_NOT_FOUND, "no type '%.*s'", (int)len, name);
	*ret = *v & ~DWARF_DECL_FLAG;
	return NULL;
}

/* The dim-th dimension DIE of an array; *more tells if another follows. */
static struct mw_error *array_dimension(struct dwarf_types *d, Dwarf_Die *array,
					unsigned dim, Dwarf_Die *ret, bool *more)
{
	Dwarf_Die child;
	unsigned seen = 0;
	bool found = false;
	*more = false;
	int r = dwarf_child(array, &child);
	size_t n = 0;
	while (r == 0 && n++ < DWARF_MAX_CHILDREN) {
		int tag = dwarf_tag(&child);
		if (tag == DW_TAG_subrange_type || tag == DW_TAG_enumeration_type) {
			if (found) {
				*more = true;
				return NULL;
			}
			if (seen++ == dim) {
				*ret = child;
				found = true;
			}
		}
		r = dwarf_siblingof(&child, &child);
	}
	if (r < 0)
		return dwarf_err(d, "reading an array type");
	if (!found)
		return mw_error_create(MW_ERR_FORMAT, "%s: array DIE 0x%" PRIx64 " has no dimension %u",
				       d->path, (uint64_t)dwarf_dieoffset(array), dim);
	return NULL;
}

static uint64_t subrange_count(Dwarf_Die *sub)
{
	Dwarf_Word v;
	if (die_udata(sub, DW_AT_count, &v))
		return v;
	if (die_udata(sub, DW_AT_upper_bound, &v)) {
		Dwarf_Word lower = 0;
		die_udata(sub, DW_AT_lower_bound, &lower);
		/* an upper bound of -1 ([0]) gives 0 */
		if (v == UINT64_MAX || v < lower)
			return 0;
		return v - lower + 1;
	}
	return 0;	/* flexible array */
}

static uint8_t die_address_size(Dwarf_Die *die)
{
	Dwarf_Die cu;
	uint8_t addr_size = 8, off_size;
	if (!dwarf_diecu(die, &cu, &addr_size, &off_size))
		return 8;
	return addr_size;
}

static struct mw_error *dwarf_describe(struct mw_types *t, mw_type_id id,
				       struct mw_type *ret)
{
	struct dwarf_types *d = to_dwarf(t);
	memset(ret, 0, sizeof(*ret));
	ret->id = id;
	if (id == MW_TYPE_ID_VOID) {
		ret->kind = MW_KIND_VOID;
		return NULL;
	}
	Dwarf_Die die;
	struct mw_error *err = dwarf_die(d, id, &die);
	if (err)
		return err;
	int tag = dwarf_tag(&die);
	ret->name = dwarf_diename(&die);
	if (ret->name && !*ret->name)
		ret->name = NULL;
	Dwarf_Word size = 0;
	bool has_size = die_udata(&die, DW_AT_byte_size, &size);
	unsigned dim = id >> DWARF_DIM_SHIFT;
	if (dim && tag != DW_TAG_array_type)
		return mw_error_create(MW_ERR_USAGE, "%s: bad type id 0x%" PRIx64, d->path, id);

	switch (tag) {
	case DW_TAG_base_type: {
		Dwarf_Word enc = 0;
		die_udata(&die, DW_AT_encoding, &enc);
		ret->size = size;
		switch (enc) {
		case DW_ATE_boolean:
			ret->kind = MW_KIND_BOOL;
			break;
		case DW_ATE_float:
		case DW_ATE_complex_float:
			ret->kind = MW_KIND_FLOAT;
			break;
		case DW_ATE_signed:
		case DW_ATE_signed_char:
			ret->kind = MW_KIND_INT;
			ret->is_signed = true;
			break;
		default:
			ret->kind = MW_KIND_INT;
			break;
		}
		break;
	}
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
		ret->kind = MW_KIND_POINTER;
		ret->size = has_size ? size : die_address_size(&die);
		err = die_type(d, &die, &ret->target);
		break;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
	case DW_TAG_union_type:
		ret->kind = tag == DW_TAG_union_type ? MW_KIND_UNION : MW_KIND_STRUCT;
		ret->incomplete = die_is_declaration(&die);
		ret->size = ret->incomplete ? 0 : size;
		break;
	case DW_TAG_enumeration_type: {
		ret->kind = MW_KIND_ENUM;
		ret->incomplete = die_is_declaration(&die);
		ret->size = size;
		mw_type_id base;
		Dwarf_Die bd;
		Dwarf_Word enc = 0;
		err = die_type(d, &die, &base);
		if (!err && base && dwarf_offdie(d->dbg, base, &bd) &&
		    die_udata(&bd, DW_AT_encoding, &enc))
			ret->is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
		break;
	}
	case DW_TAG_typedef:
		ret->kind = MW_KIND_TYPEDEF;
		ret->size = MW_SIZE_COMPUTE;
		err = die_type(d, &die, &ret->target);
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
	case DW_TAG_immutable_type:
	case DW_TAG_packed_type:
		ret->kind = MW_KIND_QUALIFIER;
		ret->size = MW_SIZE_COMPUTE;
		err = die_type(d, &die, &ret->target);
		break;
	case DW_TAG_array_type: {
		Dwarf_Die sub;
		bool more;
		ret->kind = MW_KIND_ARRAY;
		ret->size = MW_SIZE_COMPUTE;
		err = array_dimension(d, &die, dim, &sub, &more);
		if (err)
			break;
		ret->nr_elements = subrange_count(&sub);
		if (more) {
			if (dim + 1 >= MW_TYPES_MAX_DEPTH)
				return mw_error_create(MW_ERR_LIMIT, "%s: array DIE 0x%" PRIx64
						       " has more than %d dimensions", d->path,
						       (uint64_t)dwarf_dieoffset(&die), MW_TYPES_MAX_DEPTH);
			ret->target = (id & DWARF_OFF_MASK) | ((uint64_t)(dim + 1) << DWARF_DIM_SHIFT);
		} else {
			err = die_type(d, &die, &ret->target);
		}
		break;
	}
	case DW_TAG_subroutine_type:
		ret->kind = MW_KIND_FUNCTION;
		err = die_type(d, &die, &ret->target);
		break;
	case DW_TAG_unspecified_type:
		ret->kind = MW_KIND_VOID;
		break;
	default:
		ret->kind = MW_KIND_OTHER;
		break;
	}
	return err;
}

/* Where a member starts, in bits from its struct's start. */
static struct mw_error *member_bit_offset(struct dwarf_types *d, Dwarf_Die *m,
					  uint64_t *bits, uint32_t *bit_size)
{
	Dwarf_Attribute attr;
	Dwarf_Word v;
	*bits = 0;
	*bit_size = 0;
	if (die_udata(m, DW_AT_bit_size, &v))
		*bit_size = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	if (die_udata(m, DW_AT_data_bit_offset, &v)) {
		*bits = v;
		return NULL;
	}
	if (dwarf_attr_integrate(m, DW_AT_data_member_location, &attr)) {
		Dwarf_Word bytes;
		unsigned form = dwarf_whatform(&attr);
		if (form == DW_FORM_exprloc || form == DW_FORM_block || form == DW_FORM_block1 ||
		    form == DW_FORM_block2 || form == DW_FORM_block4) {
			Dwarf_Op *ops;
			size_t nops;
			if (dwarf_getlocation(&attr, &ops, &nops) != 0 || nops != 1 ||
			    (ops[0].atom != DW_OP_plus_uconst && ops[0].atom != DW_OP_constu))
				return mw_error_create(MW_ERR_UNSUPPORTED, "%s: member DIE 0x%" PRIx64
						       " has a location expression memwhere does not evaluate",
						       d->path, (uint64_t)dwarf_dieoffset(m));
			bytes = ops[0].number;
		} else if (dwarf_formudata(&attr, &bytes) != 0) {
			return dwarf_err(d, "reading DW_AT_data_member_location");
		}
		if (bytes > UINT64_MAX / 8)
			return mw_error_create(MW_ERR_FORMAT, "%s: member DIE 0x%" PRIx64 " offset too large",
					       d->path, (uint64_t)dwarf_dieoffset(m));
		*bits = bytes * 8;
	}
	/* DWARF 2/3 bitfields: DW_AT_bit_offset counts from the most
	 * significant bit of a storage unit of DW_AT_byte_size bytes
	 * (little-endian target). */
	if (*bit_size && die_udata(m, DW_AT_bit_offset, &v)) {
		Dwarf_Word storage = 0;
		if (!die_udata(m, DW_AT_byte_size, &storage)) {
			mw_type_id type;
			struct mw_type desc;
			struct mw_error *err = die_type(d, m, &type);
			if (!err)
				err = dwarf_describe(&d->base, type, &desc);
			if (err)
				return err;
			storage = desc.size == MW_SIZE_COMPUTE ? 0 : desc.size;
		}
		if (storage > 16 || storage * 8 < v + *bit_size)
			return mw_error_create(MW_ERR_FORMAT, "%s: bitfield DIE 0x%" PRIx64 " out of its storage",
					       d->path, (uint64_t)dwarf_dieoffset(m));
		*bits += storage * 8 - v - *bit_size;
	}
	return NULL;
}

static struct mw_error *dwarf_for_each_member(struct mw_types *t, mw_type_id id,
					      mw_member_cb *cb, void *arg)
{
	struct dwarf_types *d = to_dwarf(t);
	Dwarf_Die die, child;
	struct mw_error *err = dwarf_die(d, id, &die);
	if (err)
		return err;
	int tag = dwarf_tag(&die);
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type && tag != DW_TAG_class_type)
		return mw_error_create(MW_ERR_USAGE, "DIE 0x%" PRIx64 " is not a struct or union", id);
	int r = dwarf_child(&die, &child);
	size_t n = 0;
	while (r == 0) {
		if (++n > DWARF_MAX_CHILDREN)
			return mw_error_create(MW_ERR_LIMIT, "%s: DIE 0x%" PRIx64 " has more than %d children",
					       d->path, id, DWARF_MAX_CHILDREN);
		if (dwarf_tag(&child) == DW_TAG_member) {
			struct mw_member_raw m = { .name = dwarf_diename(&child) };
			if (m.name && !*m.name)
				m.name = NULL;
			if ((err = die_type(d, &child, &m.type)) ||
			    (err = member_bit_offset(d, &child, &m.bit_offset, &m.bit_size)))
				return err;
			if (cb(&m, arg))
				return NULL;
		}
		r = dwarf_siblingof(&child, &child);
	}
	if (r < 0)
		return dwarf_err(d, "reading struct members");
	return NULL;
}

static struct mw_error *dwarf_for_each_enumerator(struct mw_types *t, mw_type_id id,
						  mw_enumerator_cb *cb, void *arg)
{
	struct dwarf_types *d = to_dwarf(t);
	Dwarf_Die die, child;
	struct mw_type desc;
	struct mw_error *err = dwarf_describe(t, id, &desc);
	if (err)
		return err;
	if (desc.kind != MW_KIND_ENUM)
		return mw_error_create(MW_ERR_USAGE, "DIE 0x%" PRIx64 " is not an enum", id);
	if ((err = dwarf_die(d, id, &die)))
		return err;
	int r = dwarf_child(&die, &child);
	size_t n = 0;
	while (r == 0) {
		if (++n > DWARF_MAX_CHILDREN)
			return mw_error_create(MW_ERR_LIMIT, "%s: DIE 0x%" PRIx64 " has more than %d children",
					       d->path, id, DWARF_MAX_CHILDREN);
		if (dwarf_tag(&child) == DW_TAG_enumerator) {
			Dwarf_Attribute attr;
			int64_t value;
			if (!dwarf_attr_integrate(&child, DW_AT_const_value, &attr))
				return mw_error_create(MW_ERR_FORMAT, "%s: enumerator DIE 0x%" PRIx64
						       " has no value", d->path,
						       (uint64_t)dwarf_dieoffset(&child));
			unsigned form = dwarf_whatform(&attr);
			if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
				Dwarf_Sword s;
				if (dwarf_formsdata(&attr, &s) != 0)
					return dwarf_err(d, "reading an enumerator");
				value = s;
			} else {
				Dwarf_Word u;
				if (dwarf_formudata(&attr, &u) != 0)
					return dwarf_err(d, "reading an enumerator");
				unsigned width = form == DW_FORM_data1 ? 8 : form == DW_FORM_data2 ? 16 :
						 form == DW_FORM_data4 ? 32 : 64;
				if (desc.is_signed && width < 64 && ((u >> (width - 1)) & 1))
					u |= ~(Dwarf_Word)0 << width;
				value = (int64_t)u;
			}
			const char *name = dwarf_diename(&child);
			if (cb(name ? name : "", value, arg))
				return NULL;
		}
		r = dwarf_siblingof(&child, &child);
	}
	if (r < 0)
		return dwarf_err(d, "reading enumerators");
	return NULL;
}

static struct mw_error *index_enumerators(struct dwarf_types *d, Dwarf_Die *die)
{
	if (dwarf_tag(die) != DW_TAG_enumeration_type)
		return NULL;
	/* Headers repeat the same enums in every unit: index a named enum
	 * only at the definition the name index chose, and skip an anonymous
	 * one whose first enumerator is known already. */
	const char *ename = dwarf_diename(die);
	if (ename && *ename) {
		const uint64_t *v = mw_name_index_find(&d->names, MW_NS_ENUM, ename, strlen(ename));
		if (v && (*v & ~DWARF_DECL_FLAG) != dwarf_dieoffset(die))
			return NULL;
	}
	Dwarf_Die child;
	int r = dwarf_child(die, &child);
	size_t n = 0;
	while (r == 0 && n++ < DWARF_MAX_CHILDREN) {
		const char *name;
		if (dwarf_tag(&child) == DW_TAG_enumerator && (name = dwarf_diename(&child))) {
			if (n == 1 && !(ename && *ename) &&
			    mw_name_index_find(&d->enumerators, MW_NS_ENUMERATOR, name, strlen(name)))
				return NULL;
			uint64_t *slot;
			bool added;
			struct mw_error *err = mw_name_index_insert(&d->enumerators, MW_NS_ENUMERATOR,
								    name, strlen(name), &slot, &added);
			if (err)
				return err;
			if (added)
				*slot = dwarf_dieoffset(die);
		}
		r = dwarf_siblingof(&child, &child);
	}
	return r < 0 ? dwarf_err(d, "reading enumerators") : NULL;
}

static struct mw_error *dwarf_find_enumerator(struct mw_types *t, const char *name,
					      mw_type_id *enum_id)
{
	struct dwarf_types *d = to_dwarf(t);
	if (!d->enumerators_built) {
		struct mw_error *err = dwarf_for_each_top_die(d, index_enumerators);
		if (err)
			return err;
		d->enumerators_built = true;
	}
	const uint64_t *v = mw_name_index_find(&d->enumerators, MW_NS_ENUMERATOR,
					       name, strlen(name));
	if (!v)
		return mw_error_create(MW_ERR_NOT_FOUND, "no enumerator '%s'", name);
	*enum_id = *v;
	return NULL;
}

static void dwarf_destroy(struct mw_types *t)
{
	struct dwarf_types *d = to_dwarf(t);
	mw_name_index_deinit(&d->names);
	mw_name_index_deinit(&d->enumerators);
	if (d->dbg)
		dwarf_end(d->dbg);
	mw_elf_close(d->fd, d->elf);
	free(d->path);
	mw_types_deinit_common(&d->base);
	free(d);
}

static const struct mw_types_ops dwarf_ops = {
	.find = dwarf_find,
	.describe = dwarf_describe,
	.for_each_member = dwarf_for_each_member,
	.for_each_enumerator = dwarf_for_each_enumerator,
	.find_enumerator = dwarf_find_enumerator,
	.destroy = dwarf_destroy,
};

struct mw_error *mw_types_open_dwarf(const char *path, struct mw_types **ret)
{
	struct dwarf_types *d = calloc(1, sizeof(*d));
	if (!d)
		return &mw_error_nomem;
	d->fd = -1;
	char *desc = NULL;
	if (asprintf(&desc, "DWARF %s", path) < 0) {
		free(d);
		return &mw_error_nomem;
	}
	struct mw_error *err = mw_types_init_common(&d->base, &dwarf_ops, MW_TYPES_DWARF, desc);
	free(desc);
	if (err) {
		free(d);
		return err;
	}
	mw_name_index_init(&d->names);
	mw_name_index_init(&d->enumerators);
	if (!(d->path = strdup(path))) {
		dwarf_destroy(&d->base);
		return &mw_error_nomem;
	}
	if ((err = mw_elf_open(path, &d->fd, &d->elf))) {
		dwarf_destroy(&d->base);
		return err;
	}
	d->dbg = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
	if (!d->dbg) {
		err = mw_error_create(MW_ERR_NOT_FOUND, "%s has no usable DWARF debug info (%s): "
				      "use the vmlinux of the kernel's -dbg package, or --btf",
				      path, dwarf_errmsg(-1));
		dwarf_destroy(&d->base);
		return err;
	}
	char *release = NULL;
	if ((err = dwarf_for_each_top_die(d, index_die)) ||
	    (err = mw_elf_kernel_release(d->elf, &release)) ||
	    (release && (err = mw_types_set_release(&d->base, release)))) {
		free(release);
		dwarf_destroy(&d->base);
		return err;
	}
	free(release);
	char *bid = NULL;
	if ((err = mw_elf_build_id(d->elf, &bid)) ||
	    (bid && (err = mw_types_set_build_id(&d->base, bid)))) {
		free(bid);
		dwarf_destroy(&d->base);
		return err;
	}
	free(bid);
	if (d->names.count == 0) {
		dwarf_destroy(&d->base);
		return mw_error_create(MW_ERR_NOT_FOUND, "%s: DWARF without any named type", path);
	}
	*ret = &d->base;
	return NULL;
}
