/* Buffer memory (src/tcp/mem.h, reasm.h): out-of-order data costs what arrived, held by memory
 * rather than by a count of ranges (RFC 9293 §3.10.7.4 SHLD-31, RFC 2018 §4 for the SACK blocks),
 * and one budget for the stack set at init: from the pressure mark windows stop growing, at the
 * limit new data is dropped and counted while the right edge offered never moves left
 * (§3.10.7.4 seventh, RFC 7323 §2.4), and send() fails with EAGAIN having done nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "support/harness.h"
#include "tcp/mem.h"

static uint8_t pattern[1u << 16];

static void fill_pattern(void) {
  for (size_t i = 0; i < sizeof pattern; i++) pattern[i] = (uint8_t)(i * 7 + i / 251);
}

static const ltcp_stats *bm_stats(const h_harness *h) { return ltcp_stack_stats(h->st); }

/* connect() with a receive buffer of rcvbuf; the remote's SYN,ACK offers window scaling (shift
 * 0) and SACK; the stack's ACK completes the handshake and offers its whole buffer. Returns the
 * shift the stack chose. */
static uint8_t bm_connect(h_harness *h, int rcvbuf) {
  h->rcvbuf = rcvbuf;
  h_connect(h);
  uint8_t shift = h->out.seg.opts.wscale;
  h_seg sa = {.flags = LTCP_SYN | LTCP_ACK, .seq = h->irs, .ack = h->iss + 1, .wnd = 65535,
              .mss = 1460, .has_wscale = 1, .wscale = 0, .sack_permitted = 1};
  h_send_seg(h, &sa);
  h_expect(h, LTCP_ACK, h->iss + 1, h->irs + 1);
  h_expect_none(h);
  return shift;
}

/* The right edge an ACK offers. */
static uint32_t bm_edge(const h_harness *h, uint8_t shift) {
  return h->out.seg.ack + ((uint32_t)h->out.seg.wnd << shift);
}

/* §3.10.7.4 SHLD-31: a 10-byte segment at the right edge of a 1 MiB window is held in one
 * block of its own size, not in a receive buffer allocated up to its offset (1 MiB before). */
static void test_established_far_segment_costs_its_own_size(void **state) {
  (void)state;
  fill_pattern();
  h_harness h;
  h_init(&h, NULL);
  uint8_t shift = bm_connect(&h, 1 << 20);
  assert_int_equal(bm_edge(&h, shift), h.irs + 1 + (1u << 20));
  assert_int_equal(bm_stats(&h)->buf_mem, 0);
  uint32_t far = h.irs + 1 + (1u << 20) - 10;
  h_send(&h, LTCP_ACK, far, h.iss + 1, pattern, 10);
  const h_out *o = h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 1);
  assert_int_equal(o->seg.opts.sack_count, 1);
  assert_int_equal(o->seg.opts.sack[0].left, far);
  assert_int_equal(o->seg.opts.sack[0].right, far + 10);
  assert_int_equal(bm_stats(&h)->buf_mem, LTCP_MEM_BLOCK);
  assert_int_equal(bm_stats(&h)->reasm_mem, LTCP_MEM_BLOCK);
  h_expect_none(&h);
  h_free(&h);
}

/* RFC 2018 §4: 64 segments beyond holes (8 ranges were the most before) are all held; each ACK
 * reports the newest first, then the ones reported recently; when the holes fill, every byte
 * is delivered in order. */
static void test_established_64_out_of_order_segments_all_held(void **state) {
  (void)state;
  fill_pattern();
  h_harness h;
  h_init(&h, NULL);
  uint8_t shift = bm_connect(&h, 1 << 20);
  (void)shift;
  uint32_t base = h.irs + 1;
  for (uint32_t i = 0; i < 64; i++) { /* [200 i + 100, 200 i + 200): holes below each */
    uint32_t s = base + 200 * i + 100;
    h_send(&h, LTCP_ACK, s, h.iss + 1, pattern + 200 * i + 100, 100);
    const h_out *o = h_expect(&h, LTCP_ACK, h.iss + 1, base);
    assert_int_equal(o->seg.opts.sack_count, i < 3 ? i + 1 : 4);
    for (uint32_t k = 0; k < o->seg.opts.sack_count; k++) {
      assert_int_equal(o->seg.opts.sack[k].left, s - 200 * k);
      assert_int_equal(o->seg.opts.sack[k].right, s - 200 * k + 100);
    }
  }
  assert_int_equal(bm_stats(&h)->drops[LTCP_DROP_TCP_REASSEMBLY_FULL], 0);
  for (uint32_t i = 0; i < 64; i++) { /* the holes, in order */
    h_send(&h, LTCP_ACK, base + 200 * i, h.iss + 1, pattern + 200 * i, 100);
    h_expect(&h, LTCP_ACK, h.iss + 1, base + 200 * i + 200);
  }
  h_expect_none(&h);
  assert_int_equal(bm_stats(&h)->reasm_mem, 0);
  static uint8_t buf[64 * 200];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), sizeof buf);
  assert_memory_equal(buf, pattern, sizeof buf);
  h_free(&h);
}

