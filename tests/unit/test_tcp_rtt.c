/* Round-trip time and the retransmission timeout (src/tcp/rtt.h, RFC 6298): SRTT, RTTVAR and
 * RTO from samples, the bounds, the back-off, and the weighted samples of RFC 7323 Appendix G.
 * The engine alone (tests/support/engine_fake.h) with a bare TCB. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/engine_fake.h"
#include "tcp/output.h"
#include "tcp/rtt.h"

/* The configured bounds, as Linux sets them: a 200 ms floor (§2.4 recommends 1 s; the stack's
 * default is Linux's) and a 60 s ceiling (§2.5). */
static const ltcp_stack_config rt_cfg = {.rto_min_ns = LTCP_MS(200), .rto_max_ns = LTCP_SEC(60)};

typedef struct rt_fixture {
  ef_engine e;
  ltcp_tcb *t;
} rt_fixture;

static void rt_init(rt_fixture *f, const ltcp_stack_config *cfg) {
  ef_engine_init(&f->e, cfg, LTCP_SEC(1));
  f->t = ef_tcb_new();
}

static void rt_free(rt_fixture *f) {
  ef_tcb_free(f->t);
  ef_engine_free(&f->e);
}

/* §2.2: the first sample R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4*RTTVAR). */
static void test_rtt_sample_first_sets_srtt_and_rttvar(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  ltcp_rtt_sample(&f.e.eng, f.t, LTCP_MS(100));
  assert_int_equal(f.t->srtt, LTCP_MS(100));
  assert_int_equal(f.t->rttvar, LTCP_MS(50));
  assert_int_equal(f.t->rto, LTCP_MS(300));
  rt_free(&f);
}

/* §2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R'| with the SRTT from before this sample, then
 * SRTT = 7/8 SRTT + 1/8 R'. Updating SRTT first would give RTTVAR 59.375 ms here. */
static void test_rtt_sample_next_updates_rttvar_before_srtt(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  ltcp_rtt_sample(&f.e.eng, f.t, LTCP_MS(100));
  ltcp_rtt_sample(&f.e.eng, f.t, LTCP_MS(200));
  assert_int_equal(f.t->rttvar, LTCP_US(62500));
  assert_int_equal(f.t->srtt, LTCP_US(112500));
  assert_int_equal(f.t->rto, LTCP_US(362500)); /* 112.5 + 4 * 62.5 ms */
  ltcp_rtt_sample(&f.e.eng, f.t, LTCP_MS(50)); /* a shorter one: |SRTT - R'| either way */
  assert_int_equal(f.t->rttvar, (3 * LTCP_US(62500) + LTCP_US(62500)) / 4);
  assert_int_equal(f.t->srtt, (7 * LTCP_US(112500) + LTCP_MS(50)) / 8);
  rt_free(&f);
}

/* §2.2 and §2.3: RTO = SRTT + max(G, K*RTTVAR). On a steady path RTTVAR decays to nothing and
 * the clock granularity G (1 ms) keeps RTO above SRTT. A 1 us floor lets it show. */
static void test_rtt_sample_steady_path_rto_is_srtt_plus_granularity(void **state) {
  (void)state;
  ltcp_stack_config cfg = rt_cfg;
  cfg.rto_min_ns = LTCP_US(1);
  rt_fixture f;
  rt_init(&f, &cfg);
  for (int i = 0; i < 100; i++) ltcp_rtt_sample(&f.e.eng, f.t, LTCP_MS(10));
  assert_int_equal(f.t->srtt, LTCP_MS(10));
  assert_true(4 * f.t->rttvar < LTCP_MS(1));
  assert_int_equal(f.t->rto, LTCP_MS(11));
  rt_free(&f);
}

/* §2.4: whenever RTO is computed below the minimum it is rounded up to it; §2.5: a maximum may
 * be placed on RTO, provided it is at least 60 seconds. */
static void test_rtt_sample_rto_clamped_to_bounds(void **state) {
  (void)state;
  static const ltcp_time_ns cases[][2] = {
      {LTCP_MS(1), LTCP_MS(200)}, /* 1 + 4 * 0.5 = 3 ms computed */
      {LTCP_SEC(50), LTCP_SEC(60)}, /* 50 + 4 * 25 = 150 s computed */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    rt_fixture f;
    rt_init(&f, &rt_cfg);
    ltcp_rtt_sample(&f.e.eng, f.t, cases[i][0]);
    assert_int_equal(f.t->srtt, cases[i][0]);
    assert_int_equal(f.t->rto, cases[i][1]);
    rt_free(&f);
  }
}

/* §5.5: each expiry doubles the timer ("back off the timer"), until the maximum (§2.5). */
static void test_rtt_backed_off_doubles_per_timeout(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  f.t->rto = LTCP_MS(300);
  ltcp_time_ns want = LTCP_MS(300);
  for (uint32_t retries = 0; retries <= 7; retries++) {
    f.t->busy->retries = retries;
    assert_int_equal(ltcp_rtt_backed_off(&f.e.eng, f.t), want);
    want *= 2;
  }
  f.t->busy->retries = 8; /* 76.8 s */
  assert_int_equal(ltcp_rtt_backed_off(&f.e.eng, f.t), LTCP_SEC(60));
  assert_int_equal(f.t->rto, LTCP_MS(300)); /* the base RTO itself is left alone */
  rt_free(&f);
}

/* §5.5 and §2.5: however many timeouts, the backed-off RTO stays at the maximum (the doubling
 * stops there, so it never overflows); and it is never below the minimum (§2.4). */
