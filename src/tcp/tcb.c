/* What the layers above take or check of a TCB (tcb.h): unread data, invariants. */
#include "tcp/tcb.h"

#include "tcp/engine.h"
#include "util/assert.h"

void ltcp_tcb_take_unread(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_ring *out) {
  ltcp_ring_clear(out, NULL);
  if (!tcb->busy) return; /* asleep: nothing unread */
  if (tcb->busy->rcvbuf.buf) ltcp_mem_release(&eng->mem, tcb->busy->rcvbuf.alloc);
  *out = tcb->busy->rcvbuf;
  tcb->busy->rcvbuf = (ltcp_ring){0};
}

void ltcp_tcb_check(const ltcp_tcb *tcb) {
  if (tcb->state == LTCP_LISTEN || tcb->state == LTCP_CLOSED) return;
  const ltcp_tcb_busy *b = tcb->busy;
  LTCP_ASSERT(ltcp_seq_le(tcb->snd_una, tcb->snd_nxt));
  if (b) {
    LTCP_ASSERT(ltcp_seq_le(tcb->snd_una, b->snd_retx) || b->snd_retx == tcb->snd_nxt);
    LTCP_ASSERT(ltcp_seq_le(b->snd_retx, tcb->snd_nxt));
    LTCP_ASSERT(b->sndbuf.len <= b->sndbuf.cap && b->rcvbuf.len <= b->rcvbuf.cap);
    LTCP_ASSERT((b->reasm.head == NULL) == (b->reasm.blocks == 0));
    /* Held text lies beyond RCV.NXT; in SYN-RECEIVED, text a SYN brought waits at RCV.NXT for
     * ESTABLISHED (tcp/input.c, §3.10.7.3). */
    if (b->reasm.head)
      LTCP_ASSERT(ltcp_seq_gt(b->reasm.head->seq, tcb->rcv_nxt) ||
                  (tcb->state == LTCP_SYN_RECEIVED && b->reasm.head->seq == tcb->rcv_nxt));
  } else {
    LTCP_ASSERT(tcb->snd_una == tcb->snd_nxt && ltcp_tcb_synchronized(tcb->state));
  }
  if (tcb->state != LTCP_SYN_SENT && tcb->state != LTCP_SYN_RECEIVED) {
    /* The send buffer starts at SND.UNA once the SYN is acknowledged. */
    LTCP_ASSERT(tcb->snd_buf_seq == tcb->snd_una || tcb->snd_una == tcb->iss ||
                (ltcp_tcb_fin_acked(tcb) && ltcp_tcb_snd_queued(tcb) == 0));
    uint32_t end = ltcp_tcb_fin_seq(tcb) + (tcb->fin_queued ? 1u : 0u);
    LTCP_ASSERT(ltcp_seq_le(tcb->snd_nxt, end));
    (void)end; /* used only by the assertion (compiled out with NDEBUG) */
  }
  LTCP_ASSERT(ltcp_seq_le(tcb->rcv_nxt + 0u, tcb->rcv_adv) || tcb->rcv_adv == 0 ||
              tcb->state == LTCP_SYN_SENT);
}
