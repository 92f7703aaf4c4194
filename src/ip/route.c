/* The IPv4 routing table (route.h). */
#include "ip/route.h"

#include <stdlib.h>
#include <string.h>

#include "lucidtcp/common.h"

int ltcp_routes_init(ltcp_routes *t, uint32_t cap) {
  t->count = 0;
  t->cap = cap;
  t->e = calloc(cap ? cap : 1, sizeof *t->e);
  return t->e ? 0 : LTCP_ENOMEM;
}

void ltcp_routes_free(ltcp_routes *t) {
  free(t->e);
  t->e = NULL;
  t->count = t->cap = 0;
}

static int routes_find(const ltcp_routes *t, uint32_t prefix, uint8_t len) {
  for (uint32_t i = 0; i < t->count; i++)
    if (t->e[i].len == len && t->e[i].prefix == prefix) return (int)i;
  return -1;
}

int ltcp_routes_add(ltcp_routes *t, uint32_t prefix, uint8_t len, uint32_t via) {
  if (len > 32 || (prefix & ~ltcp_routes_mask(len)) != 0) return LTCP_EINVAL;
  if (routes_find(t, prefix, len) >= 0) return LTCP_EEXIST;
  if (t->count == t->cap) return LTCP_ENOBUFS;
  uint32_t at = 0;
  while (at < t->count && t->e[at].len >= len) at++; /* after every route as long or longer */
  memmove(&t->e[at + 1], &t->e[at], (t->count - at) * sizeof *t->e);
  t->e[at] = (ltcp_route_entry){.prefix = prefix, .via = via, .len = len};
  t->count++;
  return 0;
}

int ltcp_routes_del(ltcp_routes *t, uint32_t prefix, uint8_t len) {
  int i = routes_find(t, prefix, len);
  if (i < 0) return LTCP_ESRCH;
  memmove(&t->e[i], &t->e[i + 1], (t->count - (uint32_t)i - 1) * sizeof *t->e);
  t->count--;
  return 0;
}

const ltcp_route_entry *ltcp_routes_lookup(const ltcp_routes *t, uint32_t dst) {
  for (uint32_t i = 0; i < t->count; i++)
    if ((dst & ltcp_routes_mask(t->e[i].len)) == t->e[i].prefix) return &t->e[i];
  return NULL;
}

int ltcp_routes_via_ok(uint32_t addr, uint8_t len, uint32_t via) {
  if (via == 0) return 1;
  if (via == addr || (via >> 28) >= 0xe) return 0;
  uint32_t m = len == 32 ? 0 : ltcp_routes_mask(len);
  return (via & m) == (addr & m);
}

/* ---- IPv6 */

int ltcp_routes6_init(ltcp_routes6 *t, uint32_t cap) {
  t->count = 0;
  t->cap = cap;
  t->e = calloc(cap ? cap : 1, sizeof *t->e);
  return t->e ? 0 : LTCP_ENOMEM;
}

void ltcp_routes6_free(ltcp_routes6 *t) {
  free(t->e);
  t->e = NULL;
  t->count = t->cap = 0;
}

/* Whether a's first len bits are b's. */
static int routes6_match(const uint8_t *a, const uint8_t *b, uint8_t len) {
  uint8_t whole = len / 8, rest = len % 8;
  if (memcmp(a, b, whole) != 0) return 0;
  if (rest == 0) return 1;
  uint8_t m = (uint8_t)(0xffu << (8 - rest));
  return (a[whole] & m) == (b[whole] & m);
}

int ltcp_routes6_is_any(const uint8_t a[16]) {
  static const uint8_t any[16];
  return memcmp(a, any, 16) == 0;
}

static int routes6_find(const ltcp_routes6 *t, const uint8_t prefix[16], uint8_t len) {
  for (uint32_t i = 0; i < t->count; i++)
    if (t->e[i].len == len && memcmp(t->e[i].prefix, prefix, 16) == 0) return (int)i;
  return -1;
}

/* An entry for prefix/len (len <= 128), its host bits cleared. */
static ltcp_route6_entry routes6_entry(const uint8_t prefix[16], uint8_t len) {
  ltcp_route6_entry n = {.len = len};
  memcpy(n.prefix, prefix, len / 8);
  if (len % 8) n.prefix[len / 8] = (uint8_t)(prefix[len / 8] & (0xffu << (8 - len % 8)));
  return n;
}

int ltcp_routes6_is_prefix(const uint8_t prefix[16], uint8_t len) {
  if (len > 128) return 0;
  ltcp_route6_entry n = routes6_entry(prefix, len);
  return memcmp(n.prefix, prefix, 16) == 0;
}

int ltcp_routes6_add(ltcp_routes6 *t, const uint8_t prefix[16], uint8_t len, const uint8_t via[16]) {
  if (len > 128) return LTCP_EINVAL;
  ltcp_route6_entry n = routes6_entry(prefix, len);
  if (via) memcpy(n.via, via, 16);
  if (routes6_find(t, n.prefix, len) >= 0) return LTCP_EEXIST;
  if (t->count == t->cap) return LTCP_ENOBUFS;
  uint32_t at = 0;
  while (at < t->count && t->e[at].len >= len) at++;
  memmove(&t->e[at + 1], &t->e[at], (t->count - at) * sizeof *t->e);
  t->e[at] = n;
  t->count++;
  return 0;
}

int ltcp_routes6_del(ltcp_routes6 *t, const uint8_t prefix[16], uint8_t len) {
  if (len > 128) return LTCP_ESRCH;
  ltcp_route6_entry n = routes6_entry(prefix, len);
  int i = routes6_find(t, n.prefix, len);
  if (i < 0) return LTCP_ESRCH;
  memmove(&t->e[i], &t->e[i + 1], (t->count - (uint32_t)i - 1) * sizeof *t->e);
  t->count--;
  return 0;
}

int ltcp_routes6_via_ok(const uint8_t addr[16], uint8_t len, const uint8_t via[16]) {
  if (!via || ltcp_routes6_is_any(via)) return 1;
  if (memcmp(via, addr, 16) == 0 || via[0] == 0xff) return 0;
  if (via[0] == 0xfe && (via[1] & 0xc0) == 0x80) return 1; /* link-local */
  return len == 128 || routes6_match(via, addr, len);
}

const ltcp_route6_entry *ltcp_routes6_lookup(const ltcp_routes6 *t, const uint8_t dst[16]) {
  for (uint32_t i = 0; i < t->count; i++)
    if (routes6_match(dst, t->e[i].prefix, t->e[i].len)) return &t->e[i];
  return NULL;
}
