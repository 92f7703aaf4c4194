/* lucidtcp script: system calls, mapped onto the ltcp_* socket API. Descriptors are the
 * script's (3 and up, "= 4" naming the one a call returns); a call that would block on a
 * blocking socket waits in virtual time until it completes. */
#include "script/syscall.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "script/packet.h"
#include "script/report.h"

/* Linux's values, so fcntl(F_GETFL) and poll's revents read as on Linux. */
#define SYS_O_RDWR 02
#define SYS_O_NONBLOCK 04000
#define SYS_SOCK_NONBLOCK 04000
#define SYS_MSG_PEEK 0x2
#define SYS_MSG_DONTWAIT 0x40
#define SYS_MSG_NOSIGNAL 0x4000
#define SYS_POLLNVAL 0x20
#define SYS_AF_INET 2
#define SYS_AF_INET6 10
#define SYS_IPPROTO_IPV6 41

typedef struct sym {
  const char *name;
  int64_t value;
} sym;

static const sym symbols[] = {
    {"AF_INET", SYS_AF_INET}, {"PF_INET", SYS_AF_INET}, {"AF_INET6", SYS_AF_INET6},
    {"PF_INET6", SYS_AF_INET6}, {"AF_UNSPEC", 0}, {"IPPROTO_IPV6", SYS_IPPROTO_IPV6},
    {"SOL_IPV6", SYS_IPPROTO_IPV6},
    {"SOCK_STREAM", 1}, {"SOCK_DGRAM", 2}, {"SOCK_NONBLOCK", SYS_SOCK_NONBLOCK},
    {"SOCK_CLOEXEC", 02000000}, {"IPPROTO_TCP", 6}, {"IPPROTO_UDP", 17}, {"IPPROTO_IP", 0},
    {"SOL_SOCKET", 1}, {"SOL_TCP", 6}, {"SOL_IP", 0}, {"O_RDONLY", 0}, {"O_WRONLY", 1},
    {"O_RDWR", SYS_O_RDWR}, {"O_NONBLOCK", SYS_O_NONBLOCK}, {"F_GETFD", 1}, {"F_SETFD", 2},
    {"F_GETFL", 3}, {"F_SETFL", 4}, {"FD_CLOEXEC", 1}, {"MSG_OOB", 1}, {"MSG_PEEK", SYS_MSG_PEEK},
    {"MSG_TRUNC", 0x20}, {"MSG_DONTWAIT", SYS_MSG_DONTWAIT}, {"MSG_EOR", 0x80},
    {"MSG_WAITALL", 0x100}, {"MSG_NOSIGNAL", SYS_MSG_NOSIGNAL}, {"MSG_MORE", 0x8000},
    {"MSG_ZEROCOPY", 0x4000000}, {"SHUT_RD", 0}, {"SHUT_WR", 1}, {"SHUT_RDWR", 2},
    {"POLLIN", LTCP_POLLIN}, {"POLLPRI", 2}, {"POLLOUT", LTCP_POLLOUT}, {"POLLERR", LTCP_POLLERR},
    {"POLLHUP", LTCP_POLLHUP}, {"POLLNVAL", SYS_POLLNVAL}, {"POLLRDNORM", 0x40},
    {"POLLRDBAND", 0x80}, {"POLLWRNORM", 0x100}, {"POLLWRBAND", 0x200},
    {"POLLRDHUP", LTCP_POLLRDHUP}, {"INADDR_ANY", 0}, {"NULL", 0}};

static const sym errnos[] = {
    {"EAGAIN", EAGAIN}, {"EWOULDBLOCK", EWOULDBLOCK}, {"EINPROGRESS", EINPROGRESS},
    {"EALREADY", EALREADY}, {"EISCONN", EISCONN}, {"ENOTCONN", ENOTCONN},
    {"ECONNREFUSED", ECONNREFUSED}, {"ECONNRESET", ECONNRESET}, {"ECONNABORTED", ECONNABORTED},
    {"ETIMEDOUT", ETIMEDOUT}, {"EPIPE", EPIPE}, {"EADDRINUSE", EADDRINUSE},
    {"EADDRNOTAVAIL", EADDRNOTAVAIL}, {"EINVAL", EINVAL}, {"EBADF", EBADF}, {"EMFILE", EMFILE},
    {"ENFILE", ENFILE}, {"ENOMEM", ENOMEM}, {"ENOBUFS", ENOBUFS}, {"EOPNOTSUPP", EOPNOTSUPP},
    {"ENOTSUP", ENOTSUP}, {"ENOPROTOOPT", ENOPROTOOPT}, {"EHOSTUNREACH", EHOSTUNREACH},
    {"ENETUNREACH", ENETUNREACH}, {"EMSGSIZE", EMSGSIZE}, {"EIO", EIO}, {"EFAULT", EFAULT},
    {"ENOTSOCK", ENOTSOCK}, {"EAFNOSUPPORT", EAFNOSUPPORT}, {"EPROTONOSUPPORT", EPROTONOSUPPORT},
    {"EINTR", EINTR}, {"EACCES", EACCES}, {"EPERM", EPERM}, {"ENOENT", ENOENT},
    {"EDESTADDRREQ", EDESTADDRREQ}, {"ESHUTDOWN", ESHUTDOWN}, {"ENETDOWN", ENETDOWN},
    {"EHOSTDOWN", EHOSTDOWN}, {"ENOSPC", ENOSPC}, {"EPROTOTYPE", EPROTOTYPE}};

