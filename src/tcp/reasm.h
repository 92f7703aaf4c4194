/* Out-of-order data (RFC 9293 §3.10.7.4 SHLD-31: segments beyond RCV.NXT are held). The bytes
 * themselves sit in the receive ring at their final offsets; this records which ranges are
 * there, and where an early FIN lies. Private to src/tcp/. */
#ifndef LTCP_TCP_REASM_H
#define LTCP_TCP_REASM_H

#include <stdint.h>

#define LTCP_REASM_MAX 8

typedef struct ltcp_reasm_range {
  uint32_t start, end; /* sequence numbers, end exclusive */
} ltcp_reasm_range;

typedef struct ltcp_reasm {
  uint8_t count;
  uint8_t has_fin;
  uint32_t fin_seq;
  ltcp_reasm_range r[LTCP_REASM_MAX];
} ltcp_reasm;

/* Records [start, end), merging with neighbours. Returns 0, or -1 when it would need more than
 * LTCP_REASM_MAX ranges (the caller drops the segment). */
int ltcp_reasm_add(ltcp_reasm *q, uint32_t start, uint32_t end);
/* Given the new RCV.NXT, removes the ranges it reaches and returns RCV.NXT advanced over them. */
uint32_t ltcp_reasm_advance(ltcp_reasm *q, uint32_t rcv_nxt);
/* Highest sequence number held (end of the last range), or rcv_nxt when empty. */
uint32_t ltcp_reasm_high(const ltcp_reasm *q, uint32_t rcv_nxt);

#endif
