/* One outgoing connection of a real-time command. */
#include "rt/client.h"

#include <errno.h>

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
  return 0;
}

int rt_client_poll(rt_ctx *rt, rt_client *c) {
  if (c->closed) {
    /* Our side is done; stay while the stack still has the connection (TIME-WAIT, LAST-ACK). */
    if (ltcp_stack_connection_count(rt->st) == 0) ltcp_loop_stop(rt->loop, RT_EXIT_OK);
    return 0;
  }
  ltcp_pollfd p = {c->fd, LTCP_POLLOUT | LTCP_POLLIN, 0};
  ltcp_poll(rt->st, &p, 1);
  if (p.revents & LTCP_POLLERR) {
    rt_client_fail(rt, c, ltcp_socket_error(rt->st, c->fd));
    return -1;
  }
  if (!c->connected && !(p.revents & (LTCP_POLLOUT | LTCP_POLLIN))) return 0;
  c->connected = 1;
  return 1;
}

void rt_client_fail(rt_ctx *rt, rt_client *c, int err) {
  char a[16], e[96];
  rt_error(rt, "%s %s:%u: %s", c->connected ? "connection to" : "connect to",
           ltcp_ipv4_format(c->remote.addr, a), c->remote.port, rt_errtext(err, e, sizeof e));
  rt_client_end(rt, c, RT_EXIT_FAIL);
}

void rt_client_end(rt_ctx *rt, rt_client *c, int status) {
  if (!c->closed) {
    if (status != RT_EXIT_OK) ltcp_abort(rt->st, c->fd);
    else ltcp_close(rt->st, c->fd);
  }
  c->closed = 1;
  if (status != RT_EXIT_OK || ltcp_stack_connection_count(rt->st) == 0)
    ltcp_loop_stop(rt->loop, status);
}

int rt_client_signal(rt_ctx *rt, rt_client *c, int signo) {
  int status = c->closed ? RT_EXIT_OK : RT_EXIT_SIGNAL(signo);
  if (!c->closed) ltcp_abort(rt->st, c->fd);
  c->closed = 1;
  return status;
}