static int sym_find(const sym *tab, size_t n, const char *name, int64_t *v) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(tab[i].name, name) == 0) {
      *v = tab[i].value;
      return 0;
    }
  return -1;
}

static const char *errno_name(int err) {
  for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
    if (errnos[i].value == err) return errnos[i].name;
  return "E?";
}

/* ---- arguments ---- */

static int arg_fail(sc_run *r, const sc_call *c, const char *fmt, const char *what) {
  sc_fail(r, c->ev->line, "%s(): %s%s", c->def->name, fmt, what);
  return -1;
}

static int eval_int(sc_run *r, const sc_call *c, const sc_expr *e, int64_t *v);

static int eval_call(sc_run *r, const sc_call *c, const sc_expr *e, int64_t *v) {
  if ((strcmp(e->text, "htons") == 0 || strcmp(e->text, "ntohs") == 0 || strcmp(e->text, "htonl") == 0) && e->n == 1)
    return eval_int(r, c, e->items[0], v); /* values stay in host order here */
  if (strcmp(e->text, "inet_addr") == 0 && e->n == 1 && e->items[0]->kind == SC_EXPR_STRING) {
    uint32_t a;
    if (ltcp_ipv4_parse_text(e->items[0]->text, &a) != 0)
      return arg_fail(r, c, "not an IPv4 address: ", e->items[0]->text);
    *v = a;
    return 0;
  }
  return arg_fail(r, c, "unknown function in an argument: ", e->text);
}

static int eval_int(sc_run *r, const sc_call *c, const sc_expr *e, int64_t *v) {
  int64_t a, b;
  switch (e->kind) {
    case SC_EXPR_INT: *v = e->num; return 0;
    case SC_EXPR_WORD:
      if (sym_find(symbols, sizeof symbols / sizeof symbols[0], e->text, v) == 0) return 0;
      if (sym_find(errnos, sizeof errnos / sizeof errnos[0], e->text, v) == 0) return 0; /* SO_ERROR */
      sc_skip(r, c->ev->line, "unsupported: %s() argument %s", c->def->name, e->text);
      return -1;
    case SC_EXPR_OR:
      if (eval_int(r, c, e->items[0], &a) || eval_int(r, c, e->items[1], &b)) return -1;
      *v = a | b;
      return 0;
    case SC_EXPR_ARRAY:
      if (e->n == 1) return eval_int(r, c, e->items[0], v);
      return arg_fail(r, c, "expected [value] with one value", "");
    case SC_EXPR_CALL: return eval_call(r, c, e, v);
    default: return arg_fail(r, c, "expected a number", "");
  }
}

static int is_ellipsis(const sc_expr *e) {
  return e->kind == SC_EXPR_ELLIPSIS || (e->kind == SC_EXPR_ARRAY && e->n == 1 && e->items[0]->kind == SC_EXPR_ELLIPSIS);
}

static int nargs(sc_run *r, const sc_call *c, size_t lo, size_t hi) {
  size_t n = c->ev->syscall->nargs;
  if (n >= lo && n <= hi) return 0;
  char buf[96];
  snprintf(buf, sizeof buf, "takes %zu%s arguments, the script gives %zu", lo, hi > lo ? " or more" : "", n);
  return arg_fail(r, c, buf, "");
}

static const sc_expr *call_arg(const sc_call *c, size_t i) { return c->ev->syscall->args[i]; }

/* Argument i is a script descriptor: sets c->sfd and c->lfd (-1 when not open: EBADF). */
static int arg_fd(sc_run *r, sc_call *c, size_t i) {
  int64_t v;
  if (eval_int(r, c, call_arg(c, i), &v)) return -1;
  c->sfd = (int)v;
  c->lfd = v >= 0 && v < SC_MAX_FDS && r->fds[v].open ? r->fds[v].lfd : -1;
  return 0;
}

static int arg_int(sc_run *r, sc_call *c, size_t i, int64_t dflt, int64_t *v) {
  if (is_ellipsis(call_arg(c, i))) {
    *v = dflt;
    return 0;
  }
  return eval_int(r, c, call_arg(c, i), v);
}

/* A field of a {name=value} struct, by any of its names. */
static const sc_expr *field(const sc_expr *s, const char *a, const char *b) {
  if (!s || s->kind != SC_EXPR_STRUCT) return NULL;
  for (size_t i = 0; i < s->n; i++)
    if (s->items[i]->kind == SC_EXPR_FIELD && (strcmp(s->items[i]->text, a) == 0 || (b && strcmp(s->items[i]->text, b) == 0)))
      return s->items[i]->items[0];
  return NULL;
}

/* An IPv6 address: inet6_addr("2001:db8::1"), inet_pton(AF_INET6, "..."), "..." or
 * in6addr_any. */
