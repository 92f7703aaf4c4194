/* Keep-alive (RFC 9293 §3.8.4 MUST-24..29, SHLD-12; RFC 1122 §4.2.3.6): off by default; when
 * on, a probe <SEQ=SND.NXT-1> with no data after TCP_KEEPIDLE seconds of silence, again every
 * TCP_KEEPINTVL, and ETIMEDOUT after TCP_KEEPCNT unanswered ones. One stack, the harness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"

/* ESTABLISHED (active open), keep-alive on: 10 s idle, 2 s apart, 3 probes. */
static void ka_setup(h_harness *h) {
  h_init(h, NULL);
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_setsockopt(h->st, h->fd, LTCP_TCP_KEEPIDLE, 10), 0);
  assert_int_equal(ltcp_setsockopt(h->st, h->fd, LTCP_TCP_KEEPINTVL, 2), 0);
  assert_int_equal(ltcp_setsockopt(h->st, h->fd, LTCP_TCP_KEEPCNT, 3), 0);
  assert_int_equal(ltcp_setsockopt(h->st, h->fd, LTCP_SO_KEEPALIVE, 1), 0);
}

/* MUST-24 (per connection), MUST-25 (off by default), MUST-27 (configurable), MUST-28 (at least
 * two hours by default): Linux's values and ranges. */
static void test_sockopt_defaults_and_ranges(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  int fd = ltcp_socket(h.st), v = -1;
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_SO_KEEPALIVE, &v), 0);
  assert_int_equal(v, 0);
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_TCP_KEEPIDLE, &v), 0);
  assert_int_equal(v, 7200); /* RFC 1122: no less than two hours */
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_TCP_KEEPINTVL, &v), 0);
  assert_int_equal(v, 75);
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_TCP_KEEPCNT, &v), 0);
  assert_int_equal(v, 9);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_TCP_KEEPIDLE, 0), -1);
  assert_int_equal(errno, EINVAL);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_TCP_KEEPCNT, 128), -1);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_TCP_KEEPINTVL, 32767), 0);
  assert_int_equal(ltcp_close(h.st, fd), 0);
  h_free(&h);
}

/* MUST-25: an idle connection sends nothing, for hours, unless keep-alive is on. */
static void test_established_idle_sends_nothing_by_default(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  h_advance(&h, LTCP_SEC(3 * 3600));
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_free(&h);
}

/* SHLD-12: <SEQ=SND.NXT-1><ACK=RCV.NXT>, no data; then after KEEPCNT unanswered ones the
 * connection ends with ETIMEDOUT, KEEPIDLE + KEEPCNT * KEEPINTVL after the last segment heard. */
static void test_established_unanswered_probes_time_out(void **state) {
  (void)state;
  h_harness h;
  ka_setup(&h);
  uint32_t iss = h.iss, irs = h.irs;
  ltcp_time_ns t0 = h.now;
  h_advance(&h, LTCP_SEC(10) - 1);
  h_expect_none(&h);
  for (int i = 0; i < 3; i++) {
    h_advance_to(&h, t0 + LTCP_SEC(10) + (ltcp_time_ns)i * LTCP_SEC(2));
    h_expect_len(&h, LTCP_ACK, iss, irs + 1, 0);
    h_expect_none(&h);
  }
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_advance_to(&h, t0 + LTCP_SEC(16) - 1);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_advance_to(&h, t0 + LTCP_SEC(16));
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.error, ETIMEDOUT);
  assert_int_equal(h.last.timer, LTCP_TIMER_KEEPALIVE);
  assert_string_equal(ltcp_timer_name(LTCP_TIMER_KEEPALIVE), "keep-alive");
  assert_int_equal(ltcp_socket_error(h.st, h.fd), ETIMEDOUT);
  h_free(&h);
}

/* MUST-29: an unanswered probe alone does not end the connection, and an answer resets the
 * count; MUST-26: probing starts again only after a new idle time. */
