/* memwhere: the one layout interface over the kernel's types.
 *
 * A struct mw_types answers layout questions (sizeof, offsetof of a member
 * path, bitfields, member types, array lengths, enum values) from one of two
 * backends behind an ops table:
 *   - BTF: a raw BTF blob (read out of the dump between __start_BTF and
 *     __stop_BTF), a `--btf FILE` (raw BTF, or an ELF file's .BTF section),
 *     or /sys/kernel/btf/vmlinux;
 *   - DWARF: a vmlinux with debug info (`--vmlinux FILE`), through libdw.
 * Both build a name index once at open, so lookups never scan.
 *
 * Member paths start with a type name and go through embedded members:
 *   "page.mapping", "folio.memcg_data", "sock.__sk_common.skc_family",
 *   "pglist_data.node_zones[1].vm_stat".
 * A path component finds members directly in the struct/union or inside its
 * anonymous struct/union members, at any depth (as C does). Typedefs and
 * qualifiers are looked through; pointers are not (look the pointee's type up
 * by its name).
 *
 * The type name is "struct X", "union X", "enum X", "typedef X" or a bare
 * name (tried as a struct, a union, a typedef, an enum, then a base type such
 * as "unsigned int" spelled as the compiler does: "long unsigned int").
 *
 * Analyzers resolve what they need once per dump with
 * mw_types_resolve_fields() into plain numbers; mw_types is not thread-safe
 * (libdw is not) and is not meant to be used in inner loops.
 *
 * Corrupt type data (loops, absurd counts, offsets out of bounds) gives an
 * error (MW_ERR_FORMAT, or MW_ERR_LIMIT for a bound hit), never a crash or a
 * hang: every chain of typedefs, qualifiers and anonymous members is followed
 * at most MW_TYPES_MAX_DEPTH deep.
 */
#ifndef MW_TYPES_H
#define MW_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum {
	MW_TYPES_MAX_DEPTH = 64,	/* typedef/qualifier/array/anonymous nesting */
	MW_TYPES_MAX_PATH = 512,	/* bytes in a member path or type name */
};

/*
 * A backend's handle of one type: a BTF type id, or a DWARF DIE offset.
 * 0 is void in both. Valid only with the struct mw_types it came from.
 */
typedef uint64_t mw_type_id;
#define MW_TYPE_ID_VOID ((mw_type_id)0)

enum mw_types_source {
	MW_TYPES_BTF_DUMP = 1,	/* BTF found inside the dump */
	MW_TYPES_BTF_FILE,	/* --btf FILE, /sys/kernel/btf/vmlinux */
	MW_TYPES_DWARF,		/* --vmlinux FILE */
};

enum mw_kind {
	MW_KIND_VOID = 0,
	MW_KIND_INT,
	MW_KIND_BOOL,
	MW_KIND_FLOAT,
	MW_KIND_POINTER,
	MW_KIND_ARRAY,
	MW_KIND_STRUCT,
	MW_KIND_UNION,
	MW_KIND_ENUM,
	MW_KIND_TYPEDEF,
	MW_KIND_FUNCTION,	/* a function type (BTF FUNC_PROTO, DW_TAG_subroutine_type) */
	MW_KIND_QUALIFIER,	/* const, volatile, restrict, atomic, BTF type tag */
	MW_KIND_OTHER,		/* not a type of data (BTF FUNC, VAR, DATASEC, DECL_TAG) */
};

struct mw_type {
	mw_type_id id;
	enum mw_kind kind;
	const char *name;	/* NULL if anonymous; lives as long as the mw_types */
	/* Bytes. Computed through typedefs and arrays; 0 for void, functions
	 * and incomplete types. */
	uint64_t size;
	/* POINTER: pointee; ARRAY: element; TYPEDEF, QUALIFIER: the aliased
	 * type; FUNCTION: return type; else MW_TYPE_ID_VOID. */
	mw_type_id target;
	uint64_t nr_elements;	/* ARRAY: element count (0: flexible/unknown) */
	bool is_signed;		/* INT, ENUM */
	bool incomplete;	/* STRUCT, UNION, ENUM only declared (BTF FWD) */
};

struct mw_member {
	const char *name;	/* last component of the path */
	uint64_t offset;	/* bytes from the start of the outer type */
	uint64_t bit_offset;	/* bits from the start of the outer type */
	uint32_t bit_size;	/* 0 unless a bitfield */
	uint64_t size;		/* bytes of the member's type (the storage type for a bitfield) */
	mw_type_id type;	/* declared type, qualifiers skipped, typedefs kept */
	const char *type_name;	/* its name ("pgoff_t"); NULL if anonymous */
	struct mw_type resolved; /* the type behind typedefs: kind, size, target, nr_elements */
	/* POINTER/ARRAY: bytes of the pointee/element after typedefs
	 * (0 for void or unknown). */
	uint64_t target_size;
};