static int eval_addr6(sc_run *r, const sc_call *c, const sc_expr *e, uint8_t out[16]) {
  ltcp_endpoint ep = {0};
  if (e->kind == SC_EXPR_WORD && (strcmp(e->text, "in6addr_any") == 0 || strcmp(e->text, "IN6ADDR_ANY_INIT") == 0)) {
    memset(out, 0, 16);
    return 0;
  }
  if (e->kind == SC_EXPR_CALL && e->n >= 1 && (strcmp(e->text, "inet6_addr") == 0 || strcmp(e->text, "inet_pton") == 0))
    e = e->items[e->n == 2 ? 1 : 0];
  if (e->kind != SC_EXPR_STRING) return arg_fail(r, c, "expected an IPv6 address (inet6_addr(\"...\"))", "");
  if (ltcp_addr_parse(e->text, &ep) != 0 || ep.family != LTCP_AF_INET6)
    return arg_fail(r, c, "not an IPv6 address: ", e->text);
  memcpy(out, ep.addr6, 16);
  return 0;
}

/* A sockaddr: "..." is dflt; {sin_port=htons(p), sin_addr=inet_addr("a")} or, as sockaddr_in6,
 * {sin6_family=AF_INET6, sin6_port=htons(p), sin6_addr=inet6_addr("a")} overrides it. */
static int arg_sockaddr(sc_run *r, sc_call *c, size_t i, ltcp_endpoint *ep) {
  const sc_expr *e = call_arg(c, i), *f;
  int64_t v;
  if (e->kind == SC_EXPR_ELLIPSIS) return 0;
  if (e->kind != SC_EXPR_STRUCT) return arg_fail(r, c, "the address must be ... or {sin_port=..., sin_addr=...}", "");
  if ((f = field(e, "sa_family", "sin_family")) || (f = field(e, "sin6_family", NULL))) {
    if (eval_int(r, c, f, &v)) return -1;
    ep->family = v == SYS_AF_INET6 ? LTCP_AF_INET6 : LTCP_AF_INET;
  }
  if ((f = field(e, "sin_port", "sin6_port"))) {
    if (eval_int(r, c, f, &v)) return -1;
    ep->port = (uint16_t)v;
  }
  if ((f = field(e, "sin_addr", NULL))) {
    if (eval_int(r, c, f, &v)) return -1;
    ep->family = LTCP_AF_INET;
    ep->addr = (uint32_t)v;
  }
  if ((f = field(e, "sin6_addr", NULL))) {
    if (eval_addr6(r, c, f, ep->addr6)) return -1;
    ep->family = LTCP_AF_INET6;
  }
  return 0;
}

/* The address a socket of the script's descriptor uses when the script gives "...": the
 * stack's (local) or the script's, in the socket's family. */
static ltcp_endpoint default_endpoint(const sc_run *r, const sc_call *c, int local, uint16_t port) {
  ltcp_endpoint ep = {local ? r->o.local_ip : r->o.remote_ip, port, LTCP_AF_INET, {0}};
  if (c->sfd >= 0 && c->sfd < SC_MAX_FDS && r->fds[c->sfd].open && r->fds[c->sfd].v6) {
    ep.family = LTCP_AF_INET6;
    memcpy(ep.addr6, local ? r->o.local_ip6 : r->o.remote_ip6, 16);
  }
  return ep;
}

static int result_errno(int64_t n, int *err, int64_t *ret) {
  *ret = n;
  *err = n < 0 ? errno : 0;
  return 1;
}

static int bad_fd(int64_t *ret, int *err) {
  *ret = -1;
  *err = EBADF;
  return 1;
}

static int fd_nonblock(const sc_run *r, const sc_call *c) {
  return (c->sfd >= 0 && c->sfd < SC_MAX_FDS && r->fds[c->sfd].open && r->fds[c->sfd].nonblock) ||
         (c->flags & SYS_MSG_DONTWAIT);
}

/* Refreshes which connection the socket under test holds. */
static void under_test_refresh(sc_run *r) {
  ltcp_tcp_info info;
  int u = r->under_test;
  if (u < 0 || !r->fds[u].open) return;
  if (ltcp_status(sc_stack(r), r->fds[u].lfd, &info) == 0 && info.conn_id) {
    r->under_test_conn = info.conn_id;
    r->fds[u].conn_id = info.conn_id;
  }
}

/* ---- the calls ---- */

static int b_socket(sc_run *r, sc_call *c) {
  int64_t dom, type, proto;
  if (nargs(r, c, 3, 3) || arg_int(r, c, 0, 2, &dom) || arg_int(r, c, 1, 1, &type) ||
      arg_int(r, c, 2, 6, &proto))
    return -1;
  if (is_ellipsis(call_arg(c, 0))) dom = r->o.ipv6 ? SYS_AF_INET6 : SYS_AF_INET; /* as packetdrill */
  if (dom != SYS_AF_INET && dom != SYS_AF_INET6) {
    sc_skip(r, c->ev->line, "unsupported: socket() domain other than AF_INET and AF_INET6");
    return -1;
  }
  if ((type & 0xf) != 1 || (proto != 6 && proto != 0)) {
    sc_skip(r, c->ev->line, "unsupported: socket() other than SOCK_STREAM/IPPROTO_TCP");
    return -1;
  }
  c->flags = (type & SYS_SOCK_NONBLOCK) ? 1 : 0;
  c->ep.family = dom == SYS_AF_INET6 ? LTCP_AF_INET6 : LTCP_AF_INET;
  return 0;
}

