/* IPv6 reassembly (ip/frag.h; RFC 8200 §4.5, RFC 5722, RFC 6946, RFC 7112): packets made
 * whole in order, reversed and interleaved, keyed by (source, destination, identification);
 * duplicates, overlaps, too many holes, too long and odd-sized fragments; the 60 s timeout.
 * In a stack: a SYN and a data segment in fragments are taken; an atomic fragment is a whole
 * packet; the ICMPv6 errors §4.5 asks for (parameter problem for an odd length or a packet
 * beyond 65535 bytes, for a first fragment without its upper-layer header; time exceeded code
 * 1 when a packet whose first fragment came is not whole in time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ip/frag.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/icmp.h"
#include "lucidtcp/wire/ipv6.h"
#include "support/harness.h"

static const uint8_t LOCAL6[16] = H_LOCAL6, REMOTE6[16] = H_REMOTE6;

/* The fragment of a packet (identification id, upper layer next) holding
 * payload[off, off + len), from REMOTE6 to LOCAL6. */
static size_t f6_piece(uint8_t *out, uint32_t id, uint8_t next, const uint8_t *payload,
                       uint32_t off, uint32_t len, int more) {
  ltcp_ipv6_hdr h = {.next = LTCP_IPPROTO_FRAGMENT, .hop_limit = 64};
  h.payload_len = (uint16_t)(8 + len);
  memcpy(h.src, REMOTE6, 16);
  memcpy(h.dst, LOCAL6, 16);
  ltcp_ipv6_write(out, &h);
  uint8_t *fh = out + LTCP_IPV6_HDR_LEN;
  fh[0] = next;
  fh[1] = 0;
  ltcp_put16(fh + 2, (uint16_t)(off | (more ? 1u : 0u))); /* off is a multiple of 8 */
  ltcp_put32(fh + 4, id);
  memcpy(fh + 8, payload + off, len);
  return LTCP_IPV6_HDR_LEN + 8 + len;
}

typedef struct f6_ctx {
  ltcp_frags f;
  ltcp_stats stats;
  uint8_t payload[4000];
} f6_ctx;

static void f6_init(f6_ctx *c, uint32_t cap, uint64_t mem) {
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < sizeof c->payload; i++) c->payload[i] = (uint8_t)(i * 7 + 3);
  assert_int_equal(ltcp_frags6_init(&c->f, cap, mem, LTCP_SEC(60), &c->stats), 0);
}

/* Feeds one fragment of packet id (source's last byte src_last); returns the verdict. */
static ltcp_frag_verdict f6_feed_from(f6_ctx *c, ltcp_time_ns now, uint8_t src_last, uint32_t id,
                                      uint32_t off, uint32_t len, int more, ltcp_drop_reason *why) {
  uint8_t pkt[LTCP_IPV6_HDR_LEN + 8 + 4000];
  size_t n = f6_piece(pkt, id, LTCP_IPPROTO_TCP, c->payload, off, len, more);
  pkt[8 + 15] = src_last;
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, n, &h), LTCP_DROP_IP6_FRAGMENT);
  assert_int_equal(h.off, LTCP_IPV6_HDR_LEN);
  ltcp_frag_dgram *d = NULL;
  ltcp_frag_verdict v = ltcp_frags6_input(&c->f, now, pkt, &h, &d, why);
  if (v == LTCP_FRAG_WHOLE) {
    assert_int_equal(d->next6, LTCP_IPPROTO_TCP);
    assert_int_equal(d->id6, id);
    assert_memory_equal(d->hdr6.src, h.src, 16);
    assert_memory_equal(ltcp_frag_data(&c->f, d), c->payload, d->total);
    assert_true(ltcp_frag_data(&c->f, d) - d->buf == LTCP_IPV6_HDR_LEN); /* room for it */
    ltcp_frags_done(&c->f, d);
  }
  return v;
}

static ltcp_frag_verdict f6_feed(f6_ctx *c, ltcp_time_ns now, uint32_t id, uint32_t off,
                                 uint32_t len, int more, ltcp_drop_reason *why) {
  return f6_feed_from(c, now, 2, id, off, len, more, why);
}

