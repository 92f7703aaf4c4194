/* IPv6 header parse and build, the extension header walk (RFC 8200 §4), the pseudo-header
 * checksum (§8.1) and ICMPv6 messages (RFC 4443). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lucidtcp/common.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv6.h"

static const uint8_t SRC[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t DST[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* A packet: the fixed header, then the exts bytes of extension headers (first's kind first),
 * then a 20-byte upper header of kind upper (pkt[6] is first, or upper with no exts). */
static size_t build(uint8_t *pkt, uint8_t first, const uint8_t *exts, size_t ext_len) {
  ltcp_ipv6_hdr h = {.tclass = 0, .flow = 0x12345, .hop_limit = 64, .next = first};
  memcpy(h.src, SRC, 16);
  memcpy(h.dst, DST, 16);
  h.payload_len = (uint16_t)(ext_len + 20);
  size_t n = ltcp_ipv6_write(pkt, &h);
  if (ext_len) memcpy(pkt + n, exts, ext_len);
  memset(pkt + n + ext_len, 0, 20);
  return n + ext_len + 20;
}

static void test_ipv6_parse_plain_tcp(void **state) {
  (void)state;
  uint8_t pkt[128];
  size_t len = build(pkt, LTCP_IPPROTO_TCP, NULL, 0);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_NONE);
  assert_int_equal(h.proto, LTCP_IPPROTO_TCP);
  assert_int_equal(h.off, 40);
  assert_int_equal(h.flow, 0x12345);
  assert_int_equal(h.hop_limit, 64);
  assert_memory_equal(h.src, SRC, 16);
  assert_memory_equal(h.dst, DST, 16);
}

static void test_ipv6_parse_rejects_bad_fixed_headers(void **state) {
  (void)state;
  uint8_t pkt[128];
  ltcp_ipv6_hdr h;
  size_t len = build(pkt, LTCP_IPPROTO_TCP, NULL, 0);
  assert_int_equal(ltcp_ipv6_parse(pkt, 39, &h), LTCP_DROP_IP6_TRUNCATED);
  assert_int_equal(ltcp_ipv6_parse(pkt, len - 1, &h), LTCP_DROP_IP6_PAYLOAD_LEN);
  ltcp_put16(pkt + 4, 0); /* a jumbogram's */
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_PAYLOAD_LEN);
  pkt[0] = 0x45;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_VERSION);
}

static void test_ipv6_walk_hop_by_hop_padding_then_tcp(void **state) {
  (void)state;
  uint8_t pkt[128], ext[8] = {LTCP_IPPROTO_TCP, 0, 1, 2, 0, 0, 0 /* Pad1 */, 0};
  ext[6] = 0; /* PadN of 2 at 2, then two Pad1 */
  size_t len = build(pkt, LTCP_IPPROTO_HOPOPTS, ext, sizeof ext);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_NONE);
  assert_int_equal(h.proto, LTCP_IPPROTO_TCP);
  assert_int_equal(h.off, 48);
}

static void test_ipv6_walk_hop_by_hop_not_first_is_a_parameter_problem(void **state) {
  (void)state;
  uint8_t pkt[128], ext[16] = {LTCP_IPPROTO_HOPOPTS, 0, 1, 4, [8] = LTCP_IPPROTO_TCP, 0, 1, 4};
  size_t len = build(pkt, LTCP_IPPROTO_DSTOPTS, ext, sizeof ext);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_PARAM_PROBLEM);
  assert_int_equal(h.problem_code, 1);
  assert_int_equal(h.problem_ptr, 40); /* the Destination Options header's next header */
}

static void test_ipv6_walk_unknown_next_header_points_at_it(void **state) {
  (void)state;
  uint8_t pkt[128];
  size_t len = build(pkt, 17 /* UDP: not ours */, NULL, 0);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_PARAM_PROBLEM);
  assert_int_equal(h.problem_code, 1);
  assert_int_equal(h.problem_ptr, 6);
}

