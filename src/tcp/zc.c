/* Zero-copy send: lent buffers and their references (zc.h). */
#include "tcp/zc.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/wire/checksum.h"
#include "tcp/engine.h"
#include "tcp/seq.h"
#include "util/assert.h"

int ltcp_zc_lend(ltcp_engine *eng, ltcp_zc_queue *q, uint32_t seq, uint32_t ring_len,
                 const uint8_t *buf, uint32_t len, ltcp_zc_release_fn release, void *ctx) {
  ltcp_zc_pool *p = &eng->zc;
  ltcp_zc_ref *r = p->free;
  if (r) {
    p->free = r->next;
  } else if (p->made >= eng->cfg.zc_refs || !(r = malloc(sizeof *r))) {
    eng->stats->zc_refused++;
    return LTCP_ENOBUFS;
  } else {
    p->made++;
  }
  *r = (ltcp_zc_ref){.buf = buf, .len = len, .seq = seq, .ring_at = q->ring_out + ring_len,
                     .release = release, .ctx = ctx};
  if (q->tail) q->tail->next = r;
  else q->head = r;
  q->tail = r;
  q->bytes += len;
  eng->stats->zc_sends++;
  return 0;
}

/* The head leaves the queue and goes back to the pool; its user learns status. */
static void zc_release_head(ltcp_engine *eng, ltcp_zc_queue *q, int status) {
  ltcp_zc_ref *r = q->head;
  q->head = r->next;
  if (!q->head) q->tail = NULL;
  if (q->cur == r) q->cur = NULL;
  if (status == 0) eng->stats->zc_done++;
  else eng->stats->zc_failed++;
  ltcp_zc_release_fn release = r->release;
  const uint8_t *buf = r->buf;
  size_t len = r->len;
  void *ctx = r->ctx;
  r->next = eng->zc.free;
  eng->zc.free = r;
  if (release) release(ctx, buf, len, status);
}

/* The last reference whose first byte is at or before seq, or NULL when seq precedes them all
 * (it is then in the copied bytes before the head). Starts at the last lookup's when that is
 * not past seq: output reads forward, so a bulk sender's lookups are O(1) amortized; a
 * retransmission from SND.UNA starts at the head. Bounded by the queue's length. */
static ltcp_zc_ref *zc_find(ltcp_zc_queue *q, uint32_t seq) {
  ltcp_zc_ref *e = q->cur && ltcp_seq_le(q->cur->seq, seq) ? q->cur : q->head;
  if (ltcp_seq_gt(e->seq, seq)) return NULL;
  while (e->next && ltcp_seq_le(e->next->seq, seq)) e = e->next;
  q->cur = e;
  return e;
}

/* Copies (and sums, if sum) n bytes from src to dst. */
static uint32_t zc_copy(uint8_t *dst, const uint8_t *src, uint32_t n, int sum) {
  if (sum) return ltcp_cksum_copy(0, dst, src, n);
  memcpy(dst, src, n);
  return 0;
}

/* Copies the stream's bytes from pos, no further than n and the piece pos lies in (a lent
 * buffer, or the copied bytes up to the next one). Returns how many; *part gets their sum. */
static uint32_t zc_copy_piece(ltcp_zc_queue *q, const ltcp_ring *ring, uint32_t base,
                              uint32_t pos, uint8_t *dst, uint32_t n, int sum, uint32_t *part) {
  ltcp_zc_ref *e = zc_find(q, pos);
  if (e && ltcp_seq_lt(pos, e->seq + e->len)) { /* in a lent buffer */
    uint32_t take = e->seq + e->len - pos < n ? e->seq + e->len - pos : n;
    *part = zc_copy(dst, e->buf + (pos - e->seq), take, sum);
    return take;
  }
  /* Copied bytes: after e (or from base, before the head), up to the next reference. */
  ltcp_zc_ref *next = e ? e->next : q->head;
  uint32_t off = e ? e->ring_at - q->ring_out + (pos - (e->seq + e->len)) : pos - base;
  uint32_t take = next && next->seq - pos < n ? next->seq - pos : n;
  LTCP_ASSERT(take > 0 && off + take <= ring->len);
  if (sum) *part = ltcp_ring_copy_out_sum(ring, off, dst, take);
  else ltcp_ring_copy_out(ring, off, dst, take), *part = 0;
  return take;
}

uint32_t ltcp_zc_copy_out(ltcp_zc_queue *q, const ltcp_ring *ring, uint32_t base, uint32_t seq,
                          uint8_t *dst, uint32_t n, int sum) {
  LTCP_ASSERT(q->head != NULL);
  uint32_t total = 0, done = 0;
  /* Bounded: each piece is at least one byte, and there are at most two per reference. */
  while (done < n) {
    uint32_t part;
    uint32_t took = zc_copy_piece(q, ring, base, seq + done, dst + done, n - done, sum, &part);
    /* A piece may start at an odd offset of the payload (RFC 1071 §2(B)). */
    if (sum) total = done ? ltcp_cksum_combine(total, part, done) : part;
    done += took;
  }
  return total;
}

void ltcp_zc_consume(ltcp_engine *eng, ltcp_zc_queue *q, ltcp_ring *ring, uint32_t base,
                     uint32_t n) {
  /* Bounded: each pass consumes at least one byte or releases the head. */
  while (n > 0) {
    ltcp_zc_ref *h = q->head;
    uint32_t take;
    if (h && ltcp_seq_le(h->seq, base)) { /* the head's bytes */
      uint32_t left = h->seq + h->len - base;
      take = left < n ? left : n;
      q->bytes -= take;
      if (take == left) zc_release_head(eng, q, 0);
    } else { /* copied bytes, up to the head */
      take = h && h->seq - base < n ? h->seq - base : n;
      LTCP_ASSERT(take <= ring->len);
      ltcp_ring_consume(ring, take);
      q->ring_out += take;
    }
    base += take;
    n -= take;
  }
  /* A buffer of 0 bytes is never lent, so none waits at base with nothing to acknowledge. */
}

void ltcp_zc_release_all_slow(ltcp_engine *eng, ltcp_zc_queue *q, int status) {
  /* Bounded by cfg.zc_refs: each pass releases one. */
  for (uint32_t n = 0; q->head; n++) {
    LTCP_ASSERT(n < eng->cfg.zc_refs);
    zc_release_head(eng, q, status);
  }
  q->bytes = 0;
  q->cur = NULL;
}

void ltcp_zc_pool_free(ltcp_zc_pool *p) {
  /* Bounded by made: each pass frees one. */
  for (uint32_t n = 0; p->free; n++) {
    LTCP_ASSERT(n < p->made);
    ltcp_zc_ref *r = p->free;
    p->free = r->next;
    free(r);
  }
  p->made = 0;
}
