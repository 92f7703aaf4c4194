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

#define LTCP_IPV4_HDR_LEN 20
#define LTCP_IPPROTO_ICMP 1
#define LTCP_IPPROTO_TCP 6

typedef struct ltcp_ipv4_hdr {
  uint8_t hdr_len;    /**< bytes, options included */
  uint8_t tos;
  uint16_t total_len; /**< bytes, header included */
  uint16_t id;
  uint16_t frag;      /**< flags (DF 0x4000, MF 0x2000) and offset in 8-byte units */
  uint8_t ttl;
  uint8_t proto;
  uint32_t src;       /**< host byte order */
  uint32_t dst;
} ltcp_ipv4_hdr;

#define LTCP_IPV4_DF 0x4000
#define LTCP_IPV4_MF 0x2000
#define LTCP_IPV4_OFFSET_MASK 0x1fff

/** Checks and decodes the header of the len bytes at pkt: version, header length, total length
 * (<= len; bytes beyond it are link padding and ignored), header checksum. Fragments are
 * reported as LTCP_DROP_IP_FRAGMENT. Returns LTCP_DROP_NONE or the reason to drop. The payload
 * is pkt[h->hdr_len .. h->total_len). */
ltcp_drop_reason ltcp_ipv4_parse(const uint8_t *pkt, size_t len, ltcp_ipv4_hdr *h);
/** Writes a 20-byte header (no options) from h, checksum computed, hdr_len taken as 20;
 * h->total_len must already count the payload. Returns 20. */
size_t ltcp_ipv4_write(uint8_t *out, const ltcp_ipv4_hdr *h);

#ifdef __cplusplus
}
#endif
#endif
