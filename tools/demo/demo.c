/* The demo runner: two stacks on the simulated network, an application on each side stepped
 * after every network event, and a record of everything that happens. */
#include "demo/demo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lucidtcp/pcap.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"
#include "lucidtcp/wire/tcp.h"

#define DEMO_CLIENT_ADDR LTCP_IPV4(198, 18, 0, 1)
#define DEMO_SERVER_ADDR LTCP_IPV4(198, 18, 0, 2)
/* --ipv6: 2001:db8::1 and 2001:db8::2, in the documentation prefix (RFC 3849) */
static const uint8_t demo_addr6[2][16] = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1},
                                          {0x20, 0x01, 0x0d, 0xb8, [15] = 2}};
#define DEMO_MAX_STEPS 200000
#define DEMO_MAX_TIME LTCP_SEC(3600)

typedef struct demo_app {
  int fd, lfd;
  int phase;
  size_t sent, got;
} demo_app;

typedef struct demo_ctx demo_ctx;
typedef void (*demo_step_fn)(demo_ctx *d);

struct demo_ctx {
  const demo_options *o;
  const demo_sink *sink;
  const demo_scenario *sc;
  demo_step_fn step;
  ltcp_sim *sim;
  ltcp_stack *st[2];
  demo_app app[2];
  ltcp_endpoint ep[2];
  uint32_t iss[2];
  int iss_known[2];
  demo_record pending;
  int has_pending;
  ltcp_pcap *pcap;
  int drop_final_ack; /* lost-final-ack: the network loses the client's last ACK */
  int final_ack_dropped;
  int done;
};

/* ---- addresses */

/* side's address with port, in the run's family. */
static ltcp_endpoint demo_endpoint(const demo_options *o, demo_side side, uint16_t port) {
  ltcp_endpoint ep = {side == DEMO_CLIENT ? DEMO_CLIENT_ADDR : DEMO_SERVER_ADDR, port, LTCP_AF_INET, {0}};
  if (o->ipv6) {
    ep.addr = 0;
    ep.family = LTCP_AF_INET6;
    memcpy(ep.addr6, demo_addr6[side], 16);
  }
  return ep;
}

/* Any address of the run's family ("::" over IPv6), with port. */
static ltcp_endpoint demo_any(const demo_options *o, uint16_t port) {
  ltcp_endpoint ep = {0, port, o->ipv6 ? LTCP_AF_INET6 : LTCP_AF_INET, {0}};
  return ep;
}

/* The TCP segment in an IPv4 or IPv6 packet (RFC 8200: no extension headers are sent). Returns
 * 0, or -1 when it is not one. */
static int demo_parse_tcp(const uint8_t *pkt, size_t len, ltcp_seg *seg) {
  if (len > 0 && (pkt[0] >> 4) == 6) {
    ltcp_ipv6_hdr h;
    if (ltcp_ipv6_parse(pkt, len, &h) != LTCP_DROP_NONE || h.proto != LTCP_IPPROTO_TCP) return -1;
    size_t l4 = LTCP_IPV6_HDR_LEN + (size_t)h.payload_len - h.off;
    return ltcp_tcp_parse_ipv6(pkt + h.off, l4, h.src, h.dst, 1, 2, seg) == LTCP_DROP_NONE ? 0 : -1;
  }
  ltcp_ipv4_hdr ip;
  if (ltcp_ipv4_parse(pkt, len, &ip) != LTCP_DROP_NONE || ip.proto != LTCP_IPPROTO_TCP) return -1;
  return ltcp_tcp_parse(pkt + ip.hdr_len, ip.total_len - ip.hdr_len, ip.src, ip.dst, seg) ==
                 LTCP_DROP_NONE ? 0 : -1;
}

/* ---- records */

static void demo_flush(demo_ctx *d) {
  if (!d->has_pending) return;
  d->has_pending = 0;
  d->sink->record(d->sink->ctx, &d->pending);
}

static void demo_emit(demo_ctx *d, const demo_record *r) {
  demo_flush(d);
  d->sink->record(d->sink->ctx, r);
}

