/* The Internet checksum (RFC 1071). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/rng.h"
#include "wire/bytes.h"
#include "wire/checksum.h"

/* The obvious byte-by-byte version, to compare the fast one against. */
static uint16_t ref_checksum(const uint8_t *p, size_t len) {
  uint32_t s = 0;
  for (size_t i = 0; i < len; i += 2) {
    s += (uint32_t)p[i] << 8;
    if (i + 1 < len) s += p[i + 1];
    s = (s & 0xffff) + (s >> 16);
  }
  return (uint16_t)~s;
}

/* RFC 1071 §3: the sum of 0001 f203 f4f5 f6f7 is ddf2. */
static void test_cksum_add_rfc1071_example(void **state) {
  (void)state;
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, data, sizeof data)), 0x220d);
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, data, sizeof data)),
                   ref_checksum(data, sizeof data));
}

static void test_cksum_add_empty(void **state) {
  (void)state;
  assert_int_equal(ltcp_cksum_add(1234, "", 0), 1234);
  assert_int_equal(ltcp_cksum_finish(0), 0xffff);
}

/* An odd last byte is the high byte of a word padded with zero. */
static void test_cksum_add_odd_length(void **state) {
  (void)state;
  const uint8_t one[] = {0xab};
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, one, 1)), (uint16_t)~0xab00);
  const uint8_t three[] = {0x12, 0x34, 0x56};
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, three, 3)),
                   (uint16_t)~(0x1234 + 0x5600));
}

/* Every length 0..300 at every offset 0..7 agrees with the reference. */
static void test_cksum_add_lengths_and_offsets(void **state) {
  (void)state;
  uint8_t buf[320];
  ltcp_rng r;
  ltcp_rng_seed(&r, 1071);
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)ltcp_rng_next(&r);
  for (size_t off = 0; off < 8; off++) {
    for (size_t len = 0; len <= 300; len++) {
      assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, buf + off, len)),
                       ref_checksum(buf + off, len));
    }
  }
}

/* Carries: all-0xff data makes every word add overflow. */
static void test_cksum_add_all_ones(void **state) {
  (void)state;
  uint8_t buf[4096];
  memset(buf, 0xff, sizeof buf);
  for (size_t len = 0; len <= sizeof buf; len += 97) {
    assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, buf, len)), ref_checksum(buf, len));
  }
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0xffffffffu, buf, sizeof buf)),
                   ltcp_cksum_finish(ltcp_cksum_add(0xffffffffu, buf, sizeof buf - 2)));
}

/* Chaining at even boundaries equals one call over the whole. */
static void test_cksum_add_chained(void **state) {
  (void)state;
  uint8_t buf[101];
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 37 + 11);
  uint32_t s = ltcp_cksum_add(0, buf, 10);
  s = ltcp_cksum_add(s, buf + 10, 36);
  s = ltcp_cksum_add(s, buf + 46, 55);
  assert_int_equal(ltcp_cksum_finish(s), ref_checksum(buf, sizeof buf));
}

/* Data that carries its own checksum sums to zero (RFC 1071 §1, receiver check). */
static void test_cksum_finish_verifies_to_zero(void **state) {
  (void)state;
  uint8_t buf[64];
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7 + 3);
  for (size_t len = 2; len <= sizeof buf; len += 2) {
    ltcp_put16(buf, 0);
    ltcp_put16(buf, ltcp_cksum_finish(ltcp_cksum_add(0, buf, len)));
    assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, buf, len)), 0);
  }
}

/* RFC 9293 §3.1 pseudo-header: src, dst, zero, protocol, length. */
static void test_cksum_pseudo_ipv4_matches_bytes(void **state) {
  (void)state;
  uint8_t ph[12];
  ltcp_put32(ph, 0xc0a80001u);
  ltcp_put32(ph + 4, 0xfffffffeu);
  ph[8] = 0;
  ph[9] = 6;
  ltcp_put16(ph + 10, 0xfff0);
  assert_int_equal(ltcp_cksum_finish(ltcp_cksum_pseudo_ipv4(0xc0a80001u, 0xfffffffeu, 6, 0xfff0)),
                   ref_checksum(ph, sizeof ph));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cksum_add_rfc1071_example),
      cmocka_unit_test(test_cksum_add_empty),
      cmocka_unit_test(test_cksum_add_odd_length),
      cmocka_unit_test(test_cksum_add_lengths_and_offsets),
      cmocka_unit_test(test_cksum_add_all_ones),
      cmocka_unit_test(test_cksum_add_chained),
      cmocka_unit_test(test_cksum_finish_verifies_to_zero),
      cmocka_unit_test(test_cksum_pseudo_ipv4_matches_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
