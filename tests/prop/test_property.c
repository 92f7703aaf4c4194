/* The randomized property test: two stacks over one faulty simulated link, a random payload each
 * way (up to 1 MiB, log-uniform), a random close order (client first, server first, or both at
 * the same virtual instant; the second closer may use close() alone). For every seed:
 *   - every byte arrives intact and in order, and both ends read EOF;
 *   - both stacks end with no connection, each having reached CLOSED without an error, one at
 *     least through TIME-WAIT, before a virtual deadline and within a bounded number of steps;
 *   - nothing comes back to life afterwards, poll() agrees with send() and recv(), and no
 *     invariant check fires (LTCP_ASSERT aborts; the seed is printed before the process dies).
 * Half of the seeds aim the ISNs so that sequence numbers wrap mid-transfer. One seed sets
 * everything and replays exactly:
 *
 *   test_property --seed N [--pcap FILE]      one seed, with its parameters and every event
 *   test_property --seeds A-B                 a range
 *   test_property --count N [--start S]       N seeds from S (default 1)
 *   test_property --regressions FILE          the seeds listed in FILE (one per line, # comments)
 *   --replay-check                            run each seed twice: the traces must be identical
 *   --ipv6                                    both stacks dual-stack, the connection over IPv6
 *   --list                                    one line per seed (steps, end time, trace digest)
 *
 * Faults come first; at a random time the link heals (no loss, duplication, reordering or
 * corruption) and the connection must then converge. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lucidtcp/pcap.h"
#include "lucidtcp/sim.h"
#include "lucidtcp/socket.h"
#include "lucidtcp/stack.h"
#include "support/seeds.h"
#include "util/rng.h"

#define PROP_CLIENT_ADDR LTCP_IPV4(198, 18, 0, 1)
#define PROP_SERVER_ADDR LTCP_IPV4(198, 18, 0, 2)
/* --ipv6: both stacks have an IPv6 address too and the connection is made over IPv6. */
static int prop_ipv6;
static const uint8_t prop_addr6[2][16] = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1},
                                          {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
#define PROP_SERVER_PORT 5001
#define PROP_PAYLOAD_MAX (1u << 20)
#define PROP_CHUNK 65536u                   /* the apps' buffers; the largest send or recv */
#define PROP_IO_CALLS 64                    /* send or recv calls per app turn */
#define PROP_DEADLINE_NS LTCP_SEC(30 * 60)  /* everything CLOSED by then, in virtual time */
#define PROP_HEAL_MAX_NS LTCP_SEC(90)       /* faults last up to this long */
#define PROP_STEPS_MAX 20000000ull          /* simulator steps per seed */
#define PROP_QUIET_NS LTCP_SEC(600)         /* after the end: nothing may come back to life */
#define PROP_EVENT_CAPACITY 4096u
#define PROP_MSL_NS LTCP_SEC(1)
#define PROP_RETRIES 30                     /* 20% loss can exhaust Linux's default limits */
#define PROP_FAILURES_SHOWN 32

enum { CLIENT = 0, SERVER = 1 };
static const char *const prop_side_name[2] = {"client", "server"};

typedef enum prop_order { PROP_CLIENT_FIRST, PROP_SERVER_FIRST, PROP_SIMULTANEOUS } prop_order;
static const char *const prop_order_name[] = {"client closes first", "server closes first",
                                              "simultaneous close"};

/* ------------------------------------------------------------------ parameters */

typedef struct prop_side {
  uint32_t payload;             /* bytes this side sends */
  uint32_t sndbuf, rcvbuf;      /* SO_SNDBUF, SO_RCVBUF */
  int mss;                      /* TCP_MAXSEG */
  uint32_t chunk_max;           /* largest send or recv call */
  int close_only;               /* second closer: close() right after its last send, no shutdown */
  ltcp_time_ns close_delay_ns;  /* from EOF read (and shutdown) to close() */
  double stall;                 /* chance per turn that the reader pauses */
  ltcp_time_ns stall_max_ns;
  uint64_t stack_seed, stream_seed, app_seed;
  uint32_t wrap_after;          /* with wrap: bytes sent before sequence numbers wrap */
  uint32_t isn_offset;          /* the stack's isn_offset, aimed when wrap is set */
  int rfc1337;                  /* the stack ignores an RST in TIME-WAIT (RFC 1337 TW-1) */
  int window_scale, timestamps; /* RFC 7323 offers (cfg.window_scale, cfg.timestamps) */
  int sack, congestion;         /* RFC 2018 offer (cfg.sack), cfg.congestion */
} prop_side;

typedef struct prop_params {
  uint64_t seed, sim_seed;
  prop_side side[2];
  ltcp_sim_path path[2]; /* [CLIENT]: client to server */
  ltcp_time_ns heal_at;
  prop_order order;
  int early_send;        /* the client queues data while in SYN-SENT */
  int wrap;              /* ISNs aimed just below 2^32: sequence numbers wrap mid-transfer */
} prop_params;

/* Log-uniform in [0, max]: small payloads are common, the maximum still comes up. */
static uint32_t prop_log_uniform(ltcp_rng *r, uint32_t max) {
  return seeds_log_uniform(r, max, 20, 21);
}

static void prop_derive_path(ltcp_rng *r, ltcp_sim_path *p) {
  static const seeds_faults faults = {4, 253, 0.2, 0.2, 0.2, 0.02};
  seeds_faulty_path(r, &faults, p);
}

static void prop_derive_side(ltcp_rng *r, prop_side *s) {
  s->payload = prop_log_uniform(r, PROP_PAYLOAD_MAX);
  s->sndbuf = 2048 + (uint32_t)ltcp_rng_below(r, 256 * 1024 - 2048);
  s->rcvbuf = 1024 + (uint32_t)ltcp_rng_below(r, 65535 - 1024 + 1);
  s->mss = ltcp_rng_below(r, 5) ? 536 + (int)ltcp_rng_below(r, 1460 - 536 + 1)
                                 : 88 + (int)ltcp_rng_below(r, 536 - 88);
  s->chunk_max = 1 + (uint32_t)ltcp_rng_below(r, PROP_CHUNK);
  s->close_only = (int)ltcp_rng_below(r, 2);
  s->close_delay_ns = ltcp_rng_below(r, 2) ? 0 : ltcp_rng_below(r, LTCP_SEC(3));
  s->stall = ltcp_rng_below(r, 2) ? 0.0 : 0.05 * ltcp_rng_unit(r);
  s->stall_max_ns = LTCP_MS(1) + ltcp_rng_below(r, LTCP_MS(800));
  s->stack_seed = ltcp_rng_next(r);
  s->stream_seed = ltcp_rng_next(r);
  s->app_seed = ltcp_rng_next(r);
  /* RFC 7323 on or off, and a receive buffer up to 1 MiB (window shift up to 5), from bits of
   * the stack seed: no extra draw, so every other parameter of a seed stays as it was. */
  s->window_scale = (int)((s->stack_seed >> 40) & 1);
  s->timestamps = (int)((s->stack_seed >> 41) & 1);
  if ((s->stack_seed >> 42) & 1) s->rcvbuf *= 16;
  s->sack = (int)((s->stack_seed >> 43) & 1);       /* the same way: SACK on or off, */
  s->congestion = (int)((s->stack_seed >> 44) & 1); /* CUBIC or NewReno */
}

static void prop_derive(uint64_t seed, prop_params *p) {
  ltcp_rng r;
  ltcp_rng_seed(&r, seed);
  memset(p, 0, sizeof *p);
  p->seed = seed;
  p->sim_seed = ltcp_rng_next(&r);
  for (int i = 0; i < 2; i++) prop_derive_side(&r, &p->side[i]);
  for (int i = 0; i < 2; i++) prop_derive_path(&r, &p->path[i]);
  p->heal_at = ltcp_rng_below(&r, PROP_HEAL_MAX_NS + 1);
  p->order = (prop_order)ltcp_rng_below(&r, 3);
  p->early_send = (int)ltcp_rng_below(&r, 2);
  p->wrap = (int)ltcp_rng_below(&r, 2);
  for (int i = 0; i < 2; i++)
    p->side[i].wrap_after = (uint32_t)ltcp_rng_below(&r, (uint64_t)p->side[i].payload + 2);
  for (int i = 0; i < 2; i++) p->side[i].rfc1337 = ltcp_rng_below(&r, 4) == 0;
}

static void prop_print_params(const prop_params *p) {
  printf("seed %llu: %s, heal at %.3f s, client %s\n", (unsigned long long)p->seed,
         prop_order_name[p->order], (double)p->heal_at / 1e9,
         p->early_send ? "sends in SYN-SENT" : "sends once connected");
  if (p->wrap)
    printf("  sequence numbers wrap after about %u bytes (client), %u bytes (server)\n",
           p->side[CLIENT].wrap_after, p->side[SERVER].wrap_after);
  for (int i = 0; i < 2; i++) {
    const prop_side *s = &p->side[i];
    const ltcp_sim_path *l = &p->path[i];
    printf("  %s: %u bytes, sndbuf %u rcvbuf %u mss %d, calls <= %u, %s, close delay %.3f s, "
           "stall %.3f (<= %.3f s)%s%s%s%s, %s\n",
           prop_side_name[i], s->payload, s->sndbuf, s->rcvbuf, s->mss, s->chunk_max,
           s->close_only ? "close() only" : "shutdown then close()",
           (double)s->close_delay_ns / 1e9, s->stall, (double)s->stall_max_ns / 1e9,
           s->rfc1337 ? ", rfc1337" : "", s->window_scale ? ", wscale" : "",
           s->timestamps ? ", timestamps" : "", s->sack ? ", sack" : "",
           s->congestion == LTCP_CC_NEWRENO ? "newreno" : "cubic");
    printf("  %s->%s: latency %.3f ms, %llu bit/s, queue %u, loss %.3f dup %.3f reorder %.3f "
           "(hold %.3f ms) corrupt %.4f\n",
           prop_side_name[i], prop_side_name[1 - i], (double)l->latency_ns / 1e6,
           (unsigned long long)l->bandwidth_bps, l->queue_limit, l->loss, l->duplicate,
           l->reorder, (double)l->reorder_delay_ns / 1e6, l->corrupt);
  }
}

/* ------------------------------------------------------------------ payload streams */

/* The bytes one side sends: a PRNG stream, regenerated by the receiver to check them. */
typedef struct prop_stream {
  ltcp_rng rng;
  uint64_t word;
  unsigned avail;
} prop_stream;

static void prop_stream_init(prop_stream *s, uint64_t seed) {
  ltcp_rng_seed(&s->rng, seed);
  s->word = 0;
  s->avail = 0;
}

static void prop_stream_fill(prop_stream *s, uint8_t *buf, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (s->avail == 0) {
      s->word = ltcp_rng_next(&s->rng);
      s->avail = 8;
    }
    buf[i] = (uint8_t)s->word;
    s->word >>= 8;
    s->avail--;
  }
}

