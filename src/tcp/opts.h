/* RFC 7323: window scaling, timestamps (RTTM) and PAWS, negotiated in the SYN and SYN,ACK.
 * The wire format is src/wire/tcp_wire.c's; this is the per-connection state and its rules.
 * Private to src/tcp/. */
#ifndef LTCP_TCP_OPTS_H
#define LTCP_TCP_OPTS_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/stats.h"
#include "lucidtcp/wire/tcp.h"

#define LTCP_OPTS_WSCALE_MAX 14     /* §2.3: a larger shift.cnt is used as 14 */
#define LTCP_OPTS_TS_LEN 12         /* NOP NOP TS: what a timestamp costs every segment */
#define LTCP_OPTS_TS_NONE UINT32_MAX /* tcb->ts_recent_s: TS.Recent not valid */

typedef struct ltcp_engine ltcp_engine;
typedef struct ltcp_tcb ltcp_tcb;

typedef struct ltcp_rfc7323 {
  uint8_t inited;          /* offers chosen (the first SYN sent or received) */
  uint8_t ws_offered;      /* our SYN carries (or would carry) a Window Scale option */
  uint8_t ts_offered;      /* our SYN carries (or would carry) a Timestamps option */
  uint8_t wscale_offer;    /* R: the shift we announce, from the receive buffer */
  uint8_t ws_ok;           /* Snd.WS.OK: both SYNs had WSopt */
  uint8_t ts_ok;           /* Snd.TS.OK: both SYNs had TSopt */
  uint8_t snd_wscale;      /* Snd.Wind.Shift: SND.WND = SEG.WND << it */
  uint8_t rcv_wscale;      /* Rcv.Wind.Shift: SEG.WND = RCV.WND >> it */
  uint32_t ts_offset;      /* per-connection base of our TSval (§5.4, §7.1) */
  uint32_t ts_recent;      /* TS.Recent (§4.3) */
  uint32_t last_ack_sent;  /* Last.ACK.sent (§4.3) */
} ltcp_rfc7323;

/* The shift that lets a window of rcvbuf bytes fit the 16-bit field (as Linux), at most 14. */
uint8_t ltcp_opts_wscale_for(uint32_t rcvbuf);
/* The shift our SYN offers for a receive buffer of rcvbuf bytes: one that fits the larger of it
 * and cfg.rcvbuf_max, the size the buffer may grow to. */
uint8_t ltcp_opts_wscale_offer(const ltcp_engine *eng, uint32_t rcvbuf);
/* Our timestamp clock: milliseconds of the stack's clock plus the connection's offset. */
uint32_t ltcp_opts_ts_now(const ltcp_engine *eng, const ltcp_tcb *tcb);

/* Chooses what our SYN offers (from the stack config and the receive buffer); idempotent. */
void ltcp_opts_init(ltcp_engine *eng, ltcp_tcb *tcb);
/* A SYN or SYN,ACK arrived (LISTEN, SYN-SENT): negotiate from its options (§2.3, §3.2). */
void ltcp_opts_take_syn(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg);
/* Fills the options of a segment the TCB sends: WSopt and TSopt in SYNs as negotiated or
 * offered, TSopt in every segment once negotiated; Last.ACK.sent. */
void ltcp_opts_stamp(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_seg *seg);

/* Before the acceptability test of a synchronized connection (§3.2, §5.3 R1): why the segment
 * must be dropped (LTCP_DROP_TCP_TS_MISSING: silently; LTCP_DROP_TCP_PAWS: with an ACK, R1), or
 * LTCP_DROP_NONE. */
ltcp_drop_reason ltcp_opts_reject(const ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg);
/* After the acceptability test (§5.3 R3): TS.Recent, and the TSecr for RTTM. */
void ltcp_opts_take_ts(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg);
/* In the ACK step, when SND.UNA advances: an RTT sample from TSecr (§4.1, Appendix G).
 * Returns 1 if a sample was taken. Call with SND.UNA not yet advanced. */
int ltcp_opts_rtt_sample(ltcp_engine *eng, ltcp_tcb *tcb);
/* TIME-WAIT: may a new SYN reopen the connection? RFC 6191 with timestamps, else the
 * sequence-number rule of RFC 9293 §3.6 (SEG.SEQ > RCV.NXT). */
int ltcp_opts_time_wait_syn_ok(const ltcp_tcb *tcb, const ltcp_seg *seg);
/* What a compact record (tcp/timewait.h, tcp/synrcvd.h) keeps of the negotiation in one byte:
 * Snd.TS.OK, Snd.WS.OK, SACK-permitted (RFC 2018), and whether TS.Recent holds a value; and
 * back (a valid TS.Recent is dated now: a record lives far less than §5.5's 24 days). */
uint8_t ltcp_opts_pack_flags(const ltcp_tcb *tcb);
void ltcp_opts_unpack_flags(const ltcp_engine *eng, ltcp_tcb *tcb, uint8_t flags);

#endif
