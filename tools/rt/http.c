/* HTTP/1.1 (RFC 9110, RFC 9112): a small file server's conversation (what it serves is
 * http_site.c's). */
#define _GNU_SOURCE
#include "rt/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void http_server_init(http_server_conn *h, const http_site *site, const http_timeouts *timeouts,
                      http_send *send, const ltcp_endpoint *peer, ltcp_time_ns now, FILE *log) {
  memset(h, 0, sizeof *h);
  h->site = site;
  h->timeouts = timeouts;
  h->send = send;
  h->peer = *peer;
  h->deadline = now + timeouts->header_ns;
  h->file_fd = -1;
  h->log = log;
}

/* ---- the body mapped for lending (zero-copy) */

/* One holder lets go; the last unmaps. */
static void http_map_put(http_map *m) {
  if (--m->refs > 0) return;
  munmap(m->base, m->len);
  m->send->unmapped++;
  free(m);
}

/* The stack's release of a lent piece (ltcp_zc_release_fn): runs inside a stack call, perhaps
 * after the connection and its response are gone, and calls nothing of the stack. */
static void http_map_release(void *ctx, const void *buf, size_t len, int status) {
  (void)buf, (void)len, (void)status; /* the stack counts zc_done and zc_failed */
  http_map_put(ctx);
}

/* Maps the body's bytes [first, first + n) of the file open at fd, read-only; NULL when it
 * cannot be (the caller reads it instead). */
static http_map *http_map_body(int fd, uint64_t first, uint64_t n, http_send *send) {
  long page = sysconf(_SC_PAGESIZE);
  uint64_t skip = first - first % (uint64_t)(page > 0 ? page : 4096);
  uint64_t len = first + n - skip;
  if (len > SIZE_MAX) return NULL;
  http_map *m = malloc(sizeof *m);
  if (!m) return NULL;
  void *p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, (off_t)skip);
  if (p == MAP_FAILED) {
    free(m);
    return NULL;
  }
  (void)madvise(p, (size_t)len, MADV_SEQUENTIAL); /* read-ahead, as a sequential read's */
  *m = (http_map){.base = p, .len = (size_t)len, .skip = skip, .refs = 1, .send = send};
  return m;
}

void http_server_free(http_server_conn *h) {
  if (h->file_fd >= 0) close(h->file_fd);
  h->file_fd = -1;
  if (h->map) http_map_put(h->map);
  h->map = NULL;
}

/* ---- requests */

long http_head_end(const char *buf, size_t len, size_t *skip) {
  size_t i = 0;
  /* §2.2: empty lines before the request line are ignored. */
  for (;;) { /* bounded by len */
    if (i < len && buf[i] == '\n') i++;
    else if (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n') i += 2;
    else break;
  }
  *skip = i;
  size_t start = i;
  int empty = 1; /* the line so far is empty */
  for (; i < len; i++) {
    if (buf[i] == '\r') {
      if (i + 1 == len) return 0;             /* its LF may still come */
      if (buf[i + 1] != '\n') return -1;     /* a bare CR */
      continue;                               /* the CR of a CRLF: the LF ends the line */
    }
    if (buf[i] == '\n') {
      if (empty) return (long)(i + 1 - start);
      empty = 1;
      continue;
    }
    empty = 0;
  }
  return 0;
}

int http_token_in(const char *value, const char *token) {
  size_t n = strlen(token);
  for (const char *p = value; *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    size_t len = strcspn(p, ",");
    size_t t = len;
    while (t > 0 && (p[t - 1] == ' ' || p[t - 1] == '\t')) t--;
    if (t == n && strncasecmp(p, token, n) == 0) return 1;
    p += len;
  }
  return 0;
}

char *http_header_split(char *line) {
  char *colon = strchr(line, ':');
  if (!colon) return NULL;
  *colon = '\0';
  char *v = colon + 1;
  while (*v == ' ' || *v == '\t') v++;
  size_t n = strlen(v);
  while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) v[--n] = '\0';
  return v;
}

