/* RFC 7323 timestamps through the single-stack harness: PAWS (§5.3) dropping an old duplicate
 * that the sequence numbers alone would take, TS.Recent (§4.3), RTT samples from TSecr
 * (§4.1, Appendix G), and RFC 6191 in TIME-WAIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "support/harness.h"
#include "lucidtcp/wire/ipv4.h"

#define TS0 5000u /* the remote's first TSval */

typedef struct ts_conn {
  h_harness h;
  uint32_t tsval;   /* the remote's timestamp clock: one tick per segment it sends */
} ts_conn;

static ltcp_tcp_info status(h_harness *h) {
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h->st, h->fd, &info), 0);
  return info;
}

static uint64_t drops(h_harness *h, ltcp_drop_reason r) { return ltcp_stack_stats(h->st)->drops[r]; }

/* A remote segment with TSopt <TSval=tsval, TSecr=the stack's latest TSval>. */
static h_seg ts_seg(ts_conn *c, uint8_t flags, uint32_t seq, uint32_t tsval, const void *data,
                    uint32_t len) {
  h_seg s = {.flags = flags, .seq = seq, .ack = c->h.iss + 1, .wnd = 65535, .data = data,
             .len = len, .has_ts = 1, .ts_val = tsval, .ts_ecr = c->h.out.seg.opts.ts_val};
  return s;
}

static void ts_send(ts_conn *c, uint8_t flags, uint32_t seq, const void *data, uint32_t len) {
  h_seg s = ts_seg(c, flags, seq, ++c->tsval, data, len);
  h_send_seg(&c->h, &s);
}

/* Passive open with timestamps (and window scaling) negotiated; ESTABLISHED, accepted. */
static void ts_open(ts_conn *c, const ltcp_stack_config *cfg, int rcvbuf) {
  h_harness *h = &c->h;
  h_init(h, cfg);
  h->rcvbuf = rcvbuf;
  c->tsval = TS0;
  h_listen(h);
  h_seg syn = {.flags = LTCP_SYN, .seq = h->irs, .wnd = 65535, .mss = H_MSS, .has_wscale = 1,
               .wscale = 7, .has_ts = 1, .ts_val = c->tsval};
  h_send_seg(h, &syn);
  assert_true(h_next(h));
  assert_int_equal(h->out.seg.flags, LTCP_SYN | LTCP_ACK);
  h->iss = h->out.seg.seq;
  h_advance(h, H_RTT);
  ts_send(c, LTCP_ACK, h->irs + 1, NULL, 0);
  h->fd = ltcp_accept(h->st, h->lfd, NULL);
  assert_true(h->fd >= 0);
  assert_int_equal(status(h).timestamps_ok, cfg ? cfg->timestamps : 1);
  h_expect_none(h);
}

/* Reads everything readable; returns how many bytes were not 'G' (genuine). */
static uint64_t drain_count_old(h_harness *h, uint8_t *buf, uint32_t cap, const uint8_t *genuine) {
  uint64_t bad = 0;
  for (int i = 0; i < 1024; i++) {
    ssize_t n = ltcp_recv(h->st, h->fd, buf, cap, 0);
    if (n <= 0) break;
    if (memcmp(buf, genuine, (size_t)n) == 0) continue;
    for (ssize_t j = 0; j < n; j++) bad += buf[j] != 'G';
  }
  return bad;
}

#define WRAP_SEG 65000u          /* payload of one segment (IPv4 allows up to 65535 bytes) */
#define WRAP_RCVBUF (1u << 20)   /* window 1 MiB, shift 5 */
#define WRAP_PKT (LTCP_IPV4_HDR_LEN + LTCP_TCP_MAX_HDR_LEN + WRAP_SEG)

/* Issue 5 test 6, §5.3 (R1 before R2) and §1.2: after 2^32 bytes the sequence numbers have
 * wrapped, and a delayed copy of an early segment (sent at a small TSval) arrives just as
 * RCV.NXT comes round to its sequence number: by sequence numbers alone it is the next data.
 * With timestamps its TSval is older than TS.Recent: it is ACKed and dropped (counted as PAWS)
 * and the genuine bytes are read. Without timestamps, the duplicate's bytes are read: the
 * corruption PAWS prevents. */
