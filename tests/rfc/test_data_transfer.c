/* RFC 9293 data transfer on one connection: the MSS option (§3.7.1), reassembly of
 * out-of-order segments (§3.10.7.4, SHLD-31), the receive window (§3.8.6, §3.10.7.4 first and
 * seventh), zero-window probing (§3.8.6.1), and data queued before ESTABLISHED (§3.10.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/harness.h"

static uint8_t pattern[4096];

static void fill_pattern(void) {
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 7 + i / 251);
}

/* Takes every segment the stack sent, checks each carries data in order from *next, no larger
 * than max_len, and matches the pattern; returns how many there were. */
static uint32_t take_data(h_harness *h, uint32_t *next, uint32_t max_len) {
  uint32_t n = 0;
  while (h_next(h)) {
    const ltcp_seg *s = &h->out.seg;
    assert_int_equal(s->seq, *next);
    assert_true(s->len > 0 && s->len <= max_len);
    assert_true((s->flags & LTCP_ACK) && !(s->flags & (LTCP_SYN | LTCP_FIN | LTCP_RST)));
    assert_int_equal(h->out.hdr_len, 20); /* MUST-65: no MSS option outside a SYN */
    uint32_t off = *next - (h->iss + 1);
    assert_memory_equal(h->out.data, pattern + off, s->len);
    *next += s->len;
    n++;
  }
  return n;
}

/* §3.7.1 (MUST-14, MUST-67): every SYN carries the MSS option, MTU - 40 by default or the
 * user's TCP_MAXSEG; no other segment carries it (MUST-65). */
static void test_syn_sent_syn_carries_mss_option(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.window_scale = cfg.timestamps = cfg.sack = 0; /* RFC 7323 and SACK off: the MSS alone */
  h_init(&h, &cfg);
  h_connect(&h);
  assert_int_equal(h.out.seg.opts.mss, 1460);
  assert_int_equal(h.out.hdr_len, 24);
  h_free(&h);

  h_init(&h, NULL);
  h.maxseg = 1000;
  h_goto(&h, LTCP_SYN_RECEIVED, H_PASSIVE); /* the SYN,ACK */
  assert_int_equal(h.out.seg.opts.mss, 1000);
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0);
  h_send(&h, LTCP_PSH | LTCP_ACK, h.irs + 1, h.iss + 1, "x", 1);
  const h_out *o = h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 2);
  assert_int_equal(o->hdr_len, 20);
  assert_int_equal(o->seg.opts.mss, 0);
  h_free(&h);
}

/* §3.7.1 (MUST-14, MUST-16): segments are no larger than the peer's MSS. */
static void test_established_peer_mss_bounds_segments(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.mss = 100;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  int opt = 0;
  assert_int_equal(ltcp_getsockopt(h.st, h.fd, LTCP_TCP_MAXSEG, &opt), 0);
  assert_int_equal(opt, 100);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 1000, 0), 1000);
  uint32_t next = h.iss + 1;
  for (int round = 0; round < 20 && next != h.iss + 1001; round++) {
    assert_true(take_data(&h, &next, 100) > 0);
    h_advance(&h, LTCP_MS(10));
    h_send(&h, LTCP_ACK, h.irs + 1, next, NULL, 0);
  }
  assert_int_equal(next, h.iss + 1001);
  h_expect_none(&h);
  h_free(&h);
}

/* §3.7.1 (MUST-15): without an MSS option the send MSS is 536; the initial congestion window
 * of RFC 5681 §3.1 (4 * 536 bytes) holds 2000 bytes: 536, 536, 536, 392. */
static void test_established_no_mss_option_uses_536(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.mss = 0;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 2000, 0), 2000);
  h_expect_len(&h, LTCP_ACK, h.iss + 1, h.irs + 1, 536);
  h_expect_len(&h, LTCP_ACK, h.iss + 537, h.irs + 1, 536);
  h_expect_len(&h, LTCP_ACK, h.iss + 1073, h.irs + 1, 536);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1609, h.irs + 1, 392);
  h_expect_none(&h);
  h_free(&h);
}

