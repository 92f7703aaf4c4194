/* Compact half-open connections (src/tcp/synrcvd.h, src/ip/syn_table.h): a listener's child waiting in
 * SYN-RECEIVED is a 64-byte record that behaves as the TCB did (RFC 9293 §3.10.7.2, §3.10.7.4
 * SYN-RECEIVED, §3.10.8 retransmission timeout, RFC 6298). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"
#include "ip/syn_table.h"

static const ltcp_stats *syn_stats(const h_harness *h) { return ltcp_stack_stats(h->st); }

/* A SYN with every option the stack negotiates; returns the SYN,ACK's ISS. */
static uint32_t syn_open(h_harness *h, uint16_t rport, uint32_t irs, h_out *synack) {
  h_seg syn = {.flags = LTCP_SYN, .seq = irs, .wnd = H_WND, .mss = H_MSS, .src_port = rport,
               .has_wscale = 1, .wscale = 7, .has_ts = 1, .ts_val = 1000};
  h_send_seg(h, &syn);
  assert_int_equal(h_next(h), 1);
  assert_int_equal(h->out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h->out.seg.ack, irs + 1);
  if (synack) *synack = h->out;
  return h->out.seg.seq;
}

/* The harness's stack, every half-open child compact at once (cfg.half_open_whole 0). */
static void rec_init(h_harness *h, const ltcp_stack_config *given) {
  ltcp_stack_config cfg;
  if (given) cfg = *given;
  else h_config(&cfg);
  cfg.half_open_whole = 0;
  h_init(h, &cfg);
}

static void test_half_open_record_is_64_bytes(void **state) {
  (void)state;
  assert_int_equal(sizeof(ltcp_syn_rec), 64);
}

/* The record keeps its place: the state count, the connection count and the backlog. */
static void test_half_open_child_becomes_a_record_and_fills_the_backlog(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.syn_cookies = 0; /* a full backlog drops the SYN (no cookie; the record is too young to go) */
  h_harness h;
  rec_init(&h, &cfg);
  h_listen(&h);
  assert_int_equal(ltcp_listen(h.st, h.lfd, 1), 0);
  syn_open(&h, H_RPORT, H_IRS, NULL);
  h_expect_none(&h);
  assert_int_equal(syn_stats(&h)->syn_received_compact, 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 1);
  assert_int_equal(ltcp_stack_connection_count(h.st), 2 - 1); /* the listener is not counted */
  h_seg syn2 = {.flags = LTCP_SYN, .seq = 5, .wnd = H_WND, .src_port = H_RPORT + 1};
  h_send_seg(&h, &syn2);
  h_expect_none(&h);
  assert_int_equal(syn_stats(&h)->drops[LTCP_DROP_TCP_LISTEN_OVERFLOW], 1);
  h_free(&h);
}

/* §3.10.7.4 fifth, SYN-RECEIVED: the ACK completes the handshake through the record, with the
 * connection's id and the RTT of the SYN,ACK (RFC 6298 §2.2). */
static void test_ack_completes_the_handshake_through_the_record(void **state) {
  (void)state;
  h_harness h;
  rec_init(&h, NULL);
  h_listen(&h);
  uint32_t iss = syn_open(&h, H_RPORT, H_IRS, NULL);
  uint64_t id = h.conn_id;
  h_advance(&h, LTCP_MS(100));
  h_seg ack = {.flags = LTCP_ACK, .seq = H_IRS + 1, .ack = iss + 1, .wnd = H_WND,
               .has_ts = 1, .ts_val = 1100, .ts_ecr = h.out.seg.opts.ts_val};
  h_send_seg(&h, &ack);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  assert_int_equal(h.conn_id, id);
  int fd = ltcp_accept(h.st, h.lfd, NULL);
  assert_true(fd >= 0);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, fd, &info), 0);
  assert_int_equal(info.srtt_ns, LTCP_MS(100));
  /* Data flows with the negotiated options (a 1-byte echo: TSopt present). */
  assert_int_equal(ltcp_send(h.st, fd, "x", 1, 0), 1);
  const h_out *o = h_expect_len(&h, LTCP_ACK | LTCP_PSH, iss + 1, H_IRS + 1, 1);
  assert_true(o->seg.opts.has_timestamps);
  assert_int_equal(o->seg.opts.ts_ecr, 1100);
  h_free(&h);
}

