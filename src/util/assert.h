/* Invariant checks: on in debug and simulation builds, compiled out with NDEBUG (Release). */
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
