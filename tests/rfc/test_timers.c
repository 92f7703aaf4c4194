/* RFC 9293 §3.10.8 timeouts and §3.6 TIME-WAIT: retransmission with exponential back-off and
 * Karn's algorithm (RFC 6298), the SYN retry limit, TIME-WAIT for exactly 2 MSL and its
 * restart, RFC 1337, TIME-WAIT reopened by a new SYN, and SYN-RECEIVED reset to LISTEN.
 * Each test drives one stack through the harness and checks the exact segments and times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support/harness.h"

static const uint8_t data10[10] = "0123456789";

static ltcp_tcp_info status(h_harness *h) {
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h->st, h->fd, &info), 0);
  return info;
}

/* The RTO the harness's handshake leaves: one 100 ms sample gives SRTT 100 ms, RTTVAR 50 ms,
 * RTO = SRTT + 4*RTTVAR = 300 ms (RFC 6298 §2.2). */
#define RTO_AFTER_HANDSHAKE LTCP_MS(300)

/* RFC 6298 §5.4-5.6 (MUST-19): the earliest unacknowledged segment is sent again after RTO,
 * then after 2*RTO, 4*RTO, ... never earlier. */
static void test_established_rto_expiry_retransmits_with_exponential_backoff(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(status(&h).rto_ns, RTO_AFTER_HANDSHAKE);
  assert_int_equal(ltcp_send(h.st, h.fd, data10, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  h_expect_none(&h);
  ltcp_time_ns wait = RTO_AFTER_HANDSHAKE;
  for (int i = 0; i < 5; i++) {
    h_advance(&h, wait - 1);
    h_expect_none(&h);
    h_advance(&h, 1);
    const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
    assert_memory_equal(o->data, data10, 10);
    h_expect_none(&h);
    assert_int_equal(status(&h).retransmits, (uint32_t)i + 1);
    wait *= 2;
  }
  assert_int_equal(ltcp_stack_stats(h.st)->retransmits, 5);
  /* The ACK ends the retransmissions. */
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 11, NULL, 0);
  h_expect_none(&h);
  h_advance(&h, LTCP_SEC(120));
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_free(&h);
}

/* RFC 6298 §3 and §5.5, Karn's algorithm (MUST-18): an ACK for a retransmitted segment gives no
 * RTT sample, and the backed-off RTO stays for the next segment until a valid sample; that
 * sample then sets RTO by §2.3 again ("collapsing" it). */
static void test_established_ack_of_retransmission_gives_no_rtt_sample(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  ltcp_tcp_info before = status(&h);
  assert_int_equal(ltcp_send(h.st, h.fd, data10, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  h_advance(&h, RTO_AFTER_HANDSHAKE);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  h_advance(&h, 2 * RTO_AFTER_HANDSHAKE);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  /* Acknowledged 5 ms after the second retransmission: which copy is answered is unknown. */
  h_advance(&h, LTCP_MS(5));
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 11, NULL, 0);
  h_expect_none(&h);
  ltcp_tcp_info after = status(&h);
  assert_int_equal(after.srtt_ns, before.srtt_ns);
  assert_int_equal(after.rttvar_ns, before.rttvar_ns);
  /* The next segment is timed with the backed-off RTO (4 * 300 ms). */
  assert_int_equal(ltcp_send(h.st, h.fd, data10, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 11, h.irs + 1, 10);
  h_advance(&h, 4 * RTO_AFTER_HANDSHAKE - 1);
  h_expect_none(&h);
  h_advance(&h, 1);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 11, h.irs + 1, 10);
  h_advance(&h, LTCP_MS(40));
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 21, NULL, 0);
  assert_int_equal(status(&h).srtt_ns, before.srtt_ns); /* still no sample */
  /* A segment sent once and acknowledged after 100 ms is a valid sample (§2.3). */
  assert_int_equal(ltcp_send(h.st, h.fd, data10, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 21, h.irs + 1, 10);
  h_advance(&h, LTCP_MS(100));
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 31, NULL, 0);
  ltcp_tcp_info sampled = status(&h);
  assert_int_equal(sampled.srtt_ns, LTCP_MS(100));           /* 7/8*100 + 1/8*100 */
  assert_int_equal(sampled.rttvar_ns, LTCP_US(37500));       /* 3/4*50 + 1/4*0 */
  assert_int_equal(sampled.rto_ns, LTCP_MS(250));            /* 100 + 4*37.5 */
  h_expect_none(&h);
  h_free(&h);
}

/* RFC 6298 §5.7: when the SYN timed out, data transmission starts with RTO = 3 s. */
static void test_syn_sent_syn_timeout_sets_rto_3s_for_data(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_connect(&h);
  h_advance(&h, LTCP_SEC(1));
  h_expect(&h, LTCP_SYN, h.iss, 0);
  h_advance(&h, LTCP_MS(100));
  h_seg sa = {.flags = LTCP_SYN | LTCP_ACK, .seq = h.irs, .ack = h.iss + 1, .wnd = H_WND, .mss = H_MSS};
  h_send_seg(&h, &sa);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 1);
  assert_int_equal(status(&h).srtt_ns, 0); /* Karn: the SYN was sent twice, no sample */
  assert_int_equal(status(&h).rto_ns, LTCP_SEC(3));
  assert_int_equal(ltcp_send(h.st, h.fd, data10, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  h_advance(&h, LTCP_SEC(3) - 1);
  h_expect_none(&h);
  h_advance(&h, 1);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  h_free(&h);
}

/* RFC 6298 §5.7, passive side: a SYN,ACK sent twice, then the ACK: RTO = 3 s. */
static void test_syn_received_synack_timeout_sets_rto_3s(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_SYN_RECEIVED, H_PASSIVE);
  h_advance(&h, LTCP_SEC(1));
  h_expect(&h, LTCP_SYN | LTCP_ACK, h.iss, h.irs + 1);
  h_advance(&h, LTCP_MS(100));
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0);
  h_expect_none(&h);
  h.fd = ltcp_accept(h.st, h.lfd, NULL);
  assert_true(h.fd >= 0);
  assert_int_equal(status(&h).srtt_ns, 0);
  assert_int_equal(status(&h).rto_ns, LTCP_SEC(3));
  h_free(&h);
}

