/* One outgoing connection of a real-time command. */
#include "rt/client.h"

#include <errno.h>
#include <string.h>

int rt_client_option(rt_client *c, int argc, char **argv, int *i) {
  (void)argc;
  if (strcmp(argv[*i], "--time-wait") != 0) return 0;
  c->keep_time_wait = 1;
  return 1;
}

int rt_client_open(rt_ctx *rt, rt_client *c) {
  char e[96];
  c->fd = ltcp_socket(rt->st);
  if (c->fd < 0) return RT_EXIT_FAIL;
  if (c->local_port) {
    ltcp_endpoint ep = {0, c->local_port};
    if (ltcp_bind(rt->st, c->fd, &ep) != 0) {
      rt_error(rt, "cannot bind port %u: %s", c->local_port, rt_errtext(errno, e, sizeof e));
      return RT_EXIT_FAIL;
    }
  }
  if (ltcp_connect(rt->st, c->fd, &c->remote) != 0 && errno != EINPROGRESS) {
    rt_error(rt, "connect: %s", rt_errtext(errno, e, sizeof e));
    return RT_EXIT_FAIL;
  }
  c->opened_at = ltcp_loop_now(rt->loop);
  c->connected = c->closed = 0;
  if (c->connect_timeout_ns) ltcp_loop_wake_at(rt->loop, c->opened_at + c->connect_timeout_ns);
  return 0;
}

/* The stack has let go of our connections, or holds them in TIME-WAIT only (see client.h). */
static int rt_client_settled(rt_ctx *rt, const rt_client *c) {
  uint32_t n = ltcp_stack_connection_count(rt->st);
  if (n == 0) return 1;
  if (c->keep_time_wait || n != ltcp_stack_count_state(rt->st, LTCP_TIME_WAIT)) return 0;
  if (rt->trace)
    fprintf(rt->trace, "lucidtcp %s: exiting in TIME-WAIT, the last ACK sent: a process that "
            "exits cannot hold it for 2*MSL (--time-wait does)\n", rt->o.cmd);
  return 1;
}

static const char *rt_client_host(const rt_client *c, char *buf, size_t cap) {
  char a[LTCP_ENDPOINT_STRLEN];
  if (c->host && strchr(c->host, ':')) snprintf(buf, cap, "[%s]:%u", c->host, c->remote.port);
  else if (c->host) snprintf(buf, cap, "%s:%u", c->host, c->remote.port);
  else snprintf(buf, cap, "%s", ltcp_endpoint_format(&c->remote, a));
  return buf;
}

static void rt_client_announce(rt_ctx *rt, const rt_client *c) {
  char h[300], a[LTCP_ENDPOINT_STRLEN];
  ltcp_endpoint local = {.port = 0};
  ltcp_getsockname(rt->st, c->fd, &local);
  rt_error(rt, "connected to %s from %s", rt_client_host(c, h, sizeof h),
           ltcp_endpoint_format(&local, a));
}

/* The handshake has not completed within connect_timeout_ns: 1 after failing, else 0. */
static int rt_client_timed_out(rt_ctx *rt, rt_client *c) {
  if (!c->connect_timeout_ns || ltcp_loop_now(rt->loop) < c->opened_at + c->connect_timeout_ns)
    return 0;
  char h[300], e[96];
  rt_error(rt, "connect to %s: no answer within %.3g s: %s", rt_client_host(c, h, sizeof h),
           (double)c->connect_timeout_ns / 1e9, rt_errtext(LTCP_ETIMEDOUT, e, sizeof e));
  rt_client_end(rt, c, RT_EXIT_FAIL);
  return 1;
}

int rt_client_poll(rt_ctx *rt, rt_client *c) {
  if (c->closed) {
    /* Our side is done; stay while the stack still needs the connection (LAST-ACK). */
    if (rt_client_settled(rt, c)) ltcp_loop_stop(rt->loop, RT_EXIT_OK);
    return 0;
  }
  ltcp_pollfd p = {c->fd, LTCP_POLLOUT | LTCP_POLLIN, 0};
  ltcp_poll(rt->st, &p, 1);
  if (p.revents & LTCP_POLLERR) {
    rt_client_fail(rt, c, ltcp_socket_error(rt->st, c->fd));
    return -1;
  }
  if (!c->connected && !(p.revents & (LTCP_POLLOUT | LTCP_POLLIN)))
    return rt_client_timed_out(rt, c) ? -1 : 0;
  if (!c->connected && c->announce) rt_client_announce(rt, c);
  c->connected = 1;
  return 1;
}

void rt_client_fail(rt_ctx *rt, rt_client *c, int err) {
  char h[300], e[96];
  rt_error(rt, "%s %s: %s", c->connected ? "connection to" : "connect to",
           rt_client_host(c, h, sizeof h), rt_errtext(err, e, sizeof e));
  rt_client_end(rt, c, RT_EXIT_FAIL);
}

void rt_client_end(rt_ctx *rt, rt_client *c, int status) {
  if (!c->closed) {
    if (status != RT_EXIT_OK) ltcp_abort(rt->st, c->fd);
    else ltcp_close(rt->st, c->fd);
  }
  c->closed = 1;
  if (status != RT_EXIT_OK || rt_client_settled(rt, c)) ltcp_loop_stop(rt->loop, status);
}

int rt_client_signal(rt_ctx *rt, rt_client *c, int signo) {
  int status = c->closed ? RT_EXIT_OK : RT_EXIT_SIGNAL(signo);
  if (!c->closed) ltcp_abort(rt->st, c->fd);
  c->closed = 1;
  return status;
}
