/* Delayed ACKs (RFC 1122 4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2). */
#include "tcp/delack.h"

#include "tcp/engine.h"
#include "tcp/timer.h"

void ltcp_delack_hold(ltcp_engine *eng, ltcp_tcb *tcb, int owed_before) {
  if (eng->cfg.delayed_ack_ns == 0 || owed_before) return;
  /* SHLD-19 / RFC 5681 §4.2: an ACK at least every second full-sized segment. The peer's
   * full-sized segments carry at most snd_mss bytes (the smaller of both MSS values). */
  if (tcb->rcv_nxt - tcb->busy->rcv_acked >= 2u * tcb->snd_mss) return;
  if (eng->cfg.delayed_ack_segments && ++tcb->busy->rcv_segs >= 2) return; /* every second */
  tcb->ack_now = 0;
  /* MUST-40: the delay is bounded from the first byte left unacknowledged, not the last. */
  if (tcb->busy->dack_at == LTCP_TIME_NEVER) {
    tcb->busy->dack_at = eng->now + eng->cfg.delayed_ack_ns;
    ltcp_timer_update(eng, tcb);
  }
}

void ltcp_delack_sent(ltcp_engine *eng, ltcp_tcb *tcb) {
  tcb->busy->rcv_acked = tcb->rcv_nxt;
  tcb->busy->rcv_segs = 0;
  if (tcb->busy->dack_at == LTCP_TIME_NEVER) return;
  tcb->busy->dack_at = LTCP_TIME_NEVER;
  if (!tcb->dead) ltcp_timer_update(eng, tcb);
}
