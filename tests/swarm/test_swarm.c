/* The adversarial simulation swarm (issue 14): for each seed, one server stack with one or two
 * listeners and one to three client stacks, up to twelve connections between them, over
 * simulated links with honest faults (loss, duplication, reordering, corruption, outages of
 * every link, partitions of one client, all healing at a random time), while an attacker node
 * injects packets (swarm_attack.c: spoofed SYN floods, blind RST, SYN, data and ICMP errors,
 * window-aware segments, and in some seeds an on-path attacker sending true or stale bytes).
 * Applications read slowly, abort, half-close and close at the same instant; stacks differ in
 * SACK, timestamps, window scaling, buffer sizes, NewReno or CUBIC, Nagle and delayed ACKs.
 *
 * Checked after every simulator step (swarm_check.c): the engine's invariants and the issue's
 * (SND.UNA =< SND.NXT, bytes in flight held for retransmission, the window's right edge, timers
 * armed when they must be, memory within the budget). Checked throughout: every byte an
 * application reads is the peer's, in order. At the end: every connection delivered all its
 * data and closed in an orderly way, or ended with an explained error (the peer aborted, or
 * an attacker's packet landed: counted, RFC 5961's odds), and every stack is empty (CLOSED)
 * by a virtual deadline. One seed replays exactly:
 *
 *   test_swarm --seed N [--pcap FILE]   one seed, verbose (parameters, events, attack counts)
 *   test_swarm --seeds A-B              a range; --count N [--start S] the same
 *   test_swarm --regressions FILE       the seeds listed in FILE (one per line, # comments)
 *   --replay-check                      run each seed twice: the traces must be identical
 *   --list                              one line per seed
 *   test_swarm --figure blind [N]       blind injection: landed per million against RFC 5961
 *                                       (--figure blind-rst|blind-syn|blind-data [N]: one kind)
 *   test_swarm --figure challenge       challenge ACKs per second under an in-window RST flood
 *
 * docs/swarm.md describes the world, the checks, the judge of attacker packets and the figures.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#include "lucidtcp/pcap.h"
#include "sock/stack.h"
#include "support/seeds.h"
#include "swarm.h"

#define SW_PAYLOAD_MAX (256u * 1024u)
#define SW_CHUNK 16384u
#define SW_IO_CALLS 32
/* The judge's liveness bound. It must outlast the engine's own give-up: a connection that
 * last made progress late (a slow transfer, a window-data segment that landed and acknowledged
 * bytes its peer never got, seed 556708) retransmits SW_RETRIES times, about 1,500 s with the
 * 60 s RTO cap (RFC 6298 §2.5), then its peer's keep-alive (150 s) meets the RST. */
#define SW_DEADLINE_NS LTCP_SEC(60 * 60)
#define SW_HEAL_MAX_NS LTCP_SEC(60)
#define SW_START_MAX_NS LTCP_SEC(10)
/* Simulator steps per seed: the heaviest seeds take about 110,000; an ACK loop took millions. */
#define SW_STEPS_MAX 1000000ull
#define SW_QUIET_NS LTCP_SEC(300)
#define SW_EVENT_CAPACITY 8192u
#define SW_RETRIES 30
#define SW_FAILURES_SHOWN 32

static const char *const sw_order_name[] = {"client closes first", "server closes first",
                                            "simultaneous close", "abort"};
static const char *const sw_end_name[] = {"client", "server"};

/* ------------------------------------------------------------------ parameters */

static uint32_t sw_log_uniform(ltcp_rng *r, uint32_t max) {
  return seeds_log_uniform(r, max, 16, 19);
}

static void sw_derive_path(ltcp_rng *r, ltcp_sim_path *p) {
  static const seeds_faults faults = {8, 249, 0.15, 0.1, 0.15, 0.02};
  seeds_faulty_path(r, &faults, p);
}

static void sw_derive_stack(ltcp_rng *r, sw_stack_opts *o) {
  o->seed = ltcp_rng_next(r);
  o->window_scale = (int)ltcp_rng_below(r, 2);
  o->timestamps = (int)ltcp_rng_below(r, 2);
  o->sack = (int)ltcp_rng_below(r, 2);
  o->congestion = (int)ltcp_rng_below(r, 2);
  o->nodelay = (int)ltcp_rng_below(r, 2);
  o->rfc1337 = ltcp_rng_below(r, 4) == 0;
  o->delayed_ack_ns = ltcp_rng_below(r, 3) == 0 ? 0 : LTCP_MS(1) + ltcp_rng_below(r, LTCP_MS(200));
}

static void sw_derive_end(ltcp_rng *r, sw_end *e) {
  e->out_len = sw_log_uniform(r, SW_PAYLOAD_MAX);
  e->sndbuf = 2048 + (uint32_t)ltcp_rng_below(r, 128 * 1024);
  e->rcvbuf = 1024 + (uint32_t)ltcp_rng_below(r, 64 * 1024);
  if (ltcp_rng_below(r, 4) == 0) e->rcvbuf *= 8;
  e->mss = ltcp_rng_below(r, 4) ? 536 + (int)ltcp_rng_below(r, 925) : 88 + (int)ltcp_rng_below(r, 448);
  e->chunk_max = 1 + (uint32_t)ltcp_rng_below(r, SW_CHUNK);
  e->close_only = (int)ltcp_rng_below(r, 2);
  e->close_delay_ns = ltcp_rng_below(r, 2) ? 0 : ltcp_rng_below(r, LTCP_SEC(2));
  e->stall = ltcp_rng_below(r, 2) ? 0.0 : 0.1 * ltcp_rng_unit(r); /* a slow reader */
  e->stall_max_ns = LTCP_MS(1) + ltcp_rng_below(r, LTCP_SEC(2));
  ltcp_rng_seed(&e->rng, ltcp_rng_next(r));
}

static void sw_derive_conn(ltcp_rng *r, const sw_params *p, sw_conn *c) {
  c->client = 1 + (int)ltcp_rng_below(r, (uint64_t)p->clients);
  c->port = (int)ltcp_rng_below(r, (uint64_t)p->ports);
  for (int e = 0; e < 2; e++) sw_derive_end(r, &c->end[e]);
  c->order = (sw_order)ltcp_rng_below(r, 8); /* an abort in one connection of eight */
  if (c->order > SW_ABORT) c->order = (sw_order)ltcp_rng_below(r, 3);
  c->aborter = (int)ltcp_rng_below(r, 2);
  c->abort_at = (uint32_t)ltcp_rng_below(r, (uint64_t)c->end[c->aborter].out_len + 1);
  c->start_at = ltcp_rng_below(r, 2) ? 0 : ltcp_rng_below(r, SW_START_MAX_NS);
}

/* The attacker: none in a quarter of seeds; else some blind kinds, maybe window-aware ones,
 * and an on-path attacker in one seed of eight. */
static void sw_derive_attacks(ltcp_rng *r, sw_params *p) {
  uint32_t a = 0;
  if (ltcp_rng_below(r, 4) != 0) {
    a = (uint32_t)ltcp_rng_below(r, SW_ATK_BLIND_ALL + 1);
    if (ltcp_rng_below(r, 2)) a |= (uint32_t)ltcp_rng_below(r, 8) << 5;
    if (ltcp_rng_below(r, 8) == 0) a |= (uint32_t)ltcp_rng_below(r, 8) << 8;
  }
  p->attacks = a;
  /* 1 ms to 1 s between packets, log-uniform */
  p->attack_gap_ns = LTCP_US(1000) << ltcp_rng_below(r, 11);
}

