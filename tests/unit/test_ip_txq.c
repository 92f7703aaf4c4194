/* The output queue (src/ip/txq.h): packets of any size up to the slot lie packed in one byte
 * ring; each comes out whole, in order, however the ring wraps, and a queue of cap packets
 * always has room for one more of the largest size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ip/txq.h"
#include "util/rng.h"

#define CAP 64
#define SLOT 1500

/* A packet of len bytes, each its sequence number's low byte plus its offset. */
static void fill(uint8_t *p, uint32_t len, uint32_t seq) {
  for (uint32_t i = 0; i < len; i++) p[i] = (uint8_t)(seq + i);
}

static int intact(const uint8_t *p, uint32_t len, uint32_t seq) {
  for (uint32_t i = 0; i < len; i++)
    if (p[i] != (uint8_t)(seq + i)) return 0;
  return 1;
}

static void test_small_packets_lie_packed(void **state) {
  (void)state;
  ltcp_txq q = {0};
  assert_int_equal(ltcp_txq_init(&q, CAP, SLOT, 0), 0);
  uint8_t *first = ltcp_txq_alloc(&q, 1);
  ltcp_txq_commit(&q, 60, 0);
  uint8_t *second = ltcp_txq_alloc(&q, 1);
  /* The second starts right after the first (rounded up to 16), not a slot later. */
  assert_ptr_equal(second, first + 64);
  ltcp_txq_free(&q);
}

static void test_drained_queue_starts_again_at_byte_0(void **state) {
  (void)state;
  ltcp_txq q = {0};
  assert_int_equal(ltcp_txq_init(&q, CAP, SLOT, 0), 0);
  uint8_t *start = ltcp_txq_alloc(&q, 1);
  for (int i = 0; i < 3; i++) ltcp_txq_commit(&q, 100, 0), (void)ltcp_txq_alloc(&q, 1);
  for (int i = 0; i < 3; i++) ltcp_txq_pop(&q);
  assert_ptr_equal(ltcp_txq_alloc(&q, 1), start);
  ltcp_txq_free(&q);
}

/* Random sizes, random fill levels, many wraps: every packet comes out whole and in order, and
 * there is room whenever fewer than cap are queued. */
static void test_packets_come_out_whole_in_order_across_wraps(void **state) {
  (void)state;
  ltcp_txq q = {0};
  assert_int_equal(ltcp_txq_init(&q, CAP, SLOT, 1), 0);
  ltcp_rng rng;
  ltcp_rng_seed(&rng, 7);
  uint32_t lens[CAP], next_in = 0, next_out = 0;
  for (int round = 0; round < 20000; round++) {
    int push = q.count == 0 || (q.count < CAP && ltcp_rng_next(&rng) % 3 != 0);
    if (push) {
      uint8_t *p = ltcp_txq_alloc(&q, 0); /* control: up to cap */
      assert_non_null(p);
      uint32_t r = (uint32_t)ltcp_rng_next(&rng) % 4;
      uint32_t len = r == 0 ? SLOT : 40 + (uint32_t)ltcp_rng_next(&rng) % (r == 1 ? 60 : SLOT - 40);
      assert_true(p + SLOT <= q.buf + q.bytes);
      fill(p, len, next_in);
      ltcp_txq_commit(&q, len, len > 1000 ? 1000 : 0);
      lens[next_in % CAP] = len;
      next_in++;
    } else {
      const uint8_t *p;
      size_t len = ltcp_txq_peek(&q, &p);
      assert_int_equal(len, lens[next_out % CAP]);
      assert_int_equal(ltcp_txq_seg_size(&q), len > 1000 ? 1000 : 0);
      assert_true(intact(p, (uint32_t)len, next_out));
      ltcp_txq_pop(&q);
      next_out++;
    }
  }
  assert_true(next_out > 5000);
  ltcp_txq_free(&q);
}

static void test_full_queue_refuses_new_data_before_control(void **state) {
  (void)state;
  ltcp_txq q = {0};
  assert_int_equal(ltcp_txq_init(&q, CAP, SLOT, 0), 0);
  uint32_t n = 0;
  while (ltcp_txq_alloc(&q, 1)) ltcp_txq_commit(&q, SLOT, 0), n++;
  assert_int_equal(n, q.data_cap);
  while (ltcp_txq_alloc(&q, 0)) ltcp_txq_commit(&q, SLOT, 0), n++;
  assert_int_equal(n, CAP);
  ltcp_txq_free(&q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_small_packets_lie_packed),
      cmocka_unit_test(test_drained_queue_starts_again_at_byte_0),
      cmocka_unit_test(test_packets_come_out_whole_in_order_across_wraps),
      cmocka_unit_test(test_full_queue_refuses_new_data_before_control),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
