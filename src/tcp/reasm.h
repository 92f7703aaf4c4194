/* Out-of-order data (RFC 9293 §3.10.7.4 SHLD-31: segments beyond RCV.NXT are held). The bytes
 * that arrived, and only those, are kept in fixed blocks from the stack's pool (tcp/mem.h), in
 * sequence order; the ranges (for SACK, RFC 2018) are the runs of contiguous blocks, so their
 * number is bounded by memory, not by a count. When the hole at RCV.NXT fills, the blocks it
 * reaches are copied into the receive ring and given back. Also where an early FIN lies.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_REASM_H
#define LTCP_TCP_REASM_H

#include <stdint.h>

#include "tcp/mem.h"
#include "tcp/ring.h"

typedef struct ltcp_reasm_block {
  struct ltcp_reasm_block *next; /* the next higher block */
  uint32_t seq;                  /* sequence number of data[0] */
  uint32_t len;                  /* bytes held */
  uint8_t data[LTCP_MEM_BLOCK - 16];
} ltcp_reasm_block;

#define LTCP_REASM_BLOCK_DATA ((uint32_t)sizeof(((ltcp_reasm_block *)0)->data))

typedef struct ltcp_reasm {
  ltcp_reasm_block *head; /* lowest first, disjoint; NULL when nothing is held */
  ltcp_reasm_block *tail; /* the highest: data arriving above it is added in O(1) */
  uint32_t blocks;        /* held: blocks * LTCP_MEM_BLOCK bytes of the budget */
  uint8_t has_fin;
  uint32_t fin_seq;
} ltcp_reasm;

typedef struct ltcp_reasm_range {
  uint32_t start, end; /* sequence numbers, end exclusive */
} ltcp_reasm_range;

/* Holds the bytes of [seq, seq + n) not held yet (data: the segment's), in blocks from mem, the
 * connection's at most conn_max bytes of them. Returns 0, or LTCP_ENOBUFS when some could not
 * be held (a bound or the budget; what was held stays). */
int ltcp_reasm_add(ltcp_reasm *q, ltcp_mem *mem, uint32_t conn_max, uint32_t seq,
                   const uint8_t *data, uint32_t n);
/* RCV.NXT reached rcv_nxt: the held bytes from there on that are contiguous are appended to
 * ring (mark LTCP_MEM_LIMIT), their blocks given back. Returns RCV.NXT advanced over them. When
 * the ring cannot take them (the budget), the blocks at rcv_nxt are discarded (RFC 2018 §8
 * allows discarding SACKed data), counted in *pruned (blocks). */
uint32_t ltcp_reasm_pull(ltcp_reasm *q, ltcp_mem *mem, uint32_t rcv_nxt, ltcp_ring *ring,
                         uint32_t *pruned);
/* Gives back every block (the early FIN stays); returns how many there were. */
uint32_t ltcp_reasm_clear_slow(ltcp_reasm *q, ltcp_mem *mem);
static inline uint32_t ltcp_reasm_clear(ltcp_reasm *q, ltcp_mem *mem) {
  return q->head ? ltcp_reasm_clear_slow(q, mem) : 0; /* usually nothing is held */
}
/* The range that begins at *cursor (a block), the cursor moved to the block after it: walks
 * the ranges lowest first from q->head, while *cursor is not NULL. */
ltcp_reasm_range ltcp_reasm_next_range(const ltcp_reasm_block **cursor);
/* The first part of [seq, end) held, as one range of contiguous bytes: 1 and *out, or 0. */
int ltcp_reasm_overlap(const ltcp_reasm *q, uint32_t seq, uint32_t end, ltcp_reasm_range *out);
/* Ranges held (a walk: for tests and invariants). */
uint32_t ltcp_reasm_count_ranges(const ltcp_reasm *q);
/* Highest sequence number held (end of the last range), or rcv_nxt when empty. */
uint32_t ltcp_reasm_high(const ltcp_reasm *q, uint32_t rcv_nxt);

#endif
