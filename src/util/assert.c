#include "util/assert.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef NDEBUG

/* The one place the library prints: an invariant is broken, so the process must stop. */
void ltcp_assert_fail(const char *cond, const char *file, int line) {
  fprintf(stderr, "lucidtcp: invariant failed: %s (%s:%d)\n", cond, file, line);
  abort();
}
#endif
