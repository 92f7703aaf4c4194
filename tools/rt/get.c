/* lucidtcp get: an HTTP/1.1 download over lucidtcp's stack, with a progress bar on a terminal. */
#define _GNU_SOURCE
#include "rt/get.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt/client.h"
#include "rt/http.h"

#define GET_BUF 65536
#define GET_PROGRESS_NS LTCP_MS(250)
#define GET_BAR 24

typedef enum get_chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE } get_chunk_state;

typedef struct get_app {
  rt_ctx rt;               /* first: the skeleton's part */
  rt_client cl;
  const char *url, *host, *path, *out_path;
  char host_buf[64], path_buf[2048];
  int out_fd;
  int done, progress;
  char req[2400];
  size_t req_len, req_off;
  char head[HTTP_HEAD_MAX];
  size_t head_len;
  http_response resp;
  int have_head;
  uint64_t body;           /* body bytes written */
  get_chunk_state chunk;
  uint64_t chunk_left;
  char chunk_line[32];
  size_t chunk_line_len;
  ltcp_time_ns started, last_progress;
  uint8_t buf[GET_BUF];
} get_app;
_Static_assert(offsetof(get_app, rt) == 0, "rt_main finds its rt_ctx at the start");

static const char get_usage_text[] =
    "usage: lucidtcp get --tun DEV --addr ADDR/PREFIX [options] http://HOST[:PORT]/PATH -o FILE\n"
    "\n"
    "Downloads one URL over HTTP/1.1 with lucidtcp's stack through the TUN device DEV, into\n"
    "FILE ('-' or no -o: standard output). On a terminal, standard error shows a progress bar\n"
    "(bytes, rate, ETA); otherwise nothing is printed but errors. HOST is an IPv4 address on\n"
    "lucidtcp's link. The request says 'Connection: close', so the server closes first.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  where the body goes\n"
    RT_HELP_TUN
    "  --addr ADDR/PREFIX lucidtcp's own IPv4 address on the link (e.g. 198.18.0.2/24)\n"
    RT_HELP_TRACE_PCAP_MSL
    RT_HELP_IMPAIR_SEE_SERVE
    RT_HELP_OFFLOAD_BUSY_POLL
    "\n"
    "On SIGINT or SIGTERM the connection is reset.\n"
    "exit status: 0 when a 2xx response arrived whole, 1 for another status, a connection\n"
    "that failed or ended early, or a device that cannot be set up, 2 for a bad option,\n"
    "130 or 143 after SIGINT or SIGTERM.\n";

/* ---- progress */

static void get_bytes(char *buf, size_t cap, double v) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, u++;
  snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void get_progress(get_app *g, int final) {
  if (!g->progress) return;
  ltcp_time_ns now = ltcp_loop_now(g->rt.loop);
  if (!final && now - g->last_progress < GET_PROGRESS_NS) return;
  g->last_progress = now;
  double secs = (double)(now - g->started) / 1e9;
  double rate = secs > 0 ? (double)g->body / secs : 0;
  char got[32], total[32], r[32], line[160];
  get_bytes(got, sizeof got, (double)g->body);
  get_bytes(r, sizeof r, rate);
  int64_t len = g->resp.content_length;
  if (g->have_head && len > 0) {
    char bar[GET_BAR + 1];
    int fill = (int)((double)g->body * GET_BAR / (double)len);
    for (int i = 0; i < GET_BAR; i++) bar[i] = i < fill ? '#' : '.';
    bar[GET_BAR] = '\0';
    get_bytes(total, sizeof total, (double)len);
    double eta = rate > 0 ? (double)((uint64_t)len - g->body) / rate : 0;
    snprintf(line, sizeof line, "%10s / %-10s %3d%% [%s] %10s/s  ETA %d:%02d", got, total,
             (int)((double)g->body * 100 / (double)len), bar, r, (int)eta / 60, (int)eta % 60);
  } else {
    snprintf(line, sizeof line, "%10s  %10s/s", got, r);
  }
  fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
  fflush(stderr);
}

/* ---- the response body */

static int get_write(get_app *g, const uint8_t *p, size_t n) {
  while (n > 0) { /* bounded: each pass writes at least one byte or fails */
    ssize_t w = write(g->out_fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      rt_error(&g->rt, "writing %s: %s", g->out_path, strerror(errno));
      return -1;
    }
    p += w;
    n -= (size_t)w;
    g->body += (uint64_t)w;
  }
  return 0;
}

