/* lucidtcp serve: a server on the user-space stack, reached through a TUN device. */
#include "serve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http.h"
#include "net.h"

#define SERVE_MAX_CONNS 512
#define SERVE_BACKLOG 128
#define SERVE_BUF 16384
#define SERVE_CHARGEN_LINE 72 /* RFC 864: 72 characters and CR LF */

typedef enum serve_kind { SERVE_ECHO, SERVE_DISCARD, SERVE_CHARGEN, SERVE_HTTP } serve_kind;

typedef struct serve_conn {
  int fd;
  ltcp_endpoint peer;
  int wr_shut;  /* our FIN is queued */
  int rd_eof;   /* the peer's stream ended */
  size_t len, off;           /* echo: bytes received and not yet sent back */
  uint64_t chargen_pos;
  uint8_t buf[SERVE_BUF];
  http_server_conn *http;
} serve_conn;

typedef struct serve {
  net_ctx net;
  serve_kind kind;
  const char *root;
  uint16_t port;
  int lfd;
  serve_conn *conns[SERVE_MAX_CONNS];
  uint32_t nconns;
  uint8_t chargen[95 * (SERVE_CHARGEN_LINE + 2)]; /* one full cycle of RFC 864's pattern */
} serve;

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
    "              keep-alive; a directory gives its index.html\n"
    "\n"
    "options:\n"
    "  --tun DEV          attach to TUN device DEV, creating it when it does not exist\n"
    "  --addr ADDR/PREFIX lucidtcp's own IPv4 address on the link (e.g. 198.18.0.2/24)\n"
    "  --port N           the port to listen on\n"
    "  --service S        echo, discard, chargen or http:DIR\n"
    "  --trace            print each state change on stderr as it happens, as the demo does\n"
    "  --pcap FILE        write every packet in and out to FILE (pcap) for tshark/wireshark\n"
    "  --msl SECONDS      maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30)\n"
    "  --impair SPEC      inject faults on the link, as netem would: e.g.\n"
    "                     delay=10ms,jitter=2ms,loss=5%,reorder=10%,duplicate=1%,corrupt=0.5%\n"
    "  --offload          TUN offloads (IFF_VNET_HDR, TUN_F_CSUM | TUN_F_TSO4): packets of up\n"
    "                     to 64 KB both ways, cut into segments by the kernel (default: off,\n"
    "                     one segment per packet)\n"
    "  --busy-poll US     when nothing is ready, poll for up to US microseconds before\n"
    "                     sleeping: no wake-ups while packets keep coming, for a busy core\n"
    "                     (default 0: sleep at once)\n"
    "\n"
    "It runs until SIGINT or SIGTERM: then it stops listening, resets the connections still\n"
    "open (their peers see ECONNRESET) and exits with status 0.\n"
    "exit status: 0 after a signal, 1 when the device, the stack or the capture cannot be\n"
    "set up, 2 for a bad option.\n";

const char *serve_usage(void) { return serve_usage_text; }

/* ---- services */

static void serve_chargen_init(serve *s) {
  uint8_t *p = s->chargen;
  for (int line = 0; line < 95; line++) {
    for (int i = 0; i < SERVE_CHARGEN_LINE; i++) *p++ = (uint8_t)(' ' + (line + i) % 95);
    *p++ = '\r';
    *p++ = '\n';
  }
}

/* Reads and drops what is there. */
static void serve_drain(serve *s, serve_conn *c) {
  for (int i = 0; i < 64 && !c->rd_eof; i++) {
    ssize_t n = ltcp_recv(s->net.st, c->fd, c->buf, sizeof c->buf, 0);
    if (n == 0) c->rd_eof = 1;
    if (n <= 0) return;
  }
}

