/* IPv6 in the IP layer (ip6.h): RFC 8200, RFC 4443, RFC 6437. */
#include "ip/ip6.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv6.h"
#include "tcp/events.h"
#include "tcp/icmperr.h"
#include "util/assert.h"

/* ---- out */

/* RFC 6437 §3: a flow label per connection, a keyed hash of its 4-tuple (the handles name the
 * addresses for as long as the connection holds them), never 0. The same on every segment. */
static uint32_t ip6_flow_label(const ltcp_ip *ip, const ltcp_seg *seg) {
  uint64_t x = ((uint64_t)seg->dst_addr << 32 | (uint64_t)seg->src_port << 16 | seg->dst_port);
  x ^= ip->flow_key ^ (uint64_t)seg->src_addr * 0x9e3779b97f4a7c15ull;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  uint32_t label = (uint32_t)x & 0xfffffu;
  return label ? label : 1;
}

void ltcp_ip6_tx_commit(ltcp_ip *ip, uint8_t *tcp, const ltcp_seg *seg, uint32_t tcp_len,
                        uint32_t seg_size) {
  uint8_t *pkt = tcp - LTCP_IPV6_HDR_LEN; /* the slot ip_tx_slot gave */
  ltcp_ipv6_hdr h = {.next = LTCP_IPPROTO_TCP, .hop_limit = ip->cfg.ttl};
  h.payload_len = (uint16_t)tcp_len;
  h.flow = ip6_flow_label(ip, seg);
  memcpy(h.src, ltcp_ip_addr6(ip, seg->src_addr), 16);
  memcpy(h.dst, ltcp_ip_addr6(ip, seg->dst_addr), 16);
  ltcp_ipv6_write(pkt, &h);
  /* RFC 8200 §8.1: the engine summed an IPv4-shaped pseudo-header of the handles. */
  ltcp_tcp_checksum_to_ipv6(tcp, seg->src_addr, seg->dst_addr, h.src, h.dst, ip->cfg.csum_offload);
  LTCP_ASSERT(ip->txq.count < ip->txq.cap && LTCP_IPV6_HDR_LEN + tcp_len <= ip->txq.slot &&
              (seg_size == 0 || ip->txq.seg));
  ltcp_txq_commit(&ip->txq, LTCP_IPV6_HDR_LEN + tcp_len, seg_size); /* the link cuts it (TSO) */
  ip->stats.ip_out++;
  ip->stats.ip6_out++;
  if (seg_size) ip->stats.tso_out++;
}

/* RFC 4443 §2.4 (f): a token bucket, LTCP_IP6_ICMP_BURST deep, one token a millisecond.
 * Returns 1 when a message may go. */
static int ip6_icmp_allowed(ltcp_ip *ip) {
  ltcp_time_ns now = ip->tcp.now;
  if (now >= ip->icmp6_refill + LTCP_MS(1)) {
    uint64_t tokens = ip->icmp6_tokens + (now - ip->icmp6_refill) / LTCP_MS(1);
    ip->icmp6_tokens = tokens > LTCP_IP6_ICMP_BURST ? LTCP_IP6_ICMP_BURST : (uint32_t)tokens;
    ip->icmp6_refill = now;
  }
  if (ip->icmp6_tokens == 0) return 0;
  ip->icmp6_tokens--;
  return 1;
}

/* Queues ICMPv6 message m to dst: 0, or why it was not sent. */
static ltcp_drop_reason ip6_icmp_send(ltcp_ip *ip, const uint8_t dst[16], const ltcp_icmp_hdr *m) {
  if (ltcp_ip_route6_lookup(ip, dst, NULL) != 0) return LTCP_DROP_IP6_NO_ROUTE;
  uint8_t *pkt = ltcp_txq_alloc(&ip->txq, 0); /* control: the reserve */
  if (!pkt || LTCP_IPV6_HDR_LEN + LTCP_ICMP_HDR_LEN + m->data_len > ip->txq.slot)
    return LTCP_DROP_TX_QUEUE_FULL;
  size_t n = ltcp_icmpv6_write(pkt + LTCP_IPV6_HDR_LEN, ip->txq.slot - LTCP_IPV6_HDR_LEN, m,
                               ip->cfg.addr6, dst);
  ltcp_ipv6_hdr h = {.next = LTCP_IPPROTO_ICMPV6, .hop_limit = ip->cfg.ttl};
  h.payload_len = (uint16_t)n;
  memcpy(h.src, ip->cfg.addr6, 16);
  memcpy(h.dst, dst, 16);
  ltcp_ipv6_write(pkt, &h);
  ltcp_txq_commit(&ip->txq, LTCP_IPV6_HDR_LEN + n, 0);
  ip->stats.ip_out++;
  ip->stats.ip6_out++;
  return LTCP_DROP_NONE;
}

