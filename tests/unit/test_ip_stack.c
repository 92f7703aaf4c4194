/* The stack's output queue (ip/txq.h): a FIFO of packet slots the driver peeks and pops, its
 * room kept for control segments; and a running stack's settings (ltcp_stack_set_config). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "lucidtcp/lucidtcp.h"

#define TXQ_PEER LTCP_IPV4(198, 18, 0, 2)

static ltcp_stack *txq_stack(uint32_t packets) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = LTCP_IPV4(198, 18, 0, 1);
  cfg.tx_queue_packets = packets;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  return st;
}

/* One SYN queued by an active open to the peer's port. */
static void txq_syn(ltcp_stack *st, uint16_t port) {
  int fd = ltcp_socket(st);
  assert_true(fd >= 0);
  ltcp_endpoint remote = {TXQ_PEER, port};
  int rc = ltcp_connect(st, fd, &remote);
  assert_true(rc == 0 || errno == EINPROGRESS);
}

/* A queue drained empty starts again at its first slot: its footprint is the packets it held
 * at once, not its capacity (a bulk sender stays in a few hot slots). */
static void test_stack_tx_pop_empty_restarts_at_first_slot(void **state) {
  (void)state;
  ltcp_stack *st = txq_stack(64);
  const uint8_t *first, *pkt;
  txq_syn(st, 80);
  txq_syn(st, 81);
  assert_true(ltcp_stack_tx_peek(st, &first) > 0);
  ltcp_stack_tx_pop(st);
  assert_true(ltcp_stack_tx_peek(st, &pkt) > 0);
  assert_ptr_not_equal(pkt, first);
  ltcp_stack_tx_pop(st);
  assert_int_equal(ltcp_stack_tx_peek(st, &pkt), 0);
  for (uint16_t port = 82; port < 85; port++) {
    txq_syn(st, port);
    assert_true(ltcp_stack_tx_peek(st, &pkt) > 0);
    assert_ptr_equal(pkt, first);
    ltcp_stack_tx_pop(st);
  }
  ltcp_stack_free(st);
}

/* A queue that never empties keeps FIFO order across the end of the ring. */
static void test_stack_tx_pop_wraps_in_order(void **state) {
  (void)state;
  ltcp_stack *st = txq_stack(4);
  const uint8_t *pkt;
  txq_syn(st, 1000);
  uint16_t expect = 1000;
  for (uint16_t port = 1001; port < 1011; port++) {
    txq_syn(st, port); /* two queued: the next pop leaves one */
    assert_true(ltcp_stack_tx_peek(st, &pkt) > 0);
    assert_int_equal((uint16_t)(pkt[22] << 8 | pkt[23]), expect++); /* TCP destination port */
    ltcp_stack_tx_pop(st);
  }
  ltcp_stack_free(st);
}

/* Backpressure holds back new data only: control segments (SYNs here) may fill the eighth of
 * the queue kept for them; a queue full even of those loses the next, counted as a drop, and
 * no stall is counted (no data waited). */
static void test_stack_tx_queue_control_segments_use_the_reserve(void **state) {
  (void)state;
  ltcp_stack *st = txq_stack(8); /* new data would stop at 7 */
  for (uint16_t port = 2000; port < 2009; port++) txq_syn(st, port);
  const uint8_t *pkt;
  uint32_t n = 0;
  for (; n < 16 && ltcp_stack_tx_peek(st, &pkt) > 0; n++) ltcp_stack_tx_pop(st);
  assert_int_equal(n, 8);
  const ltcp_stats *s = ltcp_stack_stats(st);
  assert_int_equal(s->drops[LTCP_DROP_TX_QUEUE_FULL], 1);
  assert_int_equal(s->tx_stalls, 0);
  ltcp_stack_free(st);
}

/* ltcp_stack_set_config: what can change while running changes, for new sockets too; the sizes
 * and identity fixed at creation, or an invalid setting, are refused (EINVAL) and nothing moves. */
static void test_stack_set_config_live_and_fixed(void **state) {
  (void)state;
  ltcp_stack *st = txq_stack(8);
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = LTCP_IPV4(198, 18, 0, 1);
  cfg.tx_queue_packets = 8;
  cfg.keepalive_idle_ns = LTCP_SEC(60);
  cfg.rst_challenge = 0;
  assert_int_equal(ltcp_stack_set_config(st, &cfg), 0);
  int fd = ltcp_socket(st), v = 0;
  assert_int_equal(ltcp_getsockopt(st, fd, LTCP_TCP_KEEPIDLE, &v), 0);
  assert_int_equal(v, 60); /* the new default reaches a new socket */
  ltcp_stack_config bad = cfg;
  bad.mtu = 1400; /* fixed when the stack was made */
  errno = 0;
  assert_int_equal(ltcp_stack_set_config(st, &bad), -1);
  assert_int_equal(errno, EINVAL);
  bad = cfg;
  bad.keepalive_probes = 0; /* not a valid TCP_KEEPCNT */
  assert_int_equal(ltcp_stack_set_config(st, &bad), -1);
  bad.keepalive_probes = 9;
  bad.tx_queue_packets = 16;
  assert_int_equal(ltcp_stack_set_config(st, &bad), -1);
  int fd2 = ltcp_socket(st);
  assert_int_equal(ltcp_getsockopt(st, fd2, LTCP_TCP_KEEPIDLE, &v), 0);
  assert_int_equal(v, 60); /* the refused ones changed nothing */
  ltcp_stack_free(st);
}

/* A sharded stack's connect() picks local ports whose packets the device steers to it
 * (ltcp_shard_of), for every remote port; a bind before connect, not knowing the remote port,
 * picks any. And the steering is symmetric: either port first, the same shard. */
static void test_stack_connect_picks_ports_of_its_shard(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = LTCP_IPV4(198, 18, 0, 2);
  cfg.prefix_len = 24;
  cfg.shards = 4;
  cfg.shard = 2;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  uint32_t seen[4] = {0};
  for (uint16_t i = 0; i < 64; i++) {
    int fd = ltcp_socket(st);
    ltcp_endpoint remote = {LTCP_IPV4(198, 18, 0, 1), (uint16_t)(80 + i)}, local;
    assert_int_equal(ltcp_connect(st, fd, &remote), -1);
    assert_int_equal(errno, EINPROGRESS);
    assert_int_equal(ltcp_getsockname(st, fd, &local), 0);
    assert_int_equal(ltcp_shard_of(local.port, remote.port, 4), 2);
    assert_int_equal(ltcp_shard_of(remote.port, local.port, 4), 2);
    seen[ltcp_shard_of(local.port, 80, 4)]++; /* against one port they would spread */
  }
  assert_true(seen[0] + seen[1] + seen[3] > 0);
  int fd = ltcp_socket(st);
  ltcp_endpoint any = {0, 0};
  assert_int_equal(ltcp_bind(st, fd, &any), 0);
  cfg.shard = 4; /* not below shards */
  assert_int_equal(ltcp_stack_set_config(st, &cfg), -1);
  ltcp_stack_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stack_tx_pop_empty_restarts_at_first_slot),
      cmocka_unit_test(test_stack_tx_pop_wraps_in_order),
      cmocka_unit_test(test_stack_tx_queue_control_segments_use_the_reserve),
      cmocka_unit_test(test_stack_set_config_live_and_fixed),
      cmocka_unit_test(test_stack_connect_picks_ports_of_its_shard),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
