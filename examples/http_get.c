/* Fetches a URL with HTTP/1.0 over a TUN device and writes the body to standard output (the
 * status line to standard error), with lucidtcp's real-time loop (loop.h) doing the I/O.
 *
 *   ip tuntap add dev tun0 mode tun && ip addr add 198.18.0.1/24 dev tun0 && ip link set tun0 up
 *   python3 -m http.server --bind 198.18.0.1 8000 &
 *   ./http_get tun0 198.18.0.2 http://198.18.0.1:8000/ > index.html
 *
 * It needs CAP_NET_ADMIN (root) to attach to the device. Addresses only: no DNS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lucidtcp/loop.h>
#include <lucidtcp/lucidtcp.h>
#include <lucidtcp/tun.h>

#define TIMEOUT_NS LTCP_SEC(10) /* the whole fetch, connection included */
#define LINGER_NS LTCP_SEC(1)   /* after our FIN, how long we wait for the server's ACK */

typedef struct fetch {
  ltcp_stack *st;
  ltcp_loop *loop;
  int fd;
  char request[512];
  size_t req_len, req_sent;
  int in_body, closed;
  char head[4096]; /* the response up to the blank line after the headers (4 KiB at most) */
  size_t head_len;
  ltcp_time_ns deadline;
} fetch;

/* "http://A.B.C.D[:PORT]/PATH": the endpoint and the request for PATH. 0, or -1. */
static int parse_url(fetch *f, const char *url, ltcp_endpoint *server) {
  char host[16] = "";
  unsigned port = 80;
  int n = 0;
  if (sscanf(url, "http://%15[0-9.]%n", host, &n) != 1) return -1;
  const char *rest = url + n;
  if (*rest == ':' && sscanf(rest, ":%u%n", &port, &n) == 1) rest += n;
  if (port == 0 || port > 65535 || (*rest != '/' && *rest != '\0')) return -1;
  if (ltcp_ipv4_parse_text(host, &server->addr) != 0) return -1;
  server->port = (uint16_t)port;
  int len = snprintf(f->request, sizeof f->request,
                     "GET %s HTTP/1.0\r\nHost: %s:%u\r\nUser-Agent: lucidtcp-example\r\n\r\n",
                     *rest ? rest : "/", host, port);
  if (len < 0 || (size_t)len >= sizeof f->request) return -1;
  f->req_len = (size_t)len;
  return 0;
}

/* Response bytes: the headers are held until their end, the status line goes to stderr and
 * the body to stdout. */
static void take(fetch *f, const char *data, size_t n) {
  if (f->in_body) {
    fwrite(data, 1, n, stdout);
    return;
  }
  size_t room = sizeof f->head - 1 - f->head_len, k = n < room ? n : room;
  memcpy(f->head + f->head_len, data, k);
  f->head_len += k;
  f->head[f->head_len] = '\0';
  char *end = strstr(f->head, "\r\n\r\n");
  if (!end) return;
  f->in_body = 1;
  fprintf(stderr, "http_get: %.*s\n", (int)strcspn(f->head, "\r\n"), f->head);
  size_t body = (size_t)(end + 4 - f->head);
  fwrite(f->head + body, 1, f->head_len - body, stdout);
  if (k < n) fwrite(data + k, 1, n - k, stdout);
}

/* The step hook: send the request once connected, read the response until the server's FIN,
 * close, and stop when the connection is gone (or the time is up). */
static void fetch_step(void *ctx, ltcp_loop *loop) {
  fetch *f = ctx;
  if (ltcp_loop_now(loop) >= f->deadline) {
    fprintf(stderr, "http_get: %s\n", f->closed ? "done (no final ACK)" : "timed out");
    ltcp_loop_stop(loop, f->closed ? 0 : 1);
    return;
  }
  if (f->closed) {
    if (ltcp_stack_connection_count(f->st) == 0) ltcp_loop_stop(loop, f->in_body ? 0 : 1);
    return;
  }
  int err = ltcp_socket_error(f->st, f->fd); /* e.g. ECONNREFUSED, ETIMEDOUT */
  if (err) {
    fprintf(stderr, "http_get: %s\n", ltcp_strerror(err));
    ltcp_loop_stop(loop, 1);
    return;
  }
  while (f->req_sent < f->req_len) {
    ssize_t n = ltcp_send(f->st, f->fd, f->request + f->req_sent, f->req_len - f->req_sent, 0);
    if (n <= 0) break; /* not connected yet (ENOTCONN/EAGAIN): the next turn tries again */
    f->req_sent += (size_t)n;
  }
  char buf[16384];
  ssize_t n;
  while ((n = ltcp_recv(f->st, f->fd, buf, sizeof buf, 0)) > 0) take(f, buf, (size_t)n);
  if (n == 0) { /* the server's FIN: the whole response is here */
    fflush(stdout);
    ltcp_close(f->st, f->fd);
    f->closed = 1;
    f->deadline = ltcp_loop_now(loop) + LINGER_NS;
  }
  ltcp_loop_wake_at(loop, f->deadline);
}

static int run(ltcp_tun *tun, uint32_t addr, const char *url) {
  static fetch f;
  ltcp_endpoint server = {0}; /* zeroed: family 0 is IPv4, and no field is left undefined */
  if (parse_url(&f, url, &server) != 0) {
    fprintf(stderr, "http_get: not a URL of the form http://A.B.C.D[:PORT]/PATH: %s\n", url);
    return 2;
  }
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.mtu = (uint16_t)tun->mtu;
  cfg.seed = ltcp_loop_random_seed();
  f.st = ltcp_stack_new(&cfg);
  ltcp_loop_config lc = {.st = f.st, .tun = tun, .hooks = {.step = fetch_step, .ctx = &f}};
  int err = LTCP_ENOMEM;
  if (f.st) f.loop = ltcp_loop_new(&lc, &err);
  if (!f.loop) {
    fprintf(stderr, "http_get: cannot start: %s\n", ltcp_strerror(err));
    ltcp_stack_free(f.st);
    return 1;
  }
  f.deadline = ltcp_loop_now(f.loop) + TIMEOUT_NS;
  f.fd = ltcp_socket(f.st);
  /* -1 with EINPROGRESS: the SYN goes out on the first turn. */
  int status = 1;
  if (ltcp_connect(f.st, f.fd, &server) != 0 && errno != EINPROGRESS)
    fprintf(stderr, "http_get: connect: %s\n", ltcp_strerror(errno));
  else
    status = ltcp_loop_run(f.loop);
  ltcp_stack_free(f.st);
  ltcp_loop_free(f.loop);
  return status;
}

int main(int argc, char **argv) {
  uint32_t addr;
  if (argc != 4 || ltcp_ipv4_parse_text(argv[2], &addr) != 0) {
    fprintf(stderr, "usage: http_get DEVICE ADDRESS URL   "
                    "(e.g. http_get tun0 198.18.0.2 http://198.18.0.1:8000/)\n");
    return 2;
  }
  ltcp_tun tun;
  int sys_errno;
  ltcp_tun_error te = ltcp_tun_open(&tun, argv[1], &sys_errno);
  if (te != LTCP_TUN_OK) {
    char msg[320];
    fprintf(stderr, "http_get: %s\n", ltcp_tun_strerror(te, sys_errno, argv[1], msg, sizeof msg));
    return 1;
  }
  int rc = run(&tun, addr, argv[3]);
  ltcp_tun_close(&tun);
  return rc;
}