static void test_ipv6_walk_unknown_option_acts_on_its_high_bits(void **state) {
  (void)state;
  uint8_t pkt[128], ext[8] = {LTCP_IPPROTO_TCP, 0, 0x3e, 4, 0, 0, 0, 0};
  ltcp_ipv6_hdr h;
  size_t len = build(pkt, LTCP_IPPROTO_DSTOPTS, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_NONE); /* 00: skipped */
  ext[2] = 0x7e;
  len = build(pkt, LTCP_IPPROTO_DSTOPTS, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_OPTION_DISCARD);
  ext[2] = 0xbe;
  len = build(pkt, LTCP_IPPROTO_DSTOPTS, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_PARAM_PROBLEM);
  assert_int_equal(h.problem_code, 2);
  assert_int_equal(h.problem_ptr, 42);
  ext[2] = 0xfe;
  len = build(pkt, LTCP_IPPROTO_DSTOPTS, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_PARAM_PROBLEM);
  pkt[24] = 0xff; /* 11 to a multicast destination: silently */
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_OPTION_DISCARD);
}

static void test_ipv6_walk_chain_longer_than_the_packet_is_dropped(void **state) {
  (void)state;
  uint8_t pkt[128], ext[8] = {LTCP_IPPROTO_TCP, 9 /* 80 bytes */, 1, 4};
  size_t len = build(pkt, LTCP_IPPROTO_DSTOPTS, ext, sizeof ext);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_EXT_CHAIN);
  uint8_t bad_opt[8] = {LTCP_IPPROTO_TCP, 0, 1, 9 /* past the header */};
  len = build(pkt, LTCP_IPPROTO_DSTOPTS, bad_opt, sizeof bad_opt);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_EXT_CHAIN);
}

static void test_ipv6_walk_endless_chain_is_dropped(void **state) {
  (void)state;
  uint8_t pkt[256], ext[8 * (LTCP_IPV6_EXT_MAX + 1)];
  for (size_t i = 0; i < sizeof ext; i += 8) {
    memcpy(ext + i, (uint8_t[8]){LTCP_IPPROTO_DSTOPTS, 0, 1, 4}, 8);
  }
  ext[sizeof ext - 8] = LTCP_IPPROTO_TCP;
  size_t len = build(pkt, LTCP_IPPROTO_DSTOPTS, ext, sizeof ext);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_EXT_CHAIN);
}

static void test_ipv6_walk_routing_header_with_segments_left_is_answered(void **state) {
  (void)state;
  uint8_t pkt[128], ext[8] = {LTCP_IPPROTO_TCP, 0, 4 /* type */, 0 /* segments left */};
  ltcp_ipv6_hdr h;
  size_t len = build(pkt, LTCP_IPPROTO_ROUTING, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_NONE);
  ext[3] = 1;
  len = build(pkt, LTCP_IPPROTO_ROUTING, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_PARAM_PROBLEM);
  assert_int_equal(h.problem_code, 0);
  assert_int_equal(h.problem_ptr, 42);
}

static void test_ipv6_walk_atomic_fragment_is_whole_others_are_not(void **state) {
  (void)state;
  uint8_t pkt[128], ext[8] = {LTCP_IPPROTO_TCP, 0, 0, 0, 1, 2, 3, 4};
  ltcp_ipv6_hdr h;
  size_t len = build(pkt, LTCP_IPPROTO_FRAGMENT, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_NONE);
  assert_int_equal(h.off, 48);
  ext[3] = 1; /* M */
  len = build(pkt, LTCP_IPPROTO_FRAGMENT, ext, sizeof ext);
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_FRAGMENT);
  assert_int_equal(h.off, 40);
}

static void test_ipv6_no_next_header_is_dropped(void **state) {
  (void)state;
  uint8_t pkt[128];
  size_t len = build(pkt, LTCP_IPPROTO_NONE, NULL, 0);
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, len, &h), LTCP_DROP_IP6_NO_NEXT);
}

/* A segment summed over an IPv4 pseudo-header of two 32-bit names, then made IPv6's, checks
 * as IPv6 (RFC 8200 §8.1); the partial sum of a checksum offload too. */
