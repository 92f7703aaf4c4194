/* An echo server (RFC 862) on a TUN device, driven by lucidtcp's real-time loop (loop.h): the
 * loop reads packets, runs timers and writes what the stack sends; this program only services
 * its sockets, in the loop's step hook. Ctrl-C stops it.
 *
 *   ip tuntap add dev tun0 mode tun && ip addr add 198.18.0.1/24 dev tun0 && ip link set tun0 up
 *   ./tun_echo tun0 198.18.0.2 7 &
 *   echo hello | nc -q 1 198.18.0.2 7
 *
 * It needs CAP_NET_ADMIN (root) to attach to the device; do it in a network namespace
 * (`ip netns add ...`) to leave your network alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lucidtcp/loop.h>
#include <lucidtcp/lucidtcp.h>
#include <lucidtcp/tun.h>

#define MAX_CONNS 64

typedef struct conn {
  int fd; /* -1: a free slot */
  char buf[16384];
  size_t len; /* bytes read and not yet echoed */
  int eof;    /* the client sent its FIN */
} conn;

typedef struct server {
  ltcp_stack *st;
  int lfd;
  conn conns[MAX_CONNS];
} server;

static void server_accept(server *s) {
  for (int i = 0; i < MAX_CONNS; i++) {
    if (s->conns[i].fd >= 0) continue;
    ltcp_endpoint peer;
    int fd = ltcp_accept(s->st, s->lfd, &peer);
    if (fd < 0) return; /* EAGAIN: no one waiting */
    char addr[16];
    fprintf(stderr, "tun_echo: connection from %s:%u\n", ltcp_ipv4_format(peer.addr, addr),
            peer.port);
    s->conns[i] = (conn){.fd = fd};
  }
}

/* Reads what fits, sends what the send buffer takes; closes after the client's FIN once
 * everything is echoed. Both calls return -1 with EAGAIN when they must wait for the peer. */
static void conn_service(server *s, conn *c) {
  if (!c->eof && c->len < sizeof c->buf) {
    ssize_t n = ltcp_recv(s->st, c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
    if (n > 0) c->len += (size_t)n;
    else if (n == 0) c->eof = 1;
    else if (errno != EAGAIN) c->eof = 1, c->len = 0; /* reset or timed out: give up */
  }
  if (c->len > 0) {
    ssize_t n = ltcp_send(s->st, c->fd, c->buf, c->len, 0);
    if (n > 0) {
      memmove(c->buf, c->buf + n, c->len - (size_t)n);
      c->len -= (size_t)n;
    } else if (errno != EAGAIN) {
      c->eof = 1, c->len = 0;
    }
  }
  if (c->eof && c->len == 0) {
    ltcp_close(s->st, c->fd); /* a FIN after the echoed bytes; the stack finishes the close */
    c->fd = -1;
  }
}

/* The step hook: after every turn's input and timers, any socket call may be made. */
static void server_step(void *ctx, ltcp_loop *loop) {
  server *s = ctx;
  (void)loop;
  server_accept(s);
  for (int i = 0; i < MAX_CONNS; i++)
    if (s->conns[i].fd >= 0) conn_service(s, &s->conns[i]);
}

static int listen_on(server *s, uint32_t addr, uint16_t port) {
  ltcp_endpoint local = {.addr = addr, .port = port};
  s->lfd = ltcp_socket(s->st);
  if (s->lfd < 0 || ltcp_bind(s->st, s->lfd, &local) != 0 || ltcp_listen(s->st, s->lfd, 16) != 0)
    return -1;
  return 0;
}

static int run(ltcp_tun *tun, uint32_t addr, uint16_t port) {
  static server s; /* 1 MiB of connection buffers: not on the stack */
  for (int i = 0; i < MAX_CONNS; i++) s.conns[i].fd = -1;
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.mtu = (uint16_t)tun->mtu;
  cfg.seed = ltcp_loop_random_seed(); /* on a real network, ISNs must not be guessable */
  s.st = ltcp_stack_new(&cfg);
  if (!s.st || listen_on(&s, addr, port) != 0) {
    fprintf(stderr, "tun_echo: cannot listen on port %u: %s\n", port, strerror(errno));
    return 1;
  }
  ltcp_loop_config lc = {.st = s.st, .tun = tun, .hooks = {.step = server_step, .ctx = &s}};
  int err;
  ltcp_loop *loop = ltcp_loop_new(&lc, &err);
  if (!loop) {
    fprintf(stderr, "tun_echo: cannot start the loop: %s\n", ltcp_strerror(err));
    ltcp_stack_free(s.st);
    return 1;
  }
  char text[16];
  fprintf(stderr, "tun_echo: echo on %s:%u via %s\n", ltcp_ipv4_format(addr, text), port,
          tun->name);
  int status = ltcp_loop_run(loop); /* until SIGINT or SIGTERM: 128 + the signal */
  ltcp_stack_free(s.st);
  ltcp_loop_free(loop);
  return status == 128 + 2 || status == 128 + 15 ? 0 : status;
}

int main(int argc, char **argv) {
  uint32_t addr;
  if (argc < 3 || ltcp_ipv4_parse_text(argv[2], &addr) != 0) {
    fprintf(stderr, "usage: tun_echo DEVICE ADDRESS [PORT]   (e.g. tun_echo tun0 198.18.0.2 7)\n");
    return 2;
  }
  uint16_t port = (uint16_t)(argc > 3 ? atoi(argv[3]) : 7);
  ltcp_tun tun;
  int sys_errno;
  ltcp_tun_error te = ltcp_tun_open(&tun, argv[1], &sys_errno);
  if (te != LTCP_TUN_OK) {
    char msg[320];
    fprintf(stderr, "tun_echo: %s\n", ltcp_tun_strerror(te, sys_errno, argv[1], msg, sizeof msg));
    return 1;
  }
  int rc = run(&tun, addr, port);
  ltcp_tun_close(&tun);
  return rc;
}
