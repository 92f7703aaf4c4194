/* IPv4 reassembly (ip/frag.h; RFC 791 §3.2, RFC 815, RFC 5722's overlap rule): datagrams made
 * whole in order, reversed and interleaved; duplicates, overlaps, too many holes, oversized and
 * malformed fragments, eviction by count and by memory, and the timeout; in a stack, a SYN and
 * an echo request in fragments are answered, and a datagram left incomplete gets an ICMP time
 * exceeded when its fragment zero came. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ip/frag.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/icmp.h"
#include "support/harness.h"

#define FR_SRC LTCP_IPV4(198, 18, 0, 2)
#define FR_DST LTCP_IPV4(198, 18, 0, 1)

/* The fragment of a datagram with identification id holding payload[off, off + len). */
static size_t fr_piece(uint8_t *out, uint16_t id, uint8_t proto, const uint8_t *payload,
                       uint32_t off, uint32_t len, int more) {
  ltcp_ipv4_hdr h = {.hdr_len = LTCP_IPV4_HDR_LEN, .ttl = 64, .proto = proto, .id = id};
  h.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + len);
  h.frag = (uint16_t)((off / 8) | (more ? LTCP_IPV4_MF : 0));
  h.src = FR_SRC;
  h.dst = FR_DST;
  ltcp_ipv4_write(out, &h);
  memcpy(out + LTCP_IPV4_HDR_LEN, payload + off, len);
  return LTCP_IPV4_HDR_LEN + len;
}

typedef struct fr_ctx {
  ltcp_frags f;
  ltcp_stats stats;
  uint8_t payload[4000];
} fr_ctx;

static void fr_init(fr_ctx *c, uint32_t cap, uint64_t mem) {
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < sizeof c->payload; i++) c->payload[i] = (uint8_t)(i * 7 + 3);
  assert_int_equal(ltcp_frags_init(&c->f, cap, mem, LTCP_SEC(30), &c->stats), 0);
}

/* Feeds one fragment; returns the verdict, *why the drop reason. */
static ltcp_frag_verdict fr_feed(fr_ctx *c, ltcp_time_ns now, uint16_t id, uint32_t off,
                                 uint32_t len, int more, ltcp_drop_reason *why) {
  uint8_t pkt[LTCP_IPV4_HDR_LEN + 4000];
  fr_piece(pkt, id, LTCP_IPPROTO_TCP, c->payload, off, len, more);
  ltcp_ipv4_hdr h;
  assert_int_equal(ltcp_ipv4_parse(pkt, sizeof pkt, &h), LTCP_DROP_IP_FRAGMENT);
  ltcp_frag_dgram *d = NULL;
  ltcp_frag_verdict v = ltcp_frags_input(&c->f, now, pkt, &h, &d, why);
  if (v == LTCP_FRAG_WHOLE) {
    assert_int_equal(d->hdr.total_len, LTCP_IPV4_HDR_LEN + d->total);
    assert_int_equal(d->hdr.frag, 0);
    assert_memory_equal(d->buf, c->payload, d->total);
    ltcp_frags_done(&c->f, d);
  }
  return v;
}

