/** @file
 * lucidtcp: a host's TCP/IPv4 stack, sans I/O.
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
#include "config.h"
#include "event.h"
#include "stats.h"
#include "tcp_info.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A host's stack: its IP layer, connections and sockets. Opaque. */
typedef struct ltcp_stack ltcp_stack;

/** Creates a stack; the stack copies cfg.
 * @param cfg the configuration (ltcp_stack_config_default, then changes)
 * @return the stack, or NULL when memory runs out or cfg is invalid */
ltcp_stack *ltcp_stack_new(const ltcp_stack_config *cfg);
/** Changes a running stack's settings, as `sysctl -w` does a kernel's: the stack copies cfg and
 * uses it from the next segment or call on. Connections keep what they negotiated (options,
 * window scale, buffers); new ones take the new defaults. Only the sizes and identity fixed at
 * ltcp_stack_new may not change: addr, mtu, seed, isn_offset, max_sockets, max_connections,
 * tx_queue_packets, event_capacity, tso_max, csum_offload, and the routing settings
 * (prefix_len, gateway, addr6, prefix6_len, gateway6, link_default_route, max_routes:
 * ltcp_route_add and ltcp_route6_add change routes) and of reassembly (frag_max_datagrams,
 * frag_mem, frag_timeout_ns, frag6_timeout_ns).
 * @param st the stack
 * @param cfg the new settings (copied)
 * @return 0, or -1 with errno EINVAL when cfg is invalid or changes one of those (the stack
 *         keeps its settings) */
int ltcp_stack_set_config(ltcp_stack *st, const ltcp_stack_config *cfg);
/** Frees the stack, every socket and connection in it, without sending anything.
 * @param st the stack (NULL is ignored) */
void ltcp_stack_free(ltcp_stack *st);

/** Hands the stack one IPv4 packet that arrived at time now. The stack does not keep pkt.
 * @param st the stack
 * @param now the time it arrived, on the caller's clock (never earlier than the last)
 * @param pkt the packet, from its IPv4 header on
 * @param len its length in bytes */
