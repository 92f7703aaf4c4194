/** @file
 * IPv4 headers (RFC 791): parse with every check, build without options. No state. */
#ifndef LUCIDTCP_WIRE_IPV4_H
#define LUCIDTCP_WIRE_IPV4_H

#include <stddef.h>
#include <stdint.h>

#include "../stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTCP_IPV4_HDR_LEN 20 /**< a header without options */
#define LTCP_IPPROTO_ICMP 1  /**< protocol number of ICMP */
#define LTCP_IPPROTO_TCP 6   /**< protocol number of TCP */

/** An IPv4 header, decoded. */
typedef struct ltcp_ipv4_hdr {
  uint8_t hdr_len;    /**< bytes, options included */
  uint8_t tos;        /**< type of service (DSCP and ECN) */
  uint16_t total_len; /**< bytes, header included */
  uint16_t id;        /**< identification */
  uint16_t frag;      /**< flags (DF 0x4000, MF 0x2000) and offset in 8-byte units */
  uint8_t ttl;        /**< time to live */
  uint8_t proto;      /**< LTCP_IPPROTO_* */
  uint32_t src;       /**< host byte order */
  uint32_t dst;       /**< host byte order */
} ltcp_ipv4_hdr;

#define LTCP_IPV4_DF 0x4000           /**< frag: don't fragment */
#define LTCP_IPV4_MF 0x2000           /**< frag: more fragments */
#define LTCP_IPV4_OFFSET_MASK 0x1fff  /**< frag: the fragment offset */

/** Checks and decodes the header of the len bytes at pkt: version, header length, total length
 * (<= len; bytes beyond it are link padding and ignored), header checksum. A fragment is
 * reported as LTCP_DROP_IP_FRAGMENT with h filled, for reassembly. The payload is
 * pkt[h->hdr_len .. h->total_len).
 * @param pkt the packet
 * @param len its length
 * @param h receives the fields
 * @return LTCP_DROP_NONE, or the reason to drop it */
ltcp_drop_reason ltcp_ipv4_parse(const uint8_t *pkt, size_t len, ltcp_ipv4_hdr *h);
/** Writes a 20-byte header (no options) from h, checksum computed, hdr_len taken as 20;
 * h->total_len must already count the payload.
 * @param out 20 bytes
 * @param h the fields
 * @return 20 */
size_t ltcp_ipv4_write(uint8_t *out, const ltcp_ipv4_hdr *h);

#ifdef __cplusplus
}
#endif
#endif
