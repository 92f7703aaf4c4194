/* virtio_net_hdr for a TUN device with offloads (linux/virtio_net.h): build, check, complete. */
#include "link/vnet.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/ipv6.h"
#include "lucidtcp/wire/tcp.h"

#define VNET_TCP_CSUM_OFFSET 16 /* RFC 9293 §3.1: the checksum field of the TCP header */

/* The IP header's length when pkt is IPv4 (no options) or IPv6 (no extension headers: the
 * stack sends none) carrying TCP in all of its len bytes, else 0. */
static size_t vnet_ip_header(const uint8_t *pkt, size_t len) {
  if (len >= LTCP_IPV4_HDR_LEN && pkt[0] == 0x45)
    return pkt[9] == LTCP_IPPROTO_TCP && ltcp_get16(pkt + 2) == len ? LTCP_IPV4_HDR_LEN : 0;
  if (len >= LTCP_IPV6_HDR_LEN && (pkt[0] >> 4) == 6) /* RFC 8200 §3 */
    return pkt[6] == LTCP_IPPROTO_TCP && (size_t)ltcp_get16(pkt + 4) + LTCP_IPV6_HDR_LEN == len
               ? LTCP_IPV6_HDR_LEN
               : 0;
  return 0;
}

/* The IP and TCP header lengths of pkt, or 0 when it is not a whole IPv4+TCP or IPv6+TCP
 * packet. */
static size_t vnet_tcp_headers(const uint8_t *pkt, size_t len) {
  size_t ihl = vnet_ip_header(pkt, len);
  if (ihl == 0 || len < ihl + LTCP_TCP_HDR_LEN) return 0;
  size_t thl = (size_t)(pkt[ihl + 12] >> 4) * 4;
  if (thl < LTCP_TCP_HDR_LEN || ihl + thl > len) return 0;
  return ihl + thl;
}

/* NEEDS_CSUM at the TCP checksum field of a packet whose IP header is ihl bytes. */
static void vnet_needs_csum(struct virtio_net_hdr *h, size_t ihl) {
  h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h->csum_start = (uint16_t)ihl;
  h->csum_offset = VNET_TCP_CSUM_OFFSET;
}

int ltcp_vnet_tx_hdr(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len, uint32_t seg_size) {
  memset(h, 0, sizeof *h);
  if (seg_size == 0) return 0;
  size_t hl = vnet_tcp_headers(pkt, len), ihl = vnet_ip_header(pkt, len);
  if (hl == 0 || seg_size > 0xffff) return -1;
  vnet_needs_csum(h, ihl);
  h->gso_type = ihl == LTCP_IPV6_HDR_LEN ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
  h->hdr_len = (uint16_t)hl;
  h->gso_size = (uint16_t)seg_size;
  return 0;
}

int ltcp_vnet_tx_hdr_partial(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
                             uint32_t seg_size) {
  if (seg_size) return ltcp_vnet_tx_hdr(h, pkt, len, seg_size);
  memset(h, 0, sizeof *h);
  if (vnet_tcp_headers(pkt, len) == 0) return 0; /* not TCP (ICMP): its checksum is whole */
  vnet_needs_csum(h, vnet_ip_header(pkt, len));
  return 0;
}

uint16_t ltcp_vnet_partial_csum(const uint8_t *pkt, size_t len) {
  if ((pkt[0] >> 4) == 6) { /* RFC 8200 §8.1: the IPv6 pseudo-header, folded */
    uint32_t sum = ltcp_cksum_pseudo_ipv6(pkt + 8, pkt + 24, LTCP_IPPROTO_TCP,
                                          (uint32_t)(len - LTCP_IPV6_HDR_LEN));
    return (uint16_t)~ltcp_cksum_finish(sum);
  }
  return ltcp_tcp_partial_checksum(len - LTCP_IPV4_HDR_LEN, ltcp_get32(pkt + 12),
                                   ltcp_get32(pkt + 16));
}

int ltcp_vnet_rx_check(const struct virtio_net_hdr *h, size_t len) {
  int flags = 0;
  if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4 || h->gso_type == VIRTIO_NET_HDR_GSO_TCPV6)
    flags |= (int)LTCP_VNET_RX_LARGE;
  else if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) return -1; /* ECN, UDP: not offered */
  if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
    if ((size_t)h->csum_start + h->csum_offset + 2 > len) return -1;
    flags |= (int)LTCP_VNET_RX_CSUM_PARTIAL;
  } else if (h->flags & VIRTIO_NET_HDR_F_DATA_VALID) {
    flags |= (int)LTCP_VNET_RX_CSUM_VALID;
  }
  return flags;
}

void ltcp_vnet_csum_complete(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h) {
  size_t start = h->csum_start, at = start + h->csum_offset;
  uint16_t c = ltcp_cksum_finish(ltcp_cksum_add(0, pkt + start, len - start));
  ltcp_put16(pkt + at, c);
}