/* §3.8.3 (MUST-20, MUST-22, MUST-23): the SYN is retransmitted with back-off (RFC 6298 §5.5,
 * bounded by rto_max) syn_retries times, for at least 3 minutes; then the connection is
 * closed and the user told ETIMEDOUT. No RST is sent. */
static void test_syn_sent_syn_retries_exhausted_gives_etimedout(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_connect(&h);
  const ltcp_stack_config *cfg = &h.cfg;
  ltcp_time_ns t0 = h.now, rto = cfg->rto_initial_ns;
  for (uint32_t i = 0; i < cfg->syn_retries; i++) {
    h_advance(&h, rto - 1);
    h_expect_none(&h);
    h_advance(&h, 1);
    const h_out *o = h_expect(&h, LTCP_SYN, h.iss, 0);
    assert_int_equal(o->seg.opts.mss, 1460); /* MUST-14: every SYN carries the MSS */
    h_expect_none(&h);
    assert_int_equal(h_state(&h), LTCP_SYN_SENT);
    rto = rto * 2 > cfg->rto_max_ns ? cfg->rto_max_ns : rto * 2;
  }
  assert_true(h.now - t0 >= LTCP_SEC(180)); /* MUST-23: at least 3 minutes of SYNs */
  h_advance(&h, rto - 1);
  assert_int_equal(h_state(&h), LTCP_SYN_SENT);
  h_advance(&h, 1);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.cause, LTCP_CAUSE_TIMER);
  assert_int_equal(h.last.timer, LTCP_TIMER_USER_TIMEOUT);
  assert_int_equal(h.last.error, ETIMEDOUT);
  assert_int_equal(ltcp_socket_error(h.st, h.fd), ETIMEDOUT);
  assert_int_equal(ltcp_stack_stats(h.st)->timeouts, 1);
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  h_free(&h);
}

/* §3.10.8 retransmission: the SYN,ACK of a passive open is resent like a SYN; when the retries
 * run out the half-open child goes away quietly (no RST, the listener carries on). */
static void test_syn_received_synack_retries_exhausted_child_removed(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.synack_retries = 2;
  h_harness h;
  h_init(&h, &cfg);
  h_goto(&h, LTCP_SYN_RECEIVED, H_PASSIVE);
  h_advance(&h, LTCP_SEC(1) - 1);
  h_expect_none(&h);
  h_advance(&h, 1);
  h_expect(&h, LTCP_SYN | LTCP_ACK, h.iss, h.irs + 1);
  h_advance(&h, LTCP_SEC(2));
  h_expect(&h, LTCP_SYN | LTCP_ACK, h.iss, h.irs + 1);
  h_advance(&h, LTCP_SEC(4) - 1);
  assert_int_equal(h_state(&h), LTCP_SYN_RECEIVED);
  h_advance(&h, 1);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.cause, LTCP_CAUSE_TIMER);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_LISTEN), 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 0);
  h_free(&h);
}

