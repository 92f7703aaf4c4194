/* A SYN flood in simulation (issue 14's figure; RFC 4987): an attacker sends spoofed SYNs at
 * --rate per second of virtual time for --seconds against a listener, while --clients legitimate
 * clients (another stack, 20 ms away) connect, send 64 bytes, read the echo and close. A client
 * succeeds when its echo is back within 3 s of its connect() (one lost SYN and its
 * retransmission) and while the flood is still on; they start evenly from 0.2 s to 0.15 s before
 * the flood ends. Reports the share of legitimate connections that succeed, the server's SYN cookie and half-open
 * counters, the peak heap of the whole process (mallinfo2: both stacks and the simulator's
 * packets in flight) and the wall time; exits 1 when the share is below --min-success.
 *
 * The attacker is a node of the simulated network (ltcp_sim_add_node) whose SYNs come from
 * random addresses of 198.19.0.0/16, random ports and ISNs, with the options a Linux client
 * sends (MSS, SACK-permitted, timestamps, window scale); the server's first link leads to it, so
 * the SYN,ACKs to the spoofed addresses go there and are counted and dropped. Everything is
 * drawn from --seed: the same seed, the same run. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errno.h>

#include "lucidtcp/lucidtcp.h"
#include "lucidtcp/sim.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/tcp.h"

#define SF_SERVER LTCP_IPV4(198, 18, 0, 1)
#define SF_CLIENT LTCP_IPV4(198, 18, 0, 2)
#define SF_ATTACKER LTCP_IPV4(198, 19, 255, 254)
#define SF_PORT 80
#define SF_MSG 64u
#define SF_TICK LTCP_MS(1)          /* the applications run every millisecond of virtual time */
#define SF_CLIENT_TIMEOUT LTCP_SEC(3) /* a client not done by then failed */
#define SF_RING 4096u               /* spoofed SYNs the attacker holds before the network takes them */

typedef struct sf_opts {
  uint64_t rate;          /* spoofed SYNs per second */
  double seconds;         /* of flooding */
  uint32_t clients;
  double min_success;     /* percent */
  uint64_t seed;
  int cookies;            /* cfg.syn_cookies of the server */
} sf_opts;

/* ---- the attacker node */

typedef struct sf_attacker {
  uint64_t rng;
  ltcp_time_ns next, end, gap_ns_x1000; /* next SYN; the flood's end; spacing in ps */
  uint64_t sent_x1000;    /* virtual time of the next SYN in ps, to keep the rate exact */
  uint8_t pkt[SF_RING][64];
  uint32_t len[SF_RING];
  uint32_t head, count;
  uint64_t syns, synacks_in, other_in, ring_full;
} sf_attacker;

