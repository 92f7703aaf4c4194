/* Out-of-order data (src/tcp/reasm.h): the bytes held beyond RCV.NXT (RFC 9293 §3.10.7.4
 * SHLD-31) in blocks of what arrived, kept sorted and merged in sequence space, which wraps at
 * 2^32 (§3.4), bounded by memory (tcp/mem.h), not by a count of ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/reasm.h"

typedef struct ra_fix {
  ltcp_stats stats;
  ltcp_mem mem;
  ltcp_reasm q;
  ltcp_ring ring;
} ra_fix;

static uint8_t ra_byte(uint32_t seq) { return (uint8_t)(seq * 131u + (seq >> 8)); }

static void ra_init(ra_fix *f, uint64_t limit) {
  memset(f, 0, sizeof *f);
  ltcp_stack_config cfg = {.mem_limit = limit, .reasm_max = limit};
  ltcp_mem_init(&f->mem, &cfg, &f->stats);
  f->ring.cap = 1u << 20;
}

static void ra_free(ra_fix *f) {
  ltcp_reasm_clear(&f->q, &f->mem);
  ltcp_ring_clear(&f->ring, &f->mem);
  assert_int_equal(f->stats.buf_mem, 0); /* every block and byte given back */
  ltcp_mem_free(&f->mem);
}

/* Holds [start, end) with the bytes ra_byte gives each sequence number. */
static int ra_add_max(ra_fix *f, uint32_t conn_max, uint32_t start, uint32_t end) {
  static uint8_t data[1u << 16];
  uint32_t n = end - start;
  assert_true(n <= sizeof data);
  for (uint32_t i = 0; i < n; i++) data[i] = ra_byte(start + i);
  return ltcp_reasm_add(&f->q, &f->mem, conn_max, start, data, n);
}
static int ra_add(ra_fix *f, uint32_t start, uint32_t end) {
  return ra_add_max(f, UINT32_MAX, start, end);
}

/* The ranges held, as pairs of edges. */
static void ra_expect(const ltcp_reasm *q, uint32_t n, const uint32_t *edges) {
  assert_int_equal(ltcp_reasm_count_ranges(q), n);
  const ltcp_reasm_block *cur = q->head;
  for (uint32_t i = 0; i < n; i++) {
    ltcp_reasm_range r = ltcp_reasm_next_range(&cur);
    assert_int_equal(r.start, edges[2 * i]);
    assert_int_equal(r.end, edges[2 * i + 1]);
  }
}

/* RCV.NXT reached rcv_nxt: returns the new RCV.NXT, and checks the bytes the ring got. */
static uint32_t ra_pull(ra_fix *f, uint32_t rcv_nxt) {
  uint32_t before = f->ring.len, pruned = 0;
  uint32_t nxt = ltcp_reasm_pull(&f->q, &f->mem, rcv_nxt, &f->ring, &pruned);
  assert_int_equal(pruned, 0);
  assert_int_equal(f->ring.len - before, nxt - rcv_nxt);
  for (uint32_t i = 0; i < nxt - rcv_nxt; i++) {
    uint8_t b;
    ltcp_ring_copy_out(&f->ring, before + i, &b, 1);
    assert_int_equal(b, ra_byte(rcv_nxt + i));
  }
  return nxt;
}

/* §3.10.7.4: segments arriving in any order are held in sequence order. */
static void test_reasm_add_keeps_ranges_sorted(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 5000, 6000), 0);
  assert_int_equal(ra_add(&f, 1000, 2000), 0);
  assert_int_equal(ra_add(&f, 3000, 4000), 0);
  assert_int_equal(ra_add(&f, 8000, 9000), 0);
  const uint32_t want[] = {1000, 2000, 3000, 4000, 5000, 6000, 8000, 9000};
  ra_expect(&f.q, 4, want);
  ra_free(&f);
}

/* §3.10.7.4: ranges that touch (one's end is the other's start) merge, the bytes being
 * contiguous. */
static void test_reasm_add_merges_adjacent(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 2000, 3000), 0);
  assert_int_equal(ra_add(&f, 3000, 4000), 0); /* after */
  assert_int_equal(ra_add(&f, 1000, 2000), 0); /* before */
  const uint32_t want[] = {1000, 4000};
  ra_expect(&f.q, 1, want);
  assert_int_equal(ra_pull(&f, 1000), 4000);
  ra_free(&f);
}

/* §3.10.7.4: a retransmission overlapping several held ranges bridges them into one; a
 * duplicate inside a range changes nothing (§3.10.7.4 first: its bytes are already held). */
