#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "formats/source.h"

struct file_source {
	struct mw_source base;
	int fd;
};

static struct mw_error *file_pread(struct mw_source *src, uint64_t offset,
				   void *buf, size_t len)
{
	struct file_source *fs = (struct file_source *)src;
	uint8_t *p = buf;
	/* Sizes of regular files are known; /proc/kcore reports its own. */
	if (src->size && (offset > src->size || len > src->size - offset))
		return mw_error_at_offset(MW_ERR_FORMAT, offset,
					  "%s: read of %zu bytes past end of file",
					  src->path, len);
	while (len > 0) {
		ssize_t n = pread(fs->fd, p, len, (off_t)offset);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mw_error_at_offset(MW_ERR_IO, offset, "%s: %s",
						  src->path, strerror(errno));
		}
		if (n == 0)
			return mw_error_at_offset(MW_ERR_FORMAT, offset,
						  "%s: unexpected end of file",
						  src->path);
		p += n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return NULL;
}

static void file_destroy(struct mw_source *src)
{
	free(src);
}

static const struct mw_source_ops file_ops = {
	.pread = file_pread,
	.destroy = file_destroy,
};

struct mw_error *mw_source_file_create(int fd, const char *path,
				       struct mw_source **ret)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return mw_error_errno(errno, "%s", path);
	struct file_source *fs = calloc(1, sizeof(*fs));
	if (!fs)
		return &mw_error_nomem;
	fs->base.ops = &file_ops;
	fs->base.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
	fs->base.path = path;
	fs->fd = fd;
	*ret = &fs->base;
	return NULL;
}
