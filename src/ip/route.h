/* The IPv4 routing table: which destinations the host can reach and through which next hop.
 * A host with one layer-3 link (a TUN device is point-to-point) sends everything it can reach out
 * of that link, so a route decides only whether a destination is reachable and which gateway
 * stands for it. Entries are kept longest prefix first, so the first match is the longest
 * (RFC 1812 §5.2.4.3); a host's table holds a handful of routes and is looked up once per
 * connection (a connect, a segment for no connection), never per segment. Owns the entries.
 * Private to src/ip/. */
#ifndef LTCP_IP_ROUTE_H
#define LTCP_IP_ROUTE_H

#include <stdint.h>

typedef struct ltcp_route_entry {
  uint32_t prefix; /* host byte order, host bits zero */
  uint32_t via;    /* next hop; 0: the destination is on the link */
  uint8_t len;     /* prefix length, 0..32 */
} ltcp_route_entry;

typedef struct ltcp_routes {
  ltcp_route_entry *e; /* cap entries, count used, by prefix length, longest first */
  uint32_t count, cap;
} ltcp_routes;

/* cap entries at most. 0 or LTCP_ENOMEM. */
int ltcp_routes_init(ltcp_routes *t, uint32_t cap);
void ltcp_routes_free(ltcp_routes *t);
/* Adds prefix/len via via (0: on the link). 0, LTCP_EINVAL (len > 32, host bits set),
 * LTCP_EEXIST (that prefix is there) or LTCP_ENOBUFS (cap routes already). */
int ltcp_routes_add(ltcp_routes *t, uint32_t prefix, uint8_t len, uint32_t via);
/* Removes prefix/len. 0 or LTCP_ESRCH. */
int ltcp_routes_del(ltcp_routes *t, uint32_t prefix, uint8_t len);
/* The longest prefix holding dst, or NULL: no route. */
const ltcp_route_entry *ltcp_routes_lookup(const ltcp_routes *t, uint32_t dst);
/* Whether via may be a next hop for a host at addr/len: 0 (on the link), or another unicast
 * host in that prefix (RFC 1122 3.3.1.1: a gateway is on a connected network), any other one
 * on a /32 (a point-to-point link stands for its far end). 1 or 0. */
int ltcp_routes_via_ok(uint32_t addr, uint8_t len, uint32_t via);
/* The IPv6 table (RFC 8200; RFC 4861 §5.2's prefix list and default router, as a host with one
 * point-to-point link needs them): every IPv6 route leaves through the link (a TUN link has no
 * neighbours to resolve), so a next hop is recorded and reported, as IPv4's is. Longest prefix
 * first, as the IPv4 table. */
typedef struct ltcp_route6_entry {
  uint8_t prefix[16]; /* network byte order, host bits zero */
  uint8_t via[16];    /* next hop; all zero: the destination is on the link */
  uint8_t len;        /* 0..128 */
} ltcp_route6_entry;

typedef struct ltcp_routes6 {
  ltcp_route6_entry *e;
  uint32_t count, cap;
} ltcp_routes6;

int ltcp_routes6_init(ltcp_routes6 *t, uint32_t cap); /* 0 or LTCP_ENOMEM */
void ltcp_routes6_free(ltcp_routes6 *t);
/* Adds prefix/len via via (NULL or all zero: on the link); host bits are cleared. 0,
 * LTCP_EINVAL (len > 128), LTCP_EEXIST or LTCP_ENOBUFS. */
int ltcp_routes6_add(ltcp_routes6 *t, const uint8_t prefix[16], uint8_t len, const uint8_t via[16]);
/* Removes prefix/len (host bits cleared). 0 or LTCP_ESRCH. */
int ltcp_routes6_del(ltcp_routes6 *t, const uint8_t prefix[16], uint8_t len);
/* The longest prefix holding dst, or NULL. */
const ltcp_route6_entry *ltcp_routes6_lookup(const ltcp_routes6 *t, const uint8_t dst[16]);
/* Whether prefix/len is one: len <= 128, no host bits set. */
int ltcp_routes6_is_prefix(const uint8_t prefix[16], uint8_t len);
/* Whether a is all zero (::, the unspecified address). */
int ltcp_routes6_is_any(const uint8_t a[16]);
/* Whether via (NULL or ::: on the link) may be a next hop for a host at addr/len: a unicast
 * address not ours, link-local (fe80::/10, RFC 4861 §8: routers are named by those) or in
 * our prefix, any other one on a /128 (a point-to-point link stands for its far end). 1 or 0. */
int ltcp_routes6_via_ok(const uint8_t addr[16], uint8_t len, const uint8_t via[16]);

/* The mask of a prefix length. */
static inline uint32_t ltcp_routes_mask(uint8_t len) { return len ? ~0u << (32 - len) : 0; }

#endif