static void test_frag_whole_in_order_reversed_and_interleaved(void **state) {
  (void)state;
  fr_ctx c;
  ltcp_drop_reason why;
  fr_init(&c, 4, 1u << 20);
  assert_int_equal(fr_feed(&c, 0, 1, 0, 1480, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 1, 1480, 1480, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 1, 2960, 1000, 0, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(fr_feed(&c, 0, 2, 2960, 1000, 0, &why), LTCP_FRAG_HELD); /* reversed */
  assert_int_equal(fr_feed(&c, 0, 3, 800, 200, 0, &why), LTCP_FRAG_HELD);   /* another */
  assert_int_equal(fr_feed(&c, 0, 2, 1480, 1480, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 3, 0, 800, 1, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(fr_feed(&c, 0, 2, 0, 1480, 1, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(c.stats.frag_reassembled, 3);
  assert_int_equal(c.f.count, 0);
  assert_int_equal(c.f.mem, 0);
  ltcp_frags_free(&c.f);
}

/* RFC 5722 §4 (and Linux for IPv4): a partial overlap drops the datagram; a duplicate is
 * dropped alone and the datagram still completes. */
static void test_frag_overlap_drops_the_datagram_duplicate_only_itself(void **state) {
  (void)state;
  fr_ctx c;
  ltcp_drop_reason why;
  fr_init(&c, 4, 1u << 20);
  assert_int_equal(fr_feed(&c, 0, 1, 0, 1480, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 1, 8, 80, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP_FRAG_DUPLICATE);
  assert_int_equal(fr_feed(&c, 0, 1, 1480, 100, 0, &why), LTCP_FRAG_WHOLE);
  assert_int_equal(fr_feed(&c, 0, 2, 0, 1480, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 2, 1472, 16, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP_FRAG_OVERLAP);
  assert_int_equal(c.f.count, 0); /* gone: the rest cannot make it whole */
  assert_int_equal(fr_feed(&c, 0, 2, 1480, 100, 0, &why), LTCP_FRAG_HELD);
  /* A fragment bridging two held ranges and reaching into the second overlaps too. */
  assert_int_equal(fr_feed(&c, 0, 3, 0, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 3, 16, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 3, 8, 16, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP_FRAG_OVERLAP);
  /* A second end that disagrees with the first. */
  assert_int_equal(fr_feed(&c, 0, 4, 800, 200, 0, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 4, 1600, 200, 0, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP_FRAG_OVERLAP);
  ltcp_frags_free(&c.f);
}

static void test_frag_refuses_too_many_holes_too_big_and_odd_sizes(void **state) {
  (void)state;
  fr_ctx c;
  ltcp_drop_reason why;
  fr_init(&c, 4, 1u << 20);
  for (uint32_t i = 0; i < LTCP_FRAG_RANGES; i++)
    assert_int_equal(fr_feed(&c, 0, 1, i * 16, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, 0, 1, LTCP_FRAG_RANGES * 16, 8, 1, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP_FRAG_RANGES);
  assert_int_equal(c.f.count, 0);
  uint8_t pkt[LTCP_IPV4_HDR_LEN + 100];
  fr_piece(pkt, 9, LTCP_IPPROTO_TCP, c.payload, 0, 100, 0);
  ltcp_ipv4_hdr h;
  assert_int_equal(ltcp_ipv4_parse(pkt, sizeof pkt, &h), LTCP_DROP_NONE); /* h filled */
  h.frag = 8185; /* offset 65480: 100 bytes end beyond 65515, the ping of death */
  ltcp_frag_dgram *d;
  assert_int_equal(ltcp_frags_input(&c.f, 0, pkt, &h, &d, &why), LTCP_FRAG_DROPPED);
  assert_int_equal(why, LTCP_DROP_IP_FRAG_TOO_BIG);
  assert_int_equal(fr_feed(&c, 0, 2, 0, 100, 1, &why), LTCP_FRAG_DROPPED); /* not 8-byte units */
  assert_int_equal(why, LTCP_DROP_IP_FRAG_BAD);
  assert_int_equal(c.f.count, 0);
  ltcp_frags_free(&c.f);
}

/* Linux's evictor: with every slot or all the memory taken, the oldest other datagram goes. */
static void test_frag_evicts_the_oldest_for_room(void **state) {
  (void)state;
  fr_ctx c;
  ltcp_drop_reason why;
  fr_init(&c, 4, 8192); /* buffers grow by 2 KiB: four datagrams of a few bytes fill it */
  for (uint16_t id = 1; id <= 4; id++)
    assert_int_equal(fr_feed(&c, id, id, 0, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(c.f.mem, 8192);
  assert_int_equal(fr_feed(&c, 5, 5, 0, 8, 1, &why), LTCP_FRAG_HELD); /* no slot: 1 goes */
  assert_int_equal(c.stats.drops[LTCP_DROP_IP_FRAG_EVICTED], 1);
  assert_int_equal(fr_feed(&c, 6, 2, 3000, 8, 1, &why), LTCP_FRAG_HELD); /* 2 grows: 3 goes */
  assert_int_equal(c.stats.drops[LTCP_DROP_IP_FRAG_EVICTED], 2);
  assert_true(c.f.mem <= 8192);
  assert_int_equal(fr_feed(&c, 7, 4, 8, 8, 0, &why), LTCP_FRAG_WHOLE);   /* 4 was kept */
  assert_int_equal(fr_feed(&c, 7, 3, 8, 8, 0, &why), LTCP_FRAG_HELD);    /* 3 is new again */
  ltcp_frags_free(&c.f);
}

static void test_frag_expires_after_the_timeout(void **state) {
  (void)state;
  fr_ctx c;
  ltcp_drop_reason why;
  fr_init(&c, 4, 1u << 20);
  assert_int_equal(fr_feed(&c, LTCP_SEC(1), 1, 0, 8, 1, &why), LTCP_FRAG_HELD);
  assert_int_equal(fr_feed(&c, LTCP_SEC(2), 2, 8, 8, 0, &why), LTCP_FRAG_HELD);
  assert_int_equal(c.f.next_expiry, LTCP_SEC(31));
  assert_null(ltcp_frags_expired(&c.f, LTCP_SEC(31) - 1));
  ltcp_frag_dgram *d = ltcp_frags_expired(&c.f, LTCP_SEC(31));
  assert_non_null(d);
  assert_int_equal(d->hdr.id, 1);
  ltcp_frags_done(&c.f, d);
  assert_int_equal(c.f.next_expiry, LTCP_SEC(32));
  assert_int_equal(c.stats.drops[LTCP_DROP_IP_FRAG_TIMEOUT], 1);
  ltcp_frags_free(&c.f);
}

/* A stack: a SYN in three fragments is answered; reassembly off drops them. */
static void test_stack_answers_a_syn_in_fragments(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_listen(&h);
  uint8_t whole[LTCP_IPV4_HDR_LEN + LTCP_TCP_MAX_HDR_LEN + 64], pkt[128];
  h_seg s = {.flags = LTCP_SYN, .seq = H_IRS, .wnd = 65535, .mss = 1460, .has_ts = 1};
  size_t n = h_build(&h, &s, whole, sizeof whole);
  const uint8_t *tcp = whole + LTCP_IPV4_HDR_LEN;
  uint32_t tlen = (uint32_t)(n - LTCP_IPV4_HDR_LEN);
  h_send_raw(&h, pkt, fr_piece(pkt, 77, LTCP_IPPROTO_TCP, tcp, 16, tlen - 16, 0));
  h_send_raw(&h, pkt, fr_piece(pkt, 77, LTCP_IPPROTO_TCP, tcp, 0, 8, 1));
  h_expect_none(&h);
  h_send_raw(&h, pkt, fr_piece(pkt, 77, LTCP_IPPROTO_TCP, tcp, 8, 8, 1));
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h.out.seg.ack, H_IRS + 1);
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  assert_int_equal(st->frag_in, 3);
  assert_int_equal(st->frag_reassembled, 1);
  h_free(&h);
}

/* RFC 1122 3.3.2: a datagram not whole in time, fragment zero received: ICMP time exceeded
 * (code 1) quoting its header and first 8 bytes; without fragment zero, nothing. */
static void test_stack_sends_time_exceeded_for_an_incomplete_datagram(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  uint8_t payload[64], pkt[128];
  memset(payload, 0xab, sizeof payload);
  size_t n0 = fr_piece(pkt, 5, LTCP_IPPROTO_TCP, payload, 0, 16, 1);
  uint8_t first[LTCP_IPV4_HDR_LEN];
  memcpy(first, pkt, sizeof first);
  h_send_raw(&h, pkt, n0);
  h_send_raw(&h, pkt, fr_piece(pkt, 6, LTCP_IPPROTO_TCP, payload, 16, 16, 1)); /* no zero */
  h_advance(&h, LTCP_SEC(30));
  const uint8_t *out;
  size_t len = ltcp_stack_tx_peek(h.st, &out);
  assert_int_equal(len, LTCP_IPV4_HDR_LEN + 8 + LTCP_IPV4_HDR_LEN + 8);
  ltcp_ipv4_hdr ih;
  assert_int_equal(ltcp_ipv4_parse(out, len, &ih), LTCP_DROP_NONE);
  assert_int_equal(ih.proto, LTCP_IPPROTO_ICMP);
  assert_int_equal(ih.dst, FR_SRC);
  ltcp_icmp_hdr ic;
  assert_int_equal(ltcp_icmp_parse(out + LTCP_IPV4_HDR_LEN, len - LTCP_IPV4_HDR_LEN, &ic),
                   LTCP_DROP_NONE);
  assert_int_equal(ic.type, LTCP_ICMP_TIME_EXCEEDED);
  assert_int_equal(ic.code, 1);
  assert_memory_equal(ic.data, first, LTCP_IPV4_HDR_LEN);
  assert_memory_equal(ic.data + LTCP_IPV4_HDR_LEN, payload, 8);
  ltcp_stack_tx_pop(h.st);
  assert_int_equal(ltcp_stack_tx_peek(h.st, &out), 0);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_IP_FRAG_TIMEOUT], 2);
  h_free(&h);
}

static void test_stack_with_reassembly_off_drops_fragments(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.frag_max_datagrams = 0;
  h_harness h;
  h_init(&h, &cfg);
  uint8_t payload[16] = {0}, pkt[64];
  h_send_raw(&h, pkt, fr_piece(pkt, 5, LTCP_IPPROTO_TCP, payload, 0, 16, 1));
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_IP_FRAGMENT], 1);
  assert_int_equal(ltcp_stack_next_deadline(h.st), LTCP_TIME_NEVER);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_frag_whole_in_order_reversed_and_interleaved),
      cmocka_unit_test(test_frag_overlap_drops_the_datagram_duplicate_only_itself),
      cmocka_unit_test(test_frag_refuses_too_many_holes_too_big_and_odd_sizes),
      cmocka_unit_test(test_frag_evicts_the_oldest_for_room),
      cmocka_unit_test(test_frag_expires_after_the_timeout),
      cmocka_unit_test(test_stack_answers_a_syn_in_fragments),
      cmocka_unit_test(test_stack_sends_time_exceeded_for_an_incomplete_datagram),
      cmocka_unit_test(test_stack_with_reassembly_off_drops_fragments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
