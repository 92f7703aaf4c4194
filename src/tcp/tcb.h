/* The transmission control block (RFC 9293 §3.3.1) and the engine's internal interface.
 * Every function takes the stack: the TCB lives in it, sends through it and reports to it. */
#ifndef LTCP_TCP_TCB_H
#define LTCP_TCP_TCB_H

#include "lucidtcp/event.h"
#include "lucidtcp/socket.h"
#include "lucidtcp/stack.h"
#include "tcp/cc.h"
#include "tcp/reasm.h"
#include "tcp/opts.h"
#include "tcp/ring.h"
#include "tcp/sack.h"
#include "tcp/seq.h"
#include "lucidtcp/wire/tcp.h"

typedef struct ltcp_tcb ltcp_tcb;

/* Per-connection options a socket sets, a TCB keeps and a listener's children inherit. The
 * ranges are Linux's (TCP_KEEPIDLE and TCP_KEEPINTVL 1..32767 s, TCP_KEEPCNT 1..127). */
typedef struct ltcp_conn_opts {
  uint8_t nodelay;         /* TCP_NODELAY: 1 turns Nagle's algorithm off */
  uint8_t keepalive;       /* SO_KEEPALIVE */
  uint8_t congestion;      /* TCP_CONGESTION: LTCP_CC_CUBIC or LTCP_CC_NEWRENO (tcp/cc.h) */
  uint8_t keep_cnt;        /* TCP_KEEPCNT */
  uint16_t keep_idle_s, keep_intvl_s; /* TCP_KEEPIDLE, TCP_KEEPINTVL */
} ltcp_conn_opts;

/* The part of a TCB that only a busy connection needs: buffers, timers but keep-alive's, the
 * round-trip timing, out-of-order data, the SACK scoreboard, the listener's queues and the
 * stack's lists. An idle connection gives it back (tcb->busy is NULL: "asleep"), so that an
 * idle ESTABLISHED connection costs only the TCB; see ltcp_tcb_wake and docs/design.md. */
typedef struct ltcp_tcb_busy {
  ltcp_ring sndbuf;        /* bytes from snd_buf_seq on: unacknowledged, then unsent */
  ltcp_ring rcvbuf;        /* in-order bytes not yet read (len), then out-of-order ones */
  ltcp_reasm reasm;
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
  uint32_t snd_sml;        /* end of the last small segment sent (Nagle, Minshall's variant) */
  /* Timers: each a deadline (keep-alive's is the TCB's own). */
  ltcp_time_ns rtx_at, tw_at, ut_at, fw2_at;
  ltcp_time_ns dack_at;    /* delayed ACK (RFC 1122 4.2.3.2); see tcp/delack.h */

  /* Listener fields (state LISTEN). */
  ltcp_tcb *parent;        /* the listener a passive child came from, until accepted */
  ltcp_tcb *acceptq_head, *acceptq_tail; /* established children not yet accepted */
  ltcp_tcb *accept_next;
  uint32_t backlog, child_count;
  uint32_t sndbuf_size, rcvbuf_size; /* inherited by children */

  /* Links in the stack's lists. */
  ltcp_tcb *tx_next;       /* tx-wait list */
  ltcp_tcb *touched_next;  /* the stack's list of TCBs used during this call */
  ltcp_tcb *idle_prev, *idle_next; /* the stack's idle list, while idle_listed */
  ltcp_time_ns idle_since; /* when it was last found idle */
  struct ltcp_tcb_busy *pool_next; /* in the stack's pool of free busy parts */
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
  unsigned dead : 1;        /* deleted; freed when the stack call returns */
  unsigned in_tx_wait : 1;  /* waiting for room in the output queue */
  unsigned reuseaddr : 1;
  unsigned probe_now : 1;   /* the next segment is a one-byte window probe */
  unsigned rto_backed_off : 1; /* a retransmission timeout (not a probe) doubled the RTO */
  unsigned in_table : 1;    /* in the connection table (4-tuple) */
  unsigned is_listener : 1; /* in the listener table */
  unsigned view : 1;        /* the stack's view of a compact TIME-WAIT record (tcp/timewait.h):
                             * in no table, heap or list */
  unsigned touched : 1;     /* on the stack's list of TCBs used during this call */
  unsigned idle_listed : 1; /* awake, idle, holding buffers: on the stack's idle list */
  unsigned sack_ok : 1;     /* RFC 2018: both SYNs carried SACK-permitted */
  unsigned sack_offered : 1; /* our SYN carries (or would carry) SACK-permitted */
  uint16_t snd_mss;        /* largest payload we send (peer's MSS, RFC 9293 §3.7.1) */
  uint16_t rcv_mss;        /* the MSS we announce */
  ltcp_conn_opts opts;     /* Nagle and keep-alive settings from the socket */
  ltcp_endpoint local, remote;
  int fd;                  /* socket holding it, or -1 (orphan: the user closed it) */
  int32_t heap_idx;

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
  uint32_t ts_recent_s;    /* RFC 7323 §5.5: the stack's clock in seconds when TS.Recent was
                            * set (24 days need no finer clock); LTCP_OPTS_TS_NONE: not valid */

  uint64_t id;
  ltcp_cubic cubic;        /* CUBIC's state (tcp/cc.h) */
  /* RFC 6298 */
  ltcp_time_ns srtt, rttvar, rto;

  /* The timer heap's key: the earliest of keep-alive's timer and the busy part's. */
  ltcp_time_ns deadline;
  ltcp_time_ns ka_at;      /* keep-alive (RFC 9293 §3.8.4); see tcp/keepalive.h */
  ltcp_time_ns rcv_at;     /* when an acceptable segment last arrived (keep-alive idle) */

  ltcp_tcb *hash_next;     /* connection or listener table chain; the graveyard once dead */
  ltcp_tcb_busy *busy;     /* NULL while asleep */
};