/* §3.7.1 (MUST-16): the effective send MSS is the smaller of the peer's MSS and what our own
 * link carries (MTU 1500: 1460). */
static void test_established_large_peer_mss_bounded_by_mtu(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.mss = 9000;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 3000, 0), 3000);
  h_expect_len(&h, LTCP_ACK, h.iss + 1, h.irs + 1, 1460);
  h_expect_len(&h, LTCP_ACK, h.iss + 1461, h.irs + 1, 1460);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 2921, h.irs + 1, 80);
  h_expect_none(&h);
  h_free(&h);
}

static void recv_exactly(h_harness *h, const uint8_t *want, uint32_t n) {
  uint8_t buf[4096];
  assert_true(n <= sizeof buf);
  assert_int_equal(ltcp_recv(h->st, h->fd, buf, sizeof buf, 0), n);
  assert_memory_equal(buf, want, n);
}

/* §3.10.7.4 first and seventh (SHLD-31, MAY-13): segments beyond RCV.NXT are held and each is
 * answered with the ACK of RCV.NXT; when the hole fills RCV.NXT jumps over them all; overlapping
 * and duplicate bytes are taken once. */
static void test_established_out_of_order_segments_reassembled(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t base = h.irs + 1;
  h_send(&h, LTCP_ACK, base + 20, h.iss + 1, pattern + 20, 10);
  h_expect(&h, LTCP_ACK, h.iss + 1, base);
  h_send(&h, LTCP_ACK, base + 40, h.iss + 1, pattern + 40, 10);
  h_expect(&h, LTCP_ACK, h.iss + 1, base);
  h_send(&h, LTCP_ACK, base + 15, h.iss + 1, pattern + 15, 10); /* overlaps 20..25 */
  h_expect(&h, LTCP_ACK, h.iss + 1, base);
  uint8_t buf[64];
  errno = 0;
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), -1); /* nothing in order yet */
  assert_int_equal(errno, EAGAIN);
  h_send(&h, LTCP_ACK, base, h.iss + 1, pattern, 15);
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 30);
  h_send(&h, LTCP_PSH | LTCP_ACK, base + 25, h.iss + 1, pattern + 25, 20); /* fills 30..40 */
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 50);
  h_expect_none(&h);
  recv_exactly(&h, pattern, 50);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_TCP_REASSEMBLY_FULL], 0);
  h_free(&h);
}

/* §3.1 (MUST-2, MUST-3) with a full-sized payload: a bit flipped in flight makes the segment a
 * drop that leaves nothing behind: no new byte to read, no ACK, RCV.NXT where it was; the intact
 * segment then brings its own bytes. The next payload wraps the receive ring at an odd offset
 * (byte 1011 of its first 1024 bytes) and arrives whole. */
static void test_established_bad_checksum_payload_leaves_no_trace(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  uint32_t base = h.irs + 1;
  uint8_t pkt[2048], buf[2048];
  h_send(&h, LTCP_PSH | LTCP_ACK, base, h.iss + 1, pattern, 10);
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 10);
  h_seg s = {.flags = LTCP_PSH | LTCP_ACK, .seq = base + 10, .ack = h.iss + 1, .wnd = H_WND,
             .data = pattern + 10, .len = 1001};
  size_t n = h_build(&h, &s, pkt, sizeof pkt);
  uint64_t bad0 = st->drops[LTCP_DROP_TCP_CHECKSUM];
  pkt[n - 500] ^= 0x01; /* a payload bit flipped in flight */
  h_send_raw(&h, pkt, n);
  assert_int_equal(st->drops[LTCP_DROP_TCP_CHECKSUM], bad0 + 1);
  h_expect_none(&h);
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 10); /* nothing of the bad one */
  assert_memory_equal(buf, pattern, 10);
  pkt[n - 500] ^= 0x01;
  h_send_raw(&h, pkt, n);
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 1011);
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, 1000, 0), 1000); /* one byte left unread */
  assert_memory_equal(buf, pattern + 10, 1000);
  h_send(&h, LTCP_PSH | LTCP_ACK, base + 1011, h.iss + 1, pattern + 1011, 1000);
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 2011);
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 1001);
  assert_memory_equal(buf, pattern + 1010, 1001);
  assert_int_equal(st->drops[LTCP_DROP_TCP_CHECKSUM], bad0 + 1);
  h_free(&h);
}

