/* ICMPv6 errors for a connection over IPv6 (RFC 4443 §3, RFC 8201, RFC 5927), through the
 * single-stack harness in its IPv6 mode: the MSS is the MTU less 60; a "packet too big" for
 * data in flight lowers it and resends from SND.UNA, never below 1280 - 60; one quoting data
 * not in flight, or a connection we do not have, is a counted drop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/ipv6.h"
#include "support/harness.h"

static const uint8_t LOCAL6[16] = H_LOCAL6, REMOTE6[16] = H_REMOTE6;
static uint8_t pattern[4096];

/* The remote sends an ICMPv6 error quoting our segment (ports, seq) to it. */
static void send_icmp6(h_harness *h, uint8_t type, uint8_t code, uint32_t rest, uint32_t seq,
                       uint16_t rport) {
  uint8_t quote[48], msg[64], pkt[128];
  ltcp_ipv6_hdr q = {.next = LTCP_IPPROTO_TCP, .hop_limit = 64, .payload_len = 1460};
  memcpy(q.src, LOCAL6, 16);
  memcpy(q.dst, REMOTE6, 16);
  ltcp_ipv6_write(quote, &q);
  ltcp_put16(quote + 40, h->lport);
  ltcp_put16(quote + 42, rport);
  ltcp_put32(quote + 44, seq);
  ltcp_icmp_hdr m = {.type = type, .code = code, .rest = rest, .data = quote, .data_len = 48};
  size_t n = ltcp_icmpv6_write(msg, sizeof msg, &m, REMOTE6, LOCAL6);
  ltcp_ipv6_hdr ip = {.next = LTCP_IPPROTO_ICMPV6, .hop_limit = 64, .payload_len = (uint16_t)n};
  memcpy(ip.src, REMOTE6, 16);
  memcpy(ip.dst, LOCAL6, 16);
  ltcp_ipv6_write(pkt, &ip);
  memcpy(pkt + 40, msg, n);
  h_send_raw(h, pkt, 40 + n);
}

static void established_with_data_in_flight(h_harness *h) {
  h_ipv6 = 1;
  h_init(h, NULL);
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send(h->st, h->fd, pattern, 3000, 0), 3000);
  h_expect_len(h, LTCP_ACK, h->iss + 1, h->irs + 1, 1440); /* 1500 - 60 */
  h_expect_len(h, LTCP_ACK, h->iss + 1441, h->irs + 1, 1440);
  h_expect_len(h, LTCP_PSH | LTCP_ACK, h->iss + 2881, h->irs + 1, 120);
  h_expect_none(h);
}

/* RFC 8201 §4-5, RFC 5927 §4.1: believed for data in flight; the MSS falls to 1280 - 60 and
 * what was sent goes again from SND.UNA at the new size. */
static void test_ipv6_packet_too_big_lowers_the_mss(void **state) {
  (void)state;
  h_harness h;
  established_with_data_in_flight(&h);
  send_icmp6(&h, LTCP_ICMPV6_PACKET_TOO_BIG, 0, 1280, h.iss + 1, h.rport);
  assert_int_equal(ltcp_stack_stats(h.st)->pmtu_lowered, 1);
  h_expect_len(&h, LTCP_ACK, h.iss + 1, h.irs + 1, 1220);
  h_free(&h);
}

/* RFC 8201 §4: an MTU below 1280 counts as 1280. */
static void test_ipv6_packet_too_big_never_below_1280(void **state) {
  (void)state;
  h_harness h;
  established_with_data_in_flight(&h);
  send_icmp6(&h, LTCP_ICMPV6_PACKET_TOO_BIG, 0, 576, h.iss + 1, h.rport);
  h_expect_len(&h, LTCP_ACK, h.iss + 1, h.irs + 1, 1220);
  h_free(&h);
}

/* RFC 5927 §4.1: an error quoting a sequence number not in flight, or a connection we do not
 * have, is dropped and counted; nothing is sent. */
static void test_ipv6_icmp_error_not_in_flight_or_no_connection_dropped(void **state) {
  (void)state;
  h_harness h;
  established_with_data_in_flight(&h);
  const ltcp_stats *s = ltcp_stack_stats(h.st);
  send_icmp6(&h, LTCP_ICMPV6_PACKET_TOO_BIG, 0, 1280, h.iss + 5000, h.rport);
  assert_int_equal(s->drops[LTCP_DROP_ICMP_OUT_OF_WINDOW], 1);
  send_icmp6(&h, LTCP_ICMPV6_DEST_UNREACH, 4, 0, h.iss + 1, (uint16_t)(h.rport + 1));
  assert_int_equal(s->drops[LTCP_DROP_ICMP_NO_CONN], 1);
  assert_int_equal(s->pmtu_lowered, 0);
  h_expect_none(&h);
  h_free(&h);
}

int main(void) {
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 7 + 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_ipv6_packet_too_big_lowers_the_mss, h_teardown),
      cmocka_unit_test_teardown(test_ipv6_packet_too_big_never_below_1280, h_teardown),
      cmocka_unit_test_teardown(test_ipv6_icmp_error_not_in_flight_or_no_connection_dropped,
                                h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
