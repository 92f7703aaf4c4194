/* http:// URLs: parse, resolve a reference (RFC 3986 §5.2), format. */
#include "rt/url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lucidtcp/common.h"
#include "rt/options.h"

/* "[v6]" at a (len bytes, RFC 3986 §3.2.2's IP-literal): the address into u->host, the rest
 * (":PORT" or nothing) at *rest. 0 or -1. */
static int url_v6_literal(const char *a, size_t len, rt_url *u, const char **rest) {
  const char *close = memchr(a, ']', len);
  size_t hl = close ? (size_t)(close - a - 1) : 0;
  if (hl == 0 || hl >= sizeof u->host) return -1;
  memcpy(u->host, a + 1, hl);
  u->host[hl] = '\0';
  ltcp_endpoint e;
  if (ltcp_addr_parse(u->host, &e) != 0 || e.family != LTCP_AF_INET6) return -1;
  *rest = close + 1;
  return (size_t)(*rest - a) == len || **rest == ':' ? 0 : -1;
}

/* "HOST[:PORT]" or "[V6]:PORT" (len bytes at a) into u. 0 or -1. */
static int url_authority(const char *a, size_t len, rt_url *u) {
  if (len == 0 || memchr(a, '@', len)) return -1;
  const char *colon;
  size_t hl;
  if (a[0] == '[') {
    if (url_v6_literal(a, len, u, &colon) != 0) return -1;
    if ((size_t)(colon - a) == len) colon = NULL;
    hl = colon ? (size_t)(colon - a) : len;
  } else {
    colon = memchr(a, ':', len);
    hl = colon ? (size_t)(colon - a) : len;
    if (hl == 0 || hl >= sizeof u->host) return -1;
    memcpy(u->host, a, hl);
    u->host[hl] = '\0';
  }
  u->port = 80;
  if (colon) {
    char port[8];
    size_t pl = len - hl - 1;
    if (pl == 0 || pl >= sizeof port) return -1;
    memcpy(port, colon + 1, pl);
    port[pl] = '\0';
    if (rt_parse_port(port, &u->port) != 0) return -1;
  }
  return 0;
}

/* The path and query of ref (up to a '#'), into out. 0 or -1 when too long. */
static int url_copy_path(const char *ref, char *out, size_t cap) {
  size_t n = strcspn(ref, "#");
  if (n + 1 > cap) return -1;
  memcpy(out, ref, n);
  out[n] = '\0';
  return 0;
}

int rt_url_parse(const char *text, rt_url *u) {
  memset(u, 0, sizeof *u);
  if (strncasecmp(text, "http://", 7) != 0) return -1;
  const char *a = text + 7;
  size_t al = strcspn(a, "/?#");
  if (url_authority(a, al, u) != 0) return -1;
  const char *rest = a + al;
  if (*rest == '/') return url_copy_path(rest, u->path, sizeof u->path);
  u->path[0] = '/';
  return url_copy_path(rest, u->path + 1, sizeof u->path - 1);
}

/* RFC 3986 §5.2.4, on a path that starts with '/' (the query, if any, after it is kept as it
 * is). In place: the output is never longer. Bounded: each pass consumes one segment. */
static void url_remove_dots(char *path) {
  size_t plen = strcspn(path, "?"), total = strlen(path);
  if (plen == 0) return;
  char out[RT_URL_PATH_MAX];
  size_t o = 0;
  for (size_t i = 0; i < plen;) {
    const char *in = path + i;
    const char *end = memchr(in + 1, '/', plen - i - 1);
    size_t seg = end ? (size_t)(end - in) : plen - i; /* "/name", with its leading '/' */
    i += seg;
    if ((seg == 2 && strncmp(in, "/.", 2) == 0) || (seg == 3 && strncmp(in, "/..", 3) == 0)) {
      if (seg == 3)
        while (o > 0 && out[--o] != '/') {}
      if (i == plen) out[o++] = '/';
      continue;
    }
    memcpy(out + o, in, seg);
    o += seg;
  }
  if (o == 0) out[o++] = '/';
  memmove(path + o, path + plen, total - plen + 1); /* the query and the NUL */
  memcpy(path, out, o);
}

/* The base path's directory (up to its last '/') and ref after it. 0 or -1. */
static int url_merge(const rt_url *base, const char *ref, char *out, size_t cap) {
  const char *q = strchr(base->path, '?');
  size_t blen = q ? (size_t)(q - base->path) : strlen(base->path);
  if (ref[0] == '?' || ref[0] == '\0' || ref[0] == '#') { /* the same path, or another query */
    if (ref[0] != '?') return url_copy_path(base->path, out, cap);
    int n = snprintf(out, cap, "%.*s%.*s", (int)blen, base->path, (int)strcspn(ref, "#"), ref);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
  }
  size_t dir = blen;
  while (dir > 0 && base->path[dir - 1] != '/') dir--;
  int n = snprintf(out, cap, "%.*s%.*s", (int)dir, base->path, (int)strcspn(ref, "#"), ref);
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int rt_url_resolve(const rt_url *base, const char *ref, rt_url *out) {
  size_t scheme = strcspn(ref, ":/?#");
  if (ref[scheme] == ':') { /* RFC 3986 §3.1: a scheme */
    if (rt_url_parse(ref, out) != 0) return -1;
  } else if (ref[0] == '/' && ref[1] == '/') {
    char abs[RT_URL_HOST_MAX + RT_URL_PATH_MAX + 16];
    int n = snprintf(abs, sizeof abs, "http:%s", ref);
    if (n < 0 || (size_t)n >= sizeof abs || rt_url_parse(abs, out) != 0) return -1;
  } else {
    *out = *base;
    if (ref[0] == '/') {
      if (url_copy_path(ref, out->path, sizeof out->path) != 0) return -1;
    } else if (url_merge(base, ref, out->path, sizeof out->path) != 0) {
      return -1;
    }
  }
  url_remove_dots(out->path);
  return 0;
}

const char *rt_url_authority(const rt_url *u, char *buf, size_t cap) {
  int v6 = strchr(u->host, ':') != NULL; /* an IPv6 literal, in brackets again */
  if (u->port == 80) snprintf(buf, cap, v6 ? "[%s]" : "%s", u->host);
  else snprintf(buf, cap, v6 ? "[%s]:%u" : "%s:%u", u->host, u->port);
  return buf;
}

const char *rt_url_format(const rt_url *u, char *buf, size_t cap) {
  char a[RT_URL_HOST_MAX + 8];
  snprintf(buf, cap, "http://%s%s", rt_url_authority(u, a, sizeof a), u->path);
  return buf;
}
