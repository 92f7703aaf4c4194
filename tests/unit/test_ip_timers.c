/* The timers (ip/timers.h): whatever mix of FIFO and heap holds them, the first TCB is always
 * the least by (deadline, id), as a scan of every TCB finds it; the count is right; the rings
 * stay within their limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ip/timers.h"

#define N 3000u
#define MS 1000000ll

typedef struct timers_fixture {
  ltcp_timers h;
  ltcp_tcb *tcbs;
  uint64_t rng;
  ltcp_time_ns now;
} timers_fixture;

static uint64_t next_random(timers_fixture *f) {
  f->rng ^= f->rng << 13;
  f->rng ^= f->rng >> 7;
  f->rng ^= f->rng << 17;
  return f->rng;
}

static void fixture_init(timers_fixture *f, uint64_t seed) {
  memset(f, 0, sizeof *f);
  f->rng = seed;
  f->now = 1000 * MS;
  assert_int_equal(ltcp_timers_init(&f->h, N), 0);
  f->tcbs = calloc(N, sizeof *f->tcbs);
  assert_non_null(f->tcbs);
  for (uint32_t i = 0; i < N; i++) {
    f->tcbs[i].id = 1 + (i * 7919u) % N; /* ids not in index order */
    f->tcbs[i].heap_idx = -1;
    f->tcbs[i].deadline = LTCP_TIME_NEVER;
  }
}

static void fixture_free(timers_fixture *f) {
  ltcp_timers_free(&f->h);
  free(f->tcbs);
}

static void set_deadline(timers_fixture *f, ltcp_tcb *t, ltcp_time_ns d) {
  if (t->deadline == d) return; /* as tcp/timer.c: only a change is reported */
  t->deadline = d;
  ltcp_timers_moved(&f->h, t, f->now);
}

/* The first by a scan of every TCB, and the number with a deadline. */
static const ltcp_tcb *scan_first(const timers_fixture *f, uint32_t *count) {
  const ltcp_tcb *best = NULL;
  *count = 0;
  for (uint32_t i = 0; i < N; i++) {
    const ltcp_tcb *t = &f->tcbs[i];
    if (t->deadline == LTCP_TIME_NEVER) continue;
    (*count)++;
    if (!best || t->deadline < best->deadline || (t->deadline == best->deadline && t->id < best->id))
      best = t;
  }
  return best;
}

static void check(const timers_fixture *f) {
  uint32_t count;
  const ltcp_tcb *want = scan_first(f, &count);
  assert_ptr_equal(ltcp_timers_first(&f->h), want);
  assert_int_equal(ltcp_timers_count(&f->h), count);
  assert_true(f->h.fifo_slots <= f->h.fifo_slots_max);
}

/* A delay as the engine's timers choose them: mostly a few constants (RTO, delayed ACK, 2MSL),
 * sometimes anything, sometimes due already. */
static ltcp_time_ns random_delay(timers_fixture *f) {
  static const ltcp_time_ns usual[] = {40 * MS, 200 * MS, 1000 * MS, 60000 * MS};
  uint64_t r = next_random(f) % 100;
  if (r < 80) return usual[r % 4];
  if (r < 95) return (ltcp_time_ns)(next_random(f) % (100000 * MS));
  return 0;
}

static void run_mix(timers_fixture *f, uint32_t steps, uint32_t check_every) {
  for (uint32_t s = 0; s < steps; s++) {
    uint64_t r = next_random(f) % 100;
    if (r < 55) { /* a timer set or moved */
      ltcp_tcb *t = &f->tcbs[next_random(f) % N];
      set_deadline(f, t, f->now + random_delay(f));
    } else if (r < 75) { /* cancelled */
      set_deadline(f, &f->tcbs[next_random(f) % N], LTCP_TIME_NEVER);
    } else if (r < 80) { /* time passes; what is due expires, set again or cancelled */
      f->now += (ltcp_time_ns)(next_random(f) % (300 * MS));
      ltcp_tcb *t;
      for (uint32_t i = 0; i <= N && (t = ltcp_timers_first(&f->h)) && t->deadline <= f->now; i++)
        set_deadline(f, t, next_random(f) % 2 ? f->now + random_delay(f) + 1 : LTCP_TIME_NEVER);
    } else { /* the first one moves to the latest deadline: the heap's worst pattern */
      ltcp_tcb *t = ltcp_timers_first(&f->h);
      if (t) set_deadline(f, t, f->now + 200 * MS);
      f->now += 1000;
    }
    if (s % check_every == 0) check(f);
  }
  check(f);
}

