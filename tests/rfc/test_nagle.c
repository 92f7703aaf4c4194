/* Nagle's algorithm (RFC 1122 4.2.3.4, RFC 9293 §3.7.4 SHLD-7) and TCP_NODELAY (MUST-17: an
 * application can turn it off): a small segment waits while data is unacknowledged. One stack
 * through the harness: exact segments, then nothing more. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"

static uint8_t payload[4 * H_MSS];

/* ESTABLISHED (active open) with Nagle on (cfg.nodelay 0) unless nodelay. */
static void nagle_setup(h_harness *h, int nodelay) {
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.nodelay = (uint8_t)nodelay;
  h_init(h, &cfg);
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
}

static void nagle_send(h_harness *h, uint32_t len) {
  assert_int_equal(ltcp_send(h->st, h->fd, payload, len, 0), (ssize_t)len);
}

/* The first small write goes; the next ones wait for its ACK and then leave as one segment. */
static void test_established_small_writes_coalesce(void **state) {
  (void)state;
  h_harness h;
  nagle_setup(&h, 0);
  uint32_t iss = h.iss, irs = h.irs;
  int v = -1;
  assert_int_equal(ltcp_getsockopt(h.st, h.fd, LTCP_TCP_NODELAY, &v), 0);
  assert_int_equal(v, 0); /* Nagle on by default, as Linux */
  nagle_send(&h, 10);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, irs + 1, 10);
  nagle_send(&h, 10);
  nagle_send(&h, 10);
  nagle_send(&h, 10);
  h_expect_none(&h);
  h_advance(&h, LTCP_MS(50));
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, irs + 1, iss + 11, NULL, 0);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 11, irs + 1, 30);
  h_expect_none(&h);
  h_free(&h);
}

/* A full-sized segment is never held; only the small tail is. */
static void test_established_full_segment_not_held(void **state) {
  (void)state;
  h_harness h;
  nagle_setup(&h, 0);
  uint32_t iss = h.iss, irs = h.irs;
  nagle_send(&h, 10);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, irs + 1, 10);
  nagle_send(&h, H_MSS + 100);
  h_expect_len(&h, LTCP_ACK, iss + 11, irs + 1, H_MSS);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, irs + 1, iss + 11 + H_MSS, NULL, 0);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 11 + H_MSS, irs + 1, 100);
  h_expect_none(&h);
  h_free(&h);
}

/* The last bytes before a FIN go with it at once (as Linux: the FIN is not held). */
static void test_established_close_sends_held_bytes_with_fin(void **state) {
  (void)state;
  h_harness h;
  nagle_setup(&h, 0);
  uint32_t iss = h.iss, irs = h.irs;
  nagle_send(&h, 10);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, irs + 1, 10);
  nagle_send(&h, 10);
  h_expect_none(&h);
  assert_int_equal(ltcp_shutdown(h.st, h.fd, LTCP_SHUT_WR), 0);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH | LTCP_FIN, iss + 11, irs + 1, 10);
  h_expect_none(&h);
  h_free(&h);
}

/* MUST-17: with TCP_NODELAY every write leaves at once. */
static void test_established_nodelay_sends_each_write(void **state) {
  (void)state;
  h_harness h;
  nagle_setup(&h, 0);
  uint32_t iss = h.iss, irs = h.irs;
  assert_int_equal(ltcp_setsockopt(h.st, h.fd, LTCP_TCP_NODELAY, 1), 0);
  int v = 0;
  assert_int_equal(ltcp_getsockopt(h.st, h.fd, LTCP_TCP_NODELAY, &v), 0);
  assert_int_equal(v, 1);
  for (uint32_t i = 0; i < 3; i++) {
    nagle_send(&h, 10);
    h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1 + 10 * i, irs + 1, 10);
  }
  h_expect_none(&h);
  h_free(&h);
}

/* Turning TCP_NODELAY on sends what Nagle holds (as Linux's tcp_push_pending_frames). */
static void test_established_nodelay_on_flushes_held_data(void **state) {
  (void)state;
  h_harness h;
  nagle_setup(&h, 0);
  uint32_t iss = h.iss, irs = h.irs;
  nagle_send(&h, 10);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, irs + 1, 10);
  nagle_send(&h, 20);
  h_expect_none(&h);
  assert_int_equal(ltcp_setsockopt(h.st, h.fd, LTCP_TCP_NODELAY, 1), 0);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 11, irs + 1, 20);
  h_expect_none(&h);
  h_free(&h);
}

/* A retransmission is never held by Nagle: the timeout resends the first small segment. */
static void test_established_retransmission_not_held(void **state) {
  (void)state;
  h_harness h;
  nagle_setup(&h, 0);
  uint32_t iss = h.iss, irs = h.irs;
  nagle_send(&h, 10);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, irs + 1, 10);
  nagle_send(&h, 10);
  h_expect_none(&h);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  h_advance(&h, info.rto_ns);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.seq, iss + 1);
  assert_true(h.out.seg.len >= 10);
  h_free(&h);
}

int main(void) {
  for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 13 + 5);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_established_small_writes_coalesce, h_teardown),
      cmocka_unit_test_teardown(test_established_full_segment_not_held, h_teardown),
      cmocka_unit_test_teardown(test_established_close_sends_held_bytes_with_fin, h_teardown),
      cmocka_unit_test_teardown(test_established_nodelay_sends_each_write, h_teardown),
      cmocka_unit_test_teardown(test_established_nodelay_on_flushes_held_data, h_teardown),
      cmocka_unit_test_teardown(test_established_retransmission_not_held, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