/* RFC 6298 §5.5 through the record: the SYN,ACK goes again after 1, 2, 4 ... seconds, each
 * time the same segment, and the record comes back between times; after synack_retries the
 * half-open child just goes (§3.10.8). */
static void test_synack_retransmissions_and_give_up_through_the_record(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.synack_retries = 3;
  h_harness h;
  rec_init(&h, &cfg);
  h_listen(&h);
  h_out first;
  uint32_t iss = syn_open(&h, H_RPORT, H_IRS, &first);
  ltcp_time_ns t = h.now, rto = cfg.rto_initial_ns;
  for (uint32_t i = 0; i < 3; i++) {
    t += rto << i;
    assert_int_equal(ltcp_stack_next_deadline(h.st), t);
    h_advance_to(&h, t - 1);
    h_expect_none(&h);
    h_advance_to(&h, t);
    const h_out *o = h_expect(&h, LTCP_SYN | LTCP_ACK, iss, H_IRS + 1);
    assert_int_equal(o->seg.wnd, first.seg.wnd);
    assert_int_equal(o->seg.opts.mss, first.seg.opts.mss);
    assert_int_equal(o->seg.opts.wscale, first.seg.opts.wscale);
    assert_int_equal(o->seg.opts.ts_ecr, 1000);
    h_expect_none(&h);
    assert_int_equal(syn_stats(&h)->syn_received_compact, 2 + i);
  }
  t += rto << 3;
  h_advance_to(&h, t);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.cause, LTCP_CAUSE_TIMER);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 0);
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  h_free(&h);
}

/* §3.10.7.4 second: an RST returns the record's connection to LISTEN. */
/* §3.10.7.4 first, SYN-RECEIVED: an unacceptable segment gets an ACK, and through the record
 * the RFC 5961 §7 count of such ACKs (input.c) holds between segments: at most
 * cfg.challenge_ack_limit in an interval (swarm seed 418231: an ACK war with a TIME-WAIT on the
 * same tuple grew into a storm while each end answered every segment). */
static void test_record_answers_unacceptable_acks_at_most_the_limit(void **state) {
  (void)state;
  h_harness h;
  rec_init(&h, NULL);
  h_listen(&h);
  uint32_t iss = syn_open(&h, H_RPORT, H_IRS, NULL);
  h_expect_none(&h);
  assert_int_equal(syn_stats(&h)->syn_received_compact, 1);
  unsigned answered = 0, sent = 3u * h.cfg.challenge_ack_limit;
  for (unsigned i = 0; i < sent; i++) {
    h_seg ack = {.flags = LTCP_ACK, .seq = H_IRS + 500000 + i, .ack = iss + 1, .wnd = H_WND,
                 .src_port = H_RPORT, .has_ts = 1, .ts_val = 1001}; /* RFC 7323 §3.2: TS due */
    h_send_seg(&h, &ack);
    while (h_next(&h)) {
      assert_int_equal(h.out.seg.flags, LTCP_ACK);
      answered++;
    }
  }
  assert_int_equal(answered, h.cfg.challenge_ack_limit);
  assert_int_equal(syn_stats(&h)->drops[LTCP_DROP_TCP_CHALLENGE_LIMITED], sent - answered);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 1);
  h_free(&h);
}

static void test_rst_returns_the_record_to_listen(void **state) {
  (void)state;
  h_harness h;
  rec_init(&h, NULL);
  h_listen(&h);
  syn_open(&h, H_RPORT, H_IRS, NULL);
  h_send(&h, LTCP_RST, H_IRS + 1, 0, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(h.last.new_state, LTCP_LISTEN);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 0);
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  h_free(&h);
}

