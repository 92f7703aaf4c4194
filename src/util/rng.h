/* xoshiro256** seeded through splitmix64: the one PRNG for simulation and stack randomness. */
#ifndef LTCP_UTIL_RNG_H
#define LTCP_UTIL_RNG_H

#include <stdint.h>

typedef struct ltcp_rng {
  uint64_t s[4];
} ltcp_rng;

void ltcp_rng_seed(ltcp_rng *rng, uint64_t seed);
uint64_t ltcp_rng_next(ltcp_rng *rng);
/* Uniform in [0, bound); bound > 0. */
uint64_t ltcp_rng_below(ltcp_rng *rng, uint64_t bound);
/* Uniform in [0, 1). */
double ltcp_rng_unit(ltcp_rng *rng);
/* True with probability p. Draws exactly one number whatever p is, so traces stay aligned. */
int ltcp_rng_chance(ltcp_rng *rng, double p);

#endif