static int a_socket(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  (void)c;
  r->stack_used = 1;
  return result_errno(ltcp_socket(sc_stack(r)), err, ret);
}

static int b_fd_only(sc_run *r, sc_call *c) { return nargs(r, c, 1, 1) || arg_fd(r, c, 0) ? -1 : 0; }

static int b_bind(sc_run *r, sc_call *c) {
  if (nargs(r, c, 3, 3) || arg_fd(r, c, 0)) return -1;
  c->ep = default_endpoint(r, c, 1, r->o.bind_port);
  return arg_sockaddr(r, c, 1, &c->ep);
}

static int a_bind(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  return result_errno(ltcp_bind(sc_stack(r), c->lfd, &c->ep), err, ret);
}

static int b_listen(sc_run *r, sc_call *c) {
  int64_t backlog;
  if (nargs(r, c, 2, 2) || arg_fd(r, c, 0) || arg_int(r, c, 1, 128, &backlog)) return -1;
  c->want = (uint64_t)backlog;
  return 0;
}

static int a_listen(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  int rc = ltcp_listen(sc_stack(r), c->lfd, (int)c->want);
  result_errno(rc, err, ret);
  ltcp_endpoint local;
  if (rc == 0 && ltcp_getsockname(r->st, c->lfd, &local) == 0) sc_flow_set(r, local.port, SC_REMOTE_PORT);
  return 1;
}

static int b_accept(sc_run *r, sc_call *c) { return nargs(r, c, 3, 3) || arg_fd(r, c, 0) ? -1 : 0; }

static int a_accept(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  int fd = ltcp_accept(sc_stack(r), c->lfd, NULL);
  if (fd < 0 && errno == EAGAIN && !fd_nonblock(r, c)) return 0;
  ltcp_tcp_info info;
  if (fd >= 0 && ltcp_status(r->st, fd, &info) == 0) sc_conns_set_fd(&r->conns, info.conn_id, fd);
  return result_errno(fd, err, ret);
}

static int b_connect(sc_run *r, sc_call *c) {
  if (nargs(r, c, 3, 3) || arg_fd(r, c, 0)) return -1;
  ltcp_endpoint ep = default_endpoint(r, c, 0, r->o.connect_port), local;
  if (arg_sockaddr(r, c, 1, &ep)) return -1;
  int rc = ltcp_connect(sc_stack(r), c->lfd, &ep);
  c->want = (uint64_t)(rc < 0 ? errno : 0);
  if (rc < 0 && errno == EINPROGRESS && ltcp_getsockname(r->st, c->lfd, &local) == 0)
    sc_flow_set(r, local.port, ep.port);
  return 0;
}

static int a_connect(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  *err = (int)c->want;
  *ret = *err ? -1 : 0;
  if (*err != EINPROGRESS || fd_nonblock(r, c)) return 1;
  ltcp_pollfd p = {c->lfd, LTCP_POLLOUT, 0};
  if (ltcp_poll(r->st, &p, 1) == 0) return 0;
  ltcp_endpoint peer;
  *err = ltcp_socket_error(r->st, c->lfd);
  if (!*err && ltcp_getpeername(r->st, c->lfd, &peer) != 0) *err = ECONNREFUSED;
  *ret = *err ? -1 : 0;
  return 1;
}

static int b_fcntl(sc_run *r, sc_call *c) {
  int64_t cmd, v = 0;
  if (nargs(r, c, 2, 3) || arg_fd(r, c, 0) || arg_int(r, c, 1, 3, &cmd)) return -1;
  if (cmd != 3 && cmd != 4) {
    sc_skip(r, c->ev->line, "unsupported: fcntl() command other than F_GETFL and F_SETFL");
    return -1;
  }
  if (cmd == 4 && (c->ev->syscall->nargs < 3 || arg_int(r, c, 2, 0, &v))) return c->ev->syscall->nargs < 3 ? arg_fail(r, c, "F_SETFL needs the flags", "") : -1;
  c->flags = (int)cmd;
  c->want = (uint64_t)v;
  return 0;
}

static int a_fcntl(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  if (c->lfd < 0) return bad_fd(ret, err);
  sc_fd *f = &r->fds[c->sfd];
  *err = 0;
  if (c->flags == 3) *ret = SYS_O_RDWR | (f->nonblock ? SYS_O_NONBLOCK : 0);
  else {
    f->nonblock = (c->want & SYS_O_NONBLOCK) != 0;
    *ret = 0;
  }
  return 1;
}

/* read(fd, buf, n), recv(fd, buf, n, flags), readv(fd, iov, cnt) and the writing ones. */
static int iov_total(sc_run *r, sc_call *c, const sc_expr *iov, uint64_t *total) {
  if (iov->kind != SC_EXPR_ARRAY) return arg_fail(r, c, "expected an array of {iov_base, iov_len}", "");
  *total = 0;
  for (size_t i = 0; i < iov->n; i++) {
    const sc_expr *s = iov->items[i], *len = field(s, "iov_len", NULL);
    int64_t v;
    if (!len && s->kind == SC_EXPR_STRUCT && s->n == 2) len = s->items[1];
    if (!len || eval_int(r, c, len, &v)) return len ? -1 : arg_fail(r, c, "an iovec without iov_len", "");
    *total += (uint64_t)v;
  }
  return 0;
}

