#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"

static const char *kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

struct mw_error *mw_file_open(const char *path, unsigned flags, int *fd)
{
	*fd = -1;
	/* O_NONBLOCK: open(2) of a FIFO with no writer would wait forever */
	int f = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (f < 0)
		return mw_error_errno(errno, "%s", path);
	struct stat st;
	if (fstat(f, &st) < 0) {
		int e = errno;
		close(f);
		return mw_error_errno(e, "%s", path);
	}
	if (!S_ISREG(st.st_mode) && !(S_ISBLK(st.st_mode) && (flags & MW_FILE_ALLOW_BLOCK))) {
		close(f);
		return mw_error_create(MW_ERR_IO, "%s: %s, not a regular file%s", path,
				       kind_of(st.st_mode),
				       flags & MW_FILE_ALLOW_BLOCK ? " or block device" : "");
	}
	int fl = fcntl(f, F_GETFL);
	if (fl < 0 || fcntl(f, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(f);
		return mw_error_errno(e, "%s", path);
	}
	*fd = f;
	return NULL;
}
