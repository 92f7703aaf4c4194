/* lucidtcp serve: a server on the user-space stack, reached through a TUN device. */
#include "rt/serve.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt/http.h"

#define SERVE_MAX_CONNS 512
/* Connections waiting for a slot, established or not. Larger than the slots, so a burst of
 * clients (600 at once in the slowloris test) waits here rather than meeting SYN cookies: a
 * cookie's connection whose ACK finds the accept queue full is dropped, and reset when the
 * client's next segment is not its first (RFC 4987 §3.6; Linux's somaxconn is 4096). */
#define SERVE_BACKLOG 1024
#define SERVE_BUF 16384
#define SERVE_CHARGEN_LINE 72 /* RFC 864: 72 characters and CR LF */
#define SERVE_CHARGEN_CYCLE (95 * (SERVE_CHARGEN_LINE + 2)) /* the pattern repeats after this */
#define SERVE_CHARGEN_CYCLES 10 /* in the buffer: a send from any offset of the first cycle
                                 * takes 9 cycles (63,270 bytes) of the pattern in one piece */
#define SERVE_HEADER_TIMEOUT_S 10 /* --header-timeout: nginx's client_header_timeout is 60 s,
                                   * Apache's mod_reqtimeout 20 to 40 s; a file server's
                                   * clients send a head at once */
#define SERVE_IDLE_TIMEOUT_S 30   /* --idle-timeout: between nginx's keepalive_timeout (75 s)
                                   * and Apache's KeepAliveTimeout (5 s) */
