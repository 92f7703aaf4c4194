/* Sequence numbers wrap modulo 2^32 (RFC 9293 §3.4, MUST-1: treat them as unsigned, compare
 * them modulo 2^32). Connections whose ISS and IRS sit just below 2^32 send, receive, reorder,
 * reset and close across the wrap; and the unit tests of src/tcp/seq.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/harness.h"
#include "tcp/seq.h"

#define WRAP_ISS (UINT32_MAX - 99u) /* 2^32 - 100 */
#define WRAP_IRS (UINT32_MAX - 49u) /* 2^32 - 50 */

static uint8_t pattern[4096];

/* ---------------------------------------------------------------- src/tcp/seq.h */

static void test_tcp_seq_lt_across_wrap(void **state) {
  (void)state;
  assert_true(ltcp_seq_lt(UINT32_MAX, 0));
  assert_true(ltcp_seq_lt(UINT32_MAX - 10, 5));
  assert_false(ltcp_seq_lt(5, UINT32_MAX - 10));
  assert_false(ltcp_seq_lt(7, 7));
  assert_true(ltcp_seq_lt(0x7fffffffu, 0x80000000u));
  /* The largest forward distance is 2^31 - 1. */
  assert_true(ltcp_seq_lt(0, 0x7fffffffu));
  assert_false(ltcp_seq_lt(0x7fffffffu, 0));
}

static void test_tcp_seq_le_gt_ge_across_wrap(void **state) {
  (void)state;
  assert_true(ltcp_seq_le(UINT32_MAX, 0));
  assert_true(ltcp_seq_le(3, 3));
  assert_false(ltcp_seq_le(1, UINT32_MAX));
  assert_true(ltcp_seq_gt(0, UINT32_MAX));
  assert_true(ltcp_seq_gt(100, UINT32_MAX - 100));
  assert_false(ltcp_seq_gt(3, 3));
  assert_true(ltcp_seq_ge(3, 3));
  assert_true(ltcp_seq_ge(2, UINT32_MAX));
  assert_false(ltcp_seq_ge(UINT32_MAX, 2));
}

static void test_tcp_seq_max_min_across_wrap(void **state) {
  (void)state;
  assert_int_equal(ltcp_seq_max(UINT32_MAX - 5, 10), 10);
  assert_int_equal(ltcp_seq_max(10, UINT32_MAX - 5), 10);
  assert_int_equal(ltcp_seq_min(UINT32_MAX - 5, 10), UINT32_MAX - 5);
  assert_int_equal(ltcp_seq_min(10, UINT32_MAX - 5), UINT32_MAX - 5);
  assert_int_equal(ltcp_seq_max(42, 42), 42);
}

static void test_tcp_seq_in_window_across_wrap(void **state) {
  (void)state;
  uint32_t lo = UINT32_MAX - 15, hi = lo + 32; /* [2^32-16, 16) */
  assert_true(ltcp_seq_in(lo, lo, hi));
  assert_true(ltcp_seq_in(UINT32_MAX, lo, hi));
  assert_true(ltcp_seq_in(0, lo, hi));
  assert_true(ltcp_seq_in(15, lo, hi));
  assert_false(ltcp_seq_in(16, lo, hi)); /* hi is exclusive */
  assert_false(ltcp_seq_in(lo - 1, lo, hi));
  assert_false(ltcp_seq_in(5, 5, 5)); /* an empty window holds nothing */
}

/* Every pair a few steps apart on either side of the wrap orders like the integers do. */
static void test_tcp_seq_lt_agrees_with_distance(void **state) {
  (void)state;
  for (int64_t a = -20; a <= 20; a++) {
    for (int64_t d = -1000; d <= 1000; d += 7) {
      uint32_t x = (uint32_t)a, y = (uint32_t)(a + d);
      assert_int_equal(ltcp_seq_lt(x, y), d > 0);
      assert_int_equal(ltcp_seq_le(x, y), d >= 0);
      assert_int_equal(ltcp_seq_gt(x, y), d < 0);
      assert_int_equal(ltcp_seq_ge(x, y), d <= 0);
    }
  }
}

/* ---------------------------------------------------------------- connections */

/* ISN = clock/4 us + F(tuple, key) + isn_offset (RFC 6528): with the harness's tuple, seed and
 * time, F is fixed, so an offset puts the ISS exactly where a test wants it. */
static uint32_t offset_for_iss(uint32_t want) {
  h_harness h;
  h_init(&h, NULL);
  h_connect(&h);
  uint32_t iss = h.iss;
  h_free(&h);
  return want - iss;
}

