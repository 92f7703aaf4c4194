/** @file
 * lucidtcp: events drained from a stack: each state change with its cause, and each drop. */
#ifndef LUCIDTCP_EVENT_H
#define LUCIDTCP_EVENT_H

#include "common.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What caused a state change. */
typedef enum ltcp_cause_kind {
  LTCP_CAUSE_SEGMENT, /**< a segment arrived: see ev.seg */
  LTCP_CAUSE_CALL,    /**< a user call: see ev.call */
  LTCP_CAUSE_TIMER,   /**< a timer expired: see ev.timer */
  LTCP_CAUSE_ICMP,    /**< an ICMP error arrived for the connection: see ev.icmp_type, icmp_code */
  LTCP_CAUSE_SYNCOOKIE /**< an ACK to a listener returned a valid SYN cookie (RFC 4987 §3.6),
                        * which made the connection: see ev.seg */
} ltcp_cause_kind;

/** RFC 9293 §3.9.1 user calls, with the socket calls that issue them. */
typedef enum ltcp_call {
  LTCP_CALL_OPEN_ACTIVE,  /**< connect() */
  LTCP_CALL_OPEN_PASSIVE, /**< listen() */
  LTCP_CALL_SEND,         /**< send() */
  LTCP_CALL_RECEIVE,      /**< recv() */
  LTCP_CALL_CLOSE,        /**< close() or shutdown(SHUT_WR) */
  LTCP_CALL_ABORT,        /**< ltcp_abort(), or close() with unread data (RFC 1122 4.2.2.13) */
  LTCP_CALL_COUNT         /**< how many there are */
} ltcp_call;

/** The timers whose expiry changes a connection's state. */
typedef enum ltcp_timer {
  LTCP_TIMER_RETRANSMIT,   /**< RFC 6298 retransmission timeout */
  LTCP_TIMER_TIME_WAIT,    /**< 2*MSL (RFC 9293 §3.10.8) */
  LTCP_TIMER_USER_TIMEOUT, /**< user timeout or retry limit reached (RFC 9293 §3.10.8) */
  LTCP_TIMER_FIN_WAIT_2,   /**< an orphaned FIN-WAIT-2 gave up waiting for the FIN (as Linux) */
  LTCP_TIMER_KEEPALIVE,    /**< keep-alive probes went unanswered (RFC 9293 §3.8.4) */
  LTCP_TIMER_COUNT         /**< how many there are */
} ltcp_timer;

/** "connect", "listen", "send", ...
 * @param call a user call
 * @return a static string, never NULL */
const char *ltcp_call_name(ltcp_call call);
/** "retransmit", "time-wait", "user-timeout", "fin-wait-2", "keep-alive".
 * @param timer a timer
 * @return a static string, never NULL */
const char *ltcp_timer_name(ltcp_timer timer);

/** A segment as the stack saw it: absolute sequence numbers, window as sent on the wire. */
typedef struct ltcp_seg_summary {
  uint8_t flags; /**< LTCP_SYN, LTCP_ACK, ... */
  uint32_t seq;  /**< sequence number */
  uint32_t ack;  /**< acknowledgment number */
  uint16_t wnd;  /**< window field */
  uint32_t len;  /**< payload bytes */
} ltcp_seg_summary;

/** What an event tells. */
typedef enum ltcp_event_kind {
  LTCP_EV_STATE, /**< a connection changed state */
  LTCP_EV_DROP   /**< a packet or segment was dropped; see ev.drop */
} ltcp_event_kind;

/** An event (ltcp_stack_next_event): a state change with its cause, or a drop. */
typedef struct ltcp_event {
  ltcp_event_kind kind;  /**< a state change or a drop */
  ltcp_time_ns time;     /**< the stack's time when it happened */
  uint64_t conn_id;      /**< unique per connection within a stack; 0 when none */
  int fd;                /**< the socket's descriptor, or -1 when no socket holds it */
  ltcp_endpoint local;   /**< this end */
  ltcp_endpoint remote;  /**< the peer */
  ltcp_state old_state;  /**< LTCP_EV_STATE */
  ltcp_state new_state;  /**< LTCP_EV_STATE */
  int error;             /**< errno reported to the user with this change (ECONNRESET...), or 0 */
  ltcp_cause_kind cause; /**< LTCP_EV_STATE: what caused it */
  ltcp_seg_summary seg;  /**< cause == SEGMENT or SYNCOOKIE, and for LTCP_EV_DROP */
  ltcp_call call;        /**< cause == CALL */
  ltcp_timer timer;      /**< cause == TIMER */
  uint8_t icmp_type;     /**< cause == ICMP: its RFC 792 type */
  uint8_t icmp_code;     /**< cause == ICMP: its code */
  ltcp_drop_reason drop; /**< LTCP_EV_DROP */
} ltcp_event;

#ifdef __cplusplus
}
#endif
#endif
