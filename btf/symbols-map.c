/* memwhere: symbols from a System.map ("ADDRESS TYPE NAME" lines). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/file.h"
#include "btf/symbols.h"

enum {
	MAP_LINE_MAX = MW_SYMBOL_NAME_MAX + 256,
	MAP_FILE_MAX = 512 << 20,
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse one line [p, end); a blank line is fine. */
static struct mw_error *parse_line(struct mw_symbols *s, const char *p, const char *end,
				   size_t lineno)
{
	while (p < end && is_blank(*p))
		p++;
	if (p == end)
		return NULL;
	uint64_t addr = 0;
	size_t digits = 0;
	int d;
	while (p < end && (d = hex_digit(*p)) >= 0) {
		if (++digits > 16)
			goto bad;
		addr = addr << 4 | (uint64_t)d;
		p++;
	}
	if (!digits || p == end || !is_blank(*p))
		goto bad;
	while (p < end && is_blank(*p))
		p++;
	if (p == end || is_blank(*p))
		goto bad;
	char type = *p++;
	if (p == end || !is_blank(*p))
		goto bad;
	while (p < end && is_blank(*p))
		p++;
	const char *name = p;
	while (p < end && !is_blank(*p))
		p++;
	size_t len = (size_t)(p - name);
	if (!len)
		goto bad;
	/* optional "[module]" column */
	while (p < end && is_blank(*p))
		p++;
	if (p < end) {
		if (*p != '[' || end[-1] != ']')
			goto bad;
	}
	return mw_symbols_add(s, name, len, addr, 0, type);
bad:
	return mw_error_create(MW_ERR_FORMAT, "%s: line %zu is not \"ADDRESS TYPE NAME\"",
			       mw_symbols_description(s), lineno);
}

struct mw_error *mw_symbols_parse_map(struct mw_symbols *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;
	while (p < end) {
		lineno++;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (eol - p > MAP_LINE_MAX)
			return mw_error_create(MW_ERR_FORMAT, "%s: line %zu is longer than %d bytes",
					       mw_symbols_description(s), lineno, MAP_LINE_MAX);
		const char *e = eol;
		if (e > p && e[-1] == '\r')
			e--;
		if (memchr(p, 0, (size_t)(e - p)))
			return mw_error_create(MW_ERR_FORMAT, "%s: line %zu has a NUL byte: not a text file",
					       mw_symbols_description(s), lineno);
		struct mw_error *err = parse_line(s, p, e, lineno);
		if (err)
			return err;
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

struct mw_error *mw_symbols_open_system_map(const char *path, struct mw_symbols **ret)
{
	int fd;
	struct mw_error *oerr = mw_file_open(path, MW_FILE_REGULAR, &fd);
	if (oerr)
		return oerr;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return mw_error_errno(e, "%s", path);
	}
	if (st.st_size > MAP_FILE_MAX) {
		close(fd);
		return mw_error_create(MW_ERR_LIMIT, "%s: larger than %d MiB: not a System.map",
				       path, MAP_FILE_MAX >> 20);
	}
	size_t size = (size_t)st.st_size;
	char *buf = malloc(size ? size : 1);
	if (!buf) {
		close(fd);
		return &mw_error_nomem;
	}
	size_t got = 0;
	while (got < size) {
		ssize_t r = pread(fd, buf + got, size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			free(buf);
			close(fd);
			return r < 0 ? mw_error_errno(e, "%s", path)
				     : mw_error_create(MW_ERR_IO, "%s: file shrank while reading", path);
		}
		got += (size_t)r;
	}
	close(fd);
	char *what;
	struct mw_symbols *s = NULL;
	struct mw_error *err;
	/* Debian's linux-image packages ship a one-line placeholder */
	static const char placeholder[] = "The real System.map is in";
	if (memmem(buf, size, placeholder, sizeof(placeholder) - 1)) {
		free(buf);
		return mw_error_create(MW_ERR_FORMAT, "%s is a placeholder, not a System.map: "
				       "the real one is in the kernel's -dbg package", path);
	}
	if (asprintf(&what, "System.map %s", path) < 0) {
		free(buf);
		return &mw_error_nomem;
	}
	err = mw_symbols_create(what, &s);
	free(what);
	if (!err)
		err = mw_symbols_parse_map(s, buf, size);
	free(buf);
	if (!err)
		err = mw_symbols_finish(s);
	if (!err && mw_symbols_count(s) == 0)
		err = mw_error_create(MW_ERR_FORMAT, "%s: no symbols", path);
	if (err) {
		mw_symbols_destroy(s);
		return err;
	}
	*ret = s;
	return NULL;
}