/* ------------------------------------------------------------------ the world */

typedef struct prop_app {
  int side;
  ltcp_stack *st;
  const prop_side *cfg;
  int fd, lfd;
  int connected, shut, eof, closed;
  uint64_t sent, generated, received, expected;
  prop_stream tx, rx;
  uint32_t tx_off, tx_len;
  ltcp_time_ns wake_at;  /* the reader is paused until then */
  ltcp_time_ns close_at; /* close() is due then; LTCP_TIME_NEVER until EOF */
  int polled;            /* revents of the poll() before this send or recv loop, or -1 */
  int busy;              /* stopped at PROP_IO_CALLS with more to do: another turn at once */
  ltcp_rng rng;
  uint8_t txbuf[PROP_CHUNK], rxbuf[PROP_CHUNK], cmpbuf[PROP_CHUNK];
} prop_app;

typedef struct prop_world {
  prop_params p;
  ltcp_sim *sim;
  ltcp_stack *st[2];
  int node[2];
  prop_app app[2];
  int healed, verbose;
  uint64_t steps;
  uint64_t closed_ok[2];  /* connections that reached CLOSED without an error */
  uint64_t time_waits[2]; /* entries into TIME-WAIT */
  ltcp_time_ns done_at;   /* when both ends were CLOSED */
  uint64_t digest;        /* of every packet and its fate: a replay must match it */
  ltcp_pcap *pcap;
  char why[512];
} prop_world;

