/** @file
 * IPv6 headers (RFC 8200): the fixed header, the walk over extension headers to the upper
 * layer (§4), the TCP pseudo-header (§8.1), and ICMPv6 (RFC 4443). No state. */
#ifndef LUCIDTCP_WIRE_IPV6_H
#define LUCIDTCP_WIRE_IPV6_H

#include <stddef.h>
#include <stdint.h>

#include "../stats.h"
#include "icmp.h"
#include "ipv4.h" /* LTCP_IPPROTO_TCP */
#include "tcp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTCP_IPV6_HDR_LEN 40      /**< the fixed header */
#define LTCP_IPV6_EXT_MAX 8       /**< extension headers walked at most before the chain is
                                   * dropped (RFC 8200 §4.1 allows each once, Destination
                                   * Options twice: 7 in all) */
#define LTCP_IPPROTO_HOPOPTS 0    /**< next header: Hop-by-Hop Options (§4.3) */
#define LTCP_IPPROTO_ROUTING 43   /**< next header: Routing (§4.4) */
#define LTCP_IPPROTO_FRAGMENT 44  /**< next header: Fragment (§4.5) */
#define LTCP_IPPROTO_ICMPV6 58    /**< next header: ICMPv6 (RFC 4443) */
#define LTCP_IPPROTO_NONE 59      /**< next header: none (§4.7) */
#define LTCP_IPPROTO_DSTOPTS 60   /**< next header: Destination Options (§4.6) */

/** An IPv6 header, decoded, and where its extension headers lead. */
typedef struct ltcp_ipv6_hdr {
  uint8_t tclass;        /**< traffic class */
  uint32_t flow;         /**< flow label, 20 bits (RFC 6437) */
  uint16_t payload_len;  /**< bytes after the fixed header, extension headers included */
  uint8_t next;          /**< the fixed header's next header */
  uint8_t hop_limit;     /**< hop limit */
  uint8_t src[16];       /**< source address, network byte order */
  uint8_t dst[16];       /**< destination address */
  uint8_t proto;         /**< parse: the upper-layer protocol the walk reached */
  uint16_t off;          /**< parse: offset of the upper-layer header in the packet */
  uint8_t problem_code;  /**< parse, LTCP_DROP_IP6_PARAM_PROBLEM: the ICMPv6 code (RFC 4443
                          * §3.4: 0 erroneous field, 1 next header, 2 option) */
  uint32_t problem_ptr;  /**< ... and the pointer: the offending octet's offset */
} ltcp_ipv6_hdr;

/** Checks and decodes the packet: version 6, payload length (<= len - 40; bytes beyond are link
 * padding), then walks the extension headers (RFC 8200 §4): Hop-by-Hop only first, options
 * skipped or acted on by their type's two high bits (§4.2), a routing header with segments
 * left answered (§4.4), an atomic fragment (RFC 6946) taken as whole, at most
 * LTCP_IPV6_EXT_MAX headers, none past the payload. h->proto and h->off give the upper layer.
 * @param pkt the packet
 * @param len its length
 * @param h receives the fields
 * @return LTCP_DROP_NONE; LTCP_DROP_IP6_PARAM_PROBLEM with h->problem_* set (answer with an
 *         ICMPv6 parameter problem); LTCP_DROP_IP6_FRAGMENT with h->off at the fragment header
 *         (a fragment to reassemble, RFC 8200 §4.5);
 *         or another reason to drop it silently */
ltcp_drop_reason ltcp_ipv6_parse(const uint8_t *pkt, size_t len, ltcp_ipv6_hdr *h);
/** Whether the first fragment of a packet holds the whole header chain (RFC 7112 §5, RFC 8200
 * §4.5): from the header its Fragment header names, through the extension headers, to the
 * upper-layer header (TCP's 20 bytes, ICMPv6's 8). An unknown next header ends the walk (the
 * reassembled packet's walk answers it).
 * @param p the fragment's data, after its Fragment header
 * @param len its length
 * @param next the Fragment header's next header
 * @return 1 or 0 */
int ltcp_ipv6_chain_complete(const uint8_t *p, size_t len, uint8_t next);
/** Writes the 40-byte fixed header from h (version, tclass, flow, payload_len, next,
 * hop_limit, src, dst).
 * @param out 40 bytes
 * @param h the fields
 * @return 40 */
