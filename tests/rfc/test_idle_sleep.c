/* Idle connections give back their busy part (src/tcp/tcb.h, ltcp_tcb_busy; src/tcp/busy.h): an asleep
 * ESTABLISHED connection costs its 248-byte TCB only, and behaves exactly as an awake one:
 * data, ACKs, keep-alive, close and reset all work from sleep (RFC 9293 §3.10). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support/harness.h"
#include "tcp/busy.h"

static const ltcp_stats *is_stats(const h_harness *h) { return ltcp_stack_stats(h->st); }

static void is_established_asleep(h_harness *h) {
  h_init(h, NULL);
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(is_stats(h)->busy_sleeps, 1);
  assert_int_equal(is_stats(h)->busy_wakes, 0);
}

/* Three bytes out at SND.NXT and acknowledged. */
static void is_send_acked(h_harness *h) {
  assert_int_equal(ltcp_send(h->st, h->fd, "abc", 3, 0), 3);
  h_expect_len(h, LTCP_ACK | LTCP_PSH, h->iss + 1, h->irs + 1, 3);
  h_send(h, LTCP_ACK, h->irs + 1, h->iss + 4, NULL, 0);
}

/* With malloc's 8-byte header, 256 bytes on the heap (the bench's figure). */
static void test_tcb_fits_in_248_bytes(void **state) {
  (void)state;
  assert_true(sizeof(ltcp_tcb) <= 248);
}

/* The handshake done, nothing held: the connection sleeps at the end of that call, and its
 * status reads as an awake one's would. */
static void test_established_without_data_sleeps_at_once(void **state) {
  (void)state;
  h_harness h;
  is_established_asleep(&h);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_int_equal(info.state, LTCP_ESTABLISHED);
  assert_int_equal(info.snd_nxt, h.iss + 1);
  assert_int_equal(info.rcv_nxt, h.irs + 1);
  assert_int_equal(info.readable, 0);
  assert_int_equal(info.unacked, 0);
  ltcp_pollfd p = {.fd = h.fd, .events = LTCP_POLLIN | LTCP_POLLOUT};
  assert_int_equal(ltcp_poll(h.st, &p, 1), 1);
  assert_int_equal(p.revents, LTCP_POLLOUT);
  assert_int_equal(is_stats(&h)->busy_wakes, 0); /* reading status does not wake it */
  h_free(&h);
}

/* Data to an asleep connection wakes it: taken, acknowledged, readable. */
static void test_asleep_connection_takes_data(void **state) {
  (void)state;
  h_harness h;
  is_established_asleep(&h);
  h_send(&h, LTCP_ACK | LTCP_PSH, h.irs + 1, h.iss + 1, "hello", 5);
  assert_int_equal(is_stats(&h)->busy_wakes, 1);
  h_advance(&h, h.cfg.delayed_ack_ns);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 6);
  char buf[8];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 5);
  assert_memory_equal(buf, "hello", 5);
  h_free(&h);
}

/* A write to an asleep connection goes out at SND.NXT. */
static void test_asleep_connection_sends(void **state) {
  (void)state;
  h_harness h;
  is_established_asleep(&h);
  is_send_acked(&h);
  assert_int_equal(is_stats(&h)->busy_wakes, 1);
  h_expect_none(&h);
  h_free(&h);
}

/* A connection that carried data keeps its buffers while it pauses, and gives them back
 * with its busy part after LTCP_BUSY_SLEEP_NS idle. */
static void test_idle_connection_with_buffers_sleeps_after_a_while(void **state) {
  (void)state;
  h_harness h;
  is_established_asleep(&h);
  is_send_acked(&h);
  assert_int_equal(is_stats(&h)->busy_sleeps, 1);
  h_advance(&h, LTCP_BUSY_SLEEP_NS - 1);
  assert_int_equal(is_stats(&h)->busy_sleeps, 1);
  h_advance(&h, 1);
  assert_int_equal(is_stats(&h)->busy_sleeps, 2);
  h_expect_none(&h);
  h_free(&h);
}

/* Keep-alive's timer stays armed in sleep (RFC 9293 §3.8.4): the probe goes on time. */
static void test_keepalive_probe_from_sleep(void **state) {
  (void)state;
  h_harness h;
  is_established_asleep(&h);
  assert_int_equal(ltcp_setsockopt(h.st, h.fd, LTCP_TCP_KEEPIDLE, 10), 0);
  assert_int_equal(ltcp_setsockopt(h.st, h.fd, LTCP_SO_KEEPALIVE, 1), 0);
  h_advance(&h, LTCP_SEC(10) - 1);
  h_expect_none(&h);
  uint64_t sleeps = is_stats(&h)->busy_sleeps;
  assert_true(sleeps >= 2); /* setsockopt woke it; idle again, it slept */
  h_advance(&h, 1);
  h_expect(&h, LTCP_ACK, h.iss, h.irs + 1); /* SEG.SEQ = SND.NXT - 1 */
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_free(&h);
}

/* CLOSE from sleep: the FIN goes at SND.NXT. */
static void test_close_from_sleep_sends_fin(void **state) {
  (void)state;
  h_harness h;
  is_established_asleep(&h);
  assert_int_equal(ltcp_shutdown(h.st, h.fd, LTCP_SHUT_WR), 0);
  h_expect(&h, LTCP_FIN | LTCP_ACK, h.iss + 1, h.irs + 1);
  assert_int_equal(h_state(&h), LTCP_FIN_WAIT_1);
  h_free(&h);
}

/* An RST at RCV.NXT ends an asleep connection (§3.10.7.4 second), with ECONNRESET. */
static void test_reset_ends_an_asleep_connection(void **state) {
  (void)state;
  h_harness h;
  is_established_asleep(&h);
  h_send(&h, LTCP_RST, h.irs + 1, 0, NULL, 0);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(ltcp_socket_error(h.st, h.fd), ECONNRESET);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tcb_fits_in_248_bytes),
      cmocka_unit_test(test_established_without_data_sleeps_at_once),
      cmocka_unit_test(test_asleep_connection_takes_data),
      cmocka_unit_test(test_asleep_connection_sends),
      cmocka_unit_test(test_idle_connection_with_buffers_sleeps_after_a_while),
      cmocka_unit_test(test_keepalive_probe_from_sleep),
      cmocka_unit_test(test_close_from_sleep_sends_fin),
      cmocka_unit_test(test_reset_ends_an_asleep_connection),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
