/* IPv4 header parse and build (RFC 791 §3.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lucidtcp/common.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"

#define PAYLOAD_LEN 12

static ltcp_ipv4_hdr sample_hdr(void) {
  ltcp_ipv4_hdr h = {0};
  h.tos = 0x10;
  h.total_len = LTCP_IPV4_HDR_LEN + PAYLOAD_LEN;
  h.id = 0xbeef;
  h.frag = LTCP_IPV4_DF;
  h.ttl = 64;
  h.proto = LTCP_IPPROTO_TCP;
  h.src = LTCP_IPV4(10, 0, 0, 1);
  h.dst = LTCP_IPV4(10, 0, 0, 2);
  return h;
}

/* A valid 32-byte packet: header + 12 payload bytes. */
static size_t sample_packet(uint8_t *pkt) {
  ltcp_ipv4_hdr h = sample_hdr();
  size_t n = ltcp_ipv4_write(pkt, &h);
  for (size_t i = 0; i < PAYLOAD_LEN; i++) pkt[n + i] = (uint8_t)(0xa0 + i);
  return n + PAYLOAD_LEN;
}

static void fix_checksum(uint8_t *pkt) {
  size_t hl = (size_t)(pkt[0] & 0x0f) * 4;
  ltcp_put16(pkt + 10, 0);
  ltcp_put16(pkt + 10, ltcp_cksum_finish(ltcp_cksum_add(0, pkt, hl)));
}

static void test_ipv4_write_parse_round_trip(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr in = sample_hdr(), out;
  assert_int_equal(ltcp_ipv4_write(pkt, &in), 20);
  assert_int_equal(pkt[0], 0x45);
  size_t len = sample_packet(pkt);
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &out), LTCP_DROP_NONE);
  assert_int_equal(out.hdr_len, 20);
  assert_int_equal(out.tos, in.tos);
  assert_int_equal(out.total_len, in.total_len);
  assert_int_equal(out.id, in.id);
  assert_int_equal(out.frag, in.frag);
  assert_int_equal(out.ttl, in.ttl);
  assert_int_equal(out.proto, in.proto);
  assert_int_equal(out.src, in.src);
  assert_int_equal(out.dst, in.dst);
}

static void test_ipv4_write_checksum_verifies(void **state) {
  (void)state;
  uint8_t pkt[20];
  ltcp_ipv4_hdr h = sample_hdr();
  ltcp_ipv4_write(pkt, &h);
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, pkt, 20)), 0);
}

static void test_ipv4_parse_truncated(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  sample_packet(pkt);
  for (size_t len = 0; len < 20; len++)
    assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_TRUNCATED);
}

static void test_ipv4_parse_version_6(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  pkt[0] = 0x65;
  fix_checksum(pkt);
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_VERSION);
}

static void test_ipv4_parse_ihl_4(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  pkt[0] = 0x44;
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_HDRLEN);
}

/* IHL 15 is 60 bytes, more than the 32 we have. */
static void test_ipv4_parse_ihl_15_beyond_len(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  pkt[0] = 0x4f;
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_HDRLEN);
}

static void test_ipv4_parse_total_len_too_big(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  ltcp_put16(pkt + 2, (uint16_t)(len + 1));
  fix_checksum(pkt);
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_TOTLEN);
}

static void test_ipv4_parse_total_len_below_header(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  ltcp_put16(pkt + 2, 19);
  fix_checksum(pkt);
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_TOTLEN);
}

static void test_ipv4_parse_bad_checksum(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  pkt[10] ^= 0x01;
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_CHECKSUM);
  pkt[10] ^= 0x01;
  pkt[8] ^= 0x80; /* a changed TTL without a new checksum */
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_CHECKSUM);
}

/* The checksum does not cover the payload. */
static void test_ipv4_parse_payload_not_checksummed(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  pkt[25] ^= 0xff;
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_NONE);
}

static void test_ipv4_parse_more_fragments(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  ltcp_put16(pkt + 6, LTCP_IPV4_MF);
  fix_checksum(pkt);
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_FRAGMENT);
}

static void test_ipv4_parse_fragment_offset(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  ltcp_put16(pkt + 6, LTCP_IPV4_DF | 1);
  fix_checksum(pkt);
  assert_int_equal(ltcp_ipv4_parse(pkt, len, &h), LTCP_DROP_IP_FRAGMENT);
}

/* Options are covered by the checksum and skipped; the payload starts after them. */
static void test_ipv4_parse_options_accepted(void **state) {
  (void)state;
  uint8_t pkt[64] = {0};
  ltcp_ipv4_hdr h = sample_hdr();
  h.total_len = 24 + 4;
  ltcp_ipv4_write(pkt, &h);
  pkt[0] = 0x46;
  memcpy(pkt + 20, (const uint8_t[]){1, 1, 1, 0}, 4); /* NOP NOP NOP EOL */
  memcpy(pkt + 24, "data", 4);
  fix_checksum(pkt);
  assert_int_equal(ltcp_ipv4_parse(pkt, 28, &h), LTCP_DROP_NONE);
  assert_int_equal(h.hdr_len, 24);
  assert_int_equal(h.total_len, 28);
  assert_memory_equal(pkt + h.hdr_len, "data", 4);
}

/* Ethernet pads short frames; bytes past total_len are not part of the packet. */
static void test_ipv4_parse_link_padding_ignored(void **state) {
  (void)state;
  uint8_t pkt[64];
  ltcp_ipv4_hdr h;
  size_t len = sample_packet(pkt);
  memset(pkt + len, 0xee, sizeof pkt - len);
  assert_int_equal(ltcp_ipv4_parse(pkt, sizeof pkt, &h), LTCP_DROP_NONE);
  assert_int_equal(h.total_len, len);
}

/* Header-only packet: total_len == hdr_len is a valid empty payload. */
static void test_ipv4_parse_empty_payload(void **state) {
  (void)state;
  uint8_t pkt[20];
  ltcp_ipv4_hdr h = sample_hdr();
  h.total_len = 20;
  ltcp_ipv4_write(pkt, &h);
  assert_int_equal(ltcp_ipv4_parse(pkt, 20, &h), LTCP_DROP_NONE);
  assert_int_equal(h.total_len, 20);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ipv4_write_parse_round_trip),
      cmocka_unit_test(test_ipv4_write_checksum_verifies),
      cmocka_unit_test(test_ipv4_parse_truncated),
      cmocka_unit_test(test_ipv4_parse_version_6),
      cmocka_unit_test(test_ipv4_parse_ihl_4),
      cmocka_unit_test(test_ipv4_parse_ihl_15_beyond_len),
      cmocka_unit_test(test_ipv4_parse_total_len_too_big),
      cmocka_unit_test(test_ipv4_parse_total_len_below_header),
      cmocka_unit_test(test_ipv4_parse_bad_checksum),
      cmocka_unit_test(test_ipv4_parse_payload_not_checksummed),
      cmocka_unit_test(test_ipv4_parse_more_fragments),
      cmocka_unit_test(test_ipv4_parse_fragment_offset),
      cmocka_unit_test(test_ipv4_parse_options_accepted),
      cmocka_unit_test(test_ipv4_parse_link_padding_ignored),
      cmocka_unit_test(test_ipv4_parse_empty_payload),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
