/* Compact TIME-WAIT records (src/tcp/timewait.h, src/ip/tw_table.h): an orphaned TIME-WAIT connection is replaced
 * by a 64-byte record that behaves as the TCB did (RFC 9293 §3.10.7.4 TIME-WAIT, §3.10.8). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support/harness.h"
#include "ip/tw_table.h"

static const ltcp_stats *tw_stats(const h_harness *h) { return ltcp_stack_stats(h->st); }

/* Active close, then the user closes the socket in FIN-WAIT-2: the peer's FIN brings
 * TIME-WAIT, the ACK goes, and the TCB becomes a record. */
static void tw_goto_orphan_time_wait(h_harness *h) {
  h_goto(h, LTCP_FIN_WAIT_2, H_ACTIVE);
  assert_int_equal(ltcp_close(h->st, h->fd), 0);
  h->fd = -1;
  h_send(h, LTCP_FIN | LTCP_ACK, h->irs + 1, h->iss + 2, NULL, 0);
  h_expect(h, LTCP_ACK, h->iss + 2, h->irs + 2);
  h_expect_none(h);
  assert_int_equal(h_state(h), LTCP_TIME_WAIT);
}

static void test_time_wait_record_is_64_bytes(void **state) {
  (void)state;
  assert_int_equal(sizeof(ltcp_tw_rec), 64);
}

static void test_orphan_time_wait_becomes_a_record(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  tw_goto_orphan_time_wait(&h);
  assert_int_equal(tw_stats(&h)->time_wait_compact, 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_TIME_WAIT), 1);
  assert_int_equal(ltcp_stack_connection_count(h.st), 1);
  h_free(&h);
}

/* A socket still open in TIME-WAIT keeps its TCB (the user may read or poll it); closing it
 * then makes the record. */
static void test_time_wait_with_open_socket_keeps_its_tcb_until_close(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_TIME_WAIT, H_ACTIVE);
  assert_int_equal(tw_stats(&h)->time_wait_compact, 0);
  ltcp_time_ns entered = h.now;
  assert_int_equal(ltcp_close(h.st, h.fd), 0);
  h.fd = -1;
  assert_int_equal(tw_stats(&h)->time_wait_compact, 1);
  h_expect_none(&h);
  h_advance_to(&h, entered + 2 * h.cfg.msl_ns - 1);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance_to(&h, entered + 2 * h.cfg.msl_ns);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  h_free(&h);
}

/* §3.10.7.4 fifth and eighth through the record: the retransmitted FIN gets the same ACK
 * (sequence, acknowledgment and window) and restarts 2 MSL; the end is the timer's, with the
 * connection's own id. */
static void test_record_acks_retransmitted_fin_and_restarts_2msl(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  tw_goto_orphan_time_wait(&h);
  uint16_t wnd = h.out.seg.wnd;
  uint64_t id = h.conn_id;
  ltcp_time_ns entered = h.now, two_msl = 2 * h.cfg.msl_ns;
  h_advance_to(&h, entered + LTCP_SEC(5));
  h_send(&h, LTCP_FIN | LTCP_ACK, h.irs + 1, h.iss + 2, NULL, 0);
  const h_out *o = h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  assert_int_equal(o->seg.wnd, wnd);
  h_expect_none(&h);
  ltcp_time_ns again = h.now;
  assert_int_equal(ltcp_stack_next_deadline(h.st), again + two_msl);
  h_advance_to(&h, again + two_msl - 1);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance_to(&h, again + two_msl);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.cause, LTCP_CAUSE_TIMER);
  assert_int_equal(h.last.timer, LTCP_TIMER_TIME_WAIT);
  assert_int_equal(h.last.conn_id, id);
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_TIME_WAIT), 0);
  h_free(&h);
}

/* §3.10.7.4 second (no RFC 1337): an RST at RCV.NXT ends the record at once; one in the
 * window but not exact gets a challenge ACK (RFC 5961 §3). */
