/* RFC 7323 negotiation in the handshake, one segment at a time through the single-stack
 * harness: window scaling (§2.2, §2.3) and timestamps (§3.2) are used only when both SYNs
 * carry them; the SYN's window is never scaled; a shift above 14 counts as 14; once
 * timestamps are on, a segment without one is dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "support/harness.h"
#include "tcp/opts.h"

#define BIG_RCVBUF (16u << 20) /* 16 MiB: the shift that fits it in 16 bits is 9 */
#define REMOTE_TS 1000u

static ltcp_tcp_info status(h_harness *h) {
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h->st, h->fd, &info), 0);
  return info;
}

/* A segment from the remote with a timestamp (and a window). */
static void send_ts(h_harness *h, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd,
                    uint32_t tsval, const void *data, uint32_t len) {
  h_seg s = {.flags = flags, .seq = seq, .ack = ack, .wnd = wnd, .data = data, .len = len};
  s.has_ts = 1;
  s.ts_val = tsval;
  s.ts_ecr = h->out.seg.opts.ts_val; /* echo the stack's latest TSval */
  h_send_seg(h, &s);
}

/* The SYN,ACK the listener sends: learns the ISS. */
static const h_out *take_synack(h_harness *h) {
  assert_true(h_next(h));
  assert_int_equal(h->out.seg.flags, LTCP_SYN | LTCP_ACK);
  assert_int_equal(h->out.seg.ack, h->irs + 1);
  h->iss = h->out.seg.seq;
  return &h->out;
}

/* Active open with a 16 MiB receive buffer; the remote's SYN,ACK carries what the test says. */
static void active_open(h_harness *h, const ltcp_stack_config *cfg, int ws, uint8_t shift,
                        int ts) {
  h_init(h, cfg);
  h->rcvbuf = (int)BIG_RCVBUF;
  h_connect(h);
  uint32_t syn_tsval = h->out.seg.opts.ts_val;
  h_advance(h, H_RTT);
  h_seg sa = {.flags = LTCP_SYN | LTCP_ACK, .seq = h->irs, .ack = h->iss + 1, .wnd = 65535,
              .mss = H_MSS};
  sa.has_wscale = (uint8_t)ws;
  sa.wscale = shift;
  sa.has_ts = (uint8_t)ts;
  sa.ts_val = REMOTE_TS;
  sa.ts_ecr = syn_tsval;
  h_send_seg(h, &sa);
  h_expect(h, LTCP_ACK, h->iss + 1, h->irs + 1);
  assert_int_equal(h_state(h), LTCP_ESTABLISHED);
}

/* §2.2, §3.2 and Appendix D (OPEN): our SYN offers WSopt with the shift the buffer needs and
 * TSopt with TSecr 0; its own window is not scaled. */
static void test_syn_sent_syn_offers_wscale_and_timestamps(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.rcvbuf = (int)BIG_RCVBUF;
  h_connect(&h);
  const ltcp_seg *s = &h.out.seg;
  assert_true(s->opts.has_wscale);
  assert_int_equal(s->opts.wscale, 9);
  assert_true(s->opts.has_timestamps);
  assert_int_equal(s->opts.ts_ecr, 0);
  assert_int_equal(s->wnd, 65535); /* "MUST NOT be scaled" */
  assert_int_equal(s->opts.mss, 1460);
  h_free(&h);
}

/* Nothing offered when the config turns both off (the SYN carries the MSS alone). */
static void test_syn_sent_config_off_offers_nothing(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.window_scale = 0;
  cfg.timestamps = 0;
  cfg.sack = 0; /* RFC 2018's SACK-permitted off too */
  h_init(&h, &cfg);
  h_connect(&h);
  assert_false(h.out.seg.opts.has_wscale);
  assert_false(h.out.seg.opts.has_timestamps);
  assert_int_equal(h.out.seg.opts.mss, 1460); /* (SACK-permitted may follow: not ours) */
  h_free(&h);
}