static void prop_fail(prop_world *w, const char *fmt, ...) {
  if (w->why[0]) return; /* the first failure is the one to explain */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->why, sizeof w->why, fmt, ap);
  va_end(ap);
}

static double prop_secs(ltcp_time_ns t) { return (double)t / 1e9; }

static ltcp_stack *prop_stack_new(uint32_t addr, const prop_side *side) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  if (prop_ipv6) memcpy(cfg.addr6, prop_addr6[addr == PROP_SERVER_ADDR], 16);
  cfg.seed = side->stack_seed;
  cfg.isn_offset = side->isn_offset;
  cfg.rfc1337 = (uint8_t)side->rfc1337;
  cfg.window_scale = (uint8_t)side->window_scale;
  cfg.timestamps = (uint8_t)side->timestamps;
  cfg.sack = (uint8_t)side->sack;
  cfg.congestion = (uint8_t)side->congestion;
  cfg.msl_ns = PROP_MSL_NS;
  cfg.syn_retries = PROP_RETRIES;
  cfg.data_retries = PROP_RETRIES;
  cfg.max_sockets = 16;
  cfg.max_connections = 16;
  cfg.event_capacity = PROP_EVENT_CAPACITY;
  return ltcp_stack_new(&cfg);
}

static void prop_app_init(prop_world *w, int side) {
  prop_app *a = &w->app[side];
  a->side = side;
  a->st = w->st[side];
  a->cfg = &w->p.side[side];
  a->fd = a->lfd = -1;
  a->polled = -1;
  a->expected = w->p.side[1 - side].payload;
  prop_stream_init(&a->tx, a->cfg->stream_seed);
  prop_stream_init(&a->rx, w->p.side[1 - side].stream_seed);
  a->close_at = LTCP_TIME_NEVER;
  ltcp_rng_seed(&a->rng, a->cfg->app_seed);
}

static int prop_socket(prop_world *w, prop_app *a) {
  int fd = ltcp_socket(a->st);
  if (fd < 0) {
    prop_fail(w, "%s: socket: %s", prop_side_name[a->side], ltcp_errname(errno));
    return -1;
  }
  if (ltcp_setsockopt(a->st, fd, LTCP_SO_SNDBUF, (int)a->cfg->sndbuf) != 0 ||
      ltcp_setsockopt(a->st, fd, LTCP_SO_RCVBUF, (int)a->cfg->rcvbuf) != 0 ||
      ltcp_setsockopt(a->st, fd, LTCP_TCP_MAXSEG, a->cfg->mss) != 0)
    prop_fail(w, "%s: setsockopt: %s", prop_side_name[a->side], ltcp_errname(errno));
  return fd;
}

/* The server listens; the client connects (and may queue its data at once). */
static void prop_open(prop_world *w) {
  prop_app *s = &w->app[SERVER], *c = &w->app[CLIENT];
  s->lfd = prop_socket(w, s);
  ltcp_endpoint any = {0, PROP_SERVER_PORT};
  if (s->lfd < 0 || ltcp_bind(s->st, s->lfd, &any) != 0 || ltcp_listen(s->st, s->lfd, 4) != 0)
    prop_fail(w, "server: bind/listen: %s", ltcp_errname(errno));
  c->fd = prop_socket(w, c);
  ltcp_endpoint srv = {.addr = PROP_SERVER_ADDR, .port = PROP_SERVER_PORT};
  if (prop_ipv6) {
    srv = (ltcp_endpoint){.family = LTCP_AF_INET6, .port = PROP_SERVER_PORT};
    memcpy(srv.addr6, prop_addr6[1], 16);
  }
  if (c->fd < 0 || ltcp_connect(c->st, c->fd, &srv) == 0 || errno != EINPROGRESS)
    prop_fail(w, "client: connect: expected EINPROGRESS, got %s", ltcp_errname(errno));
}

static uint32_t prop_get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The ISS each end would choose with no offset: the same calls on throwaway stacks, the
 * client's SYN handed straight to the server (at time 0; the real SYN arrives a latency
 * later, which moves the server's ISS by latency / 4 us, RFC 6528's clock). */
