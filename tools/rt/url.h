/* http:// URLs for `lucidtcp get`: parsing one, resolving a reference against it (a redirect's
 * Location, RFC 3986 §5.2) and writing it back. Text only: no names are looked up here. */
#ifndef LTCP_TOOLS_RT_URL_H
#define LTCP_TOOLS_RT_URL_H

#include <stddef.h>
#include <stdint.h>

#define RT_URL_HOST_MAX 256
#define RT_URL_PATH_MAX 2048

typedef struct rt_url {
  char host[RT_URL_HOST_MAX]; /* as written: a name, an IPv4 address or an IPv6 one (without
                               * its brackets), without the port */
  uint16_t port;              /* 80 when the URL gives none */
  char path[RT_URL_PATH_MAX]; /* path and query, from '/' ("/" when absent); no fragment */
} rt_url;

/* Parses "http://HOST[:PORT][/PATH][?QUERY][#FRAGMENT]" (the scheme in any case; HOST may be
 * "[2001:db8::1]", RFC 3986 §3.2.2). 0, or -1 for another scheme, user information, a bad IPv6
 * literal, a bad port or a part that is too long. */
int rt_url_parse(const char *text, rt_url *u);

/* Resolves ref against base as RFC 3986 §5.2 does: "http://..." (absolute), "//host/p" (the
 * same scheme), "/p" (the same host), "p", "../p", "?q" and "" (relative to base's path), with
 * the dot segments removed (§5.2.4) and the fragment dropped. 0, or -1 for another scheme or a
 * result that is too long. */
int rt_url_resolve(const rt_url *base, const char *ref, rt_url *out);

/* "http://HOST[:PORT]PATH" (the port only when it is not 80) into buf; returns buf. */
const char *rt_url_format(const rt_url *u, char *buf, size_t cap);

/* The Host header's value: "HOST" or "HOST:PORT"; returns buf. */
const char *rt_url_authority(const rt_url *u, char *buf, size_t cap);

#endif
