/** @file
 * The Internet checksum (RFC 1071): 16-bit ones' complement sum. */
#ifndef LUCIDTCP_WIRE_CHECKSUM_H
#define LUCIDTCP_WIRE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Adds len bytes (big-endian 16-bit words; an odd last byte padded with zero) to a running
 * 32-bit sum and returns it. Chain calls only where each earlier len is even; otherwise sum the
 * later part from 0 and join it with ltcp_cksum_combine. */
uint32_t ltcp_cksum_add(uint32_t sum, const void *data, size_t len);
/** Copies len bytes from src to dst (which must not overlap) and returns what
 * ltcp_cksum_add(sum, src, len) returns, reading src once: the checksum folded into the copy. */
uint32_t ltcp_cksum_copy(uint32_t sum, void *dst, const void *src, size_t len);
/** Joins part, the sum of bytes that start at byte offset off of the whole (summed from 0 as if
 * they started it), to sum, the whole's sum so far. At an odd off the bytes of part swap
 * (RFC 1071 §2(B)). */
uint32_t ltcp_cksum_combine(uint32_t sum, uint32_t part, size_t off);
/** Folds a running sum and complements it: the value that goes into a header. */
uint16_t ltcp_cksum_finish(uint32_t sum);
/** The IPv4 pseudo-header sum (RFC 9293 §3.1): src, dst, zero, protocol, length. */
uint32_t ltcp_cksum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

#ifdef __cplusplus
}
#endif
#endif
