/* Two stacks joined by a perfect link (stack_pair.h). */
#include "support/stack_pair.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

ltcp_stack *sp_stack(uint32_t addr, uint32_t conns, uint32_t tx_packets) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.prefix_len = 24;
  cfg.seed = addr;
  cfg.max_connections = cfg.max_sockets = cfg.max_half_open = conns;
  if (tx_packets) cfg.tx_queue_packets = tx_packets;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  return st;
}

void sp_pump(ltcp_stack *a, ltcp_stack *b, ltcp_time_ns now) {
  ltcp_stack *st[2] = {a, b};
  for (int round = 0; round < 1000; round++) {
    int moved = 0;
    for (int i = 0; i < 2; i++) {
      const uint8_t *pkt;
      size_t len;
      while ((len = ltcp_stack_tx_peek(st[i], &pkt)) != 0) {
        ltcp_stack_input(st[1 - i], now, pkt, len);
        ltcp_stack_tx_pop(st[i]);
        moved = 1;
      }
    }
    if (!moved) return;
  }
  fail_msg("packets still moving after 1000 rounds");
}

int sp_connect(ltcp_stack *st, uint32_t addr, uint16_t port) {
  int fd = ltcp_socket(st);
  assert_true(fd >= 0);
  ltcp_endpoint to = {.addr = addr, .port = port};
  int rc = ltcp_connect(st, fd, &to);
  assert_true(rc == 0 || errno == EINPROGRESS);
  return fd;
}

int sp_listen(ltcp_stack *st, uint16_t port, int backlog) {
  int fd = ltcp_socket(st);
  assert_true(fd >= 0);
  ltcp_endpoint any = {.port = port};
  assert_int_equal(ltcp_bind(st, fd, &any), 0);
  assert_int_equal(ltcp_listen(st, fd, backlog), 0);
  return fd;
}
