/* Fast retransmit and recovery segment by segment (single-stack harness, NewReno, no SACK: the
 * harness's SYN offers none): the exact segments sent, then that nothing more is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "support/harness.h"

#define R_MSS 1460u
#define R_SEGS 12u

static uint8_t r_data[R_SEGS * R_MSS];

static void r_dupack(h_harness *h) { h_send(h, LTCP_ACK, h->irs + 1, h->iss + 1, NULL, 0); }

static uint32_t r_seq(const h_harness *h, uint32_t seg) { return h->iss + 1 + seg * R_MSS; }

/* RFC 6928: 10 segments at once. RFC 3042: the first two duplicate ACKs each send one new
 * segment. RFC 5681 §3.2: the third resends the first unacknowledged one, and cwnd =
 * ssthresh + 3 SMSS (ssthresh = 6 SMSS, half the 12 in flight) sends no more. RFC 6582: a
 * partial ACK resends the next hole at once; the full ACK ends recovery. No timeout fires. */
static void test_established_three_dupacks_fast_retransmit(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.congestion = LTCP_CC_NEWRENO;
  h_init(&h, &cfg);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, r_data, sizeof r_data, 0), (ssize_t)sizeof r_data);
  for (uint32_t i = 0; i < 10; i++) h_expect_len(&h, LTCP_ACK, r_seq(&h, i), h.irs + 1, R_MSS);
  h_expect_none(&h);
  r_dupack(&h);
  h_expect_len(&h, LTCP_ACK, r_seq(&h, 10), h.irs + 1, R_MSS);
  h_expect_none(&h);
  r_dupack(&h);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, r_seq(&h, 11), h.irs + 1, R_MSS);
  h_expect_none(&h);
  r_dupack(&h);
  h_expect_len(&h, LTCP_ACK, r_seq(&h, 0), h.irs + 1, R_MSS);
  h_expect_none(&h);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_true(info.in_recovery);
  assert_int_equal(info.congestion, LTCP_CC_NEWRENO);
  assert_int_equal(info.ssthresh, 6 * R_MSS);
  assert_int_equal(info.cwnd, 9 * R_MSS);
  r_dupack(&h); /* cwnd 10 SMSS, 12 in flight */
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, h.irs + 1, r_seq(&h, 5), NULL, 0); /* partial: the sixth lost too */
  h_expect_len(&h, LTCP_ACK, r_seq(&h, 5), h.irs + 1, R_MSS);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, h.irs + 1, r_seq(&h, R_SEGS), NULL, 0);
  h_expect_none(&h);
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_false(info.in_recovery);
  /* RFC 6582 step 5 option 1: min(ssthresh, max(FlightSize, SMSS) + SMSS), nothing in flight. */
  assert_int_equal(info.cwnd, 2 * R_MSS);
  const ltcp_stats *s = ltcp_stack_stats(h.st);
  assert_int_equal(s->fast_retransmits, 1);
  assert_int_equal(s->retransmits, 2);
  assert_int_equal(s->rto_expirations, 0);
  h_advance(&h, LTCP_SEC(10));
  h_expect_none(&h);
  h_free(&h);
}

/* RFC 5681 §2: an ACK that changes the window is no duplicate; nor are ACKs of a zero window
 * (answers to window probes). Three window updates resend nothing. */
static void test_established_window_updates_are_not_dupacks(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, r_data, 4 * R_MSS, 0), (ssize_t)(4 * R_MSS));
  for (uint32_t i = 0; i < 4; i++)
    h_expect_len(&h, i == 3 ? LTCP_PSH | LTCP_ACK : LTCP_ACK, r_seq(&h, i), h.irs + 1, R_MSS);
  for (uint32_t i = 0; i < 3; i++) {
    h.wnd = (uint16_t)(60000 + i);
    r_dupack(&h);
    h_expect_none(&h);
  }
  assert_int_equal(ltcp_stack_stats(h.st)->fast_retransmits, 0);
  h_free(&h);
}

/* LTCP_TCP_CONGESTION: CUBIC unless cfg.congestion says otherwise; an unknown id is EINVAL. */
static void test_sockopt_congestion_default_set_invalid(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  int fd = ltcp_socket(h.st), v = -1;
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_TCP_CONGESTION, &v), 0);
  assert_int_equal(v, LTCP_CC_CUBIC);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_TCP_CONGESTION, LTCP_CC_NEWRENO), 0);
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_TCP_CONGESTION, &v), 0);
  assert_int_equal(v, LTCP_CC_NEWRENO);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_TCP_CONGESTION, LTCP_CC_COUNT), -1);
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_TCP_CONGESTION, -1), -1);
  assert_int_equal(ltcp_close(h.st, fd), 0);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_established_three_dupacks_fast_retransmit, h_teardown),
      cmocka_unit_test_teardown(test_established_window_updates_are_not_dupacks, h_teardown),
      cmocka_unit_test_teardown(test_sockopt_congestion_default_set_invalid, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
