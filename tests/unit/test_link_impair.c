/* The fault injector that wraps a real link: its spec parser and its queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lucidtcp/impair.h"

static const uint8_t pkt_a[4] = {1, 2, 3, 4};

static void test_impair_parse_all_items(void **state) {
  (void)state;
  ltcp_impair_config c;
  char bad[64];
  assert_int_equal(ltcp_impair_parse("delay=10ms,jitter=2ms,loss=5%,duplicate=0.01,reorder=10%,"
                                     "corrupt=0.5%,seed=7,dir=in", &c, bad, sizeof bad), 0);
  assert_int_equal(c.delay_ns, LTCP_MS(10));
  assert_int_equal(c.jitter_ns, LTCP_MS(2));
  assert_true(c.loss > 0.0499 && c.loss < 0.0501);
  assert_true(c.duplicate > 0.0099 && c.duplicate < 0.0101);
  assert_true(c.reorder > 0.0999 && c.reorder < 0.1001);
  assert_true(c.corrupt > 0.0049 && c.corrupt < 0.0051);
  assert_int_equal(c.seed, 7);
  assert_true(c.in && !c.out);
}

static void test_impair_parse_defaults_both_directions(void **state) {
  (void)state;
  ltcp_impair_config c;
  char bad[64];
  assert_int_equal(ltcp_impair_parse("delay=1s", &c, bad, sizeof bad), 0);
  assert_int_equal(c.delay_ns, LTCP_SEC(1));
  assert_true(c.in && c.out);
  assert_true(c.loss == 0);
}

static void test_impair_parse_bad_item_named(void **state) {
  (void)state;
  ltcp_impair_config c;
  char bad[64];
  const char *specs[] = {"loss=2", "loss=150%", "delay=-1ms", "delay=5parsecs", "frobnicate=1",
                         "dir=sideways", "seed=-1", "loss"};
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    assert_int_equal(ltcp_impair_parse(specs[i], &c, bad, sizeof bad), LTCP_EINVAL);
    assert_string_equal(bad, specs[i]);
  }
}

static void test_impair_explain_names_the_limit(void **state) {
  (void)state;
  char why[160];
  static const struct {
    const char *bad, *why;
  } cases[] = {
      {"loss=200%", "loss must be a probability from 0 to 100% (5% or 0.05)"},
      {"corrupt=2", "corrupt must be a probability from 0 to 100% (5% or 0.05)"},
      {"delay=5parsecs", "delay must be a time from 0 to 3600 s (10ms, 500us, 2s; a bare number "
                         "is milliseconds)"},
      {"dir=sideways", "dir must be in, out or both"},
      {"seed=-1", "seed must be a non-negative integer"},
      {"loss", "loss wants a value: loss=VALUE"},
      {"frobnicate=1", "unknown item 'frobnicate': the items are delay, jitter, loss, duplicate, "
                       "reorder, corrupt, seed and dir"},
      {"too many items", "at most 32 items"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_string_equal(ltcp_impair_explain(cases[i].bad, why, sizeof why), cases[i].why);
}

static ltcp_impair *impair_from(const char *spec, uint32_t cap) {
  ltcp_impair_config c;
  char bad[64];
  assert_int_equal(ltcp_impair_parse(spec, &c, bad, sizeof bad), 0);
  return ltcp_impair_new(&c, cap, 64);
}

static void test_impair_push_delay_holds_until_due(void **state) {
  (void)state;
  ltcp_impair *im = impair_from("delay=10ms", 8);
  const uint8_t *p;
  ltcp_impair_push(im, LTCP_MS(100), pkt_a, sizeof pkt_a);
  assert_int_equal(ltcp_impair_next_due(im), LTCP_MS(110));
  assert_int_equal(ltcp_impair_peek(im, LTCP_MS(109), &p), 0);
  assert_int_equal(ltcp_impair_peek(im, LTCP_MS(110), &p), sizeof pkt_a);
  assert_memory_equal(p, pkt_a, sizeof pkt_a);
  ltcp_impair_pop(im);
  assert_int_equal(ltcp_impair_next_due(im), LTCP_TIME_NEVER);
  ltcp_impair_free(im);
}

static void test_impair_push_keeps_order_for_equal_delay(void **state) {
  (void)state;
  ltcp_impair *im = impair_from("delay=1ms", 64);
  const uint8_t *p;
  for (uint8_t i = 0; i < 50; i++) ltcp_impair_push(im, 0, &i, 1);
  for (uint8_t i = 0; i < 50; i++) {
    assert_int_equal(ltcp_impair_peek(im, LTCP_MS(1), &p), 1);
    assert_int_equal(p[0], i);
    ltcp_impair_pop(im);
  }
  ltcp_impair_free(im);
}

static void test_impair_push_loss_all_drops_all(void **state) {
  (void)state;
  ltcp_impair *im = impair_from("loss=100%", 8);
  for (int i = 0; i < 20; i++) ltcp_impair_push(im, 0, pkt_a, sizeof pkt_a);
  assert_int_equal(ltcp_impair_next_due(im), LTCP_TIME_NEVER);
  assert_int_equal(ltcp_impair_get_stats(im)->lost, 20);
  ltcp_impair_free(im);
}

static void test_impair_push_duplicate_all_sends_twice(void **state) {
  (void)state;
  ltcp_impair *im = impair_from("duplicate=100%", 8);
  const uint8_t *p;
  ltcp_impair_push(im, 0, pkt_a, sizeof pkt_a);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(ltcp_impair_peek(im, 0, &p), sizeof pkt_a);
    ltcp_impair_pop(im);
  }
  assert_int_equal(ltcp_impair_peek(im, 0, &p), 0);
  ltcp_impair_free(im);
}

static void test_impair_push_corrupt_flips_one_bit(void **state) {
  (void)state;
  ltcp_impair *im = impair_from("corrupt=100%", 8);
  const uint8_t *p;
  ltcp_impair_push(im, 0, pkt_a, sizeof pkt_a);
  assert_int_equal(ltcp_impair_peek(im, 0, &p), sizeof pkt_a);
  int bits = 0;
  for (size_t i = 0; i < sizeof pkt_a; i++) bits += __builtin_popcount(p[i] ^ pkt_a[i]);
  assert_int_equal(bits, 1);
  ltcp_impair_free(im);
}

static void test_impair_push_reorder_skips_delay(void **state) {
  (void)state;
  ltcp_impair *im = impair_from("delay=10ms,reorder=100%", 8);
  ltcp_impair_push(im, 0, pkt_a, sizeof pkt_a);
  assert_int_equal(ltcp_impair_next_due(im), 0);
  ltcp_impair_free(im);
}

static void test_impair_push_full_queue_counts_overflow(void **state) {
  (void)state;
  ltcp_impair *im = impair_from("delay=1ms", 2);
  uint8_t big[65] = {0};
  for (int i = 0; i < 3; i++) ltcp_impair_push(im, 0, pkt_a, sizeof pkt_a);
  ltcp_impair_push(im, 0, big, sizeof big); /* longer than a slot */
  assert_int_equal(ltcp_impair_get_stats(im)->overflow, 2);
  ltcp_impair_free(im);
}

