/* memwhere fuzz targets: each defines LLVMFuzzerTestOneInput. Built with
 * libFuzzer by `make fuzz` (clang), and with fuzz/replay.c into plain
 * programs that `make check` runs over the saved corpus (under ASan and
 * UBSan in scripts/test's sanitizer build). */
#ifndef MW_FUZZ_H
#define MW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
