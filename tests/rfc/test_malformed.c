/* Malformed packets of every kind through ltcp_stack_input: each is dropped and counted by its
 * reason (ltcp_stack_stats()->drops[LTCP_DROP_*]), nothing is sent, no connection changes,
 * nothing crashes. Every case mutates a packet that, intact, gets an answer: a SYN to a
 * listener (SYN,ACK) or data to an established connection (ACK), so a case that slipped
 * through would show. Packets that look odd but are valid (link padding, IP options, unknown
 * TCP options) are answered. ICMP echo is answered (RFC 792, RFC 1122 3.2.2.6).
 * RFC 9293 §3.1 (MUST-2, MUST-3: the checksum), §3.2 (MUST-6, MUST-7: options), RFC 791. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/harness.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv4.h"

#define PKT_CAP 256

typedef struct pkt {
  uint8_t b[PKT_CAP];
  size_t n;
} pkt;

/* ---- rebuilding checksums after a mutation */

static size_t ip_hl(const pkt *p) { return (size_t)(p->b[0] & 0x0f) * 4; }

static void fix_ip(pkt *p) {
  size_t hl = ip_hl(p);
  ltcp_put16(p->b + 10, 0);
  ltcp_put16(p->b + 10, ltcp_cksum_finish(ltcp_cksum_add(0, p->b, hl)));
}

static void fix_tcp(pkt *p) {
  size_t hl = ip_hl(p), total = ltcp_get16(p->b + 2);
  ltcp_tcp_set_checksum(p->b + hl, total - hl, ltcp_get32(p->b + 12), ltcp_get32(p->b + 16));
}

static void fix_both(pkt *p) {
  fix_tcp(p);
  fix_ip(p);
}

/* The packet with TCP options replaced by opts (optlen a multiple of 4), checksums fixed. */
static void set_options(pkt *p, const uint8_t *opts, size_t optlen) {
  uint8_t tcp[PKT_CAP];
  size_t hl = ip_hl(p), total = ltcp_get16(p->b + 2), thl = (size_t)(p->b[hl + 12] >> 4) * 4;
  size_t payload = total - hl - thl;
  memcpy(tcp, p->b + hl, 20);
  memcpy(tcp + 20, opts, optlen);
  memcpy(tcp + 20 + optlen, p->b + hl + thl, payload);
  tcp[12] = (uint8_t)(((20 + optlen) / 4) << 4);
  memcpy(p->b + hl, tcp, 20 + optlen + payload);
  p->n = hl + 20 + optlen + payload;
  ltcp_put16(p->b + 2, (uint16_t)p->n);
  fix_both(p);
}

/* ---- the mutations: each takes the intact packet and breaks one thing */

typedef void (*mutate_fn)(pkt *p);

