/* The IP layer: one host's IPv4 address, packets in and out, ICMP, demultiplexing to the TCP
 * engine, the connection tables, local ports, the timer heap, compact records and the output
 * queue. It drives the engine (tcp/engine.h) and is its host: it registers the engine's host
 * interface. The socket layer above (sock/) reaches it through this header and registers the
 * small interface below to learn when a connection it holds is gone. */
#ifndef LTCP_IP_IP_H
#define LTCP_IP_IP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ip/frag.h"
#include "ip/peers.h"
#include "ip/ports.h"
#include "ip/route.h"
#include "ip/syn_table.h"
#include "ip/table.h"
#include "ip/timers.h"
#include "ip/tw_table.h"
#include "ip/txq.h"
#include "lucidtcp/config.h"
#include "lucidtcp/stats.h"
#include "lucidtcp/tcp_info.h"
#include "tcp/engine.h"
#include "tcp/output.h"
#include "util/rng.h"

/* What the layer above registers: a connection it holds (tcb->fd >= 0) is gone, with the
 * error its user sees (0 for an orderly end). Called before the TCB is unlinked, so unread
 * data may still be taken (ltcp_tcb_take_unread). */
typedef struct ltcp_ip_upper {
  void *ctx;
  void (*conn_gone)(void *ctx, ltcp_tcb *tcb, int error);
} ltcp_ip_upper;

typedef struct ltcp_ip {
  ltcp_stack_config cfg;
  ltcp_stats stats;
  ltcp_rng rng;            /* seeded from cfg.seed: secrets, then ephemeral ports */
  ltcp_engine tcp;         /* the engine, driven from here */
  ltcp_conn_table table;
  ltcp_ports ports;
  ltcp_routes routes;      /* IPv4 routes: connected, default, added */
  ltcp_routes6 routes6;    /* IPv6 routes: connected, default */
  ltcp_frags frags;        /* IPv4 datagrams being reassembled */
  ltcp_frags frags6;       /* IPv6 packets being reassembled (none without an IPv6 address) */
  ltcp_timers timers;
  ltcp_tw_table tw;        /* compact TIME-WAIT records */
  ltcp_syn_table syn;      /* compact half-open records */
  ltcp_txq txq;
  ltcp_ip_upper upper;
  ltcp_peers peers;        /* IPv6 peer addresses by handle (tcp/ep.h) */
  uint64_t flow_key;       /* RFC 6437 flow labels: the secret */
  uint32_t icmp6_tokens;   /* RFC 4443 §2.4 (f): ICMPv6 errors we may send now */
  ltcp_time_ns icmp6_refill; /* when the last token came */
} ltcp_ip;

/* Whether the configuration has an IPv6 address. */
static inline int ltcp_ip_has_v6(const ltcp_stack_config *c) {
  static const uint8_t none[16];
  return memcmp(c->addr6, none, 16) != 0;
}
/* Whether cfg is usable (ranges documented in lucidtcp/config.h). */
int ltcp_ip_config_valid(const ltcp_stack_config *cfg);
/* Takes new settings while running (ltcp_stack_set_config): 0, or -1 (nothing changed) when
 * cfg is invalid or changes what ltcp_ip_init sized or keyed from the old one. */
int ltcp_ip_set_config(ltcp_ip *ip, const ltcp_stack_config *cfg);
/* Sets up everything from cfg (valid); max_sockets more timers for the layer above. Returns 0
 * or LTCP_ENOMEM (then ltcp_ip_free cleans up). */
int ltcp_ip_init(ltcp_ip *ip, const ltcp_stack_config *cfg, const ltcp_ip_upper *upper);
/* Frees every connection and record without sending anything, and all memory. */
void ltcp_ip_free(ltcp_ip *ip);

/* The driver's calls (lucidtcp/stack.h). Input flags: */
#define LTCP_IP_CSUM_OK 0x1u /* the link vouches for the TCP checksum (LTCP_INPUT_CSUM_OK) */
void ltcp_ip_input(ltcp_ip *ip, ltcp_time_ns now, const uint8_t *pkt, size_t len, uint32_t flags);
void ltcp_ip_advance(ltcp_ip *ip, ltcp_time_ns now);
ltcp_time_ns ltcp_ip_next_deadline(const ltcp_ip *ip);
/* Gives back what the engine's pools and the timers' empty FIFOs hold beyond what is in use. */
void ltcp_ip_trim(ltcp_ip *ip);
/* Connections waiting to send (an owed ACK, a full queue) send now. */
void ltcp_ip_tx_resume(ltcp_ip *ip);
/* The driver takes the output: the connections waiting to send go first, once the queue has
 * room for them (ip/txq.h: backpressure). */
