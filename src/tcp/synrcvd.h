/* Compact half-open connections (RFC 9293 §3.10.7.2: a listener's child in SYN-RECEIVED), the
 * engine's side.
 *
 * A child that has sent its SYN,ACK and waits for the handshake's ACK holds nothing a record
 * cannot: the 4-tuple, ISS and IRS, what the SYN negotiated (MSS, RFC 7323, SACK), the
 * retransmission count and deadline. The host (ip/syn_table.h) replaces its TCB by a 64-byte
 * record (as FreeBSD's syncache and Linux's request_sock), so a SYN flood costs 64 bytes per
 * half-open connection. Anything that happens to the record (a segment for its 4-tuple, its
 * SYN,ACK timer, its listener closing) first turns it back into the same TCB, which the engine
 * then handles as always, and which becomes a record again if it is still only waiting. This
 * module says when that is allowed and what the record keeps (ltcp_syn_state). */
#ifndef LTCP_TCP_SYNRCVD_H
#define LTCP_TCP_SYNRCVD_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "tcp/tcb.h"

#define LTCP_SYN_LEVELS 16 /* SYN,ACK retransmission counts a record can hold (0..15) */

/* What a half-open record keeps besides the 4-tuple, the deadline and the id, which are the
 * host's: 28 bytes with padding. */
typedef struct ltcp_syn_state {
  uint32_t iss, irs;
  uint32_t ts_recent, ts_offset; /* RFC 7323 TS.Recent (from the SYN) and our TSval base */
  uint16_t snd_wnd;        /* the SYN's window (never scaled, RFC 7323 §2.2) */
  uint16_t snd_mss;
  uint8_t flags;           /* ltcp_opts_pack_flags (tcp/opts.h) */
  uint8_t snd_wscale, rcv_wscale;
  uint8_t retries;         /* SYN,ACKs sent again, below LTCP_SYN_LEVELS */
  uint8_t chack;           /* the RFC 5961 §7 count, ltcp_tcb_chack_get (tcp/tcb.h): an ACK
                            * war with a record on one side ends as with a TCB (input.c) */
} ltcp_syn_state;

/* Whether the engine allows tcb to become a record: a passive child waiting for the
 * handshake's ACK and nothing else, with every value a record drops equal to what
 * ltcp_syn_restore gives back. (The host adds its own conditions.) */
int ltcp_syn_may_compact(const ltcp_engine *eng, const ltcp_tcb *tcb);
/* The SYN,ACK retransmission deadline of such a child. */
ltcp_time_ns ltcp_syn_deadline(const ltcp_tcb *tcb);
/* Its SYN,ACK retransmissions so far (below LTCP_SYN_LEVELS). */
static inline uint8_t ltcp_syn_retries(const ltcp_tcb *tcb) { return (uint8_t)tcb->busy->retries; }
/* What the record keeps (before the TCB is retired, ltcp_life_retire: the child keeps its slot
 * in the listener's backlog). */
void ltcp_syn_save(const ltcp_tcb *tcb, ltcp_syn_state *s);
/* A new TCB (ltcp_life_new_with_id, in SYN-RECEIVED) becomes the record's connection again, as
 * the LISTEN step and the timers left it, a child of lst again in the slot the record held,
 * its timer handed to the host. */
void ltcp_syn_restore(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_syn_state *s, ltcp_tcb *lst,
                      const ltcp_ep *local, const ltcp_ep *remote,
                      ltcp_time_ns deadline);

#endif
