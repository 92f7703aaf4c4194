/* ICMPv4 messages (RFC 792). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/icmp.h"

static ltcp_icmp_hdr echo_request(const char *data, size_t n) {
  ltcp_icmp_hdr h = {0};
  h.type = LTCP_ICMP_ECHO_REQUEST;
  h.code = 0;
  h.rest = 0x12340007u; /* identifier 0x1234, sequence 7 */
  h.data = (const uint8_t *)data;
  h.data_len = n;
  return h;
}

static void test_icmp_write_parse_round_trip(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_icmp_hdr in = echo_request("ping data", 9), out;
  size_t len = ltcp_icmp_write(buf, sizeof buf, &in);
  assert_int_equal(len, 17);
  assert_int_equal(ltcp_icmp_parse(buf, len, &out), LTCP_DROP_NONE);
  assert_int_equal(out.type, LTCP_ICMP_ECHO_REQUEST);
  assert_int_equal(out.code, 0);
  assert_int_equal(out.rest, 0x12340007u);
  assert_int_equal(out.data_len, 9);
  assert_ptr_equal(out.data, buf + 8);
  assert_memory_equal(out.data, "ping data", 9);
}

/* RFC 792: the checksum covers the whole message; an odd length pads with zero. */
static void test_icmp_write_checksum_verifies(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_icmp_hdr in = echo_request("abc", 3);
  size_t len = ltcp_icmp_write(buf, sizeof buf, &in);
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, buf, len)), 0);
  assert_int_not_equal(ltcp_get16(buf + 2), 0);
}

static void test_icmp_write_no_data(void **state) {
  (void)state;
  uint8_t buf[8];
  ltcp_icmp_hdr in = echo_request(NULL, 0), out;
  assert_int_equal(ltcp_icmp_write(buf, sizeof buf, &in), 8);
  assert_int_equal(ltcp_icmp_parse(buf, 8, &out), LTCP_DROP_NONE);
  assert_int_equal(out.data_len, 0);
}

static void test_icmp_write_cap_too_small(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_icmp_hdr in = echo_request("0123456789", 10);
  assert_int_equal(ltcp_icmp_write(buf, 17, &in), 0);
  assert_int_equal(ltcp_icmp_write(buf, 7, &in), 0);
  assert_int_equal(ltcp_icmp_write(buf, 18, &in), 18);
}

/* An echo reply built over the request it answers (RFC 792: data returned unchanged). */
static void test_icmp_write_reply_in_place(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_icmp_hdr req = echo_request("in place", 8), got;
  size_t len = ltcp_icmp_write(buf, sizeof buf, &req);
  assert_int_equal(ltcp_icmp_parse(buf, len, &got), LTCP_DROP_NONE);
  got.type = LTCP_ICMP_ECHO_REPLY;
  assert_int_equal(ltcp_icmp_write(buf, sizeof buf, &got), len);
  assert_int_equal(ltcp_icmp_parse(buf, len, &got), LTCP_DROP_NONE);
  assert_int_equal(got.type, LTCP_ICMP_ECHO_REPLY);
  assert_int_equal(got.rest, 0x12340007u);
  assert_memory_equal(got.data, "in place", 8);
}

static void test_icmp_parse_truncated(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_icmp_hdr in = echo_request("", 0), out;
  ltcp_icmp_write(buf, sizeof buf, &in);
  for (size_t len = 0; len < LTCP_ICMP_HDR_LEN; len++)
    assert_int_equal(ltcp_icmp_parse(buf, len, &out), LTCP_DROP_ICMP_TRUNCATED);
}

static void test_icmp_parse_bad_checksum(void **state) {
  (void)state;
  uint8_t buf[64];
  ltcp_icmp_hdr in = echo_request("payload", 7), out;
  size_t len = ltcp_icmp_write(buf, sizeof buf, &in);
  buf[len - 1] ^= 0x01;
  assert_int_equal(ltcp_icmp_parse(buf, len, &out), LTCP_DROP_ICMP_CHECKSUM);
  buf[len - 1] ^= 0x01;
  assert_int_equal(ltcp_icmp_parse(buf, len - 1, &out), LTCP_DROP_ICMP_CHECKSUM);
}

/* Errors carry the offending IP header; parse does not judge types, the IP layer does. */
static void test_icmp_parse_dest_unreach(void **state) {
  (void)state;
  uint8_t buf[64], quoted[28];
  memset(quoted, 0x45, sizeof quoted);
  ltcp_icmp_hdr in = {LTCP_ICMP_DEST_UNREACH, 4, 1400, quoted, sizeof quoted}, out;
  size_t len = ltcp_icmp_write(buf, sizeof buf, &in);
  assert_int_equal(ltcp_icmp_parse(buf, len, &out), LTCP_DROP_NONE);
  assert_int_equal(out.type, LTCP_ICMP_DEST_UNREACH);
  assert_int_equal(out.code, 4);
  assert_int_equal(out.rest & 0xffff, 1400); /* RFC 1191 next-hop MTU */
  assert_int_equal(out.data_len, 28);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_icmp_write_parse_round_trip),
      cmocka_unit_test(test_icmp_write_checksum_verifies),
      cmocka_unit_test(test_icmp_write_no_data),
      cmocka_unit_test(test_icmp_write_cap_too_small),
      cmocka_unit_test(test_icmp_write_reply_in_place),
      cmocka_unit_test(test_icmp_parse_truncated),
      cmocka_unit_test(test_icmp_parse_bad_checksum),
      cmocka_unit_test(test_icmp_parse_dest_unreach),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
