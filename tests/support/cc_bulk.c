#include "support/cc_bulk.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#define CB_CLIENT LTCP_IPV4(198, 18, 0, 1)
#define CB_SERVER LTCP_IPV4(198, 18, 0, 2)
#define CB_PORT 5001
#define CB_CHUNK 65536u
#define CB_STEPS_MAX 200000000ull

static uint8_t cb_buf[CB_CHUNK];
static uint8_t cb_pat[CB_CHUNK + 251]; /* byte at stream offset i is i % 251 */

static uint32_t cb_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Loses the first transmission of each chosen segment of the client's stream. */
static int cb_filter(void *ctx, ltcp_time_ns now, int from, int to, const uint8_t *pkt,
                     size_t len) {
  cb_run *r = ctx;
  (void)to;
  if (from != 0 || len < 40) return 0;
  size_t ihl = (size_t)(pkt[0] & 15u) * 4, total = (size_t)pkt[2] << 8 | pkt[3];
  const uint8_t *tcp = pkt + ihl;
  size_t doff = (size_t)(tcp[12] >> 4) * 4;
  uint32_t seq = cb_get32(tcp + 4), n = (uint32_t)(total - ihl - doff);
  if (tcp[13] & 0x02) r->isn = seq;
  if (n == 0) return 0;
  uint32_t off = seq - r->isn - 1;
  for (uint32_t i = 0; i < r->c.ndrop; i++) {
    if (r->dropped[i]) {
      if (seq == r->drop_seq[i] && r->rtx_at[i] == 0) r->rtx_at[i] = now;
      continue;
    }
    if (r->c.drop_off[i] - off < n) {
      r->dropped[i] = 1;
      r->drop_seq[i] = seq;
      r->drop_at[i] = now;
      return 1;
    }
  }
  return 0;
}

static ltcp_stack *cb_stack(const cb_conf *c, uint32_t addr) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.sack = (uint8_t)c->sack;
  cfg.sndbuf = cfg.rcvbuf = 4u << 20;
  cfg.tx_queue_packets = 4096;
  if (c->tso_max) cfg.tso_max = c->tso_max, cfg.tx_queue_packets = 256; /* 64 KB slots */
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  return st;
}

void cb_start(cb_run *r, const cb_conf *c) {
  memset(r, 0, sizeof *r);
  for (uint32_t i = 0; i < sizeof cb_pat; i++) cb_pat[i] = (uint8_t)(i % 251u);
  r->c = *c;
  r->cfd = r->lfd = r->sfd = -1;
  r->sim = ltcp_sim_new(c->seed);
  assert_non_null(r->sim);
  r->st[0] = cb_stack(c, CB_CLIENT);
  r->st[1] = cb_stack(c, CB_SERVER);
  int a = ltcp_sim_add_stack(r->sim, r->st[0]), b = ltcp_sim_add_stack(r->sim, r->st[1]);
  assert_int_equal(ltcp_sim_link(r->sim, a, b, &c->fwd, &c->back), 0);
  assert_int_equal(ltcp_sim_set_filter(r->sim, cb_filter, r), 0);
  r->lfd = ltcp_socket(r->st[1]);
  ltcp_endpoint any = {0, CB_PORT}, srv = {CB_SERVER, CB_PORT};
  assert_int_equal(ltcp_setsockopt(r->st[1], r->lfd, LTCP_SO_RCVBUF, (int)c->rcvbuf), 0);
  assert_int_equal(ltcp_bind(r->st[1], r->lfd, &any), 0);
  assert_int_equal(ltcp_listen(r->st[1], r->lfd, 4), 0);
  r->cfd = ltcp_socket(r->st[0]);
  assert_int_equal(ltcp_setsockopt(r->st[0], r->cfd, LTCP_SO_SNDBUF, (int)c->sndbuf), 0);
  assert_int_equal(ltcp_setsockopt(r->st[0], r->cfd, LTCP_TCP_CONGESTION, c->congestion), 0);
  assert_int_equal(ltcp_connect(r->st[0], r->cfd, &srv), -1);
}

static int cb_done(const cb_run *r) { return r->c.total && r->read >= r->c.total; }

/* The applications' turn: the client writes what fits, the server reads and checks. */
static void cb_apps(cb_run *r) {
  if (r->sfd < 0) r->sfd = ltcp_accept(r->st[1], r->lfd, NULL);
  for (int i = 0; i < 64; i++) {
    uint64_t left = r->c.total ? r->c.total - r->sent : CB_CHUNK;
    uint32_t want = left < CB_CHUNK ? (uint32_t)left : CB_CHUNK;
    if (want == 0) break;
    ssize_t n = ltcp_send(r->st[0], r->cfd, cb_pat + r->sent % 251u, want, 0);
    if (n <= 0) break;
    r->sent += (uint64_t)n;
  }
  for (int i = 0; r->sfd >= 0 && i < 64; i++) {
    ssize_t n = ltcp_recv(r->st[1], r->sfd, cb_buf, CB_CHUNK, 0);
    if (n <= 0) break;
    if (memcmp(cb_buf, cb_pat + r->read % 251u, (size_t)n) != 0) r->corrupt = 1;
    r->read += (uint64_t)n;
  }
}

void cb_run_until(cb_run *r, ltcp_time_ns t) {
  for (uint64_t i = 0; i < CB_STEPS_MAX && ltcp_sim_now(r->sim) < t && !cb_done(r); i++) {
    ltcp_sim_step(r->sim, t);
    cb_apps(r);
  }
}

const ltcp_stats *cb_client_stats(const cb_run *r) { return ltcp_stack_stats(r->st[0]); }

void cb_free(cb_run *r) {
  ltcp_sim_free(r->sim);
  ltcp_stack_free(r->st[0]);
  ltcp_stack_free(r->st[1]);
}
