/* Initial sequence numbers: RFC 9293 §3.4.1 (MUST-8) and RFC 6528:
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a 4-microsecond clock. */
#include "tcp/isn.h"

#include <string.h>

#include "lucidtcp/wire/bytes.h"
#include "tcp/engine.h"
#include "util/siphash.h"

/* SipHash-2-4 of the 4-tuple under the stack's secret: its low half is F (the ISN), its high
 * half the TSval offset (RFC 7323 §7.1), independent bits of one keyed PRF. A connection asks
 * for both at its start, so the last tuple's hash is kept and the second ask costs no hash. */
uint64_t ltcp_isn_hash(ltcp_engine *eng, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  uint8_t tuple[12];
  ltcp_put32(tuple, local->addr);
  ltcp_put16(tuple + 4, local->port);
  ltcp_put32(tuple + 6, remote->addr);
  ltcp_put16(tuple + 10, remote->port);
  ltcp_isn_key *k = &eng->isn;
  if (!k->cached || memcmp(tuple, k->tuple, sizeof tuple) != 0) {
    k->cached = 1;
    memcpy(k->tuple, tuple, sizeof tuple);
    k->hash = ltcp_siphash(k->key, tuple, sizeof tuple);
  }
  return k->hash;
}

uint32_t ltcp_isn_select(ltcp_engine *eng, const ltcp_endpoint *local, const ltcp_endpoint *remote) {
  uint32_t f = (uint32_t)ltcp_isn_hash(eng, local, remote);
  uint32_t m = (uint32_t)(eng->now / 4000u);
  return m + f + eng->cfg.isn_offset;
}
