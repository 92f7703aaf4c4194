/* Receive without a copy (ltcp_recv_peek / ltcp_recv_consume, issue 18): RFC 9293 §3.10.3
 * RECEIVE, the bytes lent in place instead of copied. What is lent is what ltcp_recv would
 * return, in order; nothing leaves the buffer until consumed; consuming opens the window as
 * reading does; the bytes stay in place while the application sends them on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "support/harness.h"

static uint8_t pattern[3000];

static void fill_pattern(void) {
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 7 + i / 251);
}

/* The remote sends len bytes of the pattern from off, in order; the stack's answers are taken. */
static void remote_sends(h_harness *h, uint32_t off, uint32_t len) {
  h_send(h, LTCP_PSH | LTCP_ACK, h->irs + 1 + off, h->iss + 1, pattern + off, len);
  while (h_next(h)) {}
}

static void test_established_recv_peek_lends_in_order_until_consumed(void **state) {
  (void)state;
  fill_pattern();
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  const void *p = NULL, *q = NULL;
  errno = 0;
  assert_int_equal(ltcp_recv_peek(h.st, h.fd, &p), -1); /* nothing yet */
  assert_int_equal(errno, EAGAIN);
  remote_sends(&h, 0, 100);
  assert_int_equal(ltcp_recv_peek(h.st, h.fd, &p), 100);
  assert_memory_equal(p, pattern, 100);
  assert_int_equal(ltcp_recv_peek(h.st, h.fd, &q), 100); /* not consumed: lent again */
  assert_ptr_equal(p, q);
  assert_int_equal(ltcp_recv_consume(h.st, h.fd, 40), 0);
  assert_int_equal(ltcp_recv_peek(h.st, h.fd, &p), 60);
  assert_memory_equal(p, pattern + 40, 60);
  errno = 0;
  assert_int_equal(ltcp_recv_consume(h.st, h.fd, 61), -1); /* more than is there */
  assert_int_equal(errno, EINVAL);
  uint8_t buf[16];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, 10, 0), 10); /* ltcp_recv reads the same stream */
  assert_memory_equal(buf, pattern + 40, 10);
  assert_int_equal(ltcp_recv_consume(h.st, h.fd, 50), 0);
  errno = 0;
  assert_int_equal(ltcp_recv_peek(h.st, h.fd, &p), -1);
  assert_int_equal(errno, EAGAIN);
  h_send(&h, LTCP_FIN | LTCP_ACK, h.irs + 101, h.iss + 1, NULL, 0);
  assert_int_equal(ltcp_recv_peek(h.st, h.fd, &p), 0); /* end of stream */
  h_free(&h);
}

/* Every byte comes through peek and consume in order, across the ring's end. */
static void test_established_recv_peek_consume_whole_stream(void **state) {
  (void)state;
  fill_pattern();
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t sent = 0, got = 0;
  for (int round = 0; round < 100 && got < sizeof pattern; round++) {
    if (sent < sizeof pattern) {
      uint32_t n = sizeof pattern - sent < 700 ? (uint32_t)sizeof pattern - sent : 700;
      remote_sends(&h, sent, n);
      sent += n;
    }
    const void *p;
    ssize_t n = ltcp_recv_peek(h.st, h.fd, &p);
    assert_true(n > 0);
    uint32_t take = (uint32_t)n > 300 ? 300 : (uint32_t)n; /* a reader slower than the writer */
    assert_memory_equal(p, pattern + got, take);
    assert_int_equal(ltcp_recv_consume(h.st, h.fd, take), 0);
    got += take;
  }
  assert_int_equal(got, sizeof pattern);
  h_free(&h);
}

/* The bytes lent stay in place while they are sent on (an echo without a copy of its own). */
static void test_established_recv_peek_bytes_sent_on_then_consumed(void **state) {
  (void)state;
  fill_pattern();
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  remote_sends(&h, 0, 500);
  const void *p;
  assert_int_equal(ltcp_recv_peek(h.st, h.fd, &p), 500);
  assert_int_equal(ltcp_send(h.st, h.fd, p, 500, 0), 500);
  assert_memory_equal(p, pattern, 500);
  assert_int_equal(ltcp_recv_consume(h.st, h.fd, 500), 0);
  const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 501, 500);
  assert_memory_equal(o->data, pattern, 500);
  h_expect_none(&h);
  h_free(&h);
}

/* Consuming opens the window as reading does (§3.8.6.2.2, RFC 1122 4.2.3.3): a receive buffer
 * filled and then consumed sends a window update. */
static void test_established_recv_consume_opens_the_window(void **state) {
  (void)state;
  fill_pattern();
  h_harness h;
  h_init(&h, NULL);
  h.rcvbuf = 2048;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  h_send(&h, LTCP_ACK, h.irs + 1, h.iss + 1, pattern, 1024);
  h_send(&h, LTCP_PSH | LTCP_ACK, h.irs + 1025, h.iss + 1, pattern + 1024, 1024);
  const h_out *o = NULL;
  while (h_next(&h)) o = &h.out;
  assert_non_null(o);
  assert_int_equal(o->seg.ack, h.irs + 2049);
  assert_int_equal(o->seg.wnd, 0); /* full */
  const void *p;
  uint32_t got = 0;
  for (int i = 0; i < 4 && got < 2048; i++) {
    ssize_t n = ltcp_recv_peek(h.st, h.fd, &p);
    assert_true(n > 0);
    assert_int_equal(ltcp_recv_consume(h.st, h.fd, (size_t)n), 0);
    got += (uint32_t)n;
  }
  assert_int_equal(got, 2048);
  o = h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 2049);
  assert_true(o->seg.wnd > 0);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_established_recv_peek_lends_in_order_until_consumed),
      cmocka_unit_test(test_established_recv_peek_consume_whole_stream),
      cmocka_unit_test(test_established_recv_peek_bytes_sent_on_then_consumed),
      cmocka_unit_test(test_established_recv_consume_opens_the_window),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
