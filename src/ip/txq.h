/* The output queue: a ring of packet slots, filled by the IP layer and the engine (through the
 * host interface, tcp/engine.h) and drained by the driver (lucidtcp/stack.h). Slots are the
 * MTU, or cfg.tso_max with TSO; a drained queue starts again at slot 0, so a transfer
 * touches only as many slots as it ever holds at once. Owns the slots and their lengths.
 *
 * Backpressure (issue 18): new data may fill only data_cap slots; the last eighth is kept for
 * control segments (ACKs, resets, SYN,ACKs, ICMP) and retransmissions, as Linux's qdisc still
 * takes an ACK behind a socket that TCP small queues holds back. New data that finds no room
 * stalls the queue (data_limit 0): its senders wait (tcp/output.h) and resume, oldest first, once the driver
 * has drained the queue to resume_at (half of data_cap), so each resumed sender sends a batch.
 * Private to src/ip/. */
#ifndef LTCP_IP_TXQ_H
#define LTCP_IP_TXQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct ltcp_txq {
  uint8_t *buf;           /* cap slots of slot bytes */
  uint32_t *len;
  uint32_t *seg;          /* per slot: the TSO segment size (NULL without TSO) */
  uint32_t slot, cap, head, count;
  uint32_t data_cap;      /* new data stops at this many packets queued */
  uint32_t data_limit;    /* data_cap, or 0 while stalled */
  uint32_t resume_at;     /* a stalled queue lets its waiting senders go at this many */
} ltcp_txq;

/* cap slots of slot bytes; tso: keep a segment size per slot. Returns 0 or LTCP_ENOMEM. */
int ltcp_txq_init(ltcp_txq *q, uint32_t cap, uint32_t slot, int tso);
void ltcp_txq_free(ltcp_txq *q);
/* The next free slot (slot bytes), or NULL when the queue is full: for new_data, when it
 * holds data_cap packets or is stalled (waiting senders go first). */
static inline uint8_t *ltcp_txq_alloc(const ltcp_txq *q, int new_data) {
  if (q->count >= (new_data ? q->data_limit : q->cap)) return NULL;
  return q->buf + (size_t)((q->head + q->count) % q->cap) * q->slot;
}
/* New data found no room: the queue stalls. Returns 1 if it was not stalled already. */
static inline int ltcp_txq_stall(ltcp_txq *q) {
  if (q->data_limit == 0) return 0;
  q->data_limit = 0;
  return 1;
}
static inline void ltcp_txq_unstall(ltcp_txq *q) { q->data_limit = q->data_cap; }
/* Whether new data has room (the senders waiting for the queue may go). */
static inline int ltcp_txq_data_room(const ltcp_txq *q) { return q->count < q->data_cap; }
/* Whether senders that wait may be resumed: the queue is not stalled, or the driver has drained
 * it to resume_at. */
static inline int ltcp_txq_may_resume(const ltcp_txq *q) {
  return q->data_limit != 0 || q->count <= q->resume_at;
}
/* The slot ltcp_txq_alloc gave holds a packet of len bytes (seg_size: 0, or the TSO segment
 * size the link cuts it into). */
static inline void ltcp_txq_commit(ltcp_txq *q, uint32_t len, uint32_t seg_size) {
  uint32_t slot = (q->head + q->count) % q->cap;
  q->len[slot] = len;
  if (q->seg) q->seg[slot] = seg_size;
  q->count++;
}
/* The oldest packet: sets *pkt and returns its length, or 0 when empty. */
static inline size_t ltcp_txq_peek(const ltcp_txq *q, const uint8_t **pkt) {
  if (q->count == 0) return 0;
  *pkt = q->buf + (size_t)q->head * q->slot;
  return q->len[q->head];
}
/* The oldest packet's TSO segment size (0: one segment). */
static inline uint32_t ltcp_txq_seg_size(const ltcp_txq *q) {
  return q->seg && q->count ? q->seg[q->head] : 0;
}
/* Removes the oldest packet. Empty, the queue starts again at slot 0, so it touches only as
 * many slots as it ever holds at once (hot in cache, faulted in once) instead of walking all
 * cap slots (12 MB at 8192). */
static inline void ltcp_txq_pop(ltcp_txq *q) {
  if (q->count == 0) return;
  q->head = (q->head + 1) % q->cap;
  if (--q->count == 0) q->head = 0;
}

#endif
