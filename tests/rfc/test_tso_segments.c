/* TCP segmentation offload (cfg.tso_max, issue 6): with a link that cuts packets into segments
 * of one MSS (a TUN device with TUN_F_TSO4), the stack sends what the windows allow as one
 * packet of whole MSS, marked with ltcp_stack_tx_seg_size; each piece the link cuts obeys
 * RFC 9293 §3.7.1 (SEG.LEN <= Eff.snd.MSS), FIN and PSH on the last. Retransmissions stay one
 * MSS. And the input side: a segment larger than our MSS, as a coalescing link (GRO) delivers
 * it, is taken whole, ACK and data. One stack through the harness; exact packets, then none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"

#define MSS H_MSS /* the remote's MSS option, no timestamps: snd_mss is 1460 */
#define IW 14600u /* RFC 6928 initial window: 10 segments of 1460 */

static uint8_t data[65536];
static uint8_t pkt[65536];

typedef struct tso_pkt {
  ltcp_seg seg;
  uint32_t seg_size; /* ltcp_stack_tx_seg_size */
} tso_pkt;

/* Takes the next packet the stack sent: 1, or 0 when there is none. Its payload must be the
 * bytes written from offset seq - (ISS + 1) of data[]. */
static int tso_next(h_harness *h, tso_pkt *out) {
  const uint8_t *p;
  size_t len = ltcp_stack_tx_peek(h->st, &p);
  if (len == 0) return 0;
  assert_true(len <= 65535 + LTCP_IPV6_HDR_LEN);
  /* Full checksum, even on a packet the link cuts: the driver may still write it whole. */
  if ((p[0] >> 4) == 6) {
    ltcp_ipv6_hdr ip6;
    assert_int_equal(ltcp_ipv6_parse(p, len, &ip6), LTCP_DROP_NONE);
    assert_int_equal(ip6.off, LTCP_IPV6_HDR_LEN);
    assert_int_equal(LTCP_IPV6_HDR_LEN + ip6.payload_len, len);
    assert_int_equal(ltcp_tcp_parse_ipv6(p + ip6.off, ip6.payload_len, ip6.src, ip6.dst, 1, 2,
                                         &out->seg), LTCP_DROP_NONE);
  } else {
    ltcp_ipv4_hdr ip;
    assert_int_equal(ltcp_ipv4_parse(p, len, &ip), LTCP_DROP_NONE);
    assert_int_equal(ltcp_tcp_parse(p + ip.hdr_len, ip.total_len - ip.hdr_len, ip.src, ip.dst,
                                    &out->seg), LTCP_DROP_NONE);
  }
  if (out->seg.len)
    assert_memory_equal(out->seg.data, data + (out->seg.seq - h->iss - 1), out->seg.len);
  out->seg_size = ltcp_stack_tx_seg_size(h->st);
  out->seg.data = NULL;
  ltcp_stack_tx_pop(h->st);
  return 1;
}

static void tso_expect(h_harness *h, uint8_t flags, uint32_t seq, uint32_t len,
                       uint32_t seg_size) {
  tso_pkt t;
  if (!tso_next(h, &t)) h_fail(h, "no packet; wanted seq %u len %u", seq, len);
  assert_int_equal(t.seg.flags, flags);
  assert_int_equal(t.seg.seq, seq);
  assert_int_equal(t.seg.len, len);
  assert_int_equal(t.seg_size, seg_size);
  if (flags & LTCP_ACK) assert_int_equal(t.seg.ack, h->irs + 1);
}

/* ESTABLISHED (active open) with tso_max as given (0: off) and the remote offering wnd. */
static void tso_setup(h_harness *h, uint32_t tso_max, uint16_t wnd) {
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.tso_max = tso_max;
  h_init(h, &cfg);
  h->wnd = wnd;
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 131 + (i >> 9));
}

static void tso_write(h_harness *h, uint32_t len) {
  assert_int_equal(ltcp_send(h->st, h->fd, data, len, 0), (ssize_t)len);
}

/* The initial window goes as one packet of ten MSS; the rest (3 MSS + 1020, not a multiple)
 * after the ACK, as one packet whose last piece is short and carries PSH. */
