/* CUBIC (RFC 9438): the window follows W_cubic(t) = C*(t - K)^3 + W_max from the last
 * reduction, never below the Reno-friendly estimate W_est (§4.3). Windows in segments. */
#include "tcp/cc.h"

#include "tcp/tcb.h"

#define CUBIC_C 0.4    /* §5: C */
#define CUBIC_BETA 0.7 /* §4.6: beta_cubic */
#define CUBIC_CARRY_ONE 4294967296.0 /* one byte in ltcp_cc.carry's units */

/* Cube root by Newton's method (no libm in the engine); x >= 0. */
static double cubic_cbrt(double x) {
  if (x <= 0) return 0;
  double r = x > 1 ? x / 3 : 1;
  for (int i = 0; i < 100; i++) {
    double next = r - (r * r * r - x) / (3 * r * r);
    if (next == r) break;
    r = next;
  }
  return r;
}

/* §4.2: a new epoch starts with the first ACK of congestion avoidance. */
static void cubic_epoch_start(ltcp_cubic *cc, double cwnd, ltcp_time_ns now) {
  cc->t_epoch = now;
  cc->w_est = cwnd;
  if (cc->w_max < cwnd) cc->w_max = cwnd;
  cc->k = cubic_cbrt((cc->w_max - cwnd) / CUBIC_C);
}

static double cubic_w(const ltcp_cubic *cc, double t) {
  double d = t - cc->k;
  return CUBIC_C * d * d * d + cc->w_max;
}

static void cubic_on_ack(ltcp_tcb *tcb, uint32_t acked, ltcp_time_ns now) {
  ltcp_cubic *cc = &tcb->cubic;
  double mss = tcb->snd_mss, cwnd = tcb->cwnd / mss, segs = acked / mss;
  if (cc->t_epoch == LTCP_TIME_NEVER) cubic_epoch_start(cc, cwnd, now);
  double t = (double)(now - cc->t_epoch) / 1e9;
  double rtt = tcb->srtt ? (double)tcb->srtt / 1e9 : 0.1;
  /* §4.3: W_est grows by alpha_cubic per window acknowledged; alpha 1 once past W_max. */
  double alpha = cc->w_est >= cc->w_max ? 1.0 : 3.0 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);
  cc->w_est += alpha * segs / cwnd;
  double next;
  if (cubic_w(cc, t) < cc->w_est) {
    next = cc->w_est; /* Reno-friendly region */
  } else {
    /* §4.4, §4.5: aim at W_cubic(t + RTT), between cwnd and 1.5 cwnd. */
    double target = cubic_w(cc, t + rtt);
    if (target < cwnd) target = cwnd;
    if (target > 1.5 * cwnd) target = 1.5 * cwnd;
    next = cwnd + (target - cwnd) / cwnd * segs;
  }
  /* Keep the fraction of a byte that would be lost to rounding. */
  double bytes = next * mss + tcb->cc.carry / CUBIC_CARRY_ONE;
  uint32_t whole = bytes > (double)LTCP_BUF_MAX ? LTCP_BUF_MAX : (uint32_t)bytes;
  double frac = (bytes - whole) * CUBIC_CARRY_ONE;
  tcb->cc.carry = frac <= 0 ? 0 : frac >= CUBIC_CARRY_ONE ? UINT32_MAX : (uint32_t)frac;
  if (whole > tcb->cwnd) tcb->cwnd = whole;
}

/* §4.6 and §4.7 (fast convergence): remember W_max, ssthresh = FlightSize * beta_cubic. */
static uint32_t cubic_on_congestion(ltcp_tcb *tcb, ltcp_time_ns now) {
  (void)now;
  ltcp_cubic *cc = &tcb->cubic;
  double cwnd = (double)tcb->cwnd / tcb->snd_mss;
  cc->w_max = cwnd < cc->w_max ? cwnd * (1 + CUBIC_BETA) / 2 : cwnd;
  cc->t_epoch = LTCP_TIME_NEVER;
  tcb->cc.carry = 0;
  uint32_t flight = tcb->snd_nxt - tcb->snd_una;
  uint32_t ss = (uint32_t)(flight * CUBIC_BETA);
  return ss > 2u * tcb->snd_mss ? ss : 2u * tcb->snd_mss;
}

static void cubic_on_recovery_end(ltcp_tcb *tcb, ltcp_time_ns now) {
  (void)now;
  tcb->cubic.t_epoch = LTCP_TIME_NEVER;
}

const ltcp_cc_ops ltcp_cc_cubic = {
    .name = "cubic",
    .on_ack = cubic_on_ack,
    .on_congestion = cubic_on_congestion,
    .on_recovery_end = cubic_on_recovery_end,
};
