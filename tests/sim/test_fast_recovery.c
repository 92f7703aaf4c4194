/* Issue 5 tests 1 and 2: loss repaired by duplicate ACKs, not by the retransmission timer.
 * RFC 5681 §3.2 (fast retransmit / fast recovery), RFC 6582 (NewReno: one hole per round trip
 * without SACK), RFC 6675 (with SACK every hole of the window is resent in the first round
 * trip). Two stacks over the simulated network, virtual time: 100 Mbit/s, 10 ms each way, a
 * 128 KiB send buffer (below the 250 KB bandwidth-delay product, so no queue builds and the
 * round trip stays 20 ms). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "support/cc_bulk.h"

#define FR_RTT LTCP_MS(20)
#define FR_TOTAL (2u << 20)

static cb_conf fr_conf(int congestion, int sack) {
  cb_conf c = {.seed = 1, .congestion = congestion, .sack = sack};
  c.sndbuf = 128u << 10;
  c.rcvbuf = 1u << 20;
  c.total = FR_TOTAL;
  c.fwd = c.back = (ltcp_sim_path){.latency_ns = LTCP_MS(10), .bandwidth_bps = 100000000ull};
  return c;
}

/* Runs the transfer to its end; every byte arrives intact, and no timeout fired. */
static void fr_finish(cb_run *r) {
  cb_run_until(r, LTCP_SEC(60));
  assert_int_equal(r->read, FR_TOTAL);
  assert_false(r->corrupt);
  for (uint32_t i = 0; i < r->c.ndrop; i++) {
    assert_true(r->dropped[i]);
    assert_true(r->rtx_at[i] > 0);
  }
  assert_int_equal(cb_client_stats(r)->rto_expirations, 0);
}

/* Test 1: one segment lost in the middle of a 2 MiB transfer: three duplicate ACKs resend it,
 * once, and the retransmission timer never expires. */
static void fr_single_loss(int congestion, int sack) {
  cb_run r;
  cb_conf c = fr_conf(congestion, sack);
  c.drop_off[c.ndrop++] = 1u << 20;
  cb_start(&r, &c);
  fr_finish(&r);
  const ltcp_stats *s = cb_client_stats(&r);
  printf("cc %d sack %d: lost at %.3f s, resent %.1f ms later; fast retransmits %llu, "
         "retransmits %llu, timeouts %llu\n", congestion, sack, r.drop_at[0] / 1e9,
         (r.rtx_at[0] - r.drop_at[0]) / 1e6, (unsigned long long)s->fast_retransmits,
         (unsigned long long)s->retransmits, (unsigned long long)s->rto_expirations);
  assert_int_equal(s->fast_retransmits, 1);
  assert_int_equal(s->retransmits, 1);
  /* Resent about one round trip after the loss (the dupacks' trip), not after an RTO. */
  assert_true(r.rtx_at[0] - r.drop_at[0] < 2 * FR_RTT);
  cb_free(&r);
}

static void test_cc_single_loss_cubic_sack(void **state) {
  (void)state;
  fr_single_loss(LTCP_CC_CUBIC, 1);
}

static void test_cc_single_loss_newreno_sack(void **state) {
  (void)state;
  fr_single_loss(LTCP_CC_NEWRENO, 1);
}

static void test_cc_single_loss_cubic_no_sack(void **state) {
  (void)state;
  fr_single_loss(LTCP_CC_CUBIC, 0);
}

static void test_cc_single_loss_newreno_no_sack(void **state) {
  (void)state;
  fr_single_loss(LTCP_CC_NEWRENO, 0);
}

/* Test 2: three segments of one window lost (segments k, k+3 and k+6). Returns the time from
 * the first retransmission to the last, in round trips. */
static double fr_three_losses(int congestion, int sack) {
  cb_run r;
  cb_conf c = fr_conf(congestion, sack);
  for (uint32_t i = 0; i < 3; i++) c.drop_off[c.ndrop++] = (1u << 20) + i * 3u * 1448u;
  cb_start(&r, &c);
  fr_finish(&r);
  const ltcp_stats *s = cb_client_stats(&r);
  double span = (double)(r.rtx_at[2] - r.rtx_at[0]) / (double)FR_RTT;
  printf("cc %d sack %d: three losses resent at +%.1f, +%.1f, +%.1f ms (%.2f RTT apart); "
         "fast retransmits %llu, retransmits %llu\n", congestion, sack,
         (r.rtx_at[0] - r.drop_at[0]) / 1e6, (r.rtx_at[1] - r.drop_at[0]) / 1e6,
         (r.rtx_at[2] - r.drop_at[0]) / 1e6, span, (unsigned long long)s->fast_retransmits,
         (unsigned long long)s->retransmits);
  /* One congestion event for the three losses (RFC 6582 step 2, RFC 6675 §5), and each lost
   * segment sent again exactly once. */
  assert_int_equal(s->fast_retransmits, 1);
  assert_int_equal(s->retransmits, 3);
  cb_free(&r);
  return span;
}

static void test_sack_three_losses_repaired_in_one_rtt(void **state) {
  (void)state;
  /* RFC 6675: the SACK blocks show all three holes; all are resent within the first RTT. */
  assert_true(fr_three_losses(LTCP_CC_CUBIC, 1) < 1.0);
  assert_true(fr_three_losses(LTCP_CC_NEWRENO, 1) < 1.0);
}

static void test_cc_three_losses_without_sack_newreno_one_per_rtt(void **state) {
  (void)state;
  /* RFC 6582: each partial ACK reveals the next hole, one round trip apart: the third is
   * resent about two round trips after the first. */
  double span = fr_three_losses(LTCP_CC_NEWRENO, 0);
  assert_true(span >= 1.8 && span < 3.0);
  span = fr_three_losses(LTCP_CC_CUBIC, 0);
  assert_true(span >= 1.8 && span < 3.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cc_single_loss_cubic_sack),
      cmocka_unit_test(test_cc_single_loss_newreno_sack),
      cmocka_unit_test(test_cc_single_loss_cubic_no_sack),
      cmocka_unit_test(test_cc_single_loss_newreno_no_sack),
      cmocka_unit_test(test_sack_three_losses_repaired_in_one_rtt),
      cmocka_unit_test(test_cc_three_losses_without_sack_newreno_one_per_rtt),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
