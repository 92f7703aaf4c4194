/* Fast retransmit and fast recovery: RFC 5681 §3.2 with NewReno's partial ACKs (RFC 6582),
 * or RFC 6675's conservative SACK-based recovery when SACK was negotiated. */
#include "tcp/recovery.h"

#include "tcp/engine.h"
#include "tcp/output.h"
#include "tcp/sack.h"
#include "tcp/timer.h"

/* RFC 5681 §2 DUPLICATE ACKNOWLEDGMENT: data outstanding, no data or SYN/FIN carried, the ACK
 * is SND.UNA, the window unchanged. A SACK block reporting new data counts too (RFC 6675 §2). */
static int rec_is_dupack(const ltcp_tcb *tcb, const ltcp_seg *seg, uint32_t old_una,
                         uint32_t old_wnd, uint32_t sacked) {
  if (seg->len || (seg->flags & (LTCP_SYN | LTCP_FIN)) || seg->ack != old_una) return 0;
  /* A zero window's answers to window probes are not about loss (RFC 9293 §3.8.6.1). */
  if (tcb->snd_una == tcb->snd_nxt || tcb->snd_wnd == 0) return 0;
  return tcb->snd_wnd == old_wnd || sacked > 0;
}

/* RFC 6675 §5 (C) rule 1: retransmit lost segments while cwnd - pipe >= 1 SMSS. New data
 * (rule 2) follows in ltcp_output, limited by ltcp_cc_send_edge. */
static void rec_sack_send(ltcp_engine *eng, ltcp_tcb *tcb) {
  uint32_t bound = (tcb->snd_nxt - tcb->snd_una) / tcb->snd_mss + 1;
  for (uint32_t i = 0; i < bound; i++) {
    if (tcb->cwnd < ltcp_sack_pipe(tcb) + tcb->snd_mss) return;
    uint32_t seq, n = ltcp_sack_next_lost(tcb, tcb->snd_mss, &seq);
    if (n == 0 || ltcp_out_resend(eng, tcb, seq, n) == 0) return;
    tcb->busy->sack.high_rxt = seq + n;
  }
}

/* Resends the segment at SND.UNA; HighRxt follows. The retransmission timer restarts (as
 * RFC 6582 §3.2 step 5 on a partial ACK, and Linux for the head's retransmission): its
 * answer is a round trip away, and an RTO of about one RTT would fire before it. */
static void rec_resend_first(ltcp_engine *eng, ltcp_tcb *tcb) {
  uint32_t n = ltcp_out_resend(eng, tcb, tcb->snd_una, tcb->snd_mss);
  if (n == 0) return;
  if (ltcp_seq_lt(tcb->busy->sack.high_rxt, tcb->snd_una + n)) tcb->busy->sack.high_rxt = tcb->snd_una + n;
  tcb->busy->rtx_at = LTCP_TIME_NEVER;
  ltcp_out_arm_rtx(eng, tcb);
}

/* RFC 5681 §3.2 steps 2-4, RFC 6582 §3.2 steps 2-3, RFC 6675 §5 (4). */
static void rec_enter(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_cc *cc = &tcb->cc;
  /* RFC 6582 step 2: no second reduction for losses of the window already recovered. */
  if (cc->recover_set && ltcp_seq_lt(tcb->snd_una, cc->recover)) return;
  eng->stats->fast_retransmits++;
  cc->in_recovery = 1;
  cc->recover = tcb->snd_nxt;
  cc->recover_set = 1;
  tcb->ssthresh = ltcp_cc_ops_of(tcb)->on_congestion(tcb, eng->now);
  tcb->busy->sack.high_rxt = tcb->snd_una;
  rec_resend_first(eng, tcb);
  if (tcb->sack_ok) {
    tcb->cwnd = tcb->ssthresh;
    rec_sack_send(eng, tcb);
  } else {
    tcb->cwnd = tcb->ssthresh + 3u * tcb->snd_mss; /* inflated by the three dupacks */
  }
}

/* RFC 6582 step 5 (full acknowledgment): deflate; RFC 6675: cwnd stays ssthresh. */
static void rec_exit(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_cc *cc = &tcb->cc;
  cc->in_recovery = 0;
  cc->dupacks = 0;
  uint32_t flight = tcb->snd_nxt - tcb->snd_una;
  uint32_t w = (flight > tcb->snd_mss ? flight : tcb->snd_mss) + tcb->snd_mss;
  tcb->cwnd = w < tcb->ssthresh ? w : tcb->ssthresh;
  ltcp_cc_ops_of(tcb)->on_recovery_end(tcb, eng->now);
}

/* RFC 6582 step 5 (partial acknowledgment): resend the first unacknowledged segment, deflate
 * cwnd by the bytes acknowledged, add back one SMSS if that was at least one. */
static void rec_partial(ltcp_engine *eng, ltcp_tcb *tcb, uint32_t acked) {
  if (tcb->sack_ok) {
    if (!ltcp_seq_lt(tcb->snd_una, tcb->busy->sack.high_rxt)) rec_resend_first(eng, tcb);
    rec_sack_send(eng, tcb);
    return;
  }
  rec_resend_first(eng, tcb);
  uint32_t keep = tcb->cwnd > acked ? tcb->cwnd - acked : 0;
  if (acked >= tcb->snd_mss) keep += tcb->snd_mss;
  tcb->cwnd = keep > tcb->snd_mss ? keep : tcb->snd_mss;
}

void ltcp_recovery_on_ack(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg, uint32_t old_una,
                          uint32_t old_wnd) {
  ltcp_cc *cc = &tcb->cc;
  if (!ltcp_tcb_synchronized(tcb->state) || tcb->dead) return;
  uint32_t acked = tcb->snd_una - old_una, sacked = ltcp_sack_update(tcb, seg);
  if (acked == 0) {
    if (!rec_is_dupack(tcb, seg, old_una, old_wnd, sacked)) return;
    if (cc->dupacks < UINT8_MAX) cc->dupacks++;
    if (cc->in_recovery) {
      if (tcb->sack_ok) rec_sack_send(eng, tcb);
      else tcb->cwnd += tcb->snd_mss; /* RFC 5681 §3.2 step 4 */
    } else if (cc->dupacks >= LTCP_SACK_DUPTHRESH ||
               (tcb->sack_ok && ltcp_sack_first_lost(tcb))) {
      rec_enter(eng, tcb);
    }
    return;
  }
  cc->dupacks = 0;
  if (!cc->in_recovery) {
    ltcp_cc_on_ack(tcb, acked, tcb->snd_nxt - old_una, eng->now);
  } else if (ltcp_seq_ge(tcb->snd_una, cc->recover)) {
    rec_exit(eng, tcb);
  } else {
    rec_partial(eng, tcb, acked);
  }
}

void ltcp_recovery_on_rto(ltcp_engine *eng, ltcp_tcb *tcb) {
  ltcp_cc *cc = &tcb->cc;
  eng->stats->rto_expirations++;
  tcb->ssthresh = ltcp_cc_ops_of(tcb)->on_congestion(tcb, eng->now);
  tcb->cwnd = tcb->snd_mss; /* RFC 5681 §3.1: the loss window */
  cc->in_recovery = 0;
  cc->dupacks = 0;
  cc->recover = tcb->snd_nxt;
  cc->recover_set = 1;
  ltcp_sack_clear(tcb);
}