static void sw_derive(uint64_t seed, sw_params *p, sw_conn conn[SW_MAX_CONNS]) {
  ltcp_rng r;
  ltcp_rng_seed(&r, seed);
  memset(p, 0, sizeof *p);
  p->seed = seed;
  p->sim_seed = ltcp_rng_next(&r);
  p->attack_seed = ltcp_rng_next(&r);
  p->clients = 1 + (int)ltcp_rng_below(&r, SW_MAX_CLIENTS);
  p->ports = 1 + (int)ltcp_rng_below(&r, SW_MAX_PORTS);
  p->conns = 1 + (int)ltcp_rng_below(&r, 4 * (uint64_t)p->clients);
  for (int s = 0; s <= p->clients; s++) sw_derive_stack(&r, &p->stack[s]);
  for (int i = 0; i < p->clients; i++)
    for (int d = 0; d < 2; d++) sw_derive_path(&r, &p->path[i][d]);
  p->heal_at = ltcp_rng_below(&r, SW_HEAL_MAX_NS + 1);
  p->outages = (int)ltcp_rng_below(&r, SW_MAX_OUTAGES + 1);
  for (int i = 0; i < p->outages; i++) {
    sw_outage *o = &p->outage[i];
    o->start = ltcp_rng_below(&r, p->heal_at + 1);
    o->end = o->start + LTCP_MS(100) + ltcp_rng_below(&r, LTCP_SEC(30));
    o->client = (int)ltcp_rng_below(&r, (uint64_t)p->clients + 1);
  }
  sw_derive_attacks(&r, p);
  memset(conn, 0, sizeof(sw_conn) * SW_MAX_CONNS);
  for (int i = 0; i < p->conns; i++) sw_derive_conn(&r, p, &conn[i]);
}

static void sw_print_params(const sw_world *w) {
  const sw_params *p = &w->p;
  printf("seed %llu: %d client stack(s), %d listener(s), %d connection(s), heal at %.3f s\n",
         (unsigned long long)p->seed, p->clients, p->ports, p->conns, (double)p->heal_at / 1e9);
  for (int s = 0; s <= p->clients; s++) {
    const sw_stack_opts *o = &p->stack[s];
    printf("  stack %d: wscale %d ts %d sack %d %s nagle %s delack %.0f ms%s\n", s,
           o->window_scale, o->timestamps, o->sack, o->congestion ? "newreno" : "cubic",
           o->nodelay ? "off" : "on", (double)o->delayed_ack_ns / 1e6, o->rfc1337 ? " rfc1337" : "");
  }
  for (int i = 0; i < p->clients; i++)
    for (int d = 0; d < 2; d++) {
      const ltcp_sim_path *l = &p->path[i][d];
      printf("  link client%d %s: %.1f ms, %llu bit/s, queue %u, loss %.3f dup %.3f reorder %.3f "
             "corrupt %.4f\n", i + 1, d ? "<-" : "->", (double)l->latency_ns / 1e6,
             (unsigned long long)l->bandwidth_bps, l->queue_limit, l->loss, l->duplicate,
             l->reorder, l->corrupt);
    }
  for (int i = 0; i < p->outages; i++)
    printf("  %s from %.3f to %.3f s\n", p->outage[i].client ? "partition of a client" : "outage",
           (double)p->outage[i].start / 1e9, (double)p->outage[i].end / 1e9);
  printf("  attacker:");
  for (int k = 0; k < SW_ATK_KINDS; k++)
    if (p->attacks & (1u << k)) printf(" %s", sw_attack_name(k));
  printf("%s, a packet every %.1f ms on average\n", p->attacks ? "" : " none",
         (double)p->attack_gap_ns / 1e6);
  for (int i = 0; i < p->conns; i++) {
    const sw_conn *c = &w->conn[i];
    printf("  conn %d: client%d -> port %u at %.3f s, %u / %u bytes, %s", i, c->client,
           w->port[c->port], (double)c->start_at / 1e9, c->end[SW_CLI].out_len,
           c->end[SW_SRV].out_len, sw_order_name[c->order]);
    if (c->order == SW_ABORT)
      printf(" (%s after %u bytes)", sw_end_name[c->aborter], c->abort_at);
    printf("\n");
  }
}

/* ------------------------------------------------------------------ the world */

void sw_fail(sw_world *w, const char *fmt, ...) {
  if (w->why[0]) return; /* the first failure is the one to explain */
  va_list ap;
  va_start(ap, fmt);
  int n = snprintf(w->why, sizeof w->why, "at %.6f s: ", (double)ltcp_sim_now(w->sim) / 1e9);
  vsnprintf(w->why + n, sizeof w->why - (size_t)n, fmt, ap);
  va_end(ap);
}

static int sw_same(const ltcp_endpoint *a, const ltcp_endpoint *b) {
  return a->addr == b->addr && a->port == b->port;
}

/* A client may use a port again once its earlier connection is gone: the tuple names the
 * connection that started last. */
sw_conn *sw_conn_by_tuple(sw_world *w, int s, const ltcp_endpoint *local,
                          const ltcp_endpoint *remote) {
  sw_conn *found = NULL;
  for (int i = 0; i < w->p.conns; i++) {
    sw_conn *c = &w->conn[i];
    if (c->cli.port == 0) continue;
    if (s == SW_SERVER ? sw_same(&c->srv, local) && sw_same(&c->cli, remote)
                       : c->client == s && sw_same(&c->cli, local) && sw_same(&c->srv, remote))
      if (!found || c->started_seq > found->started_seq) found = c;
  }
  return found;
}

ltcp_tcb *sw_tcb_lookup(sw_world *w, int s, const ltcp_endpoint *local,
                        const ltcp_endpoint *remote) {
  ltcp_ep l = {local->addr, local->port}, r = {remote->addr, remote->port};
  return ltcp_table_lookup(&w->st[s]->ip.table, &l, &r);
}

/* Stack nodes: as sim_stack.c, but a packet from the attacker is judged on the way in. */
static void sw_node_input(void *node, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  sw_node *n = node;
  if (n->w->in_attack) sw_attack_judge(n->w, n->index, now, pkt, len);
  else ltcp_stack_input(n->st, now, pkt, len);
}
static void sw_node_advance(void *node, ltcp_time_ns now) {
  ltcp_stack_advance(((sw_node *)node)->st, now);
}
static ltcp_time_ns sw_node_deadline(void *node) {
  return ltcp_stack_next_deadline(((sw_node *)node)->st);
}
static size_t sw_node_peek(void *node, const uint8_t **pkt) {
  return ltcp_stack_tx_peek(((sw_node *)node)->st, pkt);
}
static void sw_node_pop(void *node) { ltcp_stack_tx_pop(((sw_node *)node)->st); }
static const ltcp_sim_node_ops sw_node_ops = {sw_node_input, sw_node_advance, sw_node_deadline,
                                              sw_node_peek, sw_node_pop};

/* Every packet and its fate into the digest; a delivery from the attacker is flagged for the
 * judge (its links have no delay, so it is the packet it just made). */
static void sw_tap(void *ctx, ltcp_time_ns now, int from, int to, ltcp_sim_fate fate,
                   const uint8_t *pkt, size_t len) {
  sw_world *w = ctx;
  int64_t head[4] = {(int64_t)now, from, to, (int64_t)fate};
  seeds_digest(&w->digest, head, sizeof head);
  seeds_digest(&w->digest, pkt, len);
  if (fate == LTCP_SIM_DELIVERED && from == w->atk.node) w->in_attack = w->atk.kind + 1;
}

