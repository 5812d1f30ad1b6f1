/* The error type: codes, context prepending, address rendering. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "common/error.h"
#include "tests/tap.h"

int main(void)
{
	struct mw_error *err = mw_error_at(MW_ERR_NOT_IN_DUMP, 0x1000, "page excluded");
	err = mw_error_prepend(err, "reading %s", "mem_section");
	char *s = mw_error_string(err);
	tap_is_str(s, "reading mem_section: page excluded (at 0x1000)", "context prepended, address kept");
	tap_ok(err->code == MW_ERR_NOT_IN_DUMP, "code kept");
	free(s);
	mw_error_destroy(err);

	err = mw_error_at_offset(MW_ERR_FORMAT, 4096, "bad header");
	s = mw_error_string(err);
	tap_is_str(s, "bad header (file offset 4096)", "offset rendering");
	free(s);
	mw_error_destroy(err);

	err = mw_error_errno(ENOENT, "%s", "/nope");
	tap_is_str(err->message, "/nope: No such file or directory", "errno message");
	tap_ok(err->code == MW_ERR_IO, "errno gives MW_ERR_IO");
	mw_error_destroy(err);

	tap_ok(mw_error_prepend(NULL, "x") == NULL, "prepend to NULL stays NULL");
	tap_ok(mw_error_prepend(&mw_error_nomem, "x") == &mw_error_nomem, "nomem is static");
	return tap_done();
}
