/* What the seeded simulation tests (tests/prop, tests/swarm) share about running seeds: a
 * log-uniform draw, a digest of the packet trace, lists of seeds from a file, and the message a
 * crash (an assertion, a sanitizer report) prints with the seed and its replay command. */
#ifndef LTCP_TEST_SEEDS_H
#define LTCP_TEST_SEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "lucidtcp/sim.h"
#include "util/rng.h"

/* 0 or max one time in `one_in` each, else 2^k plus up to 2^k, k below kmax, capped at max. */
uint32_t seeds_log_uniform(ltcp_rng *r, uint32_t max, uint64_t one_in, uint32_t kmax);
/* The most of each fault a faulty link draws (uniformly up to it), and its queue limit when it
 * has one: queue_min plus up to queue_span. */
typedef struct seeds_faults {
  uint32_t queue_min, queue_span;
  double loss, duplicate, reorder, corrupt;
} seeds_faults;
/* A faulty link: 1-50 ms, infinite (one in four) or 1-128 Mbit/s log-uniform, a queue limit or
 * none, faults up to f's, reordered packets held 0 (the simulator's default) or up to 3
 * latencies. */
void seeds_faulty_path(ltcp_rng *r, const seeds_faults *f, ltcp_sim_path *p);
/* FNV-1a of len bytes into *h (start from SEEDS_DIGEST_INIT). */
#define SEEDS_DIGEST_INIT 0xcbf29ce484222325ull
void seeds_digest(uint64_t *h, const void *data, size_t len);
/* A decimal number, all of s: 0, or -1. */
int seeds_parse_u64(const char *s, uint64_t *v);
/* Appends the seeds listed in path (one per line, '#' comments) to seeds[*count] (at most max
 * in all): 0, or -1 when the file cannot be read or a line is not a number. */
int seeds_read_list(const char *path, uint64_t *seeds, size_t *count, size_t max);
/* The crash handler: SIGABRT and the sanitizers' death callback print "FAIL seed=N ... replay:
 * ARGV0 --seed N" for the seed set last (none after seeds_crash_clear). */
void seeds_crash_install(const char *argv0);
void seeds_crash_set(uint64_t seed);
void seeds_crash_clear(void);

#endif
