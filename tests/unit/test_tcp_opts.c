/* RFC 7323 per connection (src/tcp/opts.h): window scaling negotiated (§2), timestamps and RTTM
 * (§3, §4), PAWS (§5), RFC 6191 in TIME-WAIT, and what a compact record keeps of the
 * negotiation. The windows themselves are tcp/window.h's (test_tcp_window.c). The engine alone
 * (tests/support/engine_fake.h) with bare TCBs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "support/engine_fake.h"
#include "tcp/opts.h"

#define OT_NOW LTCP_SEC(10) /* the engine's clock: 10 s, on a millisecond */
#define OT_DAY_S (24u * 3600u)

static const ltcp_stack_config ot_cfg = {.window_scale = 1, .timestamps = 1,
                                         .rto_min_ns = LTCP_MS(200), .rto_max_ns = LTCP_SEC(60)};

typedef struct ot_fixture {
  ef_engine e;
  ltcp_tcb *t;
} ot_fixture;

/* A TCB with a 1 MiB receive buffer (so we offer shift 5), a 1460-byte send MSS and RCV.NXT 5000
 * after ltcp_opts_init: nothing negotiated yet. */
static void ot_init(ot_fixture *f, const ltcp_stack_config *cfg, ltcp_time_ns now) {
  ef_engine_init(&f->e, cfg, now);
  ltcp_tcb *t = f->t = ef_tcb_new();
  t->state = LTCP_ESTABLISHED;
  t->local = (ltcp_ep){LTCP_IPV4(198, 18, 0, 1), 40000};
  t->remote = (ltcp_ep){LTCP_IPV4(198, 18, 0, 2), 80};
  t->busy->rcvbuf.cap = 1u << 20;
  t->snd_mss = 1460;
  t->rcv_nxt = t->rcv_adv = 5000;
  ltcp_opts_init(&f->e.eng, t);
}

/* ... and both SYNs had TSopt: TS.Recent = 1000 since now, Last.ACK.sent = RCV.NXT. */
static void ot_init_ts(ot_fixture *f, ltcp_time_ns now) {
  ot_init(f, &ot_cfg, now);
  f->t->rfc7323.ts_ok = 1;
  f->t->rfc7323.ts_recent = 1000;
  f->t->ts_recent_s = (uint32_t)(now / LTCP_SEC(1));
  f->t->rfc7323.last_ack_sent = 5000;
}

static void ot_free(ot_fixture *f) {
  ef_tcb_free(f->t);
  ef_engine_free(&f->e);
}

static ltcp_seg ot_seg(uint8_t flags, uint32_t seq) {
  ltcp_seg s = {0};
  s.flags = flags;
  s.seq = seq;
  return s;
}

static ltcp_seg ot_seg_ts(uint8_t flags, uint32_t seq, uint32_t tsval, uint32_t tsecr) {
  ltcp_seg s = ot_seg(flags, seq);
  s.opts.has_timestamps = 1;
  s.opts.ts_val = tsval;
  s.opts.ts_ecr = tsecr;
  return s;
}

static ltcp_seg ot_syn_ws(uint8_t flags, uint8_t shift) {
  ltcp_seg s = ot_seg(flags, 0);
  s.opts.has_wscale = 1;
  s.opts.wscale = shift;
  return s;
}

/* ---- window scaling (§2) */

/* §2.3: the shift we offer is the smallest that fits the receive buffer in the 16-bit field,
 * and never above 14 (2^30, the largest window the sequence space allows). */