static void m_empty(pkt *p) { p->n = 0; }
static void m_19_bytes(pkt *p) { p->n = 19; }
static void m_version_6(pkt *p) { p->b[0] = (uint8_t)(0x60 | (p->b[0] & 0x0f)); }
static void m_version_0(pkt *p) { p->b[0] = (uint8_t)(p->b[0] & 0x0f); }
static void m_ihl_4(pkt *p) { p->b[0] = 0x44; }
static void m_ihl_beyond(pkt *p) { p->b[0] = 0x4f; p->n = 56; ltcp_put16(p->b + 2, 56); }
static void m_totlen_beyond(pkt *p) { ltcp_put16(p->b + 2, (uint16_t)(p->n + 1)); fix_ip(p); }
static void m_totlen_below_hdr(pkt *p) { ltcp_put16(p->b + 2, 19); fix_ip(p); }
static void m_ip_checksum(pkt *p) { p->b[10] ^= 0x01; }
static void m_ip_checksum_ttl(pkt *p) { p->b[8] ^= 0x40; } /* a header bit changed in flight */
/* Fragments are reassembled (ip/frag.h, test_ip_frag.c); these two can never be. */
static void m_frag_odd(pkt *p) { /* RFC 791: all but the last fragment in 8-byte units */
  ltcp_put16(p->b + 6, LTCP_IPV4_MF);
  if ((p->n - 20) % 8 == 0) ltcp_put16(p->b + 2, (uint16_t)(p->n - 1));
  fix_ip(p);
}
static void m_frag_too_big(pkt *p) { ltcp_put16(p->b + 6, 0x1fff); fix_ip(p); } /* 65528 on */
static void m_not_local(pkt *p) { ltcp_put32(p->b + 16, LTCP_IPV4(198, 18, 0, 3)); fix_both(p); }
static void m_proto_udp(pkt *p) { p->b[9] = 17; fix_ip(p); }
static void m_src_broadcast(pkt *p) { ltcp_put32(p->b + 12, 0xffffffffu); fix_both(p); }
static void m_src_multicast(pkt *p) { ltcp_put32(p->b + 12, LTCP_IPV4(224, 0, 0, 1)); fix_both(p); }
static void m_src_zero(pkt *p) { ltcp_put32(p->b + 12, 0); fix_both(p); }
static void m_src_self(pkt *p) { ltcp_put32(p->b + 12, H_LOCAL); fix_both(p); }
static void m_tcp_19(pkt *p) { p->n = 39; ltcp_put16(p->b + 2, 39); fix_ip(p); }
static void m_tcp_none(pkt *p) { p->n = 20; ltcp_put16(p->b + 2, 20); fix_ip(p); }
static void m_doff_4(pkt *p) { p->b[20 + 12] = 0x40; }
static void m_doff_beyond(pkt *p) { p->b[20 + 12] = 0xf0; }
static void m_tcp_checksum(pkt *p) { p->b[20 + 16] ^= 0x80; }
static void m_tcp_checksum_body(pkt *p) { p->b[p->n - 1] ^= 0x01; }
static void m_tcp_checksum_pseudo(pkt *p) { ltcp_put32(p->b + 12, LTCP_IPV4(198, 18, 0, 9)); fix_ip(p); }
static void m_src_port_0(pkt *p) { ltcp_put16(p->b + 20, 0); fix_both(p); }
static void m_dst_port_0(pkt *p) { ltcp_put16(p->b + 22, 0); fix_both(p); }

#define OPTS(name, ...)                                  \
  static void name(pkt *p) {                             \
    static const uint8_t o[] = {__VA_ARGS__};            \
    set_options(p, o, sizeof o);                         \
  }
OPTS(m_opt_len_0, LTCP_TCPOPT_MSS, 0, 0, 0)
OPTS(m_opt_len_1, 30, 1, 1, 1)
OPTS(m_opt_past_header, 1, 1, 30, 10)
OPTS(m_opt_kind_at_end, 1, 1, 1, LTCP_TCPOPT_MSS)
OPTS(m_opt_mss_len_3, LTCP_TCPOPT_MSS, 3, 5, 0)
OPTS(m_opt_mss_len_6, LTCP_TCPOPT_MSS, 6, 5, 0, 0, 0, 1, 1)
OPTS(m_opt_ws_len_4, LTCP_TCPOPT_WSCALE, 4, 7, 0)
OPTS(m_opt_sackok_len_3, LTCP_TCPOPT_SACK_PERMITTED, 3, 0, 1)
OPTS(m_opt_ts_len_8, LTCP_TCPOPT_TIMESTAMP, 8, 0, 0, 0, 1, 0, 0)
OPTS(m_opt_sack_len_9, 1, 1, LTCP_TCPOPT_SACK, 9, 0, 0, 0, 1, 0, 0, 0, 2)
OPTS(m_opt_sack_len_2, LTCP_TCPOPT_SACK, 2, 1, 1)
/* Valid: an unknown kind with a sane length is skipped (MUST-6); after EOL nothing is read;
 * options need no alignment (MUST-64). */
OPTS(m_opt_unknown_kind, 30, 4, 0xde, 0xad)
OPTS(m_opt_eol_then_garbage, LTCP_TCPOPT_EOL, 0xff, 0x00, 0x07)
OPTS(m_opt_unaligned_mss, 1, LTCP_TCPOPT_MSS, 4, 0x05, 0x00, 1, 1, 1)

static void m_link_padding(pkt *p) { /* bytes past the IP total length: ignored */
  memset(p->b + p->n, 0xa5, 6);
  p->n += 6;
}

