/* SipHash-2-4 against the reference test vectors (Aumasson & Bernstein, vectors.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/siphash.h"

static void siphash_key(uint8_t key[16]) {
  for (int i = 0; i < 16; i++) key[i] = (uint8_t)i;
}

static void test_siphash_empty_message(void **state) {
  (void)state;
  uint8_t key[16];
  siphash_key(key);
  assert_int_equal(ltcp_siphash(key, "", 0), 0x726fdb47dd0e0e31ull);
}

static void test_siphash_fifteen_bytes(void **state) {
  (void)state;
  uint8_t key[16], msg[15];
  siphash_key(key);
  for (int i = 0; i < 15; i++) msg[i] = (uint8_t)i;
  assert_int_equal(ltcp_siphash(key, msg, sizeof msg), 0xa129ca6149be45e5ull);
}

/* Unaligned input gives the same hash as aligned input. */
static void test_siphash_unaligned_input(void **state) {
  (void)state;
  uint8_t key[16], buf[1 + 15];
  siphash_key(key);
  for (int i = 0; i < 15; i++) buf[1 + i] = (uint8_t)i;
  assert_int_equal(ltcp_siphash(key, buf + 1, 15), 0xa129ca6149be45e5ull);
}

static void test_siphash_key_matters(void **state) {
  (void)state;
  uint8_t k1[16], k2[16];
  siphash_key(k1);
  memcpy(k2, k1, 16);
  k2[15] ^= 1;
  const char *msg = "lucidtcp";
  assert_true(ltcp_siphash(k1, msg, 8) != ltcp_siphash(k2, msg, 8));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_siphash_empty_message),
      cmocka_unit_test(test_siphash_fifteen_bytes),
      cmocka_unit_test(test_siphash_unaligned_input),
      cmocka_unit_test(test_siphash_key_matters),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
