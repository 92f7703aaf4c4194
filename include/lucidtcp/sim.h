/** @file
 * lucidtcp: a deterministic simulated network in virtual time.
 *
 * Nodes (usually stacks) joined by links; each direction of a link has its own latency,
 * bandwidth, queue limit, and probabilities of loss, duplication, reordering and corruption,
 * all drawn from one seeded PRNG. The same seed and the same calls give the same packet trace,
 * byte for byte. Nothing sleeps: the clock jumps to the next event. A driver (ltcp_link, in
 * the installed liblucidtcp with the stack): the stack itself never calls it. */
#ifndef LUCIDTCP_SIM_H
#define LUCIDTCP_SIM_H

#include "common.h"
#include "stack.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A simulated network. Opaque. */
typedef struct ltcp_sim ltcp_sim;

/** One direction of a link. All-zero is a perfect link with no delay. */
typedef struct ltcp_sim_path {
  ltcp_time_ns latency_ns;       /**< one-way propagation delay */
  uint64_t bandwidth_bps;        /**< serialisation rate; 0 = infinite */
  uint32_t queue_limit;          /**< packets waiting for the wire beyond which we drop; 0 = none */
  double loss;                   /**< probability a packet is lost */
  double duplicate;              /**< probability a packet is delivered twice */
  double reorder;                /**< probability a packet is held back by reorder_delay_ns */
  ltcp_time_ns reorder_delay_ns; /**< extra delay of a reordered packet; 0 = 2 * latency + 1 ms */
  double corrupt;                /**< probability one random bit of a packet is flipped */
} ltcp_sim_path;

/** What a node is to the simulator: the same calls a driver makes on a stack. */
typedef struct ltcp_sim_node_ops {
  /** A packet arrives (ltcp_stack_input). */
  void (*input)(void *node, ltcp_time_ns now, const uint8_t *pkt, size_t len);
  /** The clock moves (ltcp_stack_advance). */
  void (*advance)(void *node, ltcp_time_ns now);
  /** The node's next deadline (ltcp_stack_next_deadline). */
  ltcp_time_ns (*next_deadline)(void *node);
  /** The node's oldest packet to send (ltcp_stack_tx_peek). */
  size_t (*tx_peek)(void *node, const uint8_t **pkt);
  /** Takes that packet away (ltcp_stack_tx_pop). */
  void (*tx_pop)(void *node);
} ltcp_sim_node_ops;

/** What happened to a packet, as taps see it. */
typedef enum ltcp_sim_fate {
  LTCP_SIM_SENT,       /**< a node put the packet on a link (recorded before impairments) */
  LTCP_SIM_DELIVERED,  /**< the packet reached its destination node */
  LTCP_SIM_LOST,       /**< dropped by the loss probability */
  LTCP_SIM_QUEUE_DROP, /**< dropped because the link's queue was full */
  LTCP_SIM_DUPLICATED, /**< a second copy was made (delivered separately) */
  LTCP_SIM_REORDERED,  /**< held back to arrive after later packets */
  LTCP_SIM_CORRUPTED,  /**< one bit flipped (delivered with the damage) */
  LTCP_SIM_UNROUTABLE  /**< no link leads to the destination */
} ltcp_sim_fate;

/** "sent", "delivered", "lost", ...
 * @param fate a fate
 * @return a static string, never NULL */
const char *ltcp_sim_fate_name(ltcp_sim_fate fate);

/** Observes every packet and what happened to it. pkt is valid during the call only. */
typedef void (*ltcp_sim_tap_fn)(void *ctx, ltcp_time_ns now, int from_node, int to_node,
                                ltcp_sim_fate fate, const uint8_t *pkt, size_t len);

/** A new network at virtual time 0.
 * @param seed sets every random draw (loss, duplication, ...): the same seed, the same run
 * @return the network, or NULL when memory runs out */
ltcp_sim *ltcp_sim_new(uint64_t seed);
/** Frees the network and packets in flight; not the nodes.
 * @param sim the network */
void ltcp_sim_free(ltcp_sim *sim);

/** Adds a node owning IPv4 address addr.
 * @param sim the network
 * @param ops how the network drives the node
 * @param node passed to ops; the caller keeps it alive as long as the network
 * @param addr its IPv4 address (host byte order)
 * @return its index (>= 0), or a negative error */
