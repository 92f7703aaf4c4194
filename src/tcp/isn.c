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
uint64_t ltcp_isn_hash(ltcp_engine *eng, const ltcp_ep *local, const ltcp_ep *remote) {
  uint8_t tuple[36];
  size_t n = ltcp_engine_put_end(eng, tuple, local->addr, local->port);
  n += ltcp_engine_put_end(eng, tuple + n, remote->addr, remote->port);
  ltcp_isn_key *k = &eng->isn;
  if (!k->cached || k->tuple_len != n || memcmp(tuple, k->tuple, n) != 0) {
    k->cached = 1;
    k->tuple_len = (uint8_t)n;
    memcpy(k->tuple, tuple, n);
    k->hash = ltcp_siphash(k->key, tuple, n);
  }
  return k->hash;
}

uint32_t ltcp_isn_select(ltcp_engine *eng, const ltcp_ep *local, const ltcp_ep *remote) {
  uint32_t f = (uint32_t)ltcp_isn_hash(eng, local, remote);
  uint32_t m = (uint32_t)(eng->now / 4000u);
  return m + f + eng->cfg.isn_offset;
}
