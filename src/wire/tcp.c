/* TCP headers and options (RFC 9293 §3.1, §3.2; RFC 7323; RFC 2018). */
#include "lucidtcp/wire/tcp.h"

#include <string.h>

#include "util/assert.h"
#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"
#include "lucidtcp/wire/ipv4.h"

#define TCP_WIRE_MAX_OPT_LEN (LTCP_TCP_MAX_HDR_LEN - LTCP_TCP_HDR_LEN)
#define TCP_WIRE_WSCALE_MAX 14 /* RFC 7323 §2.3 */

static uint16_t tcp_wire_checksum(const uint8_t *tcp, size_t len, uint32_t src, uint32_t dst) {
  LTCP_ASSERT(len <= UINT16_MAX); /* an IPv4 payload; the pseudo-header length is 16 bits */
  uint32_t sum = ltcp_cksum_pseudo_ipv4(src, dst, LTCP_IPPROTO_TCP, (uint16_t)len);
  return ltcp_cksum_finish(ltcp_cksum_add(sum, tcp, len));
}

/* Decodes one known option of olen bytes at p (kind, length, value). Returns 0 or -1 when its
 * length is wrong for its kind. */
static int tcp_wire_parse_known(const uint8_t *p, size_t olen, ltcp_tcp_options *o) {
  switch (p[0]) {
    case LTCP_TCPOPT_MSS: /* RFC 9293 §3.2 */
      if (olen != 4) return -1;
      o->mss = ltcp_get16(p + 2);
      return 0;
    case LTCP_TCPOPT_WSCALE: /* RFC 7323 §2.2; shifts above 14 are used as 14 (§2.3) */
      if (olen != 3) return -1;
      o->has_wscale = 1;
      o->wscale = p[2] > TCP_WIRE_WSCALE_MAX ? TCP_WIRE_WSCALE_MAX : p[2];
      return 0;
    case LTCP_TCPOPT_SACK_PERMITTED: /* RFC 2018 §2 */
      if (olen != 2) return -1;
      o->sack_permitted = 1;
      return 0;
    case LTCP_TCPOPT_TIMESTAMP: /* RFC 7323 §3.2 */
      if (olen != 10) return -1;
      o->has_timestamps = 1;
      o->ts_val = ltcp_get32(p + 2);
      o->ts_ecr = ltcp_get32(p + 6);
      return 0;
    case LTCP_TCPOPT_SACK: { /* RFC 2018 §3: 2 + 8n bytes; 40 bytes of options hold n <= 4 */
      size_t n = (olen - 2) / 8;
      if (olen < 10 || (olen - 2) % 8 != 0 || n > LTCP_TCP_MAX_SACK_BLOCKS) return -1;
      o->sack_count = (uint8_t)n;
      for (size_t i = 0; i < n; i++) {
        o->sack[i].left = ltcp_get32(p + 2 + 8 * i);
        o->sack[i].right = ltcp_get32(p + 6 + 8 * i);
      }
      return 0;
    }
    default: /* RFC 9293 §3.2: unknown kinds are skipped by their length */
      return 0;
  }
}

/* RFC 9293 §3.2: EOL ends the list, NOP is one byte, every other kind has a length byte that
 * counts kind and length and must stay inside the header. Returns 0 or -1 if malformed. */
static int tcp_wire_parse_options(const uint8_t *p, size_t len, ltcp_tcp_options *o) {
  /* The layout nearly every segment after the handshake carries, NOP NOP TS (RFC 7323
   * Appendix A), read at once as Linux's tcp_parse_aligned_timestamp does; the loop below
   * gives the same result for it. */
  if (len == 12 && ltcp_get32(p) == 0x0101080au) {
    o->has_timestamps = 1;
    o->ts_val = ltcp_get32(p + 4);
    o->ts_ecr = ltcp_get32(p + 8);
    return 0;
  }
  size_t i = 0;
  while (i < len) { /* bound: i grows by at least 1 each pass */
    if (p[i] == LTCP_TCPOPT_EOL) break;
    if (p[i] == LTCP_TCPOPT_NOP) {
      i++;
      continue;
    }
    if (len - i < 2) return -1;
    size_t olen = p[i + 1];
    if (olen < 2 || olen > len - i) return -1;
    if (tcp_wire_parse_known(p + i, olen, o) != 0) return -1;
    i += olen;
  }
  return 0;
}

