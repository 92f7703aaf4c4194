/* Initial sequence numbers: RFC 9293 §3.4.1 (MUST-8) and RFC 6528:
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4-microsecond clock. */
#include <string.h>

#include "ip/stack_int.h"
#include "tcp/tcb.h"
#include "util/siphash.h"
#include "wire/bytes.h"

uint32_t ltcp_isn_select(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  uint8_t tuple[12];
  ltcp_put32(tuple, local->addr);
  ltcp_put16(tuple + 4, local->port);
  ltcp_put32(tuple + 6, remote->addr);
  ltcp_put16(tuple + 10, remote->port);
  uint32_t f = (uint32_t)ltcp_siphash(st->isn_key, tuple, sizeof tuple);
  uint32_t m = (uint32_t)(st->now / 4000u);
  return m + f + st->cfg.isn_offset;
}
