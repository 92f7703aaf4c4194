/* RFC 9293 Appendix B requirements that no state or timer test pins down by itself: ISN
 * selection, configurable TTL, options in any segment, IP options, per-connection R2 and its
 * default, sender and receiver silly-window avoidance, and ACK aggregation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support/harness.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/ipv4.h"

static uint8_t payload[65536];

/* Connects from a fixed local port at time t and returns the ISS of the SYN the stack sends. */
static uint32_t iss_at(uint64_t seed, ltcp_time_ns t, uint16_t lport) {
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.seed = seed;
  h_init(&h, &cfg);
  h_advance_to(&h, t);
  h.fd = ltcp_socket(h.st);
  ltcp_endpoint local = {0, lport}, remote = {H_REMOTE, H_RPORT};
  assert_int_equal(ltcp_bind(h.st, h.fd, &local), 0);
  ltcp_connect(h.st, h.fd, &remote);
  assert_true(h_next(&h));
  uint32_t iss = h.out.seg.seq;
  h_free(&h);
  return iss;
}

/* §3.4.1 MUST-8: the ISN has a clock component, advancing once every 4 microseconds. */
static void test_isn_clock_advances_every_4_microseconds(void **state) {
  (void)state;
  uint32_t a = iss_at(1, LTCP_SEC(1), 5000), b = iss_at(1, LTCP_SEC(2), 5000);
  assert_int_equal(b - a, 1000000000u / 4000u);
}

/* §3.4.1 SHLD-1, MUST-9: the other component is a keyed PRF of the 4-tuple: another secret or
 * another port gives an unrelated number, not a neighbour. */
static void test_isn_prf_depends_on_secret_and_tuple(void **state) {
  (void)state;
  uint32_t base = iss_at(1, LTCP_SEC(1), 5000);
  uint32_t other_key = iss_at(2, LTCP_SEC(1), 5000);
  uint32_t other_port = iss_at(1, LTCP_SEC(1), 5001);
  assert_true(other_key - base > 1000000u && base - other_key > 1000000u);
  assert_true(other_port - base > 1000000u && base - other_port > 1000000u);
}

/* The same: one stack opening from ports 5000, 5001 and 5002 (the hash of the last tuple is
 * kept for the TSval offset) gives each the ISS a fresh stack gives it; none takes another's. */
static void test_isn_of_each_tuple_is_its_own_in_one_stack(void **state) {
  (void)state;
  static const uint16_t ports[] = {5000, 5001, 5002};
  uint32_t want[3];
  for (int i = 0; i < 3; i++) want[i] = iss_at(1, LTCP_SEC(1), ports[i]); /* one harness at a time */
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.seed = 1;
  h_init(&h, &cfg);
  h_advance_to(&h, LTCP_SEC(1));
  for (int i = 0; i < 3; i++) {
    int fd = ltcp_socket(h.st);
    ltcp_endpoint local = {0, ports[i]}, remote = {H_REMOTE, H_RPORT};
    assert_int_equal(ltcp_bind(h.st, fd, &local), 0);
    ltcp_connect(h.st, fd, &remote);
    assert_true(h_next(&h));
    assert_int_equal(h.out.seg.seq, want[i]);
  }
  h_free(&h);
}

/* §3.9.1 MUST-49: the TTL of outgoing packets is configurable. */
static void test_ttl_configurable(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.ttl = 17;
  h_init(&h, &cfg);
  h_connect(&h);
  h_free(&h);
  h_init(&h, &cfg);
  h.fd = ltcp_socket(h.st);
  ltcp_endpoint remote = {H_REMOTE, H_RPORT};
  ltcp_connect(h.st, h.fd, &remote);
  const uint8_t *pkt;
  assert_true(ltcp_stack_tx_peek(h.st, &pkt) > 20);
  assert_int_equal(pkt[8], 17);
  h_free(&h);
}

/* §3.1, §3.2 MUST-4, MUST-5, MUST-6: options are parsed in any segment, NOP and EOL included,
 * and an unknown option is skipped by its length: a data segment carrying them is taken. */