/* One line of chunk framing ("1a2b;ext", an empty line, a trailer line). */
static int get_chunk_line(get_app *g) {
  g->chunk_line[g->chunk_line_len] = '\0';
  g->chunk_line_len = 0;
  if (g->chunk == CH_DATA_END) {
    g->chunk = CH_SIZE;
    return g->chunk_line[0] == '\0' ? 0 : -1;
  }
  if (g->chunk == CH_TRAILER) {
    if (g->chunk_line[0] == '\0') g->chunk = CH_DONE;
    return 0;
  }
  char *end;
  g->chunk_left = strtoull(g->chunk_line, &end, 16);
  if (end == g->chunk_line) return -1;
  g->chunk = g->chunk_left ? CH_DATA : CH_TRAILER;
  return 0;
}

/* RFC 9112 §7.1 chunked transfer coding. */
static int get_chunked(get_app *g, const uint8_t *p, size_t n) {
  while (n > 0 && g->chunk != CH_DONE) { /* bounded: each pass consumes at least one byte */
    if (g->chunk == CH_DATA) {
      size_t k = n < g->chunk_left ? n : (size_t)g->chunk_left;
      if (get_write(g, p, k) < 0) return -1;
      p += k, n -= k, g->chunk_left -= k;
      if (g->chunk_left == 0) g->chunk = CH_DATA_END;
      continue;
    }
    char c = (char)*p++;
    n--;
    if (c == '\r') continue;
    if (c == '\n') {
      if (get_chunk_line(g) < 0) return -1;
    } else if (g->chunk_line_len + 1 < sizeof g->chunk_line) {
      g->chunk_line[g->chunk_line_len++] = c;
    }
  }
  return 0;
}

static int get_body(get_app *g, const uint8_t *p, size_t n) {
  if (g->resp.chunked) {
    if (get_chunked(g, p, n) < 0) return -1;
    g->done = g->chunk == CH_DONE;
    return 0;
  }
  if (g->resp.content_length >= 0) {
    uint64_t left = (uint64_t)g->resp.content_length - g->body;
    if (n > left) n = (size_t)left;
  }
  if (get_write(g, p, n) < 0) return -1;
  g->done = g->resp.content_length >= 0 && g->body == (uint64_t)g->resp.content_length;
  return 0;
}

/* Bytes of the response, head first. 0, or -1 when the download has failed (after a message). */
static int get_take(get_app *g, const uint8_t *p, size_t n) {
  if (g->have_head) return get_body(g, p, n);
  size_t room = sizeof g->head - g->head_len;
  size_t k = n < room ? n : room;
  memcpy(g->head + g->head_len, p, k);
  g->head_len += k;
  int rc = http_parse_response(g->head, g->head_len, &g->resp);
  if (rc < 0) {
    rt_error(&g->rt, "%s: not an HTTP/1.x response", g->url);
    return -1;
  }
  if (rc == 0) return 0;
  g->have_head = 1;
  if (g->resp.status < 200 || g->resp.status > 299) {
    rt_error(&g->rt, "%s: HTTP %d %s", g->url, g->resp.status, g->resp.reason);
    return -1;
  }
  size_t body_here = g->head_len - (size_t)g->resp.head_len;
  g->done = !g->resp.chunked && g->resp.content_length == 0;
  const uint8_t *head_body = (const uint8_t *)g->head + g->resp.head_len;
  if (body_here && get_body(g, head_body, body_here) < 0) return -1;
  return k < n ? get_body(g, p + k, n - k) : 0;
}

/* ---- the connection */

/* The progress bar's last line, then the connection's end (rt_client_end). */
static void get_stop(get_app *g, int status) {
  get_progress(g, 1);
  rt_client_end(&g->rt, &g->cl, status);
}

static void get_conn_error(get_app *g, int err) {
  rt_client_fail(&g->rt, &g->cl, err);
  get_progress(g, 1);
}

/* 0 while going, 1 at the end of the response, -1 on failure (reported). */
static int get_recv(get_app *g) {
  for (int i = 0; i < 64; i++) {
    ssize_t n = ltcp_recv(g->rt.st, g->cl.fd, g->buf, sizeof g->buf, 0);
    if (n < 0) {
      if (errno == EAGAIN) return 0;
      get_conn_error(g, errno);
      return -1;
    }
    if (n == 0) {
      if (g->have_head && !g->resp.chunked && g->resp.content_length < 0) return 1; /* to EOF */
      rt_error(&g->rt, "%s: the server closed the connection after %llu body bytes%s",
               g->url, (unsigned long long)g->body, g->have_head ? "" : " (no response)");
      return -1;
    }
    if (get_take(g, g->buf, (size_t)n) < 0) return -1;
    if (g->done) return 1;
  }
  return 0;
}

