/** @file
 * lucidtcp: what RFC 9293 §3.10.6 STATUS reports of one connection (ltcp_status, socket.h). A
 * types-only header. */
#ifndef LUCIDTCP_TCP_INFO_H
#define LUCIDTCP_TCP_INFO_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltcp_tcp_info {
  ltcp_state state;
  ltcp_endpoint local, remote;
  uint32_t iss, irs;
  uint32_t snd_una, snd_nxt, snd_wnd;
  uint32_t rcv_nxt, rcv_wnd;
  uint32_t snd_mss;          /**< largest segment payload we send */
  uint32_t rcv_mss;          /**< the MSS we announced */
  uint32_t unsent;           /**< bytes queued but not yet sent */
  uint32_t unacked;          /**< bytes sent and not yet acknowledged */
  uint32_t readable;         /**< bytes ready for ltcp_recv */
  ltcp_time_ns srtt_ns, rttvar_ns, rto_ns;
  uint32_t retransmits;      /**< consecutive timeouts of the current segment */
  uint64_t conn_id;
  uint8_t wscale_ok;         /**< RFC 7323 window scaling negotiated (both SYNs had it) */
  uint8_t snd_wscale;        /**< the peer's shift, applied to the windows it sends */
  uint8_t rcv_wscale;        /**< our shift, applied to the windows we send */
  uint8_t timestamps_ok;     /**< RFC 7323 timestamps negotiated */
  uint8_t sack_ok;           /**< RFC 2018 SACK negotiated */
  uint8_t congestion;        /**< LTCP_CC_CUBIC or LTCP_CC_NEWRENO */
  uint8_t in_recovery;       /**< in fast recovery (RFC 5681 3.2, RFC 6582, RFC 6675) */
  uint32_t cwnd, ssthresh;   /**< congestion window and slow start threshold, bytes */
} ltcp_tcp_info;
#ifdef __cplusplus
}
#endif
#endif