static int prop_probe_isn(prop_world *w, uint32_t iss[2]) {
  prop_world *probe = calloc(1, sizeof *probe);
  if (!probe) return -1;
  probe->p = w->p;
  probe->p.wrap = 0;
  probe->p.side[CLIENT].isn_offset = probe->p.side[SERVER].isn_offset = 0;
  int rc = -1;
  for (int i = 0; i < 2; i++)
    probe->st[i] = prop_stack_new(i == CLIENT ? PROP_CLIENT_ADDR : PROP_SERVER_ADDR,
                                  &probe->p.side[i]);
  if (probe->st[CLIENT] && probe->st[SERVER]) {
    for (int i = 0; i < 2; i++) prop_app_init(probe, i);
    prop_open(probe);
    const uint8_t *syn, *synack;
    size_t n = ltcp_stack_tx_peek(probe->st[CLIENT], &syn);
    size_t ip = prop_ipv6 ? 40 : 20; /* the IP header, then the TCP sequence number */
    if (n >= ip + 20 && !probe->why[0]) {
      ltcp_stack_input(probe->st[SERVER], 0, syn, n);
      if (ltcp_stack_tx_peek(probe->st[SERVER], &synack) >= ip + 20) {
        iss[CLIENT] = prop_get32(syn + ip + 4);
        iss[SERVER] = prop_get32(synack + ip + 4);
        rc = 0;
      }
    }
  }
  ltcp_stack_free(probe->st[CLIENT]);
  ltcp_stack_free(probe->st[SERVER]);
  free(probe);
  return rc;
}

/* Sets isn_offset so that each end's sequence numbers wrap after about wrap_after bytes. */
static int prop_aim_isn(prop_world *w) {
  uint32_t iss[2];
  if (prop_probe_isn(w, iss) != 0) return -1;
  uint32_t syn_delay = (uint32_t)(w->p.path[CLIENT].latency_ns / 4000u);
  for (int i = 0; i < 2; i++) {
    uint32_t want = 0u - w->p.side[i].wrap_after - 1u; /* ISS + 1 + wrap_after == 2^32 */
    uint32_t drift = i == SERVER ? syn_delay : 0;
    w->p.side[i].isn_offset = want - iss[i] - drift;
  }
  return 0;
}

/* FNV-1a over every packet the simulator handles, with its time, direction and fate. */
static void prop_tap(void *ctx, ltcp_time_ns now, int from, int to, ltcp_sim_fate fate,
                     const uint8_t *pkt, size_t len) {
  uint64_t *h = ctx;
  int64_t head[4] = {(int64_t)now, from, to, (int64_t)fate};
  seeds_digest(h, head, sizeof head);
  seeds_digest(h, pkt, len);
}

static int prop_world_init(prop_world *w, uint64_t seed, int verbose, const char *pcap_path) {
  memset(w, 0, sizeof *w);
  w->verbose = verbose;
  prop_derive(seed, &w->p);
  w->sim = ltcp_sim_new(w->p.sim_seed);
  if (w->p.wrap && prop_aim_isn(w) != 0) return -1;
  w->st[CLIENT] = prop_stack_new(PROP_CLIENT_ADDR, &w->p.side[CLIENT]);
  w->st[SERVER] = prop_stack_new(PROP_SERVER_ADDR, &w->p.side[SERVER]);
  if (!w->sim || !w->st[CLIENT] || !w->st[SERVER]) return -1;
  for (int i = 0; i < 2; i++) w->node[i] = ltcp_sim_add_stack(w->sim, w->st[i]);
  if (w->node[0] < 0 || w->node[1] < 0) return -1;
  if (ltcp_sim_link(w->sim, w->node[CLIENT], w->node[SERVER], &w->p.path[CLIENT],
                    &w->p.path[SERVER]) != 0)
    return -1;
  w->digest = SEEDS_DIGEST_INIT;
  if (ltcp_sim_add_tap(w->sim, prop_tap, &w->digest) != 0) return -1;
  if (pcap_path) {
    w->pcap = ltcp_pcap_open(pcap_path);
    if (!w->pcap || ltcp_sim_add_tap(w->sim, ltcp_pcap_sim_tap, w->pcap) != 0) return -1;
  }
  for (int i = 0; i < 2; i++) prop_app_init(w, i);
  prop_open(w);
  return 0;
}

static void prop_world_free(prop_world *w) {
  if (w->pcap) ltcp_pcap_close(w->pcap);
  ltcp_sim_free(w->sim);
  ltcp_stack_free(w->st[CLIENT]);
  ltcp_stack_free(w->st[SERVER]);
}

/* ------------------------------------------------------------------ the applications */

/* Client: connected once the socket turns writable (or readable) with no error. Server: the
 * connection is accepted and the listener closed (one connection per run). */
static void prop_app_connect(prop_world *w, prop_app *a) {
  const char *name = prop_side_name[a->side];
  if (a->side == SERVER) {
    int fd = ltcp_accept(a->st, a->lfd, NULL);
    if (fd < 0) {
      if (errno != EAGAIN) prop_fail(w, "server: accept: %s", ltcp_errname(errno));
      return;
    }
    a->fd = fd;
    if (ltcp_close(a->st, a->lfd) != 0) prop_fail(w, "server: close(listener) failed");
    a->lfd = -1;
    a->connected = 1;
    return;
  }
  ltcp_pollfd pfd = {a->fd, LTCP_POLLOUT | LTCP_POLLIN, 0};
  ltcp_poll(a->st, &pfd, 1);
  if (pfd.revents == 0) return;
  int err = ltcp_socket_error(a->st, a->fd);
  if (err != 0 || (pfd.revents & (LTCP_POLLERR | LTCP_POLLHUP)))
    prop_fail(w, "%s: connect failed: %s (revents 0x%x)", name, ltcp_errname(err), pfd.revents);
  a->connected = 1;
}

/* poll() must agree with the call that follows it: readable means recv() does not say EAGAIN,
 * writable means send() takes something, and the other way round. */