static void init_wrapped(h_harness *h) {
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.isn_offset = offset_for_iss(WRAP_ISS);
  h_init(h, &cfg);
  h->irs = WRAP_IRS;
}

static void test_seq_wrap_offset_puts_iss_below_2_32(void **state) {
  (void)state;
  h_harness h;
  init_wrapped(&h);
  h_connect(&h);
  assert_int_equal(h.iss, WRAP_ISS);
  h_free(&h);
  init_wrapped(&h);
  h_goto(&h, LTCP_SYN_RECEIVED, H_PASSIVE); /* the same tuple: the same ISS */
  assert_int_equal(h.iss, WRAP_ISS);
  h_free(&h);
}

/* Sending: 3000 bytes from ISS+1 = 2^32-99 run across zero; the ACKs, wrapped, free the
 * buffer and stop the timer (nothing is retransmitted). */
static void test_established_send_across_wrap(void **state) {
  (void)state;
  h_harness h;
  init_wrapped(&h);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 3000, 0), 3000);
  h_expect_len(&h, LTCP_ACK, WRAP_ISS + 1, h.irs + 1, 1460);
  h_expect_len(&h, LTCP_ACK, WRAP_ISS + 1461, h.irs + 1, 1460); /* = 1361: past zero */
  const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, WRAP_ISS + 2921, h.irs + 1, 80);
  assert_memory_equal(o->data, pattern + 2920, 80);
  h_expect_none(&h);
  assert_true(WRAP_ISS + 1461 < 2000u); /* the second segment did start past the wrap */
  h_advance(&h, LTCP_MS(50));
  h_send(&h, LTCP_ACK, h.irs + 1, WRAP_ISS + 1461, NULL, 0); /* a wrapped ACK */
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_int_equal(info.snd_una, WRAP_ISS + 1461);
  assert_int_equal(info.unacked, 1540);
  h_send(&h, LTCP_ACK, h.irs + 1, WRAP_ISS + 3001, NULL, 0);
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_int_equal(info.unacked, 0);
  h_advance(&h, LTCP_SEC(30));
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_stats(h.st)->retransmits, 0);
  h_free(&h);
}

static void recv_exactly(h_harness *h, const uint8_t *want, uint32_t n) {
  uint8_t buf[4096];
  assert_int_equal(ltcp_recv(h->st, h->fd, buf, sizeof buf, 0), n);
  assert_memory_equal(buf, want, n);
}

/* Receiving: RCV.NXT = 2^32-49. Segments arrive out of order, one of them straddling the wrap,
 * and are reassembled (SHLD-31); the ACK of RCV.NXT wraps. */
static void test_established_receive_out_of_order_across_wrap(void **state) {
  (void)state;
  h_harness h;
  init_wrapped(&h);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t base = WRAP_IRS + 1; /* byte 49 is sequence number 0 */
  h_send(&h, LTCP_ACK, base + 80, h.iss + 1, pattern + 80, 40); /* past the wrap */
  h_expect(&h, LTCP_ACK, h.iss + 1, base);
  h_send(&h, LTCP_ACK, base + 30, h.iss + 1, pattern + 30, 40); /* straddles the wrap */
  h_expect(&h, LTCP_ACK, h.iss + 1, base);
  h_send(&h, LTCP_ACK, base + 70, h.iss + 1, pattern + 70, 20); /* overlaps both */
  h_expect(&h, LTCP_ACK, h.iss + 1, base);
  h_send(&h, LTCP_PSH | LTCP_ACK, base, h.iss + 1, pattern, 30); /* fills the hole */
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 120);
  h_expect_none(&h);
  assert_true(base + 120 < 100u);
  recv_exactly(&h, pattern, 120);
  h_free(&h);
}

/* The acceptability test (Table 6) modulo 2^32: with RCV.NXT just past zero, a segment just
 * below 2^32 is an old duplicate (ACK, drop); an RST in the window past the wrap but not at
 * RCV.NXT is challenged (RFC 5961 §3.2); one far outside is dropped silently. */
