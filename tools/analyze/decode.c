/* Link layers (Ethernet, raw IP, Linux cooked SLL and SLL2, BSD loopback), IPv4 and IPv6,
 * TCP through the library's own parser, and ICMP errors quoting TCP. */
#include "analyze/decode.h"

#include <stdio.h>
#include <string.h>

#include "lucidtcp/wire/bytes.h"

/* libpcap's DLT_* numbers (pcap/dlt.h), spelled here so this file needs no libpcap. */
enum {
  AN_DLT_NULL = 0, AN_DLT_EN10MB = 1, AN_DLT_RAW = 12, AN_DLT_RAW_BSD = 14,
  AN_LINKTYPE_RAW = 101, AN_DLT_LOOP = 108, AN_DLT_LINUX_SLL = 113, AN_DLT_IPV4 = 228,
  AN_DLT_IPV6 = 229, AN_DLT_LINUX_SLL2 = 276
};
#define AN_ETH_IPV4 0x0800
#define AN_ETH_IPV6 0x86dd
#define AN_VLAN_MAX 2 /* 802.1Q and 802.1ad tags skipped, at most this many */

const char *an_decode_result_name(an_decode_result r) {
  static const char *const n[AN_DEC_RESULTS] = {"ok", "not TCP", "IP fragment", "truncated",
                                                "malformed", "unknown link type"};
  return (unsigned)r < AN_DEC_RESULTS ? n[r] : "?";
}

int an_addr_equal(const an_addr *a, const an_addr *b) {
  return a->family == b->family && memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

char *an_addr_format(const an_addr *a, char *buf) {
  if (a->family == 4) {
    snprintf(buf, AN_ADDR_TEXT, "%u.%u.%u.%u", a->b[0], a->b[1], a->b[2], a->b[3]);
    return buf;
  }
  /* RFC 5952: the longest run of two or more zero groups becomes "::". */
  uint16_t g[8];
  int best = -1, best_len = 1;
  for (int i = 0; i < 8; i++) g[i] = ltcp_get16(a->b + 2 * i);
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && g[j] == 0) j++;
    if (j - i > best_len) best = i, best_len = j - i;
    i = j > i ? j : i + 1;
  }
  char *p = buf;
  for (int i = 0; i < 8; i++) {
    if (i == best) {
      p += sprintf(p, "::");
      i += best_len - 1;
      continue;
    }
    p += sprintf(p, "%s%x", (i > 0 && i != best + best_len) ? ":" : "", g[i]);
  }
  return buf;
}

int an_linktype_known(int lt) {
  switch (lt) {
    case AN_DLT_NULL: case AN_DLT_EN10MB: case AN_DLT_RAW: case AN_DLT_RAW_BSD:
    case AN_LINKTYPE_RAW: case AN_DLT_LOOP: case AN_DLT_LINUX_SLL: case AN_DLT_IPV4:
    case AN_DLT_IPV6: case AN_DLT_LINUX_SLL2:
      return 1;
    default:
      return 0;
  }
}

/* ---- TCP */

/* The TCP header at p (cap bytes captured of the wire_len the IP header says). */
static an_decode_result an_tcp(const uint8_t *p, size_t cap, size_t wire_len, an_packet *out) {
  if (cap < 20 || wire_len < 20) return AN_DEC_TRUNCATED;
  size_t hl = (size_t)(p[12] >> 4) * 4;
  if (hl < 20 || hl > wire_len) return AN_DEC_MALFORMED;
  if (hl > cap) return AN_DEC_TRUNCATED;
  /* Only the header goes to the parser: the payload may be cut by the snap length. The
   * checksum is not checked (captures of offloading hosts carry partial sums). */
  if (ltcp_tcp_parse_unchecked(p, hl, 0, 0, &out->seg) != LTCP_DROP_NONE) return AN_DEC_MALFORMED;
  out->seg.len = (uint32_t)(wire_len - hl);
  out->seg.data = NULL;
  out->kind = AN_PKT_TCP;
  return AN_DEC_OK;
}

