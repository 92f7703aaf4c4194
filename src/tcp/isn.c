/* Initial sequence numbers: RFC 9293 §3.4.1 (MUST-8) and RFC 6528:
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4-microsecond clock. */
#include <string.h>

#include "ip/stack_int.h"
#include "tcp/tcb.h"
#include "util/siphash.h"
#include "lucidtcp/wire/bytes.h"

/* SipHash-2-4 of the 4-tuple under the stack's secret: its low half is F (the ISN), its high
 * half the TSval offset (RFC 7323 §7.1), independent bits of one keyed PRF. A connection asks
 * for both at its start, so the last tuple's hash is kept and the second ask costs no hash. */
uint64_t ltcp_isn_hash(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  uint8_t tuple[12];
  ltcp_put32(tuple, local->addr);
  ltcp_put16(tuple + 4, local->port);
  ltcp_put32(tuple + 6, remote->addr);
  ltcp_put16(tuple + 10, remote->port);
  if (!st->isn_cached || memcmp(tuple, st->isn_tuple, sizeof tuple) != 0) {
    st->isn_cached = 1;
    memcpy(st->isn_tuple, tuple, sizeof tuple);
    st->isn_hash = ltcp_siphash(st->isn_key, tuple, sizeof tuple);
  }
  return st->isn_hash;
}

uint32_t ltcp_isn_select(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  uint32_t f = (uint32_t)ltcp_isn_hash(st, local, remote);
  uint32_t m = (uint32_t)(st->now / 4000u);
  return m + f + st->cfg.isn_offset;
}
