/* memwhere: do the debug files a user gave belong to the dumped kernel?
 *
 * A vmlinux, BTF file or System.map of another kernel gives nonsense, not
 * an error: types whose offsets are off by a few bytes read wild pointers.
 * Before any of it is used, it is checked against what the dump says of
 * itself, as far as it says it: VMCOREINFO's BUILD-ID against the file's
 * GNU build ID, OSRELEASE against the file's linux_banner, every SIZE() and
 * OFFSET() VMCOREINFO carries against the types, every SYMBOL() against the
 * symbols.
 *
 * When the dump cannot give its own types or symbols, mw_debugfiles_find()
 * lists the files where users and distributions put them; each is checked
 * the same way before use.
 */
#ifndef MW_DEBUGFILES_H
#define MW_DEBUGFILES_H

#include "btf/symbols.h"
#include "btf/types.h"
#include "formats/reader.h"

/* what: how the user named the file ("--vmlinux /x/vmlinux"); release: the
 * dump's. MW_ERR_USAGE, one line naming both kernels, on a mismatch. */
struct mw_error *mw_debugfiles_check_types(const struct mw_dump_info *info,
					   const char *release, const char *what,
					   struct mw_types *t);
/* The ELF file's build ID and linux_banner release alone: cheap, before a
 * vmlinux's DWARF is indexed. NULL also when path is no ELF file. */
struct mw_error *mw_debugfiles_check_elf(const struct mw_dump_info *info,
					 const char *release, const char *what,
					 const char *path);
struct mw_error *mw_debugfiles_check_symbols(const struct mw_dump_info *info,
					     const char *release, const char *what,
					     const struct mw_symbols *s);


enum mw_debugfile_kind {
	MW_DEBUGFILE_BTF,	 /* raw BTF or an ELF with .BTF: types */
	MW_DEBUGFILE_VMLINUX,	 /* a vmlinux with DWARF: types and symbols */
	MW_DEBUGFILE_SYSTEM_MAP, /* symbols */
};

struct mw_debugfile {
	enum mw_debugfile_kind kind;
	char *path;
};

struct mw_debugfiles_where {
	const char *dump_path;	/* look beside it; NULL: nowhere */
	const char *release;	/* the dump's OSRELEASE; NULL or "" if unknown */
	const char *build_id;	/* VMCOREINFO's BUILD-ID (hex, build_id_len chars) or NULL */
	size_t build_id_len;
	const char *root;	/* prefix of the system paths (tests); NULL or "" for / */
};

/*
 * The readable regular files among, in this order (REL the release, ID the
 * build ID, ROOT the prefix):
 *   beside the dump: REL.btf, vmlinux.btf, vmlinux-REL, vmlinux, System.map-REL;
 *   ROOT/usr/lib/debug/.build-id/ID[0..2]/ID[2..].debug;
 *   ROOT/usr/lib/debug/boot/vmlinux-REL (Debian's linux-image-REL-dbg,
 *   Ubuntu's linux-image-REL-dbgsym);
 *   ROOT/usr/lib/debug/lib/modules/REL/vmlinux (Fedora's and RHEL's
 *   kernel-debuginfo);
 *   ROOT/boot/System.map-REL.
 * A release or build ID that could climb out of a directory is not used.
 * Nothing is opened or checked here. *ret (free with mw_debugfiles_free)
 * may be empty.
 */
struct mw_error *mw_debugfiles_find(const struct mw_debugfiles_where *where,
				    struct mw_debugfile **ret, size_t *nr);
void mw_debugfiles_free(struct mw_debugfile *files, size_t nr);

#endif