/* §2.3: both offered: Snd.Wind.Shift = S, Rcv.Wind.Shift = R; every later window is shifted,
 * both ways. §3.2: TSopt in every segment, TSecr = TS.Recent. */
static void test_syn_sent_both_offer_scales_windows(void **state) {
  (void)state;
  h_harness h;
  active_open(&h, NULL, 1, 7, 1);
  const ltcp_seg *ack = &h.out.seg;
  assert_int_equal(ack->wnd, BIG_RCVBUF >> 9); /* SEG.WND = RCV.WND >> Rcv.Wind.Shift */
  assert_true(ack->opts.has_timestamps);
  assert_int_equal(ack->opts.ts_ecr, REMOTE_TS);
  assert_false(ack->opts.has_wscale); /* only in SYNs */
  ltcp_tcp_info info = status(&h);
  assert_true(info.wscale_ok && info.timestamps_ok);
  assert_int_equal(info.snd_wscale, 7);
  assert_int_equal(info.rcv_wscale, 9);
  assert_int_equal(info.snd_wnd, 65535);  /* the SYN,ACK's window: not scaled */
  assert_int_equal(info.rcv_wnd, BIG_RCVBUF);
  assert_int_equal(info.snd_mss, 1460 - 12); /* room for the timestamps in every segment */
  send_ts(&h, LTCP_ACK, h.irs + 1, h.iss + 1, 1000, REMOTE_TS + 1, NULL, 0);
  assert_int_equal(status(&h).snd_wnd, 1000u << 7); /* SND.WND = SEG.WND << Snd.Wind.Shift */
  h_expect_none(&h);
  h_free(&h);
}

/* §2.3: the peer's SYN,ACK lacks WSopt and TSopt: both shifts are zero, no timestamps are
 * sent, and our window is capped at 65535 however large the buffer. */
static void test_syn_sent_peer_does_not_offer(void **state) {
  (void)state;
  h_harness h;
  active_open(&h, NULL, 0, 0, 0);
  assert_int_equal(h.out.seg.wnd, 65535);
  assert_false(h.out.seg.opts.has_timestamps);
  assert_int_equal(h.out.hdr_len, 20);
  ltcp_tcp_info info = status(&h);
  assert_false(info.wscale_ok || info.timestamps_ok);
  assert_int_equal(info.snd_wscale, 0);
  assert_int_equal(info.rcv_wscale, 0);
  assert_int_equal(info.snd_mss, 1460);
  /* A WSopt outside a SYN is ignored (§2.2), and so is a TSopt not negotiated (§3.2). */
  h_seg s = {.flags = LTCP_ACK, .seq = h.irs + 1, .ack = h.iss + 1, .wnd = 1000, .has_wscale = 1,
             .wscale = 5, .has_ts = 1, .ts_val = 5};
  h_send_seg(&h, &s);
  assert_int_equal(status(&h).snd_wnd, 1000);
  assert_int_equal(status(&h).snd_wscale, 0);
  h_send(&h, LTCP_PSH | LTCP_ACK, h.irs + 1, h.iss + 1, "x", 1);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 2);
  assert_false(h.out.seg.opts.has_timestamps);
  h_free(&h);
}

/* §2.3 "MUST use 14 instead": a shift of 15 from the peer counts as 14. */
static void test_syn_sent_peer_shift_above_14_clamped(void **state) {
  (void)state;
  h_harness h;
  active_open(&h, NULL, 1, 15, 1);
  assert_int_equal(status(&h).snd_wscale, 14);
  send_ts(&h, LTCP_ACK, h.irs + 1, h.iss + 1, 3, REMOTE_TS + 1, NULL, 0);
  assert_int_equal(status(&h).snd_wnd, 3u << 14);
  h_free(&h);
}

/* Passive open, both offer (§2.3 "SHOULD send its own Window Scale option in the SYN,ACK";
 * Appendix D LISTEN: TS.Recent from the SYN, echoed in the SYN,ACK). */