#define SERVE_MAX_PER_CLIENT 32   /* --max-per-client */
#define SERVE_LINGER_NS LTCP_SEC(5) /* after our FIN, how long we read the peer's bytes before
                                     * closing anyway (nginx's lingering_timeout) */
#define SERVE_TIMEOUT_MAX_S 86400

typedef enum serve_kind { SERVE_ECHO, SERVE_DISCARD, SERVE_CHARGEN, SERVE_HTTP } serve_kind;

typedef struct serve_conn {
  int fd;
  ltcp_endpoint peer;
  int wr_shut;  /* our FIN is queued */
  ltcp_time_ns linger_until; /* with wr_shut: close then, the peer's FIN or not */
  int rd_eof;   /* the peer's stream ended */
  uint64_t chargen_pos;
  uint8_t buf[SERVE_BUF];
  http_server_conn *http;
} serve_conn;

typedef struct serve {
  rt_ctx rt;                /* first: the skeleton's part */
  serve_kind kind;
  int have_service;
  const char *root;
  int follow_symlinks;      /* --follow-symlinks */
  http_site site;           /* http:DIR */
  http_timeouts timeouts;   /* --header-timeout, --idle-timeout */
  http_send send;           /* --send, and what the file service counts */
  uint32_t max_per_client;  /* --max-per-client */
  uint64_t refused;         /* connections reset because their address had max_per_client */
  uint16_t port;
  int lfd;
  serve_conn *conns[SERVE_MAX_CONNS];
  uint32_t nconns;
  /* RFC 864's pattern, SERVE_CHARGEN_CYCLES times: chargen lends it (--send zerocopy) or copies
   * it; it outlives the stack, which may release lent pieces when it is freed. */
  uint8_t chargen[SERVE_CHARGEN_CYCLES * SERVE_CHARGEN_CYCLE];
} serve;
_Static_assert(offsetof(serve, rt) == 0, "rt_main finds its rt_ctx at the start");

static const char serve_usage_text[] =
    "usage: lucidtcp serve --tun DEV --addr ADDR/PREFIX --port N --service SERVICE [options]\n"
    "\n"
    "A server on lucidtcp's stack, reached through the TUN device DEV: the kernel's side of DEV\n"
    "keeps whatever address you gave it; ADDR is lucidtcp's own address on that link.\n"
    "\n"
    "services:\n"
    "  echo        sends back what it receives (RFC 862); closes after the peer does\n"
    "  discard     reads and drops everything (RFC 863)\n"
    "  chargen     sends RFC 864's character pattern until the peer closes\n"
    "  http:DIR    serves the files under DIR over HTTP/1.1: GET, HEAD, Content-Length,\n"
    "              keep-alive; a directory gives its index.html, or a listing of its names\n"
    "              when it has none; a single byte range (Range: bytes=a-b, a-, -n) gives\n"
    "              206 with Content-Range, so 'curl -C -' resumes, one beyond the end 416,\n"
    "              and several ranges the whole file (200); a request target in absolute\n"
    "              form (GET http://host/path) is taken as its path. A symbolic link that\n"
    "              leads outside DIR gives 403 (--follow-symlinks allows it). Each request\n"
    "              is one line on stderr: peer, \"request line\" (bytes that are not\n"
    "              printable, '\"' and '\\' written as \\xHH), status, body bytes.\n"
    "              A request's head (request line and headers) must come whole within\n"
    "              --header-timeout of the connection or of its first byte; else, when a\n"
    "              head had begun, 408 Request Timeout and the connection closes (as\n"
    "              Apache), and with no byte of it the connection just closes (as nginx).\n"
    "              Between keep-alive requests a connection may wait --idle-timeout. Lines\n"
    "              may end in CRLF or a bare LF (RFC 9112 §2.2); a bare CR gives 400\n"
    "\n"
    "options:\n"
    RT_HELP_TUN
    "  --addr ADDR/PREFIX lucidtcp's own address on the link, IPv4 (198.18.0.2/24) or IPv6\n"
    "                     (2001:db8::2/64); give both for both families\n"
    RT_HELP_ROUTES
    "  --port N           the port to listen on\n"
    "  --service S        echo, discard, chargen or http:DIR\n"
    "  --follow-symlinks  http: serve files that symbolic links under DIR lead to outside it\n"
    "  --header-timeout SECS  http: a request's head must come whole within SECS\n"
    "                     (default 10)\n"
    "  --idle-timeout SECS  http: a keep-alive connection may wait SECS for its next\n"
    "                     request (default 30)\n"
    "  --send MODE        how http sends a file's bytes and chargen its pattern: zerocopy\n"
    "                     (the default) lends them to the stack without a copy (a file mapped\n"
    "                     read-only, in pieces of up to 256 KiB; an empty file, one that\n"
    "                     cannot be mapped, or a piece beyond the stack's lent buffers is\n"
    "                     read and copied), copy reads and copies them into the send buffer.\n"
    "                     A file must not shrink while it is served: each piece checks its\n"
    "                     size and a shrunk file ends the connection, but a file truncated\n"
    "                     while its pages are lent can stop serve with SIGBUS (as Apache's\n"
    "                     EnableMMAP); serve files that change in place with --send copy.\n"
    "                     --trace adds a zero-copy line and a files line to its counters\n"
    "  --max-per-client N at most N connections at once from one address (default 32, of\n"
    "                     512 slots); beyond it a new connection from that address is\n"
    "                     reset at once, counted, and logged the first time\n"
    RT_HELP_TRACE_PCAP_MSL
    RT_HELP_CONTROL
    "  --impair SPEC      inject faults on the link, as netem would: e.g.\n"
    "                     delay=10ms,jitter=2ms,loss=5%,reorder=10%,duplicate=1%,corrupt=0.5%\n"
    RT_HELP_OFFLOAD_BUSY_POLL
    "  --threads N        N shards, each a stack of its own on a thread of its own with its\n"
    "                     own queue of DEV (IFF_MULTI_QUEUE: DEV must be made with\n"
    "                     'ip tuntap add dev DEV mode tun multi_queue', or not exist), sharing\n"
    "                     nothing; the kernel spreads the connections over the queues by their\n"
    "                     ports, and each shard listens on --port (default 1). With --pcap,\n"
    "                     shard K > 0 writes FILE.K; --max-per-client counts per shard\n"
    "\n"
    "It runs until SIGINT or SIGTERM: then it stops listening, resets the connections still\n"
    "open (their peers see ECONNRESET) and exits with status 0.\n"
    "exit status: 0 after a signal, 1 when the device, the stack or the capture cannot be\n"
    "set up, 2 for a bad option.\n";

/* ---- services */

static void serve_chargen_init(serve *s) {
  uint8_t *p = s->chargen;
  for (int line = 0; line < 95; line++) {
    for (int i = 0; i < SERVE_CHARGEN_LINE; i++) *p++ = (uint8_t)(' ' + (line + i) % 95);
    *p++ = '\r';
    *p++ = '\n';
  }
  for (int k = 1; k < SERVE_CHARGEN_CYCLES; k++)
    memcpy(s->chargen + k * SERVE_CHARGEN_CYCLE, s->chargen, SERVE_CHARGEN_CYCLE);
}

/* Reads and drops what is there. */
static void serve_drain(serve *s, serve_conn *c) {
  for (int i = 0; i < 64 && !c->rd_eof; i++) {
    ssize_t n = ltcp_recv(s->rt.st, c->fd, c->buf, sizeof c->buf, 0);
    if (n == 0) c->rd_eof = 1;
    if (n <= 0) return;
  }
}

/* Each returns 0 while it has more to send, 1 when done sending, -1 on error. */
/* Echo moves each byte once: it sends straight from the receive buffer the stack lends
 * (ltcp_recv_peek) and consumes what the send buffer took; what it did not take stays unread,
 * so the peer's window closes while ours is full. */
static int serve_echo(serve *s, serve_conn *c) {
  for (int i = 0; i < 64; i++) {
    const void *p;
    ssize_t n = ltcp_recv_peek(s->rt.st, c->fd, &p);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (n == 0) {
      c->rd_eof = 1;
      return 1;
    }
    ssize_t m = ltcp_send(s->rt.st, c->fd, p, (size_t)n, 0);
    if (m < 0) return errno == EAGAIN ? 0 : -1;
    if (ltcp_recv_consume(s->rt.st, c->fd, (size_t)m) != 0) return -1;
  }
  return 0;
}

/* The pattern never changes, so it is lent as it is (no release function: the stack counts
 * the releases); when the stack has every reference lent (ENOBUFS), it is copied. */
static int serve_chargen(serve *s, serve_conn *c) {
  serve_drain(s, c);
  if (c->rd_eof) return 1;
  for (int i = 0; i < 64; i++) {
    const uint8_t *p = s->chargen + c->chargen_pos % SERVE_CHARGEN_CYCLE;
    size_t len = (SERVE_CHARGEN_CYCLES - 1) * SERVE_CHARGEN_CYCLE;
    ssize_t n = -1;
    if (!s->send.copy) n = ltcp_send_zc(s->rt.st, c->fd, p, len, NULL, NULL);
    if (n < 0 && (s->send.copy || errno == ENOBUFS))
      n = ltcp_send(s->rt.st, c->fd, p, len, 0);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    c->chargen_pos += (uint64_t)n;
  }
  return 0;
}

static int serve_service(serve *s, serve_conn *c, ltcp_time_ns now) {
  switch (s->kind) {
    case SERVE_ECHO: return serve_echo(s, c);
    case SERVE_DISCARD: serve_drain(s, c); return c->rd_eof;
    case SERVE_CHARGEN: return serve_chargen(s, c);
    default: return http_server_step(c->http, s->rt.st, c->fd, now);
  }
}

/* ---- connections */

static void serve_conn_release(serve_conn *c) {
  if (c->http) {
    http_server_free(c->http);
    free(c->http);
  }
  free(c);
}

static void serve_conn_free(serve *s, uint32_t i, int abort) {
  serve_conn *c = s->conns[i];
  if (abort) ltcp_abort(s->rt.st, c->fd);
  else ltcp_close(s->rt.st, c->fd);
  serve_conn_release(c);
  s->conns[i] = s->conns[--s->nconns];
}

/* The connections open from peer's address (either family). */
static uint32_t serve_count_from(const serve *s, const ltcp_endpoint *peer) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->nconns; i++) {
    ltcp_endpoint a = s->conns[i]->peer;
    a.port = peer->port;
    n += ltcp_endpoint_equal(&a, peer);
  }
  return n;
}