static uint64_t sf_rand(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void sf_attacker_syn(sf_attacker *a, ltcp_time_ns now) {
  if (a->count == SF_RING) {
    a->ring_full++;
    return;
  }
  uint64_t r = sf_rand(&a->rng);
  ltcp_seg seg = {0};
  seg.src_addr = LTCP_IPV4(198, 19, 0, 0) | (uint32_t)(r & 0x7fff); /* 198.19.0.0/17, not the attacker */
  seg.dst_addr = SF_SERVER;
  seg.src_port = (uint16_t)(1024 + (r >> 16) % 64000);
  seg.dst_port = SF_PORT;
  seg.seq = (uint32_t)(r >> 32);
  seg.flags = LTCP_SYN;
  seg.wnd = 64240;
  seg.opts.mss = 1460;
  seg.opts.sack_permitted = 1;
  seg.opts.has_timestamps = 1;
  seg.opts.ts_val = (uint32_t)(now / LTCP_MS(1)) + (uint32_t)r;
  seg.opts.has_wscale = 1;
  seg.opts.wscale = 7;
  uint32_t slot = (a->head + a->count) % SF_RING;
  uint8_t *p = a->pkt[slot];
  size_t tl = ltcp_tcp_write_header(p + 20, sizeof a->pkt[slot] - 20, &seg);
  ltcp_tcp_set_checksum(p + 20, tl, seg.src_addr, seg.dst_addr);
  ltcp_ipv4_hdr h = {.hdr_len = 20, .total_len = (uint16_t)(20 + tl), .ttl = 64,
                     .proto = LTCP_IPPROTO_TCP, .src = seg.src_addr, .dst = seg.dst_addr};
  ltcp_ipv4_write(p, &h);
  a->len[slot] = (uint32_t)(20 + tl);
  a->count++;
  a->syns++;
}

static void sf_attacker_input(void *node, ltcp_time_ns now, const uint8_t *pkt, size_t len) {
  sf_attacker *a = node;
  (void)now;
  ltcp_ipv4_hdr h;
  ltcp_seg seg;
  if (ltcp_ipv4_parse(pkt, len, &h) == LTCP_DROP_NONE && h.proto == LTCP_IPPROTO_TCP &&
      ltcp_tcp_parse(pkt + h.hdr_len, h.total_len - h.hdr_len, h.src, h.dst, &seg) == LTCP_DROP_NONE &&
      seg.flags == (LTCP_SYN | LTCP_ACK))
    a->synacks_in++;
  else
    a->other_in++;
}

static void sf_attacker_advance(void *node, ltcp_time_ns now) {
  sf_attacker *a = node;
  /* Bounded: one SYN per pass, each moving next forward by the spacing. */
  while (a->next <= now && a->next < a->end) {
    sf_attacker_syn(a, a->next);
    a->sent_x1000 += a->gap_ns_x1000;
    a->next = a->sent_x1000 / 1000;
  }
}

static ltcp_time_ns sf_attacker_deadline(void *node) {
  sf_attacker *a = node;
  return a->next < a->end ? a->next : LTCP_TIME_NEVER;
}

static size_t sf_attacker_peek(void *node, const uint8_t **pkt) {
  sf_attacker *a = node;
  if (!a->count) return 0;
  *pkt = a->pkt[a->head];
  return a->len[a->head];
}

static void sf_attacker_pop(void *node) {
  sf_attacker *a = node;
  a->head = (a->head + 1) % SF_RING;
  a->count--;
}

static const ltcp_sim_node_ops sf_attacker_ops = {
    .input = sf_attacker_input,
    .advance = sf_attacker_advance,
    .next_deadline = sf_attacker_deadline,
    .tx_peek = sf_attacker_peek,
    .tx_pop = sf_attacker_pop,
};

/* ---- the legitimate clients and the echo server */

typedef enum sf_phase { SF_WAITING, SF_CONNECTING, SF_SENT, SF_DONE, SF_FAILED } sf_phase;

typedef struct sf_client {
  ltcp_time_ns start;
  int fd;
  sf_phase phase;
  uint32_t got;
} sf_client;

typedef struct sf_run {
  sf_opts o;
  ltcp_sim *sim;
  ltcp_stack *server, *client;
  int lfd;
  sf_attacker *attacker;
  sf_client *clients;
  uint32_t next_client;   /* the first not started */
  uint32_t first_open;    /* clients before it are done or failed */
  int *conns;             /* the server's accepted sockets */
  uint32_t nconns;
  uint64_t done, failed, peak_heap, base_heap;
  ltcp_time_ns connect_sum, connect_max; /* from connect() to ESTABLISHED, clients that got there */
  uint64_t connected;
} sf_run;

static void sf_server_step(sf_run *r) {
  ltcp_endpoint peer;
  int fd;
  while ((fd = ltcp_accept(r->server, r->lfd, &peer)) >= 0) r->conns[r->nconns++] = fd;
  for (uint32_t i = 0; i < r->nconns;) {
    uint8_t buf[512];
    ssize_t n = ltcp_recv(r->server, r->conns[i], buf, sizeof buf, 0);
    if (n > 0) (void)ltcp_send(r->server, r->conns[i], buf, (size_t)n, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN)) { /* the client closed (or reset): close ours */
      ltcp_close(r->server, r->conns[i]);
      r->conns[i] = r->conns[--r->nconns];
      continue;
    }
    i++;
  }
}

static void sf_client_end(sf_run *r, sf_client *c, sf_phase how) {
  c->phase = how;
  if (how == SF_DONE) r->done++;
  else r->failed++;
  if (c->fd >= 0) ltcp_close(r->client, c->fd);
  c->fd = -1;
}

static void sf_client_step(sf_run *r, sf_client *c, ltcp_time_ns now) {
  static const uint8_t msg[SF_MSG] = "GET / a legitimate request among spoofed SYNs";
  if (c->phase == SF_WAITING) {
    c->fd = ltcp_socket(r->client);
    ltcp_endpoint srv = {SF_SERVER, SF_PORT};
    if (c->fd < 0 || (ltcp_connect(r->client, c->fd, &srv) != 0 && errno != EINPROGRESS)) {
      sf_client_end(r, c, SF_FAILED);
      return;
    }
    c->phase = SF_CONNECTING;
  }
  ltcp_tcp_info info;
  if (ltcp_status(r->client, c->fd, &info) != 0 || ltcp_socket_error(r->client, c->fd) != 0) {
    sf_client_end(r, c, SF_FAILED);
    return;
  }
  if (c->phase == SF_CONNECTING && info.state == LTCP_ESTABLISHED) {
    ltcp_time_ns took = now - c->start;
    r->connect_sum += took;
    if (took > r->connect_max) r->connect_max = took;
    r->connected++;
    if (ltcp_send(r->client, c->fd, msg, SF_MSG, 0) != (ssize_t)SF_MSG) {
      sf_client_end(r, c, SF_FAILED);
      return;
    }
    c->phase = SF_SENT;
  }
  if (c->phase == SF_SENT) {
    uint8_t buf[SF_MSG];
    ssize_t n = ltcp_recv(r->client, c->fd, buf, sizeof buf, 0);
    if (n > 0) c->got += (uint32_t)n;
    if (c->got == SF_MSG) sf_client_end(r, c, SF_DONE);
  }
  if (c->phase < SF_DONE && now - c->start > SF_CLIENT_TIMEOUT) sf_client_end(r, c, SF_FAILED);
}