/* Why something happened: the cause recorded with a state change. */
typedef struct ltcp_cause {
  ltcp_cause_kind kind;
  ltcp_call call;
  ltcp_timer timer;
  ltcp_seg_summary seg;
} ltcp_cause;

ltcp_cause ltcp_cause_call(ltcp_call call);
ltcp_cause ltcp_cause_timer(ltcp_timer timer);
ltcp_cause ltcp_cause_segment(const ltcp_seg *seg);

/* tcb.c: life cycle and state. */
ltcp_tcb *ltcp_tcb_new(ltcp_stack *st, ltcp_state state);
/* The same with a given id (a record turned back into its TCB keeps its connection's id). */
ltcp_tcb *ltcp_tcb_new_with_id(ltcp_stack *st, ltcp_state state, uint64_t id);
void ltcp_tcb_set_state(ltcp_stack *st, ltcp_tcb *tcb, ltcp_state next, const ltcp_cause *why);
/* Enters CLOSED with the error the user will see (0 for none) and deletes the TCB. */
void ltcp_tcb_close(ltcp_stack *st, ltcp_tcb *tcb, int error, const ltcp_cause *why);
/* Deletes the TCB without a state change (after SYN-RECEIVED -> LISTEN). */
void ltcp_tcb_delete(ltcp_stack *st, ltcp_tcb *tcb);
/* Frees memory of a TCB already out of every table. */
void ltcp_tcb_free(ltcp_stack *st, ltcp_tcb *tcb);
/* Gives an asleep TCB its busy part back (idle values: empty buffers, no timer but
 * keep-alive's, nothing timed or held) and touches it. Every entry point that hands a TCB to
 * the engine calls it first. Returns 0, or LTCP_ENOMEM (the TCB stays asleep and unchanged). */
int ltcp_tcb_wake_slow(ltcp_stack *st, ltcp_tcb *tcb);
static inline int ltcp_tcb_wake(ltcp_stack *st, ltcp_tcb *tcb) {
  return tcb->busy ? 0 : ltcp_tcb_wake_slow(st, tcb);
}
/* Puts an awake TCB on the stack's list of TCBs to look at when the call ends: whatever may
 * have left it idle calls it (a segment, a timer, data read, an ACK sent, an accept). */
void ltcp_tcb_touch_slow(ltcp_stack *st, ltcp_tcb *tcb);
static inline void ltcp_tcb_touch(ltcp_stack *st, ltcp_tcb *tcb) {
  if (!tcb->touched && !tcb->view) ltcp_tcb_touch_slow(st, tcb);
}
/* An idle TCB that holds buffer memory keeps it, and its busy part, this long. */
#define LTCP_TCB_SLEEP_NS LTCP_SEC(1)
/* At the end of a stack call (ltcp_stack_reap calls it): an idle TCB used during the call gives
 * its busy part back at once when it holds no buffer memory, else after LTCP_TCB_SLEEP_NS idle
 * (freeing its buffers too). */
void ltcp_tcb_sleep_idle(ltcp_stack *st);
/* Returns every busy part and TCB kept for reuse to the allocator (ltcp_stack_free). */
void ltcp_tcb_busy_pool_free(ltcp_stack *st);
/* Unread bytes, and room in the send buffer, whether awake or asleep. */
static inline uint32_t ltcp_tcb_rcv_queued(const ltcp_tcb *tcb) {
  return tcb->busy ? tcb->busy->rcvbuf.len : 0;
}
static inline uint32_t ltcp_tcb_snd_space(const ltcp_tcb *tcb) {
  return tcb->busy ? ltcp_ring_free_space(&tcb->busy->sndbuf) : tcb->sndbuf_cap;
}
static inline uint32_t ltcp_tcb_rcv_cap(const ltcp_tcb *tcb) {
  return tcb->busy ? tcb->busy->rcvbuf.cap : tcb->rcvbuf_cap;
}
/* The window we advertise now: free receive buffer, never shrinking the right edge. */
uint32_t ltcp_tcb_rcv_wnd(const ltcp_tcb *tcb);
static inline uint32_t ltcp_tcb_snd_queued(const ltcp_tcb *tcb) {
  return tcb->busy ? tcb->busy->sndbuf.len : 0;
}
/* Sequence number of our FIN (valid once fin_queued). */
static inline uint32_t ltcp_tcb_fin_seq(const ltcp_tcb *tcb) {
  return tcb->snd_buf_seq + ltcp_tcb_snd_queued(tcb);
}
static inline int ltcp_tcb_fin_acked(const ltcp_tcb *tcb) {
  return tcb->fin_queued && ltcp_seq_gt(tcb->snd_una, ltcp_tcb_fin_seq(tcb));
}
static inline int ltcp_tcb_synchronized(ltcp_state s) { return s >= LTCP_ESTABLISHED; }
void ltcp_tcb_check(const ltcp_tcb *tcb);

