/* lucidtcp's in-process benchmarks: stacks joined by an in-memory link in virtual time.
 *
 *   ltcp_bench bulk   --mss 1460 --bytes N     one connection, Gbit/s of payload, CPU-ns/segment
 *                     --zc 1                   the sender lends its buffer (ltcp_send_zc): no
 *                                              copy into the send buffer
 *   ltcp_bench cycles --count N --inflight B   open, 1 byte each way, close; TIME-WAIT kept; a
 *                                              first batch of B, untimed, warms the pools up
 *   ltcp_bench rr     --count N                1-byte request/response on one connection
 *   ltcp_bench mem    --count N                bytes per ESTABLISHED / TIME-WAIT / SYN-RECEIVED
 *
 * bulk and cycles take --shards N: N pairs of stacks, each pair on a thread of its own and
 * sharing nothing, the flows split as a multi-queue TUN device with lucidtcp's steering program
 * splits them (ltcp_shard_of over the ports): bulk runs one connection per shard, each carrying
 * bytes/N; cycles gives each shard the 4-tuples that hash to it. They print the rate over wall
 * time (what N cores give) and per CPU-second (the sum of the threads' CPU times).
 *
 * Each prints one line of key=value pairs. The link hands the receiving stack the sender's packet
 * buffer (no copy, like a shared-memory ring); the stacks compute and verify every checksum.
 * Time is virtual (1 us per link round, jumping to the next deadline when idle); CPU time is
 * CLOCK_PROCESS_CPUTIME_ID. Every loop is bounded. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lucidtcp/lucidtcp.h>

#define BENCH_MAX_STACKS 32
#define BENCH_SERVER_PORT 5001

typedef struct bench_net {
  ltcp_stack *st[BENCH_MAX_STACKS]; /* NULL: no stack at that address (freed or not yet made) */
  uint32_t n;
  ltcp_time_ns now;
  int drop_to_clients;        /* 1: packets to stacks other than st[0] are dropped */
  int no_copy;                /* 1: the receiver reads the sender's buffer (no wire copy) */
  uint32_t data_dst;          /* the stack whose incoming payload packets data_segs counts */
  uint64_t data_segs;         /* packets with payload delivered to st[data_dst] */
  uint64_t absent_drops;      /* packets to an address with no stack, dropped */
} bench_net;

static double bench_cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double bench_thread_cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double bench_wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Bytes in use from malloc, mmapped chunks included. */
static size_t bench_heap(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

static long bench_rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
  fclose(f);
  return kib;
}

static void bench_die(const char *what) {
  fprintf(stderr, "ltcp_bench: %s (errno %d: %s)\n", what, errno, strerror(errno));
  exit(1);
}

static uint32_t bench_addr(uint32_t i) { return LTCP_IPV4(198, 18, 0, 1 + i); }
/* --ipv6 1: every stack has 2001:db8::(i+1) too and the connections go over IPv6. */
static int bench_v6;

/* cfg.half_open_whole of the stacks made next, or -1 for the default. */
static int64_t bench_half_open_whole = -1;

static ltcp_stack *bench_stack(uint32_t i, uint16_t mtu, uint32_t buf, uint32_t conns) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  if (bench_half_open_whole >= 0) cfg.half_open_whole = (uint32_t)bench_half_open_whole;
  cfg.addr = bench_addr(i);
  if (bench_v6) {
    static const uint8_t net[16] = {0x20, 0x01, 0x0d, 0xb8};
    memcpy(cfg.addr6, net, 16);
    cfg.addr6[15] = (uint8_t)(1 + i);
    mtu = (uint16_t)(mtu + 20); /* the same MSS as over IPv4 */
  }
  cfg.mtu = mtu;
  cfg.seed = 1 + i;
  cfg.max_connections = conns;
  cfg.max_half_open = conns; /* a batch of SYNs from a trusted peer, not a flood */
  cfg.max_sockets = conns;
  cfg.sndbuf = buf;
  cfg.rcvbuf = buf;
  cfg.tx_queue_packets = 8192; /* room for a batch of 1k-4k SYNs */
  ltcp_stack *st = ltcp_stack_new(&cfg);
  if (!st && buf > 65535) { /* the engine may not take buffers above 64 KiB yet */
    cfg.sndbuf = cfg.rcvbuf = 65535;
    st = ltcp_stack_new(&cfg);
  }
  if (!st) bench_die("ltcp_stack_new");
  return st;
}

static uint32_t bench_payload_len(const uint8_t *p, size_t len) {
  uint32_t ihl = (p[0] >> 4) == 6 ? 40u : (uint32_t)(p[0] & 15) * 4;
  if (len < ihl + 20) return 0;
  uint32_t doff = (uint32_t)(p[ihl + 12] >> 4) * 4;
  return (uint32_t)len > ihl + doff ? (uint32_t)len - ihl - doff : 0;
}

/* One round: every packet each stack queued goes to the stack owning its destination; a packet
 * to an address with no stack is dropped, as a link drops one to a host that is gone. */