static void test_opts_wscale_for_fits_16_bits_at_most_14(void **state) {
  (void)state;
  static const uint32_t cases[][2] = {
      {0, 0},           {65535, 0},          {65536, 1},         {131071, 1},
      {131072, 2},      {(1u << 20) - 1, 4}, {1u << 20, 5},      {LTCP_BUF_MAX >> 1, 14},
      {LTCP_BUF_MAX, 14}, {UINT32_MAX, 14},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_int_equal(ltcp_opts_wscale_for(cases[i][0]), cases[i][1]);
}

/* §2.2, §3.2: what our SYN offers follows the configuration and the receive buffer, chosen
 * once; §5.4, §7.1: the TSval offset is the connection's own (a keyed hash of the 4-tuple). */
static void test_opts_init_offers_from_config_once(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  const ltcp_rfc7323 *o = &f.t->rfc7323;
  assert_true(o->ws_offered && o->ts_offered);
  assert_int_equal(o->wscale_offer, 5);
  assert_int_equal(f.t->ts_recent_s, LTCP_OPTS_TS_NONE);
  uint32_t offset = o->ts_offset;
  f.e.eng.cfg.window_scale = 0;
  f.t->busy->rcvbuf.cap = 65535;
  ltcp_opts_init(&f.e.eng, f.t); /* idempotent */
  assert_true(o->ws_offered);
  assert_int_equal(o->wscale_offer, 5);
  ltcp_tcb *same = ef_tcb_new(), *other = ef_tcb_new();
  same->local = other->local = f.t->local;
  same->remote = other->remote = f.t->remote;
  other->remote.port = 81;
  ltcp_opts_init(&f.e.eng, same);
  ltcp_opts_init(&f.e.eng, other);
  assert_int_equal(same->rfc7323.ts_offset, offset);
  assert_int_not_equal(other->rfc7323.ts_offset, offset);
  assert_false(other->rfc7323.ws_offered); /* the configuration now says no */
  ef_tcb_free(same);
  ef_tcb_free(other);
  ot_free(&f);
}

/* §2.3: with WSopt in both SYNs, Snd.Wind.Shift = the peer's S and Rcv.Wind.Shift = our R. */
static void test_opts_take_syn_both_offer_scaling(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_seg syn = ot_syn_ws(LTCP_SYN, 7);
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_true(f.t->rfc7323.ws_ok);
  assert_int_equal(f.t->rfc7323.snd_wscale, 7);
  assert_int_equal(f.t->rfc7323.rcv_wscale, 5);
  ot_free(&f);
}

/* §2.3: unless both SYNs carry WSopt, both shifts are zero, whatever we offered; §2.2: a SYN,ACK
 * carrying WSopt to a SYN that did not offer it does not turn scaling on either. */
static void test_opts_take_syn_one_sided_no_scaling(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_seg syn = ot_seg(LTCP_SYN, 0);
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_false(f.t->rfc7323.ws_ok);
  assert_int_equal(f.t->rfc7323.snd_wscale, 0);
  assert_int_equal(f.t->rfc7323.rcv_wscale, 0);
  ot_free(&f);
  ltcp_stack_config off = ot_cfg;
  off.window_scale = 0;
  ot_init(&f, &off, OT_NOW);
  syn = ot_syn_ws(LTCP_SYN | LTCP_ACK, 7);
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_false(f.t->rfc7323.ws_ok);
  assert_int_equal(f.t->rfc7323.snd_wscale, 0);
  assert_int_equal(f.t->rfc7323.rcv_wscale, 0);
  ot_free(&f);
}

/* §2.3: a shift above 14 is used as 14. */
static void test_opts_take_syn_shift_above_14_clamped(void **state) {
  (void)state;
  static const uint8_t cases[][2] = {{14, 14}, {15, 14}, {30, 14}, {255, 14}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ot_fixture f;
    ot_init(&f, &ot_cfg, OT_NOW);
    ltcp_seg syn = ot_syn_ws(LTCP_SYN, cases[i][0]);
    ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
    assert_int_equal(f.t->rfc7323.snd_wscale, cases[i][1]);
    ot_free(&f);
  }
}

/* §3.2: Snd.TS.OK when both SYNs carry TSopt, and TS.Recent starts from the SYN's TSval (§4.3);
 * every later segment carries 12 bytes of TSopt, so the payload shrinks by as much (RFC 6691),
 * once, and never below 64 bytes. */
static void test_opts_take_syn_timestamps_negotiated(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_seg syn = ot_seg_ts(LTCP_SYN, 0, 777, 0);
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_true(f.t->rfc7323.ts_ok);
  assert_int_equal(f.t->rfc7323.ts_recent, 777);
  assert_int_equal(f.t->ts_recent_s, 10);
  assert_int_equal(f.t->snd_mss, 1448);
  syn = ot_seg_ts(LTCP_SYN | LTCP_ACK, 0, 778, 0); /* simultaneous open: a second SYN */
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_int_equal(f.t->rfc7323.ts_recent, 778);
  assert_int_equal(f.t->snd_mss, 1448);
  ot_free(&f);
  ot_init(&f, &ot_cfg, OT_NOW);
  f.t->snd_mss = 64 + LTCP_OPTS_TS_LEN;
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_int_equal(f.t->snd_mss, 64 + LTCP_OPTS_TS_LEN);
  ot_free(&f);
}

/* §3.2: without TSopt in both SYNs there are no timestamps: TS.Recent stays invalid and the
 * MSS whole; with timestamps off here, the peer's TSopt is ignored. */
static void test_opts_take_syn_timestamps_one_sided(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_seg syn = ot_seg(LTCP_SYN, 0);
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_false(f.t->rfc7323.ts_ok);
  assert_int_equal(f.t->ts_recent_s, LTCP_OPTS_TS_NONE);
  assert_int_equal(f.t->snd_mss, 1460);
  ot_free(&f);
  ltcp_stack_config off = ot_cfg;
  off.timestamps = 0;
  ot_init(&f, &off, OT_NOW);
  syn = ot_seg_ts(LTCP_SYN, 0, 777, 0);
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  assert_false(f.t->rfc7323.ts_ok);
  assert_int_equal(f.t->snd_mss, 1460);
  ot_free(&f);
}

/* ---- options on what we send */

/* §2.2 and §3.2: an initial SYN offers WSopt (our shift) and TSopt with TSecr zero (no ACK);
 * TSval is the connection's millisecond clock (§5.4): the engine's milliseconds plus the
 * offset. */
static void test_opts_stamp_initial_syn_offers(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_seg syn = ot_seg(LTCP_SYN, 0);
  ltcp_opts_stamp(&f.e.eng, f.t, &syn);
  assert_true(syn.opts.has_wscale);
  assert_int_equal(syn.opts.wscale, 5);
  assert_true(syn.opts.has_timestamps);
  assert_int_equal(syn.opts.ts_val, 10000u + f.t->rfc7323.ts_offset);
  assert_int_equal(syn.opts.ts_ecr, 0);
  ltcp_engine_clock(&f.e.eng, OT_NOW + LTCP_US(1500)); /* 1.5 ms later: one tick */
  assert_int_equal(ltcp_opts_ts_now(&f.e.eng, f.t), 10001u + f.t->rfc7323.ts_offset);
  f.t->rfc7323.ts_offset = UINT32_MAX; /* the clock wraps as sequence numbers do */
  assert_int_equal(ltcp_opts_ts_now(&f.e.eng, f.t), 10000u);
  ot_free(&f);
}

/* §2.2, §3.2: a SYN,ACK carries WSopt and TSopt only if the peer's SYN did; its TSecr echoes
 * the SYN's TSval. */
static void test_opts_stamp_syn_ack_answers_only_offers(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_seg syn = ot_seg(LTCP_SYN, 0);
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  ltcp_seg out = ot_seg(LTCP_SYN | LTCP_ACK, 0);
  ltcp_opts_stamp(&f.e.eng, f.t, &out);
  assert_false(out.opts.has_wscale);
  assert_false(out.opts.has_timestamps);
  ot_free(&f);
  ot_init(&f, &ot_cfg, OT_NOW);
  syn = ot_seg_ts(LTCP_SYN, 0, 4242, 0);
  syn.opts.has_wscale = 1;
  syn.opts.wscale = 2;
  ltcp_opts_take_syn(&f.e.eng, f.t, &syn);
  out = ot_seg(LTCP_SYN | LTCP_ACK, 0);
  ltcp_opts_stamp(&f.e.eng, f.t, &out);
  assert_true(out.opts.has_wscale);
  assert_int_equal(out.opts.wscale, 5);
  assert_true(out.opts.has_timestamps);
  assert_int_equal(out.opts.ts_ecr, 4242);
  ot_free(&f);
}

/* §2.2: WSopt only in SYNs; §3.2: once negotiated, TSopt in every other segment, TSecr =
 * TS.Recent (§4.3 (3)); §4.3 (1): Last.ACK.sent is the ACK field of the last segment sent. */
static void test_opts_stamp_after_handshake(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  f.t->rfc7323.ws_ok = 1;
  ltcp_seg ack = ot_seg(LTCP_ACK, 100);
  ack.ack = 6000;
  ltcp_opts_stamp(&f.e.eng, f.t, &ack);
  assert_false(ack.opts.has_wscale);
  assert_true(ack.opts.has_timestamps);
  assert_int_equal(ack.opts.ts_ecr, 1000);
  assert_int_equal(f.t->rfc7323.last_ack_sent, 6000);
  f.t->rfc7323.ts_ok = 0; /* not negotiated: none */
  ack = ot_seg(LTCP_ACK, 100);
  ltcp_opts_stamp(&f.e.eng, f.t, &ack);
  assert_false(ack.opts.has_timestamps);
  ot_free(&f);
}

/* ---- PAWS (§5): what to drop; the caller counts it and, for PAWS, sends the ACK */

#define OT_NONE LTCP_DROP_NONE
#define OT_PAWS LTCP_DROP_TCP_PAWS

/* §3.2: a TSopt on a connection that did not negotiate timestamps is ignored: no PAWS. */
static void test_opts_reject_not_negotiated_accepts(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_seg s = ot_seg(LTCP_ACK, 5000);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  f.t->rfc7323.ts_recent = 1000;
  f.t->ts_recent_s = 10;
  s = ot_seg_ts(LTCP_ACK, 5000, 1, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  ot_free(&f);
}

/* §3.2: once negotiated, a non-RST segment without TSopt SHOULD be silently dropped (its own
 * reason: no ACK answers it). */
static void test_opts_reject_missing_timestamp(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_seg s = ot_seg(LTCP_ACK, 5000);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), LTCP_DROP_TCP_TS_MISSING);
  s = ot_seg(LTCP_SYN | LTCP_ACK, 5000);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), LTCP_DROP_TCP_TS_MISSING);
  ot_free(&f);
}