void ltcp_stack_input(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len);
/** Flags of ltcp_stack_input_flags: what the link vouches for. */
#define LTCP_INPUT_CSUM_OK 0x1u /**< the TCP checksum need not be verified: the packet never
                                 * crossed a wire (it comes from this host's kernel, whose
                                 * checksum field may hold only the pseudo-header sum: Linux's
                                 * CHECKSUM_PARTIAL, virtio's NEEDS_CSUM), or the link checked it
                                 * (CHECKSUM_UNNECESSARY, virtio's DATA_VALID) */
/** As ltcp_stack_input, with flags (LTCP_INPUT_*). The packet may be a TCP segment of more than
 * one MSS, as a link that coalesces segments delivers them (GRO): it is taken whole.
 * @param st the stack
 * @param now the time it arrived
 * @param pkt the packet, from its IPv4 header on
 * @param len its length in bytes
 * @param flags LTCP_INPUT_CSUM_OK or 0 */
void ltcp_stack_input_flags(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len,
                            uint32_t flags);
/** Moves the stack's clock to now (never backwards) and runs every timer due by then.
 * @param st the stack
 * @param now the time on the caller's clock */
void ltcp_stack_advance(ltcp_stack *st, ltcp_time_ns now);
/** The earliest time a timer is due.
 * @param st the stack
 * @return that time, or LTCP_TIME_NEVER */
ltcp_time_ns ltcp_stack_next_deadline(const ltcp_stack *st);
/** The stack's clock: the time of the last input or advance.
 * @param st the stack
 * @return that time */
ltcp_time_ns ltcp_stack_now(const ltcp_stack *st);

/** The oldest packet waiting to be sent. The bytes stay valid until ltcp_stack_tx_pop or any
 * other call on the stack.
 * @param st the stack
 * @param pkt receives the packet (an IPv4 header first)
 * @return its length, or 0 when there is none */
size_t ltcp_stack_tx_peek(ltcp_stack *st, const uint8_t **pkt);
/** For the packet ltcp_stack_tx_peek returned: 0 when it is one segment; else (cfg.tso_max set)
 * it is a TCP packet the link must cut into segments of this many payload bytes each, the last
 * one possibly shorter, each with the headers copied and only the last keeping FIN and PSH, as
 * TCP segmentation offload does (virtio_net_hdr gso_size). Its checksum is complete, unless
 * cfg.csum_offload is set (then every TCP packet's checksum is partial).
 * @param st the stack
 * @return the segment size, or 0 */
uint32_t ltcp_stack_tx_seg_size(const ltcp_stack *st);
/** Removes the packet ltcp_stack_tx_peek returned.
 * @param st the stack */
void ltcp_stack_tx_pop(ltcp_stack *st);

/** Takes the oldest event (cfg.event_capacity > 0 keeps them).
 * @param st the stack
 * @param ev receives the event
 * @return 1, or 0 when there is none */
int ltcp_stack_next_event(ltcp_stack *st, ltcp_event *ev);

/** Gives the allocator back the parts the stack keeps for reuse: TCBs, busy parts and the
 * buffers' first (256-byte) allocations freed by connections that ended (their pools hold up
 * to the concurrency reached, so a burst of 100,000
 * connections leaves them for the next burst), and the rings of timer FIFOs left empty. What
 * is in use stays; nothing else changes.
 * Call it after a burst when memory matters more than the next burst's speed, as malloc_trim.
 * @param st the stack */
void ltcp_stack_trim(ltcp_stack *st);

/** The stack's counters.
 * @param st the stack
 * @return the counters, valid as long as the stack */
const ltcp_stats *ltcp_stack_stats(const ltcp_stack *st);
/** The configuration the stack was made with.
 * @param st the stack
 * @return its copy of the configuration, valid as long as the stack */
const ltcp_stack_config *ltcp_stack_get_config(const ltcp_stack *st);
/** Number of connections in the table (sockets' and orphans, TIME-WAIT and half-open ones
 * included; the half-open ones count against max_half_open, the rest against max_connections).
 * @param st the stack
 * @return the count */
uint32_t ltcp_stack_connection_count(const ltcp_stack *st);
/** Number of connections in the given state.
 * @param st the stack
 * @param state the state
 * @return the count */
uint32_t ltcp_stack_count_state(const ltcp_stack *st, ltcp_state state);

/** Lists every connection of the stack, as `ss` lists a kernel's: listeners, connections with a
 * TCB (orphans and children not yet accepted included) and compact records (TIME-WAIT,
 * half-open), each once, in no particular order. Changes nothing; costs O(connections +
 * table buckets), so it is for tools, not for a hot path.
 * @param st the stack
 * @param fn called with each connection (the info is valid during the call only); it must not
 *        call the stack
 * @param ctx fn's first argument
 * @return how many connections fn was called with */
size_t ltcp_stack_connections(const ltcp_stack *st,
                              void (*fn)(void *ctx, const ltcp_conn_info *info), void *ctx);

/** Adds an IPv4 route: destinations in prefix/len are reachable through the next hop via (0: on
 * the link itself). The table starts with addr's prefix (cfg.prefix_len) and a default route
 * (via cfg.gateway, or out of the link with cfg.link_default_route); the longest prefix holding
 * a destination decides (RFC 1812 §5.2.4.3). A TUN link is point-to-point, so every route leaves
 * through it: a route decides whether a destination is reachable (ltcp_connect fails with
 * ENETUNREACH, a segment from a source with no route back is dropped and counted).
 * @param st the stack
 * @param prefix the destination prefix, host byte order, with its host bits zero
 * @param len the prefix length, 0 to 32 (0: the default route)
 * @param via the next hop, in the connected prefix unless that is a /32; 0 for on the link
 * @return 0, or -1 with errno EINVAL (bad length, host bits set, via not on the link or our
 *         own address), EEXIST (that prefix has a route) or ENOBUFS (cfg.max_routes reached) */
int ltcp_route_add(ltcp_stack *st, uint32_t prefix, uint8_t len, uint32_t via);
/** Removes the route for prefix/len (the connected and default routes too).
 * @param st the stack
 * @param prefix the destination prefix, as given to ltcp_route_add
 * @param len its length
 * @return 0, or -1 with errno ESRCH (no such route) */
int ltcp_route_del(ltcp_stack *st, uint32_t prefix, uint8_t len);
/** Looks a destination up in the routing table.
 * @param st the stack
 * @param dst the destination, host byte order
 * @param via receives the next hop (0: on the link); may be NULL
 * @return 0, or -1 with errno ENETUNREACH (no route) */
int ltcp_route_lookup(const ltcp_stack *st, uint32_t dst, uint32_t *via);
/** Adds an IPv6 route, as ltcp_route_add does an IPv4 one: destinations in prefix/len are
 * reachable through the next hop via (NULL or all zero: on the link). The table starts with
 * addr6's prefix (cfg.prefix6_len) and a default route ::/0 (via cfg.gateway6, or out of the
 * link with cfg.link_default_route); the longest prefix holding a destination decides. Every
 * route leaves through the one link, so the next hop is recorded and reported, not resolved.
 * @param st the stack
 * @param prefix the destination prefix, 16 bytes in network byte order, host bits zero
 * @param len the prefix length, 0 to 128 (0: the default route)
 * @param via the next hop: link-local (fe80::/10) or in addr6's prefix (any, on a /128), not
 *        our own address nor multicast; NULL or all zero for on the link
 * @return 0, or -1 with errno EINVAL (bad length, host bits set, bad via), EEXIST (that prefix
 *         has a route), ENOBUFS (cfg.max_routes reached) or EADDRNOTAVAIL (no IPv6 address) */
int ltcp_route6_add(ltcp_stack *st, const uint8_t prefix[16], uint8_t len, const uint8_t via[16]);
/** Removes the IPv6 route for prefix/len (the connected and default routes too).
 * @param st the stack
 * @param prefix the destination prefix, as given to ltcp_route6_add
 * @param len its length
 * @return 0, or -1 with errno ESRCH (no such route) */
int ltcp_route6_del(ltcp_stack *st, const uint8_t prefix[16], uint8_t len);
/** Looks an IPv6 destination up in the routing table.
 * @param st the stack
 * @param dst the destination, 16 bytes
 * @param via receives the next hop, 16 bytes (all zero: on the link); may be NULL
 * @return 0, or -1 with errno ENETUNREACH (no route, or the stack has no IPv6 address) */
int ltcp_route6_lookup(const ltcp_stack *st, const uint8_t dst[16], uint8_t via[16]);

#ifdef __cplusplus
}
#endif
#endif
