/* ICMPv4 (RFC 792) arriving at the stack: echo requests are answered; every other message is
 * a counted drop (the errors the suite of issue 13 needs will be parsed here). */
#ifndef LTCP_IP_ICMP_H
#define LTCP_IP_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/wire/ipv4.h"

typedef struct ltcp_ip ltcp_ip;

/* The len bytes at msg are the ICMP message of the packet with header ip. */
void ltcp_ip_icmp_input(ltcp_ip *ip, const ltcp_ipv4_hdr *hdr, const uint8_t *msg, size_t len);

#endif