static void run_wrap(int timestamps, uint64_t *old_read, uint64_t *paws_drops) {
  static ts_conn conn;
  static uint8_t genuine[WRAP_SEG], old[WRAP_SEG], buf[WRAP_SEG], pkt[WRAP_PKT];
  ts_conn *c = &conn;
  memset(c, 0, sizeof *c);
  memset(genuine, 'G', WRAP_SEG);
  memset(old, 'O', WRAP_SEG);
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.timestamps = (uint8_t)timestamps;
  ts_open(c, &cfg, (int)WRAP_RCVBUF);
  h_harness *h = &c->h;
  uint32_t base = h->irs + 1, dup_seq = base + WRAP_SEG;
  h_seg dup = ts_seg(c, LTCP_ACK, dup_seq, c->tsval + 2, old, WRAP_SEG); /* the 2nd segment's TSval */
  /* Bounded: 2^32 + 2 segments' worth of bytes, WRAP_SEG at a time. */
  uint64_t target = (1ull << 32) + WRAP_SEG, sent = 0, bad = 0;
  while (sent < target + WRAP_SEG) {
    if (sent == target) { /* RCV.NXT has come round to the duplicate's sequence number */
      assert_int_equal(status(h).rcv_nxt, dup_seq);
      size_t n = h_build(h, &dup, pkt, WRAP_PKT);
      h_send_raw(h, pkt, n);
      while (h_next(h)) {
      }
    }
    uint32_t len = target - sent < WRAP_SEG && sent < target ? (uint32_t)(target - sent) : WRAP_SEG;
    h_seg s = ts_seg(c, LTCP_ACK, base + (uint32_t)sent, ++c->tsval, genuine, len);
    size_t n = h_build(h, &s, pkt, WRAP_PKT);
    h_send_raw(h, pkt, n);
    while (h_next(h)) {
    }
    sent += len;
    bad += drain_count_old(h, buf, WRAP_SEG, genuine);
  }
  *paws_drops = drops(h, LTCP_DROP_TCP_PAWS);
  *old_read = bad;
  h_free(h);
}

static void test_established_paws_drops_wrapped_old_duplicate(void **state) {
  (void)state;
  uint64_t old_read = 0, paws = 0;
  run_wrap(1, &old_read, &paws);
  assert_int_equal(paws, 1);
  assert_int_equal(old_read, 0);
  run_wrap(0, &old_read, &paws); /* the same without timestamps: the old bytes get in */
  assert_int_equal(paws, 0);
  assert_int_equal(old_read, WRAP_SEG);
}

/* §5.3 R1: an in-window segment whose TSval is older than TS.Recent is not acceptable: an ACK
 * (with TSecr = TS.Recent) and a counted drop; RCV.NXT does not move. An RST is never
 * subjected to PAWS (§5.2). */
static void test_established_old_tsval_acked_and_dropped(void **state) {
  (void)state;
  ts_conn c;
  ts_open(&c, NULL, 0);
  h_harness *h = &c.h;
  ts_send(&c, LTCP_PSH | LTCP_ACK, h->irs + 1, "abc", 3);
  h_expect(h, LTCP_ACK, h->iss + 1, h->irs + 4);
  uint32_t recent = c.tsval;
  h_seg s = ts_seg(&c, LTCP_PSH | LTCP_ACK, h->irs + 4, recent - 1, "def", 3);
  h_send_seg(h, &s);
  const h_out *a = h_expect(h, LTCP_ACK, h->iss + 1, h->irs + 4);
  assert_int_equal(a->seg.opts.ts_ecr, recent);
  assert_int_equal(drops(h, LTCP_DROP_TCP_PAWS), 1);
  h_expect_none(h);
  s = ts_seg(&c, LTCP_RST, h->irs + 4, recent - 100, NULL, 0);
  h_send_seg(h, &s);
  assert_int_equal(h_state(h), LTCP_CLOSED);
  h_free(h);
}

/* §4.3: out of order, the ACK echoes the TSval of the last segment that advanced RCV.NXT
 * (case B); the segment that fills the hole is echoed (case C). */
