/* The byte ring behind the send and receive buffers: it allocates as data arrives, doubling up to
 * its capacity, keeps every byte where it belongs when it grows, and stays within the budget. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/ring.h"
#include "lucidtcp/wire/checksum.h"

static uint8_t pattern(uint32_t i) { return (uint8_t)(i * 31 + 7); }

static void test_ring_append_allocates_small_then_doubles(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 65536};
  uint8_t b[1] = {42};
  assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, b, 1), 1);
  assert_true(r.alloc > 0 && r.alloc <= 4096); /* one byte does not cost the whole capacity */
  uint8_t big[65536];
  for (uint32_t i = 0; i < sizeof big; i++) big[i] = pattern(i);
  assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, big, sizeof big), 65535); /* capped at cap */
  assert_int_equal(r.alloc, 65536);
  uint8_t out[65536];
  ltcp_ring_copy_out(&r, 0, out, 65536);
  assert_int_equal(out[0], 42);
  assert_memory_equal(out + 1, big, 65535);
  ltcp_ring_clear(&r, NULL);
}

static void test_ring_growth_keeps_wrapped_bytes(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 100000};
  uint8_t data[100000];
  for (uint32_t i = 0; i < sizeof data; i++) data[i] = pattern(i);
  /* Wrap a small allocation: append 1500 (2048 bytes), consume 1200, append 1000 (wraps). */
  assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, data, 1500), 1500);
  ltcp_ring_consume(&r, 1200);
  assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, data + 1500, 1000), 1000);
  /* Forcing growth keeps the wrapped bytes in order. */
  assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, data + 2500, 5000), 5000);
  assert_true(r.alloc >= 6300);
  uint8_t out[8000];
  ltcp_ring_copy_out(&r, 0, out, r.len);
  assert_memory_equal(out, data + 1200, 6300);
  ltcp_ring_clear(&r, NULL);
  assert_null(r.buf);
  assert_int_equal(r.alloc, 0);
}

/* tcp/mem.h: every allocation is counted in the budget and given back when freed; at the limit
 * the ring fills only what it holds; above the pressure mark a send buffer (mark PRESSURE)
 * grows no further than LTCP_MEM_BUF_MIN while a receive ring (mark LIMIT) still may. */
static void test_ring_append_within_memory_budget(void **state) {
  (void)state;
  ltcp_stats stats = {0};
  ltcp_stack_config cfg = {.mem_limit = 8192, .mem_pressure = 2048};
  ltcp_mem m;
  ltcp_mem_init(&m, &cfg, &stats);
  ltcp_ring snd = {.cap = 65536}, rcv = {.cap = 65536};
  uint8_t data[16384] = {0};
  assert_int_equal(ltcp_ring_append(&snd, &m, LTCP_MEM_PRESSURE, data, 1000), 1000);
  assert_int_equal(stats.buf_mem, 1024);
  assert_int_equal(ltcp_ring_append(&snd, &m, LTCP_MEM_PRESSURE, data, 2000), 2000); /* 4096: MIN */
  assert_int_equal(stats.buf_mem, 4096);
  assert_int_equal(ltcp_ring_room(&snd, &m, LTCP_MEM_PRESSURE), 1096); /* no 8192 above 2048 */
  assert_int_equal(ltcp_ring_append(&snd, &m, LTCP_MEM_PRESSURE, data, 2000), 1096);
  assert_int_equal(ltcp_ring_append(&rcv, &m, LTCP_MEM_LIMIT, data, 4000), 4000); /* 4096 */
  assert_int_equal(stats.buf_mem, 8192);
  assert_int_equal(ltcp_ring_append(&rcv, &m, LTCP_MEM_LIMIT, data, 1000), 96); /* the limit */
  assert_int_equal(ltcp_ring_append(&rcv, &m, LTCP_MEM_LIMIT, data, 1000), 0);
  assert_int_equal(stats.buf_mem_peak, 8192);
  ltcp_ring_clear(&snd, &m);
  ltcp_ring_clear(&rcv, &m);
  assert_int_equal(stats.buf_mem, 0);
  ltcp_mem_free(&m);
}

static void test_ring_tiny_capacity_allocates_only_cap(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 100};
  uint8_t data[200] = {0};
  assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, data, 200), 100);
  assert_int_equal(r.alloc, 100);
  ltcp_ring_clear(&r, NULL);
}

/* Copy-out with the checksum: every wrap point (odd ones swap the second piece's sum, RFC 1071
 * §2(B)) gives the bytes copy_out gives and the sum of those bytes. */