static ltcp_stack *sw_stack_new(const sw_world *w, int s, uint32_t addr) {
  const sw_stack_opts *o = &w->p.stack[s];
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.seed = o->seed;
  cfg.rfc1337 = (uint8_t)o->rfc1337;
  cfg.window_scale = (uint8_t)o->window_scale;
  cfg.timestamps = (uint8_t)o->timestamps;
  cfg.sack = (uint8_t)o->sack;
  cfg.congestion = (uint8_t)o->congestion;
  cfg.nodelay = (uint8_t)o->nodelay;
  cfg.delayed_ack_ns = o->delayed_ack_ns;
  cfg.msl_ns = LTCP_SEC(1);
  cfg.syn_retries = SW_RETRIES;
  cfg.data_retries = SW_RETRIES;
  /* Linux's 5 SYN,ACK retries span 63 s; two partitions of a seed can swallow all of them
   * while the client, its ACK lost, believes itself connected (seed 6637). 8 span 243 s, and
   * every fault ends within SW_HEAL_MAX_NS: some of them reach a healed network. */
  cfg.synack_retries = 8;
  cfg.max_sockets = 64;
  cfg.max_connections = 256;
  cfg.max_half_open = 64;
  /* Half-open connections compact at once in odd seeds (their digests as before whole ones
   * existed), after the first 8 whole ones in even seeds: both paths and the turn between. */
  cfg.half_open_whole = (w->p.seed & 1) ? 0 : 8;
  cfg.event_capacity = SW_EVENT_CAPACITY;
  if (w->p.challenge_limit_off) cfg.challenge_ack_limit = 0;
  return ltcp_stack_new(&cfg);
}

/* Payloads: one buffer of random bytes per end, from the seed. */
static int sw_payloads(sw_world *w) {
  size_t total = 0;
  for (int i = 0; i < w->p.conns; i++)
    total += (size_t)w->conn[i].end[0].out_len + w->conn[i].end[1].out_len;
  w->bytes = malloc(total + 1);
  if (!w->bytes) return -1;
  ltcp_rng r;
  ltcp_rng_seed(&r, w->p.seed ^ 0x5eedb17e5ull);
  for (size_t i = 0; i < total; i += 8) {
    uint64_t v = ltcp_rng_next(&r);
    for (size_t k = 0; k < 8 && i + k < total; k++) w->bytes[i + k] = (uint8_t)(v >> (8 * k));
  }
  uint8_t *at = w->bytes;
  for (int i = 0; i < w->p.conns; i++) {
    sw_conn *c = &w->conn[i];
    for (int e = 0; e < 2; e++) {
      c->end[e].out = at;
      at += c->end[e].out_len;
    }
    for (int e = 0; e < 2; e++) {
      c->end[e].in = c->end[1 - e].out;
      c->end[e].in_len = c->end[1 - e].out_len;
      c->end[e].fd = -1;
      c->end[e].close_at = LTCP_TIME_NEVER;
    }
  }
  return 0;
}

static int sw_listen(sw_world *w) {
  for (int l = 0; l < w->p.ports; l++) {
    int fd = ltcp_socket(w->st[SW_SERVER]);
    ltcp_endpoint any = {0, w->port[l]};
    if (fd < 0 || ltcp_bind(w->st[SW_SERVER], fd, &any) != 0 ||
        ltcp_listen(w->st[SW_SERVER], fd, 8) != 0)
      return -1;
    w->lfd[l] = fd;
  }
  return 0;
}

/* The attacker is linked first to the server, so the server's default route (the replies to
 * spoofed sources) leads to it; its own links have no delay. */
static int sw_links(sw_world *w) {
  static const ltcp_sim_path instant;
  for (int s = 0; s <= w->p.clients; s++)
    if (ltcp_sim_link(w->sim, w->node[s], w->atk.node, &instant, &instant) != 0) return -1;
  for (int i = 0; i < w->p.clients; i++)
    if (ltcp_sim_link(w->sim, w->node[1 + i], w->node[SW_SERVER], &w->p.path[i][0],
                      &w->p.path[i][1]) != 0)
      return -1;
  return 0;
}

static int sw_world_init(sw_world *w, const char *pcap_path, ltcp_pcap **pcap) {
  w->sim = ltcp_sim_new(w->p.sim_seed);
  if (!w->sim || sw_payloads(w) != 0) return -1;
  for (int s = 0; s <= w->p.clients; s++) {
    w->st[s] = sw_stack_new(w, s, s == SW_SERVER ? SW_SERVER_ADDR : SW_CLIENT_ADDR(s));
    if (!w->st[s]) return -1;
    w->nodes[s] = (sw_node){w, s, w->st[s]};
    w->node[s] = ltcp_sim_add_node(w->sim, &sw_node_ops, &w->nodes[s],
                                   s == SW_SERVER ? SW_SERVER_ADDR : SW_CLIENT_ADDR(s));
    if (w->node[s] < 0) return -1;
  }
  if (sw_attack_init(w) != 0 || sw_links(w) != 0) return -1;
  w->digest = SEEDS_DIGEST_INIT;
  if (ltcp_sim_add_tap(w->sim, sw_tap, w) != 0) return -1;
  if (pcap_path) {
    *pcap = ltcp_pcap_open(pcap_path);
    if (!*pcap || ltcp_sim_add_tap(w->sim, ltcp_pcap_sim_tap, *pcap) != 0) return -1;
  }
  return sw_listen(w);
}

static void sw_world_free(sw_world *w) {
  ltcp_sim_free(w->sim);
  for (int s = 0; s < SW_STACKS; s++) ltcp_stack_free(w->st[s]);
  free(w->bytes);
}

/* ------------------------------------------------------------------ outcomes */

static int sw_data_landed(const sw_conn *c) {
  return (c->disrupted & (SW_ATK_BLIND_DATA | SW_ATK_WIN_DATA)) != 0;
}

/* An error a connection may end with: the peer aborted, or an attacker's packet landed. A SYN
 * flood lands too when the server answered this connection's SYN with a cookie: a segment of it
 * that reaches the listener other than the first (the ACK lost, or overtaken by later data) cannot
 * be checked against the cookie (only the first can, in Linux as here) and is answered with a
 * reset. That is a connection the server made from a cookie, or never had (never accepted), once
 * it counted a cookie rejected. */
static int sw_explained(sw_world *w, sw_conn *c, int e, int err) {
  if (!c->disrupted && (c->cookie || !c->accepted) && err == ECONNRESET &&
      ltcp_stack_stats(w->st[SW_SERVER])->syn_cookies_failed > 0)
    c->disrupted |= SW_ATK_SYN_FLOOD;
  if (c->disrupted) return 1;
  if (c->aborted && e == c->aborter && err == ECONNABORTED) return 1; /* its own ABORT */
  return c->order == SW_ABORT && e != c->aborter && (err == ECONNRESET || err == EPIPE);
}

static ltcp_stack *sw_end_stack(sw_world *w, const sw_conn *c, int e) {
  return w->st[e == SW_SRV ? SW_SERVER : c->client];
}

/* The application saw err: explained or not, it closes the socket. */
static void sw_end_error(sw_world *w, sw_conn *c, int e, int err, const char *call) {
  sw_end *x = &c->end[e];
  if (!x->err) {
    x->err = err;
    x->err_at = x->received;
  }
  if (!sw_explained(w, c, e, err))
    sw_fail(w, "conn %d %s: %s: %s after %u of %u bytes read, %u of %u sent", (int)(c - w->conn),
            sw_end_name[e], call, ltcp_errname(err), x->received, x->in_len, x->sent, x->out_len);
  if (!x->closed && x->fd >= 0) ltcp_close(sw_end_stack(w, c, e), x->fd);
  x->closed = 1;
  x->fd = -1;
}

/* ------------------------------------------------------------------ the applications */

static int sw_socket(sw_world *w, ltcp_stack *st, const sw_end *x) {
  int fd = ltcp_socket(st);
  if (fd < 0) return -1;
  if (ltcp_setsockopt(st, fd, LTCP_SO_SNDBUF, (int)x->sndbuf) != 0 ||
      ltcp_setsockopt(st, fd, LTCP_SO_RCVBUF, (int)x->rcvbuf) != 0 ||
      ltcp_setsockopt(st, fd, LTCP_TCP_MAXSEG, x->mss) != 0)
    sw_fail(w, "setsockopt: %s", ltcp_errname(errno));
  return fd;
}

