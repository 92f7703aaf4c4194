/* Congestion control (src/tcp/cc.h): the parts every algorithm shares (cc.c: the RFC 6928
 * initial window, RFC 5681 slow start, the sending limit with RFC 3042 limited transmit and
 * RFC 6675's pipe) and CUBIC (cc_cubic.c, RFC 9438): W_max and K after a loss, fast
 * convergence, the concave, convex and Reno-friendly regions, and the bounds on cwnd. Windows
 * are in bytes here, in segments in RFC 9438 (§4.1: the two differ by SMSS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include "support/engine_fake.h"
#include "tcp/cc.h"
#include "tcp/sack.h"

#define CT_MSS 1000u
#define CT_C 0.4    /* RFC 9438 §5 */
#define CT_BETA 0.7 /* RFC 9438 §4.6 */
#define CT_ALPHA (3.0 * (1 - CT_BETA) / (1 + CT_BETA)) /* RFC 9438 §4.3 */

/* A bare TCB in congestion avoidance with algorithm id: cwnd and ssthresh in bytes. */
static ltcp_tcb *ct_tcb(uint8_t id, uint32_t cwnd, uint32_t ssthresh) {
  ltcp_tcb *t = ef_tcb_new();
  t->snd_mss = CT_MSS;
  t->opts.congestion = id;
  ltcp_cc_init(t);
  t->cwnd = cwnd;
  t->ssthresh = ssthresh;
  return t;
}

/* CUBIC's state as a loss left it (RFC 9438 §4.2): epoch starting at t_epoch, W_max, K and W_est
 * given; RTT 100 ms. */
static ltcp_tcb *ct_cubic(uint32_t cwnd_segs, double w_max, double k, double w_est,
                          ltcp_time_ns t_epoch) {
  ltcp_tcb *t = ct_tcb(LTCP_CC_CUBIC, cwnd_segs * CT_MSS, 2 * CT_MSS);
  t->srtt = LTCP_MS(100);
  t->cubic.w_max = w_max;
  t->cubic.k = k;
  t->cubic.w_est = w_est;
  t->cubic.t_epoch = t_epoch;
  return t;
}

static double ct_w_cubic(double w_max, double k, double t) { /* RFC 9438 Figure 1 */
  return CT_C * (t - k) * (t - k) * (t - k) + w_max;
}

/* ---- cc.c: what every algorithm shares */

/* RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)); RFC 5681 §3.1: ssthresh "arbitrarily high";
 * the algorithm from the socket's choice, CUBIC when that is not one. */
static void test_cc_init_initial_window(void **state) {
  (void)state;
  static const uint32_t cases[][2] = {{536, 5360},   {1000, 10000},  {1448, 14480},
                                      {1460, 14600}, {4000, 14600},  {9000, 18000},
                                      {65495, 130990}};
  ltcp_tcb *t = ef_tcb_new();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    t->snd_mss = (uint16_t)cases[i][0];
    ltcp_cc_init(t);
    assert_int_equal(t->cwnd, cases[i][1]);
    assert_int_equal(t->ssthresh, UINT32_MAX);
  }
  assert_int_equal(t->cc.id, LTCP_CC_CUBIC);
  assert_int_equal(t->cubic.t_epoch, LTCP_TIME_NEVER);
  assert_true(t->cubic.w_max == 0);
  t->opts.congestion = LTCP_CC_NEWRENO;
  ltcp_cc_init(t);
  assert_ptr_equal(ltcp_cc_ops_of(t), &ltcp_cc_newreno);
  t->opts.congestion = LTCP_CC_COUNT; /* not an algorithm */
  ltcp_cc_init(t);
  assert_ptr_equal(ltcp_cc_ops_of(t), &ltcp_cc_cubic);
  ef_tcb_free(t);
}

/* RFC 9438 §4.2: an epoch is CUBIC's own; switched by TCP_CONGESTION mid-connection (as Linux
 * allows), the other algorithm takes over from the next ACK, and CUBIC with a new epoch. */