struct mw_types;

/* Open a raw BTF blob (copied). `what` names it in errors ("BTF in vmcore"). */
struct mw_error *mw_types_open_btf_buf(const void *data, size_t len,
				       const char *what, struct mw_types **ret);
/*
 * Open a split BTF blob (a kernel module's BTF, as the kernel keeps it in
 * its btf_modules list) on top of base, which must be BTF (MW_ERR_UNSUPPORTED
 * for DWARF): the blob's type ids continue after the base's last one, its
 * string offsets after the base's string section, and its types may refer
 * to the base's. Lookups by name see both (the split blob's first; a full
 * definition beats a declaration). The blob is checked as a base blob is
 * (MW_ERR_FORMAT for a truncated or corrupt one). base must outlive *ret.
 */
struct mw_error *mw_types_open_btf_split(struct mw_types *base, const void *data, size_t len,
					 const char *what, struct mw_types **ret);
/* Where a split BTF on top of t starts: its first type id and first string
 * offset (the kernel's btf->start_id and start_str_off). False if t is not
 * BTF. */
bool mw_types_btf_split_start(const struct mw_types *t, uint32_t *first_id,
			      uint32_t *first_str);
/* Open a raw BTF file, or an ELF file's .BTF section. */
struct mw_error *mw_types_open_btf_file(const char *path, struct mw_types **ret);
/* Open a vmlinux with DWARF. */
struct mw_error *mw_types_open_dwarf(const char *path, struct mw_types **ret);
/* A vmlinux: its DWARF, else (stripped of debug info) its .BTF section;
 * if neither, the DWARF error. */
struct mw_error *mw_types_open_vmlinux(const char *path, struct mw_types **ret);
void mw_types_destroy(struct mw_types *t);

enum mw_types_source mw_types_source(const struct mw_types *t);
/* "btf-in-dump", "btf-file", "dwarf" (the JSON `types.source`). */
const char *mw_types_source_name(enum mw_types_source source);
/* What the types came from, for messages: "BTF /sys/kernel/btf/vmlinux". */
const char *mw_types_description(const struct mw_types *t);
/*
 * The kernel release the types describe, used in error messages. A vmlinux
 * (DWARF, or an ELF given to --btf) sets it itself from its linux_banner;
 * the caller sets it from the dump's VMCOREINFO OSRELEASE otherwise.
 * NULL if unknown.
 */
const char *mw_types_release(const struct mw_types *t);
struct mw_error *mw_types_set_release(struct mw_types *t, const char *release);
/* The GNU build ID of the vmlinux the types came from (lowercase hex), or
 * NULL (raw BTF, BTF in the dump). */
const char *mw_types_build_id(const struct mw_types *t);
struct mw_error *mw_types_set_build_id(struct mw_types *t, const char *hex);

/* Find a type by name (see above for the spelling). MW_ERR_NOT_FOUND if none. */
struct mw_error *mw_types_find(struct mw_types *t, const char *name,
			       mw_type_id *ret);
/* Describe a type as it is (typedefs and qualifiers not followed). */
struct mw_error *mw_types_type(struct mw_types *t, mw_type_id id,
			       struct mw_type *ret);
/* Describe the type behind typedefs and qualifiers (and a struct's full
 * definition if id is only a declaration). */
struct mw_error *mw_types_resolve(struct mw_types *t, mw_type_id id,
				  struct mw_type *ret);
/* sizeof a named type ("page", "struct page", "pgoff_t"). */
struct mw_error *mw_types_sizeof(struct mw_types *t, const char *name,
				 uint64_t *ret);

/* Resolve a member path "type.member[.member...]". */
struct mw_error *mw_types_member(struct mw_types *t, const char *path,
				 struct mw_member *ret);
/* Resolve a member path ("member.member") inside the type id. */
struct mw_error *mw_types_member_of(struct mw_types *t, mw_type_id id,
				    const char *path, struct mw_member *ret);
struct mw_error *mw_types_offsetof(struct mw_types *t, const char *path,
				   uint64_t *ret);
/* Does the member path exist? (False also for corrupt types.) */
bool mw_types_has_member(struct mw_types *t, const char *path);

/*
 * Value of an enumerator. enum_name ("pageflags", "enum pageflags") may be
 * NULL to search every enum (anonymous ones too; the first definition of the
 * enumerator wins). Values of unsigned 64-bit enums above INT64_MAX come
 * back as their two's complement.
 */
