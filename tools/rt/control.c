/* The control socket (control.h): a Unix stream socket served from the real-time loop. */
#define _GNU_SOURCE /* accept4 */
#include "rt/control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- the listing */

typedef struct rt_listing {
  char *buf;
  size_t len, cap;
  ltcp_time_ns now;
  int failed;
} rt_listing;

static void rt_listing_add(rt_listing *l, const char *text, size_t n) {
  if (l->failed) return;
  if (l->len + n + 1 > l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4096;
    while (cap < l->len + n + 1) cap *= 2;
    char *b = realloc(l->buf, cap);
    if (!b) {
      l->failed = 1;
      return;
    }
    l->buf = b;
    l->cap = cap;
  }
  memcpy(l->buf + l->len, text, n);
  l->len += n;
  l->buf[l->len] = '\0';
}

/* A deadline as nanoseconds from now ("-" when not armed, 0 when due). */
static int rt_listing_due(char *buf, size_t cap, ltcp_time_ns at, ltcp_time_ns now) {
  if (at == LTCP_TIME_NEVER) return snprintf(buf, cap, "-");
  return snprintf(buf, cap, "%llu", (unsigned long long)(at > now ? at - now : 0));
}

static void rt_listing_timers(const ltcp_conn_info *ci, ltcp_time_ns now, char *buf, size_t cap) {
  size_t n = 0;
  for (int k = 0; k < LTCP_TIMER_COUNT && n < cap; k++) {
    if (ci->timer_at[k] == LTCP_TIME_NEVER) continue;
    int w = snprintf(buf + n, cap - n, "%s%s:", n ? "," : "", ltcp_timer_name((ltcp_timer)k));
    if (w > 0 && (size_t)w < cap - n) n += (size_t)w;
    w = rt_listing_due(buf + n, cap - n, ci->timer_at[k], now);
    if (w > 0 && (size_t)w < cap - n) n += (size_t)w;
  }
  if (n == 0) snprintf(buf, cap, "-");
}

