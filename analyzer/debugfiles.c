#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/debugfiles.h"
#include "btf/elf-util.h"

enum { KEY_MAX = 128 };

/* Calls fn for each "KEY=VALUE" line of VMCOREINFO whose key starts with
 * prefix, with the part between "PREFIX(" and ")"; stops at the first
 * mismatch fn reports (returns false). */
typedef bool check_fn(void *arg, const char *inner, uint64_t value);

static bool for_each_key(const struct mw_dump_info *info, const char *prefix,
			 check_fn *fn, void *arg)
{
	const char *p = info->vmcoreinfo, *end = p ? p + info->vmcoreinfo_len : NULL;
	size_t plen = strlen(prefix);
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(le - p));
		if (eq && (size_t)(eq - p) > plen + 1 && (size_t)(eq - p) < KEY_MAX &&
		    memcmp(p, prefix, plen) == 0 && p[plen] == '(' && eq[-1] == ')') {
			char key[KEY_MAX], inner[KEY_MAX];
			memcpy(key, p, (size_t)(eq - p));
			key[eq - p] = '\0';
			size_t ilen = (size_t)(eq - p) - plen - 2;
			memcpy(inner, p + plen + 1, ilen);
			inner[ilen] = '\0';
			uint64_t v;
			struct mw_error *err = mw_vmcoreinfo_u64(info, key, &v);
			if (!err && !fn(arg, inner, v))
				return false;
			mw_error_destroy(err);
		}
		p = le + 1;
	}
	return true;
}

struct layout_check {
	struct mw_types *t;
	const char *kind;	/* "SIZE" or "OFFSET" */
	char key[KEY_MAX];
	uint64_t dump, types;
	unsigned compared, differ;
};

static bool check_layout(void *arg, const char *inner, uint64_t value)
{
	struct layout_check *c = arg;
	uint64_t v;
	/* a name the types spell otherwise (a typedef, a renamed member) is
	 * no evidence either way */
	struct mw_error *err = c->kind[0] == 'S' ? mw_types_sizeof(c->t, inner, &v) :
						   mw_types_offsetof(c->t, inner, &v);
	if (err) {
		mw_error_destroy(err);
		return true;
	}
	c->compared++;
	if (v != value) {
		if (!c->differ++) {
			snprintf(c->key, sizeof(c->key), "%s(%s)", c->kind, inner);
			c->dump = value;
			c->types = v;
		}
	}
	return true;
}

static bool hex_equal(const char *a, const char *b, size_t blen)
{
	/* VMCOREINFO prints the first 20 bytes of the ID (%20phN) */
	size_t alen = strlen(a);
	if (alen > blen && blen == 40)
		alen = blen;
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return false;
	return true;
}

/* The file's own word on what it is: its build ID, else its release. */
static struct mw_error *check_identity(const struct mw_dump_info *info, const char *release,
				       const char *what, const char *bid, const char *frel)
{
	const char *rel = release && *release ? release : "unknown release";
	size_t blen;
	const char *dump_bid = mw_vmcoreinfo_get(info, "BUILD-ID", &blen);
	if (dump_bid && bid && !hex_equal(bid, dump_bid, blen))
		return mw_error_create(MW_ERR_USAGE,
				       "%s is another build than the dumped kernel %s: build ID %s, "
				       "the dump's is %.*s; refusing to use it", what, rel, bid,
				       (int)blen, dump_bid);
	if (frel && release && *release && strcmp(frel, release) != 0)
		return mw_error_create(MW_ERR_USAGE,
				       "%s is for kernel %s, the dump is of kernel %s; refusing to use it",
				       what, frel, release);
	return NULL;
}

struct mw_error *mw_debugfiles_check_elf(const struct mw_dump_info *info,
					 const char *release, const char *what,
					 const char *path)
{
	int fd;
	Elf *elf;
	struct mw_error *err = mw_elf_open(path, &fd, &elf);
	if (err) {
		/* not for this check to say: the file's reader will */
		mw_error_destroy(err);
		return NULL;
	}
	char *bid = NULL, *frel = NULL;
	if (!(err = mw_elf_build_id(elf, &bid)) && !(err = mw_elf_kernel_release(elf, &frel)))
		err = check_identity(info, release, what, bid, frel);
	free(bid);
	free(frel);
	mw_elf_close(fd, elf);
	return err;
}

