/* SipHash-2-4: the keyed hash behind ISN selection (RFC 6528) and the connection table. */
#ifndef LTCP_UTIL_SIPHASH_H
#define LTCP_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t ltcp_siphash(const uint8_t key[16], const void *data, size_t len);

#endif
