/* Compact half-open connections (RFC 9293 §3.10.7.2: a listener's child in SYN-RECEIVED).
 *
 * A child that has sent its SYN,ACK and waits for the handshake's ACK holds nothing a record
 * cannot: the 4-tuple, ISS and IRS, what the SYN negotiated (MSS, RFC 7323, SACK), the
 * retransmission count and deadline. Its TCB is replaced by a 64-byte record (as FreeBSD's
 * syncache and Linux's request_sock), so a SYN flood costs 64 bytes per half-open
 * connection. Anything that happens to the record (a segment for its 4-tuple, its SYN,ACK
 * timer, its listener closing) first turns it back into the same TCB, which the engine then
 * handles as always, and which becomes a record again if it is still only waiting.
 *
 * Timers: the deadline of a record is its entry time plus the backed-off RTO for its
 * retransmission count, so one FIFO per count is sorted by deadline; the next expiry is the
 * earliest of at most LTCP_SYN_LEVELS heads. */
#ifndef LTCP_TCP_SYNRCVD_H
#define LTCP_TCP_SYNRCVD_H

#include <stdint.h>

#include "ip/records.h"
#include "lucidtcp/common.h"
#include "lucidtcp/stack.h"

typedef struct ltcp_tcb ltcp_tcb;

#define LTCP_SYN_LEVELS 16 /* SYN,ACK retransmission counts a record can hold (0..15) */

/* One half-open connection: 64 bytes. The local address is the stack's own. */
typedef struct ltcp_syn_rec {
  ltcp_rec_hdr link;       /* bucket, FIFO and 4-tuple (ip/records.h) */
  uint32_t iss, irs;
  uint32_t ts_recent, ts_offset; /* RFC 7323 TS.Recent (from the SYN) and our TSval base */
  uint16_t snd_wnd;        /* the SYN's window (never scaled, RFC 7323 §2.2) */
  uint16_t snd_mss;
  uint8_t flags;           /* ltcp_opts_pack_flags (tcp/opts.h) */
  uint8_t snd_wscale, rcv_wscale;
  uint8_t retries;         /* SYN,ACKs sent again */
  uint32_t reserved;
  ltcp_time_ns deadline;   /* the SYN,ACK retransmission timer */
  uint64_t id;             /* the connection's id, for its events */
} ltcp_syn_rec;

typedef struct ltcp_syn_table {
  ltcp_recs recs;
  ltcp_rec_fifo fifo[LTCP_SYN_LEVELS]; /* by retransmission count, each sorted by deadline */
} ltcp_syn_table;

int ltcp_syn_init(ltcp_stack *st);
void ltcp_syn_free(ltcp_stack *st);
/* Replaces a waiting child by a record when it may; returns 1 if it did (tcb is then deleted
 * and freed when the stack call returns). Call only where nothing else holds tcb. */
int ltcp_syn_compact(ltcp_stack *st, ltcp_tcb *tcb);
/* Whether a record holds the 4-tuple. */
int ltcp_syn_exists(const ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);
/* The TCB again for a record's 4-tuple (the record goes), or NULL when there is none or no
 * memory (the record stays; the segment is then dropped as for a full queue). */
ltcp_tcb *ltcp_syn_expand(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);
/* The earliest record deadline and its connection id (LTCP_TIME_NEVER when none). */
ltcp_time_ns ltcp_syn_next_expiry(const ltcp_stack *st, uint64_t *id);
/* The record with the earliest deadline as a TCB again (in the timer heap, due). */
ltcp_tcb *ltcp_syn_expand_earliest(ltcp_stack *st);
/* A listener is going: every record of its port becomes a TCB again (the caller ends them). */
void ltcp_syn_expand_port(ltcp_stack *st, uint16_t port);

#endif