static void test_timers_first_is_always_the_least_deadline_then_id(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 6; seed++) {
    timers_fixture f;
    fixture_init(&f, seed * 0x9e3779b97f4a7c15ull);
    run_mix(&f, 60000, 7);
    fixture_free(&f);
  }
}

static void test_timers_constant_delays_go_to_fifos_once_the_heap_is_deep(void **state) {
  (void)state;
  timers_fixture f;
  fixture_init(&f, 42);
  for (uint32_t round = 0; round < 20; round++) {
    for (uint32_t i = 0; i < N; i++) {
      set_deadline(&f, &f.tcbs[i], f.now + 200 * MS);
      f.now += 1000;
    }
  }
  check(&f);
  /* Every set was in order: the heap keeps only what it held while shallow. */
  assert_true(f.h.len < LTCP_TIMER_FIFO_FROM);
  assert_true(f.h.fifo_live > N - LTCP_TIMER_FIFO_FROM);
  assert_int_equal(ltcp_timers_count(&f.h), N);
  /* The dead entries each move left behind were dropped or compacted away. */
  assert_true(f.h.fifo_slots <= 4 * N);
  /* All expire, in order. */
  f.now += 1000 * MS;
  ltcp_time_ns last = 0;
  for (uint32_t i = 0; i < N; i++) {
    ltcp_tcb *t = ltcp_timers_first(&f.h);
    assert_non_null(t);
    assert_true(t->deadline >= last);
    last = t->deadline;
    set_deadline(&f, t, LTCP_TIME_NEVER);
  }
  assert_null(ltcp_timers_first(&f.h));
  assert_int_equal(ltcp_timers_count(&f.h), 0);
  ltcp_timers_trim(&f.h);
  assert_int_equal(f.h.fifo_slots, 0);
  fixture_free(&f);
}

static void test_timers_out_of_order_sets_go_to_the_heap_and_keep_the_order(void **state) {
  (void)state;
  timers_fixture f;
  fixture_init(&f, 7);
  /* Same class, decreasing deadlines: each after the first breaks the FIFO's order. */
  for (uint32_t i = 0; i < 100; i++) set_deadline(&f, &f.tcbs[i], f.now + 250 * MS - i * (MS / 2)); /* class 27 */
  check(&f);
  assert_int_equal(f.h.len, 99);
  assert_ptr_equal(ltcp_timers_first(&f.h), &f.tcbs[99]);
  /* Equal deadlines order by id, in a FIFO as in the heap. */
  for (uint32_t i = 100; i < 200; i++) set_deadline(&f, &f.tcbs[i], f.now + 50 * MS);
  check(&f);
  fixture_free(&f);
}

static void test_timers_rings_stay_within_their_limit_under_churn(void **state) {
  (void)state;
  timers_fixture f;
  fixture_init(&f, 99);
  /* A deep enough heap (far deadlines), so that what follows goes to the FIFOs. */
  for (uint32_t i = 100; i < 100 + LTCP_TIMER_FIFO_FROM; i++)
    set_deadline(&f, &f.tcbs[i], f.now + 60000 * MS - i);
  assert_int_equal(f.h.len, LTCP_TIMER_FIFO_FROM);
  /* Few live, many dead: a long-lived head with moves behind it. */
  set_deadline(&f, &f.tcbs[0], f.now + 150 * MS); /* class 27, as 200 ms */
  assert_int_equal(f.h.fifo_live, 1);
  for (uint32_t s = 0; s < 200000; s++) {
    ltcp_tcb *t = &f.tcbs[1 + next_random(&f) % 50];
    set_deadline(&f, t, f.now + 200 * MS);
    f.now += 10;
    if (s % 1000 == 0) check(&f);
  }
  check(&f);
  assert_int_equal(f.h.fifo_live, 51);
  assert_true(f.h.fifo_slots <= 1024); /* compacted, not grown */
  fixture_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_timers_first_is_always_the_least_deadline_then_id),
      cmocka_unit_test(test_timers_constant_delays_go_to_fifos_once_the_heap_is_deep),
      cmocka_unit_test(test_timers_out_of_order_sets_go_to_the_heap_and_keep_the_order),
      cmocka_unit_test(test_timers_rings_stay_within_their_limit_under_churn),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