/* Clients start one after another, spread over the flood (from 0.2 s in). */
static void sf_clients_step(sf_run *r, ltcp_time_ns now) {
  while (r->next_client < r->o.clients && r->clients[r->next_client].start <= now) r->next_client++;
  for (uint32_t i = r->first_open; i < r->next_client; i++) {
    sf_client *c = &r->clients[i];
    if (c->phase < SF_DONE) sf_client_step(r, c, now);
    if (i == r->first_open && c->phase >= SF_DONE) r->first_open++;
  }
}

static void sf_heap_sample(sf_run *r) {
  struct mallinfo2 mi = mallinfo2();
  uint64_t used = mi.uordblks + mi.hblkhd;
  if (used > r->peak_heap) r->peak_heap = used;
}

/* ---- setup and report */

static ltcp_stack *sf_stack(uint32_t addr, uint64_t seed, int cookies) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.seed = seed;
  cfg.syn_cookies = (uint8_t)cookies;
  cfg.max_sockets = 2048;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  if (!st) {
    fprintf(stderr, "syn_flood: no stack\n");
    exit(2);
  }
  return st;
}

static void sf_setup(sf_run *r) {
  r->base_heap = 0;
  sf_heap_sample(r);
  r->base_heap = r->peak_heap;
  r->sim = ltcp_sim_new(r->o.seed);
  r->server = sf_stack(SF_SERVER, r->o.seed, r->o.cookies);
  r->client = sf_stack(SF_CLIENT, r->o.seed + 1, 1);
  r->attacker = calloc(1, sizeof *r->attacker);
  r->clients = calloc(r->o.clients ? r->o.clients : 1, sizeof *r->clients);
  r->conns = calloc(2048, sizeof *r->conns);
  if (!r->sim || !r->attacker || !r->clients || !r->conns) exit(2);
  sf_attacker *a = r->attacker;
  a->rng = r->o.seed * 0x9e3779b97f4a7c15ull + 1;
  a->gap_ns_x1000 = r->o.rate ? 1000000000000ull / r->o.rate : 0;
  a->end = r->o.rate ? (ltcp_time_ns)(r->o.seconds * 1e9) : 0;
  int s = ltcp_sim_add_stack(r->sim, r->server);
  int at = ltcp_sim_add_node(r->sim, &sf_attacker_ops, a, SF_ATTACKER);
  int c = ltcp_sim_add_stack(r->sim, r->client);
  ltcp_sim_path fast = {.latency_ns = LTCP_MS(1)}, legit = {.latency_ns = LTCP_MS(10)};
  /* The server's first link leads to the attacker: its default route for spoofed addresses. */
  if (s < 0 || at < 0 || c < 0 || ltcp_sim_link(r->sim, s, at, &fast, &fast) != 0 ||
      ltcp_sim_link(r->sim, s, c, &legit, &legit) != 0)
    exit(2);
  r->lfd = ltcp_socket(r->server);
  ltcp_endpoint ep = {SF_SERVER, SF_PORT};
  if (ltcp_bind(r->server, r->lfd, &ep) != 0 || ltcp_listen(r->server, r->lfd, 1024) != 0) exit(2);
  double span = r->o.seconds - 0.35; /* sf_args: at least 0.4 s of flood */
  for (uint32_t i = 0; i < r->o.clients; i++) {
    r->clients[i].fd = -1;
    r->clients[i].start = LTCP_MS(200) + (ltcp_time_ns)(span * 1e9 * i / r->o.clients);
  }
}

