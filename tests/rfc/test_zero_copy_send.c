/* Send without a copy (ltcp_send_zc, issue 18): RFC 9293 §3.10.2 SEND, the bytes lent in
 * place instead of copied into the send buffer. What goes out is the stream in call order,
 * lent and copied bytes mixed; a retransmission reads the lent buffer itself; each buffer is
 * released exactly once: status 0 when the peer acknowledged its last byte (§3.10.7.4 fifth:
 * acknowledged bytes leave the retransmission queue), the connection's error when it ends
 * first (abort, reset, timeout), ECANCELED when the stack is freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "support/harness.h"

#define ZS_MAX 16

/* Every release, in order. */
typedef struct zs_log {
  struct {
    const void *buf;
    size_t len;
    int status;
  } r[ZS_MAX];
  int n;
} zs_log;

static void zs_release(void *ctx, const void *buf, size_t len, int status) {
  zs_log *l = ctx;
  assert_true(l->n < ZS_MAX);
  l->r[l->n].buf = buf;
  l->r[l->n].len = len;
  l->r[l->n].status = status;
  l->n++;
}

static uint8_t pattern[8000];

static void fill_pattern(void) {
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 13 + i / 241);
}

/* The pattern set, and a connection of ours ESTABLISHED (the active side). */
static void zs_established(h_harness *h) {
  fill_pattern();
  h_init(h, NULL);
  h_goto(h, LTCP_ESTABLISHED, H_ACTIVE);
}

/* The remote acknowledges up to our ISS + 1 + n. */
static void remote_acks(h_harness *h, uint32_t n) {
  h_send(h, LTCP_ACK, h->irs + 1, h->iss + 1 + n, NULL, 0);
}

static void test_established_send_zc_sends_lent_bytes_released_on_ack(void **state) {
  (void)state;
  zs_log log = {0};
  h_harness h;
  zs_established(&h);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 1000, zs_release, &log), 1000);
  const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 1000);
  assert_memory_equal(o->data, pattern, 1000);
  h_expect_none(&h);
  assert_int_equal(ltcp_stack_stats(h.st)->buf_mem, 0); /* no copy: no send ring */
  remote_acks(&h, 999);
  assert_int_equal(log.n, 0); /* its last byte is still unacknowledged */
  remote_acks(&h, 1000);
  assert_int_equal(log.n, 1);
  assert_ptr_equal(log.r[0].buf, pattern);
  assert_int_equal(log.r[0].len, 1000);
  assert_int_equal(log.r[0].status, 0);
  assert_int_equal(ltcp_stack_stats(h.st)->zc_sends, 1);
  assert_int_equal(ltcp_stack_stats(h.st)->zc_done, 1);
  h_free(&h);
  assert_int_equal(log.n, 1); /* released once: freeing the stack releases nothing more */
}

/* Copied and lent bytes interleave in call order, whatever segments cut them: a window the
 * peer keeps closed while four pieces are queued, then opens. */
static void test_established_send_zc_mixed_with_copies_keeps_byte_order(void **state) {
  (void)state;
  zs_log log = {0};
  h_harness h;
  zs_established(&h);
  h.wnd = 0;
  remote_acks(&h, 0);
  h_expect_none(&h);
  static uint8_t a_copy[101];
  memcpy(a_copy, pattern, 101);
  assert_int_equal(ltcp_send(h.st, h.fd, a_copy, 101, 0), 101);
  memset(a_copy, 0, sizeof a_copy); /* copied: the caller's buffer is free at once */
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern + 101, 333, zs_release, &log), 333);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern + 434, 777, 0), 777);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern + 1211, 2000, zs_release, &log), 2000);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern + 3211, 5, 0), 5);
  h_expect_none(&h);
  h.wnd = 65535;
  remote_acks(&h, 0);
  uint32_t got = 0;
  for (int i = 0; i < 10 && h_next(&h); i++) {
    assert_int_equal(h.out.seg.seq, h.iss + 1 + got);
    assert_memory_equal(h.out.data, pattern + got, h.out.seg.len);
    got += h.out.seg.len;
  }
  assert_int_equal(got, 3216);
  /* Acknowledged piece by piece, the buffers go in order, each when its last byte is. */
  remote_acks(&h, 434);
  assert_int_equal(log.n, 1);
  assert_ptr_equal(log.r[0].buf, pattern + 101);
  remote_acks(&h, 3210);
  assert_int_equal(log.n, 1);
  remote_acks(&h, 3211);
  assert_int_equal(log.n, 2);
  assert_ptr_equal(log.r[1].buf, pattern + 1211);
  assert_int_equal(log.r[1].status, 0);
  remote_acks(&h, 3216);
  ltcp_tcp_info info;
  assert_int_equal(ltcp_status(h.st, h.fd, &info), 0);
  assert_int_equal(info.unacked + info.unsent, 0);
  h_free(&h);
  assert_int_equal(log.n, 2);
}

