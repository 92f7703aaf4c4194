/* ICMPv4 in (icmp.h). */
#include "ip/icmp.h"

#include "lucidtcp/wire/icmp.h"
#include "tcp/events.h"

/* RFC 792: answer an echo request with the same identifier, sequence and data. */
void ltcp_icmp_input(ltcp_txq *q, ltcp_engine *tcp, const ltcp_stack_config *cfg,
                     const ltcp_ipv4_hdr *hdr, const uint8_t *msg, size_t len) {
  ltcp_icmp_hdr h;
  ltcp_drop_reason why = ltcp_icmp_parse(msg, len, &h);
  if (why == LTCP_DROP_NONE && h.type != LTCP_ICMP_ECHO_REQUEST) why = LTCP_DROP_ICMP_UNHANDLED;
  if (why != LTCP_DROP_NONE) {
    ltcp_events_drop(tcp, why, NULL);
    return;
  }
  uint8_t *pkt = ltcp_txq_alloc(q);
  if (!pkt || LTCP_IPV4_HDR_LEN + len > q->slot) {
    ltcp_events_drop(tcp, LTCP_DROP_TX_QUEUE_FULL, NULL);
    return;
  }
  h.type = LTCP_ICMP_ECHO_REPLY;
  h.code = 0;
  size_t n = ltcp_icmp_write(pkt + LTCP_IPV4_HDR_LEN, q->slot - LTCP_IPV4_HDR_LEN, &h);
  ltcp_ipv4_hdr out = {.hdr_len = LTCP_IPV4_HDR_LEN, .ttl = cfg->ttl};
  out.proto = LTCP_IPPROTO_ICMP;
  out.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + n);
  out.id = (uint16_t)tcp->stats->ip_out;
  out.src = cfg->addr;
  out.dst = hdr->src;
  ltcp_ipv4_write(pkt, &out);
  ltcp_txq_commit(q, out.total_len, 0);
  tcp->stats->ip_out++;
  tcp->stats->icmp_echo_in++;
}
