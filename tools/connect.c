/* lucidtcp connect: like nc, standard input to a connection and the connection to standard
 * output, with a half-close when standard input ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "serve.h"

#define CONNECT_BUF 65536

typedef struct conn_app {
  net_ctx net;
  ltcp_endpoint remote;
  uint16_t local_port;
  int fd;
  int connected, stdin_eof, shut_sent, peer_eof, closed;
  int stdin_watched, stdout_watched;
  int stdin_tty;             /* standard input is a terminal */
  uint8_t in[CONNECT_BUF];   /* from standard input, not yet in the send buffer */
  size_t in_len, in_off;
  uint8_t out[CONNECT_BUF];  /* from the connection, not yet written to standard output */
  size_t out_len, out_off;
} conn_app;

static const char connect_usage_text[] =
    "usage: lucidtcp connect --tun DEV --addr ADDR/PREFIX [options] HOST PORT\n"
    "\n"
    "Connects to HOST:PORT with lucidtcp's stack through the TUN device DEV, like nc: standard\n"
    "input goes to the connection and the connection to standard output. When standard input\n"
    "ends, lucidtcp shuts down its sending direction (a FIN) and keeps reading. It exits once\n"
    "both directions are finished: the peer's stream has ended and standard input too (on a\n"
    "terminal, the peer's end is enough), after TIME-WAIT when it closed first (2*MSL: --msl\n"
    "shortens it, a signal ends it at once).\n"
    "\n"
    "options:\n"
    "  --tun DEV          attach to TUN device DEV, creating it when it does not exist\n"
    "  --addr ADDR/PREFIX lucidtcp's own IPv4 address on the link (e.g. 198.18.0.2/24);\n"
    "                     HOST must be on that link\n"
    "  --local-port N     connect from port N (default: an ephemeral port)\n"
    "  --trace            print each state change on stderr as it happens, as the demo does\n"
    "  --pcap FILE        write every packet in and out to FILE (pcap) for tshark/wireshark\n"
    "  --msl SECONDS      maximum segment lifetime; TIME-WAIT lasts 2*MSL (default 30)\n"
    "  --impair SPEC      inject faults on the link, as netem would (see lucidtcp help serve)\n"
    "  --offload          TUN offloads (IFF_VNET_HDR, TUN_F_CSUM | TUN_F_TSO4): packets of up\n"
    "                     to 64 KB both ways, cut into segments by the kernel (default: off,\n"
    "                     one segment per packet)\n"
    "  --busy-poll US     when nothing is ready, poll for up to US microseconds before\n"
    "                     sleeping: no wake-ups while packets keep coming, for a busy core\n"
    "                     (default 0: sleep at once)\n"
    "\n"
    "On SIGINT or SIGTERM the connection is reset (the peer sees ECONNRESET).\n"
    "exit status: 0 when both directions finished in order, 1 when the connection failed\n"
    "(refused, reset, timed out) or the device cannot be set up, 2 for a bad option,\n"
    "130 or 143 after SIGINT or SIGTERM.\n";

const char *connect_usage(void) { return connect_usage_text; }

static void conn_fail(conn_app *c, const char *what, int err) {
  char a[16], e[96];
  net_error(&c->net.o, "%s %s:%u: %s", what, ltcp_ipv4_format(c->remote.addr, a), c->remote.port,
            net_errtext(err, e, sizeof e));
  if (!c->closed) ltcp_abort(c->net.st, c->fd);
  c->closed = 1;
  ltcp_loop_stop(c->net.loop, 1);
}

static void conn_watch(conn_app *c, int fd, int *watched, int want) {
  if (*watched == want) return;
  *watched = want;
  ltcp_loop_watch(c->net.loop, fd, want ? (fd == STDIN_FILENO ? LTCP_LOOP_IN : LTCP_LOOP_OUT) : 0);
}

static void conn_read_stdin(conn_app *c) {
  if (c->in_off < c->in_len || c->stdin_eof) return;
  ssize_t n = read(STDIN_FILENO, c->in, sizeof c->in);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    if (n < 0) net_error(&c->net.o, "reading standard input: %s", strerror(errno));
    c->stdin_eof = 1;
    return;
  }
  c->in_len = (size_t)n;
  c->in_off = 0;
}

