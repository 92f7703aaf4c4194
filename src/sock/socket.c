/* The BSD-like socket API: descriptors, ports, options and readiness over the engine's user
 * calls (tcp/user.h) and the IP layer's tables (ip/ip.h). Every call returns -1 with errno set
 * on failure. */
#include "lucidtcp/socket.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sock/stack.h"
#include "tcp/busy.h"
#include "tcp/cc.h"
#include "tcp/life.h"
#include "tcp/listen.h"
#include "tcp/timer.h"
#include "tcp/user.h"
#include "util/assert.h"

#define SOCK_BACKLOG_MAX 4096

static int sock_fail(int err) {
  errno = err < 0 ? -err : err;
  return -1;
}

static ltcp_sock *sock_get(ltcp_stack *st, int fd) {
  if (fd < 0 || (uint32_t)fd >= st->socks.cap || !st->socks.socks[fd].in_use) return NULL;
  return &st->socks.socks[fd];
}

static ltcp_engine *sock_engine(ltcp_stack *st) { return &st->ip.tcp; }

/* The socket's connection, awake (tcp/busy.h): the engine may use all of it. Returns 0 (also
 * without a connection) or a positive errno. A call that may leave it idle touches it too. */
static int sock_wake(ltcp_stack *st, ltcp_sock *s) {
  return s->tcb && ltcp_busy_wake(sock_engine(st), s->tcb) != 0 ? ENOMEM : 0;
}

static int sock_wake_touch(ltcp_stack *st, ltcp_sock *s) {
  if (sock_wake(st, s)) return ENOMEM;
  if (s->tcb) ltcp_busy_touch(sock_engine(st), s->tcb);
  return 0;
}

/* The end of a call on tcb: its invariants hold, its deadline is the host's, and the stack
 * tidies up. */
static void sock_done(ltcp_stack *st, ltcp_tcb *tcb) {
  if (tcb && !tcb->dead) {
    ltcp_tcb_check(tcb);
    ltcp_timer_update(sock_engine(st), tcb);
  }
  ltcp_ip_done(&st->ip);
}

/* ---- the descriptor table */

int ltcp_sock_table_init(ltcp_sock_table *t, uint32_t cap) {
  t->cap = cap;
  t->socks = calloc(cap, sizeof *t->socks);
  if (!t->socks) return LTCP_ENOMEM;
  /* Descriptors are handed out lowest first, as POSIX does for a fresh table. */
  for (uint32_t i = 0; i < cap; i++) t->socks[i].next_free = i + 1 < cap ? (int32_t)(i + 1) : -1;
  t->free_head = 0;
  return 0;
}

void ltcp_sock_table_free(ltcp_sock_table *t) {
  /* Unread data that sockets kept from ended connections. */
  for (uint32_t i = 0; t->socks && i < t->cap; i++) ltcp_ring_clear(&t->socks[i].rcv_left, NULL);
  free(t->socks);
  t->socks = NULL;
}

int ltcp_socket(ltcp_stack *st) {
  ltcp_sock_table *t = &st->socks;
  const ltcp_stack_config *cfg = &st->ip.cfg;
  if (t->free_head < 0) return sock_fail(EMFILE);
  int fd = t->free_head;
  ltcp_sock *s = &t->socks[fd];
  t->free_head = s->next_free;
  memset(s, 0, sizeof *s);
  s->in_use = 1;
  s->sndbuf = cfg->sndbuf;
  s->rcvbuf = cfg->rcvbuf;
  s->mss = (uint16_t)(cfg->mtu - 40);
  s->user_timeout_ms = (uint32_t)(cfg->user_timeout_ns / LTCP_MS(1));
  ltcp_conn_opts_default(&s->opts, cfg);
  return fd;
}

static void sock_release(ltcp_stack *st, int fd) {
  ltcp_sock *s = &st->socks.socks[fd];
  if (s->bound) ltcp_ip_port_release(&st->ip, s->local.port);
  ltcp_ring_clear(&s->rcv_left, NULL);
  s->in_use = 0;
  s->next_free = st->socks.free_head;
  st->socks.free_head = fd;
}

/* ---- binding, listening, connecting */

/* addr: 0 (any address, either family), the stack's IPv4 address, or LTCP_EP_V6_LOCAL; rport:
 * the remote port when connect() binds (a sharded stack picks by it), else 0. */
