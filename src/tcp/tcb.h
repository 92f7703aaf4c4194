/* The transmission control block (RFC 9293 §3.3.1): the TCB and its busy part, and what every
 * layer reads of one (queued bytes, invariants). Its life (creation, state changes,
 * deletion) is tcp/life.h's. */
#ifndef LTCP_TCP_TCB_H
#define LTCP_TCP_TCB_H

#include <stdint.h>

#include "lucidtcp/common.h"
#include "lucidtcp/event.h"
#include "lucidtcp/wire/tcp.h"
#include "tcp/cc.h"
#include "tcp/conn_opts.h"
#include "tcp/ep.h"
#include "tcp/opts.h"
#include "tcp/reasm.h"
#include "tcp/ring.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "tcp/zc.h"

typedef struct ltcp_engine ltcp_engine;
typedef struct ltcp_tcb ltcp_tcb;


/* The part of a TCB that only a busy connection needs: buffers, timers but keep-alive's, the
 * round-trip timing, out-of-order data, the SACK scoreboard, the listener's queues and the
 * engine's lists. An idle connection gives it back (tcb->busy is NULL: "asleep"), so that an
 * idle ESTABLISHED connection costs only the TCB; see tcp/busy.h and docs/design.md. */
typedef struct ltcp_tcb_busy {
  ltcp_ring sndbuf;        /* copied bytes from snd_buf_seq on: unacknowledged, then unsent */
  ltcp_ring rcvbuf;        /* in-order bytes not yet read */
  /* After the rings, so both stay in the first cache line. (At the end of the busy part
   * instead: cachegrind, cycles with 1,000 in flight, 6.49M L1 data misses against 6.59M here,
   * but 733.5M instructions against 731.3M and more instruction misses; 6.19M before it came.) */
  ltcp_zc_queue zc;        /* buffers lent by ltcp_send_zc, interleaved with sndbuf's bytes
                            * in the order queued (tcp/zc.h) */
  ltcp_reasm reasm;        /* out-of-order bytes, in blocks (tcp/reasm.h) */
  ltcp_sack sack;          /* RFC 2018 blocks and RFC 6675 scoreboard (tcp/sack.h) */
  uint32_t snd_retx;       /* after a timeout, the next sequence number to send again */
  /* RFC 6298 */
  ltcp_time_ns rtt_start;  /* when the timed segment was sent; LTCP_TIME_NEVER if none */
  uint32_t rtt_seq;        /* the ACK that ends the timed segment */
  uint32_t retries;        /* consecutive retransmission timeouts */
  uint32_t probes;         /* zero-window probes the peer has not answered */
  uint32_t ka_probes;      /* keep-alive probes the peer has not answered */
  uint32_t ack_tsecr;      /* RFC 7323 §4.1: TSecr of the segment being processed, 0 if none */
  uint32_t rcv_up;         /* RCV.UP (§3.10.7.4 sixth); urgent data is delivered inline */
  uint32_t rcv_acked;      /* RCV.NXT in the last ACK we sent */
  uint32_t rcv_segs;       /* in-order segments with text since then (delack.h) */
  uint32_t snd_sml;        /* end of the last small segment sent (tcp/nagle.h) */
  uint16_t pmtu;           /* path MTU from ICMP "fragmentation needed" (RFC 1191); 0: none
                            * (tcp/icmperr.h lowers snd_mss to it) */
  uint8_t half_open;       /* the host's bookkeeping (ip/table.h): counted as half-open, a
                            * passive child not yet synchronized; the engine never reads it */
  /* Timers: each a deadline (keep-alive's is the TCB's own); tcp/timer.h. */
  ltcp_time_ns rtx_at, tw_at, ut_at, fw2_at;
  ltcp_time_ns dack_at;    /* delayed ACK (RFC 1122 4.2.3.2); see tcp/delack.h */

  /* A listener's children and a child's listener (tcp/listen.h). */
  ltcp_tcb *parent;        /* the listener a passive child came from, until accepted */
  ltcp_tcb *child_prev, *child_next; /* the listener's children not yet accepted */
  ltcp_tcb *children;      /* listener: its children not yet accepted, newest first */
  ltcp_tcb *acceptq_head, *acceptq_tail; /* listener: established children, oldest first */
  ltcp_tcb *accept_next;
  uint32_t backlog, child_count; /* listener: slots, and those held (TCBs and records) */
  uint32_t acceptq_len;    /* listener: children in the accept queue */
  uint32_t sndbuf_size, rcvbuf_size; /* inherited by children */

  /* Links in the engine's lists. */
  ltcp_tcb *tx_prev, *tx_next; /* waiting to send, while in_tx_wait (tcp/output.h) */
  ltcp_tcb *touched_next;  /* used during this call (tcp/busy.h) */
  ltcp_tcb *idle_prev, *idle_next; /* idle with buffers, while idle_listed (tcp/busy.h) */
  ltcp_time_ns idle_since; /* when it was last found idle */
  struct ltcp_tcb_busy *pool_next; /* in the pool of free busy parts */
} ltcp_tcb_busy;