static inline size_t ltcp_ip_tx_peek(ltcp_ip *ip, const uint8_t **pkt) {
  if (ltcp_output_waiting(&ip->tcp.txw) && ltcp_txq_may_resume(&ip->txq)) ltcp_ip_tx_resume(ip);
  return ltcp_txq_peek(&ip->txq, pkt);
}
static inline uint32_t ltcp_ip_tx_seg_size(const ltcp_ip *ip) { return ltcp_txq_seg_size(&ip->txq); }
static inline void ltcp_ip_tx_pop(ltcp_ip *ip) { ltcp_txq_pop(&ip->txq); }
/* Connections in a state, compact records included. */
uint32_t ltcp_ip_count_state(const ltcp_ip *ip, ltcp_state state);
/* Every connection, TCB or compact record, to fn (ip/conns.c): how many. */
size_t ltcp_ip_connections(const ltcp_ip *ip, void (*fn)(void *ctx, const ltcp_conn_info *ci),
                           void *ctx);

/* What the socket layer asks. */
/* A connection (endpoints set) enters the connection table and holds its local port: 0, or
 * LTCP_ENOBUFS when the table is full. */
int ltcp_ip_attach(ltcp_ip *ip, ltcp_tcb *tcb);
/* Whether a connection or a record holds the 4-tuple. */
int ltcp_ip_tuple_in_use(const ltcp_ip *ip, const ltcp_ep *local, const ltcp_ep *remote);
/* The listener of a port, or NULL; a new one enters the listener table. */
static inline ltcp_tcb *ltcp_ip_listener(const ltcp_ip *ip, uint16_t port) {
  return ltcp_table_listener(&ip->table, port);
}
void ltcp_ip_listen(ltcp_ip *ip, ltcp_tcb *tcb);
/* Ports: held by a bound socket; taken (a listener, or a user without reuseaddr); an
 * ephemeral one nobody uses, from a random start (RFC 6056 §3.3.1 style). */
void ltcp_ip_port_hold(ltcp_ip *ip, uint16_t port);
void ltcp_ip_port_release(ltcp_ip *ip, uint16_t port);
int ltcp_ip_port_taken(const ltcp_ip *ip, uint16_t port, int reuseaddr);
/* A free ephemeral port; rport: the remote port (0: not known yet, a bind before connect), which
 * a sharded stack's pick depends on. 0 or LTCP_EADDRNOTAVAIL. */
int ltcp_ip_port_pick(ltcp_ip *ip, uint16_t rport, uint16_t *port);

/* The routing table (ip/route.h, lucidtcp/stack.h's ltcp_route_add). Each returns 0 or an
 * LTCP_E* code; ltcp_ip_route_lookup LTCP_ENETUNREACH when nothing holds dst. */
int ltcp_ip_route_add(ltcp_ip *ip, uint32_t prefix, uint8_t len, uint32_t via);
int ltcp_ip_route_del(ltcp_ip *ip, uint32_t prefix, uint8_t len);
int ltcp_ip_route_lookup(const ltcp_ip *ip, uint32_t dst, uint32_t *via);
/* IPv6 (lucidtcp/stack.h's ltcp_route6_add): add gives LTCP_EADDRNOTAVAIL without an IPv6
 * address; lookup LTCP_ENETUNREACH when nothing holds dst (always, without an IPv6 address),
 * else 0 and the next hop in via (may be NULL; all zero: on the link). */
int ltcp_ip_route6_add(ltcp_ip *ip, const uint8_t prefix[16], uint8_t len, const uint8_t via[16]);
int ltcp_ip_route6_del(ltcp_ip *ip, const uint8_t prefix[16], uint8_t len);
int ltcp_ip_route6_lookup(const ltcp_ip *ip, const uint8_t dst[16], uint8_t via[16]);
/* After a call on tcb: it becomes a compact record when it may (TIME-WAIT, half-open);
 * returns 1 if it did (tcb is then freed when the call ends). */
int ltcp_ip_compact(ltcp_ip *ip, ltcp_tcb *tcb);
/* The end of every call into the stack: idle connections sleep, deleted ones are freed, IPv6
 * peers no one holds are forgotten. */
static inline void ltcp_ip_done(ltcp_ip *ip) {
  ltcp_engine_reap(&ip->tcp);
  if (__builtin_expect(ip->peers.nsweep != 0, 0)) ltcp_peers_sweep(&ip->peers);
}
/* A segment parsed from a datagram for us (either family) to its connection, record, listener,
 * or answer (ip.c); the IPv6 input path's way in. */
void ltcp_ip_tcp_segment(ltcp_ip *ip, const ltcp_seg *seg);
/* The IPv6 address of a handle: ours (LTCP_EP_V6_LOCAL) or a peer's. */
static inline const uint8_t *ltcp_ip_addr6(const ltcp_ip *ip, uint32_t handle) {
  return handle == LTCP_EP_V6_LOCAL ? ip->cfg.addr6 : ltcp_peers_addr(&ip->peers, handle);
}
/* The handle of a peer's IPv6 address for a new connection (ltcp_ip_attach holds it): 0, or
 * LTCP_ENOBUFS when the peer table is full. */
static inline int ltcp_ip_peer6(ltcp_ip *ip, const uint8_t addr[16], uint32_t *handle) {
  return ltcp_peers_get(&ip->peers, addr, handle);
}

#endif
