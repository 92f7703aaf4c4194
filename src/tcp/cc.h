/* Congestion control behind a small interface (RFC 5681 §3, RFC 9438), selectable per
 * connection: NewReno and CUBIC. The engine calls ltcp_cc_*; loss detection and recovery
 * (fast retransmit, NewReno partial ACKs, SACK-based recovery) live in tcp/recovery.c and
 * call the algorithm through its ops table. */
#ifndef LTCP_TCP_CC_H
#define LTCP_TCP_CC_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/config.h"

typedef struct ltcp_tcb ltcp_tcb;

/* Per-connection congestion state, beside cwnd and ssthresh in the TCB. */
typedef struct ltcp_cc {
  uint8_t id;              /* LTCP_CC_CUBIC or LTCP_CC_NEWRENO (lucidtcp/config.h) */
  uint8_t in_recovery;     /* fast recovery (RFC 5681 §3.2, RFC 6582, RFC 6675) */
  uint8_t dupacks;         /* duplicate ACKs in a row (RFC 5681 §2) */
  uint8_t recover_set;     /* recover holds a value (a recovery or timeout happened) */
  uint32_t recover;        /* RFC 6582 "recover", RFC 6675 RecoveryPoint */
  uint32_t bytes_acked;    /* RFC 3465 byte counting in congestion avoidance */
  uint32_t carry;          /* CUBIC: the fraction of a byte of cwnd growth not yet added, in
                            * units of 2^-32 byte (here, not in ltcp_cubic, to pack the TCB) */
} ltcp_cc;

/* CUBIC's state (RFC 9438 §4), windows in segments; beside ltcp_cc in the TCB. */
typedef struct ltcp_cubic {
  double w_max;            /* window before the last reduction */
  double k;                /* time to reach w_max again, seconds */
  double w_est;            /* the Reno-friendly estimate (§4.3) */
  ltcp_time_ns t_epoch;    /* start of the current epoch; LTCP_TIME_NEVER: none */
} ltcp_cubic;

typedef struct ltcp_cc_ops {
  const char *name;
  /* Congestion avoidance growth for acked new bytes, outside recovery and slow start. */
  void (*on_ack)(ltcp_tcb *tcb, uint32_t acked, ltcp_time_ns now);
  /* A congestion event (fast retransmit or timeout): returns the new ssthresh. */
  uint32_t (*on_congestion)(ltcp_tcb *tcb, ltcp_time_ns now);
  /* Fast recovery ended with cwnd = ssthresh: a new growth epoch may begin. */
  void (*on_recovery_end)(ltcp_tcb *tcb, ltcp_time_ns now);
} ltcp_cc_ops;

extern const ltcp_cc_ops ltcp_cc_newreno;
extern const ltcp_cc_ops ltcp_cc_cubic;

const ltcp_cc_ops *ltcp_cc_ops_of(const ltcp_tcb *tcb);
/* RFC 6928 initial window, ssthresh "arbitrarily high" (RFC 5681 §3.1); the algorithm from
 * tcb->opts.congestion. Call once the send MSS is known. */
void ltcp_cc_init(ltcp_tcb *tcb);
/* TCP_CONGESTION: the connection's algorithm becomes id (< LTCP_CC_COUNT), taking over from
 * the next ACK with a new epoch, as Linux allows. */
void ltcp_cc_select(ltcp_tcb *tcb, uint8_t id);
/* New data acknowledged outside recovery: slow start (RFC 5681 §3.1, at most one SMSS per
 * ACK) or the algorithm's congestion avoidance. flight: bytes outstanding before this ACK; a
 * window the sender did not use does not grow (RFC 7661, RFC 9438 §5.8). */
void ltcp_cc_on_ack(ltcp_tcb *tcb, uint32_t acked, uint32_t flight, ltcp_time_ns now);
/* The sequence number up to which congestion control lets new data go: SND.UNA + cwnd, plus
 * limited transmit (RFC 3042), or past SND.NXT by cwnd - pipe in SACK recovery (RFC 6675). */
uint32_t ltcp_cc_send_edge(const ltcp_tcb *tcb);
static inline int ltcp_cc_in_recovery(const ltcp_cc *cc) { return cc->in_recovery; }

#endif
