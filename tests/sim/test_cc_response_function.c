/* Issue 5 test 3: throughput under 1% random loss against each algorithm's response function.
 *
 * NewReno (RFC 5681 AIMD; Mathis et al. 1997, the "simple model" RFC 9438 §5 cites):
 *     rate ~= 1.22 * MSS / (RTT * sqrt(p))
 * CUBIC (RFC 9438 §5.1): the average window, in segments, is
 *     AVG_W_cubic = (C * (3 + beta) / (4 * (1 - beta)))^(1/4) * RTT^(3/4) / p^(3/4)
 * with C = 0.4, beta = 0.7 (RTT in seconds), but never below the Reno-friendly
 *     AVG_W_est = sqrt(alpha_cubic * (1 + beta) / (2 * (1 - beta) * p)) = 1.22 / sqrt(p),
 * and rate = AVG_W * MSS / RTT. Each is checked within 20% over a long run with 1% of the data
 * segments lost at random (seeded), on a path chosen so the window, not the link, limits:
 * 100 Mbit/s, no queue, for NewReno RTT 100 ms, for CUBIC RTT 1 s (at 1% loss CUBIC is in its
 * own region, above the Reno-friendly window, only beyond about 0.27 s). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "support/cc_bulk.h"

#define RS_LOSS 0.01

/* Bytes per second the receiver read in [from, to); the payload per segment into *mss. */
static double rs_measure(int congestion, ltcp_time_ns one_way, ltcp_time_ns from, ltcp_time_ns to,
                         uint64_t seed, uint32_t *mss) {
  cb_run r;
  cb_conf c = {.seed = seed, .congestion = congestion, .sack = 1};
  c.sndbuf = c.rcvbuf = 4u << 20;
  c.fwd = c.back = (ltcp_sim_path){.latency_ns = one_way, .bandwidth_bps = 100000000ull};
  c.fwd.loss = RS_LOSS;
  cb_start(&r, &c);
  cb_run_until(&r, from);
  uint64_t before = r.read;
  cb_run_until(&r, to);
  int v = 0;
  assert_int_equal(ltcp_getsockopt(r.st[0], r.cfd, LTCP_TCP_MAXSEG, &v), 0);
  *mss = (uint32_t)v;
  assert_false(r.corrupt);
  const ltcp_stats *s = cb_client_stats(&r);
  printf("  seed %llu: fast retransmits %llu, timeouts %llu, retransmits %llu of %llu segments\n",
         (unsigned long long)seed, (unsigned long long)s->fast_retransmits,
         (unsigned long long)s->rto_expirations, (unsigned long long)s->retransmits,
         (unsigned long long)s->segs_out);
  double rate = (double)(r.read - before) / ((double)(to - from) / 1e9);
  cb_free(&r);
  return rate;
}

static void rs_check(const char *name, int congestion, ltcp_time_ns one_way, double avg_w,
                     ltcp_time_ns duration) {
  double rtt = 2.0 * (double)one_way / 1e9, sum = 0;
  uint32_t mss = 0;
  const int runs = 4;
  for (int i = 0; i < runs; i++)
    sum += rs_measure(congestion, one_way, LTCP_SEC(10), LTCP_SEC(10) + duration, (uint64_t)i + 1,
                      &mss);
  double rate = sum / runs, model = avg_w * mss / rtt;
  printf("%s: RTT %.0f ms, p %.2f: %.1f KB/s measured, %.1f KB/s from the response function "
         "(%.1f segments per RTT): %+.1f%%\n", name, rtt * 1e3, RS_LOSS, rate / 1e3, model / 1e3,
         avg_w, 100.0 * (rate - model) / model);
  assert_true(rate >= 0.8 * model && rate <= 1.2 * model);
}

static void test_cc_newreno_response_function(void **state) {
  (void)state;
  rs_check("newreno", LTCP_CC_NEWRENO, LTCP_MS(50), 1.22 / sqrt(RS_LOSS), LTCP_SEC(600));
}

static void test_cc_cubic_response_function(void **state) {
  (void)state;
  double c = 0.4, beta = 0.7, rtt = 1.0;
  double w_cubic = pow(c * (3 + beta) / (4 * (1 - beta)), 0.25) * pow(rtt, 0.75) / pow(RS_LOSS, 0.75);
  double w_est = sqrt(3 * (1 - beta) / (1 + beta) * (1 + beta) / (2 * (1 - beta) * RS_LOSS));
  rs_check("cubic", LTCP_CC_CUBIC, LTCP_MS(500), w_cubic > w_est ? w_cubic : w_est, LTCP_SEC(3000));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cc_newreno_response_function),
      cmocka_unit_test(test_cc_cubic_response_function),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
