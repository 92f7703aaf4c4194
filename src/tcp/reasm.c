/* Out-of-order data in blocks (reasm.h). */
#include "tcp/reasm.h"

#include <string.h>

#include "lucidtcp/common.h"
#include "tcp/seq.h"
#include "util/assert.h"

static inline uint32_t blk_end(const ltcp_reasm_block *b) { return b->seq + b->len; }

/* Where [cur, ...) goes: the last block ending at or before cur (NULL: before the head). Data
 * above the tail, the common case under reordering, needs no walk; otherwise the walk is
 * bounded by the connection's blocks (q->blocks, at most conn_max / LTCP_MEM_BLOCK). */
static ltcp_reasm_block *reasm_before(const ltcp_reasm *q, uint32_t cur) {
  if (q->tail && ltcp_seq_le(blk_end(q->tail), cur)) return q->tail;
  ltcp_reasm_block *prev = NULL;
  for (ltcp_reasm_block *b = q->head; b && ltcp_seq_le(blk_end(b), cur); b = b->next) prev = b;
  return prev;
}

/* A new block for [cur, cur + k) linked after prev (NULL: at the head); NULL when refused. */
static ltcp_reasm_block *reasm_new_block(ltcp_reasm *q, ltcp_mem *mem, uint32_t conn_max,
                                         ltcp_reasm_block *prev) {
  if ((uint64_t)(q->blocks + 1) * LTCP_MEM_BLOCK > conn_max) return NULL;
  ltcp_reasm_block *nb = ltcp_mem_block_take(mem);
  if (!nb) return NULL;
  nb->len = 0;
  nb->next = prev ? prev->next : q->head;
  if (prev) prev->next = nb;
  else q->head = nb;
  if (!nb->next) q->tail = nb;
  q->blocks++;
  return nb;
}

int ltcp_reasm_add(ltcp_reasm *q, ltcp_mem *mem, uint32_t conn_max, uint32_t seq,
                   const uint8_t *data, uint32_t n) {
  uint32_t cur = seq, end = seq + n;
  ltcp_reasm_block *prev = reasm_before(q, cur);
  /* Each pass moves cur forward by at least one byte, or returns: bounded by n. */
  while (ltcp_seq_lt(cur, end)) {
    ltcp_reasm_block *next = prev ? prev->next : q->head;
    if (next && ltcp_seq_le(next->seq, cur)) { /* held already (a duplicate): skip over it */
      cur = ltcp_seq_min(end, blk_end(next));
      prev = next;
      continue;
    }
    uint32_t gap_end = next ? ltcp_seq_min(end, next->seq) : end;
    ltcp_reasm_block *b = prev;
    /* The block just below, if it ends here, takes what fits: contiguous small segments share
     * blocks, so a run costs about its own size. */
    if (!b || blk_end(b) != cur || b->len == LTCP_REASM_BLOCK_DATA) {
      b = reasm_new_block(q, mem, conn_max, prev);
      if (!b) return LTCP_ENOBUFS;
      b->seq = cur;
    }
    uint32_t k = gap_end - cur, space = LTCP_REASM_BLOCK_DATA - b->len;
    if (k > space) k = space;
    memcpy(b->data + b->len, data + (cur - seq), k);
    b->len += k;
    cur += k;
    prev = b;
  }
  return 0;
}

/* The head block goes back to the pool. */
static void reasm_drop_head(ltcp_reasm *q, ltcp_mem *mem) {
  ltcp_reasm_block *b = q->head;
  q->head = b->next;
  if (!q->head) q->tail = NULL;
  q->blocks--;
  ltcp_mem_block_give(mem, b);
}

uint32_t ltcp_reasm_pull(ltcp_reasm *q, ltcp_mem *mem, uint32_t rcv_nxt, ltcp_ring *ring,
                         uint32_t *pruned) {
  /* Bounded by the blocks held: each pass gives one back. */
  while (q->head && ltcp_seq_le(q->head->seq, rcv_nxt)) {
    ltcp_reasm_block *b = q->head;
    if (ltcp_seq_gt(blk_end(b), rcv_nxt)) { /* bytes below rcv_nxt are duplicates */
      uint32_t off = rcv_nxt - b->seq, k = b->len - off;
      uint32_t got = ltcp_ring_append(ring, mem, LTCP_MEM_LIMIT, b->data + off, k);
      rcv_nxt += got;
      if (got < k) (*pruned)++; /* the rest of it is lost; the sender still has it */
    }
    reasm_drop_head(q, mem);
  }
  return rcv_nxt;
}

uint32_t ltcp_reasm_clear_slow(ltcp_reasm *q, ltcp_mem *mem) {
  uint32_t n = q->blocks;
  while (q->head) reasm_drop_head(q, mem); /* bounded by q->blocks */
  LTCP_ASSERT(q->blocks == 0);
  return n;
}

ltcp_reasm_range ltcp_reasm_next_range(const ltcp_reasm_block **cursor) {
  const ltcp_reasm_block *b = *cursor;
  ltcp_reasm_range r = {b->seq, blk_end(b)};
  for (b = b->next; b && b->seq == r.end; b = b->next) r.end = blk_end(b);
  *cursor = b;
  return r;
}

int ltcp_reasm_overlap(const ltcp_reasm *q, uint32_t seq, uint32_t end, ltcp_reasm_range *out) {
  const ltcp_reasm_block *cur = q->head;
  while (cur) { /* bounded by the blocks: each range walks at least one */
    ltcp_reasm_range r = ltcp_reasm_next_range(&cur);
    if (!ltcp_seq_lt(r.start, end)) return 0; /* sorted: nothing further overlaps */
    uint32_t a = ltcp_seq_max(seq, r.start), b = ltcp_seq_min(end, r.end);
    if (ltcp_seq_lt(a, b)) {
      *out = (ltcp_reasm_range){a, b};
      return 1;
    }
  }
  return 0;
}

uint32_t ltcp_reasm_count_ranges(const ltcp_reasm *q) {
  uint32_t n = 0;
  for (const ltcp_reasm_block *cur = q->head; cur; n++) (void)ltcp_reasm_next_range(&cur);
  return n;
}

uint32_t ltcp_reasm_high(const ltcp_reasm *q, uint32_t rcv_nxt) {
  return q->tail ? ltcp_seq_max(rcv_nxt, blk_end(q->tail)) : rcv_nxt;
}
