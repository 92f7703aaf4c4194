/* Compact records (ip/records.h) in the stack's tables: found by 4-tuple through their own
 * hash table (keyed as the connection table), and holding their place in the connection count
 * and their port's use like a TCB. Shared by the TIME-WAIT and half-open tables.
 * Private to src/ip/. */
#ifndef LTCP_IP_REC_TABLE_H
#define LTCP_IP_REC_TABLE_H

#include <stdint.h>

#include "ip/records.h"
#include "ip/table.h"
#include "lucidtcp/common.h"
#include "lucidtcp/stats.h"
#include "tcp/engine.h"

/* What a record store works with, all the IP layer's (ip/ip.h), given at init. */
typedef struct ltcp_rec_home {
  ltcp_engine *tcp;        /* retires a TCB into a record, makes one again */
  ltcp_conn_table *table;  /* the hash key, the connection count and ports, the listeners */
  ltcp_stats *stats;
  uint32_t addr;           /* the stack's address: every record's local address */
  uint32_t max;            /* records at most: the limit they count against */
  uint8_t half_open;       /* the records are half-open connections (ip/table.h) */
} ltcp_rec_home;

/* A record's local address: the stack's own, of its peer's family (tcp/ep.h). */
static inline uint32_t ltcp_rec_local_addr(const ltcp_rec_home *home, uint32_t remote_addr) {
  return ltcp_ep_is_v6(remote_addr) ? LTCP_EP_V6_LOCAL : home->addr;
}
/* The record of r holding the 4-tuple (its index), or 0. */
uint32_t ltcp_rec_table_find(const ltcp_rec_home *home, const ltcp_recs *r, const ltcp_ep *local,
                             const ltcp_ep *remote);
/* Record idx of r takes the 4-tuple: into r's hash table, the connection count, the port. */
void ltcp_rec_table_insert(const ltcp_rec_home *home, ltcp_recs *r, uint32_t idx, const ltcp_ep *local,
                           const ltcp_ep *remote);
/* Record idx leaves the hash table, the count and its port. */
void ltcp_rec_table_remove(const ltcp_rec_home *home, ltcp_recs *r, uint32_t idx);
/* The endpoints of a record. */
void ltcp_rec_table_tuple(const ltcp_rec_home *home, const ltcp_rec_hdr *h, ltcp_ep *local,
                          ltcp_ep *remote);

#endif
