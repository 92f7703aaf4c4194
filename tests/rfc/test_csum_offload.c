/* Checksum offload on output (cfg.csum_offload, issue 6, TUN offloads): with a link that sums
 * TCP segments itself (a TUN device with TUN_F_CSUM, NEEDS_CSUM), every TCP segment the stack
 * sends carries only the pseudo-header sum in its checksum field and its payload is copied
 * without being summed; completing the field from the TCP header on, as the kernel does, gives
 * the checksum RFC 9293 §3.1 (MUST-2) asks for. The IPv4 header checksum stays complete. The
 * harness checks the field and completes it for every packet it takes (support/harness.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support/harness.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"

static uint8_t data[8192];

static void co_setup(h_harness *h, uint32_t tso_max) {
  ltcp_stack_config cfg;
  h_config(&cfg);
  cfg.csum_offload = 1;
  cfg.tso_max = tso_max;
  h_init(h, &cfg);
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 29 + (i >> 7));
}

/* Both opens, data both ways, the four-segment close: every segment (SYN, SYN,ACK, data, ACK,
 * FIN) leaves with the partial sum, and completed it parses with the right payload. */
static void test_csum_offload_every_segment_carries_the_pseudo_header_sum(void **state) {
  (void)state;
  static const h_how hows[] = {H_ACTIVE, H_PASSIVE};
  for (int k = 0; k < 2; k++) {
    h_harness h;
    co_setup(&h, 0);
    h_label(&h, hows[k] == H_ACTIVE ? "active open" : "passive open");
    h_goto(&h, LTCP_ESTABLISHED, hows[k]);
    uint32_t s = h.iss + 1, r = h.irs + 1;
    assert_int_equal(ltcp_send(h.st, h.fd, data, 3001, 0), 3001);
    h_expect_len(&h, LTCP_ACK, s, r, 1460);
    assert_memory_equal(h.out.data, data, 1460);
    h_expect_len(&h, LTCP_ACK, s + 1460, r, 1460);
    assert_memory_equal(h.out.data, data + 1460, 1460);
    h_expect_len(&h, LTCP_PSH | LTCP_ACK, s + 2920, r, 81);
    assert_memory_equal(h.out.data, data + 2920, 81);
    h_send(&h, LTCP_ACK | LTCP_PSH, r, s + 3001, data, 777);
    h_expect(&h, LTCP_ACK, s + 3001, r + 777);
    uint8_t buf[1024];
    assert_int_equal(ltcp_recv(h.st, h.fd, buf, sizeof buf, 0), 777);
    assert_memory_equal(buf, data, 777);
    assert_int_equal(ltcp_close(h.st, h.fd), 0);
    h_expect(&h, LTCP_FIN | LTCP_ACK, s + 3001, r + 777);
    h_send(&h, LTCP_FIN | LTCP_ACK, r + 777, s + 3002, NULL, 0);
    h_expect(&h, LTCP_ACK, s + 3002, r + 778);
    assert_int_equal(h_state(&h), LTCP_TIME_WAIT);
    h_expect_none(&h);
    h_free(&h);
  }
}

/* A segment to a port nobody listens on gets its RST with the partial sum too (§3.10.7.1). */
static void test_csum_offload_reset_reply_carries_the_pseudo_header_sum(void **state) {
  (void)state;
  h_harness h;
  co_setup(&h, 0);
  h.lport = 4444; /* nothing there */
  h_send(&h, LTCP_ACK, 5000, 7000, NULL, 0);
  h_expect(&h, LTCP_RST, 7000, 0);
  h_expect_none(&h);
  h_free(&h);
}

/* With TSO as well: one packet of several MSS, its field partial, completed whole (the kernel
 * sums each piece it cuts from the partial sum); the IPv4 header checksum is complete. */
static void test_csum_offload_with_tso_one_large_packet(void **state) {
  (void)state;
  h_harness h;
  co_setup(&h, 65535);
  h_goto(&h, LTCP_ESTABLISHED, H_ACTIVE);
  uint32_t s = h.iss + 1;
  assert_int_equal(ltcp_send(h.st, h.fd, data, 5000, 0), 5000);
  const uint8_t *p;
  size_t len = ltcp_stack_tx_peek(h.st, &p);
  assert_int_equal(len, 20 + 20 + 5000);
  assert_int_equal(ltcp_stack_tx_seg_size(h.st), 1460);
  ltcp_ipv4_hdr ip;
  assert_int_equal(ltcp_ipv4_parse(p, len, &ip), LTCP_DROP_NONE); /* IP checksum complete */
  static uint8_t copy[65536];
  memcpy(copy, p, len);
  uint32_t pseudo = ltcp_cksum_pseudo_ipv4(ip.src, ip.dst, LTCP_IPPROTO_TCP, (uint16_t)(len - 20));
  assert_int_equal(ltcp_get16(copy + 20 + 16), (uint16_t)~ltcp_cksum_finish(pseudo));
  ltcp_put16(copy + 20 + 16, ltcp_cksum_finish(ltcp_cksum_add(0, copy + 20, len - 20)));
  ltcp_seg seg;
  assert_int_equal(ltcp_tcp_parse(copy + 20, len - 20, ip.src, ip.dst, &seg), LTCP_DROP_NONE);
  assert_int_equal(seg.seq, s);
  assert_int_equal(seg.len, 5000);
  assert_memory_equal(seg.data, data, 5000);
  ltcp_stack_tx_pop(h.st);
  h_free(&h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_csum_offload_every_segment_carries_the_pseudo_header_sum,
                                h_teardown),
      cmocka_unit_test_teardown(test_csum_offload_reset_reply_carries_the_pseudo_header_sum,
                                h_teardown),
      cmocka_unit_test_teardown(test_csum_offload_with_tso_one_large_packet, h_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
