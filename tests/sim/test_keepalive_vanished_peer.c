/* Issue 5 test 7: keep-alive detects a peer that vanished. Two stacks over the simulated
 * network; after the handshake the link loses everything in both directions (the peer is
 * gone, without a FIN or a RST), and the idle client ends with ETIMEDOUT after KEEPIDLE +
 * KEEPCNT * KEEPINTVL (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/timing_pair.h"

static tp_pair pair;

static void test_keepalive_vanished_peer_times_out(void **state) {
  (void)state;
  tp_pair *p = &pair;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(10)};
  tp_init(p, NULL, NULL, &path);
  tp_connect(p, 0);
  ltcp_stack *cs = p->st[TP_CLIENT];
  assert_int_equal(ltcp_setsockopt(cs, p->cfd, LTCP_TCP_KEEPIDLE, 60), 0);
  assert_int_equal(ltcp_setsockopt(cs, p->cfd, LTCP_TCP_KEEPINTVL, 5), 0);
  assert_int_equal(ltcp_setsockopt(cs, p->cfd, LTCP_TCP_KEEPCNT, 4), 0);
  assert_int_equal(ltcp_setsockopt(cs, p->cfd, LTCP_SO_KEEPALIVE, 1), 0);
  ltcp_time_ns t0 = tp_now(p);
  /* A healthy idle minute first: the peer answers the first probe. */
  tp_run_until(p, t0 + LTCP_SEC(61));
  uint32_t probes = 0;
  for (uint32_t i = 0; i < p->nlog; i++)
    probes += p->log[i].from == TP_CLIENT && p->log[i].len == 0 && p->log[i].at >= t0;
  assert_int_equal(probes, 1);
  ltcp_tcp_info ci;
  assert_int_equal(ltcp_status(cs, p->cfd, &ci), 0);
  assert_int_equal(ci.state, LTCP_ESTABLISHED);
  /* The peer vanishes. */
  ltcp_sim_path dead = {.latency_ns = LTCP_MS(10), .loss = 1.0};
  assert_int_equal(ltcp_sim_set_path(p->sim, p->node[0], p->node[1], &dead), 0);
  assert_int_equal(ltcp_sim_set_path(p->sim, p->node[1], p->node[0], &dead), 0);
  ltcp_time_ns heard = 0; /* when the client heard the peer last: its answer to the probe */
  for (uint32_t i = 0; i < p->nlog; i++)
    if (p->log[i].from == TP_SERVER) heard = p->log[i].at + path.latency_ns;
  assert_true(heard > t0 + LTCP_SEC(60));
  uint32_t first = p->nlog;
  tp_run_until(p, heard + LTCP_SEC(60 + 4 * 5) - LTCP_MS(1));
  assert_int_equal(ltcp_status(cs, p->cfd, &ci), 0);
  assert_int_equal(ci.state, LTCP_ESTABLISHED);
  tp_run_until(p, heard + LTCP_SEC(60 + 4 * 5) + LTCP_MS(1));
  char buf[8];
  assert_int_equal(ltcp_recv(cs, p->cfd, buf, sizeof buf, 0), -1);
  assert_int_equal(errno, ETIMEDOUT);
  /* Four probes, each <SEQ=SND.NXT-1> without data, KEEPINTVL apart (SHLD-12). */
  uint32_t n = 0;
  for (uint32_t i = first; i < p->nlog; i++) {
    const tp_seg *s = &p->log[i];
    if (s->from != TP_CLIENT) continue;
    assert_int_equal(s->len, 0);
    assert_int_equal(s->seq, ci.snd_nxt - 1);
    assert_int_equal(s->at, heard + LTCP_SEC(60) + (ltcp_time_ns)n * LTCP_SEC(5));
    n++;
  }
  assert_int_equal(n, 4);
  tp_free(p);
}

/* Without keep-alive (the default, MUST-24) the same silence goes unnoticed for hours. */
static void test_keepalive_off_by_default_sends_nothing(void **state) {
  (void)state;
  tp_pair *p = &pair;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(10)};
  tp_init(p, NULL, NULL, &path);
  tp_connect(p, 0);
  uint32_t first = p->nlog;
  tp_run_until(p, tp_now(p) + LTCP_SEC(4 * 3600));
  assert_int_equal(p->nlog, first);
  ltcp_tcp_info ci;
  assert_int_equal(ltcp_status(p->st[TP_CLIENT], p->cfd, &ci), 0);
  assert_int_equal(ci.state, LTCP_ESTABLISHED);
  tp_free(p);
}

static int tp_teardown(void **state) {
  (void)state;
  if (pair.sim) tp_free(&pair);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_keepalive_vanished_peer_times_out, tp_teardown),
      cmocka_unit_test_teardown(test_keepalive_off_by_default_sends_nothing, tp_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