/* Each returns 0 while it has more to send, 1 when done sending, -1 on error. */
static int serve_echo(serve *s, serve_conn *c) {
  for (int i = 0; i < 64; i++) {
    if (c->off < c->len) {
      ssize_t n = ltcp_send(s->net.st, c->fd, c->buf + c->off, c->len - c->off, 0);
      if (n < 0) return errno == EAGAIN ? 0 : -1;
      c->off += (size_t)n;
      continue;
    }
    if (c->rd_eof) return 1;
    ssize_t n = ltcp_recv(s->net.st, c->fd, c->buf, sizeof c->buf, 0);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (n == 0) c->rd_eof = 1;
    c->len = (size_t)n;
    c->off = 0;
  }
  return 0;
}

static int serve_chargen(serve *s, serve_conn *c) {
  serve_drain(s, c);
  if (c->rd_eof) return 1;
  for (int i = 0; i < 64; i++) {
    size_t off = (size_t)(c->chargen_pos % sizeof s->chargen);
    ssize_t n = ltcp_send(s->net.st, c->fd, s->chargen + off, sizeof s->chargen - off, 0);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    c->chargen_pos += (uint64_t)n;
  }
  return 0;
}

static int serve_service(serve *s, serve_conn *c) {
  switch (s->kind) {
    case SERVE_ECHO: return serve_echo(s, c);
    case SERVE_DISCARD: serve_drain(s, c); return c->rd_eof;
    case SERVE_CHARGEN: return serve_chargen(s, c);
    default: return http_server_step(c->http, s->net.st, c->fd);
  }
}

/* ---- connections */

static void serve_conn_free(serve *s, uint32_t i, int abort) {
  serve_conn *c = s->conns[i];
  if (abort) ltcp_abort(s->net.st, c->fd);
  else ltcp_close(s->net.st, c->fd);
  if (c->http) {
    http_server_free(c->http);
    free(c->http);
  }
  free(c);
  s->conns[i] = s->conns[--s->nconns];
}

static void serve_accept(serve *s) {
  for (int i = 0; i < SERVE_BACKLOG; i++) {
    ltcp_endpoint peer;
    if (s->nconns == SERVE_MAX_CONNS) return; /* the rest wait in the backlog */
    int fd = ltcp_accept(s->net.st, s->lfd, &peer);
    if (fd < 0) return;
    serve_conn *c = calloc(1, sizeof *c);
    if (c && s->kind == SERVE_HTTP && (c->http = malloc(sizeof *c->http)) != NULL)
      http_server_init(c->http, s->root, &peer, stderr);
    if (!c || (s->kind == SERVE_HTTP && !c->http)) {
      free(c);
      ltcp_abort(s->net.st, fd);
      continue;
    }
    c->fd = fd;
    c->peer = peer;
    s->conns[s->nconns++] = c;
  }
}

/* Moves one connection on; 1 when it is finished (and released). */
static int serve_conn_step(serve *s, uint32_t i) {
  serve_conn *c = s->conns[i];
  int rc = c->wr_shut ? 1 : serve_service(s, c);
  if (rc < 0) {
    /* A reset or a timeout; close() releases the descriptor (the stack has let go already). */
    serve_conn_free(s, i, 0);
    return 1;
  }
  if (rc == 1 && !c->wr_shut) {
    ltcp_shutdown(s->net.st, c->fd, LTCP_SHUT_WR);
    c->wr_shut = 1;
  }
  if (c->wr_shut) serve_drain(s, c);
  if (c->wr_shut && c->rd_eof) {
    serve_conn_free(s, i, 0);
    return 1;
  }
  return 0;
}

static void serve_step(void *ctx, ltcp_loop *loop) {
  serve *s = ctx;
  (void)loop;
  serve_accept(s);
  for (uint32_t i = 0; i < s->nconns;) /* bounded by nconns, which only shrinks here */
    if (!serve_conn_step(s, i)) i++;
}

static void serve_event(void *ctx, ltcp_loop *loop, const ltcp_event *ev) {
  serve *s = ctx;
  (void)loop;
  net_trace_event(&s->net, ev);
}