static int b_io(sc_run *r, sc_call *c) {
  const char *n = c->def->name;
  int64_t len, flags = 0;
  int vec = strcmp(n, "readv") == 0 || strcmp(n, "writev") == 0;
  int with_flags = strcmp(n, "recv") == 0 || strcmp(n, "send") == 0;
  if (nargs(r, c, with_flags ? 4 : 3, with_flags ? 4 : 3) || arg_fd(r, c, 0)) return -1;
  if (vec) {
    if (iov_total(r, c, call_arg(c, 1), &c->want)) return -1;
  } else {
    if (arg_int(r, c, 2, 0, &len)) return -1;
    if (len < 0) return arg_fail(r, c, "negative length", "");
    c->want = (uint64_t)len;
  }
  if (with_flags && arg_int(r, c, 3, 0, &flags)) return -1;
  if (flags & ~(int64_t)(SYS_MSG_PEEK | SYS_MSG_DONTWAIT | SYS_MSG_NOSIGNAL)) {
    sc_skip(r, c->ev->line, "unsupported: %s() flags other than MSG_PEEK, MSG_DONTWAIT, MSG_NOSIGNAL", n);
    return -1;
  }
  c->flags = (int)flags;
  return 0;
}

static int a_read(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  size_t n = c->want < SC_IO_CHUNK ? (size_t)c->want : SC_IO_CHUNK;
  ssize_t got = ltcp_recv(sc_stack(r), c->lfd, r->io, n, (c->flags & SYS_MSG_PEEK) ? LTCP_MSG_PEEK : 0);
  if (got < 0 && errno == EAGAIN && !fd_nonblock(r, c)) return 0;
  return result_errno(got, err, ret);
}

static int a_write(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  for (uint32_t i = 0; i < (1u << 20) && c->done < c->want; i++) {
    size_t n = c->want - c->done < SC_IO_CHUNK ? (size_t)(c->want - c->done) : SC_IO_CHUNK;
    ssize_t put = ltcp_send(sc_stack(r), c->lfd, r->io, n, 0);
    if (put > 0) {
      c->done += (uint64_t)put;
      continue;
    }
    if (put < 0 && errno == EAGAIN && !fd_nonblock(r, c)) return 0;
    if (put < 0 && c->done == 0) return result_errno(-1, err, ret);
    break;
  }
  *ret = (int64_t)c->done;
  *err = 0;
  return 1;
}

static int b_shutdown(sc_run *r, sc_call *c) {
  int64_t how;
  if (nargs(r, c, 2, 2) || arg_fd(r, c, 0) || arg_int(r, c, 1, 1, &how)) return -1;
  c->want = (uint64_t)how;
  return 0;
}

static int a_shutdown(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  return result_errno(ltcp_shutdown(sc_stack(r), c->lfd, (int)c->want), err, ret);
}

static int a_close(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  if (c->lfd < 0) return bad_fd(ret, err);
  sc_fd *f = &r->fds[c->sfd];
  if (f->linger_on && f->linger_s > 0) {
    sc_skip(r, c->ev->line, "unsupported: close() lingering %d s (SO_LINGER with a timeout)", f->linger_s);
    return -1;
  }
  under_test_refresh(r);
  int rc = f->linger_on ? ltcp_abort(r->st, c->lfd) : ltcp_close(r->st, c->lfd);
  if (rc == 0) {
    f->open = 0;
    sc_conns_fd_closed(&r->conns, c->lfd);
  }
  return result_errno(rc, err, ret);
}

static int b_poll(sc_run *r, sc_call *c) {
  int64_t n, timeout;
  const sc_expr *a;
  if (nargs(r, c, 3, 3) || arg_int(r, c, 1, 0, &n) || arg_int(r, c, 2, 0, &timeout)) return -1;
  a = call_arg(c, 0);
  if (a->kind != SC_EXPR_ARRAY || a->n != (size_t)n || a->n > SC_MAX_POLLFDS)
    return arg_fail(r, c, "expected [{fd=..., events=..., revents=...}] with nfds entries (at most 8)", "");
  for (size_t i = 0; i < a->n; i++) {
    const sc_expr *fd = field(a->items[i], "fd", NULL), *ev = field(a->items[i], "events", NULL);
    int64_t v = 0;
    if (!fd || eval_int(r, c, fd, &v)) return fd ? -1 : arg_fail(r, c, "a pollfd without fd=", "");
    c->pfd[i].fd = v >= 0 && v < SC_MAX_FDS && r->fds[v].open ? r->fds[v].lfd : -1;
    if (ev && eval_int(r, c, ev, &v)) return -1;
    c->pfd[i].events = (short)(ev ? v : 0);
    c->revents[i] = field(a->items[i], "revents", NULL);
  }
  c->npfd = a->n;
  c->wake = timeout < 0 ? LTCP_TIME_NEVER : c->start + LTCP_MS(timeout);
  return 0;
}