/* Keep-alive (60 s idle, 9 probes 10 s apart) finds a peer that aborted while its RST was lost
 * (RFC 9293 §3.8.4); no outage lasts that long. */
static void sw_keepalive(sw_world *w, ltcp_stack *st, int fd) {
  if (ltcp_setsockopt(st, fd, LTCP_SO_KEEPALIVE, 1) != 0 ||
      ltcp_setsockopt(st, fd, LTCP_TCP_KEEPIDLE, 60) != 0 ||
      ltcp_setsockopt(st, fd, LTCP_TCP_KEEPINTVL, 10) != 0 ||
      ltcp_setsockopt(st, fd, LTCP_TCP_KEEPCNT, 9) != 0)
    sw_fail(w, "keep-alive: %s", ltcp_errname(errno));
}

static void sw_connect(sw_world *w, sw_conn *c) {
  ltcp_stack *st = w->st[c->client];
  sw_end *x = &c->end[SW_CLI];
  x->fd = sw_socket(w, st, x);
  c->srv = (ltcp_endpoint){SW_SERVER_ADDR, w->port[c->port]};
  if (x->fd < 0 || ltcp_connect(st, x->fd, &c->srv) == 0 || errno != EINPROGRESS) {
    sw_fail(w, "conn %d: connect: %s", (int)(c - w->conn), ltcp_errname(errno));
    return;
  }
  sw_keepalive(w, st, x->fd);
  if (ltcp_getsockname(st, x->fd, &c->cli) != 0) sw_fail(w, "getsockname failed");
  c->started = 1;
  c->started_seq = ++w->started;
}

/* A SYN cookie keeps no state, so it can make a connection twice (RFC 4987 §3.6): the server
 * made one from a cookie and it ended (its application aborted and the RST was lost; a SYN ended
 * its TIME-WAIT), and a later segment of the client's with the same numbers (a duplicate of its
 * ACK, data or a FIN it resends: Linux's check also takes an acknowledgment a few above the
 * cookie, as another MSS index) passes the check again, as it would in Linux. The listener hands the application a connection
 * it has already served; it aborts it, and the flood that forced cookies counts as landed. */
static int sw_resurrected(sw_world *w, sw_conn *c, int fd) {
  if (!c->accepted || !c->cookie) return 0; /* the tuple's first connection is gone by now */
  c->disrupted |= SW_ATK_SYN_FLOOD;
  w->as.resurrected++;
  if (w->verbose) printf("  conn %d: made again from its SYN cookie; aborted\n", (int)(c - w->conn));
  ltcp_abort(w->st[SW_SERVER], fd);
  return 1;
}

static void sw_accept(sw_world *w) {
  ltcp_stack *st = w->st[SW_SERVER];
  for (int l = 0; l < w->p.ports && !w->listeners_closed; l++) {
    for (int k = 0; k < SW_MAX_CONNS; k++) {
      ltcp_endpoint peer;
      int fd = ltcp_accept(st, w->lfd[l], &peer);
      if (fd < 0) {
        if (errno != EAGAIN) sw_fail(w, "accept: %s", ltcp_errname(errno));
        break;
      }
      ltcp_endpoint local = {SW_SERVER_ADDR, w->port[l]};
      sw_conn *c = sw_conn_by_tuple(w, SW_SERVER, &local, &peer);
      if (c && sw_resurrected(w, c, fd)) continue;
      if (!c || c->accepted) {
        sw_fail(w, "accepted a connection nobody opened (port %u)", peer.port);
        ltcp_close(st, fd);
        continue;
      }
      c->accepted = 1;
      c->end[SW_SRV].fd = fd;
      c->end[SW_SRV].connected = 1;
      sw_keepalive(w, st, fd);
    }
  }
}

/* Bytes read must be the peer's, in order; past a landed data guess, a difference is counted
 * and the connection given up. Returns 0, or -1 when the end gave up. */
static int sw_check_bytes(sw_world *w, sw_conn *c, int e, const uint8_t *buf, uint32_t n) {
  sw_end *x = &c->end[e];
  uint32_t ok = 0;
  if (x->received + n <= x->in_len) {
    const uint8_t *want = x->in + x->received;
    while (ok < n && buf[ok] == want[ok]) ok++;
  }
  if (ok == n) {
    x->received += n;
    return 0;
  }
  if (sw_data_landed(c)) {
    w->as.corrupted++;
    ltcp_abort(sw_end_stack(w, c, e), x->fd);
    x->fd = -1;
    x->closed = 1;
    return -1;
  }
  sw_fail(w, "conn %d %s: byte %u of the stream is not the peer's (%u bytes sent)",
          (int)(c - w->conn), sw_end_name[e], x->received + ok, x->in_len);
  return -1;
}

static int sw_send(sw_world *w, sw_conn *c, int e) {
  sw_end *x = &c->end[e];
  ltcp_stack *st = sw_end_stack(w, c, e);
  for (int i = 0; i < SW_IO_CALLS && !x->closed && !x->shut; i++) {
    uint32_t left = x->out_len - x->sent;
    if (c->order == SW_ABORT && e == c->aborter && x->sent >= c->abort_at) {
      ltcp_abort(st, x->fd);
      x->fd = -1;
      x->closed = 1;
      c->aborted = 1;
      return 0;
    }
    if (left == 0) return 0;
    uint32_t n = 1 + (uint32_t)ltcp_rng_below(&x->rng, x->chunk_max);
    if (n > left) n = left;
    if (c->order == SW_ABORT && e == c->aborter && x->sent < c->abort_at && n > c->abort_at - x->sent)
      n = c->abort_at - x->sent;
    ssize_t r = ltcp_send(st, x->fd, x->out + x->sent, n, 0);
    if (r < 0) {
      if (errno != EAGAIN) sw_end_error(w, c, e, errno, "send");
      return 0;
    }
    x->sent += (uint32_t)r;
  }
  return !x->closed && !x->shut && x->sent < x->out_len;
}

static int sw_recv(sw_world *w, sw_conn *c, int e, ltcp_time_ns now) {
  sw_end *x = &c->end[e];
  ltcp_stack *st = sw_end_stack(w, c, e);
  uint8_t buf[SW_CHUNK];
  if (x->eof || x->closed || now < x->wake_at) return 0;
  if (x->stall > 0 && ltcp_rng_chance(&x->rng, x->stall)) {
    x->wake_at = now + 1 + ltcp_rng_below(&x->rng, x->stall_max_ns);
    return 0;
  }
  for (int i = 0; i < SW_IO_CALLS; i++) {
    uint32_t n = 1 + (uint32_t)ltcp_rng_below(&x->rng, x->chunk_max);
    ssize_t r = ltcp_recv(st, x->fd, buf, n, 0);
    if (r < 0) {
      if (errno != EAGAIN) sw_end_error(w, c, e, errno, "recv");
      return 0;
    }
    if (r == 0) {
      x->eof = 1;
      if (x->received != x->in_len && !c->disrupted)
        sw_fail(w, "conn %d %s: EOF after %u of %u bytes", (int)(c - w->conn), sw_end_name[e],
                x->received, x->in_len);
      return 0;
    }
    if (sw_check_bytes(w, c, e, buf, (uint32_t)r) != 0) return 0;
  }
  return 1;
}

/* The client is connected once its socket turns writable or readable, or has failed. */
static void sw_connected(sw_world *w, sw_conn *c) {
  sw_end *x = &c->end[SW_CLI];
  ltcp_stack *st = w->st[c->client];
  ltcp_pollfd pfd = {x->fd, LTCP_POLLOUT | LTCP_POLLIN, 0};
  ltcp_poll(st, &pfd, 1);
  if (pfd.revents == 0) return;
  int err = ltcp_socket_error(st, x->fd);
  if (err != 0 || (pfd.revents & (LTCP_POLLERR | LTCP_POLLHUP))) {
    sw_end_error(w, c, SW_CLI, err ? err : ECONNRESET, "connect");
    return;
  }
  x->connected = 1;
}