/* RFC 4443 §2.4 (c): an error quotes as much of the packet as fits in 1280 bytes. */
static void ip6_icmp_error(ltcp_ip *ip, uint8_t type, uint8_t code, uint32_t rest,
                           const uint8_t *pkt, size_t len, const uint8_t src[16]) {
  if (!ip6_icmp_allowed(ip)) {
    ltcp_events_drop(&ip->tcp, LTCP_DROP_ICMP_RATE_LIMITED, NULL);
    return;
  }
  size_t room = LTCP_ICMPV6_ERROR_MAX - LTCP_IPV6_HDR_LEN - LTCP_ICMP_HDR_LEN;
  ltcp_icmp_hdr m = {.type = type, .code = code, .rest = rest, .data = pkt,
                     .data_len = len < room ? len : room};
  ltcp_drop_reason why = ip6_icmp_send(ip, src, &m);
  if (why != LTCP_DROP_NONE) ltcp_events_drop(&ip->tcp, why, NULL);
  else ip->stats.icmp_errors_out++;
}

/* ---- in */

/* RFC 4291 §2.5.2, §2.7; RFC 1122 3.2.1.3's rule: the unspecified address, a multicast one or
 * our own is no source. */
static int ip6_bad_source(const ltcp_ip *ip, const uint8_t src[16]) {
  static const uint8_t unspecified[16];
  return src[0] == 0xff || memcmp(src, unspecified, 16) == 0 || memcmp(src, ip->cfg.addr6, 16) == 0;
}

static void ip6_tcp_input(ltcp_ip *ip, const ltcp_ipv6_hdr *h, const uint8_t *tcp, size_t len,
                          uint32_t flags) {
  uint32_t src;
  if (ltcp_peers_get(&ip->peers, h->src, &src) != 0) { /* held until the call ends */
    ltcp_events_drop(&ip->tcp, LTCP_DROP_IP6_PEERS_FULL, NULL);
    return;
  }
  ltcp_seg seg;
  ltcp_drop_reason why =
      flags & LTCP_IP_CSUM_OK
          ? ltcp_tcp_parse_unchecked(tcp, len, src, LTCP_EP_V6_LOCAL, &seg)
          : ltcp_tcp_parse_ipv6(tcp, len, h->src, h->dst, src, LTCP_EP_V6_LOCAL, &seg);
  if (why != LTCP_DROP_NONE) ltcp_events_drop(&ip->tcp, why, NULL);
  else ltcp_ip_tcp_segment(ip, &seg);
}

/* An error quotes the IPv6 header of a segment we sent (no extension headers: we send none)
 * and at least its first 8 bytes (RFC 4443 §2.4 (c)): the ports and sequence number. */
static ltcp_drop_reason ip6_icmp_error_in(ltcp_ip *ip, const ltcp_icmp_hdr *m, uint8_t type,
                                          uint8_t code, uint16_t mtu) {
  const uint8_t *q = m->data;
  if (m->data_len < LTCP_IPV6_HDR_LEN + 8 || (q[0] >> 4) != 6 || q[6] != LTCP_IPPROTO_TCP ||
      memcmp(q + 8, ip->cfg.addr6, 16) != 0)
    return LTCP_DROP_ICMP_BAD_QUOTE;
  const uint8_t *t = q + LTCP_IPV6_HDR_LEN;
  ltcp_ep local = {LTCP_EP_V6_LOCAL, ltcp_get16(t)};
  ltcp_ep remote = {ltcp_peers_find(&ip->peers, q + 24), ltcp_get16(t + 2)};
  ltcp_tcb *tcb = remote.addr ? ltcp_table_lookup(&ip->table, &local, &remote) : NULL;
  if (!tcb) return LTCP_DROP_ICMP_NO_CONN;
  return ltcp_icmperr_input(&ip->tcp, tcb, type, code, ltcp_get32(t + 4), mtu);
}

/* RFC 4443 §3 errors, as the ICMPv4 type and code the engine knows (tcp/icmperr.h): port
 * unreachable and administratively prohibited as IPv4's; packet too big as "fragmentation
 * needed" with its MTU (RFC 8201). Returns -1 for a type we do not take. */