static void sf_report(const sf_run *r, double wall_s) {
  const ltcp_stats *st = ltcp_stack_stats(r->server);
  double share = r->o.clients ? 100.0 * (double)r->done / r->o.clients : 100.0;
  printf("syn_flood: %" PRIu64 " spoofed SYN/s for %.1f s virtual (%" PRIu64 " sent, %" PRIu64
         " SYN,ACKs back to spoofed addresses), cookies mode %d, seed %" PRIu64 "\n",
         r->o.rate, r->o.seconds, r->attacker->syns, r->attacker->synacks_in, r->o.cookies,
         r->o.seed);
  printf("legitimate: %" PRIu64 " of %u connections succeeded (%.2f%%), %" PRIu64 " failed\n",
         r->done, r->o.clients, share, r->failed);
  printf("connect() to ESTABLISHED: %.1f ms on average, %.1f ms at most (20 ms round trip; "
         "%" PRIu64 " SYNs sent again by the clients)\n",
         r->connected ? (double)r->connect_sum / (double)r->connected / 1e6 : 0.0,
         (double)r->connect_max / 1e6, ltcp_stack_stats(r->client)->retransmits);
  printf("server: %" PRIu64 " cookies sent, %" PRIu64 " validated, %" PRIu64 " rejected; %" PRIu64
         " half-open early drops, %" PRIu64 " SYNs dropped (half-open full), %" PRIu64
         " listen overflows; %u half-open at the end\n",
         st->syn_cookies_sent, st->syn_cookies_ok, st->syn_cookies_failed, st->half_open_early_drops,
         st->half_open_full, st->drops[LTCP_DROP_TCP_LISTEN_OVERFLOW],
         ltcp_stack_count_state(r->server, LTCP_SYN_RECEIVED));
  if (r->peak_heap == 0) /* AddressSanitizer's allocator keeps glibc's counts at zero */
    printf("peak heap: not measured (mallinfo2 sees nothing under AddressSanitizer)\n");
  else
    printf("peak heap: %.1f MiB (process, both stacks and packets in flight; %.1f MiB before)\n",
           (double)r->peak_heap / 1048576.0, (double)r->base_heap / 1048576.0);
  printf("wall time: %.1f s\n", wall_s);
}

static int sf_args(int argc, char **argv, sf_opts *o) {
  *o = (sf_opts){.rate = 1000000, .seconds = 10, .clients = 1000, .min_success = 99, .seed = 1,
                 .cookies = 1};
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--rate")) o->rate = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--seconds")) o->seconds = atof(v);
    else if (!strcmp(k, "--clients")) o->clients = (uint32_t)strtoul(v, NULL, 10);
    else if (!strcmp(k, "--min-success")) o->min_success = atof(v);
    else if (!strcmp(k, "--seed")) o->seed = strtoull(v, NULL, 10);
    else if (!strcmp(k, "--cookies")) o->cookies = atoi(v);
    else return -1;
  }
  return (argc % 2 == 1 && o->clients <= 100000 && o->cookies >= 0 && o->cookies <= 2 &&
          o->seconds >= 0.4 && o->seconds <= 3600) ? 0 : -1;
}

int main(int argc, char **argv) {
  sf_run r;
  memset(&r, 0, sizeof r);
  if (sf_args(argc, argv, &r.o) != 0) {
    fprintf(stderr, "usage: syn_flood [--rate SYN/s] [--seconds S >= 0.4] [--clients N] "
                    "[--min-success PERCENT] [--seed N] [--cookies 0|1|2]\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  sf_setup(&r);
  ltcp_time_ns end = (ltcp_time_ns)(r.o.seconds * 1e9);
  /* Bounded by virtual time: each pass moves the clock one tick. A client still open when the
   * flood ends has failed. */
  for (ltcp_time_ns t = SF_TICK; t <= end; t += SF_TICK) {
    ltcp_sim_run_until(r.sim, t);
    sf_server_step(&r);
    sf_clients_step(&r, t);
    if (t % LTCP_MS(10) == 0) sf_heap_sample(&r);
  }
  for (uint32_t i = r.first_open; i < r.o.clients; i++)
    if (r.clients[i].phase < SF_DONE) sf_client_end(&r, &r.clients[i], SF_FAILED);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  sf_report(&r, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  double share = r.o.clients ? 100.0 * (double)r.done / r.o.clients : 100.0;
  int ok = share >= r.o.min_success;
  if (!ok)
    printf("FAILED: below %.2f%%; replay: syn_flood --rate %" PRIu64 " --seconds %g --clients %u "
           "--seed %" PRIu64 " --cookies %d\n",
           r.o.min_success, r.o.rate, r.o.seconds, r.o.clients, r.o.seed, r.o.cookies);
  for (uint32_t i = 0; i < r.nconns; i++) ltcp_close(r.server, r.conns[i]);
  ltcp_sim_free(r.sim);
  ltcp_stack_free(r.server);
  ltcp_stack_free(r.client);
  free(r.attacker);
  free(r.clients);
  free(r.conns);
  return ok ? 0 : 1;
}