/* A retransmission reads the lent buffer itself: bytes the user (against the contract)
 * changed after the first transmission go out changed, which a copy would not show. */
static void test_established_send_zc_retransmission_reads_the_lent_buffer(void **state) {
  (void)state;
  fill_pattern();
  static uint8_t lent[600];
  memcpy(lent, pattern, sizeof lent);
  zs_log log = {0};
  h_harness h;
  h_init(&h, NULL);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, lent, sizeof lent, zs_release, &log), 600);
  const h_out *o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 600);
  assert_memory_equal(o->data, pattern, 600);
  lent[0] ^= 0xff;
  lent[599] ^= 0xff;
  h_advance(&h, LTCP_SEC(1)); /* RFC 6298 §5.4: the RTO sends the oldest segment again */
  o = h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 600);
  assert_memory_equal(o->data, lent, 600);
  assert_int_equal(o->data[0], pattern[0] ^ 0xff);
  h_expect_none(&h);
  remote_acks(&h, 600);
  assert_int_equal(log.n, 1);
  assert_int_equal(log.r[0].status, 0);
  h_free(&h);
}

/* ABORT (§3.10.5): every buffer still lent is released, oldest first, with ECONNABORTED. */
static void test_established_abort_releases_lent_buffers_once(void **state) {
  (void)state;
  zs_log log = {0};
  h_harness h;
  zs_established(&h);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 100, zs_release, &log), 100);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern + 100, 200, zs_release, &log), 200);
  while (h_next(&h)) {}
  remote_acks(&h, 50); /* the first is partly acknowledged: still lent */
  assert_int_equal(log.n, 0);
  assert_int_equal(ltcp_abort(h.st, h.fd), 0);
  assert_int_equal(log.n, 2);
  assert_ptr_equal(log.r[0].buf, pattern);
  assert_ptr_equal(log.r[1].buf, pattern + 100);
  assert_int_equal(log.r[0].status, ECONNABORTED);
  assert_int_equal(log.r[1].status, ECONNABORTED);
  assert_int_equal(ltcp_stack_stats(h.st)->zc_failed, 2);
  h.fd = -1;
  h_free(&h);
  assert_int_equal(log.n, 2);
}

/* A reset from the peer (§3.10.7.4 second): released with ECONNRESET. */
static void test_established_rst_releases_lent_buffers_with_connreset(void **state) {
  (void)state;
  zs_log log = {0};
  h_harness h;
  zs_established(&h);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 300, zs_release, &log), 300);
  while (h_next(&h)) {}
  h_send(&h, LTCP_RST, h.irs + 1, 0, NULL, 0);
  assert_int_equal(h_state(&h), LTCP_CLOSED);
  assert_int_equal(log.n, 1);
  assert_int_equal(log.r[0].status, ECONNRESET);
  h_free(&h);
  assert_int_equal(log.n, 1);
}