static void test_rtt_backed_off_bounded_by_min_and_max(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  f.t->rto = LTCP_SEC(59);
  f.t->busy->retries = 1;
  assert_int_equal(ltcp_rtt_backed_off(&f.e.eng, f.t), LTCP_SEC(60));
  f.t->rto = LTCP_SEC(1);
  f.t->busy->retries = UINT32_MAX;
  assert_int_equal(ltcp_rtt_backed_off(&f.e.eng, f.t), LTCP_SEC(60));
  f.t->rto = LTCP_MS(100); /* below the floor, e.g. set before the floor was */
  f.t->busy->retries = 0;
  assert_int_equal(ltcp_rtt_backed_off(&f.e.eng, f.t), LTCP_MS(200));
  rt_free(&f);
}

/* RFC 7323 Appendix G: with `expected` samples per round trip, alpha' = alpha / expected and
 * beta' = beta / expected, so a window of samples moves SRTT about as one sample would. */
static void test_rtt_sample_weighted_divides_gains(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  ltcp_rtt_sample(&f.e.eng, f.t, LTCP_MS(100));
  ltcp_rtt_sample_weighted(&f.e.eng, f.t, LTCP_MS(200), 4);
  assert_int_equal(f.t->rttvar, LTCP_US(53125)); /* 50 + (100 - 50) / 16 ms */
  assert_int_equal(f.t->srtt, LTCP_US(103125));  /* 100 + 100 / 32 ms */
  assert_int_equal(f.t->rto, LTCP_US(315625));
  rt_free(&f);
}

/* RFC 7323 Appendix G: one expected sample (or none) is RFC 6298 §2.3 itself, and a first
 * sample is §2.2 whatever the weight. */
static void test_rtt_sample_weighted_one_or_first_is_plain(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  ltcp_rtt_sample_weighted(&f.e.eng, f.t, LTCP_MS(100), 8);
  assert_int_equal(f.t->srtt, LTCP_MS(100));
  assert_int_equal(f.t->rttvar, LTCP_MS(50));
  ltcp_rtt_sample_weighted(&f.e.eng, f.t, LTCP_MS(200), 1);
  assert_int_equal(f.t->rttvar, LTCP_US(62500));
  assert_int_equal(f.t->srtt, LTCP_US(112500));
  ltcp_rtt_sample_weighted(&f.e.eng, f.t, LTCP_MS(200), 0);
  assert_int_equal(f.t->srtt, (7 * LTCP_US(112500) + LTCP_MS(200)) / 8);
  rt_free(&f);
}

/* RFC 7323 Appendix G: samples shorter than SRTT pull it down step by step, never below the
 * samples and never drifting away from them (the steps are signed, rounded toward zero). */
static void test_rtt_sample_weighted_converges_down_without_drift(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  ltcp_rtt_sample(&f.e.eng, f.t, LTCP_MS(100));
  ltcp_time_ns prev = f.t->srtt;
  for (int i = 0; i < 2000; i++) {
    ltcp_rtt_sample_weighted(&f.e.eng, f.t, LTCP_MS(50), 4);
    assert_true(f.t->srtt <= prev && f.t->srtt >= LTCP_MS(50));
    prev = f.t->srtt;
  }
  assert_true(f.t->srtt - LTCP_MS(50) < 32); /* a step of (R - SRTT) / 32 rounds to 0 below */
  assert_true(f.t->rttvar < LTCP_US(1));
  assert_int_equal(f.t->rto, LTCP_MS(200)); /* 50 ms + G, at the floor */
  rt_free(&f);
}

/* RFC 6298 §3 (Karn, RFC 9293 MUST-18): no sample may come from a segment sent again. The send
 * path enforces it: a retransmission ends the timing this module's samples come from. */
static void test_rtt_out_resend_stops_timing(void **state) {
  (void)state;
  rt_fixture f;
  rt_init(&f, &rt_cfg);
  ltcp_tcb *t = f.t;
  static const uint8_t data[2000];
  t->state = LTCP_ESTABLISHED;
  t->snd_mss = 1000;
  t->snd_una = t->snd_buf_seq = 1000;
  t->snd_nxt = 3000;
  t->busy->sndbuf.cap = sizeof data;
  assert_int_equal(ltcp_ring_append(&t->busy->sndbuf, NULL, LTCP_MEM_LIMIT, data, sizeof data), sizeof data);
  t->busy->rtt_start = LTCP_MS(500); /* timing the segment at 1000 */
  t->busy->rtt_seq = 2000;
  assert_int_equal(ltcp_out_resend(&f.e.eng, t, 1000, 1000), 1000);
  assert_int_equal(f.e.sent, 1);
  assert_int_equal(f.e.last.seq, 1000);
  assert_int_equal(f.e.last.len, 1000);
  assert_int_equal(t->busy->rtt_start, LTCP_TIME_NEVER);
  assert_int_equal(t->srtt, 0); /* and nothing was sampled */
  rt_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rtt_sample_first_sets_srtt_and_rttvar),
      cmocka_unit_test(test_rtt_sample_next_updates_rttvar_before_srtt),
      cmocka_unit_test(test_rtt_sample_steady_path_rto_is_srtt_plus_granularity),
      cmocka_unit_test(test_rtt_sample_rto_clamped_to_bounds),
      cmocka_unit_test(test_rtt_backed_off_doubles_per_timeout),
      cmocka_unit_test(test_rtt_backed_off_bounded_by_min_and_max),
      cmocka_unit_test(test_rtt_sample_weighted_divides_gains),
      cmocka_unit_test(test_rtt_sample_weighted_one_or_first_is_plain),
      cmocka_unit_test(test_rtt_sample_weighted_converges_down_without_drift),
      cmocka_unit_test(test_rtt_out_resend_stops_timing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
