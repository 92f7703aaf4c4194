/* lucidtcp get: an HTTP/1.1 download over lucidtcp's stack, with a progress bar on a terminal,
 * redirects (-L) and resuming (-C -). */
#define _GNU_SOURCE
#include "rt/get.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt/client.h"
#include "rt/hosts.h"
#include "rt/http.h"
#include "rt/url.h"

#define GET_BUF 65536
#define GET_PROGRESS_NS LTCP_MS(250)
#define GET_BAR 24
#define GET_MAX_REDIRECTS 20 /* as browsers (curl's own limit is 50) */

typedef enum get_chunk_state { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE } get_chunk_state;

/* What a response's head says to do with its body. */
typedef enum get_next { GET_BODY, GET_REDIRECTED, GET_FINISHED, GET_FAILED } get_next;

typedef struct get_app {
  rt_ctx rt;               /* first: the skeleton's part */
  rt_client cl;
  rt_url url;              /* being fetched: the one given, then each redirect's */
  char url_text[RT_URL_HOST_MAX + RT_URL_PATH_MAX + 16]; /* url, for messages */
  int have_url;
  int follow, hops;        /* -L, and the redirects followed */
  int resume;              /* -C - */
  const char *out_path;
  int out_fd;
  int out_open;            /* out_fd is a file this command opened */
  int out_created;         /* ... and created: it did not exist */
  int out_started;         /* the body's first byte is written (the file cut or positioned) */
  uint64_t resume_from;    /* -C -: the file's size when the command started */
  int append;              /* the response is the rest of the file (206) */
  int already_whole;       /* 416 for a file that has every byte already */
  int complete;            /* the download succeeded */
  int done, progress;
  char req[RT_URL_HOST_MAX + RT_URL_PATH_MAX + 256];
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
    "(bytes, rate, ETA); otherwise nothing is printed but errors. HOST is an IPv4 address or a\n"
    "name from /etc/hosts (LTCP_HOSTS_FILE names another file; there is no DNS), on lucidtcp's\n"
    "link. The request says 'Connection: close', so the server closes first.\n"
    "\n"
    "FILE is written only once the body begins: a download that fails before that leaves no\n"
    "file (and an existing FILE as it was); one that fails part-way keeps the bytes received\n"
    "and says so, and -C - resumes it, as with curl.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  where the body goes\n"
    "  -L, --location     follow redirects (301, 302, 303, 307, 308) as curl -L does, at most\n"
    "                     20; a relative Location is resolved against the URL (RFC 3986)\n"
    "  -C -               resume: ask for the bytes after FILE's size (Range: bytes=N-) and\n"
    "                     append them (206). A server that sends the whole file (200) gets it\n"
    "                     written from the start; 416 for a FILE as long as the server's is\n"
    "                     success (already complete)\n"
    RT_HELP_TUN
    "  --addr ADDR/PREFIX lucidtcp's own address on the link, IPv4 (198.18.0.2/24) or IPv6\n"
    "                     (2001:db8::2/64); give both for both families\n"
    RT_HELP_ROUTES
    RT_HELP_TIME_WAIT
    RT_HELP_TRACE_PCAP_MSL
    RT_HELP_CONTROL
    RT_HELP_IMPAIR_SEE_SERVE
    RT_HELP_OFFLOAD_BUSY_POLL
    "\n"
    "On SIGINT or SIGTERM the connection is reset.\n"
    "exit status: 0 when a 2xx response arrived whole (or -C - found FILE complete), 1 for\n"
    "another status, a connection that failed or ended early, too many redirects, or a device\n"
    "that cannot be set up, 2 for a bad option or a HOST that is neither an address nor in the\n"
    "hosts file, 130 or 143 after SIGINT or SIGTERM.\n";

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

/* ---- the output file */

/* Opens FILE for writing without cutting it (that waits for the body, get_out_start), creating
 * it when it does not exist. 0, or RT_EXIT_FAIL after a message. */
static int get_out_open(get_app *g) {
  if (!g->out_path || strcmp(g->out_path, "-") == 0) {
    g->out_path = "standard output";
    g->out_fd = STDOUT_FILENO;
    return 0;
  }
  g->out_fd = open(g->out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  g->out_created = g->out_fd >= 0;
  if (g->out_fd < 0 && errno == EEXIST) g->out_fd = open(g->out_path, O_WRONLY | O_CLOEXEC);
  if (g->out_fd < 0) {
    rt_error(&g->rt, "cannot write %s: %s", g->out_path, strerror(errno));
    return RT_EXIT_FAIL;
  }
  g->out_open = 1;
  struct stat sb;
  if (g->resume && fstat(g->out_fd, &sb) == 0 && S_ISREG(sb.st_mode))
    g->resume_from = (uint64_t)sb.st_size;
  return 0;
}

/* Before the body's first byte: FILE starts over (200) or goes on after its bytes (206). */
static int get_out_start(get_app *g) {
  struct stat sb;
  if (g->out_started) return 0;
  g->out_started = 1;
  if (!g->out_open || fstat(g->out_fd, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
  off_t at = g->append ? (off_t)g->resume_from : 0;
  if ((!g->append && ftruncate(g->out_fd, 0) != 0) || lseek(g->out_fd, at, SEEK_SET) != at) {
    rt_error(&g->rt, "writing %s: %s", g->out_path, strerror(errno));
    return -1;
  }
  return 0;
}

/* Last: a failed download leaves no file it created and wrote nothing to; a file it wrote to
 * keeps the bytes received, for -C -. */
static void get_out_close(get_app *g) {
  if (!g->out_open) return;
  close(g->out_fd);
  g->out_open = 0;
  if (g->complete) return;
  if (g->out_created && g->body == 0) {
    unlink(g->out_path);
  } else if (g->body > 0) {
    rt_error(&g->rt, "%s keeps the %llu bytes received%s; -C - resumes the download", g->out_path,
             (unsigned long long)(g->append ? g->resume_from + g->body : g->body),
             g->append ? " in all" : "");
  }
}

/* ---- the response body */

static int get_write(get_app *g, const uint8_t *p, size_t n) {
  if (n > 0 && get_out_start(g) < 0) return -1;
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

/* The request for g->url, with a Range after FILE's bytes for -C -. */
static void get_request(get_app *g) {
  char host[RT_URL_HOST_MAX + 8], range[48] = "";
  if (g->resume_from > 0)
    snprintf(range, sizeof range, "Range: bytes=%llu-\r\n", (unsigned long long)g->resume_from);
  int n = snprintf(g->req, sizeof g->req,
                   "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: lucidtcp/0.1.0\r\nAccept: */*\r\n"
                   "%sConnection: close\r\n\r\n", g->url.path,
                   rt_url_authority(&g->url, host, sizeof host), range);
  g->req_len = n < 0 ? 0 : (size_t)n < sizeof g->req ? (size_t)n : sizeof g->req - 1;
  g->req_off = 0;
  rt_url_format(&g->url, g->url_text, sizeof g->url_text);
}

/* A new response on a new connection: what the last one left is forgotten. */
static void get_response_reset(get_app *g) {
  g->head_len = 0;
  g->have_head = g->done = 0;
  g->body = 0;
  g->chunk = CH_SIZE;
  g->chunk_left = g->chunk_line_len = 0;
}

static int get_is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* -L: the Location resolved against the URL, a new connection and the same request (303 asks
 * for a GET, which it is). GET_REDIRECTED, or GET_FAILED after a message. */
static get_next get_redirect(get_app *g) {
  const http_response *r = &g->resp;
  rt_url next;
  char why[512];
  if (!r->location[0]) {
    rt_error(&g->rt, "%s: HTTP %d %s without a Location to follow", g->url_text, r->status,
             r->reason);
    return GET_FAILED;
  }
  if (g->hops == GET_MAX_REDIRECTS) {
    rt_error(&g->rt, "%s: more than %d redirects", g->url_text, GET_MAX_REDIRECTS);
    return GET_FAILED;
  }
  if (rt_url_resolve(&g->url, r->location, &next) != 0) {
    rt_error(&g->rt, "%s: cannot follow the redirect to '%s': lucidtcp get speaks http:// only",
             g->url_text, r->location);
    return GET_FAILED;
  }
  ltcp_endpoint to = g->cl.remote;
  int known = rt_hosts_resolve(next.host, &to, why, sizeof why) == 0;
  int reachable = known && (to.family == LTCP_AF_INET6
                                ? g->rt.o.have_addr6 && memcmp(to.addr6, g->rt.o.addr6, 16) != 0
                                : to.addr != g->rt.o.addr &&
                                      ltcp_route_lookup(g->rt.st, to.addr, NULL) == 0);
  if (known && !reachable)
    snprintf(why, sizeof why, "no route to %s (--addr, --route, --gateway)", next.host);
  if (!reachable) {
    rt_error(&g->rt, "%s: redirected to %s: %s", g->url_text, r->location, why);
    return GET_FAILED;
  }
  if (g->rt.trace) fprintf(g->rt.trace, "lucidtcp get: HTTP %d: following %s\n", r->status, r->location);
  ltcp_close(g->rt.st, g->cl.fd); /* a reset if the body is still coming: it is not wanted */
  g->hops++;
  g->url = next;
  g->cl.remote = to;
  g->cl.remote.port = next.port;
  g->cl.host = g->url.host;
  get_response_reset(g);
  get_request(g);
  return rt_client_open(&g->rt, &g->cl) == 0 ? GET_REDIRECTED : GET_FAILED;
}

/* -C - and 416: FILE already has every byte when the server's length is its size. */
static get_next get_not_satisfiable(get_app *g) {
  const http_response *r = &g->resp;
  if (r->has_range && r->range_total == (int64_t)g->resume_from) {
    rt_error(&g->rt, "%s is already complete (%llu bytes): nothing to resume", g->out_path,
             (unsigned long long)g->resume_from);
    g->already_whole = 1;
    return GET_FINISHED;
  }
  rt_error(&g->rt, "%s: HTTP 416 %s: %s has %llu bytes, the server's file %lld: not resumed",
           g->url_text, r->reason, g->out_path, (unsigned long long)g->resume_from,
           (long long)r->range_total);
  return GET_FAILED;
}

/* A response's head has arrived: what to do with its body. */
static get_next get_head(get_app *g) {
  const http_response *r = &g->resp;
  if (get_is_redirect(r->status) && g->follow) return get_redirect(g);
  if (r->status == 416 && g->resume_from > 0) return get_not_satisfiable(g);
  if (r->status < 200 || r->status > 299) {
    char to[sizeof r->location + 32] = "";
    if (get_is_redirect(r->status))
      snprintf(to, sizeof to, " to %s (-L follows it)", r->location[0] ? r->location : "nowhere");
    rt_error(&g->rt, "%s: HTTP %d %s%s", g->url_text, r->status, r->reason, to);
    return GET_FAILED;
  }
  if (r->status == 206) {
    if (g->resume_from == 0 || !r->has_range || r->range_first != (int64_t)g->resume_from) {
      rt_error(&g->rt, "%s: HTTP 206, but not the part after byte %llu that was asked for",
               g->url_text, (unsigned long long)g->resume_from);
      return GET_FAILED;
    }
    g->append = 1;
  } else if (g->resume_from > 0) {
    rt_error(&g->rt, "the server sent the whole file (HTTP %d, not 206): %s is written again "
             "from the start", r->status, g->out_path);
  }
  return GET_BODY;
}

/* Bytes of the response, head first. 0 (more to come; *redirected when a new request is on its
 * way and the rest of these bytes is not wanted), or -1 when the download has failed (after a
 * message). */
static int get_take(get_app *g, const uint8_t *p, size_t n, int *redirected) {
  if (g->have_head) return get_body(g, p, n);
  size_t room = sizeof g->head - g->head_len;
  size_t k = n < room ? n : room;
  memcpy(g->head + g->head_len, p, k);
  g->head_len += k;
  int rc = http_parse_response(g->head, g->head_len, &g->resp);
  if (rc < 0) {
    rt_error(&g->rt, "%s: not an HTTP/1.x response", g->url_text);
    return -1;
  }
  if (rc == 0) return 0;
  g->have_head = 1;
  switch (get_head(g)) {
    case GET_FAILED: return -1;
    case GET_REDIRECTED: *redirected = 1; return 0;
    case GET_FINISHED: g->done = 1; return 0;
    case GET_BODY: break;
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
               g->url_text, (unsigned long long)g->body, g->have_head ? "" : " (no response)");
      return -1;
    }
    int redirected = 0;
    if (get_take(g, g->buf, (size_t)n, &redirected) < 0) return -1;
    if (redirected) return 0; /* the next connection is on its way */
    if (g->done) return 1;
  }
  return 0;
}

/* A whole response: an empty body still makes FILE empty (unless -C - found it complete). */
static void get_finish(get_app *g) {
  int rc = g->already_whole ? 0 : get_out_start(g);
  g->complete = rc == 0;
  get_stop(g, rc == 0 ? RT_EXIT_OK : RT_EXIT_FAIL);
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
    get_finish(g);
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

static int get_flag(get_app *g, const char *a) {
  if (strcmp(a, "-L") != 0 && strcmp(a, "--location") != 0) return 0;
  g->follow = 1;
  return 1;
}

static int get_option(void *app, int argc, char **argv, int *i) {
  get_app *g = app;
  const char *a = argv[*i], *v;
  int rc = rt_opts_value(&g->rt.o, argc, argv, i, "-o", &g->out_path);
  if (rc == 0) rc = rt_opts_value(&g->rt.o, argc, argv, i, "--output", &g->out_path);
  if (rc) return rc;
  rc = rt_opts_value(&g->rt.o, argc, argv, i, "-C", &v);
  if (rc == 1 && strcmp(v, "-") != 0)
    return rt_usage_error(&g->rt.o, "-C wants '-' (resume after the bytes FILE has), not '%s'", v);
  g->resume |= rc == 1;
  if (rc) return rc;
  if (get_flag(g, a) || rt_client_option(&g->cl, argc, argv, i)) return 1;
  if (a[0] == '-' && a[1] != '\0') return 0;
  if (g->have_url) return rt_usage_error(&g->rt.o, "unexpected argument '%s'", a);
  if (rt_url_parse(a, &g->url) != 0)
    return rt_usage_error(&g->rt.o, "wants a URL http://HOST[:PORT]/PATH with HOST an IPv4 "
                          "address or a name in the hosts file, not '%s'", a);
  g->have_url = 1;
  return 1;
}

static int get_check(void *app) {
  get_app *g = app;
  char why[512];
  if (!g->have_url) return rt_usage_error(&g->rt.o, "wants a URL http://HOST[:PORT]/PATH");
  if (g->resume && (!g->out_path || strcmp(g->out_path, "-") == 0))
    return rt_usage_error(&g->rt.o, "-C - resumes into a file: it wants -o FILE");
  if (rt_hosts_resolve(g->url.host, &g->cl.remote, why, sizeof why) != 0)
    return rt_usage_error(&g->rt.o, "%s", why);
  g->cl.remote.port = g->url.port;
  g->cl.host = g->url.host;
  return rt_opts_check_peer(&g->rt.o, &g->cl.remote, g->url.host);
}

/* The output file and the request; socket, connect. 0, or RT_EXIT_FAIL after a message. */
static int get_open(void *app) {
  get_app *g = app;
  if (get_out_open(g) != 0) return RT_EXIT_FAIL;
  get_request(g);
  if (rt_client_open(&g->rt, &g->cl) != 0) return RT_EXIT_FAIL;
  g->progress = isatty(STDERR_FILENO) && g->out_fd != STDERR_FILENO;
  g->started = ltcp_loop_now(g->rt.loop);
  return 0;
}

static void get_release(void *app) { get_out_close(app); }

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
