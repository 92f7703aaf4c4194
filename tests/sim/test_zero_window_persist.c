/* Issue 5 test 5, over the simulated network: the receiver stops reading, its window closes,
 * the sender probes it with the persist timer (RFC 9293 §3.8.6.1, RFC 1122 4.2.2.17) for as
 * long as the receiver keeps answering, and the transfer resumes without deadlock once the
 * application reads again; every byte arrives intact. Delayed ACKs and Nagle are on (the
 * defaults), so the window updates and probe answers go through the delayed-ACK rules too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/timing_pair.h"

#define ZW_RCVBUF 8192u
#define ZW_TOTAL 60000u

static tp_pair pair;
static uint8_t msg[ZW_TOTAL], got[ZW_TOTAL];

static void test_zero_window_persist_then_resume(void **state) {
  (void)state;
  tp_pair *p = &pair;
  ltcp_sim_path path = {.latency_ns = LTCP_MS(10), .bandwidth_bps = 100000000};
  tp_init(p, NULL, NULL, &path);
  tp_connect(p, (int)ZW_RCVBUF);
  for (uint32_t i = 0; i < ZW_TOTAL; i++) msg[i] = (uint8_t)(i * 251 + i / 256);
  tp_send_all(p, TP_CLIENT, p->cfd, msg, ZW_TOTAL); /* fits the 65535-byte send buffer */
  /* The server does not read for 60 s: the window fills and closes. */
  ltcp_time_ns stop = tp_now(p) + LTCP_SEC(60);
  tp_run_until(p, stop);
  uint32_t zero_wnd = 0, probes = 0;
  ltcp_time_ns closed_at = LTCP_TIME_NEVER;
  for (uint32_t i = 0; i < p->nlog; i++) {
    const tp_seg *s = &p->log[i];
    if (s->from == TP_SERVER && s->wnd == 0) {
      zero_wnd++;
      if (closed_at == LTCP_TIME_NEVER) closed_at = s->at;
    }
    if (s->from == TP_CLIENT && s->len > 0 && closed_at != LTCP_TIME_NEVER && s->at > closed_at) {
      assert_int_equal(s->len, 1); /* a one-byte probe (§3.8.6.1) */
      probes++;
    }
  }
  print_message("%u zero-window advertisements, %u probes in 60 s\n", zero_wnd, probes);
  assert_true(zero_wnd >= 1);
  /* Probes back off exponentially (1 s floor after the window closed) but keep coming. */
  assert_true(probes >= 4);
  assert_true(probes <= 20);
  ltcp_tcp_info ci;
  assert_int_equal(ltcp_status(p->st[TP_CLIENT], p->cfd, &ci), 0);
  assert_int_equal(ci.state, LTCP_ESTABLISHED);
  assert_true(ci.unacked + ci.unsent > 0);
  /* The application reads again: everything arrives, in order. */
  uint32_t n = 0;
  ltcp_time_ns end = tp_now(p) + LTCP_SEC(120);
  for (uint32_t i = 0; i < 1000000 && n < ZW_TOTAL && tp_now(p) < end; i++) {
    n += tp_read(p, TP_SERVER, p->sfd, got + n, ZW_TOTAL - n);
    ltcp_sim_step(p->sim, end);
  }
  assert_int_equal(n, ZW_TOTAL);
  assert_memory_equal(got, msg, ZW_TOTAL);
  /* It resumed promptly: not after the probes' backed-off timer (up to 60 s). */
  print_message("resumed and done %.3f s after reading started\n",
                (double)(tp_now(p) - stop) / 1e9);
  assert_true(tp_now(p) - stop < LTCP_SEC(2));
  tp_run_until(p, tp_now(p) + LTCP_SEC(1));
  assert_int_equal(ltcp_status(p->st[TP_CLIENT], p->cfd, &ci), 0);
  assert_int_equal(ci.unacked + ci.unsent, 0);
  tp_free(p);
}

static int zw_teardown(void **state) {
  (void)state;
  if (pair.sim) tp_free(&pair);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_zero_window_persist_then_resume, zw_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