static int sock_bind_to(ltcp_stack *st, ltcp_sock *s, uint32_t addr, uint16_t port,
                        uint16_t rport) {
  if (port == 0) {
    int rc = ltcp_ip_port_pick(&st->ip, rport, &port);
    if (rc != 0) return rc;
  } else if (ltcp_ip_port_taken(&st->ip, port, s->reuseaddr)) {
    return LTCP_EADDRINUSE;
  }
  s->local.addr = addr;
  s->local.port = port;
  s->bound = 1;
  ltcp_ip_port_hold(&st->ip, port);
  return 0;
}

/* The address a bind names, as the socket keeps it: 0 for any (0.0.0.0 or ::), the stack's
 * IPv4 address, or its IPv6 one as LTCP_EP_V6_LOCAL; LTCP_EADDRNOTAVAIL for another. */
static int sock_local_addr(const ltcp_stack *st, const ltcp_endpoint *e, uint32_t *addr) {
  static const uint8_t any[16];
  const ltcp_stack_config *c = &st->ip.cfg;
  if (e->family == LTCP_AF_INET6) {
    if (memcmp(e->addr6, any, 16) == 0) *addr = 0;
    else if (ltcp_ip_has_v6(c) && memcmp(e->addr6, c->addr6, 16) == 0) *addr = LTCP_EP_V6_LOCAL;
    else return LTCP_EADDRNOTAVAIL;
    return 0;
  }
  if (e->family != LTCP_AF_INET || (e->addr != 0 && e->addr != c->addr)) return LTCP_EADDRNOTAVAIL;
  *addr = e->addr;
  return 0;
}

int ltcp_bind(ltcp_stack *st, int fd, const ltcp_endpoint *local) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (!local || s->bound || s->tcb) return sock_fail(EINVAL);
  uint32_t addr;
  int rc = sock_local_addr(st, local, &addr);
  if (rc == 0) rc = sock_bind_to(st, s, addr, local->port, 0);
  return rc ? sock_fail(rc) : 0;
}

/* The socket's connection (remote: NULL for a listener), with what the socket set. */
static ltcp_tcb *sock_new_tcb(ltcp_stack *st, ltcp_sock *s, int fd, const ltcp_ep *remote) {
  ltcp_tcb *tcb = ltcp_life_new(sock_engine(st), LTCP_CLOSED);
  if (!tcb) return NULL;
  ltcp_user_setup setup = {.fd = fd, .local = s->local, .sndbuf = s->sndbuf,
                           .rcvbuf = s->rcvbuf, .mss = s->mss,
                           .user_timeout_ms = s->user_timeout_ms, .opts = s->opts};
  if (remote) {
    setup.remote = *remote;
    setup.mss = ltcp_engine_mss(sock_engine(st), s->mss, remote->addr);
  }
  ltcp_user_prepare(tcb, &setup);
  s->tcb = tcb;
  return tcb;
}

int ltcp_listen(ltcp_stack *st, int fd, int backlog) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  uint32_t bl = backlog < 1 ? 1u : backlog > SOCK_BACKLOG_MAX ? SOCK_BACKLOG_MAX : (uint32_t)backlog;
  if (s->tcb && s->tcb->state == LTCP_LISTEN) {
    ltcp_user_set_backlog(s->tcb, bl);
    return 0;
  }
  if (s->tcb || s->connect_called) return sock_fail(EINVAL);
  if (!s->bound) {
    int rc = sock_bind_to(st, s, 0, 0, 0);
    if (rc) return sock_fail(rc);
  }
  if (ltcp_ip_listener(&st->ip, s->local.port)) return sock_fail(EADDRINUSE);
  if (s->v6only && s->local.addr == 0) s->local.addr = LTCP_EP_V6_LOCAL; /* IPV6_V6ONLY */
  ltcp_tcb *tcb = sock_new_tcb(st, s, fd, NULL);
  if (!tcb) return sock_fail(ENOMEM);
  ltcp_ip_listen(&st->ip, tcb);
  ltcp_user_open_passive(sock_engine(st), tcb, bl);
  sock_done(st, tcb);
  return 0;
}

