/* Initial sequence numbers (RFC 9293 §3.4.1 MUST-8, RFC 6528) and the per-connection TSval
 * offset (RFC 7323 §7.1), both from one keyed hash of the 4-tuple. Owns the secret.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_ISN_H
#define LTCP_TCP_ISN_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "tcp/ep.h"

typedef struct ltcp_engine ltcp_engine;

typedef struct ltcp_isn_key {
  uint8_t key[16];        /* the secret, from the host's seeded randomness */
  uint8_t tuple[36];      /* the 4-tuple hash was computed for: one SipHash per connection */
  uint8_t tuple_len;      /* 12 (IPv4) or 36 (IPv6) */
  uint8_t cached;         /* 1 once tuple and hash hold a pair */
  uint64_t hash;
} ltcp_isn_key;

/* ISN = M + F(4-tuple, secret) (+ cfg.isn_offset), M a 4-microsecond clock. */
uint32_t ltcp_isn_select(ltcp_engine *eng, const ltcp_ep *local, const ltcp_ep *remote);
/* The keyed hash of the 4-tuple: low half the ISN's F, high half the TSval offset. */
uint64_t ltcp_isn_hash(ltcp_engine *eng, const ltcp_ep *local, const ltcp_ep *remote);

#endif