/* Receives n in-order bytes from the remote at offset off of the stream (ACKed one by one). */
static void bm_receive(h_harness *h, uint32_t off, uint32_t n) {
  for (uint32_t done = 0; done < n;) {
    uint32_t k = n - done < 1000 ? n - done : 1000;
    h_send(h, LTCP_ACK, h->irs + 1 + off + done, h->iss + 1, pattern + off + done, k);
    h_expect(h, LTCP_ACK, h->iss + 1, h->irs + 1 + off + done + k);
    done += k;
  }
}

/* Linux's tcp_mem pressure mode: once the stack's buffers hold the pressure mark, reading does
 * not open the window beyond the memory the connection holds; below the mark, the same read
 * sends a window update (RFC 1122 4.2.3.3). */
static void test_established_pressure_mark_stops_window_growth(void **state) {
  (void)state;
  fill_pattern();
  for (int pressured = 0; pressured <= 1; pressured++) {
    h_harness h;
    ltcp_stack_config cfg;
    h_config(&cfg);
    cfg.mem_pressure = pressured ? 4096 : 0;
    h_init(&h, &cfg);
    uint8_t shift = bm_connect(&h, 65535);
    uint32_t edge = bm_edge(&h, shift);
    bm_receive(&h, 0, 3000); /* the ring: 4096 bytes */
    assert_int_equal(bm_stats(&h)->buf_mem, 4096);
    assert_int_equal(bm_edge(&h, shift), edge); /* the promise stands either way */
    static uint8_t buf[3000];
    assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 3000);
    if (pressured) {
      h_expect_none(&h); /* no window update: 4096 held, 62535 promised */
      bm_receive(&h, 3000, 1000);
      assert_int_equal(bm_edge(&h, shift), edge);
    } else {
      h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 3001);
      assert_int_equal(bm_edge(&h, shift), h.irs + 3001 + 65535);
    }
    h_expect_none(&h);
    h_free(&h);
  }
}

/* A stack whose budget is 4096 bytes, and a connection whose receive ring took all of it
 * (4000 bytes received, unread). Returns the shift. */
static uint8_t bm_at_limit(h_harness *h) {
  fill_pattern();
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.mem_limit = 4096;
  h_init(h, &cfg);
  uint8_t shift = bm_connect(h, 65535);
  assert_int_equal(bm_edge(h, shift), h->irs + 1 + 65535);
  bm_receive(h, 0, 4000);
  return shift;
}

/* At the limit: in-order data beyond the memory held is dropped and counted
 * (TCP_NO_BUFFER_MEMORY), and so is out-of-order data (TCP_REASSEMBLY_FULL); the ACK takes what
 * was held and its right edge stays where it was promised (§3.10.7.4 seventh: never reduced). */
static void test_established_limit_drops_data_keeps_right_edge(void **state) {
  (void)state;
  h_harness h;
  uint8_t shift = bm_at_limit(&h);
  uint32_t edge = h.irs + 1 + 65535;
  assert_int_equal(bm_stats(&h)->buf_mem, 4096);
  h_send(&h, LTCP_ACK, h.irs + 4001, h.iss + 1, pattern + 4000, 1000);
  h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 4097); /* 96 bytes fit */
  assert_int_equal(bm_edge(&h, shift), edge);
  assert_int_equal(bm_stats(&h)->drops[LTCP_DROP_TCP_NO_BUFFER_MEMORY], 1);
  h_send(&h, LTCP_ACK, h.irs + 6001, h.iss + 1, pattern + 6000, 100); /* beyond a hole */
  const h_out *o = h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 4097);
  assert_int_equal(o->seg.opts.sack_count, 0); /* not held: not reported */
  assert_int_equal(bm_edge(&h, shift), edge);
  assert_int_equal(bm_stats(&h)->drops[LTCP_DROP_TCP_REASSEMBLY_FULL], 1);
  assert_int_equal(bm_stats(&h)->buf_mem, 4096);
  assert_int_equal(bm_stats(&h)->buf_mem_peak, 4096);
  /* Read out, the ring's memory takes new data again, the edge never moving left. */
  static uint8_t buf[4096];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 4096);
  assert_memory_equal(buf, pattern, 4096);
  h_expect_none(&h); /* the window offered is still the promise */
  bm_receive(&h, 4096, 2000);
  assert_true(bm_edge(&h, shift) - edge < (1u << 31)); /* at or beyond */
  h_expect_none(&h);
  h_free(&h);
}

