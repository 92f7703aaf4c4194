/* The virtio_net_hdr of a TUN device with offloads (src/link/vnet.c; linux/virtio_net.h): the
 * header written before a packet the kernel must cut (TSO), the checks on one read, and the
 * partial checksum (NEEDS_CSUM) made and completed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "link/vnet.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"
#include "lucidtcp/wire/tcp.h"

#define SRC 0xc6120002u /* 198.18.0.2 */
#define DST 0xc6120001u /* 198.18.0.1 */

/* An IPv4+TCP packet with a timestamp option (32-byte TCP header) and len bytes of payload, its
 * checksums complete. Returns its length. */
static size_t vnet_packet(uint8_t *pkt, size_t cap, uint32_t len) {
  ltcp_seg seg = {0};
  seg.src_addr = SRC;
  seg.dst_addr = DST;
  seg.src_port = 40000;
  seg.dst_port = 80;
  seg.seq = 1000;
  seg.ack = 2000;
  seg.flags = 0x10 | 0x08; /* ACK, PSH */
  seg.wnd = 512;
  seg.opts.has_timestamps = 1;
  seg.opts.ts_val = 7;
  size_t hl = ltcp_tcp_write_header(pkt + LTCP_IPV4_HDR_LEN, cap - LTCP_IPV4_HDR_LEN, &seg);
  assert_int_equal(hl, 32);
  for (uint32_t i = 0; i < len; i++) pkt[LTCP_IPV4_HDR_LEN + hl + i] = (uint8_t)(i * 7 + 3);
  ltcp_tcp_set_checksum(pkt + LTCP_IPV4_HDR_LEN, hl + len, SRC, DST);
  ltcp_ipv4_hdr ip = {.hdr_len = LTCP_IPV4_HDR_LEN, .ttl = 64, .proto = LTCP_IPPROTO_TCP};
  ip.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + hl + len);
  ip.src = SRC;
  ip.dst = DST;
  ltcp_ipv4_write(pkt, &ip);
  return ip.total_len;
}

static uint8_t pkt[65535];

static void test_link_vnet_tx_hdr_one_segment_is_all_zero(void **state) {
  (void)state;
  size_t n = vnet_packet(pkt, sizeof pkt, 100);
  struct virtio_net_hdr h;
  memset(&h, 0xab, sizeof h);
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n, 0), 0);
  struct virtio_net_hdr zero;
  memset(&zero, 0, sizeof zero);
  assert_memory_equal(&h, &zero, sizeof h);
  assert_int_equal(LTCP_VNET_HDR_LEN, 10);
}

static void test_link_vnet_tx_hdr_tso_fields(void **state) {
  (void)state;
  size_t n = vnet_packet(pkt, sizeof pkt, 3 * 1448 + 17); /* not a multiple of the MSS */
  struct virtio_net_hdr h;
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n, 1448), 0);
  assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
  assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
  assert_int_equal(h.gso_size, 1448);
  assert_int_equal(h.hdr_len, 20 + 32);
  assert_int_equal(h.csum_start, 20);
  assert_int_equal(h.csum_offset, 16);
}

/* A packet whose field already holds the partial sum (cfg.csum_offload): NEEDS_CSUM at the TCP
 * header's checksum for TCP of any size, GSO only with a segment size; zero for anything else. */
static void test_link_vnet_tx_hdr_partial_marks_every_tcp_packet(void **state) {
  (void)state;
  size_t n = vnet_packet(pkt, sizeof pkt, 100);
  struct virtio_net_hdr h;
  assert_int_equal(ltcp_vnet_tx_hdr_partial(&h, pkt, n, 0), 0);
  assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
  assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
  assert_int_equal(h.gso_size, 0);
  assert_int_equal(h.csum_start, 20);
  assert_int_equal(h.csum_offset, 16);
  n = vnet_packet(pkt, sizeof pkt, 3 * 1448);
  assert_int_equal(ltcp_vnet_tx_hdr_partial(&h, pkt, n, 1448), 0);
  assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
  assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
  assert_int_equal(h.gso_size, 1448);
  pkt[9] = 1; /* ICMP: its own checksum is whole, nothing to complete */
  struct virtio_net_hdr zero;
  memset(&zero, 0, sizeof zero);
  assert_int_equal(ltcp_vnet_tx_hdr_partial(&h, pkt, n, 0), 0);
  assert_memory_equal(&h, &zero, sizeof h);
  assert_int_equal(ltcp_vnet_tx_hdr_partial(&h, pkt, n, 1448), -1);
  pkt[9] = LTCP_IPPROTO_TCP;
}