/* RFC 4987 §3.1: by default a half-open child resends its SYN,ACK 5 times (Linux's
 * tcp_synack_retries), 1+2+4+8+16+32 = 63 s, not the 8 of an active open's SYN (MUST-23): a
 * spoofed SYN holds a listener's slot about a minute, not four. */
static void test_syn_received_default_synack_retries(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_SYN_RECEIVED, H_PASSIVE);
  for (uint32_t i = 0; i < 5; i++) {
    h_advance(&h, LTCP_SEC(1) << i);
    h_expect(&h, LTCP_SYN | LTCP_ACK, h.iss, h.irs + 1);
  }
  h_advance(&h, LTCP_SEC(32) - 1);
  assert_int_equal(h_state(&h), LTCP_SYN_RECEIVED);
  h_advance(&h, 1);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_LISTEN), 1);
  h_free(&h);
}

/* §3.6 (MUST-13), §3.10.8 TIME-WAIT TIMEOUT: the connection stays in TIME-WAIT for exactly
 * 2 MSL, then is deleted (CLOSED) without sending anything. */
static void test_time_wait_lasts_exactly_2msl(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_TIME_WAIT, H_ACTIVE);
  ltcp_time_ns entered = h.now, two_msl = 2 * h.cfg.msl_ns;
  assert_int_equal(ltcp_stack_next_deadline(h.st), entered + two_msl);
  h_advance_to(&h, entered + two_msl - 1);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance_to(&h, entered + two_msl);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.cause, LTCP_CAUSE_TIMER);
  assert_int_equal(h.last.timer, LTCP_TIMER_TIME_WAIT);
  assert_int_equal(h.last.error, 0);
  uint8_t buf[8];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 0); /* end of stream, no error */
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  h_free(&h);
}

/* The same for an orphan: close() in FIN-WAIT-2, the peer's FIN, then 2 MSL. */
static void test_time_wait_orphan_lasts_exactly_2msl(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_FIN_WAIT_2, H_ACTIVE);
  assert_int_equal(ltcp_close(h.st, h.fd), 0);
  h.fd = -1;
  h_advance(&h, LTCP_SEC(1));
  h_send(&h, LTCP_FIN | LTCP_ACK, h.irs + 1, h.iss + 2, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  ltcp_time_ns entered = h.now;
  h_advance_to(&h, entered + 2 * h.cfg.msl_ns - 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_TIME_WAIT), 1);
  h_advance_to(&h, entered + 2 * h.cfg.msl_ns);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(ltcp_stack_connection_count(h.st), 0);
  h_free(&h);
}

/* §3.10.7.4 fifth and eighth, TIME-WAIT: a retransmitted FIN is acknowledged and the 2 MSL
 * timeout restarts from its arrival. */
static void test_time_wait_retransmitted_fin_restarts_2msl(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_TIME_WAIT, H_ACTIVE);
  ltcp_time_ns entered = h.now, two_msl = 2 * h.cfg.msl_ns;
  h_advance_to(&h, entered + two_msl / 2);
  h_send(&h, LTCP_FIN | LTCP_ACK, h.irs + 1, h.iss + 2, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  h_expect_none(&h);
  ltcp_time_ns again = h.now;
  h_advance_to(&h, entered + two_msl);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance_to(&h, again + two_msl - 1);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance_to(&h, again + two_msl);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.timer, LTCP_TIMER_TIME_WAIT);
  h_expect_none(&h);
  h_free(&h);
}

/* RFC 1337 TW-1 (config rfc1337 = 1): an RST does not end TIME-WAIT; it is dropped, and the
 * connection still ends after 2 MSL. */
static void test_time_wait_rst_ignored_with_rfc1337(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.rfc1337 = 1;
  h_harness h;
  h_init(&h, &cfg);
  h_goto(&h, LTCP_TIME_WAIT, H_ACTIVE);
  ltcp_time_ns entered = h.now;
  h_advance(&h, LTCP_SEC(1));
  h_send(&h, LTCP_RST, h.irs + 2, 0, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_TCP_TIME_WAIT_RST], 1);
  h_advance_to(&h, entered + 2 * cfg.msl_ns - 1);
  assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
  h_advance_to(&h, entered + 2 * cfg.msl_ns);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  h_free(&h);
}