static void m_ip_options(pkt *p) { /* IHL 6: one word of NOPs, checksum covering it */
  memmove(p->b + 24, p->b + 20, p->n - 20);
  memset(p->b + 20, 1, 4);
  p->b[0] = 0x46;
  p->n += 4;
  ltcp_put16(p->b + 2, (uint16_t)p->n);
  fix_ip(p);
}

typedef struct mcase {
  const char *name;
  mutate_fn mutate;
  ltcp_drop_reason reason; /* LTCP_DROP_NONE: valid, answered as the intact packet */
  int needs_payload;       /* only meaningful on a segment that carries data */
} mcase;

#define D(x) LTCP_DROP_##x
static const mcase cases[] = {
    {"empty packet", m_empty, D(IP_TRUNCATED), 0},
    {"19 bytes, shorter than an IPv4 header", m_19_bytes, D(IP_TRUNCATED), 0},
    {"IP version 6: an IPv6 header, payload length 0", m_version_6, D(IP6_PAYLOAD_LEN), 0},
    {"IP version 0", m_version_0, D(IP_VERSION), 0},
    {"IP header length 16 (IHL 4)", m_ihl_4, D(IP_HDRLEN), 0},
    {"IP header length 60, past the packet", m_ihl_beyond, D(IP_HDRLEN), 0},
    {"IP total length past the packet", m_totlen_beyond, D(IP_TOTLEN), 0},
    {"IP total length below the header", m_totlen_below_hdr, D(IP_TOTLEN), 0},
    {"IP checksum field wrong", m_ip_checksum, D(IP_CHECKSUM), 0},
    {"IP header changed, checksum not", m_ip_checksum_ttl, D(IP_CHECKSUM), 0},
    {"IP fragment not in 8-byte units", m_frag_odd, D(IP_FRAG_BAD), 0},
    {"IP fragment beyond 65535 bytes", m_frag_too_big, D(IP_FRAG_TOO_BIG), 0},
    {"IP destination not this host", m_not_local, D(IP_NOT_LOCAL), 0},
    {"IP protocol UDP", m_proto_udp, D(IP_PROTO), 0},
    {"IP source broadcast (MUST-63)", m_src_broadcast, D(IP_BAD_SOURCE), 0},
    {"IP source multicast (MUST-63)", m_src_multicast, D(IP_BAD_SOURCE), 0},
    {"IP source 0.0.0.0", m_src_zero, D(IP_BAD_SOURCE), 0},
    {"IP source is this host", m_src_self, D(IP_BAD_SOURCE), 0},
    {"TCP header truncated (19 bytes)", m_tcp_19, D(TCP_TRUNCATED), 0},
    {"no TCP header at all", m_tcp_none, D(TCP_TRUNCATED), 0},
    {"TCP data offset 4 (16 bytes)", m_doff_4, D(TCP_DATA_OFFSET), 0},
    {"TCP data offset 15, past the segment", m_doff_beyond, D(TCP_DATA_OFFSET), 0},
    {"TCP checksum field wrong (MUST-3)", m_tcp_checksum, D(TCP_CHECKSUM), 0},
    {"TCP payload changed, checksum not (MUST-3)", m_tcp_checksum_body, D(TCP_CHECKSUM), 1},
    {"TCP pseudo-header address changed (MUST-3)", m_tcp_checksum_pseudo, D(TCP_CHECKSUM), 0},
    {"TCP source port 0", m_src_port_0, D(TCP_BAD_PORT), 0},
    {"TCP destination port 0", m_dst_port_0, D(TCP_BAD_PORT), 0},
    {"option length 0 (MUST-7)", m_opt_len_0, D(TCP_OPTIONS), 0},
    {"option length 1 (MUST-7)", m_opt_len_1, D(TCP_OPTIONS), 0},
    {"option running past the header (MUST-7)", m_opt_past_header, D(TCP_OPTIONS), 0},
    {"option kind with no length byte (MUST-7)", m_opt_kind_at_end, D(TCP_OPTIONS), 0},
    {"MSS option of length 3 (MUST-7)", m_opt_mss_len_3, D(TCP_OPTIONS), 0},
    {"MSS option of length 6 (MUST-7)", m_opt_mss_len_6, D(TCP_OPTIONS), 0},
    {"window scale option of length 4", m_opt_ws_len_4, D(TCP_OPTIONS), 0},
    {"SACK-permitted option of length 3", m_opt_sackok_len_3, D(TCP_OPTIONS), 0},
    {"timestamp option of length 8", m_opt_ts_len_8, D(TCP_OPTIONS), 0},
    {"SACK option of length 9", m_opt_sack_len_9, D(TCP_OPTIONS), 0},
    {"SACK option of length 2", m_opt_sack_len_2, D(TCP_OPTIONS), 0},
    {"valid: unknown option kind is skipped (MUST-6)", m_opt_unknown_kind, D(NONE), 0},
    {"valid: bytes after EOL are not read", m_opt_eol_then_garbage, D(NONE), 0},
    {"valid: unaligned MSS option (MUST-64)", m_opt_unaligned_mss, D(NONE), 0},
    {"valid: link padding after the IP total length", m_link_padding, D(NONE), 0},
    {"valid: IP header with options (IHL 6)", m_ip_options, D(NONE), 0},
};
#define NCASES (sizeof cases / sizeof cases[0])