static void sw_shutdown(sw_world *w, sw_conn *c, int e) {
  sw_end *x = &c->end[e];
  if (ltcp_shutdown(sw_end_stack(w, c, e), x->fd, LTCP_SHUT_WR) != 0) {
    sw_end_error(w, c, e, errno, "shutdown");
    return;
  }
  x->shut = 1;
}

static void sw_close(sw_world *w, sw_conn *c, int e) {
  sw_end *x = &c->end[e];
  if (ltcp_close(sw_end_stack(w, c, e), x->fd) != 0) sw_fail(w, "close: %s", ltcp_errname(errno));
  x->closed = 1;
  x->fd = -1;
}

static int sw_all_sent(const sw_end *x) {
  return x->connected && !x->closed && !x->shut && x->sent == x->out_len;
}

/* Who closes when (the property test's orders): the first closer shuts down once its data is
 * queued; the second once it has also read EOF, with close() alone or shutdown then close(). */
static void sw_closing(sw_world *w, sw_conn *c, ltcp_time_ns now) {
  sw_end *cl = &c->end[SW_CLI], *sv = &c->end[SW_SRV];
  if (now < w->p.hold_until) return;
  int first = c->order == SW_SERVER_FIRST ? SW_SRV : SW_CLI;
  switch (c->order) {
    case SW_SIMULTANEOUS:
      if (sw_all_sent(cl) && sw_all_sent(sv)) {
        sw_shutdown(w, c, SW_CLI);
        sw_shutdown(w, c, SW_SRV);
      }
      break;
    case SW_ABORT: /* the other end waits for the EOF that never comes */
      return;
    default:
      if (sw_all_sent(&c->end[first])) sw_shutdown(w, c, first);
      if (sw_all_sent(&c->end[1 - first]) && c->end[1 - first].eof) {
        if (c->end[1 - first].close_only && c->end[1 - first].close_delay_ns == 0)
          sw_close(w, c, 1 - first);
        else
          sw_shutdown(w, c, 1 - first);
      }
  }
  for (int e = 0; e < 2; e++) {
    sw_end *x = &c->end[e];
    if (x->closed || !x->shut || !x->eof) continue;
    if (x->close_at == LTCP_TIME_NEVER) x->close_at = now + x->close_delay_ns;
    if (now >= x->close_at) sw_close(w, c, e);
  }
}

static void sw_conn_turn(sw_world *w, sw_conn *c, ltcp_time_ns now) {
  if (!c->started) {
    if (now >= c->start_at) sw_connect(w, c);
    return;
  }
  if (!c->end[SW_CLI].connected && !c->end[SW_CLI].closed) sw_connected(w, c);
  for (int e = 0; e < 2 && !w->why[0]; e++) {
    sw_end *x = &c->end[e];
    if (!x->connected || x->closed) continue;
    x->busy = (unsigned)sw_send(w, c, e);
    if (!x->closed) x->busy |= (unsigned)sw_recv(w, c, e, now);
  }
  if (!w->why[0]) sw_closing(w, c, now);
}

/* Listeners close once every connection is accepted or its client gave up. */
static void sw_close_listeners(sw_world *w) {
  if (w->listeners_closed) return;
  for (int i = 0; i < w->p.conns; i++) {
    const sw_conn *c = &w->conn[i];
    if (!c->accepted && !(c->started && c->end[SW_CLI].closed)) return;
  }
  for (int l = 0; l < w->p.ports; l++) ltcp_close(w->st[SW_SERVER], w->lfd[l]);
  w->listeners_closed = 1;
}

/* ------------------------------------------------------------------ the network */

static int sw_link_wanted(const sw_world *w, int i, ltcp_time_ns now) {
  if (now >= w->p.heal_at) return 2;
  for (int k = 0; k < w->p.outages; k++) {
    const sw_outage *o = &w->p.outage[k];
    if (now >= o->start && now < o->end && (o->client == 0 || o->client == i + 1)) return 1;
  }
  return 0;
}

/* Faulty, cut (every packet lost) or healed (no faults, same delay and rate). */
static void sw_links_update(sw_world *w, ltcp_time_ns now) {
  for (int i = 0; i < w->p.clients; i++) {
    int want = sw_link_wanted(w, i, now);
    if (want == w->link_state[i]) continue;
    w->link_state[i] = want;
    for (int d = 0; d < 2; d++) {
      ltcp_sim_path p = w->p.path[i][d];
      if (want != 0) {
        ltcp_sim_path clean = {.latency_ns = p.latency_ns, .bandwidth_bps = p.bandwidth_bps};
        clean.loss = want == 1 ? 1.0 : 0.0;
        p = clean;
      }
      int from = d == 0 ? w->node[1 + i] : w->node[SW_SERVER];
      int to = d == 0 ? w->node[SW_SERVER] : w->node[1 + i];
      if (ltcp_sim_set_path(w->sim, from, to, &p) != 0) sw_fail(w, "ltcp_sim_set_path failed");
    }
    if (w->verbose)
      printf("%12.6f link client%d %s\n", (double)now / 1e9, i + 1,
             want == 2 ? "healed" : want == 1 ? "cut" : "faulty again");
  }
}

/* ------------------------------------------------------------------ events */

/* A reset in CLOSING or LAST-ACK after both FINs crossed (test_property.c explains it). */
static int sw_orderly_reset(const ltcp_event *ev) {
  return ev->error == ECONNRESET &&
         (ev->old_state == LTCP_CLOSING || ev->old_state == LTCP_LAST_ACK);
}

static void sw_print_event(int s, const ltcp_event *ev) {
  printf("%12.6f stack %d conn %llu %u->%u %s -> %s", (double)ev->time / 1e9, s,
         (unsigned long long)ev->conn_id, ev->local.port, ev->remote.port,
         ltcp_state_name(ev->old_state), ltcp_state_name(ev->new_state));
  if (ev->cause == LTCP_CAUSE_SEGMENT)
    printf(" (segment flags 0x%02x seq %u ack %u len %u)", ev->seg.flags, ev->seg.seq,
           ev->seg.ack, ev->seg.len);
  if (ev->error) printf(" error %s", ltcp_errname(ev->error));
  printf("\n");
}

static void sw_event(sw_world *w, int s, const ltcp_event *ev) {
  if (ev->kind == LTCP_EV_DROP) {
    if (w->chack_interval_ns && (ev->drop == LTCP_DROP_TCP_RST_CHALLENGED)) {
      uint64_t slot = ev->time / w->chack_interval_ns;
      if (slot != w->chack_slot[s]) w->chack_slot[s] = slot, w->chack_in_slot[s] = 0;
      if (++w->chack_in_slot[s] > w->chack_max[s]) w->chack_max[s] = w->chack_in_slot[s];
    }
    return;
  }
  sw_conn *c = sw_conn_by_tuple(w, s, &ev->local, &ev->remote);
  if (!c) return; /* a flood's half-open connection */
  if (w->verbose) sw_print_event(s, ev);
  if (s == SW_SERVER && ev->cause == LTCP_CAUSE_SYNCOOKIE) c->cookie = 1;
  if (ev->new_state == LTCP_TIME_WAIT) c->time_waits++;
  if (ev->new_state != LTCP_CLOSED || ev->error == 0 || sw_orderly_reset(ev)) return;
  int e = s == SW_SERVER ? SW_SRV : SW_CLI;
  if (!sw_explained(w, c, e, ev->error))
    sw_fail(w, "conn %d %s: %s -> CLOSED with %s", (int)(c - w->conn), sw_end_name[e],
            ltcp_state_name(ev->old_state), ltcp_errname(ev->error));
}

