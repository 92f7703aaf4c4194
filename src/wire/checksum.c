/* The Internet checksum (RFC 1071). */
#include "wire/checksum.h"

#include <string.h>

#include "wire/bytes.h"

/* Folds a 64-bit ones' complement sum to 16 bits; 2^16 == 1 modulo 0xffff (RFC 1071 §2(A)). */
static uint16_t cksum_fold16(uint64_t s) {
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return (uint16_t)s;
}

/* Sums 64-bit native-order words with end-around carry. The sum is byte-order independent
 * (RFC 1071 §2(B)), so the caller swaps once at the end instead of per word. */
static uint64_t cksum_sum_native(const uint8_t *p, size_t len) {
  uint64_t s = 0, w;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    memcpy(&w, p + i, 8); /* no alignment assumed */
    s += w;
    s += (s < w); /* end-around carry; cannot overflow since s < w here */
  }
  uint8_t tail[8] = {0}; /* an odd last byte is padded with zero, as RFC 1071 says */
  memcpy(tail, p + i, len - i);
  memcpy(&w, tail, 8);
  s += w;
  s += (s < w);
  return s;
}

uint32_t ltcp_cksum_add(uint32_t sum, const void *data, size_t len) {
  if (len == 0) return sum;
  uint16_t native = cksum_fold16(cksum_sum_native(data, len));
  /* Reading the native 16-bit sum back as big-endian bytes puts it in network order. */
  uint8_t bytes[2];
  memcpy(bytes, &native, 2);
  uint64_t s = (uint64_t)sum + ltcp_get16(bytes);
  return (uint32_t)((s & 0xffffffffu) + (s >> 32));
}

uint16_t ltcp_cksum_finish(uint32_t sum) { return (uint16_t)~cksum_fold16(sum); }

/* RFC 9293 §3.1: the pseudo-header is src, dst, zero, PTCL, and the TCP length. */
uint32_t ltcp_cksum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len) {
  return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}