static uint64_t bench_pump_round(bench_net *net) {
  uint64_t moved = 0;
  net->now += 1000;
  for (uint32_t i = 0; i < net->n; i++) {
    ltcp_stack *src = net->st[i];
    if (!src) continue;
    if (ltcp_stack_next_deadline(src) <= net->now) ltcp_stack_advance(src, net->now);
    const uint8_t *pkt;
    size_t len;
    for (uint32_t k = 0; k < 1u << 20 && (len = ltcp_stack_tx_peek(src, &pkt)) != 0; k++) {
      uint32_t dst = (pkt[0] >> 4) == 6 ? (uint32_t)pkt[39] - 1u
                                        : ((uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 |
                                           (uint32_t)pkt[18] << 8 | pkt[19]) - bench_addr(0);
      if (dst < net->n && !net->st[dst]) net->absent_drops++;
      else if (dst < net->n && !(net->drop_to_clients && dst != 0)) {
        if (dst == net->data_dst && bench_payload_len(pkt, len)) net->data_segs++;
        if (!net->no_copy) { /* a real link copies the packet once, as lwIP's loopback does */
          static _Thread_local uint8_t wire[65536];
          memcpy(wire, pkt, len);
          pkt = wire;
        }
        ltcp_stack_input(net->st[dst], net->now, pkt, len);
      }
      ltcp_stack_tx_pop(src);
      moved++;
    }
  }
  return moved;
}

/* Moves packets until the link is quiet; if nothing moved at all, jumps to the next deadline. */
static void bench_pump(bench_net *net) {
  uint64_t total = 0, moved;
  for (uint32_t r = 0; r < 100000 && (moved = bench_pump_round(net)) != 0; r++) total += moved;
  if (total) return;
  ltcp_time_ns next = LTCP_TIME_NEVER;
  for (uint32_t i = 0; i < net->n; i++) {
    if (!net->st[i]) continue;
    ltcp_time_ns d = ltcp_stack_next_deadline(net->st[i]);
    if (d < next) next = d;
  }
  if (next != LTCP_TIME_NEVER && next > net->now) net->now = next - 1000;
}

static int bench_listen(ltcp_stack *st, uint16_t port, int backlog) {
  int fd = ltcp_socket(st);
  ltcp_endpoint any = {0, port};
  if (fd < 0 || ltcp_bind(st, fd, &any) != 0 || ltcp_listen(st, fd, backlog) != 0)
    bench_die("listen");
  return fd;
}

static int bench_connect(ltcp_stack *st, uint32_t addr, uint16_t lport, uint16_t rport) {
  int fd = ltcp_socket(st);
  if (fd < 0) bench_die("socket");
  ltcp_setsockopt(st, fd, LTCP_SO_REUSEADDR, 1);
  ltcp_setsockopt(st, fd, LTCP_TCP_NODELAY, 1);
  if (lport) {
    ltcp_endpoint local = {0, lport};
    if (ltcp_bind(st, fd, &local) != 0) bench_die("bind");
  }
  ltcp_endpoint remote = {addr, rport};
  if (bench_v6) {
    remote = (ltcp_endpoint){.family = LTCP_AF_INET6, .port = rport,
                             .addr6 = {0x20, 0x01, 0x0d, 0xb8}};
    remote.addr6[15] = (uint8_t)(1 + addr - bench_addr(0));
  }
  if (ltcp_connect(st, fd, &remote) != 0 && errno != EINPROGRESS) bench_die("connect");
  return fd;
}

/* Accepts up to n connections into fds; pumps until they all arrived (bounded). */
static void bench_accept_n(bench_net *net, ltcp_stack *st, int lfd, int *fds, uint32_t n) {
  uint32_t got = 0;
  for (uint32_t tries = 0; got < n && tries < 1000; tries++) {
    bench_pump(net);
    int fd;
    while (got < n && (fd = ltcp_accept(st, lfd, NULL)) >= 0) {
      ltcp_setsockopt(st, fd, LTCP_TCP_NODELAY, 1);
      fds[got++] = fd;
    }
  }
  if (got < n) bench_die("accept: connections missing");
}

/* Reads exactly n bytes from fd, pumping while it waits (bounded). */
static void bench_read_n(bench_net *net, ltcp_stack *st, int fd, size_t n) {
  uint8_t buf[64];
  for (uint32_t tries = 0; n && tries < 1000; tries++) {
    ssize_t r;
    while (n && (r = ltcp_recv(st, fd, buf, n < sizeof buf ? n : sizeof buf, 0)) > 0) n -= (size_t)r;
    if (n) bench_pump(net);
  }
  if (n) bench_die("recv: data missing");
}

/* ---- bulk ---- */

/* --zc 1: the sender lends its buffer (ltcp_send_zc) instead of having it copied. */
static int bench_zc;

typedef struct bench_zc_count {
  uint64_t lent, released, failed;
} bench_zc_count;

static void bench_zc_release(void *ctx, const void *buf, size_t len, int status) {
  bench_zc_count *c = ctx;
  (void)buf;
  c->released += len;
  if (status) c->failed++;
}

/* Queues up to want bytes of out: copied, or lent (the same bytes may be lent many times at
 * once: the stack only reads them). */
static ssize_t bench_send(ltcp_stack *tx, int tfd, const uint8_t *out, size_t want,
                          bench_zc_count *zc) {
  if (!bench_zc) return ltcp_send(tx, tfd, out, want, 0);
  ssize_t r = ltcp_send_zc(tx, tfd, out, want, bench_zc_release, zc);
  if (r > 0) zc->lent += (uint64_t)r;
  return r;
}

static void bench_bulk_run(bench_net *net, ltcp_stack *tx, int tfd, ltcp_stack *rx, int rfd,
                           uint64_t bytes) {
  static _Thread_local uint8_t out[1 << 16], in[1 << 16];
  uint64_t sent = 0, got = 0;
  bench_zc_count zc = {0};
  for (uint64_t i = 0; i < sizeof out; i++) out[i] = (uint8_t)(i * 7);
  for (uint64_t rounds = 0; got < bytes && rounds < (bytes / 64) + 1000000; rounds++) {
    int progress = 0;
    ssize_t r;
    while (sent < bytes) {
      size_t want = bytes - sent < sizeof out ? (size_t)(bytes - sent) : sizeof out;
      if ((r = bench_send(tx, tfd, out, want, &zc)) <= 0) break;
      sent += (uint64_t)r, progress = 1;
    }
    progress |= bench_pump_round(net) != 0;
    while ((r = ltcp_recv(rx, rfd, in, sizeof in, 0)) > 0) got += (uint64_t)r, progress = 1;
    if (!progress) bench_pump(net);
  }
  if (got != bytes) bench_die("bulk: transfer incomplete");
  /* The last ACK may still be on the link: every lent byte is released once it arrives. */
  for (uint32_t i = 0; i < 100 && zc.released < zc.lent; i++) bench_pump(net);
  if (zc.released != zc.lent || zc.failed) bench_die("bulk: lent buffers not all released");
}

static void bench_bulk(uint16_t mss, uint64_t bytes, uint32_t buf, int no_copy) {
  bench_net net = {.n = 2, .now = LTCP_SEC(1), .no_copy = no_copy, .data_dst = 1};
  net.st[0] = bench_stack(0, (uint16_t)(mss + 40), buf, 16);
  net.st[1] = bench_stack(1, (uint16_t)(mss + 40), buf, 16);
  int lfd = bench_listen(net.st[1], BENCH_SERVER_PORT, 4);
  int cfd = bench_connect(net.st[0], bench_addr(1), 0, BENCH_SERVER_PORT), sfd;
  bench_accept_n(&net, net.st[1], lfd, &sfd, 1);
  int window = 0;
  ltcp_tcp_info info;
  if (ltcp_status(net.st[0], cfd, &info) == 0) window = (int)info.snd_wnd;
  double c0 = bench_cpu_s(), w0 = bench_wall_s();
  bench_bulk_run(&net, net.st[0], cfd, net.st[1], sfd, bytes);
  double cpu = bench_cpu_s() - c0, wall = bench_wall_s() - w0;
  printf("bulk mss=%u bytes=%llu no_copy=%d zc=%d snd_wnd=%d gbps=%.3f cpu_ns_per_seg=%.1f segs=%llu cpu_s=%.3f "
         "wall_s=%.3f\n", mss, (unsigned long long)bytes, no_copy, bench_zc, window, (double)bytes * 8 / cpu / 1e9,
         cpu * 1e9 / (double)net.data_segs, (unsigned long long)net.data_segs, cpu, wall);
  ltcp_stack_free(net.st[0]);
  ltcp_stack_free(net.st[1]);
}

/* ---- connection cycles ---- */

/* One batch of b cycles; client i binds port ports[i]. */
static void bench_cycle_batch(bench_net *net, int lfd, uint32_t b, const uint16_t *lports,
                              uint16_t rport, int *cfd, int *sfd) {
  ltcp_stack *c = net->st[0], *s = net->st[1];
  uint8_t byte = 'x';
  for (uint32_t i = 0; i < b; i++) cfd[i] = bench_connect(c, bench_addr(1), lports[i], rport);
  bench_accept_n(net, s, lfd, sfd, b);
  for (uint32_t i = 0; i < b; i++)
    if (ltcp_send(c, cfd[i], &byte, 1, 0) != 1) bench_die("cycle: client send");
  bench_pump(net);
  for (uint32_t i = 0; i < b; i++) {
    bench_read_n(net, s, sfd[i], 1);
    if (ltcp_send(s, sfd[i], &byte, 1, 0) != 1) bench_die("cycle: server send");
  }
  bench_pump(net);
  for (uint32_t i = 0; i < b; i++) {
    bench_read_n(net, c, cfd[i], 1);
    ltcp_close(c, cfd[i]); /* the client closes first: its end keeps TIME-WAIT */
  }
  bench_pump(net);
  for (uint32_t i = 0; i < b; i++) {
    uint8_t eof;
    for (uint32_t t = 0; t < 100 && ltcp_recv(s, sfd[i], &eof, 1, 0) != 0; t++) bench_pump(net);
    ltcp_close(s, sfd[i]);
  }
  bench_pump(net);
}

static void bench_cycles(uint32_t count, uint32_t inflight) {
  /* Every TIME-WAIT is kept, so each cycle needs its own 4-tuple: client ports 1024..65023
   * times server ports 5001, 5002, ... */
  const uint32_t per_port = 64000;
  uint32_t nports = (count + inflight + per_port - 1) / per_port;
  bench_net net = {.n = 2, .now = LTCP_SEC(1)};
  net.st[0] = bench_stack(0, 1500, 65535, count + 2 * inflight + 16);
  net.st[1] = bench_stack(1, 1500, 65535, 2 * inflight + nports + 16);
  int lfd[64];
  if (nports > 64) bench_die("cycles: count too large");
  for (uint32_t p = 0; p < nports; p++) lfd[p] = bench_listen(net.st[1], (uint16_t)(BENCH_SERVER_PORT + p), 4096);
  int *cfd = calloc(inflight, sizeof *cfd), *sfd = calloc(inflight, sizeof *sfd);
  uint16_t *lports = calloc(inflight, sizeof *lports);
  if (!cfd || !sfd || !lports) bench_die("calloc");
  /* The first batch warms up, untimed: it grows both stacks' pools from nothing to inflight
   * TCBs, busy parts and buffers (thousands of mallocs and page faults, once per process), as
   * a server that has run for a while has them. Its TIME-WAITs stay; the timed count follows. */
  const uint32_t warm = inflight;
  double c0 = 0, w0 = 0, cw = bench_cpu_s();
  for (uint32_t done = 0; done < count + warm;) {
    if (done == warm) c0 = bench_cpu_s(), w0 = bench_wall_s();
    uint32_t p = done / per_port, b = inflight;
    if (b > per_port - done % per_port) b = per_port - done % per_port;
    if (b > count + warm - done) b = count + warm - done;
    if (done < warm && b > warm - done) b = warm - done;
    for (uint32_t i = 0; i < b; i++) lports[i] = (uint16_t)(1024 + (done + i) % per_port);
    bench_cycle_batch(&net, lfd[p], b, lports, (uint16_t)(BENCH_SERVER_PORT + p), cfd, sfd);
    done += b;
  }
  double cpu = bench_cpu_s() - c0, wall = bench_wall_s() - w0;
  uint32_t tw = ltcp_stack_count_state(net.st[0], LTCP_TIME_WAIT);
  printf("cycles count=%u inflight=%u conn_per_s=%.0f time_wait_kept=%u cpu_s=%.3f wall_s=%.3f "
         "virtual_s=%.3f warmup=%u warmup_cpu_s=%.4f\n", count, inflight, count / cpu, tw, cpu,
         wall, (double)(net.now - LTCP_SEC(1)) / 1e9, warm, c0 - cw);
  free(cfd), free(sfd), free(lports);
  ltcp_stack_free(net.st[0]);
  ltcp_stack_free(net.st[1]);
}

/* ---- shards: N independent pairs of stacks, a thread each ---- */

#define BENCH_MAX_SHARDS 64

typedef struct bench_shard {
  uint32_t shards, shard;
  uint16_t mss;
  uint64_t bytes;               /* bulk: this shard's bytes */
  uint32_t buf, count, inflight;
  int cycles;                   /* 1: cycles, 0: bulk */
  double cpu_s;                 /* this thread's CPU time */
  uint64_t segs, done;
} bench_shard;

static void *bench_shard_bulk(bench_shard *sh) {
  bench_net net = {.n = 2, .now = LTCP_SEC(1), .data_dst = 1};
  net.st[0] = bench_stack(0, (uint16_t)(sh->mss + 40), sh->buf, 16);
  net.st[1] = bench_stack(1, (uint16_t)(sh->mss + 40), sh->buf, 16);
  /* The flow's ports hash to this shard, as the device would steer it. */
  uint16_t lport = 1024;
  while (ltcp_shard_of(lport, BENCH_SERVER_PORT, sh->shards) != sh->shard) lport++;
  int lfd = bench_listen(net.st[1], BENCH_SERVER_PORT, 4);
  int cfd = bench_connect(net.st[0], bench_addr(1), lport, BENCH_SERVER_PORT), sfd;
  bench_accept_n(&net, net.st[1], lfd, &sfd, 1);
  double c0 = bench_thread_cpu_s();
  bench_bulk_run(&net, net.st[0], cfd, net.st[1], sfd, sh->bytes);
  sh->cpu_s = bench_thread_cpu_s() - c0;
  sh->segs = net.data_segs;
  ltcp_stack_free(net.st[0]);
  ltcp_stack_free(net.st[1]);
  return NULL;
}

/* This shard's cycles: the 4-tuples (client ports 1024..65023, server ports 5001...) that hash
 * to it, in order, in batches of inflight on one server port. */
static void *bench_shard_cycles(bench_shard *sh) {
  const uint32_t per_port = 64000;
  uint32_t count = sh->count, nports = (count * sh->shards + per_port - 1) / per_port + 1;
  if (nports > 64) bench_die("cycles: count too large");
  bench_net net = {.n = 2, .now = LTCP_SEC(1)};
  net.st[0] = bench_stack(0, 1500, 65535, count + sh->inflight + 16);
  net.st[1] = bench_stack(1, 1500, 65535, 2 * sh->inflight + nports + 16);
  int lfd[64];
  for (uint32_t p = 0; p < nports; p++)
    lfd[p] = bench_listen(net.st[1], (uint16_t)(BENCH_SERVER_PORT + p), 4096);
  int *cfd = calloc(sh->inflight, sizeof *cfd), *sfd = calloc(sh->inflight, sizeof *sfd);
  uint16_t *lports = calloc(sh->inflight, sizeof *lports);
  if (!cfd || !sfd || !lports) bench_die("calloc");
  double c0 = bench_thread_cpu_s();
  uint64_t g = 0; /* the next tuple of the whole space */
  while (sh->done < count && g < (uint64_t)nports * per_port) {
    uint32_t p = (uint32_t)(g / per_port), b = 0;
    uint16_t rport = (uint16_t)(BENCH_SERVER_PORT + p);
    for (; b < sh->inflight && sh->done + b < count && g / per_port == p; g++) {
      uint16_t lp = (uint16_t)(1024 + g % per_port);
      if (ltcp_shard_of(lp, rport, sh->shards) == sh->shard) lports[b++] = lp;
    }
    if (b) bench_cycle_batch(&net, lfd[p], b, lports, rport, cfd, sfd);
    sh->done += b;
  }
  sh->cpu_s = bench_thread_cpu_s() - c0;
  free(cfd), free(sfd), free(lports);
  ltcp_stack_free(net.st[0]);
  ltcp_stack_free(net.st[1]);
  return NULL;
}

static void *bench_shard_main(void *arg) {
  bench_shard *sh = arg;
  return sh->cycles ? bench_shard_cycles(sh) : bench_shard_bulk(sh);
}

/* Runs n shards of tmpl, a thread each; returns the wall time; fills sh[]. */
static double bench_shards_run(const bench_shard *tmpl, uint32_t n, bench_shard *sh) {
  pthread_t tid[BENCH_MAX_SHARDS];
  for (uint32_t k = 0; k < n; k++) {
    sh[k] = *tmpl;
    sh[k].shards = n;
    sh[k].shard = k;
  }
  double w0 = bench_wall_s();
  for (uint32_t k = 0; k < n; k++)
    if (pthread_create(&tid[k], NULL, bench_shard_main, &sh[k]) != 0) bench_die("pthread_create");
  for (uint32_t k = 0; k < n; k++) pthread_join(tid[k], NULL);
  return bench_wall_s() - w0;
}

static void bench_sharded(const char *what, bench_shard *tmpl, uint32_t n) {
  static bench_shard sh[BENCH_MAX_SHARDS];
  if (n < 1 || n > BENCH_MAX_SHARDS) bench_die("--shards: 1 to 64");
  double wall = bench_shards_run(tmpl, n, sh), cpu = 0, cpu_max = 0;
  uint64_t segs = 0, done = 0;
  for (uint32_t k = 0; k < n; k++) {
    cpu += sh[k].cpu_s, segs += sh[k].segs, done += sh[k].done;
    if (sh[k].cpu_s > cpu_max) cpu_max = sh[k].cpu_s;
  }
  if (tmpl->cycles)
    printf("%s shards=%u count=%llu inflight=%u conn_per_s_wall=%.0f conn_per_s=%.0f "
           "conn_per_s_busiest_cpu=%.0f cpu_s=%.3f wall_s=%.3f\n", what, n,
           (unsigned long long)done, tmpl->inflight, (double)done / wall, (double)done / cpu,
           (double)done / cpu_max, cpu, wall);
  else
    printf("%s shards=%u mss=%u bytes=%llu gbps_wall=%.3f gbps=%.3f gbps_busiest_cpu=%.3f "
           "cpu_ns_per_seg=%.1f cpu_s=%.3f wall_s=%.3f\n", what, n, tmpl->mss,
           (unsigned long long)(tmpl->bytes * n), (double)(tmpl->bytes * n) * 8 / wall / 1e9,
           (double)(tmpl->bytes * n) * 8 / cpu / 1e9,
           (double)(tmpl->bytes * n) * 8 / cpu_max / 1e9, cpu * 1e9 / (double)segs, cpu, wall);
}

/* ---- request/response ---- */

static void bench_rr(uint32_t count) {
  bench_net net = {.n = 2, .now = LTCP_SEC(1)};
  net.st[0] = bench_stack(0, 1500, 65535, 16);
  net.st[1] = bench_stack(1, 1500, 65535, 16);
  int lfd = bench_listen(net.st[1], BENCH_SERVER_PORT, 4);
  int cfd = bench_connect(net.st[0], bench_addr(1), 0, BENCH_SERVER_PORT), sfd;
  bench_accept_n(&net, net.st[1], lfd, &sfd, 1);
  uint8_t q = 'q', a = 'a', b;
  double c0 = bench_cpu_s(), w0 = bench_wall_s();
  ltcp_time_ns v0 = net.now;
  for (uint32_t i = 0; i < count; i++) {
    if (ltcp_send(net.st[0], cfd, &q, 1, 0) != 1) bench_die("rr: send");
    for (uint32_t t = 0; t < 1000 && ltcp_recv(net.st[1], sfd, &b, 1, 0) != 1; t++) bench_pump_round(&net);
    if (ltcp_send(net.st[1], sfd, &a, 1, 0) != 1) bench_die("rr: reply");
    uint32_t t = 0;
    for (; t < 1000 && ltcp_recv(net.st[0], cfd, &b, 1, 0) != 1; t++) bench_pump_round(&net);
    if (t == 1000) bench_die("rr: reply missing");
  }
  double cpu = bench_cpu_s() - c0, wall = bench_wall_s() - w0;
  printf("rr count=%u trans_per_s=%.0f cpu_s=%.3f wall_s=%.3f virtual_us_per_trans=%.1f\n", count,
         count / cpu, cpu, wall, (double)(net.now - v0) / 1e3 / count);
  ltcp_stack_free(net.st[0]);
  ltcp_stack_free(net.st[1]);
}

/* ---- memory ---- */

/* Bytes one stack allocates per unit of capacity (tables sized at ltcp_stack_new). */
static double bench_table_bytes_per_conn(uint32_t n) {
  size_t h0 = bench_heap();
  ltcp_stack *small = bench_stack(0, 1500, 65535, 16);
  size_t h1 = bench_heap();
  ltcp_stack *big = bench_stack(0, 1500, 65535, n + 16);
  size_t h2 = bench_heap();
  ltcp_stack_free(small);
  ltcp_stack_free(big);
  return ((double)(h2 - h1) - (double)(h1 - h0)) / n;
}

/* 1 when no stack has a packet queued: nothing is in flight on the link. */
static int bench_quiet(bench_net *net) {
  const uint8_t *pkt;
  for (uint32_t i = 0; i < net->n; i++)
    if (net->st[i] && ltcp_stack_tx_peek(net->st[i], &pkt) != 0) return 0;
  return 1;
}

/* Client stack c opens b connections (ports 1024..) to the server in st[0], which accepts them;
 * once all are ESTABLISHED and nothing is in flight, the client stack is freed (it sends
 * nothing). Idle connections exchange no packets with keep-alive off, so the server's ends stay
 * ESTABLISHED. Returns the bytes the client's connections held: what its free gave back, less
 * what the empty stack took at ltcp_stack_new. */
static size_t bench_mem_client(bench_net *net, uint32_t c, int lfd, int *sfd, uint32_t b) {
  size_t h0 = bench_heap();
  net->st[c] = bench_stack(c, 1500, 65535, b + 16);
  size_t h1 = bench_heap();
  for (uint32_t done = 0; done < b;) {
    uint32_t k = b - done < 4000 ? b - done : 4000; /* within the backlog and the tx queue */
    for (uint32_t i = 0; i < k; i++)
      bench_connect(net->st[c], bench_addr(0), (uint16_t)(1024 + done + i), BENCH_SERVER_PORT);
    bench_accept_n(net, net->st[0], lfd, sfd, k);
    bench_pump(net);
    done += k;
  }
  if (ltcp_stack_count_state(net->st[c], LTCP_ESTABLISHED) != b) bench_die("mem: client not established");
  if (!bench_quiet(net)) bench_die("mem: packets left in flight");
  if (ltcp_stack_next_deadline(net->st[c]) != LTCP_TIME_NEVER) bench_die("mem: client timer armed");
  size_t h2 = bench_heap();
  ltcp_stack_free(net->st[c]);
  net->st[c] = NULL; /* from now on, packets to its address are dropped */
  size_t h3 = bench_heap();
  return (h2 - h3) - (h1 - h0);
}

/* CPU-ns per segment of 64 MiB sent by the server in st[0] to a new client stack in st[c]. */
static double bench_mem_bulk(bench_net *net, uint32_t c) {
  net->st[c] = bench_stack(c, 1500, 65535, 16);
  net->data_dst = c;
  int lfd = bench_listen(net->st[c], BENCH_SERVER_PORT, 4), rfd;
  int tfd = bench_connect(net->st[0], bench_addr(c), 0, BENCH_SERVER_PORT);
  bench_accept_n(net, net->st[c], lfd, &rfd, 1);
  uint64_t segs0 = net->data_segs;
  double c0 = bench_cpu_s();
  bench_bulk_run(net, net->st[0], tfd, net->st[c], rfd, 64ull << 20);
  return (bench_cpu_s() - c0) * 1e9 / (double)(net->data_segs - segs0);
}

/* n idle ESTABLISHED connections with only the server's ends (stack 0) in the process: client
 * stacks 1.. come one at a time, 60000 connections each, and are freed once established. RSS and
 * heap are the growth since before the server existed, measured after the last client is gone;
 * then the bulk cost with the n present, over one more client stack. */
static void bench_mem_established(uint32_t n) {
  const uint32_t per_client = 60000; /* client ports 1024..61023 at one address */
  uint32_t nclients = (n + per_client - 1) / per_client;
  if (nclients + 2 > BENCH_MAX_STACKS) bench_die("mem: count too large");
  int *sfd = calloc(4096, sizeof *sfd);
  if (!sfd) bench_die("calloc");
  malloc_trim(0); /* what the earlier measurements freed is not counted as ours */
  long rss0 = bench_rss_kib();
  bench_net net = {.n = nclients + 2, .now = LTCP_SEC(1)};
  net.st[0] = bench_stack(0, 1500, 65535, n + 16);
  size_t h0 = bench_heap();
  int lfd = bench_listen(net.st[0], BENCH_SERVER_PORT, 4096);
  size_t client_bytes = 0;
  for (uint32_t c = 1, done = 0; c <= nclients; c++) {
    uint32_t b = n - done < per_client ? n - done : per_client;
    client_bytes += bench_mem_client(&net, c, lfd, sfd, b);
    done += b;
  }
  /* Idle for two seconds: each server TCB gives back the part only a busy connection needs
   * (src/tcp/busy.h, LTCP_BUSY_SLEEP_NS). */
  net.now += LTCP_SEC(2);
  ltcp_stack_advance(net.st[0], net.now);
  /* The busy parts given back sit in the pool kept for the next burst (4,000 connections were
   * set up at a time): counted as kept, and without them (ltcp_stack_trim). */
  size_t kept = bench_heap();
  ltcp_stack_trim(net.st[0]);
  size_t h1 = bench_heap();
  long rss_untrimmed = bench_rss_kib();
  malloc_trim(0); /* give back the pages the clients' frees left empty inside the heap */
  long rss1 = bench_rss_kib();
  uint32_t est = ltcp_stack_count_state(net.st[0], LTCP_ESTABLISHED);
  if (est != n) bench_die("mem: server connections not all ESTABLISHED");
  double ns_seg = bench_mem_bulk(&net, nclients + 1);
  if (ltcp_stack_count_state(net.st[0], LTCP_ESTABLISHED) != n + 1)
    bench_die("mem: idle connections lost during bulk");
  printf("mem_established count=%u established=%u server_bytes_per_conn=%.1f "
         "server_bytes_per_conn_pools_kept=%.1f "
         "client_bytes_per_conn=%.1f rss_mib=%.1f rss_mib_before_trim=%.1f dropped_to_freed=%llu "
         "bulk_cpu_ns_per_seg_at_size=%.1f\n",
         n, est, (double)(h1 - h0) / n, (double)(kept - h0) / n, (double)client_bytes / n,
         (double)(rss1 - rss0) / 1024.0,
         (double)(rss_untrimmed - rss0) / 1024.0, (unsigned long long)net.absent_drops, ns_seg);
  free(sfd);
  for (uint32_t i = 0; i < net.n; i++) ltcp_stack_free(net.st[i]);
}

/* n TIME-WAIT entries left by n cycles in the client stack. */
static void bench_mem_time_wait(uint32_t n) {
  bench_net net = {.n = 2, .now = LTCP_SEC(1)};
  net.st[0] = bench_stack(0, 1500, 65535, n + 16);
  net.st[1] = bench_stack(1, 1500, 65535, 2100);
  int lfd = bench_listen(net.st[1], BENCH_SERVER_PORT, 4096);
  int cfd[1000], sfd[1000];
  uint16_t lports[1000];
  size_t h0 = bench_heap();
  for (uint32_t done = 0; done < n;) {
    uint32_t b = n - done < 1000 ? n - done : 1000;
    for (uint32_t i = 0; i < b; i++) lports[i] = (uint16_t)(1024 + done + i);
    bench_cycle_batch(&net, lfd, b, lports, BENCH_SERVER_PORT, cfd, sfd);
    done += b;
  }
  /* The cycles ran 1,000 at a time: both stacks keep 1,000 TCBs, busy parts and first buffer
   * blocks pooled for the next burst. Counted as kept, and without them (ltcp_stack_trim): the
   * entries' own cost. */
  size_t kept = bench_heap();
  ltcp_stack_trim(net.st[0]);
  ltcp_stack_trim(net.st[1]);
  size_t h1 = bench_heap();
  printf("mem_time_wait count=%u time_wait=%u compact_records=%llu bytes_per_entry=%.1f "
         "bytes_per_entry_pools_kept=%.1f\n", n, ltcp_stack_count_state(net.st[0], LTCP_TIME_WAIT),
         (unsigned long long)ltcp_stack_stats(net.st[0])->time_wait_compact, (double)(h1 - h0) / n,
         (double)(kept - h0) / n);
  ltcp_stack_free(net.st[0]);
  ltcp_stack_free(net.st[1]);
}

/* n half-open SYN-RECEIVED entries in the server: its SYN,ACKs never reach the client. The
 * heap they take, per entry: the first cfg.half_open_whole are whole TCBs, the rest records. */
static double bench_mem_syn_received_once(uint32_t n, uint32_t *held) {
  bench_net net = {.n = 2, .now = LTCP_SEC(1), .drop_to_clients = 1};
  net.st[1] = bench_stack(1, 1500, 65535, n + 16);
  net.st[0] = bench_stack(0, 1500, 65535, n + 16);
  bench_listen(net.st[0], BENCH_SERVER_PORT, (int)n);
  for (uint32_t i = 0; i < n; i++)
    bench_connect(net.st[1], bench_addr(0), (uint16_t)(1024 + i), BENCH_SERVER_PORT);
  size_t h0 = bench_heap();
  bench_pump_round(&net); /* SYNs to the server; one round, before any retransmission */
  bench_pump_round(&net);
  size_t h1 = bench_heap();
  *held = ltcp_stack_count_state(net.st[0], LTCP_SYN_RECEIVED);
  ltcp_stack_free(net.st[0]);
  ltcp_stack_free(net.st[1]);
  return (double)(h1 - h0) / n;
}

/* With the default configuration, and with every half-open entry a record (half_open_whole 0). */
static void bench_mem_syn_received(uint32_t n) {
  uint32_t held, held_rec;
  double per = bench_mem_syn_received_once(n, &held);
  bench_half_open_whole = 0;
  double per_rec = bench_mem_syn_received_once(n, &held_rec);
  bench_half_open_whole = -1;
  printf("mem_syn_received count=%u syn_received=%u bytes_per_entry=%.1f "
         "bytes_per_entry_all_records=%.1f\n", n, held < held_rec ? held : held_rec, per, per_rec);
}

static void bench_mem(uint32_t n) {
  printf("mem_table bytes_per_conn_slot=%.1f\n", bench_table_bytes_per_conn(n));
  bench_mem_syn_received(n < 4096 ? n : 4096);
  bench_mem_time_wait(n < 60000 ? n : 60000);
  bench_mem_established(n);
}

static uint64_t bench_arg(int argc, char **argv, const char *name, uint64_t dflt) {
  for (int i = 2; i + 1 < argc; i++)
    if (strcmp(argv[i], name) == 0) return strtoull(argv[i + 1], NULL, 0);
  return dflt;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: ltcp_bench bulk|cycles|rr|mem [--mss N] [--bytes N] [--buf N] "
                    "[--no-copy 1] [--zc 1 (bulk)] [--count N] [--inflight N] [--shards N (bulk, cycles)] [--ipv6 1]\n");
    return 2;
  }
  const char *what = argv[1];
  bench_v6 = (int)bench_arg(argc, argv, "--ipv6", 0);
  bench_zc = (int)bench_arg(argc, argv, "--zc", 0);
  uint32_t shards = (uint32_t)bench_arg(argc, argv, "--shards", 0);
  if (shards && strcmp(what, "bulk") == 0) {
    bench_shard t = {.mss = (uint16_t)bench_arg(argc, argv, "--mss", 1460),
                     .bytes = bench_arg(argc, argv, "--bytes", 1ull << 30) / shards,
                     .buf = (uint32_t)bench_arg(argc, argv, "--buf", 4u << 20)};
    bench_sharded("bulk_sharded", &t, shards);
  } else if (shards && strcmp(what, "cycles") == 0) {
    bench_shard t = {.cycles = 1, .inflight = (uint32_t)bench_arg(argc, argv, "--inflight", 1)};
    t.count = (uint32_t)(bench_arg(argc, argv, "--count", 100000) / shards);
    bench_sharded("cycles_sharded", &t, shards);
  } else if (strcmp(what, "bulk") == 0)
    bench_bulk((uint16_t)bench_arg(argc, argv, "--mss", 1460), bench_arg(argc, argv, "--bytes", 1ull << 30),
               (uint32_t)bench_arg(argc, argv, "--buf", 4u << 20), (int)bench_arg(argc, argv, "--no-copy", 0));
  else if (strcmp(what, "cycles") == 0)
    bench_cycles((uint32_t)bench_arg(argc, argv, "--count", 100000),
                 (uint32_t)bench_arg(argc, argv, "--inflight", 1));
  else if (strcmp(what, "rr") == 0)
    bench_rr((uint32_t)bench_arg(argc, argv, "--count", 1000000));
  else if (strcmp(what, "mem") == 0)
    bench_mem((uint32_t)bench_arg(argc, argv, "--count", 100000));
  else
    return 2;
  return 0;
}