static void prop_poll_agrees(prop_world *w, prop_app *a, short bit, int would_block) {
  if (!a->connected || a->polled < 0) return;
  int ready = (a->polled & bit) != 0;
  if (ready == !would_block) return;
  prop_fail(w, "%s: poll says %s%s but %s %s", prop_side_name[a->side], ready ? "" : "not ",
            bit == LTCP_POLLIN ? "readable" : "writable", bit == LTCP_POLLIN ? "recv" : "send",
            would_block ? "would block" : "succeeds");
}

/* Sends what the buffer takes; returns 1 if it stopped at PROP_IO_CALLS with more to send. */
static int prop_app_send(prop_world *w, prop_app *a) {
  for (int i = 0; i < PROP_IO_CALLS; i++) {
    if (a->sent == a->cfg->payload || a->shut || w->why[0]) return 0;
    if (a->tx_off == a->tx_len) {
      uint64_t left = a->cfg->payload - a->generated;
      a->tx_len = (uint32_t)(left < PROP_CHUNK ? left : PROP_CHUNK);
      a->tx_off = 0;
      prop_stream_fill(&a->tx, a->txbuf, a->tx_len);
      a->generated += a->tx_len;
    }
    uint32_t n = 1 + (uint32_t)ltcp_rng_below(&a->rng, a->cfg->chunk_max);
    if (n > a->tx_len - a->tx_off) n = a->tx_len - a->tx_off;
    ssize_t r = ltcp_send(a->st, a->fd, a->txbuf + a->tx_off, n, 0);
    if (i == 0) prop_poll_agrees(w, a, LTCP_POLLOUT, r < 0 && errno == EAGAIN);
    if (r < 0) {
      if (errno != EAGAIN)
        prop_fail(w, "%s: send after %llu bytes: %s", prop_side_name[a->side],
                  (unsigned long long)a->sent, ltcp_errname(errno));
      return 0;
    }
    if (r == 0 || (uint32_t)r > n) {
      prop_fail(w, "%s: send(%u) returned %zd", prop_side_name[a->side], n, r);
      return 0;
    }
    a->tx_off += (uint32_t)r;
    a->sent += (uint64_t)r;
  }
  return a->sent < a->cfg->payload;
}

/* Checks n received bytes against the sender's stream. */
static void prop_app_check(prop_world *w, prop_app *a, uint32_t n) {
  const char *name = prop_side_name[a->side];
  if (a->received + n > a->expected) {
    prop_fail(w, "%s: received %llu bytes, more than the %llu sent", name,
              (unsigned long long)(a->received + n), (unsigned long long)a->expected);
    return;
  }
  prop_stream_fill(&a->rx, a->cmpbuf, n);
  if (memcmp(a->rxbuf, a->cmpbuf, n) != 0) {
    uint32_t k = 0;
    while (k < n && a->rxbuf[k] == a->cmpbuf[k]) k++;
    prop_fail(w, "%s: byte %llu differs: got 0x%02x, sent 0x%02x", name,
              (unsigned long long)(a->received + k), a->rxbuf[k], a->cmpbuf[k]);
    return;
  }
  a->received += n;
}

/* Reads and checks what has arrived; returns 1 if it stopped at PROP_IO_CALLS. */
static int prop_app_recv(prop_world *w, prop_app *a, ltcp_time_ns now) {
  if (now < a->wake_at || a->eof) return 0;
  if (a->cfg->stall > 0 && ltcp_rng_chance(&a->rng, a->cfg->stall)) {
    a->wake_at = now + 1 + ltcp_rng_below(&a->rng, a->cfg->stall_max_ns);
    return 0; /* the application is busy: the receive buffer fills, the window closes */
  }
  for (int i = 0; i < PROP_IO_CALLS; i++) {
    if (w->why[0]) return 0;
    uint32_t n = 1 + (uint32_t)ltcp_rng_below(&a->rng, a->cfg->chunk_max);
    ssize_t r = ltcp_recv(a->st, a->fd, a->rxbuf, n, 0);
    if (i == 0) prop_poll_agrees(w, a, LTCP_POLLIN, r < 0 && errno == EAGAIN);
    if (r < 0) {
      if (errno != EAGAIN)
        prop_fail(w, "%s: recv after %llu bytes: %s", prop_side_name[a->side],
                  (unsigned long long)a->received, ltcp_errname(errno));
      return 0;
    }
    if (r == 0) {
      a->eof = 1;
      if (a->received != a->expected)
        prop_fail(w, "%s: EOF after %llu of %llu bytes", prop_side_name[a->side],
                  (unsigned long long)a->received, (unsigned long long)a->expected);
      return 0;
    }
    prop_app_check(w, a, (uint32_t)r);
  }
  return 1;
}

static void prop_app_turn(prop_world *w, prop_app *a, ltcp_time_ns now) {
  if (a->closed) return;
  if (!a->connected) {
    if (a->side == CLIENT && w->p.early_send) a->busy = prop_app_send(w, a);
    prop_app_connect(w, a);
    if (!a->connected) return;
  }
  ltcp_pollfd pfd = {a->fd, LTCP_POLLIN | LTCP_POLLOUT, 0};
  ltcp_poll(a->st, &pfd, 1);
  a->polled = pfd.revents;
  a->busy = prop_app_send(w, a);
  ltcp_poll(a->st, &pfd, 1);
  a->polled = pfd.revents;
  a->busy |= prop_app_recv(w, a, now);
  a->polled = -1;
}

/* ------------------------------------------------------------------ closing */

static int prop_all_sent(const prop_app *a) {
  return a->connected && !a->closed && !a->shut && a->sent == a->cfg->payload;
}

