#include "util/rng.h"

static uint64_t rng_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static uint64_t rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void ltcp_rng_seed(ltcp_rng *rng, uint64_t seed) {
  for (int i = 0; i < 4; i++) rng->s[i] = rng_splitmix64(&seed);
}

uint64_t ltcp_rng_next(ltcp_rng *rng) {
  uint64_t *s = rng->s;
  uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rng_rotl(s[3], 45);
  return result;
}

uint64_t ltcp_rng_below(ltcp_rng *rng, uint64_t bound) {
  /* Lemire's nearly-divisionless method would be faster; a rejection loop is exact and short. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (int i = 0; i < 64; i++) {
    uint64_t x = ltcp_rng_next(rng);
    if (x < limit) return x % bound;
  }
  return ltcp_rng_next(rng) % bound; /* bound reached: probability < 2^-64 */
}

double ltcp_rng_unit(ltcp_rng *rng) { return (double)(ltcp_rng_next(rng) >> 11) * 0x1.0p-53; }

int ltcp_rng_chance(ltcp_rng *rng, double p) { return ltcp_rng_unit(rng) < p; }
