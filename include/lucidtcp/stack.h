/* lucidtcp: a host's TCP/IPv4 stack, sans I/O.
 *
 * The caller owns the clock and the link. The loop is always:
 *   ltcp_stack_input(st, now, packet)     for each IPv4 packet that arrives;
 *   ltcp_stack_advance(st, now)           when now reaches ltcp_stack_next_deadline(st);
 *   ltcp_stack_tx_peek / ltcp_stack_tx_pop to take the packets the stack wants sent;
 *   ltcp_stack_next_event                 to learn of state changes and drops.
 * Socket calls (socket.h) act at the time of the last input or advance. The stack never reads a
 * clock, never sleeps and makes no system call. */
#ifndef LUCIDTCP_STACK_H
#define LUCIDTCP_STACK_H

#include "common.h"
#include "event.h"
#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltcp_stack ltcp_stack;

/* Largest send or receive buffer: RFC 7323 §2.3 bounds a scaled window by 2^30. */
#define LTCP_BUF_MAX (1u << 30)

/* Congestion control algorithms (cfg.congestion, LTCP_TCP_CONGESTION). */
#define LTCP_CC_CUBIC 0   /* RFC 9438 */
#define LTCP_CC_NEWRENO 1 /* RFC 5681 with RFC 6582 */
#define LTCP_CC_COUNT 2

typedef struct ltcp_stack_config {
  uint32_t addr;                  /* this host's IPv4 address (host byte order) */
  uint16_t mtu;                   /* link MTU; the MSS we announce is mtu - 40. Default 1500 */
  uint8_t ttl;                    /* IPv4 TTL of packets we send. Default 64 */
  uint64_t seed;                  /* randomness: ISN key and ephemeral ports. Default 1 */
  ltcp_time_ns msl_ns;            /* maximum segment lifetime; TIME-WAIT lasts 2*MSL. Default 30 s */
  ltcp_time_ns rto_initial_ns;    /* RFC 6298 2.1 initial RTO. Default 1 s */
  ltcp_time_ns rto_min_ns;        /* lower bound on RTO. Default 200 ms, as Linux (RFC 6298 2.4) */
  ltcp_time_ns rto_max_ns;        /* upper bound on RTO. Default 60 s (RFC 6298 2.5) */
  uint32_t syn_retries;           /* SYN retransmissions before ETIMEDOUT. Default 8: RFC 9293
                                   * MUST-23 wants at least 3 minutes of them (Linux's 6 is ~2) */
  uint32_t data_retries;          /* retransmissions of one segment before ETIMEDOUT. Default 15 */
  ltcp_time_ns user_timeout_ns;   /* RFC 9293 USER TIMEOUT; 0 = only the retry limits. Default 0 */
  uint32_t sndbuf;                /* default send buffer per connection, bytes, at most
                                   * LTCP_BUF_MAX. Default 65535 */
  uint32_t rcvbuf;                /* default receive buffer per connection, at most LTCP_BUF_MAX;
                                   * the window offered exceeds 65535 only with window_scale.
                                   * Default 65535 */
  uint32_t max_sockets;           /* capacity of the descriptor table. Default 1024 */
  uint32_t max_connections;       /* connections, including orphans in TIME-WAIT. Default 4096 */
  uint32_t tx_queue_packets;      /* output packets held until the driver takes them. Default 512 */
  uint32_t event_capacity;        /* queued events; 0 disables events. Default 0 */
  uint8_t rfc1337;                /* 1: an RST does not end TIME-WAIT (RFC 1337 TW-1). Default 0 */
  uint8_t time_wait_reuse;        /* 1: a new SYN may reopen TIME-WAIT (RFC 9293 3.6 MAY-2). Default 1 */
  uint8_t rst_on_unread_close;    /* 1: close() with unread data sends RST (RFC 1122 4.2.2.13). Default 1 */
  uint32_t isn_offset;            /* added to every ISN (tests put ISNs near 2^32). Default 0 */
  uint8_t window_scale;           /* 1: offer RFC 7323 window scaling in our SYNs (the shift
                                   * follows the receive buffer, as Linux). Default 1 */
  uint8_t timestamps;             /* 1: offer RFC 7323 timestamps (RTTM, PAWS). Default 1 */
  ltcp_time_ns fin_wait_2_timeout_ns; /* an orphan's wait in FIN-WAIT-2. Default 60 s (Linux) */
  ltcp_time_ns delayed_ack_ns;    /* longest an ACK of in-order data waits (RFC 1122 4.2.3.2,
                                   * < 500 ms); 0 ACKs every segment at once. Default 40 ms
                                   * (Linux's minimum) */
  uint8_t nodelay;                /* TCP_NODELAY of new sockets; 0 = Nagle on, as Linux.
                                   * Default 0 */
  uint8_t congestion;             /* congestion control of new sockets: LTCP_CC_CUBIC (RFC 9438)
                                   * or LTCP_CC_NEWRENO (RFC 5681, RFC 6582). Default CUBIC */
  uint8_t sack;                   /* 1: offer SACK (RFC 2018) in our SYNs. Default 1 */
  uint32_t tso_max;               /* TCP segmentation offload: the largest IPv4 packet the link
                                   * takes and cuts into segments of one MSS each (a TUN device
                                   * with TUN_F_TSO4); up to 65535. 0: off, every packet is one
                                   * segment of at most one MSS (RFC 9293 §3.7.1). Output slots
                                   * are this large when it is on. Default 0 */
  uint8_t csum_offload;           /* 1: the link completes TCP checksums (a TUN device with
                                   * TUN_F_CSUM, written with NEEDS_CSUM, as Linux's
                                   * CHECKSUM_PARTIAL): each TCP segment leaves with only the
                                   * pseudo-header sum in its checksum field (folded, not
                                   * complemented) and its payload copied without summing. The
                                   * IPv4 header checksum stays complete. Default 0 */
} ltcp_stack_config;

