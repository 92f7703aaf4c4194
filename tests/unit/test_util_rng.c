/* The PRNG: same seed, same stream; bounds; one draw per chance(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/rng.h"

static void test_rng_next_same_seed_same_stream(void **state) {
  (void)state;
  ltcp_rng a, b;
  ltcp_rng_seed(&a, 42);
  ltcp_rng_seed(&b, 42);
  for (int i = 0; i < 1000; i++) assert_int_equal(ltcp_rng_next(&a), ltcp_rng_next(&b));
}

static void test_rng_next_different_seeds_differ(void **state) {
  (void)state;
  ltcp_rng a, b;
  ltcp_rng_seed(&a, 1);
  ltcp_rng_seed(&b, 2);
  int same = 0;
  for (int i = 0; i < 100; i++) same += ltcp_rng_next(&a) == ltcp_rng_next(&b);
  assert_true(same < 2);
}

static void test_rng_seed_zero_not_stuck(void **state) {
  (void)state;
  ltcp_rng r;
  ltcp_rng_seed(&r, 0); /* xoshiro's all-zero state would be a fixed point */
  uint64_t first = ltcp_rng_next(&r);
  assert_true(first != 0 || ltcp_rng_next(&r) != 0);
}

static void test_rng_below_bounds(void **state) {
  (void)state;
  ltcp_rng r;
  ltcp_rng_seed(&r, 7);
  uint64_t bounds[] = {1, 2, 3, 10, 1000, (1ull << 63) + 1, UINT64_MAX};
  for (size_t b = 0; b < sizeof bounds / sizeof bounds[0]; b++) {
    for (int i = 0; i < 2000; i++) assert_true(ltcp_rng_below(&r, bounds[b]) < bounds[b]);
  }
}

static void test_rng_below_covers_range(void **state) {
  (void)state;
  ltcp_rng r;
  ltcp_rng_seed(&r, 9);
  int seen[6] = {0};
  for (int i = 0; i < 600; i++) seen[ltcp_rng_below(&r, 6)]++;
  for (int v = 0; v < 6; v++) assert_true(seen[v] > 50 && seen[v] < 150);
}

static void test_rng_unit_in_range(void **state) {
  (void)state;
  ltcp_rng r;
  ltcp_rng_seed(&r, 11);
  for (int i = 0; i < 10000; i++) {
    double u = ltcp_rng_unit(&r);
    assert_true(u >= 0.0 && u < 1.0);
  }
}

/* Whatever p is, chance() advances the stream by exactly one draw. */
static void test_rng_chance_draws_one_number(void **state) {
  (void)state;
  double ps[] = {0.0, 1.0, 0.5, -1.0, 2.0, 1e-9};
  for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
    ltcp_rng a, b;
    ltcp_rng_seed(&a, 123);
    ltcp_rng_seed(&b, 123);
    (void)ltcp_rng_chance(&a, ps[i]);
    (void)ltcp_rng_next(&b);
    assert_int_equal(ltcp_rng_next(&a), ltcp_rng_next(&b));
  }
}

static void test_rng_chance_extremes(void **state) {
  (void)state;
  ltcp_rng r;
  ltcp_rng_seed(&r, 5);
  int hits = 0;
  for (int i = 0; i < 1000; i++) {
    assert_false(ltcp_rng_chance(&r, 0.0));
    assert_true(ltcp_rng_chance(&r, 1.0));
    hits += ltcp_rng_chance(&r, 0.5);
  }
  assert_true(hits > 400 && hits < 600);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rng_next_same_seed_same_stream),
      cmocka_unit_test(test_rng_next_different_seeds_differ),
      cmocka_unit_test(test_rng_seed_zero_not_stuck),
      cmocka_unit_test(test_rng_below_bounds),
      cmocka_unit_test(test_rng_below_covers_range),
      cmocka_unit_test(test_rng_unit_in_range),
      cmocka_unit_test(test_rng_chance_draws_one_number),
      cmocka_unit_test(test_rng_chance_extremes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