static uint8_t payload[10] = "abcdefghij";

/* The intact packet: a SYN to the listener, or 10 bytes at RCV.NXT of an ESTABLISHED one. */
static void intact(const h_harness *h, ltcp_state where, pkt *p) {
  memset(p, 0, sizeof *p);
  h_seg s = {.wnd = H_WND};
  if (where == LTCP_LISTEN) {
    s.flags = LTCP_SYN;
    s.seq = h->irs;
    s.mss = H_MSS;
  } else {
    s.flags = LTCP_PSH | LTCP_ACK;
    s.seq = h->irs + 1;
    s.ack = h->iss + 1;
    s.data = payload;
    s.len = sizeof payload;
  }
  p->n = h_build(h, &s, p->b, PKT_CAP - 16);
}

/* What the intact packet gets: a SYN,ACK from the new child, or the ACK of the 10 bytes. */
static void expect_answer(h_harness *h, ltcp_state where) {
  if (where == LTCP_LISTEN) {
    assert_true(h_next(h));
    assert_int_equal(h->out.seg.flags, LTCP_SYN | LTCP_ACK);
    assert_int_equal(h->out.seg.ack, h->irs + 1);
    assert_int_equal(ltcp_stack_count_state(h->st, LTCP_SYN_RECEIVED), 1);
  } else {
    h_expect(h, LTCP_ACK, h->iss + 1, h->irs + 11);
  }
  h_expect_none(h);
}

static void run_case(const mcase *c, ltcp_state where) {
  if (c->needs_payload && where == LTCP_LISTEN) return;
  h_harness h;
  h_init(&h, NULL);
  h_label(&h, c->name);
  h_goto(&h, where, H_ACTIVE);
  if (where == LTCP_LISTEN) h.iss = 0;
  pkt p;
  intact(&h, where, &p);
  c->mutate(&p);
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  uint64_t total0 = h_drops(&h), reason0 = st->drops[c->reason], ip_in0 = st->ip_in;
  uint64_t segs0 = st->segs_in;
  h_send_raw(&h, p.b, p.n);
  assert_int_equal(st->ip_in, ip_in0 + 1);
  if (c->reason == LTCP_DROP_NONE) {
    assert_int_equal(h_drops(&h), total0);
    expect_answer(&h, where);
  } else {
    if (st->drops[c->reason] != reason0 + 1 || h_drops(&h) != total0 + 1)
      h_fail(&h, "expected one drop %s", ltcp_drop_name(c->reason));
    h_expect_none(&h);
    assert_int_equal(st->segs_in, segs0); /* never reached TCP */
    if (where == LTCP_LISTEN) assert_int_equal(ltcp_stack_connection_count(h.st), 0);
    assert_int_equal(h_state(&h), where);
    /* The connection carries on: the intact packet is still answered. */
    intact(&h, where, &p);
    h_send_raw(&h, p.b, p.n);
    expect_answer(&h, where);
  }
  h_free(&h);
}

static void test_listen_malformed_dropped_and_counted(void **state) {
  (void)state;
  for (size_t i = 0; i < NCASES; i++) run_case(&cases[i], LTCP_LISTEN);
}

