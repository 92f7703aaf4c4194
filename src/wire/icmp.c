/* ICMPv4 messages (RFC 792). */
#include "lucidtcp/wire/icmp.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/checksum.h"

ltcp_drop_reason ltcp_icmp_parse(const uint8_t *msg, size_t len, ltcp_icmp_hdr *h) {
  if (len < LTCP_ICMP_HDR_LEN) return LTCP_DROP_ICMP_TRUNCATED;
  /* RFC 792: the checksum covers the whole ICMP message. */
  if (ltcp_cksum_finish(ltcp_cksum_add(0, msg, len)) != 0) return LTCP_DROP_ICMP_CHECKSUM;
  h->type = msg[0];
  h->code = msg[1];
  h->rest = ltcp_get32(msg + 4);
  h->data = msg + LTCP_ICMP_HDR_LEN;
  h->data_len = len - LTCP_ICMP_HDR_LEN;
  return LTCP_DROP_NONE;
}

size_t ltcp_icmp_write(uint8_t *out, size_t cap, const ltcp_icmp_hdr *h) {
  if (cap < LTCP_ICMP_HDR_LEN || cap - LTCP_ICMP_HDR_LEN < h->data_len) return 0;
  size_t len = LTCP_ICMP_HDR_LEN + h->data_len;
  /* memmove: an echo reply may be built over the request it answers. */
  if (h->data_len > 0) memmove(out + LTCP_ICMP_HDR_LEN, h->data, h->data_len);
  out[0] = h->type;
  out[1] = h->code;
  ltcp_put16(out + 2, 0);
  ltcp_put32(out + 4, h->rest);
  ltcp_put16(out + 2, ltcp_cksum_finish(ltcp_cksum_add(0, out, len)));
  return len;
}
