/* lucidtcp connect: like nc, standard input to a connection and the connection to standard
 * output, with a half-close when standard input ends. */
#define _GNU_SOURCE
#include "rt/connect.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt/client.h"
#include "rt/hosts.h"

#define CONNECT_BUF 65536
#define CONNECT_SECS_MAX 86400.0 /* -w and -q: a day */

typedef struct conn_app {
  rt_ctx rt;                 /* first: the skeleton's part */
  rt_client cl;
  const char *pos[2];        /* HOST and PORT as given */
  int npos;
  int stdin_eof, shut_sent, peer_eof;
  int stdin_watched, stdout_watched;
  int stdin_tty;             /* standard input is a terminal */
  ltcp_time_ns idle_ns;      /* -w: 0, or the connect and idle timeout */
  int quit;                  /* -q given with SECS >= 0 */
  ltcp_time_ns quit_ns;      /* -q: how long after standard input's end */
  ltcp_time_ns active_at;    /* the last time bytes moved, either way (for -w) */
  ltcp_time_ns eof_at;       /* when standard input ended (for -q) */
  uint8_t in[CONNECT_BUF];   /* from standard input, not yet in the send buffer */
  size_t in_len, in_off;
  uint8_t out[CONNECT_BUF];  /* from the connection, not yet written to standard output */
  size_t out_len, out_off;
} conn_app;
_Static_assert(offsetof(conn_app, rt) == 0, "rt_main finds its rt_ctx at the start");

static const char connect_usage_text[] =
    "usage: lucidtcp connect --tun DEV --addr ADDR/PREFIX [options] HOST PORT\n"
    "\n"
    "Connects to HOST:PORT with lucidtcp's stack through the TUN device DEV, like nc: standard\n"
    "input goes to the connection and the connection to standard output. On standard error it\n"
    "says 'connected to HOST:PORT from ADDR:PORT' once the handshake completes, or why it\n"
    "cannot connect (refused, timed out). HOST is an IPv4 address or a name from /etc/hosts\n"
    "(LTCP_HOSTS_FILE names another file; there is no DNS). When standard input ends, lucidtcp\n"
    "shuts down its sending direction (a FIN) and keeps reading. It exits once both\n"
    "directions are finished: the peer's stream has ended and standard input too (on a\n"
    "terminal, the peer's end is enough).\n"
    "\n"
    "TIME-WAIT: when lucidtcp closed first, it exits right after sending the last ACK instead of\n"
    "holding TIME-WAIT for 2*MSL: the kernel keeps TIME-WAIT for a closed socket after its\n"
    "process is gone, but lucidtcp's stack ends with the process. So a peer whose FIN must be\n"
    "sent again (the last ACK lost) gets no answer and times out, and a new connection is kept\n"
    "from old duplicates by a new ephemeral port and ISN rather than by the wait. --time-wait\n"
    "keeps RFC 9293's wait (2*MSL; --msl shortens it, a signal ends it at once). When the peer\n"
    "closed first, lucidtcp waits for the ACK of its own FIN (LAST-ACK) and has no TIME-WAIT.\n"
    "\n"
    "options:\n"
    RT_HELP_TUN
    "  --addr ADDR/PREFIX lucidtcp's own address on the link, IPv4 (198.18.0.2/24) or IPv6\n"
    "                     (2001:db8::2/64); give both for both families\n"
    RT_HELP_ROUTES
    "  -w SECS            give up when the connection is not established within SECS, or when\n"
    "                     nothing was sent or received for SECS (reset it; exit status 1)\n"
    "  -q SECS            after standard input ends, wait SECS more for the peer, then quit\n"
    "                     (reset the connection if the peer has not finished; exit status 0).\n"
    "                     0 quits at once, a negative SECS waits for the peer (the default).\n"
    "                     Never before the peer has acknowledged all that was sent: a\n"
    "                     user-space stack cannot deliver it after the process is gone\n"
    "  --local-port N     connect from port N (default: an ephemeral port)\n"
    RT_HELP_TIME_WAIT
    RT_HELP_TRACE_PCAP_MSL
    RT_HELP_CONTROL
    RT_HELP_IMPAIR_SEE_SERVE
    RT_HELP_OFFLOAD_BUSY_POLL
    "\n"
    "On SIGINT or SIGTERM the connection is reset (the peer sees ECONNRESET).\n"
    "exit status: 0 when both directions finished in order (or -q quit), 1 when the connection\n"
    "failed (refused, reset, timed out, idle for -w's SECS) or the device cannot be set up, 2\n"
    "for a bad option or a HOST that is neither an address nor in the hosts file, 130 or 143\n"
    "after SIGINT or SIGTERM. (nc exits 0 after -w's idle timeout: here -q is the quiet way\n"
    "out once standard input has ended.)\n";

static void conn_watch(conn_app *c, int fd, int *watched, int want) {
  if (*watched == want) return;
  *watched = want;
  ltcp_loop_watch(c->rt.loop, fd, want ? (fd == STDIN_FILENO ? LTCP_LOOP_IN : LTCP_LOOP_OUT) : 0);
}