static void test_established_malformed_dropped_and_counted(void **state) {
  (void)state;
  for (size_t i = 0; i < NCASES; i++) run_case(&cases[i], LTCP_ESTABLISHED);
}

/* Each reason the wire layer can give is exercised by some case (a fragment, IP_FRAGMENT, is
 * held for reassembly now: reassembly's own reasons stand for it). */
static void test_malformed_cases_cover_every_wire_reason(void **state) {
  (void)state;
  static const ltcp_drop_reason wire[] = {
      D(IP_TRUNCATED), D(IP_VERSION),    D(IP_HDRLEN),      D(IP_TOTLEN),   D(IP_CHECKSUM),
      D(IP_FRAG_BAD),  D(IP_NOT_LOCAL),  D(IP_PROTO),       D(IP_BAD_SOURCE), D(TCP_TRUNCATED),
      D(TCP_DATA_OFFSET), D(TCP_CHECKSUM), D(TCP_OPTIONS),  D(TCP_BAD_PORT)};
  for (size_t w = 0; w < sizeof wire / sizeof wire[0]; w++) {
    int found = 0;
    for (size_t i = 0; i < NCASES; i++) found |= cases[i].reason == wire[w];
    if (!found) fail_msg("no case for %s", ltcp_drop_name(wire[w]));
  }
}

/* ---- ICMP */

static size_t icmp_packet(uint8_t type, const uint8_t *data, size_t n, uint8_t *out, size_t cap) {
  ltcp_icmp_hdr ic = {.type = type, .rest = 0x12340007u, .data = data, .data_len = n};
  size_t len = ltcp_icmp_write(out + LTCP_IPV4_HDR_LEN, cap - LTCP_IPV4_HDR_LEN, &ic);
  assert_true(len > 0);
  ltcp_ipv4_hdr ip = {.hdr_len = LTCP_IPV4_HDR_LEN, .ttl = 64, .proto = LTCP_IPPROTO_ICMP};
  ip.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + len);
  ip.src = H_REMOTE;
  ip.dst = H_LOCAL;
  ltcp_ipv4_write(out, &ip);
  return ip.total_len;
}

/* RFC 792, RFC 1122 3.2.2.6: an echo request is answered with an echo reply carrying the same
 * identifier, sequence number and data. */
static void test_icmp_echo_request_answered(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  uint8_t req[PKT_CAP];
  static const uint8_t data[] = "lucidtcp ping data";
  size_t n = icmp_packet(LTCP_ICMP_ECHO_REQUEST, data, sizeof data, req, sizeof req);
  h_send_raw(&h, req, n);
  const uint8_t *out;
  size_t len = ltcp_stack_tx_peek(h.st, &out);
  assert_int_equal(len, n);
  ltcp_ipv4_hdr ip;
  assert_int_equal(ltcp_ipv4_parse(out, len, &ip), LTCP_DROP_NONE);
  assert_int_equal(ip.proto, LTCP_IPPROTO_ICMP);
  assert_int_equal(ip.src, H_LOCAL);
  assert_int_equal(ip.dst, H_REMOTE);
  ltcp_icmp_hdr ic;
  assert_int_equal(ltcp_icmp_parse(out + ip.hdr_len, len - ip.hdr_len, &ic), LTCP_DROP_NONE);
  assert_int_equal(ic.type, LTCP_ICMP_ECHO_REPLY);
  assert_int_equal(ic.code, 0);
  assert_int_equal(ic.rest, 0x12340007u);
  assert_int_equal(ic.data_len, sizeof data);
  assert_memory_equal(ic.data, data, sizeof data);
  ltcp_stack_tx_pop(h.st);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_stats(h.st)->icmp_echo_in, 1);
  assert_int_equal(h_drops(&h), 0);
  h_free(&h);
}