/* §3.10.7.4 eighth: a FIN beyond a hole counts only once the bytes before it arrive. */
static void test_established_out_of_order_fin_waits_for_the_hole(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t base = h.irs + 1;
  h_send(&h, LTCP_FIN | LTCP_PSH | LTCP_ACK, base + 10, h.iss + 1, pattern + 10, 10);
  h_expect(&h, LTCP_ACK, h.iss + 1, base);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_send(&h, LTCP_ACK, base, h.iss + 1, pattern, 10);
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 21); /* 20 bytes and the FIN */
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSE_WAIT);
  recv_exactly(&h, pattern, 20);
  uint8_t buf[8];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 0);
  h_free(&h);
}

/* §3.8.6 and §3.10.7.4: the stack offers its free buffer as the window; text beyond the right
 * edge is trimmed (only what fits is taken and acknowledged), and with a zero window a segment
 * with text is not acceptable: ACK and drop. Reading reopens the window (RFC 1122 4.2.3.3). */
static void test_established_data_beyond_window_trimmed(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.rcvbuf = 100;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t base = h.irs + 1;
  h_send(&h, LTCP_PSH | LTCP_ACK, base, h.iss + 1, pattern, 150);
  const h_out *o = h_expect(&h, LTCP_ACK, h.iss + 1, base + 100);
  assert_int_equal(o->seg.wnd, 0);
  h_expect_none(&h);
  /* Text at RCV.NXT into a zero window: acknowledged, not taken (its ACK field is still
   * processed: the special allowance of §3.10.7.4 first, as Linux). */
  h_send(&h, LTCP_PSH | LTCP_ACK, base + 100, h.iss + 1, pattern + 100, 10);
  o = h_expect(&h, LTCP_ACK, h.iss + 1, base + 100);
  assert_int_equal(o->seg.wnd, 0);
  h_expect_none(&h);
  recv_exactly(&h, pattern, 100);
  o = h_expect(&h, LTCP_ACK, h.iss + 1, base + 100); /* window update */
  assert_int_equal(o->seg.wnd, 100);
  h_expect_none(&h);
  h_send(&h, LTCP_PSH | LTCP_ACK, base + 100, h.iss + 1, pattern + 100, 10);
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 110);
  recv_exactly(&h, pattern + 100, 10);
  h_free(&h);
}

/* §3.10.7.4 first (MUST-66): with a zero receive window, ACKs and RSTs at RCV.NXT are still
 * processed. */
static void test_established_zero_receive_window_still_takes_ack_and_rst(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.rcvbuf = 100;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t base = h.irs + 1;
  h_send(&h, LTCP_PSH | LTCP_ACK, base, h.iss + 1, pattern, 100);
  h_expect(&h, LTCP_ACK, h.iss + 1, base + 100);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, base + 100, 10);
  h_send(&h, LTCP_ACK, base + 100, h.iss + 11, NULL, 0); /* acceptable in a zero window */
  h_expect_none(&h);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_int_equal(info.snd_una, h.iss + 11);
  h_send(&h, LTCP_RST, base + 100, 0, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.error, ECONNRESET);
  h_free(&h);
}

/* §3.8.6.1: a zero send window is probed (MUST-36), the first probe one RTO after the window
 * closed (SHLD-29), then with exponential back-off (SHLD-30); while the peer answers, the
 * connection stays open however long the window stays shut (MUST-37). When the window opens
 * the data flows. */
