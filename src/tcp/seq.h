/* Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Nobody compares them with '<'.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_SEQ_H
#define LTCP_TCP_SEQ_H

#include <stdint.h>

static inline int ltcp_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline int ltcp_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int ltcp_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline int ltcp_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
static inline uint32_t ltcp_seq_max(uint32_t a, uint32_t b) { return ltcp_seq_gt(a, b) ? a : b; }
static inline uint32_t ltcp_seq_min(uint32_t a, uint32_t b) { return ltcp_seq_lt(a, b) ? a : b; }
/* lo <= x < hi, in sequence space. */
static inline int ltcp_seq_in(uint32_t x, uint32_t lo, uint32_t hi) {
  return ltcp_seq_le(lo, x) && ltcp_seq_lt(x, hi);
}

#endif
