/* Endpoints as the engine and the host's tables keep them (ip/ reads them too, as tcp/tcb.h). */
#ifndef LTCP_TCP_EP_H
#define LTCP_TCP_EP_H

#include <stdint.h>

/* An endpoint as the engine and the host's tables keep it, 8 bytes for either family: an IPv4
 * address, or for IPv6 a handle in 224.0.0.0/4 (never an IPv4 peer or our own address, RFC
 * 1122 3.2.1.3) that the host maps to the address (docs/design.md "IPv6 beside IPv4"). */
typedef struct ltcp_ep {
  uint32_t addr;
  uint16_t port;
} ltcp_ep;
#define LTCP_EP_V6_TAG 0xE0000000u /* the handles: tag | index */
#define LTCP_EP_V6_LOCAL LTCP_EP_V6_TAG /* the stack's IPv6 address (index 0) */
static inline int ltcp_ep_is_v6(uint32_t addr) { return (addr >> 28) == 0xEu; }

#endif
