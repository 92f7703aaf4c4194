/* ICMPv4 (RFC 792) arriving at the stack: echo requests are answered; every other message is
 * a counted drop (the errors the suite of issue 13 needs will be parsed here).
 * Private to src/ip/. */
#ifndef LTCP_IP_ICMP_H
#define LTCP_IP_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "ip/txq.h"
#include "lucidtcp/config.h"
#include "lucidtcp/wire/ipv4.h"
#include "tcp/engine.h"

/* The len bytes at msg are the ICMP message of the packet with header hdr, for the stack
 * configured by cfg: an answer goes into q; drops are counted through tcp. */
void ltcp_icmp_input(ltcp_txq *q, ltcp_engine *tcp, const ltcp_stack_config *cfg,
                     const ltcp_ipv4_hdr *hdr, const uint8_t *msg, size_t len);

#endif