static void test_options_in_any_segment_are_parsed_and_unknown_ignored(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_PASSIVE);
  uint8_t pkt[128];
  h_seg s = {.flags = LTCP_ACK | LTCP_PSH, .seq = h.irs + 1, .ack = h.iss + 1, .wnd = 65535,
             .data = "abc", .len = 3};
  size_t n = h_build(&h, &s, pkt, sizeof pkt);
  /* Rebuild with 8 bytes of options: NOP, unknown kind 99 of length 4, EOL, padding. */
  uint8_t with[160];
  memcpy(with, pkt, 40);
  const uint8_t opts[8] = {1, 99, 4, 0xaa, 0xbb, 0, 0, 0};
  memcpy(with + 40, opts, 8);
  memcpy(with + 48, pkt + 40, n - 40);
  with[20 + 12] = (uint8_t)(7 << 4);
  ltcp_put16(with + 2, (uint16_t)(n + 8));
  ltcp_ipv4_hdr ip;
  assert_int_equal(ltcp_ipv4_parse(pkt, n, &ip), LTCP_DROP_NONE);
  ltcp_ipv4_write(with, &ip);
  ltcp_put16(with + 2, (uint16_t)(n + 8));
  with[10] = with[11] = 0;
  ip.total_len = (uint16_t)(n + 8);
  ltcp_ipv4_write(with, &ip);
  ltcp_tcp_set_checksum(with + 20, n + 8 - 20, H_REMOTE, H_LOCAL);
  h_send_raw(&h, with, n + 8);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 4);
  h_expect_none(&h);
  char buf[8];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 3);
  assert_memory_equal(buf, "abc", 3);
  assert_int_equal(h_drops(&h), 0);
  h_free(&h);
}

/* §3.9.2 MUST-50: IP options the stack does not understand are ignored: a SYN carrying them is
 * answered. */
static void test_ip_options_ignored(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_listen(&h);
  uint8_t pkt[128], with[160];
  h_seg s = {.flags = LTCP_SYN, .seq = h.irs, .wnd = 65535, .mss = 1460};
  size_t n = h_build(&h, &s, pkt, sizeof pkt);
  /* An IPv4 header of 24 bytes: 4 bytes of options (NOP NOP NOP EOL). */
  memcpy(with, pkt, 20);
  const uint8_t ipopts[4] = {1, 1, 1, 0};
  memcpy(with + 20, ipopts, 4);
  memcpy(with + 24, pkt + 20, n - 20);
  with[0] = 0x46;
  ltcp_put16(with + 2, (uint16_t)(n + 4));
  with[10] = with[11] = 0;
  uint32_t sum = 0;
  for (int i = 0; i < 24; i += 2) sum += ltcp_get16(with + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ltcp_put16(with + 10, (uint16_t)~sum);
  h_send_raw(&h, with, n + 4);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h.out.seg.ack, h.irs + 1);
  h_free(&h);
}

/* §3.8.3 MUST-20, MUST-21: the application sets R2 for its connection (TCP_USER_TIMEOUT); the
 * connection is closed with ETIMEDOUT when it is reached. */
static void test_r2_set_per_connection_by_user_timeout(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_setsockopt(h.st, h.fd, LTCP_TCP_USER_TIMEOUT, 5000), 0);
  assert_int_equal(ltcp_send(h.st, h.fd, "x", 1, 0), 1);
  ltcp_time_ns sent = h.now;
  for (int i = 0; i < 100 && h_state(&h) == LTCP_ESTABLISHED; i++) {
    while (h_next(&h)) {
    }
    h_advance(&h, LTCP_MS(100));
  }
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_true(h.now - sent >= LTCP_SEC(5) && h.now - sent <= LTCP_SEC(5) + LTCP_MS(100));
  assert_int_equal(ltcp_socket_error(h.st, h.fd), ETIMEDOUT);
  h_free(&h);
}

/* §3.8.3 SHLD-10, SHLD-11: by default a data segment is retransmitted at least 3 times and for
 * at least 100 seconds before the connection is given up. */
static void test_r2_default_at_least_100_seconds(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, "x", 1, 0), 1);
  ltcp_time_ns sent = h.now;
  int copies = 0;
  for (int i = 0; i < 100000 && h_state(&h) == LTCP_ESTABLISHED; i++) {
    while (h_next(&h)) copies++;
    h_advance(&h, LTCP_MS(100));
  }
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_true(h.now - sent >= LTCP_SEC(100));
  assert_true(copies >= 1 + 3);
  h_free(&h);
}

/* §3.8.6.2.1 MUST-38: sender SWS avoidance. With a usable window below both an MSS and half
 * the largest window the peer offered, and more data queued, nothing is sent. */
