/* Compact TIME-WAIT records, the IP layer's side (the engine's is tcp/timewait.h): the records'
 * pool, hash table and FIFO (ip/records.h), and the view through which the engine handles
 * one. Every record lasts the same 2 MSL, so the FIFO is sorted by expiry and arming or
 * expiring one costs O(1). A record holds its place in the connection count and its port like
 * a TCB; the number of records is the count of TIME-WAIT connections that are not TCBs.
 * Private to src/ip/. */
#ifndef LTCP_IP_TW_TABLE_H
#define LTCP_IP_TW_TABLE_H

#include <stdint.h>

#include "ip/rec_table.h"
#include "ip/records.h"
#include "lucidtcp/common.h"
#include "tcp/tcb.h"
#include "tcp/timewait.h"

/* One TIME-WAIT connection: 64 bytes. The local address is the stack's own. */
typedef struct ltcp_tw_rec {
  ltcp_rec_hdr link;       /* bucket, FIFO and 4-tuple (ip/records.h) */
  ltcp_tw_state s;         /* what the engine needs of it (tcp/timewait.h) */
  ltcp_time_ns expiry;     /* the end of 2 MSL */
  uint64_t id;             /* the connection's id, for its events */
} ltcp_tw_rec;

typedef struct ltcp_tw_table {
  ltcp_rec_home home;
  ltcp_recs recs;
  ltcp_rec_fifo fifo;      /* by expiry, oldest first */
  uint32_t view_idx;       /* the record the view shows; 0: none */
  ltcp_tcb view;           /* the scratch TCB that shows a record to the engine */
  ltcp_tcb_busy view_busy;
} ltcp_tw_table;

int ltcp_tw_table_init(ltcp_tw_table *t, const ltcp_rec_home *home); /* 0 or LTCP_ENOMEM */
void ltcp_tw_table_free(ltcp_tw_table *t);
/* Replaces tcb by a record when the engine and the table allow; returns 1 if it did (tcb is
 * then retired, and freed when the call ends). Call only where nothing holds tcb but the
 * caller: after a segment, after the output queue's flush, after the user's close. */
int ltcp_tw_table_compact(ltcp_tw_table *t, ltcp_tcb *tcb);
/* Whether a record holds the 4-tuple. */
int ltcp_tw_table_exists(const ltcp_tw_table *t, const ltcp_ep *local, const ltcp_ep *remote);
/* The record for a 4-tuple as a view, or NULL. The view is valid until ltcp_tw_table_view_done. */
ltcp_tcb *ltcp_tw_table_view(ltcp_tw_table *t, const ltcp_ep *local, const ltcp_ep *remote);
/* After the engine handled the view: keep what changed (or nothing, if the view closed). */
void ltcp_tw_table_view_done(ltcp_tw_table *t, ltcp_tcb *view);
/* The view's connection closed (the engine's detach): its record goes. */
void ltcp_tw_table_view_gone(ltcp_tw_table *t);
/* The earliest expiry and its connection id (LTCP_TIME_NEVER when there is no record). */
static inline ltcp_time_ns ltcp_tw_table_next_expiry(const ltcp_tw_table *t, uint64_t *id) {
  if (!t->fifo.head) return LTCP_TIME_NEVER; /* asked on every turn: no call when empty */
  const ltcp_tw_rec *w = (const ltcp_tw_rec *)ltcp_recs_at(&t->recs, t->fifo.head);
  if (id) *id = w->id;
  return w->expiry;
}
/* Ends the oldest record's TIME-WAIT (§3.10.8: "delete the TCB"), through the view so the
 * event is the engine's own. */
void ltcp_tw_table_expire_oldest(ltcp_tw_table *t);

#endif