size_t ltcp_ipv6_write(uint8_t *out, const ltcp_ipv6_hdr *h);
/** The one's-complement sum of the IPv6 pseudo-header (RFC 8200 §8.1), unfolded, to start a
 * TCP or ICMPv6 checksum with ltcp_cksum_add.
 * @param src source address
 * @param dst destination address
 * @param proto the upper-layer protocol
 * @param len the upper-layer packet's length
 * @return the partial sum */
uint32_t ltcp_cksum_pseudo_ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                                uint32_t len);

#define LTCP_ICMPV6_DEST_UNREACH 1   /**< type: destination unreachable (RFC 4443 §3.1) */
#define LTCP_ICMPV6_PACKET_TOO_BIG 2 /**< type: packet too big (§3.2) */
#define LTCP_ICMPV6_TIME_EXCEEDED 3  /**< type: time exceeded (§3.3) */
#define LTCP_ICMPV6_PARAM_PROBLEM 4  /**< type: parameter problem (§3.4) */
#define LTCP_ICMPV6_ECHO_REQUEST 128 /**< type: echo request (§4.1) */
#define LTCP_ICMPV6_ECHO_REPLY 129   /**< type: echo reply (§4.2) */
#define LTCP_ICMPV6_PORT_UNREACH 4   /**< code of DEST_UNREACH: port unreachable */
#define LTCP_ICMPV6_ERROR_MAX 1280   /**< an error message's packet at most (RFC 4443 §2.4 (c)) */

/** Whether an ICMPv6 type is an error (RFC 4443 §2.1: types below 128).
 * @param type the type
 * @return 1 or 0 */
static inline int ltcp_icmpv6_is_error(uint8_t type) { return type < 128; }

/** Checks length and checksum (with the IPv6 pseudo-header, RFC 4443 §2.3) of an ICMPv6
 * message and decodes it.
 * @param msg the message
 * @param len its length
 * @param src the packet's source
 * @param dst its destination
 * @param h receives it (h->data points into msg)
 * @return LTCP_DROP_NONE, LTCP_DROP_ICMP_TRUNCATED or LTCP_DROP_ICMP_CHECKSUM */
ltcp_drop_reason ltcp_icmpv6_parse(const uint8_t *msg, size_t len, const uint8_t src[16],
                                   const uint8_t dst[16], ltcp_icmp_hdr *h);
/** Writes an ICMPv6 message (header from h, then h->data) with its checksum into out.
 * @param out where it goes
 * @param cap room at out
 * @param h the message
 * @param src the packet's source
 * @param dst its destination
 * @return its length, or 0 when it does not fit */
size_t ltcp_icmpv6_write(uint8_t *out, size_t cap, const ltcp_icmp_hdr *h, const uint8_t src[16],
                         const uint8_t dst[16]);
/** Decodes a TCP segment that came over IPv6: the checksum with the IPv6 pseudo-header (RFC
 * 8200 §8.1), then as ltcp_tcp_parse_unchecked, with src_id and dst_id as the segment's
 * addresses (the names the caller gives the two IPv6 addresses).
 * @param tcp the TCP header and payload
 * @param len their length
 * @param src the source address
 * @param dst the destination address
 * @param src_id seg->src_addr
 * @param dst_id seg->dst_addr
 * @param seg receives the segment
 * @return LTCP_DROP_NONE or the reason */
ltcp_drop_reason ltcp_tcp_parse_ipv6(const uint8_t *tcp, size_t len, const uint8_t src[16],
                                     const uint8_t dst[16], uint32_t src_id, uint32_t dst_id,
                                     ltcp_seg *seg);
/** Makes the checksum of a TCP segment computed with an IPv4 pseudo-header of src_id and dst_id
 * the one of the IPv6 pseudo-header of src and dst (RFC 1624 incremental update; the protocol
 * and length words are the same in both). With partial, the field holds the folded pseudo-header
 * sum of a checksum offload (ltcp_tcp_partial_checksum), not a complemented checksum.
 * @param tcp the TCP header
 * @param src_id the IPv4-shaped source it was computed with
 * @param dst_id the destination
 * @param src the IPv6 source
 * @param dst the IPv6 destination
 * @param partial 1 for an offload's partial sum */
void ltcp_tcp_checksum_to_ipv6(uint8_t *tcp, uint32_t src_id, uint32_t dst_id,
                               const uint8_t src[16], const uint8_t dst[16], int partial);

#ifdef __cplusplus
}
#endif
#endif