static void prop_shutdown(prop_world *w, prop_app *a) {
  if (ltcp_shutdown(a->st, a->fd, LTCP_SHUT_WR) != 0)
    prop_fail(w, "%s: shutdown: %s", prop_side_name[a->side], ltcp_errname(errno));
  a->shut = 1;
}

static void prop_close(prop_world *w, prop_app *a) {
  if (ltcp_close(a->st, a->fd) != 0)
    prop_fail(w, "%s: close: %s", prop_side_name[a->side], ltcp_errname(errno));
  a->closed = 1;
  a->fd = -1;
}

/* The side that closes second has read the peer's EOF; it closes as soon as its own data is
 * queued, with close() alone (the orphan sends the rest and the FIN) or with shutdown. */
static void prop_close_second(prop_world *w, prop_app *a) {
  if (!prop_all_sent(a) || !a->eof) return;
  if (a->cfg->close_only && a->cfg->close_delay_ns == 0) {
    prop_close(w, a);
    return;
  }
  prop_shutdown(w, a);
}

static void prop_closing(prop_world *w, ltcp_time_ns now) {
  prop_app *c = &w->app[CLIENT], *s = &w->app[SERVER];
  switch (w->p.order) {
    case PROP_CLIENT_FIRST:
      if (prop_all_sent(c)) prop_shutdown(w, c);
      prop_close_second(w, s);
      break;
    case PROP_SERVER_FIRST:
      if (prop_all_sent(s)) prop_shutdown(w, s);
      prop_close_second(w, c);
      break;
    case PROP_SIMULTANEOUS: /* both FINs leave at the same virtual instant */
      if (prop_all_sent(c) && prop_all_sent(s)) {
        prop_shutdown(w, c);
        prop_shutdown(w, s);
      }
      break;
  }
  /* After shutdown and EOF, close() once the delay has passed. */
  for (int i = 0; i < 2; i++) {
    prop_app *a = &w->app[i];
    if (a->closed || !a->shut || !a->eof) continue;
    if (a->close_at == LTCP_TIME_NEVER) a->close_at = now + a->cfg->close_delay_ns;
    if (now >= a->close_at) prop_close(w, a);
  }
}

/* ------------------------------------------------------------------ driving */

static void prop_heal(prop_world *w) {
  for (int i = 0; i < 2; i++) {
    ltcp_sim_path clean = {0};
    clean.latency_ns = w->p.path[i].latency_ns;
    clean.bandwidth_bps = w->p.path[i].bandwidth_bps;
    if (ltcp_sim_set_path(w->sim, w->node[i], w->node[1 - i], &clean) != 0)
      prop_fail(w, "ltcp_sim_set_path failed");
  }
  w->healed = 1;
  if (w->verbose) printf("%12.6f network healed\n", prop_secs(ltcp_sim_now(w->sim)));
}

static void prop_print_event(int side, const ltcp_event *ev) {
  printf("%12.6f %s ", prop_secs(ev->time), prop_side_name[side]);
  if (ev->kind == LTCP_EV_DROP) {
    printf("drop %s: flags 0x%02x seq %u ack %u len %u\n", ltcp_drop_name(ev->drop),
           ev->seg.flags, ev->seg.seq, ev->seg.ack, ev->seg.len);
    return;
  }
  printf("conn %llu fd %d %s -> %s", (unsigned long long)ev->conn_id, ev->fd,
         ltcp_state_name(ev->old_state), ltcp_state_name(ev->new_state));
  if (ev->cause == LTCP_CAUSE_CALL) printf(" (call %s)", ltcp_call_name(ev->call));
  if (ev->cause == LTCP_CAUSE_TIMER) printf(" (timer %s)", ltcp_timer_name(ev->timer));
  if (ev->cause == LTCP_CAUSE_SEGMENT)
    printf(" (segment flags 0x%02x seq %u ack %u len %u)", ev->seg.flags, ev->seg.seq,
           ev->seg.ack, ev->seg.len);
  if (ev->error) printf(" error %s", ltcp_errname(ev->error));
  printf("\n");
}

/* A reset in CLOSING or LAST-ACK ends a connection whose data went both ways and whose FINs
 * crossed: only the ACK of our FIN was lost, and the peer, its TIME-WAIT over, answers the FIN
 * sent again with a reset. The socket reports ECONNRESET (as BSD and Linux do), yet nothing was
 * lost: an orderly end. */
static int prop_orderly_reset(const ltcp_event *ev) {
  return ev->error == ECONNRESET && (ev->old_state == LTCP_CLOSING || ev->old_state == LTCP_LAST_ACK);
}

/* Every state change is checked: a connection may only end in an orderly way. */
static void prop_drain_events(prop_world *w) {
  for (int i = 0; i < 2; i++) {
    ltcp_event ev;
    for (uint32_t k = 0; k < PROP_EVENT_CAPACITY && ltcp_stack_next_event(w->st[i], &ev); k++) {
      if (w->verbose) prop_print_event(i, &ev);
      if (ev.kind == LTCP_EV_STATE && ev.new_state == LTCP_TIME_WAIT) w->time_waits[i]++;
      if (ev.kind != LTCP_EV_STATE || ev.new_state != LTCP_CLOSED) continue;
      if (ev.error != 0 && !prop_orderly_reset(&ev))
        prop_fail(w, "%s: connection %s -> CLOSED with %s at %.6f s", prop_side_name[i],
                  ltcp_state_name(ev.old_state), ltcp_errname(ev.error), prop_secs(ev.time));
      else if (ev.old_state != LTCP_LISTEN)
        w->closed_ok[i]++;
    }
  }
}

