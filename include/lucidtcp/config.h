/** @file
 * lucidtcp: a stack's configuration, set once at ltcp_stack_new (stack.h). A types-only header:
 * every layer may read the configuration it is given. */
#ifndef LUCIDTCP_CONFIG_H
#define LUCIDTCP_CONFIG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest send or receive buffer: RFC 7323 §2.3 bounds a scaled window by 2^30. */
#define LTCP_BUF_MAX (1u << 30)

/** Congestion control algorithms (cfg.congestion, LTCP_TCP_CONGESTION). */
#define LTCP_CC_CUBIC 0   /**< RFC 9438 */
#define LTCP_CC_NEWRENO 1 /**< RFC 5681 with RFC 6582 */
#define LTCP_CC_COUNT 2 /**< how many there are */

/** A stack's configuration: ltcp_stack_config_default, then change what you need. */
typedef struct ltcp_stack_config {
  uint32_t addr;                  /**< this host's IPv4 address (host byte order) */
  uint8_t prefix_len;             /**< the length of addr's prefix, 1 to 32: the prefix is on
                                   * the link (its connected route, RFC 1122 3.3.1.1). Default
                                   * 32, the address alone */
  uint8_t addr6[16];              /**< this host's IPv6 address (RFC 8200), network byte order;
                                   * all zero: no IPv6. Needs mtu >= 1280 (RFC 8200 §5) */
  uint8_t prefix6_len;            /**< the length of addr6's prefix, 1 to 128, on the link (its
                                   * connected route). Default 64 (RFC 4291 §2.5.4) */
  uint32_t gateway;               /**< the default gateway: a route 0.0.0.0/0 via it (RFC 1122
                                   * 3.3.1.1), which must lie in addr's prefix unless that is a
                                   * /32 (a point-to-point link). 0: none. Default 0 */
  uint8_t gateway6[16];           /**< the IPv6 default gateway: a route ::/0 via it (RFC 4861
                                   * §6.3.6's default router), which must be a link-local address
                                   * (fe80::/10) or lie in addr6's prefix unless that is a /128.
                                   * All zero: none. Default none */
  uint8_t link_default_route;     /**< 1: with no gateway, every destination no other route
                                   * holds goes out of the link, as a host with one interface
                                   * does (for IPv6 too: ::/0 out of the link); 0: only the connected prefix and the routes added
                                   * (ltcp_route_add) are reachable. Default 1 */
  uint32_t max_routes;            /**< capacity of the routing table, 2 to 4096 (the connected
                                   * and default routes count). Default 16 */
  uint32_t frag_max_datagrams;    /**< datagrams being reassembled at once (RFC 791 §3.2, RFC
                                   * 8200 §4.5), for IPv4 and, apart, for IPv6 (as Linux's
                                   * ipfrag_* and ip6frag_*); when full, the oldest is dropped
                                   * for a new one (Linux). 0: fragments are dropped. At most
                                   * 4096. Default 64 */
  uint32_t frag_mem;              /**< bytes of fragment payload held in all, for each family;
                                   * beyond it the oldest datagrams are dropped. Default 1 MiB */
  ltcp_time_ns frag_timeout_ns;   /**< a datagram not whole this long after its first fragment
                                   * is dropped (with an ICMP time exceeded when fragment zero
                                   * came, RFC 1122 3.3.2). Default 30 s (Linux's ipfrag_time) */
  ltcp_time_ns frag6_timeout_ns;  /**< the same for IPv6: a packet not whole this long is
                                   * dropped, with an ICMPv6 time exceeded (code 1) when its
                                   * first fragment came. Default 60 s (RFC 8200 §4.5) */
  uint16_t mtu;                   /**< link MTU; the MSS we announce is mtu - 40 (IPv4) or mtu - 60
                                   * (IPv6). Default 1500 */
  uint8_t ttl;                    /**< IPv4 TTL of packets we send. Default 64 */
  uint64_t seed;                  /**< randomness: ISN key and ephemeral ports. Default 1 */
  ltcp_time_ns msl_ns;            /**< maximum segment lifetime; TIME-WAIT lasts 2*MSL.
                                   * Default 30 s */
  ltcp_time_ns rto_initial_ns;    /**< RFC 6298 2.1 initial RTO. Default 1 s */
  ltcp_time_ns rto_min_ns;        /**< lower bound on RTO.
                                   * Default 200 ms, as Linux (RFC 6298 2.4) */
  ltcp_time_ns rto_max_ns;        /**< upper bound on RTO. Default 60 s (RFC 6298 2.5) */
  uint32_t syn_retries;           /**< SYN retransmissions before ETIMEDOUT. Default 8: RFC 9293
                                   * MUST-23 wants at least 3 minutes of them (Linux's 6 is ~2) */
  uint32_t synack_retries;        /**< SYN,ACK retransmissions of a passive open before the
                                   * half-open connection goes: its own count, so that spoofed
                                   * SYNs hold a listener's slots for about a minute, not the
                                   * four of syn_retries (RFC 4987 §3.1). Default 5 (Linux's,
                                   * 63 s) */
  uint32_t data_retries;          /**< retransmissions of one segment before ETIMEDOUT.
                                   * Default 15 */
  ltcp_time_ns user_timeout_ns;   /**< RFC 9293 USER TIMEOUT; 0 = only the retry limits.
                                   * Default 0 */
  uint32_t sndbuf;                /**< default send buffer per connection, bytes, at most
                                   * LTCP_BUF_MAX. Default 65535 */
  uint32_t rcvbuf;                /**< default receive buffer per connection, at most LTCP_BUF_MAX;
                                   * the window offered exceeds 65535 only with window_scale.
                                   * Default 65535 */
  uint32_t max_sockets;           /**< capacity of the descriptor table. Default 1024 */
  uint32_t max_connections;       /**< connections, including orphans in TIME-WAIT. Default 4096 */
  uint32_t max_half_open;         /**< half-open connections (SYN-RECEIVED of passive opens,
                                   * compact records included) the whole stack holds, counted
                                   * apart from max_connections, so that a SYN flood never takes
                                   * a place established connections, other listeners or
                                   * outgoing connects need (RFC 4987). Beyond it a SYN gets a
                                   * cookie (syn_cookies), or makes room by ending the oldest, or
                                   * is dropped, each counted. 0: equal to max_connections (a
                                   * listener may hold as many handshakes as connections; a
                                   * compact one costs 64 bytes). Fixed once the stack is made.
                                   * Default 0 */
  uint32_t tx_queue_packets;      /**< output packets held until the driver takes them.
                                   * Default 512 */
  uint32_t event_capacity;        /**< queued events; 0 disables events. Default 0 */
  uint8_t rfc1337;                /**< 1: an RST does not end TIME-WAIT (RFC 1337 TW-1).
                                   * Default 0 */
  uint8_t time_wait_reuse;        /**< 1: a new SYN may reopen TIME-WAIT
                                   * (RFC 9293 3.6 MAY-2). Default 1 */
  uint8_t rst_on_unread_close;    /**< 1: close() with unread data sends RST (RFC 1122
                                   * 4.2.2.13). Default 1 */
  uint32_t isn_offset;            /**< added to every ISN (tests put ISNs near 2^32). Default 0 */
  uint8_t window_scale;           /**< 1: offer RFC 7323 window scaling in our SYNs (the shift
                                   * follows the receive buffer, as Linux). Default 1 */
  uint8_t timestamps;             /**< 1: offer RFC 7323 timestamps (RTTM, PAWS). Default 1 */
  ltcp_time_ns keepalive_idle_ns; /**< TCP_KEEPIDLE of new sockets, in whole seconds from 1 to
                                   * 32767. Default 2 h (RFC 1122 4.2.3.6: no less than two
                                   * hours; Linux's and FreeBSD's default) */
  ltcp_time_ns keepalive_intvl_ns; /**< TCP_KEEPINTVL of new sockets, 1 to 32767 s. Default 75 s */
  uint32_t keepalive_probes;      /**< TCP_KEEPCNT of new sockets, 1 to 127. Default 9 (Linux's;
                                   * FreeBSD's is 8) */
  ltcp_time_ns fin_wait_2_timeout_ns; /**< an orphan's wait in FIN-WAIT-2. Default 60 s (Linux) */
  ltcp_time_ns delayed_ack_ns;    /**< longest an ACK of in-order data waits (RFC 1122 4.2.3.2,
                                   * < 500 ms); 0 ACKs every segment at once. Default 40 ms
                                   * (Linux's minimum) */
  uint8_t delayed_ack_segments;   /**< 1: a delayed ACK waits for a second segment with text,
                                   * whatever its size (FreeBSD, and Linux in effect, which
                                   * measures the peer's segments). 0: for a second full-sized
                                   * segment's worth of bytes, RFC 9293 SHLD-19's words (RFC 1122
                                   * 4.2.3.2, RFC 5681 §4.2). Default 0 */
  uint8_t nodelay;                /**< TCP_NODELAY of new sockets; 0 = Nagle on, as Linux.
                                   * Default 0 */
  uint8_t congestion;             /**< congestion control of new sockets: LTCP_CC_CUBIC (RFC 9438)
                                   * or LTCP_CC_NEWRENO (RFC 5681, RFC 6582). Default CUBIC */
  uint8_t sack;                   /**< 1: offer SACK (RFC 2018) in our SYNs. Default 1 */
  uint32_t tso_max;               /**< TCP segmentation offload: the largest IPv4 or IPv6 packet
                                   * the link takes and cuts into segments of one MSS each (a TUN
                                   * device with TUN_F_TSO4 | TUN_F_TSO6); up to 65535. 0: off,
                                   * every packet is one segment of at most one MSS (RFC 9293
                                   * §3.7.1). Output slots are this large when it is on.
                                   * Default 0 */
  uint8_t csum_offload;           /**< 1: the link completes TCP checksums (a TUN device with
                                   * TUN_F_CSUM, written with NEEDS_CSUM, as Linux's
                                   * CHECKSUM_PARTIAL): each TCP segment leaves with only the
                                   * pseudo-header sum in its checksum field (folded, not
                                   * complemented) and its payload copied without summing. The
                                   * IPv4 header checksum stays complete. Default 0 */
  uint32_t rcvbuf_max;            /**< the largest receive buffer a socket may have (SO_RCVBUF
                                   * beyond it is cut down to it); the window scale we offer is
                                   * chosen for it, so the window can grow to it later (Linux's
                                   * tcp_rmem[2], FreeBSD's kern.ipc.maxsockbuf). 0: the socket's
                                   * own buffer, at most LTCP_BUF_MAX. Default 0 */
  uint8_t rcvbuf_round_mss;       /**< 1: once the MSS is known, the receive buffer is rounded up
                                   * to a multiple of it, no further than rcvbuf_max (4.4BSD's
                                   * tcp_mss(), FreeBSD); Linux does not. Default 0 */
  uint8_t window_bsd;             /**< receiver SWS avoidance (RFC 1122 4.2.3.3, MUST-39) as BSD
                                   * does it: every segment offers all the free buffer space (up
                                   * to what the field carries), and only a window below a quarter
                                   * of the buffer and one MSS is offered as zero (4.4BSD and
                                   * FreeBSD's tcp_output()). 0: RFC 1122's algorithm: the right
                                   * edge moves only by min(half the buffer, one MSS) or more, so
                                   * it never creeps by a few bytes. Default 0 */
  uint8_t drop_syn_fin;           /**< 1: a segment with both SYN and FIN is dropped unanswered, in
                                   * any state (FreeBSD's net.inet.tcp.drop_synfin; Linux drops
                                   * them at a listener). 0: RFC 9293 takes the SYN and keeps the
                                   * FIN for later (§3.10.7.2, §3.10.7.3). Default 0 */
  uint8_t icmp_may_reset;         /**< 1: a hard ICMP error for a connection in SYN-SENT ends it
                                   * (RFC 9293 §3.9.2.2 SHLD-26; FreeBSD's icmp_may_rst, Linux).
                                   * 0: every ICMP error is soft. Default 1 */
  uint8_t challenge_ack_limit;    /**< RFC 5961 §7 throttling: at most this many challenge ACKs
                                   * (and ACKs of unacceptable ACKs) per connection in each
                                   * challenge_ack_interval_ns, 1 to 15; 0 turns the limit off.
                                   * Per connection, never one global count (CVE-2016-5696);
                                   * ordinary ACKs are never throttled. Default 10 */
  ltcp_time_ns challenge_ack_interval_ns; /**< the interval of challenge_ack_limit. Default 5 s
                                   * (RFC 5961 §7's example: 10 in 5 seconds) */
  uint8_t rst_challenge;          /**< 1: an RST in the window but not at RCV.NXT gets a challenge
                                   * ACK (RFC 5961 §3, RFC 9293 §3.10.7.4 SHOULD). 0: any RST in
                                   * the window resets, RFC 793's rule that RFC 9293 keeps for
                                   * implementations without RFC 5961 (FreeBSD's insecure_rst).
                                   * Default 1 */
  uint8_t syn_challenge;          /**< 1: a SYN in a synchronized state gets a challenge ACK
                                   * (RFC 5961 §4). 0: RFC 793's rule: a SYN in the window resets
                                   * the connection (FreeBSD's insecure_syn). Default 1 */
  uint64_t mem_limit;             /**< buffer memory of the whole stack, bytes: every connection's
                                   * send and receive buffers and out-of-order blocks (Linux's
                                   * tcp_mem[2]). At the limit nothing grows: a segment whose data
                                   * needs memory is dropped and counted, send() fails with EAGAIN,
                                   * and no established connection is evicted. Current and peak use
                                   * are stats.buf_mem and buf_mem_peak. 0: 256 MiB.
                                   * Default 256 MiB */
  uint64_t mem_pressure;          /**< the pressure mark (Linux's tcp_mem[1]): from it on, receive
                                   * windows offer no more than the memory a connection holds and
                                   * send buffers grow no further than 4 KiB. At most mem_limit.
                                   * 0: two thirds of mem_limit (Linux's ratio). Default 0 */
  uint64_t reasm_max;             /**< out-of-order data held by the whole stack, bytes (in 512-byte
                                   * blocks, counted in mem_limit too). 0: half of mem_limit.
                                   * Default 0 */
  uint32_t reasm_conn_max;        /**< out-of-order data one connection holds, bytes (blocks).
                                   * 0: twice its receive buffer. Default 0 */
  uint8_t syn_cookies;            /**< SYN cookies (RFC 4987 §3.6): 0 never (a SYN finding no
                                   * half-open slot ends the oldest half-open connection instead,
                                   * or is dropped), 1 when the listener's backlog or
                                   * max_half_open is full, 2 for every SYN. Linux's
                                   * net.ipv4.tcp_syncookies. Default 1 */
  uint32_t zc_refs;               /**< buffers the whole stack may hold lent by ltcp_send_zc at
                                   * once (each costs a 48-byte reference, taken from a pool
                                   * that grows to this and no further); a send beyond fails
                                   * with ENOBUFS. 0: zero-copy send off (every call ENOBUFS).
                                   * Fixed at ltcp_stack_new. Default 4096 */
  uint32_t half_open_whole;       /**< half-open connections kept whole (a TCB with its busy
                                   * part, about 800 bytes) before the next ones become 64-byte
                                   * compact records (max_half_open). A handshake that completes
                                   * while whole skips compacting and expanding again, about 5%
                                   * of a short connection's work; a SYN flood still costs 64
                                   * bytes a SYN past this many. A whole one whose SYN,ACK
                                   * goes again becomes a record then. Whole or compact, the
                                   * connection behaves the same. 0: every one compact at once.
                                   * Default 64 */
  uint32_t shards;                /**< stacks sharing the address, each on its own queue of a
                                   * multi-queue TUN device (lucidtcp serve --threads): the device
                                   * hands a packet to queue ltcp_shard_of(its ports, shards).
                                   * 1 (default) or 0: one stack, any local port */
  uint32_t shard;                 /**< this stack's queue, below shards: connect() picks local
                                   * ports whose replies come to it (ltcp_shard_of(local port,
                                   * remote port, shards) == shard), as mTCP picks ports per
                                   * core. Default 0 */
} ltcp_stack_config;

/** The multiplier of ltcp_shard_of (2^32 / the golden ratio, Knuth's multiplicative hash). */
#define LTCP_SHARD_MIX 0x9e3779b1u

/** The shard (TUN queue) of a TCP packet between ports a and b, in either order: the high 16 bits
 * of (a XOR b) * LTCP_SHARD_MIX (32-bit), modulo shards. The queue lucidtcp's steering program
 * (ltcp_tun_steer) gives the packet.
 * @param a one port
 * @param b the other
 * @param shards the number of shards (1 or more)
 * @return the shard, below shards */
static inline uint32_t ltcp_shard_of(uint16_t a, uint16_t b, uint32_t shards) {
  return shards > 1 ? (((uint32_t)(a ^ b) * LTCP_SHARD_MIX) >> 16) % shards : 0;
}

/** Fills cfg with the defaults documented above.
 * @param cfg the configuration to fill */
void ltcp_stack_config_default(ltcp_stack_config *cfg);

#ifdef __cplusplus
}
#endif
#endif
