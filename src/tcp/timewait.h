/* Compact TIME-WAIT (RFC 9293 §3.10.7.4, TIME-WAIT; §3.10.8 time-wait timeout), the engine's
 * side.
 *
 * A connection in TIME-WAIT that nobody can read from any more (the user closed its socket,
 * nothing is left unread, no ACK is owed) needs only what the state machine reads there: the
 * 4-tuple, SND.NXT, RCV.NXT, the window it advertises, the RFC 7323 state and the expiry. The
 * host (ip/tw_table.h) replaces its TCB by a 64-byte record (as Linux's tcp_timewait_sock and
 * FreeBSD's tcptw); this module says when that is allowed, what the record keeps of the
 * connection (ltcp_tw_state), and how the record is shown to the engine again.
 *
 * The state machine is not written twice. A segment for a record (and its expiry) is handled
 * by the ordinary engine on a "view": a scratch TCB of the host's, filled from the record, then
 * read back (the 2 MSL restart, TS.Recent), or, if the connection closed, the record freed. */
#ifndef LTCP_TCP_TIMEWAIT_H
#define LTCP_TCP_TIMEWAIT_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "tcp/tcb.h"

/* What a TIME-WAIT record keeps of its connection besides the 4-tuple, the expiry and the id,
 * which are the host's: 28 bytes. */
typedef struct ltcp_tw_state {
  uint32_t snd_nxt, rcv_nxt;
  uint32_t snd_max_wnd;    /* RFC 5961 §5 MAX.SND.WND, for the ACK acceptability check */
  uint32_t rcv_wnd;        /* the window every ACK from TIME-WAIT advertises, in bytes */
  uint32_t ts_recent, ts_offset; /* RFC 7323 TS.Recent and our TSval base */
  uint8_t wscale_flags;    /* RFC 7323 Rcv.Wind.Shift (at most 14: the low 4 bits) and
                            * ltcp_opts_pack_flags (tcp/opts.h, 4 bits: the high ones) */
  uint8_t chack;           /* the RFC 5961 §7 count, ltcp_tcb_chack_get (tcp/tcb.h): an ACK
                            * war with a record on one side ends as with a TCB (input.c) */
  uint16_t snd_mss;
} ltcp_tw_state;

/* Whether the engine allows tcb to become a record: in TIME-WAIT, orphaned, owing nothing, out
 * of its listener, nothing unread or unacknowledged. (The host adds its own conditions.) */
int ltcp_tw_may_compact(const ltcp_tcb *tcb);
/* The 2 MSL expiry of a TCB in TIME-WAIT. */
ltcp_time_ns ltcp_tw_expiry(const ltcp_tcb *tcb);
/* What the record keeps (before the TCB is retired, ltcp_life_retire). */
void ltcp_tw_save(const ltcp_engine *eng, const ltcp_tcb *tcb, ltcp_tw_state *s);
/* Fills view (and its busy part b, both the host's) as the record's TCB would be in
 * TIME-WAIT: the 4-tuple, s, the expiry and the connection's id. */
void ltcp_tw_view_fill(ltcp_engine *eng, ltcp_tcb *view, ltcp_tcb_busy *b, const ltcp_tw_state *s,
                       const ltcp_ep *local, const ltcp_ep *remote,
                       ltcp_time_ns expiry, uint64_t id);
/* After the engine handled a view still in TIME-WAIT: what changed goes back into s (TS.Recent,
 * the option flags); returns the expiry (moved by a retransmitted FIN, §3.10.7.4). */
ltcp_time_ns ltcp_tw_view_read_back(const ltcp_tcb *view, ltcp_tw_state *s);

#endif
