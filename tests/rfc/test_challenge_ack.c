/* RFC 5961 §7 ACK throttling: challenge ACKs (for an in-window RST or a SYN in a synchronized
 * state, §3 and §4) and the ACKs of unacceptable ACKs (§5) are limited per connection, 10 in each
 * 5 s by default (cfg.challenge_ack_limit, challenge_ack_interval_ns), each one above the limit
 * a counted drop; ordinary ACKs are never throttled, and one connection's flood leaves another's
 * challenge ACKs alone (CVE-2016-5696: no global counter). One stack through the harness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"

static uint8_t payload[100];

/* ESTABLISHED (active open) with the default limit; the clock at a whole interval. */
static void chack_setup(h_harness *h) {
  h_init(h, NULL);
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
  h_advance(h, LTCP_SEC(5) - ltcp_stack_now(h->st) % LTCP_SEC(5));
}

static uint64_t limited(h_harness *h) {
  return ltcp_stack_stats(h->st)->drops[LTCP_DROP_TCP_CHALLENGE_LIMITED];
}

/* §7: 10 challenge ACKs for 20 in-window RSTs; the rest counted; the next interval allows 10
 * more. */
static void test_rst_flood_gets_ten_challenges_per_interval(void **state) {
  (void)state;
  h_harness h;
  chack_setup(&h);
  uint32_t iss = h.iss, irs = h.irs;
  for (int i = 0; i < 20; i++) {
    h_send(&h, LTCP_RST, irs + 101 + (uint32_t)i, 0, NULL, 0);
    if (i < 10) h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
    else h_expect_none(&h);
  }
  assert_int_equal(limited(&h), 10);
  assert_int_equal(ltcp_stack_stats(h.st)->challenge_acks, 10);
  h_advance(&h, LTCP_SEC(5));
  h_send(&h, LTCP_RST, irs + 500, 0, NULL, 0);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
  h_free(&h);
}

/* Ordinary ACKs are never throttled: data after the limit is reached is acknowledged, and the
 * connection carries on. SYNs share the RSTs' count. */
static void test_data_acked_after_limit(void **state) {
  (void)state;
  h_harness h;
  chack_setup(&h);
  uint32_t iss = h.iss, irs = h.irs;
  for (int i = 0; i < 10; i++) {
    h_send(&h, LTCP_SYN, irs + 1, 0, NULL, 0);
    h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
  }
  h_send(&h, LTCP_RST, irs + 200, 0, NULL, 0);
  h_expect_none(&h);
  for (uint32_t i = 0; i < 12; i++) {
    h_send(&h, LTCP_ACK, irs + 1 + 100 * i, iss + 1, payload, 100);
    h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1 + 100 * (i + 1), 0);
  }
  assert_int_equal(limited(&h), 1);
  h_free(&h);
}

/* An ACK of data never sent is answered (RFC 5961 §5.2) within the same limit. */
static void test_unacceptable_acks_throttled(void **state) {
  (void)state;
  h_harness h;
  chack_setup(&h);
  uint32_t iss = h.iss, irs = h.irs;
  for (int i = 0; i < 12; i++) {
    h_send(&h, LTCP_ACK, irs + 1, iss + 5000, NULL, 0);
    if (i < 10) h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
    else h_expect_none(&h);
  }
  assert_int_equal(limited(&h), 2);
  h_free(&h);
}

/* An ACK loop (found by the swarm, tests/swarm): a blind SYN turned a SYN-SENT into a
 * simultaneous open, the two ends' sequence numbers disagreed, and each answered the other's
 * out-of-window ACKs with ACKs for ever, every further SYN adding a loop. The ACK answering an
 * out-of-window segment without text (a pure ACK, a SYN) now counts against the same limit, as
 * Linux's tcp_oow_rate_limited; out-of-window text is always answered. */
static void test_out_of_window_pure_acks_throttled(void **state) {
  (void)state;
  h_harness h;
  chack_setup(&h);
  uint32_t iss = h.iss, irs = h.irs;
  for (int i = 0; i < 12; i++) {
    h_send(&h, LTCP_ACK, irs + 1 + 0x40000000u, iss + 1, NULL, 0);
    if (i < 10) h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
    else h_expect_none(&h);
  }
  assert_int_equal(limited(&h), 2);
  assert_int_equal(ltcp_stack_stats(h.st)->challenge_acks, 0); /* not challenge ACKs */
  for (int i = 0; i < 3; i++) {
    h_send(&h, LTCP_ACK, irs + 1 + 0x40000000u, iss + 1, payload, 100);
    h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
  }
  h_advance(&h, LTCP_SEC(5));
  h_send(&h, LTCP_ACK, irs + 1 + 0x40000000u, iss + 1, NULL, 0);
  h_expect_len(&h, LTCP_ACK, iss + 1, irs + 1, 0);
  h_free(&h);
}

/* A limit of 0 turns throttling off (every challenge answered); above 15 is not a valid
 * configuration (the count has 4 bits). */
static void test_config_limit(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.challenge_ack_limit = 0;
  h_init(&h, &cfg);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  for (int i = 0; i < 30; i++) {
    h_send(&h, LTCP_RST, h.irs + 101 + (uint32_t)i, 0, NULL, 0);
    h_expect_len(&h, LTCP_ACK, h.iss + 1, h.irs + 1, 0);
  }
  h_free(&h);
  ltcp_stack_config_default(&cfg);
  cfg.challenge_ack_limit = 16;
  assert_null(ltcp_stack_new(&cfg));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_rst_flood_gets_ten_challenges_per_interval, h_teardown),
      cmocka_unit_test_teardown(test_data_acked_after_limit, h_teardown),
      cmocka_unit_test_teardown(test_unacceptable_acks_throttled, h_teardown),
      cmocka_unit_test_teardown(test_out_of_window_pure_acks_throttled, h_teardown),
      cmocka_unit_test_teardown(test_config_limit, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