static void demo_note(demo_ctx *d, demo_side side, const char *fmt, ...) {
  char text[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  demo_record r = {.kind = DEMO_REC_NOTE, .side = side, .time = ltcp_sim_now(d->sim)};
  r.note = text;
  demo_emit(d, &r);
}

static void demo_drain_events(demo_ctx *d) {
  ltcp_event ev;
  for (int side = 0; side < 2; side++) {
    while (ltcp_stack_next_event(d->st[side], &ev)) {
      demo_record r = {.side = (demo_side)side, .time = ev.time, .ev = ev};
      r.kind = ev.kind == LTCP_EV_STATE ? DEMO_REC_STATE : DEMO_REC_DROP;
      demo_emit(d, &r);
    }
  }
}

/* Every packet a side sends becomes a segment record; its fate follows in the same breath. */
static void demo_tap(void *ctx, ltcp_time_ns now, int from, int to, ltcp_sim_fate fate,
                     const uint8_t *pkt, size_t len) {
  demo_ctx *d = ctx;
  (void)to;
  if (fate != LTCP_SIM_SENT) {
    if (d->has_pending && fate != LTCP_SIM_DELIVERED) d->pending.fate = fate;
    return;
  }
  ltcp_seg seg;
  if (demo_parse_tcp(pkt, len, &seg) != 0) return;
  demo_flush(d);
  int side = from == 0 ? DEMO_CLIENT : DEMO_SERVER;
  if (seg.flags & LTCP_SYN) {
    d->iss[side] = seg.seq;
    d->iss_known[side] = 1;
  }
  demo_record *r = &d->pending;
  memset(r, 0, sizeof *r);
  r->kind = DEMO_REC_SEGMENT;
  r->side = (demo_side)side;
  r->time = now;
  r->seg = (ltcp_seg_summary){seg.flags, seg.seq, seg.ack, seg.wnd, seg.len};
  r->mss = seg.opts.mss;
  r->wscale = seg.opts.has_wscale ? (int8_t)seg.opts.wscale : -1;
  r->sack_ok = seg.opts.sack_permitted;
  r->ts = seg.opts.has_timestamps;
  r->fate = LTCP_SIM_DELIVERED;
  r->rel_seq = seg.seq - (d->iss_known[side] ? d->iss[side] : 0);
  r->rel_ack = seg.ack - (d->iss_known[!side] ? d->iss[!side] : 0);
  d->has_pending = 1;
  if (d->pcap) ltcp_pcap_write(d->pcap, now, pkt, len);
}

/* lost-final-ack: the first bare ACK the client sends from TIME-WAIT is lost. */
static int demo_filter(void *ctx, ltcp_time_ns now, int from, int to, const uint8_t *pkt,
                       size_t len) {
  demo_ctx *d = ctx;
  (void)now;
  (void)to;
  size_t ip_len = len > 0 && (pkt[0] >> 4) == 6 ? LTCP_IPV6_HDR_LEN : LTCP_IPV4_HDR_LEN;
  if (!d->drop_final_ack || d->final_ack_dropped || from != 0 || len < ip_len + 20) return 0;
  if (ltcp_stack_count_state(d->st[DEMO_CLIENT], LTCP_TIME_WAIT) == 0) return 0;
  if (pkt[ip_len + 13] != LTCP_ACK) return 0;
  d->final_ack_dropped = 1;
  return 1;
}

/* ---- what the applications do */

static const char demo_request[] = "GET /hello.txt HTTP/1.1\r\nHost: server\r\n\r\n";
#define DEMO_RESPONSE_LEN 2000u /* two segments at MSS 1460 */

static uint8_t demo_byte(size_t i) { return (uint8_t)('a' + i % 26); }

static void app_listen(demo_ctx *d, demo_side side, uint16_t port) {
  demo_app *a = &d->app[side];
  a->lfd = ltcp_socket(d->st[side]);
  ltcp_endpoint ep = demo_any(d->o, port);
  ltcp_bind(d->st[side], a->lfd, &ep);
  ltcp_listen(d->st[side], a->lfd, 8);
  demo_note(d, side, "listen(:%u)", port);
}

static void app_connect(demo_ctx *d, demo_side side, uint16_t local_port,
                        const ltcp_endpoint *to) {
  demo_app *a = &d->app[side];
  a->fd = ltcp_socket(d->st[side]);
  if (local_port) {
    ltcp_endpoint ep = demo_any(d->o, local_port);
    ltcp_bind(d->st[side], a->fd, &ep);
  }
  int rc = ltcp_connect(d->st[side], a->fd, to);
  demo_note(d, side, "connect(:%u) = %s", to->port, rc == 0 ? "0" : ltcp_errname(errno));
}

static int app_accept(demo_ctx *d, demo_side side) {
  demo_app *a = &d->app[side];
  int fd = ltcp_accept(d->st[side], a->lfd, NULL);
  if (fd < 0) return 0;
  a->fd = fd;
  demo_note(d, side, "accept() = fd %d", fd);
  return 1;
}

static int app_writable(demo_ctx *d, demo_side side) {
  ltcp_pollfd p = {d->app[side].fd, LTCP_POLLOUT, 0};
  return ltcp_poll(d->st[side], &p, 1) > 0;
}

/* Sends bytes [a->sent, total) of the demo stream (or the request); 1 when all are queued. */
static int app_send(demo_ctx *d, demo_side side, const uint8_t *data, size_t total) {
  demo_app *a = &d->app[side];
  while (a->sent < total) {
    uint8_t chunk[4096];
    size_t n = total - a->sent < sizeof chunk ? total - a->sent : sizeof chunk;
    for (size_t i = 0; i < n; i++) chunk[i] = data ? data[a->sent + i] : demo_byte(a->sent + i);
    ssize_t k = ltcp_send(d->st[side], a->fd, chunk, n, 0);
    if (k <= 0) return 0;
    demo_note(d, side, "send(%zu) = %zd", n, k);
    a->sent += (size_t)k;
  }
  return 1;
}

/* Reads what is there: returns 1 at end of stream, -errno on error, else 0. */
static int app_recv(demo_ctx *d, demo_side side) {
  demo_app *a = &d->app[side];
  uint8_t buf[4096];
  for (int i = 0; i < 64; i++) {
    ssize_t n = ltcp_recv(d->st[side], a->fd, buf, sizeof buf, 0);
    if (n > 0) {
      a->got += (size_t)n;
      demo_note(d, side, "recv() = %zd", n);
      continue;
    }
    if (n == 0) {
      demo_note(d, side, "recv() = 0: end of stream");
      return 1;
    }
    if (errno == EAGAIN) return 0;
    demo_note(d, side, "recv() = -1 %s", ltcp_errname(errno));
    return -errno;
  }
  return 0;
}

static void app_call(demo_ctx *d, demo_side side, const char *what) {
  demo_app *a = &d->app[side];
  int rc;
  if (strcmp(what, "close") == 0) rc = ltcp_close(d->st[side], a->fd);
  else if (strcmp(what, "abort") == 0) rc = ltcp_abort(d->st[side], a->fd);
  else rc = ltcp_shutdown(d->st[side], a->fd, LTCP_SHUT_WR);
  demo_note(d, side, "%s%s = %d", what, strcmp(what, "shutdown") == 0 ? "(SHUT_WR)" : "()", rc);
}

/* ---- scenarios: each a step function called after every network event */

#define CL (&d->app[DEMO_CLIENT])
#define SV (&d->app[DEMO_SERVER])
#define REQ ((const uint8_t *)demo_request)
#define REQ_LEN (sizeof demo_request - 1)

static int demo_all_sent_acked(demo_ctx *d, demo_side side) {
  ltcp_tcp_info info;
  if (ltcp_status(d->st[side], d->app[side].fd, &info) != 0) return 0;
  return info.unsent == 0 && info.unacked == 0;
}

static void server_finish(demo_ctx *d) {
  app_call(d, DEMO_SERVER, "close");
  if (SV->lfd >= 0) ltcp_close(d->st[DEMO_SERVER], SV->lfd);
  SV->lfd = -1;
}

/* The server of handshake, lost-final-ack and abort: read the request, answer, wait for the
 * end of the stream (or an error), close. */
static void server_request_response(demo_ctx *d) {
  switch (SV->phase) {
    case 0: app_listen(d, DEMO_SERVER, 80); SV->phase = 1; /* fall through */
    case 1: if (!app_accept(d, DEMO_SERVER)) return; SV->phase = 2; /* fall through */
    case 2: app_recv(d, DEMO_SERVER); if (SV->got < REQ_LEN) return; SV->phase = 3; /* fall through */
    case 3: if (!app_send(d, DEMO_SERVER, NULL, DEMO_RESPONSE_LEN)) return; SV->phase = 4; /* fall through */
    case 4: if (app_recv(d, DEMO_SERVER) == 0) return; server_finish(d); SV->phase = 5; return;
    default: return;
  }
}

/* Client: connect, send the request, read the response; then 'how' ends it. */
static void client_request_response(demo_ctx *d, const char *how) {
  ltcp_endpoint server = demo_endpoint(d->o, DEMO_SERVER, 80);
  switch (CL->phase) {
    case 0: app_connect(d, DEMO_CLIENT, 0, &server); CL->phase = 1; return;
    case 1: if (!app_writable(d, DEMO_CLIENT)) return; CL->phase = 2; /* fall through */
    case 2: if (!app_send(d, DEMO_CLIENT, REQ, REQ_LEN)) return; CL->phase = 3; /* fall through */
    case 3:
      app_recv(d, DEMO_CLIENT);
      if (CL->got < DEMO_RESPONSE_LEN) return;
      if (how) app_call(d, DEMO_CLIENT, how);
      CL->phase = 4;
      return;
    default: return;
  }
}

static void step_handshake(demo_ctx *d) {
  server_request_response(d);
  client_request_response(d, "close");
  d->done = CL->phase == 4 && SV->phase == 5;
}

static void step_abort(demo_ctx *d) {
  server_request_response(d);
  client_request_response(d, "abort");
  d->done = CL->phase == 4 && SV->phase == 5;
}

static void step_refused(demo_ctx *d) {
  ltcp_endpoint nobody = demo_endpoint(d->o, DEMO_SERVER, 81);
  if (CL->phase == 0) {
    app_connect(d, DEMO_CLIENT, 0, &nobody);
    CL->phase = 1;
    return;
  }
  ltcp_pollfd p = {CL->fd, LTCP_POLLOUT, 0};
  if (CL->phase == 1 && ltcp_poll(d->st[DEMO_CLIENT], &p, 1) > 0) {
    int err = ltcp_socket_error(d->st[DEMO_CLIENT], CL->fd);
    demo_note(d, DEMO_CLIENT, "SO_ERROR = %s (%s)", err ? ltcp_errname(err) : "0",
              ltcp_strerror(err));
    app_call(d, DEMO_CLIENT, "close");
    CL->phase = 2;
  }
  d->done = CL->phase == 2;
}

/* Both ends bind a port and connect to each other at the same instant (RFC 9293 figure 7). */
static void step_simultaneous_open(demo_ctx *d) {
  ltcp_endpoint to_server = demo_endpoint(d->o, DEMO_SERVER, 6000);
  ltcp_endpoint to_client = demo_endpoint(d->o, DEMO_CLIENT, 5000);
  for (int side = 0; side < 2; side++) {
    demo_app *a = &d->app[side];
    switch (a->phase) {
      case 0:
        app_connect(d, (demo_side)side, side == 0 ? 5000 : 6000, side == 0 ? &to_server : &to_client);
        a->phase = 1;
        break;
      case 1: if (!app_writable(d, (demo_side)side)) break; a->phase = 2; /* fall through */
      case 2: if (!app_send(d, (demo_side)side, REQ, REQ_LEN)) break; a->phase = 3; /* fall through */
      case 3: {
        int eof = app_recv(d, (demo_side)side);
        if (side == DEMO_CLIENT && a->got >= REQ_LEN) {
          app_call(d, DEMO_CLIENT, "close"); /* the client closes first */
          a->phase = 4;
        } else if (side == DEMO_SERVER && eof) {
          app_call(d, DEMO_SERVER, "close");
          a->phase = 4;
        }
        break;
      }
      default: break;
    }
  }
  d->done = CL->phase == 4 && SV->phase == 4;
}

/* Both ends close at the same instant once the exchange is over (RFC 9293 figure 13). */
static void step_simultaneous_close(demo_ctx *d) {
  if (SV->phase < 4) server_request_response(d);
  client_request_response(d, NULL);
  if (CL->phase == 4 && SV->phase == 4 && demo_all_sent_acked(d, DEMO_SERVER)) {
    app_call(d, DEMO_CLIENT, "close");
    server_finish(d);
    CL->phase = SV->phase = 5;
  }
  d->done = CL->phase == 5;
}

/* The client sends its request and shuts down its side; the server, in CLOSE-WAIT, goes on
 * sending for a while before it closes too. */
static void step_half_close(demo_ctx *d) {
  ltcp_endpoint server = demo_endpoint(d->o, DEMO_SERVER, 80);
  switch (CL->phase) {
    case 0: app_connect(d, DEMO_CLIENT, 0, &server); CL->phase = 1; break;
    case 1: if (!app_writable(d, DEMO_CLIENT)) break; CL->phase = 2; /* fall through */
    case 2:
      if (!app_send(d, DEMO_CLIENT, REQ, REQ_LEN)) break;
      app_call(d, DEMO_CLIENT, "shutdown");
      CL->phase = 3; /* fall through */
    case 3:
      if (app_recv(d, DEMO_CLIENT) == 0) break;
      app_call(d, DEMO_CLIENT, "close");
      CL->phase = 4;
      break;
    default: break;
  }
  switch (SV->phase) {
    case 0: app_listen(d, DEMO_SERVER, 80); SV->phase = 1; /* fall through */
    case 1: if (!app_accept(d, DEMO_SERVER)) break; SV->phase = 2; /* fall through */
    case 2: if (app_recv(d, DEMO_SERVER) == 0) break; SV->phase = 3; SV->sent = 0; /* fall through */
    case 3: case 4: case 5:
      /* Three chunks of 1000 bytes, each once the one before is acknowledged. */
      if (SV->sent > 0 && !demo_all_sent_acked(d, DEMO_SERVER)) break;
      if (SV->phase < 6 && SV->sent < 3000) {
        uint8_t chunk[1000];
        memset(chunk, 'a' + SV->phase, sizeof chunk);
        ssize_t k = ltcp_send(d->st[DEMO_SERVER], SV->fd, chunk, sizeof chunk, 0);
        demo_note(d, DEMO_SERVER, "send(1000 bytes) = %zd   (still sending in CLOSE-WAIT)", k);
        if (k > 0) SV->sent += (size_t)k;
        SV->phase++;
        break;
      }
      /* fall through */
    case 6: server_finish(d); SV->phase = 7; break;
    default: break;
  }
  d->done = CL->phase == 4 && SV->phase == 7;
}

static const demo_scenario demo_list[] = {
  {"handshake", "connect, exchange data both ways, close (the default)"},
  {"simultaneous-open", "both ends connect to each other at once: SYN-SENT -> SYN-RECEIVED -> ESTABLISHED"},
  {"simultaneous-close", "both ends close at once: FIN-WAIT-1 -> CLOSING -> TIME-WAIT"},
  {"half-close", "the client shuts down its side; the server goes on sending from CLOSE-WAIT"},
  {"lost-final-ack", "the last ACK is lost: LAST-ACK resends its FIN, TIME-WAIT answers (why 2MSL exists)"},
  {"refused", "connect to a port with no listener: RST, ECONNREFUSED"},
  {"abort", "the client aborts an open connection: RST, the server sees ECONNRESET"},
};

static const demo_step_fn demo_steps[] = {
  step_handshake, step_simultaneous_open, step_simultaneous_close, step_half_close,
  step_handshake, step_refused, step_abort,
};

const demo_scenario *demo_scenarios(size_t *count) {
  *count = sizeof demo_list / sizeof demo_list[0];
  return demo_list;
}

const demo_scenario *demo_find(const char *name) {
  for (size_t i = 0; i < sizeof demo_list / sizeof demo_list[0]; i++)
    if (strcmp(demo_list[i].name, name) == 0) return &demo_list[i];
  return NULL;
}

/* ---- the run */

void demo_options_default(demo_options *o) {
  memset(o, 0, sizeof *o);
  o->scenario = "handshake";
  o->seed = 1;
  o->latency_ns = LTCP_MS(10);
  o->msl_ns = LTCP_SEC(30);
}

/* side's stack: its IPv4 address, and with --ipv6 its IPv6 one beside it (one stack, both). */
static ltcp_stack *demo_stack(const demo_options *o, demo_side side, uint64_t seed) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = side == DEMO_CLIENT ? DEMO_CLIENT_ADDR : DEMO_SERVER_ADDR;
  if (o->ipv6) memcpy(cfg.addr6, demo_addr6[side], 16);
  cfg.seed = seed;
  cfg.msl_ns = o->msl_ns;
  cfg.event_capacity = 1024;
  return ltcp_stack_new(&cfg);
}

