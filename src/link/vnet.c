/* virtio_net_hdr for a TUN device with offloads (linux/virtio_net.h): build, check, complete. */
#include "link/vnet.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"
#include "lucidtcp/wire/tcp.h"

#define VNET_TCP_CSUM_OFFSET 16 /* RFC 9293 §3.1: the checksum field of the TCP header */

/* The IPv4 and TCP header lengths of pkt, or 0 when it is not a whole IPv4+TCP packet. */
static size_t vnet_tcp_headers(const uint8_t *pkt, size_t len) {
  if (len < LTCP_IPV4_HDR_LEN + LTCP_TCP_HDR_LEN || pkt[0] != 0x45) return 0;
  if (pkt[9] != LTCP_IPPROTO_TCP || ltcp_get16(pkt + 2) != len) return 0;
  size_t thl = (size_t)(pkt[LTCP_IPV4_HDR_LEN + 12] >> 4) * 4;
  if (thl < LTCP_TCP_HDR_LEN || LTCP_IPV4_HDR_LEN + thl > len) return 0;
  return LTCP_IPV4_HDR_LEN + thl;
}

int ltcp_vnet_tx_hdr(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len, uint32_t seg_size) {
  memset(h, 0, sizeof *h);
  if (seg_size == 0) return 0;
  size_t hl = vnet_tcp_headers(pkt, len);
  if (hl == 0 || seg_size > 0xffff) return -1;
  h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
  h->hdr_len = (uint16_t)hl;
  h->gso_size = (uint16_t)seg_size;
  h->csum_start = LTCP_IPV4_HDR_LEN;
  h->csum_offset = VNET_TCP_CSUM_OFFSET;
  return 0;
}

int ltcp_vnet_tx_hdr_partial(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
                             uint32_t seg_size) {
  if (seg_size) return ltcp_vnet_tx_hdr(h, pkt, len, seg_size);
  memset(h, 0, sizeof *h);
  if (vnet_tcp_headers(pkt, len) == 0) return 0; /* not TCP (ICMP): its checksum is whole */
  h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
  h->csum_start = LTCP_IPV4_HDR_LEN;
  h->csum_offset = VNET_TCP_CSUM_OFFSET;
  return 0;
}

uint16_t ltcp_vnet_partial_csum(const uint8_t *pkt, size_t len) {
  return ltcp_tcp_partial_checksum(len - LTCP_IPV4_HDR_LEN, ltcp_get32(pkt + 12),
                                   ltcp_get32(pkt + 16));
}

int ltcp_vnet_rx_check(const struct virtio_net_hdr *h, size_t len) {
  int flags = 0;
  if (h->gso_type == VIRTIO_NET_HDR_GSO_TCPV4) flags |= (int)LTCP_VNET_RX_LARGE;
  else if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) return -1; /* ECN, UDP, IPv6: not offered */
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