static void test_link_vnet_tx_hdr_rejects_what_is_not_ipv4_tcp(void **state) {
  (void)state;
  size_t n = vnet_packet(pkt, sizeof pkt, 3000);
  struct virtio_net_hdr h;
  pkt[9] = 17; /* UDP */
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n, 1448), -1);
  pkt[9] = LTCP_IPPROTO_TCP;
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n - 1, 1448), -1); /* total length disagrees */
  pkt[0] = 0x46; /* IP options: not what the stack sends */
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n, 1448), -1);
  pkt[0] = 0x45;
  pkt[LTCP_IPV4_HDR_LEN + 12] = 0xf0; /* data offset past the packet's end */
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, 20 + 40, 1448), -1);
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, 30, 1448), -1);
}

/* The partial checksum in the field, completed over csum_start..end, gives back the checksum the
 * stack computed: what the kernel does for each segment it cuts, or a reader completing it. */
static void test_link_vnet_partial_csum_completes_to_the_full_one(void **state) {
  (void)state;
  static const uint32_t lens[] = {0, 1, 1447, 1448, 2 * 1448 + 1, 65535 - 52};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    size_t n = vnet_packet(pkt, sizeof pkt, lens[i]);
    uint16_t full = ltcp_get16(pkt + 20 + 16);
    struct virtio_net_hdr h;
    assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n, 1448), 0);
    ltcp_put16(pkt + 20 + 16, ltcp_vnet_partial_csum(pkt, n));
    assert_int_not_equal(ltcp_get16(pkt + 20 + 16), full);
    ltcp_vnet_csum_complete(pkt, n, &h);
    assert_int_equal(ltcp_get16(pkt + 20 + 16), full);
    ltcp_seg seg;
    assert_int_equal(ltcp_tcp_parse(pkt + 20, n - 20, SRC, DST, &seg), LTCP_DROP_NONE);
    assert_int_equal(seg.len, lens[i]);
  }
}

static void test_link_vnet_rx_check_flags(void **state) {
  (void)state;
  struct virtio_net_hdr h;
  memset(&h, 0, sizeof h);
  assert_int_equal(ltcp_vnet_rx_check(&h, 60), 0);
  h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
  assert_int_equal(ltcp_vnet_rx_check(&h, 60), LTCP_VNET_RX_CSUM_VALID);
  h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
  h.gso_size = 1448;
  h.hdr_len = 52;
  h.csum_start = 20;
  h.csum_offset = 16;
  assert_int_equal(ltcp_vnet_rx_check(&h, 20000),
                   LTCP_VNET_RX_CSUM_PARTIAL | LTCP_VNET_RX_LARGE);
  assert_int_equal(ltcp_vnet_rx_check(&h, 38), LTCP_VNET_RX_CSUM_PARTIAL | LTCP_VNET_RX_LARGE);
  assert_int_equal(ltcp_vnet_rx_check(&h, 37), -1); /* the field runs past the packet */
}

static void test_link_vnet_rx_check_refuses_what_was_not_offered(void **state) {
  (void)state;
  static const uint8_t types[] = {VIRTIO_NET_HDR_GSO_UDP,
                                  VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
                                  VIRTIO_NET_HDR_GSO_TCPV6 | VIRTIO_NET_HDR_GSO_ECN};
  for (size_t i = 0; i < sizeof types; i++) {
    struct virtio_net_hdr h;
    memset(&h, 0, sizeof h);
    h.gso_type = types[i];
    h.gso_size = 1448;
    assert_int_equal(ltcp_vnet_rx_check(&h, 20000), -1);
  }
}

