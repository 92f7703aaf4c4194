/* The virtio_net_hdr a TUN device opened with IFF_VNET_HDR puts before every packet read and
 * expects before every packet written (linux/virtio_net.h, linux/if_tun.h): what lets one read
 * or write carry a TCP packet of up to 64 KB that stands for several segments (GSO/GRO), and a
 * checksum left for the other side to complete. Pure: building, checking, completing; no system
 * calls. The legacy 10-byte header is used, its 16-bit fields in host byte order, which is what
 * TUN reads and writes on a little-endian host unless TUNSETVNETBE is set (tun_is_little_endian;
 * on a big-endian host without TUNSETVNETLE it is native order too). Private to src/link/. */
#ifndef LTCP_LINK_VNET_H
#define LTCP_LINK_VNET_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#define LTCP_VNET_HDR_LEN ((size_t)sizeof(struct virtio_net_hdr)) /* 10 */

/* What ltcp_vnet_rx_check learned of a packet read. */
#define LTCP_VNET_RX_CSUM_PARTIAL 0x1u /* NEEDS_CSUM: the checksum field holds only the
                                        * pseudo-header sum (Linux's CHECKSUM_PARTIAL) */
#define LTCP_VNET_RX_CSUM_VALID 0x2u   /* DATA_VALID: the kernel verified it */
#define LTCP_VNET_RX_LARGE 0x4u        /* GSO_TCPV4 or GSO_TCPV6: one packet standing for
                                        * several segments */

/* Fills h for writing the packet pkt (len bytes). seg_size 0: a packet of one segment
 * with a complete checksum (no GSO, no flags). Otherwise pkt must be IPv4+TCP or IPv6+TCP:
 * gso_type VIRTIO_NET_HDR_GSO_TCPV4 or _TCPV6 with gso_size = seg_size payload bytes per
 * segment, hdr_len = the IP and TCP headers, and NEEDS_CSUM with csum_start at the TCP header
 * and csum_offset 16 (the checksum field, RFC 9293 §3.1), the field to hold
 * ltcp_vnet_partial_csum. Returns 0, or -1 when seg_size is set and pkt is not a whole IPv4
 * (no options) or IPv6 (no extension headers) + TCP packet. */
int ltcp_vnet_tx_hdr(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len, uint32_t seg_size);
/* As ltcp_vnet_tx_hdr for a packet whose checksum field already holds the partial sum: an
 * IPv4+TCP or IPv6+TCP packet gets NEEDS_CSUM (and GSO when seg_size is set) whatever its
 * size; any other packet a zero header. Returns 0, or -1 when seg_size is set and pkt is not
 * TCP. */
int ltcp_vnet_tx_hdr_partial(struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
                             uint32_t seg_size);

/* The value a TCP checksum field holds with NEEDS_CSUM: the folded pseudo-header sum of the
 * IPv4+TCP packet pkt (RFC 9293 §3.1), not complemented, as Linux's ~tcp_v4_check(len, saddr,
 * daddr, 0); of an IPv6+TCP packet, the IPv6 pseudo-header's (RFC 8200 §8.1), as Linux's
 * ~tcp_v6_check. Host order; store it big-endian. */
uint16_t ltcp_vnet_partial_csum(const uint8_t *pkt, size_t len);

/* Checks the h that came with a packet read (len bytes): only what we asked for with
 * TUNSETOFFLOAD (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) is taken: no GSO, TCPV4 or TCPV6 GSO
 * (not ECN or UDP), a csum_start/csum_offset whose 2 bytes lie inside the packet. Returns LTCP_VNET_RX_*
 * flags, or -1 (drop the packet). */
int ltcp_vnet_rx_check(const struct virtio_net_hdr *h, size_t len);

/* Completes a NEEDS_CSUM checksum in software: the ones' complement sum from csum_start to the
 * end, complemented, stored at csum_start + csum_offset (the field's partial sum is part of
 * what is summed). h must have passed ltcp_vnet_rx_check. */
void ltcp_vnet_csum_complete(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h);

#endif
