/* The output queue: a ring of packets, filled by the IP layer and the engine (through the host
 * interface, tcp/engine.h) and drained by the driver (lucidtcp/stack.h). A packet may be up to
 * `slot` bytes (the MTU, or cfg.tso_max with TSO), but takes only its own length (rounded up to
 * 16 bytes) in one byte ring: packets lie packed, a SYN or an ACK in one or two cache lines, so a
 * batch of 4,000 handshakes queues 300 KB instead of 4,000 MTU-sized slots (6 MB at MTU 1500,
 * 256 MB at tso_max: a TLB and cache miss per packet). A drained queue starts again at byte 0, so
 * a transfer touches only as much as it ever holds at once. Owns the bytes and the lengths.
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
  uint8_t *buf;           /* bytes: room for cap packets of slot bytes, and two more */
  uint32_t *off, *len;    /* per packet (a ring of cap): where it starts in buf, its length */
  uint32_t *seg;          /* per packet: the TSO segment size (NULL without TSO) */
  uint32_t slot, cap, head, count;
  uint32_t bytes, tail;   /* buf's size; where the next packet goes (before wrapping) */
  uint32_t data_cap;      /* new data stops at this many packets queued */
  uint32_t data_limit;    /* data_cap, or 0 while stalled */
  uint32_t resume_at;     /* a stalled queue lets its waiting senders go at this many */
} ltcp_txq;

/* cap packets of up to slot bytes; tso: keep a segment size per packet. Returns 0 or
 * LTCP_ENOMEM. */
int ltcp_txq_init(ltcp_txq *q, uint32_t cap, uint32_t slot, int tso);
void ltcp_txq_free(ltcp_txq *q);
/* Where the next packet goes: after the newest, or at byte 0 when empty or when slot bytes no
 * longer fit before the end. buf holds (cap + 2) * slot bytes and each packet at most slot, so
 * with fewer than cap packets queued the bytes from there on are always free (docs/design.md,
 * "Output"). */
static inline uint32_t ltcp_txq_next_off(const ltcp_txq *q) {
  return q->count == 0 || q->tail + q->slot > q->bytes ? 0 : q->tail;
}
/* Room for the next packet (slot bytes), or NULL when the queue is full: for new_data, when it
 * holds data_cap packets or is stalled (waiting senders go first). */
static inline uint8_t *ltcp_txq_alloc(const ltcp_txq *q, int new_data) {
  if (q->count >= (new_data ? q->data_limit : q->cap)) return NULL;
  return q->buf + ltcp_txq_next_off(q);
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
/* The room ltcp_txq_alloc gave holds a packet of len bytes (seg_size: 0, or the TSO segment
 * size the link cuts it into). */
static inline void ltcp_txq_commit(ltcp_txq *q, uint32_t len, uint32_t seg_size) {
  uint32_t i = (q->head + q->count) % q->cap, off = ltcp_txq_next_off(q);
  q->off[i] = off;
  q->len[i] = len;
  if (q->seg) q->seg[i] = seg_size;
  q->tail = off + ((len + 15u) & ~15u);
  q->count++;
}
/* The oldest packet: sets *pkt and returns its length, or 0 when empty. */
static inline size_t ltcp_txq_peek(const ltcp_txq *q, const uint8_t **pkt) {
  if (q->count == 0) return 0;
  *pkt = q->buf + q->off[q->head];
  return q->len[q->head];
}
/* The oldest packet's TSO segment size (0: one segment). */
static inline uint32_t ltcp_txq_seg_size(const ltcp_txq *q) {
  return q->seg && q->count ? q->seg[q->head] : 0;
}
/* Removes the oldest packet. Empty, the queue starts again at byte 0, so it touches only as
 * much as it ever holds at once (hot in cache, faulted in once) instead of walking the whole
 * buffer (12 MB at 8192 packets of 1500 bytes). */
static inline void ltcp_txq_pop(ltcp_txq *q) {
  if (q->count == 0) return;
  q->head = (q->head + 1) % q->cap;
  if (--q->count == 0) q->head = q->tail = 0;
}

#endif