/* Without the option, §3.10.7.4 second: an RST at RCV.NXT ends TIME-WAIT at once. */
static void test_time_wait_rst_ends_it_without_rfc1337(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_TIME_WAIT, H_ACTIVE);
  h_send(&h, LTCP_RST, h.irs + 2, 0, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.cause, LTCP_CAUSE_SEGMENT);
  assert_int_equal(h.last.error, 0);
  h_free(&h);
}

/* Our side closes first on a passive connection, so the TIME-WAIT sits beside a listener. */
static void goto_passive_time_wait(h_harness *h) {
  h_goto(h, LTCP_ESTABLISHED, H_PASSIVE);
  assert_int_equal(ltcp_close(h->st, h->fd), 0);
  h->fd = -1;
  h_expect(h, LTCP_FIN | LTCP_ACK, h->iss + 1, h->irs + 1);
  h_send(h, LTCP_ACK, h->irs + 1, h->iss + 2, NULL, 0);
  h_send(h, LTCP_FIN | LTCP_ACK, h->irs + 1, h->iss + 2, NULL, 0);
  h_expect(h, LTCP_ACK, h->iss + 2, h->irs + 2);
  h_expect_none(h);
  assert_int_equal(h_state(h), LTCP_TIME_WAIT);
}

/* §3.6 (MAY-2): a SYN whose sequence number is above RCV.NXT of the TIME-WAIT connection
 * reopens it: the old one is closed, a new child answers SYN,ACK with an ISS above the old
 * SND.NXT (old SND.NXT + 65537, as Linux), and the handshake completes. */
static void test_time_wait_new_syn_above_rcv_nxt_reopens(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  goto_passive_time_wait(&h);
  uint32_t old_snd_nxt = h.iss + 2, irs2 = h.irs + 100000;
  h_advance(&h, LTCP_SEC(1));
  h_log_clear(&h);
  h_seg syn = {.flags = LTCP_SYN, .seq = irs2, .wnd = H_WND, .mss = H_MSS};
  h_send_seg(&h, &syn);
  const h_out *o = h_expect(&h, LTCP_SYN | LTCP_ACK, old_snd_nxt + 65537, irs2 + 1);
  assert_true(o->seg.opts.mss != 0);
  h_expect_none(&h);
  const ltcp_event *closed = h_log_find(&h, LTCP_TIME_WAIT, LTCP_CLOSED);
  assert_non_null(closed);
  assert_int_equal(closed->cause, LTCP_CAUSE_SEGMENT);
  assert_non_null(h_log_find(&h, LTCP_LISTEN, LTCP_SYN_RECEIVED));
  assert_int_equal(ltcp_stack_stats(h.st)->time_wait_reuse, 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_TIME_WAIT), 0);
  h_send(&h, LTCP_ACK, irs2 + 1, old_snd_nxt + 65538, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_ESTABLISHED), 1);
  int fd = ltcp_accept(h.st, h.lfd, NULL);
  assert_true(fd >= 0);
  h_free(&h);
}

/* A SYN at or below RCV.NXT does not reopen TIME-WAIT: old duplicate (§3.10.7.4 first, an
 * ACK) or in-window SYN (§3.10.7.4 fourth, RFC 5961 §4 challenge ACK). */
static void test_time_wait_old_syn_does_not_reopen(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  goto_passive_time_wait(&h);
  h_send(&h, LTCP_SYN, h.irs + 1, 0, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  h_send(&h, LTCP_SYN, h.irs + 2, 0, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_TIME_WAIT), 1);
  assert_int_equal(ltcp_stack_stats(h.st)->time_wait_reuse, 0);
  h_free(&h);
}

/* §3.10.7.4 second, SYN-RECEIVED from a passive OPEN: an RST returns the connection to LISTEN;
 * the listener then takes a new SYN (its backlog slot is free again) and the new connection
 * is accepted. */
