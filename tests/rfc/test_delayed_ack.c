/* Delayed ACKs (RFC 1122 4.2.3.2, RFC 9293 §3.8.6.3 SHLD-18/19 and MUST-40, RFC 5681 §4.2):
 * in-order data waits at most cfg.delayed_ack_ns for its ACK, every second full-sized segment
 * is acknowledged at once, and so are out-of-order data, a segment that fills a hole and a FIN.
 * One stack through the harness: exact segments, then nothing more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"

#define DACK LTCP_MS(40)

static uint8_t payload[4 * H_MSS];

/* ESTABLISHED (active open) with delayed ACKs on. */
static void dack_setup(h_harness *h, ltcp_time_ns delay) {
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.delayed_ack_ns = delay;
  h_init(h, &cfg);
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
}

/* SHLD-18: one segment alone waits, and the ACK comes when the delay ends, not before. */
static void test_established_one_segment_ack_delayed(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK | LTCP_PSH, irs + 1, iss + 1, payload, 100);
  h_expect_none(&h);
  h_advance(&h, DACK - 1);
  h_expect_none(&h);
  h_advance(&h, 1);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 101, 0);
  h_advance(&h, LTCP_SEC(1));
  h_expect_none(&h);
  h_free(&h);
}

/* SHLD-19 counts full-sized segments: two small ones still wait for the delay. */
static void test_established_small_segments_wait(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, 10);
  h_send(&h, LTCP_ACK, irs + 11, iss + 1, payload, 10);
  h_expect_none(&h);
  h_advance(&h, DACK);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 21, 0);
  h_free(&h);
}

/* cfg.delayed_ack_segments (FreeBSD's rule): every second segment with text is acknowledged at
 * once, whatever its size; the count starts again after each ACK sent. */
static void test_config_ack_every_second_segment(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.delayed_ack_ns = DACK;
  cfg.delayed_ack_segments = 1;
  h_init(&h, &cfg);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, 10);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, irs + 11, iss + 1, payload, 10);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 21, 0);
  h_send(&h, LTCP_ACK, irs + 21, iss + 1, payload, 10);
  h_expect_none(&h);
  h_advance(&h, DACK);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 31, 0);
  h_free(&h);
}

/* SHLD-19 / RFC 5681 §4.2: an ACK at least for every second full-sized segment. */
static void test_established_second_full_segment_acked_at_once(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, H_MSS);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, irs + 1 + H_MSS, iss + 1, payload, H_MSS);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1 + 2 * H_MSS, 0);
  h_send(&h, LTCP_ACK, irs + 1 + 2 * H_MSS, iss + 1, payload, H_MSS);
  h_expect_none(&h); /* counting starts again from the ACK just sent */
  h_advance(&h, DACK);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1 + 3 * H_MSS, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* MUST-40: the delay is bounded from the first unacknowledged byte; more small segments do not
 * push it back. */
static void test_established_delay_bounded_from_first_segment(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, 10);
  h_advance(&h, LTCP_MS(30));
  h_send(&h, LTCP_ACK, irs + 11, iss + 1, payload, 10);
  h_expect_none(&h);
  h_advance(&h, LTCP_MS(10));
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 21, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* RFC 5681 §4.2 / RFC 1122 4.2.2.21: out-of-order data gets an immediate (duplicate) ACK, and
 * the segment that fills the hole is acknowledged at once too. */
static void test_established_out_of_order_and_hole_fill_acked_at_once(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1 + H_MSS, iss + 1, payload, 100);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, H_MSS);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1 + H_MSS + 100, 0);
  h_expect_none(&h);
  h_advance(&h, LTCP_SEC(1));
  h_expect_none(&h);
  h_free(&h);
}

/* A FIN is acknowledged at once, with the data it follows. */
static void test_established_fin_acked_at_once(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, 100);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK | LTCP_FIN, irs + 101, iss + 1, NULL, 0);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 102, 0);
  assert_int_equal(h_state(&h), LTCP_CLOSE_WAIT);
  h_advance(&h, LTCP_SEC(1));
  h_expect_none(&h);
  h_free(&h);
}

/* Old (duplicate) data is acknowledged at once: the peer's ACK was lost. */
static void test_established_duplicate_data_acked_at_once(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, 100);
  h_advance(&h, DACK);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 101, 0);
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, 100);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 101, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* The delayed ACK rides on the answer the application sends; the timer then has nothing to do. */
static void test_established_ack_piggybacked_on_reply(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, DACK);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK | LTCP_PSH, irs + 1, iss + 1, payload, 100);
  h_expect_none(&h);
  h_advance(&h, LTCP_MS(5));
  uint8_t buf[100];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 100);
  assert_int_equal(ltcp_send(h.st, h.fd, "reply", 5, 0), 5);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, irs + 101, 5);
  h_expect_none(&h);
  h_advance(&h, DACK);
  h_expect_none(&h);
  h_free(&h);
}

/* delayed_ack_ns = 0 acknowledges every data segment at once (what the RFC matrix pins down). */
static void test_config_zero_acks_every_segment(void **state) {
  (void)state;
  h_harness h;
  dack_setup(&h, 0);
  uint32_t iss = h.iss, irs = h.irs;
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, payload, 10);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 11, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* RFC 1122 4.2.3.2: "the delay MUST be less than 0.5 seconds"; the default is Linux's 40 ms. */
static void test_config_delay_below_half_second(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  assert_int_equal(cfg.delayed_ack_ns, LTCP_MS(40));
  cfg.delayed_ack_ns = LTCP_MS(500);
  assert_null(ltcp_stack_new(&cfg));
  cfg.delayed_ack_ns = LTCP_MS(499);
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  ltcp_stack_free(st);
}

int main(void) {
  for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 7 + 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_established_one_segment_ack_delayed, h_teardown),
      cmocka_unit_test_teardown(test_established_second_full_segment_acked_at_once, h_teardown),
      cmocka_unit_test_teardown(test_established_delay_bounded_from_first_segment, h_teardown),
      cmocka_unit_test_teardown(test_established_out_of_order_and_hole_fill_acked_at_once,
                                h_teardown),
      cmocka_unit_test_teardown(test_established_fin_acked_at_once, h_teardown),
      cmocka_unit_test_teardown(test_established_duplicate_data_acked_at_once, h_teardown),
      cmocka_unit_test_teardown(test_established_ack_piggybacked_on_reply, h_teardown),
      cmocka_unit_test_teardown(test_config_zero_acks_every_segment, h_teardown),
      cmocka_unit_test_teardown(test_established_small_segments_wait, h_teardown),
      cmocka_unit_test_teardown(test_config_ack_every_second_segment, h_teardown),
      cmocka_unit_test(test_config_delay_below_half_second),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