static void test_listen_syn_with_options_answered(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.rcvbuf = (int)BIG_RCVBUF;
  h_listen(&h);
  h_seg syn = {.flags = LTCP_SYN, .seq = h.irs, .wnd = 65535, .mss = H_MSS, .has_wscale = 1,
               .wscale = 2, .has_ts = 1, .ts_val = REMOTE_TS};
  h_send_seg(&h, &syn);
  const h_out *sa = take_synack(&h);
  assert_true(sa->seg.opts.has_wscale);
  assert_int_equal(sa->seg.opts.wscale, 9);
  assert_true(sa->seg.opts.has_timestamps);
  assert_int_equal(sa->seg.opts.ts_ecr, REMOTE_TS);
  assert_int_equal(sa->seg.wnd, 65535); /* a SYN,ACK's window is not scaled */
  send_ts(&h, LTCP_ACK, h.irs + 1, h.iss + 1, 100, REMOTE_TS + 1, NULL, 0);
  h.fd = ltcp_accept(h.st, h.lfd, NULL);
  assert_true(h.fd >= 0);
  ltcp_tcp_info info = status(&h);
  assert_int_equal(info.state, LTCP_ESTABLISHED);
  assert_int_equal(info.snd_wscale, 2);
  assert_int_equal(info.rcv_wscale, 9);
  assert_int_equal(info.snd_wnd, 400);
  send_ts(&h, LTCP_PSH | LTCP_ACK, h.irs + 1, h.iss + 1, 100, REMOTE_TS + 2, "x", 1);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 2);
  assert_int_equal(h.out.seg.opts.ts_ecr, REMOTE_TS + 2);
  h_free(&h);
}

/* §3.2: "MAY send a TSopt in <SYN,ACK> only if it received a TSopt in the initial <SYN>". */
static void test_listen_syn_without_options_gets_none(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h.rcvbuf = (int)BIG_RCVBUF;
  h_goto(&h, LTCP_SYN_RECEIVED, H_PASSIVE); /* the remote's SYN has only the MSS */
  assert_false(h.out.seg.opts.has_wscale);
  assert_false(h.out.seg.opts.has_timestamps);
  assert_int_equal(h.out.hdr_len, 24);
  h_free(&h);
}

/* Only the peer offers (our config turns both off): neither is used, whatever it sends. */
static void test_listen_only_peer_offers(void **state) {
  (void)state;
  h_harness h;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.window_scale = 0;
  cfg.timestamps = 0;
  h_init(&h, &cfg);
  h.rcvbuf = (int)BIG_RCVBUF;
  h_listen(&h);
  h_seg syn = {.flags = LTCP_SYN, .seq = h.irs, .wnd = 65535, .mss = H_MSS, .has_wscale = 1,
               .wscale = 7, .has_ts = 1, .ts_val = REMOTE_TS};
  h_send_seg(&h, &syn);
  const h_out *sa = take_synack(&h);
  assert_false(sa->seg.opts.has_wscale || sa->seg.opts.has_timestamps);
  send_ts(&h, LTCP_ACK, h.irs + 1, h.iss + 1, 1000, REMOTE_TS + 1, NULL, 0);
  h.fd = ltcp_accept(h.st, h.lfd, NULL);
  assert_true(h.fd >= 0);
  assert_int_equal(status(&h).snd_wnd, 1000);
  assert_int_equal(status(&h).rcv_wnd, 65535);
  h_free(&h);
}

/* §3.2: after both SYNs had TSopt, a non-RST segment without one is silently dropped (and
 * counted); the connection goes on, and the same data with a timestamp is taken. */
static void test_established_timestamp_missing_dropped(void **state) {
  (void)state;
  h_harness h;
  active_open(&h, NULL, 1, 7, 1);
  const ltcp_stats *st = ltcp_stack_stats(h.st);
  h_send(&h, LTCP_PSH | LTCP_ACK, h.irs + 1, h.iss + 1, "abc", 3);
  h_expect_none(&h);
  assert_int_equal(st->drops[LTCP_DROP_TCP_TS_MISSING], 1);
  assert_int_equal(status(&h).rcv_nxt, h.irs + 1);
  assert_int_equal(h_state(&h), LTCP_ESTABLISHED); /* "MUST NOT abort" */
  send_ts(&h, LTCP_PSH | LTCP_ACK, h.irs + 1, h.iss + 1, 1000, REMOTE_TS + 1, "abc", 3);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 4);
  /* An RST needs no timestamp (§5.2). */
  h_send(&h, LTCP_RST, h.irs + 4, 0, NULL, 0);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  h_free(&h);
}