/* The stack freed with buffers lent: each released once, with ECANCELED. */
static void test_established_stack_free_releases_lent_buffers_canceled(void **state) {
  (void)state;
  zs_log log = {0};
  h_harness h;
  zs_established(&h);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 300, zs_release, &log), 300);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern + 300, 300, 0), 300);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern + 600, 300, zs_release, &log), 300);
  while (h_next(&h)) {}
  h_free(&h);
  assert_int_equal(log.n, 2);
  assert_int_equal(log.r[0].status, ECANCELED);
  assert_int_equal(log.r[1].status, ECANCELED);
}

/* CLOSE (§3.10.4) does not release them: the FIN follows the lent bytes, which are sent and
 * released on their acknowledgment, after the socket is gone. */
static void test_established_close_sends_lent_bytes_then_fin(void **state) {
  (void)state;
  zs_log log = {0};
  h_harness h;
  zs_established(&h);
  h.wnd = 0;
  remote_acks(&h, 0);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 500, zs_release, &log), 500);
  assert_int_equal(ltcp_close(h.st, h.fd), 0);
  h.fd = -1;
  h_expect_none(&h);
  assert_int_equal(log.n, 0);
  h.wnd = 65535;
  remote_acks(&h, 0);
  const h_out *o = h_expect_len(&h, LTCP_FIN | LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 1, 500);
  assert_memory_equal(o->data, pattern, 500);
  remote_acks(&h, 501);
  assert_int_equal(log.n, 1);
  assert_int_equal(log.r[0].status, 0);
  h_free(&h);
  assert_int_equal(log.n, 1);
}

/* The limits: cfg.zc_refs buffers at once (ENOBUFS beyond, nothing taken); a full send buffer
 * (EAGAIN), which one lent buffer may overfill; the socket is not writable while it is. */
static void test_established_send_zc_limits(void **state) {
  (void)state;
  fill_pattern();
  zs_log log = {0};
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.zc_refs = 2;
  h_harness h;
  h_init(&h, &cfg);
  h.sndbuf = 1000;
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  h.wnd = 0;
  remote_acks(&h, 0);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 600, zs_release, &log), 600);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern + 600, 3000, zs_release, &log), 3000);
  errno = 0;
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), -1); /* 3600 of 1000 held */
  assert_int_equal(errno, EAGAIN);
  ltcp_pollfd p = {h.fd, LTCP_POLLOUT, 0};
  assert_int_equal(ltcp_poll(h.st, &p, 1), 0);
  errno = 0;
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 10, zs_release, &log), -1);
  assert_int_equal(errno, EAGAIN);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 0, zs_release, &log), 0);
  h.wnd = 65535;
  remote_acks(&h, 0);
  while (h_next(&h)) {}
  remote_acks(&h, 600);
  assert_int_equal(log.n, 1);
  errno = 0; /* room again (600 taken off 3000 is still full)... */
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 10, zs_release, &log), -1);
  assert_int_equal(errno, EAGAIN);
  remote_acks(&h, 3000);
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 10, zs_release, &log), 10); /* 2 lent */
  errno = 0;
  assert_int_equal(ltcp_send_zc(h.st, h.fd, pattern, 10, zs_release, &log), -1);
  assert_int_equal(errno, ENOBUFS);
  assert_int_equal(ltcp_stack_stats(h.st)->zc_refused, 1);
  h_free(&h);
  assert_int_equal(log.n, 3); /* the refused calls were never lent: never released */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_established_send_zc_sends_lent_bytes_released_on_ack),
      cmocka_unit_test(test_established_send_zc_mixed_with_copies_keeps_byte_order),
      cmocka_unit_test(test_established_send_zc_retransmission_reads_the_lent_buffer),
      cmocka_unit_test(test_established_abort_releases_lent_buffers_once),
      cmocka_unit_test(test_established_rst_releases_lent_buffers_with_connreset),
      cmocka_unit_test(test_established_stack_free_releases_lent_buffers_canceled),
      cmocka_unit_test(test_established_close_sends_lent_bytes_then_fin),
      cmocka_unit_test(test_established_send_zc_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