/* The first 8 bytes of a TCP header quoted by an ICMP error (RFC 792: at least 64 bits). */
static an_decode_result an_quoted_tcp(const uint8_t *p, size_t cap, an_packet *out) {
  if (cap < 8) return AN_DEC_TRUNCATED;
  memset(&out->seg, 0, sizeof out->seg);
  out->seg.src_port = ltcp_get16(p);
  out->seg.dst_port = ltcp_get16(p + 2);
  out->seg.seq = ltcp_get32(p + 4);
  out->kind = AN_PKT_ICMP_ERR;
  return AN_DEC_OK;
}

/* ---- IP */

static an_decode_result an_ip(const uint8_t *p, size_t cap, an_packet *out, int quoted);

static void an_addr_set(an_addr *a, int family, const uint8_t *b) {
  memset(a, 0, sizeof *a);
  a->family = (uint8_t)family;
  memcpy(a->b, b, family == 4 ? 4 : 16);
}

/* ICMP destination unreachable (3), time exceeded (11), parameter problem (12) quote the
 * datagram that caused them (RFC 792); ICMPv6 types 1-4 likewise (RFC 4443). */
static an_decode_result an_icmp(const uint8_t *p, size_t cap, int v6, an_packet *out, int quoted) {
  if (quoted) return AN_DEC_NOT_TCP; /* an error about an error is not looked into */
  if (cap < 8) return AN_DEC_TRUNCATED;
  uint8_t type = p[0], code = p[1];
  int error = v6 ? (type >= 1 && type <= 4) : (type == 3 || type == 11 || type == 12);
  if (!error) return AN_DEC_NOT_TCP;
  uint8_t ttl = out->ttl;
  an_decode_result r = an_ip(p + 8, cap - 8, out, 1);
  if (r != AN_DEC_OK) return r == AN_DEC_TRUNCATED ? AN_DEC_TRUNCATED : AN_DEC_NOT_TCP;
  out->ttl = ttl;
  out->icmp_type = type;
  out->icmp_code = code;
  return AN_DEC_OK;
}

/* The transport at p: TCP, ICMP(v6) errors; cap captured of wire_len on the wire. */
static an_decode_result an_transport(int proto, const uint8_t *p, size_t cap, size_t wire_len,
                                     int v6, an_packet *out, int quoted) {
  if (proto == 6) return quoted ? an_quoted_tcp(p, cap, out) : an_tcp(p, cap, wire_len, out);
  if ((!v6 && proto == 1) || (v6 && proto == 58))
    return an_icmp(p, cap < wire_len ? cap : wire_len, v6, out, quoted);
  return AN_DEC_NOT_TCP;
}

static an_decode_result an_ipv4(const uint8_t *p, size_t cap, an_packet *out, int quoted) {
  if (cap < 20) return AN_DEC_TRUNCATED;
  size_t hl = (size_t)(p[0] & 0x0f) * 4;
  size_t total = ltcp_get16(p + 2);
  if (hl < 20 || total < hl) return AN_DEC_MALFORMED;
  if (hl > cap) return AN_DEC_TRUNCATED;
  uint16_t frag = ltcp_get16(p + 6);
  if (frag & 0x3fff) return AN_DEC_FRAGMENT; /* MF or an offset */
  an_addr_set(&out->src, 4, p + 12);
  an_addr_set(&out->dst, 4, p + 16);
  if (!quoted) out->ttl = p[8];
  size_t avail = cap - hl;
  if (quoted) total = hl + avail; /* the quote is cut short by design */
  return an_transport(p[9], p + hl, avail, total - hl, 0, out, quoted);
}

/* IPv6 with its extension headers (RFC 8200 §4): hop-by-hop, routing, destination options
 * skipped; a fragment header means a fragment. */
