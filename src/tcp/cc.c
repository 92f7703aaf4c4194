/* Congestion control: the parts every algorithm shares (RFC 5681 §3.1 slow start, RFC 6928
 * initial window, RFC 3042 limited transmit, RFC 6675's pipe as the sending limit). */
#include "tcp/cc.h"

#include "tcp/tcb.h"

const ltcp_cc_ops *ltcp_cc_ops_of(const ltcp_tcb *tcb) {
  return tcb->cc.id == LTCP_CC_NEWRENO ? &ltcp_cc_newreno : &ltcp_cc_cubic;
}

void ltcp_cc_init(ltcp_tcb *tcb) {
  ltcp_cc *cc = &tcb->cc;
  cc->id = tcb->opts.congestion < LTCP_CC_COUNT ? tcb->opts.congestion : LTCP_CC_CUBIC;
  tcb->cubic.t_epoch = LTCP_TIME_NEVER;
  tcb->cubic.w_max = 0;
  cc->recover_set = 0;
  /* RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)). */
  uint32_t mss = tcb->snd_mss, iw = 2 * mss > 14600 ? 2 * mss : 14600;
  tcb->cwnd = iw < 10 * mss ? iw : 10 * mss;
  tcb->ssthresh = UINT32_MAX;
}

void ltcp_cc_select(ltcp_tcb *tcb, uint8_t id) {
  tcb->opts.congestion = tcb->cc.id = id;
  tcb->cubic.t_epoch = LTCP_TIME_NEVER;
}

void ltcp_cc_on_ack(ltcp_tcb *tcb, uint32_t acked, uint32_t flight, ltcp_time_ns now) {
  /* Limited by the application or the peer's window, not by cwnd: as Linux's
   * tcp_is_cwnd_limited, slow start may still double what was in flight. */
  int ss = tcb->cwnd < tcb->ssthresh;
  if (ss ? 2ull * flight < tcb->cwnd : flight + 3ull * tcb->snd_mss < tcb->cwnd) return;
  if (ss) {
    tcb->cwnd += acked < tcb->snd_mss ? acked : tcb->snd_mss; /* RFC 5681 (2) */
    tcb->cc.bytes_acked = 0;
  } else {
    ltcp_cc_ops_of(tcb)->on_ack(tcb, acked, now);
  }
  if (tcb->cwnd > LTCP_BUF_MAX) tcb->cwnd = LTCP_BUF_MAX; /* RFC 7323's largest window */
}

uint32_t ltcp_cc_send_edge(const ltcp_tcb *tcb) {
  const ltcp_cc *cc = &tcb->cc;
  if (cc->in_recovery && tcb->sack_ok) {
    /* RFC 6675 §5 (C): new data while cwnd - pipe >= 1 SMSS. */
    uint32_t pipe = ltcp_sack_pipe(tcb);
    return tcb->snd_nxt + (tcb->cwnd > pipe ? tcb->cwnd - pipe : 0);
  }
  uint32_t extra = 0;
  /* RFC 3042: the first two duplicate ACKs each let one new segment go beyond cwnd. */
  if (!cc->in_recovery && cc->dupacks > 0) extra = (cc->dupacks < 2 ? cc->dupacks : 2u) * tcb->snd_mss;
  return tcb->snd_una + tcb->cwnd + extra;
}
