/* ICMPv4 in (icmp.h). */
#include "ip/icmp.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "lucidtcp/wire/icmp.h"
#include "tcp/events.h"
#include "tcp/icmperr.h"

/* Queues an ICMP message h to dst (RFC 792), when there is a route back and room; 0 or the
 * reason it was not sent. */
static ltcp_drop_reason icmp_send(const ltcp_icmp_ctx *x, uint32_t dst, const ltcp_icmp_hdr *h) {
  if (!ltcp_routes_lookup(x->routes, dst)) return LTCP_DROP_IP_NO_ROUTE; /* RFC 1122 3.3.1.1 */
  ltcp_txq *q = x->txq;
  uint8_t *pkt = ltcp_txq_alloc(q, 0);
  if (!pkt || LTCP_IPV4_HDR_LEN + 8 + h->data_len > q->slot) return LTCP_DROP_TX_QUEUE_FULL;
  size_t n = ltcp_icmp_write(pkt + LTCP_IPV4_HDR_LEN, q->slot - LTCP_IPV4_HDR_LEN, h);
  ltcp_ipv4_hdr out = {.hdr_len = LTCP_IPV4_HDR_LEN, .ttl = x->cfg->ttl};
  out.proto = LTCP_IPPROTO_ICMP;
  out.total_len = (uint16_t)(LTCP_IPV4_HDR_LEN + n);
  out.id = (uint16_t)x->tcp->stats->ip_out;
  out.src = x->cfg->addr;
  out.dst = dst;
  ltcp_ipv4_write(pkt, &out);
  ltcp_txq_commit(q, out.total_len, 0);
  x->tcp->stats->ip_out++;
  return LTCP_DROP_NONE;
}

/* RFC 792: answer an echo request with the same identifier, sequence and data. */
static void icmp_echo(const ltcp_icmp_ctx *x, const ltcp_ipv4_hdr *hdr, ltcp_icmp_hdr *h) {
  h->type = LTCP_ICMP_ECHO_REPLY;
  h->code = 0;
  ltcp_drop_reason why = icmp_send(x, hdr->src, h);
  if (why != LTCP_DROP_NONE) ltcp_events_drop(x->tcp, why, NULL);
  else x->tcp->stats->icmp_echo_in++;
}

void ltcp_icmp_send_error(const ltcp_icmp_ctx *x, uint8_t type, uint8_t code, uint32_t dst,
                          const uint8_t *ip_hdr, size_t hdr_len, const uint8_t *data,
                          size_t data_len) {
  uint8_t quote[60 + 8]; /* RFC 792: the header and the first 64 bits of the data */
  size_t n = data_len < 8 ? data_len : 8;
  memcpy(quote, ip_hdr, hdr_len);
  memcpy(quote + hdr_len, data, n);
  ltcp_icmp_hdr h = {.type = type, .code = code, .data = quote, .data_len = hdr_len + n};
  ltcp_drop_reason why = icmp_send(x, dst, &h);
  if (why != LTCP_DROP_NONE) ltcp_events_drop(x->tcp, why, NULL);
}

/* An error quotes the IP header and at least 8 bytes of what we sent (RFC 792, RFC 1812
 * 4.3.2.3): the TCP ports and sequence number. Returns 0 and the connection's ends, or -1. */
static int icmp_quoted_tcp(const ltcp_icmp_ctx *x, const ltcp_icmp_hdr *h, ltcp_ep *local,
                           ltcp_ep *remote, uint32_t *seq) {
  const uint8_t *q = h->data;
  if (h->data_len < LTCP_IPV4_HDR_LEN || (q[0] >> 4) != 4) return -1;
  size_t ihl = (size_t)(q[0] & 0x0f) * 4;
  if (ihl < LTCP_IPV4_HDR_LEN || h->data_len < ihl + 8 || q[9] != LTCP_IPPROTO_TCP) return -1;
  if (ltcp_get32(q + 12) != x->cfg->addr) return -1; /* not a packet we sent */
  *local = (ltcp_ep){ltcp_get32(q + 12), ltcp_get16(q + ihl)};
  *remote = (ltcp_ep){ltcp_get32(q + 16), ltcp_get16(q + ihl + 2)};
  *seq = ltcp_get32(q + ihl + 4);
  return 0;
}

/* MUST-54: act on an error, directing it to the connection that caused it. */
static ltcp_drop_reason icmp_error(const ltcp_icmp_ctx *x, const ltcp_icmp_hdr *h) {
  ltcp_ep local, remote;
  uint32_t seq;
  if (icmp_quoted_tcp(x, h, &local, &remote, &seq) != 0) return LTCP_DROP_ICMP_BAD_QUOTE;
  ltcp_tcb *tcb = ltcp_table_lookup(x->table, &local, &remote);
  if (!tcb) return LTCP_DROP_ICMP_NO_CONN;
  uint16_t mtu = h->type == LTCP_ICMP_DEST_UNREACH && h->code == LTCP_ICMP_FRAG_NEEDED
                     ? (uint16_t)(h->rest & 0xffffu) : 0;
  return ltcp_icmperr_input(x->tcp, tcb, h->type, h->code, seq, mtu);
}

void ltcp_icmp_input(const ltcp_icmp_ctx *x, const ltcp_ipv4_hdr *hdr, const uint8_t *msg,
                     size_t len) {
  ltcp_icmp_hdr h;
  ltcp_drop_reason why = ltcp_icmp_parse(msg, len, &h);
  if (why == LTCP_DROP_NONE) {
    switch (h.type) {
      case LTCP_ICMP_ECHO_REQUEST: icmp_echo(x, hdr, &h); return;
      case LTCP_ICMP_DEST_UNREACH:
      case LTCP_ICMP_SOURCE_QUENCH:
      case LTCP_ICMP_REDIRECT:
      case LTCP_ICMP_TIME_EXCEEDED:
      case LTCP_ICMP_PARAM_PROBLEM: why = icmp_error(x, &h); break;
      default: why = LTCP_DROP_ICMP_UNHANDLED; break;
    }
  }
  if (why != LTCP_DROP_NONE) ltcp_events_drop(x->tcp, why, NULL);
}