/* 0, or -1 when standard output is gone. */
static int conn_write_stdout(conn_app *c) {
  while (c->out_off < c->out_len) { /* bounded: each pass writes at least one byte or returns */
    ssize_t n = write(STDOUT_FILENO, c->out + c->out_off, c->out_len - c->out_off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      conn_watch(c, STDOUT_FILENO, &c->stdout_watched, 1);
      return 0;
    }
    if (n <= 0) {
      net_error(&c->net.o, "writing standard output: %s", strerror(errno));
      return -1;
    }
    c->out_off += (size_t)n;
  }
  conn_watch(c, STDOUT_FILENO, &c->stdout_watched, 0);
  return 0;
}

/* Standard input into the send buffer; the FIN once it has ended. 0 or a negative error. */
static int conn_send(conn_app *c) {
  for (int i = 0; i < 64 && !c->shut_sent; i++) {
    if (c->in_off < c->in_len) {
      ssize_t n = ltcp_send(c->net.st, c->fd, c->in + c->in_off, c->in_len - c->in_off, 0);
      if (n < 0) return errno == EAGAIN ? 0 : -errno;
      c->in_off += (size_t)n;
      continue;
    }
    if (c->stdin_eof) {
      ltcp_shutdown(c->net.st, c->fd, LTCP_SHUT_WR);
      c->shut_sent = 1;
    }
    break; /* standard input is read when the loop says it is ready, never here */
  }
  return 0;
}

/* The connection to standard output. 0 or a negative error. */
static int conn_recv(conn_app *c) {
  for (int i = 0; i < 64 && !c->peer_eof; i++) {
    if (c->out_off < c->out_len) return 0; /* standard output is slow: the window closes */
    ssize_t n = ltcp_recv(c->net.st, c->fd, c->out, sizeof c->out, 0);
    if (n < 0) return errno == EAGAIN ? 0 : -errno;
    if (n == 0) {
      c->peer_eof = 1;
      break;
    }
    c->out_len = (size_t)n;
    c->out_off = 0;
    if (conn_write_stdout(c) < 0) return LTCP_EPIPE;
  }
  return 0;
}

static void conn_step(void *ctx, ltcp_loop *loop) {
  conn_app *c = ctx;
  if (c->closed) {
    /* Our side is done; stay while the stack still has the connection (TIME-WAIT, LAST-ACK). */
    if (ltcp_stack_connection_count(c->net.st) == 0) ltcp_loop_stop(loop, 0);
    return;
  }
  ltcp_pollfd p = {c->fd, LTCP_POLLOUT | LTCP_POLLIN, 0};
  ltcp_poll(c->net.st, &p, 1);
  if (p.revents & LTCP_POLLERR) {
    int err = ltcp_socket_error(c->net.st, c->fd);
    conn_fail(c, c->connected ? "connection to" : "connect to", err);
    return;
  }
  if (!c->connected && !(p.revents & (LTCP_POLLOUT | LTCP_POLLIN))) return;
  c->connected = 1;
  int err = conn_send(c);
  if (!err) err = conn_recv(c);
  if (err == LTCP_EPIPE && c->peer_eof) err = 0; /* stdout gone after the end: nothing lost */
  if (err) {
    conn_fail(c, "connection to", err == LTCP_EPIPE && !c->shut_sent ? EPIPE : -err);
    return;
  }
  /* Typing at a terminal, there is nobody to talk to once the peer has closed: end as nc does.
   * From a pipe or a file, standard input is sent to its end (the half-close). */
  if (c->peer_eof && !c->stdin_eof && c->stdin_tty) {
    c->stdin_eof = 1;
    c->in_off = c->in_len;
    if (!c->shut_sent) ltcp_shutdown(c->net.st, c->fd, LTCP_SHUT_WR);
    c->shut_sent = 1;
  }
  conn_watch(c, STDIN_FILENO, &c->stdin_watched,
             !c->stdin_eof && c->in_off >= c->in_len && !c->shut_sent);
  if (c->peer_eof && c->shut_sent && c->out_off >= c->out_len) {
    ltcp_close(c->net.st, c->fd);
    c->closed = 1;
    conn_watch(c, STDIN_FILENO, &c->stdin_watched, 0);
    if (ltcp_stack_connection_count(c->net.st) == 0) ltcp_loop_stop(loop, 0);
  }
}

static void conn_fd_ready(void *ctx, ltcp_loop *loop, int fd, uint32_t ready) {
  conn_app *c = ctx;
  (void)loop;
  (void)ready;
  if (fd == STDIN_FILENO) conn_read_stdin(c);
  else if (fd == STDOUT_FILENO && conn_write_stdout(c) < 0) conn_fail(c, "connection to", EPIPE);
}