static void test_established_tso_window_as_one_packet(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 65535, 65535);
  uint32_t s = h.iss + 1;
  tso_write(&h, 20000);
  tso_expect(&h, LTCP_ACK, s, IW, MSS);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, h.irs + 1, s + IW, NULL, 0);
  tso_expect(&h, LTCP_ACK | LTCP_PSH, s + IW, 20000 - IW, MSS);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_stats(h.st)->tso_out, 2);
  h_free(&h);
}

/* Over IPv6 (TUN_F_TSO6): the same, in whole MSS of 1500 - 60; the IPv6 payload length is the
 * whole packet's, the checksum over the IPv6 pseudo-header (RFC 8200 §8.1). */
static void test_established_tso_over_ipv6(void **state) {
  (void)state;
  int was = h_ipv6;
  h_ipv6 = 1;
  h_harness h;
  tso_setup(&h, 65535, 65535);
  uint32_t s = h.iss + 1, mss6 = 1440, iw6 = 10 * 1440;
  tso_write(&h, 20000);
  tso_expect(&h, LTCP_ACK, s, iw6, mss6);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, h.irs + 1, s + iw6, NULL, 0);
  tso_expect(&h, LTCP_ACK | LTCP_PSH, s + iw6, 20000 - iw6, mss6);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_stats(h.st)->tso_out, 2);
  h_free(&h);
  h_ipv6 = was;
}

/* A FIN queued behind the data goes on the packet, so on its last piece. */
static void test_established_tso_fin_on_last_piece(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 65535, 65535);
  uint32_t s = h.iss + 1, tail = 3 * MSS + 100;
  tso_write(&h, IW + tail);
  tso_expect(&h, LTCP_ACK, s, IW, MSS);
  assert_int_equal(ltcp_shutdown(h.st, h.fd, LTCP_SHUT_WR), 0);
  h_expect_none(&h);
  h_send(&h, LTCP_ACK, h.irs + 1, s + IW, NULL, 0);
  tso_expect(&h, LTCP_ACK | LTCP_PSH | LTCP_FIN, s + IW, tail, MSS);
  h_expect_none(&h);
  h_free(&h);
}

/* A window of 5 MSS + 700: one packet of 5 MSS; the 700 left wait (SWS avoidance, RFC 1122
 * 4.2.3.4: less than half the largest window), as they would without TSO. */
static void test_established_tso_window_not_a_multiple_of_mss(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 65535, 5 * MSS + 700);
  uint32_t s = h.iss + 1;
  tso_write(&h, 20000);
  tso_expect(&h, LTCP_ACK, s, 5 * MSS, MSS);
  h_expect_none(&h);
  h_free(&h);
}

/* Exactly one MSS left: a plain packet (no seg_size). tso_max caps the packet: 3 MSS fit in
 * 4500 bytes with 80 bytes of the largest headers. */
static void test_established_tso_max_caps_the_packet(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 4500, 65535);
  uint32_t s = h.iss + 1;
  tso_write(&h, 7 * MSS);
  tso_expect(&h, LTCP_ACK, s, 3 * MSS, MSS);
  tso_expect(&h, LTCP_ACK, s + 3 * MSS, 3 * MSS, MSS);
  tso_expect(&h, LTCP_ACK | LTCP_PSH, s + 6 * MSS, MSS, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* RFC 6298 5.4 / RFC 5681 3.1: after a timeout one segment of one MSS is resent (cwnd is one
 * MSS), not the packet that went. */
static void test_established_tso_timeout_resends_one_mss(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 65535, 65535);
  uint32_t s = h.iss + 1;
  tso_write(&h, IW);
  tso_expect(&h, LTCP_ACK | LTCP_PSH, s, IW, MSS);
  h_advance(&h, LTCP_SEC(2));
  tso_expect(&h, LTCP_ACK, s, MSS, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* Without TSO (the default) the same write goes as segments of one MSS. */
static void test_established_no_tso_one_mss_per_packet(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 0, 65535);
  uint32_t s = h.iss + 1;
  tso_write(&h, 20000);
  for (uint32_t i = 0; i < IW / MSS; i++) tso_expect(&h, LTCP_ACK, s + i * MSS, MSS, 0);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_stats(h.st)->tso_out, 0);
  h_free(&h);
}

