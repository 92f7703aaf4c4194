/* Running seeds (seeds.h). */
#include "support/seeds.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SEEDS_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SEEDS_ASAN 1
#endif
#ifdef SEEDS_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

uint32_t seeds_log_uniform(ltcp_rng *r, uint32_t max, uint64_t one_in, uint32_t kmax) {
  uint64_t pick = ltcp_rng_below(r, one_in);
  if (pick == 0) return 0;
  if (pick == 1) return max;
  uint32_t k = (uint32_t)ltcp_rng_below(r, kmax);
  uint64_t v = (1ull << k) + ltcp_rng_below(r, 1ull << k);
  return v > max ? max : (uint32_t)v;
}

void seeds_faulty_path(ltcp_rng *r, const seeds_faults *f, ltcp_sim_path *p) {
  memset(p, 0, sizeof *p);
  p->latency_ns = LTCP_MS(1) + ltcp_rng_below(r, LTCP_MS(49) + 1);
  uint64_t mbit = ltcp_rng_below(r, 4) == 0 ? 0 : 1ull << ltcp_rng_below(r, 7);
  p->bandwidth_bps = mbit ? mbit * 1000000ull + ltcp_rng_below(r, mbit * 1000000ull) : 0;
  p->queue_limit =
      ltcp_rng_below(r, 2) ? 0 : f->queue_min + (uint32_t)ltcp_rng_below(r, f->queue_span);
  p->loss = f->loss * ltcp_rng_unit(r);
  p->duplicate = f->duplicate * ltcp_rng_unit(r);
  p->reorder = f->reorder * ltcp_rng_unit(r);
  p->reorder_delay_ns = ltcp_rng_below(r, 2) ? 0 : ltcp_rng_below(r, 3 * p->latency_ns + 1);
  p->corrupt = f->corrupt * ltcp_rng_unit(r);
}

/* FNV-1a's step on 8 bytes at a time, with a fold so high bits reach low ones: a trace digest
 * for same-seed-same-trace checks (never stored), a word per multiply instead of a byte. */
void seeds_digest(uint64_t *h, const void *data, size_t len) {
  const uint8_t *p = data;
  uint64_t x = *h;
  for (; len >= 8; p += 8, len -= 8) {
    uint64_t w;
    memcpy(&w, p, sizeof w);
    x = (x ^ w) * 0x9e3779b97f4a7c15ull;
    x ^= x >> 32;
  }
  for (; len; p++, len--) x = (x ^ *p) * 0x100000001b3ull;
  *h = x;
}

int seeds_parse_u64(const char *s, uint64_t *v) {
  char *end;
  errno = 0;
  unsigned long long x = strtoull(s, &end, 10);
  if (errno || end == s || *end) return -1;
  *v = x;
  return 0;
}

int seeds_read_list(const char *path, uint64_t *seeds, size_t *count, size_t max) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  char line[512];
  while (*count < max && fgets(line, sizeof line, f)) {
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *tok = strtok(line, " \t\r\n");
    uint64_t v;
    if (!tok) continue;
    if (seeds_parse_u64(tok, &v) != 0) {
      fclose(f);
      return -1;
    }
    seeds[(*count)++] = v;
  }
  fclose(f);
  return 0;
}

static const char *seeds_argv0 = "test";
static char seeds_crash_msg[256]; /* written before each seed, for a crash to say which */
static size_t seeds_crash_len;

static void seeds_crash_report(void) {
  if (seeds_crash_len) (void)!write(STDERR_FILENO, seeds_crash_msg, seeds_crash_len);
}

static void seeds_on_abort(int sig) {
  seeds_crash_report();
  signal(sig, SIG_DFL);
  raise(sig);
}

void seeds_crash_install(const char *argv0) {
  seeds_argv0 = argv0;
  signal(SIGABRT, seeds_on_abort);
#ifdef SEEDS_ASAN
  __sanitizer_set_death_callback(seeds_crash_report);
#endif
}

void seeds_crash_set(uint64_t seed) {
  int n = snprintf(seeds_crash_msg, sizeof seeds_crash_msg,
                   "FAIL seed=%llu: the process died (invariant check or sanitizer)\n"
                   "replay: %s --seed %llu\n",
                   (unsigned long long)seed, seeds_argv0, (unsigned long long)seed);
  seeds_crash_len = n > 0 && (size_t)n < sizeof seeds_crash_msg ? (size_t)n : 0;
}

void seeds_crash_clear(void) { seeds_crash_len = 0; }