static void test_cc_select_switches_algorithm(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_CUBIC, 20 * CT_MSS, 10 * CT_MSS);
  t->cubic.t_epoch = LTCP_SEC(3);
  ltcp_cc_select(t, LTCP_CC_NEWRENO);
  assert_string_equal(ltcp_cc_ops_of(t)->name, "newreno");
  assert_int_equal(t->opts.congestion, LTCP_CC_NEWRENO);
  assert_int_equal(t->cubic.t_epoch, LTCP_TIME_NEVER);
  ltcp_cc_select(t, LTCP_CC_CUBIC);
  assert_string_equal(ltcp_cc_ops_of(t)->name, "cubic");
  ef_tcb_free(t);
}

/* RFC 5681 §3.1 equation (2), RFC 3465 with L = 1 SMSS: in slow start cwnd grows by the bytes
 * acknowledged, at most one SMSS per ACK, however much a stretch ACK covers. */
static void test_cc_on_ack_slow_start_at_most_one_smss(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_CUBIC, 10 * CT_MSS, UINT32_MAX);
  ltcp_cc_on_ack(t, 3 * CT_MSS, t->cwnd, 0);
  assert_int_equal(t->cwnd, 11 * CT_MSS);
  ltcp_cc_on_ack(t, 400, t->cwnd, 0);
  assert_int_equal(t->cwnd, 11 * CT_MSS + 400);
  assert_int_equal(t->cubic.t_epoch, LTCP_TIME_NEVER); /* CUBIC has not started */
  ef_tcb_free(t);
}

/* RFC 5681 §3.1: slow start while cwnd < ssthresh; at ssthresh congestion avoidance, here
 * NewReno's one SMSS per window acknowledged (equation (3) with RFC 3465 byte counting). */
static void test_cc_on_ack_newreno_one_smss_per_window(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_NEWRENO, 20 * CT_MSS, 20 * CT_MSS);
  for (int i = 0; i < 19; i++) ltcp_cc_on_ack(t, CT_MSS, t->cwnd, 0);
  assert_int_equal(t->cwnd, 20 * CT_MSS);
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, 0);
  assert_int_equal(t->cwnd, 21 * CT_MSS);
  assert_int_equal(t->cc.bytes_acked, 0);
  ef_tcb_free(t);
}

/* A window the sender did not use does not grow (RFC 7661; RFC 9438 §5.8): slow start still
 * grows while half of cwnd was in flight, congestion avoidance while all but 3 SMSS was. */
static void test_cc_on_ack_not_cwnd_limited_no_growth(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_NEWRENO, 10 * CT_MSS, UINT32_MAX);
  ltcp_cc_on_ack(t, CT_MSS, 5 * CT_MSS - 1, 0);
  assert_int_equal(t->cwnd, 10 * CT_MSS);
  ltcp_cc_on_ack(t, CT_MSS, 5 * CT_MSS, 0);
  assert_int_equal(t->cwnd, 11 * CT_MSS);
  t->cwnd = 20 * CT_MSS;
  t->ssthresh = 10 * CT_MSS;
  ltcp_cc_on_ack(t, CT_MSS, 17 * CT_MSS - 1, 0);
  assert_int_equal(t->cc.bytes_acked, 0); /* not even counted */
  ltcp_cc_on_ack(t, CT_MSS, 17 * CT_MSS, 0);
  assert_int_equal(t->cc.bytes_acked, CT_MSS);
  ef_tcb_free(t);
}

/* RFC 7323 §2.3: no window beyond 2^30 bytes can be used, so cwnd stops at LTCP_BUF_MAX, in slow
 * start and in either algorithm's congestion avoidance. */
static void test_cc_on_ack_cwnd_never_above_buf_max(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_NEWRENO, LTCP_BUF_MAX - 100, UINT32_MAX);
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, 0);
  assert_int_equal(t->cwnd, LTCP_BUF_MAX);
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, 0);
  assert_int_equal(t->cwnd, LTCP_BUF_MAX);
  t->ssthresh = 2 * CT_MSS; /* NewReno: a window's worth acknowledged adds one SMSS */
  t->cc.bytes_acked = LTCP_BUF_MAX - CT_MSS;
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, 0);
  assert_int_equal(t->cwnd, LTCP_BUF_MAX);
  ltcp_cc_select(t, LTCP_CC_CUBIC); /* far past K: the target is 1.5 cwnd */
  t->cubic.w_max = 1;
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, 0);
  ltcp_cc_on_ack(t, 64 * CT_MSS, t->cwnd, LTCP_SEC(1000));
  assert_int_equal(t->cwnd, LTCP_BUF_MAX);
  ef_tcb_free(t);
}