static void test_established_zero_window_probed_with_backoff(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.wnd = 0;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), 10);
  h_expect_none(&h); /* the window is shut */
  ltcp_time_ns wait = LTCP_MS(300), rto_max = h.cfg.rto_max_ns;
  uint32_t probes = h.cfg.data_retries + 5;
  for (uint32_t i = 0; i < probes; i++) {
    h_advance(&h, wait - 1);
    h_expect_none(&h);
    h_advance(&h, 1);
    const h_out *o = h_expect_len(&h, LTCP_ACK, h.iss + 1, h.irs + 1, 1);
    assert_int_equal(o->data[0], pattern[0]);
    h_expect_none(&h);
    h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0); /* still shut */
    h_expect_none(&h);
    assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
    wait = wait * 2 > rto_max ? rto_max : wait * 2;
  }
  /* The window opens: at once every byte from SND.UNA is sent, the probe's byte included. */
  h.wnd = H_WND;
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0);
  const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  assert_memory_equal(o->data, pattern, 10);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 11, NULL, 0);
  h_expect_none(&h);
  /* The probes backed off their own timer, not the RTO (RFC 1122 4.2.2.17). */
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_int_equal(info.rto_ns, LTCP_MS(300));
  assert_int_equal(info.retransmits, 0);
  h_advance(&h, LTCP_SEC(600));
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_free(&h);
}

/* §3.10.2 SYN-SENT: data sent before the handshake completes is queued and goes out once the
 * connection is ESTABLISHED, carrying the ACK of the SYN (§3.10.7.3 fourth: "Data or controls
 * that were queued for transmission MAY be included"). */
static void test_syn_sent_queued_data_sent_when_established(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_connect(&h);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), 10);
  h_expect_none(&h);
  h_advance(&h, LTCP_MS(100));
  h_seg sa = {.flags = LTCP_SYN | LTCP_ACK, .seq = h.irs, .ack = h.iss + 1, .wnd = H_WND, .mss = H_MSS};
  h_send_seg(&h, &sa);
  const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  assert_memory_equal(o->data, pattern, 10);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_free(&h);
}

/* §3.10.4 SYN-RECEIVED: with data queued, CLOSE waits for ESTABLISHED; then the data and the
 * FIN go out and the state is FIN-WAIT-1. */
static void test_syn_received_close_with_queued_data_waits_for_established(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_SYN_RECEIVED, H_ACTIVE);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), 10);
  assert_int_equal(ltcp_shutdown(h.st, h.fd, LTCP_SHUT_WR), 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_SYN_RECEIVED);
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0);
  h_expect_len(&h, LTCP_FIN | LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_FIN_WAIT_1);
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 12, NULL, 0);
  assert_int_equal(h_state(&h), LTCP_FIN_WAIT_2);
  h_free(&h);
}

/* RFC 1122 4.2.2.13 (RFC 9293 SHLD-3): close() with data unread resets the connection. */
static void test_established_close_with_unread_data_sends_rst(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  h_send(&h, LTCP_PSH | LTCP_ACK, h.irs + 1, h.iss + 1, pattern, 10);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 11);
  assert_int_equal(ltcp_close(h.st, h.fd), 0);
  h.fd = -1;
  h_expect(&h, LTCP_RST, h.iss + 1, 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.call, LTCP_CALL_ABORT);
  h_free(&h);
}

static int setup(void **state) {
  (void)state;
  fill_pattern();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_syn_sent_syn_carries_mss_option, h_teardown),
      cmocka_unit_test_teardown(test_established_peer_mss_bounds_segments, h_teardown),
      cmocka_unit_test_teardown(test_established_no_mss_option_uses_536, h_teardown),
      cmocka_unit_test_teardown(test_established_large_peer_mss_bounded_by_mtu, h_teardown),
      cmocka_unit_test_teardown(test_established_out_of_order_segments_reassembled, h_teardown),
      cmocka_unit_test_teardown(test_established_bad_checksum_payload_leaves_no_trace, h_teardown),
      cmocka_unit_test_teardown(test_established_out_of_order_fin_waits_for_the_hole, h_teardown),
      cmocka_unit_test_teardown(test_established_data_beyond_window_trimmed, h_teardown),
      cmocka_unit_test_teardown(test_established_zero_receive_window_still_takes_ack_and_rst, h_teardown),
      cmocka_unit_test_teardown(test_established_zero_window_probed_with_backoff, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_queued_data_sent_when_established, h_teardown),
      cmocka_unit_test_teardown(test_syn_received_close_with_queued_data_waits_for_established, h_teardown),
      cmocka_unit_test_teardown(test_established_close_with_unread_data_sends_rst, h_teardown),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