/* A connection beyond --max-per-client: reset (no TIME-WAIT kept for it), counted; the first
 * one is logged. */
static void serve_refuse(serve *s, int fd, const ltcp_endpoint *peer) {
  ltcp_abort(s->rt.st, fd);
  if (s->refused++ == 0) {
    char a[LTCP_ADDR_STRLEN];
    fprintf(stderr, "lucidtcp serve: %s has %u connections open (--max-per-client): one more "
            "is reset, from it or any address at the bound (logged once, counted)\n",
            ltcp_addr_format(peer, a), s->max_per_client);
  }
}

static void serve_accept(serve *s) {
  ltcp_time_ns now = ltcp_loop_now(s->rt.loop);
  for (int i = 0; i < SERVE_BACKLOG; i++) {
    ltcp_endpoint peer;
    if (s->nconns == SERVE_MAX_CONNS) return; /* the rest wait in the backlog */
    int fd = ltcp_accept(s->rt.st, s->lfd, &peer);
    if (fd < 0) return;
    if (serve_count_from(s, &peer) >= s->max_per_client) {
      serve_refuse(s, fd, &peer);
      continue;
    }
    serve_conn *c = calloc(1, sizeof *c);
    if (c && s->kind == SERVE_HTTP && (c->http = malloc(sizeof *c->http)) != NULL)
      http_server_init(c->http, &s->site, &s->timeouts, &s->send, &peer, now, stderr);
    if (!c || (s->kind == SERVE_HTTP && !c->http)) {
      free(c);
      ltcp_abort(s->rt.st, fd);
      continue;
    }
    c->fd = fd;
    c->peer = peer;
    s->conns[s->nconns++] = c;
  }
}

