/* SYN cookies (src/tcp/syncookie.h, RFC 4987 §3.6): made and checked against the engine alone,
 * its clock moved by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/engine_fake.h"
#include "tcp/syncookie.h"

static ltcp_stack_config sc_cfg(void) {
  ltcp_stack_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.timestamps = 1;
  return cfg;
}

static ltcp_seg sc_syn(uint32_t isn, uint16_t mss) {
  ltcp_seg s = {.src_addr = 0xc6120002u, .dst_addr = 0xc6120001u, .src_port = 40000,
                .dst_port = 80, .seq = isn, .flags = LTCP_SYN};
  s.opts.mss = mss;
  return s;
}

/* The ACK that answers a cookie SYN,ACK with ISS cookie. */
static ltcp_seg sc_ack(const ltcp_seg *syn, uint32_t cookie) {
  ltcp_seg a = *syn;
  a.flags = LTCP_ACK;
  a.seq = syn->seq + 1;
  a.ack = cookie + 1;
  memset(&a.opts, 0, sizeof a.opts);
  return a;
}

static void test_syncookie_check_round_trip_gives_the_mss(void **state) {
  (void)state;
  ltcp_stack_config cfg = sc_cfg();
  ef_engine e;
  ef_engine_init(&e, &cfg, LTCP_SEC(10));
  static const uint16_t in[] = {0, 100, 536, 1000, 1300, 1400, 1460, 9000};
  static const uint16_t out[] = {536, 64, 536, 536, 1300, 1300, 1460, 8960};
  for (unsigned i = 0; i < sizeof in / sizeof in[0]; i++) {
    ltcp_seg syn = sc_syn(0x12345678u + i, in[i]);
    ltcp_seg ack = sc_ack(&syn, ltcp_syncookie_make(&e.eng, &syn));
    ltcp_syncookie_opts o;
    assert_int_equal(ltcp_syncookie_check(&e.eng, &ack, &o), 0);
    assert_int_equal(o.mss, out[i]);
    assert_false(o.ts_ok || o.has_wscale || o.sack_ok); /* no timestamps: nothing else */
  }
  ef_engine_free(&e);
}

/* Made in counter c (64 s each): good in c and c + 1, not in c + 2, nor before it was made. */
static void test_syncookie_check_lasts_two_counters(void **state) {
  (void)state;
  ltcp_stack_config cfg = sc_cfg();
  ef_engine e;
  ef_engine_init(&e, &cfg, LTCP_SEC(64 * 3 + 63));
  ltcp_seg syn = sc_syn(7, 1460);
  ltcp_seg ack = sc_ack(&syn, ltcp_syncookie_make(&e.eng, &syn));
  ltcp_syncookie_opts o;
  ltcp_engine_clock(&e.eng, LTCP_SEC(64 * 4 + 63));
  assert_int_equal(ltcp_syncookie_check(&e.eng, &ack, &o), 0);
  ltcp_engine_clock(&e.eng, LTCP_SEC(64 * 5));
  assert_int_equal(ltcp_syncookie_check(&e.eng, &ack, &o), -1);
  ef_engine_free(&e);
  ef_engine_init(&e, &cfg, LTCP_SEC(64 * 3 + 63));
  e.eng.now = LTCP_SEC(64 * 3 - 1); /* a cookie of the next counter, seen before it */
  assert_int_equal(ltcp_syncookie_check(&e.eng, &ack, &o), -1);
  ef_engine_free(&e);
}

/* Any change to the 4-tuple, the ISN or the cookie fails the check. */
static void test_syncookie_check_rejects_any_change(void **state) {
  (void)state;
  ltcp_stack_config cfg = sc_cfg();
  ef_engine e;
  ef_engine_init(&e, &cfg, LTCP_SEC(1));
  ltcp_seg syn = sc_syn(99, 1460);
  ltcp_seg good = sc_ack(&syn, ltcp_syncookie_make(&e.eng, &syn)), bad;
  ltcp_syncookie_opts o;
  for (int i = 0; i < 6; i++) {
    bad = good;
    if (i == 0) bad.src_port++;
    if (i == 1) bad.dst_port++;
    if (i == 2) bad.src_addr ^= 1;
    if (i == 3) bad.seq++;
    if (i == 4) bad.ack += 1u << 12;
    if (i == 5) bad.ack += 1u << 24;
    assert_int_equal(ltcp_syncookie_check(&e.eng, &bad, &o), -1);
  }
  ef_engine_free(&e);
}

/* With timestamps the options ride in TSval's low 6 bits, which never runs ahead of the clock. */
static void test_syncookie_tsval_carries_options_and_never_runs_ahead(void **state) {
  (void)state;
  ltcp_stack_config cfg = sc_cfg();
  ef_engine e;
  ef_engine_init(&e, &cfg, LTCP_SEC(1));
  for (uint32_t now = 1000; now < 1000 + 200; now += 7) {
    uint32_t ts = ltcp_syncookie_tsval(now, 7, 1);
    assert_true((int32_t)(now - ts) >= 0 && now - ts < 64);
    assert_int_equal(ts & 63, 0x20 | 0x10 | 7);
  }
  ltcp_seg syn = sc_syn(5, 1460);
  ltcp_seg ack = sc_ack(&syn, ltcp_syncookie_make(&e.eng, &syn));
  ack.opts.has_timestamps = 1;
  ack.opts.ts_val = 1;
  ltcp_syncookie_opts o;
  ack.opts.ts_ecr = ltcp_syncookie_tsval(5000, -1, 0);
  assert_int_equal(ltcp_syncookie_check(&e.eng, &ack, &o), 0);
  assert_true(o.ts_ok);
  assert_false(o.has_wscale || o.sack_ok);
  ack.opts.ts_ecr = ltcp_syncookie_tsval(5000, 14, 1);
  assert_int_equal(ltcp_syncookie_check(&e.eng, &ack, &o), 0);
  assert_true(o.has_wscale && o.sack_ok);
  assert_int_equal(o.wscale, 14);
  ack.opts.ts_ecr = 5000u & ~63u; /* no marker: not a TSval of a cookie SYN,ACK */
  assert_int_equal(ltcp_syncookie_check(&e.eng, &ack, &o), -1);
  ef_engine_free(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syncookie_check_round_trip_gives_the_mss),
      cmocka_unit_test(test_syncookie_check_lasts_two_counters),
      cmocka_unit_test(test_syncookie_check_rejects_any_change),
      cmocka_unit_test(test_syncookie_tsval_carries_options_and_never_runs_ahead),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
