/* HTTP/1.1 (RFC 9112 §4, RFC 9110): a response's head, as `lucidtcp get` reads it. */
#define _GNU_SOURCE
#include "rt/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 9110 §14.4: "bytes FIRST-LAST/TOTAL" or "bytes * /TOTAL" (TOTAL may be "*"). */
static void http_content_range(http_response *r, const char *v) {
  if (strncasecmp(v, "bytes ", 6) != 0) return;
  const char *p = v + 6;
  char *end;
  r->range_first = r->range_last = r->range_total = -1;
  if (*p == '*') {
    p++;
  } else {
    r->range_first = strtoll(p, &end, 10);
    if (end == p || *end != '-') return;
    p = end + 1;
    r->range_last = strtoll(p, &end, 10);
    if (end == p || r->range_last < r->range_first) return;
    p = end;
  }
  if (*p++ != '/') return;
  if (*p != '*') {
    r->range_total = strtoll(p, &end, 10);
    if (end == p) return;
  }
  r->has_range = 1;
}

static void http_response_header(http_response *r, char *line) {
  char *v = http_header_split(line);
  if (!v) return;
  if (strcasecmp(line, "Content-Length") == 0) r->content_length = strtoll(v, NULL, 10);
  else if (strcasecmp(line, "Transfer-Encoding") == 0) r->chunked = http_token_in(v, "chunked");
  else if (strcasecmp(line, "Location") == 0) snprintf(r->location, sizeof r->location, "%s", v);
  else if (strcasecmp(line, "Content-Range") == 0) http_content_range(r, v);
}

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
  for (int i = 0; i < 128 && (line = strtok_r(NULL, "\r\n", &save)); i++)
    http_response_header(r, line);
  return 1;
}