/* Moves one connection on; 1 when it is finished (and released). */
static int serve_conn_step(serve *s, uint32_t i, ltcp_time_ns now) {
  serve_conn *c = s->conns[i];
  int rc = c->wr_shut ? 1 : serve_service(s, c, now);
  if (rc < 0) {
    /* A reset or a timeout; close() releases the descriptor (the stack has let go already). */
    serve_conn_free(s, i, 0);
    return 1;
  }
  if (rc == 1 && !c->wr_shut) {
    ltcp_shutdown(s->rt.st, c->fd, LTCP_SHUT_WR);
    c->wr_shut = 1;
    c->linger_until = now + SERVE_LINGER_NS;
  }
  if (c->wr_shut) serve_drain(s, c);
  /* A peer that never ends its stream gets SERVE_LINGER_NS; then the stack has the rest of
   * the conversation (close() resets if its bytes keep coming). */
  if (c->wr_shut && (c->rd_eof || now >= c->linger_until)) {
    serve_conn_free(s, i, 0);
    return 1;
  }
  return 0;
}

/* When the loop must run again for this connection's timeout. */
static ltcp_time_ns serve_conn_deadline(const serve_conn *c) {
  if (c->wr_shut) return c->linger_until;
  return c->http ? c->http->deadline : LTCP_TIME_NEVER;
}

static void serve_step(void *app) {
  serve *s = app;
  ltcp_time_ns now = ltcp_loop_now(s->rt.loop), next = LTCP_TIME_NEVER;
  serve_accept(s);
  for (uint32_t i = 0; i < s->nconns;) { /* bounded by nconns, which only shrinks here */
    if (serve_conn_step(s, i, now)) continue;
    ltcp_time_ns t = serve_conn_deadline(s->conns[i++]);
    if (t < next) next = t;
  }
  if (next != LTCP_TIME_NEVER) ltcp_loop_wake_at(s->rt.loop, next);
}

/* Stops listening and resets what is still open: the peers see ECONNRESET. */
static int serve_signal(void *app, int signo) {
  serve *s = app;
  (void)signo;
  ltcp_close(s->rt.st, s->lfd);
  while (s->nconns > 0) serve_conn_free(s, s->nconns - 1, 1); /* nconns shrinks each turn */
  if (s->refused)
    fprintf(stderr, "lucidtcp serve: %llu connections reset by --max-per-client %u\n",
            (unsigned long long)s->refused, s->max_per_client);
  return RT_EXIT_OK;
}

/* ---- options */

