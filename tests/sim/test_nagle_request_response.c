/* Issue 5 test 8, over the simulated network (20 ms round trip), delayed ACKs on (40 ms) at both
 * ends. A request written in two parts (a header, then a body) and answered when complete:
 * with TCP_NODELAY the answer comes one round trip after the request, with no delayed-ACK stall;
 * with Nagle the body waits for the header's ACK, which the server delays (the classic
 * Nagle/delayed-ACK stall, RFC 1122 4.2.3.4's price for fewer small segments). And Nagle
 * coalesces many small writes into few segments, delivering every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/timing_pair.h"

#define RR_LATENCY LTCP_MS(10)
#define RR_HEADER 40u
#define RR_BODY 60u

static tp_pair pair;

/* One request/response exchange; returns how long the client waited for the answer. */
static ltcp_time_ns rr_exchange(tp_pair *p) {
  static const uint8_t req[RR_HEADER + RR_BODY] = {1};
  ltcp_time_ns start = tp_now(p);
  tp_send_all(p, TP_CLIENT, p->cfd, req, RR_HEADER);
  tp_send_all(p, TP_CLIENT, p->cfd, req + RR_HEADER, RR_BODY);
  uint8_t buf[256];
  uint32_t got = 0, answered = 0;
  ltcp_time_ns end = start + LTCP_SEC(2);
  for (uint32_t i = 0; i < 100000 && tp_now(p) < end; i++) {
    ltcp_sim_step(p->sim, end);
    got += tp_read(p, TP_SERVER, p->sfd, buf, sizeof buf);
    if (got == RR_HEADER + RR_BODY && !answered) {
      tp_send_all(p, TP_SERVER, p->sfd, "200 OK", 6);
      answered = 1;
    }
    if (answered && tp_read(p, TP_CLIENT, p->cfd, buf, sizeof buf) == 6) return tp_now(p) - start;
  }
  fail_msg("no answer within 2 s");
  return 0;
}

static void rr_setup(tp_pair *p, int nodelay) {
  ltcp_sim_path path = {.latency_ns = RR_LATENCY};
  tp_init(p, NULL, NULL, &path);
  tp_connect(p, 0);
  assert_int_equal(ltcp_setsockopt(p->st[TP_CLIENT], p->cfd, LTCP_TCP_NODELAY, nodelay), 0);
  assert_int_equal(ltcp_setsockopt(p->st[TP_SERVER], p->sfd, LTCP_TCP_NODELAY, nodelay), 0);
}

/* TCP_NODELAY: header and body leave at once; the answer is back one round trip later. */
static void test_nodelay_request_response_no_stall(void **state) {
  (void)state;
  tp_pair *p = &pair;
  rr_setup(p, 1);
  for (int i = 0; i < 5; i++) {
    tp_run_until(p, tp_now(p) + LTCP_MS(500));
    uint32_t first = p->nlog;
    ltcp_time_ns rtt = rr_exchange(p);
    print_message("nodelay exchange %d: %.3f ms\n", i, (double)rtt / 1e6);
    assert_true(rtt <= 2 * RR_LATENCY + LTCP_MS(1));
    assert_int_equal(tp_count_data(p, TP_CLIENT, first), 2);
  }
  tp_free(p);
}

/* Nagle on: the body waits for the header's ACK, which the server holds for its delayed-ACK
 * time, so the exchange takes the delay on top of the round trips. */
static void test_nagle_request_response_stalls_on_delayed_ack(void **state) {
  (void)state;
  tp_pair *p = &pair;
  rr_setup(p, 0);
  const ltcp_stack_config *cfg = ltcp_stack_get_config(p->st[TP_SERVER]);
  tp_run_until(p, tp_now(p) + LTCP_MS(500));
  ltcp_time_ns rtt = rr_exchange(p);
  print_message("nagle exchange: %.3f ms\n", (double)rtt / 1e6);
  assert_true(rtt >= cfg->delayed_ack_ns + 2 * RR_LATENCY);
  assert_true(rtt <= cfg->delayed_ack_ns + 4 * RR_LATENCY + LTCP_MS(1));
  tp_free(p);
}

/* Nagle coalesces: 200 writes of 10 bytes made while data is in flight leave in a handful of
 * segments, and every byte arrives in order. */
static void test_nagle_coalesces_small_writes(void **state) {
  (void)state;
  tp_pair *p = &pair;
  rr_setup(p, 0);
  uint8_t msg[2000], got[2000];
  for (uint32_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 31 + 3);
  uint32_t first = p->nlog, n = 0;
  for (uint32_t i = 0; i < 200; i++) {
    tp_send_all(p, TP_CLIENT, p->cfd, msg + 10 * i, 10);
    tp_run_until(p, tp_now(p) + LTCP_MS(1)); /* one write per millisecond */
    n += tp_read(p, TP_SERVER, p->sfd, got + n, (uint32_t)sizeof got - n);
  }
  for (uint32_t i = 0; i < 1000 && n < sizeof got; i++) {
    tp_run_until(p, tp_now(p) + LTCP_MS(10));
    n += tp_read(p, TP_SERVER, p->sfd, got + n, (uint32_t)sizeof got - n);
  }
  assert_int_equal(n, sizeof msg);
  assert_memory_equal(got, msg, sizeof msg);
  uint32_t segs = tp_count_data(p, TP_CLIENT, first);
  assert_true(segs >= 2);
  assert_true(segs <= 20); /* about one per round trip (plus delayed ACK), not 200 */
  tp_free(p);
}

/* The same writes with TCP_NODELAY: one segment each. */
static void test_nodelay_small_writes_one_segment_each(void **state) {
  (void)state;
  tp_pair *p = &pair;
  rr_setup(p, 1);
  uint32_t first = p->nlog;
  for (uint32_t i = 0; i < 50; i++) {
    tp_send_all(p, TP_CLIENT, p->cfd, "0123456789", 10);
    tp_run_until(p, tp_now(p) + LTCP_MS(1));
  }
  assert_int_equal(tp_count_data(p, TP_CLIENT, first), 50);
  tp_free(p);
}

static int rr_teardown(void **state) {
  (void)state;
  if (pair.sim) tp_free(&pair);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_nodelay_request_response_no_stall, rr_teardown),
      cmocka_unit_test_teardown(test_nagle_request_response_stalls_on_delayed_ack, rr_teardown),
      cmocka_unit_test_teardown(test_nagle_coalesces_small_writes, rr_teardown),
      cmocka_unit_test_teardown(test_nodelay_small_writes_one_segment_each, rr_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
