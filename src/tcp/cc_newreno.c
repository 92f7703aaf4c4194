/* NewReno's congestion control (RFC 5681 §3.1): additive increase with byte counting
 * (RFC 3465, so delayed ACKs do not halve it), halving on congestion (equation 4). The
 * partial-ACK rules of RFC 6582 are in tcp/recovery.c. */
#include "tcp/cc.h"

#include "tcp/tcb.h"

/* Congestion avoidance: one SMSS per cwnd of bytes acknowledged. */
static void newreno_on_ack(ltcp_tcb *tcb, uint32_t acked, ltcp_time_ns now) {
  (void)now;
  tcb->cc.bytes_acked += acked;
  if (tcb->cc.bytes_acked >= tcb->cwnd) {
    tcb->cc.bytes_acked -= tcb->cwnd;
    tcb->cwnd += tcb->snd_mss;
  }
}

/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS). */
static uint32_t newreno_on_congestion(ltcp_tcb *tcb, ltcp_time_ns now) {
  (void)now;
  uint32_t flight = tcb->snd_nxt - tcb->snd_una;
  tcb->cc.bytes_acked = 0;
  return flight / 2 > 2u * tcb->snd_mss ? flight / 2 : 2u * tcb->snd_mss;
}

static void newreno_on_recovery_end(ltcp_tcb *tcb, ltcp_time_ns now) {
  (void)now;
  tcb->cc.bytes_acked = 0;
}

const ltcp_cc_ops ltcp_cc_newreno = {
    .name = "newreno",
    .on_ack = newreno_on_ack,
    .on_congestion = newreno_on_congestion,
    .on_recovery_end = newreno_on_recovery_end,
};