static void test_frag6_whole_in_order_reversed_and_interleaved(void **state) {
  (void)state;
  f6_ctx c;
  ltcp_drop_reason why;
  f6_init(&c, 4, 1u << 20);
  assert_int_equal(f6_feed(&c, 0, 1, 0, 1448, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 1, 1448, 1448, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 1, 2896, 1000, 0, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(f6_feed(&c, 0, 0x80000002u, 2896, 1000, 0, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 3, 800, 200, 0, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 0x80000002u, 1448, 1448, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 3, 0, 800, 1, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(f6_feed(&c, 0, 0x80000002u, 0, 1448, 1, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(c.stats.frag6_in, 8);
  assert_int_equal(c.stats.frag6_reassembled, 3);
  assert_int_equal(c.stats.frag_in, 0);
  assert_int_equal(c.f.count, 0);
  assert_int_equal(c.f.mem, 0);
  ltcp_frags_free(&c.f);
}

/* RFC 8200 §4.5: the key is (source, destination, identification); the same identification
 * from another source is another packet. */
static void test_frag6_key_is_source_destination_identification(void **state) {
  (void)state;
  f6_ctx c;
  ltcp_drop_reason why;
  f6_init(&c, 4, 1u << 20);
  assert_int_equal(f6_feed_from(&c, 0, 2, 9, 0, 16, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed_from(&c, 0, 3, 9, 16, 16, 0, &why), LTCP_FRAG_HELD);
  assert_int_equal(c.f.count, 2);
  assert_int_equal(f6_feed_from(&c, 0, 3, 9, 0, 16, 1, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(f6_feed_from(&c, 0, 2, 9, 16, 16, 0, &why), LTCP_FRAG_WHOLE);
  ltcp_frags_free(&c.f);
}

/* RFC 5722 §4, RFC 8200 §4.5: an overlap abandons the packet; an exact duplicate is dropped
 * alone (§4.5 allows it) and the packet still completes. */
static void test_frag6_overlap_drops_the_packet_duplicate_only_itself(void **state) {
  (void)state;
  f6_ctx c;
  ltcp_drop_reason why;
  f6_init(&c, 4, 1u << 20);
  assert_int_equal(f6_feed(&c, 0, 1, 0, 1448, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 1, 0, 1448, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP6_FRAG_DUPLICATE);
  assert_int_equal(f6_feed(&c, 0, 1, 1448, 100, 0, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(f6_feed(&c, 0, 2, 0, 1448, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 2, 1440, 16, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP6_FRAG_OVERLAP);
  assert_int_equal(c.f.count, 0);
  assert_int_equal(f6_feed(&c, 0, 2, 1448, 100, 0, &why), LTCP_FRAG_HELD); /* a new one */
  ltcp_frags_free(&c.f);
}

/* Too many holes, a packet beyond 65,535 bytes and a fragment with M set not a multiple of 8:
 * dropped by reason (the last two leave the packet held: the stack answers them). */
static void test_frag6_refuses_too_many_holes_too_long_and_odd_sizes(void **state) {
  (void)state;
  f6_ctx c;
  ltcp_drop_reason why;
  f6_init(&c, 4, 1u << 20);
  for (uint32_t i = 0; i < LTCP_FRAG_RANGES; i++)
    assert_int_equal(f6_feed(&c, 0, 1, i * 16, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 1, LTCP_FRAG_RANGES * 16, 8, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP6_FRAG_RANGES);
  assert_int_equal(c.f.count, 0);
  assert_int_equal(f6_feed(&c, 0, 2, 0, 8, 1, &why), LTCP_FRAG_HELD);
  uint8_t pkt[LTCP_IPV6_HDR_LEN + 8 + 100];
  size_t n = f6_piece(pkt, 2, LTCP_IPPROTO_TCP, c.payload, 0, 100, 0);
  ltcp_put16(pkt + LTCP_IPV6_HDR_LEN + 2, 65480); /* 65480 + 100 > 65535 */
  ltcp_ipv6_hdr h;
  assert_int_equal(ltcp_ipv6_parse(pkt, n, &h), LTCP_DROP_IP6_FRAGMENT);
  ltcp_frag_dgram *d;
  assert_int_equal(ltcp_frags6_input(&c.f, 0, pkt, &h, &d, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP6_FRAG_TOO_BIG);
  assert_int_equal(f6_feed(&c, 0, 2, 8, 100, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP6_FRAG_BAD);
  assert_int_equal(c.f.count, 1); /* packet 2 is still held */
  assert_int_equal(f6_feed(&c, 0, 2, 8, 100, 0, &why), LTCP_FRAG_WHOLE); /* a last may be odd */
  ltcp_frags_free(&c.f);
}

/* RFC 8200 §4.5: 60 s after the first fragment came. */
static void test_frag6_expires_after_60_seconds(void **state) {
  (void)state;
  f6_ctx c;
  ltcp_drop_reason why;
  f6_init(&c, 4, 1u << 20);
  assert_int_equal(f6_feed(&c, LTCP_SEC(1), 1, 0, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, LTCP_SEC(2), 2, 8, 8, 0, &why), LTCP_FRAG_HELD);
  assert_int_equal(c.f.next_expiry, LTCP_SEC(61));
  assert_null(ltcp_frags_expired(&c.f, LTCP_SEC(61) - 1));
  ltcp_frag_dgram *d = ltcp_frags_expired(&c.f, LTCP_SEC(61));
  assert_non_null(d);
  assert_int_equal(d->id6, 1);
  ltcp_frags_done(&c.f, d);
  assert_int_equal(c.f.next_expiry, LTCP_SEC(62));
  assert_int_equal(c.stats.drops[LTCP_DROP_IP6_FRAG_TIMEOUT], 1);
  assert_int_equal(c.stats.drops[LTCP_DROP_IP_FRAG_TIMEOUT], 0);
  ltcp_frags_free(&c.f);
}

/* Eviction for room counts by the family's reason. */
static void test_frag6_evicts_the_oldest_for_room(void **state) {
  (void)state;
  f6_ctx c;
  ltcp_drop_reason why;
  f6_init(&c, 2, 1u << 20);
  assert_int_equal(f6_feed(&c, 0, 1, 0, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 2, 0, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(f6_feed(&c, 0, 3, 0, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(c.stats.drops[LTCP_DROP_IP6_FRAG_EVICTED], 1);
  assert_int_equal(f6_feed(&c, 0, 2, 8, 8, 0, &why), LTCP_FRAG_WHOLE);
  ltcp_frags_free(&c.f);
}

/* ---- in a stack */

static void f6_stack(h_harness *h, const ltcp_stack_config *cfg) {
  h_ipv6 = 1;
  h_init(h, cfg);
}

/* The TCP segment of s, as an IPv6 packet's payload: into tcp, its length returned. */
static uint32_t f6_segment(h_harness *h, const h_seg *s, uint8_t *tcp, size_t cap) {
  uint8_t whole[LTCP_IPV6_HDR_LEN + LTCP_TCP_MAX_HDR_LEN + H_MAX_PAYLOAD];
  size_t n = h_build(h, s, whole, sizeof whole);
  assert_int_equal(whole[0] >> 4, 6);
  assert_true(n - LTCP_IPV6_HDR_LEN <= cap);
  memcpy(tcp, whole + LTCP_IPV6_HDR_LEN, n - LTCP_IPV6_HDR_LEN);
  return (uint32_t)(n - LTCP_IPV6_HDR_LEN);
}

/* The ICMPv6 message the stack sent next (type, code, rest), its quote in *quote. */
static void f6_expect_icmp(h_harness *h, uint8_t type, uint8_t code, uint32_t rest,
                           const uint8_t **quote, size_t *quote_len) {
  const uint8_t *out;
  size_t len = ltcp_stack_tx_peek(h->st, &out);
  assert_true(len > LTCP_IPV6_HDR_LEN);
  ltcp_ipv6_hdr ih;
  assert_int_equal(ltcp_ipv6_parse(out, len, &ih), LTCP_DROP_NONE);
  assert_int_equal(ih.proto, LTCP_IPPROTO_ICMPV6);
  assert_memory_equal(ih.dst, REMOTE6, 16);
  ltcp_icmp_hdr m;
  assert_int_equal(ltcp_icmpv6_parse(out + ih.off, len - ih.off, ih.src, ih.dst, &m),
                   LTCP_DROP_NONE);
  assert_int_equal(m.type, type);
  assert_int_equal(m.code, code);
  assert_int_equal(m.rest, rest);
  *quote = m.data;
  *quote_len = m.data_len;
  ltcp_stack_tx_pop(h->st);
}

/* A SYN in three fragments, the last first, is answered once it is whole. */
static void test_stack_answers_a_syn_in_ipv6_fragments(void **state) {
  (void)state;
  h_harness h;
  f6_stack(&h, NULL);
  h_listen(&h);
  uint8_t tcp[128], pkt[256];
  h_seg s = {.flags = LTCP_SYN, .seq = H_IRS, .wnd = 65535, .mss = 1440, .has_ts = 1};
  uint32_t tlen = f6_segment(&h, &s, tcp, sizeof tcp);
  h_send_raw(&h, pkt, f6_piece(pkt, 77, LTCP_IPPROTO_TCP, tcp, 24, tlen - 24, 0));
  h_send_raw(&h, pkt, f6_piece(pkt, 77, LTCP_IPPROTO_TCP, tcp, 0, 24, 1));
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h.out.seg.ack, H_IRS + 1);
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  assert_int_equal(st->frag6_in, 2);
  assert_int_equal(st->frag6_reassembled, 1);
  h_free(&h);
}

/* A data segment in fragments (as a path with a smaller MTU fragments it at the source) is
 * delivered to the socket and acknowledged. */
static void test_stack_delivers_a_data_segment_in_ipv6_fragments(void **state) {
  (void)state;
  h_harness h;
  f6_stack(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint8_t data[1400], tcp[1600], pkt[1600], got[1500];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 13);
  h_seg s = {.flags = LTCP_ACK | LTCP_PSH, .seq = h.irs + 1, .ack = h.iss + 1, .wnd = 65535,
             .data = data, .len = sizeof data};
  uint32_t tlen = f6_segment(&h, &s, tcp, sizeof tcp);
  h_send_raw(&h, pkt, f6_piece(pkt, 5, LTCP_IPPROTO_TCP, tcp, 0, 1000, 1));
  h_expect_none(&h);
  h_send_raw(&h, pkt, f6_piece(pkt, 5, LTCP_IPPROTO_TCP, tcp, 1000, tlen - 1000, 0));
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 1 + sizeof data);
  assert_int_equal(ltcp_recv(h.st, h.fd, got, sizeof got, 0), sizeof data);
  assert_memory_equal(got, data, sizeof data);
  h_free(&h);
}

/* RFC 6946 §4: offset 0 and M clear is a whole packet, never held nor counted as a fragment. */
static void test_stack_takes_an_atomic_fragment_as_a_whole_packet(void **state) {
  (void)state;
  h_harness h;
  f6_stack(&h, NULL);
  h_listen(&h);
  uint8_t tcp[128], pkt[256];
  h_seg s = {.flags = LTCP_SYN, .seq = H_IRS, .wnd = 65535, .mss = 1440};
  uint32_t tlen = f6_segment(&h, &s, tcp, sizeof tcp);
  h_send_raw(&h, pkt, f6_piece(pkt, 1, LTCP_IPPROTO_TCP, tcp, 8, 8, 1)); /* held, same key */
  h_send_raw(&h, pkt, f6_piece(pkt, 1, LTCP_IPPROTO_TCP, tcp, 0, tlen, 0));
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(ltcp_stack_stats(h.st)->frag6_in, 1);
  assert_int_equal(ltcp_stack_stats(h.st)->frag6_reassembled, 0);
  h_free(&h);
}

/* RFC 8200 §4.5: M set and a length not a multiple of 8: parameter problem code 0 pointing at
 * the payload length; a reassembled length beyond 65535: pointing at the fragment offset. */
static void test_stack_answers_odd_and_too_long_fragments_with_parameter_problems(void **state) {
  (void)state;
  h_harness h;
  f6_stack(&h, NULL);
  uint8_t payload[2000] = {0}, pkt[2100];
  const uint8_t *q;
  size_t qlen, n = f6_piece(pkt, 3, LTCP_IPPROTO_TCP, payload, 0, 100, 1);
  h_send_raw(&h, pkt, n);
  f6_expect_icmp(&h, LTCP_ICMPV6_PARAM_PROBLEM, 0, 4, &q, &qlen);
  assert_int_equal(qlen, n);
  assert_memory_equal(q, pkt, n);
  n = f6_piece(pkt, 3, LTCP_IPPROTO_TCP, payload, 0, 1000, 0);
  ltcp_put16(pkt + LTCP_IPV6_HDR_LEN + 2, 65000); /* 65000 + 1000 */
  h_send_raw(&h, pkt, n);
  f6_expect_icmp(&h, LTCP_ICMPV6_PARAM_PROBLEM, 0, LTCP_IPV6_HDR_LEN + 2, &q, &qlen);
  assert_int_equal(ltcp_stack_tx_peek(h.st, &q), 0);
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  assert_int_equal(st->drops[LTCP_DROP_IP6_FRAG_BAD], 1);
  assert_int_equal(st->drops[LTCP_DROP_IP6_FRAG_TOO_BIG], 1);
  h_free(&h);
}

/* RFC 7112 §5, RFC 8200 §4.5: a first fragment that does not hold the whole TCP header is
 * dropped, answered with parameter problem code 3 pointing at 0, and counted. */
static void test_stack_drops_a_first_fragment_without_the_upper_layer_header(void **state) {
  (void)state;
  h_harness h;
  f6_stack(&h, NULL);
  h_listen(&h);
  uint8_t tcp[128], pkt[256];
  h_seg s = {.flags = LTCP_SYN, .seq = H_IRS, .wnd = 65535, .mss = 1440};
  uint32_t tlen = f6_segment(&h, &s, tcp, sizeof tcp);
  h_send_raw(&h, pkt, f6_piece(pkt, 4, LTCP_IPPROTO_TCP, tcp, 0, 16, 1)); /* 16 < 20 */
  const uint8_t *q;
  size_t qlen;
  f6_expect_icmp(&h, LTCP_ICMPV6_PARAM_PROBLEM, 3, 0, &q, &qlen);
  h_send_raw(&h, pkt, f6_piece(pkt, 4, LTCP_IPPROTO_TCP, tcp, 16, tlen - 16, 0));
  h_expect_none(&h); /* never whole */
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_IP6_FRAG_INCOMPLETE], 1);
  h_free(&h);
}

/* RFC 8200 §4.5: not whole 60 s after its first fragment came: time exceeded code 1 quoting
 * the first fragment; a packet whose first fragment never came expires silently. */
static void test_stack_sends_time_exceeded_for_an_incomplete_ipv6_packet(void **state) {
  (void)state;
  h_harness h;
  f6_stack(&h, NULL);
  uint8_t payload[64], pkt[128], first[128];
  memset(payload, 0xab, sizeof payload);
  size_t n0 = f6_piece(first, 5, LTCP_IPPROTO_TCP, payload, 0, 24, 1);
  h_send_raw(&h, first, n0);
  h_send_raw(&h, pkt, f6_piece(pkt, 6, LTCP_IPPROTO_TCP, payload, 24, 16, 1)); /* no zero */
  assert_int_equal(ltcp_stack_next_deadline(h.st), h.now + LTCP_SEC(60));
  h_advance(&h, LTCP_SEC(60) - 1);
  assert_int_equal(h_pending(&h), 0);
  h_advance(&h, 1);
  const uint8_t *q;
  size_t qlen;
  f6_expect_icmp(&h, LTCP_ICMPV6_TIME_EXCEEDED, 1, 0, &q, &qlen);
  assert_int_equal(qlen, n0);
  assert_memory_equal(q, first, n0);
  assert_int_equal(ltcp_stack_tx_peek(h.st, &q), 0);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_IP6_FRAG_TIMEOUT], 2);
  assert_int_equal(ltcp_stack_next_deadline(h.st), LTCP_TIME_NEVER);
  h_free(&h);
}

static void test_stack_with_reassembly_off_drops_ipv6_fragments(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_ipv6 = 1;
  h_config(&cfg);
  cfg.frag_max_datagrams = 0;
  h_harness h;
  f6_stack(&h, &cfg);
  uint8_t payload[32] = {0}, pkt[96];
  h_send_raw(&h, pkt, f6_piece(pkt, 5, LTCP_IPPROTO_TCP, payload, 0, 24, 1));
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_IP6_FRAGMENT], 1);
  assert_int_equal(ltcp_stack_next_deadline(h.st), LTCP_TIME_NEVER);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_frag6_whole_in_order_reversed_and_interleaved),
      cmocka_unit_test(test_frag6_key_is_source_destination_identification),
      cmocka_unit_test(test_frag6_overlap_drops_the_packet_duplicate_only_itself),
      cmocka_unit_test(test_frag6_refuses_too_many_holes_too_long_and_odd_sizes),
      cmocka_unit_test(test_frag6_expires_after_60_seconds),
      cmocka_unit_test(test_frag6_evicts_the_oldest_for_room),
      cmocka_unit_test(test_stack_answers_a_syn_in_ipv6_fragments),
      cmocka_unit_test(test_stack_delivers_a_data_segment_in_ipv6_fragments),
      cmocka_unit_test(test_stack_takes_an_atomic_fragment_as_a_whole_packet),
      cmocka_unit_test(test_stack_answers_odd_and_too_long_fragments_with_parameter_problems),
      cmocka_unit_test(test_stack_drops_a_first_fragment_without_the_upper_layer_header),
      cmocka_unit_test(test_stack_sends_time_exceeded_for_an_incomplete_ipv6_packet),
      cmocka_unit_test(test_stack_with_reassembly_off_drops_ipv6_fragments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