static int serve_parse_service(serve *s, const char *v) {
  if (strcmp(v, "echo") == 0) s->kind = SERVE_ECHO;
  else if (strcmp(v, "discard") == 0) s->kind = SERVE_DISCARD;
  else if (strcmp(v, "chargen") == 0) s->kind = SERVE_CHARGEN;
  else if (strncmp(v, "http:", 5) == 0 && v[5]) {
    struct stat sb;
    s->kind = SERVE_HTTP;
    s->root = v + 5;
    if (stat(s->root, &sb) != 0)
      return rt_usage_error(&s->rt.o, "http:%s: %s", s->root,
                            errno == ENOENT || errno == ENOTDIR ? "no such directory" : strerror(errno));
    if (!S_ISDIR(sb.st_mode)) return rt_usage_error(&s->rt.o, "http:%s: not a directory", s->root);
  } else {
    return rt_usage_error(&s->rt.o, "--service wants echo, discard, chargen or http:DIR, not '%s'",
                          v);
  }
  s->have_service = 1;
  return 1;
}

/* Whole seconds, 1 to SERVE_TIMEOUT_MAX_S. */
static int serve_parse_secs(serve *s, const char *name, const char *v, ltcp_time_ns *out) {
  char *end;
  errno = 0;
  unsigned long x = strtoul(v, &end, 10);
  if (errno || end == v || *end || v[0] == '-' || v[0] == '+' || x < 1 || x > SERVE_TIMEOUT_MAX_S)
    return rt_usage_error(&s->rt.o, "%s wants whole seconds from 1 to %d, not '%s'", name,
                          SERVE_TIMEOUT_MAX_S, v);
  *out = LTCP_SEC(x);
  return 1;
}

static int serve_parse_max_per_client(serve *s, const char *v) {
  char *end;
  errno = 0;
  unsigned long x = strtoul(v, &end, 10);
  if (errno || end == v || *end || v[0] == '-' || v[0] == '+' || x < 1 || x > SERVE_MAX_CONNS)
    return rt_usage_error(&s->rt.o, "--max-per-client wants a count from 1 to %d, not '%s'",
                          SERVE_MAX_CONNS, v);
  s->max_per_client = (uint32_t)x;
  return 1;
}

/* --header-timeout, --idle-timeout and --max-per-client: 1, 0 (none of them) or
 * RT_EXIT_USAGE. */
static int serve_option_limits(serve *s, int argc, char **argv, int *i) {
  const char *v;
  int rc = rt_opts_value(&s->rt.o, argc, argv, i, "--header-timeout", &v);
  if (rc) return rc == 1 ? serve_parse_secs(s, "--header-timeout", v, &s->timeouts.header_ns) : rc;
  rc = rt_opts_value(&s->rt.o, argc, argv, i, "--idle-timeout", &v);
  if (rc) return rc == 1 ? serve_parse_secs(s, "--idle-timeout", v, &s->timeouts.idle_ns) : rc;
  rc = rt_opts_value(&s->rt.o, argc, argv, i, "--max-per-client", &v);
  if (rc) return rc == 1 ? serve_parse_max_per_client(s, v) : rc;
  return 0;
}

static int serve_parse_send(serve *s, const char *v) {
  if (strcmp(v, "zerocopy") == 0) s->send.copy = 0;
  else if (strcmp(v, "copy") == 0) s->send.copy = 1;
  else return rt_usage_error(&s->rt.o, "--send wants zerocopy or copy, not '%s'", v);
  return 1;
}

static int serve_option(void *app, int argc, char **argv, int *i) {
  serve *s = app;
  const char *v;
  int rc = serve_option_limits(s, argc, argv, i);
  if (rc) return rc;
  rc = rt_opts_value(&s->rt.o, argc, argv, i, "--send", &v);
  if (rc) return rc == 1 ? serve_parse_send(s, v) : rc;
  rc = rt_opts_value(&s->rt.o, argc, argv, i, "--port", &v);
  if (rc == 1 && rt_parse_port(v, &s->port) != 0)
    return rt_usage_error(&s->rt.o, "--port wants 1 to 65535, not '%s'", v);
  if (rc) return rc;
  rc = rt_opts_value(&s->rt.o, argc, argv, i, "--service", &v);
  if (rc) return rc == 1 ? serve_parse_service(s, v) : rc;
  if (strcmp(argv[*i], "--follow-symlinks") != 0) return 0;
  s->follow_symlinks = 1;
  return 1;
}