/* §5.2 and §5.3 R1: an RST is never dropped for its timestamp, missing or old. */
static void test_opts_reject_rst_exempt(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_seg s = ot_seg(LTCP_RST, 5000);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  s = ot_seg_ts(LTCP_RST | LTCP_ACK, 5000, 1, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  ot_free(&f);
}

/* §5.3 R1: SEG.TSval < TS.Recent marks an old duplicate (to be ACKed and dropped); an equal or
 * newer TSval passes, and TS.Recent stays as it was (R3 comes later). */
static void test_opts_reject_old_tsval(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_seg s = ot_seg_ts(LTCP_ACK, 5000, 999, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_PAWS);
  s = ot_seg_ts(LTCP_ACK, 5000, 1000, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  s = ot_seg_ts(LTCP_ACK, 5000, 5000, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  assert_int_equal(f.t->rfc7323.ts_recent, 1000);
  assert_int_equal(f.t->ts_recent_s, 10);
  ot_free(&f);
}

/* §5.2: timestamps compare as sequence numbers do, modulo 2^32: a TSval just past the wrap is
 * newer, one 2^31 or more behind is older. */
static void test_opts_reject_compares_across_wrap(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  f.t->rfc7323.ts_recent = 0xFFFFFFF0u;
  ltcp_seg s = ot_seg_ts(LTCP_ACK, 5000, 0x10, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  f.t->rfc7323.ts_recent = 0x10;
  s = ot_seg_ts(LTCP_ACK, 5000, 0xFFFFFFF0u, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_PAWS);
  f.t->rfc7323.ts_recent = 0;
  s = ot_seg_ts(LTCP_ACK, 5000, 0x7FFFFFFFu, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  s = ot_seg_ts(LTCP_ACK, 5000, 0x80000000u, 0);
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_PAWS);
  ot_free(&f);
}

/* §5.5: after 24 days without an update TS.Recent is no longer valid: an older TSval then
 * passes (and R3 takes it), where a second less it is still an old duplicate. */
static void test_opts_reject_ts_recent_invalid_after_24_days(void **state) {
  (void)state;
  ot_fixture f;
  ltcp_time_ns now = LTCP_SEC(30 * OT_DAY_S);
  ot_init_ts(&f, now);
  ltcp_seg s = ot_seg_ts(LTCP_ACK, 5000, 999, 0);
  f.t->ts_recent_s = 6 * OT_DAY_S; /* 24 days ago, to the second */
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_PAWS);
  f.t->ts_recent_s = 6 * OT_DAY_S - 1;
  assert_int_equal(ltcp_opts_reject(&f.e.eng, f.t, &s), OT_NONE);
  assert_int_equal(f.t->ts_recent_s, LTCP_OPTS_TS_NONE);
  ot_free(&f);
}

/* ---- TS.Recent and RTTM (§4) */

/* §4.3 (2): TS.Recent takes SEG.TSval when SEG.TSval >= TS.Recent and SEG.SEQ =< Last.ACK.sent.
 * The RFC's delayed-ACK example (A): A (at Last.ACK.sent) updates it, B and C (beyond, their
 * ACK delayed) do not, so the ACK echoes the earliest unacknowledged segment's TSval. */
static void test_opts_take_ts_delayed_ack_echoes_earliest(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_engine_clock(&f.e.eng, OT_NOW + LTCP_SEC(5));
  ltcp_seg a = ot_seg_ts(LTCP_ACK, 5000, 1001, 0);
  ltcp_opts_take_ts(&f.e.eng, f.t, &a);
  assert_int_equal(f.t->rfc7323.ts_recent, 1001);
  assert_int_equal(f.t->ts_recent_s, 15);
  ltcp_seg b = ot_seg_ts(LTCP_ACK, 6000, 1002, 0), c = ot_seg_ts(LTCP_ACK, 7000, 1003, 0);
  ltcp_opts_take_ts(&f.e.eng, f.t, &b);
  ltcp_opts_take_ts(&f.e.eng, f.t, &c);
  assert_int_equal(f.t->rfc7323.ts_recent, 1001);
  a = ot_seg_ts(LTCP_ACK, 4000, 1004, 0); /* at or below Last.ACK.sent: a retransmission */
  ltcp_opts_take_ts(&f.e.eng, f.t, &a);
  assert_int_equal(f.t->rfc7323.ts_recent, 1004);
  ot_free(&f);
}

/* §4.3 (2): an older TSval is ignored, compared modulo 2^32 (§5.2); after §5.5 made TS.Recent
 * invalid, any TSval is taken. */
static void test_opts_take_ts_older_ignored_unless_invalid(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_seg s = ot_seg_ts(LTCP_ACK, 5000, 999, 0);
  ltcp_opts_take_ts(&f.e.eng, f.t, &s);
  assert_int_equal(f.t->rfc7323.ts_recent, 1000);
  f.t->ts_recent_s = LTCP_OPTS_TS_NONE;
  ltcp_opts_take_ts(&f.e.eng, f.t, &s);
  assert_int_equal(f.t->rfc7323.ts_recent, 999);
  assert_int_equal(f.t->ts_recent_s, 10);
  f.t->rfc7323.ts_recent = 0xFFFFFFF0u;
  s = ot_seg_ts(LTCP_ACK, 5000, 5, 0); /* past the wrap: newer */
  ltcp_opts_take_ts(&f.e.eng, f.t, &s);
  assert_int_equal(f.t->rfc7323.ts_recent, 5);
  ot_free(&f);
}

/* §3.2: TSecr counts only with the ACK bit; §5.2: nothing is taken from an RST; and nothing
 * without negotiated timestamps (§3.2). */
static void test_opts_take_ts_tsecr_only_with_ack(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_seg s = ot_seg_ts(LTCP_ACK, 5000, 1001, 77);
  ltcp_opts_take_ts(&f.e.eng, f.t, &s);
  assert_int_equal(f.t->busy->ack_tsecr, 77);
  s = ot_seg_ts(0, 5000, 1002, 78);
  ltcp_opts_take_ts(&f.e.eng, f.t, &s);
  assert_int_equal(f.t->busy->ack_tsecr, 0);
  assert_int_equal(f.t->rfc7323.ts_recent, 1002);
  s = ot_seg_ts(LTCP_RST | LTCP_ACK, 5000, 1003, 79);
  ltcp_opts_take_ts(&f.e.eng, f.t, &s);
  assert_int_equal(f.t->busy->ack_tsecr, 0);
  assert_int_equal(f.t->rfc7323.ts_recent, 1002);
  f.t->rfc7323.ts_ok = 0;
  s = ot_seg_ts(LTCP_ACK, 5000, 1004, 80);
  ltcp_opts_take_ts(&f.e.eng, f.t, &s);
  assert_int_equal(f.t->busy->ack_tsecr, 0);
  assert_int_equal(f.t->rfc7323.ts_recent, 1002);
  ot_free(&f);
}

/* §4.1: the RTT is our clock now minus the TSecr echoed, in ticks of 1 ms, plus the part of the
 * current millisecond; the TSecr is used once. */
static void test_opts_rtt_sample_from_tsecr(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  uint32_t now_ts = ltcp_opts_ts_now(&f.e.eng, f.t);
  f.t->busy->ack_tsecr = now_ts - 100;
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 1);
  assert_int_equal(f.t->srtt, LTCP_MS(100));
  assert_int_equal(f.t->busy->ack_tsecr, 0);
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 0); /* used */
  ot_free(&f);
  ot_init_ts(&f, OT_NOW + LTCP_US(250));
  f.t->busy->ack_tsecr = ltcp_opts_ts_now(&f.e.eng, f.t);
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 1);
  assert_int_equal(f.t->srtt, LTCP_US(250));
  ot_free(&f);
  ot_init_ts(&f, OT_NOW); /* the same tick, on the millisecond: below the clock's resolution */
  f.t->busy->ack_tsecr = ltcp_opts_ts_now(&f.e.eng, f.t);
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 1);
  assert_int_equal(f.t->srtt, 1); /* not 0, which would mean "no sample yet" */
  ot_free(&f);
}