struct ltcp_tcb {
  unsigned state : 4;       /* ltcp_state */
  unsigned passive : 1;     /* came from a listener (§3.10.7.4: RST returns it to LISTEN) */
  unsigned fin_queued : 1;  /* the user's CLOSE: a FIN goes after the last byte queued */
  unsigned fin_rcvd : 1;    /* the peer's FIN is consumed (rcv_nxt is past it) */
  unsigned ack_now : 1;     /* an ACK is owed */
  unsigned rcv_shut : 1;    /* SHUT_RD: discard what arrives */
  unsigned accepted : 1;    /* a listener child handed to the user */
  unsigned orphan : 1;      /* the user closed its socket; the TCB lives on until CLOSED */
  unsigned dead : 1;        /* deleted; freed when the host's call returns */
  unsigned in_tx_wait : 1;  /* waiting to send (tcp/output.h) */
  unsigned probe_now : 1;   /* the next segment is a one-byte window probe */
  unsigned rto_backed_off : 1; /* a retransmission timeout (not a probe) doubled the RTO */
  unsigned touched : 1;     /* on the list of TCBs used during this call (tcp/busy.h) */
  unsigned idle_listed : 1; /* awake, idle, holding buffers: on the idle list (tcp/busy.h) */
  unsigned sack_ok : 1;     /* RFC 2018: both SYNs carried SACK-permitted */
  unsigned sack_offered : 1; /* our SYN carries (or would carry) SACK-permitted */
  unsigned soft_err : 3;    /* the last soft ICMP error, reported on a timeout (tcp/icmperr.h) */
  unsigned chack_count : 4; /* challenge ACKs sent in the interval chack_epoch names (input.c) */
  unsigned chack_epoch : 3; /* that interval's number, modulo 8 */
  /* Set by the host: a transient TCB that shows a compact record (tcp/timewait.h) to the
   * engine. It is in no table, heap or list; the engine reports no deadline for it. */
  unsigned view : 1;
  /* The host's own bookkeeping (ip/): the engine never reads these. */
  unsigned in_table : 1;    /* in the connection table (4-tuple) */
  unsigned is_listener : 1; /* in the listener table */
  uint16_t snd_mss;        /* largest payload we send (peer's MSS, RFC 9293 §3.7.1) */
  uint16_t rcv_mss;        /* the MSS we announce */
  ltcp_conn_opts opts;     /* Nagle and keep-alive settings from the socket (tcp/conn_opts.h) */
  ltcp_ep local, remote;
  int fd;                  /* the descriptor of the socket holding it, or -1: set by the socket
                            * layer; the engine only reports it in events */
  int32_t heap_idx;        /* the host's timer heap (ip/timers.h): the engine never reads it */

  /* Send sequence variables (§3.3.1), and where the send buffer begins. */
  uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2;
  uint32_t snd_max_wnd;    /* RFC 5961 §5 MAX.SND.WND */
  uint32_t snd_buf_seq;    /* sequence number of sndbuf's first byte */
  uint32_t cwnd, ssthresh; /* RFC 5681 */
  ltcp_cc cc;              /* the algorithm, fast recovery (tcp/cc.h) */
  /* Receive sequence variables. */
  uint32_t irs, rcv_nxt;
  uint32_t rcv_adv;        /* right edge of the window we last advertised (never moves left) */
  uint32_t sndbuf_cap, rcvbuf_cap; /* the buffers' sizes while asleep (busy->*buf.cap awake) */
  uint32_t user_timeout_ms; /* RFC 9293 §3.8.3 USER TIMEOUT (TCP_USER_TIMEOUT); 0: none */
  ltcp_rfc7323 rfc7323;    /* window scaling, timestamps, PAWS (tcp/opts.h) */
  uint32_t ts_recent_s;    /* RFC 7323 §5.5: the engine's clock in seconds when TS.Recent was
                            * set (24 days need no finer clock); LTCP_OPTS_TS_NONE: not valid */