static void test_established_ts_recent_out_of_order(void **state) {
  (void)state;
  ts_conn c;
  ts_open(&c, NULL, 0);
  h_harness *h = &c.h;
  uint32_t a = h->irs + 1;
  h_seg sa = ts_seg(&c, LTCP_ACK, a, TS0 + 11, "AAAA", 4);
  h_send_seg(h, &sa);
  h_expect(h, LTCP_ACK, h->iss + 1, a + 4);
  assert_int_equal(h->out.seg.opts.ts_ecr, TS0 + 11);
  h_seg sc = ts_seg(&c, LTCP_ACK, a + 8, TS0 + 13, "CCCC", 4);
  h_send_seg(h, &sc);
  h_expect(h, LTCP_ACK, h->iss + 1, a + 4);
  assert_int_equal(h->out.seg.opts.ts_ecr, TS0 + 11); /* case B */
  h_seg sb = ts_seg(&c, LTCP_ACK, a + 4, TS0 + 12, "BBBB", 4);
  h_send_seg(h, &sb);
  h_expect(h, LTCP_ACK, h->iss + 1, a + 12);
  assert_int_equal(h->out.seg.opts.ts_ecr, TS0 + 12); /* case C: the hole's filler */
  h_free(h);
}

/* §4.1 RTTM: an ACK that advances SND.UNA gives a sample from TSecr, even for a segment sent
 * twice (no retransmission ambiguity: the echo names the transmission). */
static void test_established_rtt_from_tsecr(void **state) {
  (void)state;
  ts_conn c;
  ts_open(&c, NULL, 0);
  h_harness *h = &c.h;
  assert_int_equal(ltcp_send(h->st, h->fd, "hello", 5, 0), 5);
  h_expect_len(h, LTCP_PSH | LTCP_ACK, h->iss + 1, h->irs + 1, 5);
  ltcp_time_ns rto = status(h).rto_ns;
  h_advance(h, rto); /* a timeout: the segment goes again */
  h_expect_len(h, LTCP_PSH | LTCP_ACK, h->iss + 1, h->irs + 1, 5);
  uint32_t echo = h->out.seg.opts.ts_val;
  h_advance(h, LTCP_MS(30));
  h_seg s = ts_seg(&c, LTCP_ACK, h->irs + 1, ++c.tsval, NULL, 0);
  s.ack = h->iss + 6;
  s.ts_ecr = echo;
  h_send_seg(h, &s);
  ltcp_tcp_info info = status(h);
  /* The handshake's sample (100 ms) and this one (30 ms, from the retransmission's echo). */
  assert_true(info.srtt_ns < LTCP_MS(100));
  assert_true(info.srtt_ns >= LTCP_MS(85) - LTCP_MS(1));
  h_free(h);
}

/* RFC 6928's IW is 10 SMSS, and SMSS excludes options (RFC 5681 §2): with timestamps, 10
 * segments of MSS - 12 bytes leave, and no eleventh carrying the 120 bytes that 10 * MSS would
 * allow (as Linux counts mss_cache, FreeBSD tcp_maxseg). Sent by cwnd alone: the peer's window
 * and the send buffer hold more. */
static void iw_expect_ten_segments(h_harness *h) {
  static uint8_t data[20 * H_MSS];
  uint32_t smss = status(h).snd_mss; /* the MSS both ends allow, less the timestamps */
  assert_true(smss <= H_MSS - 12);
  assert_int_equal(ltcp_send(h->st, h->fd, data, sizeof data, 0), (ssize_t)sizeof data);
  for (uint32_t i = 0; i < 10; i++) h_expect_len(h, LTCP_ACK, h->iss + 1 + i * smss, h->irs + 1, smss);
  h_expect_none(h);
  assert_int_equal(status(h).cwnd, 10 * smss);
}

static void test_timestamps_passive_initial_window_counts_mss_without_options(void **state) {
  (void)state;
  ts_conn c;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.sndbuf = 1 << 20;
  ts_open(&c, &cfg, 1 << 20);
  iw_expect_ten_segments(&c.h);
  h_free(&c.h);
}

static void test_timestamps_active_initial_window_counts_mss_without_options(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.sndbuf = 1 << 20;
  h_init(&h, &cfg);
  h_connect(&h);
  assert_true(h.out.seg.opts.has_timestamps);
  h_seg synack = {.flags = LTCP_SYN | LTCP_ACK, .seq = h.irs, .ack = h.iss + 1, .wnd = 65535,
                  .mss = H_MSS, .has_wscale = 1, .wscale = 7, .has_ts = 1, .ts_val = TS0,
                  .ts_ecr = h.out.seg.opts.ts_val};
  h_send_seg(&h, &synack);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 1);
  assert_int_equal(status(&h).timestamps_ok, 1);
  iw_expect_ten_segments(&h);
  h_free(&h);
}

