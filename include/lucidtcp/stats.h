/** @file
 * lucidtcp: per-stack counters, and the reasons a packet or segment is dropped. */
#ifndef LUCIDTCP_STATS_H
#define LUCIDTCP_STATS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Every byte from the wire ends in a reply the RFCs specify or in one of these counted drops. */
#define LTCP_DROP_REASONS(X)                                                              \
  X(NONE, "not dropped")                                                                  \
  X(IP_TRUNCATED, "IPv4: shorter than a header")                                          \
  X(IP_VERSION, "IPv4: version is not 4")                                                 \
  X(IP_HDRLEN, "IPv4: bad header length")                                                 \
  X(IP_TOTLEN, "IPv4: bad total length")                                                  \
  X(IP_CHECKSUM, "IPv4: bad header checksum")                                             \
  X(IP_FRAGMENT, "IPv4: fragment, and reassembly is off (cfg.frag_max_datagrams 0)")      \
  X(IP_FRAG_DUPLICATE, "IPv4: fragment already held")                                     \
  X(IP_FRAG_OVERLAP, "IPv4: fragment overlapping another, the datagram dropped (RFC 5722)") \
  X(IP_FRAG_RANGES, "IPv4: fragments leaving too many holes, the datagram dropped")       \
  X(IP_FRAG_TOO_BIG, "IPv4: fragment beyond 65535 bytes")                                 \
  X(IP_FRAG_BAD, "IPv4: fragment not a multiple of 8 bytes, or empty (RFC 791)")          \
  X(IP_FRAG_EVICTED, "IPv4: fragments dropped for room (datagrams or memory at the limit)") \
  X(IP_FRAG_TIMEOUT, "IPv4: datagram not whole in time (cfg.frag_timeout_ns)")            \
  X(IP_NOT_LOCAL, "IPv4: destination is not this host")                                   \
  X(IP_PROTO, "IPv4: protocol not supported")                                             \
  X(IP_BAD_SOURCE, "IPv4: source is broadcast, multicast or this host")                   \
  X(IP_NO_ROUTE, "IPv4: no route back to the source")                                    \
  X(IP6_TRUNCATED, "IPv6: shorter than a header")                                         \
  X(IP6_VERSION, "IPv6: version is not 6")                                                 \
  X(IP6_PAYLOAD_LEN, "IPv6: payload length beyond the packet, or 0 (jumbograms unsupported)") \
  X(IP6_EXT_CHAIN, "IPv6: extension headers past the payload, malformed, or too many (RFC 8200 4)") \
  X(IP6_PARAM_PROBLEM, "IPv6: unknown next header or option, or a route to follow: ICMPv6 parameter problem sent (RFC 8200 4)") \
  X(IP6_OPTION_DISCARD, "IPv6: unknown option whose type says discard (RFC 8200 4.2)")    \
  X(IP6_NO_NEXT, "IPv6: no next header (RFC 8200 4.7)")                                    \
  X(IP6_FRAGMENT, "IPv6: fragment, and reassembly is off (cfg.frag_max_datagrams 0), or one inside a reassembled packet") \
  X(IP6_FRAG_DUPLICATE, "IPv6: fragment already held")                                    \
  X(IP6_FRAG_OVERLAP, "IPv6: fragment overlapping another, the packet dropped (RFC 5722)") \
  X(IP6_FRAG_RANGES, "IPv6: fragments leaving too many holes, the packet dropped")        \
  X(IP6_FRAG_TOO_BIG, "IPv6: fragment beyond a 65535-byte payload: parameter problem sent (RFC 8200 4.5)") \
  X(IP6_FRAG_BAD, "IPv6: fragment with M set not a multiple of 8 bytes (parameter problem sent, RFC 8200 4.5), or empty") \
  X(IP6_FRAG_EVICTED, "IPv6: fragments dropped for room (packets or memory at the limit)") \
  X(IP6_FRAG_TIMEOUT, "IPv6: packet not whole in time (cfg.frag6_timeout_ns, RFC 8200 4.5)") \
  X(IP6_FRAG_INCOMPLETE, "IPv6: first fragment without the whole header chain (RFC 7112): parameter problem sent") \
  X(IP6_NOT_LOCAL, "IPv6: destination is not this host, or no IPv6 address")              \
  X(IP6_BAD_SOURCE, "IPv6: source is multicast, unspecified or this host")                 \
  X(IP6_NO_ROUTE, "IPv6: no route back to the source")                                     \
  X(IP6_PEERS_FULL, "IPv6: no room to name a new peer (the peer table is full)")          \
  X(ICMP_RATE_LIMITED, "ICMPv6: error not sent, the rate limit (RFC 4443 2.4 (f))")     \
  X(ICMP_TRUNCATED, "ICMP: truncated")                                                    \
  X(ICMP_CHECKSUM, "ICMP: bad checksum")                                                  \
  X(ICMP_UNHANDLED, "ICMP: type not handled")                                             \
  X(ICMP_BAD_QUOTE, "ICMP: error quoting no TCP segment of ours")                          \
  X(ICMP_NO_CONN, "ICMP: error for no connection (or only a compact record)")              \
  X(ICMP_OUT_OF_WINDOW, "ICMP: error quoting a sequence number not in flight (RFC 5927)")  \
  X(ICMP_IGNORED, "ICMP: source quench or redirect, ignored (RFC 6633, MUST-55)")          \
  X(TCP_TRUNCATED, "TCP: shorter than a header")                                          \
  X(TCP_DATA_OFFSET, "TCP: bad data offset")                                              \
  X(TCP_CHECKSUM, "TCP: bad checksum")                                                    \
  X(TCP_OPTIONS, "TCP: malformed options")                                                \
  X(TCP_BAD_PORT, "TCP: port 0")                                                          \
  X(TCP_RST_NO_CONN, "TCP: RST for no connection (RFC 9293 3.10.7.1)")                    \
  X(TCP_LISTEN_RST, "TCP: RST to a listener (3.10.7.2)")                                  \
  X(TCP_LISTEN_NO_SYN, "TCP: neither SYN, ACK nor RST to a listener (3.10.7.2)")          \
  X(TCP_SYN_FIN, "TCP: SYN and FIN together, dropped (cfg.drop_syn_fin)")                  \
  X(TCP_LISTEN_OVERFLOW, "TCP: SYN to a listener whose backlog (or the half-open budget) is full, or a SYN cookie's ACK to a full accept queue") \
  X(TCP_TABLE_FULL, "TCP: handshake's ACK dropped, the connection table is full (RFC 4987)") \
  X(TCP_SYN_SENT_BAD_ACK, "TCP: unacceptable ACK in SYN-SENT (3.10.7.3)")                 \
  X(TCP_SYN_SENT_RST, "TCP: RST without acceptable ACK in SYN-SENT (3.10.7.3)")           \
  X(TCP_SYN_SENT_NO_SYN, "TCP: neither SYN nor RST in SYN-SENT (3.10.7.3)")               \
  X(TCP_OUT_OF_WINDOW, "TCP: sequence number not acceptable (3.10.7.4)")                  \
  X(TCP_TIME_WAIT_FIN, "TCP: FIN again in TIME-WAIT: ACK it, restart 2MSL (3.10.7.4)")   \
  X(TCP_RST_OUT_OF_WINDOW, "TCP: RST outside the window (3.10.7.4, RFC 5961 3)")          \
  X(TCP_RST_CHALLENGED, "TCP: RST inside the window but not at RCV.NXT (RFC 5961 3)")     \
  X(TCP_SYN_CHALLENGED, "TCP: SYN in a synchronized state (RFC 5961 4)")                  \
  X(TCP_CHALLENGE_LIMITED, "TCP: challenge ACK not sent, the connection's limit (RFC 5961 7)") \
  X(TCP_NO_ACK, "TCP: ACK bit off (3.10.7.4 fifth)")                                      \
  X(TCP_ACK_UNACCEPTABLE, "TCP: ACK of data not sent, or too old (3.10.7.4, RFC 5961 5)") \
  X(TCP_SYN_RECEIVED_BAD_ACK, "TCP: unacceptable ACK in SYN-RECEIVED (3.10.7.4)")         \
  X(TCP_REASSEMBLY_FULL, "TCP: out-of-order segment not held (memory or reassembly bound)") \
  X(TCP_TIME_WAIT_RST, "TCP: RST ignored in TIME-WAIT (RFC 1337)")                        \
  X(TCP_TEXT_AFTER_FIN, "TCP: text or FIN beyond the peer's FIN (3.10.7.4 seventh)")      \
  X(TCP_PAWS, "TCP: old timestamp, an old duplicate (RFC 7323 5.3 R1): ACK it, drop")   \
  X(TCP_TS_MISSING, "TCP: no timestamp after both SYNs had one (RFC 7323 3.2)")          \
  X(TX_QUEUE_FULL, "output queue full, even its room for ACKs and resets")              \
  X(TCP_NO_MEMORY, "TCP: no memory to wake an idle connection")                           \
  X(TCP_NO_BUFFER_MEMORY, "TCP: in-order data beyond the buffer memory limit (cfg.mem_limit)")

