/* lucidtcp: a fault injector that wraps one direction of a real link: delay with jitter, loss,
 * duplication, reordering and corruption, in the manner of Linux's netem, drawn from one seeded
 * PRNG. The real-time loop (loop.h) puts one on each direction of a TUN link when asked; it is
 * how the interop tests impair the link where netem is not available. A driver (ltcp_link). */
#ifndef LUCIDTCP_IMPAIR_H
#define LUCIDTCP_IMPAIR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltcp_impair_config {
  ltcp_time_ns delay_ns;  /* added to every packet */
  ltcp_time_ns jitter_ns; /* delay varies uniformly in [delay - jitter, delay + jitter] */
  double loss;            /* probability a packet is dropped */
  double duplicate;       /* probability a packet is sent twice */
  double reorder;         /* probability a packet skips the delay (netem's reorder); with no
                           * delay, it is held back 1 ms instead */
  double corrupt;         /* probability one random bit of the packet is flipped */
  uint64_t seed;          /* the PRNG's seed */
  int in, out;            /* which directions of the link: packets arriving, packets leaving */
} ltcp_impair_config;

/* Parses "delay=10ms,jitter=2ms,loss=5%,duplicate=1%,reorder=10%,corrupt=0.5%,seed=7,dir=both"
 * (any subset, any order; times in ns/us/ms/s, probabilities as 0.05 or 5%; dir in, out or both,
 * default both). Returns 0, or LTCP_EINVAL with the offending item copied into bad (cap bytes). */
int ltcp_impair_parse(const char *spec, ltcp_impair_config *cfg, char *bad, size_t cap);
/* Why an item ltcp_impair_parse refused is wrong, for a message: "loss must be a probability
 * from 0 to 100% (5% or 0.05)", "unknown item 'x': the items are delay, jitter, ...". Writes it
 * into buf (cap bytes) and returns buf. */
const char *ltcp_impair_explain(const char *bad, char *buf, size_t cap);

typedef struct ltcp_impair ltcp_impair;

/* A queue of at most capacity packets of at most slot_len bytes each. NULL when out of memory. */
ltcp_impair *ltcp_impair_new(const ltcp_impair_config *cfg, uint32_t capacity, uint32_t slot_len);
void ltcp_impair_free(ltcp_impair *im);

/* Takes a copy of a packet sent at now and decides its fate. A packet that does not fit (too
 * long, queue full) is dropped and counted. */
void ltcp_impair_push(ltcp_impair *im, ltcp_time_ns now, const uint8_t *pkt, size_t len);
/* The next packet due by now: sets *pkt and returns its length, or 0 when none is due. The bytes
 * stay valid until ltcp_impair_pop or ltcp_impair_push. */
size_t ltcp_impair_peek(ltcp_impair *im, ltcp_time_ns now, const uint8_t **pkt);
void ltcp_impair_pop(ltcp_impair *im);
/* When the next packet is due, or LTCP_TIME_NEVER when the queue is empty. */
ltcp_time_ns ltcp_impair_next_due(const ltcp_impair *im);

typedef struct ltcp_impair_stats {
  uint64_t pushed, lost, duplicated, reordered, corrupted, overflow;
} ltcp_impair_stats;
const ltcp_impair_stats *ltcp_impair_get_stats(const ltcp_impair *im);

#ifdef __cplusplus
}
#endif
#endif
