/** @file
 * ICMPv4 (RFC 792): the echo messages the stack answers, and the errors it may read. */
#ifndef LUCIDTCP_WIRE_ICMP_H
#define LUCIDTCP_WIRE_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "../stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTCP_ICMP_ECHO_REPLY 0     /**< type: echo reply */
#define LTCP_ICMP_DEST_UNREACH 3   /**< type: destination unreachable */
#define LTCP_ICMP_SOURCE_QUENCH 4  /**< type: source quench (RFC 6633: ignored) */
#define LTCP_ICMP_REDIRECT 5       /**< type: redirect */
#define LTCP_ICMP_ECHO_REQUEST 8   /**< type: echo request */
#define LTCP_ICMP_TIME_EXCEEDED 11 /**< type: time exceeded */
#define LTCP_ICMP_PARAM_PROBLEM 12 /**< type: parameter problem */
#define LTCP_ICMP_FRAG_NEEDED 4    /**< code of DEST_UNREACH: fragmentation needed, the next-hop
                                    * MTU in the low 16 bits of rest (RFC 1191) */
#define LTCP_ICMP_HDR_LEN 8        /**< the header's length */

/** An ICMP message, decoded. */
typedef struct ltcp_icmp_hdr {
  uint8_t type;           /**< LTCP_ICMP_* */
  uint8_t code;           /**< the type's code */
  uint32_t rest;          /**< identifier and sequence for echo; unused/MTU for errors */
  const uint8_t *data;    /**< after the 8-byte header */
  size_t data_len;        /**< its length */
} ltcp_icmp_hdr;

/** Checks length and checksum of an ICMP message.
 * @param msg the message (the IPv4 payload)
 * @param len its length
 * @param h receives the fields; h->data points into msg
 * @return LTCP_DROP_NONE, or the reason to drop it */
ltcp_drop_reason ltcp_icmp_parse(const uint8_t *msg, size_t len, ltcp_icmp_hdr *h);
/** Writes an ICMP message (header from h, then h->data) with its checksum into out.
 * @param out where it goes
 * @param cap out's size
 * @param h the fields and the data
 * @return the length, or 0 if cap is too small */
size_t ltcp_icmp_write(uint8_t *out, size_t cap, const ltcp_icmp_hdr *h);

#ifdef __cplusplus
}
#endif
#endif
