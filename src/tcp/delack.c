/* Delayed ACKs (RFC 1122 4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2) and Nagle's algorithm
 * (RFC 1122 4.2.3.4, RFC 9293 §3.7.4). */
#include "tcp/delack.h"

#include "ip/stack_int.h"

void ltcp_delack_hold(ltcp_stack *st, ltcp_tcb *tcb, int owed_before) {
  if (st->cfg.delayed_ack_ns == 0 || owed_before) return;
  /* SHLD-19 / RFC 5681 §4.2: an ACK at least every second full-sized segment. The peer's
   * full-sized segments carry at most snd_mss bytes (the smaller of both MSS values). */
  if (tcb->rcv_nxt - tcb->busy->rcv_acked >= 2u * tcb->snd_mss) return;
  tcb->ack_now = 0;
  /* MUST-40: the delay is bounded from the first byte left unacknowledged, not the last. */
  if (tcb->busy->dack_at == LTCP_TIME_NEVER) {
    tcb->busy->dack_at = st->now + st->cfg.delayed_ack_ns;
    ltcp_timer_update(st, tcb);
  }
}

void ltcp_delack_expire(ltcp_stack *st, ltcp_tcb *tcb) {
  tcb->busy->dack_at = LTCP_TIME_NEVER;
  /* Owed now: it goes out when the driver takes the output (MUST-58/59), or on data. */
  tcb->ack_now = 1;
  ltcp_output(st, tcb);
}

void ltcp_delack_sent(ltcp_stack *st, ltcp_tcb *tcb) {
  tcb->busy->rcv_acked = tcb->rcv_nxt;
  if (tcb->busy->dack_at == LTCP_TIME_NEVER) return;
  tcb->busy->dack_at = LTCP_TIME_NEVER;
  if (!tcb->dead) ltcp_timer_update(st, tcb);
}

int ltcp_nagle_hold(const ltcp_tcb *tcb, uint32_t seq, uint32_t n) {
  if (tcb->opts.nodelay || n >= tcb->snd_mss) return 0;
  if (ltcp_seq_lt(seq, tcb->snd_nxt)) return 0; /* a retransmission is never held */
  /* The last bytes before our FIN go with it at once, as Linux's tcp_nagle_test. */
  if (tcb->fin_queued && seq + n == ltcp_tcb_fin_seq(tcb)) return 0;
  /* "If there is unacknowledged data, ... buffer all user data until the outstanding data
   * has been acknowledged or until ... a full-sized segment" (RFC 1122 4.2.3.4); only small
   * unacknowledged data counts (Minshall), so a write's tail never waits behind its own head. */
  return tcb->snd_una != tcb->snd_nxt && ltcp_seq_gt(tcb->busy->snd_sml, tcb->snd_una) &&
         ltcp_seq_le(tcb->busy->snd_sml, tcb->snd_nxt);
}

void ltcp_nagle_sent(ltcp_tcb *tcb, uint32_t seq, uint32_t n) {
  if (n && n < tcb->snd_mss && !ltcp_seq_lt(seq, tcb->snd_nxt)) tcb->busy->snd_sml = seq + n;
}