/* RFC 5681 §3.1: no new data beyond SND.UNA + cwnd (in sequence space, which wraps). */
static void test_cc_send_edge_una_plus_cwnd(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_CUBIC, 10 * CT_MSS, UINT32_MAX);
  t->snd_una = 1000;
  assert_int_equal(ltcp_cc_send_edge(t), 1000 + 10 * CT_MSS);
  t->snd_una = 0xFFFFF000u;
  assert_int_equal(ltcp_cc_send_edge(t), 0x1710); /* 0xFFFFF000 + 10000 - 2^32 */
  ef_tcb_free(t);
}

/* RFC 3042 §2: each of the first two duplicate ACKs lets one new segment go beyond cwnd; a third
 * does not (fast retransmit takes over), and neither does fast recovery without SACK, where
 * RFC 5681 §3.2 inflates cwnd instead. */
static void test_cc_send_edge_limited_transmit(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_NEWRENO, 10 * CT_MSS, UINT32_MAX);
  t->snd_una = 5000;
  uint32_t edge = 5000 + 10 * CT_MSS;
  t->cc.dupacks = 1;
  assert_int_equal(ltcp_cc_send_edge(t), edge + CT_MSS);
  t->cc.dupacks = 2;
  assert_int_equal(ltcp_cc_send_edge(t), edge + 2 * CT_MSS);
  t->cc.dupacks = 3;
  assert_int_equal(ltcp_cc_send_edge(t), edge + 2 * CT_MSS);
  t->cc.in_recovery = 1;
  assert_int_equal(ltcp_cc_send_edge(t), edge);
  ef_tcb_free(t);
}

/* RFC 6675 §5 (C): in SACK recovery new data goes while cwnd - pipe >= 1 SMSS, from SND.NXT on. */
static void test_cc_send_edge_sack_recovery_uses_pipe(void **state) {
  (void)state;
  ltcp_tcb *t = ct_tcb(LTCP_CC_CUBIC, 7 * CT_MSS, 7 * CT_MSS);
  t->snd_una = 1000;
  t->snd_nxt = 10000;
  t->sack_ok = 1;
  t->busy->sack.high_rxt = t->snd_una;
  ltcp_seg ack = {.flags = LTCP_ACK, .ack = 1000};
  ack.opts.sack_count = 1;
  ack.opts.sack[0] = (ltcp_sack_block){2000, 5000}; /* the hole 1000-2000 is lost */
  ltcp_sack_update(t, &ack);
  t->cc.in_recovery = 1;
  uint32_t pipe = ltcp_sack_pipe(t);
  assert_int_equal(pipe, 5000); /* 5000-10000 */
  assert_int_equal(ltcp_cc_send_edge(t), 10000 + 7 * CT_MSS - pipe);
  t->cwnd = pipe;
  assert_int_equal(ltcp_cc_send_edge(t), 10000);
  t->cwnd = pipe - CT_MSS; /* pipe above cwnd: still nothing new, never before SND.NXT */
  assert_int_equal(ltcp_cc_send_edge(t), 10000);
  ef_tcb_free(t);
}

/* ---- cc_cubic.c: RFC 9438 */

/* §4.6 Figure 5: ssthresh = flight_size * beta_cubic, at least 2 SMSS; W_max (§4.1.2) = cwnd
 * before the reduction; the epoch ends. */
static void test_cubic_on_congestion_beta_and_w_max(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(100, 0, 0, 0, LTCP_SEC(1));
  t->snd_una = 0;
  t->snd_nxt = 100 * CT_MSS;
  t->cc.carry = 12345;
  assert_int_equal(ltcp_cc_cubic.on_congestion(t, LTCP_SEC(2)), 70 * CT_MSS);
  assert_true(t->cubic.w_max == 100.0);
  assert_int_equal(t->cubic.t_epoch, LTCP_TIME_NEVER);
  assert_int_equal(t->cc.carry, 0);
  ef_tcb_free(t);
}

