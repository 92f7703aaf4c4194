/* The Internet checksum (RFC 1071).
 *
 * The data is summed as native-order words, which gives the right sum in any byte order once
 * the folded result is read back as bytes (RFC 1071 §2(B)), and wider words are fine because
 * 2^16, 2^32 and 2^64 are all 1 modulo 0xffff (§2(A)). The main loop keeps four independent
 * 64-bit sums and counts their carries separately, so no add waits on the one before it (one
 * end-around-carry chain held the old loop to a third of this speed). ltcp_cksum_copy sums
 * while it copies, so a sender reads its payload once. */
#include "lucidtcp/wire/checksum.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"

#define CKSUM_BLOCK 32 /* bytes per pass of the main loop: four 64-bit words */

/* Folds a 64-bit ones' complement sum to 16 bits; 2^16 == 1 modulo 0xffff (RFC 1071 §2(A)). */
static uint16_t cksum_fold16(uint64_t s) {
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffffffu) + (s >> 32);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return (uint16_t)s;
}

/* The same for a 32-bit running sum: two steps suffice (0xffffffff -> 0x1fffe -> 0xffff). */
static uint16_t cksum_fold16_32(uint32_t s) {
  s = (s & 0xffffu) + (s >> 16);
  s = (s & 0xffffu) + (s >> 16);
  return (uint16_t)s;
}

static uint64_t cksum_halves(uint64_t s) { return (s & 0xffffffffu) + (s >> 32); }

/* The sum of fewer than CKSUM_BLOCK bytes, as native 32-bit words; an odd last byte is padded
 * with zero, as RFC 1071 says. */
static uint64_t cksum_tail(const uint8_t *p, size_t n) {
  uint64_t s = 0;
  uint32_t w = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) { /* bound: n < CKSUM_BLOCK */
    memcpy(&w, p + i, 4);
    s += w;
  }
  uint8_t last[4] = {0};
  for (size_t k = 0; i + k < n; k++) last[k] = p[i + k]; /* 0 to 3 bytes */
  memcpy(&w, last, 4);
  return s + w;
}

/* Four independent 64-bit sums and the count of their carries. */
typedef struct cksum_acc {
  uint64_t s0, s1, s2, s3, carries;
} cksum_acc;

/* Adds the CKSUM_BLOCK bytes at p. By value, so the sums stay in registers across the copy's
 * stores (which the compiler cannot prove miss them if their address is taken). */
static inline cksum_acc cksum_acc_block(cksum_acc a, const uint8_t *p) {
  uint64_t w0, w1, w2, w3;
  memcpy(&w0, p, 8); /* no alignment assumed */
  memcpy(&w1, p + 8, 8);
  memcpy(&w2, p + 16, 8);
  memcpy(&w3, p + 24, 8);
  a.s0 += w0;
  a.carries += a.s0 < w0;
  a.s1 += w1;
  a.carries += a.s1 < w1;
  a.s2 += w2;
  a.carries += a.s2 < w2;
  a.s3 += w3;
  a.carries += a.s3 < w3;
  return a;
}

/* The accumulated sum; far below 2^64 for any length that fits in memory. */
static uint64_t cksum_acc_total(cksum_acc a) {
  return cksum_halves(a.s0) + cksum_halves(a.s1) + cksum_halves(a.s2) + cksum_halves(a.s3) +
         a.carries;
}

static uint64_t cksum_sum_native(const uint8_t *p, size_t len) {
  cksum_acc a = {0};
  size_t i = 0;
  for (; i + CKSUM_BLOCK <= len; i += CKSUM_BLOCK) a = cksum_acc_block(a, p + i);
  return cksum_acc_total(a) + cksum_tail(p + i, len - i);
}

/* The same, copying each block to dst as it goes: the block is summed while in L1. */
static uint64_t cksum_copy_native(uint8_t *dst, const uint8_t *src, size_t len) {
  cksum_acc a = {0};
  size_t i = 0;
  for (; i + CKSUM_BLOCK <= len; i += CKSUM_BLOCK) {
    memcpy(dst + i, src + i, CKSUM_BLOCK);
    a = cksum_acc_block(a, src + i);
  }
  memcpy(dst + i, src + i, len - i);
  return cksum_acc_total(a) + cksum_tail(src + i, len - i);
}

/* Adds a native-order 64-bit sum to a running (network-order) sum. */
static inline uint32_t cksum_join(uint32_t sum, uint64_t native_sum) {
  uint16_t native = cksum_fold16(native_sum);
  /* Reading the native 16-bit sum back as big-endian bytes puts it in network order. */
  uint8_t bytes[2];
  memcpy(bytes, &native, 2);
  uint64_t s = (uint64_t)sum + ltcp_get16(bytes);
  return (uint32_t)cksum_halves(s);
}

/* Headers (20-60 bytes) are most of the calls: under CKSUM_SHORT bytes, plain 32-bit adds into
 * one 64-bit sum cannot overflow, so no carries are counted and the loop is a few adds. The long
 * path is a function of its own, so the short one pays for none of its registers. */
#define CKSUM_SHORT 128

static uint64_t cksum_sum_short(const uint8_t *p, size_t len) {
  uint64_t s = 0;
  uint32_t w, w2;
  uint16_t h;
  for (; len >= 8; p += 8, len -= 8) { /* bound: len < CKSUM_SHORT */
    memcpy(&w, p, 4);
    memcpy(&w2, p + 4, 4);
    s += (uint64_t)w + w2;
  }
  if (len >= 4) {
    memcpy(&w, p, 4);
    s += w;
    p += 4, len -= 4;
  }
  if (len >= 2) { /* a 16-bit word anywhere in a wider one adds the same modulo 0xffff */
    memcpy(&h, p, 2);
    s += h;
    p += 2, len -= 2;
  }
  if (len) { /* the odd last byte, padded with zero (RFC 1071): the first byte of a word */
    h = 0;
    memcpy(&h, p, 1);
    s += h;
  }
  return s;
}

static __attribute__((noinline)) uint32_t cksum_add_long(uint32_t sum, const void *data,
                                                          size_t len) {
  return cksum_join(sum, cksum_sum_native(data, len));
}

uint32_t ltcp_cksum_add(uint32_t sum, const void *data, size_t len) {
  if (len >= CKSUM_SHORT) return cksum_add_long(sum, data, len);
  return cksum_join(sum, cksum_sum_short(data, len));
}

uint32_t ltcp_cksum_copy(uint32_t sum, void *dst, const void *src, size_t len) {
  if (len == 0) return sum;
  return cksum_join(sum, cksum_copy_native(dst, src, len));
}

uint32_t ltcp_cksum_combine(uint32_t sum, uint32_t part, size_t off) {
  if (off & 1) {
    uint16_t f = cksum_fold16_32(part);
    part = (uint32_t)(f >> 8) | (uint32_t)(f & 0xff) << 8;
  }
  return (uint32_t)cksum_halves((uint64_t)sum + part);
}

uint16_t ltcp_cksum_finish(uint32_t sum) { return (uint16_t)~cksum_fold16_32(sum); }

/* RFC 9293 §3.1: the pseudo-header is src, dst, zero, PTCL, and the TCP length. */
uint32_t ltcp_cksum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len) {
  return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}
