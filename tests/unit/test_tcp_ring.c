/* The byte ring behind the send and receive buffers: it allocates as data arrives, doubling up to
 * its capacity, and keeps every byte where it belongs (out-of-order ones too) when it grows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/ring.h"
#include "lucidtcp/wire/checksum.h"

static uint8_t pattern(uint32_t i) { return (uint8_t)(i * 31 + 7); }

static void test_ring_append_allocates_small_then_doubles(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 65536};
  uint8_t b[1] = {42};
  assert_int_equal(ltcp_ring_append(&r, b, 1), 1);
  assert_true(r.alloc > 0 && r.alloc <= 4096); /* one byte does not cost the whole capacity */
  uint8_t big[65536];
  for (uint32_t i = 0; i < sizeof big; i++) big[i] = pattern(i);
  assert_int_equal(ltcp_ring_append(&r, big, sizeof big), 65535); /* capped at cap */
  assert_int_equal(r.alloc, 65536);
  uint8_t out[65536];
  ltcp_ring_copy_out(&r, 0, out, 65536);
  assert_int_equal(out[0], 42);
  assert_memory_equal(out + 1, big, 65535);
  ltcp_ring_clear(&r);
}

static void test_ring_growth_keeps_wrapped_and_out_of_order_bytes(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 100000};
  uint8_t data[100000];
  for (uint32_t i = 0; i < sizeof data; i++) data[i] = pattern(i);
  /* Wrap a small allocation: append 1500 (2048 bytes), consume 1200, append 1000 (wraps). */
  assert_int_equal(ltcp_ring_append(&r, data, 1500), 1500);
  ltcp_ring_consume(&r, 1200);
  assert_int_equal(ltcp_ring_append(&r, data + 1500, 1000), 1000);
  /* Out-of-order bytes 500 beyond len, forcing growth. */
  assert_int_equal(ltcp_ring_write_at(&r, r.len + 500, data + 3000, 5000), 0);
  assert_true(r.alloc >= r.len + 5500);
  uint8_t out[8000];
  ltcp_ring_copy_out(&r, 0, out, r.len);
  assert_memory_equal(out, data + 1200, 1300);
  ltcp_ring_copy_out(&r, r.len + 500, out, 5000);
  assert_memory_equal(out, data + 3000, 5000);
  ltcp_ring_clear(&r);
  assert_null(r.buf);
  assert_int_equal(r.alloc, 0);
}

static void test_ring_tiny_capacity_allocates_only_cap(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 100};
  uint8_t data[200] = {0};
  assert_int_equal(ltcp_ring_append(&r, data, 200), 100);
  assert_int_equal(r.alloc, 100);
  ltcp_ring_clear(&r);
}

/* Copy-out with the checksum: every wrap point (odd ones swap the second piece's sum, RFC 1071
 * §2(B)) gives the bytes copy_out gives and the sum of those bytes. */
static void test_ring_copy_out_sum_across_the_wrap(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 2048};
  uint8_t data[2048], want[1500], got[1500 + 1];
  for (uint32_t i = 0; i < sizeof data; i++) data[i] = pattern(i * 13);
  assert_int_equal(ltcp_ring_append(&r, data, 1500), 1500); /* allocates 2048: wraps there */
  ltcp_ring_consume(&r, 1500);
  for (uint32_t step = 0; step < 2048; step += 1 + step % 7) {
    ltcp_ring_consume(&r, r.len);
    assert_int_equal(ltcp_ring_append(&r, data, 1 + step % 5), 1 + step % 5);
    ltcp_ring_consume(&r, r.len); /* moves head through every residue, odd and even */
    assert_int_equal(ltcp_ring_append(&r, data + step % 500, 1500), 1500);
    uint32_t off = step % 3, n = 1500 - off - step % 11;
    ltcp_ring_copy_out(&r, off, want, n);
    got[n] = 0x5a;
    uint32_t sum = ltcp_ring_copy_out_sum(&r, off, got, n);
    assert_memory_equal(got, want, n);
    assert_int_equal(got[n], 0x5a);
    assert_int_equal(ltcp_cksum_finish(sum), ltcp_cksum_finish(ltcp_cksum_add(0, want, n)));
  }
  assert_int_equal(ltcp_ring_copy_out_sum(&r, 0, got, 0), 0);
  ltcp_ring_clear(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ring_append_allocates_small_then_doubles),
      cmocka_unit_test(test_ring_growth_keeps_wrapped_and_out_of_order_bytes),
      cmocka_unit_test(test_ring_tiny_capacity_allocates_only_cap),
      cmocka_unit_test(test_ring_copy_out_sum_across_the_wrap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