/* Linux's sk_stream_wait_memory, nonblocking: a send that cannot get buffer memory fails with
 * EAGAIN having queued and sent nothing, and the socket is not writable; once the memory is
 * back (the idle connection gave its buffers back) the same send goes. */
static void test_established_send_at_limit_fails_with_eagain(void **state) {
  (void)state;
  h_harness h;
  (void)bm_at_limit(&h);
  ltcp_pollfd p = {.fd = h.fd, .events = LTCP_POLLOUT};
  assert_int_equal(ltcp_poll(h.st, &p, 1), 0);
  errno = 0;
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), -1);
  assert_int_equal(errno, EAGAIN);
  assert_int_equal(bm_stats(&h)->send_no_memory, 1);
  h_expect_none(&h);
  static uint8_t buf[4000];
  assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 4000);
  h_advance(&h, LTCP_SEC(2)); /* idle: the buffers go (LTCP_BUSY_SLEEP_NS) */
  assert_int_equal(bm_stats(&h)->buf_mem, 0);
  assert_int_equal(ltcp_poll(h.st, &p, 1), 1);
  assert_int_equal(ltcp_send(h.st, h.fd, pattern, 10, 0), 10);
  h_expect_len(&h, LTCP_PSH | LTCP_ACK, h.iss + 1, h.irs + 4001, 10);
  h_free(&h);
}

/* Every byte of buffer memory is given back: rings and out-of-order blocks of connections that
 * end by close, by reset and by abort (the leak checker sees the blocks themselves). */
static void test_established_memory_returns_to_zero_when_connections_end(void **state) {
  (void)state;
  fill_pattern();
  for (int how = 0; how < 3; how++) {
    h_harness h;
    h_init(&h, NULL);
    (void)bm_connect(&h, 1 << 20);
    bm_receive(&h, 0, 2000);
    h_send(&h, LTCP_ACK, h.irs + 5001, h.iss + 1, pattern + 5000, 1000); /* held */
    h_expect(&h, LTCP_ACK, h.iss + 1, h.irs + 2001);
    assert_int_equal(ltcp_send(h.st, h.fd, pattern, 3000, 0), 3000);
    while (h_next(&h)) {
    }
    assert_true(bm_stats(&h)->buf_mem > 0 && bm_stats(&h)->reasm_mem > 0);
    if (how == 0) {
      assert_int_equal(ltcp_close(h.st, h.fd), 0); /* unread data: RST (RFC 1122 4.2.2.13) */
    } else if (how == 1) {
      h_send(&h, LTCP_RST, h.irs + 2001, 0, NULL, 0);
    } else {
      assert_int_equal(ltcp_abort(h.st, h.fd), 0); /* RFC 9293 §3.10.5 ABORT */
    }
    while (h_next(&h)) {
    }
    if (h_state(&h) != LTCP_CLOSED) h_fail(&h, "how %d: state %d", how, (int)h_state(&h));
    assert_int_equal(bm_stats(&h)->buf_mem, 0);
    assert_int_equal(bm_stats(&h)->reasm_mem, 0);
    h_free(&h);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_established_far_segment_costs_its_own_size, h_teardown),
      cmocka_unit_test_teardown(test_established_64_out_of_order_segments_all_held, h_teardown),
      cmocka_unit_test_teardown(test_established_pressure_mark_stops_window_growth, h_teardown),
      cmocka_unit_test_teardown(test_established_limit_drops_data_keeps_right_edge, h_teardown),
      cmocka_unit_test_teardown(test_established_send_at_limit_fails_with_eagain, h_teardown),
      cmocka_unit_test_teardown(test_established_memory_returns_to_zero_when_connections_end,
                                h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