int ltcp_accept(ltcp_stack *st, int fd, ltcp_endpoint *peer) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  ltcp_tcb *lst = s->tcb;
  if (!lst || lst->state != LTCP_LISTEN) return sock_fail(EINVAL);
  if (!ltcp_listen_peek(lst)) return sock_fail(EAGAIN);
  int nfd = ltcp_socket(st);
  if (nfd < 0) return -1;
  ltcp_tcb *child = ltcp_listen_accept(sock_engine(st), lst);
  ltcp_sock *ns = &st->socks.socks[nfd];
  ns->tcb = child;
  ns->opts = child->opts; /* inherited from the listener, as Linux */
  ns->local = child->local;
  ns->bound = 1;
  ns->connect_called = 1;
  ltcp_ip_port_hold(&st->ip, child->local.port);
  ltcp_user_set_fd(child, nfd);
  if (peer) ltcp_engine_endpoint(sock_engine(st), child->remote.addr, child->remote.port, peer);
  return nfd;
}

/* Where a connect may go and what the socket calls it (an IPv6 peer: its handle, which the
 * connection holds once attached). 0 or an error code. */
static int sock_peer_addr(ltcp_stack *st, const ltcp_sock *s, const ltcp_endpoint *remote,
                          uint32_t *addr) {
  static const uint8_t any[16];
  if (remote->family == LTCP_AF_INET6) {
    /* The socket bound to the other family's address cannot (as Linux, EINVAL). */
    if (s->bound && s->local.addr && !ltcp_ep_is_v6(s->local.addr)) return LTCP_EINVAL;
    if (memcmp(remote->addr6, any, 16) == 0) return LTCP_EINVAL;
    if (remote->addr6[0] == 0xff) return LTCP_ENETUNREACH; /* MUST-46: multicast */
    if (!ltcp_ip_has_v6(&st->ip.cfg) || ltcp_ip_route6_lookup(&st->ip, remote->addr6, NULL) != 0)
      return LTCP_ENETUNREACH;
    return ltcp_ip_peer6(&st->ip, remote->addr6, addr);
  }
  if (remote->family != LTCP_AF_INET || remote->addr == 0 || s->v6only ||
      (s->bound && ltcp_ep_is_v6(s->local.addr)))
    return LTCP_EINVAL;
  /* RFC 9293 §3.9.1.1 MUST-46: an OPEN to a broadcast or multicast address is refused (as
   * Linux, ENETUNREACH). */
  if ((remote->addr >> 28) == 0xe || remote->addr == 0xffffffffu) return LTCP_ENETUNREACH;
  /* RFC 1122 3.3.1.1: a destination needs a route (connected, added, or the default). */
  if (ltcp_ip_route_lookup(&st->ip, remote->addr, NULL) != 0) return LTCP_ENETUNREACH;
  *addr = remote->addr;
  return 0;
}

int ltcp_connect(ltcp_stack *st, int fd, const ltcp_endpoint *remote) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (s->tcb) {
    ltcp_state state = s->tcb->state;
    return sock_fail(state == LTCP_SYN_SENT || state == LTCP_SYN_RECEIVED ? EALREADY : EISCONN);
  }
  if (!remote || remote->port == 0) return sock_fail(EINVAL);
  ltcp_ep peer = {0, remote->port};
  int rc = sock_peer_addr(st, s, remote, &peer.addr);
  if (rc) return sock_fail(rc);
  if (!s->bound) {
    rc = sock_bind_to(st, s, 0, 0, remote->port);
    if (rc) return sock_fail(rc);
  }
  /* The source address: the stack's own of the peer's family (bound to any, or to it). */
  s->local.addr = ltcp_ep_is_v6(peer.addr) ? LTCP_EP_V6_LOCAL : st->ip.cfg.addr;
  if (ltcp_ip_tuple_in_use(&st->ip, &s->local, &peer)) return sock_fail(EADDRINUSE);
  ltcp_tcb *tcb = sock_new_tcb(st, s, fd, &peer);
  if (!tcb) return sock_fail(ENOMEM);
  if (ltcp_ip_attach(&st->ip, tcb) != 0) {
    s->tcb = NULL;
    ltcp_life_discard(sock_engine(st), tcb);
    sock_done(st, NULL);
    return sock_fail(ENOBUFS);
  }
  s->connect_called = 1;
  s->error = 0;
  ltcp_user_open_active(sock_engine(st), tcb);
  sock_done(st, tcb);
  return sock_fail(EINPROGRESS);
}

/* ---- data */

/* A call on a socket whose connection is gone: the pending error once, then what BSD says. */
static int sock_gone_error(ltcp_sock *s, int otherwise) {
  int err = s->error;
  s->error = 0;
  return sock_fail(err ? err : otherwise);
}

