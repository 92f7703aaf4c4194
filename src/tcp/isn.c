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
/* One end of the tuple: its address (16 bytes for an IPv6 handle, RFC 6528 over the real
 * address) and port at p. Returns the bytes written. */
static size_t isn_put_end(const ltcp_engine *eng, uint8_t *p, const ltcp_ep *e) {
  size_t n = 4;
  if (ltcp_ep_is_v6(e->addr) && eng->host.addr6) {
    memcpy(p, eng->host.addr6(eng->host.ctx, e->addr), 16);
    n = 16;
  } else {
    ltcp_put32(p, e->addr);
  }
  ltcp_put16(p + n, e->port);
  return n + 2;
}

uint64_t ltcp_isn_hash(ltcp_engine *eng, const ltcp_ep *local, const ltcp_ep *remote) {
  uint8_t tuple[36];
  size_t n = isn_put_end(eng, tuple, local);
  n += isn_put_end(eng, tuple + n, remote);
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
