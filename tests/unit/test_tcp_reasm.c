/* Out-of-order data (src/tcp/reasm.h): the ranges held beyond RCV.NXT (RFC 9293 §3.10.7.4
 * SHLD-31), kept sorted and merged in sequence space, which wraps at 2^32 (§3.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tcp/reasm.h"

/* The ranges held, as pairs of edges. */
static void ra_expect(const ltcp_reasm *q, uint32_t n, const uint32_t *edges) {
  assert_int_equal(q->count, n);
  for (uint32_t i = 0; i < n; i++) {
    assert_int_equal(q->r[i].start, edges[2 * i]);
    assert_int_equal(q->r[i].end, edges[2 * i + 1]);
  }
}

/* §3.10.7.4: segments arriving in any order are held in sequence order. */
static void test_reasm_add_keeps_ranges_sorted(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_add(&q, 5000, 6000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 1000, 2000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 3000, 4000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 8000, 9000), 0);
  const uint32_t want[] = {1000, 2000, 3000, 4000, 5000, 6000, 8000, 9000};
  ra_expect(&q, 4, want);
}

/* §3.10.7.4: ranges that touch (one's end is the other's start) merge, the bytes being
 * contiguous. */
static void test_reasm_add_merges_adjacent(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_add(&q, 2000, 3000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 3000, 4000), 0); /* after */
  assert_int_equal(ltcp_reasm_add(&q, 1000, 2000), 0); /* before */
  const uint32_t want[] = {1000, 4000};
  ra_expect(&q, 1, want);
}

/* §3.10.7.4: a retransmission overlapping several held ranges bridges them into one; a
 * duplicate inside a range changes nothing (§3.10.7.4 first: its bytes are already held). */
static void test_reasm_add_bridges_and_ignores_duplicates(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_add(&q, 1000, 2000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 3000, 4000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 5000, 6000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 7000, 8000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 1500, 5500), 0);
  const uint32_t bridged[] = {1000, 6000, 7000, 8000};
  ra_expect(&q, 2, bridged);
  assert_int_equal(ltcp_reasm_add(&q, 1200, 1300), 0);
  assert_int_equal(ltcp_reasm_add(&q, 7000, 8000), 0);
  ra_expect(&q, 2, bridged);
  assert_int_equal(ltcp_reasm_add(&q, 500, 9000), 0); /* covers both */
  const uint32_t all[] = {500, 9000};
  ra_expect(&q, 1, all);
}

/* RFC 9293 SHLD-31 is a SHOULD: with LTCP_REASM_MAX ranges held, a segment that would need one
 * more is refused (the caller drops it; the peer sends it again), the ranges unchanged; one that
 * merges into what is held still fits. */
static void test_reasm_add_full_refuses_new_range(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  uint32_t edges[2 * LTCP_REASM_MAX];
  for (uint32_t i = 0; i < LTCP_REASM_MAX; i++) {
    edges[2 * i] = 1000 + 2000 * i;
    edges[2 * i + 1] = 2000 + 2000 * i;
    assert_int_equal(ltcp_reasm_add(&q, edges[2 * i], edges[2 * i + 1]), 0);
  }
  uint32_t past = 1000 + 2000 * LTCP_REASM_MAX;
  assert_int_equal(ltcp_reasm_add(&q, past, past + 100), -1);
  assert_int_equal(ltcp_reasm_add(&q, 100, 200), -1); /* before the first, too */
  ra_expect(&q, LTCP_REASM_MAX, edges);
  assert_int_equal(ltcp_reasm_add(&q, 2000, 2500), 0); /* extends the first range */
  assert_int_equal(q.count, LTCP_REASM_MAX);
  assert_int_equal(q.r[0].end, 2500);
  assert_int_equal(ltcp_reasm_add(&q, 2500, 3000), 0); /* joins the first two */
  assert_int_equal(q.count, LTCP_REASM_MAX - 1);
  assert_int_equal(ltcp_reasm_add(&q, past, past + 100), 0); /* now there is room */
  assert_int_equal(q.count, LTCP_REASM_MAX);
}

/* §3.10.7.4 seventh: once RCV.NXT reaches held data, it advances over it; data beyond a gap
 * stays held. */
static void test_reasm_advance_over_reached_ranges(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_add(&q, 2000, 3000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 4000, 5000), 0);
  assert_int_equal(ltcp_reasm_advance(&q, 1000), 1000); /* a gap before 2000 */
  assert_int_equal(q.count, 2);
  assert_int_equal(ltcp_reasm_advance(&q, 2000), 3000); /* the hole filled exactly */
  const uint32_t left[] = {4000, 5000};
  ra_expect(&q, 1, left);
  assert_int_equal(ltcp_reasm_advance(&q, 3999), 3999);
  assert_int_equal(q.count, 1);
}

