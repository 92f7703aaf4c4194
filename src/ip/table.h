/* The connection tables: connections (TCBs) by 4-tuple and listeners by local port, chained
 * through tcb->hash_next, with the count of connections, compact records included (only
 * this module changes it). Every entry, TCB, listener or record, holds its local port
 * (ip/ports.h) while it is in. Lookups are O(1) on average; nothing scans every connection.
 * Private to src/ip/. */
#ifndef LTCP_IP_TABLE_H
#define LTCP_IP_TABLE_H

#include <stdint.h>

#include "ip/ports.h"
#include "lucidtcp/common.h"
#include "tcp/tcb.h"

typedef struct ltcp_conn_table {
  ltcp_tcb **conns;
  uint32_t conns_mask, count, max;
  ltcp_tcb **listeners;
  uint32_t listeners_mask;
  uint64_t hash_key;      /* from the stack's seeded randomness */
  ltcp_ports *ports;      /* the IP layer's, where each entry holds its port */
} ltcp_conn_table;

/* Buckets for max connections; entries hold their ports in ports. 0 or LTCP_ENOMEM. */
int ltcp_table_init(ltcp_conn_table *t, uint32_t max, uint64_t hash_key, ltcp_ports *ports);
void ltcp_table_free(ltcp_conn_table *t);
/* The bucket hash of a 4-tuple, keyed so a peer cannot aim at one chain. */
static inline uint32_t ltcp_table_hash(const ltcp_conn_table *t, const ltcp_endpoint *l,
                                       const ltcp_endpoint *r) {
  uint64_t x = ((uint64_t)r->addr << 32 | (uint64_t)r->port << 16 | l->port) ^ t->hash_key;
  x ^= (uint64_t)l->addr * 0x9e3779b97f4a7c15ull;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return (uint32_t)x;
}
ltcp_tcb *ltcp_table_lookup(const ltcp_conn_table *t, const ltcp_endpoint *local,
                            const ltcp_endpoint *remote);
/* A TCB in (LTCP_ENOBUFS when full) and out; a record's place in the count and its port. */
int ltcp_table_insert(ltcp_conn_table *t, ltcp_tcb *tcb);
void ltcp_table_remove(ltcp_conn_table *t, ltcp_tcb *tcb);
void ltcp_table_add_record(ltcp_conn_table *t, uint16_t port);
void ltcp_table_remove_record(ltcp_conn_table *t, uint16_t port);
ltcp_tcb *ltcp_table_listener(const ltcp_conn_table *t, uint16_t port);
void ltcp_table_add_listener(ltcp_conn_table *t, ltcp_tcb *tcb);
void ltcp_table_remove_listener(ltcp_conn_table *t, ltcp_tcb *tcb);
/* Calls fn for every TCB in the tables (freeing the stack): each may be freed by fn. */
void ltcp_table_each(ltcp_conn_table *t, void (*fn)(void *ctx, ltcp_tcb *tcb), void *ctx);

#endif
