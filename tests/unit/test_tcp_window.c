/* Windows (src/tcp/window.h): the receive window we advertise (RFC 9293 §3.8.6: never
 * shrinking, with receiver SWS avoidance), the 16-bit field that carries it, scaled or not
 * (RFC 7323 §2), and the bytes the peer's field means. Bare TCBs: these read the TCB only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/engine_fake.h"
#include "tcp/window.h"

/* What the window functions read of the engine: its configuration (cfg.window_bsd) and the
 * memory budget (tcp/mem.h). */
static ltcp_engine wn_eng;

/* A TCB with a receive buffer of cap bytes, queued of them unread, RCV.NXT = RCV.ADV = 5000
 * (nothing promised beyond RCV.NXT yet), our MSS 1460, Rcv.Wind.Shift shift. */
static ltcp_tcb *wn_tcb(uint32_t cap, uint32_t queued, uint8_t shift) {
  ltcp_tcb *t = ef_tcb_new();
  t->busy->rcvbuf.cap = cap;
  t->busy->rcvbuf.len = queued; /* only counted: no bytes behind it */
  t->rcv_nxt = t->rcv_adv = 5000;
  t->rcv_mss = 1460;
  t->rfc7323.rcv_wscale = shift;
  return t;
}

static ltcp_seg wn_seg(uint8_t flags, uint16_t wnd) {
  ltcp_seg s = {0};
  s.flags = flags;
  s.wnd = wnd;
  return s;
}

/* RFC 9293 §3.8.6: the window offered is the free receive buffer. */
static void test_window_rcv_is_free_buffer(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(50000, 0, 0);
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 50000);
  t->busy->rcvbuf.len = 20000;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 30000);
  t->busy->rcvbuf.len = 50000;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 0);
  ef_tcb_free(t);
}

/* RFC 7323 §2.3: without scaling no window beyond 65535; with shift S at most 65535 << S. */
static void test_window_rcv_bounded_by_scale(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(1u << 20, 0, 0);
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 65535);
  t->rfc7323.rcv_wscale = 4;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 65535u << 4);
  t->rfc7323.rcv_wscale = 5;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 1u << 20);
  ef_tcb_free(t);
}

/* RFC 9293 §3.8.6 SHLD-14: the right edge already advertised (RCV.ADV) never moves left, even
 * when data arrived (or the buffer filled) faster than the window closed. */
static void test_window_rcv_never_shrinks_right_edge(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(50000, 49000, 0); /* 1000 free */
  t->rcv_adv = t->rcv_nxt + 5000;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 5000);
  t->rcv_nxt += 4000; /* 4000 bytes of the promise arrived: 1000 still promised */
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 1000);
  t->rcv_nxt = 0xFFFFFF00u; /* RCV.ADV across 2^32 */
  t->rcv_adv = 0x00000100u;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 0x200);
  ef_tcb_free(t);
}

/* RFC 9293 §3.8.6.2.2 MUST-39 (RFC 1122 4.2.3.3): the right edge moves only by at least
 * min(half the buffer, one MSS); a smaller opening is not offered yet. */
static void test_window_rcv_sws_avoidance(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(50000, 0, 0);
  t->rcv_adv = t->rcv_nxt + 10000;
  t->busy->rcvbuf.len = 50000 - 10000 - 1459; /* 1459 more than promised */
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 10000);
  t->busy->rcvbuf.len--; /* one MSS more */
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 11460);
  ef_tcb_free(t);
  t = wn_tcb(2000, 0, 0); /* a small buffer: half of it, 1000, is the step */
  t->rcv_adv = t->rcv_nxt + 500;
  t->busy->rcvbuf.len = 2000 - 500 - 999;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 500);
  t->busy->rcvbuf.len--;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 1500);
  ef_tcb_free(t);
}

/* RFC 7323 §2.3: a scaled window moves in units of 2^shift; an opening smaller than one unit
 * would repeat the same field, so it waits (SWS avoidance, MUST-39, with the unit as step). */
static void test_window_rcv_scaled_moves_in_units(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(1u << 20, 0, 10);
  t->rcv_mss = 536; /* a unit of 1024 is more than an MSS: the unit is the step */
  t->rcv_adv = t->rcv_nxt + 100000;
  t->busy->rcvbuf.len = (1u << 20) - 100000 - 1023;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 100000);
  t->busy->rcvbuf.len--;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 101024);
  ef_tcb_free(t);
}

/* RFC 7323 §2.2: the window field of a SYN is never scaled: the window, at most 65535. */
static void test_window_field_syn_never_scaled(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(1u << 20, 0, 5);
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_SYN), 65535);
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_SYN | LTCP_ACK), 65535);
  t->busy->rcvbuf.cap = 1000;
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_SYN | LTCP_ACK), 1000);
  ltcp_seg syn = wn_seg(LTCP_SYN | LTCP_ACK, 1000);
  assert_int_equal(ltcp_window_bytes(t, &syn), 1000);
  ef_tcb_free(t);
}

