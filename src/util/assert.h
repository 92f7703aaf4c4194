/* Invariant checks: on in every build but Release (CMakeLists.txt: Debug, RelWithDebInfo, the
 * simulations), compiled out with NDEBUG (make bench, the Debian packages). A failed one prints
 * the condition, file and line and aborts: a stack never runs on with broken state. */
#ifndef LTCP_UTIL_ASSERT_H
#define LTCP_UTIL_ASSERT_H

#ifdef NDEBUG
/* Not evaluated, but its operands count as used (no unused-variable warnings for a bound
 * that only an assertion reads). */
#define LTCP_ASSERT(cond) ((void)sizeof(cond))
#else
void ltcp_assert_fail(const char *cond, const char *file, int line);
#define LTCP_ASSERT(cond) ((cond) ? (void)0 : ltcp_assert_fail(#cond, __FILE__, __LINE__))
#endif

#endif