/* §4.6: the flight size, not cwnd, sets ssthresh (an application-limited sender does not keep a
 * window it did not use), measured in sequence space across 2^32; never below 2 SMSS. */
static void test_cubic_on_congestion_ssthresh_from_flight_size(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(100, 0, 0, 0, LTCP_TIME_NEVER);
  t->snd_una = 0xFFFFF000u;
  t->snd_nxt = t->snd_una + 40 * CT_MSS; /* wraps */
  assert_int_equal(ltcp_cc_cubic.on_congestion(t, 0), 28 * CT_MSS);
  t->snd_nxt = t->snd_una + CT_MSS;
  assert_int_equal(ltcp_cc_cubic.on_congestion(t, 0), 2 * CT_MSS);
  ef_tcb_free(t);
}

/* §4.7 fast convergence: a loss below the last W_max means the share is shrinking; W_max becomes
 * cwnd * (1 + beta_cubic) / 2 to let newer flows in. At or above the last W_max it is cwnd. */
static void test_cubic_on_congestion_fast_convergence(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(80, 100.0, 0, 0, LTCP_TIME_NEVER);
  t->snd_nxt = t->cwnd;
  ltcp_cc_cubic.on_congestion(t, 0);
  assert_true(fabs(t->cubic.w_max - 80 * (1 + CT_BETA) / 2) < 1e-9); /* 68 */
  t->cwnd = 68 * CT_MSS; /* equal: no further reduction */
  ltcp_cc_cubic.on_congestion(t, 0);
  assert_true(fabs(t->cubic.w_max - 68.0) < 1e-9);
  t->cwnd = 120 * CT_MSS;
  ltcp_cc_cubic.on_congestion(t, 0);
  assert_true(t->cubic.w_max == 120.0);
  ef_tcb_free(t);
}

/* §4.2 Figure 2: the first ACK of congestion avoidance after a loss starts the epoch with
 * K = cbrt((W_max - cwnd_epoch) / C), here cbrt(30 / 0.4); §4.3: W_est starts at cwnd_epoch. */
static void test_cubic_on_ack_epoch_k_after_loss(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(100, 0, 0, 0, LTCP_TIME_NEVER);
  t->snd_nxt = t->cwnd;
  t->cwnd = t->ssthresh = ltcp_cc_cubic.on_congestion(t, LTCP_SEC(1));
  ltcp_cc_cubic.on_recovery_end(t, LTCP_SEC(2));
  assert_int_equal(t->cubic.t_epoch, LTCP_TIME_NEVER);
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(2));
  assert_int_equal(t->cubic.t_epoch, LTCP_SEC(2));
  assert_true(t->cubic.w_max == 100.0);
  assert_true(fabs(t->cubic.k - cbrt(30.0 / CT_C)) < 1e-9); /* 4.217 s */
  assert_true(fabs(t->cubic.w_est - (70.0 + CT_ALPHA / 70.0)) < 1e-9);
  ef_tcb_free(t);
}

/* §4.2: with no loss yet (leaving slow start), W_max is the window at the epoch's start: K = 0. */
static void test_cubic_on_ack_epoch_without_loss_k_zero(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(50, 0, 0, 0, LTCP_TIME_NEVER);
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(5));
  assert_true(t->cubic.w_max == 50.0);
  assert_true(t->cubic.k == 0);
  ef_tcb_free(t);
}

/* §4.2 and §4.4, concave region: target = W_cubic(t + RTT) and cwnd grows by
 * (target - cwnd) / cwnd per SMSS acknowledged. One second into the epoch of W_max 100. */
static void test_cubic_on_ack_concave_region_step(void **state) {
  (void)state;
  double k = cbrt(30.0 / CT_C);
  ltcp_tcb *t = ct_cubic(70, 100.0, k, 70.0, LTCP_SEC(10));
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(11));
  assert_true(ct_w_cubic(100.0, k, 1.0) > t->cubic.w_est); /* not Reno-friendly */
  double target = ct_w_cubic(100.0, k, 1.1);
  double want = (70.0 + (target - 70.0) / 70.0) * CT_MSS;
  assert_true(fabs((double)t->cwnd - want) <= 1.0);
  assert_true(t->cwnd > 70 * CT_MSS && t->cwnd < 100 * CT_MSS);
  ef_tcb_free(t);
}

