/* Compact TIME-WAIT records (RFC 9293 §3.10.7.4, TIME-WAIT; §3.10.8 time-wait timeout).
 *
 * A connection in TIME-WAIT that nobody can read from any more (the user closed its socket,
 * nothing is left unread, no ACK is owed) needs only what the state machine reads there: the
 * 4-tuple, SND.NXT, RCV.NXT, the window it advertises, the RFC 7323 state and the expiry. Its
 * TCB is replaced by a 64-byte record (as Linux's tcp_timewait_sock and FreeBSD's tcptw),
 * kept in a pool, a hash table of its own and a FIFO: every record lasts the same 2 MSL, so
 * the FIFO is sorted by expiry and arming or expiring one costs O(1).
 *
 * The state machine is not written twice. A segment for a record (and its expiry) is handled
 * by the ordinary engine on a "view": the stack's one scratch TCB, filled from the record,
 * then written back (the 2 MSL restart, TS.Recent) or, if the connection closed, the record
 * is freed. A view is never in the connection table, the timer heap or the tx-wait list. */
#ifndef LTCP_TCP_TIMEWAIT_H
#define LTCP_TCP_TIMEWAIT_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/stack.h"
#include "ip/records.h"

typedef struct ltcp_tcb ltcp_tcb;

/* One TIME-WAIT connection: 64 bytes. The local address is the stack's own. */
typedef struct ltcp_tw_rec {
  ltcp_rec_hdr link;       /* bucket, FIFO and 4-tuple (ip/records.h) */
  uint32_t snd_nxt, rcv_nxt;
  uint32_t snd_max_wnd;    /* RFC 5961 §5 MAX.SND.WND, for the ACK acceptability check */
  uint32_t rcv_wnd;        /* the window every ACK from TIME-WAIT advertises, in bytes */
  uint32_t ts_recent, ts_offset; /* RFC 7323 TS.Recent and our TSval base */
  uint8_t rcv_wscale;      /* RFC 7323 Rcv.Wind.Shift */
  uint8_t flags;           /* ltcp_opts_pack_flags (tcp/opts.h) */
  uint16_t snd_mss;
  ltcp_time_ns expiry;     /* the end of 2 MSL */
  uint64_t id;             /* the connection's id, for its events */
} ltcp_tw_rec;

/* The stack's records. */
typedef struct ltcp_tw_table {
  ltcp_recs recs;
  ltcp_rec_fifo fifo;      /* by expiry, oldest first */
  uint32_t view_idx;       /* index + 1 of the record the view shows; 0: none */
} ltcp_tw_table;

int ltcp_tw_init(ltcp_stack *st);
void ltcp_tw_free(ltcp_stack *st);

/* Replaces tcb by a record when it may (see above); returns 1 if it did (tcb is then
 * deleted, and freed when the stack call returns). Call only where nothing holds tcb but the
 * caller: after a segment, after the output queue's flush, after the user's close. */
int ltcp_tw_compact(ltcp_stack *st, ltcp_tcb *tcb);
/* Whether a record holds the 4-tuple. */
int ltcp_tw_exists(const ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);
/* The record for a 4-tuple as a view, or NULL. The view is valid until ltcp_tw_view_done. */
ltcp_tcb *ltcp_tw_view(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);
/* After the engine handled the view: keep what changed (or nothing, if the view closed). */
void ltcp_tw_view_done(ltcp_stack *st, ltcp_tcb *view);
/* The view's connection closed: its record goes (called from tcb.c when the view is buried). */
void ltcp_tw_view_gone(ltcp_stack *st);
/* The earliest expiry and its connection id (LTCP_TIME_NEVER when there is no record). */
ltcp_time_ns ltcp_tw_next_expiry(const ltcp_stack *st, uint64_t *id);
/* Ends the oldest record's TIME-WAIT (§3.10.8: "delete the TCB"), through the view so the
 * event is the engine's own. */
void ltcp_tw_expire_oldest(ltcp_stack *st);

#endif