static an_decode_result an_ipv6(const uint8_t *p, size_t cap, an_packet *out, int quoted) {
  if (cap < 40) return AN_DEC_TRUNCATED;
  size_t payload = ltcp_get16(p + 4);
  an_addr_set(&out->src, 6, p + 8);
  an_addr_set(&out->dst, 6, p + 24);
  if (!quoted) out->ttl = p[7];
  int next = p[6];
  size_t off = 40, end = 40 + payload;
  if (quoted) end = cap;
  for (int n = 0; n < 8; n++) { /* a bound on the chain of extension headers */
    if (next == 44) return AN_DEC_FRAGMENT;
    if (next != 0 && next != 43 && next != 60) break;
    if (off + 8 > cap) return AN_DEC_TRUNCATED;
    int nh = p[off];
    off += ((size_t)p[off + 1] + 1) * 8;
    next = nh;
  }
  if (off > end) return AN_DEC_MALFORMED;
  if (off > cap) return AN_DEC_TRUNCATED;
  return an_transport(next, p + off, cap - off, end - off, 1, out, quoted);
}

static an_decode_result an_ip(const uint8_t *p, size_t cap, an_packet *out, int quoted) {
  if (cap < 1) return AN_DEC_TRUNCATED;
  switch (p[0] >> 4) {
    case 4: return an_ipv4(p, cap, out, quoted);
    case 6: return an_ipv6(p, cap, out, quoted);
    default: return quoted ? AN_DEC_NOT_TCP : AN_DEC_MALFORMED;
  }
}

/* ---- link layers */

static an_decode_result an_ethertype(unsigned type, const uint8_t *p, size_t cap, an_packet *out) {
  if (type == AN_ETH_IPV4 || type == AN_ETH_IPV6) return an_ip(p, cap, out, 0);
  return AN_DEC_NOT_TCP;
}

static an_decode_result an_ethernet(const uint8_t *p, size_t cap, an_packet *out) {
  size_t off = 12;
  for (int n = 0; n <= AN_VLAN_MAX; n++) {
    if (cap < off + 2) return AN_DEC_TRUNCATED;
    unsigned type = ltcp_get16(p + off);
    if (type != 0x8100 && type != 0x88a8) return an_ethertype(type, p + off + 2, cap - off - 2, out);
    off += 4;
  }
  return AN_DEC_NOT_TCP;
}

/* BSD loopback: the address family, in the writer's byte order (DLT_NULL) or big-endian
 * (DLT_LOOP). AF_INET is 2 everywhere; AF_INET6 is 10, 24, 28 or 30 depending on the OS. */
static an_decode_result an_null(const uint8_t *p, size_t cap, int big_endian, an_packet *out) {
  if (cap < 4) return AN_DEC_TRUNCATED;
  uint32_t af = big_endian ? ltcp_get32(p)
                           : (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  if (!big_endian && af > 0xffff) af = ltcp_get32(p); /* written big-endian */
  if (af == 2 || af == 10 || af == 24 || af == 28 || af == 30) return an_ip(p + 4, cap - 4, out, 0);
  return AN_DEC_NOT_TCP;
}

an_decode_result an_decode(int linktype, const uint8_t *p, size_t cap, an_packet *out) {
  memset(out, 0, sizeof *out);
  switch (linktype) {
    case AN_DLT_EN10MB: return an_ethernet(p, cap, out);
    case AN_DLT_RAW: case AN_DLT_RAW_BSD: case AN_LINKTYPE_RAW: case AN_DLT_IPV4: case AN_DLT_IPV6:
      return an_ip(p, cap, out, 0);
    case AN_DLT_LINUX_SLL: /* 16 bytes: packet type, ARPHRD, address length, address, protocol */
      if (cap < 16) return AN_DEC_TRUNCATED;
      return an_ethertype(ltcp_get16(p + 14), p + 16, cap - 16, out);
    case AN_DLT_LINUX_SLL2: /* 20 bytes: protocol first, then interface index, ... */
      if (cap < 20) return AN_DEC_TRUNCATED;
      return an_ethertype(ltcp_get16(p), p + 20, cap - 20, out);
    case AN_DLT_NULL: return an_null(p, cap, 0, out);
    case AN_DLT_LOOP: return an_null(p, cap, 1, out);
    default: return AN_DEC_LINKTYPE;
  }
}