static void rt_listing_conn(void *ctx, const ltcp_conn_info *ci) {
  rt_listing *l = ctx;
  const ltcp_tcp_info *t = &ci->tcp;
  char la[LTCP_ENDPOINT_STRLEN], ra[LTCP_ENDPOINT_STRLEN], timers[160], delack[24];
  char line[RT_CONTROL_LINE];
  rt_listing_timers(ci, l->now, timers, sizeof timers);
  rt_listing_due(delack, sizeof delack, ci->delack_at, l->now);
  int n = snprintf(line, sizeof line,
                   "conn id=%llu state=%s local=%s remote=%s fd=%d recvq=%u sendq=%u "
                   "unacked=%u srtt_us=%llu rttvar_us=%llu rto_us=%llu cwnd=%u ssthresh=%u "
                   "retrans=%u mss=%u compact=%u asleep=%u timers=%s delack=%s\n",
                   (unsigned long long)t->conn_id, ltcp_state_name(t->state),
                   ltcp_endpoint_format(&t->local, la), ltcp_endpoint_format(&t->remote, ra),
                   (int)ci->fd,
                   t->readable, t->unsent + t->unacked, t->unacked,
                   (unsigned long long)(t->srtt_ns / 1000), (unsigned long long)(t->rttvar_ns / 1000),
                   (unsigned long long)(t->rto_ns / 1000), t->cwnd, t->ssthresh, t->retransmits,
                   t->snd_mss, ci->compact, ci->asleep, timers, delack);
  if (n > 0) rt_listing_add(l, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

char *rt_control_listing(ltcp_stack *st, const char *cmd, ltcp_time_ns now, size_t *len) {
  rt_listing l = {.now = now};
  char head[128];
  int n = snprintf(head, sizeof head, "lucidtcp-control %d cmd=%s pid=%ld conns=%u\n",
                   RT_CONTROL_VERSION, cmd, (long)getpid(), ltcp_stack_connection_count(st));
  rt_listing_add(&l, head, (size_t)n);
  ltcp_stack_connections(st, rt_listing_conn, &l);
  rt_listing_add(&l, "end\n", 4);
  if (l.failed) {
    free(l.buf);
    return NULL;
  }
  *len = l.len;
  return l.buf;
}

/* ---- the socket */

static int rt_control_addr(const char *path, struct sockaddr_un *sa) {
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  if (strlen(path) >= sizeof sa->sun_path) return -1;
  memcpy(sa->sun_path, path, strlen(path) + 1);
  return 0;
}

int rt_control_check(const char *path, char *err, size_t cap) {
  struct sockaddr_un sa;
  struct stat sb;
  if (!*path) return snprintf(err, cap, "--control wants a path"), -1;
  if (rt_control_addr(path, &sa) != 0)
    return snprintf(err, cap, "--control '%s': too long for a Unix socket (at most %zu bytes)",
                    path, sizeof sa.sun_path - 1), -1;
  if (lstat(path, &sb) == 0 && !S_ISSOCK(sb.st_mode))
    return snprintf(err, cap, "--control '%s': a file that is not a socket is there; it is not "
                    "replaced", path), -1;
  char dir[sizeof sa.sun_path];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) *(slash == dir ? slash + 1 : slash) = '\0';
  else snprintf(dir, sizeof dir, ".");
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return snprintf(err, cap, "--control '%s': no directory '%s'", path, dir), -1;
  return 0;
}

/* A socket already at path: answered (another process serves it) or stale (removed). */
static int rt_control_clear(const char *path, const struct sockaddr_un *sa, char *err, size_t cap) {
  struct stat sb;
  if (lstat(path, &sb) != 0) return 0;
  if (!S_ISSOCK(sb.st_mode))
    return snprintf(err, cap, "--control '%s': a file that is not a socket is there; it is not "
                    "replaced", path), -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return snprintf(err, cap, "socket: %s", strerror(errno)), -1;
  int live = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
  close(fd);
  if (live)
    return snprintf(err, cap, "--control '%s': another process is serving it", path), -1;
  unlink(path);
  return 0;
}

int rt_control_open(rt_control *c, const char *path, const char *cmd, ltcp_loop *loop,
                    char *err, size_t cap) {
  struct sockaddr_un sa;
  memset(c, 0, sizeof *c);
  c->lfd = -1;
  c->cmd = cmd;
  for (int i = 0; i < RT_CONTROL_CLIENTS; i++) c->clients[i].fd = -1;
  err[0] = '\0';
  if (rt_control_addr(path, &sa) != 0 || rt_control_clear(path, &sa, err, cap) != 0) {
    if (!*err) snprintf(err, cap, "--control '%s': too long", path);
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return snprintf(err, cap, "socket: %s", strerror(errno)), -1;
  mode_t old = umask(0177); /* the socket is made 0600, never wider for an instant */
  int rc = bind(fd, (const struct sockaddr *)&sa, sizeof sa);
  umask(old);
  if (rc != 0 || listen(fd, RT_CONTROL_CLIENTS) != 0 ||
      ltcp_loop_watch(loop, fd, LTCP_LOOP_IN) != 0) {
    snprintf(err, cap, "--control '%s': %s", path, strerror(errno));
    if (rc == 0) unlink(path);
    close(fd);
    return -1;
  }
  c->lfd = fd;
  c->path = path;
  return 0;
}

static void rt_control_drop(rt_control *c, ltcp_loop *loop, rt_control_client *cl) {
  ltcp_loop_watch(loop, cl->fd, 0);
  close(cl->fd);
  free(cl->buf);
  memset(cl, 0, sizeof *cl);
  cl->fd = -1;
  c->served++;
}

/* Writes what the socket takes; the client is done when all is written or it went away. */
static void rt_control_write(rt_control *c, ltcp_loop *loop, rt_control_client *cl) {
  while (cl->off < cl->len) {
    ssize_t k = send(cl->fd, cl->buf + cl->off, cl->len - cl->off, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return; /* LTCP_LOOP_OUT again */
    if (k <= 0) break;
    cl->off += (size_t)k;
  }
  rt_control_drop(c, loop, cl);
}

/* A new client: sent the listing now, as far as its socket takes it. Bounded: one accept per
 * readiness report, the backlog drains over the turns. */
static void rt_control_accept(rt_control *c, ltcp_loop *loop, ltcp_stack *st) {
  int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;
  rt_control_client *cl = NULL;
  for (int i = 0; i < RT_CONTROL_CLIENTS && !cl; i++)
    if (c->clients[i].fd < 0) cl = &c->clients[i];
  size_t len = 0;
  char *buf = cl ? rt_control_listing(st, c->cmd, ltcp_loop_now(loop), &len) : NULL;
  if (!buf || ltcp_loop_watch(loop, fd, LTCP_LOOP_OUT) != 0) {
    static const char busy[] = "lucidtcp-control 1 busy\n";
    (void)!send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    free(buf);
    close(fd);
    return;
  }
  *cl = (rt_control_client){fd, buf, len, 0};
  rt_control_write(c, loop, cl);
}

int rt_control_ready(rt_control *c, ltcp_loop *loop, ltcp_stack *st, int fd, uint32_t ready) {
  (void)ready;
  if (c->lfd < 0) return 0;
  if (fd == c->lfd) {
    rt_control_accept(c, loop, st);
    return 1;
  }
  for (int i = 0; i < RT_CONTROL_CLIENTS; i++)
    if (c->clients[i].fd == fd) {
      rt_control_write(c, loop, &c->clients[i]);
      return 1;
    }
  return 0;
}

void rt_control_close(rt_control *c, ltcp_loop *loop) {
  if (c->lfd < 0) return;
  for (int i = 0; i < RT_CONTROL_CLIENTS; i++)
    if (c->clients[i].fd >= 0) rt_control_drop(c, loop, &c->clients[i]);
  ltcp_loop_watch(loop, c->lfd, 0);
  struct stat sb; /* a socket still: nobody put a file there since */
  if (lstat(c->path, &sb) == 0 && S_ISSOCK(sb.st_mode)) unlink(c->path);
  close(c->lfd);
  c->lfd = -1;
}
