/* The connection table (ip/table.h): its chains start few and double as TCBs come, never past
 * the size its limits allow; every TCB stays findable across each doubling, removal and walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ip/table.h"

#define N 5000u

typedef struct table_fixture {
  ltcp_ports ports;
  ltcp_peers peers;
  ltcp_conn_table t;
  ltcp_tcb *tcbs;
} table_fixture;

static void fixture_init(table_fixture *f, uint32_t max) {
  memset(f, 0, sizeof *f);
  assert_int_equal(ltcp_ports_init(&f->ports), 0);
  assert_int_equal(ltcp_peers_init(&f->peers, 0, (const uint8_t[16]){0}), 0);
  assert_int_equal(ltcp_table_init(&f->t, max, 64, 0x1234567890abcdefull, &f->ports, &f->peers), 0);
  f->tcbs = calloc(N, sizeof *f->tcbs);
  assert_non_null(f->tcbs);
  for (uint32_t i = 0; i < N; i++) {
    f->tcbs[i].local = (ltcp_ep){LTCP_IPV4(198, 18, 0, 1), (uint16_t)(1024 + i % 60000)};
    f->tcbs[i].remote = (ltcp_ep){LTCP_IPV4(198, 18, 1, (uint8_t)(i / 60000)), 80};
  }
}

static void fixture_free(table_fixture *f) {
  ltcp_table_free(&f->t);
  ltcp_peers_free(&f->peers);
  ltcp_ports_free(&f->ports);
  free(f->tcbs);
}

static void count_one(void *ctx, ltcp_tcb *tcb) {
  (void)tcb;
  (*(uint32_t *)ctx)++;
}

static void test_table_chains_double_as_tcbs_come_and_every_tcb_stays_found(void **state) {
  (void)state;
  table_fixture f;
  fixture_init(&f, 1000000);
  uint32_t first = f.t.conns_mask + 1;
  assert_true(first <= 1024); /* a table for a million starts small */
  assert_true(f.t.conns_max >= 1000000);
  for (uint32_t i = 0; i < N; i++) {
    assert_int_equal(ltcp_table_insert(&f.t, &f.tcbs[i], 0), 0);
    /* never more TCBs than chains, once it has grown */
    assert_true(f.t.chained <= 2 * (f.t.conns_mask + 1));
  }
  assert_true(f.t.conns_mask + 1 >= N / 2 && f.t.conns_mask + 1 > first);
  assert_int_equal(f.t.chained, N);
  for (uint32_t i = 0; i < N; i++)
    assert_ptr_equal(ltcp_table_lookup(&f.t, &f.tcbs[i].local, &f.tcbs[i].remote), &f.tcbs[i]);
  uint32_t walked = 0;
  ltcp_table_each(&f.t, count_one, &walked);
  assert_int_equal(walked, N);
  /* Removing every other one leaves the rest findable and the removed ones gone. */
  for (uint32_t i = 0; i < N; i += 2) ltcp_table_remove(&f.t, &f.tcbs[i]);
  for (uint32_t i = 0; i < N; i++)
    assert_ptr_equal(ltcp_table_lookup(&f.t, &f.tcbs[i].local, &f.tcbs[i].remote),
                     i % 2 ? &f.tcbs[i] : NULL);
  walked = 0;
  ltcp_table_each(&f.t, count_one, &walked);
  assert_int_equal(walked, N / 2);
  for (uint32_t i = 1; i < N; i += 2) ltcp_table_remove(&f.t, &f.tcbs[i]);
  assert_int_equal(f.t.count, 0);
  assert_int_equal(f.t.chained, 0);
  fixture_free(&f);
}

static void test_table_chains_stop_at_the_size_its_limits_allow(void **state) {
  (void)state;
  table_fixture f;
  fixture_init(&f, 100); /* 100 + 64 half-open: 256 chains at most */
  assert_int_equal(f.t.conns_max, 256);
  for (uint32_t i = 0; i < 100; i++) assert_int_equal(ltcp_table_insert(&f.t, &f.tcbs[i], 0), 0);
  assert_int_equal(ltcp_table_insert(&f.t, &f.tcbs[100], 0), LTCP_ENOBUFS); /* the limit */
  assert_true(f.t.conns_mask + 1 <= 256);
  for (uint32_t i = 0; i < 100; i++)
    assert_ptr_equal(ltcp_table_lookup(&f.t, &f.tcbs[i].local, &f.tcbs[i].remote), &f.tcbs[i]);
  for (uint32_t i = 0; i < 100; i++) ltcp_table_remove(&f.t, &f.tcbs[i]);
  fixture_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table_chains_double_as_tcbs_come_and_every_tcb_stays_found),
      cmocka_unit_test(test_table_chains_stop_at_the_size_its_limits_allow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
