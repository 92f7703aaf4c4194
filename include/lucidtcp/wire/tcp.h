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

#define LTCP_TCP_HDR_LEN 20
#define LTCP_TCP_MAX_HDR_LEN 60
#define LTCP_TCP_MAX_SACK_BLOCKS 4

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

typedef struct ltcp_sack_block {
  uint32_t left, right;
} ltcp_sack_block;

typedef struct ltcp_tcp_options {
  uint16_t mss;            /**< 0: absent */
  uint8_t has_wscale;
  uint8_t wscale;
  uint8_t sack_permitted;
  uint8_t has_timestamps;
  uint32_t ts_val, ts_ecr;
  uint8_t sack_count;
  ltcp_sack_block sack[LTCP_TCP_MAX_SACK_BLOCKS];
} ltcp_tcp_options;

/** A TCP segment, decoded. Addresses come from the IP header (host byte order). */
typedef struct ltcp_seg {
  uint32_t src_addr, dst_addr;
  uint16_t src_port, dst_port;
  uint32_t seq, ack;
  uint8_t flags;           /**< LTCP_SYN | LTCP_ACK ... (common.h) */
  uint16_t wnd;
  uint16_t urp;
  ltcp_tcp_options opts;
  const uint8_t *data;     /**< payload, pointing into the packet */
  uint32_t len;            /**< payload bytes */
} ltcp_seg;

/** Sequence space the segment occupies: payload plus one each for SYN and FIN. */
static inline uint32_t ltcp_seg_seqlen(const ltcp_seg *s) {
  return s->len + ((s->flags & 0x02) ? 1u : 0u) + ((s->flags & 0x01) ? 1u : 0u);
}

/** Decodes the len bytes at tcp (header + payload) that came from src to dst: checks length,
 * data offset, checksum (with the pseudo-header), port 0 and options (an option whose length
 * is < 2 or runs past the header, or an MSS/WS/SACK-permitted/timestamp of the wrong length,
 * is LTCP_DROP_TCP_OPTIONS; unknown kinds with a sane length are skipped). Returns
 * LTCP_DROP_NONE or the reason to drop. */
ltcp_drop_reason ltcp_tcp_parse(const uint8_t *tcp, size_t len, uint32_t src, uint32_t dst,
                                ltcp_seg *seg);

/** As ltcp_tcp_parse without verifying the checksum, for a packet the link vouches for
 * (LTCP_INPUT_CSUM_OK: Linux's CHECKSUM_PARTIAL or CHECKSUM_UNNECESSARY). */
ltcp_drop_reason ltcp_tcp_parse_unchecked(const uint8_t *tcp, size_t len, uint32_t src,
                                          uint32_t dst, ltcp_seg *seg);

/** Bytes of options ltcp_tcp_write_header would write for opts (a multiple of 4). */
size_t ltcp_tcp_options_len(const ltcp_tcp_options *opts);
/** Writes the header with its options (MSS, window scale, SACK-permitted, timestamps, SACK
 * blocks, padded with NOP/EOL to 4 bytes) and a zero checksum. Returns the header length, or 0
 * if cap is too small. The payload goes right after it; then call ltcp_tcp_set_checksum. */
size_t ltcp_tcp_write_header(uint8_t *out, size_t cap, const ltcp_seg *seg);
/** Computes and stores the checksum of the tcp_len bytes at tcp (header + payload). */
void ltcp_tcp_set_checksum(uint8_t *tcp, size_t tcp_len, uint32_t src, uint32_t dst);
/** The pseudo-header sum alone (folded, not complemented), host order: what the checksum field
 * holds for a link that sums the segment from its TCP header on and completes the field (virtio
 * NEEDS_CSUM with csum_start at the TCP header, Linux's CHECKSUM_PARTIAL). */
uint16_t ltcp_tcp_partial_checksum(size_t tcp_len, uint32_t src, uint32_t dst);
/** The same, where payload_sum is the sum (ltcp_cksum_add from 0, or the ltcp_cksum_copy that
 * put it there) of the tcp_len - hdr_len payload bytes after the header: only the header and
 * the pseudo-header are summed here. */
void ltcp_tcp_set_checksum_payload(uint8_t *tcp, size_t hdr_len, size_t tcp_len,
                                   uint32_t payload_sum, uint32_t src, uint32_t dst);

#ifdef __cplusplus
}
#endif
#endif
