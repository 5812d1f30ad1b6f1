/* memwhere: where BTF comes from: a buffer, a raw BTF file (such as
 * /sys/kernel/btf/vmlinux), or an ELF file's .BTF section. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "btf/elf-util.h"
#include "btf/types-internal.h"

enum {
	/* a vmlinux's BTF is a few MiB; refuse to read absurd files whole */
	BTF_FILE_MAX = 256 << 20,
};

struct mw_error *mw_types_open_btf_buf(const void *data, size_t len,
				       const char *what, struct mw_types **ret)
{
	return mw_btf_open(data, len, MW_TYPES_BTF_DUMP, what, 0, ret);
}

/* Read a whole raw BTF file; sysfs files may report a wrong st_size, so read
 * until EOF, bounded. */
static struct mw_error *read_whole(int fd, const char *path, uint8_t **ret, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return &mw_error_nomem;
	for (;;) {
		if (n == cap) {
			if (cap >= BTF_FILE_MAX) {
				free(buf);
				return mw_error_create(MW_ERR_LIMIT, "%s: larger than %d MiB: not a BTF file",
						       path, BTF_FILE_MAX >> 20);
			}
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return &mw_error_nomem;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = pread(fd, buf + n, cap - n, (off_t)n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return mw_error_errno(e, "%s", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*ret = buf;
	*len = n;
	return NULL;
}

static struct mw_error *open_btf_elf(const char *path, struct mw_types **ret)
{
	int fd;
	Elf *elf;
	struct mw_error *err = mw_elf_open(path, &fd, &elf);
	if (err)
		return err;
	GElf_Shdr shdr;
	Elf_Scn *scn = mw_elf_section(elf, ".BTF", &shdr);
	Elf_Data *data = NULL;
	if (!scn)
		err = mw_error_create(MW_ERR_NOT_FOUND, "%s: ELF file without a .BTF section", path);
	else
		err = mw_elf_section_data(path, scn, &shdr, &data);
	char *desc = NULL;
	if (!err && asprintf(&desc, "BTF in %s", path) < 0)
		err = &mw_error_nomem;
	if (!err)
		err = mw_btf_open(data->d_buf, data->d_size, MW_TYPES_BTF_FILE, desc,
				  shdr.sh_offset, ret);
	free(desc);
	char *release = NULL;
	if (!err) {
		err = mw_elf_kernel_release(elf, &release);
		if (!err && release)
			err = mw_types_set_release(*ret, release);
		char *bid = NULL;
		if (!err && !(err = mw_elf_build_id(elf, &bid)) && bid)
			err = mw_types_set_build_id(*ret, bid);
		free(bid);
		if (err)
			mw_types_destroy(*ret);
	}
	free(release);
	mw_elf_close(fd, elf);
	return err;
}

struct mw_error *mw_types_open_btf_file(const char *path, struct mw_types **ret)
{
	int fd;
	struct mw_error *oerr = mw_file_open(path, MW_FILE_REGULAR, &fd);
	if (oerr)
		return oerr;
	uint8_t magic[4];
	ssize_t r = pread(fd, magic, sizeof(magic), 0);
	if (r < 0) {
		int e = errno;
		close(fd);
		return mw_error_errno(e, "%s", path);
	}
	if (r == 4 && memcmp(magic, "\177ELF", 4) == 0) {
		close(fd);
		return open_btf_elf(path, ret);
	}
	uint8_t *buf = NULL;
	size_t len = 0;
	struct mw_error *err = read_whole(fd, path, &buf, &len);
	close(fd);
	if (err)
		return err;
	char *desc;
	if (asprintf(&desc, "BTF %s", path) < 0) {
		free(buf);
		return &mw_error_nomem;
	}
	err = mw_btf_open(buf, len, MW_TYPES_BTF_FILE, desc, 0, ret);
	free(desc);
	free(buf);
	return err;
}