struct mw_error *mw_types_enum_value(struct mw_types *t, const char *enum_name,
				     const char *enumerator, int64_t *ret);

/*
 * Walk a struct/union's direct members (anonymous ones are reported as
 * members with a NULL name) or an enum's enumerators. The callback returns
 * true to stop. Offsets are relative to the type itself.
 */
struct mw_member_raw {
	const char *name;	/* NULL if anonymous */
	mw_type_id type;
	uint64_t bit_offset;
	uint32_t bit_size;	/* 0 unless a bitfield */
};
typedef bool mw_member_cb(const struct mw_member_raw *member, void *arg);
typedef bool mw_enumerator_cb(const char *name, int64_t value, void *arg);
struct mw_error *mw_types_for_each_member(struct mw_types *t, mw_type_id id,
					  mw_member_cb *cb, void *arg);
struct mw_error *mw_types_for_each_enumerator(struct mw_types *t, mw_type_id id,
					      mw_enumerator_cb *cb, void *arg);

/*
 * Offsets tables: an analyzer lists what it needs and resolves it once per
 * dump:
 *
 *	struct mw_field mapping, memcg_data, page_size, pg_locked;
 *	const struct mw_field_spec spec[] = {
 *		MW_FIELD_MEMBER("page.mapping", &mapping),
 *		MW_FIELD_MEMBER_OPT("page.memcg_data", &memcg_data),
 *		MW_FIELD_SIZEOF("page", &page_size),
 *		MW_FIELD_ENUM("pageflags.PG_locked", &pg_locked),
 *	};
 *	err = mw_types_resolve_fields(t, spec, MW_ARRAY_SIZE(spec));
 *
 * Every entry is tried. Optional ones that are missing get found = false. If
 * required ones are missing, the error (MW_ERR_NOT_FOUND) names the first and
 * lists the others, and the kernel release:
 *   "struct page has no member 'memcg_data'; also missing: slab.objects
 *    (kernel 6.1.0-28-cloud-amd64)"
 * Any other error (corrupt types) is returned at once.
 */
enum mw_field_kind {
	MW_FIELD_KIND_MEMBER = 1,	/* path "type.member..." */
	MW_FIELD_KIND_SIZEOF,		/* path "type" */
	MW_FIELD_KIND_ENUM,		/* path "enum.ENUMERATOR", or "ENUMERATOR" in any enum */
};

enum {
	MW_FIELD_REQUIRED = 0,
	MW_FIELD_OPTIONAL = 1u << 0,
};

struct mw_field {
	bool found;
	uint64_t offset;	/* MEMBER: bytes from the start of the type */
	uint64_t size;		/* MEMBER: bytes of the member's type; SIZEOF: sizeof */
	uint64_t bit_offset;	/* MEMBER: bits from the start of the type */
	uint32_t bit_size;	/* MEMBER: 0 unless a bitfield */
	uint64_t nr_elements;	/* MEMBER of array type: element count */
	uint64_t target_size;	/* MEMBER of pointer/array type: pointee/element bytes */
	enum mw_kind kind;	/* MEMBER/SIZEOF: kind behind typedefs */
	mw_type_id type;	/* MEMBER: declared type; SIZEOF: the type */
	int64_t value;		/* ENUM: the value */
};

struct mw_field_spec {
	enum mw_field_kind kind;
	const char *path;
	struct mw_field *out;
	unsigned flags;
};

#define MW_FIELD_MEMBER(path, out) { MW_FIELD_KIND_MEMBER, (path), (out), MW_FIELD_REQUIRED }
#define MW_FIELD_MEMBER_OPT(path, out) { MW_FIELD_KIND_MEMBER, (path), (out), MW_FIELD_OPTIONAL }
#define MW_FIELD_SIZEOF(path, out) { MW_FIELD_KIND_SIZEOF, (path), (out), MW_FIELD_REQUIRED }
#define MW_FIELD_SIZEOF_OPT(path, out) { MW_FIELD_KIND_SIZEOF, (path), (out), MW_FIELD_OPTIONAL }
#define MW_FIELD_ENUM(path, out) { MW_FIELD_KIND_ENUM, (path), (out), MW_FIELD_REQUIRED }
#define MW_FIELD_ENUM_OPT(path, out) { MW_FIELD_KIND_ENUM, (path), (out), MW_FIELD_OPTIONAL }
#ifndef MW_ARRAY_SIZE
#define MW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

struct mw_error *mw_types_resolve_fields(struct mw_types *t,
					 const struct mw_field_spec *specs,
					 size_t nr_specs);

const char *mw_kind_name(enum mw_kind kind);

#endif