static int demo_setup(demo_ctx *d) {
  const demo_options *o = d->o;
  d->st[DEMO_CLIENT] = demo_stack(o, DEMO_CLIENT, o->seed * 2 + 1);
  d->st[DEMO_SERVER] = demo_stack(o, DEMO_SERVER, o->seed * 2 + 2);
  d->sim = ltcp_sim_new(o->seed);
  if (!d->st[0] || !d->st[1] || !d->sim) return -1;
  ltcp_sim_path path = {.latency_ns = o->latency_ns, .loss = o->loss};
  int c = ltcp_sim_add_stack(d->sim, d->st[DEMO_CLIENT]);
  int s = ltcp_sim_add_stack(d->sim, d->st[DEMO_SERVER]);
  if (c < 0 || s < 0 || ltcp_sim_link(d->sim, c, s, &path, &path) != 0) return -1;
  ltcp_sim_add_tap(d->sim, demo_tap, d);
  ltcp_sim_set_filter(d->sim, demo_filter, d);
  for (int i = 0; i < 2; i++) d->app[i].fd = d->app[i].lfd = -1;
  return 0;
}

static void demo_teardown(demo_ctx *d) {
  if (d->sim) ltcp_sim_free(d->sim);
  for (int i = 0; i < 2; i++)
    if (d->st[i]) ltcp_stack_free(d->st[i]);
  if (d->pcap) ltcp_pcap_close(d->pcap);
}

