/* RFC 4987 (SYN flooding): half-open connections are held to cfg.max_half_open (half of the
 * connection table by default) however large the backlogs, each SYN beyond it a counted drop,
 * so a flood leaves the rest of the table to outgoing connections and other listeners. One
 * stack through the harness, spoofed SYNs from many ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>

#include "support/harness.h"

/* A listener on port with a large backlog (the harness's own has 8). */
static int flood_listen(h_harness *h, uint16_t port, int backlog) {
  int fd = ltcp_socket(h->st);
  assert_true(fd >= 0);
  ltcp_endpoint ep = {H_LOCAL, port};
  assert_int_equal(ltcp_bind(h->st, fd, &ep), 0);
  assert_int_equal(ltcp_listen(h->st, fd, backlog), 0);
  return fd;
}

/* n SYNs from ports first.., each answered while the budget lasts; returns how many were. */
static uint32_t flood(h_harness *h, uint16_t first, uint32_t n) {
  uint32_t answered = 0;
  for (uint32_t i = 0; i < n; i++) {
    h->rport = (uint16_t)(first + i);
    h_send(h, LTCP_SYN, H_IRS, 0, NULL, 0);
    if (h_next(h)) {
      assert_int_equal(h->out.seg.flags, LTCP_SYN | LTCP_ACK);
      answered++;
    }
  }
  return answered;
}

/* 20 spoofed SYNs against a backlog of 64 in a table of 16: 8 are answered, 12 dropped and
 * counted; an outgoing connect and a second listener still get their connection. */
static void test_half_open_budget_leaves_room(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.max_connections = 16;
  h_harness h;
  h_init(&h, &cfg);
  flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, 20000, 20), 8);
  assert_int_equal(ltcp_stack_stats(h.st)->half_open_full, 12);
  assert_int_equal(ltcp_stack_stats(h.st)->drops[LTCP_DROP_TCP_LISTEN_OVERFLOW], 12);
  assert_int_equal(ltcp_stack_count_state(h.st, LTCP_SYN_RECEIVED), 8);
  /* An outgoing connection takes a slot of the table's other half. */
  int fd = ltcp_socket(h.st);
  ltcp_endpoint peer = {H_REMOTE, 9};
  assert_true(ltcp_connect(h.st, fd, &peer) == 0 || errno == EINPROGRESS);
  assert_true(h_next(&h));
  assert_int_equal(h.out.seg.flags, LTCP_SYN);
  h_free(&h);
}

/* max_half_open sets the budget; it cannot exceed max_connections. */
static void test_half_open_budget_config(void **state) {
  (void)state;
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.max_connections = 64;
  cfg.max_half_open = 3;
  h_harness h;
  h_init(&h, &cfg);
  flood_listen(&h, H_LPORT, 64);
  assert_int_equal(flood(&h, 30000, 10), 3);
  h_free(&h);
  ltcp_stack_config_default(&cfg);
  cfg.max_half_open = cfg.max_connections + 1;
  assert_null(ltcp_stack_new(&cfg));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_half_open_budget_leaves_room, h_teardown),
      cmocka_unit_test_teardown(test_half_open_budget_config, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
