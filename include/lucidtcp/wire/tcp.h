/** @file
 * TCP headers and options (RFC 9293 §3.1, §3.2; RFC 7323; RFC 2018): parse and build. No state. */
#ifndef LUCIDTCP_WIRE_TCP_H
#define LUCIDTCP_WIRE_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "../stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LTCP_TCP_HDR_LEN 20        /**< a header without options */
#define LTCP_TCP_MAX_HDR_LEN 60    /**< with 40 bytes of options */
#define LTCP_TCP_MAX_SACK_BLOCKS 4 /**< SACK blocks one segment carries at most */

/** Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018). */
enum {
  LTCP_TCPOPT_EOL = 0,
  LTCP_TCPOPT_NOP = 1,
  LTCP_TCPOPT_MSS = 2,
  LTCP_TCPOPT_WSCALE = 3,
  LTCP_TCPOPT_SACK_PERMITTED = 4,
  LTCP_TCPOPT_SACK = 5,
  LTCP_TCPOPT_TIMESTAMP = 8
};

/** One SACK block (RFC 2018): the bytes [left, right) arrived. */
typedef struct ltcp_sack_block {
  uint32_t left;  /**< first sequence number of the block */
  uint32_t right; /**< the sequence number after it */
} ltcp_sack_block;

/** The options of a segment, decoded or to be written. */
typedef struct ltcp_tcp_options {
  uint16_t mss;            /**< 0: absent */
  uint8_t has_wscale;      /**< 1: window scale present */
  uint8_t wscale;          /**< its shift count */
  uint8_t sack_permitted;  /**< 1: SACK-permitted present */
  uint8_t has_timestamps;  /**< 1: timestamps present */
  uint32_t ts_val;         /**< timestamps: TSval */
  uint32_t ts_ecr;         /**< timestamps: TSecr */
  uint8_t sack_count;      /**< SACK blocks in sack */
  ltcp_sack_block sack[LTCP_TCP_MAX_SACK_BLOCKS]; /**< the SACK option's blocks */
} ltcp_tcp_options;

/** A TCP segment, decoded. Addresses come from the IP header (host byte order). */
typedef struct ltcp_seg {
  uint32_t src_addr;       /**< source address */
  uint32_t dst_addr;       /**< destination address */
  uint16_t src_port;       /**< source port */
  uint16_t dst_port;       /**< destination port */
  uint32_t seq;            /**< sequence number */
  uint32_t ack;            /**< acknowledgment number */
  uint8_t flags;           /**< LTCP_SYN | LTCP_ACK ... (common.h) */
  uint16_t wnd;            /**< window field, unscaled */
  uint16_t urp;            /**< urgent pointer */
  ltcp_tcp_options opts;   /**< its options */
  const uint8_t *data;     /**< payload, pointing into the packet */
  uint32_t len;            /**< payload bytes */
} ltcp_seg;

/** Sequence space the segment occupies: payload plus one each for SYN and FIN.
 * @param s the segment
 * @return its length in sequence numbers */
static inline uint32_t ltcp_seg_seqlen(const ltcp_seg *s) {
  return s->len + ((s->flags & 0x02) ? 1u : 0u) + ((s->flags & 0x01) ? 1u : 0u);
}

/** Decodes the len bytes at tcp (header + payload) that came from src to dst: checks length,
 * data offset, checksum (with the pseudo-header), port 0 and options (an option whose length
 * is < 2 or runs past the header, or an MSS/WS/SACK-permitted/timestamp of the wrong length,
 * is LTCP_DROP_TCP_OPTIONS; unknown kinds with a sane length are skipped).
 * @param tcp the TCP header and payload
 * @param len their length
 * @param src the source address (for the pseudo-header)
 * @param dst the destination address
 * @param seg receives the segment; seg->data points into tcp
 * @return LTCP_DROP_NONE, or the reason to drop it */
ltcp_drop_reason ltcp_tcp_parse(const uint8_t *tcp, size_t len, uint32_t src, uint32_t dst,
                                ltcp_seg *seg);

/** As ltcp_tcp_parse without verifying the checksum, for a packet the link vouches for
 * (LTCP_INPUT_CSUM_OK: Linux's CHECKSUM_PARTIAL or CHECKSUM_UNNECESSARY).
 * @param tcp the TCP header and payload
 * @param len their length
 * @param src the source address
 * @param dst the destination address
 * @param seg receives the segment
 * @return LTCP_DROP_NONE, or the reason to drop it */
ltcp_drop_reason ltcp_tcp_parse_unchecked(const uint8_t *tcp, size_t len, uint32_t src,
                                          uint32_t dst, ltcp_seg *seg);

/** Bytes of options ltcp_tcp_write_header would write for opts.
 * @param opts the options
 * @return their length, a multiple of 4 */
size_t ltcp_tcp_options_len(const ltcp_tcp_options *opts);
/** Writes the header with its options (MSS, window scale, SACK-permitted, timestamps, SACK
 * blocks, padded with NOP/EOL to 4 bytes) and a zero checksum. The payload goes right after
 * it; then call ltcp_tcp_set_checksum.
 * @param out where the header goes
 * @param cap out's size
 * @param seg the fields and options
 * @return the header length, or 0 if cap is too small */
size_t ltcp_tcp_write_header(uint8_t *out, size_t cap, const ltcp_seg *seg);
/** Computes and stores the checksum of the tcp_len bytes at tcp (header + payload).
 * @param tcp the segment
 * @param tcp_len its length
 * @param src the source address
 * @param dst the destination address */
void ltcp_tcp_set_checksum(uint8_t *tcp, size_t tcp_len, uint32_t src, uint32_t dst);
/** The pseudo-header sum alone (folded, not complemented), host order: what the checksum field
 * holds for a link that sums the segment from its TCP header on and completes the field (virtio
 * NEEDS_CSUM with csum_start at the TCP header, Linux's CHECKSUM_PARTIAL).
 * @param tcp_len the segment's length, header and payload
 * @param src the source address
 * @param dst the destination address
 * @return the field's value */
uint16_t ltcp_tcp_partial_checksum(size_t tcp_len, uint32_t src, uint32_t dst);
/** The same, where payload_sum is the sum (ltcp_cksum_add from 0, or the ltcp_cksum_copy that
 * put it there) of the tcp_len - hdr_len payload bytes after the header: only the header and
 * the pseudo-header are summed here.
 * @param tcp the segment
 * @param hdr_len its header's length
 * @param tcp_len its whole length
 * @param payload_sum the payload's sum
 * @param src the source address
 * @param dst the destination address */
void ltcp_tcp_set_checksum_payload(uint8_t *tcp, size_t hdr_len, size_t tcp_len,
                                   uint32_t payload_sum, uint32_t src, uint32_t dst);

#ifdef __cplusplus
}
#endif
#endif