ssize_t ltcp_send(ltcp_stack *st, int fd, const void *buf, size_t len, int flags) {
  (void)flags;
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (s->shut_wr) return sock_fail(EPIPE);
  if (!s->tcb) return sock_gone_error(s, s->connect_called ? EPIPE : ENOTCONN);
  if (len > INT32_MAX) len = INT32_MAX;
  if (sock_wake(st, s)) return sock_fail(ENOMEM);
  ltcp_tcb *tcb = s->tcb;
  int32_t n = ltcp_user_send(sock_engine(st), tcb, buf, (uint32_t)len);
  sock_done(st, tcb);
  return n < 0 ? sock_fail(n) : n;
}

ssize_t ltcp_send_zc(ltcp_stack *st, int fd, const void *buf, size_t len,
                     ltcp_zc_release_fn release, void *ctx) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (len == 0) return 0;
  if (!buf || len > LTCP_BUF_MAX) return sock_fail(!buf ? EINVAL : EMSGSIZE);
  if (s->shut_wr) return sock_fail(EPIPE);
  if (!s->tcb) return sock_gone_error(s, s->connect_called ? EPIPE : ENOTCONN);
  if (sock_wake(st, s)) return sock_fail(ENOMEM);
  ltcp_tcb *tcb = s->tcb;
  int32_t n = ltcp_user_send_zc(sock_engine(st), tcb, buf, (uint32_t)len, release, ctx);
  sock_done(st, tcb);
  return n < 0 ? sock_fail(n) : n;
}

/* n bytes of what the connection left unread when it ended are read. */
static void sock_left_consume(ltcp_sock *s, uint32_t n) {
  ltcp_ring_consume(&s->rcv_left, n);
  if (s->rcv_left.len == 0) ltcp_ring_clear(&s->rcv_left, NULL);
}

/* What the connection left unread when it ended; EOF once it is all read. */
static ssize_t sock_recv_left(ltcp_sock *s, void *buf, uint32_t len, int flags) {
  uint32_t n = len < s->rcv_left.len ? len : s->rcv_left.len;
  ltcp_ring_copy_out(&s->rcv_left, 0, buf, n);
  if (!(flags & LTCP_MSG_PEEK)) sock_left_consume(s, n);
  return n;
}

/* A socket without a connection: the end of stream, or the error it ended with. */
static ssize_t sock_recv_gone(ltcp_sock *s) {
  if (s->error) return sock_gone_error(s, 0);
  return s->connect_called ? 0 : sock_fail(ENOTCONN);
}

ssize_t ltcp_recv(ltcp_stack *st, int fd, void *buf, size_t len, int flags) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (len > INT32_MAX) len = INT32_MAX;
  if (!s->tcb && s->rcv_left.len > 0 && !s->shut_rd)
    return sock_recv_left(s, buf, (uint32_t)len, flags);
  if (!s->tcb) return sock_recv_gone(s);
  if (s->shut_rd) return 0;
  if (sock_wake(st, s)) return sock_fail(ENOMEM);
  ltcp_tcb *tcb = s->tcb;
  int32_t n =
      ltcp_user_receive(sock_engine(st), tcb, buf, (uint32_t)len, (flags & LTCP_MSG_PEEK) != 0);
  if (n > 0) ltcp_busy_touch(sock_engine(st), tcb); /* the buffer emptied, a window update went: idle? */
  sock_done(st, tcb);
  return n < 0 ? sock_fail(n) : n;
}

ssize_t ltcp_recv_peek(ltcp_stack *st, int fd, const void **data) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  const uint8_t *p = NULL;
  if (!s->tcb && s->rcv_left.len > 0 && !s->shut_rd) {
    uint32_t n = ltcp_ring_contig(&s->rcv_left, &p);
    *data = p;
    return n;
  }
  if (!s->tcb) return sock_recv_gone(s);
  if (s->shut_rd) return 0;
  if (sock_wake(st, s)) return sock_fail(ENOMEM);
  ltcp_tcb *tcb = s->tcb;
  int32_t n = ltcp_user_receive_peek(tcb, &p);
  sock_done(st, tcb); /* bytes held keep it awake: the loan stays valid */
  if (n > 0) *data = p;
  return n < 0 ? sock_fail(n) : n;
}