/* ---- IPv6 (TUN_F_TSO6) */

static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
static const uint8_t DST6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

/* The IPv4 packet of vnet_packet as IPv6+TCP (RFC 8200 §8.1's checksum). Returns its length. */
static size_t vnet_packet6(uint8_t *p, size_t cap, uint32_t len) {
  size_t n4 = vnet_packet(p + 20, cap - 20, len), tlen = n4 - LTCP_IPV4_HDR_LEN;
  uint8_t *tcp = p + LTCP_IPV6_HDR_LEN;
  ltcp_tcp_checksum_to_ipv6(tcp, SRC, DST, SRC6, DST6, 0);
  ltcp_ipv6_hdr ip = {.next = LTCP_IPPROTO_TCP, .hop_limit = 64, .payload_len = (uint16_t)tlen};
  memcpy(ip.src, SRC6, 16);
  memcpy(ip.dst, DST6, 16);
  ltcp_ipv6_write(p, &ip);
  return LTCP_IPV6_HDR_LEN + tlen;
}

/* VIRTIO_NET_HDR_GSO_TCPV6, csum_start after the 40-byte header; the partial sum of the IPv6
 * pseudo-header completes to the full checksum; NEEDS_CSUM alone without a segment size. */
static void test_link_vnet_ipv6_tso_fields_and_partial_csum(void **state) {
  (void)state;
  static const uint32_t lens[] = {0, 1, 1427, 3 * 1428 + 17, 65535 - 72};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    size_t n = vnet_packet6(pkt, sizeof pkt, lens[i]);
    uint16_t full = ltcp_get16(pkt + 40 + 16);
    ltcp_seg seg;
    assert_int_equal(ltcp_tcp_parse_ipv6(pkt + 40, n - 40, SRC6, DST6, 1, 2, &seg),
                     LTCP_DROP_NONE);
    struct virtio_net_hdr h;
    assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n, 1428), 0);
    assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
    assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
    assert_int_equal(h.gso_size, 1428);
    assert_int_equal(h.hdr_len, 40 + 32);
    assert_int_equal(h.csum_start, 40);
    assert_int_equal(h.csum_offset, 16);
    ltcp_put16(pkt + 40 + 16, ltcp_vnet_partial_csum(pkt, n));
    ltcp_vnet_csum_complete(pkt, n, &h);
    assert_int_equal(ltcp_get16(pkt + 40 + 16), full);
  }
  size_t n = vnet_packet6(pkt, sizeof pkt, 100);
  struct virtio_net_hdr h;
  assert_int_equal(ltcp_vnet_tx_hdr_partial(&h, pkt, n, 0), 0);
  assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
  assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
  assert_int_equal(h.csum_start, 40);
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n - 1, 1428), -1); /* payload length disagrees */
  pkt[6] = LTCP_IPPROTO_DSTOPTS; /* an extension header: not what the stack sends */
  assert_int_equal(ltcp_vnet_tx_hdr(&h, pkt, n, 1428), -1);
  memset(&h, 0, sizeof h);
  h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6; /* GRO over IPv6: taken, large */
  assert_int_equal(ltcp_vnet_rx_check(&h, 20000), LTCP_VNET_RX_LARGE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_link_vnet_tx_hdr_one_segment_is_all_zero),
      cmocka_unit_test(test_link_vnet_tx_hdr_tso_fields),
      cmocka_unit_test(test_link_vnet_tx_hdr_partial_marks_every_tcp_packet),
      cmocka_unit_test(test_link_vnet_tx_hdr_rejects_what_is_not_ipv4_tcp),
      cmocka_unit_test(test_link_vnet_partial_csum_completes_to_the_full_one),
      cmocka_unit_test(test_link_vnet_rx_check_flags),
      cmocka_unit_test(test_link_vnet_rx_check_refuses_what_was_not_offered),
      cmocka_unit_test(test_link_vnet_ipv6_tso_fields_and_partial_csum),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