static void test_icmp_malformed_dropped_and_counted(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  uint8_t p[PKT_CAP];
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  size_t n = icmp_packet(LTCP_ICMP_ECHO_REQUEST, (const uint8_t *)"x", 1, p, sizeof p);
  /* Truncated: 7 bytes of ICMP. */
  ltcp_put16(p + 2, 27);
  ltcp_put16(p + 10, 0);
  ltcp_put16(p + 10, ltcp_cksum_finish(ltcp_cksum_add(0, p, 20)));
  h_send_raw(&h, p, 27);
  assert_int_equal(st->drops[LTCP_DROP_ICMP_TRUNCATED], 1);
  /* Bad checksum. */
  n = icmp_packet(LTCP_ICMP_ECHO_REQUEST, (const uint8_t *)"x", 1, p, sizeof p);
  p[20 + 8] ^= 0xff;
  h_send_raw(&h, p, n);
  assert_int_equal(st->drops[LTCP_DROP_ICMP_CHECKSUM], 1);
  /* Types not handled: an echo reply nobody asked for, a timestamp request. */
  n = icmp_packet(LTCP_ICMP_ECHO_REPLY, (const uint8_t *)"x", 1, p, sizeof p);
  h_send_raw(&h, p, n);
  n = icmp_packet(13, (const uint8_t *)"x", 1, p, sizeof p);
  h_send_raw(&h, p, n);
  assert_int_equal(st->drops[LTCP_DROP_ICMP_UNHANDLED], 2);
  assert_int_equal(h_drops(&h), 4);
  assert_int_equal(st->icmp_echo_in, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* ---- random corruption: never a crash, never an answer to a packet that failed a check */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state >> 16);
}

static void corrupt(pkt *p) {
  switch (rnd() % 4) {
    case 0: /* flip 1-4 bits */
      for (uint32_t i = 0, k = 1 + rnd() % 4; i < k && p->n; i++) p->b[rnd() % p->n] ^= (uint8_t)(1u << (rnd() % 8));
      break;
    case 1: /* truncate */
      p->n = rnd() % (p->n + 1);
      break;
    case 2: /* random bytes in the TCP header, checksums fixed so the TCP checks are reached */
      for (uint32_t i = 0, k = 1 + rnd() % 6; i < k; i++) p->b[20 + rnd() % 20] = (uint8_t)rnd();
      if ((p->b[32] >> 4) * 4u <= p->n - 20u && (p->b[32] >> 4) >= 5) fix_both(p);
      break;
    default: { /* random option bytes */
      uint8_t o[40];
      size_t len = 4 * (1 + rnd() % 10);
      for (size_t i = 0; i < len; i++) o[i] = (uint8_t)(rnd() % 3 ? rnd() % 9 : rnd());
      set_options(p, o, len);
      break;
    }
  }
}

static void fuzz_against(ltcp_state where, uint32_t rounds) {
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, where, H_ACTIVE);
  if (where == LTCP_LISTEN) h.iss = 0;
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  for (uint32_t i = 0; i < rounds; i++) {
    pkt p;
    intact(&h, where, &p);
    corrupt(&p);
    uint64_t drops0 = h_drops(&h), segs0 = st->segs_in, frags0 = st->frag_in;
    h_send_raw(&h, p.b, p.n);
    /* A packet that failed an IP or TCP check is dropped, counted, and answered by nothing; a
     * fragment may instead be held for reassembly. */
    if (st->segs_in == segs0) {
      if (st->frag_in == frags0) assert_int_equal(h_drops(&h), drops0 + 1);
      assert_int_equal(h_pending(&h), 0);
    }
    while (h_next(&h)) {
    }
    h_advance(&h, LTCP_MS(1));
    while (h_next(&h)) {
    }
  }
  h_free(&h);
}

static void test_listen_random_corruption_never_crashes(void **state) {
  (void)state;
  fuzz_against(LTCP_LISTEN, 20000);
}

static void test_established_random_corruption_never_crashes(void **state) {
  (void)state;
  fuzz_against(LTCP_ESTABLISHED, 20000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_malformed_cases_cover_every_wire_reason),
      cmocka_unit_test_teardown(test_listen_malformed_dropped_and_counted, h_teardown),
      cmocka_unit_test_teardown(test_established_malformed_dropped_and_counted, h_teardown),
      cmocka_unit_test_teardown(test_icmp_echo_request_answered, h_teardown),
      cmocka_unit_test_teardown(test_icmp_malformed_dropped_and_counted, h_teardown),
      cmocka_unit_test_teardown(test_listen_random_corruption_never_crashes, h_teardown),
      cmocka_unit_test_teardown(test_established_random_corruption_never_crashes, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