static ltcp_time_ns prop_next_wake(const prop_world *w, ltcp_time_ns now) {
  ltcp_time_ns t = PROP_DEADLINE_NS;
  if (!w->healed && w->p.heal_at < t) t = w->p.heal_at;
  for (int i = 0; i < 2; i++) {
    const prop_app *a = &w->app[i];
    if (a->closed) continue;
    if (a->busy) return now; /* no waiting: the application goes on at once */
    if (a->wake_at > now && a->wake_at < t) t = a->wake_at;
    if (a->close_at > now && a->close_at < t) t = a->close_at;
  }
  return t;
}

static int prop_finished(const prop_world *w) {
  return w->app[CLIENT].closed && w->app[SERVER].closed &&
         ltcp_stack_connection_count(w->st[CLIENT]) == 0 &&
         ltcp_stack_connection_count(w->st[SERVER]) == 0;
}

/* One app turn at the current virtual instant: both stacks are brought to the simulator's
 * clock first, so their calls act "now". */
static void prop_turn(prop_world *w) {
  ltcp_time_ns now = ltcp_sim_now(w->sim);
  if (!w->healed && now >= w->p.heal_at) prop_heal(w);
  for (int i = 0; i < 2; i++) ltcp_stack_advance(w->st[i], now);
  prop_drain_events(w);
  for (int i = 0; i < 2 && !w->why[0]; i++) prop_app_turn(w, &w->app[i], now);
  if (!w->why[0]) prop_closing(w, now);
  prop_drain_events(w);
}

static void prop_describe_stuck(prop_world *w) {
  char buf[256];
  int n = 0;
  for (int i = 0; i < 2; i++) {
    const prop_app *a = &w->app[i];
    n += snprintf(buf + n, sizeof buf - (size_t)n,
                  "%s sent %llu/%u recv %llu/%llu%s%s%s conns %u; ", prop_side_name[i],
                  (unsigned long long)a->sent, a->cfg->payload, (unsigned long long)a->received,
                  (unsigned long long)a->expected, a->shut ? " shut" : "", a->eof ? " eof" : "",
                  a->closed ? " closed" : "", ltcp_stack_connection_count(w->st[i]));
    if (n >= (int)sizeof buf) break;
  }
  prop_fail(w, "not converged by %.0f s virtual: %s", prop_secs(PROP_DEADLINE_NS), buf);
}

/* After both ends are CLOSED, late duplicates may still be in flight: let them land, and
 * check that nothing comes back to life. */
static void prop_quiesce(prop_world *w) {
  ltcp_time_ns end = ltcp_sim_now(w->sim) + PROP_QUIET_NS;
  for (uint64_t i = 0; i < PROP_STEPS_MAX && ltcp_sim_step(w->sim, end); i++) {
  }
  prop_drain_events(w);
  for (int i = 0; i < 2; i++)
    if (ltcp_stack_connection_count(w->st[i]) != 0)
      prop_fail(w, "%s: a connection reappeared after the end", prop_side_name[i]);
}

static void prop_run(prop_world *w) {
  for (w->steps = 0; w->steps < PROP_STEPS_MAX; w->steps++) {
    prop_turn(w);
    if (w->why[0]) return;
    if (prop_finished(w)) break;
    ltcp_time_ns now = ltcp_sim_now(w->sim);
    if (now >= PROP_DEADLINE_NS) {
      prop_describe_stuck(w);
      return;
    }
    ltcp_sim_step(w->sim, prop_next_wake(w, now));
  }
  if (w->steps >= PROP_STEPS_MAX) {
    prop_fail(w, "no convergence within %llu simulator steps", (unsigned long long)PROP_STEPS_MAX);
    return;
  }
  w->done_at = ltcp_sim_now(w->sim);
  for (int i = 0; i < 2; i++)
    if (w->closed_ok[i] != 1)
      prop_fail(w, "%s: %llu connections reached CLOSED, expected 1", prop_side_name[i],
                (unsigned long long)w->closed_ok[i]);
  /* Whoever sent the first FIN waits in TIME-WAIT (both, after a simultaneous close). */
  if (w->time_waits[CLIENT] + w->time_waits[SERVER] == 0)
    prop_fail(w, "neither end went through TIME-WAIT");
  prop_quiesce(w);
}

/* ------------------------------------------------------------------ seeds and reporting */

static const char *prop_argv0 = "test_property";
/* What one seed's run left behind, for the summary and the replay check. */
typedef struct prop_result {
  int failed;
  uint64_t steps, digest;
  ltcp_time_ns done_at;
} prop_result;

static void prop_report(const prop_world *w) {
  unsigned long long seed = (unsigned long long)w->p.seed;
  fflush(stdout);
  fprintf(stderr, "FAIL seed=%llu: %s\nreplay: %s%s --seed %llu\n", seed, w->why, prop_argv0,
          prop_ipv6 ? " --ipv6" : "", seed);
}

/* Runs one seed; res->failed is 0 if every property held. */
static void prop_run_seed(uint64_t seed, int verbose, const char *pcap_path, prop_result *res) {
  memset(res, 0, sizeof *res);
  res->failed = 1;
  prop_world *w = calloc(1, sizeof *w);
  if (!w) return;
  seeds_crash_set(seed);
  int rc = prop_world_init(w, seed, verbose, pcap_path);
  if (verbose) prop_print_params(&w->p);
  if (rc != 0) prop_fail(w, "setup failed");
  if (!w->why[0]) prop_run(w);
  const ltcp_sim_stats *ss = ltcp_sim_get_stats(w->sim);
  if (verbose)
    printf("seed %llu: %s after %llu steps; both ends CLOSED at %.6f s virtual; packets sent "
           "%llu lost %llu duplicated %llu reordered %llu corrupted %llu queue-dropped %llu; "
           "trace digest %016llx\n",
           (unsigned long long)seed, w->why[0] ? "FAILED" : "passed",
           (unsigned long long)w->steps, prop_secs(w->done_at), (unsigned long long)ss->sent,
           (unsigned long long)ss->lost, (unsigned long long)ss->duplicated,
           (unsigned long long)ss->reordered, (unsigned long long)ss->corrupted,
           (unsigned long long)ss->queue_drops, (unsigned long long)w->digest);
  if (w->why[0]) prop_report(w);
  res->failed = w->why[0] != 0;
  res->steps = w->steps;
  res->digest = w->digest;
  res->done_at = w->done_at;
  prop_world_free(w);
  free(w);
  seeds_crash_clear();
}