static void conn_read_stdin(conn_app *c) {
  if (c->in_off < c->in_len || c->stdin_eof) return;
  ssize_t n = read(STDIN_FILENO, c->in, sizeof c->in);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  c->active_at = ltcp_loop_now(c->rt.loop);
  if (n <= 0) {
    if (n < 0) rt_error(&c->rt, "reading standard input: %s", strerror(errno));
    c->stdin_eof = 1;
    c->eof_at = c->active_at;
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
      rt_error(&c->rt, "writing standard output: %s", strerror(errno));
      return -1;
    }
    c->out_off += (size_t)n;
    c->active_at = ltcp_loop_now(c->rt.loop);
  }
  conn_watch(c, STDOUT_FILENO, &c->stdout_watched, 0);
  return 0;
}

/* Standard input into the send buffer; the FIN once it has ended. 0 or a negative error. */
static int conn_send(conn_app *c) {
  for (int i = 0; i < 64 && !c->shut_sent; i++) {
    if (c->in_off < c->in_len) {
      ssize_t n = ltcp_send(c->rt.st, c->cl.fd, c->in + c->in_off, c->in_len - c->in_off, 0);
      if (n < 0) return errno == EAGAIN ? 0 : -errno;
      c->in_off += (size_t)n;
      continue;
    }
    if (c->stdin_eof) {
      ltcp_shutdown(c->rt.st, c->cl.fd, LTCP_SHUT_WR);
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
    ssize_t n = ltcp_recv(c->rt.st, c->cl.fd, c->out, sizeof c->out, 0);
    if (n < 0) return errno == EAGAIN ? 0 : -errno;
    c->active_at = ltcp_loop_now(c->rt.loop);
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

/* -w: nothing moved either way for idle_ns. Not while the stack holds the connection in
 * TIME-WAIT only (--time-wait): that wait is meant. 1 when the run ends here. */
static int conn_idle(conn_app *c, ltcp_time_ns now) {
  if (!c->idle_ns || !c->cl.connected) return 0;
  uint32_t n = ltcp_stack_connection_count(c->rt.st);
  if (c->cl.closed && n == ltcp_stack_count_state(c->rt.st, LTCP_TIME_WAIT)) return 0;
  if (now < c->active_at + c->idle_ns) {
    ltcp_loop_wake_at(c->rt.loop, c->active_at + c->idle_ns);
    return 0;
  }
  rt_error(&c->rt, "nothing sent or received for %.3g s (-w): %s the connection to %s:%s",
           (double)c->idle_ns / 1e9, c->cl.closed ? "giving up" : "resetting", c->pos[0],
           c->pos[1]);
  rt_client_end(&c->rt, &c->cl, RT_EXIT_FAIL);
  return 1;
}

/* -q: quit_ns after standard input ended, once the peer has acknowledged all we sent and our
 * FIN (FIN-WAIT-2: it has not finished yet, or we would be done). 1 when the run ends here. */
static int conn_quit(conn_app *c, ltcp_time_ns now) {
  if (!c->quit || !c->stdin_eof || !c->shut_sent || c->cl.closed) return 0;
  if (now < c->eof_at + c->quit_ns) {
    ltcp_loop_wake_at(c->rt.loop, c->eof_at + c->quit_ns);
    return 0;
  }
  ltcp_tcp_info info;
  if (ltcp_status(c->rt.st, c->cl.fd, &info) != 0 || info.state != LTCP_FIN_WAIT_2) return 0;
  if (c->rt.trace)
    fprintf(c->rt.trace, "lucidtcp connect: quitting %.3g s after standard input ended (-q): "
            "the peer has not finished, the connection is reset\n", (double)c->quit_ns / 1e9);
  conn_write_stdout(c);
  ltcp_abort(c->rt.st, c->cl.fd);
  c->cl.closed = 1;
  ltcp_loop_stop(c->rt.loop, RT_EXIT_OK);
  return 1;
}

static void conn_step(void *app) {
  conn_app *c = app;
  ltcp_time_ns now = ltcp_loop_now(c->rt.loop);
  if (conn_idle(c, now) || conn_quit(c, now)) return;
  int was_connected = c->cl.connected;
  if (rt_client_poll(&c->rt, &c->cl) != 1) return;
  if (!was_connected) c->active_at = now;
  int err = conn_send(c);
  if (!err) err = conn_recv(c);
  if (err == LTCP_EPIPE && c->peer_eof) err = 0; /* stdout gone after the end: nothing lost */
  if (err) {
    rt_client_fail(&c->rt, &c->cl, err == LTCP_EPIPE && !c->shut_sent ? EPIPE : -err);
    return;
  }
  /* Typing at a terminal, there is nobody to talk to once the peer has closed: end as nc does.
   * From a pipe or a file, standard input is sent to its end (the half-close). */
  if (c->peer_eof && !c->stdin_eof && c->stdin_tty) {
    c->stdin_eof = 1;
    c->in_off = c->in_len;
    if (!c->shut_sent) ltcp_shutdown(c->rt.st, c->cl.fd, LTCP_SHUT_WR);
    c->shut_sent = 1;
  }
  conn_watch(c, STDIN_FILENO, &c->stdin_watched,
             !c->stdin_eof && c->in_off >= c->in_len && !c->shut_sent);
  if (c->peer_eof && c->shut_sent && c->out_off >= c->out_len) {
    rt_client_end(&c->rt, &c->cl, RT_EXIT_OK);
    conn_watch(c, STDIN_FILENO, &c->stdin_watched, 0);
  }
}

static void conn_fd_ready(void *app, int fd, uint32_t ready) {
  conn_app *c = app;
  (void)ready;
  if (fd == STDIN_FILENO) conn_read_stdin(c);
  else if (fd == STDOUT_FILENO && conn_write_stdout(c) < 0) rt_client_fail(&c->rt, &c->cl, EPIPE);
}

/* Resets the connection (the peer sees ECONNRESET). */
static int conn_signal(void *app, int signo) {
  conn_app *c = app;
  return rt_client_signal(&c->rt, &c->cl, signo);
}

/* SECS for -w (above 0) or -q (any: a negative one waits for ever). 0 or -1. */
static int conn_parse_secs(const char *v, int negative_ok, ltcp_time_ns *out) {
  char *end;
  double x = strtod(v, &end);
  if (end == v || *end || !(x <= CONNECT_SECS_MAX) || (!negative_ok && !(x > 0))) return -1;
  *out = x < 0 ? LTCP_TIME_NEVER : (ltcp_time_ns)(x * 1e9);
  return 0;
}

static int conn_option_secs(conn_app *c, int argc, char **argv, int *i) {
  const char *v;
  int rc = rt_opts_value(&c->rt.o, argc, argv, i, "-w", &v);
  if (rc == 1 && conn_parse_secs(v, 0, &c->idle_ns) != 0)
    return rt_usage_error(&c->rt.o, "-w wants seconds above 0 and at most 86400, not '%s'", v);
  if (rc) return rc;
  rc = rt_opts_value(&c->rt.o, argc, argv, i, "-q", &v);
  if (rc == 1 && conn_parse_secs(v, 1, &c->quit_ns) != 0)
    return rt_usage_error(&c->rt.o, "-q wants seconds, at most 86400 (a negative number waits "
                          "for the peer), not '%s'", v);
  if (rc == 1) c->quit = c->quit_ns != LTCP_TIME_NEVER;
  return rc;
}

static int conn_option(void *app, int argc, char **argv, int *i) {
  conn_app *c = app;
  const char *a = argv[*i], *v;
  int rc = rt_opts_value(&c->rt.o, argc, argv, i, "--local-port", &v);
  if (rc == 1 && rt_parse_port(v, &c->cl.local_port) != 0)
    return rt_usage_error(&c->rt.o, "--local-port wants 1 to 65535, not '%s'", v);
  if (rc) return rc;
  if ((rc = conn_option_secs(c, argc, argv, i)) != 0) return rc;
  if (rt_client_option(&c->cl, argc, argv, i)) return 1;
  if (a[0] == '-' && a[1] != '\0') return 0;
  if (c->npos == 2) return rt_usage_error(&c->rt.o, "unexpected argument '%s'", a);
  c->pos[c->npos++] = a;
  return 1;
}

static int conn_check(void *app) {
  conn_app *c = app;
  const rt_opts *o = &c->rt.o;
  char why[512];
  if (c->npos != 2) return rt_usage_error(o, "wants HOST and PORT");
  if (rt_hosts_resolve(c->pos[0], &c->cl.remote, why, sizeof why) != 0)
    return rt_usage_error(o, "HOST: %s", why);
  c->cl.host = c->pos[0];
  c->cl.connect_timeout_ns = c->idle_ns;
  c->cl.announce = 1;
  if (rt_parse_port(c->pos[1], &c->cl.remote.port) != 0)
    return rt_usage_error(o, "PORT wants 1 to 65535, not '%s'", c->pos[1]);
  return rt_opts_check_peer(o, &c->cl.remote, c->pos[0]);
}

/* Standard input and output for the loop, then the connection. */
static int conn_open(void *app) {
  conn_app *c = app;
  c->stdin_tty = isatty(STDIN_FILENO);
  rt_fd_nonblock(&c->rt, STDIN_FILENO);
  rt_fd_nonblock(&c->rt, STDOUT_FILENO);
  return rt_client_open(&c->rt, &c->cl);
}

const rt_command connect_command = {
    .name = "connect",
    .usage = connect_usage_text,
    .size = sizeof(conn_app),
    .option = conn_option,
    .check = conn_check,
    .open = conn_open,
    .step = conn_step,
    .fd_ready = conn_fd_ready,
    .signal = conn_signal,
};
