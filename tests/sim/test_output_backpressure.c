/* Backpressure on the output queue (issue 18, ip/txq.h): a driver that drains the sender's
 * queue slowly stops the sender instead of losing segments. Two stacks joined by hand: each
 * turn of 100 us the sender's driver takes at most LB_DRAIN packets from a queue of LB_QUEUE;
 * the receiver's output goes back whole. Three connections send 2 MiB each at once: every byte
 * arrives, nothing is dropped or sent again, the queue filled (tx_stalls), and the connections
 * waiting for it took turns (each had at least a quarter of its bytes through when the first
 * finished). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lucidtcp/lucidtcp.h"

#define LB_SENDER LTCP_IPV4(198, 18, 0, 1)
#define LB_RECEIVER LTCP_IPV4(198, 18, 0, 2)
#define LB_PORT 5001
#define LB_CONNS 3
#define LB_BYTES (2u << 20)
#define LB_QUEUE 32u
#define LB_DRAIN 4u
#define LB_TURN_NS LTCP_US(100)
#define LB_TURNS_MAX 200000u /* 20 s of virtual time: far more than the ~1.6 s it takes */

typedef struct lb_run {
  ltcp_stack *snd, *rcv;
  int cfd[LB_CONNS], sfd[LB_CONNS], lfd;
  uint32_t sent[LB_CONNS], read[LB_CONNS];
  uint8_t buf[65536];
} lb_run;

static ltcp_stack *lb_stack(uint32_t addr, uint32_t queue) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.tx_queue_packets = queue;
  cfg.seed = 18;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  return st;
}

/* Moves at most max packets from one stack's queue to the other's input. */
static void lb_carry(ltcp_stack *from, ltcp_stack *to, ltcp_time_ns now, uint32_t max) {
  const uint8_t *pkt;
  size_t len;
  for (uint32_t i = 0; i < max && (len = ltcp_stack_tx_peek(from, &pkt)) > 0; i++) {
    ltcp_stack_input(to, now, pkt, len);
    ltcp_stack_tx_pop(from);
  }
}

static void lb_apps(lb_run *r) {
  for (int c = 0; c < LB_CONNS; c++) {
    if (r->sfd[c] < 0) r->sfd[c] = ltcp_accept(r->rcv, r->lfd, NULL);
    uint32_t left = LB_BYTES - r->sent[c];
    ssize_t n = left ? ltcp_send(r->snd, r->cfd[c], r->buf, left < sizeof r->buf ? left : sizeof r->buf, 0) : 0;
    if (n > 0) r->sent[c] += (uint32_t)n;
  }
  /* Accepted in order of arrival: reads are counted by accepted socket, all sizes equal. */
  for (int c = 0; c < LB_CONNS; c++) {
    for (ssize_t n; r->sfd[c] >= 0 && (n = ltcp_recv(r->rcv, r->sfd[c], r->buf, sizeof r->buf, 0)) > 0;)
      r->read[c] += (uint32_t)n;
  }
}

static int lb_done(const lb_run *r) {
  for (int c = 0; c < LB_CONNS; c++)
    if (r->read[c] < LB_BYTES) return 0;
  return 1;
}

static void test_slow_driver_full_queue_stops_sender_without_drops(void **state) {
  (void)state;
  lb_run *r = calloc(1, sizeof *r);
  assert_non_null(r);
  r->snd = lb_stack(LB_SENDER, LB_QUEUE);
  r->rcv = lb_stack(LB_RECEIVER, 4096);
  ltcp_endpoint any = {0, LB_PORT}, srv = {LB_RECEIVER, LB_PORT};
  r->lfd = ltcp_socket(r->rcv);
  assert_int_equal(ltcp_bind(r->rcv, r->lfd, &any), 0);
  assert_int_equal(ltcp_listen(r->rcv, r->lfd, LB_CONNS), 0);
  for (int c = 0; c < LB_CONNS; c++) {
    r->sfd[c] = -1;
    r->cfd[c] = ltcp_socket(r->snd);
    assert_int_equal(ltcp_connect(r->snd, r->cfd[c], &srv), -1);
    assert_int_equal(errno, EINPROGRESS);
  }
  ltcp_time_ns now = 0;
  uint32_t least_when_first_done = LB_BYTES;
  int first_done = 0;
  for (uint32_t turn = 0; turn < LB_TURNS_MAX && !lb_done(r); turn++) {
    now += LB_TURN_NS;
    ltcp_stack_advance(r->snd, now);
    ltcp_stack_advance(r->rcv, now);
    lb_carry(r->snd, r->rcv, now, LB_DRAIN); /* the slow driver */
    lb_carry(r->rcv, r->snd, now, 4096);
    lb_apps(r);
    for (int c = 0; c < LB_CONNS && !first_done; c++) {
      if (r->read[c] < LB_BYTES) continue;
      first_done = 1;
      for (int d = 0; d < LB_CONNS; d++)
        if (r->read[d] < least_when_first_done) least_when_first_done = r->read[d];
    }
  }
  const ltcp_stats *s = ltcp_stack_stats(r->snd), *t = ltcp_stack_stats(r->rcv);
  uint64_t drops = 0;
  for (int i = 0; i < LTCP_DROP_COUNT; i++) drops += s->drops[i] + t->drops[i];
  print_message("tx_stalls %llu, segments out %llu, the slowest at %u of %u bytes when the first "
                "was done\n", (unsigned long long)s->tx_stalls,
                (unsigned long long)s->segs_out, least_when_first_done, LB_BYTES);
  assert_true(lb_done(r));
  assert_int_equal(drops, 0);
  assert_int_equal(s->retransmits, 0);
  assert_int_equal(t->retransmits, 0);
  assert_true(s->tx_stalls > 0);
  assert_true(least_when_first_done >= LB_BYTES / 4); /* turns taken, oldest waiting first */
  ltcp_stack_free(r->snd);
  ltcp_stack_free(r->rcv);
  free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_slow_driver_full_queue_stops_sender_without_drops),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
