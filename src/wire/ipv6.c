/* IPv6 headers (RFC 8200 §3, §4, §8.1) and ICMPv6 messages (RFC 4443 §2). */
#include "lucidtcp/wire/ipv6.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv4.h"

/* RFC 4443 §3.4: answer with a parameter problem of code at the octet ptr. */
static ltcp_drop_reason ipv6_problem(ltcp_ipv6_hdr *h, uint8_t code, size_t ptr) {
  h->problem_code = code;
  h->problem_ptr = (uint32_t)ptr;
  return LTCP_DROP_IP6_PARAM_PROBLEM;
}

/* RFC 8200 §4.2: the options of a Hop-by-Hop or Destination Options header at
 * pkt[off .. off+hlen). We know only Pad1 and PadN; an unknown option is skipped or acted on
 * by the two high bits of its type. */
static ltcp_drop_reason ipv6_options(const uint8_t *pkt, size_t off, size_t hlen,
                                     ltcp_ipv6_hdr *h) {
  size_t p = off + 2, end = off + hlen;
  while (p < end) { /* bounded: p grows by at least 1 */
    uint8_t type = pkt[p];
    if (type == 0) { /* Pad1 */
      p++;
      continue;
    }
    if (p + 2 > end || p + 2 + pkt[p + 1] > end) return LTCP_DROP_IP6_EXT_CHAIN;
    switch (type >> 6) {
      case 0: break; /* skip over it (PadN is one) */
      case 1: return LTCP_DROP_IP6_OPTION_DISCARD;
      case 2: return ipv6_problem(h, 2, p);
      default: /* 3: answer only a unicast destination */
        if (h->dst[0] == 0xff) return LTCP_DROP_IP6_OPTION_DISCARD;
        return ipv6_problem(h, 2, p);
    }
    p += 2u + pkt[p + 1];
  }
  return LTCP_DROP_NONE;
}

/* One extension header, kind next, at pkt[off .. off+hlen). */
static ltcp_drop_reason ipv6_ext(const uint8_t *pkt, size_t off, size_t hlen, uint8_t next,
                                 ltcp_ipv6_hdr *h) {
  switch (next) {
    case LTCP_IPPROTO_HOPOPTS:
    case LTCP_IPPROTO_DSTOPTS: return ipv6_options(pkt, off, hlen, h);
    case LTCP_IPPROTO_ROUTING:
      /* §4.4: with segments left, a routing type we do not know (we know none: type 0 is
       * deprecated, RFC 5095) is answered, pointing at the type. */
      return pkt[off + 3] == 0 ? LTCP_DROP_NONE : ipv6_problem(h, 0, off + 2);
    default: { /* the fragment header, §4.5 */
      uint16_t fo = ltcp_get16(pkt + off + 2);
      if ((fo & 0xfff9u) == 0) return LTCP_DROP_NONE; /* atomic: whole (RFC 6946 §4) */
      h->off = (uint16_t)off;
      return LTCP_DROP_IP6_FRAGMENT;
    }
  }
}

/* RFC 8200 §4.1: the chain from the fixed header to the upper layer, end the payload's end. */
static ltcp_drop_reason ipv6_walk(const uint8_t *pkt, size_t end, ltcp_ipv6_hdr *h) {
  uint8_t next = h->next;
  size_t next_at = 6, off = LTCP_IPV6_HDR_LEN; /* where next was read, where its header is */
  for (int i = 0;; i++) { /* bounded: at most LTCP_IPV6_EXT_MAX + 1 rounds */
    switch (next) {
      case LTCP_IPPROTO_TCP:
      case LTCP_IPPROTO_ICMPV6:
        h->proto = next;
        h->off = (uint16_t)off;
        return LTCP_DROP_NONE;
      case LTCP_IPPROTO_NONE: return LTCP_DROP_IP6_NO_NEXT; /* §4.7 */
      case LTCP_IPPROTO_HOPOPTS: /* only right after the fixed header (§4.3) */
        if (i != 0) return ipv6_problem(h, 1, next_at);
        break;
      case LTCP_IPPROTO_DSTOPTS:
      case LTCP_IPPROTO_ROUTING:
      case LTCP_IPPROTO_FRAGMENT: break;
      default: return ipv6_problem(h, 1, next_at); /* §4: unrecognized next header */
    }
    if (i == LTCP_IPV6_EXT_MAX || off + 8 > end) return LTCP_DROP_IP6_EXT_CHAIN;
    size_t hlen = next == LTCP_IPPROTO_FRAGMENT ? 8u : ((size_t)pkt[off + 1] + 1) * 8;
    if (off + hlen > end) return LTCP_DROP_IP6_EXT_CHAIN;
    ltcp_drop_reason why = ipv6_ext(pkt, off, hlen, next, h);
    if (why != LTCP_DROP_NONE) return why;
    next_at = off;
    next = pkt[off];
    off += hlen;
  }
}

ltcp_drop_reason ltcp_ipv6_parse(const uint8_t *pkt, size_t len, ltcp_ipv6_hdr *h) {
  if (len < LTCP_IPV6_HDR_LEN) return LTCP_DROP_IP6_TRUNCATED;
  if ((pkt[0] >> 4) != 6) return LTCP_DROP_IP6_VERSION;
  uint32_t vtf = ltcp_get32(pkt);
  h->tclass = (uint8_t)(vtf >> 20);
  h->flow = vtf & 0xfffffu;
  h->payload_len = ltcp_get16(pkt + 4);
  if (h->payload_len == 0 || h->payload_len > len - LTCP_IPV6_HDR_LEN)
    return LTCP_DROP_IP6_PAYLOAD_LEN;
  h->next = pkt[6];
  h->hop_limit = pkt[7];
  memcpy(h->src, pkt + 8, 16);
  memcpy(h->dst, pkt + 24, 16);
  h->problem_code = 0;
  h->problem_ptr = 0;
  return ipv6_walk(pkt, LTCP_IPV6_HDR_LEN + (size_t)h->payload_len, h);
}

