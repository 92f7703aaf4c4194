/* The stack's output queue (ip/stack.c): a FIFO of packet slots the driver peeks and pops. */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stack_tx_pop_empty_restarts_at_first_slot),
      cmocka_unit_test(test_stack_tx_pop_wraps_in_order),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