static void test_record_rst_challenge_then_exact_rst_closes(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  tw_goto_orphan_time_wait(&h);
  h_send(&h, LTCP_RST, h.irs + 100, 0, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_send(&h, LTCP_RST, h.irs + 2, 0, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.cause, LTCP_CAUSE_SEGMENT);
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  h_free(&h);
}

/* RFC 5961 §4 through the record: a SYN with no listener to reopen gets a challenge ACK. */
static void test_record_syn_gets_challenge_ack(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  tw_goto_orphan_time_wait(&h);
  uint64_t before = tw_stats(&h)->challenge_acks;
  h_send(&h, LTCP_SYN, h.irs + 5000, 0, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  h_expect_none(&h);
  assert_int_equal(tw_stats(&h)->challenge_acks, before + 1);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_free(&h);
}

/* RFC 5961 §7 through the record: the count of ACKs answering segments without text (the
 * ACK-war bound, input.c) lives in the record between segments, so a stream of out-of-window
 * ACKs gets at most cfg.challenge_ack_limit answers in an interval, then more in the next
 * (swarm seed 418231: a TIME-WAIT record and a half-open connection on its tuple answered
 * each other's ACKs, and each duplicated packet added a loop). */
static void test_record_answers_out_of_window_acks_at_most_the_limit(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  tw_goto_orphan_time_wait(&h);
  unsigned answered = 0, sent = 3u * h.cfg.challenge_ack_limit;
  for (unsigned i = 0; i < sent; i++) {
    h_send(&h, LTCP_ACK, h.irs + 200000 + i, h.iss + 2, NULL, 0);
    while (h_next(&h)) answered++;
  }
  assert_int_equal(answered, h.cfg.challenge_ack_limit);
  assert_int_equal(tw_stats(&h)->drops[LTCP_DROP_TCP_CHALLENGE_LIMITED], sent - answered);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance_to(&h, h.now + h.cfg.challenge_ack_interval_ns);
  h_send(&h, LTCP_ACK, h.irs + 300000, h.iss + 2, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  h_free(&h);
}

/* The 4-tuple stays taken: connect() from the same port to the same peer is refused. */
static void test_connect_to_a_record_4tuple_is_refused(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  tw_goto_orphan_time_wait(&h);
  int fd = ltcp_socket(h.st);
  assert_true(fd >= 0);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_SO_REUSEADDR, 1), 0);
  ltcp_endpoint local = h_local_endpoint(&h), remote = h_remote_endpoint(&h);
  assert_int_equal(ltcp_bind(h.st, fd, &local), 0);
  assert_int_equal(ltcp_connect(h.st, fd, &remote), -1);
  assert_int_equal(errno, EADDRINUSE);
  h_free(&h);
}

/* Many records: each ends exactly 2 MSL after its own FIN, in order, and the table empties. */
static void test_records_expire_in_order_each_after_2msl(void **state) {
  (void)state;
  enum { N = 8 };
  h_harness h;
  h_init(&h, NULL);
  h_listen(&h);
  ltcp_time_ns entered[N];
  for (uint32_t i = 0; i < N; i++) {
    uint16_t rport = (uint16_t)(41000 + i);
    uint32_t irs = 1000000u * (i + 1);
    h_seg syn = {.flags = LTCP_SYN, .seq = irs, .wnd = H_WND, .mss = H_MSS, .src_port = rport};
    h_send_seg(&h, &syn);
    assert_int_equal(h_next(&h), 1);
    assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
    assert_int_equal(h.out.seg.ack, irs + 1);
    uint32_t iss = h.out.seg.seq;
    h_seg ack = {.flags = LTCP_ACK, .seq = irs + 1, .ack = iss + 1, .wnd = H_WND, .src_port = rport};
    h_send_seg(&h, &ack);
    int fd = ltcp_accept(h.st, h.lfd, NULL);
    assert_true(fd >= 0);
    assert_int_equal(ltcp_close(h.st, fd), 0);
    h_expect(&h, LTCP_FIN | LTCP_ACK, iss + 1, irs + 1);
    h_seg fin = {.flags = LTCP_FIN | LTCP_ACK, .seq = irs + 1, .ack = iss + 2, .wnd = H_WND,
                 .src_port = rport};
    h_send_seg(&h, &fin);
    h_expect(&h, LTCP_ACK, iss + 2, irs + 2);
    entered[i] = h.now;
    h_advance(&h, LTCP_MS(10));
  }
  h_expect_none(&h);
  assert_int_equal(tw_stats(&h)->time_wait_compact, N);
  for (uint32_t i = 0; i < N; i++) {
    assert_int_equal(ltcp_stack_next_deadline(h.st), entered[i] + 2 * h.cfg.msl_ns);
    h_advance_to(&h, entered[i] + 2 * h.cfg.msl_ns - 1);
    assert_int_equal(ltcp_stack_count_state(h.st, LTCP_TIME_WAIT), N - i);
    h_advance_to(&h, entered[i] + 2 * h.cfg.msl_ns);
    assert_int_equal(ltcp_stack_count_state(h.st, LTCP_TIME_WAIT), N - i - 1);
  }
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  h_expect_none(&h);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_time_wait_record_is_64_bytes),
      cmocka_unit_test_teardown(test_orphan_time_wait_becomes_a_record, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_with_open_socket_keeps_its_tcb_until_close, h_teardown),
      cmocka_unit_test_teardown(test_record_acks_retransmitted_fin_and_restarts_2msl, h_teardown),
      cmocka_unit_test_teardown(test_record_rst_challenge_then_exact_rst_closes, h_teardown),
      cmocka_unit_test_teardown(test_record_syn_gets_challenge_ack, h_teardown),
      cmocka_unit_test_teardown(test_record_answers_out_of_window_acks_at_most_the_limit, h_teardown),
      cmocka_unit_test_teardown(test_connect_to_a_record_4tuple_is_refused, h_teardown),
      cmocka_unit_test_teardown(test_records_expire_in_order_each_after_2msl, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