/* A SYN that meets the peer's TIME-WAIT of an earlier connection on the same 4-tuple is
 * answered by that TIME-WAIT's ACK (Linux, when the SYN's ISN and TSval are not newer). Our
 * reset (§3.10.7.3: <SEQ=SEG.ACK><CTL=RST>) carries no TSopt: Linux's TIME-WAIT runs PAWS on an
 * RST with one and would drop it (TSval zero, as RFC 7323 §5.2 recommends), answering every SYN
 * again for its whole 60 s. Without TSopt it ends the TIME-WAIT, and the SYN sent again after
 * the RTO opens the connection. */
static void test_syn_sent_reset_to_a_time_wait_ack_carries_no_timestamps(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_connect(&h);
  assert_true(h.out.seg.opts.has_timestamps);
  uint32_t old_rcv_nxt = h.iss - 7777; /* the TIME-WAIT's RCV.NXT: not our SYN's */
  h_seg ack = {.flags = LTCP_ACK, .seq = h.irs, .ack = old_rcv_nxt, .wnd = 512, .has_ts = 1,
               .ts_val = 99999, .ts_ecr = 123456};
  h_send_seg(&h, &ack);
  const h_out *rst = h_expect(&h, LTCP_RST, old_rcv_nxt, 0);
  assert_false(rst->seg.opts.has_timestamps);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_SYN_SENT);
  h_advance(&h, LTCP_SEC(1)); /* the initial RTO: the SYN again */
  h_expect(&h, LTCP_SYN, h.iss, 0);
  h_free(&h);
}

/* RFC 6191 (RFC 9293 §3.6 SHLD-4): in TIME-WAIT with timestamps, a SYN with a newer TSval opens
 * a new connection even below RCV.NXT; one with an older TSval does not. */
static void test_time_wait_syn_timestamps_rfc6191(void **state) {
  (void)state;
  ts_conn c;
  ts_open(&c, NULL, 0);
  h_harness *h = &c.h;
  assert_int_equal(ltcp_shutdown(h->st, h->fd, LTCP_SHUT_WR), 0);
  h_expect(h, LTCP_FIN | LTCP_ACK, h->iss + 1, h->irs + 1);
  h_seg fin = ts_seg(&c, LTCP_FIN | LTCP_ACK, h->irs + 1, ++c.tsval, NULL, 0);
  fin.ack = h->iss + 2;
  h_send_seg(h, &fin);
  h_expect(h, LTCP_ACK, h->iss + 2, h->irs + 2);
  assert_int_equal(h_state(h), LTCP_TIME_WAIT);
  /* Older TSval, sequence number below RCV.NXT: stays in TIME-WAIT (old duplicate). */
  h_seg old = {.flags = LTCP_SYN, .seq = h->irs - 1000, .wnd = 65535, .mss = H_MSS, .has_ts = 1,
               .ts_val = TS0 - 1};
  h_send_seg(h, &old);
  while (h_next(h)) {
  }
  assert_int_equal(h_state(h), LTCP_TIME_WAIT);
  assert_int_equal(ltcp_stack_stats(h->st)->time_wait_reuse, 0);
  /* Newer TSval, same low sequence number: a new incarnation. */
  h_seg fresh = old;
  fresh.ts_val = c.tsval + 1;
  h_send_seg(h, &fresh);
  assert_int_equal(ltcp_stack_stats(h->st)->time_wait_reuse, 1);
  assert_true(h_next(h));
  assert_int_equal(h->out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h->out.seg.ack, h->irs - 999);
  h_free(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_established_old_tsval_acked_and_dropped, h_teardown),
      cmocka_unit_test_teardown(test_established_ts_recent_out_of_order, h_teardown),
      cmocka_unit_test_teardown(test_established_rtt_from_tsecr, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_syn_timestamps_rfc6191, h_teardown),
      cmocka_unit_test_teardown(test_established_paws_drops_wrapped_old_duplicate, h_teardown),
      cmocka_unit_test_teardown(test_timestamps_passive_initial_window_counts_mss_without_options,
                                h_teardown),
      cmocka_unit_test_teardown(test_timestamps_active_initial_window_counts_mss_without_options,
                                h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_reset_to_a_time_wait_ack_carries_no_timestamps,
                                h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