/* §3.10.7.4 seventh: a segment that filled the hole and overran held data takes RCV.NXT to
 * the furthest of the two; every range it passed is gone, one it went beyond entirely too. */
static void test_reasm_advance_past_several_ranges(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_add(&q, 2000, 3000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 4000, 5000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 6000, 7000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 9000, 9500), 0);
  assert_int_equal(ltcp_reasm_advance(&q, 4500), 5000);
  const uint32_t left[] = {6000, 7000, 9000, 9500};
  ra_expect(&q, 2, left);
  assert_int_equal(ltcp_reasm_advance(&q, 8000), 8000); /* past 7000, short of 9000 */
  const uint32_t last[] = {9000, 9500};
  ra_expect(&q, 1, last);
  assert_int_equal(ltcp_reasm_advance(&q, 9500), 9500);
  assert_int_equal(q.count, 0);
  assert_int_equal(ltcp_reasm_advance(&q, 9500), 9500); /* empty: nothing to do */
}

/* The highest sequence number held (§3.4 order), or RCV.NXT when nothing is. */
static void test_reasm_high_is_last_end_or_rcv_nxt(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_high(&q, 1234), 1234);
  assert_int_equal(ltcp_reasm_add(&q, 4000, 5000), 0);
  assert_int_equal(ltcp_reasm_add(&q, 2000, 3000), 0);
  assert_int_equal(ltcp_reasm_high(&q, 1000), 5000);
  assert_int_equal(ltcp_reasm_high(&q, 6000), 6000); /* RCV.NXT already beyond */
}

/* §3.4: sequence numbers wrap at 2^32. Ranges on both sides of the wrap sort and merge by
 * sequence order, not by value, and RCV.NXT advances across it. */
static void test_reasm_add_and_advance_across_wrap(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_add(&q, 0x00000100u, 0x00000200u), 0);
  assert_int_equal(ltcp_reasm_add(&q, 0xFFFFFF00u, 0xFFFFFF80u), 0);
  const uint32_t sorted[] = {0xFFFFFF00u, 0xFFFFFF80u, 0x00000100u, 0x00000200u};
  ra_expect(&q, 2, sorted);
  assert_int_equal(ltcp_reasm_high(&q, 0xFFFFFE00u), 0x00000200u);
  /* A segment across 2^32 joins both. */
  assert_int_equal(ltcp_reasm_add(&q, 0xFFFFFF80u, 0x00000100u), 0);
  const uint32_t joined[] = {0xFFFFFF00u, 0x00000200u};
  ra_expect(&q, 1, joined);
  assert_int_equal(ltcp_reasm_advance(&q, 0xFFFFFE00u), 0xFFFFFE00u);
  assert_int_equal(ltcp_reasm_advance(&q, 0xFFFFFF00u), 0x00000200u);
  assert_int_equal(q.count, 0);
}

/* §3.4: a range that itself spans 2^32 ([0xFFFFFFF0, 0x10)) is one range, and a later one
 * merges with its end past the wrap. */
static void test_reasm_add_range_spanning_wrap(void **state) {
  (void)state;
  ltcp_reasm q = {0};
  assert_int_equal(ltcp_reasm_add(&q, 0xFFFFFFF0u, 0x00000010u), 0);
  assert_int_equal(ltcp_reasm_add(&q, 0x00000010u, 0x00000020u), 0);
  assert_int_equal(ltcp_reasm_add(&q, 0xFFFFFF00u, 0xFFFFFF10u), 0);
  const uint32_t want[] = {0xFFFFFF00u, 0xFFFFFF10u, 0xFFFFFFF0u, 0x00000020u};
  ra_expect(&q, 2, want);
  assert_int_equal(ltcp_reasm_advance(&q, 0xFFFFFE00u), 0xFFFFFE00u);
  assert_int_equal(q.count, 2);
  assert_int_equal(ltcp_reasm_advance(&q, 0xFFFFFF10u), 0xFFFFFF10u); /* a gap remains */
  assert_int_equal(q.count, 1);
  assert_int_equal(ltcp_reasm_advance(&q, 0xFFFFFFF0u), 0x00000020u);
  assert_int_equal(q.count, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reasm_add_keeps_ranges_sorted),
      cmocka_unit_test(test_reasm_add_merges_adjacent),
      cmocka_unit_test(test_reasm_add_bridges_and_ignores_duplicates),
      cmocka_unit_test(test_reasm_add_full_refuses_new_range),
      cmocka_unit_test(test_reasm_advance_over_reached_ranges),
      cmocka_unit_test(test_reasm_advance_past_several_ranges),
      cmocka_unit_test(test_reasm_high_is_last_end_or_rcv_nxt),
      cmocka_unit_test(test_reasm_add_and_advance_across_wrap),
      cmocka_unit_test(test_reasm_add_range_spanning_wrap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
