/* RFC 4987 (SYN flooding): half-open connections are held to cfg.max_half_open, counted apart
 * from the connection table; a SYN finding no half-open slot gets a SYN cookie (§3.6,
 * cfg.syn_cookies 1, Linux's tcp_syncookies), or with cookies off ends the oldest half-open
 * connection whose SYN,ACK went twice (§3.4), else is dropped; each path counted. One stack
 * through the harness, spoofed SYNs from many ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>

#include "support/harness.h"

#define FLOOD_PORT 20000u

static const ltcp_stats *fl_stats(const h_harness *h) { return ltcp_stack_stats(h->st); }

/* A listener on port with a large backlog (the harness's own has 8). */
static int flood_listen(h_harness *h, uint16_t port, int backlog) {
  int fd = ltcp_socket(h->st);
  assert_true(fd >= 0);
  ltcp_endpoint ep = {H_LOCAL, port};
  assert_int_equal(ltcp_bind(h->st, fd, &ep), 0);
  assert_int_equal(ltcp_listen(h->st, fd, backlog), 0);
  return fd;
}

/* n SYNs from ports first.., each answered with a SYN,ACK or not; returns how many were. */
static uint32_t flood(h_harness *h, uint16_t first, uint32_t n) {
  uint32_t answered = 0;
  for (uint32_t i = 0; i < n; i++) {
    h->rport = (uint16_t)(first + i);
    h_send(h, LTCP_SYN, H_IRS, 0, NULL, 0);
    if (h_next(h)) {
      assert_int_equal(h->out.seg.flags, LTCP_SYN | LTCP_ACK);
      answered++;
    }
  }
  h_expect_none(h);
  return answered;
}

/* A config whose half-open limit is small; cookies as given. */
static void fl_config(ltcp_stack_config *cfg, uint32_t max_half_open, uint8_t cookies) {
  h_config(cfg);
  cfg->max_connections = 16;
  cfg->max_half_open = max_half_open;
  cfg->syn_cookies = cookies;
  cfg->half_open_whole = 0; /* every half-open connection a 64-byte record at once */
}

/* The SYN of a full client: MSS, window scale 7, SACK-permitted, timestamps (when ts). */
static h_seg fl_syn(uint16_t rport, uint16_t mss, int ts) {
  h_seg syn = {.flags = LTCP_SYN, .seq = H_IRS, .wnd = H_WND, .mss = mss, .src_port = rport,
               .has_wscale = 1, .wscale = 7, .has_ts = (uint8_t)ts, .ts_val = 1000,
               .sack_permitted = 1};
  return syn;
}

/* The client's ACK of the SYN,ACK in h->out (its cookie), window wnd (scaled by the client's
 * shift when agreed), echoing the SYN,ACK's TSval when it carried one. */
static void fl_ack(h_harness *h, uint16_t rport, uint16_t wnd) {
  h_seg ack = {.flags = LTCP_ACK, .seq = H_IRS + 1, .ack = h->out.seg.seq + 1, .wnd = wnd,
               .src_port = rport};
  if (h->out.seg.opts.has_timestamps) {
    ack.has_ts = 1;
    ack.ts_val = 1001;
    ack.ts_ecr = h->out.seg.opts.ts_val;
  }
  h_send_seg(h, &ack);
}

/* Takes the next connection from the listener h->lfd and returns its tcp_info. */
static ltcp_tcp_info fl_accept(h_harness *h) {
  ltcp_endpoint peer;
  int fd = ltcp_accept(h->st, h->lfd, &peer);
  assert_true(fd >= 0);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h->st, fd, &info), 0);
  assert_int_equal(info.state, LTCP_ESTABLISHED);
  return info;
}

/* max_half_open is taken by one child, so the next SYN gets a cookie. */
static void fl_fill_one(h_harness *h) {
  h_listen(h);
  assert_int_equal(flood(h, FLOOD_PORT, 1), 1);
  assert_int_equal(fl_stats(h)->syn_cookies_sent, 0);
}