static void sw_drain_events(sw_world *w) {
  for (int s = 0; s <= w->p.clients; s++) {
    ltcp_event ev;
    for (uint32_t k = 0; k < SW_EVENT_CAPACITY && ltcp_stack_next_event(w->st[s], &ev); k++)
      sw_event(w, s, &ev);
    if (ltcp_stack_stats(w->st[s])->state_events_lost)
      sw_fail(w, "stack %d lost state events (the queue was full)", s);
    if (w->chack_interval_ns && ltcp_stack_stats(w->st[s])->events_lost) /* the figure counts drops */
      sw_fail(w, "stack %d lost drop events (the queue was full)", s);
  }
}

/* ------------------------------------------------------------------ driving */

static ltcp_time_ns sw_next_wake(const sw_world *w, ltcp_time_ns now) {
  ltcp_time_ns t = SW_DEADLINE_NS;
  const ltcp_time_ns cand[] = {w->p.heal_at, w->p.hold_until};
  for (size_t k = 0; k < sizeof cand / sizeof cand[0]; k++)
    if (cand[k] > now && cand[k] < t) t = cand[k];
  for (int k = 0; k < w->p.outages; k++) {
    if (w->p.outage[k].start > now && w->p.outage[k].start < t) t = w->p.outage[k].start;
    if (w->p.outage[k].end > now && w->p.outage[k].end < t) t = w->p.outage[k].end;
  }
  for (int i = 0; i < w->p.conns; i++) {
    const sw_conn *c = &w->conn[i];
    if (!c->started && c->start_at < t) t = c->start_at > now ? c->start_at : now;
    for (int e = 0; e < 2; e++) {
      const sw_end *x = &c->end[e];
      if (x->closed) continue;
      if (x->busy) return now;
      if (x->wake_at > now && x->wake_at < t) t = x->wake_at;
      if (x->close_at > now && x->close_at < t) t = x->close_at;
    }
  }
  return t;
}

static int sw_finished(const sw_world *w) {
  if (!w->listeners_closed) return 0;
  for (int i = 0; i < w->p.conns; i++)
    if (!w->conn[i].end[SW_CLI].closed || (w->conn[i].accepted && !w->conn[i].end[SW_SRV].closed))
      return 0;
  for (int s = 0; s <= w->p.clients; s++)
    if (ltcp_stack_connection_count(w->st[s]) != 0) return 0;
  return 1;
}

static void sw_turn(sw_world *w) {
  ltcp_time_ns now = ltcp_sim_now(w->sim);
  sw_links_update(w, now);
  for (int s = 0; s <= w->p.clients; s++) ltcp_stack_advance(w->st[s], now);
  sw_drain_events(w);
  sw_accept(w);
  for (int i = 0; i < w->p.conns && !w->why[0]; i++) sw_conn_turn(w, &w->conn[i], now);
  sw_close_listeners(w);
  sw_drain_events(w);
}

static void sw_describe_stuck(sw_world *w) {
  char buf[400];
  int n = 0;
  for (int i = 0; i < w->p.conns && n < (int)sizeof buf - 80; i++) {
    const sw_conn *c = &w->conn[i];
    n += snprintf(buf + n, sizeof buf - (size_t)n, "conn %d %u/%u %u/%u%s%s; ", i,
                  c->end[0].received, c->end[0].in_len, c->end[1].received, c->end[1].in_len,
                  c->end[0].closed ? " c-closed" : "", c->end[1].closed ? " s-closed" : "");
  }
  for (int s = 0; s <= w->p.clients && n < (int)sizeof buf - 20; s++)
    n += snprintf(buf + n, sizeof buf - (size_t)n, "stack %d: %u conns; ", s,
                  ltcp_stack_connection_count(w->st[s]));
  sw_fail(w, "not CLOSED by %.0f s virtual: %s", (double)SW_DEADLINE_NS / 1e9, buf);
}

/* Every legitimate connection: all delivered and an orderly end, or an explained one. */
static void sw_verify(sw_world *w) {
  for (int i = 0; i < w->p.conns && !w->why[0]; i++) {
    const sw_conn *c = &w->conn[i];
    if (c->disrupted) continue;
    for (int e = 0; e < 2; e++) {
      const sw_end *x = &c->end[e];
      if (c->order == SW_ABORT) {
        if (e != c->aborter && x->connected && !x->err && !x->eof)
          sw_fail(w, "conn %d %s: its peer aborted, and it never learnt", i, sw_end_name[e]);
        continue;
      }
      if (x->received != x->in_len || !x->eof || x->sent != x->out_len)
        sw_fail(w, "conn %d %s: read %u of %u, sent %u of %u%s", i, sw_end_name[e], x->received,
                x->in_len, x->sent, x->out_len, x->eof ? "" : ", no EOF");
    }
    if (c->order != SW_ABORT && c->time_waits == 0)
      sw_fail(w, "conn %d: neither end went through TIME-WAIT", i);
  }
}

static void sw_quiesce(sw_world *w) {
  ltcp_time_ns end = ltcp_sim_now(w->sim) + SW_QUIET_NS;
  for (uint64_t i = 0; i < SW_STEPS_MAX && ltcp_sim_step(w->sim, end); i++) {
    sw_check_all(w);
    sw_drain_events(w);
  }
  for (int s = 0; s <= w->p.clients; s++)
    if (ltcp_stack_connection_count(w->st[s]) != 0)
      sw_fail(w, "stack %d: a connection reappeared after the end", s);
}

static void sw_run(sw_world *w) {
  for (w->steps = 0; w->steps < w->steps_max; w->steps++) {
    sw_turn(w);
    if (w->why[0]) return;
    if (sw_finished(w)) break;
    ltcp_time_ns now = ltcp_sim_now(w->sim);
    if (now >= SW_DEADLINE_NS) {
      sw_describe_stuck(w);
      return;
    }
    ltcp_sim_step(w->sim, sw_next_wake(w, now));
    sw_check_all(w);
    sw_drain_events(w);
    if (w->why[0]) return;
  }
  if (w->steps >= w->steps_max) {
    sw_fail(w, "no end within %llu simulator steps (a packet storm, an ACK loop?)",
            (unsigned long long)w->steps_max);
    return;
  }
  w->done_at = ltcp_sim_now(w->sim);
  sw_verify(w);
  if (!w->why[0]) sw_quiesce(w);
}

/* ------------------------------------------------------------------ seeds and reporting */

static const char *sw_argv0 = "test_swarm";

typedef struct sw_result {
  int failed;
  uint64_t steps, digest, checks;
  ltcp_time_ns done_at;
  sw_attack_stats as;
  uint32_t disrupted_conns, conns, window_overshoot;
} sw_result;

static void sw_print_attacks(const sw_world *w) {
  for (int k = 0; k < SW_ATK_KINDS; k++)
    if (w->as.sent[k])
      printf("  %-15s sent %llu, landed %llu, challenged %llu\n", sw_attack_name(k),
             (unsigned long long)w->as.sent[k], (unsigned long long)w->as.landed[k],
             (unsigned long long)w->as.challenged[k]);
}

/* The world of a seed, set up (params may be changed by the figures before init). */
static sw_world *sw_world_new(uint64_t seed) {
  sw_world *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  sw_derive(seed, &w->p, w->conn);
  w->steps_max = SW_STEPS_MAX;
  for (int l = 0; l < SW_MAX_PORTS; l++) w->port[l] = (uint16_t)(80 + 363 * l);
  return w;
}