static void test_established_acceptability_across_wrap(void **state) {
  (void)state;
  h_harness h;
  init_wrapped(&h);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t base = WRAP_IRS + 1;
  h_send(&h, LTCP_ACK, base, h.iss + 1, pattern, 100);
  uint32_t rcv_nxt = base + 100;
  assert_int_equal(rcv_nxt, 51);
  h_expect(&h, LTCP_ACK, h.iss + 1, rcv_nxt);
  uint32_t old = UINT32_MAX - 9, off = old - base; /* 2^32-10 is byte 39 */
  uint64_t oow = ltcp_stack_stats(h.st)->drops[LTCP_DROP_TCP_OUT_OF_WINDOW];
  h_send(&h, LTCP_ACK, old, h.iss + 1, pattern + off, 10); /* all before RCV.NXT: old */
  h_expect(&h, LTCP_ACK, h.iss + 1, rcv_nxt);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_TCP_OUT_OF_WINDOW], oow + 1);
  h_send(&h, LTCP_ACK, old, h.iss + 1, pattern + off, 70); /* ends at 60: 9 new bytes */
  rcv_nxt = old + 70;
  assert_int_equal(rcv_nxt, 60);
  h_expect(&h, LTCP_ACK, h.iss + 1, rcv_nxt);
  h_send(&h, LTCP_RST, rcv_nxt + 1000, 0, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 1, rcv_nxt);
  h_send(&h, LTCP_RST, rcv_nxt - 100000, 0, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_TCP_RST_OUT_OF_WINDOW], 1);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  recv_exactly(&h, pattern, 109);
  h_send(&h, LTCP_RST, rcv_nxt, 0, NULL, 0);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  h_free(&h);
}

/* Both directions and both FINs across the wrap: data each way, then an orderly close through
 * FIN-WAIT-1, FIN-WAIT-2 and TIME-WAIT to CLOSED. */
static void test_established_both_directions_and_close_across_wrap(void **state) {
  (void)state;
  h_harness h;
  init_wrapped(&h);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t snd = WRAP_ISS + 1, rcv = WRAP_IRS + 1;
  for (int i = 0; i < 4; i++) { /* 4 x 40 bytes each way: both cross zero */
    assert_int_equal(ltcp_send(h.st, h.fd, pattern + 40 * i, 40, 0), 40);
    const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, snd, rcv, 40);
    assert_memory_equal(o->data, pattern + 40 * i, 40);
    snd += 40;
    h_advance(&h, LTCP_MS(10));
    h_send(&h, LTCP_PSH | LTCP_ACK, rcv, snd, pattern + 1000 + 40 * i, 40);
    rcv += 40;
    h_expect(&h, LTCP_ACK, snd, rcv);
    recv_exactly(&h, pattern + 1000 + 40 * i, 40);
  }
  assert_true(ltcp_seq_gt(snd, 0) && snd < 1000u && rcv < 1000u);
  assert_int_equal(ltcp_shutdown(h.st, h.fd, LTCP_SHUT_WR), 0);
  h_expect(&h, LTCP_FIN | LTCP_ACK, snd, rcv);
  h_send(&h, LTCP_ACK, rcv, snd + 1, NULL, 0);
  assert_int_equal(h_state(&h), LTCP_FIN_WAIT_2);
  h_send(&h, LTCP_FIN | LTCP_ACK, rcv, snd + 1, NULL, 0);
  h_expect(&h, LTCP_ACK, snd + 1, rcv + 1);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance(&h, 2 * h.cfg.msl_ns);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(ltcp_stack_stats(h.st)->retransmits, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* The handshake itself at the edge: ISS = 2^32-1, so SND.NXT after the SYN is 0, and the
 * remote's ISN 2^32-1, so RCV.NXT is 0; then a retransmitted SYN,ACK is an old duplicate. */
static void test_syn_sent_handshake_with_isn_at_2_32_minus_1(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.isn_offset = offset_for_iss(UINT32_MAX);
  h_harness h;
  h_init(&h, &cfg);
  h.irs = UINT32_MAX;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE); /* expects ACK seq ISS+1 = 0, ack IRS+1 = 0 */
  assert_int_equal(h.iss, UINT32_MAX);
  h_send(&h, LTCP_SYN | LTCP_ACK, UINT32_MAX, 0, NULL, 0);
  h_expect(&h, LTCP_ACK, 0, 0);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, 0, 0, 10);
  h_free(&h);
}

static int setup(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 13 + 5);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tcp_seq_lt_across_wrap),
      cmocka_unit_test(test_tcp_seq_le_gt_ge_across_wrap),
      cmocka_unit_test(test_tcp_seq_max_min_across_wrap),
      cmocka_unit_test(test_tcp_seq_in_window_across_wrap),
      cmocka_unit_test(test_tcp_seq_lt_agrees_with_distance),
      cmocka_unit_test_teardown(test_seq_wrap_offset_puts_iss_below_2_32, h_teardown),
      cmocka_unit_test_teardown(test_established_send_across_wrap, h_teardown),
      cmocka_unit_test_teardown(test_established_receive_out_of_order_across_wrap, h_teardown),
      cmocka_unit_test_teardown(test_established_acceptability_across_wrap, h_teardown),
      cmocka_unit_test_teardown(test_established_both_directions_and_close_across_wrap, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_handshake_with_isn_at_2_32_minus_1, h_teardown),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