/* §3.6, Linux's cookie_init_timestamp: with timestamps the cookie SYN,ACK keeps no state, and
 * our TSval's low bits carry the window scale and SACK-permitted, so the connection the ACK
 * makes has the MSS (from the cookie's table), window scale, SACK and timestamps of the SYN.
 * Its events say LISTEN -> SYN-RECEIVED (the cookie) -> ESTABLISHED. */
static void test_cookie_round_trip_with_timestamps_restores_options(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 1, 1);
  h_harness h;
  h_init(&h, &cfg);
  fl_fill_one(&h);
  h_log_clear(&h);
  h_seg syn = fl_syn(H_RPORT, 1460, 1);
  syn.seq = H_IRS;
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h.out.seg.ack, H_IRS + 1);
  assert_true(h.out.seg.opts.has_wscale && h.out.seg.opts.sack_permitted);
  assert_true(h.out.seg.opts.has_timestamps);
  assert_int_equal(h.out.seg.opts.ts_val & 0x3f, 0x20 | 0x10 | 7); /* marker, SACK, wscale 7 */
  assert_int_equal(h.out.seg.opts.ts_ecr, 1000);
  h_expect_none(&h);
  assert_int_equal(fl_stats(&h)->syn_cookies_sent, 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 1); /* nothing kept */
  fl_ack(&h, H_RPORT, 1000);
  h_expect_none(&h);
  assert_int_equal(fl_stats(&h)->syn_cookies_ok, 1);
  h_events(&h);
  const ltcp_event *made = h_log_find(&h, LTCP_LISTEN, LTCP_SYN_RECEIVED);
  assert_non_null(made);
  assert_int_equal(made->cause, LTCP_CAUSE_SYNCOOKIE);
  assert_int_equal(made->seg.flags, LTCP_ACK);
  const ltcp_event *est = h_log_find(&h, LTCP_SYN_RECEIVED, LTCP_ESTABLISHED);
  assert_non_null(est);
  assert_int_equal(est->conn_id, made->conn_id);
  ltcp_tcp_info info = fl_accept(&h);
  assert_int_equal(info.snd_mss, 1460 - 12);
  assert_true(info.wscale_ok && info.timestamps_ok && info.sack_ok);
  assert_int_equal(info.snd_wscale, 7);
  assert_int_equal(info.snd_wnd, 1000u << 7);
  assert_int_equal(info.irs, H_IRS);
  h_free(&h);
}

/* Without timestamps nothing brings the options back: the cookie SYN,ACK offers neither window
 * scaling nor SACK (as Linux), and the connection has the cookie's MSS only. */
static void test_cookie_round_trip_without_timestamps_has_mss_only(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 1, 1);
  h_harness h;
  h_init(&h, &cfg);
  fl_fill_one(&h);
  h_seg syn = fl_syn(H_RPORT, 1300, 0);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_false(h.out.seg.opts.has_wscale);
  assert_false(h.out.seg.opts.sack_permitted);
  assert_false(h.out.seg.opts.has_timestamps);
  fl_ack(&h, H_RPORT, 5000);
  h_expect_none(&h);
  ltcp_tcp_info info = fl_accept(&h);
  assert_int_equal(info.snd_mss, 1300);
  assert_false(info.wscale_ok || info.timestamps_ok || info.sack_ok);
  assert_int_equal(info.snd_wnd, 5000);
  h_free(&h);
}

/* The cookie's MSS is the largest entry of its table at most the SYN's: 1000 gives 536. */
static void test_cookie_mss_rounds_down_to_its_table(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 1, 1);
  h_harness h;
  h_init(&h, &cfg);
  fl_fill_one(&h);
  h_seg syn = fl_syn(H_RPORT, 1000, 1);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  fl_ack(&h, H_RPORT, 1000);
  ltcp_tcp_info info = fl_accept(&h);
  assert_int_equal(info.snd_mss, 536 - 12);
  h_free(&h);
}

/* A cookie lasts the counter it was made in and the next (64 s each): still good after 100 s,
 * rejected with a reset (RFC 9293 §3.10.7.2 second) and counted after two whole periods. */