static int a_poll(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  int n = 0;
  for (size_t i = 0; i < c->npfd; i++) {
    c->pfd[i].revents = c->pfd[i].fd < 0 ? SYS_POLLNVAL : 0;
    if (c->pfd[i].fd >= 0) ltcp_poll(sc_stack(r), &c->pfd[i], 1);
    n += c->pfd[i].revents != 0;
  }
  if (n == 0 && sc_now(r) < c->wake) return 0;
  *ret = n;
  *err = 0;
  return 1;
}

/* setsockopt/getsockopt: lucidtcp's own options, and those the runner keeps for it. */
typedef enum opt_where { OPT_LTCP, OPT_LINGER } opt_where;

typedef struct sockopt_def {
  const char *name;
  int level; /* 1 SOL_SOCKET, 6 IPPROTO_TCP, 41 IPPROTO_IPV6 */
  opt_where where;
  ltcp_sockopt opt;
} sockopt_def;

static const sockopt_def sockopts[] = {
    {"SO_REUSEADDR", 1, OPT_LTCP, LTCP_SO_REUSEADDR}, {"SO_RCVBUF", 1, OPT_LTCP, LTCP_SO_RCVBUF},
    {"SO_SNDBUF", 1, OPT_LTCP, LTCP_SO_SNDBUF},       {"SO_ERROR", 1, OPT_LTCP, LTCP_SO_ERROR},
    {"SO_LINGER", 1, OPT_LINGER, 0},                  {"SO_KEEPALIVE", 1, OPT_LTCP, LTCP_SO_KEEPALIVE},
    {"TCP_NODELAY", 6, OPT_LTCP, LTCP_TCP_NODELAY},   {"TCP_MAXSEG", 6, OPT_LTCP, LTCP_TCP_MAXSEG},
    {"TCP_USER_TIMEOUT", 6, OPT_LTCP, LTCP_TCP_USER_TIMEOUT},
    {"TCP_KEEPIDLE", 6, OPT_LTCP, LTCP_TCP_KEEPIDLE}, {"TCP_KEEPINTVL", 6, OPT_LTCP, LTCP_TCP_KEEPINTVL},
    {"TCP_KEEPCNT", 6, OPT_LTCP, LTCP_TCP_KEEPCNT},
    {"IPV6_V6ONLY", SYS_IPPROTO_IPV6, OPT_LTCP, LTCP_IPV6_V6ONLY}};

static int b_sockopt(sc_run *r, sc_call *c) {
  int64_t level;
  if (nargs(r, c, 5, 5) || arg_fd(r, c, 0) || arg_int(r, c, 1, 1, &level)) return -1;
  const sc_expr *name = call_arg(c, 2);
  for (size_t i = 0; name->kind == SC_EXPR_WORD && i < sizeof sockopts / sizeof sockopts[0]; i++)
    if (strcmp(sockopts[i].name, name->text) == 0 && sockopts[i].level == level) {
      c->flags = (int)i;
      return 0;
    }
  sc_skip(r, c->ev->line, "unsupported: %s() option %s (lucidtcp has SO_REUSEADDR SO_LINGER SO_RCVBUF "
          "SO_SNDBUF SO_ERROR SO_KEEPALIVE TCP_NODELAY TCP_MAXSEG TCP_USER_TIMEOUT TCP_KEEP* IPV6_V6ONLY)",
          c->def->name, name->kind == SC_EXPR_WORD ? name->text : "(a number)");
  return -1;
}

static int linger_value(sc_run *r, sc_call *c, const sc_expr *e, int64_t *on, int64_t *secs) {
  const sc_expr *a = field(e, "l_onoff", "onoff"), *b = field(e, "l_linger", "linger");
  if (!a || !b) return arg_fail(r, c, "SO_LINGER wants {l_onoff=..., l_linger=...}", "");
  return eval_int(r, c, a, on) || eval_int(r, c, b, secs) ? -1 : 0;
}

static int a_setsockopt(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  const sockopt_def *d = &sockopts[c->flags];
  int64_t v = 0, secs = 0;
  if (c->lfd < 0) return bad_fd(ret, err);
  sc_fd *f = &r->fds[c->sfd];
  if (d->where == OPT_LINGER) {
    if (linger_value(r, c, call_arg(c, 3), &v, &secs)) return -1;
    f->linger_on = v != 0;
    f->linger_s = (int)secs;
    return result_errno(0, err, ret);
  }
  if (eval_int(r, c, call_arg(c, 3), &v)) return -1;
  return result_errno(ltcp_setsockopt(r->st, c->lfd, d->opt, (int)v), err, ret);
}