static void get_step(void *app) {
  get_app *g = app;
  ltcp_loop *loop = g->rt.loop;
  int was_connected = g->cl.connected;
  int up = rt_client_poll(&g->rt, &g->cl);
  if (up < 0) get_progress(g, 1);
  if (up != 1) return;
  if (!was_connected) g->started = ltcp_loop_now(loop);
  while (g->req_off < g->req_len) { /* bounded: the request is small */
    ssize_t n = ltcp_send(g->rt.st, g->cl.fd, g->req + g->req_off, g->req_len - g->req_off, 0);
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) {
      get_conn_error(g, errno);
      return;
    }
    g->req_off += (size_t)n;
  }
  int rc = get_recv(g);
  if (rc < 0) {
    if (!g->cl.closed) get_stop(g, 1);
    return;
  }
  if (rc == 1) {
    get_stop(g, 0);
    return;
  }
  get_progress(g, 0);
  if (g->progress) ltcp_loop_wake_at(loop, g->last_progress + GET_PROGRESS_NS);
}

/* Resets the connection; the progress bar's line is ended first. */
static int get_signal(void *app, int signo) {
  get_app *g = app;
  if (g->progress) fputc('\n', stderr);
  return rt_client_signal(&g->rt, &g->cl, signo);
}

/* ---- options */

/* http://A.B.C.D[:PORT][/PATH]: 0 or -1. */
static int get_parse_url(get_app *g, const char *url) {
  if (strncmp(url, "http://", 7) != 0) return -1;
  const char *h = url + 7;
  size_t hl = strcspn(h, "/?#");
  if (hl == 0 || hl >= sizeof g->host_buf) return -1;
  snprintf(g->host_buf, sizeof g->host_buf, "%.*s", (int)hl, h);
  const char *rest = h + hl;
  snprintf(g->path_buf, sizeof g->path_buf, "%s%s", *rest == '/' ? "" : "/", rest);
  char addr[64];
  snprintf(addr, sizeof addr, "%s", g->host_buf);
  char *colon = strchr(addr, ':');
  g->cl.remote.port = 80;
  if (colon) {
    *colon = '\0';
    if (rt_parse_port(colon + 1, &g->cl.remote.port) != 0) return -1;
  }
  if (ltcp_ipv4_parse_text(addr, &g->cl.remote.addr) != 0) return -1;
  g->url = url;
  g->host = g->host_buf;
  g->path = g->path_buf;
  return 0;
}

static int get_option(void *app, int argc, char **argv, int *i) {
  get_app *g = app;
  const char *a = argv[*i];
  int rc = rt_opts_value(&g->rt.o, argc, argv, i, "-o", &g->out_path);
  if (rc == 0) rc = rt_opts_value(&g->rt.o, argc, argv, i, "--output", &g->out_path);
  if (rc) return rc;
  if (a[0] == '-' && a[1] != '\0') return 0;
  if (g->url) return rt_usage_error(&g->rt.o, "unexpected argument '%s'", a);
  if (get_parse_url(g, a) != 0)
    return rt_usage_error(&g->rt.o, "wants a URL http://HOST[:PORT]/PATH with HOST an IPv4 "
                          "address, not '%s'", a);
  return 1;
}

static int get_check(void *app) {
  get_app *g = app;
  if (!g->url) return rt_usage_error(&g->rt.o, "wants a URL http://HOST[:PORT]/PATH");
  return rt_opts_check_peer(&g->rt.o, g->cl.remote.addr, g->host);
}

/* The output file and the request; socket, connect. 0, or RT_EXIT_FAIL after a message. */
static int get_open(void *app) {
  get_app *g = app;
  if (!g->out_path || strcmp(g->out_path, "-") == 0) {
    g->out_path = "standard output";
    g->out_fd = STDOUT_FILENO;
  } else if ((g->out_fd = open(g->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
    rt_error(&g->rt, "cannot write %s: %s", g->out_path, strerror(errno));
    return RT_EXIT_FAIL;
  }
  int n = snprintf(g->req, sizeof g->req,
                   "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: lucidtcp/0.1.0\r\nAccept: */*\r\n"
                   "Connection: close\r\n\r\n", g->path, g->host);
  g->req_len = (size_t)n;
  if (rt_client_open(&g->rt, &g->cl) != 0) return RT_EXIT_FAIL;
  g->progress = isatty(STDERR_FILENO) && g->out_fd != STDERR_FILENO;
  g->started = ltcp_loop_now(g->rt.loop);
  return 0;
}

static void get_release(void *app) {
  get_app *g = app;
  if (g->out_fd > STDERR_FILENO) close(g->out_fd);
}

const rt_command get_command = {
    .name = "get",
    .usage = get_usage_text,
    .size = sizeof(get_app),
    .option = get_option,
    .check = get_check,
    .open = get_open,
    .step = get_step,
    .signal = get_signal,
    .release = get_release,
};