static int ip6_icmp_as_v4(const ltcp_icmp_hdr *m, uint8_t *type, uint8_t *code, uint16_t *mtu) {
  static const uint8_t unreach[8] = {0 /* no route */, 13 /* prohibited */, 1, 1, 3 /* port */,
                                     13, 13, 1};
  *mtu = 0;
  switch (m->type) {
    case LTCP_ICMPV6_DEST_UNREACH:
      *type = LTCP_ICMP_DEST_UNREACH;
      *code = m->code < 8 ? unreach[m->code] : 1;
      return 0;
    case LTCP_ICMPV6_PACKET_TOO_BIG:
      *type = LTCP_ICMP_DEST_UNREACH;
      *code = LTCP_ICMP_FRAG_NEEDED;
      *mtu = m->rest > 65535u ? 65535u : (uint16_t)m->rest;
      return 0;
    case LTCP_ICMPV6_TIME_EXCEEDED: *type = LTCP_ICMP_TIME_EXCEEDED; *code = m->code; return 0;
    case LTCP_ICMPV6_PARAM_PROBLEM: *type = LTCP_ICMP_PARAM_PROBLEM; *code = 0; return 0;
    default: return -1;
  }
}

static void ip6_icmp_input(ltcp_ip *ip, const ltcp_ipv6_hdr *h, const uint8_t *msg, size_t len) {
  ltcp_icmp_hdr m;
  ltcp_drop_reason why = ltcp_icmpv6_parse(msg, len, h->src, h->dst, &m);
  uint8_t type, code;
  uint16_t mtu;
  if (why == LTCP_DROP_NONE && m.type == LTCP_ICMPV6_ECHO_REQUEST) {
    m.type = LTCP_ICMPV6_ECHO_REPLY; /* RFC 4443 §4.2: the identifier, sequence and data */
    m.code = 0;
    why = ip6_icmp_send(ip, h->src, &m);
    if (why == LTCP_DROP_NONE) ip->stats.icmp_echo_in++;
  } else if (why == LTCP_DROP_NONE) {
    why = ip6_icmp_as_v4(&m, &type, &code, &mtu) == 0 ? ip6_icmp_error_in(ip, &m, type, code, mtu)
                                                       : LTCP_DROP_ICMP_UNHANDLED;
  }
  if (why != LTCP_DROP_NONE) ltcp_events_drop(&ip->tcp, why, NULL);
}

/* Whether the datagram may be taken, or answered: for our address, from a usable source. */
static ltcp_drop_reason ip6_check_ends(const ltcp_ip *ip, const ltcp_ipv6_hdr *h) {
  if (!ltcp_ip_has_v6(&ip->cfg) || memcmp(h->dst, ip->cfg.addr6, 16) != 0)
    return LTCP_DROP_IP6_NOT_LOCAL;
  return ip6_bad_source(ip, h->src) ? LTCP_DROP_IP6_BAD_SOURCE : LTCP_DROP_NONE;
}

/* ---- fragments (RFC 8200 §4.5) */

/* Whether a packet whose upper layer is next, data its first bytes, is an ICMPv6 error: none is
 * sent about one (RFC 4443 §2.4 (e.1)). */
static int ip6_is_icmp_error(uint8_t next, const uint8_t *data, size_t len) {
  return next == LTCP_IPPROTO_ICMPV6 && len > 0 && ltcp_icmpv6_is_error(data[0]);
}

static void ip6_packet(ltcp_ip *ip, const uint8_t *pkt, size_t len, uint32_t flags, int whole);

/* A packet made whole: its fixed header is fragment zero's, with the Fragment header's next
 * header and the fragmentable part's length (§4.5), written in the room before the part; the
 * extension headers before the Fragment header were walked as each fragment came. */
static void ip6_reassembled(ltcp_ip *ip, ltcp_frag_dgram *d) {
  uint8_t *pkt = ltcp_frag_data(&ip->frags6, d) - LTCP_IPV6_HDR_LEN;
  ltcp_ipv6_hdr h = d->hdr6;
  h.next = d->next6;
  h.payload_len = (uint16_t)d->total;
  ltcp_ipv6_write(pkt, &h);
  ip6_packet(ip, pkt, LTCP_IPV6_HDR_LEN + d->total, 0, 1);
}

/* RFC 8200 §4.5's errors of a fragment, answered with a parameter problem. */
static void ip6_fragment_problem(ltcp_ip *ip, const uint8_t *pkt, const ltcp_ipv6_hdr *h,
                                 ltcp_drop_reason why, size_t flen) {
  size_t end = LTCP_IPV6_HDR_LEN + (size_t)h->payload_len;
  uint32_t ptr;
  if (why == LTCP_DROP_IP6_FRAG_BAD && flen % 8 != 0) ptr = 4; /* the payload length */
  else if (why == LTCP_DROP_IP6_FRAG_TOO_BIG) ptr = (uint32_t)h->off + 2; /* the offset */
  else return;
  ip6_icmp_error(ip, LTCP_ICMPV6_PARAM_PROBLEM, 0, ptr, pkt, end, h->src);
}