static ltcp_drop_reason tcp_wire_parse(const uint8_t *tcp, size_t len, uint32_t src,
                                       uint32_t dst, ltcp_seg *seg, int verify) {
  memset(seg, 0, sizeof *seg);
  if (len < LTCP_TCP_HDR_LEN) return LTCP_DROP_TCP_TRUNCATED;
  size_t hdr_len = (size_t)(tcp[12] >> 4) * 4; /* RFC 9293 §3.1 Data Offset, 32-bit words */
  if (hdr_len < LTCP_TCP_HDR_LEN || hdr_len > len) return LTCP_DROP_TCP_DATA_OFFSET;
  if (verify && tcp_wire_checksum(tcp, len, src, dst) != 0) return LTCP_DROP_TCP_CHECKSUM;
  seg->src_port = ltcp_get16(tcp);
  seg->dst_port = ltcp_get16(tcp + 2);
  if (seg->src_port == 0 || seg->dst_port == 0) return LTCP_DROP_TCP_BAD_PORT;
  if (tcp_wire_parse_options(tcp + LTCP_TCP_HDR_LEN, hdr_len - LTCP_TCP_HDR_LEN, &seg->opts))
    return LTCP_DROP_TCP_OPTIONS;
  seg->src_addr = src;
  seg->dst_addr = dst;
  seg->seq = ltcp_get32(tcp + 4);
  seg->ack = ltcp_get32(tcp + 8);
  seg->flags = tcp[13];
  seg->wnd = ltcp_get16(tcp + 14);
  seg->urp = ltcp_get16(tcp + 18);
  seg->data = tcp + hdr_len;
  seg->len = (uint32_t)(len - hdr_len);
  return LTCP_DROP_NONE;
}

ltcp_drop_reason ltcp_tcp_parse(const uint8_t *tcp, size_t len, uint32_t src, uint32_t dst,
                                ltcp_seg *seg) {
  return tcp_wire_parse(tcp, len, src, dst, seg, 1);
}

ltcp_drop_reason ltcp_tcp_parse_unchecked(const uint8_t *tcp, size_t len, uint32_t src,
                                          uint32_t dst, ltcp_seg *seg) {
  return tcp_wire_parse(tcp, len, src, dst, seg, 0);
}

/* Layout, each part a multiple of 4: MSS(4); SACKOK+TS(12), NOP NOP TS(12) or NOP NOP SACKOK(4);
 * NOP WS(3); NOP NOP SACK(2+8n). */
size_t ltcp_tcp_options_len(const ltcp_tcp_options *opts) {
  size_t n = 0;
  if (opts->mss != 0) n += 4;
  if (opts->has_timestamps) {
    n += 12;
  } else if (opts->sack_permitted) {
    n += 4;
  }
  if (opts->has_wscale) n += 4;
  if (opts->sack_count > 0) n += 4 + 8 * (size_t)opts->sack_count;
  return n;
}

static uint8_t *tcp_wire_put_timestamps(uint8_t *p, const ltcp_tcp_options *o) {
  *p++ = LTCP_TCPOPT_TIMESTAMP;
  *p++ = 10;
  ltcp_put32(p, o->ts_val);
  ltcp_put32(p + 4, o->ts_ecr);
  return p + 8;
}

static uint8_t *tcp_wire_put_sack_ts(uint8_t *p, const ltcp_tcp_options *o) {
  if (o->sack_permitted && o->has_timestamps) {
    *p++ = LTCP_TCPOPT_SACK_PERMITTED;
    *p++ = 2;
    return tcp_wire_put_timestamps(p, o);
  }
  if (o->has_timestamps) {
    *p++ = LTCP_TCPOPT_NOP;
    *p++ = LTCP_TCPOPT_NOP;
    return tcp_wire_put_timestamps(p, o);
  }
  if (o->sack_permitted) {
    *p++ = LTCP_TCPOPT_NOP;
    *p++ = LTCP_TCPOPT_NOP;
    *p++ = LTCP_TCPOPT_SACK_PERMITTED;
    *p++ = 2;
  }
  return p;
}