static void test_ring_copy_out_sum_across_the_wrap(void **state) {
  (void)state;
  ltcp_ring r = {.cap = 2048};
  uint8_t data[2048], want[1500], got[1500 + 1];
  for (uint32_t i = 0; i < sizeof data; i++) data[i] = pattern(i * 13);
  assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, data, 1500), 1500); /* allocates 2048: wraps there */
  ltcp_ring_consume(&r, 1500);
  for (uint32_t step = 0; step < 2048; step += 1 + step % 7) {
    ltcp_ring_consume(&r, r.len);
    assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, data, 1 + step % 5), 1 + step % 5);
    ltcp_ring_consume(&r, r.len); /* moves head through every residue, odd and even */
    assert_int_equal(ltcp_ring_append(&r, NULL, LTCP_MEM_LIMIT, data + step % 500, 1500), 1500);
    uint32_t off = step % 3, n = 1500 - off - step % 11;
    ltcp_ring_copy_out(&r, off, want, n);
    got[n] = 0x5a;
    uint32_t sum = ltcp_ring_copy_out_sum(&r, off, got, n);
    assert_memory_equal(got, want, n);
    assert_int_equal(got[n], 0x5a);
    assert_int_equal(ltcp_cksum_finish(sum), ltcp_cksum_finish(ltcp_cksum_add(0, want, n)));
  }
  assert_int_equal(ltcp_ring_copy_out_sum(&r, 0, got, 0), 0);
  ltcp_ring_clear(&r, NULL);
}

/* tcp/mem.h: a ring's first allocation goes back to the stack's pool when freed, and the next
 * ring takes it from there rather than from malloc (a burst of short connections would
 * otherwise give the heap's top back to the kernel and fault it in again); a grown ring's
 * first allocation goes to the pool too; the pool never holds more than the budget's limit;
 * ltcp_mem_trim empties it. */
static void test_ring_first_allocations_are_pooled_within_the_limit(void **state) {
  (void)state;
  ltcp_stats stats = {0};
  ltcp_stack_config cfg = {.mem_limit = 2048 + 2 * LTCP_MEM_RING_FIRST};
  ltcp_mem m;
  ltcp_mem_init(&m, &cfg, &stats);
  uint8_t b[4] = {1, 2, 3, 4};
  ltcp_ring r1 = {.cap = 65536}, r2 = {.cap = 65536}, r3 = {.cap = 65536};
  assert_int_equal(ltcp_ring_append(&r1, &m, LTCP_MEM_LIMIT, b, 1), 1);
  assert_int_equal(r1.alloc, LTCP_MEM_RING_FIRST);
  uint8_t *first = r1.buf;
  ltcp_ring_clear(&r1, &m);
  assert_int_equal(m.rings.count, 1);
  assert_int_equal(m.used, 0);
  /* The next ring reuses it, and holds the right bytes. */
  assert_int_equal(ltcp_ring_append(&r2, &m, LTCP_MEM_LIMIT, b, 4), 4);
  assert_ptr_equal(r2.buf, first);
  assert_int_equal(m.rings.count, 0);
  uint8_t out[4];
  ltcp_ring_copy_out(&r2, 0, out, 4);
  assert_memory_equal(out, b, 4);
  /* Growing past the first allocation pools it. */
  uint8_t big[1500] = {0};
  assert_int_equal(ltcp_ring_append(&r2, &m, LTCP_MEM_LIMIT, big, sizeof big), sizeof big);
  assert_int_equal(r2.alloc, 2048); /* the first power of two that holds 1504 bytes */
  assert_int_equal(m.rings.count, 1);
  ltcp_ring_clear(&r2, &m); /* 2 KiB: back to malloc, not the pool */
  assert_int_equal(m.rings.count, 1);
  assert_int_equal(m.used, 0);
  /* Taken and given back, a block returns to the pool. */
  assert_int_equal(ltcp_ring_append(&r1, &m, LTCP_MEM_LIMIT, b, 1), 1);
  assert_int_equal(ltcp_ring_append(&r3, &m, LTCP_MEM_LIMIT, b, 1), 1);
  assert_int_equal(m.rings.count, 0);
  ltcp_ring_clear(&r1, &m);
  ltcp_ring_clear(&r3, &m);
  assert_int_equal(m.rings.count, 2);
  /* The pool stops at the limit: in a budget of two first blocks, a third given is freed. */
  ltcp_stats stats2 = {0};
  ltcp_stack_config small = {.mem_limit = 2 * LTCP_MEM_RING_FIRST};
  ltcp_mem m2;
  ltcp_mem_init(&m2, &small, &stats2);
  for (int i = 0; i < 3; i++) ltcp_mem_ring_give(&m2, malloc(LTCP_MEM_RING_FIRST));
  assert_int_equal(m2.rings.count, 2); /* the third went to free (ASan sees no leak) */
  ltcp_mem_free(&m2);
  assert_int_equal(m2.rings.count, 0);
  ltcp_mem_trim(&m);
  assert_int_equal(m.rings.count, 0);
  assert_null(m.rings.head);
  ltcp_mem_free(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ring_append_allocates_small_then_doubles),
      cmocka_unit_test(test_ring_growth_keeps_wrapped_bytes),
      cmocka_unit_test(test_ring_append_within_memory_budget),
      cmocka_unit_test(test_ring_tiny_capacity_allocates_only_cap),
      cmocka_unit_test(test_ring_copy_out_sum_across_the_wrap),
      cmocka_unit_test(test_ring_first_allocations_are_pooled_within_the_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