/* A fragment (h->off at its Fragment header): held until its packet is whole. */
static ltcp_drop_reason ip6_fragment(ltcp_ip *ip, const uint8_t *pkt, const ltcp_ipv6_hdr *h) {
  const uint8_t *fh = pkt + h->off;
  size_t end = LTCP_IPV6_HDR_LEN + (size_t)h->payload_len, flen = end - h->off - 8;
  if (ip->frags6.cap == 0) return LTCP_DROP_IP6_FRAGMENT;
  /* RFC 7112 §5, §4.5: fragment zero must hold every header through the upper layer's. */
  if ((ltcp_get16(fh + 2) & 0xfff8u) == 0 && !ltcp_ipv6_chain_complete(fh + 8, flen, fh[0])) {
    if (!ip6_is_icmp_error(fh[0], fh + 8, flen))
      ip6_icmp_error(ip, LTCP_ICMPV6_PARAM_PROBLEM, 3, 0, pkt, end, h->src);
    return LTCP_DROP_IP6_FRAG_INCOMPLETE;
  }
  ltcp_frag_dgram *d;
  ltcp_drop_reason why;
  ltcp_frag_verdict v = ltcp_frags6_input(&ip->frags6, ip->tcp.now, pkt, h, &d, &why);
  if (v == LTCP_FRAG_DROPPED) {
    ip6_fragment_problem(ip, pkt, h, why, flen);
    return why;
  }
  if (v == LTCP_FRAG_WHOLE) {
    ip6_reassembled(ip, d);
    ltcp_frags_done(&ip->frags6, d);
  }
  return LTCP_DROP_NONE;
}

void ltcp_ip6_frags_expire(ltcp_ip *ip, ltcp_time_ns now) {
  ltcp_frag_dgram *d;
  for (uint32_t i = 0; i <= ip->frags6.cap && (d = ltcp_frags_expired(&ip->frags6, now)); i++) {
    /* §4.5: time exceeded, code 1, when fragment zero came; it quotes fragment zero's headers
     * and as much of its data as fits (RFC 4443 §2.4 (c)). */
    const uint8_t *data = ltcp_frag_data(&ip->frags6, d);
    uint8_t quote[LTCP_ICMPV6_ERROR_MAX - LTCP_IPV6_HDR_LEN - LTCP_ICMP_HDR_LEN];
    if (d->first_hdr_len && !ip6_is_icmp_error(d->next6, data, d->r[0].end)) {
      size_t n = d->first_hdr_len, more = d->first_hdr_cut ? 0 : d->r[0].end;
      if (more > sizeof quote - n) more = sizeof quote - n;
      memcpy(quote, d->first_hdr, n);
      memcpy(quote + n, data, more);
      ip6_icmp_error(ip, LTCP_ICMPV6_TIME_EXCEEDED, 1, 0, quote, n + more, d->hdr6.src);
    }
    ltcp_frags_done(&ip->frags6, d);
  }
}

/* ---- a packet */

/* A packet from the link, or one reassembled (whole: a Fragment header in it is one too
 * many, dropped as IP6_FRAGMENT). */
static void ip6_packet(ltcp_ip *ip, const uint8_t *pkt, size_t len, uint32_t flags, int whole) {
  ltcp_ipv6_hdr h;
  ltcp_drop_reason why = ltcp_ipv6_parse(pkt, len, &h);
  int read = why != LTCP_DROP_IP6_TRUNCATED && why != LTCP_DROP_IP6_VERSION &&
             why != LTCP_DROP_IP6_PAYLOAD_LEN; /* the addresses were read */
  if (read) {
    ltcp_drop_reason ends = ip6_check_ends(ip, &h);
    if (ends != LTCP_DROP_NONE) why = ends;
  }
  if (why == LTCP_DROP_IP6_PARAM_PROBLEM) /* RFC 8200 §4, RFC 4443 §3.4 */
    ip6_icmp_error(ip, LTCP_ICMPV6_PARAM_PROBLEM, h.problem_code, h.problem_ptr, pkt,
                   LTCP_IPV6_HDR_LEN + (size_t)h.payload_len, h.src);
  if (why == LTCP_DROP_IP6_FRAGMENT && !whole) why = ip6_fragment(ip, pkt, &h);
  else if (why == LTCP_DROP_NONE) {
    const uint8_t *up = pkt + h.off;
    size_t up_len = LTCP_IPV6_HDR_LEN + (size_t)h.payload_len - h.off;
    if (h.proto == LTCP_IPPROTO_TCP) ip6_tcp_input(ip, &h, up, up_len, flags);
    else ip6_icmp_input(ip, &h, up, up_len);
  }
  if (why != LTCP_DROP_NONE) ltcp_events_drop(&ip->tcp, why, NULL);
}

void ltcp_ip6_input(ltcp_ip *ip, const uint8_t *pkt, size_t len, uint32_t flags) {
  ip->stats.ip6_in++;
  ip6_packet(ip, pkt, len, flags, 0);
}