struct mw_error *mw_debugfiles_check_types(const struct mw_dump_info *info,
					   const char *release, const char *what,
					   struct mw_types *t)
{
	const char *rel = release && *release ? release : "unknown release";
	const char *trel = mw_types_release(t);
	struct mw_error *err = check_identity(info, release, what, mw_types_build_id(t), trel);
	if (err)
		return err;
	struct layout_check c = { .t = t };
	c.kind = "SIZE";
	for_each_key(info, "SIZE", check_layout, &c);
	c.kind = "OFFSET";
	for_each_key(info, "OFFSET", check_layout, &c);
	if (c.differ)
		return mw_error_create(MW_ERR_USAGE,
				       "%s does not describe the dumped kernel %s (types for %s): "
				       "%s is %" PRIu64 " in the dump's VMCOREINFO, %" PRIu64
				       " in the types (%u of %u layouts differ); refusing to use it",
				       what, rel, trel ? trel : "an unknown release", c.key, c.dump,
				       c.types, c.differ, c.compared);
	return NULL;
}

struct symbol_check {
	const struct mw_symbols *s;
	char name[KEY_MAX];
	uint64_t dump, file;
	unsigned compared, differ;
};

static bool check_symbol(void *arg, const char *inner, uint64_t value)
{
	struct symbol_check *c = arg;
	/* SYMBOL(mem_section) is the pointer's value, not its address, with
	 * SPARSEMEM_EXTREME (VMCOREINFO_SYMBOL_ARRAY) */
	if (strcmp(inner, "mem_section") == 0)
		return true;
	const struct mw_symbol *sym = mw_symbols_find(c->s, inner);
	if (!sym)
		return true;
	/* SYMBOL(mem_section) with SPARSEMEM_EXTREME is the pointer's value
	 * (VMCOREINFO_SYMBOL_ARRAY), in the direct map, not where the
	 * variable is in the image: no evidence either way */
	if (value < MW_KERNEL_IMAGE_START && sym->address >= MW_KERNEL_IMAGE_START)
		return true;
	c->compared++;
	if (sym->address != value && !c->differ++) {
		snprintf(c->name, sizeof(c->name), "%s", inner);
		c->dump = value;
		c->file = sym->address;
	}
	return true;
}

struct mw_error *mw_debugfiles_check_symbols(const struct mw_dump_info *info,
					     const char *release, const char *what,
					     const struct mw_symbols *s)
{
	struct mw_error *err = check_identity(info, release, what, mw_symbols_build_id(s),
					      mw_symbols_release(s));
	if (err)
		return err;
	struct symbol_check c = { .s = s };
	for_each_key(info, "SYMBOL", check_symbol, &c);
	if (c.differ)
		return mw_error_create(MW_ERR_USAGE,
				       "%s is not of the dumped kernel %s: %s is at 0x%" PRIx64
				       " in the dump's VMCOREINFO, 0x%" PRIx64 " in the file after KASLR "
				       "(%u of %u symbols differ); refusing to use it", what,
				       release && *release ? release : "(unknown release)", c.name,
				       c.dump, c.file, c.differ, c.compared);
	return NULL;
}