int ltcp_ipv6_chain_complete(const uint8_t *p, size_t len, uint8_t next) {
  size_t off = 0;
  for (int i = 0; i <= LTCP_IPV6_EXT_MAX; i++) { /* bounded, as ipv6_walk */
    switch (next) {
      case LTCP_IPPROTO_TCP: return off + 20 <= len;
      case LTCP_IPPROTO_ICMPV6: return off + LTCP_ICMP_HDR_LEN <= len;
      case LTCP_IPPROTO_HOPOPTS:
      case LTCP_IPPROTO_DSTOPTS:
      case LTCP_IPPROTO_ROUTING:
      case LTCP_IPPROTO_FRAGMENT: break;
      default: return 1; /* no next header, or one we do not know */
    }
    if (off + 8 > len) return 0;
    size_t hlen = next == LTCP_IPPROTO_FRAGMENT ? 8u : ((size_t)p[off + 1] + 1) * 8;
    next = p[off];
    off += hlen;
  }
  return 1; /* too long a chain: the reassembled packet's walk drops it */
}

size_t ltcp_ipv6_write(uint8_t *out, const ltcp_ipv6_hdr *h) {
  ltcp_put32(out, 6u << 28 | (uint32_t)h->tclass << 20 | (h->flow & 0xfffffu));
  ltcp_put16(out + 4, h->payload_len);
  out[6] = h->next;
  out[7] = h->hop_limit;
  memcpy(out + 8, h->src, 16);
  memcpy(out + 24, h->dst, 16);
  return LTCP_IPV6_HDR_LEN;
}

uint32_t ltcp_cksum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                                uint32_t len) {
  uint32_t sum = (len >> 16) + (len & 0xffffu) + proto;
  for (int i = 0; i < 16; i += 2) sum += ltcp_get16(src + i) + ltcp_get16(dst + i);
  return sum;
}

ltcp_drop_reason ltcp_icmpv6_parse(const uint8_t *msg, size_t len, const uint8_t src[16],
                                   const uint8_t dst[16], ltcp_icmp_hdr *h) {
  if (len < LTCP_ICMP_HDR_LEN) return LTCP_DROP_ICMP_TRUNCATED;
  /* RFC 4443 §2.3: the checksum covers the pseudo-header too. */
  uint32_t sum = ltcp_cksum_pseudo_ipv6(src, dst, LTCP_IPPROTO_ICMPV6, (uint32_t)len);
  if (ltcp_cksum_finish(ltcp_cksum_add(sum, msg, len)) != 0) return LTCP_DROP_ICMP_CHECKSUM;
  h->type = msg[0];
  h->code = msg[1];
  h->rest = ltcp_get32(msg + 4);
  h->data = msg + LTCP_ICMP_HDR_LEN;
  h->data_len = len - LTCP_ICMP_HDR_LEN;
  return LTCP_DROP_NONE;
}

size_t ltcp_icmpv6_write(uint8_t *out, size_t cap, const ltcp_icmp_hdr *h, const uint8_t src[16],
                         const uint8_t dst[16]) {
  size_t n = ltcp_icmp_write(out, cap, h);
  if (n == 0) return 0;
  /* The message's own sum, with the pseudo-header's added (RFC 1624: one's complement). */
  uint32_t sum = (uint16_t)~ltcp_get16(out + 2);
  sum += ltcp_cksum_pseudo_ipv6(src, dst, LTCP_IPPROTO_ICMPV6, (uint32_t)n);
  ltcp_put16(out + 2, ltcp_cksum_finish(sum));
  return n;
}

ltcp_drop_reason ltcp_tcp_parse_ipv6(const uint8_t *tcp, size_t len, const uint8_t src[16],
                                     const uint8_t dst[16], uint32_t src_id, uint32_t dst_id,
                                     ltcp_seg *seg) {
  uint32_t sum = ltcp_cksum_pseudo_ipv6(src, dst, LTCP_IPPROTO_TCP, (uint32_t)len);
  if (len >= 20 && ltcp_cksum_finish(ltcp_cksum_add(sum, tcp, len)) != 0)
    return LTCP_DROP_TCP_CHECKSUM;
  return ltcp_tcp_parse_unchecked(tcp, len, src_id, dst_id, seg);
}

void ltcp_tcp_checksum_to_ipv6(uint8_t *tcp, uint32_t src_id, uint32_t dst_id,
                               const uint8_t src[16], const uint8_t dst[16], int partial) {
  uint16_t field = ltcp_get16(tcp + 16);
  uint32_t sum = partial ? field : (uint16_t)~field; /* the sum it holds */
  /* minus the IPv4-shaped addresses (adding their complements), plus the IPv6 ones */
  sum += (uint16_t)~(src_id >> 16) + (uint16_t)~(src_id & 0xffffu);
  sum += (uint16_t)~(dst_id >> 16) + (uint16_t)~(dst_id & 0xffffu);
  for (int i = 0; i < 16; i += 2) sum += ltcp_get16(src + i) + ltcp_get16(dst + i);
  uint16_t folded = (uint16_t)~ltcp_cksum_finish(sum);
  ltcp_put16(tcp + 16, partial ? folded : (uint16_t)~folded);
}