static void test_cookie_expires_after_two_periods(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 4, 2);
  h_harness h;
  h_init(&h, &cfg);
  h_listen(&h);
  h_seg syn = fl_syn(H_RPORT, 1460, 1);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  h_out late = h.out;
  h_advance(&h, LTCP_SEC(100));
  fl_ack(&h, H_RPORT, 1000);
  h_expect_none(&h);
  assert_int_equal(fl_stats(&h)->syn_cookies_ok, 1);
  /* The same SYN,ACK from another port's SYN, ACKed after 2 periods. */
  h_advance_to(&h, LTCP_SEC(64) - 1);
  syn.src_port = H_RPORT + 1;
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  late = h.out;
  h_advance_to(&h, LTCP_SEC(3 * 64));
  h.out = late;
  fl_ack(&h, H_RPORT + 1, 1000);
  h_expect(&h, LTCP_RST, late.seg.seq + 1, 0);
  h_expect_none(&h);
  assert_int_equal(fl_stats(&h)->syn_cookies_failed, 1);
  assert_int_equal(fl_stats(&h)->syn_cookies_ok, 1);
  h_free(&h);
}

/* An ACK whose cookie is forged (one bit off, or a wrong peer ISN) is reset and counted. */
static void test_forged_cookie_is_reset_and_counted(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 4, 2);
  h_harness h;
  h_init(&h, &cfg);
  h_listen(&h);
  h_seg syn = fl_syn(H_RPORT, 1460, 0);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  uint32_t cookie = h.out.seg.seq;
  h_send(&h, LTCP_ACK, H_IRS + 1, cookie + 1 + (1u << 20), NULL, 0);
  h_expect(&h, LTCP_RST, cookie + 1 + (1u << 20), 0);
  h_send(&h, LTCP_ACK, H_IRS + 2, cookie + 1, NULL, 0); /* not the ISN the cookie was for */
  h_expect(&h, LTCP_RST, cookie + 1, 0);
  h.rport = H_RPORT + 1; /* another 4-tuple */
  h_send(&h, LTCP_ACK, H_IRS + 1, cookie + 1, NULL, 0);
  h_expect(&h, LTCP_RST, cookie + 1, 0);
  h_expect_none(&h);
  assert_int_equal(fl_stats(&h)->syn_cookies_failed, 3);
  assert_int_equal(fl_stats(&h)->syn_cookies_ok, 0);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_ESTABLISHED), 0);
  h_free(&h);
}

/* A flood fills the half-open limit; every SYN after it is still answered, with a cookie, and a
 * legitimate client among them connects and is accepted. No state grows with the flood. */
static void test_flood_fills_queue_then_legitimate_client_connects_via_cookie(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 8, 1);
  h_harness h;
  h_init(&h, &cfg);
  h.lfd = flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, FLOOD_PORT, 200), 200);
  assert_int_equal(fl_stats(&h)->syn_cookies_sent, 192);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 8);
  h_seg syn = fl_syn(H_RPORT, 1460, 1);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  fl_ack(&h, H_RPORT, 1000);
  h_expect_none(&h);
  fl_accept(&h);
  assert_int_equal(fl_stats(&h)->syn_cookies_ok, 1);
  assert_int_equal(fl_stats(&h)->half_open_full, 0);
  h_free(&h);
}

/* A listener's own backlog full (not the stack's limit) sends cookies too, as Linux. */
static void test_full_backlog_sends_cookies(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 0, 1);
  h_harness h;
  h_init(&h, &cfg);
  h.lfd = flood_listen(&h, H_LPORT, 2);
  assert_int_equal(flood(&h, FLOOD_PORT, 5), 5);
  assert_int_equal(fl_stats(&h)->syn_cookies_sent, 3);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 2);
  h_free(&h);
}

/* cfg.syn_cookies 2: every SYN gets a cookie, none a half-open connection. */
static void test_mode_2_answers_every_syn_with_a_cookie(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 0, 2);
  h_harness h;
  h_init(&h, &cfg);
  h_listen(&h);
  assert_int_equal(flood(&h, FLOOD_PORT, 3), 3);
  assert_int_equal(fl_stats(&h)->syn_cookies_sent, 3);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 0);
  h_free(&h);
}

