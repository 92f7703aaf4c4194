/* TCP segmentation offload under loss (issue 6): the packets of several MSS a TSO sender builds
 * stay correct for retransmission, RTT timing, SACK and recovery, which all work on byte
 * ranges. Two stacks over the simulated network in virtual time (100 Mbit/s, 10 ms each way);
 * the link carries a large packet whole, and loses it whole: up to 44 segments at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "support/cc_bulk.h"

#define TR_TOTAL (4u << 20)

static cb_conf tr_conf(int congestion, int sack) {
  cb_conf c = {.seed = 1, .congestion = congestion, .sack = sack, .tso_max = 65535};
  c.sndbuf = 512u << 10;
  c.rcvbuf = 1u << 20;
  c.total = TR_TOTAL;
  c.fwd = c.back = (ltcp_sim_path){.latency_ns = LTCP_MS(10), .bandwidth_bps = 100000000ull};
  return c;
}

static void tr_finish(cb_run *r) {
  cb_run_until(r, LTCP_SEC(120));
  assert_int_equal(r->read, TR_TOTAL);
  assert_false(r->corrupt);
  const ltcp_stats *s = cb_client_stats(r);
  printf("cc %d sack %d: %llu large packets of %llu, retransmits %llu, fast retransmits %llu, "
         "timeouts %llu, done at %.3f s\n", r->c.congestion, r->c.sack,
         (unsigned long long)s->tso_out, (unsigned long long)s->segs_out,
         (unsigned long long)s->retransmits, (unsigned long long)s->fast_retransmits,
         (unsigned long long)s->rto_expirations, ltcp_sim_now(r->sim) / 1e9);
  assert_true(s->tso_out > 0);
  /* The receiver took them whole: each large packet that was not lost. */
  uint64_t in = ltcp_stack_stats(r->st[1])->large_in;
  assert_true(in > 0 && in <= s->tso_out);
}

/* RFC 6675: one large packet lost whole in the middle; SACK recovery resends every segment of
 * it, one MSS each (the packet that resends the first is recorded), without a timeout. */
static void test_bulk_tso_packet_lost_whole_sack_recovers(void **state) {
  (void)state;
  cb_run r;
  cb_conf c = tr_conf(LTCP_CC_CUBIC, 1);
  c.drop_off[c.ndrop++] = 2u << 20;
  cb_start(&r, &c);
  tr_finish(&r);
  assert_true(r.dropped[0] && r.rtx_at[0] > 0);
  const ltcp_stats *s = cb_client_stats(&r);
  assert_int_equal(s->rto_expirations, 0);
  assert_int_equal(s->fast_retransmits, 1);
  assert_true(s->retransmits > 1); /* more than one MSS went in that packet */
  cb_free(&r);
}

/* Random loss both ways (1%), with and without SACK, NewReno and CUBIC: every byte arrives
 * intact, whatever mix of large packets, MSS retransmissions and timeouts it takes. */
static void test_bulk_tso_random_loss_intact(void **state) {
  (void)state;
  static const int modes[][2] = {{LTCP_CC_CUBIC, 1}, {LTCP_CC_NEWRENO, 0}};
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    cb_run r;
    cb_conf c = tr_conf(modes[i][0], modes[i][1]);
    c.seed = 42 + i;
    c.fwd.loss = c.back.loss = 0.01;
    cb_start(&r, &c);
    tr_finish(&r);
    cb_free(&r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bulk_tso_packet_lost_whole_sack_recovers),
      cmocka_unit_test(test_bulk_tso_random_loss_intact),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
