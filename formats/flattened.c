/* placeholder: being written */
#include "config.h"
#include "formats/source.h"
int mw_flattened_probe(const uint8_t *head, size_t len) { return 0; }
struct mw_error *mw_source_flattened_create(int fd, const char *path, struct mw_source **ret)
{ return mw_error_create(MW_ERR_UNSUPPORTED, "%s: flattened format not yet supported", path); }