static void test_reasm_add_bridges_and_ignores_duplicates(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 1000, 2000), 0);
  assert_int_equal(ra_add(&f, 3000, 4000), 0);
  assert_int_equal(ra_add(&f, 5000, 6000), 0);
  assert_int_equal(ra_add(&f, 7000, 8000), 0);
  assert_int_equal(ra_add(&f, 1500, 5500), 0);
  const uint32_t bridged[] = {1000, 6000, 7000, 8000};
  ra_expect(&f.q, 2, bridged);
  uint32_t blocks = f.q.blocks;
  assert_int_equal(ra_add(&f, 1200, 1300), 0);
  assert_int_equal(ra_add(&f, 7000, 8000), 0);
  ra_expect(&f.q, 2, bridged);
  assert_int_equal(f.q.blocks, blocks); /* a duplicate costs nothing */
  assert_int_equal(ra_add(&f, 500, 9000), 0); /* covers both */
  const uint32_t all[] = {500, 9000};
  ra_expect(&f.q, 1, all);
  assert_int_equal(ra_pull(&f, 500), 9000);
  ra_free(&f);
}

/* A small segment costs one block, not the space up to its offset; contiguous small segments
 * share blocks; many separate ranges (far more than the 8 of old) are all held. */
static void test_reasm_add_costs_about_what_arrived(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 1000000, 1000010), 0);
  assert_int_equal(f.stats.buf_mem, LTCP_MEM_BLOCK);
  assert_int_equal(f.stats.reasm_mem, LTCP_MEM_BLOCK);
  for (uint32_t i = 1; i < 40; i++) assert_int_equal(ra_add(&f, 1000000 + 10 * i, 1000010 + 10 * i), 0);
  assert_int_equal(f.q.blocks, 1); /* 400 contiguous bytes in one block */
  for (uint32_t i = 0; i < 64; i++) assert_int_equal(ra_add(&f, 2000 * i, 2000 * i + 100), 0);
  assert_int_equal(ltcp_reasm_count_ranges(&f.q), 65);
  assert_int_equal(ltcp_reasm_high(&f.q, 0), 1000400);
  ra_free(&f);
}

/* tcp/mem.h: with the connection's bound (or the budget) reached, bytes that need another
 * block are refused (the caller drops the segment; the peer sends it again), what is held
 * unchanged; data that fills a held block's room still fits. */
static void test_reasm_add_refused_beyond_bound(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  uint32_t max = 4 * LTCP_MEM_BLOCK;
  for (uint32_t i = 0; i < 4; i++) assert_int_equal(ra_add_max(&f, max, 1000 * i, 1000 * i + 10), 0);
  assert_int_equal(ra_add_max(&f, max, 9000, 9010), LTCP_ENOBUFS);
  assert_int_equal(ra_add_max(&f, max, 10, 20), 0); /* into the first block's room */
  assert_int_equal(f.q.blocks, 4);
  const uint32_t want[] = {0, 20, 1000, 1010, 2000, 2010, 3000, 3010};
  ra_expect(&f.q, 4, want);
  ra_free(&f);
  ra_init(&f, 2 * LTCP_MEM_BLOCK); /* the stack's budget */
  assert_int_equal(ra_add(&f, 0, 10), 0);
  assert_int_equal(ra_add(&f, 1000, 1010), 0);
  assert_int_equal(ra_add(&f, 2000, 2010), LTCP_ENOBUFS);
  ra_free(&f);
}

/* §3.10.7.4 seventh: once RCV.NXT reaches held data, it advances over it; data beyond a gap
 * stays held. */
static void test_reasm_pull_over_reached_ranges(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 2000, 3000), 0);
  assert_int_equal(ra_add(&f, 4000, 5000), 0);
  assert_int_equal(ra_pull(&f, 1000), 1000); /* a gap before 2000 */
  assert_int_equal(ltcp_reasm_count_ranges(&f.q), 2);
  assert_int_equal(ra_pull(&f, 2000), 3000); /* the hole filled exactly */
  const uint32_t left[] = {4000, 5000};
  ra_expect(&f.q, 1, left);
  assert_int_equal(ra_pull(&f, 3999), 3999);
  assert_int_equal(ltcp_reasm_count_ranges(&f.q), 1);
  ra_free(&f);
}

/* §3.10.7.4 seventh: a segment that filled the hole and overran held data takes RCV.NXT to
 * the furthest of the two; every range it passed is gone, one it went beyond entirely too. */