/* ltcp_stack_set_config changes the mode on a running stack; 3 is refused. */
static void test_mode_changes_on_a_running_stack(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 1, 0);
  h_harness h;
  h_init(&h, &cfg);
  fl_fill_one(&h);
  assert_int_equal(flood(&h, FLOOD_PORT + 1, 1), 0); /* mode 0: dropped */
  assert_int_equal(fl_stats(&h)->half_open_full, 1);
  cfg.syn_cookies = 1;
  assert_int_equal(ltcp_stack_set_config(h.st, &cfg), 0);
  assert_int_equal(flood(&h, FLOOD_PORT + 2, 1), 1);
  assert_int_equal(fl_stats(&h)->syn_cookies_sent, 1);
  cfg.syn_cookies = 3;
  assert_int_not_equal(ltcp_stack_set_config(h.st, &cfg), 0);
  h_free(&h);
}

/* §3.4 with cookies off: a SYN finding no slot ends the oldest half-open connection whose
 * SYN,ACK went again (SYN-RECEIVED -> CLOSED, the SYN its cause) and takes its place; while all
 * are young (one SYN,ACK each) it is dropped instead, counted. */
static void test_early_drop_with_cookies_off_takes_the_oldest(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 4, 0);
  h_harness h;
  h_init(&h, &cfg);
  h.lfd = flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, FLOOD_PORT, 4), 4);
  assert_int_equal(flood(&h, FLOOD_PORT + 4, 1), 0);
  assert_int_equal(fl_stats(&h)->half_open_full, 1);
  assert_int_equal(fl_stats(&h)->half_open_early_drops, 0);
  h_advance(&h, LTCP_MS(1500)); /* each SYN,ACK sent again once */
  for (int i = 0; i < 4; i++) assert_true(h_next(&h));
  h_expect_none(&h);
  h_log_clear(&h);
  assert_int_equal(flood(&h, FLOOD_PORT + 5, 2), 2);
  assert_int_equal(fl_stats(&h)->half_open_early_drops, 2);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 4);
  h_events(&h);
  const ltcp_event *gone = h_log_find(&h, LTCP_SYN_RECEIVED, LTCP_CLOSED);
  assert_non_null(gone);
  assert_int_equal(gone->remote.port, FLOOD_PORT); /* the oldest */
  assert_int_equal(gone->cause, LTCP_CAUSE_SEGMENT);
  assert_int_equal(gone->seg.flags, LTCP_SYN);
  h_free(&h);
}

/* The half-open limit is apart from the table: a flood that holds every half-open place leaves
 * all of max_connections to an outgoing connection and another listener's connections. */
static void test_outgoing_connect_and_other_listener_work_during_flood(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 16, 1);
  cfg.max_connections = 4;
  h_harness h;
  h_init(&h, &cfg);
  flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, FLOOD_PORT, 40), 40);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 16);
  /* An outgoing connection. */
  int fd = ltcp_socket(h.st);
  ltcp_endpoint peer = {H_REMOTE, 9};
  assert_true(ltcp_connect(h.st, fd, &peer) == 0 || errno == EINPROGRESS);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN);
  /* Another listener: its SYN gets a cookie (no half-open place) and its ACK a connection. */
  h.lfd = flood_listen(&h, H_LPORT + 1, 8);
  h.lport = H_LPORT + 1;
  h_seg syn = fl_syn(H_RPORT, 1460, 1);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN | LTCP_ACK);
  fl_ack(&h, H_RPORT, 1000);
  h_expect_none(&h);
  fl_accept(&h);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_ESTABLISHED), 1);
  h_free(&h);
}

/* A half-open child whose ACK finds the connection table full stays half-open and its ACK is
 * dropped, counted (the peer sends it again): the table's limit holds. */
