#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBDEBUGINFOD
#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#endif

#include "analyzer/debuginfod.h"

enum { BUILD_ID_HEX_MAX = 128 };
#define LIBDEBUGINFOD_SONAME "libdebuginfod.so.1"

bool mw_debuginfod_built(void)
{
#ifdef HAVE_LIBDEBUGINFOD
	return true;
#else
	return false;
#endif
}

bool mw_debuginfod_enabled(void)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	return mw_debuginfod_built() && urls && *urls;
}

#ifndef HAVE_LIBDEBUGINFOD
struct mw_error *mw_debuginfod_find(const char *hex, size_t len, char **path)
{
	*path = NULL;
	return mw_error_create(MW_ERR_NOT_FOUND, "memwhere was built without libdebuginfod");
}
#else
struct mw_error *mw_debuginfod_find(const char *hex, size_t len, char **path)
{
	*path = NULL;
	if (!mw_debuginfod_enabled())
		return mw_error_create(MW_ERR_NOT_FOUND, "DEBUGINFOD_URLS is not set");
	if (len < 2 || len > BUILD_ID_HEX_MAX || len % 2)
		return mw_error_create(MW_ERR_NOT_FOUND, "build ID of %zu hex digits", len);
	char id[BUILD_ID_HEX_MAX + 1];
	for (size_t i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)hex[i]))
			return mw_error_create(MW_ERR_NOT_FOUND, "build ID is not hex");
		id[i] = (char)tolower((unsigned char)hex[i]);
	}
	id[len] = '\0';
	/* loaded only now: linked, its libcurl and TLS libraries would be
	 * loaded by every run (14 shared libraries become 42: 7 ms of CPU
	 * for each `memwhere info`) */
	void *lib = dlopen(LIBDEBUGINFOD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return mw_error_create(MW_ERR_NOT_FOUND, "debuginfod: cannot load %s: %s",
				       LIBDEBUGINFOD_SONAME, dlerror());
	__typeof__(debuginfod_begin) *begin;
	__typeof__(debuginfod_find_debuginfo) *find;
	__typeof__(debuginfod_end) *end;
	*(void **)&begin = dlsym(lib, "debuginfod_begin");
	*(void **)&find = dlsym(lib, "debuginfod_find_debuginfo");
	*(void **)&end = dlsym(lib, "debuginfod_end");
	debuginfod_client *c = begin && find && end ? begin() : NULL;
	if (!c) {
		dlclose(lib);
		return mw_error_create(MW_ERR_NOT_FOUND, "debuginfod: cannot start the client (%s)",
				       LIBDEBUGINFOD_SONAME);
	}
	char *p = NULL;
	/* a length of 0: the ID is given as a hex string */
	int fd = find(c, (const unsigned char *)id, 0, &p);
	end(c);
	/* the library stays loaded: libcurl does not unload cleanly */
	if (fd < 0) {
		free(p);
		return mw_error_create(MW_ERR_NOT_FOUND,
				       "debuginfod (DEBUGINFOD_URLS=%s) has no debug file of build ID %s: %s",
				       getenv("DEBUGINFOD_URLS"), id, strerror(-fd));
	}
	close(fd);
	if (!p)
		return mw_error_create(MW_ERR_NOT_FOUND, "debuginfod gave no path for build ID %s", id);
	*path = p;
	return NULL;
}
#endif
