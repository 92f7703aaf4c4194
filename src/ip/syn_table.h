/* Compact half-open records, the IP layer's side (the engine's is tcp/synrcvd.h): the records'
 * pool, hash table and FIFOs, and the way back to a TCB. Timers: the deadline of a record is
 * its entry time plus the backed-off RTO for its retransmission count, so one FIFO per count
 * is sorted by deadline; the next expiry is the earliest of at most LTCP_SYN_LEVELS heads. A
 * record holds its place in the connection count, its port, and its listener's backlog.
 * Private to src/ip/. */
#ifndef LTCP_IP_SYN_TABLE_H
#define LTCP_IP_SYN_TABLE_H

#include <stdint.h>

#include "ip/rec_table.h"
#include "ip/records.h"
#include "lucidtcp/common.h"
#include "tcp/synrcvd.h"
#include "tcp/tcb.h"

/* One half-open connection: 64 bytes. The local address is the stack's own. */
typedef struct ltcp_syn_rec {
  ltcp_rec_hdr link;       /* bucket, FIFO and 4-tuple (ip/records.h) */
  ltcp_syn_state s;        /* what the engine needs of it (tcp/synrcvd.h) */
  ltcp_time_ns deadline;   /* the SYN,ACK retransmission timer */
  uint64_t id;             /* the connection's id, for its events */
} ltcp_syn_rec;

typedef struct ltcp_syn_table {
  ltcp_rec_home home;
  ltcp_recs recs;
  ltcp_rec_fifo fifo[LTCP_SYN_LEVELS]; /* by retransmission count, each sorted by deadline */
  uint32_t levels_used;    /* bit i: fifo[i] is not empty (the next expiry looks at those only) */
} ltcp_syn_table;

int ltcp_syn_table_init(ltcp_syn_table *t, const ltcp_rec_home *home); /* 0 or LTCP_ENOMEM */
void ltcp_syn_table_free(ltcp_syn_table *t);
/* Replaces a waiting child by a record when the engine and the table allow; returns 1 if it
 * did (tcb is then retired, and freed when the call ends). Call only where nothing else
 * holds tcb. */
int ltcp_syn_table_compact(ltcp_syn_table *t, ltcp_tcb *tcb);
/* Whether a record holds the 4-tuple. */
int ltcp_syn_table_exists(const ltcp_syn_table *t, const ltcp_ep *local, const ltcp_ep *remote);
/* The TCB again for a record's 4-tuple (the record goes), or NULL when there is none or no
 * memory (the record stays; the segment is then dropped as for a full queue). */
ltcp_tcb *ltcp_syn_table_expand(ltcp_syn_table *t, const ltcp_ep *local, const ltcp_ep *remote);
/* The earliest record deadline and its connection id, when there is a record. */
ltcp_time_ns ltcp_syn_table_earliest(const ltcp_syn_table *t, uint64_t *id);
/* The same, LTCP_TIME_NEVER when there is none (asked on every turn: no call then). */
static inline ltcp_time_ns ltcp_syn_table_next_expiry(const ltcp_syn_table *t, uint64_t *id) {
  return t->levels_used ? ltcp_syn_table_earliest(t, id) : LTCP_TIME_NEVER;
}
/* The record with the earliest deadline as a TCB again (in the timer heap, due). */
ltcp_tcb *ltcp_syn_table_expand_earliest(ltcp_syn_table *t);
/* Room under pressure (RFC 4987 §3.4, early drop): the oldest record (of port, unless 0) whose
 * SYN,ACK was sent again, as a TCB again for the engine to close; NULL when none is found among
 * the oldest few, or no memory. */
ltcp_tcb *ltcp_syn_table_evict(ltcp_syn_table *t, uint16_t port);
/* A listener is going: every record of its port becomes a TCB again (which closes with it). */
void ltcp_syn_table_expand_port(ltcp_syn_table *t, ltcp_tcb *lst);

#endif