static void conn_event(void *ctx, ltcp_loop *loop, const ltcp_event *ev) {
  conn_app *c = ctx;
  (void)loop;
  net_trace_event(&c->net, ev);
}

static void conn_signal(void *ctx, ltcp_loop *loop, int signo) {
  conn_app *c = ctx;
  if (!c->closed) ltcp_abort(c->net.st, c->fd);
  ltcp_loop_stop(loop, c->closed ? 0 : 128 + signo);
  c->closed = 1;
}

static int conn_parse(conn_app *c, net_opts *o, int argc, char **argv) {
  const char *pos[2];
  int npos = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int rc = net_parse_option(o, argc, argv, &i);
    if (rc == NET_EXIT_USAGE) return rc;
    if (rc == 1) continue;
    if (strcmp(a, "--local-port") == 0 || strncmp(a, "--local-port=", 13) == 0) {
      const char *v = a[12] == '=' ? a + 13 : i + 1 < argc ? argv[++i] : NULL;
      if (!v)
        return net_usage_error("connect", NET_EXIT_USAGE, "option --local-port needs a value");
      if (net_parse_port(v, &c->local_port) != 0)
        return net_usage_error("connect", NET_EXIT_USAGE,
                               "--local-port wants 1 to 65535, not '%s'", v);
    } else if (a[0] == '-' && a[1] != '\0') {
      return net_usage_error("connect", NET_EXIT_USAGE, "unknown option '%s'", a);
    } else if (npos < 2) {
      pos[npos++] = a;
    } else {
      return net_usage_error("connect", NET_EXIT_USAGE, "unexpected argument '%s'", a);
    }
  }
  int rc = net_check_options(o);
  if (rc) return rc;
  if (npos != 2) return net_usage_error("connect", NET_EXIT_USAGE, "wants HOST and PORT");
  if (ltcp_ipv4_parse_text(pos[0], &c->remote.addr) != 0)
    return net_usage_error("connect", NET_EXIT_USAGE, "HOST wants an IPv4 address, not '%s'",
                           pos[0]);
  if (net_parse_port(pos[1], &c->remote.port) != 0)
    return net_usage_error("connect", NET_EXIT_USAGE, "PORT wants 1 to 65535, not '%s'", pos[1]);
  if (!net_on_link(o, c->remote.addr) || c->remote.addr == o->addr)
    return net_usage_error("connect", NET_EXIT_USAGE,
                           "%s is not another host on lucidtcp's link (--addr): lucidtcp has no "
                           "routes beyond it", pos[0]);
  return 0;
}

/* socket, bind, connect: 0, or 1 after a message. */
static int conn_open(conn_app *c) {
  ltcp_stack *st = c->net.st;
  char e[96];
  c->fd = ltcp_socket(st);
  if (c->fd < 0) return 1;
  if (c->local_port) {
    ltcp_endpoint ep = {0, c->local_port};
    if (ltcp_bind(st, c->fd, &ep) != 0) {
      net_error(&c->net.o, "cannot bind port %u: %s", c->local_port,
                net_errtext(errno, e, sizeof e));
      return 1;
    }
  }
  if (ltcp_connect(st, c->fd, &c->remote) != 0 && errno != EINPROGRESS) {
    net_error(&c->net.o, "connect: %s", net_errtext(errno, e, sizeof e));
    return 1;
  }
  return 0;
}

int connect_main(int argc, char **argv) {
  conn_app *c = calloc(1, sizeof *c);
  if (!c) return 1;
  net_opts o;
  net_opts_default(&o, "connect");
  int rc = conn_parse(c, &o, argc, argv);
  if (rc) {
    free(c);
    return rc;
  }
  ltcp_loop_hooks hooks = {.step = conn_step, .event = conn_event, .fd_ready = conn_fd_ready,
                           .signal = conn_signal, .ctx = c};
  if (net_open(&c->net, &o, &hooks) != 0) {
    free(c);
    return 1;
  }
  c->stdin_tty = isatty(STDIN_FILENO);
  net_fd_nonblock(STDIN_FILENO);
  net_fd_nonblock(STDOUT_FILENO);
  if (conn_open(c) != 0) ltcp_loop_stop(c->net.loop, 1);
  rc = net_run(&c->net);
  free(c);
  return rc;
}