  uint64_t id;
  ltcp_cubic cubic;        /* CUBIC's state (tcp/cc.h) */
  /* RFC 6298 */
  ltcp_time_ns srtt, rttvar, rto;

  /* The earliest of keep-alive's timer and the busy part's (tcp/timer.h): what the engine
   * hands the host for its timer heap. */
  ltcp_time_ns deadline;
  ltcp_time_ns ka_at;      /* keep-alive (RFC 9293 §3.8.4); see tcp/keepalive.h */
  ltcp_time_ns rcv_at;     /* when an acceptable segment last arrived (keep-alive idle) */

  /* The host's table chain while the TCB lives; once it is dead (out of every table), the
   * engine links its graveyard and its pool through it. */
  ltcp_tcb *hash_next;
  ltcp_tcb_busy *busy;     /* NULL while asleep */
};

/* Unread bytes, and room in the send buffer, whether awake or asleep. Lent bytes (tcp/zc.h)
 * take room as copied ones do; they may overfill it by one buffer. */
static inline uint32_t ltcp_tcb_rcv_queued(const ltcp_tcb *tcb) {
  return tcb->busy ? tcb->busy->rcvbuf.len : 0;
}
static inline uint32_t ltcp_tcb_snd_space(const ltcp_tcb *tcb) {
  if (!tcb->busy) return tcb->sndbuf_cap;
  uint32_t held = tcb->busy->sndbuf.len + tcb->busy->zc.bytes;
  return held < tcb->busy->sndbuf.cap ? tcb->busy->sndbuf.cap - held : 0;
}
static inline uint32_t ltcp_tcb_rcv_cap(const ltcp_tcb *tcb) {
  return tcb->busy ? tcb->busy->rcvbuf.cap : tcb->rcvbuf_cap;
}
/* Bytes in the send stream: copied and lent, unacknowledged, then unsent. */
static inline uint32_t ltcp_tcb_snd_queued(const ltcp_tcb *tcb) {
  return tcb->busy ? tcb->busy->sndbuf.len + tcb->busy->zc.bytes : 0;
}
/* Sequence number of our FIN (valid once fin_queued). */
static inline uint32_t ltcp_tcb_fin_seq(const ltcp_tcb *tcb) {
  return tcb->snd_buf_seq + ltcp_tcb_snd_queued(tcb);
}
static inline int ltcp_tcb_fin_acked(const ltcp_tcb *tcb) {
  return tcb->fin_queued && ltcp_seq_gt(tcb->snd_una, ltcp_tcb_fin_seq(tcb));
}
static inline int ltcp_tcb_synchronized(ltcp_state s) { return s >= LTCP_ESTABLISHED; }
/* The unread bytes move to *out (which the caller then owns, a ring outside the budget: it is
 * no longer counted in eng's buffer memory); the TCB keeps none. For a socket whose connection
 * ended in an orderly way: the data stays the user's to read. */
void ltcp_tcb_take_unread(ltcp_engine *eng, ltcp_tcb *tcb, ltcp_ring *out);
/* Invariants of a live TCB (assertions). */
void ltcp_tcb_check(const ltcp_tcb *tcb);

/* The RFC 5961 §7 count (chack_count, chack_epoch) in one byte, for the compact records that
 * keep it between the views of one connection (tcp/timewait.h, tcp/synrcvd.h). */
static inline uint8_t ltcp_tcb_chack_get(const ltcp_tcb *tcb) {
  return (uint8_t)(tcb->chack_epoch << 4 | tcb->chack_count);
}
static inline void ltcp_tcb_chack_set(ltcp_tcb *tcb, uint8_t packed) {
  tcb->chack_epoch = (packed >> 4) & 7u;
  tcb->chack_count = packed & 15u;
}

#endif