static void serve_signal(void *ctx, ltcp_loop *loop, int signo) {
  serve *s = ctx;
  (void)signo;
  ltcp_close(s->net.st, s->lfd);
  while (s->nconns > 0) serve_conn_free(s, s->nconns - 1, 1);
  ltcp_loop_stop(loop, 0);
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
    if (stat(s->root, &sb) != 0 || !S_ISDIR(sb.st_mode))
      return net_usage_error("serve", NET_EXIT_USAGE, "http:%s: not a directory", s->root);
  } else {
    return net_usage_error("serve", NET_EXIT_USAGE,
                           "--service wants echo, discard, chargen or http:DIR, not '%s'", v);
  }
  return 0;
}

static int serve_parse(serve *s, net_opts *o, int argc, char **argv) {
  int have_service = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int rc = net_parse_option(o, argc, argv, &i);
    if (rc == NET_EXIT_USAGE) return rc;
    if (rc == 1) continue;
    const char *v = NULL;
    int is_port = strcmp(a, "--port") == 0, is_service = strcmp(a, "--service") == 0;
    if (is_port || is_service) {
      if (i + 1 >= argc)
        return net_usage_error("serve", NET_EXIT_USAGE, "option %s needs a value", a);
      v = argv[++i];
    } else if (strncmp(a, "--port=", 7) == 0) {
      is_port = 1, v = a + 7;
    } else if (strncmp(a, "--service=", 10) == 0) {
      is_service = 1, v = a + 10;
    } else {
      return net_usage_error("serve", NET_EXIT_USAGE, "unknown option '%s'", a);
    }
    if (is_port && net_parse_port(v, &s->port) != 0)
      return net_usage_error("serve", NET_EXIT_USAGE, "--port wants 1 to 65535, not '%s'", v);
    if (is_service && (rc = serve_parse_service(s, v)) != 0) return rc;
    have_service |= is_service;
  }
  int rc = net_check_options(o);
  if (rc) return rc;
  if (!s->port) return net_usage_error("serve", NET_EXIT_USAGE, "--port N is required");
  if (!have_service) return net_usage_error("serve", NET_EXIT_USAGE, "--service is required");
  return 0;
}

static const char *serve_kind_name(const serve *s) {
  static const char *const names[] = {"echo", "discard", "chargen", "http"};
  return names[s->kind];
}

static int serve_listen(serve *s) {
  ltcp_stack *st = s->net.st;
  s->lfd = ltcp_socket(st);
  ltcp_endpoint ep = {0, s->port};
  if (s->lfd < 0 || ltcp_bind(st, s->lfd, &ep) != 0 ||
      ltcp_listen(st, s->lfd, SERVE_BACKLOG) != 0) {
    char e[96];
    net_error(&s->net.o, "cannot listen on port %u: %s", s->port, net_errtext(errno, e, sizeof e));
    return 1;
  }
  char a[16];
  fprintf(stderr, "lucidtcp serve: %s on %s:%u via %s%s%s\n", serve_kind_name(s),
          ltcp_ipv4_format(s->net.o.addr, a), s->port, s->net.tun.name,
          s->kind == SERVE_HTTP ? ", files from " : "", s->kind == SERVE_HTTP ? s->root : "");
  return 0;
}

int serve_main(int argc, char **argv) {
  serve *s = calloc(1, sizeof *s);
  if (!s) return 1;
  net_opts o;
  net_opts_default(&o, "serve");
  int rc = serve_parse(s, &o, argc, argv);
  if (rc) {
    free(s);
    return rc;
  }
  serve_chargen_init(s);
  ltcp_loop_hooks hooks = {.step = serve_step, .event = serve_event, .signal = serve_signal,
                           .ctx = s};
  if (net_open(&s->net, &o, &hooks) != 0) {
    free(s);
    return 1;
  }
  rc = serve_listen(s) ? 1 : 0;
  if (rc) ltcp_loop_stop(s->net.loop, 1);
  rc = net_run(&s->net);
  for (uint32_t i = 0; i < s->nconns; i++) { /* after a failure only: the signal freed them */
    if (s->conns[i]->http) http_server_free(s->conns[i]->http);
    free(s->conns[i]->http);
    free(s->conns[i]);
  }
  free(s);
  return rc;
}