static void test_sender_sws_avoidance_holds_small_window(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  /* The peer shrinks its offer to 1000 bytes (it acknowledges nothing new). */
  h_seg s = {.flags = LTCP_ACK, .seq = h.irs + 1, .ack = h.iss + 1, .wnd = 1000};
  h_send_seg(&h, &s);
  h_expect_none(&h);
  assert_int_equal(ltcp_send(h.st, h.fd, payload, 5000, 0), 5000);
  h_expect_none(&h);
  /* When the window opens to a full MSS, a full segment goes. */
  s.wnd = 1460;
  h_send_seg(&h, &s);
  h_expect_len(&h, LTCP_ACK, h.iss + 1, h.irs + 1, 1460);
  h_free(&h);
}

/* §3.8.6.2.2 MUST-39: receiver SWS avoidance. After the window closed, reading a few bytes
 * does not announce a small window; reading an MSS's worth does. */
static void test_receiver_sws_avoidance_waits_for_an_mss(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.rcvbuf = 4000;
  h_goto(&h, LTCP_ESTABLISHED, H_PASSIVE);
  uint32_t seq = h.irs + 1;
  for (uint32_t left = 4000; left > 0;) {
    uint32_t n = left < 1000 ? left : 1000;
    h_send(&h, LTCP_ACK, seq, h.iss + 1, payload, n);
    seq += n;
    left -= n;
  }
  const h_out *o = h_expect(&h, LTCP_ACK, h.iss + 1, seq);
  assert_int_equal(o->seg.wnd, 0);
  h_expect_none(&h);
  uint8_t buf[4000];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, 100, 0), 100);
  h_expect_none(&h); /* 100 bytes of window: silly */
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, 1400, 0), 1400);
  o = h_expect(&h, LTCP_ACK, h.iss + 1, seq); /* 1500 >= min(MSS, buffer/2) */
  assert_int_equal(o->seg.wnd, 1500);
  h_free(&h);
}

/* §3.10.7.4 MUST-58, MUST-59: segments that arrive together are all processed before the one
 * ACK that answers them. */
static void test_acks_aggregated_over_queued_segments(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_PASSIVE);
  for (uint32_t i = 0; i < 4; i++)
    h_send(&h, LTCP_ACK, h.irs + 1 + 100 * i, h.iss + 1, payload, 100);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 401);
  h_expect_none(&h);
  h_free(&h);
}

/* §3.9.1.1 MUST-46: an OPEN to a broadcast or multicast address is refused, nothing is sent. */
static void test_connect_to_broadcast_or_multicast_refused(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  const uint32_t bad[] = {0xffffffffu, LTCP_IPV4(224, 0, 0, 1), LTCP_IPV4(239, 255, 255, 250)};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int fd = ltcp_socket(h.st);
    ltcp_endpoint to = {bad[i], 80};
    assert_int_equal(ltcp_connect(h.st, fd, &to), -1);
    assert_int_equal(errno, ENETUNREACH);
    ltcp_close(h.st, fd);
  }
  h_expect_none(&h);
  h_free(&h);
}

int main(void) {
  for (size_t i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 7);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_isn_clock_advances_every_4_microseconds, h_teardown),
      cmocka_unit_test_teardown(test_isn_prf_depends_on_secret_and_tuple, h_teardown),
      cmocka_unit_test_teardown(test_isn_of_each_tuple_is_its_own_in_one_stack, h_teardown),
      cmocka_unit_test_teardown(test_ttl_configurable, h_teardown),
      cmocka_unit_test_teardown(test_options_in_any_segment_are_parsed_and_unknown_ignored, h_teardown),
      cmocka_unit_test_teardown(test_ip_options_ignored, h_teardown),
      cmocka_unit_test_teardown(test_r2_set_per_connection_by_user_timeout, h_teardown),
      cmocka_unit_test_teardown(test_r2_default_at_least_100_seconds, h_teardown),
      cmocka_unit_test_teardown(test_sender_sws_avoidance_holds_small_window, h_teardown),
      cmocka_unit_test_teardown(test_receiver_sws_avoidance_waits_for_an_mss, h_teardown),
      cmocka_unit_test_teardown(test_acks_aggregated_over_queued_segments, h_teardown),
      cmocka_unit_test_teardown(test_connect_to_broadcast_or_multicast_refused, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