static void test_impair_push_same_seed_same_fates(void **state) {
  (void)state;
  ltcp_impair *a = impair_from("loss=30%,duplicate=20%,seed=9,delay=1ms,jitter=1ms", 512);
  ltcp_impair *b = impair_from("loss=30%,duplicate=20%,seed=9,delay=1ms,jitter=1ms", 512);
  for (uint8_t i = 0; i < 100; i++) {
    ltcp_impair_push(a, 0, &i, 1);
    ltcp_impair_push(b, 0, &i, 1);
  }
  const uint8_t *pa, *pb;
  for (int i = 0; i < 300; i++) {
    size_t na = ltcp_impair_peek(a, LTCP_MS(2), &pa), nb = ltcp_impair_peek(b, LTCP_MS(2), &pb);
    assert_int_equal(na, nb);
    if (!na) break;
    assert_int_equal(pa[0], pb[0]);
    ltcp_impair_pop(a);
    ltcp_impair_pop(b);
  }
  ltcp_impair_free(a);
  ltcp_impair_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_impair_parse_all_items),
      cmocka_unit_test(test_impair_parse_defaults_both_directions),
      cmocka_unit_test(test_impair_parse_bad_item_named),
      cmocka_unit_test(test_impair_explain_names_the_limit),
      cmocka_unit_test(test_impair_push_delay_holds_until_due),
      cmocka_unit_test(test_impair_push_keeps_order_for_equal_delay),
      cmocka_unit_test(test_impair_push_loss_all_drops_all),
      cmocka_unit_test(test_impair_push_duplicate_all_sends_twice),
      cmocka_unit_test(test_impair_push_corrupt_flips_one_bit),
      cmocka_unit_test(test_impair_push_reorder_skips_delay),
      cmocka_unit_test(test_impair_push_full_queue_counts_overflow),
      cmocka_unit_test(test_impair_push_same_seed_same_fates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