static void test_established_answered_probe_keeps_connection(void **state) {
  (void)state;
  h_harness h;
  ka_setup(&h);
  uint32_t iss = h.iss, irs = h.irs;
  for (int round = 0; round < 5; round++) {
    ltcp_time_ns t0 = h.now;
    h_advance_to(&h, t0 + LTCP_SEC(10));
    h_expect_len(&h, LTCP_ACK, iss, irs + 1, 0);
    h_advance_to(&h, t0 + LTCP_SEC(12));
    h_expect_len(&h, LTCP_ACK, iss, irs + 1, 0);
    h_send(&h, LTCP_ACK, irs + 1, iss + 1, NULL, 0); /* the peer answers the second probe */
    h_expect_none(&h);
  }
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  /* Traffic postpones the first probe: data 5 s before the idle time restarts it. */
  ltcp_time_ns t1 = h.now;
  h_advance_to(&h, t1 + LTCP_SEC(5));
  h_send(&h, LTCP_ACK, irs + 1, iss + 1, "x", 1);
  h_next(&h); /* its ACK */
  h_advance_to(&h, t1 + LTCP_SEC(15) - 1);
  h_expect_none(&h);
  h_advance_to(&h, t1 + LTCP_SEC(15));
  h_expect_len(&h, LTCP_ACK, iss, irs + 2, 0);
  h_free(&h);
}

/* Data in flight is the retransmission timer's business: no probe while it is unacknowledged
 * (as Linux's tcp_keepalive_timer). */
static void test_established_no_probe_with_data_in_flight(void **state) {
  (void)state;
  h_harness h;
  ka_setup(&h);
  uint32_t iss = h.iss, irs = h.irs;
  assert_int_equal(ltcp_send(h.st, h.fd, "abc", 3, 0), 3);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, irs + 1, 3);
  for (int i = 0; i < 40 && h_state(&h) == LTCP_ESTABLISHED; i++) {
    h_advance(&h, LTCP_SEC(1));
    while (h_next(&h)) assert_int_equal(h.out.seg.seq, iss + 1); /* retransmissions only */
  }
  h_free(&h);
}

/* A listener's children inherit SO_KEEPALIVE and its values (as Linux). */
static void test_listen_child_inherits_keepalive(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_listen(&h);
  assert_int_equal(ltcp_setsockopt(h.st, h.lfd, LTCP_SO_KEEPALIVE, 1), 0);
  assert_int_equal(ltcp_setsockopt(h.st, h.lfd, LTCP_TCP_KEEPIDLE, 30), 0);
  h_seg syn = {.flags = LTCP_SYN, .seq = h.irs, .wnd = h.wnd, .mss = h.mss};
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  h.iss = h.out.seg.seq;
  h_advance(&h, H_RTT);
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0);
  h_expect_none(&h);
  int fd = ltcp_accept(h.st, h.lfd, NULL);
  assert_true(fd >= 0);
  int v = 0;
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_SO_KEEPALIVE, &v), 0);
  assert_int_equal(v, 1);
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_TCP_KEEPIDLE, &v), 0);
  assert_int_equal(v, 30);
  ltcp_time_ns t0 = h.now;
  h_advance_to(&h, t0 + LTCP_SEC(30));
  h_expect_len(&h, LTCP_ACK, h.iss, h.irs + 1, 0);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_sockopt_defaults_and_ranges, h_teardown),
      cmocka_unit_test_teardown(test_established_idle_sends_nothing_by_default, h_teardown),
      cmocka_unit_test_teardown(test_established_unanswered_probes_time_out, h_teardown),
      cmocka_unit_test_teardown(test_established_answered_probe_keeps_connection, h_teardown),
      cmocka_unit_test_teardown(test_established_no_probe_with_data_in_flight, h_teardown),
      cmocka_unit_test_teardown(test_listen_child_inherits_keepalive, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
