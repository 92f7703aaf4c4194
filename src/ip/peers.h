/* IPv6 peer addresses by handle (docs/design.md "IPv6 beside IPv4"): the TCB, the records and
 * the hash keys hold a 32-bit handle in 224.0.0.0/4 (tcp/ep.h) for an IPv6 address, and this
 * table maps one to the other. Every entry of the connection table, TCB or record, whose peer is
 * IPv6 holds a reference (ip/table.c, where it holds its port); an entry no one holds is freed at
 * the end of the call into the stack (ltcp_peers_sweep), so a segment's source may be named for
 * the length of its input and a connection may move from TCB to record without losing it.
 * Capacity fixed at init; lookups O(1) on average, with a keyed hash a peer cannot aim (the
 * connection table's kind of multiply-and-shift mix under a secret), the last entry found first.
 * Private to src/ip/. */
#ifndef LTCP_IP_PEERS_H
#define LTCP_IP_PEERS_H

#include <stdint.h>

#include "tcp/ep.h"

typedef struct ltcp_peer {
  uint8_t addr[16];
  uint32_t refs;          /* holders; LTCP_PEER_SWEEP set while on the sweep list */
  uint32_t next;          /* next index in the bucket, or in the free list; 0: none */
} ltcp_peer;

typedef struct ltcp_peers {
  ltcp_peer *e;           /* cap + 1 entries; index 0 unused (handle TAG | 0 is our own) */
  uint32_t *buckets;
  uint32_t mask;
  uint32_t cap, count;
  uint32_t free_head;
  uint32_t *sweep;        /* entries whose count fell to 0 (each once): cap at most */
  uint32_t nsweep;
  uint64_t key[2];        /* the bucket hash's secret */
  uint32_t last;          /* the entry found last (0: none): a flow's segments come in runs */
} ltcp_peers;

#define LTCP_PEER_SWEEP 0x80000000u

/* cap entries (0: no IPv6, every call finds nothing); key from the stack's randomness.
 * 0 or LTCP_ENOMEM. */
int ltcp_peers_init(ltcp_peers *p, uint32_t cap, const uint8_t key[16]);
void ltcp_peers_free(ltcp_peers *p);
/* The handle of addr, or 0 when it has none. */
uint32_t ltcp_peers_find(ltcp_peers *p, const uint8_t addr[16]);
/* The handle of addr, made when it has none (held by no one: freed at the next sweep unless
 * held). 0 or LTCP_ENOBUFS (the table is full). */
int ltcp_peers_get(ltcp_peers *p, const uint8_t addr[16], uint32_t *handle);
void ltcp_peers_hold(ltcp_peers *p, uint32_t handle);
void ltcp_peers_release(ltcp_peers *p, uint32_t handle);
/* The address of a handle in use. */
static inline const uint8_t *ltcp_peers_addr(const ltcp_peers *p, uint32_t handle) {
  return p->e[handle & ~LTCP_EP_V6_TAG].addr;
}
/* Frees the entries no one holds. Bounded by cap. */
void ltcp_peers_sweep(ltcp_peers *p);

#endif