/* §2.3: with a shift, the window field of every non-SYN segment is RCV.WND >> shift, and the
 * right edge it promises never moves left when the buffer fills by less than 2^shift (§2.4,
 * Appendix F: rounded up, not retracted). */
static void test_established_window_field_rounds_up(void **state) {
  (void)state;
  h_harness h;
  active_open(&h, NULL, 1, 7, 1);
  uint32_t edge = h.irs + 1 + ((uint32_t)h.out.seg.wnd << 9);
  send_ts(&h, LTCP_PSH | LTCP_ACK, h.irs + 1, h.iss + 1, 1000, REMOTE_TS + 1, "abcde", 5);
  h_advance(&h, LTCP_MS(500)); /* any delayed ACK is out */
  uint32_t acks = 0;
  for (uint32_t i = 0; i < 4 && h_next(&h); i++) {
    uint32_t right = h.out.seg.ack + ((uint32_t)h.out.seg.wnd << 9);
    assert_true((int32_t)(right - edge) >= 0);
    acks++;
  }
  assert_true(acks > 0);
  h_free(&h);
}

/* The shift we announce: the smallest that fits the buffer in the 16-bit field, at most 14. */
static void test_opts_wscale_for_buffer(void **state) {
  (void)state;
  assert_int_equal(ltcp_opts_wscale_for(1000), 0);
  assert_int_equal(ltcp_opts_wscale_for(65535), 0);
  assert_int_equal(ltcp_opts_wscale_for(65536), 1);
  assert_int_equal(ltcp_opts_wscale_for(BIG_RCVBUF), 9);
  assert_int_equal(ltcp_opts_wscale_for(32u << 20), 10);
  assert_int_equal(ltcp_opts_wscale_for(LTCP_BUF_MAX), 14);
  assert_int_equal(ltcp_opts_wscale_for(UINT32_MAX), 14);
}

/* Buffers above 64 KiB are accepted (16 MiB here) and the window offered uses them. */
static void test_sockopt_rcvbuf_above_64k(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  int fd = ltcp_socket(h.st);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_SO_RCVBUF, (int)BIG_RCVBUF), 0);
  assert_int_equal(ltcp_setsockopt(h.st, fd, LTCP_SO_SNDBUF, (int)BIG_RCVBUF), 0);
  int v = 0;
  assert_int_equal(ltcp_getsockopt(h.st, fd, LTCP_SO_RCVBUF, &v), 0);
  assert_int_equal(v, (int)BIG_RCVBUF);
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.rcvbuf = cfg.sndbuf = 16u << 20;
  assert_non_null(h.st);
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  ltcp_stack_free(st);
  cfg.rcvbuf = LTCP_BUF_MAX + 1;
  assert_null(ltcp_stack_new(&cfg));
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_opts_wscale_for_buffer),
      cmocka_unit_test_teardown(test_sockopt_rcvbuf_above_64k, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_syn_offers_wscale_and_timestamps, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_config_off_offers_nothing, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_both_offer_scales_windows, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_peer_does_not_offer, h_teardown),
      cmocka_unit_test_teardown(test_syn_sent_peer_shift_above_14_clamped, h_teardown),
      cmocka_unit_test_teardown(test_listen_syn_with_options_answered, h_teardown),
      cmocka_unit_test_teardown(test_listen_syn_without_options_gets_none, h_teardown),
      cmocka_unit_test_teardown(test_listen_only_peer_offers, h_teardown),
      cmocka_unit_test_teardown(test_established_timestamp_missing_dropped, h_teardown),
      cmocka_unit_test_teardown(test_established_window_field_rounds_up, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