int ltcp_recv_consume(ltcp_stack *st, int fd, size_t n) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (!s->tcb) { /* it ended after the loan: its bytes moved to rcv_left, in order */
    if (n > s->rcv_left.len) return sock_fail(EINVAL);
    sock_left_consume(s, (uint32_t)n);
    return 0;
  }
  if (s->shut_rd || n > INT32_MAX) return n ? sock_fail(EINVAL) : 0;
  if (sock_wake(st, s)) return sock_fail(ENOMEM);
  ltcp_tcb *tcb = s->tcb;
  int32_t rc = ltcp_user_receive_consume(sock_engine(st), tcb, (uint32_t)n);
  if (rc == 0 && n) ltcp_busy_touch(sock_engine(st), tcb); /* emptied: idle? */
  sock_done(st, tcb);
  return rc < 0 ? sock_fail(rc) : 0;
}

/* ---- closing */

int ltcp_shutdown(ltcp_stack *st, int fd, int how) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (how != LTCP_SHUT_RD && how != LTCP_SHUT_WR && how != LTCP_SHUT_RDWR) return sock_fail(EINVAL);
  ltcp_tcb *tcb = s->tcb;
  if (!tcb || tcb->state == LTCP_LISTEN) return sock_fail(ENOTCONN);
  if (sock_wake_touch(st, s)) return sock_fail(ENOMEM);
  if (how != LTCP_SHUT_WR) {
    s->shut_rd = 1;
    ltcp_user_shutdown_read(tcb);
  }
  if (how != LTCP_SHUT_RD && !s->shut_wr) {
    s->shut_wr = 1;
    ltcp_user_close(sock_engine(st), tcb); /* RFC 9293 CLOSE: our FIN after the queued data */
  }
  sock_done(st, tcb);
  return 0;
}

/* Connections a listener's user never accepted are reset, as Linux does. Bounded by the
 * backlog: each abort takes one off the accept queue. */
static void sock_reset_unaccepted(ltcp_stack *st, ltcp_tcb *lst) {
  for (uint32_t n = 0; ltcp_listen_peek(lst); n++) {
    LTCP_ASSERT(n < SOCK_BACKLOG_MAX);
    ltcp_user_abort(sock_engine(st), ltcp_listen_peek(lst));
  }
}

int ltcp_close(ltcp_stack *st, int fd) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (sock_wake_touch(st, s)) return sock_fail(ENOMEM); /* nothing done: the call may be repeated */
  ltcp_tcb *tcb = s->tcb;
  ltcp_engine *eng = sock_engine(st);
  if (tcb) {
    if (tcb->state == LTCP_LISTEN) {
      sock_reset_unaccepted(st, tcb);
      ltcp_user_close(eng, tcb);
    } else if (ltcp_tcb_rcv_queued(tcb) > 0 && st->ip.cfg.rst_on_unread_close) {
      ltcp_user_abort(eng, tcb); /* RFC 1122 4.2.2.13: data would be lost; say so */
    } else if (!s->shut_wr) {
      ltcp_user_close(eng, tcb);
    }
    if (!tcb->dead) {
      ltcp_user_orphan(eng, tcb); /* it lives on until CLOSED */
      ltcp_ip_compact(&st->ip, tcb); /* a TIME-WAIT its user held: now a compact record */
    }
  }
  sock_release(st, fd);
  sock_done(st, tcb);
  return 0;
}

int ltcp_abort(ltcp_stack *st, int fd) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (sock_wake_touch(st, s)) return sock_fail(ENOMEM);
  ltcp_tcb *tcb = s->tcb;
  if (tcb) {
    if (tcb->state == LTCP_LISTEN) sock_reset_unaccepted(st, tcb);
    ltcp_user_abort(sock_engine(st), tcb);
  }
  sock_release(st, fd);
  sock_done(st, NULL);
  return 0;
}

void ltcp_sock_conn_gone(void *ctx, ltcp_tcb *tcb, int error) {
  ltcp_stack *st = ctx;
  ltcp_sock *s = sock_get(st, tcb->fd);
  if (!s || s->tcb != tcb) return;
  s->tcb = NULL;
  s->final_error = error;
  if (error && error != ECONNABORTED) s->error = error;
  /* An orderly end (TIME-WAIT over, or an RST in TIME-WAIT, CLOSING or LAST-ACK) does not take
   * away data already acknowledged to the peer: the user may still read it, then EOF, as on
   * BSD and Linux. A reset flushes it (RFC 9293 §3.10.7.4 second). */
  if (error == 0 && ltcp_tcb_rcv_queued(tcb) > 0 && !s->shut_rd)
    ltcp_tcb_take_unread(sock_engine(st), tcb, &s->rcv_left);
  ltcp_user_set_fd(tcb, -1);
}

