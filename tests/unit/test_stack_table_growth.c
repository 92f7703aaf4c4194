/* Thousands of connections at once through two stacks: the connection table's chains double
 * while they are live (ip/table.h starts at 1,024), and every connection still finds its TCB:
 * each carries a byte each way and closes in order, and the client keeps every TIME-WAIT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lucidtcp/lucidtcp.h"
#include "support/stack_pair.h"

#define CLI LTCP_IPV4(198, 18, 0, 1)
#define SRV LTCP_IPV4(198, 18, 0, 2)
#define CONNS 3000

static void test_thousands_of_connections_live_through_the_tables_growth(void **state) {
  (void)state;
  ltcp_stack *cli = sp_stack(CLI, 2 * CONNS, 4 * CONNS), *srv = sp_stack(SRV, 2 * CONNS, 4 * CONNS);
  ltcp_time_ns now = LTCP_SEC(1);
  int lfd = sp_listen(srv, 80, CONNS);
  static int cfd[CONNS], sfd[CONNS];
  for (int i = 0; i < CONNS; i++) cfd[i] = sp_connect(cli, SRV, 80);
  sp_pump(cli, srv, now);
  assert_int_equal(ltcp_stack_count_state(cli, LTCP_ESTABLISHED), CONNS);
  assert_int_equal(ltcp_stack_count_state(srv, LTCP_ESTABLISHED), CONNS);
  for (int i = 0; i < CONNS; i++) assert_true((sfd[i] = ltcp_accept(srv, lfd, NULL)) >= 0);
  /* Each client sends its index; each server end answers with it: a segment that found
   * another connection's TCB would carry the wrong one. */
  for (int i = 0; i < CONNS; i++) {
    uint16_t v = (uint16_t)i;
    assert_int_equal(ltcp_send(cli, cfd[i], &v, sizeof v, 0), (ssize_t)sizeof v);
  }
  sp_pump(cli, srv, now);
  for (int i = 0; i < CONNS; i++) {
    uint16_t v = 0;
    assert_int_equal(ltcp_recv(srv, sfd[i], &v, sizeof v, 0), (ssize_t)sizeof v);
    assert_int_equal(ltcp_send(srv, sfd[i], &v, sizeof v, 0), (ssize_t)sizeof v);
  }
  sp_pump(cli, srv, now);
  uint16_t seen[CONNS];
  memset(seen, 0, sizeof seen);
  for (int i = 0; i < CONNS; i++) {
    uint16_t v = 0xffff;
    assert_int_equal(ltcp_recv(cli, cfd[i], &v, sizeof v, 0), (ssize_t)sizeof v);
    assert_int_equal(v, (uint16_t)i);
    seen[v]++;
  }
  for (int i = 0; i < CONNS; i++) assert_int_equal(seen[i], 1);
  /* The client closes first and keeps every TIME-WAIT; the server's ends go. */
  for (int i = 0; i < CONNS; i++) assert_int_equal(ltcp_close(cli, cfd[i]), 0);
  sp_pump(cli, srv, now);
  for (int i = 0; i < CONNS; i++) assert_int_equal(ltcp_close(srv, sfd[i]), 0);
  sp_pump(cli, srv, now);
  assert_int_equal(ltcp_stack_count_state(cli, LTCP_TIME_WAIT), CONNS);
  assert_int_equal(ltcp_stack_count_state(srv, LTCP_ESTABLISHED), 0);
  assert_int_equal(ltcp_stack_count_state(srv, LTCP_LAST_ACK), 0);
  ltcp_stack_free(cli);
  ltcp_stack_free(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_thousands_of_connections_live_through_the_tables_growth),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
