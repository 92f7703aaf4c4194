/* Local port use (ports.h). */
#include "ip/ports.h"

#include <stdlib.h>

#include "lucidtcp/common.h"
#include "util/assert.h"

int ltcp_ports_init(ltcp_ports *p) {
  p->refs = calloc(65536, sizeof *p->refs);
  return p->refs ? 0 : LTCP_ENOMEM;
}

void ltcp_ports_free(ltcp_ports *p) {
  free(p->refs);
  p->refs = NULL;
}

void ltcp_ports_hold(ltcp_ports *p, uint16_t port) { p->refs[port]++; }

void ltcp_ports_release(ltcp_ports *p, uint16_t port) {
  LTCP_ASSERT(p->refs[port] > 0);
  p->refs[port]--;
}