static void http_header(http_request *r, char *line) {
  char *v = http_header_split(line);
  if (!v) return;
  if (strcasecmp(line, "Connection") == 0) {
    r->conn_close |= http_token_in(v, "close");
    r->conn_keep |= http_token_in(v, "keep-alive");
  } else if (strcasecmp(line, "Content-Length") == 0) {
    r->has_body |= strtoull(v, NULL, 10) > 0;
  } else if (strcasecmp(line, "Transfer-Encoding") == 0) {
    r->has_body = 1;
  } else if (strcasecmp(line, "Range") == 0) {
    if (strlen(v) < sizeof r->range) strcpy(r->range, v);
    else strcpy(r->range, "bytes=0-0,1-1"); /* too long for one range: several, ignored */
  } else if (strcasecmp(line, "If-Range") == 0) {
    r->if_range = 1;
  }
}

int http_parse_request(char *head, http_request *r) {
  memset(r, 0, sizeof *r);
  /* A CR is only ever the first half of a line's end (§2.2). */
  for (const char *p = head; (p = strchr(p, '\r')) != NULL; p++)
    if (p[1] != '\n') return -1;
  char *save = NULL;
  char *line = strtok_r(head, "\r\n", &save);
  if (!line) return -1;
  char version[16] = {0};
  if (sscanf(line, "%15s %1023s %15s", r->method, r->target, version) != 3) return -1;
  if (strncmp(version, "HTTP/", 5) != 0) return -1;
  int digit = version[7] >= '0' && version[7] <= '9';
  if (strncmp(version, "HTTP/1.", 7) != 0 || !digit || version[8]) return -2;
  r->minor = version[7] - '0';
  for (int i = 0; i < 128 && (line = strtok_r(NULL, "\r\n", &save)); i++) http_header(r, line);
  return 0;
}

/* ---- responses */

static const char *http_reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
  }
}

static const char *http_mime(const char *path) {
  static const struct { const char *ext, *type; } types[] = {
      {".html", "text/html; charset=utf-8"}, {".htm", "text/html; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"}, {".css", "text/css"},
      {".js", "text/javascript"},            {".json", "application/json"},
      {".png", "image/png"},                 {".jpg", "image/jpeg"},
      {".svg", "image/svg+xml"},             {".pdf", "application/pdf"},
  };
  const char *dot = strrchr(path, '.');
  for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
    if (strcasecmp(dot, types[i].ext) == 0) return types[i].type;
  return "application/octet-stream";
}

/* Stages the head of a response (and a short body for errors). */
static void http_stage_head(http_server_conn *h, int status, uint64_t length, const char *type,
                            const char *extra) {
  char date[64];
  time_t now = time(NULL);
  struct tm tm;
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&now, &tm));
  int n = snprintf((char *)h->out, sizeof h->out,
                   "HTTP/1.1 %d %s\r\nServer: lucidtcp/0.1.0\r\nDate: %s\r\n"
                   "Content-Length: %llu\r\nContent-Type: %s\r\nConnection: %s\r\n%s\r\n",
                   status, http_reason(status), date, (unsigned long long)length, type,
                   h->close_after ? "close" : "keep-alive", extra ? extra : "");
  h->out_len = n > 0 && (size_t)n < sizeof h->out ? (size_t)n : 0;
  h->out_off = 0;
  h->responding = 1;
}

static void http_error(http_server_conn *h, int status, int head_only, const char *extra) {
  char body[128];
  int n = snprintf(body, sizeof body, "%d %s\n", status, http_reason(status));
  http_stage_head(h, status, (uint64_t)n, "text/plain; charset=utf-8", extra);
  if (!head_only && h->out_len + (size_t)n <= sizeof h->out) {
    memcpy(h->out + h->out_len, body, (size_t)n);
    h->out_len += (size_t)n;
  }
}

