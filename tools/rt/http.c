/* HTTP/1.1 (RFC 9110, RFC 9112): a small file server and a response-head parser. */
#define _GNU_SOURCE
#include "rt/http.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HTTP_PATH_MAX 1024

void http_server_init(http_server_conn *h, const char *root, const ltcp_endpoint *peer, FILE *log) {
  memset(h, 0, sizeof *h);
  h->root = root;
  h->peer = *peer;
  h->file_fd = -1;
  h->log = log;
}

void http_server_free(http_server_conn *h) {
  if (h->file_fd >= 0) close(h->file_fd);
  h->file_fd = -1;
}

/* ---- requests */

typedef struct http_request {
  char method[16];
  char target[HTTP_PATH_MAX];
  int minor;          /* HTTP/1.minor */
  int conn_close;     /* Connection: close */
  int conn_keep;      /* Connection: keep-alive */
  int has_body;       /* Content-Length > 0 or Transfer-Encoding: we do not read bodies */
} http_request;

static int http_token_in(const char *value, const char *token) {
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

static void http_header(http_request *r, char *line) {
  char *colon = strchr(line, ':');
  if (!colon) return;
  *colon = '\0';
  char *v = colon + 1;
  while (*v == ' ' || *v == '\t') v++;
  if (strcasecmp(line, "Connection") == 0) {
    r->conn_close |= http_token_in(v, "close");
    r->conn_keep |= http_token_in(v, "keep-alive");
  } else if (strcasecmp(line, "Content-Length") == 0) {
    r->has_body |= strtoull(v, NULL, 10) > 0;
  } else if (strcasecmp(line, "Transfer-Encoding") == 0) {
    r->has_body = 1;
  }
}

/* Parses the request line and headers in head (NUL-terminated, CRLF lines). 0, -1 (400) or
 * -2 (505: not HTTP/1.x). */
static int http_parse_request(char *head, http_request *r) {
  memset(r, 0, sizeof *r);
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
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
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

static int http_open_file(const http_server_conn *h, const char *path, struct stat *sb) {
  char full[HTTP_PATH_MAX * 2 + 16];
  snprintf(full, sizeof full, "%s%s", h->root, path);
  int fd = open(full, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  if (fstat(fd, sb) == 0 && S_ISDIR(sb->st_mode)) {
    close(fd);
    snprintf(full, sizeof full, "%s%s%sindex.html", h->root, path,
             path[strlen(path) - 1] == '/' ? "" : "/");
    fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
  }
  if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
    close(fd);
    return -EACCES;
  }
  return fd;
}

static int http_respond(http_server_conn *h, const http_request *r) {
  int head_only = strcmp(r->method, "HEAD") == 0;
  if (!head_only && strcmp(r->method, "GET") != 0) {
    http_error(h, 405, 0, "Allow: GET, HEAD\r\n");
    return 405;
  }
  char path[HTTP_PATH_MAX];
  if (http_path(r->target, path, sizeof path) != 0) {
    http_error(h, 400, head_only, NULL);
    return 400;
  }
  struct stat sb;
  int fd = http_open_file(h, path, &sb);
  if (fd < 0) {
    int status = fd == -ENOENT || fd == -ENOTDIR ? 404 : 403;
    http_error(h, status, head_only, NULL);
    return status;
  }
  http_stage_head(h, 200, (uint64_t)sb.st_size, http_mime(path), NULL);
  if (head_only) close(fd);
  else {
    h->file_fd = fd;
    h->file_off = 0;
    h->file_left = (uint64_t)sb.st_size;
  }
  return 200;
}

/* Takes one complete request from the buffer, if there is one, and stages its response.
 * Returns 1 when a response was staged, 0 when more bytes are needed. */
static int http_take_request(http_server_conn *h) {
  char *end = memmem(h->req, h->req_len, "\r\n\r\n", 4);
  if (!end) {
    if (h->req_len == sizeof h->req) {
      h->close_after = 1;
      http_error(h, 431, 0, NULL);
      h->req_len = 0;
      return 1;
    }
    return 0;
  }
  size_t head_len = (size_t)(end - h->req) + 4;
  char head[HTTP_HEAD_MAX + 1];
  memcpy(head, h->req, head_len);
  head[head_len] = '\0';
  memmove(h->req, h->req + head_len, h->req_len - head_len);
  h->req_len -= head_len;
  http_request r;
  int rc = http_parse_request(head, &r);
  h->close_after = rc != 0 || r.has_body || r.conn_close || (r.minor == 0 && !r.conn_keep);
  int status = rc == -2 ? 505 : rc ? 400 : http_respond(h, &r);
  if (rc) http_error(h, status, 0, NULL);
  if (h->log) {
    char a[16];
    fprintf(h->log, "lucidtcp serve: %s:%u \"%s %s HTTP/1.%d\" %d %llu\n",
            ltcp_ipv4_format(h->peer.addr, a), h->peer.port, rc ? "-" : r.method,
            rc ? "-" : r.target, rc ? 1 : r.minor, status,
            (unsigned long long)(status == 200 ? h->file_left : 0));
  }
  return 1;
}

/* Sends what is staged; refills from the file. 1 when the response is all in the send buffer,
 * 0 when the socket is full, -1 on error. */
static int http_send_response(http_server_conn *h, ltcp_stack *st, int fd) {
  for (int i = 0; i < 1024; i++) { /* bounded: 1024 chunks per step */
    if (h->out_off < h->out_len) {
      ssize_t n = ltcp_send(st, fd, h->out + h->out_off, h->out_len - h->out_off, 0);
      if (n < 0) return errno == EAGAIN ? 0 : -1;
      h->out_off += (size_t)n;
      continue;
    }
    if (h->file_fd >= 0 && h->file_left > 0) {
      size_t want = h->file_left < HTTP_CHUNK ? (size_t)h->file_left : HTTP_CHUNK;
      ssize_t n = pread(h->file_fd, h->out, want, (off_t)h->file_off);
      if (n <= 0) return -1; /* the file shrank or failed: the length we promised is a lie */
      h->out_len = (size_t)n;
      h->out_off = 0;
      h->file_off += (uint64_t)n;
      h->file_left -= (uint64_t)n;
      continue;
    }
    http_server_free(h);
    h->responding = 0;
    return 1;
  }
  return 0;
}

int http_server_step(http_server_conn *h, ltcp_stack *st, int fd) {
  for (int i = 0; i < 64; i++) { /* bounded: requests and reads per step */
    if (h->responding) {
      int rc = http_send_response(h, st, fd);
      if (rc <= 0) return rc;
      if (h->close_after) return 1;
      continue;
    }
    if (http_take_request(h)) continue;
    if (h->peer_eof) return 1;
    ssize_t n = ltcp_recv(st, fd, h->req + h->req_len, sizeof h->req - h->req_len, 0);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (n == 0) h->peer_eof = 1;
    h->req_len += (size_t)n;
  }
  return 0;
}

/* ---- the client side */

int http_parse_response(const char *buf, size_t len, http_response *r) {
  memset(r, 0, sizeof *r);
  r->content_length = -1;
  if (len >= 5 && strncmp(buf, "HTTP/", 5) != 0) return -1;
  const char *end = memmem(buf, len, "\r\n\r\n", 4);
  if (!end) return len >= HTTP_HEAD_MAX ? -1 : 0;
  r->head_len = (int)(end - buf) + 4;
  char head[HTTP_HEAD_MAX + 1];
  memcpy(head, buf, (size_t)r->head_len);
  head[r->head_len] = '\0';
  char *save = NULL;
  char *line = strtok_r(head, "\r\n", &save);
  int minor;
  if (!line || sscanf(line, "HTTP/1.%d %d", &minor, &r->status) != 2) return -1;
  const char *reason = strchr(line, ' ');
  reason = reason ? strchr(reason + 1, ' ') : NULL;
  snprintf(r->reason, sizeof r->reason, "%s", reason ? reason + 1 : "");
  for (int i = 0; i < 128 && (line = strtok_r(NULL, "\r\n", &save)); i++) {
    char *colon = strchr(line, ':');
    if (!colon) continue;
    *colon = '\0';
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    if (strcasecmp(line, "Content-Length") == 0) r->content_length = strtoll(v, NULL, 10);
    else if (strcasecmp(line, "Transfer-Encoding") == 0) r->chunked = http_token_in(v, "chunked");
  }
  return 1;
}