/* ---- names, errors, options */

int ltcp_getsockname(ltcp_stack *st, int fd, ltcp_endpoint *local) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (!local) return sock_fail(EINVAL);
  ltcp_engine_endpoint(sock_engine(st), s->local.addr, s->local.port, local);
  return 0;
}

int ltcp_getpeername(ltcp_stack *st, int fd, ltcp_endpoint *remote) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (!remote) return sock_fail(EINVAL);
  if (!s->tcb || s->tcb->state == LTCP_LISTEN) return sock_fail(ENOTCONN);
  ltcp_engine_endpoint(sock_engine(st), s->tcb->remote.addr, s->tcb->remote.port, remote);
  return 0;
}

int ltcp_socket_error(ltcp_stack *st, int fd) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return EBADF;
  int err = s->error;
  s->error = 0;
  return err;
}

/* TCP_NODELAY and keep-alive: on the socket, and on its connection at once (Linux's ranges). */
static int sock_set_conn_opt(ltcp_stack *st, ltcp_sock *s, ltcp_sockopt opt, int value) {
  ltcp_conn_opts o = s->opts;
  if (opt == LTCP_TCP_NODELAY) o.nodelay = value != 0;
  else if (opt == LTCP_SO_KEEPALIVE) o.keepalive = value != 0;
  else if (value < 1 || value > (opt == LTCP_TCP_KEEPCNT ? 127 : 32767)) return sock_fail(EINVAL);
  else if (opt == LTCP_TCP_KEEPIDLE) o.keep_idle_s = (uint32_t)value;
  else if (opt == LTCP_TCP_KEEPINTVL) o.keep_intvl_s = (uint32_t)value;
  else o.keep_cnt = (uint32_t)value;
  int turned_on = o.keepalive && !s->opts.keepalive;
  if (sock_wake_touch(st, s)) return sock_fail(ENOMEM);
  s->opts = o;
  if (s->tcb) {
    ltcp_conn_opts_set(sock_engine(st), s->tcb, &o, turned_on);
    ltcp_ip_done(&st->ip);
  }
  return 0;
}

/* Options that size a connection: set before connect or listen only. */
static int sock_set_size_opt(ltcp_stack *st, ltcp_sock *s, ltcp_sockopt opt, int value) {
  if (s->tcb) return sock_fail(EINVAL);
  uint32_t v = (uint32_t)value > LTCP_BUF_MAX ? LTCP_BUF_MAX : (uint32_t)value;
  switch (opt) {
    case LTCP_SO_SNDBUF:
      if (value < 1) return sock_fail(EINVAL);
      s->sndbuf = v;
      return 0;
    case LTCP_SO_RCVBUF:
      if (value < 1) return sock_fail(EINVAL);
      if (st->ip.cfg.rcvbuf_max && v > st->ip.cfg.rcvbuf_max) v = st->ip.cfg.rcvbuf_max;
      s->rcvbuf = v;
      return 0;
    default: /* LTCP_TCP_MAXSEG */
      if (value < 88 || value > st->ip.cfg.mtu - 40) return sock_fail(EINVAL);
      s->mss = (uint16_t)value;
      return 0;
  }
}

int ltcp_setsockopt(ltcp_stack *st, int fd, ltcp_sockopt opt, int value) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  switch (opt) {
    case LTCP_SO_REUSEADDR:
      s->reuseaddr = value != 0;
      return 0;
    case LTCP_IPV6_V6ONLY: /* before listen or connect, as BSD */
      if (s->tcb) return sock_fail(EINVAL);
      s->v6only = value != 0;
      return 0;
    case LTCP_SO_SNDBUF:
    case LTCP_SO_RCVBUF:
    case LTCP_TCP_MAXSEG:
      return sock_set_size_opt(st, s, opt, value);
    case LTCP_TCP_NODELAY:
    case LTCP_SO_KEEPALIVE:
    case LTCP_TCP_KEEPIDLE:
    case LTCP_TCP_KEEPINTVL:
    case LTCP_TCP_KEEPCNT:
      return sock_set_conn_opt(st, s, opt, value);
    case LTCP_TCP_CONGESTION:
      if (value < 0 || value >= LTCP_CC_COUNT) return sock_fail(EINVAL);
      s->opts.congestion = (uint8_t)value;
      if (s->tcb) ltcp_cc_select(s->tcb, (uint8_t)value); /* from the next ACK, as Linux */
      return 0;
    case LTCP_TCP_USER_TIMEOUT:
      if (value < 0) return sock_fail(EINVAL);
      s->user_timeout_ms = (uint32_t)value;
      if (s->tcb) ltcp_user_set_timeout(s->tcb, (uint32_t)value);
      return 0;
    default:
      return sock_fail(ENOPROTOOPT);
  }
}

