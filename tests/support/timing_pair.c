/* Two stacks over the simulated network, with a log of the TCP segments they send. */
#include "support/timing_pair.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#define TP_STEPS_MAX 10000000u

void tp_config(ltcp_stack_config *cfg, int side) {
  ltcp_stack_config_default(cfg);
  cfg->addr = side == TP_CLIENT ? LTCP_IPV4(198, 18, 0, 1) : LTCP_IPV4(198, 18, 0, 2);
  cfg->seed = (uint64_t)side + 7;
}

static uint32_t tp_be32(const uint8_t *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void tp_tap(void *ctx, ltcp_time_ns now, int from, int to, ltcp_sim_fate fate,
                   const uint8_t *pkt, size_t len) {
  tp_pair *p = ctx;
  (void)to;
  if (fate != LTCP_SIM_SENT || len < 40 || pkt[9] != 6) return;
  size_t ihl = (size_t)(pkt[0] & 15) * 4, total = (size_t)pkt[2] << 8 | pkt[3];
  const uint8_t *t = pkt + ihl;
  size_t doff = (size_t)(t[12] >> 4) * 4;
  if (p->nlog >= TP_LOG) return;
  tp_seg *s = &p->log[p->nlog++];
  s->at = now;
  s->from = from == p->node[TP_CLIENT] ? TP_CLIENT : TP_SERVER;
  s->seq = tp_be32(t + 4);
  s->ack = tp_be32(t + 8);
  s->flags = t[13];
  s->wnd = (uint16_t)(t[14] << 8 | t[15]);
  s->len = (uint32_t)(total - ihl - doff);
}

void tp_init(tp_pair *p, const ltcp_stack_config *ccfg, const ltcp_stack_config *scfg,
             const ltcp_sim_path *path) {
  memset(p, 0, sizeof *p);
  ltcp_stack_config cfg[2];
  tp_config(&cfg[0], TP_CLIENT);
  tp_config(&cfg[1], TP_SERVER);
  if (ccfg) cfg[0] = *ccfg;
  if (scfg) cfg[1] = *scfg;
  p->sim = ltcp_sim_new(42);
  assert_non_null(p->sim);
  for (int i = 0; i < 2; i++) {
    p->st[i] = ltcp_stack_new(&cfg[i]);
    assert_non_null(p->st[i]);
    p->node[i] = ltcp_sim_add_stack(p->sim, p->st[i]);
    assert_true(p->node[i] >= 0);
  }
  assert_int_equal(ltcp_sim_link(p->sim, p->node[0], p->node[1], path, path), 0);
  assert_int_equal(ltcp_sim_add_tap(p->sim, tp_tap, p), 0);
  p->cfd = p->lfd = p->sfd = -1;
}

void tp_free(tp_pair *p) {
  ltcp_sim_free(p->sim);
  for (int i = 0; i < 2; i++) ltcp_stack_free(p->st[i]);
  memset(p, 0, sizeof *p);
}

ltcp_time_ns tp_now(const tp_pair *p) { return ltcp_sim_now(p->sim); }

void tp_run_until(tp_pair *p, ltcp_time_ns t) {
  for (uint32_t i = 0; i < TP_STEPS_MAX && ltcp_sim_now(p->sim) < t; i++) ltcp_sim_step(p->sim, t);
  assert_true(ltcp_sim_now(p->sim) >= t);
}

void tp_connect(tp_pair *p, int rcvbuf) {
  ltcp_stack *cs = p->st[TP_CLIENT], *ss = p->st[TP_SERVER];
  p->lfd = ltcp_socket(ss);
  assert_true(p->lfd >= 0);
  if (rcvbuf > 0) assert_int_equal(ltcp_setsockopt(ss, p->lfd, LTCP_SO_RCVBUF, rcvbuf), 0);
  ltcp_endpoint any = {0, TP_PORT};
  assert_int_equal(ltcp_bind(ss, p->lfd, &any), 0);
  assert_int_equal(ltcp_listen(ss, p->lfd, 4), 0);
  p->cfd = ltcp_socket(cs);
  assert_true(p->cfd >= 0);
  ltcp_endpoint srv = {LTCP_IPV4(198, 18, 0, 2), TP_PORT};
  assert_int_equal(ltcp_connect(cs, p->cfd, &srv), -1);
  ltcp_time_ns end = tp_now(p) + LTCP_SEC(5);
  for (uint32_t i = 0; i < TP_STEPS_MAX && p->sfd < 0 && tp_now(p) < end; i++) {
    ltcp_sim_step(p->sim, end);
    p->sfd = ltcp_accept(ss, p->lfd, NULL);
  }
  assert_true(p->sfd >= 0);
  ltcp_tcp_info ci;
  assert_int_equal(ltcp_status(cs, p->cfd, &ci), 0);
  assert_int_equal(ci.state, LTCP_ESTABLISHED);
}

uint32_t tp_count_data(const tp_pair *p, int side, uint32_t first) {
  uint32_t n = 0;
  for (uint32_t i = first; i < p->nlog; i++) n += p->log[i].from == side && p->log[i].len > 0;
  return n;
}

void tp_send_all(tp_pair *p, int side, int fd, const void *buf, uint32_t len) {
  ltcp_stack_advance(p->st[side], tp_now(p)); /* socket calls act at the stack's time */
  assert_int_equal(ltcp_send(p->st[side], fd, buf, len, 0), (ssize_t)len);
}

uint32_t tp_read(tp_pair *p, int side, int fd, void *buf, uint32_t cap) {
  ltcp_stack_advance(p->st[side], tp_now(p));
  ssize_t n = ltcp_recv(p->st[side], fd, buf, cap, 0);
  return n > 0 ? (uint32_t)n : 0;
}
