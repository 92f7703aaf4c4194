/* IPv4 headers (RFC 791 §3.1). */
#include "lucidtcp/wire/ipv4.h"

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"

ltcp_drop_reason ltcp_ipv4_parse(const uint8_t *pkt, size_t len, ltcp_ipv4_hdr *h) {
  if (len < LTCP_IPV4_HDR_LEN) return LTCP_DROP_IP_TRUNCATED;
  if ((pkt[0] >> 4) != 4) return LTCP_DROP_IP_VERSION;
  size_t hdr_len = (size_t)(pkt[0] & 0x0f) * 4; /* IHL counts 32-bit words, minimum 5 */
  if (hdr_len < LTCP_IPV4_HDR_LEN || hdr_len > len) return LTCP_DROP_IP_HDRLEN;
  uint16_t total_len = ltcp_get16(pkt + 2);
  if (total_len < hdr_len || total_len > len) return LTCP_DROP_IP_TOTLEN;
  /* RFC 791 §3.1: the checksum covers the header only, options included. */
  if (ltcp_cksum_finish(ltcp_cksum_add(0, pkt, hdr_len)) != 0) return LTCP_DROP_IP_CHECKSUM;
  uint16_t frag = ltcp_get16(pkt + 6);
  h->hdr_len = (uint8_t)hdr_len;
  h->tos = pkt[1];
  h->total_len = total_len;
  h->id = ltcp_get16(pkt + 4);
  h->frag = frag;
  h->ttl = pkt[8];
  h->proto = pkt[9];
  h->src = ltcp_get32(pkt + 12);
  h->dst = ltcp_get32(pkt + 16);
  /* RFC 791 §3.2: a fragment (more to come, or not the first) waits for reassembly. */
  if ((frag & LTCP_IPV4_MF) || (frag & LTCP_IPV4_OFFSET_MASK)) return LTCP_DROP_IP_FRAGMENT;
  return LTCP_DROP_NONE;
}

size_t ltcp_ipv4_write(uint8_t *out, const ltcp_ipv4_hdr *h) {
  out[0] = 0x45; /* version 4, IHL 5 */
  out[1] = h->tos;
  ltcp_put16(out + 2, h->total_len);
  ltcp_put16(out + 4, h->id);
  ltcp_put16(out + 6, h->frag);
  out[8] = h->ttl;
  out[9] = h->proto;
  ltcp_put16(out + 10, 0);
  ltcp_put32(out + 12, h->src);
  ltcp_put32(out + 16, h->dst);
  ltcp_put16(out + 10, ltcp_cksum_finish(ltcp_cksum_add(0, out, LTCP_IPV4_HDR_LEN)));
  return LTCP_IPV4_HDR_LEN;
}
