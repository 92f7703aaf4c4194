/* Zero-copy send (ltcp_send_zc): buffers the user lends a connection, read in place until the
 * peer acknowledges their last byte, then released through the user's function, once.
 *
 * A connection's send stream is its send ring (copied bytes, tcp/ring.h) and its lent buffers,
 * interleaved in the order the user queued them. Each lent buffer is a reference in a FIFO
 * that records where it sits in both coordinates: the sequence number of its first byte, and
 * how many copied bytes were queued before it (ring_at, counted from the connection's start
 * modulo 2^32). The copied bytes between two references are consecutive in the ring, so any
 * range of the stream is read from its pieces without a copy of its own: output and
 * retransmission read the lent bytes where the user keeps them. A connection that lends
 * nothing has an empty FIFO and pays one test per segment.
 *
 * References come from one pool per engine that grows to cfg.zc_refs and no further (a send
 * beyond fails with ENOBUFS, as Linux's MSG_ZEROCOPY does at optmem_max). Lent bytes are the
 * user's memory: they are not counted in the buffer budget (tcp/mem.h), which bounds what the
 * stack allocates, but they are counted in the socket's send buffer (SO_SNDBUF) for
 * writability, as Linux counts zero-copy skbs in sk_wmem_queued. See docs/design.md,
 * "Zero-copy send". Private to src/tcp/. */
#ifndef LTCP_TCP_ZC_H
#define LTCP_TCP_ZC_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "tcp/ring.h"

typedef struct ltcp_engine ltcp_engine;

typedef struct ltcp_zc_ref {
  struct ltcp_zc_ref *next;   /* the next buffer lent to the connection, or in the pool */
  const uint8_t *buf;         /* the user's bytes, read in place */
  uint32_t len;
  uint32_t seq;               /* sequence number of buf[0] */
  uint32_t ring_at;           /* copied bytes queued before it (ltcp_zc_queue.ring_out's count) */
  ltcp_zc_release_fn release; /* called once, with ctx, when the stack lets go of buf */
  void *ctx;
} ltcp_zc_ref;

/* A connection's lent buffers, oldest first (in its busy part, tcp/tcb.h). */
typedef struct ltcp_zc_queue {
  ltcp_zc_ref *head, *tail;
  ltcp_zc_ref *cur;           /* where the last lookup stopped: reads move forward mostly */
  uint32_t bytes;             /* lent bytes held (unacknowledged, then unsent) */
  uint32_t ring_out;          /* copied bytes acknowledged and dropped so far, modulo 2^32 */
} ltcp_zc_queue;

/* The engine's references: those not lent now, and how many were ever made. */
typedef struct ltcp_zc_pool {
  ltcp_zc_ref *free;
  uint32_t made;              /* at most cfg.zc_refs */
} ltcp_zc_pool;

/* Lends len bytes at buf to the queue: they follow every byte queued so far, the ring's
 * ring_len copied bytes included; seq is the sequence number of the next byte (the end of
 * the stream). 0, or LTCP_ENOBUFS when cfg.zc_refs references are lent (nothing is taken). */
int ltcp_zc_lend(ltcp_engine *eng, ltcp_zc_queue *q, uint32_t seq, uint32_t ring_len,
                 const uint8_t *buf, uint32_t len, ltcp_zc_release_fn release, void *ctx);
/* Copies the n stream bytes from sequence number seq (base: the sequence number of the
 * stream's first byte, at the ring's head) to dst, reading copied bytes from ring and lent
 * bytes in place. Returns the Internet checksum sum of the bytes (ltcp_cksum_add from 0) when
 * sum is 1, else 0. The queue must not be empty (else read the ring alone). */
uint32_t ltcp_zc_copy_out(ltcp_zc_queue *q, const ltcp_ring *ring, uint32_t base, uint32_t seq,
                          uint8_t *dst, uint32_t n, int sum);
/* The first n stream bytes from base are acknowledged: copied ones leave the ring, lent buffers
 * wholly acknowledged are released with status 0, in order. */
void ltcp_zc_consume(ltcp_engine *eng, ltcp_zc_queue *q, ltcp_ring *ring, uint32_t base,
                     uint32_t n);
/* Every lent buffer is released with status (a positive errno: the connection ended before
 * the peer acknowledged them), oldest first; the queue is empty after. */
void ltcp_zc_release_all_slow(ltcp_engine *eng, ltcp_zc_queue *q, int status);
static inline void ltcp_zc_release_all(ltcp_engine *eng, ltcp_zc_queue *q, int status) {
  if (q->head) ltcp_zc_release_all_slow(eng, q, status);
}
/* Frees the pool's references (at ltcp_engine_free: none is lent any more). */
void ltcp_zc_pool_free(ltcp_zc_pool *p);

#endif