static void test_syn_received_rst_returns_to_listen_and_new_syn_is_accepted(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_SYN_RECEIVED, H_PASSIVE);
  assert_int_equal(ltcp_listen(h.st, h.lfd, 1), 0); /* backlog 1: the child holds the slot */
  h_send(&h, LTCP_RST, h.irs + 1, 0, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_LISTEN);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 0);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_LISTEN), 1);
  errno = 0;
  assert_int_equal(ltcp_accept(h.st, h.lfd, NULL), -1);
  assert_int_equal(errno, EAGAIN);
  /* A new SYN from the same port, a new ISN. */
  h_track_next(&h);
  h.irs += 5000;
  h_seg syn = {.flags = LTCP_SYN, .seq = h.irs, .wnd = H_WND, .mss = H_MSS};
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h.out.seg.ack, h.irs + 1);
  h.iss = h.out.seg.seq;
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_SYN_RECEIVED);
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  ltcp_endpoint peer;
  int fd = ltcp_accept(h.st, h.lfd, &peer);
  assert_true(fd >= 0);
  assert_int_equal(peer.addr, H_REMOTE);
  assert_int_equal(peer.port, H_RPORT);
  h_free(&h);
}

/* FIN-WAIT-2 held by a socket waits for the peer's FIN indefinitely (half-close, MAY-1); an
 * orphan gives up after fin_wait_2_timeout_ns (Linux's tcp_fin_timeout). */
static void test_fin_wait_2_orphan_times_out(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_FIN_WAIT_2, H_ACTIVE);
  h_advance(&h, LTCP_SEC(3600));
  assert_int_equal(h_state(&h), LTCP_FIN_WAIT_2);
  assert_int_equal(ltcp_close(h.st, h.fd), 0);
  h.fd = -1;
  ltcp_time_ns closed_at = h.now;
  h_advance_to(&h, closed_at + h.cfg.fin_wait_2_timeout_ns - 1);
  assert_int_equal(h_state(&h), LTCP_FIN_WAIT_2);
  h_advance_to(&h, closed_at + h.cfg.fin_wait_2_timeout_ns);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.timer, LTCP_TIMER_FIN_WAIT_2);
  h_expect_none(&h);
  h_free(&h);
}

/* §3.10.8 USER TIMEOUT: with data unacknowledged for longer than the user timeout the
 * connection is aborted and the user told ETIMEDOUT. */
static void test_established_user_timeout_aborts(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_setsockopt(h.st, h.fd, LTCP_TCP_USER_TIMEOUT, 2000), 0);
  assert_int_equal(ltcp_send(h.st, h.fd, data10, 10, 0), 10);
  ltcp_time_ns sent = h.now;
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 10);
  while (h.now < sent + LTCP_SEC(2) - 1) {
    ltcp_time_ns next = ltcp_stack_next_deadline(h.st);
    h_advance_to(&h, next < sent + LTCP_SEC(2) - 1 ? next : sent + LTCP_SEC(2) - 1);
    while (h_next(&h)) assert_int_equal(h.out.seg.seq, h.iss + 1); /* retransmissions */
  }
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED);
  h_advance_to(&h, sent + LTCP_SEC(2));
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(h.last.timer, LTCP_TIMER_USER_TIMEOUT);
  assert_int_equal(h.last.error, ETIMEDOUT);
  uint8_t buf[4];
  errno = 0;
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), -1);
  assert_int_equal(errno, ETIMEDOUT);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_established_rto_expiry_retransmits_with_exponential_backoff, h_teardown),
      cmocka_unit_test_teardown(test_established_ack_of_retransmission_gives_no_rtt_sample, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_syn_timeout_sets_rto_3s_for_data, h_teardown),
      cmocka_unit_test_teardown(test_syn_received_synack_timeout_sets_rto_3s, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_syn_retries_exhausted_gives_etimedout, h_teardown),
      cmocka_unit_test_teardown(test_syn_received_default_synack_retries, h_teardown),
      cmocka_unit_test_teardown(test_syn_received_synack_retries_exhausted_child_removed, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_lasts_exactly_2msl, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_orphan_lasts_exactly_2msl, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_retransmitted_fin_restarts_2msl, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_rst_ignored_with_rfc1337, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_rst_ends_it_without_rfc1337, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_new_syn_above_rcv_nxt_reopens, h_teardown),
      cmocka_unit_test_teardown(test_time_wait_old_syn_does_not_reopen, h_teardown),
      cmocka_unit_test_teardown(test_syn_received_rst_returns_to_listen_and_new_syn_is_accepted, h_teardown),
      cmocka_unit_test_teardown(test_fin_wait_2_orphan_times_out, h_teardown),
      cmocka_unit_test_teardown(test_established_user_timeout_aborts, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
