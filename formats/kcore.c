/* placeholder: being written */
#include "config.h"
#include "formats/format.h"
static bool probe(const uint8_t *head, size_t len, const char *path) { return false; }
const struct mw_format_ops mw_format_kcore = { .name = "kcore", .probe = probe };
