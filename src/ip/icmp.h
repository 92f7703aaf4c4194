/* ICMPv4 (RFC 792) arriving at the stack: echo requests are answered; an error that quotes a TCP
 * segment of ours goes to its connection (RFC 9293 §3.9.2.2, MUST-54; tcp/icmperr.h); every
 * other message is a counted drop. Private to src/ip/. */
#ifndef LTCP_IP_ICMP_H
#define LTCP_IP_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "ip/route.h"
#include "ip/table.h"
#include "ip/txq.h"
#include "lucidtcp/config.h"
#include "lucidtcp/wire/ipv4.h"
#include "tcp/engine.h"

/* What an ICMP message needs of the stack: where an answer goes, the connections an error may
 * be for, the engine that takes it (and counts drops), the configuration and routes. */
typedef struct ltcp_icmp_ctx {
  ltcp_txq *txq;
  const ltcp_conn_table *table;
  ltcp_engine *tcp;
  const ltcp_stack_config *cfg;
  const ltcp_routes *routes; /* an echo is answered only with a route back */
} ltcp_icmp_ctx;

/* Sends an ICMP error of type and code to dst quoting a packet we received: its IPv4 header
 * (hdr_len bytes at ip_hdr) and the first 8 bytes of its data (RFC 792); counted as a drop when
 * there is no route back or no room. */
void ltcp_icmp_send_error(const ltcp_icmp_ctx *x, uint8_t type, uint8_t code, uint32_t dst,
                          const uint8_t *ip_hdr, size_t hdr_len, const uint8_t *data,
                          size_t data_len);
/* The len bytes at msg are the ICMP message of the packet with header hdr. */
void ltcp_icmp_input(const ltcp_icmp_ctx *x, const ltcp_ipv4_hdr *hdr, const uint8_t *msg,
                     size_t len);

#endif