/* isn.c: RFC 9293 §3.4.1 / RFC 6528. */
uint32_t ltcp_isn_select(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);
/* The keyed hash of the 4-tuple: low half the ISN's F, high half the TSval offset. */
uint64_t ltcp_isn_hash(ltcp_stack *st, const ltcp_endpoint *local, const ltcp_endpoint *remote);

/* rtt.c: RFC 6298. */
void ltcp_rtt_sample(ltcp_stack *st, ltcp_tcb *tcb, ltcp_time_ns rtt);
ltcp_time_ns ltcp_rtt_backed_off(const ltcp_stack *st, const ltcp_tcb *tcb);
/* One of several samples per round trip (RFC 7323 Appendix G): alpha and beta divided by
 * expected (>= 1). */
void ltcp_rtt_sample_weighted(ltcp_stack *st, ltcp_tcb *tcb, ltcp_time_ns rtt, uint32_t expected);

/* output.c */
void ltcp_out_syn(ltcp_stack *st, ltcp_tcb *tcb);            /* SYN or SYN,ACK at iss */
void ltcp_out_ack(ltcp_stack *st, ltcp_tcb *tcb);            /* <SEQ=SND.NXT><ACK=RCV.NXT> */
void ltcp_out_rst(ltcp_stack *st, ltcp_tcb *tcb, uint32_t seq); /* RST from a TCB */
/* RFC 9293 §3.8.4 SHLD-12: a keep-alive probe <SEQ=SND.NXT-1><ACK=RCV.NXT>, no data. */
void ltcp_out_keepalive(ltcp_stack *st, ltcp_tcb *tcb);
/* Sends what the windows allow (data, then FIN), and an owed ACK if nothing carried it. */
void ltcp_output(ltcp_stack *st, ltcp_tcb *tcb);
/* §3.10.7.1 reset for a segment that matches no connection. */
void ltcp_out_reset_reply(ltcp_stack *st, const ltcp_seg *seg);
void ltcp_out_arm_rtx(ltcp_stack *st, ltcp_tcb *tcb);

/* input.c: SEGMENT ARRIVES. */
/* isn: the ISS to use (TIME-WAIT reuse), or NULL to select one. */
void ltcp_input_listen(ltcp_stack *st, ltcp_tcb *lst, const ltcp_seg *seg, const uint32_t *isn);
void ltcp_input_syn_sent(ltcp_stack *st, ltcp_tcb *tcb, const ltcp_seg *seg);
void ltcp_input_other(ltcp_stack *st, ltcp_tcb *tcb, const ltcp_seg *seg);

/* timer.c: §3.10.8 timeouts. */
void ltcp_timer_expire(ltcp_stack *st, ltcp_tcb *tcb);
void ltcp_timer_start_time_wait(ltcp_stack *st, ltcp_tcb *tcb);
/* An orphan in FIN-WAIT-2 waits for the peer's FIN only so long (as Linux's tcp_fin_timeout). */
void ltcp_timer_orphan_fin_wait_2(ltcp_stack *st, ltcp_tcb *tcb);

/* user.c: RFC 9293 §3.10.1-§3.10.6 user calls. Each returns 0 (or a count) or LTCP_E*. */
int ltcp_user_open_active(ltcp_stack *st, ltcp_tcb *tcb);
int ltcp_user_open_passive(ltcp_stack *st, ltcp_tcb *tcb, uint32_t backlog);
int32_t ltcp_user_send(ltcp_stack *st, ltcp_tcb *tcb, const uint8_t *data, uint32_t len);
/* Returns bytes copied, 0 at end of stream, or LTCP_EAGAIN / LTCP_ENOTCONN. */
int32_t ltcp_user_receive(ltcp_stack *st, ltcp_tcb *tcb, uint8_t *buf, uint32_t len, int peek);
int ltcp_user_close(ltcp_stack *st, ltcp_tcb *tcb);
void ltcp_user_abort(ltcp_stack *st, ltcp_tcb *tcb);
void ltcp_user_status(const ltcp_tcb *tcb, ltcp_tcp_info *info);

#endif