/* ------------------------------------------------------------------ command line */

#define PROP_LIST_MAX 4096

static struct {
  uint64_t seeds[PROP_LIST_MAX];
  size_t count;
  uint64_t start, n; /* a range, when count == 0 */
  int verbose, replay_check, list;
  const char *pcap;
} prop_cfg = {.start = 1, .n = 1000};

static int prop_read_list(const char *path) {
  return seeds_read_list(path, prop_cfg.seeds, &prop_cfg.count, PROP_LIST_MAX);
}

static int prop_parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    uint64_t x, y;
    int flag = !strcmp(a, "--verbose") || !strcmp(a, "--replay-check") || !strcmp(a, "--list") ||
               !strcmp(a, "--ipv6");
    if (!v && !flag) return -1;
    if (strcmp(a, "--seed") == 0 && seeds_parse_u64(v, &x) == 0) {
      if (prop_cfg.count == PROP_LIST_MAX) return -1;
      prop_cfg.seeds[prop_cfg.count++] = x;
      prop_cfg.verbose = 1;
    } else if (strcmp(a, "--seeds") == 0 && sscanf(v, "%llu-%llu", (unsigned long long *)&x,
                                                  (unsigned long long *)&y) == 2 && x <= y) {
      prop_cfg.start = x;
      prop_cfg.n = y - x + 1;
    } else if (strcmp(a, "--count") == 0 && seeds_parse_u64(v, &x) == 0) {
      prop_cfg.n = x;
    } else if (strcmp(a, "--start") == 0 && seeds_parse_u64(v, &x) == 0) {
      prop_cfg.start = x;
    } else if (strcmp(a, "--regressions") == 0) {
      if (prop_read_list(v) != 0) return -1;
    } else if (strcmp(a, "--pcap") == 0) {
      prop_cfg.pcap = v;
    } else if (strcmp(a, "--verbose") == 0) {
      prop_cfg.verbose = 1;
      continue;
    } else if (strcmp(a, "--replay-check") == 0) {
      prop_cfg.replay_check = 1;
      continue;
    } else if (strcmp(a, "--list") == 0) {
      prop_cfg.list = 1;
      continue;
    } else if (strcmp(a, "--ipv6") == 0) {
      prop_ipv6 = 1;
      continue;
    } else {
      return -1;
    }
    i++;
  }
  return 0;
}

/* A second run of the seed must give the same packets at the same times, byte for byte. */
static int prop_replays(uint64_t seed, const prop_result *first) {
  prop_result again;
  prop_run_seed(seed, 0, NULL, &again);
  if (again.digest == first->digest && again.steps == first->steps) return 1;
  fflush(stdout);
  fprintf(stderr, "FAIL seed=%llu: a second run differs (trace digest %016llx vs %016llx)\n"
          "replay: %s --seed %llu\n", (unsigned long long)seed,
          (unsigned long long)first->digest, (unsigned long long)again.digest, prop_argv0,
          (unsigned long long)seed);
  return 0;
}

/* The properties over every configured seed; the failing ones are printed with their replay
 * command as they are found. */
static void test_property_seeds(void **state) {
  (void)state;
  uint64_t failed = 0, total = prop_cfg.count ? prop_cfg.count : prop_cfg.n, max_steps = 0;
  ltcp_time_ns max_done = 0;
  for (uint64_t i = 0; i < total && failed < PROP_FAILURES_SHOWN; i++) {
    uint64_t seed = prop_cfg.count ? prop_cfg.seeds[i] : prop_cfg.start + i;
    prop_result res;
    prop_run_seed(seed, prop_cfg.verbose, prop_cfg.verbose ? prop_cfg.pcap : NULL, &res);
    if (!res.failed && prop_cfg.replay_check && !prop_replays(seed, &res)) res.failed = 1;
    failed += (uint64_t)res.failed;
    if (prop_cfg.list)
      printf("seed %llu %s steps %llu closed-at %.3f digest %016llx\n", (unsigned long long)seed,
             res.failed ? "FAIL" : "ok", (unsigned long long)res.steps, prop_secs(res.done_at),
             (unsigned long long)res.digest);
    if (res.steps > max_steps) max_steps = res.steps;
    if (res.done_at > max_done) max_done = res.done_at;
  }
  printf("%llu seeds, %llu failed; at most %llu steps, both ends CLOSED by %.3f s virtual\n",
         (unsigned long long)total, (unsigned long long)failed, (unsigned long long)max_steps,
         prop_secs(max_done));
  assert_int_equal(failed, 0);
}

int main(int argc, char **argv) {
  prop_argv0 = argv[0];
  if (prop_parse_args(argc, argv) != 0) {
    fprintf(stderr,
            "usage: %s [--seed N [--pcap FILE]] [--seeds A-B] [--count N] [--start S]\n"
            "          [--regressions FILE] [--verbose] [--replay-check] [--list]\n",
            argv[0]);
    return 2;
  }
  seeds_crash_install(argv[0]);
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_property_seeds)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
