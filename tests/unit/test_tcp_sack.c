/* SACK (RFC 2018) and the RFC 6675 scoreboard, module by module: the blocks a receiver
 * reports (newest first, RFC 2018 §4), the sender's ranges, IsLost, pipe and NextSeg. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support/engine_fake.h"
#include "tcp/sack.h"

/* A bare TCB (freed with ef_tcb_free). */
static ltcp_tcb *sb_tcb(uint32_t una, uint32_t nxt) {
  ltcp_tcb *t = ef_tcb_new();
  t->snd_una = una;
  t->snd_nxt = nxt;
  t->snd_mss = 1000;
  t->sack_ok = 1;
  t->busy->sack.high_rxt = una;
  return t;
}

static ltcp_seg sb_ack(uint32_t ack, uint8_t n, const uint32_t *edges) {
  ltcp_seg s = {0};
  s.flags = LTCP_ACK;
  s.ack = ack;
  s.opts.sack_count = n;
  for (uint8_t i = 0; i < n; i++) s.opts.sack[i] = (ltcp_sack_block){edges[2 * i], edges[2 * i + 1]};
  return s;
}

/* Blocks merge into sorted ranges; blocks at or below SND.UNA, or beyond SND.NXT, are ignored;
 * SND.UNA moving up trims them. */
static void test_sack_update_merges_and_ignores_old_blocks(void **state) {
  (void)state;
  ltcp_tcb *t = sb_tcb(1000, 20000);
  uint32_t e1[] = {5000, 6000, 3000, 4000, 500, 900, 19000, 21000};
  ltcp_seg s = sb_ack(1000, 4, e1);
  assert_int_equal(ltcp_sack_update(t, &s), 2000);
  assert_int_equal(t->busy->sack.count, 2);
  assert_int_equal(t->busy->sack.r[0].start, 3000);
  assert_int_equal(t->busy->sack.r[1].end, 6000);
  uint32_t e2[] = {4000, 5000};
  s = sb_ack(1000, 1, e2);
  assert_int_equal(ltcp_sack_update(t, &s), 1000);
  assert_int_equal(t->busy->sack.count, 1);
  assert_int_equal(t->busy->sack.r[0].start, 3000);
  assert_int_equal(t->busy->sack.r[0].end, 6000);
  t->snd_una = 4000; /* a cumulative ACK into the range */
  s = sb_ack(4000, 0, NULL);
  assert_int_equal(ltcp_sack_update(t, &s), 0);
  assert_int_equal(t->busy->sack.r[0].start, 4000);
  t->snd_una = 6000;
  ltcp_sack_update(t, &s);
  assert_int_equal(t->busy->sack.count, 0);
  ef_tcb_free(t);
}

/* RFC 6675 §4: a hole is lost once more than 2 SMSS (DupThresh - 1) are SACKed above it or 3
 * ranges are; pipe counts what is neither SACKed nor lost, plus what was resent. */
static void test_sack_is_lost_pipe_and_next_seg(void **state) {
  (void)state;
  ltcp_tcb *t = sb_tcb(1000, 10000);
  uint32_t e1[] = {2000, 4000};
  ltcp_seg s = sb_ack(1000, 1, e1);
  ltcp_sack_update(t, &s);
  assert_false(ltcp_sack_first_lost(t)); /* 2 SMSS above: not yet */
  assert_int_equal(ltcp_sack_pipe(t), 1000 + 6000);
  uint32_t seq = 0;
  assert_int_equal(ltcp_sack_next_lost(t, 1000, &seq), 0);
  uint32_t e2[] = {4000, 5000};
  s = sb_ack(1000, 1, e2);
  ltcp_sack_update(t, &s);
  assert_true(ltcp_sack_first_lost(t)); /* 3 SMSS above */
  assert_int_equal(ltcp_sack_pipe(t), 5000); /* the lost hole leaves the pipe */
  assert_int_equal(ltcp_sack_next_lost(t, 1000, &seq), 1000);
  assert_int_equal(seq, 1000);
  t->busy->sack.high_rxt = 2000; /* resent: in the pipe again, and NextSeg moves on */
  assert_int_equal(ltcp_sack_pipe(t), 6000);
  assert_int_equal(ltcp_sack_next_lost(t, 1000, &seq), 0);
  ltcp_sack_clear(t);
  assert_int_equal(t->busy->sack.count, 0);
  ef_tcb_free(t);
}