/* A release or build ID becomes part of a path: nothing that climbs out. */
static bool path_safe(const char *s, size_t len)
{
	if (len == 0 || len > KEY_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\0' || !isprint((unsigned char)s[i]))
			return false;
	return true;
}

static bool hex_id(const char *s, size_t len)
{
	if (len < 4 || len > KEY_MAX || len % 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

struct found {
	struct mw_debugfile *files;
	size_t n;
};

__attribute__((format(printf, 3, 4)))
static struct mw_error *try_path(struct found *f, enum mw_debugfile_kind kind,
				 const char *fmt, ...)
{
	char *path = NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&path, fmt, ap);
	va_end(ap);
	if (r < 0)
		return &mw_error_nomem;
	struct stat st;
	/* a regular file only: a FIFO there must not hang the lookup */
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || access(path, R_OK) != 0) {
		free(path);
		return NULL;
	}
	struct mw_debugfile *n = realloc(f->files, (f->n + 1) * sizeof(*n));
	if (!n) {
		free(path);
		return &mw_error_nomem;
	}
	f->files = n;
	f->files[f->n++] = (struct mw_debugfile){ .kind = kind, .path = path };
	return NULL;
}

struct mw_error *mw_debugfiles_find(const struct mw_debugfiles_where *w,
				    struct mw_debugfile **ret, size_t *nr)
{
	struct found f = { 0 };
	struct mw_error *err = NULL;
	const char *root = w->root ? w->root : "";
	size_t rlen = w->release ? strlen(w->release) : 0;
	const char *rel = path_safe(w->release, rlen) ? w->release : NULL;
	char *dir = NULL;
	if (w->dump_path) {
		const char *slash = strrchr(w->dump_path, '/');
		dir = slash ? strndup(w->dump_path, (size_t)(slash - w->dump_path) + 1) :
			      strdup("");
		if (!dir)
			return &mw_error_nomem;
		if (!*dir && slash) {
			free(dir);
			dir = strdup("/");
			if (!dir)
				return &mw_error_nomem;
		}
	}
	/* beside the dump: what a user copied there */
	if (dir) {
		if (rel && !err)
			err = try_path(&f, MW_DEBUGFILE_BTF, "%s%s.btf", dir, rel);
		if (!err)
			err = try_path(&f, MW_DEBUGFILE_BTF, "%svmlinux.btf", dir);
		if (rel && !err)
			err = try_path(&f, MW_DEBUGFILE_VMLINUX, "%svmlinux-%s", dir, rel);
		if (!err)
			err = try_path(&f, MW_DEBUGFILE_VMLINUX, "%svmlinux", dir);
		if (rel && !err)
			err = try_path(&f, MW_DEBUGFILE_SYSTEM_MAP, "%sSystem.map-%s", dir, rel);
		if (!err)
			err = try_path(&f, MW_DEBUGFILE_SYSTEM_MAP, "%sSystem.map", dir);
	}
	/* by build ID: /usr/lib/debug/.build-id/ab/cdef....debug */
	if (w->build_id && hex_id(w->build_id, w->build_id_len) && !err) {
		char id[KEY_MAX + 1];
		for (size_t i = 0; i < w->build_id_len; i++)
			id[i] = (char)tolower((unsigned char)w->build_id[i]);
		id[w->build_id_len] = '\0';
		err = try_path(&f, MW_DEBUGFILE_VMLINUX, "%s/usr/lib/debug/.build-id/%.2s/%s.debug",
			       root, id, id + 2);
	}
	/* Debian's linux-image-REL-dbg, Fedora's and RHEL's kernel-debuginfo */
	if (rel && !err)
		err = try_path(&f, MW_DEBUGFILE_VMLINUX, "%s/usr/lib/debug/boot/vmlinux-%s", root, rel);
	if (rel && !err)
		err = try_path(&f, MW_DEBUGFILE_VMLINUX, "%s/usr/lib/debug/lib/modules/%s/vmlinux",
			       root, rel);
	/* Debian's -dbg package has the real System.map too (the image
	 * package's is a placeholder) */
	if (rel && !err)
		err = try_path(&f, MW_DEBUGFILE_SYSTEM_MAP, "%s/usr/lib/debug/boot/System.map-%s",
			       root, rel);
	/* the host's own, when it runs the dumped kernel's release */
	if (rel && !err)
		err = try_path(&f, MW_DEBUGFILE_SYSTEM_MAP, "%s/boot/System.map-%s", root, rel);
	free(dir);
	if (err) {
		mw_debugfiles_free(f.files, f.n);
		return err;
	}
	*ret = f.files;
	*nr = f.n;
	return NULL;
}

void mw_debugfiles_free(struct mw_debugfile *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}
