/** @file
 * lucidtcp: a fault injector that wraps one direction of a real link: delay with jitter, loss,
 * duplication, reordering and corruption, in the manner of Linux's netem, drawn from one seeded
 * PRNG. The real-time loop (loop.h) puts one on each direction of a TUN link when asked; it is
 * how the interop tests impair the link where netem is not available. A driver (ltcp_link). */
#ifndef LUCIDTCP_IMPAIR_H
#define LUCIDTCP_IMPAIR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which faults, how often, on which directions. */
typedef struct ltcp_impair_config {
  ltcp_time_ns delay_ns;  /**< added to every packet */
  ltcp_time_ns jitter_ns; /**< delay varies uniformly in [delay - jitter, delay + jitter] */
  double loss;            /**< probability a packet is dropped */
  double duplicate;       /**< probability a packet is sent twice */
  double reorder;         /**< probability a packet skips the delay (netem's reorder); with no
                           * delay, it is held back 1 ms instead */
  double corrupt;         /**< probability one random bit of the packet is flipped */
  uint64_t seed;          /**< the PRNG's seed */
  int in;                 /**< 1: fault the packets arriving */
  int out;                /**< 1: fault the packets leaving */
} ltcp_impair_config;

/** Parses "delay=10ms,jitter=2ms,loss=5%,duplicate=1%,reorder=10%,corrupt=0.5%,seed=7,dir=both"
 * (any subset, any order; times in ns/us/ms/s, probabilities as 0.05 or 5%; dir in, out or both,
 * default both).
 * @param spec the text
 * @param cfg receives the configuration
 * @param bad receives the offending item on failure
 * @param cap bad's size
 * @return 0, or LTCP_EINVAL */
int ltcp_impair_parse(const char *spec, ltcp_impair_config *cfg, char *bad, size_t cap);
/** Why an item ltcp_impair_parse refused is wrong, for a message: "loss must be a probability
 * from 0 to 100% (5% or 0.05)", "unknown item 'x': the items are delay, jitter, ...".
 * @param bad the item ltcp_impair_parse wrote into its bad
 * @param buf where the reason is written
 * @param cap buf's size
 * @return buf */
const char *ltcp_impair_explain(const char *bad, char *buf, size_t cap);

/** A fault injector on one direction. Opaque. */
typedef struct ltcp_impair ltcp_impair;

/** A queue of at most capacity packets of at most slot_len bytes each.
 * @param cfg the faults; copied
 * @param capacity packets held at once
 * @param slot_len the longest packet
 * @return the injector, or NULL when out of memory */
ltcp_impair *ltcp_impair_new(const ltcp_impair_config *cfg, uint32_t capacity, uint32_t slot_len);
/** Frees the injector and the packets it holds.
 * @param im the injector */
void ltcp_impair_free(ltcp_impair *im);

/** Takes a copy of a packet sent at now and decides its fate. A packet that does not fit (too
 * long, queue full) is dropped and counted.
 * @param im the injector
 * @param now the time it was sent
 * @param pkt the packet
 * @param len its length */
void ltcp_impair_push(ltcp_impair *im, ltcp_time_ns now, const uint8_t *pkt, size_t len);
/** The next packet due by now. The bytes stay valid until ltcp_impair_pop or ltcp_impair_push.
 * @param im the injector
 * @param now the time
 * @param pkt receives the packet
 * @return its length, or 0 when none is due */
size_t ltcp_impair_peek(ltcp_impair *im, ltcp_time_ns now, const uint8_t **pkt);
/** Removes the packet ltcp_impair_peek returned.
 * @param im the injector */
void ltcp_impair_pop(ltcp_impair *im);
/** When the next packet is due.
 * @param im the injector
 * @return that time, or LTCP_TIME_NEVER when the queue is empty */
ltcp_time_ns ltcp_impair_next_due(const ltcp_impair *im);

/** What an injector did so far. */
typedef struct ltcp_impair_stats {
  uint64_t pushed;     /**< packets handed to it */
  uint64_t lost;       /**< dropped on purpose */
  uint64_t duplicated; /**< sent twice */
  uint64_t reordered;  /**< sent out of order */
  uint64_t corrupted;  /**< a bit flipped */
  uint64_t overflow;   /**< dropped: too long, or the queue was full */
} ltcp_impair_stats;
/** The injector's counters.
 * @param im the injector
 * @return them, valid as long as the injector */
const ltcp_impair_stats *ltcp_impair_get_stats(const ltcp_impair *im);

#ifdef __cplusplus
}
#endif
#endif