/* Closing the listener ends its half-open children (records and TCBs) without a segment, as
 * Linux; the peer's late ACK then meets no connection and gets a reset (§3.10.7.1). */
static void test_listener_close_ends_half_open_children(void **state) {
  (void)state;
  h_harness h;
  rec_init(&h, NULL);
  h_listen(&h);
  uint32_t iss[3];
  for (uint32_t i = 0; i < 3; i++) iss[i] = syn_open(&h, (uint16_t)(H_RPORT + i), H_IRS + i, NULL);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 3);
  h_log_clear(&h);
  assert_int_equal(ltcp_close(h.st, h.lfd), 0);
  h.lfd = -1;
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 0);
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  assert_non_null(h_log_find(&h, LTCP_SYN_RECEIVED, LTCP_CLOSED));
  h_seg ack = {.flags = LTCP_ACK, .seq = H_IRS + 1, .ack = iss[0] + 1, .wnd = H_WND};
  h_send_seg(&h, &ack);
  h_expect(&h, LTCP_RST, iss[0] + 1, 0);
  h_free(&h);
}

/* cfg.half_open_whole: the first two half-open children stay whole TCBs, the third becomes a
 * record; an ACK completes either the same way, and a whole one becomes a record when its
 * SYN,ACK goes again (the early drop looks only at records whose SYN,ACK went twice). */
static void test_half_open_whole_up_to_the_limit_then_records(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.half_open_whole = 2;
  h_harness h;
  h_init(&h, &cfg);
  h_listen(&h);
  uint32_t iss[3];
  for (int i = 0; i < 3; i++) iss[i] = syn_open(&h, (uint16_t)(H_RPORT + i), H_IRS, NULL);
  assert_int_equal(syn_stats(&h)->syn_received_compact, 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 3);
  for (int i = 0; i < 3; i += 2) { /* a whole one and the record */
    h_seg ack = {.flags = LTCP_ACK, .seq = H_IRS + 1, .ack = iss[i] + 1, .wnd = H_WND,
                 .src_port = (uint16_t)(H_RPORT + i), .has_ts = 1, .ts_val = 1100,
                 .ts_ecr = h.out.seg.opts.ts_val};
    h_send_seg(&h, &ack);
    h_expect_none(&h);
  }
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_ESTABLISHED), 2);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 1);
  for (int i = 0; i < 2; i++) {
    int fd = ltcp_accept(h.st, h.lfd, NULL);
    assert_true(fd >= 0);
    ltcp_tcp_info info;
    assert_int_equal(ltcp_status(h.st, fd, &info), 0);
    assert_int_equal(info.cwnd, 10 * info.snd_mss); /* the same window either way */
  }
  /* The one left whole sends its SYN,ACK again and becomes a record, within the limit. */
  h_advance(&h, LTCP_SEC(1));
  assert_int_equal(h_next(&h), 1);
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h.out.seg.seq, iss[1]);
  assert_int_equal(syn_stats(&h)->syn_received_compact, 2);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 1);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_half_open_record_is_64_bytes),
      cmocka_unit_test_teardown(test_half_open_child_becomes_a_record_and_fills_the_backlog, h_teardown),
      cmocka_unit_test_teardown(test_ack_completes_the_handshake_through_the_record, h_teardown),
      cmocka_unit_test_teardown(test_synack_retransmissions_and_give_up_through_the_record, h_teardown),
      cmocka_unit_test_teardown(test_rst_returns_the_record_to_listen, h_teardown),
      cmocka_unit_test_teardown(test_record_answers_unacceptable_acks_at_most_the_limit, h_teardown),
      cmocka_unit_test_teardown(test_listener_close_ends_half_open_children, h_teardown),
      cmocka_unit_test_teardown(test_half_open_whole_up_to_the_limit_then_records, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