static void sw_run_world(sw_world *w, const char *pcap_path, sw_result *res) {
  ltcp_pcap *pcap = NULL;
  memset(res, 0, sizeof *res);
  seeds_crash_set(w->p.seed);
  if (w->verbose) sw_print_params(w);
  if (sw_world_init(w, pcap_path, &pcap) != 0) sw_fail(w, "setup failed");
  if (!w->why[0]) sw_run(w);
  if (w->verbose) {
    printf("seed %llu: %s after %llu steps (%llu checks), all CLOSED at %.3f s virtual, trace "
           "digest %016llx\n", (unsigned long long)w->p.seed, w->why[0] ? "FAILED" : "passed",
           (unsigned long long)w->steps, (unsigned long long)w->checks,
           (double)w->done_at / 1e9, (unsigned long long)w->digest);
    sw_print_attacks(w);
  }
  if (w->why[0]) {
    fflush(stdout);
    fprintf(stderr, "FAIL seed=%llu: %s\nreplay: %s --seed %llu\n", (unsigned long long)w->p.seed,
            w->why, sw_argv0, (unsigned long long)w->p.seed);
  }
  res->failed = w->why[0] != 0;
  res->steps = w->steps;
  res->checks = w->checks;
  res->digest = w->digest;
  res->done_at = w->done_at;
  res->as = w->as;
  res->conns = (uint32_t)w->p.conns;
  res->window_overshoot = w->window_overshoot;
  for (int i = 0; i < w->p.conns; i++) res->disrupted_conns += w->conn[i].disrupted != 0;
  if (pcap) ltcp_pcap_close(pcap);
  sw_world_free(w);
  seeds_crash_clear();
}

static void sw_run_seed(uint64_t seed, int verbose, const char *pcap_path, sw_result *res) {
  sw_world *w = sw_world_new(seed);
  if (!w) {
    memset(res, 0, sizeof *res);
    res->failed = 1;
    return;
  }
  w->verbose = verbose;
  sw_run_world(w, pcap_path, res);
  free(w);
}

/* ------------------------------------------------------------------ the figures */

/* One established connection held open for secs of virtual time, no honest faults, while the
 * attacker sends only kinds (one packet every gap_ns). */
static sw_world *sw_figure_world(uint64_t seed, uint32_t kinds, ltcp_time_ns gap_ns,
                                 ltcp_time_ns secs_ns, uint32_t rcvbuf) {
  sw_world *w = sw_world_new(seed);
  if (!w) return NULL;
  sw_params *p = &w->p;
  p->clients = 1;
  p->ports = 1;
  p->conns = 1;
  p->outages = 0;
  for (int d = 0; d < 2; d++) {
    memset(&p->path[0][d], 0, sizeof p->path[0][d]);
    p->path[0][d].latency_ns = LTCP_MS(10);
  }
  p->attack_from = LTCP_SEC(1); /* established by then */
  p->heal_at = p->attack_from + secs_ns; /* the attack window */
  p->hold_until = p->heal_at;
  p->attacks = kinds;
  p->attack_gap_ns = gap_ns;
  w->steps_max = SW_STEPS_MAX + 4 * (secs_ns / gap_ns); /* each attempt and its answer */
  sw_conn *c = &w->conn[0];
  c->client = 1;
  c->port = 0;
  c->order = SW_CLIENT_FIRST;
  c->start_at = 0;
  for (int e = 0; e < 2; e++) {
    c->end[e].out_len = 1000;
    c->end[e].stall = 0;
    c->end[e].rcvbuf = rcvbuf;
  }
  return w;
}

static double sw_per_million(uint64_t n, uint64_t of) { return of ? 1e6 * (double)n / (double)of : 0; }

/* (a) Blind injection: each kind alone, n attempts at an established connection. RFC 5961's
 * bounds per attempt: an RST must hit RCV.NXT exactly (1/2^32; RFC 793 took any RST in the
 * window, W/2^32); a SYN never resets (§4; RFC 793: W/2^32); data needs its sequence number in
 * the window and its ACK within MAX.SND.WND of SND.UNA (§5: about W/2^32 * A/2^32). */
static int sw_figure_blind(uint64_t n, int only, int verbose) {
  static const int kinds[] = {1, 2, 3}; /* blind-rst, blind-syn, blind-data */
  const uint32_t rcvbuf = 65535;
  const double W = rcvbuf, two32 = 4294967296.0;
  printf("blind injection at one established connection (receive window %u bytes), %llu "
         "attempts per kind, 1 ms apart:\n", rcvbuf, (unsigned long long)n);
  printf("%-12s %10s %8s %14s %20s %20s\n", "kind", "sent", "landed", "per million",
         "RFC 5961 bound/1e6", "RFC 793 bound/1e6");
  int failed = 0;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    int k = kinds[i];
    if (only >= 0 && k != only) continue;
    sw_world *w = sw_figure_world(7, 1u << k, LTCP_MS(1), LTCP_MS(n), rcvbuf);
    if (!w) return 1;
    w->verbose = verbose;
    sw_result r;
    sw_run_world(w, NULL, &r);
    free(w);
    double b5961 = k == 1 ? 1.0 / two32 : k == 2 ? 0.0 : (W / two32) * ((W + 1000) / two32);
    double b793 = k == 3 ? (W / two32) * 0.5 : W / two32;
    printf("%-12s %10llu %8llu %14.4f %20.6f %20.3f\n", sw_attack_name(k),
           (unsigned long long)r.as.sent[k], (unsigned long long)r.as.landed[k],
           sw_per_million(r.as.landed[k], r.as.sent[k]), b5961 * 1e6, b793 * 1e6);
    failed |= r.failed;
  }
  return failed;
}

/* (b) An in-window RST flood (1000 a second, never at RCV.NXT) at one connection: the challenge
 * ACKs each end sends per second, and the most in one interval, with RFC 5961 §7's limit
 * (cfg.challenge_ack_limit per cfg.challenge_ack_interval_ns) and without it. */
static int sw_figure_challenge(void) {
  const ltcp_time_ns secs = LTCP_SEC(60);
  ltcp_stack_config def;
  ltcp_stack_config_default(&def);
  printf("in-window RST flood, 1000 RSTs a second for %.0f s at one connection (both ends):\n",
         (double)secs / 1e9);
  int failed = 0;
  for (int off = 0; off < 2; off++) {
    sw_world *w = sw_figure_world(11, SW_ATK_WIN_RST, LTCP_MS(1), secs, 65535);
    if (!w) return 1;
    w->p.challenge_limit_off = off;
    w->chack_interval_ns = def.challenge_ack_interval_ns;
    uint64_t sent = 0, acks = 0, most = 0;
    ltcp_pcap *pcap = NULL;
    seeds_crash_set(w->p.seed);
    if (sw_world_init(w, NULL, &pcap) != 0) sw_fail(w, "setup failed");
    if (!w->why[0]) sw_run(w);
    sent = w->as.sent[5]; /* window-rst */
    for (int s = 0; s < 2; s++) {
      acks += ltcp_stack_stats(w->st[s])->challenge_acks;
      if (w->chack_max[s] > most) most = w->chack_max[s];
    }
    if (w->why[0]) fprintf(stderr, "FAIL: %s\n", w->why);
    failed |= w->why[0] != 0;
    sw_world_free(w);
    free(w);
    printf("  %-28s %llu RSTs, %llu challenge ACKs: %.2f per second per end, at most %llu in "
           "one %.0f s interval (limit %s)\n",
           off ? "without the limit:" : "with RFC 5961 7 (default):", (unsigned long long)sent,
           (unsigned long long)acks, (double)acks / 2.0 / ((double)secs / 1e9),
           (unsigned long long)most, (double)def.challenge_ack_interval_ns / 1e9,
           off ? "off" : "10");
    if (!off && most > def.challenge_ack_limit) {
      fprintf(stderr, "FAIL: %llu challenge ACKs in one interval, more than the limit %u\n",
              (unsigned long long)most, def.challenge_ack_limit);
      failed = 1;
    }
  }
  return failed;
}

/* ------------------------------------------------------------------ command line */

#define SW_LIST_MAX 4096