static void test_reasm_pull_past_several_ranges(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 2000, 3000), 0);
  assert_int_equal(ra_add(&f, 4000, 5000), 0);
  assert_int_equal(ra_add(&f, 6000, 7000), 0);
  assert_int_equal(ra_add(&f, 9000, 9500), 0);
  assert_int_equal(ra_pull(&f, 4500), 5000);
  const uint32_t left[] = {6000, 7000, 9000, 9500};
  ra_expect(&f.q, 2, left);
  assert_int_equal(ra_pull(&f, 8000), 8000); /* past 7000, short of 9000 */
  const uint32_t last[] = {9000, 9500};
  ra_expect(&f.q, 1, last);
  assert_int_equal(ra_pull(&f, 9500), 9500);
  assert_null(f.q.head);
  assert_int_equal(ra_pull(&f, 9500), 9500); /* empty: nothing to do */
  ra_free(&f);
}

/* RFC 2883 §4.1: the first held part of a duplicate segment, as one contiguous range. */
static void test_reasm_overlap_first_held_range(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 2000, 3000), 0);
  assert_int_equal(ra_add(&f, 4000, 5000), 0);
  ltcp_reasm_range r;
  assert_int_equal(ltcp_reasm_overlap(&f.q, 1000, 2000, &r), 0);
  assert_int_equal(ltcp_reasm_overlap(&f.q, 1500, 4500, &r), 1);
  assert_int_equal(r.start, 2000);
  assert_int_equal(r.end, 3000);
  assert_int_equal(ltcp_reasm_overlap(&f.q, 3000, 4100, &r), 1);
  assert_int_equal(r.start, 4000);
  assert_int_equal(r.end, 4100);
  ra_free(&f);
}

/* §3.4: sequence numbers wrap at 2^32. Ranges on both sides of the wrap sort and merge by
 * sequence order, not by value, and RCV.NXT advances across it. */
static void test_reasm_add_and_pull_across_wrap(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 0);
  assert_int_equal(ra_add(&f, 0x00000100u, 0x00000200u), 0);
  assert_int_equal(ra_add(&f, 0xFFFFFF00u, 0xFFFFFF80u), 0);
  const uint32_t sorted[] = {0xFFFFFF00u, 0xFFFFFF80u, 0x00000100u, 0x00000200u};
  ra_expect(&f.q, 2, sorted);
  assert_int_equal(ltcp_reasm_high(&f.q, 0xFFFFFE00u), 0x00000200u);
  /* A segment across 2^32 joins both. */
  assert_int_equal(ra_add(&f, 0xFFFFFF80u, 0x00000100u), 0);
  const uint32_t joined[] = {0xFFFFFF00u, 0x00000200u};
  ra_expect(&f.q, 1, joined);
  assert_int_equal(ra_pull(&f, 0xFFFFFE00u), 0xFFFFFE00u);
  assert_int_equal(ra_pull(&f, 0xFFFFFF00u), 0x00000200u);
  assert_null(f.q.head);
  ra_free(&f);
}

/* The ring cannot take the held bytes (the budget): the ones at RCV.NXT are discarded and
 * counted (RFC 2018 §8), so that what stays lies beyond RCV.NXT. */
static void test_reasm_pull_without_memory_prunes(void **state) {
  (void)state;
  ra_fix f;
  ra_init(&f, 3 * LTCP_MEM_BLOCK);
  assert_int_equal(ra_add(&f, 1000, 1400), 0);
  assert_int_equal(ra_add(&f, 2000, 2100), 0);
  assert_int_equal(ra_add(&f, 3000, 3100), 0); /* the budget is all blocks now */
  uint32_t pruned = 0;
  assert_int_equal(ltcp_reasm_pull(&f.q, &f.mem, 1000, &f.ring, &pruned), 1000);
  assert_int_equal(pruned, 1);
  assert_int_equal(f.q.head->seq, 2000);
  ra_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reasm_add_keeps_ranges_sorted),
      cmocka_unit_test(test_reasm_add_merges_adjacent),
      cmocka_unit_test(test_reasm_add_bridges_and_ignores_duplicates),
      cmocka_unit_test(test_reasm_add_costs_about_what_arrived),
      cmocka_unit_test(test_reasm_add_refused_beyond_bound),
      cmocka_unit_test(test_reasm_pull_over_reached_ranges),
      cmocka_unit_test(test_reasm_pull_past_several_ranges),
      cmocka_unit_test(test_reasm_overlap_first_held_range),
      cmocka_unit_test(test_reasm_add_and_pull_across_wrap),
      cmocka_unit_test(test_reasm_pull_without_memory_prunes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