static void test_handshake_ack_waits_when_the_table_is_full(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 4, 1);
  cfg.max_connections = 1;
  h_harness h;
  h_init(&h, &cfg);
  h_listen(&h);
  h_seg syn = fl_syn(H_RPORT, 1460, 0);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  uint32_t iss = h.out.seg.seq;
  int fd = ltcp_socket(h.st); /* takes the table's one place */
  ltcp_endpoint peer = {H_REMOTE, 9};
  assert_true(ltcp_connect(h.st, fd, &peer) == 0 || errno == EINPROGRESS);
  assert_true(h_next(&h));
  h_send(&h, LTCP_ACK, H_IRS + 1, iss + 1, NULL, 0);
  h_expect_none(&h);
  assert_int_equal(fl_stats(&h)->drops[LTCP_DROP_TCP_TABLE_FULL], 1);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 1);
  ltcp_close(h.st, fd); /* the place is free again: the repeated ACK completes it */
  h_send(&h, LTCP_ACK, H_IRS + 1, iss + 1, NULL, 0);
  fl_accept(&h);
  h_free(&h);
}

/* max_half_open: 0 means max_connections; any other value is its own limit, even above the
 * table's. */
static void test_half_open_limit_config(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  fl_config(&cfg, 3, 0);
  h_harness h;
  h_init(&h, &cfg);
  flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, FLOOD_PORT, 10), 3);
  h_free(&h);
  fl_config(&cfg, 0, 0);
  h_init(&h, &cfg);
  flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, FLOOD_PORT, 20), 16);
  h_free(&h);
  fl_config(&cfg, 32, 0);
  h_init(&h, &cfg);
  flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, FLOOD_PORT, 40), 32);
  assert_int_equal(fl_stats(&h)->half_open_full, 8);
  h_free(&h);
}

/* The cookie secret comes from the seed, the counter from the clock: the same seed and time
 * give the same cookie, another seed another. */
static uint32_t fl_cookie(uint64_t seed, ltcp_time_ns when) {
  ltcp_stack_config cfg;
  fl_config(&cfg, 0, 2);
  cfg.seed = seed;
  h_harness h;
  h_init(&h, &cfg);
  h_listen(&h);
  h_advance_to(&h, when);
  h_seg syn = fl_syn(H_RPORT, 1460, 1);
  h_send_seg(&h, &syn);
  assert_true(h_next(&h));
  uint32_t iss = h.out.seg.seq;
  h_free(&h);
  return iss;
}

static void test_cookies_are_deterministic(void **state) {
  (void)state;
  assert_int_equal(fl_cookie(7, LTCP_SEC(5)), fl_cookie(7, LTCP_SEC(5)));
  assert_int_not_equal(fl_cookie(7, LTCP_SEC(5)), fl_cookie(8, LTCP_SEC(5)));
  assert_int_not_equal(fl_cookie(7, LTCP_SEC(5)), fl_cookie(7, LTCP_SEC(70)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_cookie_round_trip_with_timestamps_restores_options, h_teardown),
      cmocka_unit_test_teardown(test_cookie_round_trip_without_timestamps_has_mss_only, h_teardown),
      cmocka_unit_test_teardown(test_cookie_mss_rounds_down_to_its_table, h_teardown),
      cmocka_unit_test_teardown(test_cookie_expires_after_two_periods, h_teardown),
      cmocka_unit_test_teardown(test_forged_cookie_is_reset_and_counted, h_teardown),
      cmocka_unit_test_teardown(test_flood_fills_queue_then_legitimate_client_connects_via_cookie, h_teardown),
      cmocka_unit_test_teardown(test_full_backlog_sends_cookies, h_teardown),
      cmocka_unit_test_teardown(test_mode_2_answers_every_syn_with_a_cookie, h_teardown),
      cmocka_unit_test_teardown(test_mode_changes_on_a_running_stack, h_teardown),
      cmocka_unit_test_teardown(test_early_drop_with_cookies_off_takes_the_oldest, h_teardown),
      cmocka_unit_test_teardown(test_outgoing_connect_and_other_listener_work_during_flood, h_teardown),
      cmocka_unit_test_teardown(test_handshake_ack_waits_when_the_table_is_full, h_teardown),
      cmocka_unit_test_teardown(test_half_open_limit_config, h_teardown),
      cmocka_unit_test_teardown(test_cookies_are_deterministic, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