/* A 30000-byte segment (what GRO or a TUN device with offloads delivers) acknowledging our
 * data and carrying the remote's: both taken whole (§3.10.7.4 fifth and seventh steps work on
 * byte ranges); our remaining data goes with the ACK of it. */
static void test_established_large_segment_carries_ack_and_data(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 65535, 65535);
  uint32_t s = h.iss + 1, big = 30000;
  tso_write(&h, 20000);
  tso_expect(&h, LTCP_ACK, s, IW, MSS);
  static uint8_t theirs[30000];
  for (uint32_t i = 0; i < big; i++) theirs[i] = (uint8_t)(i * 13 + 5);
  h_seg in = {.flags = LTCP_ACK | LTCP_PSH, .seq = h.irs + 1, .ack = s + IW, .wnd = 65535,
              .data = theirs, .len = big};
  size_t n = h_build(&h, &in, pkt, sizeof pkt);
  h_send_raw(&h, pkt, n);
  tso_pkt t;
  assert_true(tso_next(&h, &t));
  assert_int_equal(t.seg.flags, LTCP_ACK | LTCP_PSH);
  assert_int_equal(t.seg.seq, s + IW);
  assert_int_equal(t.seg.ack, h.irs + 1 + big);
  assert_int_equal(t.seg.len, 20000 - IW);
  h_expect_none(&h);
  static uint8_t got[30000];
  assert_int_equal(ltcp_recv(h.st, h.fd, got, sizeof got, 0), (ssize_t)big);
  assert_memory_equal(got, theirs, big);
  assert_int_equal(ltcp_stack_stats(h.st)->large_in, 1);
  h_free(&h);
}

/* A partial checksum (only the pseudo-header sum, as the local kernel leaves it with
 * NEEDS_CSUM) is dropped unless the link vouches for the packet (LTCP_INPUT_CSUM_OK). */
static void test_established_partial_checksum_needs_csum_ok(void **state) {
  (void)state;
  h_harness h;
  tso_setup(&h, 0, 65535);
  h_seg in = {.flags = LTCP_ACK, .seq = h.irs + 1, .ack = h.iss + 1, .wnd = 65535,
              .data = data, .len = 20000};
  size_t n = h_build(&h, &in, pkt, sizeof pkt);
  ltcp_put16(pkt + 20 + 16, (uint16_t)(ltcp_get16(pkt + 20 + 16) ^ 0x5a5a));
  ltcp_stack_input_flags(h.st, h.now, pkt, n, 0);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_TCP_CHECKSUM], 1);
  h_expect_none(&h);
  ltcp_stack_input_flags(h.st, h.now, pkt, n, LTCP_INPUT_CSUM_OK);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 1 + 20000);
  h_expect_none(&h);
  h_free(&h);
}

static void test_config_tso_max_bounds(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.tso_max = cfg.mtu; /* not above one packet: meaningless */
  assert_null(ltcp_stack_new(&cfg));
  cfg.tso_max = 65536; /* IPv4's total length is 16 bits */
  assert_null(ltcp_stack_new(&cfg));
  cfg.tso_max = 65535;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  ltcp_stack_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_established_tso_window_as_one_packet, h_teardown),
      cmocka_unit_test_teardown(test_established_tso_fin_on_last_piece, h_teardown),
      cmocka_unit_test_teardown(test_established_tso_over_ipv6, h_teardown),
      cmocka_unit_test_teardown(test_established_tso_window_not_a_multiple_of_mss, h_teardown),
      cmocka_unit_test_teardown(test_established_tso_max_caps_the_packet, h_teardown),
      cmocka_unit_test_teardown(test_established_tso_timeout_resends_one_mss, h_teardown),
      cmocka_unit_test_teardown(test_established_no_tso_one_mss_per_packet, h_teardown),
      cmocka_unit_test_teardown(test_established_large_segment_carries_ack_and_data, h_teardown),
      cmocka_unit_test_teardown(test_established_partial_checksum_needs_csum_ok, h_teardown),
      cmocka_unit_test(test_config_tso_max_bounds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
