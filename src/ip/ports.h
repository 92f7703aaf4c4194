/* Local port use: per port, the bound sockets and connections (TCBs and compact records) that
 * hold it. Only ltcp_ports_hold and ltcp_ports_release change a count. Private to src/ip/. */
#ifndef LTCP_IP_PORTS_H
#define LTCP_IP_PORTS_H

#include <stdint.h>

typedef struct ltcp_ports {
  uint32_t *refs;         /* 65536 counts */
} ltcp_ports;

int ltcp_ports_init(ltcp_ports *p); /* 0 or LTCP_ENOMEM */
void ltcp_ports_free(ltcp_ports *p);
void ltcp_ports_hold(ltcp_ports *p, uint16_t port);
void ltcp_ports_release(ltcp_ports *p, uint16_t port);
static inline uint32_t ltcp_ports_users(const ltcp_ports *p, uint16_t port) { return p->refs[port]; }

#endif
