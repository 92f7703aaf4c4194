/* Owed ACKs wait for the driver to take the output, so that one ACK answers every segment of a
 * batch (RFC 9293 §3.10.7.4, MUST-58/59); but at most LTCP_OUTPUT_WAIT_HOT connections wait
 * while the queue has room: beyond that the oldest sends its ACK at once (tcp/output.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lucidtcp/lucidtcp.h"
#include "tcp/output.h"

#define CLI LTCP_IPV4(198, 18, 0, 1)
#define SRV LTCP_IPV4(198, 18, 0, 2)
#define CONNS 200

static ltcp_stack *stack_on(uint32_t addr) {
  ltcp_stack_config cfg;
  ltcp_stack_config_default(&cfg);
  cfg.addr = addr;
  cfg.prefix_len = 24;
  cfg.seed = addr;
  cfg.max_connections = cfg.max_sockets = cfg.max_half_open = 1024;
  cfg.tx_queue_packets = 1024;
  ltcp_stack *st = ltcp_stack_new(&cfg);
  assert_non_null(st);
  return st;
}

/* Moves every queued packet to the other stack until both are quiet (bounded). */
static void pump(ltcp_stack *a, ltcp_stack *b, ltcp_time_ns now) {
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

static void test_owed_acks_beyond_the_bound_go_at_once_oldest_first(void **state) {
  (void)state;
  ltcp_stack *cli = stack_on(CLI), *srv = stack_on(SRV);
  ltcp_time_ns now = LTCP_SEC(1);
  int lfd = ltcp_socket(srv);
  ltcp_endpoint any = {.port = 80};
  assert_int_equal(ltcp_bind(srv, lfd, &any), 0);
  assert_int_equal(ltcp_listen(srv, lfd, CONNS), 0);
  int cfd[CONNS];
  for (int i = 0; i < CONNS; i++) {
    cfd[i] = ltcp_socket(cli);
    ltcp_endpoint to = {.addr = SRV, .port = 80};
    int rc = ltcp_connect(cli, cfd[i], &to);
    assert_true(rc == 0 || errno == EINPROGRESS);
  }
  pump(cli, srv, now);
  assert_int_equal(ltcp_stack_count_state(srv, LTCP_ESTABLISHED), CONNS);
  /* Every client sends its FIN; the server takes them all before its driver looks at its
   * queue. A FIN is acknowledged at once (§3.10.7.4 eighth), so each connection owes one. */
  for (int i = 0; i < CONNS; i++) assert_int_equal(ltcp_shutdown(cli, cfd[i], LTCP_SHUT_WR), 0);
  uint64_t out0 = ltcp_stack_stats(srv)->ip_out;
  uint16_t first_acked_port = 0;
  const uint8_t *pkt;
  size_t len;
  for (int i = 0; i < CONNS; i++) {
    assert_true((len = ltcp_stack_tx_peek(cli, &pkt)) != 0);
    assert_true(pkt[33] & LTCP_FIN);
    if (i == 0) first_acked_port = (uint16_t)(pkt[20] << 8 | pkt[21]);
    ltcp_stack_input(srv, now, pkt, len);
    ltcp_stack_tx_pop(cli);
    /* Up to the bound the ACKs wait; past it, one goes for each new one owed. */
    uint64_t sent = ltcp_stack_stats(srv)->ip_out - out0;
    uint64_t want = (uint64_t)(i + 1) > LTCP_OUTPUT_WAIT_HOT ? (uint64_t)(i + 1) - LTCP_OUTPUT_WAIT_HOT : 0;
    assert_int_equal(sent, want);
  }
  /* The first ACK out answers the first FIN in. */
  assert_true((len = ltcp_stack_tx_peek(srv, &pkt)) != 0);
  assert_int_equal((uint16_t)(pkt[22] << 8 | pkt[23]), first_acked_port);
  /* The driver's look sends the rest: one ACK per connection in all. */
  assert_int_equal(ltcp_stack_stats(srv)->ip_out - out0, CONNS);
  pump(cli, srv, now);
  assert_int_equal(ltcp_stack_count_state(cli, LTCP_FIN_WAIT_2), CONNS);
  ltcp_stack_free(cli);
  ltcp_stack_free(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_owed_acks_beyond_the_bound_go_at_once_oldest_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