static int demo_quiet(demo_ctx *d) {
  return d->done && ltcp_stack_connection_count(d->st[0]) == 0 &&
         ltcp_stack_connection_count(d->st[1]) == 0;
}

static int demo_loop(demo_ctx *d) {
  for (int i = 0; i < DEMO_MAX_STEPS; i++) {
    d->step(d);
    demo_drain_events(d);
    if (demo_quiet(d)) return 0;
    ltcp_time_ns next = ltcp_sim_next_time(d->sim);
    if (next == LTCP_TIME_NEVER || next > DEMO_MAX_TIME) break;
    ltcp_sim_step(d->sim, next);
    demo_drain_events(d);
  }
  demo_flush(d);
  return -1;
}

int demo_run(const demo_options *o, const demo_sink *sink) {
  demo_ctx d;
  memset(&d, 0, sizeof d);
  d.o = o;
  d.sink = sink;
  d.sc = demo_find(o->scenario);
  if (!d.sc) {
    sink->end(sink->ctx, -1, "unknown scenario (lucidtcp demo --list names them)");
    return -1;
  }
  d.step = demo_steps[d.sc - demo_list];
  d.drop_final_ack = strcmp(d.sc->name, "lost-final-ack") == 0;
  if (o->pcap_path && !(d.pcap = ltcp_pcap_open(o->pcap_path))) {
    char msg[512];
    snprintf(msg, sizeof msg, "cannot write capture '%s': %s", o->pcap_path, strerror(errno));
    sink->end(sink->ctx, -1, msg);
    return -1;
  }
  if (demo_setup(&d) != 0) {
    demo_teardown(&d);
    sink->end(sink->ctx, -1, "out of memory");
    return -1;
  }
  ltcp_endpoint client = demo_endpoint(o, DEMO_CLIENT, 0), server = demo_endpoint(o, DEMO_SERVER, 80);
  sink->begin(sink->ctx, o, d.sc, client, server);
  int rc = demo_loop(&d);
  demo_flush(&d);
  demo_teardown(&d);
  sink->end(sink->ctx, rc, rc == 0 ? "both ends CLOSED" : "the scenario did not finish in time");
  return rc;
}