/* §4.1 and §5.4: the clock wraps; a TSecr from before the wrap still gives the right RTT. */
static void test_opts_rtt_sample_across_ts_wrap(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  f.t->rfc7323.ts_offset = UINT32_MAX - 10000u + 50u; /* now: 49 after the wrap */
  uint32_t now_ts = ltcp_opts_ts_now(&f.e.eng, f.t);
  assert_int_equal(now_ts, 49);
  f.t->busy->ack_tsecr = now_ts - 100; /* 0xFFFFFFB1 */
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 1);
  assert_int_equal(f.t->srtt, LTCP_MS(100));
  ot_free(&f);
}

/* §4.1: a TSecr that is no TSval of ours gives no sample: none (0), from the future, or more
 * than an hour old; nor without negotiated timestamps. */
static void test_opts_rtt_sample_rejects_foreign_tsecr(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, LTCP_SEC(7200));
  uint32_t now_ts = ltcp_opts_ts_now(&f.e.eng, f.t);
  const uint32_t bad[] = {0, now_ts + 5, now_ts - 3600001u};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    f.t->busy->ack_tsecr = bad[i];
    assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 0);
  }
  f.t->rfc7323.ts_ok = 0;
  f.t->busy->ack_tsecr = now_ts - 100;
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 0);
  assert_int_equal(f.t->srtt, 0);
  f.t->rfc7323.ts_ok = 1;
  f.t->busy->ack_tsecr = now_ts - 3600000u; /* an hour: the limit itself is taken */
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 1);
  ot_free(&f);
}