static uint8_t *tcp_wire_put_sack(uint8_t *p, const ltcp_tcp_options *o) {
  if (o->sack_count == 0) return p;
  *p++ = LTCP_TCPOPT_NOP;
  *p++ = LTCP_TCPOPT_NOP;
  *p++ = LTCP_TCPOPT_SACK;
  *p++ = (uint8_t)(2 + 8 * o->sack_count);
  for (size_t i = 0; i < o->sack_count; i++, p += 8) {
    ltcp_put32(p, o->sack[i].left);
    ltcp_put32(p + 4, o->sack[i].right);
  }
  return p;
}

/* The order Linux uses on a SYN: MSS, SACK-permitted, timestamps, window scale. */
static uint8_t *tcp_wire_put_options(uint8_t *p, const ltcp_tcp_options *o) {
  if (o->mss != 0) {
    *p++ = LTCP_TCPOPT_MSS;
    *p++ = 4;
    ltcp_put16(p, o->mss);
    p += 2;
  }
  p = tcp_wire_put_sack_ts(p, o);
  if (o->has_wscale) {
    *p++ = LTCP_TCPOPT_NOP;
    *p++ = LTCP_TCPOPT_WSCALE;
    *p++ = 3;
    *p++ = o->wscale;
  }
  return tcp_wire_put_sack(p, o);
}

size_t ltcp_tcp_write_header(uint8_t *out, size_t cap, const ltcp_seg *seg) {
  size_t opt_len = ltcp_tcp_options_len(&seg->opts);
  /* Checked before any option is read, so sack_count > 4 never indexes past sack[]. */
  if (opt_len > TCP_WIRE_MAX_OPT_LEN) return 0;
  size_t hdr_len = LTCP_TCP_HDR_LEN + opt_len;
  if (cap < hdr_len) return 0;
  ltcp_put16(out, seg->src_port);
  ltcp_put16(out + 2, seg->dst_port);
  ltcp_put32(out + 4, seg->seq);
  ltcp_put32(out + 8, seg->ack);
  out[12] = (uint8_t)((hdr_len / 4) << 4); /* Data Offset; reserved bits zero */
  out[13] = seg->flags;
  ltcp_put16(out + 14, seg->wnd);
  ltcp_put16(out + 16, 0);
  ltcp_put16(out + 18, seg->urp);
  uint8_t *end = tcp_wire_put_options(out + LTCP_TCP_HDR_LEN, &seg->opts);
  LTCP_ASSERT((size_t)(end - out) == hdr_len);
  (void)end; /* used only by the assertion */
  return hdr_len;
}

void ltcp_tcp_set_checksum(uint8_t *tcp, size_t tcp_len, uint32_t src, uint32_t dst) {
  LTCP_ASSERT(tcp_len >= LTCP_TCP_HDR_LEN);
  ltcp_put16(tcp + 16, 0);
  ltcp_put16(tcp + 16, tcp_wire_checksum(tcp, tcp_len, src, dst));
}

uint16_t ltcp_tcp_partial_checksum(size_t tcp_len, uint32_t src, uint32_t dst) {
  LTCP_ASSERT(tcp_len >= LTCP_TCP_HDR_LEN && tcp_len <= UINT16_MAX);
  uint32_t sum = ltcp_cksum_pseudo_ipv4(src, dst, LTCP_IPPROTO_TCP, (uint16_t)tcp_len);
  return (uint16_t)~ltcp_cksum_finish(sum); /* folded, not complemented */
}

void ltcp_tcp_set_checksum_payload(uint8_t *tcp, size_t hdr_len, size_t tcp_len,
                                   uint32_t payload_sum, uint32_t src, uint32_t dst) {
  LTCP_ASSERT(hdr_len >= LTCP_TCP_HDR_LEN && hdr_len <= tcp_len && tcp_len <= UINT16_MAX);
  ltcp_put16(tcp + 16, 0);
  uint32_t sum = ltcp_cksum_pseudo_ipv4(src, dst, LTCP_IPPROTO_TCP, (uint16_t)tcp_len);
  sum = ltcp_cksum_combine(ltcp_cksum_add(sum, tcp, hdr_len), payload_sum, hdr_len);
  ltcp_put16(tcp + 16, ltcp_cksum_finish(sum));
}