/* RFC 2018 §4: the first block holds the newest out-of-order arrival, the next ones the most
 * recently reported; with timestamps, 3 blocks fit in the 40 bytes of options. */
static void test_sack_receiver_blocks_newest_first(void **state) {
  (void)state;
  ltcp_stack_config cfg = {.addr = LTCP_IPV4(198, 18, 0, 1), .mtu = 1500, .sack = 1};
  ef_engine e; /* nothing here sends or arms a timer */
  ef_engine_init(&e, &cfg, 0);
  ltcp_engine *st = &e.eng;
  ltcp_tcb *t = sb_tcb(0, 0);
  t->rcv_nxt = 1000;
  uint32_t arrivals[][2] = {{5000, 6000}, {2000, 3000}, {8000, 9000}, {11000, 12000}, {3000, 4000}};
  for (int i = 0; i < 5; i++) {
    static const uint8_t data[1000];
    assert_int_equal(ltcp_reasm_add(&t->busy->reasm, &st->mem, UINT32_MAX, arrivals[i][0], data,
                                    arrivals[i][1] - arrivals[i][0]), 0);
    ltcp_sack_rcv_note(t, arrivals[i][0], arrivals[i][1]);
  }
  ltcp_seg s = {0};
  s.flags = LTCP_ACK;
  ltcp_sack_stamp(st, t, &s);
  assert_int_equal(s.opts.sack_count, 4);
  assert_int_equal(s.opts.sack[0].left, 2000); /* [2000, 4000): holds the newest, 3000 */
  assert_int_equal(s.opts.sack[0].right, 4000);
  assert_int_equal(s.opts.sack[1].left, 11000);
  assert_int_equal(s.opts.sack[2].left, 8000);
  assert_int_equal(s.opts.sack[3].left, 5000); /* not reported recently: after the others */
  s = (ltcp_seg){0};
  s.flags = LTCP_ACK;
  s.opts.has_timestamps = 1;
  ltcp_sack_stamp(st, t, &s);
  assert_int_equal(s.opts.sack_count, 3); /* NOP NOP TS (12) + 2 + 8n, padded, <= 40 */
  assert_int_equal(s.opts.sack[2].left, 8000);
  /* RFC 2883: a duplicate below RCV.NXT is reported first, once. */
  ltcp_sack_rcv_dup(t, 100, 600);
  s = (ltcp_seg){0};
  s.flags = LTCP_ACK;
  ltcp_sack_stamp(st, t, &s);
  assert_int_equal(s.opts.sack_count, 4);
  assert_int_equal(s.opts.sack[0].left, 100);
  assert_int_equal(s.opts.sack[0].right, 600);
  assert_int_equal(s.opts.sack[1].left, 2000);
  s = (ltcp_seg){0};
  s.flags = LTCP_ACK;
  ltcp_sack_stamp(st, t, &s);
  assert_int_equal(s.opts.sack[0].left, 2000);
  t->sack_ok = 0;
  s = (ltcp_seg){0};
  s.flags = LTCP_ACK;
  ltcp_sack_stamp(st, t, &s);
  assert_int_equal(s.opts.sack_count, 0); /* not negotiated: never */
  ltcp_reasm_clear(&t->busy->reasm, &st->mem);
  ef_tcb_free(t);
  ef_engine_free(&e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sack_update_merges_and_ignores_old_blocks),
      cmocka_unit_test(test_sack_is_lost_pipe_and_next_seg),
      cmocka_unit_test(test_sack_receiver_blocks_newest_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