/** Why a packet or segment was dropped: LTCP_DROP_NONE ... from LTCP_DROP_REASONS. */
typedef enum ltcp_drop_reason {
/** @cond */
#define LTCP_DROP_ENUM(name, text) LTCP_DROP_##name,
/** @endcond */
  LTCP_DROP_REASONS(LTCP_DROP_ENUM)
#undef LTCP_DROP_ENUM
  LTCP_DROP_COUNT /**< how many there are */
} ltcp_drop_reason;

/** A short description of a drop reason.
 * @param reason the reason
 * @return a static string, never NULL */
const char *ltcp_drop_text(ltcp_drop_reason reason);
/** The reason's name without prefix ("TCP_CHECKSUM").
 * @param reason the reason
 * @return a static string, never NULL */
const char *ltcp_drop_name(ltcp_drop_reason reason);

/** A stack's counters since it was made (ltcp_stack_stats). */
typedef struct ltcp_stats {
  uint64_t ip_in;            /**< packets handed to the stack (IPv4 and IPv6) */
  uint64_t ip_out;           /**< packets the stack queued for output (IPv4 and IPv6) */
  uint64_t segs_in;          /**< TCP segments that passed header checks */
  uint64_t segs_out;         /**< TCP segments sent (retransmissions included) */
  uint64_t retransmits;      /**< segments sent again (timeouts, fast retransmit, recovery) */
  uint64_t rto_expirations;  /**< retransmission timeouts of data (not SYNs or window probes) */
  uint64_t fast_retransmits; /**< fast recoveries entered on duplicate ACKs (RFC 5681 3.2) */
  uint64_t rst_in;           /**< segments with RST received */
  uint64_t rst_out;          /**< segments with RST sent */
  uint64_t challenge_acks;   /**< RFC 5961 challenge ACKs sent */
  uint64_t icmp_echo_in;     /**< echo requests answered */
  uint64_t icmp_errors_in;   /**< ICMP errors taken by a connection (RFC 9293 §3.9.2.2) */
  uint64_t pmtu_lowered;     /**< connections whose segments were made smaller by an ICMP
                              * "fragmentation needed" (path MTU discovery, RFC 1191) */
  uint64_t frag_in;          /**< IPv4 fragments received (RFC 791 §3.2) */
  uint64_t frag_reassembled; /**< IPv4 datagrams made whole from fragments */
  uint64_t frag6_in;         /**< IPv6 fragments received (RFC 8200 §4.5; atomic ones, RFC
                              * 6946, are whole packets and not counted) */
  uint64_t frag6_reassembled; /**< IPv6 packets made whole from fragments */
  uint64_t ip6_in;           /**< of ip_in, the IPv6 packets */
  uint64_t ip6_out;          /**< of ip_out, the IPv6 packets */
  uint64_t icmp_errors_out;  /**< ICMP and ICMPv6 errors sent (rate-limited) */
  uint64_t active_opens;     /**< connect() calls that sent a SYN */
  uint64_t passive_opens;    /**< connections created by a SYN to a listener */
  uint64_t half_open_full;   /**< SYNs dropped because the stack held max_half_open half-open
                              * connections (counted with TCP_LISTEN_OVERFLOW as well) */
  uint64_t half_open_early_drops; /**< half-open connections ended to make room for a new SYN
                              * (cfg.syn_cookies 0, RFC 4987 §3.4), the oldest first */
  uint64_t syn_cookies_sent; /**< SYN,ACKs whose ISS is a SYN cookie, no state kept
                              * (RFC 4987 §3.6, cfg.syn_cookies) */
  uint64_t syn_cookies_ok;   /**< connections made from a valid cookie in an ACK to a listener */
  uint64_t syn_cookies_failed; /**< ACKs to a listener checked for a cookie and found none (bad
                              * or expired): answered with a reset */
  uint64_t established;      /**< connections that reached ESTABLISHED */
  uint64_t resets;           /**< connections ended by a RST received */
  uint64_t timeouts;         /**< connections ended by retransmission or user timeout */
  uint64_t time_wait_reuse;  /**< TIME-WAIT connections replaced by a new SYN (RFC 9293 3.6) */
  uint64_t time_wait_compact; /**< TIME-WAIT TCBs replaced by 64-byte records (tcp/timewait.h) */
  uint64_t syn_received_compact; /**< half-open TCBs replaced by 64-byte records (tcp/synrcvd.h) */
  uint64_t events_lost;      /**< events dropped because the event queue was full (drop events
                              * keep out of its last eighth, which is for state changes) */
  uint64_t state_events_lost; /**< of those, state changes (LTCP_EV_STATE): the queue was full */
  uint64_t tso_out;          /**< packets of several segments handed to the link to split
                              * (cfg.tso_max: TCP segmentation offload) */
  uint64_t large_in;         /**< TCP segments received with more payload than our MSS (a link
                              * that coalesces, as Linux GRO or a TUN device with offloads) */
  uint64_t busy_wakes;       /**< idle connections that took their busy part back (tcp/tcb.h) */
  uint64_t busy_sleeps;      /**< connections that gave it up, idle again */
  uint64_t buf_mem;          /**< bytes of buffer memory held now: send and receive rings and
                              * out-of-order blocks (at most cfg.mem_limit; a gauge, not a count) */
  uint64_t buf_mem_peak;     /**< the most buf_mem has been */
  uint64_t reasm_mem;        /**< of buf_mem, out-of-order blocks held now (a gauge) */
  uint64_t reasm_pruned;     /**< out-of-order blocks discarded, SACKed or not, to make room for
                              * in-order data at the memory limit (RFC 2018 §8) */
  uint64_t send_no_memory;   /**< send() calls refused (EAGAIN) for buffer memory, not for a
                              * full send buffer */
  uint64_t tx_stalls;        /**< times new data found the output queue full (tx_queue_packets
                              * less the eighth kept for ACKs and resets) and its senders waited
                              * for the driver to drain it: backpressure, not a drop */
  uint64_t zc_sends;         /**< buffers lent by ltcp_send_zc (zero-copy send) */
  uint64_t zc_done;          /**< of those, released with every byte acknowledged (status 0) */
  uint64_t zc_failed;        /**< of those, released with an error: the connection was reset,
                              * aborted, timed out, or the stack freed (status not 0) */
  uint64_t zc_refused;       /**< ltcp_send_zc calls refused with ENOBUFS: cfg.zc_refs
                              * references were held */
  uint64_t drops[LTCP_DROP_COUNT]; /**< packets and segments dropped, by reason */
} ltcp_stats;

#ifdef __cplusplus
}
#endif
#endif