int ltcp_getsockopt(ltcp_stack *st, int fd, ltcp_sockopt opt, int *value) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (!value) return sock_fail(EINVAL);
  switch (opt) {
    case LTCP_SO_REUSEADDR: *value = s->reuseaddr; return 0;
    case LTCP_IPV6_V6ONLY: *value = s->v6only; return 0;
    case LTCP_SO_SNDBUF: *value = (int)s->sndbuf; return 0;
    case LTCP_SO_RCVBUF: /* the connection's, which cfg.rcvbuf_round_mss may have rounded */
      *value = (int)(s->tcb ? ltcp_tcb_rcv_cap(s->tcb) : s->rcvbuf);
      return 0;
    case LTCP_SO_ERROR: *value = ltcp_socket_error(st, fd); return 0;
    case LTCP_TCP_MAXSEG: *value = s->tcb ? s->tcb->snd_mss : s->mss; return 0;
    case LTCP_TCP_NODELAY: *value = s->opts.nodelay; return 0;
    case LTCP_SO_KEEPALIVE: *value = s->opts.keepalive; return 0;
    case LTCP_TCP_KEEPIDLE: *value = (int)s->opts.keep_idle_s; return 0;
    case LTCP_TCP_KEEPINTVL: *value = (int)s->opts.keep_intvl_s; return 0;
    case LTCP_TCP_KEEPCNT: *value = (int)s->opts.keep_cnt; return 0;
    case LTCP_TCP_USER_TIMEOUT: *value = (int)s->user_timeout_ms; return 0;
    case LTCP_TCP_CONGESTION: *value = s->opts.congestion; return 0;
    default: return sock_fail(ENOPROTOOPT);
  }
}

/* ---- readiness and status */

static short sock_revents(ltcp_stack *st, const ltcp_sock *s) {
  short ev = s->error ? LTCP_POLLERR : 0;
  if (!s->tcb) return ev | LTCP_POLLHUP | LTCP_POLLIN | LTCP_POLLOUT;
  ltcp_user_ready r;
  ltcp_user_readiness(sock_engine(st), s->tcb, &r);
  if (r.listening) return ev | (r.acceptable ? LTCP_POLLIN : 0);
  if (r.opening) return ev;
  if (r.readable || s->shut_rd) ev |= LTCP_POLLIN;
  if (r.peer_fin) ev |= LTCP_POLLRDHUP;
  if (r.writable && !s->shut_wr) ev |= LTCP_POLLOUT;
  if (r.both_closed) ev |= LTCP_POLLHUP;
  return ev;
}

int ltcp_poll(ltcp_stack *st, ltcp_pollfd *fds, size_t nfds) {
  int ready = 0;
  for (size_t i = 0; i < nfds; i++) {
    ltcp_sock *s = sock_get(st, fds[i].fd);
    short ev = s ? sock_revents(st, s) : LTCP_POLLERR;
    fds[i].revents = (short)(ev & (fds[i].events | LTCP_POLLERR | LTCP_POLLHUP));
    if (fds[i].revents) ready++;
  }
  return ready;
}

int ltcp_status(ltcp_stack *st, int fd, ltcp_tcp_info *info) {
  ltcp_sock *s = sock_get(st, fd);
  if (!s) return sock_fail(EBADF);
  if (!info) return sock_fail(EINVAL);
  if (!s->tcb) {
    memset(info, 0, sizeof *info);
    info->state = LTCP_CLOSED;
    ltcp_engine_endpoint(sock_engine(st), s->local.addr, s->local.port, &info->local);
    info->readable = s->rcv_left.len;
    return s->connect_called ? 0 : sock_fail(ENOTCONN);
  }
  ltcp_user_status(&st->ip.tcp, s->tcb, info);
  return 0;
}