static void test_tcp_checksum_to_ipv6_matches_a_direct_sum(void **state) {
  (void)state;
  uint8_t tcp[64];
  ltcp_seg seg = {.src_port = 80, .dst_port = 40000, .seq = 1, .ack = 2, .flags = LTCP_ACK,
                  .wnd = 1000, .len = 7};
  size_t hl = ltcp_tcp_write_header(tcp, sizeof tcp, &seg);
  memcpy(tcp + hl, "payload", 7);
  uint32_t a = 0xe0000000u, b = 0xe0000007u;
  ltcp_tcp_set_checksum(tcp, hl + 7, a, b);
  ltcp_tcp_checksum_to_ipv6(tcp, a, b, SRC, DST, 0);
  ltcp_seg out;
  assert_int_equal(ltcp_tcp_parse_ipv6(tcp, hl + 7, SRC, DST, 1, 2, &out), LTCP_DROP_NONE);
  assert_int_equal(out.src_addr, 1);
  tcp[hl] ^= 1;
  assert_int_equal(ltcp_tcp_parse_ipv6(tcp, hl + 7, SRC, DST, 1, 2, &out), LTCP_DROP_TCP_CHECKSUM);
  /* offload: the partial sum the link completes equals the IPv6 pseudo-header's */
  ltcp_put16(tcp + 16, ltcp_tcp_partial_checksum(hl + 7, a, b));
  ltcp_tcp_checksum_to_ipv6(tcp, a, b, SRC, DST, 1);
  uint32_t want = ltcp_cksum_pseudo_ipv6(SRC, DST, LTCP_IPPROTO_TCP, (uint32_t)(hl + 7));
  assert_int_equal(ltcp_get16(tcp + 16), (uint16_t)~ltcp_cksum_finish(want));
}

static void test_icmpv6_write_then_parse(void **state) {
  (void)state;
  uint8_t msg[64];
  ltcp_icmp_hdr h = {.type = LTCP_ICMPV6_ECHO_REPLY, .rest = 0x12340001, .data = (const uint8_t *)"ping",
                     .data_len = 4};
  size_t n = ltcp_icmpv6_write(msg, sizeof msg, &h, SRC, DST);
  assert_int_equal(n, 12);
  ltcp_icmp_hdr back;
  assert_int_equal(ltcp_icmpv6_parse(msg, n, SRC, DST, &back), LTCP_DROP_NONE);
  assert_int_equal(back.type, LTCP_ICMPV6_ECHO_REPLY);
  assert_int_equal(back.rest, 0x12340001);
  assert_int_equal(ltcp_icmpv6_parse(msg, n, DST, SRC, &back), LTCP_DROP_NONE); /* symmetric */
  uint8_t other[16] = {0xfe, 0x80, [15] = 1};
  assert_int_equal(ltcp_icmpv6_parse(msg, n, other, DST, &back), LTCP_DROP_ICMP_CHECKSUM);
  assert_int_equal(ltcp_icmpv6_parse(msg, 7, SRC, DST, &back), LTCP_DROP_ICMP_TRUNCATED);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ipv6_parse_plain_tcp),
      cmocka_unit_test(test_ipv6_parse_rejects_bad_fixed_headers),
      cmocka_unit_test(test_ipv6_walk_hop_by_hop_padding_then_tcp),
      cmocka_unit_test(test_ipv6_walk_hop_by_hop_not_first_is_a_parameter_problem),
      cmocka_unit_test(test_ipv6_walk_unknown_next_header_points_at_it),
      cmocka_unit_test(test_ipv6_walk_unknown_option_acts_on_its_high_bits),
      cmocka_unit_test(test_ipv6_walk_chain_longer_than_the_packet_is_dropped),
      cmocka_unit_test(test_ipv6_walk_endless_chain_is_dropped),
      cmocka_unit_test(test_ipv6_walk_routing_header_with_segments_left_is_answered),
      cmocka_unit_test(test_ipv6_walk_atomic_fragment_is_whole_others_are_not),
      cmocka_unit_test(test_ipv6_no_next_header_is_dropped),
      cmocka_unit_test(test_tcp_checksum_to_ipv6_matches_a_direct_sum),
      cmocka_unit_test(test_icmpv6_write_then_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