int ltcp_sim_add_node(ltcp_sim *sim, const ltcp_sim_node_ops *ops, void *node, uint32_t addr);
/** Gives node an IPv6 address as well: packets to it go over the link whose far end owns it.
 * @param sim the network
 * @param node a node's index
 * @param addr6 its IPv6 address (network byte order)
 * @return 0, or LTCP_EINVAL */
int ltcp_sim_set_addr6(ltcp_sim *sim, int node, const uint8_t addr6[16]);
/** Adds a stack as a node, with the stack's own addresses (IPv4, and IPv6 when it has one). The stack must outlive the sim.
 * @param sim the network
 * @param st the stack
 * @return its index (>= 0), or a negative error */
int ltcp_sim_add_stack(ltcp_sim *sim, ltcp_stack *st);
/** Joins nodes a and b. A node sends a packet over the link whose far end owns the destination,
 * else over its first link (a default route).
 * @param sim the network
 * @param a a node's index
 * @param b another node's index
 * @param a_to_b the path from a to b
 * @param b_to_a the path back
 * @return 0, or a negative error */
int ltcp_sim_link(ltcp_sim *sim, int a, int b, const ltcp_sim_path *a_to_b,
                  const ltcp_sim_path *b_to_a);
/** Changes one direction of an existing link (e.g. heal the network after a faulty phase).
 * @param sim the network
 * @param from the sending node's index
 * @param to the receiving node's index
 * @param path the new path
 * @return 0, or a negative error (no such link) */
int ltcp_sim_set_path(ltcp_sim *sim, int from, int to, const ltcp_sim_path *path);
/** Adds an observer (up to 8).
 * @param sim the network
 * @param fn called for every packet and its fate
 * @param ctx passed to fn
 * @return 0, or a negative error */
int ltcp_sim_add_tap(ltcp_sim *sim, ltcp_sim_tap_fn fn, void *ctx);

/** Decides, for each packet a node sends, whether the network loses it on purpose: return
 * nonzero to drop it (reported to taps as LTCP_SIM_LOST). A scenario uses it to lose one
 * particular segment. */
typedef int (*ltcp_sim_filter_fn)(void *ctx, ltcp_time_ns now, int from_node, int to_node,
                                  const uint8_t *pkt, size_t len);
/** Sets the filter.
 * @param sim the network
 * @param fn the filter, or NULL to remove it
 * @param ctx passed to fn
 * @return 0 */
int ltcp_sim_set_filter(ltcp_sim *sim, ltcp_sim_filter_fn fn, void *ctx);

/** The network's virtual clock.
 * @param sim the network
 * @return the time */
ltcp_time_ns ltcp_sim_now(const ltcp_sim *sim);
/** The time of the next packet arrival or node deadline. Takes the packets nodes have queued
 * first, so call it after any socket call.
 * @param sim the network
 * @return that time, or LTCP_TIME_NEVER */
ltcp_time_ns ltcp_sim_next_time(ltcp_sim *sim);
/** Takes queued packets from every node, then runs everything due at the next event time if that
 * is <= limit, else moves the clock to limit.
 * @param sim the network
 * @param limit the latest time to move to
 * @return 1 when something ran, 0 when the clock moved to limit */
int ltcp_sim_step(ltcp_sim *sim, ltcp_time_ns limit);
/** Steps until the clock reaches t.
 * @param sim the network
 * @param t the time */
void ltcp_sim_run_until(ltcp_sim *sim, ltcp_time_ns t);

/** Packets sent, delivered and dropped so far, over all links (as the fates). */
typedef struct ltcp_sim_stats {
  uint64_t sent;        /**< LTCP_SIM_SENT */
  uint64_t delivered;   /**< LTCP_SIM_DELIVERED */
  uint64_t lost;        /**< LTCP_SIM_LOST */
  uint64_t queue_drops; /**< LTCP_SIM_QUEUE_DROP */
  uint64_t duplicated;  /**< LTCP_SIM_DUPLICATED */
  uint64_t reordered;   /**< LTCP_SIM_REORDERED */
  uint64_t corrupted;   /**< LTCP_SIM_CORRUPTED */
  uint64_t unroutable;  /**< LTCP_SIM_UNROUTABLE */
} ltcp_sim_stats;
/** The counters so far.
 * @param sim the network
 * @return them, valid as long as the network */
const ltcp_sim_stats *ltcp_sim_get_stats(const ltcp_sim *sim);

#ifdef __cplusplus
}
#endif
#endif