/* Fills cfg with the defaults documented above. */
void ltcp_stack_config_default(ltcp_stack_config *cfg);

/* Creates a stack; the stack copies cfg. Returns NULL when memory runs out or cfg is invalid. */
ltcp_stack *ltcp_stack_new(const ltcp_stack_config *cfg);
/* Frees the stack, every socket and connection in it, without sending anything. */
void ltcp_stack_free(ltcp_stack *st);

/* Hands the stack one IPv4 packet that arrived at time now. The stack does not keep pkt. */
void ltcp_stack_input(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len);
/* Flags of ltcp_stack_input_flags: what the link vouches for. */
#define LTCP_INPUT_CSUM_OK 0x1u /* the TCP checksum need not be verified: the packet never
                                 * crossed a wire (it comes from this host's kernel, whose
                                 * checksum field may hold only the pseudo-header sum: Linux's
                                 * CHECKSUM_PARTIAL, virtio's NEEDS_CSUM), or the link checked it
                                 * (CHECKSUM_UNNECESSARY, virtio's DATA_VALID) */
/* As ltcp_stack_input, with flags (LTCP_INPUT_*). The packet may be a TCP segment of more than
 * one MSS, as a link that coalesces segments delivers them (GRO): it is taken whole. */
void ltcp_stack_input_flags(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len,
                            uint32_t flags);
/* Moves the stack's clock to now (never backwards) and runs every timer due by then. */
void ltcp_stack_advance(ltcp_stack *st, ltcp_time_ns now);
/* The earliest time a timer is due, or LTCP_TIME_NEVER. */
ltcp_time_ns ltcp_stack_next_deadline(const ltcp_stack *st);
/* The stack's clock: the time of the last input or advance. */
ltcp_time_ns ltcp_stack_now(const ltcp_stack *st);

/* The oldest packet waiting to be sent: sets *pkt and returns its length, or returns 0 if none.
 * The bytes stay valid until ltcp_stack_tx_pop or any other call on the stack. */
size_t ltcp_stack_tx_peek(ltcp_stack *st, const uint8_t **pkt);
/* For the packet ltcp_stack_tx_peek returned: 0 when it is one segment; else (cfg.tso_max set)
 * it is a TCP packet the link must cut into segments of this many payload bytes each, the last
 * one possibly shorter, each with the headers copied and only the last keeping FIN and PSH, as
 * TCP segmentation offload does (virtio_net_hdr gso_size). Its checksum is complete, unless
 * cfg.csum_offload is set (then every TCP packet's checksum is partial). */
uint32_t ltcp_stack_tx_seg_size(const ltcp_stack *st);
/* Removes the packet ltcp_stack_tx_peek returned. */
void ltcp_stack_tx_pop(ltcp_stack *st);

/* Takes the oldest event into *ev: returns 1, or 0 when there is none. */
int ltcp_stack_next_event(ltcp_stack *st, ltcp_event *ev);

const ltcp_stats *ltcp_stack_stats(const ltcp_stack *st);
const ltcp_stack_config *ltcp_stack_get_config(const ltcp_stack *st);
/* Number of connections in the table (sockets' and orphans, TIME-WAIT included). */
uint32_t ltcp_stack_connection_count(const ltcp_stack *st);
/* Number of connections in the given state. */
uint32_t ltcp_stack_count_state(const ltcp_stack *st, ltcp_state state);

#ifdef __cplusplus
}
#endif
#endif