static int a_getsockopt(sc_run *r, sc_call *c, int64_t *ret, int *err) {
  const sockopt_def *d = &sockopts[c->flags];
  int v = 0;
  int64_t want, on, secs;
  char a[32];
  if (c->lfd < 0) return bad_fd(ret, err);
  sc_fd *f = &r->fds[c->sfd];
  const sc_expr *e = call_arg(c, 3);
  if (d->where == OPT_LINGER) {
    if (!is_ellipsis(e) && linger_value(r, c, e, &on, &secs) == 0 &&
        ((on != 0) != f->linger_on || (on && secs != f->linger_s))) {
      sc_fail(r, c->ev->line, "getsockopt(SO_LINGER) gives {l_onoff=%d, l_linger=%d}, the script expects {l_onoff=%lld, l_linger=%lld}",
              f->linger_on, f->linger_s, (long long)on, (long long)secs);
      return -1;
    }
    return r->done ? -1 : result_errno(0, err, ret);
  }
  if (ltcp_getsockopt(r->st, c->lfd, d->opt, &v) != 0) return result_errno(-1, err, ret);
  if (!is_ellipsis(e)) {
    if (eval_int(r, c, e, &want)) return -1;
    if (want != v) {
      sc_fail(r, c->ev->line, "getsockopt(%s) gives %d, the script expects %lld", d->name, v, (long long)want);
      sc_detail(r, "expected  %12s  [%lld]", sc_fmt_time(sc_now(r), a), (long long)want);
      sc_detail(r, "actual    %12s  [%d]", a, v);
      return -1;
    }
  }
  return result_errno(0, err, ret);
}

static const sc_syscall_def defs[] = {
    {"socket", b_socket, a_socket, 1},     {"bind", b_bind, a_bind, 0},
    {"listen", b_listen, a_listen, 0},     {"accept", b_accept, a_accept, 1},
    {"connect", b_connect, a_connect, 0},  {"fcntl", b_fcntl, a_fcntl, 0},
    {"read", b_io, a_read, 0},             {"recv", b_io, a_read, 0},
    {"readv", b_io, a_read, 0},            {"write", b_io, a_write, 0},
    {"send", b_io, a_write, 0},            {"writev", b_io, a_write, 0},
    {"shutdown", b_shutdown, a_shutdown, 0}, {"close", b_fd_only, a_close, 0},
    {"poll", b_poll, a_poll, 0},           {"setsockopt", b_sockopt, a_setsockopt, 0},
    {"getsockopt", b_sockopt, a_getsockopt, 0}};

/* ---- completion ---- */

static void fmt_result(int64_t ret, int err, char *buf, size_t cap) {
  if (ret == -1 && err) snprintf(buf, cap, "= -1 %s (%s)", errno_name(err), strerror(err));
  else snprintf(buf, cap, "= %lld", (long long)ret);
}

static int result_ok(sc_run *r, const sc_call *c, int64_t ret, int err) {
  const sc_syscall *s = c->ev->syscall;
  if (s->result->kind == SC_EXPR_ELLIPSIS) return 1;
  int64_t want = s->result->num, want_err;
  if (c->def->returns_fd && want >= 0) return ret >= 0;
  if (want == -1 && s->errno_name) {
    if (sym_find(errnos, sizeof errnos / sizeof errnos[0], s->errno_name, &want_err)) {
      sc_fail(r, c->ev->line, "unknown errno name %s", s->errno_name);
      return 0;
    }
    return ret == -1 && err == want_err;
  }
  return ret == want;
}

static void result_mismatch(sc_run *r, const sc_call *c, int64_t ret, int err) {
  const sc_syscall *s = c->ev->syscall;
  char exp[160], act[160], a[32], b[32];
  if (s->result->kind == SC_EXPR_INT && s->errno_name) snprintf(exp, sizeof exp, "= %lld %s", (long long)s->result->num, s->errno_name);
  else snprintf(exp, sizeof exp, "= %lld", (long long)s->result->num);
  fmt_result(ret, err, act, sizeof act);
  sc_fail(r, c->ev->line, "%s() returned %s, the script expects %s", c->def->name, act + 2, exp + 2);
  sc_detail(r, "expected  %12s  %s", sc_fmt_time(c->end, a), exp);
  sc_detail(r, "actual    %12s  %s", sc_fmt_time(sc_now(r), b), act);
}

/* socket() and accept(): "= 4" names the new descriptor. */
static void register_fd(sc_run *r, const sc_call *c, int lfd) {
  const sc_expr *x = c->ev->syscall->result;
  int sfd = x->kind == SC_EXPR_INT && x->num >= 0 ? (int)x->num : -1;
  for (int i = 3; sfd < 0 && i < SC_MAX_FDS; i++)
    if (!r->fds[i].open) sfd = i;
  if (sfd < 0 || sfd >= SC_MAX_FDS || r->fds[sfd].open) {
    sc_fail(r, c->ev->line, "%s(): descriptor %d is already open or out of range (0..%d)", c->def->name, sfd, SC_MAX_FDS - 1);
    return;
  }
  memset(&r->fds[sfd], 0, sizeof r->fds[sfd]);
  r->fds[sfd].open = 1;
  r->fds[sfd].lfd = lfd;
  r->fds[sfd].nonblock = strcmp(c->def->name, "socket") == 0 && c->flags;
  r->fds[sfd].v6 = strcmp(c->def->name, "socket") == 0 && c->ep.family == LTCP_AF_INET6;
  r->under_test = sfd;
  r->under_test_conn = 0;
}