/* RFC 7323 §2.3: other segments carry RCV.WND >> Rcv.Wind.Shift, never above 65535, and the
 * field promises SEG.WND << Rcv.Wind.Shift bytes. */
static void test_window_field_scaled(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(1u << 20, 0, 4);
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_ACK), 65535);
  t->busy->rcvbuf.cap = 100000;
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_ACK), 6250);
  ltcp_seg ack = wn_seg(LTCP_ACK, 6250);
  assert_int_equal(ltcp_window_bytes(t, &ack), 100000);
  ef_tcb_free(t);
}

/* RFC 7323 §2.4: a shifted field must not retract the right edge already advertised: 1000 bytes
 * promised is 62.5 units of 16, and rounding down would offer 992, so it rounds up. */
static void test_window_field_rounds_up_to_keep_promise(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(100000, 99000, 4); /* 1000 free */
  t->rcv_adv = t->rcv_nxt + 1000;
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_ACK), 63);
  ltcp_seg ack = wn_seg(LTCP_ACK, 63);
  assert_true(ltcp_window_bytes(t, &ack) >= 1000);
  t->rcv_adv = t->rcv_nxt + 992; /* a whole number of units: no rounding */
  t->busy->rcvbuf.len = 100000 - 992;
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_ACK), 62);
  ef_tcb_free(t);
}

/* RFC 7323 §2.3: the peer's window is SEG.WND << Snd.Wind.Shift, except in a SYN, never scaled;
 * at the largest shift, 14, the window stays below 2^30 (LTCP_BUF_MAX). */
static void test_window_peer_scaled_except_syn(void **state) {
  (void)state;
  ltcp_tcb *t = wn_tcb(65535, 0, 0);
  t->rfc7323.snd_wscale = 7;
  ltcp_seg s = wn_seg(LTCP_SYN | LTCP_ACK, 1000);
  assert_int_equal(ltcp_window_peer(t, &s), 1000);
  s.flags = LTCP_SYN;
  assert_int_equal(ltcp_window_peer(t, &s), 1000);
  s.flags = LTCP_ACK;
  assert_int_equal(ltcp_window_peer(t, &s), 128000);
  t->rfc7323.snd_wscale = 14;
  s.wnd = 65535;
  assert_int_equal(ltcp_window_peer(t, &s), 65535u << 14);
  assert_true(ltcp_window_peer(t, &s) < LTCP_BUF_MAX);
  ef_tcb_free(t);
}

/* cfg.window_bsd (4.4BSD, FreeBSD): every segment offers all the free space, even beyond what
 * an unscaled field carries, so the right edge may move by a few bytes. */
static void test_window_bsd_offers_all_free_space(void **state) {
  (void)state;
  wn_eng.cfg.window_bsd = 1;
  ltcp_tcb *t = wn_tcb(65700, 0, 0);
  t->rcv_adv = 5000 + 65535; /* 65535 promised */
  t->rcv_nxt = 5001;         /* a FIN took one sequence number and no buffer */
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 65700);
  assert_int_equal(ltcp_window_field(&wn_eng, t, LTCP_ACK), 65535);
  t->busy->rcvbuf.len = 99;
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 65601);
  wn_eng.cfg.window_bsd = 0; /* RFC 1122: the edge stays where it was */
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 65534);
  ef_tcb_free(t);
}

/* cfg.window_bsd: a window below a quarter of the buffer and one MSS is not offered (BSD's
 * receiver SWS avoidance); what was promised still stands. */
static void test_window_bsd_small_window_not_offered(void **state) {
  (void)state;
  wn_eng.cfg.window_bsd = 1;
  ltcp_tcb *t = wn_tcb(8000, 7000, 0);
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 0);
  t->busy->rcvbuf.len = 6000; /* 2000 free: a quarter of the buffer */
  assert_int_equal(ltcp_window_rcv(&wn_eng, t), 2000);
  wn_eng.cfg.window_bsd = 0;
  ef_tcb_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_window_rcv_is_free_buffer),
      cmocka_unit_test(test_window_rcv_bounded_by_scale),
      cmocka_unit_test(test_window_rcv_never_shrinks_right_edge),
      cmocka_unit_test(test_window_rcv_sws_avoidance),
      cmocka_unit_test(test_window_rcv_scaled_moves_in_units),
      cmocka_unit_test(test_window_field_syn_never_scaled),
      cmocka_unit_test(test_window_field_scaled),
      cmocka_unit_test(test_window_field_rounds_up_to_keep_promise),
      cmocka_unit_test(test_window_peer_scaled_except_syn),
      cmocka_unit_test(test_window_bsd_offers_all_free_space),
      cmocka_unit_test(test_window_bsd_small_window_not_offered),
  };
  static ltcp_stats stats;
  ltcp_stack_config cfg = {0}; /* the default budget: no memory pressure here */
  ltcp_mem_init(&wn_eng.mem, &cfg, &stats);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
