/* IPv6 (RFC 8200) in the IP layer: packets in (the extension header walk, TCP, ICMPv6), the
 * IPv6 header of each TCP segment out (with its flow label, RFC 6437), ICMPv6 (RFC 4443) echo
 * and errors, rate-limited. Private to src/ip/. */
#ifndef LTCP_IP_IP6_H
#define LTCP_IP_IP6_H

#include <stddef.h>
#include <stdint.h>

#include "ip/ip.h"

/* RFC 4443 §2.4 (f): ICMPv6 errors sent in a burst at most, then one a millisecond (Linux's
 * icmp_msgs_burst and icmp_msgs_per_sec). */
#define LTCP_IP6_ICMP_BURST 50u

/* A packet whose version is 6: a fragment is held until its packet is whole (RFC 8200 §4.5). */
void ltcp_ip6_input(ltcp_ip *ip, const uint8_t *pkt, size_t len, uint32_t flags);
/* Packets not whole in time (cfg.frag6_timeout_ns): dropped, the sender told with a time
 * exceeded (code 1) when the first fragment came (§4.5). Bounded by the packets held. */
void ltcp_ip6_frags_expire(ltcp_ip *ip, ltcp_time_ns now);
/* The segment seg (to an IPv6 handle), tcp_len bytes at tcp in a slot with room for the IPv6
 * header before it, its checksum computed over IPv4-shaped names: queued; seg_size > 0 asks
 * the link to cut it into segments of that many bytes (TSO, VIRTIO_NET_HDR_GSO_TCPV6). */
void ltcp_ip6_tx_commit(ltcp_ip *ip, uint8_t *tcp, const ltcp_seg *seg, uint32_t tcp_len,
                        uint32_t seg_size);

#endif
