/** @file
 * lucidtcp: what RFC 9293 §3.10.6 STATUS reports of one connection (ltcp_status, socket.h). A
 * types-only header. */
#ifndef LUCIDTCP_TCP_INFO_H
#define LUCIDTCP_TCP_INFO_H

#include "common.h"
#include "event.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One connection's state and variables (RFC 9293 §3.3.1 names). */
typedef struct ltcp_tcp_info {
  ltcp_state state;          /**< its state */
  ltcp_endpoint local;       /**< this end */
  ltcp_endpoint remote;      /**< the peer */
  uint32_t iss;              /**< initial send sequence number */
  uint32_t irs;              /**< initial receive sequence number */
  uint32_t snd_una;          /**< oldest unacknowledged sequence number */
  uint32_t snd_nxt;          /**< next sequence number to send */
  uint32_t snd_wnd;          /**< the peer's window, bytes (scaled) */
  uint32_t rcv_nxt;          /**< next sequence number expected */
  uint32_t rcv_wnd;          /**< our window, bytes */
  uint32_t snd_mss;          /**< largest segment payload we send */
  uint32_t rcv_mss;          /**< the MSS we announced */
  uint32_t unsent;           /**< bytes queued but not yet sent */
  uint32_t unacked;          /**< bytes sent and not yet acknowledged */
  uint32_t readable;         /**< bytes ready for ltcp_recv */
  ltcp_time_ns srtt_ns;      /**< smoothed round-trip time (RFC 6298) */
  ltcp_time_ns rttvar_ns;    /**< round-trip time variation (RFC 6298) */
  ltcp_time_ns rto_ns;       /**< retransmission timeout (RFC 6298) */
  uint32_t retransmits;      /**< consecutive timeouts of the current segment */
  uint64_t conn_id;          /**< as in its events (event.h) */
  uint8_t wscale_ok;         /**< RFC 7323 window scaling negotiated (both SYNs had it) */
  uint8_t snd_wscale;        /**< the peer's shift, applied to the windows it sends */
  uint8_t rcv_wscale;        /**< our shift, applied to the windows we send */
  uint8_t timestamps_ok;     /**< RFC 7323 timestamps negotiated */
  uint8_t sack_ok;           /**< RFC 2018 SACK negotiated */
  uint8_t congestion;        /**< LTCP_CC_CUBIC or LTCP_CC_NEWRENO */
  uint8_t in_recovery;       /**< in fast recovery (RFC 5681 3.2, RFC 6582, RFC 6675) */
  uint32_t cwnd;             /**< congestion window, bytes */
  uint32_t ssthresh;         /**< slow start threshold, bytes */
} ltcp_tcp_info;

/** One connection of a stack as ltcp_stack_connections lists it: STATUS's variables and the
 * deadlines of its timers. */
typedef struct ltcp_conn_info {
  ltcp_tcp_info tcp;         /**< as ltcp_status reports it; for a compact record (see compact)
                              * only state, local, remote and conn_id are set */
  ltcp_time_ns timer_at[LTCP_TIMER_COUNT]; /**< each timer's deadline (ltcp_timer order), on the
                              * stack's clock; LTCP_TIME_NEVER when it is not armed. A half-open
                              * record's SYN,ACK retransmission is under LTCP_TIMER_RETRANSMIT */
  ltcp_time_ns delack_at;    /**< the delayed ACK's deadline, LTCP_TIME_NEVER when none is owed */
  int32_t fd;                /**< the socket holding it, or -1 (closed by its application, a
                              * child not yet accepted, or a compact record) */
  uint8_t compact;           /**< 1: a compact TIME-WAIT or half-open record, not a full TCB */
  uint8_t asleep;            /**< 1: idle, its buffers given back (docs/design.md) */
} ltcp_conn_info;
#ifdef __cplusplus
}
#endif
#endif