/* Appendix G: with FlightSize bytes out, about FlightSize / (2 SMSS) samples come per round trip
 * (an ACK every other segment), so each weighs 1/expected of a plain RFC 6298 sample. */
static void test_opts_rtt_sample_weighted_by_flight(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  f.t->snd_mss = 1000;
  f.t->srtt = LTCP_MS(100);
  f.t->rttvar = LTCP_MS(50);
  f.t->snd_una = 0;
  f.t->snd_nxt = 9001; /* 4.5 ACKs' worth: 5 expected */
  f.t->busy->ack_tsecr = ltcp_opts_ts_now(&f.e.eng, f.t) - 200;
  assert_int_equal(ltcp_opts_rtt_sample(&f.e.eng, f.t), 1);
  assert_int_equal(f.t->rttvar, LTCP_US(52500)); /* 50 + 50 / 20 */
  assert_int_equal(f.t->srtt, LTCP_US(102500));  /* 100 + 100 / 40 */
  ot_free(&f);
}

/* ---- TIME-WAIT and compact records */

/* RFC 6191 §2: with timestamps on both incarnations a new SYN is admitted by a newer TSval and
 * refused with an older one, whatever its sequence number; an equal TSval falls back to
 * RFC 9293 §3.6's rule, SEG.SEQ > RCV.NXT. */