static void fmt_poll(int v, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++)
    if (strncmp(symbols[i].name, "POLL", 4) == 0 && (v & symbols[i].value)) {
      n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "|" : "", symbols[i].name);
      if (n >= cap) break;
    }
  if (!n) snprintf(buf, cap, "0");
}

/* poll(): each revents= the script gives must be what lucidtcp reports. */
static int poll_revents_ok(sc_run *r, const sc_call *c) {
  char a[32], w[96], g[96];
  for (size_t i = 0; i < c->npfd; i++) {
    int64_t v;
    if (!c->revents[i] || is_ellipsis(c->revents[i])) continue;
    if (eval_int(r, c, c->revents[i], &v)) return 0;
    if (v == c->pfd[i].revents) continue;
    fmt_poll((int)v, w, sizeof w);
    fmt_poll(c->pfd[i].revents, g, sizeof g);
    sc_fail(r, c->ev->line, "poll(): revents of entry %zu is %s, the script expects %s", i + 1, g, w);
    sc_detail(r, "expected  %12s  revents=%s", sc_fmt_time(sc_now(r), a), w);
    sc_detail(r, "actual    %12s  revents=%s", a, g);
    return 0;
  }
  return 1;
}

static void call_finish(sc_run *r, sc_call *c, int64_t ret, int err) {
  char a[32], b[32], d[32];
  c->active = 0;
  ltcp_time_ns now = sc_now(r), tol = sc_tolerance(r, c->end);
  sc_trace(r, "%s() = %lld%s%s", c->def->name, (long long)ret, ret == -1 ? " " : "", ret == -1 ? errno_name(err) : "");
  if (!result_ok(r, c, ret, err)) {
    if (!r->done) result_mismatch(r, c, ret, err);
    return;
  }
  if (now + tol < c->end || now > c->end + tol) {
    sc_fail(r, c->ev->line, "timing: %s() returned at %s s, the script expects it at %s s (tolerance %s s)",
            c->def->name, sc_fmt_time(now, a), sc_fmt_time(c->end, b), sc_fmt_time(tol, d));
    return;
  }
  if (c->def->attempt == a_poll && !poll_revents_ok(r, c)) return;
  if (c->def->returns_fd && ret >= 0) register_fd(r, c, (int)ret);
  under_test_refresh(r);
}

/* packetdrill's system calls that lucidtcp's socket API does not offer. */
static const char *const lacking[] = {"recvfrom", "recvmsg", "sendto", "sendmsg", "sendfile", "ioctl",
                                      "open", "pipe", "splice", "epoll_create", "epoll_ctl",
                                      "epoll_wait", "getsockname", "getpeername", "socketpair", "select"};

static int is_lacking(const char *name) {
  for (size_t i = 0; i < sizeof lacking / sizeof lacking[0]; i++)
    if (strcmp(lacking[i], name) == 0) return 1;
  return 0;
}

static const sc_syscall_def *find_def(const char *name) {
  for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
    if (strcmp(defs[i].name, name) == 0) return &defs[i];
  return NULL;
}

int sc_syscall_run(sc_run *r, const sc_event *ev, ltcp_time_ns end) {
  sc_call *c = &r->call;
  const sc_syscall_def *def = find_def(ev->syscall->name);
  if (!def && is_lacking(ev->syscall->name)) {
    sc_skip(r, ev->line, "unsupported: system call %s()", ev->syscall->name);
    return -1;
  }
  if (!def) { /* a typo must not pass as a skip */
    sc_fail(r, ev->line, "unknown system call %s() (not one packetdrill has)", ev->syscall->name);
    return -1;
  }
  memset(c, 0, sizeof *c);
  c->ev = ev;
  c->def = def;
  c->sfd = c->lfd = -1;
  c->start = sc_now(r);
  c->end = end;
  c->deadline = end + sc_tolerance(r, end);
  c->wake = LTCP_TIME_NEVER;
  sc_trace(r, "%s() (line %d)", def->name, ev->line);
  if (def->begin(r, c) < 0) return -1;
  int64_t ret = 0;
  int err = 0;
  int rc = def->attempt(r, c, &ret, &err);
  if (rc < 0) return -1;
  if (rc == 1) call_finish(r, c, ret, err);
  else c->active = 1;
  return 0;
}

void sc_syscall_retry(sc_run *r) {
  sc_call *c = &r->call;
  if (!c->active || r->done) return;
  int64_t ret = 0;
  int err = 0;
  int rc = c->def->attempt(r, c, &ret, &err);
  if (rc < 0) c->active = 0;
  else if (rc == 1) call_finish(r, c, ret, err);
}

void sc_under_test_status(sc_run *r, ltcp_tcp_info *info, int *full) {
  int u = r->under_test;
  memset(info, 0, sizeof *info);
  *full = 0;
  if (u >= 0 && r->fds[u].open && ltcp_status(sc_stack(r), r->fds[u].lfd, info) == 0 && info->conn_id) {
    *full = 1;
    return;
  }
  memset(info, 0, sizeof *info);
  const sc_conn *k = r->under_test_conn ? sc_conns_find(&r->conns, r->under_test_conn) : NULL;
  info->state = k ? k->state : LTCP_CLOSED;
}
