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

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltcp_stack ltcp_stack;

/** Creates a stack; the stack copies cfg. Returns NULL when memory runs out or cfg is invalid. */
ltcp_stack *ltcp_stack_new(const ltcp_stack_config *cfg);
/** Frees the stack, every socket and connection in it, without sending anything. */
void ltcp_stack_free(ltcp_stack *st);

/** Hands the stack one IPv4 packet that arrived at time now. The stack does not keep pkt. */
void ltcp_stack_input(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len);
/** Flags of ltcp_stack_input_flags: what the link vouches for. */
#define LTCP_INPUT_CSUM_OK 0x1u /**< the TCP checksum need not be verified: the packet never
                                 * crossed a wire (it comes from this host's kernel, whose
                                 * checksum field may hold only the pseudo-header sum: Linux's
                                 * CHECKSUM_PARTIAL, virtio's NEEDS_CSUM), or the link checked it
                                 * (CHECKSUM_UNNECESSARY, virtio's DATA_VALID) */
/** As ltcp_stack_input, with flags (LTCP_INPUT_*). The packet may be a TCP segment of more than
 * one MSS, as a link that coalesces segments delivers them (GRO): it is taken whole. */
void ltcp_stack_input_flags(ltcp_stack *st, ltcp_time_ns now, const uint8_t *pkt, size_t len,
                            uint32_t flags);
/** Moves the stack's clock to now (never backwards) and runs every timer due by then. */
void ltcp_stack_advance(ltcp_stack *st, ltcp_time_ns now);
/** The earliest time a timer is due, or LTCP_TIME_NEVER. */
ltcp_time_ns ltcp_stack_next_deadline(const ltcp_stack *st);
/** The stack's clock: the time of the last input or advance. */
ltcp_time_ns ltcp_stack_now(const ltcp_stack *st);

/** The oldest packet waiting to be sent: sets *pkt and returns its length, or returns 0 if none.
 * The bytes stay valid until ltcp_stack_tx_pop or any other call on the stack. */
size_t ltcp_stack_tx_peek(ltcp_stack *st, const uint8_t **pkt);
/** For the packet ltcp_stack_tx_peek returned: 0 when it is one segment; else (cfg.tso_max set)
 * it is a TCP packet the link must cut into segments of this many payload bytes each, the last
 * one possibly shorter, each with the headers copied and only the last keeping FIN and PSH, as
 * TCP segmentation offload does (virtio_net_hdr gso_size). Its checksum is complete, unless
 * cfg.csum_offload is set (then every TCP packet's checksum is partial). */
uint32_t ltcp_stack_tx_seg_size(const ltcp_stack *st);
/** Removes the packet ltcp_stack_tx_peek returned. */
void ltcp_stack_tx_pop(ltcp_stack *st);

/** Takes the oldest event into *ev: returns 1, or 0 when there is none. */
int ltcp_stack_next_event(ltcp_stack *st, ltcp_event *ev);

const ltcp_stats *ltcp_stack_stats(const ltcp_stack *st);
const ltcp_stack_config *ltcp_stack_get_config(const ltcp_stack *st);
/** Number of connections in the table (sockets' and orphans, TIME-WAIT included). */
uint32_t ltcp_stack_connection_count(const ltcp_stack *st);
/** Number of connections in the given state. */
uint32_t ltcp_stack_count_state(const ltcp_stack *st, ltcp_state state);

#ifdef __cplusplus
}
#endif
#endif
