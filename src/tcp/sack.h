/* SACK (RFC 2018): SACK-permitted in the handshake, the blocks a receiver reports from its
 * out-of-order ranges, and the sender's scoreboard with RFC 6675's IsLost, pipe and NextSeg.
 * Bounded: at most LTCP_SACK_RANGES ranges are kept; nothing is allocated. Private to src/tcp/. */
#ifndef LTCP_TCP_SACK_H
#define LTCP_TCP_SACK_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/wire/tcp.h"

#define LTCP_SACK_RANGES 16   /* sender's scoreboard: SACKed ranges above SND.UNA */
#define LTCP_SACK_DUPTHRESH 3 /* RFC 6675 DupThresh */

typedef struct ltcp_engine ltcp_engine;
typedef struct ltcp_tcb ltcp_tcb;

typedef struct ltcp_sack {
  uint8_t count;           /* scoreboard ranges in use */
  uint8_t recent_count;    /* receiver: entries in recent[] */
  uint32_t recent[LTCP_TCP_MAX_SACK_BLOCKS]; /* receiver: first byte of recent out-of-order
                                              * arrivals, newest first (RFC 2018 §4) */
  uint8_t has_dsack;       /* receiver: a duplicate to report in the next ACK (RFC 2883) */
  uint32_t dsack_start, dsack_end;
  uint32_t high_rxt;       /* RFC 6675 HighRxt: end of the highest retransmission */
  struct { uint32_t start, end; } r[LTCP_SACK_RANGES]; /* SACKed, sorted, disjoint */
} ltcp_sack;

/* A SYN or SYN,ACK arrived: SACK is on when we offer it and the peer's SYN has the option. */
void ltcp_sack_take_syn(ltcp_engine *eng, ltcp_tcb *tcb, const ltcp_seg *seg);
/* Adds SACK-permitted to a SYN (an initial SYN when cfg.sack, a SYN,ACK when negotiated), and
 * SACK blocks to an ACK while out-of-order data is held (as many as the options room takes). */
void ltcp_sack_stamp(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_seg *seg);
/* Receiver: out-of-order bytes [start, end) were just taken. */
void ltcp_sack_rcv_note(ltcp_tcb *tcb, uint32_t start, uint32_t end);
/* Receiver: [start, end) arrived again, all below RCV.NXT: the next ACK reports it as the
 * first block, a D-SACK (RFC 2883 §4). */
void ltcp_sack_rcv_dup(ltcp_tcb *tcb, uint32_t start, uint32_t end);

/* Sender: takes the SACK blocks of an acceptable ACK (ignoring those at or below SND.UNA or
 * beyond SND.NXT) and drops what SND.UNA passed. Returns the bytes newly SACKed. */
uint32_t ltcp_sack_update(ltcp_tcb *tcb, const ltcp_seg *seg);
/* Forgets the scoreboard (after a timeout, RFC 2018 §8). */
void ltcp_sack_clear(ltcp_tcb *tcb);
/* RFC 6675 IsLost(SND.UNA): enough SACKed above the first unacknowledged byte. */
int ltcp_sack_first_lost(const ltcp_tcb *tcb);
/* RFC 6675 SetPipe, in bytes: outstanding bytes neither SACKed nor lost, plus retransmitted. */
uint32_t ltcp_sack_pipe(const ltcp_tcb *tcb);
/* RFC 6675 NextSeg rule 1: the first lost, unSACKed byte at or above HighRxt and how many
 * bytes of it (at most max) may go in one segment. Returns 0 when there is none. */
uint32_t ltcp_sack_next_lost(const ltcp_tcb *tcb, uint32_t max, uint32_t *seq);

#endif