/* §4.5, convex region: past K, cwnd >= W_max, and the same increment probes beyond W_max. */
static void test_cubic_on_ack_convex_region_step(void **state) {
  (void)state;
  double k = cbrt(30.0 / CT_C);
  ltcp_tcb *t = ct_cubic(103, 100.0, k, 100.0, LTCP_SEC(10));
  ltcp_time_ns now = LTCP_SEC(10) + (ltcp_time_ns)((k + 2.0) * 1e9);
  double te = (double)(now - LTCP_SEC(10)) / 1e9;
  ltcp_cc_on_ack(t, 10 * CT_MSS, t->cwnd, now);
  double target = ct_w_cubic(100.0, k, te + 0.1); /* 103.7: above W_max */
  double want = (103.0 + (target - 103.0) / 103.0 * 10) * CT_MSS;
  assert_true(fabs((double)t->cwnd - want) <= 1.0);
  assert_true(t->cwnd > 103 * CT_MSS);
  ef_tcb_free(t);
}

/* §4.2: target is at most 1.5 cwnd (no faster than slow start), at least cwnd (never shrinks). */
static void test_cubic_on_ack_target_bounds(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(70, 100.0, cbrt(30.0 / CT_C), 70.0, LTCP_SEC(10));
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(110)); /* W_cubic far above */
  assert_int_equal(t->cwnd, 70 * CT_MSS + CT_MSS / 2);
  ef_tcb_free(t);
  t = ct_cubic(80, 100.0, cbrt(30.0 / CT_C), 60.0, LTCP_SEC(10));
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(10)); /* W_cubic(RTT) = 72 < cwnd */
  assert_int_equal(t->cwnd, 80 * CT_MSS);
  ef_tcb_free(t);
}

/* §4.3, Reno-friendly region: when W_cubic(t) < W_est, cwnd = W_est, which grows by
 * alpha_cubic = 3 (1 - beta) / (1 + beta) segments per window acknowledged. */
static void test_cubic_on_ack_reno_friendly_region(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(70, 100.0, cbrt(30.0 / CT_C), 75.0, LTCP_SEC(10));
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(10)); /* W_cubic(0) = 70 < 75 */
  double w_est = 75.0 + CT_ALPHA / 70.0;
  assert_true(fabs(t->cubic.w_est - w_est) < 1e-9);
  assert_int_equal(t->cwnd, (uint32_t)(w_est * CT_MSS));
  ef_tcb_free(t);
}

/* §4.3: once W_est reaches the window of the last reduction (W_max here, without fast
 * convergence), alpha_cubic is 1, Reno's own increase. */
static void test_cubic_on_ack_alpha_one_past_w_max(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(100, 100.0, 0, 100.0, LTCP_SEC(10));
  ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(10)); /* W_cubic(0) = 100 < W_est */
  assert_true(fabs(t->cubic.w_est - 100.01) < 1e-9);
  assert_int_equal(t->cwnd, 100010);
  ef_tcb_free(t);
}

/* §4.4: the increment per ACK can be a fraction of a byte; the fractions add up instead of
 * being lost to rounding (else a large window would never grow on W_cubic's flat part). */
static void test_cubic_on_ack_sub_byte_growth_adds_up(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(1000, 1000.0, 0, 0, LTCP_SEC(10));
  t->srtt = LTCP_SEC(1); /* target W_cubic(1) = 1000.4: 0.4 byte per ACK */
  for (int i = 0; i < 100; i++) ltcp_cc_on_ack(t, CT_MSS, t->cwnd, LTCP_SEC(10));
  uint32_t grown = t->cwnd - 1000 * CT_MSS;
  assert_true(grown >= 35 && grown <= 40);
  ef_tcb_free(t);
}

