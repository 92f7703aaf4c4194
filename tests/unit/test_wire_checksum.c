/* The Internet checksum (RFC 1071). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/rng.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"

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

/* The reference's folded sum (not complemented) of p, starting from a running sum. */
static uint16_t ref_sum_from(uint32_t sum, const uint8_t *p, size_t len) {
  uint64_t s = sum;
  for (size_t i = 0; i < len; i += 2) s += ((uint32_t)p[i] << 8) + (i + 1 < len ? p[i + 1] : 0);
  while (s >> 16) s = (s & 0xffff) + (s >> 16); /* bound: s shrinks each pass */
  return (uint16_t)s;
}

/* Random bytes, with runs of 0xff and 0x00 so that carries and zero words both occur. */
static void fill_random(ltcp_rng *r, uint8_t *p, size_t len) {
  for (size_t i = 0; i < len; i++) p[i] = (uint8_t)ltcp_rng_next(r);
  for (int k = 0; k < 8; k++) {
    size_t at = ltcp_rng_next(r) % len, n = ltcp_rng_next(r) % 256;
    if (n > len - at) n = len - at;
    memset(p + at, (k & 1) ? 0x00 : 0xff, n);
  }
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

/* Random lengths up to 9000 (beyond a jumbo frame) at random offsets 0..63, from random running
 * sums, agree with the reference. */
static void test_cksum_add_random_lengths_offsets_and_sums(void **state) {
  (void)state;
  static uint8_t buf[9000 + 64];
  ltcp_rng r;
  ltcp_rng_seed(&r, 20261123);
  fill_random(&r, buf, sizeof buf);
  for (int i = 0; i < 3000; i++) {
    size_t off = ltcp_rng_next(&r) % 64, len = ltcp_rng_next(&r) % 9001;
    uint32_t sum = (uint32_t)ltcp_rng_next(&r);
    uint32_t got = ltcp_cksum_add(sum, buf + off, len);
    assert_int_equal(ltcp_cksum_finish(got), (uint16_t)~ref_sum_from(sum, buf + off, len));
  }
}

/* The largest TCP segment of all-0xff bytes: every 64-bit add carries, for 8,000 words. */
static void test_cksum_add_64k_all_ones(void **state) {
  (void)state;
  static uint8_t buf[65536 + 7];
  memset(buf, 0xff, sizeof buf);
  for (size_t off = 0; off < 8; off++)
    assert_int_equal(ltcp_cksum_finish(ltcp_cksum_add(0, buf + off, 65535)),
                     ref_checksum(buf + off, 65535));
}

/* The copy returns what ltcp_cksum_add returns, writes exactly dst[0, len), for any alignment of
 * either side. */
static void test_cksum_copy_matches_add_and_copies(void **state) {
  (void)state;
  static uint8_t src[4096 + 64], dst[4096 + 128], want[4096 + 128];
  ltcp_rng r;
  ltcp_rng_seed(&r, 1624);
  fill_random(&r, src, sizeof src);
  for (int i = 0; i < 2000; i++) {
    size_t soff = ltcp_rng_next(&r) % 64, doff = ltcp_rng_next(&r) % 64;
    size_t len = i < 300 ? (size_t)i : ltcp_rng_next(&r) % 4097;
    uint32_t sum = i & 1 ? (uint32_t)ltcp_rng_next(&r) : 0;
    memset(dst, 0xa5, sizeof dst);
    memcpy(want, dst, sizeof want);
    memcpy(want + doff, src + soff, len);
    uint32_t got = ltcp_cksum_copy(sum, dst + doff, src + soff, len);
    assert_int_equal(got, ltcp_cksum_add(sum, src + soff, len));
    assert_int_equal(ltcp_cksum_finish(got), (uint16_t)~ref_sum_from(sum, src + soff, len));
    assert_memory_equal(dst, want, sizeof dst);
  }
}

/* A buffer cut anywhere, odd cuts included, and each piece summed from 0: combining the pieces
 * at their offsets gives the whole's sum (RFC 1071 §2(B): a piece at an odd offset swaps). */
static void test_cksum_combine_pieces_at_any_offset(void **state) {
  (void)state;
  static uint8_t buf[3000];
  ltcp_rng r;
  ltcp_rng_seed(&r, 791);
  fill_random(&r, buf, sizeof buf);
  for (int i = 0; i < 2000; i++) {
    size_t len = ltcp_rng_next(&r) % sizeof buf, at = 0;
    uint32_t sum = (uint32_t)ltcp_rng_next(&r), whole = sum;
    for (int k = 0; at < len; k++) { /* bound: at grows by at least 1 */
      size_t n = 1 + ltcp_rng_next(&r) % (k < 3 ? 7 : 700);
      if (n > len - at) n = len - at;
      whole = ltcp_cksum_combine(whole, ltcp_cksum_add(0, buf + at, n), at);
      at += n;
    }
    assert_int_equal(ltcp_cksum_finish(whole), (uint16_t)~ref_sum_from(sum, buf, len));
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
      cmocka_unit_test(test_cksum_add_random_lengths_offsets_and_sums),
      cmocka_unit_test(test_cksum_add_64k_all_ones),
      cmocka_unit_test(test_cksum_copy_matches_add_and_copies),
      cmocka_unit_test(test_cksum_combine_pieces_at_any_offset),
      cmocka_unit_test(test_cksum_pseudo_ipv4_matches_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