static int http_hex(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The target's path, percent-decoded, checked to stay under the root: 0 or -1. */
static int http_path(const char *target, char *out, size_t cap) {
  size_t o = 0;
  if (target[0] != '/') return -1;
  for (const char *p = target; *p && *p != '?' && *p != '#'; p++) {
    int c = (unsigned char)*p;
    if (c == '%') {
      int hi = http_hex(p[1]), lo = hi < 0 ? -1 : http_hex(p[2]);
      if (lo < 0) return -1;
      c = hi * 16 + lo;
      p += 2;
    }
    if (c == 0 || o + 1 >= cap) return -1;
    out[o++] = (char)c;
  }
  out[o] = '\0';
  /* No ".." segment may climb out of DIR. */
  for (const char *s = out; (s = strstr(s, "..")) != NULL; s += 2)
    if (s[-1] == '/' && (s[2] == '/' || s[2] == '\0')) return -1;
  return 0;
}

/* RFC 9112 §3.2.2: a server MUST accept the absolute-form ("http://host[:port]/path?q"); its
 * authority is ignored (one site, whatever the host), the origin-form left goes into buf. */
static const char *http_origin_form(const char *target, char *buf, size_t cap) {
  if (strncasecmp(target, "http://", 7) != 0) return target;
  const char *p = target + 7 + strcspn(target + 7, "/?#");
  snprintf(buf, cap, "%s%s", *p == '/' ? "" : "/", p);
  return buf;
}

static int http_digits(const char **p, uint64_t *v) {
  uint64_t x = 0;
  const char *s = *p;
  for (; *s >= '0' && *s <= '9'; s++) /* bounded by the string */
    x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX : x * 10 + (uint64_t)(*s - '0');
  int any = s != *p;
  *p = s;
  *v = x;
  return any;
}

http_range_kind http_range_parse(const char *value, uint64_t len, uint64_t *first,
                                 uint64_t *last) {
  const char *p = value;
  if (strncasecmp(p, "bytes", 5) != 0) return HTTP_RANGE_WHOLE; /* another unit: ignored */
  for (p += 5; *p == ' ' || *p == '\t'; p++) {}
  if (*p++ != '=') return HTTP_RANGE_WHOLE;
  for (; *p == ' ' || *p == '\t'; p++) {}
  /* Several ranges are answered with the whole representation, as §14.2 allows. */
  if (strchr(p, ',') || len == 0) return HTTP_RANGE_WHOLE;
  uint64_t a = 0, b = UINT64_MAX;
  int suffix = *p == '-';
  if (!suffix && !http_digits(&p, &a)) return HTTP_RANGE_WHOLE;
  if (*p++ != '-') return HTTP_RANGE_WHOLE;
  int has_b = http_digits(&p, &b);
  for (; *p == ' ' || *p == '\t'; p++) {}
  if (*p || (suffix && !has_b) || (has_b && !suffix && b < a)) return HTTP_RANGE_WHOLE;
  if (suffix) { /* the last b bytes; all when there are fewer (§14.1.2) */
    if (b == 0) return HTTP_RANGE_UNSATISFIABLE;
    *first = b >= len ? 0 : len - b;
    *last = len - 1;
    return HTTP_RANGE_ONE;
  }
  if (a >= len) return HTTP_RANGE_UNSATISFIABLE;
  *first = a;
  *last = has_b && b < len ? b : len - 1;
  return HTTP_RANGE_ONE;
}

const char *http_log_escape(const char *s, char *buf, size_t cap) {
  size_t o = 0;
  for (; *s && o + 5 < cap; s++) { /* bounded by the string and the buffer */
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", c);
    else buf[o++] = (char)c;
  }
  buf[o] = '\0';
  return buf;
}

/* The response for the file open at fd (taken), len bytes: the whole (200), one range of it
 * (206) or 416 when the range lies beyond its end. Returns the status; *sent is the body's
 * length. */
static int http_respond_file(http_server_conn *h, const http_request *r, int fd, uint64_t len,
                             const char *type, uint64_t *sent) {
  int head_only = strcmp(r->method, "HEAD") == 0;
  uint64_t first = 0, last = 0;
  http_range_kind k = HTTP_RANGE_WHOLE;
  if (r->range[0] && !r->if_range) k = http_range_parse(r->range, len, &first, &last);
  char extra[160];
  if (k == HTTP_RANGE_UNSATISFIABLE) {
    close(fd);
    snprintf(extra, sizeof extra, "Content-Range: bytes */%llu\r\n", (unsigned long long)len);
    http_error(h, 416, head_only, extra);
    return 416;
  }
  uint64_t n = k == HTTP_RANGE_ONE ? last - first + 1 : len;
  if (k == HTTP_RANGE_ONE)
    snprintf(extra, sizeof extra, "Accept-Ranges: bytes\r\nContent-Range: bytes %llu-%llu/%llu\r\n",
             (unsigned long long)first, (unsigned long long)last, (unsigned long long)len);
  else
    snprintf(extra, sizeof extra, "Accept-Ranges: bytes\r\n");
  http_stage_head(h, k == HTTP_RANGE_ONE ? 206 : 200, n, type, extra);
  if (head_only) {
    close(fd);
  } else {
    h->file_fd = fd;
    h->file_off = first;
    h->file_left = n;
    h->file_end = len;
    /* An empty body (a /proc file says 0 bytes) or one that cannot be mapped is read. */
    if (!h->send->copy && n > 0) h->map = http_map_body(fd, first, n, h->send);
    if (h->map) h->send->mapped++;
    else h->send->read++;
    *sent = n;
  }
  return k == HTTP_RANGE_ONE ? 206 : 200;
}

static int http_respond(http_server_conn *h, const http_request *r, uint64_t *sent) {
  int head_only = strcmp(r->method, "HEAD") == 0;
  if (!head_only && strcmp(r->method, "GET") != 0) {
    http_error(h, 405, 0, "Allow: GET, HEAD\r\n");
    return 405;
  }
  char origin[HTTP_PATH_MAX], path[HTTP_PATH_MAX];
  if (http_path(http_origin_form(r->target, origin, sizeof origin), path, sizeof path) != 0) {
    http_error(h, 400, head_only, NULL);
    return 400;
  }
  int fd, listing;
  uint64_t len;
  int rc = http_site_open(h->site, path, &fd, &len, &listing);
  if (rc < 0) {
    int status = rc == -ENOENT || rc == -ENOTDIR ? 404 : 403;
    http_error(h, status, head_only, NULL);
    return status;
  }
  return http_respond_file(h, r, fd, len, listing ? "text/html; charset=utf-8" : http_mime(path),
                           sent);
}

/* The access log's line for a request (NULL: one we could not read). */
static void http_log(http_server_conn *h, const http_request *r, int status, uint64_t sent) {
  if (!h->log) return;
  char a[LTCP_ENDPOINT_STRLEN], method[4 * sizeof r->method], target[4 * sizeof r->target];
  fprintf(h->log, "lucidtcp serve: %s \"%s %s HTTP/1.%d\" %d %llu\n",
          ltcp_endpoint_format(&h->peer, a),
          r ? http_log_escape(r->method, method, sizeof method) : "-",
          r ? http_log_escape(r->target, target, sizeof target) : "-", r ? r->minor : 1, status,
          (unsigned long long)sent);
}

/* Takes one complete request from the buffer, if there is one, and stages its response.
 * Returns 1 when a response was staged, 0 when more bytes are needed. */
static int http_take_request(http_server_conn *h) {
  size_t skip;
  long end = http_head_end(h->req, h->req_len, &skip);
  if (end == 0) {
    if (h->req_len == sizeof h->req) {
      h->close_after = 1;
      http_error(h, 431, 0, NULL);
      h->req_len = 0;
      return 1;
    }
    return 0;
  }
  /* A bare CR: the head up to where we stopped is what we can say was sent (a 400). */
  size_t head_len = end > 0 ? (size_t)end : h->req_len - skip;
  char head[HTTP_HEAD_MAX + 1];
  memcpy(head, h->req + skip, head_len);
  head[head_len] = '\0';
  memmove(h->req, h->req + skip + head_len, h->req_len - skip - head_len);
  h->req_len -= skip + head_len;
  http_request r;
  int rc = end < 0 ? -1 : http_parse_request(head, &r);
  if (end < 0) memset(&r, 0, sizeof r);
  h->close_after = rc != 0 || r.has_body || r.conn_close || (r.minor == 0 && !r.conn_keep);
  uint64_t sent = 0;
  int status = rc == -2 ? 505 : rc ? 400 : http_respond(h, &r, &sent);
  if (rc) http_error(h, status, 0, NULL);
  http_log(h, rc ? NULL : &r, status, sent);
  return 1;
}

/* The deadline passed with no complete head: 1 when a head had begun (408 staged, and the
 * connection closes after it), 0 when no byte of a request came (close without a word). */
static int http_expire(http_server_conn *h) {
  h->deadline = LTCP_TIME_NEVER;
  if (h->idle || h->req_len == 0) return 0;
  h->close_after = 1;
  h->req_len = 0;
  http_error(h, 408, 0, NULL);
  http_log(h, NULL, 408, 0);
  return 1;
}

/* Stages the body's next chunk, read from the file (copying). 1, or -1 when the file shrank
 * or failed: the length we promised is a lie. */
static int http_read_chunk(http_server_conn *h) {
  size_t want = h->file_left < HTTP_CHUNK ? (size_t)h->file_left : HTTP_CHUNK;
  ssize_t n = pread(h->file_fd, h->out, want, (off_t)h->file_off);
  if (n <= 0) {
    h->send->shrunk += n == 0;
    return -1;
  }
  h->out_len = (size_t)n;
  h->out_off = 0;
  h->file_off += (uint64_t)n;
  h->file_left -= (uint64_t)n;
  return 1;
}

/* Lends the body's next piece of the mapping (zero-copy). 1 when it went, 0 when the socket is
 * full, -1 on error. The file must still hold the piece: a mapped page beyond the end of a
 * shrunk file raises SIGBUS when read, so a file that shrank ends the connection as a short
 * read does (docs/design.md). When the stack has every reference lent (ENOBUFS), the piece is
 * read and copied instead. */
static int http_lend(http_server_conn *h, ltcp_stack *st, int fd) {
  http_map *m = h->map;
  size_t want = h->file_left < HTTP_LEND_MAX ? (size_t)h->file_left : HTTP_LEND_MAX;
  struct stat sb;
  if (fstat(h->file_fd, &sb) != 0 || (uint64_t)sb.st_size < h->file_end) {
    h->send->shrunk++;
    return -1;
  }
  m->refs++; /* the piece's, given back by its release */
  ssize_t n = ltcp_send_zc(st, fd, m->base + (h->file_off - m->skip), want, http_map_release, m);
  if (n < 0) {
    m->refs--; /* not taken: never released */
    if (errno != ENOBUFS) return errno == EAGAIN ? 0 : -1;
    h->send->pieces_copied++;
    return http_read_chunk(h);
  }
  h->send->pieces_lent++;
  h->file_off += (uint64_t)n;
  h->file_left -= (uint64_t)n;
  return 1;
}

/* Sends what is staged; refills from the file (lent from its mapping, or read). 1 when the
 * response is all in the send buffer, 0 when the socket is full, -1 on error. */
static int http_send_response(http_server_conn *h, ltcp_stack *st, int fd) {
  for (int i = 0; i < 1024; i++) { /* bounded: 1024 chunks per step */
    if (h->out_off < h->out_len) {
      ssize_t n = ltcp_send(st, fd, h->out + h->out_off, h->out_len - h->out_off, 0);
      if (n < 0) return errno == EAGAIN ? 0 : -1;
      h->out_off += (size_t)n;
      continue;
    }
    if (h->file_fd >= 0 && h->file_left > 0) {
      int rc = h->map ? http_lend(h, st, fd) : http_read_chunk(h);
      if (rc <= 0) return rc;
      continue;
    }
    http_server_free(h);
    h->responding = 0;
    return 1;
  }
  return 0;
}

int http_server_step(http_server_conn *h, ltcp_stack *st, int fd, ltcp_time_ns now) {
  for (int i = 0; i < 64; i++) { /* bounded: requests and reads per step */
    if (h->responding) {
      int rc = http_send_response(h, st, fd);
      if (rc <= 0) return rc;
      if (h->close_after) return 1;
      /* Keep-alive: the idle timeout until the next request's first byte. */
      h->idle = h->req_len == 0;
      h->deadline = now + (h->idle ? h->timeouts->idle_ns : h->timeouts->header_ns);
      continue;
    }
    if (http_take_request(h)) {
      h->deadline = LTCP_TIME_NEVER;
      h->idle = 0;
      continue;
    }
    if (h->peer_eof) return 1;
    ssize_t n = ltcp_recv(st, fd, h->req + h->req_len, sizeof h->req - h->req_len, 0);
    if (n < 0) {
      if (errno != EAGAIN) return -1;
      if (now < h->deadline) return 0;
      if (!http_expire(h)) return 1;
      continue;
    }
    if (n == 0) h->peer_eof = 1;
    if (n > 0 && h->idle) { /* a new request begins: its head is due in header_ns */
      h->idle = 0;
      h->deadline = now + h->timeouts->header_ns;
    }
    h->req_len += (size_t)n;
  }
  return 0;
}