static int serve_check(void *app) {
  serve *s = app;
  if (!s->port) return rt_usage_error(&s->rt.o, "--port N is required");
  if (!s->have_service) return rt_usage_error(&s->rt.o, "--service is required");
  /* The defaults for what was not given (no option gives 0). */
  if (!s->max_per_client) s->max_per_client = SERVE_MAX_PER_CLIENT;
  if (!s->timeouts.header_ns) s->timeouts.header_ns = LTCP_SEC(SERVE_HEADER_TIMEOUT_S);
  if (!s->timeouts.idle_ns) s->timeouts.idle_ns = LTCP_SEC(SERVE_IDLE_TIMEOUT_S);
  if (s->kind == SERVE_HTTP && http_site_init(&s->site, s->root, s->follow_symlinks) != 0)
    return rt_usage_error(&s->rt.o, "http:%s: %s", s->root, strerror(errno));
  return 0;
}

static const char *serve_kind_name(const serve *s) {
  static const char *const names[] = {"echo", "discard", "chargen", "http"};
  return names[s->kind];
}

/* After the device and the stack are up: the listening socket. */
static int serve_open(void *app) {
  serve *s = app;
  ltcp_stack *st = s->rt.st;
  serve_chargen_init(s);
  s->lfd = ltcp_socket(st);
  ltcp_endpoint ep = {0, s->port};
  if (s->lfd < 0 || ltcp_bind(st, s->lfd, &ep) != 0 ||
      ltcp_listen(st, s->lfd, SERVE_BACKLOG) != 0) {
    char e[96];
    rt_error(&s->rt, "cannot listen on port %u: %s", s->port, rt_errtext(errno, e, sizeof e));
    return RT_EXIT_FAIL;
  }
  char a[24] = "", a6[LTCP_ENDPOINT_STRLEN + 8] = "";
  ltcp_endpoint e = {.addr = s->rt.o.addr, .port = s->port};
  if (s->rt.o.have_addr) ltcp_endpoint_format(&e, a);
  if (s->rt.o.have_addr6) {
    e.family = LTCP_AF_INET6;
    memcpy(e.addr6, s->rt.o.addr6, 16);
    snprintf(a6, sizeof a6, "%s", s->rt.o.have_addr ? " and " : "");
    ltcp_endpoint_format(&e, a6 + strlen(a6));
  }
  fprintf(stderr, "lucidtcp serve: %s on %s%s via %s%s%s\n", serve_kind_name(s), a, a6,
          s->rt.tun.name,
          s->kind == SERVE_HTTP ? ", files from " : "", s->kind == SERVE_HTTP ? s->root : "");
  return 0;
}

/* --trace, after the stack is freed (every lent piece released by then): how the file
 * service sent its bodies, and that every mapping was unmapped. */
static void serve_trace_files(const serve *s) {
  const http_send *f = &s->send;
  if (!s->rt.o.trace || s->kind != SERVE_HTTP || f->mapped + f->read == 0) return;
  char who[48] = "";
  if (s->rt.nshards > 1) snprintf(who, sizeof who, " shard %d:", s->rt.shard);
  fprintf(stderr, "lucidtcp serve:%s files: %llu bodies lent from a mapping (%llu pieces, %llu "
          "copied when lending was refused), %llu read and copied; %llu of %llu mappings "
          "unmapped; %llu cut short (the file shrank)\n", who, (unsigned long long)f->mapped,
          (unsigned long long)f->pieces_lent, (unsigned long long)f->pieces_copied,
          (unsigned long long)f->read, (unsigned long long)f->unmapped,
          (unsigned long long)f->mapped, (unsigned long long)f->shrunk);
}

/* Last, the stack gone: the connections left after a failure (a signal has freed them). */
static void serve_release(void *app) {
  serve *s = app;
  for (uint32_t i = 0; i < s->nconns; i++) serve_conn_release(s->conns[i]);
  s->nconns = 0;
  serve_trace_files(s);
}

const rt_command serve_command = {
    .name = "serve",
    .usage = serve_usage_text,
    .size = sizeof(serve),
    .option = serve_option,
    .check = serve_check,
    .open = serve_open,
    .step = serve_step,
    .signal = serve_signal,
    .release = serve_release,
    .threads = 1,
};
