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
 * later part from 0 and join it with ltcp_cksum_combine.
 * @param sum the sum so far (0 to start)
 * @param data the bytes
 * @param len how many
 * @return the new sum, not folded */
uint32_t ltcp_cksum_add(uint32_t sum, const void *data, size_t len);
/** Copies len bytes from src to dst (which must not overlap) and returns what
 * ltcp_cksum_add(sum, src, len) returns, reading src once: the checksum folded into the copy.
 * @param sum the sum so far
 * @param dst where the bytes go
 * @param src the bytes
 * @param len how many
 * @return the new sum, not folded */
uint32_t ltcp_cksum_copy(uint32_t sum, void *dst, const void *src, size_t len);
/** Joins part, the sum of bytes that start at byte offset off of the whole (summed from 0 as if
 * they started it), to sum, the whole's sum so far. At an odd off the bytes of part swap
 * (RFC 1071 §2(B)).
 * @param sum the whole's sum so far
 * @param part the part's sum
 * @param off where the part starts in the whole, in bytes
 * @return the joined sum */
uint32_t ltcp_cksum_combine(uint32_t sum, uint32_t part, size_t off);
/** Folds a running sum and complements it: the value that goes into a header.
 * @param sum a running sum
 * @return the checksum, in host byte order */
uint16_t ltcp_cksum_finish(uint32_t sum);
/** The IPv4 pseudo-header sum (RFC 9293 §3.1): src, dst, zero, protocol, length.
 * @param src source address, host byte order
 * @param dst destination address, host byte order
 * @param proto LTCP_IPPROTO_TCP, say
 * @param len the TCP (or other) length: header and payload
 * @return the sum, not folded */
uint32_t ltcp_cksum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);

#ifdef __cplusplus
}
#endif
#endif
