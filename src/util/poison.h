/* Memory a pool holds for reuse is poisoned under AddressSanitizer, so a use after free is still
 * caught although the block is not returned to malloc; without ASan these do nothing. */
#ifndef LTCP_UTIL_POISON_H
#define LTCP_UTIL_POISON_H

#if defined(__SANITIZE_ADDRESS__)
#define LTCP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LTCP_ASAN 1
#endif
#endif

#ifdef LTCP_ASAN
#include <sanitizer/asan_interface.h>
#define LTCP_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define LTCP_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define LTCP_POISON(p, n) ((void)(p), (void)(n))
#define LTCP_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
