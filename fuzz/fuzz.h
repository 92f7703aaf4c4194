/* lucidtcp fuzz targets (fuzz/): the entry points libFuzzer calls, declared once so every target
 * builds warning-free under -Wmissing-prototypes. docs/fuzzing.md describes the targets. */
#ifndef LTCP_FUZZ_H
#define LTCP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