static struct {
  uint64_t seeds[SW_LIST_MAX];
  size_t count;
  uint64_t start, n;
  int listed; /* seeds from --seed or --regressions (maybe none), not a range */
  int verbose, replay_check, list;
  const char *pcap, *figure;
  uint64_t figure_n;
} sw_cfg = {.start = 1, .n = 100, .figure_n = 1000000};

static int sw_read_list(const char *path) {
  sw_cfg.listed = 1;
  return seeds_read_list(path, sw_cfg.seeds, &sw_cfg.count, SW_LIST_MAX);
}

static int sw_parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t x, y;
    if (!strcmp(a, "--verbose") || !strcmp(a, "--replay-check") || !strcmp(a, "--list")) {
      if (!strcmp(a, "--verbose")) sw_cfg.verbose = 1;
      else if (!strcmp(a, "--list")) sw_cfg.list = 1;
      else sw_cfg.replay_check = 1;
      continue;
    }
    if (!v) return -1;
    if (!strcmp(a, "--seed") && seeds_parse_u64(v, &x) == 0 && sw_cfg.count < SW_LIST_MAX) {
      sw_cfg.seeds[sw_cfg.count++] = x;
      sw_cfg.listed = 1;
      sw_cfg.verbose = 1;
    } else if (!strcmp(a, "--seeds") && sscanf(v, "%llu-%llu", (unsigned long long *)&x,
                                               (unsigned long long *)&y) == 2 && x <= y) {
      sw_cfg.start = x;
      sw_cfg.n = y - x + 1;
    } else if (!strcmp(a, "--count") && seeds_parse_u64(v, &x) == 0) {
      sw_cfg.n = x;
    } else if (!strcmp(a, "--start") && seeds_parse_u64(v, &x) == 0) {
      sw_cfg.start = x;
    } else if (!strcmp(a, "--regressions")) {
      if (sw_read_list(v) != 0) return -1;
    } else if (!strcmp(a, "--pcap")) {
      sw_cfg.pcap = v;
    } else if (!strcmp(a, "--figure")) {
      sw_cfg.figure = v;
      if (i + 2 < argc && seeds_parse_u64(argv[i + 2], &x) == 0) sw_cfg.figure_n = x, i++;
    } else {
      return -1;
    }
    i++;
  }
  return 0;
}

static int sw_replays(uint64_t seed, const sw_result *first) {
  sw_result again;
  sw_run_seed(seed, 0, NULL, &again);
  if (again.digest == first->digest && again.steps == first->steps) return 1;
  fflush(stdout);
  fprintf(stderr, "FAIL seed=%llu: a second run differs (trace digest %016llx vs %016llx)\n"
          "replay: %s --seed %llu\n", (unsigned long long)seed,
          (unsigned long long)first->digest, (unsigned long long)again.digest, sw_argv0,
          (unsigned long long)seed);
  return 0;
}

/* The totals over the seeds run: attack packets by kind and how many landed. */
typedef struct sw_totals {
  uint64_t seeds, failed, steps, checks, conns, disrupted, corrupted, resurrected, max_steps;
  ltcp_time_ns max_done;
  uint32_t window_overshoot;
  uint64_t sent[SW_ATK_KINDS], landed[SW_ATK_KINDS], challenged[SW_ATK_KINDS];
} sw_totals;

static void sw_add(sw_totals *t, const sw_result *r) {
  t->seeds++;
  t->failed += (uint64_t)r->failed;
  t->steps += r->steps;
  t->checks += r->checks;
  t->conns += r->conns;
  t->disrupted += r->disrupted_conns;
  t->corrupted += r->as.corrupted;
  t->resurrected += r->as.resurrected;
  if (r->steps > t->max_steps) t->max_steps = r->steps;
  if (r->done_at > t->max_done) t->max_done = r->done_at;
  if (r->window_overshoot > t->window_overshoot) t->window_overshoot = r->window_overshoot;
  for (int k = 0; k < SW_ATK_KINDS; k++) {
    t->sent[k] += r->as.sent[k];
    t->landed[k] += r->as.landed[k];
    t->challenged[k] += r->as.challenged[k];
  }
}

static void sw_print_totals(const sw_totals *t, double wall_s) {
  printf("%llu seeds, %llu failed; %llu connections, %llu hit by a landed attacker packet "
         "(%llu streams given up); %llu steps (at most %llu), %llu invariant sweeps; all "
         "CLOSED by %.3f s virtual; %.1f seeds/s\n",
         (unsigned long long)t->seeds, (unsigned long long)t->failed,
         (unsigned long long)t->conns, (unsigned long long)t->disrupted,
         (unsigned long long)t->corrupted, (unsigned long long)t->steps,
         (unsigned long long)t->max_steps, (unsigned long long)t->checks,
         (double)t->max_done / 1e9, wall_s > 0 ? (double)t->seeds / wall_s : 0.0);
  printf("  a scaled window promised at most %u bytes beyond the free receive buffer "
         "(RFC 7323 2.4 rounding)\n", t->window_overshoot);
  if (t->resurrected)
    printf("  %llu connection(s) made again from a SYN cookie after the server ended them\n",
           (unsigned long long)t->resurrected);
  for (int k = 0; k < SW_ATK_KINDS; k++)
    if (t->sent[k])
      printf("  %-15s sent %llu, landed %llu, challenged %llu\n", sw_attack_name(k),
             (unsigned long long)t->sent[k], (unsigned long long)t->landed[k],
             (unsigned long long)t->challenged[k]);
}

static double sw_wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts); /* only for the seeds/s line, never for a verdict */
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_swarm_seeds(void **state) {
  (void)state;
  sw_totals t;
  memset(&t, 0, sizeof t);
  uint64_t total = sw_cfg.listed ? sw_cfg.count : sw_cfg.n;
  double t0 = sw_wall();
  for (uint64_t i = 0; i < total && t.failed < SW_FAILURES_SHOWN; i++) {
    uint64_t seed = sw_cfg.listed ? sw_cfg.seeds[i] : sw_cfg.start + i;
    sw_result res;
    sw_run_seed(seed, sw_cfg.verbose, sw_cfg.verbose ? sw_cfg.pcap : NULL, &res);
    if (!res.failed && sw_cfg.replay_check && !sw_replays(seed, &res)) res.failed = 1;
    if (sw_cfg.list)
      printf("seed %llu %s steps %llu closed-at %.3f digest %016llx\n", (unsigned long long)seed,
             res.failed ? "FAIL" : "ok", (unsigned long long)res.steps,
             (double)res.done_at / 1e9, (unsigned long long)res.digest);
    sw_add(&t, &res);
  }
  sw_print_totals(&t, sw_wall() - t0);
  assert_int_equal(t.failed, 0);
}

int main(int argc, char **argv) {
  sw_argv0 = argv[0];
  if (sw_parse_args(argc, argv) != 0) {
    fprintf(stderr,
            "usage: %s [--seed N [--pcap FILE]] [--seeds A-B] [--count N] [--start S]\n"
            "          [--regressions FILE] [--verbose] [--replay-check] [--list]\n"
            "          [--figure blind|blind-rst|blind-syn|blind-data [N] | --figure challenge]\n",
            argv[0]);
    return 2;
  }
  seeds_crash_install(argv[0]);
  if (sw_cfg.figure && !strcmp(sw_cfg.figure, "blind")) return sw_figure_blind(sw_cfg.figure_n, -1, sw_cfg.verbose);
  for (int k = 1; k <= 3 && sw_cfg.figure; k++) /* --figure blind-rst N: one kind */
    if (!strcmp(sw_cfg.figure, sw_attack_name(k)))
      return sw_figure_blind(sw_cfg.figure_n, k, sw_cfg.verbose);
  if (sw_cfg.figure && !strcmp(sw_cfg.figure, "challenge")) return sw_figure_challenge();
  if (sw_cfg.figure) return 2;
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_swarm_seeds)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