/* RFC 7323 §2.3 bound on CUBIC's own arithmetic, in both regions, whatever an ACK covers. */
static void test_cubic_on_ack_cwnd_never_above_buf_max(void **state) {
  (void)state;
  ltcp_tcb *t = ct_cubic(1, 100.0, 0, 0, LTCP_SEC(10));
  t->cwnd = LTCP_BUF_MAX - CT_MSS;
  ltcp_cc_cubic.on_ack(t, UINT32_MAX, LTCP_SEC(1000)); /* 1.5 cwnd region */
  assert_int_equal(t->cwnd, LTCP_BUF_MAX);
  ef_tcb_free(t);
  t = ct_cubic(1, 1e6, 1e6, 1e6, LTCP_SEC(10)); /* Reno-friendly, W_est huge */
  t->snd_mss = 1;
  t->cwnd = 1;
  ltcp_cc_cubic.on_ack(t, UINT32_MAX, LTCP_SEC(10));
  assert_int_equal(t->cwnd, LTCP_BUF_MAX);
  ef_tcb_free(t);
}

/* RFC 9438 Figure 1 over time: an epoch after a loss at W_max = 100, one window acknowledged
 * per 100 ms round trip. The window rises steeply, flattens below W_max, reaches it at K and
 * probes beyond it after; no round trip more than 1.5 times the last (§4.2). */
static void test_cubic_on_ack_curve_plateaus_at_w_max_at_k(void **state) {
  (void)state;
  double k = cbrt(30.0 / CT_C);
  ltcp_tcb *t = ct_cubic(70, 100.0, 0, 0, LTCP_TIME_NEVER);
  t->ssthresh = t->cwnd;
  ltcp_time_ns epoch = LTCP_SEC(10);
  uint32_t at_k = 0, after = 0;
  for (uint32_t r = 0; r < 70; r++) {
    ltcp_time_ns now = epoch + r * LTCP_MS(100);
    double te = r * 0.1;
    uint32_t before = t->cwnd, segs = t->cwnd / CT_MSS;
    for (uint32_t i = 0; i < segs; i++) ltcp_cc_on_ack(t, CT_MSS, t->cwnd, now);
    assert_true(t->cwnd <= before + before / 2);
    if (te + 0.1 <= k) assert_true(t->cwnd <= 100 * CT_MSS); /* concave: up to W_max */
    if (fabs(te - k) < 0.05) at_k = t->cwnd;
    if (r == 60) after = t->cwnd;
  }
  assert_true(at_k >= 99 * CT_MSS && at_k <= 101 * CT_MSS);
  assert_true(after > 101 * CT_MSS); /* 6 s: convex, probing */
  ef_tcb_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cc_init_initial_window),
      cmocka_unit_test(test_cc_select_switches_algorithm),
      cmocka_unit_test(test_cc_on_ack_slow_start_at_most_one_smss),
      cmocka_unit_test(test_cc_on_ack_newreno_one_smss_per_window),
      cmocka_unit_test(test_cc_on_ack_not_cwnd_limited_no_growth),
      cmocka_unit_test(test_cc_on_ack_cwnd_never_above_buf_max),
      cmocka_unit_test(test_cc_send_edge_una_plus_cwnd),
      cmocka_unit_test(test_cc_send_edge_limited_transmit),
      cmocka_unit_test(test_cc_send_edge_sack_recovery_uses_pipe),
      cmocka_unit_test(test_cubic_on_congestion_beta_and_w_max),
      cmocka_unit_test(test_cubic_on_congestion_ssthresh_from_flight_size),
      cmocka_unit_test(test_cubic_on_congestion_fast_convergence),
      cmocka_unit_test(test_cubic_on_ack_epoch_k_after_loss),
      cmocka_unit_test(test_cubic_on_ack_epoch_without_loss_k_zero),
      cmocka_unit_test(test_cubic_on_ack_concave_region_step),
      cmocka_unit_test(test_cubic_on_ack_convex_region_step),
      cmocka_unit_test(test_cubic_on_ack_target_bounds),
      cmocka_unit_test(test_cubic_on_ack_reno_friendly_region),
      cmocka_unit_test(test_cubic_on_ack_alpha_one_past_w_max),
      cmocka_unit_test(test_cubic_on_ack_sub_byte_growth_adds_up),
      cmocka_unit_test(test_cubic_on_ack_cwnd_never_above_buf_max),
      cmocka_unit_test(test_cubic_on_ack_curve_plateaus_at_w_max_at_k),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
