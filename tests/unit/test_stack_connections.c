/* ltcp_stack_connections (lucidtcp/stack.h): every connection listed once, TCBs and compact
 * records alike, with STATUS's variables and the deadlines of the timers armed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"

#define LIST_MAX 8

typedef struct listing {
  ltcp_conn_info c[LIST_MAX];
  size_t n;
} listing;

static void list_add(void *ctx, const ltcp_conn_info *ci) {
  listing *l = ctx;
  assert_true(l->n < LIST_MAX);
  l->c[l->n++] = *ci;
}

static size_t list_all(const h_harness *h, listing *l) {
  memset(l, 0, sizeof *l);
  size_t n = ltcp_stack_connections(h->st, list_add, l);
  assert_int_equal(n, l->n);
  return n;
}

static void test_stack_connections_empty_stack_lists_nothing(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  listing l;
  assert_int_equal(list_all(&h, &l), 0);
  h_free(&h);
}

static void test_stack_connections_established_has_status_and_socket(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  listing l;
  assert_int_equal(list_all(&h, &l), 1);
  const ltcp_conn_info *c = &l.c[0];
  assert_int_equal(c->tcp.state, LTCP_ESTABLISHED);
  assert_int_equal(c->tcp.local.addr, H_LOCAL);
  assert_int_equal(c->tcp.remote.addr, H_REMOTE);
  assert_int_equal(c->tcp.remote.port, h.rport);
  assert_int_equal(c->tcp.conn_id, h.conn_id);
  assert_int_equal(c->tcp.iss, h.iss);
  assert_int_equal(c->fd, h.fd);
  assert_int_equal(c->compact, 0);
  assert_true(c->tcp.rto_ns > 0);
  assert_true(c->timer_at[LTCP_TIMER_TIME_WAIT] == LTCP_TIME_NEVER);
  h_free(&h);
}

/* Data in flight arms the retransmission timer: its deadline is listed, RTO after the send. */
static void test_stack_connections_lists_the_retransmission_deadline(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_int_equal(ltcp_send(h.st, h.fd, "abc", 3, 0), 3);
  h_expect_len(&h, LTCP_ACK | LTCP_PSH, h.iss + 1, h.irs + 1, 3);
  listing l;
  assert_int_equal(list_all(&h, &l), 1);
  assert_true(l.c[0].timer_at[LTCP_TIMER_RETRANSMIT] == h.now + info.rto_ns);
  assert_int_equal(l.c[0].tcp.unacked, 3);
  h_free(&h);
}

/* The listener and its child not yet accepted, each once; the child has no socket. */
static void test_stack_connections_lists_listener_and_child(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_PASSIVE);
  listing l;
  assert_int_equal(list_all(&h, &l), 2);
  int listen = l.c[0].tcp.state == LTCP_LISTEN ? 0 : 1;
  assert_int_equal(l.c[listen].tcp.state, LTCP_LISTEN);
  assert_int_equal(l.c[listen].fd, h.lfd);
  assert_int_equal(l.c[1 - listen].tcp.state, LTCP_ESTABLISHED);
  assert_int_equal(l.c[1 - listen].tcp.remote.port, h.rport);
  h_free(&h);
}

/* An orphan in TIME-WAIT becomes a compact record: listed with its 2 MSL deadline. */
static void test_stack_connections_lists_time_wait_record_with_its_deadline(void **state) {
  (void)state;
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_FIN_WAIT_2, H_ACTIVE);
  assert_int_equal(ltcp_close(h.st, h.fd), 0);
  h.fd = -1;
  h_send(&h, LTCP_FIN | LTCP_ACK, h.irs + 1, h.iss + 2, NULL, 0);
  h_expect(&h, LTCP_ACK, h.iss + 2, h.irs + 2);
  assert_int_equal(ltcp_stack_stats(h.st)->time_wait_compact, 1);
  listing l;
  assert_int_equal(list_all(&h, &l), 1);
  const ltcp_conn_info *c = &l.c[0];
  assert_int_equal(c->compact, 1);
  assert_int_equal(c->tcp.state, LTCP_TIME_WAIT);
  assert_int_equal(c->fd, -1);
  assert_int_equal(c->tcp.local.addr, H_LOCAL);
  assert_int_equal(c->tcp.remote.port, h.rport);
  assert_int_equal(c->tcp.conn_id, h.conn_id);
  assert_true(c->timer_at[LTCP_TIMER_TIME_WAIT] == h.now + 2 * h.cfg.msl_ns);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stack_connections_empty_stack_lists_nothing),
      cmocka_unit_test(test_stack_connections_established_has_status_and_socket),
      cmocka_unit_test(test_stack_connections_lists_the_retransmission_deadline),
      cmocka_unit_test(test_stack_connections_lists_listener_and_child),
      cmocka_unit_test(test_stack_connections_lists_time_wait_record_with_its_deadline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
