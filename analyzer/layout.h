/* memwhere: layout tables declared once per field.
 *
 * An analyzer's layout struct holds the offsets (and sizes, enum values) it
 * reads kernel structs by. Each entry of its table names the kernel path and
 * where the result goes in the struct, so a field is named once:
 *
 *	#define L struct sock_layout
 *	static const struct mw_layout_field fields[] = {
 *		MW_LAYOUT_MEMBER(L, "sock_common.skc_family", family),
 *		MW_LAYOUT_MEMBER_OPT(L, "sock.tcp_rtx_queue", rtx_queue, has_rtx),
 *		MW_LAYOUT_SIZEOF_OPT(L, "udp_hslot", hslot_size, has_udp_tables),
 *	};
 *	err = mw_layout_resolve(k->types, fields, MW_ARRAY_SIZE(fields), l);
 *
 * Offsets and sizes go to uint32_t members (saturating: a value above
 * UINT32_MAX is stored as UINT32_MAX), enum values to int members; the
 * compiler checks the member's type. An optional field names a bool that is
 * true only if every field naming it was found (a group of members that are
 * used together). A field whose value needs more than a copy (a difference
 * of two offsets, a bitfield check) gives its whole struct mw_field to a
 * local variable with MW_LAYOUT_RAW/MW_LAYOUT_RAW_OPT. Every entry is
 * resolved in one pass, so the error for missing members names every
 * missing required member and the kernel release (mw_types_resolve_fields).
 */
#ifndef MW_LAYOUT_H
#define MW_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf/types.h"
#include "common/error.h"

/* A saturating conversion of an offset or size to the layout's 32 bits. */
static inline uint32_t mw_u32_of(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

enum mw_layout_take {
	MW_TAKE_NOTHING = 0,	/* only the found flag and/or the raw field */
	MW_TAKE_OFFSET,		/* field.offset -> uint32_t */
	MW_TAKE_SIZE,		/* field.size -> uint32_t */
	MW_TAKE_VALUE,		/* field.value -> int (enumerators) */
};

enum { MW_LAYOUT_NONE = SIZE_MAX };	/* no destination / no found flag */

struct mw_layout_field {
	enum mw_field_kind kind;
	const char *path;
	unsigned flags;			/* MW_FIELD_REQUIRED or MW_FIELD_OPTIONAL */
	enum mw_layout_take take;
	size_t dest;			/* offsetof the destination, or MW_LAYOUT_NONE */
	size_t found;			/* offsetof a bool, or MW_LAYOUT_NONE */
	struct mw_field *raw;		/* the whole field also here (or NULL) */
};

/* offsetof(T, m), checked to be of type TYPE at compile time. */
#define MW_LAYOUT_AT(T, m, TYPE) \
	(offsetof(T, m) + 0 * sizeof((TYPE *){ &((T *)0)->m }))

#define MW_LAYOUT_ENTRY(kind, path, flags, take, dest, found, raw) \
	{ (kind), (path), (flags), (take), (dest), (found), (raw) }
/* A value into T.m, of type TYPE; found: a bool member's offset or NONE. */
#define MW_LAYOUT_TO(kind, flags, take, T, path, m, TYPE, found) \
	MW_LAYOUT_ENTRY(kind, path, flags, take, MW_LAYOUT_AT(T, m, TYPE), found, NULL)
#define MW_LAYOUT_HAS(T, has) MW_LAYOUT_AT(T, has, bool)

/* A member's offset into T.m (uint32_t); _OPT: may be missing, T.has says. */
#define MW_LAYOUT_MEMBER(T, path, m) MW_LAYOUT_TO(MW_FIELD_KIND_MEMBER, \
	MW_FIELD_REQUIRED, MW_TAKE_OFFSET, T, path, m, uint32_t, MW_LAYOUT_NONE)
#define MW_LAYOUT_MEMBER_OPT(T, path, m, has) MW_LAYOUT_TO(MW_FIELD_KIND_MEMBER, \
	MW_FIELD_OPTIONAL, MW_TAKE_OFFSET, T, path, m, uint32_t, MW_LAYOUT_HAS(T, has))
/* A type's size into T.m (uint32_t); _MAYBE: 0 if missing. */
#define MW_LAYOUT_SIZEOF(T, path, m) MW_LAYOUT_TO(MW_FIELD_KIND_SIZEOF, \
	MW_FIELD_REQUIRED, MW_TAKE_SIZE, T, path, m, uint32_t, MW_LAYOUT_NONE)
#define MW_LAYOUT_SIZEOF_MAYBE(T, path, m) MW_LAYOUT_TO(MW_FIELD_KIND_SIZEOF, \
	MW_FIELD_OPTIONAL, MW_TAKE_SIZE, T, path, m, uint32_t, MW_LAYOUT_NONE)
#define MW_LAYOUT_SIZEOF_OPT(T, path, m, has) MW_LAYOUT_TO(MW_FIELD_KIND_SIZEOF, \
	MW_FIELD_OPTIONAL, MW_TAKE_SIZE, T, path, m, uint32_t, MW_LAYOUT_HAS(T, has))
/* An enumerator's value into T.m (int). */
#define MW_LAYOUT_ENUM(T, path, m) MW_LAYOUT_TO(MW_FIELD_KIND_ENUM, \
	MW_FIELD_REQUIRED, MW_TAKE_VALUE, T, path, m, int, MW_LAYOUT_NONE)
/* The whole field into a local struct mw_field, for values worked out. */
#define MW_LAYOUT_RAW(kind, path, out) MW_LAYOUT_ENTRY(kind, path, \
	MW_FIELD_REQUIRED, MW_TAKE_NOTHING, MW_LAYOUT_NONE, MW_LAYOUT_NONE, (out))
#define MW_LAYOUT_RAW_OPT(kind, path, out) MW_LAYOUT_ENTRY(kind, path, \
	MW_FIELD_OPTIONAL, MW_TAKE_NOTHING, MW_LAYOUT_NONE, MW_LAYOUT_NONE, (out))

/*
 * Resolve every field and store it into layout (which the caller zeroed).
 * A missing required member is MW_ERR_NOT_FOUND naming all of them and
 * the kernel release; raw fields are zeroed when missing.
 */
struct mw_error *mw_layout_resolve(struct mw_types *t,
				   const struct mw_layout_field *fields,
				   size_t nr_fields, void *layout);

#endif
