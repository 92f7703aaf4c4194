/* The connection tables: connections (TCBs) by 4-tuple and listeners by local port, chained
 * through tcb->hash_next, with the count of connections, compact records included, and of
 * the half-open ones among them (only this module changes them). Half-open connections (a
 * passive child in SYN-RECEIVED, TCB or record) have a limit of their own, apart from the
 * table's (RFC 4987): a SYN flood never takes a place from other connections. Every entry, TCB, listener or record, holds its local port
 * (ip/ports.h) while it is in, and its peer's handle when the peer is IPv6 (ip/peers.h). Lookups are O(1) on average; nothing scans every connection.
 * Private to src/ip/. */
#ifndef LTCP_IP_TABLE_H
#define LTCP_IP_TABLE_H

#include <stdint.h>

#include "ip/peers.h"
#include "ip/ports.h"
#include "lucidtcp/common.h"
#include "tcp/tcb.h"

typedef struct ltcp_conn_table {
  ltcp_tcb **conns;       /* chains of TCBs; the array grows with them (table_grow) */
  uint32_t conns_mask;
  uint32_t conns_max;     /* the most chains it may grow to: a power of two, set at init */
  uint32_t chained;       /* TCBs in conns (count less the records) */
  uint32_t count;         /* every entry, half-open ones included (the bound of a chain) */
  uint32_t max;           /* entries that are not half-open, at most */
  uint32_t half_open, max_half_open; /* half-open entries, and their own limit */
  uint64_t *used;         /* a bit per bucket of conns that holds a chain (ltcp_table_each) */
  ltcp_tcb **listeners;
  uint32_t listeners_mask;
  uint64_t listeners_used; /* the same for the 64 listener chains */
  uint64_t hash_key;      /* from the stack's seeded randomness */
  ltcp_ports *ports;      /* the IP layer's, where each entry holds its port */
  ltcp_peers *peers;      /* ... and its IPv6 peer's handle (ip/peers.h) */
} ltcp_conn_table;

/* A table for max connections and max_half_open half-open ones; entries hold their ports in
 * ports. Its chains start few and double as TCBs come, up to one per entry the limits allow
 * (the array a fixed table would take at init), so that a table of 8,000 live TCBs among
 * 200,000 TIME-WAIT records looks up in 64 KiB, not 2 MiB (issue 18). 0 or LTCP_ENOMEM. */
int ltcp_table_init(ltcp_conn_table *t, uint32_t max, uint32_t max_half_open, uint64_t hash_key,
                    ltcp_ports *ports, ltcp_peers *peers);
void ltcp_table_free(ltcp_conn_table *t);
/* The bucket hash of a 4-tuple, keyed so a peer cannot aim at one chain. */
static inline uint32_t ltcp_table_hash(const ltcp_conn_table *t, const ltcp_ep *l,
                                       const ltcp_ep *r) {
  uint64_t x = ((uint64_t)r->addr << 32 | (uint64_t)r->port << 16 | l->port) ^ t->hash_key;
  x ^= (uint64_t)l->addr * 0x9e3779b97f4a7c15ull;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return (uint32_t)x;
}
ltcp_tcb *ltcp_table_lookup(const ltcp_conn_table *t, const ltcp_ep *local,
                            const ltcp_ep *remote);
/* A TCB in (LTCP_ENOBUFS when its limit is reached; half_open: a passive child in
 * SYN-RECEIVED, marked in tcb->busy->half_open) and out; a record's place in the count (a
 * half-open one's in both) and its port. */
int ltcp_table_insert(ltcp_conn_table *t, ltcp_tcb *tcb, int half_open);
void ltcp_table_remove(ltcp_conn_table *t, ltcp_tcb *tcb);
void ltcp_table_add_record(ltcp_conn_table *t, uint16_t port, uint32_t remote_addr, int half_open);
void ltcp_table_remove_record(ltcp_conn_table *t, uint16_t port, uint32_t remote_addr,
                              int half_open);
/* A half-open TCB becomes an ordinary entry (0, or LTCP_ENOBUFS when the table is full); any
 * other TCB is left as it is (0). */
int ltcp_table_promote(ltcp_conn_table *t, ltcp_tcb *tcb);
static inline int ltcp_table_half_open_full(const ltcp_conn_table *t) {
  return t->half_open >= t->max_half_open;
}
ltcp_tcb *ltcp_table_listener(const ltcp_conn_table *t, uint16_t port);
void ltcp_table_add_listener(ltcp_conn_table *t, ltcp_tcb *tcb);
void ltcp_table_remove_listener(ltcp_conn_table *t, ltcp_tcb *tcb);
/* Calls fn for every TCB in the tables (freeing the stack): each may be freed by fn. */
void ltcp_table_each(const ltcp_conn_table *t, void (*fn)(void *ctx, ltcp_tcb *tcb), void *ctx);

#endif