static void test_opts_time_wait_syn_ok_by_timestamp(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_seg syn = ot_seg_ts(LTCP_SYN, 100, 1001, 0);
  assert_true(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  syn = ot_seg_ts(LTCP_SYN, 9000, 999, 0);
  assert_false(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  syn = ot_seg_ts(LTCP_SYN, 5001, 1000, 0);
  assert_true(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  syn = ot_seg_ts(LTCP_SYN, 5000, 1000, 0);
  assert_false(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  f.t->rfc7323.ts_recent = 0xFFFFFFF0u;
  syn = ot_seg_ts(LTCP_SYN, 100, 0x10, 0); /* newer across the wrap */
  assert_true(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  ot_free(&f);
}

/* RFC 9293 §3.6 without timestamps on either side: SEG.SEQ > RCV.NXT, modulo 2^32. */
static void test_opts_time_wait_syn_ok_by_sequence(void **state) {
  (void)state;
  ot_fixture f;
  ot_init_ts(&f, OT_NOW);
  ltcp_seg syn = ot_seg(LTCP_SYN, 5001);
  assert_true(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  syn = ot_seg(LTCP_SYN, 5000);
  assert_false(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  f.t->rfc7323.ts_ok = 0; /* the old connection had none: a TSval proves nothing */
  syn = ot_seg_ts(LTCP_SYN, 4999, 5000, 0);
  assert_false(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  f.t->rcv_nxt = 0xFFFFFFF0u;
  syn = ot_seg(LTCP_SYN, 0x10);
  assert_true(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  syn = ot_seg(LTCP_SYN, 0xFFFFFF00u);
  assert_false(ltcp_opts_time_wait_syn_ok(f.t, &syn));
  ot_free(&f);
}

/* A compact record keeps Snd.TS.OK (§3.2), Snd.WS.OK (§2.3), SACK-permitted (RFC 2018) and
 * whether TS.Recent is valid in one byte; unpacked, a valid TS.Recent is dated now (§5.5 counts
 * from there). Every combination comes back as it went, each to its own byte. */
static void test_opts_pack_unpack_flags_round_trip(void **state) {
  (void)state;
  ot_fixture f;
  ot_init(&f, &ot_cfg, OT_NOW);
  ltcp_engine_clock(&f.e.eng, LTCP_SEC(90));
  uint8_t seen[16];
  for (uint32_t bits = 0; bits < 16; bits++) {
    ltcp_tcb *a = ef_tcb_new(), *b = ef_tcb_new();
    a->rfc7323.ts_ok = bits & 1;
    a->rfc7323.ws_ok = (bits >> 1) & 1;
    a->sack_ok = (bits >> 2) & 1;
    a->ts_recent_s = (bits >> 3) & 1 ? 12 : LTCP_OPTS_TS_NONE;
    uint8_t packed = ltcp_opts_pack_flags(a);
    for (uint32_t i = 0; i < bits; i++) assert_int_not_equal(seen[i], packed);
    seen[bits] = packed;
    b->ts_recent_s = 5;
    ltcp_opts_unpack_flags(&f.e.eng, b, packed);
    assert_int_equal(b->rfc7323.ts_ok, a->rfc7323.ts_ok);
    assert_int_equal(b->rfc7323.ws_ok, a->rfc7323.ws_ok);
    assert_int_equal(b->sack_ok, a->sack_ok);
    assert_int_equal(b->ts_recent_s, (bits >> 3) & 1 ? 90 : LTCP_OPTS_TS_NONE);
    assert_int_equal(ltcp_opts_pack_flags(b), packed);
    ef_tcb_free(a);
    ef_tcb_free(b);
  }
  ot_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_opts_wscale_for_fits_16_bits_at_most_14),
      cmocka_unit_test(test_opts_init_offers_from_config_once),
      cmocka_unit_test(test_opts_take_syn_both_offer_scaling),
      cmocka_unit_test(test_opts_take_syn_one_sided_no_scaling),
      cmocka_unit_test(test_opts_take_syn_shift_above_14_clamped),
      cmocka_unit_test(test_opts_take_syn_timestamps_negotiated),
      cmocka_unit_test(test_opts_take_syn_timestamps_one_sided),
      cmocka_unit_test(test_opts_stamp_initial_syn_offers),
      cmocka_unit_test(test_opts_stamp_syn_ack_answers_only_offers),
      cmocka_unit_test(test_opts_stamp_after_handshake),
      cmocka_unit_test(test_opts_reject_not_negotiated_accepts),
      cmocka_unit_test(test_opts_reject_missing_timestamp),
      cmocka_unit_test(test_opts_reject_rst_exempt),
      cmocka_unit_test(test_opts_reject_old_tsval),
      cmocka_unit_test(test_opts_reject_compares_across_wrap),
      cmocka_unit_test(test_opts_reject_ts_recent_invalid_after_24_days),
      cmocka_unit_test(test_opts_take_ts_delayed_ack_echoes_earliest),
      cmocka_unit_test(test_opts_take_ts_older_ignored_unless_invalid),
      cmocka_unit_test(test_opts_take_ts_tsecr_only_with_ack),
      cmocka_unit_test(test_opts_rtt_sample_from_tsecr),
      cmocka_unit_test(test_opts_rtt_sample_across_ts_wrap),
      cmocka_unit_test(test_opts_rtt_sample_rejects_foreign_tsecr),
      cmocka_unit_test(test_opts_rtt_sample_weighted_by_flight),
      cmocka_unit_test(test_opts_time_wait_syn_ok_by_timestamp),
      cmocka_unit_test(test_opts_time_wait_syn_ok_by_sequence),
      cmocka_unit_test(test_opts_pack_unpack_flags_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
