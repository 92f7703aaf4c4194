/* Addresses of either family as text (lucidtcp/common.h): RFC 4291 §2.2 to read IPv6, RFC 5952
 * to write it, "[v6]:port" as RFC 5952 §6 and RFC 3986 §3.2.2 write an endpoint. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"

int ltcp_addr_parse(const char *text, ltcp_endpoint *ep) {
  if (text == NULL || ep == NULL) return LTCP_EINVAL;
  uint32_t v4;
  if (ltcp_ipv4_parse_text(text, &v4) == 0) {
    ep->family = LTCP_AF_INET;
    ep->addr = v4;
    return 0;
  }
  uint8_t a6[16];
  if (strchr(text, ':') == NULL || inet_pton(AF_INET6, text, a6) != 1) return LTCP_EINVAL;
  ep->family = LTCP_AF_INET6;
  ep->addr = 0;
  memcpy(ep->addr6, a6, 16);
  return 0;
}

char *ltcp_addr_format(const ltcp_endpoint *ep, char *buf) {
  if (ep->family != LTCP_AF_INET6) return ltcp_ipv4_format(ep->addr, buf);
  if (!inet_ntop(AF_INET6, ep->addr6, buf, LTCP_ADDR_STRLEN)) buf[0] = '\0'; /* cannot fail */
  return buf;
}

char *ltcp_endpoint_format(const ltcp_endpoint *ep, char *buf) {
  char a[LTCP_ADDR_STRLEN];
  ltcp_addr_format(ep, a);
  if (ep->family == LTCP_AF_INET6) snprintf(buf, LTCP_ENDPOINT_STRLEN, "[%s]:%u", a, ep->port);
  else snprintf(buf, LTCP_ENDPOINT_STRLEN, "%s:%u", a, ep->port);
  return buf;
}

/* "65535" at most, digits only. Returns 0 or -1. */
static int addr_parse_port(const char *p, uint16_t *port) {
  if (*p < '0' || *p > '9' || strlen(p) > 5) return -1;
  char *end;
  unsigned long v = strtoul(p, &end, 10);
  if (*end != '\0' || v > 65535) return -1;
  *port = (uint16_t)v;
  return 0;
}

int ltcp_endpoint_parse(const char *text, ltcp_endpoint *ep) {
  if (text == NULL || ep == NULL) return LTCP_EINVAL;
  char a[LTCP_ADDR_STRLEN];
  const char *port;
  size_t n;
  int bracket = text[0] == '[';
  if (bracket) { /* [v6]:port */
    const char *close = strchr(text, ']');
    if (!close || close[1] != ':') return LTCP_EINVAL;
    n = (size_t)(close - text - 1);
    text++;
    port = close + 2;
  } else { /* a.b.c.d:port */
    const char *colon = strrchr(text, ':');
    if (!colon || strchr(text, ':') != colon) return LTCP_EINVAL;
    n = (size_t)(colon - text);
    port = colon + 1;
  }
  if (n >= sizeof a) return LTCP_EINVAL;
  memcpy(a, text, n);
  a[n] = '\0';
  ltcp_endpoint e = {0};
  if (ltcp_addr_parse(a, &e) != 0 || addr_parse_port(port, &e.port) != 0) return LTCP_EINVAL;
  if (bracket != (e.family == LTCP_AF_INET6)) return LTCP_EINVAL;
  *ep = e;
  return 0;
}

int ltcp_endpoint_equal(const ltcp_endpoint *a, const ltcp_endpoint *b) {
  if (a->family != b->family || a->port != b->port) return 0;
  return a->family == LTCP_AF_INET6 ? memcmp(a->addr6, b->addr6, 16) == 0 : a->addr == b->addr;
}
